//! The Interactions Endpoint URL: when an application has one, Discord POSTs every interaction
//! to it, signed with Ed25519, instead of sending INTERACTION_CREATE over the gateway, and takes
//! the body of the HTTP response as the initial response.
//!
//! See Discord Docs/Interactions/Overview ("Receiving an Interaction", "Setting Up an Endpoint"):
//! the `X-Signature-Ed25519` header is the hex signature of `X-Signature-Timestamp ‖ body`;
//! saving the URL makes Discord send a signed PING that must be answered with a PONG, and a
//! request with an invalid signature that must be answered 401.

use std::fmt::Write as _;
use std::io;
use std::sync::Arc;
use std::time::Duration;

use ed25519_dalek::{Signer, SigningKey};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::Shared;
use crate::rest::Req;
use crate::routes::{self, limits};

/// The callback route whose request schema the endpoint's answers are validated against.
const CALLBACK: &str = "/interactions/{interaction_id}/{interaction_token}/callback";

/// An application's Interactions Endpoint URL and the key Discord signs with.
#[derive(Clone)]
pub(crate) struct Endpoint {
    pub(crate) url: String,
    pub(crate) key: SigningKey,
}

impl std::fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Endpoint")
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

/// What an interactions endpoint answered to one POST.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EndpointAnswer {
    /// The HTTP status.
    pub status: u16,
    /// The response body as text.
    pub body: String,
}

impl EndpointAnswer {
    /// The body as JSON (`Null` when it is not JSON).
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }
}

/// Why Discord would not save an Interactions Endpoint URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EndpointRefused {
    /// The endpoint could not be reached.
    Unreachable(String),
    /// A signed PING was not answered 200 with `{"type": 1}`.
    NoPong(EndpointAnswer),
    /// A request with an invalid signature was not answered 401.
    AcceptedBadSignature(EndpointAnswer),
}

impl std::fmt::Display for EndpointRefused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Unreachable(err) => write!(f, "the endpoint is unreachable: {err}"),
            Self::NoPong(a) => write!(f, "a signed PING got {} {:?}", a.status, a.body),
            Self::AcceptedBadSignature(a) => {
                write!(f, "a bad signature got {} instead of 401", a.status)
            }
        }
    }
}

impl std::error::Error for EndpointRefused {}

/// A PING interaction, as Discord sends to check an endpoint.
pub(crate) fn ping(application_id: u64, id: u64, attachment_size_limit: u64) -> Value {
    json!({
        "id": id.to_string(),
        "application_id": application_id.to_string(),
        "type": 1,
        "token": format!("cGluZzo{id:x}"),
        "version": 1,
        "entitlements": [],
        "authorizing_integration_owners": {},
        "attachment_size_limit": attachment_size_limit,
    })
}

/// POSTs `body` to `url` signed with `key` at the current time, as Discord does.
///
/// # Errors
///
/// An I/O error when the endpoint cannot be reached or answers something that is not HTTP.
pub async fn post_signed(url: &str, key: &SigningKey, body: &Value) -> io::Result<EndpointAnswer> {
    let body = body.to_string();
    let timestamp = crate::time::now_ms() / 1000;
    let timestamp = timestamp.to_string();
    let mut message = timestamp.as_bytes().to_vec();
    message.extend_from_slice(body.as_bytes());
    let signature =
        key.sign(&message)
            .to_bytes()
            .iter()
            .fold(String::with_capacity(128), |mut hex, b| {
                let _ = write!(hex, "{b:02x}");
                hex
            });
    post(
        url,
        &[
            ("X-Signature-Ed25519", &signature),
            ("X-Signature-Timestamp", &timestamp),
        ],
        &body,
    )
    .await
}

/// A minimal HTTP/1.1 POST over loopback (`http://` only): enough for an endpoint under test,
/// without pulling an HTTP client into the sandbox.
async fn post(url: &str, headers: &[(&str, &str)], body: &str) -> io::Result<EndpointAnswer> {
    let bad = |what: &str| io::Error::new(io::ErrorKind::InvalidInput, what.to_owned());
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| bad("only http:// endpoints are supported"))?;
    let (host, path) = rest
        .split_once('/')
        .map_or((rest, "/".to_owned()), |(h, p)| (h, format!("/{p}")));
    let mut stream = TcpStream::connect(host).await?;
    let mut request = format!(
        "POST {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: Discord-Interactions/1.0 \
         (+https://discord.com)\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
         Connection: close\r\n",
        body.len()
    );
    for (name, value) in headers {
        let _ = write!(request, "{name}: {value}\r\n");
    }
    request.push_str("\r\n");
    request.push_str(body);
    stream.write_all(request.as_bytes()).await?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await?;
    let text = String::from_utf8_lossy(&raw);
    let (head, payload) = text
        .split_once("\r\n\r\n")
        .ok_or_else(|| bad("no end of headers"))?;
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse::<u16>().ok())
        .ok_or_else(|| bad("no status line"))?;
    let chunked = head.lines().any(|l| {
        l.to_ascii_lowercase()
            .starts_with("transfer-encoding: chunked")
    });
    let body = if chunked {
        dechunk(payload)
    } else {
        payload.to_owned()
    };
    Ok(EndpointAnswer { status, body })
}

fn dechunk(mut payload: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = payload.split_once("\r\n") {
        let Ok(size) = usize::from_str_radix(size.trim(), 16) else {
            break;
        };
        if size == 0 || rest.len() < size {
            break;
        }
        out.push_str(&rest[..size]);
        payload = rest[size..].trim_start_matches("\r\n");
    }
    out
}

/// Checks an endpoint as Discord does when its URL is saved: a signed PING must get a PONG, a
/// request signed with another key must get 401.
pub(crate) async fn verify(endpoint: &Endpoint, ping: &Value) -> Result<(), EndpointRefused> {
    let unreachable = |e: io::Error| EndpointRefused::Unreachable(e.to_string());
    let answer = post_signed(&endpoint.url, &endpoint.key, ping)
        .await
        .map_err(unreachable)?;
    if answer.status != 200 || answer.json()["type"] != 1 {
        return Err(EndpointRefused::NoPong(answer));
    }
    let mut other = endpoint.key.to_bytes();
    other[0] ^= 0xff;
    let answer = post_signed(&endpoint.url, &SigningKey::from_bytes(&other), ping)
        .await
        .map_err(unreachable)?;
    if answer.status != 401 {
        return Err(EndpointRefused::AcceptedBadSignature(answer));
    }
    Ok(())
}

/// Delivers one interaction to the endpoint and takes the answer as its initial response, as
/// a callback would be; a failure ("This interaction failed" for the member) is recorded on the
/// interaction.
pub(crate) async fn deliver(shared: Arc<Shared>, endpoint: Endpoint, iid: u64, payload: Value) {
    let deadline = Duration::from_millis(limits::INTERACTION_RESPONSE_MS);
    let answer = tokio::time::timeout(
        deadline,
        post_signed(&endpoint.url, &endpoint.key, &payload),
    )
    .await;
    let failure = match answer {
        Err(_) => Some("no answer within 3 seconds".to_owned()),
        Ok(Err(err)) => Some(format!("unreachable: {err}")),
        Ok(Ok(a)) if a.status != 200 => Some(format!("answered {}: {}", a.status, a.body)),
        Ok(Ok(a)) => respond(&shared, iid, &a.json()).err(),
    };
    shared.with(|s| {
        if let Some(i) = s.interactions.get_mut(&iid) {
            i.endpoint_failure = failure;
        }
    });
}

/// Applies an endpoint's answer as the interaction's initial response, validated against the
/// callback route's request schema like any body the bot sends.
fn respond(shared: &Shared, iid: u64, body: &Value) -> Result<(), String> {
    if let Some(spec) = &shared.spec
        && let Err(errors) = spec.validate_body("POST", CALLBACK, body)
    {
        let line = format!("POST {CALLBACK} (endpoint answer): {}", errors.join("; "));
        shared.with(|s| s.spec_violations.push(line.clone()));
        return Err(line);
    }
    shared.with(|s| {
        let token = s
            .interactions
            .get(&iid)
            .map(|i| i.token.clone())
            .unwrap_or_default();
        let req = Req {
            params: vec![
                ("interaction_id", iid.to_string()),
                ("interaction_token", token),
            ],
            query: std::collections::HashMap::new(),
            reason: None,
            json: body.clone(),
            files: Vec::new(),
        };
        routes::interaction_callback(s, &req)
            .map(|_| ())
            .map_err(|e| format!("{} {}: {}", e.status, e.code, e.message))
    })
}

#[cfg(test)]
mod tests {
    use tokio::net::TcpListener;

    use super::*;

    /// An endpoint that answers every request with `status` and `body`, whatever the signature.
    async fn fixed(status: u16, body: &'static str) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                let mut buf = vec![0; 4096];
                let _ = stream.read(&mut buf).await;
                let answer = format!(
                    "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\n\
                     transfer-encoding: chunked\r\n\r\n{:x}\r\n{body}\r\n0\r\n\r\n",
                    body.len()
                );
                let _ = stream.write_all(answer.as_bytes()).await;
            }
        });
        format!("http://{addr}/interactions")
    }

    fn endpoint(url: String) -> Endpoint {
        Endpoint {
            url,
            key: SigningKey::from_bytes(&[1; 32]),
        }
    }

    #[tokio::test]
    async fn an_endpoint_that_accepts_bad_signatures_is_refused() {
        let url = fixed(200, r#"{"type":1}"#).await;
        let refused = verify(&endpoint(url), &ping(1, 2, 3)).await.unwrap_err();
        assert!(
            matches!(
                refused,
                EndpointRefused::AcceptedBadSignature(EndpointAnswer { status: 200, .. })
            ),
            "{refused:?}"
        );
    }

    #[tokio::test]
    async fn an_endpoint_that_does_not_pong_is_refused() {
        let url = fixed(401, "invalid request signature").await;
        let refused = verify(&endpoint(url), &ping(1, 2, 3)).await.unwrap_err();
        assert_eq!(
            refused,
            EndpointRefused::NoPong(EndpointAnswer {
                status: 401,
                body: "invalid request signature".to_owned()
            })
        );
    }

    #[tokio::test]
    async fn an_unreachable_endpoint_is_refused() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/", listener.local_addr().unwrap());
        drop(listener);
        assert!(matches!(
            verify(&endpoint(url), &ping(1, 2, 3)).await,
            Err(EndpointRefused::Unreachable(_))
        ));
    }
}
