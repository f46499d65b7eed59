//! The benchmark suite in smoke mode (tiny sizes, one run): it must keep working, and every
//! figure it reports must come from a real measurement. The full suite is `scripts/bench`.
//! It needs the suite's programs (openssl, pgbench, psql, wrk, taskset, snac2), which
//! scripts/install-test-deps installs.

// Test code may unwrap, expect and index (a panic is a failed test). clippy.toml's
// `allow-*-in-tests` exempt only `#[test]` functions and `#[cfg(test)]` modules, not the helpers
// of an integration test crate, so the whole crate is exempt here.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The repository: the workspace root, this crate's parent.
fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("bench/ has a parent")
        .to_path_buf()
}

/// The server's binary, fresh. Cargo builds a package's own binaries for its tests
/// (`CARGO_BIN_EXE_reviewpub-bench`), not those of the packages it depends on, so
/// `cargo test -p reviewpub-bench` alone would leave any `reviewpub` binary in the target
/// directory as old as the last build that made it. So cargo builds it here (nothing to do when it
/// is fresh, as after `cargo test --workspace`) in this test's profile, and names the file in its
/// JSON messages.
fn reviewpub_binary() -> PathBuf {
    let mut cargo = Command::new(env!("CARGO"));
    cargo
        .current_dir(repo())
        .args([
            "build",
            "--locked",
            "--package",
            "reviewpub",
            "--bin",
            "reviewpub",
        ])
        .arg("--message-format=json-render-diagnostics")
        .stderr(Stdio::inherit());
    // Without the variables cargo set for this test (CARGO_PKG_NAME=reviewpub-bench, ...): build
    // scripts that watch them (ring's, with `rerun-if-env-changed`) would see them change, and
    // this build and the next one from a shell would each rebuild everything above ring.
    for (name, _) in std::env::vars_os() {
        let set_by_cargo = name.to_str().is_some_and(|name| {
            name.starts_with("CARGO_PKG_")
                || name.starts_with("CARGO_BIN_EXE_")
                || matches!(
                    name,
                    "CARGO_MANIFEST_DIR"
                        | "CARGO_MANIFEST_PATH"
                        | "CARGO_MANIFEST_LINKS"
                        | "CARGO_CRATE_NAME"
                        | "CARGO_BIN_NAME"
                        | "CARGO_PRIMARY_PACKAGE"
                        | "CARGO_TARGET_TMPDIR"
                        | "OUT_DIR"
                )
        });
        if set_by_cargo {
            cargo.env_remove(name);
        }
    }
    if !cfg!(debug_assertions) {
        cargo.arg("--release");
    }
    let output = cargo.output().expect("cargo runs");
    assert!(output.status.success(), "cargo build: {}", output.status);
    let stdout = String::from_utf8(output.stdout).expect("cargo's messages are UTF-8");
    stdout
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|m| m["reason"] == "compiler-artifact" && m["target"]["name"] == "reviewpub")
        .find_map(|m| m["executable"].as_str().map(PathBuf::from))
        .unwrap_or_else(|| panic!("cargo named no reviewpub executable:\n{stdout}"))
}

#[test]
fn the_benchmark_suite_runs_in_smoke_mode_and_reports_every_part() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let out = dir.path().join("BENCHMARKS.md");
    let status = Command::new(env!("CARGO_BIN_EXE_reviewpub-bench"))
        .arg("--smoke")
        .arg("--repo")
        .arg(repo())
        .arg("--reviewpub")
        .arg(reviewpub_binary())
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
        "## Stampede",
        "## Two processes",
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
    assert_eq!(fanout.len(), 6, "two cases × three signers:\n{report}");
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
    // The stampede's reads were made and all answered; its fan-out and the one alone delivered.
    let stampede = section("## Stampede");
    let reads = stampede
        .iter()
        .filter(|r| r[2] == "all")
        .collect::<Vec<_>>();
    assert_eq!(reads.len(), 2, "two variants:\n{report}");
    for row in reads {
        assert!(
            row[3].replace(',', "").parse::<u64>().unwrap() > 0,
            "{row:?}"
        );
        assert!(median(&row[5]) > 0.0, "p99 in {row:?}");
        assert_eq!(row[7], "0", "errors in {row:?}");
    }
    let fanouts = stampede
        .iter()
        .filter(|r| r[2] == "alone, right before" || r[2] == "with the reads")
        .collect::<Vec<_>>();
    assert_eq!(
        fanouts.len(),
        4,
        "alone and with the reads, two variants:\n{report}"
    );
    for row in fanouts {
        assert!(median(&row[3]) > 0.0, "deliveries/s in {row:?}");
    }
    // Two processes: both rows measured, no inbox got the review twice.
    let processes = section("## Two processes");
    assert_eq!(
        processes.len(),
        4,
        "two cases, one and two processes:\n{report}"
    );
    for row in &processes {
        assert!(median(&row[4]) > 0.0, "deliveries/s in {row:?}");
        assert_eq!(row[7], "0", "duplicates in {row:?}");
    }
    // The sinks checked the signatures they sampled, and all were valid.
    assert!(report.contains(" valid |"), "{report}");
    assert!(
        !report.contains("0/0 valid"),
        "no signature was checked:\n{report}"
    );
}
