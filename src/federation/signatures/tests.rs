use super::*;

fn now() -> chrono::DateTime<chrono::Utc> {
    chrono::Utc::now()
}

fn headers(signature: &str, date: Option<String>) -> HeaderMap {
    let mut map = HeaderMap::new();
    map.insert("signature", signature.parse().expect("header"));
    map.insert("digest", "SHA-256=x".parse().expect("header"));
    if let Some(date) = date {
        map.insert("date", date.parse().expect("header"));
    }
    map
}

const GOOD: &str = r#"keyId="https://a.example/u#main-key",algorithm="rsa-sha256",headers="(request-target) host date digest",signature="c2ln""#;

#[test]
fn a_well_formed_header_parses() {
    let parsed = SignatureHeader::parse(GOOD).expect("parses");
    assert_eq!(parsed.key_id, "https://a.example/u#main-key");
    assert_eq!(
        parsed.headers,
        ["(request-target)", "host", "date", "digest"]
    );
    assert_eq!(
        parsed.signer().expect("URL").as_str(),
        "https://a.example/u"
    );
    let date = Some(super::super::delivery::http_date(now()));
    assert!(check_request(&headers(GOOD, date), now(), true).is_ok());
}

#[test]
fn odd_headers_are_refused_without_panicking() {
    let date = || Some(super::super::delivery::http_date(now()));
    for bad in [
        "",
        "keyId",
        r#"keyId="a"#,
        r#"keyId="a",keyId="b",headers="(request-target) host date",signature="x""#,
        r#"keyId="a",headers="(request-target) host date",headers="host",signature="x""#,
        r#"keyId="https://a.example/u",headers="(request-target) host (created)",created=18446744073709551615,signature="x""#,
        r#"keyId="https://a.example/u",headers="(request-target) host (created)",created=-1,signature="x""#,
        r#"keyId="https://a.example/u",headers="(request-target) host date",expires=99999999999999999,signature="x""#,
        r#"keyId="https://a.example/u",headers="(request-target) host date",created=abc,signature="x""#,
        r#"keyId="https://a.example/u",headers="host date digest",signature="x""#,
        r#"keyId="https://a.example/u",headers="(request-target) date digest",signature="x""#,
        r#"keyId="https://a.example/u",headers="(request-target) host digest",signature="x""#,
        r#"keyId="https://a.example/u",headers="(request-target) host date",signature="x""#,
        r#"keyId="https://a.example/u",headers="(request-target) host date digest""#,
    ] {
        assert!(
            check_request(&headers(bad, date()), now(), true).is_err(),
            "{bad}"
        );
    }
    let old = Some(super::super::delivery::http_date(
        now() - chrono::Duration::hours(2),
    ));
    let ahead = Some(super::super::delivery::http_date(
        now() + chrono::Duration::days(300),
    ));
    for date in [old, ahead, None] {
        assert!(
            check_request(&headers(GOOD, date.clone()), now(), true).is_err(),
            "{date:?}"
        );
    }
}

#[tokio::test]
async fn signed_gets_verify_and_cover_host_and_date() {
    let pair = activitypub_federation::http_signatures::generate_actor_keypair().expect("keys");
    let actor = Url::parse("https://blog.example/actor").expect("URL");
    let signer = Signer::new(&actor, &pair.private_key, SigningBackend::Ring).expect("signer");
    super::super::install_crypto_provider();
    let client = reqwest::Client::new();
    let mut request = client
        .get("https://peer.example:8443/users/alice?page=1")
        .build()
        .expect("request");
    signer.sign_get(&mut request).await.expect("signed");
    let mut map = HeaderMap::new();
    for (name, value) in request.headers() {
        map.insert(name.clone(), value.clone());
    }
    let parsed = check_request(&map, now(), false).expect("acceptable to us");
    assert_eq!(parsed.key_id, "https://blog.example/actor#main-key");
    verify(
        &Method::GET,
        "/users/alice?page=1",
        &map,
        "peer.example:8443",
        &pair.public_key,
        false,
    )
    .expect("verifies");
    assert!(verify(
        &Method::GET,
        "/users/alice?page=1",
        &map,
        "evil.example",
        &pair.public_key,
        false
    )
    .is_err());
}

#[test]
fn every_backend_signs_the_same_bytes() {
    // RSASSA-PKCS1-v1_5 is deterministic: the three backends must agree to the byte.
    let pair = activitypub_federation::http_signatures::generate_actor_keypair().expect("keys");
    let actor = Url::parse("https://blog.example/actor").expect("URL");
    let text = "(request-target): post /inbox\nhost: peer.example";
    let signatures: Vec<String> = [
        SigningBackend::Ring,
        SigningBackend::AwsLc,
        SigningBackend::Rsa,
    ]
    .into_iter()
    .map(|backend| {
        Signer::new(&actor, &pair.private_key, backend)
            .expect("signer")
            .sign_string(text)
            .expect("signed")
    })
    .collect();
    assert_eq!(signatures[0], signatures[1], "aws-lc signs as ring does");
    assert_eq!(signatures[0], signatures[2], "and as the rsa crate does");
    assert_eq!(
        "aws-lc".parse::<SigningBackend>(),
        Ok(SigningBackend::AwsLc)
    );
}

#[test]
fn every_backend_verifies_what_the_key_signed_and_nothing_else() {
    use base64::Engine;
    let pair = activitypub_federation::http_signatures::generate_actor_keypair().expect("keys");
    let other = activitypub_federation::http_signatures::generate_actor_keypair().expect("keys");
    let actor = Url::parse("https://peer.example/actor").expect("URL");
    let text = "(request-target): post /inbox\nhost: blog.example";
    let signed = Signer::new(&actor, &pair.private_key, SigningBackend::Ring)
        .expect("signer")
        .sign_string(text)
        .expect("signed");
    let signature = base64::engine::general_purpose::STANDARD
        .decode(signed)
        .expect("base64");
    for backend in [
        SigningBackend::Ring,
        SigningBackend::AwsLc,
        SigningBackend::Rsa,
    ] {
        let key = PublicKey::from_pem(&pair.public_key, backend).expect("key");
        assert!(key.verifies(text.as_bytes(), &signature), "{backend:?}");
        assert!(
            !key.verifies(b"(request-target): post /other", &signature),
            "{backend:?}"
        );
        let wrong = PublicKey::from_pem(&other.public_key, backend).expect("key");
        assert!(!wrong.verifies(text.as_bytes(), &signature), "{backend:?}");
        assert!(PublicKey::from_pem("not a key", backend).is_err());
    }
}
