use super::*;
use serde_json::json;

#[test]
fn merge_patch_follows_rfc_7396() {
    let mut doc = json!({"title": "a", "film": {"title": "f", "year": 2010}, "rating": {"value": 4, "best": 5}});
    merge_patch(
        &mut doc,
        &json!({"film": {"year": 2011}, "rating": null, "tags": ["x"]}),
    );
    assert_eq!(
        doc,
        json!({"title": "a", "film": {"title": "f", "year": 2011}, "tags": ["x"]})
    );
}
