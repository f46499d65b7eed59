//! Integration tests: one binary (one link), a module per area.

mod api;
mod cache;
mod cli;
mod comments;
mod deliveries;
mod embedded;
mod federation;
mod feeds;
mod helpers;
mod interop;
mod peer;
mod scheduling;
mod security;
mod threads;
mod web;
