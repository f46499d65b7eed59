//! Integration tests: one binary (one link), a module per area.

mod api;
mod cli;
mod embedded;
mod feeds;
mod helpers;
mod scheduling;
mod web;
