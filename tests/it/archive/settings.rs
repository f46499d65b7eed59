//! The settings in an archive: the critic's choices travel with it (never a secret), and an
//! import into an instance configured otherwise says what differs and where to set it.

use figment::Figment;
use reviewpub::archive;

use super::{export, import, publish, OTHER_KEYS};
use crate::helpers::TestApp;

fn chosen(f: Figment) -> Figment {
    f.merge(("site.title", "Outlaw Reviews"))
        .merge(("comments.close_after_days", 30))
        .merge((
            "federation.also_known_as",
            vec!["https://mastodon.example/users/critic"],
        ))
}

#[tokio::test]
async fn the_settings_travel_with_the_archive_and_an_import_says_what_differs() {
    let a = TestApp::spawn_with(chosen).await;
    publish(&a, "Heat").await;
    let bytes = export(&a, false).await;
    let settings = archive::unpack(&bytes[..], archive::DEFAULT_MAX_BYTES)
        .expect("unpack")
        .archive
        .settings
        .expect("settings in the archive");
    assert_eq!(settings.site.title, "Outlaw Reviews");
    // And for people, as a config/local.toml fragment beside the index.
    let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(&bytes[..]));
    let fragment = tar
        .entries()
        .expect("entries")
        .filter_map(Result::ok)
        .find(|e| e.path().is_ok_and(|p| p.as_os_str() == "settings.toml"))
        .map(|mut e| {
            let mut text = String::new();
            std::io::Read::read_to_string(&mut e, &mut text).expect("read");
            text
        })
        .expect("settings.toml in the archive");
    assert!(
        fragment.contains("title = \"Outlaw Reviews\""),
        "{fragment}"
    );
    assert_eq!(settings.handle, "reviews");
    assert_eq!(settings.comments.close_after_days, 30);
    assert_eq!(
        settings.federation.also_known_as,
        ["https://mastodon.example/users/critic"]
    );
    let tar = String::from_utf8_lossy(&super::unzipped(&bytes)).into_owned();
    assert!(!tar.contains(&a.database_url()), "no database URL");
    assert!(!tar.contains("admin_token"), "no token");

    // An instance with the same settings: nothing to say.
    let public_url = a.settings().public_url.as_str().to_string();
    let same = TestApp::spawn_keyed(OTHER_KEYS, |f| {
        chosen(f).merge(("public_url", public_url.clone()))
    })
    .await;
    let imported = import(&same, &bytes).await.expect("import");
    assert!(imported.warnings.is_empty(), "{:?}", imported.warnings);

    // One configured otherwise: a line per difference, naming the key and the variable.
    let other = TestApp::spawn_keyed(OTHER_KEYS, |f| {
        f.merge(("public_url", public_url.clone()))
            .merge(("site.title", "Another Blog"))
    })
    .await;
    let imported = import(&other, &bytes).await.expect("import");
    assert!(
        imported.warnings.contains(
            &"site.title is \"Outlaw Reviews\" in the archive, \"Another Blog\" here: set it in \
              config/local.toml or REVIEWPUB_SITE__TITLE"
                .to_string()
        ),
        "{:?}",
        imported.warnings
    );
    let keys: Vec<&str> = imported
        .warnings
        .iter()
        .filter_map(|w| w.split(' ').next())
        .collect();
    assert_eq!(
        keys,
        [
            "comments.close_after_days",
            "federation.also_known_as",
            "site.title"
        ]
    );
}
