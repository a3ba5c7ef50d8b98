//! The `hearth` binary: `hearth` runs the bot, `hearth try` runs it against a local sandbox.

use std::{error::Error, process::ExitCode};

use hearth::{Config, interaction::chain};

const USAGE: &str = "\
usage: hearth          run the bot (configuration from the environment and .env; see docs/configuration.md)
       hearth try      try Hearth in a terminal against a local stand-in for Discord: no token, no network
       hearth --help   this text";

fn main() -> ExitCode {
    // twilight and the MongoDB driver both use rustls; pick its crypto provider once, first.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let try_mode = match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        [] => false,
        ["try"] => true,
        ["-h" | "--help" | "help"] => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        _ => {
            eprintln!("hearth: unknown arguments `{}`\n{USAGE}", args.join(" "));
            return ExitCode::from(2);
        }
    };
    if let Err(err) = dotenvy::dotenv()
        && !err.not_found()
    {
        return fail(&err);
    }
    init_logging(try_mode);
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(err) => return fail(&err),
    };
    let result: Result<(), Box<dyn Error>> = runtime.block_on(async {
        if try_mode {
            hearth::try_mode::run().await
        } else {
            let config = Config::from_env(|var| std::env::var(var).ok(), true)?;
            hearth::run(config, shutdown_signal())
                .await
                .map_err(Into::into)
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => fail(&*err),
    }
}

fn init_logging(try_mode: bool) {
    use tracing_subscriber::EnvFilter;
    // In `hearth try` the terminal is the conversation; logs go quiet unless asked for.
    let default = if try_mode { "warn" } else { "info" };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}

/// Completes on Ctrl-C, or on SIGTERM (what container platforms send) on Unix.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
}

/// Prints the error and its causes on one line, as an operator reads it.
fn fail(err: &(dyn Error + 'static)) -> ExitCode {
    eprintln!("hearth: {}", chain(err));
    ExitCode::FAILURE
}
