//! Importing a WordPress blog (its WXR export): posts become reviews, their approved comments
//! the comment thread, their old addresses redirects. The whole file is read and checked
//! before anything is written; each post is then written with its comments and addresses in
//! one transaction, through the services every review and comment goes through. What was
//! imported is remembered (`wordpress_posts`, `wordpress_comments`) under the blog's key
//! ([`Blog`]: its address without scheme and `www.`), so importing the same export again
//! changes nothing, and a later export brings only the new comments. Each post's transaction
//! holds the blog's import lock, so two imports at once take turns; a post that cannot be
//! written is reported and the run goes on; only our own faults stop it.

mod comments;
mod posts;
mod report;
mod thread;

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use crate::config::Settings;
use crate::db::comments::CommentRow;
use crate::db::{legacy_paths, reviews, wordpress_posts, DbError};
use crate::domain::wxr::{self, Blog, Export, Item, WxrError};
use crate::domain::{Review, ReviewInput, ValidationErrors};
use crate::error::AppError;
use crate::media::Media;
use crate::outbound::{CommentActivity, Outbound};
use crate::publishing;

pub use report::Report;

/// What the critic asked for besides the file.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Send each published review to the followers as one `Create`.
    pub federate: bool,
    /// Download the posts' images and serve them from here.
    pub fetch_media: bool,
}

/// Parses the whole file, writing nothing: a file that is not a WordPress export, or names no
/// blog address, is refused as a whole (422).
pub fn read(xml: &str) -> Result<(Export, Blog), AppError> {
    let refused = |e: WxrError| {
        let mut errors = ValidationErrors::default();
        errors.add("file", e.to_string());
        AppError::Validation(errors)
    };
    let export = wxr::parse(xml).map_err(refused)?;
    let blog = export.blog().map_err(refused)?;
    Ok((export, blog))
}

/// The export read and checked, before anything is written.
struct Prepared {
    /// The channel (its items taken out into `planned`).
    export: Export,
    blog: Blog,
    offset: chrono::Duration,
    /// The posts to import, each with the review it becomes.
    planned: Vec<(Item, ReviewInput)>,
    /// What was left out or refused already.
    report: Report,
}

/// Reads the file and plans every post (CPU work on a file of up to 64 MiB: run it apart
/// from the server's tasks).
fn prepare(xml: &str, settings: &Settings, now: DateTime<Utc>) -> Result<Prepared, AppError> {
    let (mut export, blog) = read(xml)?;
    let offset = posts::site_offset(&export);
    let mut report = Report::default();
    let items = std::mem::take(&mut export.items);
    // Checked as a whole first: a post that cannot be a review is reported, never half-written.
    let mut planned = Vec::new();
    for item in items {
        match posts::plan(&item, &export, offset, now) {
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
    Ok(Prepared {
        export,
        blog,
        offset,
        planned,
        report,
    })
}

/// What every post's import shares.
struct Run<'a> {
    pool: &'a PgPool,
    settings: &'a Settings,
    importing: Importing<'a>,
    media: Option<&'a Media>,
    options: Options,
    export: &'a Export,
    blog: &'a Blog,
    offset: chrono::Duration,
    now: DateTime<Utc>,
}

/// Imports an export (see the module's description).
#[tracing::instrument(skip_all, fields(federate = options.federate, fetch_media = options.fetch_media))]
pub async fn import(
    pool: &PgPool,
    settings: &Settings,
    outbound: &dyn Outbound,
    media: Option<&Media>,
    xml: String,
    options: Options,
    now: DateTime<Utc>,
) -> Result<Report, AppError> {
    let shared = settings.clone();
    let Prepared {
        export,
        blog,
        offset,
        planned,
        mut report,
    } = tokio::task::spawn_blocking(move || prepare(&xml, &shared, now))
        .await
        .map_err(|e| AppError::internal("reading the export", e))??;
    let run = Run {
        pool,
        settings,
        importing: Importing {
            outbound,
            deliver: options.federate,
        },
        media,
        options,
        export: &export,
        blog: &blog,
        offset,
        now,
    };
    for (item, input) in planned {
        match import_post(&run, &item, input, &mut report).await {
            Ok(()) => {}
            // Our own fault (the database is gone): the run stops, what is written stays.
            Err(e) if e.status().is_server_error() => return Err(e),
            Err(e) => report
                .reviews_failed
                .push(format!("post {}: {}", item.post_id, e.body())),
        }
    }
    tracing::info!(
        created = report.reviews_created,
        skipped = report.reviews_skipped,
        comments = report.comments_imported,
        "WordPress export imported"
    );
    Ok(report)
}

/// One post with its comments and old addresses, in one transaction that holds the blog's
/// import lock (two imports of one blog at once take turns post by post, so neither
/// writes a post twice). What it did is added to `report` once committed.
#[tracing::instrument(skip_all, fields(post = item.post_id))]
async fn import_post(
    run: &Run<'_>,
    item: &Item,
    mut input: ReviewInput,
    report: &mut Report,
) -> Result<(), AppError> {
    // A first look outside the lock, only to spare fetching the images of a post imported
    // before (the answer that counts is read again under it).
    let known = wordpress_posts::review_of(run.pool, &run.blog.key, item.post_id).await?;
    if known.is_none() && run.options.fetch_media {
        if let Some(media) = run.media {
            input = with_local_images(media, item, input, report, run).await;
        }
    }
    let mut done = Report::default();
    let mut tx = run.pool.begin().await.map_err(DbError::from)?;
    wordpress_posts::lock_site(&mut tx, &run.blog.key).await?;
    let review = match wordpress_posts::review_of(&mut *tx, &run.blog.key, item.post_id).await? {
        Some(id) => {
            done.reviews_skipped += 1;
            if reviews::get(&mut *tx, id).await?.is_none() {
                // Deleted here since: it stays deleted, its new comments are not wanted.
                done.reviews_deleted_here += 1;
                report.add(done);
                return Ok(());
            }
            id
        }
        None => {
            let Some(review) = create(&mut tx, run, item, &mut input).await? else {
                report.reviews_failed.push(format!(
                    "post {}: every slug it could have is taken",
                    item.post_id
                ));
                return Ok(());
            };
            wordpress_posts::insert(&mut tx, &run.blog.key, item.post_id, &item.guid, review.id)
                .await?;
            done.reviews_created += 1;
            if run.options.federate && review.is_public() {
                done.federated += 1;
            }
            review.id
        }
    };
    for path in posts::legacy_paths(item, &run.blog.base_path) {
        if legacy_paths::insert(&mut tx, &path, review).await? {
            done.redirects_added += 1;
        }
    }
    comments::import_thread(&mut tx, run, review, item, &mut done).await?;
    tx.commit().await.map_err(DbError::from)?;
    run.importing.queued();
    report.add(done);
    Ok(())
}

/// Creates the review under the first free slug of the post's; `None` when none is free.
async fn create(
    conn: &mut PgConnection,
    run: &Run<'_>,
    item: &Item,
    input: &mut ReviewInput,
) -> Result<Option<Review>, AppError> {
    let title = input.title.clone().unwrap_or_default();
    for slug in posts::slug_candidates(item, &title) {
        if reviews::slug_holder(&mut *conn, slug.as_str())
            .await?
            .is_none()
        {
            input.slug = Some(slug.to_string());
            let stored =
                publishing::create_in(conn, run.settings, &run.importing, input, run.now).await?;
            return Ok(Some(stored.review));
        }
    }
    Ok(None)
}

/// The post's images fetched and stored here, its input made again from the content that
/// points at them.
async fn with_local_images(
    media: &Media,
    item: &Item,
    input: ReviewInput,
    report: &mut Report,
    run: &Run<'_>,
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
    match posts::plan(&local, run.export, run.offset, run.now) {
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
