//! Integration tests: one binary (one link), a module per area.

// Test code may unwrap, expect and index (a panic is a failed test). clippy.toml's
// `allow-*-in-tests` exempt only `#[test]` functions and `#[cfg(test)]` modules, not the helpers
// of an integration test crate, so the whole crate is exempt here.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod accessibility;
mod api;
mod api_input;
mod archive;
mod blocklists;
mod cache;
mod cli;
mod cli_remote;
mod comments;
mod conversation;
mod deliveries;
mod desk;
mod embedded;
mod federation;
mod feeds;
mod follower_sync;
mod fuzz_inbox;
mod gone_followers;
mod helpers;
mod images;
mod inbound;
mod message_signatures;
mod moving;
mod neodb;
mod notifications;
mod peer;
mod preview;
mod quotes;
mod reply_control;
mod reply_requests;
mod republish;
mod scheduling;
mod secure_mode;
mod security;
mod slow_clients;
mod threads;
mod web;
mod web_crawlers;
mod web_pages;
mod webfinger;
mod wordpress;
