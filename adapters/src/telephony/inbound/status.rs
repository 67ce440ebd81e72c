//! `POST /twilio/status`: how an SMS or call we sent fared. Final outcomes go onto the incident's
//! timeline through [`Engine::page_status`](firebell_engine::Engine::page_status) (which also
//! re-sends a failed page SMS through Vonage); interim ones (queued, sent, ringing …) are
//! acknowledged and dropped.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use firebell_engine::escalation::{PageStatus, Resend};
use tracing::{debug, info};

use super::{Signed, explain, json_error};
use crate::http::AppState;
use crate::telephony::{TWILIO, VONAGE};

/// Twilio error codes a failed message most often carries, in words for the timeline.
const ERROR_WORDS: &[(&str, &str)] = &[
    ("30003", "unreachable destination handset"),
    ("30004", "message blocked"),
    ("30005", "unknown destination handset"),
    ("30006", "landline or unreachable carrier"),
    ("30007", "filtered by the carrier"),
    ("30008", "unknown error"),
];

/// Maps Twilio's `MessageStatus` / `CallStatus` to what the engine records; `None` for interim
/// statuses.
pub(crate) fn page_status(status: &str, error_code: Option<&str>) -> Option<PageStatus> {
    match status {
        "delivered" => Some(PageStatus::Delivered),
        "failed" | "undelivered" => Some(PageStatus::Failed(failure_detail(status, error_code))),
        "no-answer" => Some(PageStatus::NoAnswer),
        "busy" => Some(PageStatus::Busy),
        "completed" => Some(PageStatus::Completed),
        _ => None,
    }
}

fn failure_detail(status: &str, error_code: Option<&str>) -> String {
    match error_code.map(str::trim).filter(|c| !c.is_empty()) {
        Some(code) => match ERROR_WORDS.iter().find(|(c, _)| *c == code) {
            Some((_, words)) => format!("{status}, Twilio error {code}: {words}"),
            None => format!("{status}, Twilio error {code}"),
        },
        None => status.to_owned(),
    }
}

#[tracing::instrument(skip_all)]
pub(crate) async fn callback(State(state): State<AppState>, hook: Signed) -> Response {
    let (sid, status) = match (
        hook.param("MessageSid"),
        hook.param("MessageStatus"),
        hook.param("CallSid"),
        hook.param("CallStatus"),
    ) {
        (Some(sid), Some(status), _, _) | (_, _, Some(sid), Some(status)) => (sid, status),
        _ => {
            return json_error(
                StatusCode::BAD_REQUEST,
                "bad_request",
                "a status callback needs MessageSid and MessageStatus, or CallSid and CallStatus",
            );
        }
    };
    let Some(outcome) = page_status(status, hook.param("ErrorCode")) else {
        debug!(sid, status, "interim status ignored");
        return StatusCode::NO_CONTENT.into_response();
    };
    // Provider failover is ours to decide: a page SMS Twilio gives up on goes once more through
    // Vonage, when Vonage is configured.
    let resend = state.providers.vonage.is_some().then_some(Resend {
        from: TWILIO,
        via: VONAGE,
    });
    match state.engine.page_status(sid, outcome, resend).await {
        Ok(known) => {
            info!(sid, status, known, "provider status");
            StatusCode::NO_CONTENT.into_response()
        }
        Err(e) => json_error(StatusCode::SERVICE_UNAVAILABLE, "unavailable", &explain(&e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn final_statuses_map_and_interim_ones_are_ignored() {
        assert_eq!(page_status("delivered", None), Some(PageStatus::Delivered));
        assert_eq!(page_status("no-answer", None), Some(PageStatus::NoAnswer));
        assert_eq!(page_status("busy", None), Some(PageStatus::Busy));
        assert_eq!(page_status("completed", None), Some(PageStatus::Completed));
        for interim in [
            "queued",
            "sending",
            "sent",
            "accepted",
            "ringing",
            "in-progress",
            "initiated",
        ] {
            assert_eq!(page_status(interim, None), None, "{interim}");
        }
    }

    #[test]
    fn failures_carry_the_error_code_in_words() {
        assert_eq!(
            page_status("undelivered", Some("30003")),
            Some(PageStatus::Failed(
                "undelivered, Twilio error 30003: unreachable destination handset".into()
            ))
        );
        assert_eq!(
            page_status("failed", Some("12345")),
            Some(PageStatus::Failed("failed, Twilio error 12345".into()))
        );
        assert_eq!(
            page_status("failed", Some("")),
            Some(PageStatus::Failed("failed".into()))
        );
    }
}
