//! Objects we receive: posts (`Note`, `Article`, `Question`, `Page`, …) and what they carry
//! (tags, attachments, images, collections, GoToSocial's interaction policy).

use serde::Deserialize;
use url::Url;

use super::values::{
    addressed_publicly, lenient, Address, Date, HasId, HttpUrl, IdOrObject, Kinds, LanguageMap,
    LinkRef, ObjectStub, OneOrMany,
};
use super::ProtocolError;
use crate::content;

/// The types of objects that are posts people write (what a reply can be).
pub const POST_TYPES: &[&str] = &["Note", "Article", "Question", "Page"];

/// A post as received from any server. Only `id` is required; `attributedTo`, `inReplyTo`
/// and the addressing must be well formed when present (they decide what the post is and who
/// sees it); everything else that does not parse is taken as absent.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Note {
    pub id: HttpUrl,
    #[serde(rename = "type", default, deserialize_with = "lenient")]
    pub kind: Kinds,
    #[serde(default)]
    pub attributed_to: OneOrMany<IdOrObject<ObjectStub>>,
    #[serde(default)]
    pub in_reply_to: Option<IdOrObject<ObjectStub>>,
    #[serde(default)]
    pub to: OneOrMany<Address>,
    #[serde(default)]
    pub cc: OneOrMany<Address>,
    /// The title of an `Article` or `Page`, the question of a `Question`.
    #[serde(default, deserialize_with = "lenient")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub content: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub content_map: LanguageMap,
    /// The content warning (Mastodon), or an abstract (Friendica, Articles).
    #[serde(default, deserialize_with = "lenient")]
    pub summary: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub sensitive: Option<bool>,
    #[serde(default, deserialize_with = "lenient")]
    pub published: Date,
    #[serde(default, deserialize_with = "lenient")]
    pub updated: Date,
    #[serde(default, deserialize_with = "lenient")]
    pub url: OneOrMany<LinkRef>,
    #[serde(default, deserialize_with = "lenient")]
    pub replies: Option<IdOrObject<Collection>>,
    #[serde(default, deserialize_with = "lenient")]
    pub tag: OneOrMany<Tag>,
    #[serde(default, deserialize_with = "lenient")]
    pub attachment: OneOrMany<Attachment>,
    /// The source the author wrote (Markdown, MFM, BBCode, plain text).
    #[serde(default, deserialize_with = "lenient")]
    pub source: Option<Source>,
    /// Misskey's MFM source (the same as `source` with `text/x.misskeymarkdown`).
    #[serde(rename = "_misskey_content", default, deserialize_with = "lenient")]
    pub misskey_content: Option<String>,
    /// The quoted post, by FEP-044f (Mastodon 4.5; a `Tombstone` without id when the quote
    /// is gone), …
    #[serde(default, deserialize_with = "lenient")]
    pub quote: Option<IdOrObject<ObjectStub>>,
    /// … by Misskey, …
    #[serde(rename = "_misskey_quote", default, deserialize_with = "lenient")]
    pub misskey_quote: Option<HttpUrl>,
    /// … by Fedibird, Akkoma, Mastodon, …
    #[serde(default, deserialize_with = "lenient")]
    pub quote_uri: Option<HttpUrl>,
    /// … and by Misskey and Friendica again.
    #[serde(default, deserialize_with = "lenient")]
    pub quote_url: Option<HttpUrl>,
    /// The thread (Akkoma, Friendica, Mastodon), not necessarily a URL.
    #[serde(default, deserialize_with = "lenient")]
    pub context: Option<String>,
    /// The thread, as OStatus named it (Mastodon, Pleroma, Friendica): often a `tag:` URI.
    #[serde(default, deserialize_with = "lenient")]
    pub conversation: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub interaction_policy: Option<InteractionPolicy>,
    /// Friendica's (and Hubzilla's) Diaspora id of the post.
    #[serde(rename = "diaspora:guid", default, deserialize_with = "lenient")]
    pub diaspora_guid: Option<String>,
}

impl HasId for Note {
    fn ap_id(&self) -> Option<&HttpUrl> {
        Some(&self.id)
    }
}

impl Note {
    /// Whether it is a post people write (a `Note`, `Article`, `Question` or `Page`).
    pub fn is_post(&self) -> bool {
        self.kind.is_any(POST_TYPES)
    }

    /// Its author: the first id in `attributedTo`.
    pub fn author(&self) -> Option<&HttpUrl> {
        self.attributed_to.first_id()
    }

    /// What it answers (`inReplyTo`).
    pub fn parent(&self) -> Option<&HttpUrl> {
        self.in_reply_to.as_ref().and_then(IdOrObject::id)
    }

    /// Addressed to the public collection, in `to` or `cc`, in any of its spellings.
    pub fn is_public(&self) -> bool {
        addressed_publicly([&self.to, &self.cc])
    }

    /// The HTML content: `content`, else the first entry of `contentMap`; empty when neither.
    /// Not sanitized: the caller sanitizes before storing or showing it.
    pub fn html(&self) -> &str {
        self.content
            .as_deref()
            .or_else(|| self.content_map.first().map(|(_, text)| text))
            .unwrap_or_default()
    }

    /// The content warning, cleaned and capped; `None` when blank.
    pub fn summary(&self) -> Option<String> {
        self.summary
            .as_deref()
            .map(|s| content::clean_text(s, content::limits::SUMMARY))
            .filter(|s| !s.trim().is_empty())
    }

    pub fn is_sensitive(&self) -> bool {
        self.sensitive.unwrap_or(false)
    }

    /// Where people read it: `url` (a string, a Link or a list of them, preferring
    /// `text/html`; http(s) only), else the id.
    pub fn link(&self) -> String {
        self.url.html_link().unwrap_or_else(|| self.id.to_string())
    }

    /// The post it quotes, by whichever property its server uses.
    pub fn quote(&self) -> Option<&HttpUrl> {
        self.quote
            .as_ref()
            .and_then(IdOrObject::id)
            .or(self.quote_uri.as_ref())
            .or(self.misskey_quote.as_ref())
            .or(self.quote_url.as_ref())
    }

    /// The actors it mentions (`Mention` tags with an http(s) `href`).
    pub fn mentions(&self) -> impl Iterator<Item = HttpUrl> + '_ {
        self.tag
            .iter()
            .filter(|t| t.kind.is("Mention"))
            .filter_map(|t| t.href.as_deref())
            .filter_map(|h| HttpUrl::parse(h).ok())
    }

    /// The hashtags, without their `#`.
    pub fn hashtags(&self) -> impl Iterator<Item = &str> {
        self.tag
            .iter()
            .filter(|t| t.kind.is("Hashtag"))
            .filter_map(|t| t.name.as_deref())
            .map(|n| n.trim_start_matches('#'))
    }

    /// The custom emoji it uses: shortcode (with colons) and image URL.
    pub fn emojis(&self) -> impl Iterator<Item = (&str, String)> {
        self.tag.iter().filter_map(Tag::emoji)
    }

    /// The rule for a post carried by an activity (`Create`, `Update`): written by the
    /// activity's actor, and stored on the actor's server.
    pub fn check_authored_by(&self, actor: &Url) -> Result<(), ProtocolError> {
        if self.author().is_none_or(|a| a != actor) {
            return Err(ProtocolError::NotTheAuthor);
        }
        if !self.id.same_server(actor) {
            return Err(ProtocolError::ForeignObject);
        }
        Ok(())
    }
}

/// A `Mention`, `Hashtag` or `Emoji` (or anything else) in a `tag` list.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Tag {
    #[serde(rename = "type", default, deserialize_with = "lenient")]
    pub kind: Kinds,
    #[serde(default, deserialize_with = "lenient")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub href: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub id: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub icon: Option<Image>,
}

impl Tag {
    /// An `Emoji` tag's shortcode (always with its colons; Akkoma leaves them out) and image.
    pub fn emoji(&self) -> Option<(&str, String)> {
        if !self.kind.is("Emoji") {
            return None;
        }
        let name = self.name.as_deref()?;
        let url = self.icon.as_ref()?.url()?;
        Some((name, url))
    }

    /// Whether this is the custom emoji written `:shortcode:` (with or without colons).
    pub fn is_emoji_named(&self, shortcode: &str) -> bool {
        let bare = |s: &str| s.trim_matches(':').to_string();
        self.kind.is("Emoji") && self.name.as_deref().map(bare) == Some(bare(shortcode))
    }
}

/// An image: `icon`, `image`, an emoji's picture. Given as an `Image` object or a bare URL.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Image {
    pub url: OneOrMany<LinkRef>,
    pub media_type: Option<String>,
    pub name: Option<String>,
}

impl Image {
    /// Its URL (http(s) only).
    pub fn url(&self) -> Option<String> {
        self.url.html_link()
    }
}

impl<'de> Deserialize<'de> for Image {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct ImageObject {
            #[serde(default, deserialize_with = "lenient")]
            url: OneOrMany<LinkRef>,
            #[serde(default, deserialize_with = "lenient")]
            href: Option<String>,
            #[serde(default, deserialize_with = "lenient")]
            media_type: Option<String>,
            #[serde(default, deserialize_with = "lenient")]
            name: Option<String>,
        }
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Shape {
            Url(String),
            Object(ImageObject),
        }
        Ok(match Shape::deserialize(deserializer)? {
            Shape::Url(href) => Image {
                url: OneOrMany::one(LinkRef {
                    href,
                    media_type: None,
                }),
                ..Image::default()
            },
            Shape::Object(o) => Image {
                url: match (o.url.is_empty(), o.href) {
                    (true, Some(href)) => OneOrMany::one(LinkRef {
                        href,
                        media_type: None,
                    }),
                    _ => o.url,
                },
                media_type: o.media_type,
                name: o.name,
            },
        })
    }
}

/// Pictures of an actor (`icon`, `image`) may be one image or a list: the first with a URL.
pub fn first_image_url(images: &OneOrMany<Image>) -> Option<String> {
    images.iter().find_map(Image::url)
}

/// A media attachment (`Document`, `Image`, `Video`, a link preview) or a profile field
/// (`PropertyValue`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Attachment {
    #[serde(rename = "type", default, deserialize_with = "lenient")]
    pub kind: Kinds,
    #[serde(default, deserialize_with = "lenient")]
    pub media_type: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub url: OneOrMany<LinkRef>,
    #[serde(default, deserialize_with = "lenient")]
    pub href: Option<String>,
    /// The description (alt text), or a profile field's name.
    #[serde(default, deserialize_with = "lenient")]
    pub name: Option<String>,
    /// A profile field's value (HTML).
    #[serde(default, deserialize_with = "lenient")]
    pub value: Option<String>,
}

/// The source of a post: what its author typed, and in which format.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Source {
    #[serde(default, deserialize_with = "lenient")]
    pub content: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub media_type: Option<String>,
}

/// A collection (`replies`, `likes`, an outbox), maybe with its first page embedded.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Collection {
    #[serde(default, deserialize_with = "lenient")]
    pub id: Option<HttpUrl>,
    #[serde(rename = "type", default, deserialize_with = "lenient")]
    pub kind: Kinds,
    #[serde(default, deserialize_with = "lenient")]
    pub total_items: Option<u64>,
    #[serde(default, deserialize_with = "lenient")]
    pub first: Option<IdOrObject<CollectionPage>>,
    #[serde(default, deserialize_with = "lenient")]
    pub items: OneOrMany<IdOrObject<ObjectStub>>,
    #[serde(default, deserialize_with = "lenient")]
    pub ordered_items: OneOrMany<IdOrObject<ObjectStub>>,
}

impl HasId for Collection {
    fn ap_id(&self) -> Option<&HttpUrl> {
        self.id.as_ref()
    }
}

/// A page of a collection.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CollectionPage {
    #[serde(default, deserialize_with = "lenient")]
    pub id: Option<HttpUrl>,
    #[serde(rename = "type", default, deserialize_with = "lenient")]
    pub kind: Kinds,
    #[serde(default, deserialize_with = "lenient")]
    pub part_of: Option<HttpUrl>,
    #[serde(default, deserialize_with = "lenient")]
    pub next: Option<HttpUrl>,
    #[serde(default, deserialize_with = "lenient")]
    pub items: OneOrMany<IdOrObject<ObjectStub>>,
    #[serde(default, deserialize_with = "lenient")]
    pub ordered_items: OneOrMany<IdOrObject<ObjectStub>>,
}

impl HasId for CollectionPage {
    fn ap_id(&self) -> Option<&HttpUrl> {
        self.id.as_ref()
    }
}

impl CollectionPage {
    /// The ids of its items (`orderedItems` and `items`).
    pub fn item_ids(&self) -> impl Iterator<Item = &HttpUrl> {
        self.ordered_items.ids().chain(self.items.ids())
    }
}

impl Collection {
    /// The ids of the items given in the collection itself (not its pages).
    pub fn item_ids(&self) -> impl Iterator<Item = &HttpUrl> {
        self.ordered_items.ids().chain(self.items.ids())
    }
}

/// GoToSocial's `interactionPolicy` (also sent by Mastodon for quotes and by Friendica).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InteractionPolicy {
    #[serde(default, deserialize_with = "lenient")]
    pub can_like: Option<InteractionRule>,
    #[serde(default, deserialize_with = "lenient")]
    pub can_reply: Option<InteractionRule>,
    #[serde(default, deserialize_with = "lenient")]
    pub can_announce: Option<InteractionRule>,
    #[serde(default, deserialize_with = "lenient")]
    pub can_quote: Option<InteractionRule>,
}

/// Who may do something without approval and who must ask. GoToSocial wrote `always` and
/// `approvalRequired` before 0.20, `automaticApproval` and `manualApproval` since (and sends
/// both); both spellings are read.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InteractionRule {
    #[serde(default, deserialize_with = "lenient")]
    pub always: OneOrMany<Address>,
    #[serde(default, deserialize_with = "lenient")]
    pub approval_required: OneOrMany<Address>,
    #[serde(default, deserialize_with = "lenient")]
    pub automatic_approval: OneOrMany<Address>,
    #[serde(default, deserialize_with = "lenient")]
    pub manual_approval: OneOrMany<Address>,
}

impl InteractionRule {
    /// Who is allowed without asking.
    pub fn automatic(&self) -> impl Iterator<Item = &Address> {
        self.automatic_approval.iter().chain(self.always.iter())
    }

    /// Who may ask.
    pub fn manual(&self) -> impl Iterator<Item = &Address> {
        self.manual_approval
            .iter()
            .chain(self.approval_required.iter())
    }

    /// Whether anyone (the public) is allowed without asking.
    pub fn is_open(&self) -> bool {
        self.automatic().any(Address::is_public)
    }
}
