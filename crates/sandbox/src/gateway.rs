//! The gateway WebSocket: HELLO, IDENTIFY, READY, GUILD_CREATE, heartbeats, RESUME with
//! replay, op 7 and op 9, and Discord's close codes.
//!
//! See Discord Docs/Topics/Gateway and Topics/Opcodes and Status Codes.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_websockets::{CloseCode, Message, ServerBuilder};

use crate::Shared;
use crate::payload;
use crate::state::{INTENT_GUILDS, KNOWN_INTENTS, Outbound, PRIVILEGED_INTENTS, Session, State};

/// Gateway close codes the sandbox sends.
///
/// See Discord Docs/Topics/Opcodes and Status Codes ("Gateway Close Event Codes").
pub mod close_code {
    /// Unknown opcode.
    pub const UNKNOWN_OPCODE: u16 = 4001;
    /// The payload could not be decoded.
    pub const DECODE_ERROR: u16 = 4002;
    /// A payload was sent before IDENTIFY.
    pub const NOT_AUTHENTICATED: u16 = 4003;
    /// The token in IDENTIFY is wrong.
    pub const AUTHENTICATION_FAILED: u16 = 4004;
    /// IDENTIFY was sent twice.
    pub const ALREADY_AUTHENTICATED: u16 = 4005;
    /// More than 120 payloads in 60 seconds.
    pub const RATE_LIMITED: u16 = 4008;
    /// The shard in IDENTIFY is invalid.
    pub const INVALID_SHARD: u16 = 4010;
    /// The intents value is invalid.
    pub const INVALID_INTENTS: u16 = 4013;
    /// A privileged intent that is not enabled for the application was requested.
    pub const DISALLOWED_INTENTS: u16 = 4014;
}

/// Client payloads allowed per connection per [`COMMAND_WINDOW`].
///
/// See Discord Docs/Topics/Gateway ("Rate Limiting").
pub const COMMANDS_PER_WINDOW: usize = 120;
/// The window of [`COMMANDS_PER_WINDOW`].
pub const COMMAND_WINDOW: Duration = Duration::from_secs(60);

pub(crate) async fn serve(listener: TcpListener, shared: Arc<Shared>) {
    while let Ok((stream, _)) = listener.accept().await {
        tokio::spawn(connection(stream, Arc::clone(&shared)));
    }
}

async fn connection(stream: TcpStream, shared: Arc<Shared>) {
    let Ok((_request, ws)) = ServerBuilder::new().accept(stream).await else {
        return;
    };
    let (mut sink, mut incoming) = ws.split();
    let (tx, mut rx) = mpsc::unbounded_channel();
    let (conn_id, interval) = shared.with(|s| {
        s.next_conn += 1;
        (s.next_conn, s.config.heartbeat_interval_ms)
    });
    let hello = json!({"op": 10, "d": {"heartbeat_interval": interval}, "s": null, "t": null});
    if sink.send(Message::text(hello.to_string())).await.is_err() {
        return;
    }
    let mut session: Option<String> = None;
    let mut sent: VecDeque<Instant> = VecDeque::new();
    loop {
        tokio::select! {
            frame = incoming.next() => {
                let Some(Ok(frame)) = frame else { break };
                if let Some((code, _)) = frame.as_close() {
                    // Closing with 1000 or 1001 ends the session; other codes keep it resumable.
                    let code = u16::from(code);
                    if (code == 1000 || code == 1001) && let Some(id) = &session {
                        shared.with(|s| s.sessions.remove(id));
                    }
                    // Complete the closing handshake as Discord does (RFC 6455 §5.5.1): echo
                    // the close frame, so the client sees its close acknowledged.
                    let echo = CloseCode::try_from(code).ok();
                    let _ = sink.send(Message::close(echo, "")).await;
                    break;
                }
                let Some(text) = frame.as_text() else { continue };
                // 120 payloads per 60 s per connection, else close 4008.
                let now = Instant::now();
                while sent.front().is_some_and(|t| now.duration_since(*t) >= COMMAND_WINDOW) {
                    sent.pop_front();
                }
                sent.push_back(now);
                if sent.len() > COMMANDS_PER_WINDOW {
                    let _ = tx.send(Outbound::Close(close_code::RATE_LIMITED, "You are being rate limited.".to_owned()));
                    continue;
                }
                let reply = shared.with(|s| receive(s, text, &mut session, conn_id, &tx));
                if let Some(out) = reply {
                    let _ = tx.send(out);
                }
            }
            out = rx.recv() => {
                match out {
                    Some(Outbound::Text(text)) => {
                        if sink.send(Message::text(text)).await.is_err() {
                            break;
                        }
                    }
                    Some(Outbound::Close(code, reason)) => {
                        let _ = sink.send(Message::close(CloseCode::try_from(code).ok(), &reason)).await;
                        if code >= 4000 && !matches!(code, 4000 | 4007 | 4009) && let Some(id) = &session {
                            shared.with(|s| s.sessions.remove(id));
                        }
                        break;
                    }
                    Some(Outbound::Abort) | None => break,
                }
            }
        }
    }
    if let Some(id) = session {
        shared.with(|s| {
            if let Some(sess) = s.sessions.get_mut(&id)
                && sess.conn.as_ref().is_some_and(|(c, _)| *c == conn_id)
            {
                sess.conn = None;
            }
        });
    }
}

#[allow(clippy::unnecessary_wraps)] // reads as the reply it is at every call site
fn close(code: u16, reason: &str) -> Option<Outbound> {
    Some(Outbound::Close(code, reason.to_owned()))
}

/// Handles one client payload; returns what to send back, if anything.
fn receive(
    s: &mut State,
    text: &str,
    session: &mut Option<String>,
    conn_id: u64,
    tx: &mpsc::UnboundedSender<Outbound>,
) -> Option<Outbound> {
    let Ok(payload) = serde_json::from_str::<Value>(text) else {
        return close(close_code::DECODE_ERROR, "Error while decoding payload.");
    };
    let d = &payload["d"];
    match payload["op"].as_u64() {
        Some(1) => Some(Outbound::Text(json!({"op": 11}).to_string())),
        Some(2) => {
            if session
                .as_ref()
                .is_some_and(|id| s.sessions.contains_key(id))
            {
                return close(
                    close_code::ALREADY_AUTHENTICATED,
                    "You sent more than one identify payload.",
                );
            }
            identify(s, d, session, conn_id, tx)
        }
        Some(6) => resume(s, d, session, conn_id, tx),
        Some(8) if session.is_some() => request_members(s, d, session.as_deref().unwrap_or("")),
        Some(3 | 4) if session.is_some() => None,
        Some(3 | 4 | 8) => close(
            close_code::NOT_AUTHENTICATED,
            "You sent a payload prior to identifying.",
        ),
        _ => close(close_code::UNKNOWN_OPCODE, "Unknown opcode."),
    }
}

fn identify(
    s: &mut State,
    d: &Value,
    session: &mut Option<String>,
    conn_id: u64,
    tx: &mpsc::UnboundedSender<Outbound>,
) -> Option<Outbound> {
    if d["token"].as_str() != Some(&format!("Bot {}", s.config.token)) {
        return close(close_code::AUTHENTICATION_FAILED, "Authentication failed.");
    }
    let Some(intents) = d["intents"].as_u64() else {
        return close(close_code::DECODE_ERROR, "Error while decoding payload.");
    };
    if intents & !KNOWN_INTENTS != 0 {
        return close(close_code::INVALID_INTENTS, "Invalid intent(s).");
    }
    if intents & PRIVILEGED_INTENTS & !s.config.privileged_intents != 0 {
        return close(close_code::DISALLOWED_INTENTS, "Disallowed intent(s).");
    }
    let shard = match d.get("shard").and_then(Value::as_array) {
        None => [0, 1],
        Some(pair) => {
            let id = pair
                .first()
                .and_then(Value::as_u64)
                .and_then(|x| u32::try_from(x).ok());
            let total = pair
                .get(1)
                .and_then(Value::as_u64)
                .and_then(|x| u32::try_from(x).ok());
            match (id, total) {
                (Some(id), Some(total)) if total > 0 && id < total => [id, total],
                _ => return close(close_code::INVALID_SHARD, "Invalid shard."),
            }
        }
    };
    s.identifies += 1;
    let session_id = format!("{:032x}", u128::from(s.ids.next()) * 0x9e37_79b9_7f4a_7c15);
    s.sessions.insert(
        session_id.clone(),
        Session {
            shard,
            intents,
            seq: 0,
            buffer: VecDeque::new(),
            conn: Some((conn_id, tx.clone())),
        },
    );
    *session = Some(session_id.clone());
    let ready = payload::ready(s, &session_id, shard, &s.config.gateway_url.clone());
    send_to(s, &session_id, "READY", &ready);
    if intents & INTENT_GUILDS != 0 {
        let guilds: Vec<u64> = s
            .guilds
            .keys()
            .copied()
            .filter(|g| State::shard_for(*g, shard[1]) == shard[0])
            .collect();
        for g in guilds {
            let data = payload::guild_create(s, &s.guilds[&g]);
            send_to(s, &session_id, "GUILD_CREATE", &data);
        }
    }
    None
}

fn resume(
    s: &mut State,
    d: &Value,
    session: &mut Option<String>,
    conn_id: u64,
    tx: &mpsc::UnboundedSender<Outbound>,
) -> Option<Outbound> {
    if d["token"].as_str() != Some(&format!("Bot {}", s.config.token)) {
        return close(close_code::AUTHENTICATION_FAILED, "Authentication failed.");
    }
    let id = d["session_id"].as_str().unwrap_or("").to_owned();
    let seq = d["seq"].as_u64().unwrap_or(0);
    let invalid = Some(Outbound::Text(json!({"op": 9, "d": false}).to_string()));
    let Some(sess) = s.sessions.get_mut(&id) else {
        return invalid;
    };
    let oldest = sess.buffer.front().map_or(sess.seq + 1, |(n, _)| *n);
    if seq > sess.seq || seq + 1 < oldest {
        s.sessions.remove(&id);
        return invalid;
    }
    if let Some((_, old)) = sess.conn.take() {
        let _ = old.send(Outbound::Abort);
    }
    for (n, text) in &sess.buffer {
        if *n > seq {
            let _ = tx.send(Outbound::Text(text.clone()));
        }
    }
    sess.conn = Some((conn_id, tx.clone()));
    s.resumes += 1;
    *session = Some(id.clone());
    send_to(s, &id, "RESUMED", &json!({}));
    None
}

/// Request Guild Members (op 8): answers with one GUILD_MEMBERS_CHUNK. Listing members by
/// query needs the GUILD_MEMBERS intent.
///
/// See Discord Docs/Topics/Gateway Events ("Request Guild Members").
fn request_members(s: &mut State, d: &Value, session_id: &str) -> Option<Outbound> {
    let intents = s.sessions.get(session_id).map_or(0, |x| x.intents);
    let guild_id = d["guild_id"].as_str().and_then(|g| g.parse::<u64>().ok())?;
    let ids: Option<Vec<u64>> = d.get("user_ids").and_then(|u| match u {
        Value::Array(list) => Some(
            list.iter()
                .filter_map(|v| v.as_str()?.parse().ok())
                .collect(),
        ),
        Value::String(one) => one.parse().ok().map(|x| vec![x]),
        _ => None,
    });
    if ids.is_none() && intents & crate::state::INTENT_GUILD_MEMBERS == 0 {
        return close(close_code::DISALLOWED_INTENTS, "Disallowed intent(s).");
    }
    let guild = s.guilds.get(&guild_id)?;
    let query = d["query"].as_str().unwrap_or("").to_lowercase();
    let limit = d["limit"].as_u64().filter(|l| *l > 0).unwrap_or(u64::MAX);
    let mut not_found = Vec::new();
    let members: Vec<Value> = match &ids {
        Some(ids) => ids
            .iter()
            .filter_map(|u| {
                let m = guild.members.get(u);
                if m.is_none() {
                    not_found.push(payload::id(*u));
                }
                m
            })
            .map(|m| payload::member(s, m, true))
            .collect(),
        None => guild
            .members
            .values()
            .filter(|m| {
                s.users
                    .get(&m.user_id)
                    .is_some_and(|u| u.name.to_lowercase().starts_with(&query))
            })
            .take(usize::try_from(limit).unwrap_or(usize::MAX))
            .map(|m| payload::member(s, m, true))
            .collect(),
    };
    let mut data = json!({
        "guild_id": payload::id(guild_id),
        "members": members,
        "chunk_index": 0,
        "chunk_count": 1,
        "not_found": not_found,
    });
    if let Some(nonce) = d.get("nonce").filter(|n| !n.is_null()) {
        data["nonce"] = nonce.clone();
    }
    send_to(s, session_id, "GUILD_MEMBERS_CHUNK", &data);
    None
}

/// Sends a dispatch to one session only (READY, its GUILD_CREATEs, RESUMED).
fn send_to(s: &mut State, session_id: &str, name: &str, data: &Value) {
    let Some(sess) = s.sessions.get_mut(session_id) else {
        return;
    };
    sess.seq += 1;
    let text = json!({"op": 0, "t": name, "s": sess.seq, "d": data}).to_string();
    sess.buffer.push_back((sess.seq, text.clone()));
    if let Some((_, tx)) = &sess.conn {
        let _ = tx.send(Outbound::Text(text));
    }
}

/// What a gateway fault does to a shard's live connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShardFault {
    /// Drop the TCP connection without a close frame.
    Drop,
    /// Send op 7 RECONNECT.
    Reconnect,
    /// Send op 9 INVALID_SESSION with `d` = resumable (a non-resumable session is forgotten).
    InvalidSession {
        /// Whether the client may resume.
        resumable: bool,
    },
    /// Close with a close code.
    Close(u16),
}

/// Applies a fault to every live connection of a shard; returns how many were affected.
pub(crate) fn fault(s: &mut State, shard: u32, fault: ShardFault) -> usize {
    let mut affected = 0;
    let mut forget = Vec::new();
    for (id, sess) in &mut s.sessions {
        if sess.shard[0] != shard {
            continue;
        }
        let Some((_, tx)) = &sess.conn else { continue };
        let out = match fault {
            ShardFault::Drop => Outbound::Abort,
            ShardFault::Reconnect => Outbound::Text(json!({"op": 7, "d": null}).to_string()),
            ShardFault::InvalidSession { resumable } => {
                if !resumable {
                    forget.push(id.clone());
                }
                Outbound::Text(json!({"op": 9, "d": resumable}).to_string())
            }
            ShardFault::Close(code) => Outbound::Close(code, "Closed by the sandbox.".to_owned()),
        };
        if tx.send(out).is_ok() {
            affected += 1;
        }
    }
    for id in forget {
        s.sessions.remove(&id);
    }
    affected
}
