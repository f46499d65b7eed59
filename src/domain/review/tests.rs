use super::*;

fn defaults() -> (Language, String) {
    (Language::parse("en").expect("valid"), "Critic".to_string())
}

fn minimal() -> ReviewInput {
    ReviewInput {
        title: Some("Never Let Me Go (2010)".into()),
        body: Some("A film about clones.".into()),
        film: Some(FilmInput {
            title: Some("Never Let Me Go".into()),
            year: Some(2010),
            ..Default::default()
        }),
        ..Default::default()
    }
}

#[test]
fn minimal_review_is_a_draft_with_a_derived_slug() {
    let (lang, author) = defaults();
    let d = minimal()
        .parse(
            &Defaults {
                language: &lang,
                author: &author,
                time_zone: chrono_tz::Tz::UTC,
            },
            Utc::now(),
        )
        .expect("valid");
    assert_eq!(d.slug.as_str(), "never-let-me-go-2010");
    assert_eq!(d.status, RequestedStatus::Draft { at: None });
    assert_eq!(d.author, "Critic");
}

#[test]
fn every_invalid_field_is_named() {
    let (lang, author) = defaults();
    let input = ReviewInput {
        title: Some("  ".into()),
        film: Some(FilmInput {
            year: Some(1500),
            poster_url: Some("ftp://x".into()),
            imdb_id: Some("x".into()),
            ..Default::default()
        }),
        rating: Some(RatingInput {
            value: 4.2,
            best: 5,
        }),
        status: Some("scheduled".into()),
        slug: Some("Not A Slug".into()),
        language: Some("english".into()),
        categories: vec!["".into()],
        ..Default::default()
    };
    let err = input
        .parse(
            &Defaults {
                language: &lang,
                author: &author,
                time_zone: chrono_tz::Tz::UTC,
            },
            Utc::now(),
        )
        .expect_err("invalid");
    for field in [
        "title",
        "film.title",
        "film.year",
        "film.poster_url",
        "film.imdb_id",
        "rating",
        "publish_at",
        "slug",
        "language",
        "categories[0]",
    ] {
        assert!(err.0.contains_key(field), "{field} missing from {err:?}");
    }
}

#[test]
fn scheduling_needs_a_future_time() {
    let (lang, author) = defaults();
    let d = Defaults {
        language: &lang,
        author: &author,
        time_zone: chrono_tz::Tz::UTC,
    };
    let now = Utc::now();
    let mut input = minimal();
    input.status = Some("scheduled".into());
    input.publish_at = Some((now + chrono::Duration::hours(1)).into());
    assert!(matches!(
        input.parse(&d, now).expect("valid").status,
        RequestedStatus::Scheduled { .. }
    ));
    input.publish_at = Some((now - chrono::Duration::hours(1)).into());
    assert!(input.parse(&d, now).is_err());
    input.status = Some("published".into());
    assert!(matches!(
        input.parse(&d, now).expect("backdated").status,
        RequestedStatus::Published { at: Some(_) }
    ));
    input.publish_at = Some((now + chrono::Duration::days(1)).into());
    assert!(input.parse(&d, now).is_err());
}
