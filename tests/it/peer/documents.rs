//! The documents alice writes: notes as Mastodon writes replies, activities, follows.

use serde_json::{json, Value};

use super::Peer;

impl Peer {
    /// A note by alice as Mastodon writes replies: mixed `tag`, `contentMap`, `conversation`.
    pub fn note(
        &self,
        name: &str,
        in_reply_to: &str,
        html: &str,
        public: bool,
        mention: &str,
    ) -> Value {
        let id = format!("{}/objects/{name}", self.base);
        let (to, cc) = if public {
            (
                json!(["https://www.w3.org/ns/activitystreams#Public"]),
                json!([format!("{}/followers", self.actor_id), mention]),
            )
        } else {
            (
                json!([format!("{}/followers", self.actor_id)]),
                json!([mention]),
            )
        };
        json!({
            "id": id,
            "type": "Note",
            "summary": null,
            "inReplyTo": in_reply_to,
            "published": "2026-11-20T10:00:00Z",
            "url": format!("{}/@alice/{name}", self.base),
            "attributedTo": self.actor_id,
            "to": to,
            "cc": cc,
            "sensitive": false,
            "atomUri": id,
            "inReplyToAtomUri": in_reply_to,
            "conversation": format!("tag:{},2026:objectId=1:objectType=Conversation", self.base.trim_start_matches("http://")),
            "context": format!("{}/contexts/1", self.base),
            "content": html,
            "contentMap": {"en": html},
            "attachment": [],
            "tag": [
                {"type": "Mention", "href": mention, "name": "@reviews@blog"},
                {"type": "Hashtag", "href": format!("{}/tags/film", self.base), "name": "#film"},
                {"id": format!("{}/emojis/1", self.base), "type": "Emoji", "name": ":blobcat:", "icon": {"type": "Image", "url": format!("{}/blobcat.png", self.base)}},
            ],
            "replies": {"id": format!("{id}/replies"), "type": "Collection", "first": {"type": "CollectionPage", "items": []}},
        })
    }

    /// Wraps an object in an activity by alice.
    pub fn activity(&self, kind: &str, name: &str, object: Value) -> Value {
        json!({
            "@context": ["https://www.w3.org/ns/activitystreams", {"ostatus": "http://ostatus.org#", "conversation": "ostatus:conversation"}],
            "id": self.id(name),
            "type": kind,
            "actor": self.actor_id,
            "published": "2026-11-20T10:00:00Z",
            "to": ["https://www.w3.org/ns/activitystreams#Public"],
            "object": object,
        })
    }

    pub fn follow(&self, target: &str, name: &str) -> Value {
        json!({
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": self.id(name),
            "type": "Follow",
            "actor": self.actor_id,
            "object": target,
        })
    }
}
