//! The REST server: routing over [`crate::routes::ROUTES`], the token check, request bodies
//! (JSON and multipart), validation against Discord's OpenAPI description, faults, the
//! request record and rate-limit headers.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, Multipart, Request, State as AxumState};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::Shared;
use crate::routes::{ROUTES, Route};
use crate::spec::Spec;
use crate::state::{FaultKind, RecordedRequest, State};

/// The prefix of every REST route.
pub const API_PREFIX: &str = "/api/v10";

/// Discord's global limit: 50 requests per second per bot, interaction endpoints excluded.
///
/// See Discord Docs/Rate Limits ("Global Rate Limit").
pub const GLOBAL_RATE_LIMIT_PER_SECOND: usize = 50;

/// A file part of a multipart request.
#[derive(Clone, Debug)]
pub(crate) struct File {
    pub(crate) index: u64,
    pub(crate) filename: String,
    pub(crate) content_type: Option<String>,
    pub(crate) bytes: Vec<u8>,
}

/// Path parameters by name.
pub(crate) type Params = Vec<(&'static str, String)>;

/// A parsed request as the route handlers see it.
#[derive(Debug)]
pub(crate) struct Req {
    pub(crate) params: Vec<(&'static str, String)>,
    pub(crate) query: HashMap<String, String>,
    pub(crate) reason: Option<String>,
    pub(crate) json: Value,
    pub(crate) files: Vec<File>,
}

impl Req {
    /// A path parameter as a snowflake.
    pub(crate) fn id(&self, name: &str) -> Result<u64, ApiError> {
        let raw = self.param(name);
        raw.parse::<u64>().map_err(|_| {
            ApiError::invalid_form(json!({name: {"_errors": [{
                "code": "NUMBER_TYPE_COERCE",
                "message": format!("Value \"{raw}\" is not snowflake."),
            }]}}))
        })
    }

    /// A path parameter as text.
    pub(crate) fn param(&self, name: &str) -> &str {
        self.params
            .iter()
            .find(|(n, _)| *n == name)
            .map_or("", |(_, v)| v.as_str())
    }

    /// A field of the JSON body.
    pub(crate) fn field(&self, name: &str) -> Option<&Value> {
        self.json.get(name).filter(|v| !v.is_null())
    }
}

/// An error answer in Discord's shape: `{"code", "message", "errors"?}`.
///
/// See Discord Docs/Reference ("Error Messages") and Topics/Opcodes and Status Codes.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct ApiError {
    pub(crate) status: u16,
    pub(crate) code: u32,
    pub(crate) message: String,
    pub(crate) errors: Option<Value>,
}

impl ApiError {
    pub(crate) fn new(status: u16, code: u32, message: &str) -> Self {
        Self {
            status,
            code,
            message: message.to_owned(),
            errors: None,
        }
    }

    /// 403 with 50013 "Missing Permissions".
    pub(crate) fn missing_permissions() -> Self {
        Self::new(403, 50013, "Missing Permissions")
    }

    /// 403 with 50001 "Missing Access".
    pub(crate) fn missing_access() -> Self {
        Self::new(403, 50001, "Missing Access")
    }

    /// 400 with 50035 "Invalid Form Body" and an `errors` object.
    pub(crate) fn invalid_form(errors: Value) -> Self {
        Self {
            errors: Some(errors),
            ..Self::new(400, 50035, "Invalid Form Body")
        }
    }

    /// 400 with 50035 for one field: `{field: {"_errors": [{code, message}]}}`.
    pub(crate) fn field(field: &str, code: &str, message: &str) -> Self {
        let mut errors = json!({"_errors": [{"code": code, "message": message}]});
        for part in field.rsplit('.') {
            errors = json!({ part: errors });
        }
        Self::invalid_form(errors)
    }

    /// 404 "Unknown …" with its code (10003 channel, 10004 guild, 10007 member, 10008
    /// message, 10011 role, 10013 user, 10014 emoji, 10015 webhook, 10026 ban, 10062
    /// interaction, 10063 command).
    pub(crate) fn unknown(code: u32, what: &str) -> Self {
        Self::new(404, code, &format!("Unknown {what}"))
    }

    fn body(&self) -> Value {
        let mut body = json!({"code": self.code, "message": self.message});
        if let Some(errors) = &self.errors {
            body["errors"] = errors.clone();
        }
        body
    }
}

/// A successful answer.
#[derive(Debug)]
pub(crate) enum Reply {
    Json(Value),
    Empty,
}

pub(crate) fn router(shared: Arc<Shared>) -> axum::Router {
    axum::Router::new()
        .fallback(handle)
        .with_state(shared)
        .layer(axum::extract::DefaultBodyLimit::max(64 << 20))
}

/// Finds the route for a method and a path below `/api/v10`, preferring literal segments
/// (`/messages/@original` over `/messages/{message_id}`).
pub(crate) fn find_route(method: &str, path: &str) -> Result<(&'static Route, Params), u16> {
    let segments: Vec<&str> = path.trim_end_matches('/').split('/').skip(1).collect();
    let mut best: Option<(&'static Route, Params, usize)> = None;
    let mut path_matched = false;
    for route in ROUTES {
        let template: Vec<&'static str> = route.path.split('/').skip(1).collect();
        if template.len() != segments.len() {
            continue;
        }
        let mut params = Vec::new();
        let mut literals = 0;
        let ok = template.iter().zip(&segments).all(|(t, s)| {
            if let Some(name) = t.strip_prefix('{').and_then(|t| t.strip_suffix('}')) {
                params.push((name, percent_decode(s)));
                true
            } else {
                literals += 1;
                t == s
            }
        });
        if !ok {
            continue;
        }
        path_matched = true;
        if route.method != method {
            continue;
        }
        if best.as_ref().is_none_or(|(_, _, l)| literals > *l) {
            best = Some((route, params, literals));
        }
    }
    match best {
        Some((route, params, _)) => Ok((route, params)),
        None if path_matched => Err(405),
        None => Err(404),
    }
}

/// Decodes `%XX` escapes (as in `X-Audit-Log-Reason` and emoji path segments).
pub(crate) fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(hi), Some(lo)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push(hi << 4 | lo);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(b: u8) -> Option<u8> {
    char::from(b)
        .to_digit(16)
        .and_then(|d| u8::try_from(d).ok())
}

fn plain(status: u16, message: &str) -> (u16, Value) {
    (
        status,
        json!({"code": 0, "message": format!("{status}: {message}")}),
    )
}

/// Serves an attachment's bytes at the URL its message gives (`/attachments/{channel}/{id}/{name}`),
/// standing in for Discord's CDN, which is not part of the API.
fn attachment(shared: &Shared, path: &str) -> Response {
    let mut parts = path.split('/');
    let channel = parts.next().and_then(|c| c.parse::<u64>().ok());
    let id = parts.next().and_then(|a| a.parse::<u64>().ok());
    let found = shared.with(|s| {
        s.messages
            .values()
            .filter(|m| Some(m.channel_id) == channel && !m.deleted)
            .flat_map(|m| &m.attachments)
            .find(|a| Some(a.id) == id)
            .map(|a| (a.content_type.clone(), a.bytes.clone()))
    });
    match found {
        Some((content_type, bytes)) => {
            let mut response = bytes.into_response();
            let kind = content_type.unwrap_or_else(|| "application/octet-stream".to_owned());
            if let Ok(v) = HeaderValue::from_str(&kind) {
                response.headers_mut().insert("content-type", v);
            }
            response
        }
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn handle(AxumState(shared): AxumState<Arc<Shared>>, request: Request) -> Response {
    if request.method() == Method::GET
        && let Some(path) = request.uri().path().strip_prefix("/attachments/")
    {
        return attachment(&shared, path);
    }
    let started = Instant::now();
    let method = request.method().clone();
    let uri = request.uri().clone();
    let headers = request.headers().clone();
    let path = uri.path().to_owned();
    let reason = headers
        .get("x-audit-log-reason")
        .and_then(|v| v.to_str().ok())
        .map(percent_decode);
    let (status, body, route_path, extra) =
        process(&shared, &method, &uri, &headers, request, reason.clone()).await;
    let short = path.strip_prefix(API_PREFIX).unwrap_or(&path).to_owned();
    shared.with(|s| {
        s.requests.push(RecordedRequest {
            at: started,
            method: method.to_string(),
            path: short,
            route: route_path.map(str::to_owned),
            status,
            reason,
        });
    });
    let mut response = match body {
        Some(body) => (
            StatusCode::from_u16(status).unwrap_or(StatusCode::OK),
            axum::Json(body),
        )
            .into_response(),
        None => StatusCode::from_u16(status)
            .unwrap_or(StatusCode::NO_CONTENT)
            .into_response(),
    };
    let h = response.headers_mut();
    for (name, value) in extra {
        if let Ok(v) = HeaderValue::from_str(&value) {
            h.insert(name, v);
        }
    }
    response
}

type Outcome = (
    u16,
    Option<Value>,
    Option<&'static str>,
    Vec<(&'static str, String)>,
);

fn rate_limit_headers(route: &str) -> Vec<(&'static str, String)> {
    let reset = crate::time::now_ms() + 1000;
    let bucket: u64 = route.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    });
    vec![
        ("x-ratelimit-bucket", format!("{bucket:016x}")),
        ("x-ratelimit-limit", "5".to_owned()),
        ("x-ratelimit-remaining", "4".to_owned()),
        (
            "x-ratelimit-reset",
            format!("{}.{:03}", reset / 1000, reset % 1000),
        ),
        ("x-ratelimit-reset-after", "1.000".to_owned()),
    ]
}

fn too_many(retry_after: f64, global: bool, route: &str) -> Outcome {
    let mut headers = rate_limit_headers(route);
    headers.push(("retry-after", format!("{}", retry_after.ceil())));
    headers.push((
        "x-ratelimit-scope",
        if global { "global" } else { "user" }.to_owned(),
    ));
    if global {
        headers.push(("x-ratelimit-global", "true".to_owned()));
    }
    let body = json!({
        "message": "You are being rate limited.",
        "retry_after": retry_after,
        "global": global,
        "code": if global { 0 } else { 20028 },
    });
    (429, Some(body), None, headers)
}

async fn process(
    shared: &Shared,
    method: &Method,
    uri: &axum::http::Uri,
    headers: &HeaderMap,
    request: Request,
    reason: Option<String>,
) -> Outcome {
    let Some(path) = uri.path().strip_prefix(API_PREFIX) else {
        let (s, b) = plain(404, "Not Found");
        return (s, Some(b), None, Vec::new());
    };
    let (route, params) = match find_route(method.as_str(), path) {
        Ok(found) => found,
        Err(status) => {
            let (s, b) = plain(
                status,
                if status == 405 {
                    "Method Not Allowed"
                } else {
                    "Not Found"
                },
            );
            return (s, Some(b), None, Vec::new());
        }
    };
    let mut out = serve(shared, route, params, uri, headers, request, reason).await;
    if let (Some(spec), Some(body)) = (&shared.spec, &out.1)
        && let Err(errors) = spec.validate_response(route.method, route.path, out.0, body)
    {
        shared.with(|s| {
            s.response_violations.push(format!(
                "{} {} -> {}: {}",
                route.method,
                route.path,
                out.0,
                errors.join("; ")
            ));
        });
    }
    out.2 = Some(route.path);
    if out.3.is_empty() {
        out.3 = rate_limit_headers(route.path);
    }
    out
}

async fn serve(
    shared: &Shared,
    route: &'static Route,
    params: Vec<(&'static str, String)>,
    uri: &axum::http::Uri,
    headers: &HeaderMap,
    request: Request,
    reason: Option<String>,
) -> Outcome {
    // Faults first: they stand for Discord failing before it looks at the request (or, for
    // a late answer, after it acted).
    let fault = shared.with(|s| take_fault(s, route.method, route.path));
    let act = act(shared, route, params, uri, headers, request, reason);
    match fault {
        Some(FaultKind::Status(status)) => {
            let (s, b) = plain(status, "Internal Server Error");
            (s, Some(b), None, Vec::new())
        }
        Some(FaultKind::RateLimited {
            retry_after,
            global,
        }) => too_many(retry_after, global, route.path),
        Some(FaultKind::Delay(d)) => {
            tokio::time::sleep(d).await;
            act.await
        }
        Some(FaultKind::AnswerLate(d)) => {
            let outcome = act.await;
            tokio::time::sleep(d).await;
            outcome
        }
        None => act.await,
    }
}

/// Serves a request that no fault stopped: authorisation, rate limits, the route's handler.
async fn act(
    shared: &Shared,
    route: &'static Route,
    params: Vec<(&'static str, String)>,
    uri: &axum::http::Uri,
    headers: &HeaderMap,
    request: Request,
    reason: Option<String>,
) -> Outcome {
    if route.auth {
        let expected = shared.with(|s| format!("Bot {}", s.config.token));
        let given = headers.get("authorization").and_then(|v| v.to_str().ok());
        if given != Some(expected.as_str()) {
            let (s, b) = plain(401, "Unauthorized");
            return (s, Some(b), None, Vec::new());
        }
        // Discord's global limit; the routes here all count (interaction ones are `open`).
        // Windows are back to back, each starting at the first request after the previous
        // one ended, as twilight's own limiter counts them, so a client that keeps to 50 per
        // window is never refused.
        let retry_after = shared.with(|s| {
            let now = Instant::now();
            let window = Duration::from_secs(1);
            match s.global_window {
                Some((start, _)) if now.duration_since(start) < window => {}
                _ => s.global_window = Some((now, 0)),
            }
            let (start, count) = s.global_window.as_mut().expect("set above");
            *count += 1;
            (*count > GLOBAL_RATE_LIMIT_PER_SECOND)
                .then(|| (window.saturating_sub(now.duration_since(*start))).as_secs_f64())
        });
        if let Some(retry_after) = retry_after {
            shared.with(|s| s.global_rate_limited += 1);
            return too_many(retry_after.max(0.001), true, route.path);
        }
    }
    let (json, files) = match read_body(headers, request).await {
        Ok(body) => body,
        Err(e) => return error_outcome(&e),
    };
    if let Some(spec) = &shared.spec
        && !json.is_null()
        && let Err(errors) = spec.validate_body(route.method, route.path, &json)
    {
        shared.with(|s| {
            s.spec_violations.push(format!(
                "{} {}: {}",
                route.method,
                route.path,
                errors.join("; ")
            ));
        });
        return error_outcome(&ApiError::invalid_form(json!({"_errors": errors
            .iter()
            .map(|e| json!({"code": "SPEC_VALIDATION", "message": e}))
            .collect::<Vec<_>>()})));
    }
    let query = uri
        .query()
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect();
    let req = Req {
        params,
        query,
        reason,
        json,
        files,
    };
    match shared.with(|s| (route.handler)(s, &req)) {
        // The status Discord's description gives the route (201 for a channel create).
        Ok(Reply::Json(body)) => {
            let spec = shared.spec.clone().unwrap_or_else(Spec::embedded);
            let status = spec.json_success_status(route.method, route.path);
            (status.unwrap_or(200), Some(body), None, Vec::new())
        }
        Ok(Reply::Empty) => (204, None, None, Vec::new()),
        Err(e) => error_outcome(&e),
    }
}

fn error_outcome(e: &ApiError) -> Outcome {
    (e.status, Some(e.body()), None, Vec::new())
}

/// Takes the next fault set for a route (its method and template), counting it down.
pub(crate) fn take_fault(state: &mut State, method: &str, route: &str) -> Option<FaultKind> {
    let pos = state
        .faults
        .iter()
        .position(|f| f.method == method && f.route == route)?;
    let fault = &mut state.faults[pos];
    let kind = fault.kind.clone();
    if let Some(n) = &mut fault.remaining {
        *n -= 1;
        if *n == 0 {
            state.faults.remove(pos);
        }
    }
    Some(kind)
}

async fn read_body(headers: &HeaderMap, request: Request) -> Result<(Value, Vec<File>), ApiError> {
    let content_type = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    if content_type.starts_with("multipart/form-data") {
        let mut multipart = Multipart::from_request(request, &())
            .await
            .map_err(|_| ApiError::new(400, 50035, "Invalid Form Body"))?;
        let mut json = Value::Null;
        let mut files = Vec::new();
        while let Ok(Some(field)) = multipart.next_field().await {
            let name = field.name().unwrap_or("").to_owned();
            let filename = field.file_name().map(str::to_owned);
            let content_type = field.content_type().map(str::to_owned);
            let bytes = field
                .bytes()
                .await
                .map_err(|_| ApiError::new(400, 50035, "Invalid Form Body"))?;
            if name == "payload_json" {
                json = serde_json::from_slice(&bytes).map_err(|_| invalid_json())?;
            } else if let Some(index) = name
                .strip_prefix("files[")
                .and_then(|n| n.strip_suffix(']'))
                .and_then(|n| n.parse().ok())
            {
                files.push(File {
                    index,
                    filename: filename.unwrap_or_else(|| format!("file{index}")),
                    content_type,
                    bytes: bytes.to_vec(),
                });
            }
        }
        return Ok((json, files));
    }
    let bytes: Bytes = axum::body::to_bytes(Body::new(request.into_body()), 64 << 20)
        .await
        .map_err(|_| ApiError::new(413, 40005, "Request entity too large"))?;
    if bytes.is_empty() {
        return Ok((Value::Null, Vec::new()));
    }
    let json = serde_json::from_slice(&bytes).map_err(|_| invalid_json())?;
    Ok((json, Vec::new()))
}

fn invalid_json() -> ApiError {
    ApiError::new(400, 50109, "The request body contains invalid JSON.")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_segments_win_over_parameters() {
        let (route, params) = find_route("PATCH", "/webhooks/1/tok/messages/@original").unwrap();
        assert_eq!(
            route.path,
            "/webhooks/{webhook_id}/{webhook_token}/messages/@original"
        );
        assert_eq!(params.len(), 2);
        assert_eq!(find_route("PATCH", "/gateway/bot").unwrap_err(), 405);
        assert_eq!(find_route("GET", "/nope").unwrap_err(), 404);
    }

    #[test]
    fn reasons_are_percent_decoded() {
        assert_eq!(
            percent_decode("reaction%20role%3A%20%F0%9F%91%8D"),
            "reaction role: 👍"
        );
        assert_eq!(percent_decode("100%"), "100%");
    }
}
