//! The admin API, as the critic's tools use it.

use anyhow::{bail, Context, Result};
use serde_json::{json, Value};
use sqlx::PgPool;
use uuid::Uuid;

/// A published review, as the API returns it.
#[derive(Debug, Clone)]
pub struct Review {
    pub id: Uuid,
    pub ap_id: String,
    pub slug: String,
}

pub struct Api {
    base: String,
    token: String,
    client: reqwest::Client,
}

impl Api {
    pub fn new(base: &str, token: &str) -> Self {
        Self {
            base: base.to_string(),
            token: token.to_string(),
            client: reqwest::Client::new(),
        }
    }

    /// Publishes a review with a poster, credits, a rating and tags (a full Article).
    #[tracing::instrument(skip_all)]
    pub async fn publish(&self, title: &str) -> Result<Review> {
        let body = json!({
            "title": title,
            "body": "A first paragraph that becomes the teaser.\n\nA second paragraph with *emphasis*, \
                     long enough to be a real review's opening. ".repeat(4),
            "film": {
                "title": "Never Let Me Go", "year": 2010,
                "directors": ["Mark Romanek"], "writers": ["Alex Garland"],
                "cast": ["Carey Mulligan", "Andrew Garfield", "Keira Knightley"],
                "runtime_minutes": 103,
                "poster_url": "https://images.example/never-let-me-go.jpg",
                "poster_alt": "Three young people on a beach",
                "imdb_id": "tt1334260"
            },
            "rating": {"value": 4, "best": 5},
            "categories": ["Science Fiction"],
            "tags": ["clones", "Kazuo Ishiguro"],
            "status": "published"
        });
        let response = self
            .client
            .post(format!("{}/api/v1/reviews", self.base))
            .bearer_auth(&self.token)
            .json(&body)
            .send()
            .await?;
        let status = response.status();
        let value: Value = response.json().await.context("the API's answer")?;
        if !status.is_success() {
            bail!("publishing failed: {status} {value}");
        }
        review(&value)
    }
}

fn review(value: &Value) -> Result<Review> {
    Ok(Review {
        id: value["id"]
            .as_str()
            .and_then(|s| Uuid::parse_str(s).ok())
            .context("review id")?,
        ap_id: value["ap_id"].as_str().context("ap_id")?.to_string(),
        slug: value["slug"].as_str().context("slug")?.to_string(),
    })
}

/// The published review with the longest public comment thread (the demo's second sample;
/// the inbox benchmark's replies wait for moderation and do not count).
pub async fn busiest_review(pool: &PgPool, base: &str) -> Result<Review> {
    let (id, slug): (Uuid, String) = sqlx::query_as(
        "SELECT r.id, r.slug FROM reviews r WHERE r.status = 'published' AND r.slug IS NOT NULL \
         ORDER BY (SELECT count(*) FROM comments c WHERE c.review_id = r.id AND c.status = 'published') DESC LIMIT 1",
    )
    .fetch_one(pool)
    .await
    .context("finding the demo review")?;
    Ok(Review {
        id,
        ap_id: format!("{base}/reviews/{id}"),
        slug,
    })
}
