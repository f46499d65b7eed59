//! Integration tests: one binary (one link), a module per area.

mod api;
mod cache;
mod cli;
mod comments;
mod embedded;
mod federation;
mod feeds;
mod fuzz_inbox;
mod helpers;
mod interop;
mod peer;
mod scheduling;
mod security;
mod threads;
mod web;
