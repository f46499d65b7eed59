//! The private PostgreSQL cluster reviewpub runs itself when no `DATABASE_URL` is given.
//!
//! It uses the installed server binaries (`initdb`, `pg_ctl`): `initdb` on first start into
//! `<data_dir>/postgres/data`, then a server listening only on a Unix socket in a private directory,
//! with `trust` authentication (only the cluster's owner and root can reach the socket).
//! PostgreSQL refuses to run as root, so when reviewpub is root the cluster is owned by and runs
//! as an unprivileged user (`embedded_postgres.run_as`, default `postgres`).
//! A server already running on the directory (another reviewpub process, `reviewpub db url`, a
//! crash) is reused and left running: a process stops only a server it started itself
//! ([`EmbeddedPostgres::stop`]), so a second `reviewpub serve` that fails never takes the first
//! one's database down.

use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use sqlx::postgres::PgConnectOptions;

pub const DATABASE: &str = "reviewpub";
const SUPERUSER: &str = "reviewpub";
const PORT: u16 = 5432;
/// Unix socket paths are limited to 107 bytes.
const MAX_SOCKET_PATH: usize = 100;

#[derive(Debug, thiserror::Error)]
pub enum EmbeddedError {
    #[error(
        "PostgreSQL's server programs (initdb, pg_ctl) were not found on PATH or in \
         /usr/lib/postgresql/*/bin. Install them (Debian/Ubuntu: `apt-get install postgresql`) \
         or set DATABASE_URL to use an existing PostgreSQL server."
    )]
    NotInstalled,
    #[error(
        "reviewpub runs as root and PostgreSQL refuses to: the user `{0}` \
         (embedded_postgres.run_as) that should own the embedded cluster does not exist. \
         Create it, name another user, or set DATABASE_URL."
    )]
    NoUser(String),
    #[error("embedded PostgreSQL: {action} failed: {detail}")]
    Command { action: String, detail: String },
    #[error("embedded PostgreSQL: {0}")]
    Io(String),
}

/// A handle on the running cluster.
#[derive(Debug)]
pub struct EmbeddedPostgres {
    bin_dir: PathBuf,
    /// Owned by the cluster's user: `data/` (PGDATA) and `run/` (the socket) live here.
    root: PathBuf,
    pgdata: PathBuf,
    socket_dir: PathBuf,
    run_as: Option<nix::unistd::User>,
    /// Whether this process started the server (and so stops it).
    owned: bool,
}

impl EmbeddedPostgres {
    /// Initializes the cluster if needed and starts it unless it is already running.
    #[tracing::instrument(skip_all, fields(dir = %root.display()))]
    pub fn start(root: &Path, run_as: &str) -> Result<Self, EmbeddedError> {
        let bin_dir = find_bin_dir().ok_or(EmbeddedError::NotInstalled)?;
        let run_as = if nix::unistd::geteuid().is_root() {
            let user = nix::unistd::User::from_name(run_as)
                .ok()
                .flatten()
                .ok_or_else(|| EmbeddedError::NoUser(run_as.to_string()))?;
            Some(user)
        } else {
            None
        };
        let root = absolute(root)?;
        let socket_dir = socket_dir_for(&root);
        let pgdata = root.join("data");
        let mut pg = Self {
            bin_dir,
            root,
            pgdata,
            socket_dir,
            run_as,
            owned: false,
        };
        pg.prepare_dirs()?;
        if !pg.pgdata.join("PG_VERSION").exists() {
            pg.initdb()?;
        }
        if pg.is_running() {
            tracing::info!("embedded PostgreSQL already running (started by another process); reusing it and leaving it running");
            return Ok(pg);
        }
        match pg.run_pg_ctl_start() {
            Ok(()) => {
                pg.owned = true;
                tracing::info!(socket = %pg.socket_dir.display(), "embedded PostgreSQL started");
            }
            // Another process started it between the check and our start: theirs to stop.
            Err(_) if pg.is_running() => {
                tracing::info!("embedded PostgreSQL started by another process meanwhile; reusing it and leaving it running");
            }
            Err(e) => return Err(e),
        }
        Ok(pg)
    }

    /// Connection options for a database in this cluster.
    pub fn connect_options(&self, database: &str) -> PgConnectOptions {
        PgConnectOptions::new()
            .socket(&self.socket_dir)
            .port(PORT)
            .username(SUPERUSER)
            .database(database)
    }

    /// A URL for tools such as `psql` and `pg_dump` (and for `DATABASE_URL`): the socket
    /// directory goes in the `host` parameter, which libpq and sqlx both prefer to the host part.
    pub fn url(&self, database: &str) -> String {
        let mut url = url::Url::parse("postgresql://localhost/")
            .unwrap_or_else(|_| unreachable!("valid literal"));
        let _ = url.set_username(SUPERUSER);
        url.set_path(&format!("/{database}"));
        url.query_pairs_mut()
            .append_pair("host", &self.socket_dir.display().to_string())
            .append_pair("port", &PORT.to_string());
        url.to_string()
    }

    pub fn owned(&self) -> bool {
        self.owned
    }

    /// Stops the server if this process started it (fast shutdown: clients are disconnected,
    /// everything committed is on disk). A server another process started is never stopped
    /// here: that process, or `reviewpub db stop`, does it.
    #[tracing::instrument(skip_all)]
    pub fn stop(&self) -> Result<(), EmbeddedError> {
        if !self.owned || !self.is_running() {
            return Ok(());
        }
        self.pg_ctl(&["stop", "-m", "fast", "-w"], "pg_ctl stop")?;
        tracing::info!("embedded PostgreSQL stopped");
        Ok(())
    }

    /// Stops the server whoever started it (`reviewpub db stop`, tests).
    pub fn stop_any(&self) -> Result<(), EmbeddedError> {
        if self.is_running() {
            self.pg_ctl(&["stop", "-m", "fast", "-w"], "pg_ctl stop")?;
        }
        Ok(())
    }

    pub fn is_running(&self) -> bool {
        self.pg_ctl(&["status"], "pg_ctl status").is_ok()
    }

    fn prepare_dirs(&self) -> Result<(), EmbeddedError> {
        for dir in [&self.root, &self.socket_dir] {
            std::fs::create_dir_all(dir).map_err(|e| io_error("creating", dir, e))?;
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
                .map_err(|e| io_error("setting permissions on", dir, e))?;
            if let Some(user) = &self.run_as {
                std::os::unix::fs::chown(dir, Some(user.uid.as_raw()), Some(user.gid.as_raw()))
                    .map_err(|e| io_error("changing the owner of", dir, e))?;
            }
        }
        Ok(())
    }

    fn initdb(&self) -> Result<(), EmbeddedError> {
        tracing::info!("initializing a new embedded PostgreSQL cluster");
        let pgdata = self.pgdata.display().to_string();
        let output = self
            .command("initdb")
            .args([
                "-D",
                &pgdata,
                "-U",
                SUPERUSER,
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C",
                "--no-instructions",
            ])
            .output()
            .map_err(|e| EmbeddedError::Io(format!("running initdb: {e}")))?;
        check(output, "initdb", &self.pgdata)
    }

    fn run_pg_ctl_start(&self) -> Result<(), EmbeddedError> {
        let options = format!(
            "-c listen_addresses='' -k {} -p {PORT} -c unix_socket_permissions=0700 -c max_connections=200 -c fsync=on",
            self.socket_dir.display()
        );
        let log = self.pgdata.join("server.log").display().to_string();
        self.pg_ctl(
            &["start", "-w", "-t", "60", "-l", &log, "-o", &options],
            "pg_ctl start",
        )
        .map_err(|e| match e {
            EmbeddedError::Command { action, detail } => EmbeddedError::Command {
                action,
                detail: format!("{detail} (see {log})"),
            },
            other => other,
        })
    }

    fn pg_ctl(&self, args: &[&str], action: &str) -> Result<(), EmbeddedError> {
        let pgdata = self.pgdata.display().to_string();
        let output = self
            .command("pg_ctl")
            .args(["-D", &pgdata])
            .args(args)
            .output()
            .map_err(|e| EmbeddedError::Io(format!("running pg_ctl: {e}")))?;
        check(output, action, &self.pgdata)
    }

    fn command(&self, program: &str) -> Command {
        let mut command = Command::new(self.bin_dir.join(program));
        command
            .env("LC_ALL", "C")
            .env_remove("PGDATA")
            .current_dir(&self.root);
        if let Some(user) = &self.run_as {
            command
                .uid(user.uid.as_raw())
                .gid(user.gid.as_raw())
                .env("HOME", &self.root);
        }
        command
    }
}

fn check(output: Output, action: &str, pgdata: &Path) -> Result<(), EmbeddedError> {
    if output.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let mut detail = format!("{} {}", stderr.trim(), stdout.trim())
        .trim()
        .to_string();
    if detail.contains("Permission denied") {
        detail.push_str(&format!(
            " — the cluster's owner must be able to enter every directory above {}",
            pgdata.display()
        ));
    }
    Err(EmbeddedError::Command {
        action: action.to_string(),
        detail,
    })
}

fn io_error(what: &str, path: &Path, e: std::io::Error) -> EmbeddedError {
    EmbeddedError::Io(format!("{what} {}: {e}", path.display()))
}

fn absolute(path: &Path) -> Result<PathBuf, EmbeddedError> {
    std::path::absolute(path).map_err(|e| io_error("resolving", path, e))
}

/// The socket lives in the cluster directory when the path is short enough, otherwise in a
/// private directory under /tmp named after it.
fn socket_dir_for(root: &Path) -> PathBuf {
    let in_data = root.join("run");
    if in_data.join(format!(".s.PGSQL.{PORT}")).as_os_str().len() <= MAX_SOCKET_PATH {
        return in_data;
    }
    use sha2::Digest;
    let digest = sha2::Sha256::digest(root.as_os_str().as_encoded_bytes());
    PathBuf::from(format!("/tmp/reviewpub-pg-{}", &hex::encode(digest)[..16]))
}

/// `initdb` and `pg_ctl` from PATH, or from Debian's versioned directories (newest first).
fn find_bin_dir() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&path) {
            if dir.join("initdb").is_file() && dir.join("pg_ctl").is_file() {
                return Some(dir);
            }
        }
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let version = entry.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = entry.path().join("bin");
            (bin.join("initdb").is_file() && bin.join("pg_ctl").is_file()).then_some((version, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin)
}
