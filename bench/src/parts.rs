//! The suite's parts in order: the ceilings, then fan-out and inbox against the server under
//! each signing backend, the stampede and the two processes, then the reads; the memory figures
//! are taken between them.

use std::time::Duration;

use anyhow::{Context, Result};
use reviewpub::federation::signatures::SigningBackend;

use crate::environment::environment;
use crate::report::{FanoutResult, Report};
use crate::scale::{behaviour, Scale};
use crate::{
    api, ceilings, fanout, inbox, proc, processes, read_part, sink, stampede, wants, Args,
};

pub async fn run_suite(
    args: &Args,
    scale: &Scale,
    repo: &std::path::Path,
    binary: &std::path::Path,
    work: &std::path::Path,
) -> Result<Report> {
    let mut report = Report {
        smoke: args.smoke,
        runs: scale.runs,
        command: std::env::args().collect::<Vec<_>>().join(" "),
        environment: environment(binary),
        read_seconds: scale.read_seconds,
        connections: scale.connections,
        inbox_scale: Some(scale.inbox.clone()),
        ..Report::default()
    };
    report.ceilings.pg_clients = scale.pgbench_clients;
    let data_dir = work.join("data");
    std::fs::create_dir_all(&data_dir)?;
    let options = |backend, cpu| proc::Options {
        binary: binary.to_path_buf(),
        data_dir: data_dir.clone(),
        samples: repo.join("../shared/samples"),
        backend,
        cpu,
        port: 0,
        token: "bench-admin-token".into(),
        database_url: None,
        public_url: None,
        demo: true,
    };

    tracing::info!("generating key pairs for the remote actors");
    let keys = inbox::keys(4)?;

    // Ceilings that need no server.
    for run in 0..scale.runs {
        tracing::info!(run, "ceilings: RSA");
        let (sign, verify) = ceilings::openssl(scale.openssl_seconds)?;
        report.ceilings.openssl_sign.push(sign);
        report.ceilings.openssl_verify.push(verify);
        let measured =
            ceilings::in_process(keys.first().context("no key pair")?, scale.cpu_window)?;
        report.ceilings.rsa_sign.push(measured.rsa_sign);
        report.ceilings.ring_sign.push(measured.ring_sign);
        report.ceilings.aws_lc_sign.push(measured.aws_lc_sign);
        report.ceilings.rsa_verify.push(measured.rsa_verify);
        report.ceilings.ring_verify.push(measured.ring_verify);
        report.ceilings.aws_lc_verify.push(measured.aws_lc_verify);
    }

    let sinks = sink::Sinks::start(scale.sink_hosts, behaviour).await?;
    sinks.set_verify_every(if args.smoke { 1 } else { 50 });
    for backend in [
        SigningBackend::Rsa,
        SigningBackend::Ring,
        SigningBackend::AwsLc,
    ] {
        let server = proc::Reviewpub::start(proc::Options {
            // Chosen just before each start: thousands of sinks take ports meanwhile.
            port: proc::free_port()?,
            ..options(backend, None)
        })
        .await?;
        let pid = server.pid();
        let pool = sqlx::PgPool::connect(&server.database_url()?).await?;
        let api = api::Api::new(&server.base, &server.options.token);
        if backend == SigningBackend::Rsa {
            tokio::time::sleep(Duration::from_secs(3)).await;
            let idle = proc::stats(pid)?;
            report.memory.rows.push((
                "idle, 3 s after start (demo loaded)".into(),
                idle.rss_kib,
                proc::postgres_pss_kib(&data_dir),
            ));
        }
        let blog_key: String =
            sqlx::query_scalar("SELECT public_key_pem FROM actor_keys WHERE actor = 'blog'")
                .fetch_one(&pool)
                .await?;
        sinks.set_blog_key(blog_key);
        let label = match backend {
            SigningBackend::Rsa => "rsa crate",
            SigningBackend::Ring => "ring",
            SigningBackend::AwsLc => "aws-lc",
        };
        if wants(args, "fanout") {
            let chosen = scale.fanout.iter().filter(|c| {
                args.cases.is_empty() || args.cases.iter().any(|n| c.name.contains(n.as_str()))
            });
            for case in chosen {
                fanout::set_followers(&pool, &sinks, case).await?;
                let mut runs = Vec::new();
                for run in 0..scale.runs {
                    tracing::info!(case = case.name, backend = label, run, "fan-out");
                    let r = fanout::run(
                        &api,
                        &pool,
                        pid,
                        &sinks,
                        case,
                        &format!("{label} {} #{run}", case.name),
                    )
                    .await?;
                    tracing::info!(
                        per_second = r.per_second(),
                        seconds = r.seconds,
                        cpu = r.cpu_seconds,
                        "fan-out run done"
                    );
                    runs.push(r);
                    fanout::reset(&pool, &sinks).await?;
                }
                report.fanout.push(FanoutResult {
                    case: case.clone(),
                    backend: label,
                    runs,
                });
            }
            let after = proc::stats(pid)?;
            report.memory.rows.push((
                format!("after the fan-out runs ({label})"),
                after.rss_kib,
                proc::postgres_pss_kib(&data_dir),
            ));
        }
        if backend == SigningBackend::Ring {
            for run in 0..scale.runs {
                tracing::info!(run, "ceilings: pgbench");
                report.ceilings.pg_inserts.push(ceilings::pgbench(
                    &server.database_url()?,
                    work,
                    scale.pgbench_clients,
                    scale.pgbench_seconds,
                )?);
            }
        }
        fanout::reset_queue(&pool).await?;
        sqlx::query("DELETE FROM followers").execute(&pool).await?;
        report.memory.peak_kib = report.memory.peak_kib.max(proc::stats(pid)?.peak_kib);
        pool.close().await;
        server.stop().await?;
    }
    if wants(args, "inbox") {
        // A process of its own, so that its peak memory is the inbox's, not what the fan-outs
        // left; with the fastest native backend (it verifies, and signs its actor fetches).
        let server = proc::Reviewpub::start(proc::Options {
            port: proc::free_port()?,
            ..options(SigningBackend::AwsLc, None)
        })
        .await?;
        let pid = server.pid();
        let pool = sqlx::PgPool::connect(&server.database_url()?).await?;
        let api = api::Api::new(&server.base, &server.options.token);
        // No followers: the target review's own fan-out must not run during the load.
        fanout::reset(&pool, &sinks).await?;
        sqlx::query("DELETE FROM followers").execute(&pool).await?;
        let actors = sink::Sinks::start(scale.inbox_hosts, |_| sink::Behaviour::Accept).await?;
        let review = api.publish("Inbox benchmark target").await?;
        for run in 0..scale.runs {
            tracing::info!(run, "inbox");
            let r = inbox::run(
                &server.base,
                pid,
                &pool,
                &review,
                &actors,
                &keys,
                &scale.inbox,
                run,
            )
            .await?;
            tracing::info!(
                stored_per_second = r.stored_per_second,
                p99_ms = r.p99_ms,
                "inbox run done"
            );
            report.inbox.push(r);
        }
        let after = proc::stats(pid)?;
        report.memory.rows.push((
            "after the inbox runs (aws-lc, a fresh process)".into(),
            after.rss_kib,
            proc::postgres_pss_kib(&data_dir),
        ));
        report.memory.peak_kib = report.memory.peak_kib.max(after.peak_kib);
        pool.close().await;
        server.stop().await?;
    }
    if wants(args, "stampede") {
        stampede::stampede_part(
            &mut report,
            &scale.stampede,
            scale.runs,
            &options(SigningBackend::AwsLc, None),
            &sinks,
        )
        .await?;
    }
    if wants(args, "processes") {
        processes::processes_part(
            &mut report,
            &scale.processes,
            scale.runs,
            &options(SigningBackend::AwsLc, None),
            &sinks,
        )
        .await?;
    }
    drop(sinks);

    if wants(args, "reads") {
        read_part::reads_part(
            &mut report,
            scale,
            repo,
            &options(SigningBackend::Ring, Some(0)),
            work,
        )
        .await?;
    }
    Ok(report)
}
