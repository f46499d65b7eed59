//! Importing a WordPress blog (its WXR export): posts become reviews, their approved comments
//! the comment thread, their old addresses redirects. The whole file is read and checked
//! before anything is written; each post is then written with its comments and addresses in
//! one transaction, through the services every review and comment goes through. What was
//! imported is remembered (`wordpress_posts`, `wordpress_comments`), so importing the same
//! export again changes nothing, and a later export brings only the new comments.

mod posts;
mod thread;

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::{PgConnection, PgPool};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::comments::{self, ImportInput};
use crate::config::Settings;
use crate::db::comments::CommentRow;
use crate::db::{legacy_paths, reviews, wordpress_comments, wordpress_posts, DbError};
use crate::domain::wxr::{self, Item, WxrError};
use crate::domain::{Review, ReviewInput, ValidationErrors, WebUrl};
use crate::error::AppError;
use crate::media::Media;
use crate::outbound::{CommentActivity, Outbound};
use crate::publishing;

/// What the critic asked for besides the file.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Send each published review to the followers as one `Create`.
    pub federate: bool,
    /// Download the posts' images and serve them from here.
    pub fetch_media: bool,
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct Report {
    /// Posts imported as reviews now.
    pub reviews_created: usize,
    /// Posts imported before (by an earlier run): left as they are.
    pub reviews_skipped: usize,
    /// Posts that could not be imported, with why (`"post 12: title: is required"`).
    pub reviews_failed: Vec<String>,
    /// Items that are not posts to import, by kind or state: `page`, `attachment`,
    /// `nav_menu_item`, `trash`, ….
    pub items_left_out: BTreeMap<String, usize>,
    /// Comments imported now.
    pub comments_imported: usize,
    /// Comments imported before.
    pub comments_skipped: usize,
    /// Comments not imported, by why: `pingback`, `trackback`, `pending` (never approved),
    /// `spam`, `trash`, `empty`, `invalid`.
    pub comments_left_out: BTreeMap<String, usize>,
    /// Old addresses recorded now (each answers 301 to its review).
    pub redirects_added: usize,
    /// Published reviews sent to the followers (`federate`).
    pub federated: usize,
    /// Images downloaded and served from here (`fetch_media`).
    pub media_fetched: usize,
    /// Images that could not be fetched (their original address is kept).
    pub media_failed: Vec<String>,
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let counts = |map: &BTreeMap<String, usize>| {
            map.iter()
                .map(|(k, n)| format!("{n} {k}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        writeln!(
            f,
            "reviews: {} created, {} already imported, {} failed; left out: {}",
            self.reviews_created,
            self.reviews_skipped,
            self.reviews_failed.len(),
            counts(&self.items_left_out)
        )?;
        writeln!(
            f,
            "comments: {} imported, {} already imported; left out: {}",
            self.comments_imported,
            self.comments_skipped,
            counts(&self.comments_left_out)
        )?;
        write!(
            f,
            "redirects: {} added; sent to followers: {}; images: {} fetched, {} failed",
            self.redirects_added,
            self.federated,
            self.media_fetched,
            self.media_failed.len()
        )
    }
}

/// Parses the whole file into the review inputs to write, writing nothing: a file that is not
/// a WordPress export is refused as a whole (422).
pub fn read(xml: &str) -> Result<wxr::Export, AppError> {
    wxr::parse(xml).map_err(|e: WxrError| {
        let mut errors = ValidationErrors::default();
        errors.add("file", e.to_string());
        AppError::Validation(errors)
    })
}

/// Imports an export (see the module's description).
#[tracing::instrument(skip_all, fields(federate = options.federate, fetch_media = options.fetch_media))]
pub async fn import(
    pool: &PgPool,
    settings: &Settings,
    outbound: &dyn Outbound,
    media: Option<&Media>,
    xml: &str,
    options: Options,
    now: DateTime<Utc>,
) -> Result<Report, AppError> {
    let export = read(xml)?;
    let site = export.blog_url.trim_end_matches('/').to_string();
    let offset = posts::site_offset(&export);
    let mut report = Report::default();
    // Checked as a whole first: a post that cannot be a review is reported, never half-written.
    let mut planned: Vec<(&Item, ReviewInput)> = Vec::new();
    for item in &export.items {
        match posts::plan(item, &export, offset, now) {
            posts::Plan::Skip(why) => *report.items_left_out.entry(why).or_default() += 1,
            posts::Plan::Post(input) => match publishing::check(settings, &input, now) {
                Ok(()) => planned.push((item, *input)),
                Err(e) => {
                    report
                        .reviews_failed
                        .push(format!("post {}: {}", item.post_id, e.body()))
                }
            },
        }
    }
    let importing = Importing {
        outbound,
        deliver: options.federate,
    };
    for (item, mut input) in planned {
        let existing = wordpress_posts::review_of(pool, &site, item.post_id).await?;
        if existing.is_none() && options.fetch_media {
            if let Some(media) = media {
                input =
                    with_local_images(media, item, input, &mut report, &export, offset, now).await;
            }
        }
        let mut tx = pool.begin().await.map_err(DbError::from)?;
        let review = match existing {
            Some(id) => {
                report.reviews_skipped += 1;
                id
            }
            None => {
                let Some(review) =
                    create(&mut tx, settings, &importing, item, &mut input, now).await?
                else {
                    report.reviews_failed.push(format!(
                        "post {}: every slug it could have is taken",
                        item.post_id
                    ));
                    continue;
                };
                wordpress_posts::insert(&mut tx, &site, item.post_id, &item.guid, review.id)
                    .await?;
                report.reviews_created += 1;
                if options.federate && review.is_public() {
                    report.federated += 1;
                }
                review.id
            }
        };
        for path in posts::legacy_paths(item) {
            if legacy_paths::insert(&mut tx, &path, review).await? {
                report.redirects_added += 1;
            }
        }
        import_thread(&mut tx, settings, &site, review, item, offset, &mut report).await?;
        tx.commit().await.map_err(DbError::from)?;
        outbound.queued();
    }
    tracing::info!(
        created = report.reviews_created,
        skipped = report.reviews_skipped,
        comments = report.comments_imported,
        "WordPress export imported"
    );
    Ok(report)
}

/// Creates the review under the first free slug of the post's; `None` when none is free.
async fn create(
    conn: &mut PgConnection,
    settings: &Settings,
    outbound: &dyn Outbound,
    item: &Item,
    input: &mut ReviewInput,
    now: DateTime<Utc>,
) -> Result<Option<Review>, AppError> {
    let title = input.title.clone().unwrap_or_default();
    for slug in posts::slug_candidates(item, &title) {
        if reviews::slug_holder(&mut *conn, slug.as_str())
            .await?
            .is_none()
        {
            input.slug = Some(slug.to_string());
            let stored = publishing::create_in(conn, settings, outbound, input, now).await?;
            return Ok(Some(stored.review));
        }
    }
    Ok(None)
}

/// The post's approved comments not imported before, parents first.
async fn import_thread(
    conn: &mut PgConnection,
    settings: &Settings,
    site: &str,
    review: Uuid,
    item: &Item,
    offset: chrono::Duration,
    report: &mut Report,
) -> Result<(), AppError> {
    let thread = thread::plan(&item.comments);
    for (why, n) in thread.left_out {
        *report.comments_left_out.entry(why).or_default() += n;
    }
    let ids: Vec<u64> = thread.ordered.iter().map(|p| p.comment.id).collect();
    let mut imported: HashMap<u64, Uuid> =
        wordpress_comments::imported(&mut *conn, site, &ids).await?;
    let fallback_date =
        posts::utc(item.post_date_gmt, item.post_date, offset).unwrap_or_else(Utc::now);
    for planned in thread.ordered {
        let c = planned.comment;
        if imported.contains_key(&c.id) {
            report.comments_skipped += 1;
            continue;
        }
        let author = crate::content::clean_line(&posts::plain(&c.author), 200);
        let input = ImportInput {
            author_name: if author.is_empty() {
                "Anonymous".into()
            } else {
                author
            },
            // Kept only when it is a web address (a stranger typed it into a form).
            author_url: WebUrl::parse(&c.author_url).ok().map(|u| u.to_string()),
            date: posts::utc(c.date_gmt, c.date, offset).unwrap_or(fallback_date),
            content: crate::content::wordpress::comment_html(&c.content),
            // Under its nearest ancestor that is here (one that failed to import: above it).
            parent: planned.parent.and_then(|p| imported.get(&p).copied()),
        };
        match comments::import_in(conn, settings, review, &input).await {
            Ok(CommentRow { id, .. }) => {
                wordpress_comments::insert(conn, site, c.id, id).await?;
                imported.insert(c.id, id);
                report.comments_imported += 1;
            }
            // Refused before anything was written (too long, say): reported, the rest goes on.
            Err(AppError::Validation(_)) => {
                *report
                    .comments_left_out
                    .entry("invalid".into())
                    .or_default() += 1;
            }
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// The post's images fetched and stored here, its input made again from the content that
/// points at them.
async fn with_local_images(
    media: &Media,
    item: &Item,
    input: ReviewInput,
    report: &mut Report,
    export: &wxr::Export,
    offset: chrono::Duration,
    now: DateTime<Utc>,
) -> ReviewInput {
    let sources = crate::content::wordpress::image_sources(&item.content);
    if sources.is_empty() {
        return input;
    }
    let mut replaced = Vec::new();
    for source in sources.into_iter().take(crate::media::MAX_PER_POST) {
        match media.fetch(&source).await {
            Ok(local) => {
                report.media_fetched += 1;
                replaced.push((source, local));
            }
            Err(e) => report.media_failed.push(format!("{source}: {e}")),
        }
    }
    let mut local = item.clone();
    local.content = crate::content::wordpress::replace_image_sources(&item.content, &replaced);
    match posts::plan(&local, export, offset, now) {
        posts::Plan::Post(rewritten) => ReviewInput {
            slug: input.slug,
            ..*rewritten
        },
        posts::Plan::Skip(_) => input,
    }
}

/// The import's view of the fediverse: a new review is an imported one (in the outbox under
/// its old date, sent only when asked); everything else as usual.
struct Importing<'a> {
    outbound: &'a dyn Outbound,
    deliver: bool,
}

#[async_trait::async_trait]
impl Outbound for Importing<'_> {
    async fn review_written(
        &self,
        conn: &mut PgConnection,
        review: &Review,
        now: DateTime<Utc>,
    ) -> Result<(), DbError> {
        self.outbound
            .review_imported(conn, review, self.deliver, now)
            .await
    }

    async fn review_imported(
        &self,
        conn: &mut PgConnection,
        review: &Review,
        deliver: bool,
        now: DateTime<Utc>,
    ) -> Result<(), DbError> {
        self.outbound
            .review_imported(conn, review, deliver, now)
            .await
    }

    async fn review_deleted(
        &self,
        conn: &mut PgConnection,
        review_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<(), DbError> {
        self.outbound.review_deleted(conn, review_id, now).await
    }

    async fn comment_sent(
        &self,
        conn: &mut PgConnection,
        comment: &CommentRow,
        activity: CommentActivity,
        now: DateTime<Utc>,
    ) -> Result<(), DbError> {
        self.outbound
            .comment_sent(conn, comment, activity, now)
            .await
    }

    fn queued(&self) {
        self.outbound.queued();
    }
}
