//! Replies from the fediverse: parsing the `Note`s real servers send (leniently), finding
//! what they answer (fetching unseen parents, bounded), and storing them as comments. The
//! crawl that completes threads is in [`super::refresh`].

use activitypub_federation::config::Data;
use activitypub_federation::fetch::object_id::ObjectId;
use activitypub_federation::traits::Object;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{Map, Value};
use url::Url;
use uuid::Uuid;

use super::actors::RemoteActor;
use super::delivery::authority;
use super::documents::PUBLIC;
use super::Context;
use super::FederationError;
use crate::changes::{self, Change};
use crate::config::Moderation;
use crate::content;
use crate::db::comments::{self, Author, Body, CommentRow, NewComment, Place, RemoteReply};
use crate::db::reviews;
use crate::domain::{CommentStatus, Visibility};

/// A `Note` (or `Article`, `Question`, …) as received; every field but the id is optional.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NoteJson {
    pub id: Url,
    #[serde(rename = "type", default)]
    pub kind: Value,
    #[serde(default)]
    pub attributed_to: Value,
    #[serde(default)]
    pub in_reply_to: Value,
    #[serde(default)]
    pub content: Option<String>,
    #[serde(default)]
    pub content_map: Option<Map<String, Value>>,
    #[serde(default)]
    pub summary: Option<String>,
    #[serde(default)]
    pub sensitive: Option<bool>,
    #[serde(default)]
    pub published: Option<Value>,
    #[serde(default)]
    pub updated: Option<Value>,
    #[serde(default)]
    pub url: Value,
    #[serde(default)]
    pub to: Value,
    #[serde(default)]
    pub cc: Value,
    #[serde(default)]
    pub replies: Value,
}

/// The first id in a value that may be a string, an object with `id`, or a list of them.
pub fn first_id(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Object(map) => map.get("id").and_then(Value::as_str).map(str::to_string),
        Value::Array(items) => items.iter().find_map(first_id),
        _ => None,
    }
}

fn ids(value: &Value) -> Vec<String> {
    match value {
        Value::Array(items) => items.iter().filter_map(first_id).collect(),
        other => first_id(other).into_iter().collect(),
    }
}

fn date(value: &Option<Value>) -> Option<DateTime<Utc>> {
    value
        .as_ref()
        .and_then(Value::as_str)
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|d| d.with_timezone(&Utc))
}

impl NoteJson {
    pub fn author(&self) -> Option<String> {
        first_id(&self.attributed_to)
    }

    pub fn parent(&self) -> Option<String> {
        first_id(&self.in_reply_to)
    }

    /// Public when addressed to the public collection in `to` or `cc` (any of its spellings).
    pub fn is_public(&self) -> bool {
        ids(&self.to)
            .iter()
            .chain(ids(&self.cc).iter())
            .any(|a| a == PUBLIC || a == "as:Public" || a == "Public")
    }

    /// The HTML content, or the first language's from `contentMap`.
    pub fn html(&self) -> String {
        self.content
            .clone()
            .or_else(|| {
                self.content_map
                    .as_ref()
                    .and_then(|m| m.values().find_map(|v| v.as_str().map(str::to_string)))
            })
            .unwrap_or_default()
    }

    /// The content warning, cleaned and capped; `None` when blank.
    pub fn summary(&self) -> Option<String> {
        self.summary
            .as_deref()
            .map(|s| content::clean_text(s, content::limits::SUMMARY))
            .filter(|s| !s.is_empty())
    }

    /// Where people read it: `url` (string, Link, or a list preferring text/html; http(s)
    /// only), else the id.
    pub fn link(&self) -> String {
        fn html_link(value: &Value) -> Option<String> {
            match value {
                Value::String(s) => Some(s.clone()),
                Value::Object(map) => map.get("href").and_then(Value::as_str).map(str::to_string),
                Value::Array(items) => items
                    .iter()
                    .find(|i| i.get("mediaType").and_then(Value::as_str) == Some("text/html"))
                    .and_then(html_link)
                    .or_else(|| items.iter().find_map(html_link)),
                _ => None,
            }
        }
        html_link(&self.url)
            .and_then(|u| super::actors::web_url(&u))
            .unwrap_or_else(|| self.id.to_string())
    }

    pub fn published(&self) -> Option<DateTime<Utc>> {
        date(&self.published)
    }

    pub fn updated(&self) -> Option<DateTime<Utc>> {
        date(&self.updated)
    }
}

/// A remote note fetched by id (to find a reply's unseen parent).
#[derive(Debug, Clone)]
pub struct RemoteNote(pub NoteJson);

#[async_trait::async_trait]
impl Object for RemoteNote {
    type DataType = Context;
    type Kind = NoteJson;
    type Error = FederationError;

    fn id(&self) -> &Url {
        &self.0.id
    }

    async fn read_from_id(
        _id: Url,
        _data: &Data<Context>,
    ) -> Result<Option<Self>, FederationError> {
        // Known replies are looked up in `comments` before anything is fetched.
        Ok(None)
    }

    async fn into_json(self, _data: &Data<Context>) -> Result<NoteJson, FederationError> {
        Ok(self.0)
    }

    async fn verify(
        json: &NoteJson,
        expected: &Url,
        _data: &Data<Context>,
    ) -> Result<(), FederationError> {
        super::require_same_server(&json.id, expected)?;
        Ok(())
    }

    async fn from_json(json: NoteJson, _data: &Data<Context>) -> Result<Self, FederationError> {
        Ok(Self(json))
    }
}

/// Refuses an actor the critic blocked, by id or by server.
pub async fn refuse_blocked(data: &Data<Context>, actor: &Url) -> Result<(), FederationError> {
    if crate::db::blocks::is_blocked(&data.pool, actor.as_str()).await? {
        return Err(FederationError::Forbidden(format!("{actor} is blocked")));
    }
    Ok(())
}

/// One of our own URLs: a public review (by id or page) or a comment of ours.
async fn local_target(data: &Data<Context>, url: &str) -> Result<Option<Place>, FederationError> {
    let base = format!("{}/", data.urls.base());
    let Some(path) = url.strip_prefix(&base) else {
        return Ok(None);
    };
    let review = match path.split_once('/') {
        Some(("reviews", key)) => match Uuid::parse_str(key) {
            Ok(id) => reviews::get(&data.pool, id).await?,
            Err(_) => reviews::get_by_slug(&data.pool, key).await?,
        },
        Some(("comments", key)) => {
            let comment = match Uuid::parse_str(key) {
                Ok(id) => comments::get(&data.pool, id).await?,
                Err(_) => None,
            };
            return Ok(comment.map(|c| Place {
                review_id: c.review_id,
                parent_id: Some(c.id),
            }));
        }
        _ => None,
    };
    Ok(review.filter(|r| r.review.is_public()).map(|r| Place {
        review_id: r.review.id,
        parent_id: None,
    }))
}

/// Finds what `parent` is, fetching and storing unseen remote parents up to the depth limit.
async fn target(
    data: &Data<Context>,
    parent: &str,
    depth: u32,
) -> Result<Option<Place>, FederationError> {
    if let Some(target) = local_target(data, parent).await? {
        return Ok(Some(target));
    }
    if let Some(known) = comments::get_by_ap_id(&data.pool, parent).await? {
        return Ok(Some(Place {
            review_id: known.review_id,
            parent_id: Some(known.id),
        }));
    }
    if depth >= data.settings.comments.max_parent_depth {
        return Ok(None);
    }
    let Ok(id) = ObjectId::<RemoteNote>::parse(parent) else {
        return Ok(None);
    };
    let note = match id.dereference(data).await {
        Ok(note) => note,
        Err(e) => {
            tracing::info!(parent, error = %e, "could not fetch the parent of a reply");
            return Ok(None);
        }
    };
    Ok(Box::pin(store(data, &note.0, depth + 1))
        .await?
        .map(|c| Place {
            review_id: c.review_id,
            parent_id: Some(c.id),
        }))
}

/// Stores a reply (and, first, whatever unseen parents it needs). `None` when it answers
/// nothing of ours. A reply stored before is returned as it is.
pub async fn store(
    data: &Data<Context>,
    note: &NoteJson,
    depth: u32,
) -> Result<Option<CommentRow>, FederationError> {
    if let Some(existing) = comments::get_by_ap_id(&data.pool, note.id.as_str()).await? {
        return Ok(Some(existing));
    }
    if !matches!(note.id.scheme(), "http" | "https") {
        return Err(FederationError::Refused(
            "a note's id must be an http(s) URL".into(),
        ));
    }
    let author = note
        .author()
        .ok_or_else(|| FederationError::Refused("a note without attributedTo".into()))?;
    let author = Url::parse(&author)
        .map_err(|_| FederationError::Refused("attributedTo is not a URL".into()))?;
    super::require_same_server(&note.id, &author)?;
    refuse_blocked(data, &author).await?;
    let Some(parent) = note.parent() else {
        return Err(FederationError::Refused(
            "a note without inReplyTo is not a comment".into(),
        ));
    };
    let Some(target) = target(data, &parent, depth).await? else {
        tracing::info!(note = %note.id, parent, "reply to something that is not ours; ignored");
        return Ok(None);
    };
    let actor: RemoteActor = ObjectId::<RemoteActor>::from(author.clone())
        .dereference(data)
        .await?;
    let public = note.is_public();
    let status = if !public {
        CommentStatus::Published
    } else {
        match data.settings.comments.moderation {
            Moderation::Open => CommentStatus::Published,
            Moderation::Closed => CommentStatus::Pending,
            Moderation::FirstTime
                if comments::author_is_approved(&data.pool, author.as_str()).await? =>
            {
                CommentStatus::Published
            }
            Moderation::FirstTime => CommentStatus::Pending,
        }
    };
    let host = authority(author.as_str());
    let reply = RemoteReply {
        ap_id: note.id.to_string(),
        url: note.link(),
        author: Author {
            actor: Some(author.to_string()),
            name: actor
                .row
                .name
                .clone()
                .filter(|n| !n.trim().is_empty())
                .or_else(|| actor.row.preferred_username.clone())
                .unwrap_or_else(|| author.to_string()),
            handle: actor
                .row
                .preferred_username
                .as_ref()
                .map(|u| crate::domain::handle(u, &host)),
            url: Some(actor.row.url.clone().unwrap_or_else(|| author.to_string())),
            avatar: actor.row.icon_url.clone(),
        },
        body: Body {
            html: content::sanitize_remote(&note.html()),
            source: None,
            summary: note.summary(),
            sensitive: note.sensitive.unwrap_or(false),
        },
        published_at: note.published().unwrap_or_else(Utc::now),
    };
    let visibility = if public {
        Visibility::Public
    } else {
        Visibility::Private
    };
    let comment = NewComment::remote(reply, target, visibility, status);
    let mut conn = data.pool.begin().await?;
    let stored = match comments::insert(&mut conn, &comment).await? {
        Some(row) => row,
        // Stored meanwhile by a concurrent delivery of the same reply.
        None => comments::get_by_ap_id(&mut *conn, note.id.as_str())
            .await?
            .ok_or(FederationError::NotFound)?,
    };
    changes::announce(&mut *conn, &[Change::Review(stored.review_id)]).await?;
    conn.commit().await?;
    tracing::info!(comment = %stored.id, review = %stored.review_id, author = %author, status = status.as_str(), public, "reply stored");
    Ok(Some(stored))
}
