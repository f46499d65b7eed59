use super::*;
use crate::content::limits::URL_BYTES;
use serde_json::json;
use url::Url;

fn parse<T: DeserializeOwned>(value: Value) -> Result<T, serde_json::Error> {
    serde_json::from_value(value)
}

#[test]
fn http_urls_only() {
    assert!(HttpUrl::parse("https://a.example/x#y").is_ok());
    assert!(HttpUrl::parse("http://localhost:8080/users/a").is_ok());
    assert_eq!(HttpUrl::parse("javascript:alert(1)"), Err(BadUrl::NotHttp));
    assert_eq!(HttpUrl::parse("data:text/html,x"), Err(BadUrl::NotHttp));
    assert_eq!(HttpUrl::parse("/relative"), Err(BadUrl::NotAUrl));
    assert_eq!(
        HttpUrl::parse("https://u:p@a.example/"),
        Err(BadUrl::Credentials)
    );
    assert_eq!(
        HttpUrl::parse("https://u@a.example/"),
        Err(BadUrl::Credentials)
    );
    let long = format!("https://a.example/{}", "x".repeat(URL_BYTES));
    assert_eq!(HttpUrl::parse(&long), Err(BadUrl::TooLong));
    assert!(parse::<HttpUrl>(json!(42)).is_err());
    let url = HttpUrl::parse("https://A.Example/x").expect("valid");
    assert_eq!(url.as_str(), "https://a.example/x");
    assert_eq!(
        serde_json::to_value(&url).expect("serializes"),
        json!("https://a.example/x")
    );
}

#[test]
fn one_or_many_takes_one_a_list_or_nothing() {
    let one: OneOrMany<String> = parse(json!("a")).expect("one");
    assert_eq!(one.into_vec(), ["a"]);
    let many: OneOrMany<String> = parse(json!(["a", "b"])).expect("many");
    assert_eq!(many.len(), 2);
    let none: OneOrMany<String> = parse(Value::Null).expect("null");
    assert!(none.is_empty());
    let numbers: OneOrMany<u32> = parse(json!(7)).expect("number");
    assert_eq!(numbers.first(), Some(&7));
    let objects: OneOrMany<ObjectStub> =
        parse(json!({"id": "https://a.example/1", "type": "Note"})).expect("object");
    assert!(objects.first().is_some_and(|o| o.kind.is("Note")));
    let full: Vec<Value> = (0..MAX_LIST_ITEMS).map(|i| json!(i)).collect();
    assert!(parse::<OneOrMany<usize>>(Value::Array(full.clone())).is_ok());
    let mut over = full;
    over.push(json!(0));
    let err = parse::<OneOrMany<usize>>(Value::Array(over)).expect_err("too many");
    assert!(err.to_string().contains("more than 500 items"));
    // A wrong item is an error, not a skipped item.
    assert!(parse::<OneOrMany<HttpUrl>>(json!(["https://a.example/", "ftp://x/"])).is_err());
}

#[test]
fn id_or_object() {
    let by_id: IdOrObject<ObjectStub> = parse(json!("https://a.example/1")).expect("id");
    assert_eq!(by_id.id().map(HttpUrl::as_str), Some("https://a.example/1"));
    assert!(by_id.object().is_none());
    let embedded: IdOrObject<ObjectStub> =
        parse(json!({"id": "https://a.example/2", "type": "Tombstone", "formerType": "Note"}))
            .expect("object");
    assert_eq!(
        embedded.id().map(HttpUrl::as_str),
        Some("https://a.example/2")
    );
    assert_eq!(
        embedded.object().and_then(|o| o.former_type.as_deref()),
        Some("Note")
    );
    let wrapped: IdOrObject<ObjectStub> = parse(json!(["https://a.example/3"])).expect("[id]");
    assert_eq!(
        wrapped.id().map(HttpUrl::as_str),
        Some("https://a.example/3")
    );
    assert!(
        parse::<IdOrObject<ObjectStub>>(json!(["https://a.example/3", "https://a.example/4"]))
            .is_err()
    );
    assert!(parse::<IdOrObject<ObjectStub>>(json!({"type": "Note"})).is_err());
    assert!(parse::<IdOrObject<ObjectStub>>(json!("not a url")).is_err());
    assert!(parse::<IdOrObject<ObjectStub>>(json!(true)).is_err());
    let list: OneOrMany<IdOrObject<ObjectStub>> =
        parse(json!(["https://a.example/1", {"id": "https://a.example/2"}])).expect("list");
    assert_eq!(list.ids().count(), 2);
    assert!(list.contains_id(&Url::parse("https://a.example/2").expect("url")));
}

#[test]
fn addresses_and_the_public() {
    for public in [PUBLIC, "as:Public", "Public"] {
        let to: OneOrMany<Address> = parse(json!(public)).expect("address");
        assert!(addressed_publicly([&to]), "{public}");
    }
    let to: OneOrMany<Address> =
        parse(json!([{"id": "https://a.example/followers"}, "https://b.example/u"])).expect("list");
    assert!(!addressed_publicly([&to]));
    assert_eq!(
        to.first().map(Address::as_str),
        Some("https://a.example/followers")
    );
    assert!(parse::<Address>(json!(3)).is_err());
    assert!(parse::<Address>(json!({"type": "Person"})).is_err());
}

#[test]
fn kinds_links_language_maps() {
    let kinds: Kinds = parse(json!(["ex:Thing", "Create"])).expect("kinds");
    assert!(kinds.is("Create"));
    assert_eq!(kinds.pick(&["Create", "Update"]), Some("Create"));
    assert_eq!(kinds.to_string(), "ex:Thing,Create");
    assert_eq!(Kinds::default().pick(&["Create"]), None);

    let links: OneOrMany<LinkRef> = parse(json!([
        {"type": "Link", "mediaType": "application/x-mpegURL", "href": "https://a.example/v.m3u8"},
        {"type": "Link", "mediaType": "text/html", "href": "https://a.example/w/1"}
    ]))
    .expect("links");
    assert_eq!(links.html_link().as_deref(), Some("https://a.example/w/1"));
    let bad: OneOrMany<LinkRef> = parse(json!("javascript:alert(1)")).expect("parses");
    assert_eq!(bad.html_link(), None);

    let map: LanguageMap =
        parse(json!({"en": "<p>Hi</p>", "x": 1, "fr": "<p>Salut</p>"})).expect("map");
    assert_eq!(map.first(), Some(("en", "<p>Hi</p>")));
    assert_eq!(map.get("fr"), Some("<p>Salut</p>"));
    assert_eq!(map.languages().collect::<Vec<_>>(), ["en", "fr"]);
}

#[test]
fn lenient_fields_default_and_strict_ones_refuse() {
    #[derive(Deserialize)]
    struct Doc {
        #[serde(default, deserialize_with = "lenient")]
        summary: Option<String>,
        #[serde(default, deserialize_with = "lenient")]
        published: Date,
        #[serde(deserialize_with = "id_only")]
        actor: HttpUrl,
    }
    let doc: Doc = parse(
        json!({"summary": 5, "published": "yesterday", "actor": {"id": "https://a.example/u"}}),
    )
    .expect("lenient");
    assert_eq!(doc.summary, None);
    assert_eq!(doc.published, None);
    assert_eq!(doc.actor.as_str(), "https://a.example/u");
    let doc: Doc =
        parse(json!({"published": "2025-03-14T20:11:42.317Z", "actor": "https://a.example/u"}))
            .expect("dates");
    assert!(doc.published.is_some());
    assert!(parse::<Doc>(json!({"actor": "mailto:a@a.example"})).is_err());
}

#[test]
fn ids_of_untyped_values() {
    assert_eq!(
        ids_of(&json!("https://a.example/1")).collect::<Vec<_>>(),
        ["https://a.example/1"]
    );
    assert_eq!(
        ids_of(&json!([{"id": "https://a.example/1"}, "https://a.example/2", 3, {"no": "id"}]))
            .collect::<Vec<_>>(),
        ["https://a.example/1", "https://a.example/2"]
    );
    // One level only: a list in a list is not searched.
    assert_eq!(ids_of(&json!([["https://a.example/1"]])).count(), 0);
    assert_eq!(ids_of(&Value::Null).count(), 0);
}
