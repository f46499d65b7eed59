//! One database per test: the server that holds them (`DATABASE_URL` or a cluster the suite
//! runs itself), creating, dropping and sweeping old ones.

use std::path::PathBuf;
use std::sync::OnceLock;

use reviewpub::db;
use reviewpub::db::embedded::EmbeddedPostgres;
use sqlx::postgres::PgConnectOptions;
use sqlx::Connection;

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
