//! What the critic is told about: the kinds of things that wait at the desk.

use super::text_enum;

text_enum! {
    /// A thing that arrived and waits for the critic: a comment held for approval, a report
    /// (`Flag`), a follow request (with `federation.manually_approves_followers`).
    pub enum NoticeKind {
        HeldComment = "held_comment",
        Report = "report",
        FollowRequest = "follow_request",
    }
}

impl NoticeKind {
    /// "1 held comment", "2 reports".
    pub fn counted(self, n: usize) -> String {
        let (one, many) = match self {
            Self::HeldComment => ("held comment", "held comments"),
            Self::Report => ("report", "reports"),
            Self::FollowRequest => ("follow request", "follow requests"),
        };
        format!("{n} {}", if n == 1 { one } else { many })
    }
}

#[cfg(test)]
mod tests {
    use super::NoticeKind;

    #[test]
    fn counts_are_in_words() {
        assert_eq!(NoticeKind::HeldComment.counted(1), "1 held comment");
        assert_eq!(NoticeKind::FollowRequest.counted(2), "2 follow requests");
        assert_eq!(NoticeKind::parse("report"), Ok(NoticeKind::Report));
    }
}
