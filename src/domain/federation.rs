//! The states of followers, deliveries and remote hosts.

use super::text_enum;

text_enum! {
    /// A follower's state: a follow request awaiting the critic, or a follower.
    pub enum FollowerStatus {
        Pending = "pending",
        Accepted = "accepted",
    }
}

text_enum! {
    /// A delivery's state: waiting (for its first try or a retry), done, or given up.
    pub enum DeliveryStatus {
        Pending = "pending",
        Delivered = "delivered",
        Failed = "failed",
    }
}

text_enum! {
    /// How deliveries to a remote host go: normally, paused after several failed rounds in a
    /// row, or given up on after failing for days (until the host is heard from).
    pub enum HostState {
        Available = "available",
        BackingOff = "backing_off",
        Unavailable = "unavailable",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Invalid;

    #[test]
    fn every_word_parses_back_to_its_value_and_serializes_as_itself() {
        for &status in FollowerStatus::ALL {
            assert_eq!(FollowerStatus::parse(status.as_str()), Ok(status));
            assert_eq!(serde_json::to_value(status).expect("json"), status.as_str());
        }
        for &status in DeliveryStatus::ALL {
            assert_eq!(status.as_str().parse::<DeliveryStatus>(), Ok(status));
            assert_eq!(serde_json::to_value(status).expect("json"), status.as_str());
        }
        let words: Vec<&str> = DeliveryStatus::ALL.iter().map(|s| s.as_str()).collect();
        assert_eq!(
            words,
            ["pending", "delivered", "failed"],
            "the database's CHECK"
        );
    }

    #[test]
    fn other_words_are_refused_naming_the_allowed_ones() {
        assert_eq!(
            FollowerStatus::parse("rejected"),
            Err(Invalid("must be one of pending, accepted".into()))
        );
        assert_eq!(
            DeliveryStatus::try_from(""),
            Err(Invalid("must be one of pending, delivered, failed".into()))
        );
    }
}
