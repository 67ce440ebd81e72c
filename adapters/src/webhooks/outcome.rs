//! What a receiver's answer means for the outbox: delivered, worth another try, or not.
//!
//! - 2xx: delivered. The body is not read.
//! - 408, 425, 429 and 5xx, timeouts and failed connections: retried with backoff, as PagerDuty
//!   retries. (A TLS failure is a failed connection too: a renewed certificate can fix it.)
//! - Any other 4xx: the receiver refuses this request (wrong path, bad signature, gone); the
//!   same bytes will be refused again, so it is given up at once.
//! - 3xx: not followed — a redirect would carry the signed body to an address nobody
//!   configured, and 301/302 turn a POST into a GET without its body — so given up at once with
//!   the `Location` to configure instead.
//!
//! Only a failed answer's body is read, at most [`MAX_BODY`] bytes, and its first line (up to
//! [`MAX_SNIPPET`] characters) goes into the error: enough to see "invalid signature", never a
//! receiver's whole error page in the timeline.

use firebell_engine::error::cause_chain;
use firebell_engine::notify::NotifyError;
use reqwest::StatusCode;

/// Bytes of a failed answer's body read at most.
pub const MAX_BODY: usize = 1024;
/// Characters of it kept in the error.
pub const MAX_SNIPPET: usize = 120;

/// Whether an answer with `status` could succeed if the same request is sent again.
pub fn retryable(status: StatusCode) -> bool {
    status.is_server_error()
        || matches!(status.as_u16(), 408 | 425 | 429)
        || status.is_informational()
}

/// The error for a non-2xx answer: "HTTP 500 Internal Server Error — upstream down".
pub fn refused(status: StatusCode, location: Option<&str>, body: &[u8]) -> NotifyError {
    let mut message = format!("HTTP {status}");
    if status.is_redirection() {
        message.push_str(": redirects are not followed");
        if let Some(to) = location {
            message.push_str(&format!(
                " — set the webhook's url to {}",
                first_line(to.as_bytes())
            ));
        }
        return NotifyError::permanent(message);
    }
    let snippet = first_line(body);
    if !snippet.is_empty() {
        message.push_str(" — ");
        message.push_str(&snippet);
    }
    if retryable(status) {
        NotifyError::retryable(message)
    } else {
        NotifyError::permanent(message)
    }
}

/// A failure before any answer. The URL is left out of reqwest's message: it may hold
/// Basic credentials.
pub fn transport(e: reqwest::Error, timeout: std::time::Duration) -> NotifyError {
    if e.is_timeout() {
        let secs = timeout.as_secs_f64();
        return NotifyError::retryable(format!("no answer within {secs} s"));
    }
    let retry = e.is_connect() || e.is_request() || e.is_body();
    let e = e.without_url();
    let message = cause_chain(&e);
    if retry {
        NotifyError::retryable(format!("could not deliver: {message}"))
    } else {
        NotifyError::permanent(format!("could not send: {message}"))
    }
}

/// The first non-empty line of `body`, lossily decoded, trimmed to [`MAX_SNIPPET`] characters.
fn first_line(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(MAX_BODY)]);
    let line = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("");
    let mut out: String = line.chars().take(MAX_SNIPPET).collect();
    if line.chars().count() > MAX_SNIPPET {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_errors_timeouts_and_throttling_are_retried_other_client_errors_are_not() {
        for code in [500, 502, 503, 504, 408, 425, 429] {
            let s = StatusCode::from_u16(code).expect("status");
            assert!(refused(s, None, b"").retryable, "{code}");
        }
        for code in [400, 401, 403, 404, 405, 410, 413, 422] {
            let s = StatusCode::from_u16(code).expect("status");
            assert!(!refused(s, None, b"").retryable, "{code}");
        }
    }

    #[test]
    fn a_redirect_is_not_followed_and_says_where_to_point_the_webhook() {
        let e = refused(
            StatusCode::MOVED_PERMANENTLY,
            Some("https://lamp.example.com/v2/hook"),
            b"moved",
        );
        assert!(!e.retryable);
        assert_eq!(
            e.message,
            "HTTP 301 Moved Permanently: redirects are not followed — set the webhook's url to \
             https://lamp.example.com/v2/hook"
        );
    }

    #[test]
    fn the_error_keeps_only_the_first_line_of_a_bounded_body() {
        let e = refused(
            StatusCode::UNAUTHORIZED,
            None,
            b"\n  invalid signature  \nstack trace line 1\nline 2",
        );
        assert_eq!(e.message, "HTTP 401 Unauthorized — invalid signature");
        let long = "x".repeat(5000);
        let e = refused(StatusCode::INTERNAL_SERVER_ERROR, None, long.as_bytes());
        assert_eq!(
            e.message,
            format!(
                "HTTP 500 Internal Server Error — {}…",
                "x".repeat(MAX_SNIPPET)
            )
        );
        assert_eq!(
            refused(StatusCode::BAD_GATEWAY, None, b"").message,
            "HTTP 502 Bad Gateway"
        );
    }
}
