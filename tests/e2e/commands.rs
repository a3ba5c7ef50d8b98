//! Commands the bot does not know.

use hearth::interaction::UNKNOWN_COMMAND;

use crate::harness::{Store, World, answer, on_every_store};

async fn unknown_command_gets_an_ephemeral_answer(store: Store) {
    let world = World::start(store).await;
    // Left behind by an older version of the bot: Discord still offers it.
    world.guild.add_stale_command("purge", "Deletes messages");

    let reply = answer(&world.alice.run_command(world.general, "purge", &[])).await;
    assert!(reply.is_ephemeral());
    assert_eq!(reply.content, UNKNOWN_COMMAND);
    assert!(
        world.guild.messages(world.general).is_empty(),
        "nothing posted in the channel"
    );
    world.finish().await;
}

on_every_store!(unknown_command_gets_an_ephemeral_answer,);
