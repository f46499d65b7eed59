//! What an import did, as the admin API and the command line tell it.

use std::collections::BTreeMap;

use serde::Serialize;
use utoipa::ToSchema;

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct Report {
    /// Posts imported as reviews now.
    pub reviews_created: usize,
    /// Posts imported before (by an earlier run): left as they are.
    pub reviews_skipped: usize,
    /// Of the posts imported before, those whose review was deleted here since: left deleted,
    /// with their new comments.
    pub reviews_deleted_here: usize,
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

impl Report {
    /// Adds what one post's transaction did, once it is committed.
    pub(super) fn add(&mut self, post: Report) {
        let Report {
            reviews_created,
            reviews_skipped,
            reviews_deleted_here,
            reviews_failed,
            items_left_out,
            comments_imported,
            comments_skipped,
            comments_left_out,
            redirects_added,
            federated,
            media_fetched,
            media_failed,
        } = post;
        self.reviews_created += reviews_created;
        self.reviews_skipped += reviews_skipped;
        self.reviews_deleted_here += reviews_deleted_here;
        self.reviews_failed.extend(reviews_failed);
        for (why, n) in items_left_out {
            *self.items_left_out.entry(why).or_default() += n;
        }
        self.comments_imported += comments_imported;
        self.comments_skipped += comments_skipped;
        for (why, n) in comments_left_out {
            *self.comments_left_out.entry(why).or_default() += n;
        }
        self.redirects_added += redirects_added;
        self.federated += federated;
        self.media_fetched += media_fetched;
        self.media_failed.extend(media_failed);
    }
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
            "reviews: {} created, {} already imported ({} deleted here), {} failed; left out: {}",
            self.reviews_created,
            self.reviews_skipped,
            self.reviews_deleted_here,
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
