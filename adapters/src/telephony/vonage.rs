//! Vonage (Nexmo) SMS, the second SMS provider. Its API answers HTTP 200 even when the message
//! was refused: the verdict is `messages[i].status`, where only `"0"` means accepted.

use firebell_engine::PhoneNumber;
use firebell_engine::config::Secret;

use super::config::Vonage;
use serde::Deserialize;

use super::provider::{Failure, SendError};

#[derive(Clone)]
pub struct VonageClient {
    http: reqwest::Client,
    api_key: String,
    api_secret: Secret,
    from: String,
    api_url: String,
}

impl std::fmt::Debug for VonageClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VonageClient")
            .field("api_key", &self.api_key)
            .field("api_url", &self.api_url)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Deserialize)]
struct Response {
    #[serde(default)]
    messages: Vec<Message>,
}

#[derive(Debug, Deserialize)]
struct Message {
    status: String,
    #[serde(rename = "message-id")]
    message_id: Option<String>,
    #[serde(rename = "error-text")]
    error_text: Option<String>,
}

impl VonageClient {
    pub fn new(http: reqwest::Client, config: &Vonage) -> Self {
        Self {
            http,
            api_key: config.api_key.clone(),
            api_secret: config.api_secret.clone(),
            from: config.from.clone(),
            api_url: config.api_url.trim_end_matches('/').to_owned(),
        }
    }

    /// Sends one SMS; returns Vonage's message id.
    pub async fn send_sms(&self, to: &PhoneNumber, text: &str) -> Result<String, SendError> {
        let to = to.as_str().trim_start_matches('+');
        let mut form = vec![
            ("api_key", self.api_key.as_str()),
            ("api_secret", self.api_secret.expose()),
            ("from", self.from.as_str()),
            ("to", to),
            ("text", text),
        ];
        // Plain `text` is GSM-7: anything beyond ASCII (the `…` of a shortened title, names with
        // accents, emoji) would arrive as question marks.
        if !text.is_ascii() {
            form.push(("type", "unicode"));
        }
        let resp = self
            .http
            .post(format!("{}/sms/json", self.api_url))
            .form(&form)
            .send()
            .await
            .map_err(|e| SendError::transport("Vonage", &e))?;
        let status = resp.status();
        let body = resp
            .text()
            .await
            .map_err(|e| SendError::transport("Vonage", &e))?;
        if !status.is_success() {
            let detail = super::text::truncate(&super::text::clean(&body), 200);
            return Err(SendError::from_status(
                status,
                format!("Vonage answered HTTP {}: {detail}", status.as_u16()),
            ));
        }
        verdict(&body)
    }
}

/// Reads the body of an HTTP 200: every part must have status `"0"`.
pub fn verdict(body: &str) -> Result<String, SendError> {
    let parsed: Response = serde_json::from_str(body).map_err(|e| {
        SendError::new(
            Failure::Retryable,
            format!("Vonage answered with an unreadable body: {e}"),
        )
    })?;
    if let Some(bad) = parsed.messages.iter().find(|m| m.status != "0") {
        let text = bad.error_text.as_deref().unwrap_or("no error text");
        let message = format!("Vonage status {}: {}", bad.status, super::text::clean(text));
        return Err(SendError::new(failure_for(&bad.status), message));
    }
    parsed
        .messages
        .into_iter()
        .find_map(|m| m.message_id)
        .ok_or_else(|| {
            SendError::new(
                Failure::Retryable,
                "Vonage accepted no message (empty `messages`)",
            )
        })
}

/// Vonage's status codes: 1 throttled, 5 internal error and 10 too many binds pass; 7 (number
/// barred) and 33 (number de-activated) are the number's fault; the rest are refusals
/// (credentials, funds, sender, account).
fn failure_for(status: &str) -> Failure {
    match status {
        "1" | "5" | "10" => Failure::Retryable,
        "7" | "33" => Failure::BadNumber,
        _ => Failure::Refused,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_zero_is_accepted_and_gives_the_message_id() {
        let body = r#"{"message-count":"1","messages":[{"to":"15005550006","message-id":"0A0000000123ABCD1","status":"0","remaining-balance":"3.14","message-price":"0.03","network":"12345"}]}"#;
        assert_eq!(verdict(body).unwrap(), "0A0000000123ABCD1");
    }

    #[test]
    fn http_200_with_a_nonzero_status_is_a_failure() {
        let throttled =
            r#"{"message-count":"1","messages":[{"status":"1","error-text":"Throttled"}]}"#;
        let e = verdict(throttled).unwrap_err();
        assert_eq!(e.failure, Failure::Retryable);
        assert_eq!(e.message, "Vonage status 1: Throttled");

        let creds =
            r#"{"message-count":"1","messages":[{"status":"4","error-text":"Bad Credentials"}]}"#;
        assert_eq!(verdict(creds).unwrap_err().failure, Failure::Refused);

        let barred =
            r#"{"message-count":"1","messages":[{"status":"7","error-text":"Number barred."}]}"#;
        assert_eq!(verdict(barred).unwrap_err().failure, Failure::BadNumber);
    }

    #[test]
    fn one_failed_part_fails_the_whole_message() {
        let body = r#"{"message-count":"2","messages":[{"status":"0","message-id":"A"},{"status":"5","error-text":"Internal Error"}]}"#;
        assert_eq!(verdict(body).unwrap_err().failure, Failure::Retryable);
    }

    #[test]
    fn garbage_or_empty_answers_are_retryable() {
        assert_eq!(verdict("<html>").unwrap_err().failure, Failure::Retryable);
        assert_eq!(
            verdict(r#"{"message-count":"0","messages":[]}"#)
                .unwrap_err()
                .failure,
            Failure::Retryable
        );
    }
}
