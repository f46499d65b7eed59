use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    reviewpub::memory::limit_arenas();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("reviewpub: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(run())
}

async fn run() -> ExitCode {
    let cli = reviewpub::cli::Cli::parse();
    reviewpub::federation::install_crypto_provider();
    match reviewpub::cli::run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // Said once, plainly (logging may not even be set up: a bad configuration).
            eprintln!("reviewpub: {e:#}");
            ExitCode::FAILURE
        }
    }
}
