use axum::http::{HeaderMap, HeaderValue, Method};

use super::*;

fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in pairs {
        map.append(*name, HeaderValue::from_str(value).expect("header"));
    }
    map
}

#[test]
fn the_signature_base_is_built_as_rfc_9421_says() {
    // RFC 9421 appendix B.2.5's components, on a request of ours.
    let h = headers(&[
        (
            "signature-input",
            r#"sig1=("date" "@method" "@path" "@authority" "content-type" "content-length");created=1618884475;keyid="https://peer.example/users/a#main-key""#,
        ),
        ("signature", "sig1=:AAAA:"),
        ("date", "Tue, 20 Apr 2021 02:07:55 GMT"),
        ("content-type", "application/json"),
        ("content-length", "18"),
    ]);
    let signature = parse(&h).expect("parses");
    let target = Url::parse("https://example.com/foo?param=Value&Pet=dog").expect("url");
    let base = signature.base(&Method::POST, &target, &h).expect("base");
    assert_eq!(
        base,
        "\"date\": Tue, 20 Apr 2021 02:07:55 GMT\n\"@method\": POST\n\"@path\": /foo\n\"@authority\": example.com\n\"content-type\": application/json\n\"content-length\": 18\n\"@signature-params\": (\"date\" \"@method\" \"@path\" \"@authority\" \"content-type\" \"content-length\");created=1618884475;keyid=\"https://peer.example/users/a#main-key\""
    );
    assert_eq!(
        signature.signer().expect("signer").as_str(),
        "https://peer.example/users/a"
    );
}

#[test]
fn what_cannot_be_checked_is_refused() {
    let now = chrono::Utc::now();
    let with =
        |input: String| headers(&[("signature-input", &input), ("signature", "sig1=:AAAA:")]);
    let t = now.timestamp();
    let ok = with(format!(
        r#"sig1=("@method" "@target-uri" "content-digest");created={t};keyid="https://p.example/a""#
    ));
    assert!(parse(&ok).expect("parses").check(now, true).is_ok());
    for bad in [
        format!(r#"sig1=("@target-uri" "content-digest");created={t};keyid="https://p.example/a""#),
        format!(r#"sig1=("@method" "content-digest");created={t};keyid="https://p.example/a""#),
        format!(r#"sig1=("@method" "@target-uri");created={t};keyid="https://p.example/a""#),
        format!(
            r#"sig1=("@method" "@target-uri" "content-digest");created={};keyid="https://p.example/a""#,
            t - 86_400
        ),
        r#"sig1=("@method" "@target-uri" "content-digest");keyid="https://p.example/a""#
            .to_string(),
        format!(
            r#"sig1=("@method" "@target-uri" "content-digest");created={t};keyid="https://p.example/a";alg="hmac-sha256""#
        ),
    ] {
        let parsed = parse(&with(bad.clone()));
        assert!(parsed.and_then(|s| s.check(now, true)).is_err(), "{bad}");
    }
    assert!(parse(&with(
        r#"sig1=("@method";sf "@target-uri");created=1;keyid="k""#.into()
    ))
    .is_err());
    assert!(
        parse(&headers(&[(
            "signature-input",
            r#"sig1=("@method");created=1;keyid="k""#
        )]))
        .is_err(),
        "no Signature"
    );
}

#[test]
fn the_content_digest_must_match_the_body() {
    let body = b"{\"hello\": \"world\"}";
    let good = format!("sha-256=:{}:", BASE64.encode(Sha256::digest(body)));
    assert!(check_content_digest(&headers(&[("content-digest", &good)]), body).is_ok());
    assert!(check_content_digest(&headers(&[("content-digest", &good)]), b"other").is_err());
    assert!(check_content_digest(&headers(&[("content-digest", "md5=:AAAA:")]), body).is_err());
    assert!(check_content_digest(&HeaderMap::new(), body).is_err());
}
