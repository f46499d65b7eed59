//! The Targets table (issues 5 and 14): each target, the figure that decides it, and the
//! ceiling measured in the same run that bounds it.

use std::fmt::Write;

use crate::fanout;
use crate::report::{median_rps, mib, num, Report, Spread};

/// One row of the table.
pub struct Target {
    pub target: String,
    pub measured: String,
    /// The figure that bounds it and what it is.
    pub ceiling: String,
    /// `None`: measured, with no threshold to meet.
    pub met: Option<bool>,
}

fn row(target: impl Into<String>, measured: String, ceiling: String, met: Option<bool>) -> Target {
    Target {
        target: target.into(),
        measured,
        ceiling,
        met,
    }
}

fn median(values: &[f64]) -> f64 {
    Spread::of(values.iter().copied()).median
}

impl Report {
    /// The best personal-inbox fan-out of one signer: (deliveries/s, case name).
    fn best_fanout(&self, backend: &str) -> Option<(f64, &str)> {
        self.fanout
            .iter()
            .filter(|f| !f.case.shared_inboxes && f.backend == backend)
            .map(|f| {
                (
                    Spread::of(f.runs.iter().map(fanout::Run::per_second)).median,
                    f.case.name.as_str(),
                )
            })
            .max_by(|a, b| a.0.total_cmp(&b.0))
    }

    pub fn targets(&self) -> Vec<Target> {
        let mut rows = Vec::new();
        let c = &self.ceilings;
        let openssl = self.openssl_sign();
        if let Some((best, case)) = self.best_fanout("aws-lc").or(self.best_fanout("ring")) {
            let ring = self
                .best_fanout("ring")
                .map(|(r, _)| format!("; ring: {} ({:.0} %)", num(r, 0), 100.0 * r / openssl))
                .unwrap_or_default();
            rows.push(row(
                "Fan-out ≥ 70 % of OpenSSL's RSA-2048 sign rate on one core",
                format!(
                    "aws-lc: {} deliveries/s ({case}) = {:.0} %{ring}",
                    num(best, 0),
                    100.0 * best / openssl
                ),
                format!(
                    "{} sign/s (`openssl speed`, one core); in process: aws-lc {}, ring {}",
                    num(openssl, 0),
                    num(median(&c.aws_lc_sign), 0),
                    num(median(&c.ring_sign), 0)
                ),
                Some(best >= 0.7 * openssl),
            ));
        }
        if !self.inbox.is_empty() {
            let stored = Spread::of(self.inbox.iter().map(|r| r.stored_per_second)).median;
            rows.push(row(
                "Inbox ≥ 2,000 verified replies stored per second",
                format!("{} replies/s", num(stored, 0)),
                format!(
                    "{} verify/s (`openssl speed`, one core; in process: aws-lc {}, ring {}, `rsa` crate {}); {} inserts/s (pgbench)",
                    num(median(&c.openssl_verify), 0),
                    num(median(&c.aws_lc_verify), 0),
                    num(median(&c.ring_verify), 0),
                    num(median(&c.rsa_verify), 0),
                    num(median(&c.pg_inserts), 0)
                ),
                Some(stored >= 2000.0),
            ));
            let peak = Spread::of(self.inbox.iter().map(|r| mib(r.peak_rss_kib as f64))).median;
            rows.push(row(
                "Inbox peak RSS ≤ 64 MiB",
                format!("{peak:.1} MiB"),
                "none: a budget, not a rate".into(),
                Some(peak <= 64.0),
            ));
        }
        for r in &self.reads {
            if r.endpoint.contains("index") || r.endpoint.contains("Atom") {
                continue;
            }
            let ours = median_rps(&r.reviewpub);
            let bare = median_rps(&r.bare);
            let ceiling = format!("{} req/s (bare axum, same body size)", num(bare, 0));
            rows.push(row(
                format!("Reads: {} ≥ 50 % of bare axum", r.endpoint),
                format!("{} req/s = {:.0} %", num(ours, 0), 100.0 * ours / bare),
                ceiling.clone(),
                Some(ours >= 0.5 * bare),
            ));
            if !r.snac.is_empty() {
                let snac = median_rps(&r.snac);
                rows.push(row(
                    format!("Reads: {} ≥ 5× snac2", r.endpoint),
                    format!("{:.1}× ({} req/s)", ours / snac, num(snac, 0)),
                    ceiling,
                    Some(ours >= 5.0 * snac),
                ));
            }
        }
        self.stampede_targets(&mut rows);
        self.processes_targets(&mut rows);
        if let Some((_, idle, _)) = self.memory.rows.first() {
            rows.push(row(
                "Idle RSS ≤ 20 MB",
                format!(
                    "{:.1} MiB ({} kB)",
                    mib(*idle as f64),
                    num(*idle as f64 * 1.024, 0)
                ),
                "none: a budget, not a rate".into(),
                Some((*idle as f64) * 1024.0 <= 20_000_000.0),
            ));
        }
        rows
    }

    fn stampede_targets(&self, rows: &mut Vec<Target>) {
        let Some(s) = &self.stampede else {
            return;
        };
        for v in &s.variants {
            let p99 = median(&v.runs.iter().map(|r| r.all.p99_ms).collect::<Vec<_>>());
            let during = median(&v.runs.iter().map(|r| r.during.p99_ms).collect::<Vec<_>>());
            let errors: usize = v.runs.iter().map(|r| r.all.errors).sum();
            let bare = median(&v.bare.iter().map(|r| r.p99_ms).collect::<Vec<_>>());
            rows.push(row(
                format!("Stampede ({}): reads p99 < 50 ms, no error", v.name),
                format!("p99 {p99:.1} ms ({during:.1} ms during the fan-out), {errors} errors"),
                format!("p99 {bare:.1} ms (the same clients against bare axum)"),
                Some(p99 < 50.0 && errors == 0),
            ));
            let rate = Spread::of(v.runs.iter().map(|r| r.fanout.per_second())).median;
            let solo = Spread::of(v.runs.iter().map(|r| r.solo.per_second())).median;
            let ratio = Spread::of(v.runs.iter().map(crate::sections::vs_alone)).median;
            rows.push(row(
                format!("Stampede ({}): fan-out within 20 % of solo", v.name),
                format!("{} deliveries/s = {ratio:.0} % of solo", num(rate, 0)),
                format!(
                    "{} deliveries/s (the same fan-out alone, right before)",
                    num(solo, 0)
                ),
                Some(ratio >= 80.0),
            ));
        }
    }

    fn processes_targets(&self, rows: &mut Vec<Target>) {
        let sign = median(&self.ceilings.aws_lc_sign);
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as f64;
        for p in &self.processes {
            let one = Spread::of(p.one.iter().map(fanout::Run::per_second)).median;
            let two = Spread::of(p.two.iter().map(fanout::Run::per_second)).median;
            rows.push(row(
                format!("Two processes ({}): deliveries/s (no threshold)", p.case.name),
                format!(
                    "{} with two, {} with one ({:.2}×)",
                    num(two, 0),
                    num(one, 0),
                    two / one
                ),
                format!(
                    "{} deliveries/s: the lower of one process ×2 and aws-lc's sign rate × {cores} cores",
                    num((2.0 * one).min(sign * cores), 0)
                ),
                None,
            ));
        }
        if self.processes.is_empty() {
            return;
        }
        let two = || self.processes.iter().flat_map(|p| p.two.iter());
        let duplicates: usize = two().map(|r| r.duplicates).sum();
        let missing: usize = self
            .processes
            .iter()
            .flat_map(|p| p.one.iter().chain(&p.two))
            .map(|r| r.expected - r.delivered)
            .sum();
        rows.push(row(
            "Two processes: every inbox receives the review exactly once",
            format!("{duplicates} duplicates, {missing} missing"),
            "–".into(),
            Some(duplicates == 0 && missing == 0),
        ));
        let limit = crate::processes::PER_HOST_LIMIT;
        let most = two().map(|r| r.max_host_in_flight).max().unwrap_or(0);
        let one = self
            .processes
            .iter()
            .flat_map(|p| p.one.iter())
            .map(|r| r.max_host_in_flight)
            .max()
            .unwrap_or(0);
        rows.push(row(
            format!("Two processes: ≤ {limit} requests at once to one host"),
            format!("{most} at most (one process: {one})"),
            format!("{limit} (`federation.per_host_concurrency`)"),
            Some(most <= limit),
        ));
    }

    pub fn targets_markdown(&self, md: &mut String) {
        let _ = writeln!(
            md,
            "## Targets\n\nEvery ceiling was measured in this run. \"–\" in *met*: a figure with no threshold.\n\n\
             | target | measured | ceiling (what bounds it) | met |\n|---|---|---|---|"
        );
        for t in self.targets() {
            let met = match t.met {
                Some(true) => "yes",
                Some(false) => "**no**",
                None => "–",
            };
            let _ = writeln!(
                md,
                "| {} | {} | {} | {met} |",
                t.target, t.measured, t.ceiling
            );
        }
        md.push('\n');
    }
}
