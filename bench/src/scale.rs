//! The sizes of one suite run (full or smoke) and the faults of the sink hosts.

use std::time::Duration;

use crate::{fanout, inbox, sink, stampede, Args};

/// Sizes of one suite run.
pub struct Scale {
    pub runs: usize,
    pub fanout: Vec<fanout::Case>,
    pub sink_hosts: usize,
    pub inbox: inbox::Scale,
    pub inbox_hosts: usize,
    pub read_seconds: u64,
    pub connections: usize,
    pub cpu_window: Duration,
    pub openssl_seconds: u64,
    pub pgbench_seconds: u64,
    pub pgbench_clients: usize,
    pub stampede: stampede::Scale,
    /// The fan-outs of the two-processes part.
    pub processes: Vec<fanout::Case>,
}

fn case(
    name: &str,
    followers: usize,
    hosts: usize,
    shared_inboxes: bool,
    faults: bool,
) -> fanout::Case {
    fanout::Case {
        name: name.to_string(),
        followers,
        hosts,
        shared_inboxes,
        faults,
    }
}

impl Scale {
    pub fn new(args: &Args) -> Self {
        if args.smoke {
            return Self {
                runs: 1,
                fanout: vec![
                    case(
                        "40 followers on 20 hosts, shared inboxes, faults",
                        40,
                        20,
                        true,
                        true,
                    ),
                    case(
                        "20 personal inboxes on 20 hosts, faults",
                        20,
                        20,
                        false,
                        true,
                    ),
                ],
                sink_hosts: 20,
                inbox: inbox::Scale {
                    replies: 20,
                    actors: 5,
                    concurrency: 8,
                    duplicate_share: 0.1,
                    bad_share: 0.1,
                },
                inbox_hosts: 2,
                read_seconds: args.read_seconds.unwrap_or(1),
                connections: 8,
                cpu_window: Duration::from_millis(200),
                openssl_seconds: 1,
                pgbench_seconds: 1,
                pgbench_clients: 2,
                stampede: stampede::Scale {
                    case: case(
                        "40 personal inboxes on 20 hosts, no faults",
                        40,
                        20,
                        false,
                        false,
                    ),
                    clients: 20,
                    windows: vec![("over 0.5–2 s", 0.5, 2.0), ("compressed, 0–1 s", 0.0, 1.0)],
                    poster: (300, 450),
                    in_flight: 64,
                },
                processes: vec![
                    case(
                        "40 personal inboxes on 20 hosts, no faults",
                        40,
                        20,
                        false,
                        false,
                    ),
                    case(
                        "40 personal inboxes on 2 hosts, no faults",
                        40,
                        2,
                        false,
                        false,
                    ),
                ],
            };
        }
        Self {
            runs: args.runs.max(1),
            fanout: vec![
                case(
                    "10,000 followers on 1,000 hosts, shared inboxes, faults",
                    10_000,
                    1_000,
                    true,
                    true,
                ),
                case(
                    "10,000 followers on 1,000 hosts, personal inboxes, faults",
                    10_000,
                    1_000,
                    false,
                    true,
                ),
                case(
                    "10,000 followers on 1,000 hosts, personal inboxes, no faults",
                    10_000,
                    1_000,
                    false,
                    false,
                ),
                case(
                    "2,000 personal inboxes on 2,000 hosts, faults",
                    2_000,
                    2_000,
                    false,
                    true,
                ),
            ],
            sink_hosts: 2_000,
            inbox: inbox::Scale {
                replies: 3_000,
                actors: 1_000,
                concurrency: 64,
                duplicate_share: 0.05,
                bad_share: 0.05,
            },
            inbox_hosts: 10,
            read_seconds: args.read_seconds.unwrap_or(5),
            connections: 64,
            cpu_window: Duration::from_secs(2),
            openssl_seconds: 3,
            pgbench_seconds: 5,
            pgbench_clients: 16,
            stampede: stampede::Scale {
                case: no_faults(),
                clients: 2_000,
                windows: vec![
                    ("link previews over 1–59 s", 1.0, 59.0),
                    ("compressed into the fan-out, 0–4 s", 0.0, 4.0),
                ],
                poster: (1200, 1800),
                in_flight: 512,
            },
            processes: vec![
                no_faults(),
                // 1,000 inboxes a host: the per-host limit is what bounds each host.
                case(
                    "10,000 personal inboxes on 10 hosts, no faults",
                    10_000,
                    10,
                    false,
                    false,
                ),
            ],
        }
    }
}

fn no_faults() -> fanout::Case {
    case(
        "10,000 followers on 1,000 hosts, personal inboxes, no faults",
        10_000,
        1_000,
        false,
        false,
    )
}

/// 2 % of hosts answer 503, 1 % never answer (when faults are on).
pub fn behaviour(i: usize) -> sink::Behaviour {
    if i % 50 == 7 {
        sink::Behaviour::Unavailable
    } else if i % 100 == 13 {
        sink::Behaviour::Hang
    } else {
        sink::Behaviour::Accept
    }
}
