//! reviewpub: a self-hosted film-review blog that publishes to the fediverse.
//!
//! Modules, one per responsibility:
//! - [`config`]: settings from `config/default.toml`, a local file and the environment;
//! - [`domain`]: reviews and the types their fields are parsed into;
//! - [`content`]: Markdown rendering and sanitizing;
//! - [`db`]: the database (embedded or not), migrations, SQL per table;
//! - [`publishing`]: creating, editing, scheduling and deleting reviews;
//! - [`api`]: the admin HTTP API; [`web`]: the public pages and feeds;
//! - [`tasks`]: background jobs; [`app`]: wiring; [`serve`]: connections within bounds;
//!   [`cli`]: the command line;
//! - [`changes`]: what writers announce changed; [`cache`]: rendered public responses kept
//!   in memory until what they depend on changes;
//! - [`front_matter`]: Markdown files with front matter; [`demo`]: the sample blog;
//! - [`limits`]: requests per client, lookups at once, how long a public request may take;
//! - [`desk`]: the critic's desk in the browser (`/admin`); [`sessions`]: signing in to it;
//!   [`secrets`]: random tokens, kept as hashes and compared in constant time.

// The JSON-LD `@context` (`federation::documents::context`) is one `json!` literal deeper than
// serde_json's macro recursion allows by default.
#![recursion_limit = "256"]

pub mod api;
pub mod app;
pub mod archive;
pub mod blocklists;
pub mod cache;
pub mod changes;
pub mod cli;
pub mod comments;
pub mod config;
pub mod content;
pub mod db;
pub mod demo;
pub mod desk;
pub mod domain;
pub mod error;
pub mod federation;
pub mod front_matter;
pub mod limits;
pub mod media;
pub mod memory;
pub mod moderation;
pub mod notifications;
pub mod outbound;
pub mod publishing;
pub mod secrets;
pub mod serve;
pub mod sessions;
pub mod state;
pub mod tasks;
pub mod telemetry;
pub mod urls;
pub mod web;
pub mod wordpress;
