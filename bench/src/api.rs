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
    /// The public page (empty where unknown).
    pub url: String,
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
        self.create(title, "published", true).await
    }

    /// A draft review with `poster` (JPEG bytes) uploaded as its poster, and the poster's
    /// address (its largest size, the page's and the fediverse's).
    #[tracing::instrument(skip_all)]
    pub async fn draft_with_poster(
        &self,
        title: &str,
        poster: Vec<u8>,
    ) -> Result<(Review, String)> {
        let review = self.create(title, "draft", false).await?;
        let mut upload = url::Url::parse(&format!(
            "{}/api/v1/reviews/{}/images",
            self.base, review.id
        ))?;
        upload
            .query_pairs_mut()
            .append_pair("kind", "poster")
            .append_pair("alt", "Three young people on a beach");
        let response = self
            .client
            .post(upload)
            .bearer_auth(&self.token)
            .header("content-type", "image/jpeg")
            .body(poster)
            .send()
            .await?;
        let status = response.status();
        let value: Value = response.json().await.context("the API's answer")?;
        if !status.is_success() {
            bail!("uploading the poster failed: {status} {value}");
        }
        let url = value
            .get("sizes")
            .and_then(Value::as_array)
            .and_then(|sizes| sizes.last())
            .and_then(|size| size.get("url")?.as_str())
            .context("the poster's sizes")?
            .to_string();
        Ok((review, url))
    }

    /// Publishes a draft.
    #[tracing::instrument(skip_all)]
    pub async fn publish_draft(&self, review: &Review) -> Result<Review> {
        let response = self
            .client
            .patch(format!("{}/api/v1/reviews/{}", self.base, review.id))
            .bearer_auth(&self.token)
            .json(&json!({"status": "published"}))
            .send()
            .await?;
        let status = response.status();
        let value: Value = response.json().await.context("the API's answer")?;
        if !status.is_success() {
            bail!("publishing the draft failed: {status} {value}");
        }
        self::review(&value)
    }

    async fn create(&self, title: &str, status: &str, poster_link: bool) -> Result<Review> {
        let mut body = json!({
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
            "status": status
        });
        if !poster_link {
            if let Some(film) = body.get_mut("film").and_then(Value::as_object_mut) {
                film.remove("poster_url");
                film.remove("poster_alt");
            }
        }
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
            bail!("creating a review failed: {status} {value}");
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
        url: value["url"].as_str().unwrap_or_default().to_string(),
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
        url: format!("{base}/reviews/{slug}"),
        slug,
    })
}

/// A real JPEG poster of `width` × `height`: a gradient with noise (so it does not compress to
/// nothing), as a camera or a scanner would give.
pub fn poster_jpeg(width: u32, height: u32) -> Result<Vec<u8>> {
    use rand::{Rng, SeedableRng};
    let mut rng = rand::rngs::StdRng::seed_from_u64(14);
    let image = image::RgbImage::from_fn(width, height, |x, y| {
        let noise: u8 = rng.gen_range(0..24);
        image::Rgb([
            ((x * 200 / width.max(1)) as u8).saturating_add(noise),
            ((y * 180 / height.max(1)) as u8).saturating_add(noise),
            (90 + (x + y) % 40) as u8,
        ])
    });
    let mut bytes = std::io::Cursor::new(Vec::new());
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, 85).encode_image(&image)?;
    Ok(bytes.into_inner())
}
