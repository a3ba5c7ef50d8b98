//! The `hearth` binary.
//!
//! The Discord side of the bot (gateway shards, interaction routing, `hearth try`) is being
//! built. Until it lands, `hearth` does what it can already do for an operator: read
//! `HEARTH_DATABASE`, open the database (creating a SQLite file and applying migrations, or
//! connecting to MongoDB), report, and exit.

use std::{error::Error, process::ExitCode};

use hearth::{database::DatabaseUrl, store};

fn main() -> ExitCode {
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(err) => return fail(&err),
    };
    match runtime.block_on(run()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => fail(&*err),
    }
}

async fn run() -> Result<(), Box<dyn Error>> {
    let url = DatabaseUrl::from_env(|var| std::env::var(var).ok())?;
    let store = store::open(&url).await?;
    println!("hearth: database {url} is ready ({}).", store.describe());
    println!(
        "hearth: the Discord side of the bot is not assembled yet; the libraries under crates/ \
         are ready to use. See README.md."
    );
    Ok(())
}

/// Prints the error and its causes on one line, as an operator reads it.
fn fail(err: &dyn Error) -> ExitCode {
    let mut line = format!("hearth: {err}");
    let mut source = err.source();
    while let Some(cause) = source {
        line.push_str(": ");
        line.push_str(&cause.to_string());
        source = cause.source();
    }
    eprintln!("{line}");
    ExitCode::FAILURE
}
