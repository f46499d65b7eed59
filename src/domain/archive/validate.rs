//! The rules an archive's records must keep beyond their types: values the blog would refuse
//! from the API, and references between records (a comment's review, a follower's actor).

use std::collections::{HashMap, HashSet};

use uuid::Uuid;

use super::{Archive, ReviewRecord, FORMAT, VERSION};
use crate::domain::{Handle, Language, Rating, ReviewStatus, Slug, Term};

/// A record that breaks a rule: which field (`comments[3].parent_id`) and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct ArchiveInvalid {
    pub field: String,
    pub message: String,
}

fn refuse(field: impl Into<String>, message: impl Into<String>) -> ArchiveInvalid {
    ArchiveInvalid {
        field: field.into(),
        message: message.into(),
    }
}

fn check(ok: bool, field: impl FnOnce() -> String, message: &str) -> Result<(), ArchiveInvalid> {
    if ok {
        Ok(())
    } else {
        Err(refuse(field(), message))
    }
}

fn web_url(raw: &str) -> bool {
    url::Url::parse(raw)
        .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
}

impl Archive {
    /// Checks every rule; the first broken one is returned.
    pub fn validate(&self) -> Result<(), ArchiveInvalid> {
        check(
            self.format == FORMAT,
            || "format".into(),
            "must be \"reviewpub-archive\"",
        )?;
        check(self.version == VERSION, || "version".into(), "must be 1")?;
        check(
            web_url(&self.instance.public_url),
            || "instance.public_url".into(),
            "must be an http(s) URL",
        )?;
        Handle::parse(&self.instance.handle).map_err(|e| refuse("instance.handle", e.0))?;
        for (i, actor) in self.instance.actors.iter().enumerate() {
            check(
                matches!(actor.actor.as_str(), "blog" | "instance"),
                || format!("instance.actors[{i}].actor"),
                "must be \"blog\" or \"instance\"",
            )?;
        }
        for (i, key) in self.keys.iter().flatten().enumerate() {
            let field = |name: &str| format!("keys[{i}].{name}");
            check(
                matches!(key.actor.as_str(), "blog" | "instance"),
                || field("actor"),
                "must be \"blog\" or \"instance\"",
            )?;
            check(
                key.public_key_pem.starts_with("-----BEGIN PUBLIC KEY-----"),
                || field("public_key_pem"),
                "must be a PEM public key",
            )?;
            check(
                key.private_key_pem
                    .starts_with("-----BEGIN PRIVATE KEY-----"),
                || field("private_key_pem"),
                "must be a PEM (PKCS#8) private key",
            )?;
        }
        let reviews = self.check_reviews()?;
        for (i, former) in self.former_slugs.iter().enumerate() {
            Slug::parse(&former.slug)
                .map_err(|e| refuse(format!("former_slugs[{i}].slug"), e.0))?;
        }
        name_reviews(
            &reviews,
            "former_slugs",
            self.former_slugs.iter().map(|r| &r.review_id),
        )?;
        name_reviews(&reviews, "pinned", self.pinned.iter().map(|r| &r.review_id))?;
        name_reviews(
            &reviews,
            "reactions",
            self.reactions.iter().map(|r| &r.review_id),
        )?;
        name_reviews(&reviews, "quotes", self.quotes.iter().map(|r| &r.review_id))?;
        name_reviews(
            &reviews,
            "reply_authorizations",
            self.reply_authorizations.iter().map(|r| &r.review_id),
        )?;
        name_reviews(
            &reviews,
            "thread_crawls",
            self.thread_crawls.iter().map(|r| &r.review_id),
        )?;
        name_reviews(
            &reviews,
            "wordpress_posts",
            self.wordpress_posts.iter().map(|r| &r.review_id),
        )?;
        name_reviews(
            &reviews,
            "legacy_paths",
            self.legacy_paths.iter().map(|r| &r.review_id),
        )?;
        for (i, moved) in self.moves.iter().enumerate() {
            for (name, value) in [("target", &moved.target), ("target_url", &moved.target_url)] {
                check(
                    web_url(value),
                    || format!("moves[{i}].{name}"),
                    "must be an http(s) URL",
                )?;
            }
        }
        check(
            self.moves
                .iter()
                .filter(|m| m.cancelled_at.is_none())
                .count()
                <= 1,
            || "moves".to_string(),
            "has more than one move in force",
        )?;
        let mut actors = HashSet::new();
        for (i, actor) in self.remote_actors.iter().enumerate() {
            check(
                web_url(&actor.id),
                || format!("remote_actors[{i}].id"),
                "must be an http(s) URL",
            )?;
            check(
                web_url(&actor.inbox),
                || format!("remote_actors[{i}].inbox"),
                "must be an http(s) URL",
            )?;
            for (name, value) in [("url", &actor.url), ("icon_url", &actor.icon_url)] {
                check(
                    value.as_deref().is_none_or(web_url),
                    || format!("remote_actors[{i}].{name}"),
                    "must be an http(s) URL",
                )?;
            }
            check(
                actors.insert(actor.id.as_str()),
                || format!("remote_actors[{i}].id"),
                "appears twice",
            )?;
        }
        for (i, follower) in self.followers.iter().enumerate() {
            check(
                actors.contains(follower.actor_id.as_str()),
                || format!("followers[{i}].actor_id"),
                "names no remote actor in the archive",
            )?;
            check(
                web_url(&follower.inbox),
                || format!("followers[{i}].inbox"),
                "must be an http(s) URL",
            )?;
        }
        self.check_comments(&reviews, &actors)?;
        let mut activities = HashSet::new();
        for (i, a) in self.activities.iter().enumerate() {
            check(
                a.review_id.as_ref().is_none_or(|id| reviews.contains(id)),
                || format!("activities[{i}].review_id"),
                "names no review in the archive",
            )?;
            activities.insert(a.id);
        }
        for (i, d) in self.pending_deliveries.iter().enumerate() {
            check(
                activities.contains(&d.activity_id),
                || format!("pending_deliveries[{i}].activity_id"),
                "names no activity in the archive",
            )?;
            check(
                web_url(&d.inbox),
                || format!("pending_deliveries[{i}].inbox"),
                "must be an http(s) URL",
            )?;
        }
        Ok(())
    }

    fn check_reviews(&self) -> Result<HashSet<Uuid>, ArchiveInvalid> {
        let mut ids = HashSet::new();
        let mut slugs = HashSet::new();
        for (i, review) in self.reviews.iter().enumerate() {
            check_review(review, &|name| format!("reviews[{i}].{name}"))?;
            check(
                ids.insert(review.id),
                || format!("reviews[{i}].id"),
                "appears twice",
            )?;
            if let Some(slug) = &review.slug {
                check(
                    slugs.insert(slug.as_str()),
                    || format!("reviews[{i}].slug"),
                    "is another review's too",
                )?;
            }
        }
        Ok(ids)
    }

    fn check_comments(
        &self,
        reviews: &HashSet<Uuid>,
        actors: &HashSet<&str>,
    ) -> Result<(), ArchiveInvalid> {
        // Each comment's review and depth, for its answers (which come after it).
        let mut seen: HashMap<Uuid, (Uuid, i32)> = HashMap::new();
        for (i, c) in self.comments.iter().enumerate() {
            let field = |name: &str| format!("comments[{i}].{name}");
            check(
                reviews.contains(&c.review_id),
                || field("review_id"),
                "names no review in the archive",
            )?;
            check(
                c.author_actor.as_deref().is_none_or(|a| actors.contains(a)),
                || field("author_actor"),
                "names no remote actor in the archive",
            )?;
            let depth = match c.parent_id {
                None => 0,
                Some(parent) => {
                    let (review, depth) = seen.get(&parent).copied().ok_or_else(|| {
                        refuse(
                            field("parent_id"),
                            "names no comment before it in the archive",
                        )
                    })?;
                    check(
                        review == c.review_id,
                        || field("parent_id"),
                        "answers a comment on another review",
                    )?;
                    depth.saturating_add(1)
                }
            };
            check(
                c.depth == depth,
                || field("depth"),
                "must be its parent's depth + 1 (0 without a parent)",
            )?;
            check(
                seen.insert(c.id, (c.review_id, depth)).is_none(),
                || field("id"),
                "appears twice",
            )?;
        }
        Ok(())
    }
}

/// Every record of `list` names a review of the archive (`list[i].review_id`).
fn name_reviews<'a>(
    reviews: &HashSet<Uuid>,
    list: &str,
    ids: impl Iterator<Item = &'a Uuid>,
) -> Result<(), ArchiveInvalid> {
    for (i, id) in ids.enumerate() {
        check(
            reviews.contains(id),
            || format!("{list}[{i}].review_id"),
            "names no review in the archive",
        )?;
    }
    Ok(())
}

fn check_review(r: &ReviewRecord, field: &dyn Fn(&str) -> String) -> Result<(), ArchiveInvalid> {
    match (&r.slug, r.deleted_at) {
        (Some(slug), _) => {
            Slug::parse(slug).map_err(|e| refuse(field("slug"), e.0))?;
        }
        (None, Some(_)) => {}
        (None, None) => {
            return Err(refuse(
                field("slug"),
                "a review that is not deleted needs one",
            ))
        }
    }
    Language::parse(&r.language).map_err(|e| refuse(field("language"), e.0))?;
    match (r.rating_value, r.rating_best) {
        (None, None) => {}
        (Some(value), Some(best)) => {
            let best = u32::try_from(best)
                .map_err(|_| refuse(field("rating_best"), "must be positive"))?;
            Rating::new(value, best).map_err(|e| refuse(field("rating_value"), e.0))?;
        }
        _ => {
            return Err(refuse(
                field("rating_best"),
                "rating_value and rating_best go together",
            ))
        }
    }
    for (name, terms) in [("categories", &r.categories), ("tags", &r.tags)] {
        for (j, term) in terms.iter().enumerate() {
            check(
                Term::parse(&term.name).as_ref() == Ok(term),
                || field(&format!("{name}[{j}]")),
                "must be a name and the key made from it",
            )?;
        }
    }
    check(
        r.status != ReviewStatus::Scheduled || r.publish_at.is_some(),
        || field("publish_at"),
        "a scheduled review needs one",
    )?;
    check(
        r.status != ReviewStatus::Published || r.published_at.is_some(),
        || field("published_at"),
        "a published review needs one",
    )?;
    check(
        r.ap_revision >= 0,
        || field("ap_revision"),
        "must not be negative",
    )
}
