//! Reviews at the desk: the list of all of them, and the editor (new or existing) with its
//! server-rendered preview, save as draft, schedule and publish.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use chrono::Utc;
use serde::Deserialize;

use super::editor::{Action, CreditRow, EditorForm, ROLES};
use super::{path, render, see_other, Critic, Frame, Posted, Refused};
use crate::db::reviews::{self, StoredReview};
use crate::domain::ReviewStatus;
use crate::error::AppError;
use crate::publishing;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "desk_reviews.html", config = "config/askama.toml")]
struct ReviewsPage {
    frame: Frame,
    reviews: Vec<ReviewLine>,
    notice: Option<String>,
    trashed: Vec<super::trash::TrashedLine>,
    undo_minutes: i64,
}

struct ReviewLine {
    title: String,
    status: &'static str,
    when: String,
    edit_url: String,
    public_url: Option<String>,
}

#[derive(Template)]
#[template(path = "desk_editor.html", config = "config/askama.toml")]
struct EditorPage {
    frame: Frame,
    form: EditorForm,
    credits: Vec<CreditRow>,
    roles: &'static [&'static str],
    known_categories: Vec<String>,
    known_tags: Vec<String>,
    action_url: String,
    status: Option<&'static str>,
    public_url: Option<String>,
    time_zone: String,
    /// The private link of a draft or a scheduled review.
    preview_link: Option<String>,
    errors: Vec<(String, String)>,
    notice: Option<String>,
    /// A stored review's images and where to upload more.
    images: Vec<super::images::ImageItem>,
    images_url: Option<String>,
    /// Where its Delete button posts (a stored review).
    delete_url: Option<String>,
    max_upload_mib: usize,
    /// The public page as it would look, for the preview frame.
    preview_html: Option<String>,
}

/// Shown the critic after a form, by the page it leads to.
#[derive(Debug, Deserialize)]
pub struct Done {
    done: Option<String>,
}

fn notice(done: Option<&str>) -> Option<String> {
    Some(
        match done? {
            "draft" => "Saved as a draft.",
            "schedule" => "Scheduled.",
            "publish" => "Published: followers get it now.",
            "deleted" => "Deleted: it is off the blog. It can be taken back below for a while.",
            "restored" => "Taken back from the trash.",
            "restored-published" => "Taken back and published again: followers get it as an edit.",
            "restored-scheduled" => "Taken back, and scheduled again.",
            "restored-late" => {
                "Taken back as a draft: its time passed while it was deleted, so schedule it again."
            }
            "image" => "Image added.",
            "image-removed" => "Image removed.",
            _ => return None,
        }
        .to_string(),
    )
}

fn when(stored: &StoredReview, tz: chrono_tz::Tz) -> String {
    let r = &stored.review;
    let at = match r.status {
        ReviewStatus::Scheduled => r.publish_at,
        ReviewStatus::Published => r.published_at,
        ReviewStatus::Draft => Some(r.updated_at),
    }
    .unwrap_or(r.updated_at);
    let label = match r.status {
        ReviewStatus::Scheduled => "goes live",
        ReviewStatus::Published => "published",
        ReviewStatus::Draft => "saved",
    };
    format!(
        "{label} {}",
        at.with_timezone(&tz).format("%-d %B %Y, %H:%M %Z")
    )
}

pub async fn list(
    State(state): State<AppState>,
    critic: Critic,
    Query(done): Query<Done>,
) -> Result<Response, Refused> {
    let tz = state.settings.site.time_zone;
    let (rows, _) = reviews::list_all(&state.pool, None, 100, 0)
        .await
        .map_err(AppError::from)?;
    let trashed = reviews::trash::list(&state.pool)
        .await
        .map_err(AppError::from)?;
    let reviews = rows
        .iter()
        .filter(|stored| trashed.iter().all(|t| t.id != stored.review.id))
        .map(|stored| ReviewLine {
            title: stored.review.title.clone(),
            status: stored.review.status.as_str(),
            when: when(stored, tz),
            edit_url: path(&format!("/reviews/{}", stored.review.id)),
            public_url: stored
                .review
                .is_public()
                .then(|| state.urls.review(&stored.review.slug)),
        })
        .collect();
    Ok(render(&ReviewsPage {
        frame: Frame::new(&state, &critic, "Reviews").await?,
        reviews,
        notice: notice(done.done.as_deref()),
        trashed: super::trash::lines(&state, trashed),
        undo_minutes: crate::publishing::trash::UNDO_MINUTES,
    })?)
}

/// What an editor page shows besides the form.
struct Context<'a> {
    stored: Option<&'a StoredReview>,
    errors: Vec<(String, String)>,
    notice: Option<String>,
    preview_html: Option<String>,
}

async fn editor(
    state: &AppState,
    critic: &Critic,
    form: EditorForm,
    context: Context<'_>,
) -> Result<Response, AppError> {
    let (categories, tags) = reviews::known_terms(&state.pool).await?;
    let stored = context.stored;
    let preview_link = match stored.filter(|s| !s.review.is_public()) {
        Some(s) => {
            let fresh = crate::secrets::random_hex(32);
            let token = crate::db::previews::token_for(&state.pool, s.review.id, &fresh).await?;
            Some(state.urls.join(&format!("/preview/{token}")))
        }
        None => None,
    };
    let title = match stored {
        Some(s) => format!("Edit “{}”", s.review.title),
        None => "New review".to_string(),
    };
    let images = match stored {
        Some(s) => super::images::of_review(state, s.review.id).await?,
        None => Vec::new(),
    };
    render(&EditorPage {
        frame: Frame::new(state, critic, &title).await?,
        images,
        images_url: stored.map(|s| path(&format!("/reviews/{}/images", s.review.id))),
        delete_url: stored.map(|s| path(&format!("/reviews/{}/delete", s.review.id))),
        max_upload_mib: state.settings.media.max_upload_bytes / 1024 / 1024,
        credits: form.credit_rows(),
        form,
        roles: ROLES,
        known_categories: categories,
        known_tags: tags,
        action_url: match stored {
            Some(s) => path(&format!("/reviews/{}", s.review.id)),
            None => path("/reviews/new"),
        },
        status: stored.map(|s| s.review.status.as_str()),
        public_url: stored
            .filter(|s| s.review.is_public())
            .map(|s| state.urls.review(&s.review.slug)),
        time_zone: state.settings.site.time_zone.to_string(),
        preview_link,
        errors: context.errors,
        notice: context.notice,
        preview_html: context.preview_html,
    })
}

pub async fn new_form(State(state): State<AppState>, critic: Critic) -> Result<Response, Refused> {
    let context = Context {
        stored: None,
        errors: Vec::new(),
        notice: None,
        preview_html: None,
    };
    Ok(editor(&state, &critic, EditorForm::default(), context).await?)
}

async fn stored(state: &AppState, id: &str) -> Result<StoredReview, AppError> {
    let id = super::id(id)?;
    reviews::get(&state.pool, id)
        .await?
        .ok_or(AppError::NotFound)
}

pub async fn edit_form(
    State(state): State<AppState>,
    critic: Critic,
    Path(id): Path<String>,
    Query(done): Query<Done>,
) -> Result<Response, Refused> {
    let stored = stored(&state, &id).await?;
    let form = EditorForm::of(&stored.review.to_input(), state.settings.site.time_zone);
    let context = Context {
        stored: Some(&stored),
        errors: Vec::new(),
        notice: notice(done.done.as_deref()),
        preview_html: None,
    };
    Ok(editor(&state, &critic, form, context).await?)
}

pub async fn create(
    State(state): State<AppState>,
    posted: Posted<EditorForm>,
) -> Result<Response, Refused> {
    Ok(save(&state, &posted.critic, posted.form, None).await?)
}

pub async fn update(
    State(state): State<AppState>,
    Path(id): Path<String>,
    posted: Posted<EditorForm>,
) -> Result<Response, Refused> {
    let before = stored(&state, &id).await?;
    Ok(save(&state, &posted.critic, posted.form, Some(&before)).await?)
}

/// The field names of validation, as the editor labels them.
fn label(field: &str) -> String {
    let known = [
        ("title", "Title"),
        ("body", "Review"),
        ("summary", "Teaser"),
        ("slug", "Address"),
        ("rating.value", "Rating"),
        ("spoiler_warning", "Spoiler warning"),
        ("publish_at", "Publish at"),
        ("status", "Publish at"),
        ("film.title", "Film title"),
        ("film.year", "Year"),
        ("film.poster_url", "Poster"),
        ("film.poster_alt", "Poster description"),
        ("film.imdb_id", "IMDb id"),
        ("film.wikidata_id", "Wikidata id"),
    ];
    known.iter().find(|(name, _)| *name == field).map_or_else(
        || field.replace(['.', '_'], " "),
        |(_, label)| (*label).to_string(),
    )
}

fn validation(error: AppError) -> Result<Vec<(String, String)>, AppError> {
    match error {
        AppError::Validation(errors) => Ok(errors
            .0
            .into_iter()
            .map(|(field, message)| (label(&field), message))
            .collect()),
        AppError::SlugUsedBy { slug, .. } | AppError::SlugRedirectsTo { slug, .. } => Ok(vec![(
            "Address".into(),
            format!("{slug} is another review's address: choose another"),
        )]),
        other => Err(other),
    }
}

async fn save(
    state: &AppState,
    critic: &Critic,
    form: EditorForm,
    before: Option<&StoredReview>,
) -> Result<Response, AppError> {
    let tz = state.settings.site.time_zone;
    let action = Action::of(&form.action);
    let mut errors = Vec::new();
    let input = form.input(before.map(|b| b.review.status.as_str()), tz, &mut errors);
    let now = Utc::now();
    let again = |errors, preview_html| Context {
        stored: before,
        errors,
        notice: None,
        preview_html,
    };
    if !errors.is_empty() {
        // Every problem at once: the rest of the input is checked too.
        let site = &state.settings.site;
        if let Err(e) = publishing::preview(site, &input, before.map(|b| &b.review), now) {
            errors.extend(validation(e)?);
        }
        return editor(state, critic, form, again(errors, None)).await;
    }
    if action == Action::Preview {
        let result =
            publishing::preview(&state.settings.site, &input, before.map(|b| &b.review), now);
        return match result {
            Ok(review) => {
                let html = crate::web::preview_html(state, &review).await?;
                editor(state, critic, form, again(Vec::new(), Some(html))).await
            }
            Err(e) => editor(state, critic, form, again(validation(e)?, None)).await,
        };
    }
    let outbound = &*state.outbound;
    let result = match before {
        None => publishing::create(&state.pool, &state.settings, outbound, &input, now).await,
        Some(b) => {
            let change = publishing::Change::Replace(&input);
            publishing::update(
                &state.pool,
                &state.settings,
                outbound,
                b.review.id,
                change,
                now,
            )
            .await
        }
    };
    match result {
        Ok(saved) => Ok(see_other(&format!(
            "{}?done={}",
            path(&format!("/reviews/{}", saved.review.id)),
            form.action
        ))),
        Err(e) => editor(state, critic, form, again(validation(e)?, None)).await,
    }
}
