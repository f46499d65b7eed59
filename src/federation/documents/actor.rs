//! Our two actors: the blog (a `Person`, followable) and the instance actor (an
//! `Application` that signs our fetches).

use serde::Serialize;

use super::Image;
use super::{context, timestamp};
use crate::config::Settings;
use crate::content::escape_html;
use crate::db::federation::KeyRow;
use crate::urls::Urls;

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Actor {
    #[serde(rename = "@context")]
    pub context: serde_json::Value,
    pub id: String,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub preferred_username: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    pub url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub icon: Option<Image>,
    pub inbox: String,
    pub outbox: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub followers: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub following: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub featured: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub endpoints: Option<Endpoints>,
    pub public_key: PublicKey,
    pub manually_approves_followers: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub discoverable: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub indexable: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub attribution_domains: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub webfinger: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub attachment: Vec<PropertyValue>,
    /// The blog's other accounts: one moving here must be named.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub also_known_as: Vec<String>,
    /// The account the blog moved to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub moved_to: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Endpoints {
    pub shared_inbox: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PublicKey {
    pub id: String,
    pub owner: String,
    pub public_key_pem: String,
}

impl PublicKey {
    fn of(actor: &str, keys: &KeyRow) -> Self {
        Self {
            id: format!("{actor}#main-key"),
            owner: actor.to_string(),
            public_key_pem: keys.public_key_pem.clone(),
        }
    }
}

/// A profile field.
#[derive(Debug, Clone, Serialize)]
pub struct PropertyValue {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub name: String,
    pub value: String,
}

/// The blog: a `Person` (Mastodon badges `Service` as a bot), naming the account it moved to
/// when it has.
pub fn blog_actor(
    settings: &Settings,
    urls: &Urls,
    keys: &KeyRow,
    moved_to: Option<&str>,
) -> Actor {
    let site = &settings.site;
    let actor = urls.actor();
    let icon = Image {
        kind: "Image",
        url: site
            .avatar_url
            .as_ref()
            .map_or_else(|| urls.avatar(), ToString::to_string),
        media_type: site.avatar_url.is_none().then_some("image/png"),
        name: None,
        width: None,
        height: None,
    };
    Actor {
        context: context(),
        id: actor.clone(),
        kind: "Person",
        preferred_username: urls.handle().as_str().to_string(),
        name: site.title.clone(),
        summary: Some(format!("<p>{}</p>", escape_html(&site.description))),
        url: urls.home(),
        icon: Some(icon),
        inbox: urls.actor_inbox(),
        outbox: urls.outbox(),
        followers: Some(urls.followers()),
        following: Some(urls.following()),
        featured: Some(urls.featured()),
        endpoints: Some(Endpoints {
            shared_inbox: urls.shared_inbox(),
        }),
        public_key: PublicKey::of(&actor, keys),
        manually_approves_followers: settings.federation.manually_approves_followers,
        discoverable: Some(true),
        indexable: Some(true),
        published: Some(timestamp(keys.created_at)),
        attribution_domains: vec![urls.host()],
        webfinger: Some(urls.acct()),
        attachment: vec![PropertyValue {
            kind: "PropertyValue",
            name: "Blog".into(),
            value: format!(
                "<a href=\"{0}\" rel=\"me nofollow noopener\" target=\"_blank\">{0}</a>",
                escape_html(&urls.home())
            ),
        }],
        also_known_as: settings
            .federation
            .also_known_as
            .iter()
            .map(ToString::to_string)
            .collect(),
        moved_to: moved_to.map(str::to_string),
    }
}

/// The instance actor, which signs our fetches; it is not followable.
pub fn instance_actor(urls: &Urls, keys: &KeyRow) -> Actor {
    let actor = urls.instance_actor();
    Actor {
        context: context(),
        id: actor.clone(),
        kind: "Application",
        preferred_username: urls.host(),
        name: "reviewpub".into(),
        summary: None,
        url: urls.home(),
        icon: None,
        inbox: urls.instance_inbox(),
        outbox: format!("{actor}/outbox"),
        followers: None,
        following: None,
        featured: None,
        endpoints: None,
        public_key: PublicKey::of(&actor, keys),
        manually_approves_followers: true,
        discoverable: None,
        indexable: None,
        published: None,
        attribution_domains: Vec::new(),
        webfinger: None,
        attachment: Vec::new(),
        also_known_as: Vec::new(),
        moved_to: None,
    }
}
