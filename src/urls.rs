//! Every public URL, built from the configured base URL (never from a request's Host header).

use uuid::Uuid;

use crate::config::{PublicUrl, Settings};
use crate::domain::{Handle, Slug};

#[derive(Debug, Clone)]
pub struct Urls {
    base: PublicUrl,
    handle: Handle,
}

impl Urls {
    pub fn new(settings: &Settings) -> Self {
        Self {
            base: settings.public_url.clone(),
            handle: settings.handle.clone(),
        }
    }

    pub fn handle(&self) -> &Handle {
        &self.handle
    }

    /// `handle@domain`, as WebFinger and Mastodon's search know the blog.
    pub fn acct(&self) -> String {
        format!("{}@{}", self.handle, self.domain())
    }

    /// The blog actor's id.
    pub fn actor(&self) -> String {
        self.base.join(&format!("/users/{}", self.handle))
    }

    pub fn actor_inbox(&self) -> String {
        format!("{}/inbox", self.actor())
    }

    pub fn outbox(&self) -> String {
        format!("{}/outbox", self.actor())
    }

    pub fn followers(&self) -> String {
        format!("{}/followers", self.actor())
    }

    /// The followers on the asking server only (FEP-8fcf).
    pub fn followers_synchronization(&self) -> String {
        format!("{}_synchronization", self.followers())
    }

    pub fn following(&self) -> String {
        format!("{}/following", self.actor())
    }

    pub fn featured(&self) -> String {
        format!("{}/featured", self.actor())
    }

    pub fn shared_inbox(&self) -> String {
        self.base.join("/inbox")
    }

    /// The instance actor, which signs our fetches.
    pub fn instance_actor(&self) -> String {
        self.base.join("/actor")
    }

    pub fn instance_inbox(&self) -> String {
        self.base.join("/actor/inbox")
    }

    pub fn activity(&self, id: Uuid) -> String {
        self.base.join(&format!("/activities/{id}"))
    }

    pub fn replies(&self, id: Uuid) -> String {
        format!("{}/replies", self.review_id(id))
    }

    /// The review's whole conversation, as a collection (FEP-7888 `context`).
    pub fn context(&self, id: Uuid) -> String {
        format!("{}/context", self.review_id(id))
    }

    pub fn likes(&self, id: Uuid) -> String {
        format!("{}/likes", self.review_id(id))
    }

    pub fn shares(&self, id: Uuid) -> String {
        format!("{}/shares", self.review_id(id))
    }

    /// A comment of ours (the critic's answers, imported comments).
    pub fn comment(&self, id: Uuid) -> String {
        self.base.join(&format!("/comments/{id}"))
    }

    /// A review's comment feed.
    pub fn comments_feed(&self, slug: &Slug) -> String {
        format!("{}/comments.xml", self.review(slug))
    }

    /// A reply's authorization (GoToSocial's `ReplyAuthorization`).
    pub fn reply_authorization(&self, id: Uuid) -> String {
        self.base.join(&format!("/reply-authorizations/{id}"))
    }

    /// A quote's authorization stamp (FEP-044f `QuoteAuthorization`).
    pub fn quote(&self, id: Uuid) -> String {
        self.base.join(&format!("/quotes/{id}"))
    }

    pub fn avatar(&self) -> String {
        self.base.join("/avatar.png")
    }

    /// The host without the port: the domain Mastodon credits link cards to.
    pub fn host(&self) -> String {
        self.domain()
            .split(':')
            .next()
            .unwrap_or_default()
            .to_string()
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

    /// The review's first ActivityPub id, and the base of its collections' addresses.
    pub fn review_id(&self, id: Uuid) -> String {
        self.base.join(&format!("/reviews/{id}"))
    }

    /// The review's ActivityPub id in its `revision`: the first is [`Self::review_id`]; each
    /// time the review is withdrawn from the fediverse (and so tombstoned there), it comes
    /// back under `/reviews/{id}/v{revision}`. No id is ever reused.
    pub fn review_ap_id(&self, id: Uuid, revision: u32) -> String {
        match revision {
            0 => self.review_id(id),
            n => self.base.join(&format!("/reviews/{id}/v{n}")),
        }
    }

    pub fn category(&self, key: &str) -> String {
        self.base.join(&format!("/categories/{key}"))
    }

    pub fn tag(&self, key: &str) -> String {
        self.base.join(&format!("/tags/{key}"))
    }

    /// An image stored here (see `media`), by its content-hash name.
    pub fn media(&self, name: &str) -> String {
        self.base.join(&format!("/media/{name}"))
    }

    /// The media name an address of ours names (`None` for any other address).
    pub fn media_name(&self, url: &str) -> Option<String> {
        let name = url.strip_prefix(&self.media(""))?;
        (!name.is_empty() && !name.contains(['/', '?', '#'])).then(|| name.to_string())
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

/// Where the admin API lives.
pub const API_PREFIX: &str = "/api/v1";
/// Where the critic's desk is.
pub const DESK_PREFIX: &str = "/admin";
