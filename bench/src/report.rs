//! The figures of a run, and `BENCHMARKS.md` written from them.

use std::fmt::Write;

use crate::{fanout, inbox, processes, reads, stampede};

/// min / median / max of a run's repetitions.
#[derive(Debug, Clone, Copy, Default)]
pub struct Spread {
    pub min: f64,
    pub median: f64,
    pub max: f64,
}

impl Spread {
    pub fn of(values: impl IntoIterator<Item = f64>) -> Self {
        let mut v: Vec<f64> = values.into_iter().filter(|x| x.is_finite()).collect();
        v.sort_by(f64::total_cmp);
        let (Some(&min), Some(&max)) = (v.first(), v.last()) else {
            return Self::default();
        };
        // The middle value, or the two middle ones of an even count.
        let median = match v.get((v.len() - 1) / 2..=v.len() / 2) {
            Some(&[middle]) => middle,
            Some(&[lower, upper]) => (lower + upper) / 2.0,
            _ => return Self::default(),
        };
        Self { min, median, max }
    }

    pub fn show(&self, decimals: usize) -> String {
        format!(
            "{} / **{}** / {}",
            num(self.min, decimals),
            num(self.median, decimals),
            num(self.max, decimals)
        )
    }
}

/// A number with thousands separators.
pub fn num(x: f64, decimals: usize) -> String {
    let s = format!("{x:.decimals$}");
    let (int, frac) = s
        .split_once('.')
        .map_or((s.as_str(), None), |(i, f)| (i, Some(f)));
    let (sign, digits) = int.strip_prefix('-').map_or(("", int), |d| ("-", d));
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    match frac {
        Some(f) => format!("{sign}{out}.{f}"),
        None => format!("{sign}{out}"),
    }
}

pub fn mib(kib: f64) -> f64 {
    kib / 1024.0
}

#[derive(Debug, Default)]
pub struct Ceilings {
    pub openssl_sign: Vec<f64>,
    pub openssl_verify: Vec<f64>,
    pub rsa_sign: Vec<f64>,
    pub ring_sign: Vec<f64>,
    pub aws_lc_sign: Vec<f64>,
    pub rsa_verify: Vec<f64>,
    pub ring_verify: Vec<f64>,
    pub aws_lc_verify: Vec<f64>,
    pub pg_inserts: Vec<f64>,
    pub pg_clients: usize,
}

#[derive(Debug)]
pub struct FanoutResult {
    pub case: fanout::Case,
    pub backend: &'static str,
    pub runs: Vec<fanout::Run>,
}

#[derive(Debug)]
pub struct ReadResult {
    pub endpoint: &'static str,
    pub bytes: usize,
    pub reviewpub: Vec<reads::Load>,
    pub bare: Vec<reads::Load>,
    pub snac: Vec<reads::Load>,
    pub snac_what: Option<&'static str>,
}

#[derive(Debug, Default)]
pub struct Memory {
    /// (moment, reviewpub RSS KiB, PostgreSQL PSS KiB)
    pub rows: Vec<(String, u64, Option<u64>)>,
    pub peak_kib: u64,
}

#[derive(Debug, Default)]
pub struct Report {
    pub smoke: bool,
    pub runs: usize,
    pub command: String,
    pub environment: Vec<(String, String)>,
    pub ceilings: Ceilings,
    pub fanout: Vec<FanoutResult>,
    pub inbox: Vec<inbox::Run>,
    pub inbox_scale: Option<inbox::Scale>,
    pub reads: Vec<ReadResult>,
    pub read_seconds: u64,
    pub connections: usize,
    pub memory: Memory,
    pub stampede: Option<stampede::StampedeResult>,
    pub processes: Vec<processes::ProcessesResult>,
}

pub fn median_rps(loads: &[reads::Load]) -> f64 {
    Spread::of(loads.iter().map(|l| l.requests_per_second)).median
}

impl Report {
    pub fn openssl_sign(&self) -> f64 {
        Spread::of(self.ceilings.openssl_sign.iter().copied()).median
    }

    pub fn markdown(&self) -> String {
        let mut md = String::new();
        let _ = writeln!(md, "# Benchmarks\n");
        if self.smoke {
            let _ = writeln!(md, "**Smoke run** (tiny sizes, one repetition): it only shows that the suite works. The full figures come from `scripts/bench`.\n");
        }
        let _ = writeln!(
            md,
            "Written by `reviewpub-bench` (run by `scripts/bench`). Every figure is min / **median** / max of {} runs; \
             every ceiling was measured in the same run, on the same machine, because absolute figures drift on shared machines. \
             reviewpub runs as a release build on its embedded PostgreSQL; the load comes from a second process over loopback.\n",
            self.runs
        );
        let _ = writeln!(md, "Command: `{}`\n", self.command);
        let _ = writeln!(md, "| | |\n|---|---|");
        for (k, v) in &self.environment {
            let _ = writeln!(md, "| {k} | {v} |");
        }
        md.push('\n');

        self.targets_markdown(&mut md);

        let c = &self.ceilings;
        let _ = writeln!(
            md,
            "## Ceilings (one core each)\n\n| ceiling | min / **median** / max |\n|---|---|"
        );
        for (name, values) in [
            ("RSA-2048 sign/s, `openssl speed rsa2048`", &c.openssl_sign),
            ("RSA-2048 sign/s, reviewpub's signer, ring backend", &c.ring_sign),
            ("RSA-2048 sign/s, reviewpub's signer, aws-lc backend", &c.aws_lc_sign),
            ("RSA-2048 sign/s, reviewpub's signer, `rsa` crate backend (as activitypub_federation signs)", &c.rsa_sign),
            ("RSA-2048 verify/s, `openssl speed rsa2048`", &c.openssl_verify),
            ("RSA-2048 verify/s, `rsa` crate (as activitypub_federation verifies; reviewpub's `rsa` backend)", &c.rsa_verify),
            ("RSA-2048 verify/s, ring (reviewpub's `ring` backend), same key and signature", &c.ring_verify),
            ("RSA-2048 verify/s, aws-lc (reviewpub's `aws-lc` backend, which verifies the inbox here), same key and signature", &c.aws_lc_verify),
        ] {
            let _ = writeln!(md, "| {name} | {} |", Spread::of(values.iter().copied()).show(0));
        }
        let _ = writeln!(
            md,
            "| PostgreSQL single-row inserts/s, `pgbench` custom script, {} clients, same cluster (all cores) | {} |\n",
            c.pg_clients,
            Spread::of(c.pg_inserts.iter().copied()).show(0)
        );

        if !self.fanout.is_empty() {
            let openssl = self.openssl_sign();
            let _ = writeln!(
                md,
                "## Fan-out\n\nFollowers are rows in `followers` pointing at sink hosts on loopback ports; a review is published through the admin API \
                 and the clock runs from that request to the last delivery reaching a healthy inbox. With faults on, 2 % of the hosts answer 503 and \
                 1 % never answer (reviewpub's 10 s timeout ends those requests); their deliveries are not waited for. Sinks check the `Digest` and the \
                 signature (with reviewpub's verifier) of every 50th delivery (every one in smoke mode). CPU is reviewpub's user+system time over the run (its embedded \
                 PostgreSQL is apart). Ratio: deliveries/s over OpenSSL's one-core sign rate ({}/s).\n",
                num(openssl, 0)
            );
            let _ = writeln!(md, "| case | signer | deliveries | deliveries/s | time to last (s) | CPU (s) | peak RSS (MiB) | vs OpenSSL | signatures checked |");
            let _ = writeln!(md, "|---|---|---|---|---|---|---|---|---|");
            for f in &self.fanout {
                let rate = Spread::of(f.runs.iter().map(fanout::Run::per_second));
                let checked: u64 = f.runs.iter().map(|r| r.verified + r.verify_failed).sum();
                let ok: u64 = f.runs.iter().map(|r| r.verified).sum();
                let _ = writeln!(
                    md,
                    "| {} | {} | {} | {} | {} | {} | {} | {:.0} % | {ok}/{checked} valid |",
                    f.case.name,
                    f.backend,
                    num(f.runs.first().map_or(0, |r| r.expected) as f64, 0),
                    rate.show(0),
                    Spread::of(f.runs.iter().map(|r| r.seconds)).show(2),
                    Spread::of(f.runs.iter().map(|r| r.cpu_seconds)).show(2),
                    Spread::of(f.runs.iter().map(|r| mib(r.peak_rss_kib as f64))).show(1),
                    100.0 * rate.median / openssl,
                );
            }
            md.push('\n');
        }

        if let (Some(scale), Some(first)) = (&self.inbox_scale, self.inbox.first()) {
            let pg = Spread::of(c.pg_inserts.iter().copied()).median;
            let verify = Spread::of(c.aws_lc_verify.iter().copied()).median;
            let _ = writeln!(
                md,
                "## Inbox\n\nPer run: {} distinct replies (`Create{{Note}}` in reply to a review) from {} remote actors that reviewpub has never seen \
                 (it fetches each actor document from the sink), plus {} duplicates (an earlier activity delivered again) and {} requests signed with \
                 the wrong key, shuffled, posted to `/inbox` with {} in flight, to a reviewpub of its own (started for this part, backend aws-lc, which verifies the signatures and signs the actor fetches). All requests are signed before the clock starts. Duplicates must be \
                 acknowledged and not stored twice; bad signatures must get 401 (after one refetch of the actor's key).\n",
                scale.replies,
                scale.actors,
                first.duplicates,
                first.bad,
                scale.concurrency
            );
            let _ = writeln!(
                md,
                "| figure | min / **median** / max | ceiling (median) | ratio |\n|---|---|---|---|"
            );
            let stored = Spread::of(self.inbox.iter().map(|r| r.stored_per_second));
            let _ = writeln!(
                md,
                "| accepted/s (valid + duplicates answered 2xx) | {} | | |",
                Spread::of(self.inbox.iter().map(|r| r.accepted_per_second)).show(0)
            );
            let _ = writeln!(md, "| stored/s (distinct replies in PostgreSQL) | {} | {} inserts/s (pgbench) | {:.0} % |", stored.show(0), num(pg, 0), 100.0 * stored.median / pg);
            let _ = writeln!(md, "| stored/s against one core's RSA verify rate | | {} verify/s (aws-lc) | {:.0} % |", num(verify, 0), 100.0 * stored.median / verify);
            let _ = writeln!(
                md,
                "| latency p50 (ms) | {} | | |",
                Spread::of(self.inbox.iter().map(|r| r.p50_ms)).show(1)
            );
            let _ = writeln!(
                md,
                "| latency p99 (ms) | {} | | |",
                Spread::of(self.inbox.iter().map(|r| r.p99_ms)).show(1)
            );
            let _ = writeln!(
                md,
                "| reviewpub CPU per run (s) | {} | | |",
                Spread::of(self.inbox.iter().map(|r| r.cpu_seconds)).show(2)
            );
            let _ = writeln!(
                md,
                "| reviewpub peak RSS (MiB) | {} | | |",
                Spread::of(self.inbox.iter().map(|r| mib(r.peak_rss_kib as f64))).show(1)
            );
            let total_bad: usize = self.inbox.iter().map(|r| r.bad).sum();
            let refused: usize = self.inbox.iter().map(|r| r.bad_refused).sum();
            let stored_total: i64 = self.inbox.iter().map(|r| r.stored).sum();
            let fetches: u64 = self.inbox.iter().map(|r| r.actor_fetches).sum();
            let _ = writeln!(
                md,
                "\nOver all runs: {} requests, {} of them distinct valid replies; {stored_total} replies stored for {} distinct ones sent ({} duplicates sent, none stored twice); {refused} of {total_bad} bad signatures refused with 401; {fetches} actor documents fetched.\n",
                self.inbox.iter().map(|r| r.requests).sum::<usize>(),
                self.inbox.iter().map(|r| r.valid).sum::<usize>(),
                self.inbox.len() * scale.replies,
                self.inbox.iter().map(|r| r.duplicates).sum::<usize>(),
            );
        }

        self.stampede_markdown(&mut md);
        self.processes_markdown(&mut md);

        if !self.reads.is_empty() {
            let _ = writeln!(
                md,
                "## Reads\n\n`wrk -t1 -c{} -d{}s` pinned to CPU 1; each server pinned to CPU 0 (reviewpub together with the PostgreSQL it starts). The ceiling is a bare \
                 axum handler (built by the bench) returning a fixed body of the same size; snac2 serves the same kind of document (its actor, its \
                 WebFinger, one of its notes). JSON endpoints are asked with Mastodon's `Accept` header.\n",
                self.connections, self.read_seconds
            );
            let _ = writeln!(md, "| endpoint | body (bytes) | reviewpub req/s | p50 / p99 (ms) | bare axum req/s | vs bare | snac2 req/s | vs snac2 |");
            let _ = writeln!(md, "|---|---|---|---|---|---|---|---|");
            for r in &self.reads {
                let ours = Spread::of(r.reviewpub.iter().map(|l| l.requests_per_second));
                let bare = median_rps(&r.bare);
                let (snac, vs) = if r.snac.is_empty() {
                    ("–".to_string(), "–".to_string())
                } else {
                    let s = median_rps(&r.snac);
                    let errors: u64 = r.snac.iter().map(|l| l.errors).sum();
                    let errors = if errors > 0 {
                        format!(", {errors} failed requests")
                    } else {
                        String::new()
                    };
                    (
                        format!("{} ({}{errors})", num(s, 0), r.snac_what.unwrap_or("")),
                        format!("{:.1}×", ours.median / s),
                    )
                };
                let _ = writeln!(
                    md,
                    "| {} | {} | {} | {} / {} | {} | {:.0} % | {snac} | {vs} |",
                    r.endpoint,
                    num(r.bytes as f64, 0),
                    ours.show(0),
                    num(Spread::of(r.reviewpub.iter().map(|l| l.p50_ms)).median, 2),
                    num(Spread::of(r.reviewpub.iter().map(|l| l.p99_ms)).median, 2),
                    num(bare, 0),
                    100.0 * ours.median / bare,
                );
            }
            md.push('\n');
        }

        if !self.memory.rows.is_empty() {
            let _ = writeln!(md, "## Memory\n\n| moment | reviewpub RSS (MiB) | embedded PostgreSQL PSS (MiB, all its processes) |\n|---|---|---|");
            for (moment, rss, pg) in &self.memory.rows {
                let _ = writeln!(
                    md,
                    "| {moment} | {:.1} | {} |",
                    mib(*rss as f64),
                    pg.map_or("–".into(), |p| format!("{:.1}", mib(p as f64)))
                );
            }
            let _ = writeln!(
                md,
                "| peak over the whole run (`VmHWM`) | {:.1} | |\n",
                mib(self.memory.peak_kib as f64)
            );
        }
        md
    }
}
