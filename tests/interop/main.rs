//! Interop tests: reviewpub against real third-party fediverse software (snac2 and a Fedify
//! peer, installed by `scripts/install-test-deps`), in a test target of their own.

// As in tests/it: test helpers may unwrap and index.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

// The helpers are shared with tests/it; not every one (nor every re-export) is used here.
#[allow(dead_code, unused_imports)]
#[path = "../it/helpers/mod.rs"]
mod helpers;
#[allow(dead_code)]
#[path = "../it/peer/mod.rs"]
mod peer;

mod peers;
