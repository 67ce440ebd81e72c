//! What the provider clients share: one HTTP client with timeouts, and one error type that says
//! whether a failure is worth another try, worth another provider, or neither.

use std::fmt;
use std::time::Duration;

use firebell_engine::error::cause_chain;

/// A provider that has not answered in this long is treated as down: the page goes through the
/// other provider, or back to the outbox for a retry.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// How a send failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// The provider is down, slow or throttling: a later try (or the other provider) may work.
    Retryable,
    /// The provider refused the request (credentials, account, malformed request): retrying the
    /// same request changes nothing, but the other provider may still deliver.
    Refused,
    /// The number itself cannot receive this (invalid, not mobile, blocked region, opted out):
    /// no provider and no retry will help.
    BadNumber,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendError {
    pub failure: Failure,
    pub message: String,
}

impl SendError {
    pub fn new(failure: Failure, message: impl Into<String>) -> Self {
        Self {
            failure,
            message: message.into(),
        }
    }

    /// Transport failures: timeouts and refused connections are worth another try; anything
    /// else reqwest reports before a response (a bad URL, TLS setup) is not.
    pub fn transport(provider: &str, e: &reqwest::Error) -> Self {
        if e.is_timeout() {
            Self::new(
                Failure::Retryable,
                format!(
                    "{provider} did not answer within {} s",
                    REQUEST_TIMEOUT.as_secs()
                ),
            )
        } else if e.is_connect() || e.is_request() || e.is_body() {
            Self::new(
                Failure::Retryable,
                format!("could not reach {provider}: {}", cause_chain(e)),
            )
        } else {
            Self::new(
                Failure::Refused,
                format!("request to {provider} failed: {}", cause_chain(e)),
            )
        }
    }

    /// The HTTP status alone: 5xx and 429 are the provider's trouble, other 4xx ours.
    pub fn from_status(status: reqwest::StatusCode, message: String) -> Self {
        let failure =
            if status.is_server_error() || status == reqwest::StatusCode::TOO_MANY_REQUESTS {
                Failure::Retryable
            } else {
                Failure::Refused
            };
        Self::new(failure, message)
    }
}

impl fmt::Display for SendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// The client every provider call goes through.
pub fn http_client() -> Result<reqwest::Client, reqwest::Error> {
    reqwest::Client::builder()
        .timeout(REQUEST_TIMEOUT)
        .connect_timeout(CONNECT_TIMEOUT)
        .user_agent(concat!("firebell/", env!("CARGO_PKG_VERSION")))
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::StatusCode;

    #[test]
    fn server_errors_and_throttling_are_retryable_other_client_errors_are_not() {
        let f = |s| SendError::from_status(s, String::new()).failure;
        assert_eq!(f(StatusCode::INTERNAL_SERVER_ERROR), Failure::Retryable);
        assert_eq!(f(StatusCode::BAD_GATEWAY), Failure::Retryable);
        assert_eq!(f(StatusCode::TOO_MANY_REQUESTS), Failure::Retryable);
        assert_eq!(f(StatusCode::UNAUTHORIZED), Failure::Refused);
        assert_eq!(f(StatusCode::BAD_REQUEST), Failure::Refused);
    }

    #[tokio::test]
    async fn a_refused_connection_is_retryable() {
        // Bind and drop to get a port nobody listens on.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let e = http_client()
            .unwrap()
            .get(format!("http://127.0.0.1:{port}/"))
            .send()
            .await
            .unwrap_err();
        let err = SendError::transport("Twilio", &e);
        assert_eq!(err.failure, Failure::Retryable, "{err}");
        assert!(err.message.starts_with("could not reach Twilio"), "{err}");
    }
}
