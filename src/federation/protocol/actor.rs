//! Actors we fetch or receive: `Person`, `Service`, `Application`, `Group`, `Organization`.

use serde::Deserialize;

use super::objects::{first_image_url, Attachment, Image, Tag};
use super::values::{
    lenient, Date, HasId, HttpUrl, IdOrObject, Kinds, LinkRef, ObjectStub, OneOrMany,
};
use super::ProtocolError;
use crate::content;

/// The types an actor may have.
pub const ACTOR_TYPES: &[&str] = &["Person", "Service", "Application", "Group", "Organization"];

/// An actor document. `id`, `type`, `inbox` and a well-formed key are required (without them
/// nothing can be delivered or verified); the profile fields are taken as absent when they
/// do not parse.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Actor {
    pub id: HttpUrl,
    #[serde(rename = "type")]
    pub kind: Kinds,
    pub inbox: HttpUrl,
    /// Usually one key; a few servers list several.
    #[serde(default)]
    pub public_key: OneOrMany<PublicKey>,
    #[serde(default, deserialize_with = "lenient")]
    pub preferred_username: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub name: Option<String>,
    /// The bio (HTML).
    #[serde(default, deserialize_with = "lenient")]
    pub summary: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub url: OneOrMany<LinkRef>,
    #[serde(default, deserialize_with = "lenient")]
    pub icon: OneOrMany<Image>,
    #[serde(default, deserialize_with = "lenient")]
    pub image: OneOrMany<Image>,
    #[serde(default, deserialize_with = "lenient")]
    pub outbox: Option<HttpUrl>,
    #[serde(default, deserialize_with = "lenient")]
    pub followers: Option<HttpUrl>,
    #[serde(default, deserialize_with = "lenient")]
    pub following: Option<HttpUrl>,
    #[serde(default, deserialize_with = "lenient")]
    pub featured: Option<HttpUrl>,
    #[serde(default, deserialize_with = "lenient")]
    pub endpoints: Option<Endpoints>,
    /// Misskey also puts the shared inbox at the top level.
    #[serde(default, deserialize_with = "lenient")]
    pub shared_inbox: Option<HttpUrl>,
    #[serde(default, deserialize_with = "lenient")]
    pub manually_approves_followers: Option<bool>,
    #[serde(default, deserialize_with = "lenient")]
    pub discoverable: Option<bool>,
    #[serde(default, deserialize_with = "lenient")]
    pub indexable: Option<bool>,
    #[serde(default, deserialize_with = "lenient")]
    pub published: Date,
    /// The account it moved to.
    #[serde(default, deserialize_with = "lenient")]
    pub moved_to: Option<HttpUrl>,
    /// Its other accounts (the ones it may move from or to).
    #[serde(default, deserialize_with = "lenient")]
    pub also_known_as: OneOrMany<IdOrObject<ObjectStub>>,
    /// Profile fields (`PropertyValue`).
    #[serde(default, deserialize_with = "lenient")]
    pub attachment: OneOrMany<Attachment>,
    /// Custom emoji in the name and bio, featured hashtags.
    #[serde(default, deserialize_with = "lenient")]
    pub tag: OneOrMany<Tag>,
    /// Misskey's cat ears.
    #[serde(default, deserialize_with = "lenient")]
    pub is_cat: Option<bool>,
}

/// `endpoints`: only the shared inbox is used.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Endpoints {
    #[serde(default, deserialize_with = "lenient")]
    pub shared_inbox: Option<HttpUrl>,
}

/// An actor's RSA key for HTTP signatures.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PublicKey {
    pub id: HttpUrl,
    pub owner: HttpUrl,
    pub public_key_pem: String,
}

impl HasId for Actor {
    fn ap_id(&self) -> Option<&HttpUrl> {
        Some(&self.id)
    }
}

impl Actor {
    /// The key that signs for this actor: the one it owns (the first, when several are).
    pub fn public_key(&self) -> Option<&PublicKey> {
        self.public_key.iter().find(|k| k.owner == self.id)
    }

    /// The shared inbox, when it is on the actor's own server (one elsewhere is ignored:
    /// deliveries must not be pointed at third parties).
    pub fn shared_inbox(&self) -> Option<&HttpUrl> {
        self.endpoints
            .as_ref()
            .and_then(|e| e.shared_inbox.as_ref())
            .or(self.shared_inbox.as_ref())
            .filter(|u| u.same_server(&self.id))
    }

    /// Where deliveries go: the shared inbox when it has one.
    pub fn delivery_inbox(&self) -> &HttpUrl {
        self.shared_inbox().unwrap_or(&self.inbox)
    }

    /// `preferredUsername`, cleaned and capped; `None` when blank.
    pub fn username(&self) -> Option<String> {
        self.preferred_username
            .as_deref()
            .map(|u| content::clean_line(u, content::limits::USERNAME))
            .filter(|u| !u.is_empty())
    }

    /// `name`, cleaned and capped; `None` when blank.
    pub fn display_name(&self) -> Option<String> {
        self.name
            .as_deref()
            .map(|n| content::clean_line(n, content::limits::NAME))
            .filter(|n| !n.trim().is_empty())
    }

    /// The profile page (`url`; http(s) only).
    pub fn profile_url(&self) -> Option<String> {
        self.url.html_link()
    }

    /// The avatar (http(s) only).
    pub fn avatar_url(&self) -> Option<String> {
        first_image_url(&self.icon)
    }

    pub fn is_locked(&self) -> bool {
        self.manually_approves_followers.unwrap_or(false)
    }

    /// The rules an actor document must follow: an actor type, an inbox on its own host,
    /// and a key it owns.
    pub fn check(&self) -> Result<(), ProtocolError> {
        if !self.kind.is_any(ACTOR_TYPES) {
            return Err(ProtocolError::NotAnActor(self.kind.to_string()));
        }
        if !crate::domain::same_host(self.inbox.url(), self.id.url()) {
            return Err(ProtocolError::ForeignInbox);
        }
        if self.public_key().is_none() {
            return Err(ProtocolError::NoOwnKey);
        }
        Ok(())
    }
}
