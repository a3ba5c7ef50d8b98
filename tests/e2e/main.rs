//! End-to-end scenarios: the real `hearth` run loop, with its real twilight gateway and HTTP
//! clients, against the sandbox over loopback. One module per feature; `harness` holds the
//! helpers that read like what people do, `outage` the faults outside Discord (a database cut
//! off, Redis killed). Each scenario runs on SQLite and on MongoDB (`<scenario>::sqlite`,
//! `<scenario>::mongo`, the latter with `MONGODB_URI`), and ends with `World::finish`, which
//! asserts that the bot sent nothing the real API would refuse.

mod automod;
mod channels;
mod clear_warnings;
mod commands;
mod crafted;
mod faults;
mod gateway;
mod harness;
mod http_endpoint;
mod leveling;
mod leveling_cdn;
mod leveling_roles;
mod moderation;
mod mongo_uri;
mod outage;
mod punishments;
mod restarts;
mod roles;
mod tickets;
mod tickets_capacity;
mod tickets_faults;
mod tickets_requests;
mod transcript_browser;
mod warnings;
