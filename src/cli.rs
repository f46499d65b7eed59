//! The command line: `reviewpub [serve]`, `migrate`, `publish FILE`, `blocks …`, `move …`,
//! `admin …`, `token …`, `demo`, `db …`, `export`, `import …`.

mod access;
mod archive;
mod remote;
mod writing;

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use chrono::Utc;
use clap::{Parser, Subcommand};
use uuid::Uuid;

use crate::app;
use crate::config::Settings;
use crate::db::{self, Database};
use crate::error::AppError;
use crate::federation::outbox::Outbox;
use crate::state::AppState;
use crate::{demo, telemetry};

#[derive(Debug, Parser)]
#[command(
    name = "reviewpub",
    version,
    about = "A film-review blog that publishes to the fediverse"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the server (the default).
    Serve {
        /// Load the demo reviews when the database has no reviews yet.
        #[arg(long)]
        demo: bool,
        /// Where the demo samples are.
        #[arg(long, default_value = demo::DEFAULT_SAMPLES)]
        samples: PathBuf,
    },
    /// Run the database migrations and exit.
    Migrate,
    /// Publish a Markdown file with front matter as a new review, or update the review it
    /// names (`id:` in its front matter, or --update). A slug another review has is refused.
    Publish {
        file: PathBuf,
        /// Override the file's status: draft, published or scheduled.
        #[arg(long)]
        status: Option<String>,
        /// Update this review (its id, or its slug) instead of creating one.
        #[arg(long, value_name = "ID_OR_SLUG")]
        update: Option<String>,
        #[command(flatten)]
        server: ServerArgs,
    },
    /// List the reviews: id, state, address, title.
    List {
        #[command(flatten)]
        server: ServerArgs,
    },
    /// Take a review off the blog (back to draft; the fediverse gets a Delete).
    Unpublish {
        /// Its id or its address (slug).
        review: String,
        #[command(flatten)]
        server: ServerArgs,
    },
    /// Delete a review for good.
    Delete {
        /// Its id or its address (slug).
        review: String,
        #[command(flatten)]
        server: ServerArgs,
    },
    /// Import a WordPress blog, or restore an archive of reviewpub's own.
    Import {
        #[command(subcommand)]
        command: ImportCommand,
    },
    /// Manage blocks.
    Blocks {
        #[command(subcommand)]
        command: BlocksCommand,
    },
    /// Move the blog to another account (`@user@host`), which must list the blog among its
    /// aliases: followers' servers follow the new account, and the pages say where it went.
    Move {
        /// The new account: `@user@host`, or its ActivityPub id.
        #[arg(required_unless_present = "cancel", conflicts_with = "cancel")]
        account: Option<String>,
        /// End the move in force: the blog no longer redirects (followers that left stay gone).
        #[arg(long)]
        cancel: bool,
    },
    /// The critic's desk in the browser (`/admin`).
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// Manage admin API tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Load the two sample reviews as published reviews.
    Demo {
        #[arg(long, default_value = demo::DEFAULT_SAMPLES)]
        samples: PathBuf,
    },
    /// Write everything the blog stored (reviews, comments, followers, blocks, …) into one
    /// archive, with each review as a Markdown file, for a backup or a move.
    Export {
        /// Where to write it (`-`: standard output); default `reviewpub-export-<date>.tar.gz`.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Include the blog's private keys, so that the restored blog signs as this one.
        #[arg(long)]
        with_keys: bool,
    },
    /// The embedded database.
    Db {
        #[command(subcommand)]
        command: DbCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Import a WordPress export (Tools → Export → All content, a WXR file): posts become
    /// reviews with their approved comments, old addresses redirect; importing again changes
    /// nothing.
    Wordpress {
        file: PathBuf,
        /// Send each published review to the followers (one `Create` each); without it, they
        /// are only in the outbox, under their old dates.
        #[arg(long)]
        federate: bool,
        /// Download the posts' images and serve them from this blog.
        #[arg(long)]
        fetch_media: bool,
    },
    /// Restore an archive from `reviewpub export` into this instance, which must be empty.
    Archive {
        /// The archive (`-`: standard input).
        file: PathBuf,
        /// The most the archive may hold unpacked, in bytes.
        #[arg(long, default_value_t = crate::archive::DEFAULT_MAX_BYTES)]
        max_bytes: u64,
    },
}

#[derive(Debug, Subcommand)]
pub enum BlocksCommand {
    /// Import a Mastodon domain-block CSV: suspends become blocks, silences hold every
    /// comment from that server; importing again updates.
    Import { file: PathBuf },
}

/// Where the writing commands write: a running blog through its admin API, or (without
/// `--server`) this machine's database.
#[derive(Debug, Clone, clap::Args)]
pub struct ServerArgs {
    /// The blog's address, e.g. https://blog.example: publish through its admin API.
    #[arg(long, env = "REVIEWPUB_SERVER")]
    pub server: Option<String>,
    /// An admin API token (mint one at the desk, /admin/tokens).
    #[arg(long, env = "REVIEWPUB_TOKEN", hide_env_values = true)]
    pub token: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Set the desk's password (asked twice without echo; or one line from standard input
    /// with --password-stdin). Every session is signed out.
    SetPassword {
        #[arg(long)]
        password_stdin: bool,
    },
    /// Sign every desk session out.
    SignOutEverywhere,
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Mint a token; it is printed once and only its hash is stored.
    Create {
        #[arg(long, default_value = "cli")]
        name: String,
    },
    /// List tokens (never their values).
    List,
    /// Revoke a token by id.
    Revoke { id: Uuid },
}

#[derive(Debug, Subcommand)]
pub enum DbCommand {
    /// Print the embedded database's connection URL (for psql and pg_dump), starting it if needed.
    Url,
    /// Stop the embedded database server, whoever started it.
    Stop,
}

fn out(text: impl std::fmt::Display) -> anyhow::Result<()> {
    writeln!(std::io::stdout(), "{text}").context("writing to standard output")
}

pub(crate) fn note(text: impl std::fmt::Display) -> anyhow::Result<()> {
    writeln!(std::io::stderr(), "{text}").context("writing to standard error")
}

/// What the command line says when publishing is refused: the admin API's answer to the
/// same request (status and JSON body), and for a slug clash what to do about it. Our own
/// faults (5xx) keep their full error.
/// A refusal (the API's error body) in words: `refused (422 …): validation failed`, then a
/// line per field; a message that says it all alone is said alone.
pub(crate) fn explain(status: reqwest::StatusCode, body: &serde_json::Value) -> String {
    use serde_json::Value;
    let error = body.get("error").and_then(Value::as_str);
    match (body.get("details"), error) {
        (Some(Value::String(details)), _) => format!("refused ({status}): {details}"),
        (Some(Value::Object(fields)), error) => {
            let mut said = format!("refused ({status}): {}", error.unwrap_or("invalid"));
            for (field, what) in fields {
                let what = what
                    .as_str()
                    .map_or_else(|| what.to_string(), str::to_string);
                said.push_str(&format!("\n  {field}: {what}"));
            }
            said
        }
        (_, Some(error)) => format!("refused ({status}): {error}"),
        (_, None) => format!("refused ({status}): {body}"),
    }
}

pub(crate) fn refusal(error: AppError, file: &std::path::Path) -> anyhow::Error {
    let status = error.status();
    if status.is_server_error() {
        return anyhow::Error::new(error);
    }
    let answer = format!("{}: {}", file.display(), explain(status, &error.body()));
    let (slug, review, relation) = match &error {
        AppError::SlugUsedBy { slug, review } => (slug, review, "is the slug of"),
        AppError::SlugRedirectsTo { slug, review } => {
            (slug, review, "is a former slug of, and redirects to,")
        }
        AppError::NotFound => {
            return anyhow::anyhow!("{answer}\nNo review has the id or slug this file names.")
        }
        _ => return anyhow::anyhow!(answer),
    };
    anyhow::anyhow!(
        "{answer}\n`{slug}` {relation} review {review}. To update that review from this file, add \
         `id: {review}` to its front matter or run `reviewpub publish {} --update {review}`; to \
         publish the file as a new review, give it another `slug` in its front matter.",
        file.display()
    )
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let settings = Settings::load()?;
    telemetry::init(settings.log_format);
    match cli.command.unwrap_or(Command::Serve {
        demo: false,
        samples: demo::DEFAULT_SAMPLES.into(),
    }) {
        Command::Serve { demo, samples } => serve(settings, demo.then_some(samples)).await,
        Command::Migrate => with_db(&settings, |_| async { Ok(()) }).await,
        Command::Publish {
            file,
            status,
            update,
            server,
        } => writing::publish(&settings, &file, status, update, server).await,
        Command::List { server } => writing::list(&settings, server).await,
        Command::Unpublish { review, server } => {
            writing::unpublish(&settings, &review, server).await
        }
        Command::Delete { review, server } => writing::delete(&settings, &review, server).await,
        Command::Admin { command } => access::admin(&settings, command).await,
        Command::Token { command } => access::token(&settings, command).await,
        Command::Import {
            command:
                ImportCommand::Wordpress {
                    file,
                    federate,
                    fetch_media,
                },
        } => import_wordpress(&settings, &file, federate, fetch_media).await,
        Command::Blocks {
            command: BlocksCommand::Import { file },
        } => {
            let text = read_bounded(&file, crate::domain::blocklist::MAX_BYTES)?;
            with_db(&settings, |pool| async move {
                let report = crate::blocklists::import_mastodon_csv(&pool, &text).await?;
                for error in &report.errors {
                    note(error)?;
                }
                for domain in &report.kept_suspended {
                    note(format_args!(
                        "{domain}: kept as suspended (the list only silences it; lift the block first to silence it)"
                    ))?;
                }
                out(format!(
                    "blocks: {} added, {} updated, {} skipped (noop), {} unreadable lines",
                    report.added,
                    report.updated,
                    report.skipped,
                    report.errors.len()
                ))
            })
            .await
        }
        Command::Move { account, cancel } => {
            let shared = settings.clone();
            with_db(&settings, |pool| async move {
                let state = AppState::build(shared, pool).await?;
                let data = crate::federation::config(&state.context())
                    .await?
                    .to_request_data();
                let now = Utc::now();
                match account {
                    Some(account) if !cancel => {
                        let (moved, inboxes) =
                            crate::federation::moving::move_to(&data, &account, now).await?;
                        out(format!("moved to {} ({})", moved.target_handle, moved.target))?;
                        note(format!(
                            "the Move goes to {inboxes} follower inboxes, sent by the running server \
                             (or by the next one started); every page now says where the blog went"
                        ))
                    }
                    _ if crate::federation::moving::cancel(&data, now).await? => {
                        out("the move is cancelled: the blog no longer says it moved")
                    }
                    _ => out("the blog has not moved: nothing to cancel"),
                }
            })
            .await
        }
        Command::Demo { samples } => {
            let shared = settings.clone();
            with_db(&settings, |pool| async move {
                let outbound = Outbox::new(&shared);
                let report = demo::load(&pool, &shared, &outbound, &samples).await?;
                out(format!(
                    "demo: {} created, {} already there, {} reader responses imported",
                    report.created.len(),
                    report.skipped.len(),
                    report.comments
                ))
            })
            .await
        }
        Command::Export { out, with_keys } => archive::export(&settings, out, with_keys).await,
        Command::Import {
            command: ImportCommand::Archive { file, max_bytes },
        } => archive::import(&settings, file, max_bytes).await,
        Command::Db { command } => {
            anyhow::ensure!(
                settings.database_url.is_none(),
                "DATABASE_URL is set: there is no embedded database"
            );
            let dir = settings.embedded_pg_dir();
            let run_as = settings.embedded_postgres.run_as.clone();
            let pg = tokio::task::spawn_blocking(move || {
                db::embedded::EmbeddedPostgres::start(&dir, &run_as)
            })
            .await??;
            match command {
                DbCommand::Url => out(pg.url(db::embedded::DATABASE)),
                DbCommand::Stop => Ok(tokio::task::spawn_blocking(move || pg.stop_any()).await??),
            }
        }
    }
}

/// `reviewpub import wordpress FILE`: the file read within the admin API's bound for it, the
/// report printed.
/// A UTF-8 file of at most `max` bytes, read no further than that.
fn read_bounded(file: &std::path::Path, max: usize) -> anyhow::Result<String> {
    use std::io::Read;
    let mut bytes = Vec::new();
    std::fs::File::open(file)
        .and_then(|f| {
            f.take(u64::try_from(max).unwrap_or(u64::MAX).saturating_add(1))
                .read_to_end(&mut bytes)
        })
        .with_context(|| format!("reading {}", file.display()))?;
    anyhow::ensure!(
        bytes.len() <= max,
        "{} is larger than {} MiB",
        file.display(),
        max / 1024 / 1024
    );
    String::from_utf8(bytes).with_context(|| format!("{} is not UTF-8 text", file.display()))
}

async fn import_wordpress(
    settings: &Settings,
    file: &std::path::Path,
    federate: bool,
    fetch_media: bool,
) -> anyhow::Result<()> {
    let size = std::fs::metadata(file)
        .with_context(|| format!("reading {}", file.display()))?
        .len();
    anyhow::ensure!(
        size <= crate::domain::wxr::MAX_BYTES as u64,
        "{} is larger than {} MiB",
        file.display(),
        crate::domain::wxr::MAX_BYTES / 1024 / 1024
    );
    let xml = std::fs::read_to_string(file).with_context(|| {
        format!(
            "reading {} (a WordPress export is UTF-8 XML)",
            file.display()
        )
    })?;
    let media = crate::media::Media::new(
        crate::media::Store::open(settings)?,
        crate::federation::http_client(settings)?,
        crate::urls::Urls::new(settings),
        settings.allow_private_networks,
    );
    let shared = settings.clone();
    with_db(settings, |pool| async move {
        let outbound = Outbox::new(&shared);
        let options = crate::wordpress::Options {
            federate,
            fetch_media,
        };
        let report = crate::wordpress::import(
            &pool,
            &shared,
            &outbound,
            Some(&media),
            xml,
            options,
            Utc::now(),
        )
        .await
        .map_err(|e| refusal(e, file))?;
        for failure in report.reviews_failed.iter().chain(&report.media_failed) {
            note(failure)?;
        }
        out(report)
    })
    .await
}

/// Opens the database, migrates it, runs `job`, and closes it again (stopping the embedded
/// server if this command started it).
async fn with_db<F, Fut>(settings: &Settings, job: F) -> anyhow::Result<()>
where
    F: FnOnce(sqlx::PgPool) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<()>>,
{
    let database = Database::open(settings).await?;
    let result = match db::migrate(&database.pool).await {
        Ok(()) => job(database.pool.clone()).await,
        Err(e) => Err(e.into()),
    };
    database.close().await;
    result
}

async fn serve(settings: Settings, demo_samples: Option<PathBuf>) -> anyhow::Result<()> {
    // The port first: a second server on a busy port stops here, before touching the database.
    let listener = tokio::net::TcpListener::bind(settings.listen)
        .await
        .with_context(|| format!("binding {} (listen)", settings.listen))?;
    let database = Database::open(&settings).await?;
    let result = async {
        db::migrate(&database.pool).await?;
        if let Some(samples) = demo_samples {
            if db::reviews::count_all(&database.pool).await? == 0 {
                let outbound = Outbox::new(&settings);
                demo::load(&database.pool, &settings, &outbound, &samples).await?;
            }
        }
        let state = AppState::build(settings.clone(), database.pool.clone()).await?;
        app::serve(state, listener, app::shutdown_signal()).await?;
        anyhow::Ok(())
    }
    .await;
    // Stops the embedded cluster only if this process started it.
    database.close().await;
    result
}
