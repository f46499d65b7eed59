//! Fuzzing the inbox: generated hostile activities (property-based, `proptest`), every one
//! validly signed by a real peer, against one real instance on loopback.
//!
//! Each generated case is one to four steps: a signed POST to the shared or the blog's personal
//! inbox, a note that alice's or bob's server starts serving (a parent we may fetch), or an
//! edit of alice's actor document announced with `Update{Person}`. A case runs against a review
//! of its own. After every case the test checks what a stranger must never achieve:
//!
//! - an answer of 5xx, no answer, or a dropped connection;
//! - a stored misattribution: a comment under an actor other than the one whose server said
//!   so (alice signed it, or bob's server serves it under his name), an `ap_id` on another
//!   host than its author's, a change to another author's comment, a reaction, report or
//!   follow by anyone but the signer, a comment on a draft or deleted review;
//! - active content on the review page (a `<script>` other than the JSON-LD, `on*=` or `style`
//!   attributes, `javascript:`/`data:`/`vbscript:` URLs, `<iframe>`, `<style>`, `<object>`, …),
//!   read with an HTML parser; a published comment missing from the page, or a private one on it;
//! - a comments feed that is not XML (`feed-rs`, and the XML 1.0 character rules), or active
//!   content in its entries.
//!
//! At the end the server must still answer `/healthz`. The checkers are shown to fail first
//! (known-bad HTML, and planted rows rendered by the real server).
//!
//! `FUZZ_CASES=n` sets the number of cases (default below: about 30 s in a debug build on two
//! cores; a thousand take about 90 s); `FUZZ_SEED=n` repeats a run. A failure prints the seed,
//! the shrunk case and what was sent. `FUZZ_KEEP_GOING=1` runs every case and reports each kind
//! of failure once, with its shortest example (unshrunk), and statistics of what was sent and
//! why it was refused. With `TEST_LOG=1` the server's own account of a 5xx is in the log.
//!
//! Modules: `cases` (what is generated), `json` (a case made concrete), `checks` (pages and
//! feeds), `world` (the instance, the peers, the invariants).

mod cases;
mod checks;
mod json;
mod world;

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Instant;

use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestError, TestRng, TestRunner};
use scraper::Html;

use checks::{active_content, feed_problems};
use world::{Stats, World};

/// Cases run when `FUZZ_CASES` is not set (about two signed POSTs each).
const DEFAULT_CASES: u32 = 300;

/// The checkers flag what they must, and pass a clean page.
fn check_the_checkers() {
    let origin = "http://localhost:1";
    let bad = [
        "<p><script>alert(1)</script></p>",
        "<img src=x onerror=alert(1)>",
        "<a href=\"javascript:alert(1)\">x</a>",
        "<a href=\"  JaVa\tScRiPt:alert(1)\">x</a>",
        "<a href=\"data:text/html,x\">x</a>",
        "<iframe src=x></iframe>",
        "<style>p{}</style>",
        "<p style=\"color:red\">x</p>",
        "<svg><circle/></svg>",
        "<form action=\"javascript:x\"></form>",
        "<object data=x></object>",
        "<meta http-equiv=refresh content=0>",
        "<link rel=stylesheet href=//x.invalid/x.css>",
        "<p>x</p><script type=\"application/ld+json\">{}</script>",
    ];
    for html in bad {
        assert!(
            !active_content(&Html::parse_document(html), origin).is_empty(),
            "the checker flags {html}"
        );
    }
    let good = format!(
        "<!DOCTYPE html><html><head><link rel=\"stylesheet\" href=\"{origin}/style.css\">\
         <script type=\"application/ld+json\">{{\"a\": \"\\u003c/script>\"}}</script></head>\
         <body><a href=\"https://ok.example/\">ok</a><img src=\"https://ok.example/a.png\" alt=\"\">\
         <p>javascript: is only text here</p></body></html>"
    );
    assert_eq!(
        active_content(&Html::parse_document(&good), origin),
        Vec::<String>::new()
    );
    assert!(!feed_problems("<feed", origin).is_empty(), "broken XML");
    assert!(
        !feed_problems(
            "<?xml version=\"1.0\"?><feed xmlns=\"http://www.w3.org/2005/Atom\"><id>x</id><title>\u{1}</title></feed>",
            origin
        )
        .is_empty(),
        "a control character"
    );
}

/// Failures grouped by what went wrong (ids and numbers masked), with the shortest example.
fn failure_kinds(failures: &[String]) -> String {
    let mut kinds: BTreeMap<String, (usize, &String)> = BTreeMap::new();
    for failure in failures {
        // "case #n (review …): what\n    first detail\n…"
        let mut lines = failure.lines();
        let first = lines.next().unwrap_or_default();
        let what = first.split_once("): ").map_or(first, |(_, w)| w);
        let detail = lines
            .next()
            .filter(|l| l.starts_with("    "))
            .unwrap_or_default();
        let key = masked(&format!("{what} {}", detail.trim()));
        let entry = kinds.entry(key).or_insert((0, failure));
        entry.0 += 1;
        if failure.len() < entry.1.len() {
            entry.1 = failure;
        }
    }
    let mut out = String::new();
    for (key, (count, example)) in &kinds {
        let _ = writeln!(out, "=== {count} × {key}\n{example}");
    }
    out
}

/// `text` with runs of id characters (hex digits and dashes, 8 or more) and digits masked,
/// cut to 100 characters.
fn masked(text: &str) -> String {
    let mut out = String::new();
    let mut run = String::new();
    for c in text.chars().chain(std::iter::once(' ')) {
        if c.is_ascii_hexdigit() || c == '-' {
            run.push(c);
            continue;
        }
        if run.len() >= 8 {
            out.push('…');
        } else {
            out.extend(
                run.chars()
                    .map(|d| if d.is_ascii_digit() { '#' } else { d }),
            );
        }
        run.clear();
        out.push(c);
    }
    out.trim_end().chars().take(100).collect()
}

fn seed_from_env() -> u64 {
    match std::env::var("FUZZ_SEED") {
        Ok(s) => s.trim().parse().expect("FUZZ_SEED is a number"),
        Err(_) => rand::random(),
    }
}

#[test]
fn hostile_signed_activities_never_crash_misattribute_or_inject() {
    check_the_checkers();
    let cases: u32 = std::env::var("FUZZ_CASES")
        .ok()
        .map(|s| s.trim().parse().expect("FUZZ_CASES is a number"))
        .unwrap_or(DEFAULT_CASES);
    let seed = seed_from_env();
    let repeat = format!("FUZZ_SEED={seed} FUZZ_CASES={cases}");
    eprintln!("fuzz_inbox: {cases} cases, seed {seed} (repeat with {repeat})");

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let stats = RefCell::new(Stats::default());
    let world = runtime.block_on(World::start());
    runtime.block_on(world.warm_up(&stats));
    runtime.block_on(world.checks_can_fail(&stats));

    let mut seed_bytes = [0u8; 32];
    for chunk in seed_bytes.chunks_mut(8) {
        chunk.copy_from_slice(&seed.to_le_bytes());
    }
    let config = Config {
        cases,
        failure_persistence: None,
        max_shrink_iters: 150,
        max_shrink_time: 120_000,
        ..Config::default()
    };
    let mut runner = TestRunner::new_with_rng(
        config,
        TestRng::from_seed(RngAlgorithm::ChaCha, &seed_bytes),
    );
    // FUZZ_KEEP_GOING=1: run every case and report each kind of failure (unshrunk) at the end.
    let keep_going = std::env::var_os("FUZZ_KEEP_GOING").is_some();
    let failures: RefCell<Vec<String>> = RefCell::new(Vec::new());
    let started = Instant::now();
    let runs = std::cell::Cell::new(0u64);
    let result = runner.run(&cases::case(), |case| {
        runs.set(runs.get() + 1);
        if runs.get().is_multiple_of(250) {
            eprintln!(
                "fuzz_inbox: {} runs in {:.0?}",
                runs.get(),
                started.elapsed()
            );
        }
        match runtime.block_on(world.run(&case, &stats)) {
            Ok(()) => Ok(()),
            Err(e) if keep_going => {
                failures.borrow_mut().push(e);
                Ok(())
            }
            Err(e) => Err(TestCaseError::fail(e)),
        }
    });
    stats.borrow_mut().elapsed = started.elapsed();
    let (health, _) = runtime.block_on(world.app.get_text("/healthz"));
    let health = if health == 200 {
        String::new()
    } else {
        format!("\nAfterwards /healthz answered {health}.")
    };
    let failures = failures.into_inner();
    if !failures.is_empty() {
        panic!(
            "fuzz_inbox: {} failing cases ({repeat} FUZZ_KEEP_GOING=1){health}\n{}\n{}",
            failures.len(),
            failure_kinds(&failures),
            stats.borrow().report()
        );
    }
    match result {
        Ok(()) => {}
        // `why` is the smallest failing case's own failure, with what was sent.
        Err(TestError::Fail(why, minimal)) => panic!(
            "fuzz_inbox failed (repeat with {repeat}){health}\n{why}\n\
             The smallest failing case found, as generated: {minimal:?}\n\n{}",
            stats.borrow().report()
        ),
        Err(TestError::Abort(why)) => panic!("fuzz_inbox aborted ({repeat}): {why}"),
    }
    assert!(health.is_empty(), "the server stopped answering:{health}");
    let stats = stats.into_inner();
    eprintln!("{}", stats.report());
    if cases >= 100 {
        assert!(
            stats.comments_stored > 0,
            "no generated reply was ever stored: the fuzz never got past the parser"
        );
        let accepted: u64 = stats
            .sent
            .values()
            .flat_map(|s| s.iter())
            .filter(|(status, _)| **status == 202)
            .map(|(_, n)| n)
            .sum();
        assert!(accepted > 0, "nothing was ever accepted");
    }
    runtime.block_on(world.app.stop());
}
