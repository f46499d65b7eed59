//! Quotes of reviews (FEP-044f): who may quote a review, and the state of a quote.

use super::text_enum;

text_enum! {
    /// Who may quote a review: anyone, the blog's followers, or nobody.
    pub enum QuotePolicy {
        Anyone = "anyone",
        Followers = "followers",
        Nobody = "nobody",
    }
}

impl QuotePolicy {
    /// Whether a quoting author may quote, given whether they follow the blog.
    pub fn allows(self, follower: bool) -> bool {
        match self {
            Self::Anyone => true,
            Self::Followers => follower,
            Self::Nobody => false,
        }
    }
}

text_enum! {
    /// A quote of a review: authorized (its stamp served), refused, or authorized and then
    /// revoked (its stamp gone).
    pub enum QuoteState {
        Accepted = "accepted",
        Rejected = "rejected",
        Revoked = "revoked",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_decides_by_following() {
        assert!(QuotePolicy::Anyone.allows(false));
        assert!(QuotePolicy::Followers.allows(true));
        assert!(!QuotePolicy::Followers.allows(false));
        assert!(!QuotePolicy::Nobody.allows(true));
        assert_eq!(
            QuotePolicy::parse("all").map_err(|e| e.0),
            Err("must be one of anyone, followers, nobody".into())
        );
        let words: Vec<&str> = QuoteState::ALL.iter().map(|s| s.as_str()).collect();
        assert_eq!(
            words,
            ["accepted", "rejected", "revoked"],
            "the database's CHECK"
        );
    }
}
