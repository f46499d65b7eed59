//! What is refused, and that a refused import stores nothing: broken files, other versions,
//! invalid records, records the database refuses, an instance that is not empty.

use std::io::Read;

use reviewpub::archive::{self, ArchiveError};
use serde_json::Value;

use super::{export, import, publish, successor, unzipped};
use crate::helpers::{fresh_database, shared_tmp, TestApp};

/// An archive's entries: (path, contents).
fn entries(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let tar = unzipped(bytes);
    let mut archive = tar::Archive::new(&tar[..]);
    archive
        .entries()
        .expect("entries")
        .map(|entry| {
            let mut entry = entry.expect("entry");
            let path = entry.path().expect("path").to_string_lossy().into_owned();
            let mut data = Vec::new();
            entry.read_to_end(&mut data).expect("data");
            (path, data)
        })
        .collect()
}

/// An archive of `entries`.
fn packed(entries: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut tar = tar::Builder::new(flate2::write::GzEncoder::new(
        Vec::new(),
        flate2::Compression::fast(),
    ));
    for (path, data) in entries {
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(0o600);
        // The name as it is, `..` included (the builder refuses those; an attacker would not).
        let name = &mut header.as_gnu_mut().expect("GNU header").name;
        name[..path.len()].copy_from_slice(path.as_bytes());
        header.set_cksum();
        tar.append(&header, &data[..]).expect("append");
    }
    tar.into_inner().expect("tar").finish().expect("gzip")
}

/// The archive with its index edited.
fn with_index(bytes: &[u8], edit: impl FnOnce(&mut Value)) -> Vec<u8> {
    let mut all = entries(bytes);
    let (_, index) = all
        .iter_mut()
        .find(|(p, _)| p == "archive.json")
        .expect("index");
    let mut json: Value = serde_json::from_slice(index).expect("JSON");
    edit(&mut json);
    *index = serde_json::to_vec(&json).expect("JSON");
    packed(&all)
}

/// A remote actor record with its profile page at `url` and its avatar at `icon_url`.
fn remote_actor(url: &str, icon_url: Option<&str>) -> Value {
    serde_json::json!({"id": "https://peer.example/users/alice", "inbox": "https://peer.example/inbox",
        "shared_inbox": null, "public_key_pem": "-----BEGIN PUBLIC KEY-----", "preferred_username": "alice",
        "name": "Alice", "url": url, "icon_url": icon_url, "kind": "Person", "fetched_at": "2026-01-01T00:00:00Z"})
}

async fn stored(app: &TestApp) -> (i64, i64, i64) {
    sqlx::query_as(
        "SELECT (SELECT count(*) FROM reviews), (SELECT count(*) FROM blocks), \
         (SELECT count(*) FROM comments)",
    )
    .fetch_one(&app.pool)
    .await
    .expect("counts")
}

#[tokio::test]
async fn broken_archives_and_occupied_instances_are_refused_and_nothing_is_stored() {
    let a = TestApp::spawn().await;
    publish(&a, "Heat").await;
    let bytes = export(&a, false).await;
    let b = successor(&a).await;

    let mut corrupted = bytes.clone();
    let middle = corrupted.len() / 2;
    for byte in &mut corrupted[middle..middle + 16] {
        *byte = !*byte;
    }
    let mut extra = entries(&bytes);
    extra.push(("../../etc/passwd".into(), b"x".to_vec()));
    let mut bad_markdown = entries(&bytes);
    bad_markdown.push((
        "reviews/other.md".into(),
        b"---\nunknown: 1\n---\nx".to_vec(),
    ));
    let no_index: Vec<_> = entries(&bytes)
        .into_iter()
        .filter(|(p, _)| p != "archive.json")
        .collect();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "truncated",
            bytes[..bytes.len() / 2].to_vec(),
            "not a readable .tar.gz",
        ),
        ("corrupted", corrupted, "not a readable .tar.gz"),
        (
            "garbage",
            b"not an archive at all".to_vec(),
            "not a readable .tar.gz",
        ),
        (
            "a newer version",
            with_index(&bytes, |j| j["version"] = 2.into()),
            "version 2 is not one",
        ),
        (
            "another format",
            with_index(&bytes, |j| j["format"] = "wordpress".into()),
            "\"wordpress\" is not a reviewpub archive",
        ),
        (
            "a bad slug",
            with_index(&bytes, |j| j["reviews"][0]["slug"] = "Not a slug!".into()),
            "reviews[0].slug:",
        ),
        (
            "an unknown state",
            with_index(&bytes, |j| j["reviews"][0]["status"] = "maybe".into()),
            "reviews[0].status: unknown variant `maybe`",
        ),
        (
            "a missing field",
            with_index(&bytes, |j| {
                j["reviews"][0]
                    .as_object_mut()
                    .expect("review")
                    .remove("title");
            }),
            "reviews[0]: missing field `title`",
        ),
        (
            "an unknown field",
            with_index(&bytes, |j| j["colour"] = "red".into()),
            "unknown field `colour`",
        ),
        (
            "a stranger's entry",
            packed(&extra),
            "../../etc/passwd: not part of a reviewpub archive",
        ),
        (
            "unreadable Markdown",
            packed(&bad_markdown),
            "reviews/other.md: ",
        ),
        ("no index", packed(&no_index), "no archive.json"),
        (
            "a move to a script",
            with_index(&bytes, |j| {
                j["moves"] = serde_json::json!([{"id": uuid::Uuid::now_v7(),
                    "target": "https://new.example/users/critic", "target_handle": "@critic@new.example",
                    "target_url": "javascript:alert(1)", "activity_id": "https://blog.example/activities/1",
                    "moved_at": "2026-01-01T00:00:00Z", "cancelled_at": null}]);
            }),
            "moves[0].target_url: must be an http(s) URL",
        ),
        (
            "an actor whose profile is a script",
            with_index(&bytes, |j| {
                j["remote_actors"] = serde_json::json!([remote_actor("javascript:alert(1)", None)])
            }),
            "remote_actors[0].url: must be an http(s) URL",
        ),
        (
            "an actor whose avatar is data",
            with_index(&bytes, |j| {
                j["remote_actors"] = serde_json::json!([remote_actor(
                    "https://peer.example/@alice",
                    Some("data:image/svg+xml,<svg onload=alert(1)>")
                )])
            }),
            "remote_actors[0].icon_url: must be an http(s) URL",
        ),
    ];
    for (what, broken, message) in cases {
        let error = import(&b, &broken).await.expect_err(what).to_string();
        assert!(error.contains(message), "{what}: {error}");
    }
    let too_large = archive::unpack(&bytes[..], 1_000).expect_err("over the bound");
    assert!(
        matches!(too_large, ArchiveError::TooLarge { limit: 1_000 }),
        "{too_large}"
    );
    assert!(too_large.to_string().contains("--max-bytes"));
    assert_eq!(stored(&b).await, (0, 0, 0));

    // Valid records the database refuses (one block twice) undo everything written before.
    let clash = with_index(&bytes, |j| {
        let block = serde_json::json!({"id": uuid::Uuid::now_v7(), "kind": "domain", "value": "bad.example",
            "severity": "suspend", "reason": null, "created_at": "2026-01-01T00:00:00Z"});
        let mut twin = block.clone();
        twin["id"] = uuid::Uuid::now_v7().to_string().into();
        j["blocks"] = serde_json::json!([block, twin]);
    });
    let error = import(&b, &clash).await.expect_err("a clash");
    assert!(matches!(error, ArchiveError::Db(_)), "{error}");
    assert_eq!(stored(&b).await, (0, 0, 0), "all or nothing");

    // Not into an instance that has a review of its own.
    publish(&b, "Mine").await;
    let error = import(&b, &bytes).await.expect_err("not empty").to_string();
    assert!(error.contains("not empty (it has 1 reviews"), "{error}");
    assert_eq!(stored(&b).await, (1, 0, 0));

    // Elsewhere than the old public URL: imported, with a warning that ids still name it.
    let elsewhere = TestApp::spawn().await;
    let imported = import(&elsewhere, &bytes).await.expect("import");
    assert_eq!(imported.warnings.len(), 1, "{:?}", imported.warnings);
    assert!(
        imported.warnings[0].contains(&a.base),
        "{:?}",
        imported.warnings
    );
}

#[tokio::test]
async fn the_command_line_exports_to_a_private_file_and_imports_it_once() {
    let a = TestApp::spawn().await;
    publish(&a, "Heat").await;
    let dir = shared_tmp("reviewpub-archive-");
    let file = dir.path().join("blog.tar.gz");
    let path = file.to_str().expect("path");
    let (ok, _, err) = crate::cli::reviewpub(&a.database_url(), &["export", "--out", path]);
    assert!(ok, "{err}");
    assert!(
        err.contains("exported 1 reviews") && err.contains("no keys in this archive"),
        "{err}"
    );
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&file)
        .expect("written")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    let (ok, _, err) = crate::cli::reviewpub(&a.database_url(), &["export", "--out", path]);
    assert!(!ok && err.contains("not replaced"), "{err}");

    let target = fresh_database().await;
    let (ok, out, err) = crate::cli::reviewpub(&target, &["import", "archive", path]);
    assert!(ok, "{err}");
    assert!(out.contains("imported 1 reviews"), "{out}");
    assert!(err.contains("holds no keys"), "{err}");
    let (ok, _, err) = crate::cli::reviewpub(&target, &["import", "archive", path]);
    assert!(!ok && err.contains("not empty"), "{err}");
}
