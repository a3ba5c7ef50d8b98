//! End-to-end scenarios: the real `hearth` run loop, with its real twilight gateway and HTTP
//! clients, against the sandbox over loopback. One module per feature; `harness` holds the
//! helpers that read like what people do.

mod harness;
mod moderation;
