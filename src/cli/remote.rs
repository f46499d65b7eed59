//! The admin API from the command line (`--server`, `--token`, or `REVIEWPUB_SERVER` and
//! `REVIEWPUB_TOKEN`): publishing from a laptop, with the server's answers said as they are.

use anyhow::{bail, Context};
use reqwest::{Method, StatusCode};
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;
use url::Url;

use crate::domain::ReviewInput;

/// How long one request to the server may take.
const TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

/// A review as the admin API answers it (what the command line says of it).
#[derive(Debug, serde::Deserialize)]
pub struct RemoteReview {
    pub id: uuid::Uuid,
    pub slug: String,
    pub title: String,
    pub status: String,
    pub url: String,
}

impl std::fmt::Display for RemoteReview {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({}) {}", self.id, self.status, self.url)
    }
}

#[derive(serde::Deserialize)]
struct Page {
    items: Vec<RemoteReview>,
}

fn review(answer: Value) -> anyhow::Result<RemoteReview> {
    serde_json::from_value(answer).context("the server's answer is not a review")
}

/// A blog's admin API.
pub struct Remote {
    base: Url,
    token: SecretString,
    client: reqwest::Client,
}

impl Remote {
    pub fn new(server: &str, token: Option<String>) -> anyhow::Result<Self> {
        let base = Url::parse(server.trim())
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
            .with_context(|| format!("--server {server:?} is not an http(s) address"))?;
        let token = token
            .filter(|t| !t.trim().is_empty())
            .context("--server needs an admin token: --token or REVIEWPUB_TOKEN (mint one at the desk, /admin/tokens)")?;
        crate::federation::install_crypto_provider();
        let client = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .user_agent(concat!("reviewpub-cli/", env!("CARGO_PKG_VERSION")))
            .build()
            .context("building the HTTP client")?;
        Ok(Self {
            base,
            token: SecretString::from(token.trim().to_string()),
            client,
        })
    }

    /// Sends a request to `/api/v1{path}`; the JSON answer of a success, the server's words
    /// otherwise.
    async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> anyhow::Result<Value> {
        let url = self
            .base
            .join(&format!("/api/v1{path}"))
            .context("building the address")?;
        let mut request = self
            .client
            .request(method, url.clone())
            .bearer_auth(self.token.expose_secret());
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request
            .send()
            .await
            .with_context(|| format!("reaching {}", self.base))?;
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        if status == StatusCode::UNAUTHORIZED {
            bail!(
                "{} refused the token (401): mint another at the desk, /admin/tokens",
                self.base
            );
        }
        if !status.is_success() {
            let error: Value = serde_json::from_str(&text).unwrap_or(Value::String(text));
            bail!("{}", super::explain(status, &error));
        }
        if text.is_empty() {
            return Ok(Value::Null);
        }
        serde_json::from_str(&text).context("the server's answer is not JSON")
    }

    /// Creates the review, or replaces the one `id` names with it; `(created, review)`.
    pub async fn publish(
        &self,
        input: &ReviewInput,
        id: Option<uuid::Uuid>,
    ) -> anyhow::Result<(bool, RemoteReview)> {
        let mut body = serde_json::to_value(input).context("encoding the review")?;
        match id {
            None => Ok((
                true,
                review(self.call(Method::POST, "/reviews", Some(&body)).await?)?,
            )),
            Some(id) => {
                // A merge patch where every field the file leaves out is cleared (`null`),
                // but the address stays unless the file gives one.
                if let Value::Object(map) = &mut body {
                    if map.get("slug").is_some_and(Value::is_null) {
                        map.remove("slug");
                    }
                }
                let path = format!("/reviews/{id}");
                Ok((
                    false,
                    review(self.call(Method::PATCH, &path, Some(&body)).await?)?,
                ))
            }
        }
    }

    /// Every review, newest first.
    pub async fn list(&self) -> anyhow::Result<Vec<RemoteReview>> {
        let mut all = Vec::new();
        for page in 1..=1000 {
            let answer = self
                .call(
                    Method::GET,
                    &format!("/reviews?per_page=100&page={page}"),
                    None,
                )
                .await?;
            let items = serde_json::from_value::<Page>(answer)
                .context("the server's answer is not a list of reviews")?
                .items;
            let done = items.len() < 100;
            all.extend(items);
            if done {
                break;
            }
        }
        Ok(all)
    }

    /// The id of the review `reference` names (its id, or its address).
    pub async fn resolve(&self, reference: &str) -> anyhow::Result<uuid::Uuid> {
        if let Some(id) = crate::domain::parse_id(reference) {
            return Ok(id);
        }
        self.list()
            .await?
            .iter()
            .find(|r| r.slug == reference)
            .map(|r| r.id)
            .with_context(|| format!("no review has the id or address {reference}"))
    }

    pub async fn unpublish(&self, id: uuid::Uuid) -> anyhow::Result<RemoteReview> {
        let body = serde_json::json!({"status": "draft"});
        review(
            self.call(Method::PATCH, &format!("/reviews/{id}"), Some(&body))
                .await?,
        )
    }

    pub async fn delete(&self, id: uuid::Uuid) -> anyhow::Result<()> {
        self.call(Method::DELETE, &format!("/reviews/{id}"), None)
            .await
            .map(|_| ())
    }
}
