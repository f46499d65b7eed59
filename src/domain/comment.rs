//! The states and kinds of comments, reactions and blocks.

use super::{text_enum, Invalid};

text_enum! {
    /// Where a comment comes from.
    pub enum CommentOrigin {
        /// A reply from the fediverse.
        Remote = "remote",
        /// The critic's own answer.
        Local = "local",
        /// Imported from an older blog.
        Imported = "imported",
    }
}

text_enum! {
    /// Who may see a comment.
    pub enum Visibility {
        Public = "public",
        /// Followers-only or direct: stored, never shown.
        Private = "private",
    }
}

text_enum! {
    /// A comment's moderation state.
    pub enum CommentStatus {
        /// Held for the critic's approval.
        Pending = "pending",
        Published = "published",
        Rejected = "rejected",
    }
}

text_enum! {
    /// How replies from the fediverse become public (`comments.moderation`).
    pub enum Moderation {
        /// Published at once.
        Open = "open",
        /// Held until the critic approved one comment of the author's.
        FirstTime = "first_time",
        /// Every comment held.
        Closed = "closed",
    }
}

text_enum! {
    /// How hard a server is blocked: refused outright, or its comments held for approval.
    pub enum BlockSeverity {
        Suspend = "suspend",
        Silence = "silence",
    }
}

text_enum! {
    /// Whether a review takes replies.
    pub enum ReplyPolicy {
        /// As the blog's `comments.close_after_days` says.
        Default = "default",
        Open = "open",
        Closed = "closed",
    }
}

text_enum! {
    /// The answer to a `ReplyRequest` (GoToSocial's interaction controls): authorized (its
    /// `ReplyAuthorization` served), or refused because the review no longer takes replies.
    pub enum ReplyAuthorizationState {
        Accepted = "accepted",
        Rejected = "rejected",
    }
}

text_enum! {
    /// A like or a boost of a review.
    pub enum ReactionKind {
        Like = "like",
        Announce = "announce",
    }
}

text_enum! {
    /// What a block names: one actor, or a whole server.
    pub enum BlockKind {
        Actor = "actor",
        Domain = "domain",
    }
}

/// The admin API's comment list filter: the public comments in one moderation state, or
/// every private one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommentFilter {
    Status(CommentStatus),
    Private,
}

impl CommentFilter {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        match raw {
            "private" => Ok(Self::Private),
            _ => CommentStatus::parse(raw).map(Self::Status).map_err(|_| {
                Invalid("must be one of pending, published, rejected, private".into())
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_word_parses_back_to_its_value_and_serializes_as_itself() {
        fn round_trip<T>(
            all: &[T],
            as_str: fn(T) -> &'static str,
            parse: fn(&str) -> Result<T, Invalid>,
        ) where
            T: Copy + PartialEq + std::fmt::Debug + serde::Serialize + std::fmt::Display,
        {
            for &value in all {
                let word = as_str(value);
                assert_eq!(parse(word), Ok(value));
                assert_eq!(value.to_string(), word);
                assert_eq!(serde_json::to_value(value).expect("json"), word);
            }
        }
        round_trip(
            CommentOrigin::ALL,
            CommentOrigin::as_str,
            CommentOrigin::parse,
        );
        round_trip(Visibility::ALL, Visibility::as_str, Visibility::parse);
        round_trip(
            CommentStatus::ALL,
            CommentStatus::as_str,
            CommentStatus::parse,
        );
        round_trip(ReactionKind::ALL, ReactionKind::as_str, ReactionKind::parse);
        round_trip(BlockKind::ALL, BlockKind::as_str, BlockKind::parse);
        let words: Vec<&str> = CommentOrigin::ALL.iter().map(|o| o.as_str()).collect();
        assert_eq!(
            words,
            ["remote", "local", "imported"],
            "the database's CHECK"
        );
        let words: Vec<&str> = CommentStatus::ALL.iter().map(|o| o.as_str()).collect();
        assert_eq!(
            words,
            ["pending", "published", "rejected"],
            "the database's CHECK"
        );
    }

    #[test]
    fn other_words_are_refused_naming_the_allowed_ones() {
        assert_eq!(
            CommentStatus::parse("Published"),
            Err(Invalid(
                "must be one of pending, published, rejected".into()
            ))
        );
        assert_eq!(
            "boost".parse::<ReactionKind>(),
            Err(Invalid("must be one of like, announce".into()))
        );
        assert!(serde_json::from_str::<Visibility>("\"direct\"").is_err());
        assert_eq!(
            serde_json::from_str::<Visibility>("\"private\"").ok(),
            Some(Visibility::Private)
        );
    }

    #[test]
    fn the_comment_filter_takes_a_status_or_private() {
        assert_eq!(
            CommentFilter::parse("pending"),
            Ok(CommentFilter::Status(CommentStatus::Pending))
        );
        assert_eq!(CommentFilter::parse("private"), Ok(CommentFilter::Private));
        assert_eq!(
            CommentFilter::parse("public"),
            Err(Invalid(
                "must be one of pending, published, rejected, private".into()
            ))
        );
    }
}
