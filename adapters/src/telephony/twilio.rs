//! Twilio's REST API: send an SMS, place a call with inline TwiML. Both report their outcome later
//! to `{public_url}/twilio/status`.

use firebell_engine::PhoneNumber;
use firebell_engine::config::Secret;

use super::config::Twilio;
use serde::Deserialize;

use super::provider::{Failure, SendError};

/// Twilio error codes that mean the number cannot be reached this way by anyone: an invalid or
/// unknown number, a landline for SMS, a region the account may not call, an opted-out person.
const BAD_NUMBER_CODES: &[u32] = &[
    13223, // call: invalid phone number format
    13224, // call: invalid phone number
    21211, // invalid 'To' phone number
    21214, // 'To' phone number cannot be reached
    21215, // geo permissions do not allow calling this number
    21217, // phone number does not appear to be valid
    21401, // invalid phone number
    21407, // this phone number type does not support SMS or MMS
    21408, // permission to send an SMS has not been enabled for the region
    21421, // phone number is invalid
    21610, // the recipient replied STOP
    21612, // the 'To' phone number is not currently reachable via SMS
    21614, // 'To' number is not a valid mobile number
];

#[derive(Clone)]
pub struct TwilioClient {
    http: reqwest::Client,
    account_sid: String,
    auth_token: Secret,
    from: PhoneNumber,
    api_url: String,
    status_callback: Option<String>,
}

impl std::fmt::Debug for TwilioClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TwilioClient")
            .field("account_sid", &self.account_sid)
            .field("api_url", &self.api_url)
            .finish_non_exhaustive()
    }
}

#[derive(Deserialize)]
struct Created {
    sid: String,
}

#[derive(Deserialize)]
struct ErrorBody {
    code: Option<u32>,
    message: Option<String>,
}

impl TwilioClient {
    pub fn new(http: reqwest::Client, config: &Twilio, public_url: Option<&str>) -> Self {
        Self {
            http,
            account_sid: config.account_sid.clone(),
            auth_token: config.auth_token.clone(),
            from: config.from.clone(),
            api_url: config.api_url.trim_end_matches('/').to_owned(),
            status_callback: public_url
                .map(|u| format!("{}/twilio/status", u.trim_end_matches('/'))),
        }
    }

    /// Sends one SMS; returns its `SM…` sid.
    pub async fn send_sms(&self, to: &PhoneNumber, body: &str) -> Result<String, SendError> {
        let mut form = vec![
            ("To", to.as_str()),
            ("From", self.from.as_str()),
            ("Body", body),
        ];
        if let Some(cb) = &self.status_callback {
            form.push(("StatusCallback", cb));
        }
        self.create("Messages.json", &form).await
    }

    /// Places a call that runs `twiml`; returns its `CA…` sid.
    pub async fn call(&self, to: &PhoneNumber, twiml: &str) -> Result<String, SendError> {
        let mut form = vec![
            ("To", to.as_str()),
            ("From", self.from.as_str()),
            ("Twiml", twiml),
        ];
        if let Some(cb) = &self.status_callback {
            form.push(("StatusCallback", cb));
        }
        self.create("Calls.json", &form).await
    }

    async fn create(&self, resource: &str, form: &[(&str, &str)]) -> Result<String, SendError> {
        let url = format!(
            "{}/2010-04-01/Accounts/{}/{resource}",
            self.api_url, self.account_sid
        );
        let resp = self
            .http
            .post(&url)
            .basic_auth(&self.account_sid, Some(self.auth_token.expose()))
            .form(form)
            .send()
            .await
            .map_err(|e| SendError::transport("Twilio", &e))?;
        let status = resp.status();
        let text = resp
            .text()
            .await
            .map_err(|e| SendError::transport("Twilio", &e))?;
        if !status.is_success() {
            return Err(classify(status, &text));
        }
        serde_json::from_str::<Created>(&text)
            .map(|c| c.sid)
            .map_err(|e| {
                SendError::new(
                    Failure::Retryable,
                    format!("Twilio answered HTTP {status} without a sid: {e}"),
                )
            })
    }
}

/// Turns a non-2xx Twilio answer into an error: 5xx and 429 retryable, 4xx with a bad-number
/// code final, other 4xx refused (another provider may still work).
pub fn classify(status: reqwest::StatusCode, body: &str) -> SendError {
    let parsed: Option<ErrorBody> = serde_json::from_str(body).ok();
    let code = parsed.as_ref().and_then(|b| b.code);
    let detail = parsed
        .and_then(|b| b.message)
        .map(|m| format!(": {}", super::text::truncate(&super::text::clean(&m), 200)))
        .unwrap_or_default();
    let message = match code {
        Some(c) => format!("Twilio error {c} (HTTP {}){detail}", status.as_u16()),
        None => format!("Twilio answered HTTP {}{detail}", status.as_u16()),
    };
    match code {
        Some(c) if status.is_client_error() && BAD_NUMBER_CODES.contains(&c) => {
            SendError::new(Failure::BadNumber, message)
        }
        _ => SendError::from_status(status, message),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::StatusCode;

    #[test]
    fn an_invalid_number_is_a_bad_number_not_a_retry() {
        let body = r#"{"code": 21211, "message": "The 'To' number +15005550001 is not a valid phone number.", "more_info": "https://www.twilio.com/docs/errors/21211", "status": 400}"#;
        let e = classify(StatusCode::BAD_REQUEST, body);
        assert_eq!(e.failure, Failure::BadNumber);
        assert_eq!(
            e.message,
            "Twilio error 21211 (HTTP 400): The 'To' number +15005550001 is not a valid phone number."
        );
        let landline = classify(StatusCode::BAD_REQUEST, r#"{"code": 21614}"#);
        assert_eq!(landline.failure, Failure::BadNumber);
    }

    #[test]
    fn bad_credentials_are_refused_and_outages_retryable() {
        let auth = classify(
            StatusCode::UNAUTHORIZED,
            r#"{"code": 20003, "message": "Authenticate"}"#,
        );
        assert_eq!(auth.failure, Failure::Refused);
        let down = classify(StatusCode::SERVICE_UNAVAILABLE, "<html>oops</html>");
        assert_eq!(down.failure, Failure::Retryable);
        assert_eq!(down.message, "Twilio answered HTTP 503");
        let throttled = classify(StatusCode::TOO_MANY_REQUESTS, r#"{"code": 20429}"#);
        assert_eq!(throttled.failure, Failure::Retryable);
    }

    #[test]
    fn a_bad_number_code_on_a_server_error_is_still_retried() {
        let e = classify(StatusCode::INTERNAL_SERVER_ERROR, r#"{"code": 21211}"#);
        assert_eq!(e.failure, Failure::Retryable);
    }
}
