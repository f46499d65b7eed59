//! `Like`, and the emoji reactions of Misskey (a `Like` with `_misskey_reaction`) and of
//! Pleroma and Akkoma (`EmojiReact`).

use serde::Deserialize;

use super::super::objects::Tag;
use super::super::values::{id_only, lenient, HttpUrl, IdOrObject, Kinds, ObjectStub, OneOrMany};

/// The most characters of a reaction we read (an emoji, or a `:shortcode:`).
pub const MAX_REACTION_CHARS: usize = 100;

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Like {
    pub id: HttpUrl,
    /// `Like` or `EmojiReact`.
    #[serde(rename = "type")]
    pub kind: Kinds,
    #[serde(deserialize_with = "id_only")]
    pub actor: HttpUrl,
    pub object: IdOrObject<ObjectStub>,
    /// The reaction, for `EmojiReact` and Misskey's `Like`.
    #[serde(default, deserialize_with = "lenient")]
    pub content: Option<String>,
    #[serde(rename = "_misskey_reaction", default, deserialize_with = "lenient")]
    pub misskey_reaction: Option<String>,
    /// The custom emoji of the reaction.
    #[serde(default, deserialize_with = "lenient")]
    pub tag: OneOrMany<Tag>,
}

impl Like {
    /// What is liked.
    pub fn liked(&self) -> &HttpUrl {
        match &self.object {
            IdOrObject::Id(id) => id,
            IdOrObject::Object(stub) => &stub.id,
        }
    }

    pub fn is_emoji_react(&self) -> bool {
        self.kind.is("EmojiReact")
    }

    /// The emoji (or `:shortcode:`) reacted with; `None` for a plain like.
    pub fn reaction(&self) -> Option<String> {
        self.misskey_reaction
            .as_deref()
            .or(self.content.as_deref())
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .map(|r| r.chars().take(MAX_REACTION_CHARS).collect())
    }

    /// The image of a custom-emoji reaction: the `Emoji` tag named like the reaction.
    pub fn custom_emoji_url(&self) -> Option<String> {
        let reaction = self.reaction()?;
        self.tag
            .iter()
            .find(|t| t.is_emoji_named(&reaction))
            .and_then(|t| t.icon.as_ref())
            .and_then(|i| i.url())
    }
}
