use std::process::ExitCode;

use clap::Parser;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = reviewpub::cli::Cli::parse();
    reviewpub::federation::install_crypto_provider();
    match reviewpub::cli::run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // Logging may not be set up yet (bad configuration), so say it plainly too.
            tracing::error!(error = %e, "reviewpub stopped");
            eprintln!("reviewpub: {e:#}");
            ExitCode::FAILURE
        }
    }
}
