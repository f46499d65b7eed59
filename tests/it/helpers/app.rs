//! [`TestApp`]: a reviewpub instance in this process on loopback, with its own database.

use figment::Figment;
use reviewpub::config::Settings;
use reviewpub::db::Database;
use reviewpub::state::AppState;
use reviewpub::{app, db};
use serde_json::Value;
use sqlx::PgPool;
use tokio::sync::oneshot;

use super::database::fresh_database;
use super::{test_key, ADMIN_TOKEN};

pub struct TestApp {
    pub base: String,
    pub pool: PgPool,
    pub client: reqwest::Client,
    settings: Settings,
    /// The slots of the run's key pool its blog and instance actors use.
    keys: [usize; 2],
    stop: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<()>>,
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_with(|f| f).await
    }

    /// Starts an instance; `configure` may layer settings over the test defaults.
    pub async fn spawn_with(configure: impl FnOnce(Figment) -> Figment) -> Self {
        Self::spawn_keyed([0, 1], configure).await
    }

    /// Starts an instance whose actors have the key pairs of other slots of the run's pool
    /// (keys of its own, unlike every other instance's).
    pub async fn spawn_keyed(keys: [usize; 2], configure: impl FnOnce(Figment) -> Figment) -> Self {
        reviewpub::federation::install_crypto_provider();
        if std::env::var_os("TEST_LOG").is_some() {
            reviewpub::telemetry::init(reviewpub::config::LogFormat::Text);
        }
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let base = format!("http://localhost:{port}");
        let figment = Settings::defaults()
            .merge(("public_url", base.clone()))
            .merge(("listen", format!("127.0.0.1:{port}")))
            .merge(("database_url", fresh_database().await))
            .merge(("admin_token", ADMIN_TOKEN))
            .merge(("scheduler.interval_seconds", 1))
            .merge(("site.title", "Test Reviews"))
            .merge(("site.author", "Test Critic"))
            .merge(("allow_private_networks", true));
        let settings =
            Settings::from_figment(&configure(figment)).expect("test settings are valid");
        Self::start(settings, listener, base, keys).await
    }

    /// Stops this instance (cleanly, as on SIGTERM) and starts a new one with the same
    /// settings on the same database and address.
    pub async fn restart(self) -> Self {
        let settings = self.settings.clone();
        let base = self.base.clone();
        let addr = settings.listen;
        let keys = self.keys;
        self.stop().await;
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .expect("bind the same address again");
        Self::start(settings, listener, base, keys).await
    }

    async fn start(
        settings: Settings,
        listener: tokio::net::TcpListener,
        base: String,
        keys: [usize; 2],
    ) -> Self {
        let database = Database::open(&settings).await.expect("database");
        db::migrate(&database.pool).await.expect("migrations");
        let pool = database.pool.clone();
        // The actors' keys from the run's pool: generating RSA keys is the slowest part of a
        // start.
        let mut conn = pool.acquire().await.expect("connection");
        for (slot, actor) in keys.into_iter().zip(["blog", "instance"]) {
            db::federation::insert_key(&mut conn, actor, &test_key(slot))
                .await
                .expect("test key");
        }
        drop(conn);
        let (stop, stopped) = oneshot::channel::<()>();
        let state = AppState::build(settings.clone(), pool.clone())
            .await
            .expect("state");
        let server = tokio::spawn(async move {
            app::serve(state, listener, async {
                let _ = stopped.await;
            })
            .await
            .expect("server runs");
        });
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        Self {
            base,
            pool,
            client,
            settings,
            keys,
            stop: Some(stop),
            server: Some(server),
        }
    }

    /// What the inbox's handlers get from the library: this instance's federation context.
    pub async fn federation_data(
        &self,
    ) -> activitypub_federation::config::Data<reviewpub::federation::Context> {
        let state = AppState::build(self.settings.clone(), self.pool.clone())
            .await
            .expect("state");
        reviewpub::federation::config(&state.context())
            .await
            .expect("federation config")
            .to_request_data()
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// This instance's database, for the command line run beside it.
    pub fn database_url(&self) -> String {
        use secrecy::ExposeSecret;
        self.settings
            .database_url
            .as_ref()
            .map(|url| url.expose_secret().to_string())
            .expect("tests run on a database of their own")
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.expect("GET")
    }

    pub async fn get_text(&self, path: &str) -> (u16, String) {
        let response = self.get(path).await;
        let status = response.status().as_u16();
        (status, response.text().await.expect("body"))
    }

    /// An admin API request with the test token.
    pub fn api(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.client
            .request(method, self.url(&format!("/api/v1{path}")))
            .bearer_auth(ADMIN_TOKEN)
    }

    /// Creates a review through the API, asserting 201; returns its JSON.
    pub async fn create_review(&self, body: Value) -> Value {
        let response = self
            .api(reqwest::Method::POST, "/reviews")
            .json(&body)
            .send()
            .await
            .expect("POST");
        let status = response.status().as_u16();
        let json: Value = response.json().await.expect("JSON");
        assert_eq!(status, 201, "create failed: {json}");
        json
    }

    pub async fn review_count(&self) -> i64 {
        sqlx::query_scalar("SELECT count(*) FROM reviews")
            .fetch_one(&self.pool)
            .await
            .expect("count")
    }

    /// Stops the server and waits for it.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(server) = self.server.take() {
            server.await.expect("server task");
        }
    }
}
