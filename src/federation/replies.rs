//! Replies from the fediverse: finding what a post answers (one of our reviews or comments, or
//! an unseen remote parent, fetched within a depth bound) and storing it as a comment. The
//! crawl that completes threads is in [`super::refresh`]; the post itself is parsed by
//! [`super::protocol::Note`].

use activitypub_federation::config::Data;
use activitypub_federation::fetch::object_id::ObjectId;
use activitypub_federation::traits::Object;
use chrono::Utc;
use url::Url;

use super::actors::RemoteActor;
use super::protocol::{HttpUrl, Note};
use super::Context;
use super::FederationError;
use crate::changes::{self, Change};
use crate::content;
use crate::db::comments::{self, Author, Body, CommentRow, NewComment, Place, RemoteReply};
use crate::domain::Visibility;
use crate::publishing::{self, Located};

/// How soon the thread is crawled after a reply to a comment arrives.
const CRAWL_AFTER_A_SUBTHREAD_REPLY: chrono::Duration = chrono::Duration::minutes(5);

/// A remote post fetched by id (to find a reply's unseen parent).
#[derive(Debug, Clone)]
pub struct RemoteNote(pub Note);

#[async_trait::async_trait]
impl Object for RemoteNote {
    type DataType = Context;
    type Kind = Note;
    type Error = FederationError;

    fn id(&self) -> &Url {
        self.0.id.url()
    }

    async fn read_from_id(
        _id: Url,
        _data: &Data<Context>,
    ) -> Result<Option<Self>, FederationError> {
        // Known replies are looked up in `comments` before anything is fetched.
        Ok(None)
    }

    async fn into_json(self, _data: &Data<Context>) -> Result<Note, FederationError> {
        Ok(self.0)
    }

    async fn verify(
        json: &Note,
        expected: &Url,
        _data: &Data<Context>,
    ) -> Result<(), FederationError> {
        super::require_same_server(json.id.url(), expected)
    }

    async fn from_json(json: Note, _data: &Data<Context>) -> Result<Self, FederationError> {
        Ok(Self(json))
    }
}

/// Where a reply goes, and, when the review was read on the way, whether it takes replies.
struct Target {
    place: Place,
    open: Option<bool>,
}

impl From<Place> for Target {
    fn from(place: Place) -> Self {
        Self { place, open: None }
    }
}

/// What one of our own URLs names: a public review (by id or page) or one of our comments.
/// Anything else (another server's URL, a draft, an old address) is `None`.
pub async fn ours(data: &Data<Context>, url: &Url) -> Result<Option<Place>, FederationError> {
    Ok(ours_target(data, url).await?.map(|t| t.place))
}

/// [`ours`], with whether the review takes replies when it was read on the way.
#[tracing::instrument(skip_all)]
async fn ours_target(data: &Data<Context>, url: &Url) -> Result<Option<Target>, FederationError> {
    let base = format!("{}/", data.urls.base());
    let Some(path) = url.as_str().strip_prefix(&base) else {
        return Ok(None);
    };
    match path.split_once('/') {
        // A review by id or page, or by one of its later ids (`{id}/v{n}`).
        Some(("reviews", key)) => match publishing::locate(&data.pool, review_key(key)).await? {
            Located::Public(stored) => Ok(Some(Target {
                place: Place {
                    review_id: stored.review.id,
                    parent_id: None,
                },
                open: Some(accepts_replies(data, &stored.review)),
            })),
            Located::Moved(_) | Located::Deleted(_) | Located::Missing => Ok(None),
        },
        Some(("comments", key)) => {
            let Some(id) = crate::domain::parse_id(key) else {
                return Ok(None);
            };
            Ok(comments::get(&data.pool, id).await?.map(|c| {
                Target::from(Place {
                    review_id: c.review_id,
                    parent_id: Some(c.id),
                })
            }))
        }
        _ => Ok(None),
    }
}

/// The review's id or slug in the path after `/reviews/`: `{id}`, `{slug}` or `{id}/v{n}`.
fn review_key(path: &str) -> &str {
    match path.split_once('/') {
        Some((id, revision))
            if crate::domain::parse_id(id).is_some()
                && revision
                    .strip_prefix('v')
                    .is_some_and(|n| n.parse::<u32>().is_ok()) =>
        {
            id
        }
        _ => path,
    }
}

/// Whether a review takes replies now (those to a closed one are kept for the critic alone).
fn accepts_replies(data: &Context, review: &crate::domain::Review) -> bool {
    review.accepts_replies(data.settings.comments.close_after, Utc::now())
}

/// Finds what `parent` is, fetching and storing unseen remote parents up to the depth limit.
async fn target(
    data: &Data<Context>,
    parent: &HttpUrl,
    depth: u32,
) -> Result<Option<Target>, FederationError> {
    if let Some(target) = ours_target(data, parent.url()).await? {
        return Ok(Some(target));
    }
    if let Some(known) = comments::get_by_ap_id(&data.pool, parent.as_str()).await? {
        return Ok(Some(Target::from(Place {
            review_id: known.review_id,
            parent_id: Some(known.id),
        })));
    }
    if depth >= data.settings.comments.max_parent_depth {
        return Ok(None);
    }
    let id: ObjectId<RemoteNote> = parent.url().clone().into();
    let note = match id.dereference(data).await {
        Ok(note) => note,
        Err(e) => {
            tracing::info!(%parent, error = %e, "could not fetch the parent of a reply");
            return Ok(None);
        }
    };
    Ok(Box::pin(store(data, &note.0, depth + 1)).await?.map(|c| {
        Target::from(Place {
            review_id: c.review_id,
            parent_id: Some(c.id),
        })
    }))
}

/// The author as the thread shows them, from their actor document.
fn author_of(actor: &RemoteActor) -> Author {
    let id = actor.id.as_str();
    Author {
        actor: Some(id.to_string()),
        name: actor
            .row
            .name
            .clone()
            .filter(|n| !n.trim().is_empty())
            .or_else(|| actor.row.preferred_username.clone())
            .unwrap_or_else(|| id.to_string()),
        handle: actor.handle_if_known(),
        url: Some(actor.row.url.clone().unwrap_or_else(|| id.to_string())),
        avatar: actor.row.icon_url.clone(),
    }
}

/// Stores a reply (and, first, whatever unseen parents it needs). `None` when it answers
/// nothing of ours. A reply stored before is returned as it is.
///
/// `depth` counts the parents fetched on the way (each parent is stored like a reply).
#[tracing::instrument(skip_all, fields(depth))]
pub async fn store(
    data: &Data<Context>,
    note: &Note,
    depth: u32,
) -> Result<Option<CommentRow>, FederationError> {
    let author = note
        .author()
        .ok_or_else(|| FederationError::Refused("a note without attributedTo".into()))?;
    super::require_same_server(note.id.url(), author.url())?;
    let arrival = comments::arrival(&data.pool, note.id.as_str(), author.as_str()).await?;
    if let Some(id) = arrival.existing {
        return Ok(comments::get(&data.pool, id).await?);
    }
    if arrival.blocked {
        return Err(FederationError::Forbidden(format!("{author} is blocked")));
    }
    let Some(parent) = note.parent() else {
        return Err(FederationError::Refused(
            "a note without inReplyTo is not a comment".into(),
        ));
    };
    let Some(target) = target(data, parent, depth).await? else {
        tracing::info!(note = %note.id, %parent, "reply to something that is not ours; ignored");
        return Ok(None);
    };
    let actor: RemoteActor = ObjectId::<RemoteActor>::from(author.url().clone())
        .dereference(data)
        .await?;
    // A review that no longer takes replies keeps them for the critic alone.
    let open = match target.open {
        Some(open) => open,
        None => crate::db::reviews::get(&data.pool, target.place.review_id)
            .await?
            .is_some_and(|r| accepts_replies(data, &r.review)),
    };
    let target = target.place;
    if !open {
        tracing::info!(note = %note.id, review = %target.review_id, "reply to a review closed to replies: kept private");
    }
    let public = note.is_public() && open;
    let status =
        crate::comments::arriving_status(data.settings.comments.moderation, &arrival, public);
    let reply = RemoteReply {
        ap_id: note.id.to_string(),
        url: note.link(),
        author: author_of(&actor),
        body: Body {
            html: content::sanitize_remote(note.html()),
            source: None,
            summary: note.summary(),
            sensitive: note.is_sensitive(),
        },
        published_at: note.published.unwrap_or_else(Utc::now),
    };
    let visibility = if public {
        Visibility::Public
    } else {
        Visibility::Private
    };
    let comment = NewComment::remote(reply, target, visibility, status);
    // Each statement on its own (no transaction): the reply is what must be kept; a lost
    // announcement is made good by the caches' age limit, a lost crawl by the next reply.
    let mut conn = data.pool.acquire().await?;
    let stored = match comments::insert(&mut conn, &comment).await? {
        Some(row) => row,
        // Stored meanwhile by a concurrent delivery of the same reply.
        None => comments::get_by_ap_id(&mut *conn, note.id.as_str())
            .await?
            .ok_or(FederationError::NotFound)?,
    };
    changes::announce(&mut *conn, &[Change::Review(stored.review_id)]).await?;
    if stored.parent_id.is_some() {
        // A reply to a comment: its siblings, and its parent's, may never reach us.
        let soon = Utc::now() + CRAWL_AFTER_A_SUBTHREAD_REPLY;
        crate::db::crawls::schedule(&mut *conn, stored.review_id, soon).await?;
    }
    tracing::info!(comment = %stored.id, review = %stored.review_id, author = %author, status = status.as_str(), public, "reply stored");
    Ok(Some(stored))
}
