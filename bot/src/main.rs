//! The `hearth` binary.
//!
//! The bot itself (gateway shards, interaction routing, `hearth try`) is being built; until it
//! lands this binary says so and exits, so that the workspace builds end to end.

use std::process::ExitCode;

fn main() -> ExitCode {
    eprintln!(
        "hearth: the bot is not assembled yet; the libraries under crates/ are ready to use. \
         See README.md."
    );
    ExitCode::from(2)
}
