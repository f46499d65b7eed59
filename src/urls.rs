//! Every public URL, built from the configured base URL (never from a request's Host header).

use uuid::Uuid;

use crate::config::PublicUrl;
use crate::domain::Slug;

#[derive(Debug, Clone)]
pub struct Urls {
    base: PublicUrl,
}

impl Urls {
    pub fn new(base: PublicUrl) -> Self {
        Self { base }
    }

    pub fn base(&self) -> &str {
        self.base.as_str()
    }

    pub fn domain(&self) -> String {
        self.base.domain()
    }

    pub fn home(&self) -> String {
        self.base.join("/")
    }

    /// The review's page; it changes when the slug does (old slugs redirect).
    pub fn review(&self, slug: &Slug) -> String {
        self.base.join(&format!("/reviews/{slug}"))
    }

    /// The review's permanent ActivityPub id: it never changes and is never reused.
    pub fn review_id(&self, id: Uuid) -> String {
        self.base.join(&format!("/reviews/{id}"))
    }

    pub fn category(&self, key: &str) -> String {
        self.base.join(&format!("/categories/{key}"))
    }

    pub fn tag(&self, key: &str) -> String {
        self.base.join(&format!("/tags/{key}"))
    }

    pub fn feed(&self) -> String {
        self.base.join("/feed.xml")
    }

    pub fn category_feed(&self, key: &str) -> String {
        self.base.join(&format!("/categories/{key}/feed.xml"))
    }

    pub fn tag_feed(&self, key: &str) -> String {
        self.base.join(&format!("/tags/{key}/feed.xml"))
    }

    pub fn about(&self) -> String {
        self.base.join("/about")
    }

    pub fn join(&self, path: &str) -> String {
        self.base.join(path)
    }
}
