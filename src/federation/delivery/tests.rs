use super::*;

#[test]
fn statuses_are_classified_like_mastodon() {
    assert_eq!(
        classify(StatusCode::ACCEPTED, None, ""),
        Outcome::Delivered(202)
    );
    assert!(matches!(
        classify(StatusCode::GONE, None, ""),
        Outcome::Refused(Some(410), _)
    ));
    assert!(matches!(
        classify(StatusCode::UNAUTHORIZED, None, ""),
        Outcome::Refused(Some(401), _)
    ));
    for retry in [
        StatusCode::REQUEST_TIMEOUT,
        StatusCode::TOO_MANY_REQUESTS,
        StatusCode::SERVICE_UNAVAILABLE,
        StatusCode::MOVED_PERMANENTLY,
    ] {
        assert!(
            matches!(classify(retry, None, ""), Outcome::Retry(..)),
            "{retry}"
        );
    }
}

#[test]
fn retry_after_and_backoff() {
    let now = Utc::now();
    assert_eq!(
        retry_after(Some(&HeaderValue::from_static("120")), now),
        Some(Duration::from_secs(120))
    );
    let date = (now + chrono::Duration::seconds(60)).to_rfc2822();
    let pause =
        retry_after(Some(&HeaderValue::from_str(&date).expect("header")), now).expect("date");
    assert!((59..=60).contains(&pause.as_secs()), "{pause:?}");
    assert_eq!(
        retry_after(Some(&HeaderValue::from_static("soon")), now),
        None
    );
    let base = Duration::from_secs(30);
    assert!((22..=38).contains(&backoff(1, base).as_secs()));
    assert!((90..=150).contains(&backoff(3, base).as_secs()));
    assert!(backoff(30, base).as_secs() <= 6 * 3600 * 5 / 4);
}

#[test]
fn inboxes_are_https_and_public_unless_private_networks_are_allowed() {
    let url = |s: &str| Url::parse(s).expect("url");
    // The rule itself is `domain::destination`'s (tested there); deliveries want https.
    assert!(check_destination(&url("http://mastodon.example/inbox"), false).is_err());
    assert!(check_destination(&url("https://169.254.169.254/inbox"), false).is_err());
    assert!(check_destination(&url("https://mastodon.example/inbox"), false).is_ok());
    assert!(check_destination(&url("http://localhost:8000/inbox"), true).is_ok());
    assert_eq!(authority("http://localhost:8000/inbox"), "localhost:8000");
}
