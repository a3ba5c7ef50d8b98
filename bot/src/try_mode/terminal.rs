//! The terminal around a [`TrySession`]: standard input in, text out.

use std::{
    error::Error,
    io::{IsTerminal as _, Write as _},
};

use super::TrySession;

/// Runs `hearth try`: starts a [`TrySession`] and reads lines from standard input until
/// `quit`, end of input (Ctrl-D) or Ctrl-C.
///
/// # Errors
///
/// A [`TryError`](super::TryError) when the sandbox or the bot cannot start.
pub async fn run() -> Result<(), Box<dyn Error>> {
    println!("Starting a local Discord and Hearth…");
    let mut session = TrySession::start().await?;
    println!("{}\n", session.welcome());
    let interactive = std::io::stdin().is_terminal();
    // Standard input blocks; a plain thread reads it so the runtime keeps serving the bot.
    let (lines, mut typed) = tokio::sync::mpsc::channel::<String>(1);
    std::thread::spawn(move || {
        for line in std::io::stdin().lines() {
            let Ok(line) = line else { break };
            if lines.blocking_send(line).is_err() {
                break;
            }
        }
    });
    loop {
        print!("{}", session.prompt());
        let _ = std::io::stdout().flush();
        let line = tokio::select! {
            line = typed.recv() => line,
            _ = tokio::signal::ctrl_c() => None,
        };
        let Some(line) = line else {
            println!();
            break;
        };
        if !interactive {
            // Lines from a file or a pipe: show them, so the output reads as a transcript.
            println!("{line}");
        }
        let out = session.execute(&line).await;
        if !out.is_empty() {
            println!("{out}\n");
        }
        if session.is_finished() {
            break;
        }
    }
    session.stop().await;
    Ok(())
}
