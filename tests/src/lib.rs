//! End-to-end scenarios for Hearth: the real `hearth` run loop against the sandbox.
//!
//! The scenarios arrive with the bot; this crate holds their place in the workspace.
