//! The report's sections for the stampede and the two processes (issue 14).

use std::fmt::Write;

use crate::fanout;
use crate::processes;
use crate::report::{num, Report, Spread};
use crate::stampede::Reads;

fn reads_cells(reads: &[&Reads]) -> String {
    let spread = |f: fn(&Reads) -> f64| Spread::of(reads.iter().map(|r| f(r)));
    let errors: usize = reads.iter().map(|r| r.errors).sum();
    let requests: usize = reads.iter().map(|r| r.requests).sum();
    let mut samples: Vec<&str> = reads
        .iter()
        .flat_map(|r| r.samples.iter().map(String::as_str))
        .collect();
    samples.dedup();
    let errors = if errors == 0 {
        "0".to_string()
    } else {
        format!("**{errors}** ({})", samples.join("; "))
    };
    format!(
        "{} | {} | {} | {} | {errors}",
        num(requests as f64, 0),
        spread(|r| r.p50_ms).show(1),
        spread(|r| r.p99_ms).show(1),
        spread(|r| r.max_ms).show(1),
    )
}

fn percent(s: Spread) -> String {
    format!("{:.0} % / **{:.0} %** / {:.0} %", s.min, s.median, s.max)
}

/// A stampede's fan-out rate over the rate of the fan-out alone right before it, in %.
pub fn vs_alone(run: &crate::stampede::Run) -> f64 {
    100.0 * run.fanout.per_second() / run.solo.per_second().max(1e-9)
}

impl Report {
    pub fn stampede_markdown(&self, md: &mut String) {
        let Some(s) = &self.stampede else {
            return;
        };
        let [page, article, poster] = s.bytes;
        let alone: Vec<&fanout::Run> = s
            .variants
            .iter()
            .flat_map(|v| v.runs.iter().map(|r| &r.solo))
            .collect();
        let solo = Spread::of(alone.iter().map(|r| r.per_second()));
        let _ = writeln!(
            md,
            "## Stampede\n\nreviewpub (aws-lc signer, both cores) with {} ({} deliveries). A draft review gets a {}×{} JPEG poster \
             through `POST /api/v1/reviews/{{id}}/images`, then is published (`PATCH … status: published`): the clock starts \
             at that request. {} distinct clients, each starting at a uniformly random moment of the variant's window \
             (Mastodon fetches link previews 1–59 s after it receives a post), fetch the review page (HTML, {} bytes), the \
             Article (JSON, {} bytes) and the poster ({} bytes), in turn, each request on a new connection (no client \
             comes before the publishing request has returned). The bench keeps at most {} requests in flight. *During \
             the fan-out*: the reads that started before its last delivery. Before every stampede, the same fan-out \
             alone, published the same way ({} deliveries/s over all of them; one unmeasured fan-out before the \
             first): *vs alone* is each stampede's rate over the rate of the one right before it. The ceiling is the same clients' pattern against the bare axum \
             server (both cores) serving bodies of the same sizes.\n",
            s.case.name,
            num(alone.first().map_or(0, |r| r.expected) as f64, 0),
            s.poster.0,
            s.poster.1,
            num(s.clients as f64, 0),
            num(page as f64, 0),
            num(article as f64, 0),
            num(poster as f64, 0),
            num(s.in_flight as f64, 0),
            solo.show(0),
        );
        let _ = writeln!(
            md,
            "| variant | reads | requests | p50 (ms) | p99 (ms) | max (ms) | errors |\n|---|---|---|---|---|---|---|"
        );
        for v in &s.variants {
            let all: Vec<&Reads> = v.runs.iter().map(|r| &r.all).collect();
            let during: Vec<&Reads> = v.runs.iter().map(|r| &r.during).collect();
            let bare: Vec<&Reads> = v.bare.iter().collect();
            let _ = writeln!(md, "| {} | all | {} |", v.name, reads_cells(&all));
            for (d, what) in ["the page", "the Article", "the poster"].iter().enumerate() {
                let of: Vec<&Reads> = v.runs.iter().filter_map(|r| r.by_document.get(d)).collect();
                let _ = writeln!(
                    md,
                    "| {} | of which {what} | {} |",
                    v.name,
                    reads_cells(&of)
                );
            }
            let _ = writeln!(
                md,
                "| {} | during the fan-out | {} |",
                v.name,
                reads_cells(&during)
            );
            let _ = writeln!(
                md,
                "| {} | bare axum (ceiling) | {} |",
                v.name,
                reads_cells(&bare)
            );
        }
        let _ = writeln!(
            md,
            "\n| variant | fan-out | deliveries/s | vs alone | time to last (s) | CPU (s) | signatures checked |\n|---|---|---|---|---|---|---|"
        );
        let checked = |runs: &mut dyn Iterator<Item = &fanout::Run>| {
            let (ok, all) = runs.fold((0, 0), |(ok, all), r| {
                (ok + r.verified, all + r.verified + r.verify_failed)
            });
            format!("{ok}/{all} valid")
        };
        for v in &s.variants {
            let rate = Spread::of(v.runs.iter().map(|r| r.fanout.per_second()));
            let alone = Spread::of(v.runs.iter().map(|r| r.solo.per_second()));
            let _ = writeln!(
                md,
                "| {} | alone, right before | {} | 100 % | {} | {} | {} |",
                v.name,
                alone.show(0),
                Spread::of(v.runs.iter().map(|r| r.solo.seconds)).show(2),
                Spread::of(v.runs.iter().map(|r| r.solo.cpu_seconds)).show(2),
                checked(&mut v.runs.iter().map(|r| &r.solo)),
            );
            let _ = writeln!(
                md,
                "| {} | with the reads | {} | {} | {} | {} | {} |",
                v.name,
                rate.show(0),
                percent(Spread::of(v.runs.iter().map(vs_alone))),
                Spread::of(v.runs.iter().map(|r| r.fanout.seconds)).show(2),
                Spread::of(v.runs.iter().map(|r| r.fanout.cpu_seconds)).show(2),
                checked(&mut v.runs.iter().map(|r| &r.fanout)),
            );
        }
        md.push('\n');
    }

    pub fn processes_markdown(&self, md: &mut String) {
        if self.processes.is_empty() {
            return;
        }
        let sign = Spread::of(self.ceilings.aws_lc_sign.iter().copied()).median;
        let _ = writeln!(
            md,
            "## Two processes\n\nreviewpub A on its embedded PostgreSQL, and B on another port with A's database \
             (`REVIEWPUB_DATABASE_URL`), A's public URL and the same signer (aws-lc): one blog, two processes. The same \
             fan-outs ({}) with A alone, then with A and B running; reviews are published through A. Every sink holds \
             each delivery {} ms before answering, so that requests to one host overlap and a per-host limit that does \
             not hold across the processes shows (`federation.per_host_concurrency` is {}: a host should never see more \
             at once); this makes the rates lower than the fan-out part's. Each inbox must get the review exactly once: \
             deliveries arriving at an inbox that already had it, during the run or in the 2 s after, are counted as \
             duplicates. CPU: both processes' user+system time.\n\n\
             The ceiling of the two-process rate: the one-process rate twice, but no more than aws-lc's one-core \
             sign rate ({}/s) times the machine's cores. On this 2-core machine one process already spreads its \
             workers over both cores (and the sinks and the bench share them), so two processes can only add what \
             one leaves idle: the ceiling is a bound, not an expectation.\n",
            self.processes
                .iter()
                .map(|p| p.case.name.as_str())
                .collect::<Vec<_>>()
                .join("; "),
            processes::HOLD.as_millis(),
            processes::PER_HOST_LIMIT,
            num(sign, 0),
        );
        let _ = writeln!(
            md,
            "| case | processes | deliveries | deliveries/s | time to last (s) | CPU (s) | duplicates | most requests at once to one host | signatures checked |\n|---|---|---|---|---|---|---|---|---|"
        );
        let rows = self.processes.iter().flat_map(|p| {
            [("one (A)", &p.one), ("two (A and B)", &p.two)]
                .map(|(name, runs)| (&p.case.name, name, runs))
        });
        for (case, name, runs) in rows {
            let duplicates: usize = runs.iter().map(|r| r.duplicates).sum();
            let most = runs.iter().map(|r| r.max_host_in_flight).max().unwrap_or(0);
            let (ok, all) = runs.iter().fold((0, 0), |(ok, all), r| {
                (ok + r.verified, all + r.verified + r.verify_failed)
            });
            let _ = writeln!(
                md,
                "| {case} | {name} | {} | {} | {} | {} | {} | {} | {ok}/{all} valid |",
                num(runs.first().map_or(0, |r| r.expected) as f64, 0),
                Spread::of(runs.iter().map(fanout::Run::per_second)).show(0),
                Spread::of(runs.iter().map(|r| r.seconds)).show(2),
                Spread::of(runs.iter().map(|r| r.cpu_seconds)).show(2),
                if duplicates == 0 {
                    "0".to_string()
                } else {
                    format!("**{duplicates}** (error)")
                },
                if most <= processes::PER_HOST_LIMIT {
                    most.to_string()
                } else {
                    format!("**{most}** (over {})", processes::PER_HOST_LIMIT)
                },
            );
        }
        md.push('\n');
    }
}
