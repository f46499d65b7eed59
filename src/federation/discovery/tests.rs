use super::*;

fn resource(raw: &str) -> Result<Option<String>, u16> {
    parse_resource(Some(raw)).map_err(|e| e.status().as_u16())
}

#[test]
fn accounts_and_urls_are_resources_in_every_usual_spelling() {
    for raw in [
        "acct:Reviews@Blog.example",
        "reviews@blog.example",
        "@reviews@blog.example",
        "acct:@reviews@blog.example",
        "  acct:reviews@blog.example  ",
    ] {
        assert_eq!(
            resource(raw),
            Ok(Some("reviews@blog.example".into())),
            "{raw}"
        );
    }
    assert_eq!(
        resource("https://Blog.example/users/reviews"),
        Ok(Some("https://blog.example/users/reviews".into()))
    );
    assert_eq!(
        resource("reviews@blog.example:8443"),
        Ok(Some("reviews@blog.example:8443".into()))
    );
    // Another scheme is a well-formed URI that names nothing of ours.
    assert_eq!(resource("mailto:critic@blog.example"), Ok(None));
    assert_eq!(resource("did:plc:abc"), Ok(None));
}

#[test]
fn malformed_resources_are_bad_requests() {
    for raw in [
        "",
        "   ",
        "reviews",
        "acct:reviews",
        "acct:@blog.example",
        "acct:reviews@",
        "a@b@c",
        "acct:re views@blog.example",
        "https://",
        "http://[::1",
        "acct:reviews@blog.example/path",
        "reviews\u{0}@blog.example",
    ] {
        assert_eq!(resource(raw), Err(400), "{raw:?}");
    }
    assert_eq!(
        resource(&format!("acct:{}@x.example", "a".repeat(3000))),
        Err(400)
    );
    assert_eq!(
        parse_resource(None).map_err(|e| e.status().as_u16()),
        Err(400)
    );
}

#[test]
fn every_rel_is_read_and_only_the_first_resource() {
    let query = WebfingerQuery::parse(Some(
        "resource=acct%3Aa%40b.example&rel=self&resource=acct:c@d.example&rel=http%3A%2F%2Fwebfinger.net%2Frel%2Favatar",
    ));
    assert_eq!(query.resource.as_deref(), Some("acct:a@b.example"));
    assert_eq!(query.rels, ["self", "http://webfinger.net/rel/avatar"]);
    let many = format!("resource=x{}", "&rel=self".repeat(100));
    assert_eq!(
        WebfingerQuery::parse(Some(&many)).rels.len(),
        WebfingerQuery::MAX_RELS
    );
}
