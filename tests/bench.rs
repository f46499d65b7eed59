//! The benchmark suite in smoke mode (tiny sizes, one run): it must keep working, and every
//! figure it reports must come from a real measurement. The full suite is `scripts/bench`.

// Test code may unwrap, expect and index (a panic is a failed test). clippy.toml's
// `allow-*-in-tests` exempt only `#[test]` functions and `#[cfg(test)]` modules, not the helpers
// of an integration test crate, so the whole crate is exempt here.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::path::PathBuf;
use std::process::Command;

#[test]
fn the_benchmark_suite_runs_in_smoke_mode_and_reports_every_part() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let out = dir.path().join("BENCHMARKS.md");
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let status = Command::new(env!("CARGO_BIN_EXE_reviewpub-bench"))
        .arg("--smoke")
        .arg("--repo")
        .arg(&repo)
        .arg("--reviewpub")
        .arg(env!("CARGO_BIN_EXE_reviewpub"))
        .arg("--out")
        .arg(&out)
        .status()
        .expect("reviewpub-bench runs");
    assert!(status.success(), "the smoke run failed: {status}");
    let report = std::fs::read_to_string(&out).expect("the report");
    for section in [
        "## Targets",
        "## Ceilings",
        "## Fan-out",
        "## Inbox",
        "## Reads",
        "## Memory",
    ] {
        assert!(report.contains(section), "no {section} in:\n{report}");
    }
    // The figures that matter are measured and positive: deliveries/s of every fan-out case,
    // the inbox's stored/s, every endpoint's requests/s, and the ceilings.
    let section = |name: &str| -> Vec<Vec<String>> {
        let start = report.find(name).unwrap_or_else(|| panic!("{name}"));
        report[start..]
            .lines()
            .skip(1)
            .take_while(|l| !l.starts_with("## "))
            .filter(|l| l.starts_with("| ") && !l.contains("---"))
            .skip(1)
            .map(|l| l.split('|').map(|c| c.trim().to_string()).collect())
            .collect()
    };
    let median = |cell: &str| -> f64 {
        cell.split("**")
            .nth(1)
            .and_then(|m| m.replace(',', "").parse().ok())
            .unwrap_or_else(|| panic!("no median in {cell:?}:\n{report}"))
    };
    let fanout = section("## Fan-out");
    assert_eq!(fanout.len(), 4, "two cases × two signers:\n{report}");
    for row in &fanout {
        assert!(median(&row[4]) > 0.0, "deliveries/s in {row:?}");
    }
    let reads = section("## Reads");
    assert_eq!(reads.len(), 6, "six endpoints:\n{report}");
    for row in &reads {
        assert!(median(&row[3]) > 0.0, "req/s in {row:?}");
    }
    for row in section("## Ceilings") {
        assert!(median(&row[2]) > 0.0, "ceiling {row:?}");
    }
    let inbox = section("## Inbox");
    let stored = inbox
        .iter()
        .find(|r| r[1].starts_with("stored/s"))
        .expect("stored/s");
    assert!(median(&stored[2]) > 0.0, "{stored:?}");
    // The sinks checked the signatures they sampled, and all were valid.
    assert!(report.contains(" valid |"), "{report}");
    assert!(
        !report.contains("0/0 valid"),
        "no signature was checked:\n{report}"
    );
}
