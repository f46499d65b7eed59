//! Starting real reviewpub instances on loopback against a real PostgreSQL, one database per test.

use std::path::PathBuf;
use std::sync::OnceLock;

use figment::Figment;
use reviewpub::app;
use reviewpub::config::Settings;
use reviewpub::db::{self, embedded::EmbeddedPostgres, Database};
use reviewpub::state::AppState;
use serde_json::{json, Value};
use sqlx::postgres::PgConnectOptions;
use sqlx::{Connection, PgPool};
use tokio::sync::oneshot;

pub const ADMIN_TOKEN: &str = "test-admin-token-0123456789";

/// A directory under /tmp that the unprivileged PostgreSQL user can reach (CI runs as root,
/// possibly in a clone below a private home directory).
pub fn shared_tmp(prefix: &str) -> tempfile::TempDir {
    let dir = tempfile::Builder::new()
        .prefix(prefix)
        .tempdir_in("/tmp")
        .expect("temp dir");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755))
        .expect("chmod temp dir");
    dir
}

/// How to reach the server that holds the test databases: `DATABASE_URL` when set, otherwise
/// a cluster this test suite runs itself (started once, reused by later runs).
fn maintenance() -> &'static (PgConnectOptions, String) {
    static CLUSTER: OnceLock<(PgConnectOptions, String)> = OnceLock::new();
    CLUSTER.get_or_init(|| {
        if let Ok(url) = std::env::var("DATABASE_URL") {
            let options: PgConnectOptions = url.parse().expect("DATABASE_URL is a PostgreSQL URL");
            return (options, url);
        }
        let root = test_cluster_dir();
        std::fs::create_dir_all("/tmp").ok();
        // Test binaries may start together: one starts the cluster, the others reuse it.
        let lock = std::fs::File::create(format!("{}.lock", root.display())).expect("lock file");
        let _guard =
            nix::fcntl::Flock::lock(lock, nix::fcntl::FlockArg::LockExclusive).expect("flock");
        let pg = EmbeddedPostgres::start(&root, "postgres").expect("test PostgreSQL starts");
        let options = pg.connect_options("postgres");
        drop_old_test_databases(&options);
        (options, pg.url("postgres"))
    })
}

/// Drops the databases earlier runs left behind (those still in use are skipped).
fn drop_old_test_databases(options: &PgConnectOptions) {
    let options = options.clone();
    let cleanup = async move {
        let mut conn = sqlx::PgConnection::connect_with(&options).await?;
        let names: Vec<String> =
            sqlx::query_scalar("SELECT datname FROM pg_database WHERE datname LIKE 'test\\_%'")
                .fetch_all(&mut conn)
                .await?;
        for name in names {
            let _ = sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE \"{name}\"")))
                .execute(&mut conn)
                .await;
        }
        Ok::<(), sqlx::Error>(())
    };
    // Runs on its own thread: the caller may be inside a runtime.
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let _ = runtime.block_on(cleanup);
    })
    .join()
    .expect("cleanup thread");
}

/// `/tmp/reviewpub-test-pg-<hash of this checkout>`: one cluster per checkout.
pub fn test_cluster_dir() -> PathBuf {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(env!("CARGO_MANIFEST_DIR").as_bytes());
    PathBuf::from(format!(
        "/tmp/reviewpub-test-pg-{}",
        &hex::encode(digest)[..12]
    ))
}

/// How many RSA key pairs a test run generates (slots 0 and 1: the app's actors; the others:
/// peers).
pub const TEST_KEYS: usize = 8;

/// A key pair from the run's pool, generated once per test process.
pub fn test_key(slot: usize) -> reviewpub::db::federation::KeyRow {
    static KEYS: OnceLock<Vec<reviewpub::db::federation::KeyRow>> = OnceLock::new();
    let keys = KEYS.get_or_init(|| {
        std::thread::scope(|scope| {
            let handles: Vec<_> = (0..TEST_KEYS)
                .map(|_| {
                    scope.spawn(|| {
                        activitypub_federation::http_signatures::generate_actor_keypair()
                            .expect("key pair")
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    let pair = h.join().expect("key thread");
                    reviewpub::db::federation::KeyRow {
                        public_key_pem: pair.public_key,
                        private_key_pem: pair.private_key,
                        created_at: chrono::Utc::now(),
                    }
                })
                .collect()
        })
    });
    keys[slot % keys.len()].clone()
}

/// A fresh, empty database; returns its URL.
pub async fn fresh_database() -> String {
    let (options, url) = maintenance();
    let name = format!("test_{}", uuid::Uuid::new_v4().simple());
    db::create_database_if_missing(options.clone(), &name)
        .await
        .expect("create test database");
    with_database(url, &name)
}

/// Drops a test database at once, disconnecting whoever uses it.
pub async fn drop_database(name: &str) {
    let (options, _) = maintenance();
    let mut conn = sqlx::PgConnection::connect_with(options)
        .await
        .expect("maintenance connection");
    let quoted = name.replace('"', "\"\"");
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE \"{quoted}\" WITH (FORCE)"
    )))
    .execute(&mut conn)
    .await
    .expect("drop database");
    conn.close().await.expect("close");
}

fn with_database(maintenance_url: &str, name: &str) -> String {
    let mut url = url::Url::parse(maintenance_url).expect("valid URL");
    url.set_path(&format!("/{name}"));
    url.to_string()
}

pub struct TestApp {
    pub base: String,
    pub pool: PgPool,
    pub client: reqwest::Client,
    settings: Settings,
    stop: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<()>>,
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_with(|f| f).await
    }

    /// Starts an instance; `configure` may layer settings over the test defaults.
    pub async fn spawn_with(configure: impl FnOnce(Figment) -> Figment) -> Self {
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
        Self::start(settings, listener, base).await
    }

    /// Stops this instance (cleanly, as on SIGTERM) and starts a new one with the same
    /// settings on the same database and address.
    pub async fn restart(self) -> Self {
        let settings = self.settings.clone();
        let base = self.base.clone();
        let addr = settings.listen;
        self.stop().await;
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .expect("bind the same address again");
        Self::start(settings, listener, base).await
    }

    async fn start(settings: Settings, listener: tokio::net::TcpListener, base: String) -> Self {
        let database = Database::open(&settings).await.expect("database");
        db::migrate(&database.pool).await.expect("migrations");
        let pool = database.pool.clone();
        // The actors' keys from the run's pool: generating RSA keys is the slowest part of a
        // start.
        let mut conn = pool.acquire().await.expect("connection");
        for (slot, actor) in ["blog", "instance"].into_iter().enumerate() {
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

/// A complete review, published, as the API accepts it.
pub fn sample_review(title: &str) -> Value {
    json!({
        "title": title,
        "body": "The first paragraph, which becomes the teaser.\n\nA second paragraph with *emphasis*.",
        "film": {
            "title": "Never Let Me Go",
            "year": 2010,
            "original_title": "Never Let Me Go",
            "directors": ["Mark Romanek"],
            "writers": ["Alex Garland"],
            "cast": ["Carey Mulligan", "Andrew Garfield", "Keira Knightley"],
            "runtime_minutes": 103,
            "poster_url": "https://images.example/never-let-me-go.jpg",
            "poster_alt": "Three young people on a beach",
            "imdb_id": "tt1334260",
            "wikidata_id": "Q837203",
            "credits": [{"role": "Music", "name": "Rachel Portman"}]
        },
        "rating": {"value": 4, "best": 5},
        "categories": ["Science Fiction"],
        "tags": ["clones", "Kazuo Ishiguro"],
        "spoiler_warning": "The premise is discussed.",
        "status": "published"
    })
}

/// The samples beside the checkout, as CI has them.
pub fn samples_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/samples")
}

/// The real `reviewpub` binary, started with the given arguments and environment (and no
/// `DATABASE_URL` or config file from the caller's environment unless given).
pub struct Server {
    child: std::process::Child,
}

impl Server {
    pub fn start(args: &[&str], envs: &[(&str, String)]) -> Self {
        Self::start_logging_to(args, envs, None)
    }

    /// Starts the binary; with `log`, everything it prints goes to that file.
    pub fn start_logging_to(
        args: &[&str],
        envs: &[(&str, String)],
        log: Option<&std::path::Path>,
    ) -> Self {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_reviewpub"));
        command
            .args(args)
            .env_remove("DATABASE_URL")
            .env_remove("REVIEWPUB_CONFIG");
        for (key, value) in envs {
            command.env(key, value);
        }
        let inherit = std::env::var_os("TEST_LOG").is_some();
        let output = || {
            if let Some(path) = log {
                let file = std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(path)
                    .expect("log file");
                std::process::Stdio::from(file)
            } else if inherit {
                std::process::Stdio::inherit()
            } else {
                std::process::Stdio::null()
            }
        };
        let child = command
            .stdout(output())
            .stderr(output())
            .spawn()
            .expect("reviewpub starts");
        Self { child }
    }

    /// Sends SIGTERM and waits for a clean exit.
    pub fn terminate(mut self) -> std::process::ExitStatus {
        self.signal(nix::sys::signal::Signal::SIGTERM)
    }

    /// Waits (bounded) for the process to exit on its own.
    pub fn wait_exit(mut self, within: std::time::Duration) -> std::process::ExitStatus {
        let deadline = std::time::Instant::now() + within;
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "reviewpub did not exit within {within:?}"
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }

    /// SIGKILL: a crash, with no chance to clean up.
    pub fn crash(mut self) {
        self.signal(nix::sys::signal::Signal::SIGKILL);
    }

    fn signal(&mut self, signal: nix::sys::signal::Signal) -> std::process::ExitStatus {
        let pid = nix::unistd::Pid::from_raw(self.child.id() as i32);
        nix::sys::signal::kill(pid, signal).expect("signal");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "reviewpub did not stop"
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Waits (bounded) until a server answers `/healthz`.
pub async fn wait_ready(base: &str) {
    reviewpub::federation::install_crypto_provider();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(90);
    while std::time::Instant::now() < deadline {
        if let Ok(r) = reqwest::get(format!("{base}/healthz")).await {
            if r.status().is_success() {
                return;
            }
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    panic!("reviewpub did not become ready at {base}");
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

/// Sends a request and reads its JSON answer (whatever the status; tests assert on it).
pub trait FetchJson {
    async fn fetch_json(self) -> Value;
}

impl FetchJson for reqwest::RequestBuilder {
    async fn fetch_json(self) -> Value {
        self.send()
            .await
            .expect("request")
            .json()
            .await
            .expect("JSON")
    }
}

/// Polls `check` every 50 ms until it returns `Ok`, and returns its value; after `limit`,
/// fails naming `what` and the last state `check` described in its `Err`.
/// Waits until an edit of `review` (as the API returned it) counts as an edit: documents carry
/// `updated` only when it is more than a second after `published`.
pub async fn edits_count_for(review: &Value) {
    let published: chrono::DateTime<chrono::Utc> =
        serde_json::from_value(review["published_at"].clone()).expect("published_at");
    until(published + chrono::Duration::milliseconds(1100)).await;
}

/// Waits until the clock reaches `at`.
pub async fn until(at: chrono::DateTime<chrono::Utc>) {
    while chrono::Utc::now() < at {
        let left = (at - chrono::Utc::now()).to_std().unwrap_or_default();
        tokio::time::sleep(left.min(std::time::Duration::from_millis(100))).await;
    }
}

/// Waits until the delivery queue has nothing left to send (a negative check is only
/// meaningful once the workers are idle).
#[allow(dead_code)] // Used by the interop target, which shares these helpers.
pub async fn deliveries_idle(pool: &PgPool) {
    eventually(
        "the delivery queue to be idle",
        std::time::Duration::from_secs(30),
        || async {
            let pending: i64 =
                sqlx::query_scalar("SELECT count(*) FROM deliveries WHERE status = 'pending'")
                    .fetch_one(pool)
                    .await
                    .map_err(|e| e.to_string())?;
            if pending == 0 {
                Ok(())
            } else {
                Err(format!("{pending} pending"))
            }
        },
    )
    .await
}

pub async fn eventually<T, F, Fut>(what: &str, limit: std::time::Duration, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, String>>,
{
    let deadline = std::time::Instant::now() + limit;
    loop {
        match check().await {
            Ok(value) => return value,
            Err(state) => assert!(
                std::time::Instant::now() < deadline,
                "waited {limit:?} for {what}; last state: {state}"
            ),
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}
