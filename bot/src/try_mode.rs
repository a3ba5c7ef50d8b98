//! `hearth try`: the bot against an embedded sandbox, in a terminal.

/// Runs `hearth try`.
///
/// # Errors
///
/// When the sandbox or the bot cannot start.
pub async fn run() -> Result<(), Box<dyn std::error::Error>> {
    std::future::ready(()).await;
    Err("`hearth try` is not built yet".into())
}
