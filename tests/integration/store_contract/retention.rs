//! What the store forgets, on a manual clock: replay ids once they expire, mail log rows past
//! `[email] log_retention` — a bounded batch per tick, oldest first.

use firebell_engine::email::{MailVia, RefusedMail};
use firebell_engine::replay::Delivery;

use super::*;

contract_tests!(
    a_request_id_is_taken_once_across_replicas_and_forgotten_when_it_expires,
    the_mail_log_is_trimmed_oldest_first_in_bounded_batches,
);

async fn a_request_id_is_taken_once_across_replicas_and_forgotten_when_it_expires(
    backend: Backend,
) {
    let mut h = Harness::start(backend).await;
    let other = h.replica().await;
    assert!(
        h.engine
            .first_delivery(Delivery::SlackEvent, "Ev0FB1")
            .await
            .unwrap()
    );
    assert!(
        !other
            .first_delivery(Delivery::SlackEvent, "Ev0FB1")
            .await
            .unwrap()
    );
    // The same id from another source is another request.
    assert!(
        other
            .first_delivery(Delivery::TwilioSms, "Ev0FB1")
            .await
            .unwrap()
    );
    assert!(
        h.engine
            .first_delivery(Delivery::SlackEvent, &"x".repeat(201))
            .await
            .is_err()
    );

    h.advance(Duration::hours(23));
    h.engine.tick().await.unwrap();
    assert!(
        !h.engine
            .first_delivery(Delivery::SlackEvent, "Ev0FB1")
            .await
            .unwrap()
    );
    h.advance(Duration::hours(1) + Duration::seconds(1));
    h.engine.tick().await.unwrap();
    assert!(
        h.engine
            .first_delivery(Delivery::SlackEvent, "Ev0FB1")
            .await
            .unwrap(),
        "a day on, Slack's id is forgotten"
    );
    assert!(
        !other
            .first_delivery(Delivery::TwilioSms, "Ev0FB1")
            .await
            .unwrap(),
        "Twilio's ids are kept longer"
    );
    h.shut_down().await;
}

async fn the_mail_log_is_trimmed_oldest_first_in_bounded_batches(backend: Backend) {
    let mut h = Harness::start(backend).await;
    let refuse = |recipient: &'static str| RefusedMail {
        via: MailVia::Smtp,
        service: None,
        recipient: Some(recipient),
        sender: "spam@example.org",
        subject: "",
        size: 0,
        reason: "no such address",
    };
    for _ in 0..1_100 {
        h.engine
            .refuse_mail(&refuse("old@example.com"))
            .await
            .unwrap();
    }
    h.advance(Duration::days(1));
    h.engine
        .refuse_mail(&refuse("young@example.com"))
        .await
        .unwrap();
    let count = |e: &Engine| {
        let e = e.clone();
        async move { e.mail_log(None, None, 10_000).await.unwrap().len() }
    };

    h.advance(Duration::days(30));
    let mut seen = Vec::new();
    for _ in 0..4 {
        h.engine.tick().await.unwrap();
        seen.push(count(&h.engine).await);
    }
    assert_eq!(seen, [601, 101, 1, 1], "500 a tick; the young row stays");
    let left = h.engine.mail_log(None, None, 10).await.unwrap();
    assert_eq!(left[0].recipient.as_deref(), Some("young@example.com"));
    h.shut_down().await;
}
