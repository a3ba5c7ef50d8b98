//! `hearth-sandbox`: starts a local Discord with the demo guild ([`hearth_sandbox::demo`]) and
//! prints where to point a bot.
//!
//! Stop it with Ctrl-C. The URLs go to twilight as `ConfigBuilder::proxy_url(GATEWAY)` and
//! `ClientBuilder::proxy(REST, true)`.

#![allow(clippy::doc_markdown)]

use hearth_sandbox::{Sandbox, demo::DemoBuilder};

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let sandbox = match Sandbox::start().await {
        Ok(sandbox) => sandbox,
        Err(e) => {
            eprintln!("hearth-sandbox: cannot start: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let world = DemoBuilder::new()
        .with(|world| {
            world.bob.send(world.general, "hello from the sandbox");
        })
        .build(&sandbox);
    let guild = &world.guild;
    println!(
        "HEARTH_SANDBOX_GATEWAY=ws://{}",
        sandbox.gateway_url().trim_start_matches("ws://")
    );
    println!("HEARTH_SANDBOX_REST={}", sandbox.http_proxy());
    println!("HEARTH_SANDBOX_REST_URL={}", sandbox.rest_url());
    println!("HEARTH_SANDBOX_TOKEN={}", sandbox.token());
    println!("HEARTH_SANDBOX_APPLICATION_ID={}", sandbox.application_id());
    println!("HEARTH_SANDBOX_GUILD_ID={}", guild.id());
    println!("# running; press Ctrl-C to stop");
    let _ = tokio::signal::ctrl_c().await;
    sandbox.shutdown();
    std::process::ExitCode::SUCCESS
}
