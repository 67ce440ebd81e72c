//! Where the gateway websocket is. serenity asks `GET /gateway` and, when that fails, dials
//! `wss://gateway.discord.gg` whatever `[discord] api_url` says — past the proxy or the test fake
//! the operator configured, and for good: it keeps redialling that URL and never asks again.
//! firebell asks the configured host itself, retries it with backoff until it answers, and hands
//! serenity only a URL on that host.

use std::time::Duration;

use serenity::http::Http;
use tokio_util::sync::CancellationToken;
use tracing::warn;

use super::api::REAL_API;

/// Longest one `GET /gateway` may take.
const LOOKUP_TIMEOUT: Duration = Duration::from_secs(10);
/// First and longest wait between lookups that failed.
const FIRST_RETRY: Duration = Duration::from_secs(1);
const LONGEST_RETRY: Duration = Duration::from_secs(30);

/// The gateway URL `answer` may be used for, given the configured `api_url`: against the real
/// Discord, whatever it names; against any other API host, only a URL on that same host (the
/// port may differ). `Err` says why not.
pub(crate) fn usable(api_url: &str, answer: &str) -> Result<String, String> {
    let gateway = url::Url::parse(answer)
        .map_err(|e| format!("`GET /gateway` answered `{answer}`, not a URL ({e})"))?;
    if !matches!(gateway.scheme(), "ws" | "wss") {
        return Err(format!(
            "`GET /gateway` answered `{answer}`, not a ws:// or wss:// URL"
        ));
    }
    if api_url.trim_end_matches('/') == REAL_API {
        return Ok(answer.to_owned());
    }
    let api = url::Url::parse(api_url)
        .map_err(|e| format!("`[discord] api_url` `{api_url}` is not a URL ({e})"))?;
    if gateway.host_str() != api.host_str() {
        return Err(format!(
            "`GET /gateway` on {api_url} named a gateway on another host (`{answer}`); \
             with `[discord] api_url` set, firebell connects to that host only"
        ));
    }
    Ok(answer.to_owned())
}

/// Asks `api_url` for the gateway URL until it gives a usable one; `None` if `cancel` fires
/// first.
pub(crate) async fn wait_for(
    http: &Http,
    api_url: &str,
    cancel: &CancellationToken,
) -> Option<String> {
    let mut wait = FIRST_RETRY;
    loop {
        let answer = tokio::select! {
            _ = cancel.cancelled() => return None,
            a = tokio::time::timeout(LOOKUP_TIMEOUT, http.get_gateway()) => a,
        };
        let found = match answer {
            Ok(Ok(g)) => usable(api_url, &g.url),
            Ok(Err(e)) => Err(format!("`GET /gateway` on {api_url} failed: {e}")),
            Err(_) => Err(format!(
                "`GET /gateway` on {api_url} did not answer within {}s",
                LOOKUP_TIMEOUT.as_secs()
            )),
        };
        match found {
            Ok(url) => return Some(url),
            Err(why) => warn!(
                retry_in_secs = wait.as_secs(),
                "cannot find the Discord gateway: {why}"
            ),
        }
        tokio::select! {
            _ = cancel.cancelled() => return None,
            _ = tokio::time::sleep(wait) => {}
        }
        wait = (wait * 2).min(LONGEST_RETRY);
    }
}

#[cfg(test)]
mod tests {
    use super::usable;

    #[test]
    fn the_real_discord_may_name_its_own_gateway_host() {
        assert_eq!(
            usable("https://discord.com", "wss://gateway.discord.gg").as_deref(),
            Ok("wss://gateway.discord.gg")
        );
    }

    #[test]
    fn a_configured_api_host_may_name_a_gateway_on_the_same_host_and_another_port() {
        assert_eq!(
            usable("http://127.0.0.1:4000", "ws://127.0.0.1:4001").as_deref(),
            Ok("ws://127.0.0.1:4001")
        );
    }

    #[test]
    fn a_configured_api_host_naming_the_real_discord_gateway_is_refused() {
        let err = usable("http://127.0.0.1:4000", "wss://gateway.discord.gg").unwrap_err();
        assert!(err.contains("another host"), "{err}");
    }

    #[test]
    fn an_answer_that_is_not_a_websocket_url_is_refused() {
        assert!(usable("http://127.0.0.1:4000", "http://127.0.0.1:4001").is_err());
        assert!(usable("https://discord.com", "not a url").is_err());
    }
}
