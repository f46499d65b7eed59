//! The instance's settings as an archive carries them: the critic's choices, never a secret.

use crate::config::Settings;
use crate::domain::archive::{CommentSettings, FederationSettings, SettingsRecord, SiteSettings};

/// The non-secret settings in force (`admin_token`, `database_url`, addresses, directories
/// and limits stay out).
pub fn record(settings: &Settings) -> SettingsRecord {
    let site = &settings.site;
    let federation = &settings.federation;
    SettingsRecord {
        handle: settings.handle.to_string(),
        site: SiteSettings {
            title: site.title.clone(),
            description: site.description.clone(),
            author: site.author.clone(),
            language: site.language.to_string(),
            about: site.about.clone(),
            page_size: site.page_size,
            avatar_url: site.avatar_url.as_ref().map(ToString::to_string),
            time_zone: Some(site.time_zone.to_string()),
        },
        comments: CommentSettings {
            moderation: settings.comments.moderation,
            max_parent_depth: settings.comments.max_parent_depth,
            close_after_days: settings
                .comments
                .close_after
                .and_then(|d| u32::try_from(d.num_days()).ok())
                .unwrap_or(0),
        },
        federation: FederationSettings {
            manually_approves_followers: federation.manually_approves_followers,
            show_followers: federation.show_followers,
            authorized_fetch: federation.authorized_fetch,
            quote_policy: federation.quote_policy,
            also_known_as: federation
                .also_known_as
                .iter()
                .map(ToString::to_string)
                .collect(),
        },
    }
}
