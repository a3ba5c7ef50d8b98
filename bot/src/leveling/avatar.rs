//! Avatars for rank cards, fetched from Discord's CDN (its base URL from `HEARTH_CDN_URL`) and
//! kept in memory.
//!
//! A fetch that fails or takes longer than [`AVATAR_TIMEOUT`] gives `None`, and the card draws
//! its default avatar: a slow CDN never holds up `/rank`. Failures are not remembered, so the
//! next `/rank` tries again.

use std::{sync::Arc, time::Duration};

use hearth_core::UserId;
use http_body_util::BodyExt as _;
use hyper_rustls::HttpsConnector;
use hyper_util::{
    client::legacy::{Client, connect::HttpConnector},
    rt::TokioExecutor,
};

/// How long a rank card waits for an avatar before drawing the default one.
pub const AVATAR_TIMEOUT: Duration = Duration::from_secs(1);

/// How many avatars are kept in memory (about 20 KiB each at 128 px).
pub const AVATARS_CACHED: usize = 2_000;

/// The largest avatar file accepted, in bytes.
pub const AVATAR_MAX_BYTES: usize = 2 * 1024 * 1024;

/// The size asked of the CDN: the card draws the avatar at 200 px.
const AVATAR_SIZE: u32 = 256;

/// Fetches and caches avatars.
#[derive(Clone)]
pub struct Avatars {
    base: Arc<str>,
    client: Client<HttpsConnector<HttpConnector>, String>,
    cache: Arc<quick_cache::sync::Cache<String, Arc<[u8]>>>,
}

impl std::fmt::Debug for Avatars {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Avatars")
            .field("base", &self.base)
            .field("cached", &self.cache.len())
            .finish_non_exhaustive()
    }
}

/// The CDN URL of a user's avatar: their own (`hash` from the user object) or, without one,
/// Discord's default for their id. See Discord Docs/Reference ("Image Formatting").
pub fn avatar_url(base: &str, user: UserId, hash: Option<&str>) -> String {
    match hash {
        Some(hash) => format!("{base}/avatars/{user}/{hash}.png?size={AVATAR_SIZE}"),
        None => format!("{base}/embed/avatars/{}.png", (user.get() >> 22) % 6),
    }
}

impl Avatars {
    /// Avatars from the CDN at `base` (no trailing slash).
    ///
    /// # Panics
    ///
    /// Never in practice: building the TLS connector fails only without root certificates,
    /// which are compiled in.
    pub fn new(base: Arc<str>) -> Self {
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_provider_and_webpki_roots(Arc::new(rustls::crypto::ring::default_provider()))
            .expect("the ring provider supports TLS 1.2 and 1.3")
            .https_or_http()
            .enable_http1()
            .build();
        Self {
            base,
            client: Client::builder(TokioExecutor::new()).build(connector),
            cache: Arc::new(quick_cache::sync::Cache::new(AVATARS_CACHED)),
        }
    }

    /// The avatar's bytes; `None` when the CDN fails or is slow.
    pub async fn get(&self, user: UserId, hash: Option<&str>) -> Option<Arc<[u8]>> {
        let url = avatar_url(&self.base, user, hash);
        if let Some(bytes) = self.cache.get(&url) {
            return Some(bytes);
        }
        match tokio::time::timeout(AVATAR_TIMEOUT, self.fetch(&url)).await {
            Ok(Ok(bytes)) => {
                let bytes: Arc<[u8]> = bytes.into();
                self.cache.insert(url, Arc::clone(&bytes));
                Some(bytes)
            }
            Ok(Err(why)) => {
                tracing::debug!(%url, %why, "avatar not fetched");
                None
            }
            Err(_) => {
                tracing::debug!(%url, "avatar fetch timed out");
                None
            }
        }
    }

    async fn fetch(&self, url: &str) -> Result<Vec<u8>, String> {
        let uri: http::Uri = url.parse().map_err(|e| format!("bad URL: {e}"))?;
        let response = self.client.get(uri).await.map_err(|e| e.to_string())?;
        if !response.status().is_success() {
            return Err(format!("status {}", response.status()));
        }
        let body = http_body_util::Limited::new(response.into_body(), AVATAR_MAX_BYTES)
            .collect()
            .await
            .map_err(|e| e.to_string())?;
        Ok(body.to_bytes().to_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn an_unreachable_cdn_gives_no_avatar_so_the_card_draws_the_default() {
        let _ = rustls::crypto::ring::default_provider().install_default();
        // Port 1 on loopback: nothing listens there, the connection is refused at once.
        let avatars = Avatars::new("http://127.0.0.1:1".into());
        assert!(avatars.get(UserId::new(5), Some("abc")).await.is_none());
        assert!(avatars.get(UserId::new(5), None).await.is_none());
    }

    #[test]
    fn urls_follow_discords_image_formatting() {
        let user = UserId::new(80_351_110_224_678_912);
        assert_eq!(
            avatar_url("http://cdn", user, Some("abc")),
            "http://cdn/avatars/80351110224678912/abc.png?size=256"
        );
        assert_eq!(
            avatar_url("http://cdn", user, None),
            format!(
                "http://cdn/embed/avatars/{}.png",
                (80_351_110_224_678_912_u64 >> 22) % 6
            )
        );
    }
}
