//! Pages leaving by SMS and call: the wire format Twilio and Vonage receive, and the failover
//! from Twilio to Vonage.

use firebell_adapters::telephony::TelephonyNotifier;
use firebell_engine::kinds::{Actor, Channel, ContactMethod, IncidentStatus};
use firebell_engine::notify::{Notification, Notifier};
use firebell_tests::Backend;

use super::*;

fn notifier(rig: &Rig) -> TelephonyNotifier {
    TelephonyNotifier::from_config(&rig.app.config().providers, rig.app.engine().config())
        .expect("providers configured")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unanswered_page_texts_after_two_minutes_then_calls_after_five() {
    let rig = Rig::start(Backend::Sqlite, Providers::BOTH).await;
    let n = rig.open_incident("ladder", "disk full").await;

    rig.app.advance(chrono::Duration::minutes(2));
    let sent = rig
        .phones
        .wait_for("the page SMS", |r| r.iter().any(|r| r.is_twilio_sms()))
        .await;
    let sms = sent.iter().find(|r| r.is_twilio_sms()).unwrap();
    assert_eq!(
        sms.path,
        format!("/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json")
    );
    assert_eq!(sms.basic_user.as_deref(), Some(ACCOUNT_SID));
    assert_eq!(sms.field("To"), Some(ALICE_PHONE));
    assert_eq!(sms.field("From"), Some(TWILIO_FROM));
    assert_eq!(
        sms.field("Body").unwrap(),
        format!(
            "firebell #{} CRITICAL db-01: disk full. Reply 4 ack, 6 resolve",
            n.get()
        )
    );
    assert_eq!(
        sms.field("StatusCallback"),
        Some(&*format!("{PUBLIC_URL}/twilio/status"))
    );

    rig.app.advance(chrono::Duration::minutes(3));
    let sent = rig
        .phones
        .wait_for("the page call", |r| r.iter().any(|r| r.is_twilio_call()))
        .await;
    let call = sent.iter().find(|r| r.is_twilio_call()).unwrap();
    assert_eq!(call.field("To"), Some(ALICE_PHONE));
    let twiml = call.field("Twiml").unwrap();
    assert!(
        twiml.starts_with(&format!(
            "<Response><Gather numDigits=\"1\" action=\"{PUBLIC_URL}/twilio/voice?incident={}\" method=\"POST\"><Say>",
            n.get()
        )),
        "{twiml}"
    );
    assert!(
        twiml.contains(
            "critical, db-01: disk full. Press 4 to acknowledge, 6 to resolve, 5 to escalate."
        ),
        "{twiml}"
    );
    // The row is settled just after Twilio answers: wait for the timeline to say so.
    let show = rig
        .app
        .api_wait(&format!("/api/v1/incidents/{}", n.get()), |b| {
            timeline(b)
                .iter()
                .any(|m| m.contains("by voice call (level 1) via twilio"))
        })
        .await;
    let entries = timeline(&show);
    assert!(
        entries
            .iter()
            .any(|m| m.contains("Notified Alice Adams (alice) by SMS (level 1) via twilio")),
        "{entries:#?}"
    );
    rig.app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_twilio_outage_fails_over_to_vonage_within_the_same_delivery() {
    let rig = Rig::start(Backend::Sqlite, Providers::BOTH).await;
    let n = rig.open_incident("outage", "disk full").await;
    let page = rig
        .outgoing(n, "alice", ContactMethod::Sms, paged("alice", None))
        .await;
    rig.phones.fail_twilio_with_500(1);

    let d = notifier(&rig)
        .deliver(&page)
        .await
        .expect("delivered through Vonage");
    assert_eq!(d.provider.as_deref(), Some("vonage"));
    assert_eq!(
        d.note.as_deref(),
        Some(
            "Twilio failed: Twilio error 20500 (HTTP 500): An internal server error has occurred; sent through Vonage"
        )
    );
    let reqs = rig.phones.requests();
    assert_eq!(reqs.len(), 2, "{reqs:#?}");
    assert!(reqs[0].is_twilio_sms() && reqs[1].is_vonage_sms());
    let vonage = &reqs[1];
    assert_eq!(d.external_ref, vonage.id);
    assert_eq!(vonage.field("api_key"), Some("vonage-key"));
    assert_eq!(vonage.field("api_secret"), Some("vonage-secret"));
    assert_eq!(vonage.field("from"), Some("firebell"));
    assert_eq!(
        vonage.field("to"),
        Some("14155550101"),
        "Vonage wants no '+'"
    );
    assert_eq!(
        vonage.field("text"),
        reqs[0].field("Body"),
        "the same words"
    );
    rig.app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_number_is_a_permanent_failure_and_not_failed_over() {
    let rig = Rig::start(Backend::Sqlite, Providers::BOTH).await;
    let n = rig.open_incident("bad", "disk full").await;
    let page = rig
        .outgoing(n, "alice", ContactMethod::Sms, paged("alice", None))
        .await;
    rig.phones.fail_twilio_with_bad_number();

    let e = notifier(&rig).deliver(&page).await.unwrap_err();
    assert!(!e.retryable, "{e:?}");
    assert!(
        e.message.starts_with("Twilio error 21211 (HTTP 400)"),
        "{}",
        e.message
    );
    assert_eq!(rig.phones.requests().len(), 1, "Vonage was not tried");
    rig.app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resend_after_twilio_reported_failure_goes_through_vonage_only() {
    let rig = Rig::start(Backend::Sqlite, Providers::BOTH).await;
    let n = rig.open_incident("resend", "disk full").await;
    let page = rig
        .outgoing(
            n,
            "alice",
            ContactMethod::Sms,
            paged("alice", Some("twilio")),
        )
        .await;
    let d = notifier(&rig).deliver(&page).await.expect("sent");
    assert_eq!(d.provider.as_deref(), Some("vonage"));
    assert_eq!(d.note, None);
    let reqs = rig.phones.requests();
    assert_eq!(reqs.len(), 1);
    assert!(reqs[0].is_vonage_sms());
    rig.app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vonage_answering_200_with_a_nonzero_status_is_a_failure() {
    let rig = Rig::start(Backend::Sqlite, Providers::BOTH).await;
    let n = rig.open_incident("both-down", "disk full").await;
    let page = rig
        .outgoing(n, "alice", ContactMethod::Sms, paged("alice", None))
        .await;
    let phones = notifier(&rig);

    rig.phones.fail_twilio_with_500(1);
    rig.phones.fail_vonage_throttled(1);
    let e = phones.deliver(&page).await.unwrap_err();
    assert!(e.retryable, "both providers may recover: {e:?}");
    assert!(
        e.message
            .contains("Vonage failed: Vonage status 1: Throttled"),
        "{}",
        e.message
    );

    let resend = rig
        .outgoing(
            n,
            "alice",
            ContactMethod::Sms,
            paged("alice", Some("twilio")),
        )
        .await;
    rig.phones.fail_vonage_bad_credentials();
    let e = phones.deliver(&resend).await.unwrap_err();
    assert!(!e.retryable, "{e:?}");
    assert_eq!(e.message, "Vonage status 4: Bad Credentials");
    rig.app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_twilio_alone_an_outage_is_retried_and_calls_need_twilio() {
    let rig = Rig::start(
        Backend::Sqlite,
        Providers {
            twilio: true,
            vonage: false,
        },
    )
    .await;
    let n = rig.open_incident("alone", "disk full").await;
    let page = rig
        .outgoing(n, "alice", ContactMethod::Sms, paged("alice", None))
        .await;
    rig.phones.fail_twilio_with_500(1);
    let e = notifier(&rig).deliver(&page).await.unwrap_err();
    assert!(e.retryable, "{e:?}");

    let only_vonage = Rig::start(
        Backend::Sqlite,
        Providers {
            twilio: false,
            vonage: true,
        },
    )
    .await;
    let m = only_vonage.open_incident("v", "disk full").await;
    let call = only_vonage
        .outgoing(m, "alice", ContactMethod::Voice, paged("alice", None))
        .await;
    let e = notifier(&only_vonage).deliver(&call).await.unwrap_err();
    assert!(!e.retryable);
    assert!(
        e.message.contains("voice calls need Twilio"),
        "{}",
        e.message
    );
    let sms = only_vonage
        .outgoing(m, "alice", ContactMethod::Sms, paged("alice", None))
        .await;
    let d = notifier(&only_vonage).deliver(&sms).await.expect("sent");
    assert_eq!(d.provider.as_deref(), Some("vonage"));
    rig.app.stop().await;
    only_vonage.app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_status_notice_sms_names_who_acted() {
    let rig = Rig::start(Backend::Sqlite, Providers::BOTH).await;
    let n = rig.open_incident("notice", "disk full").await;
    let notice = Notification::StatusNotice {
        status: IncidentStatus::Acknowledged,
        actor: Actor::new("bob", Channel::Slack),
    };
    let msg = rig.outgoing(n, "alice", ContactMethod::Sms, notice).await;
    let d = notifier(&rig).deliver(&msg).await.expect("sent");
    assert_eq!(d.provider.as_deref(), Some("twilio"));
    let reqs = rig.phones.requests();
    assert_eq!(
        reqs[0].field("Body").unwrap(),
        format!("firebell #{} acknowledged by Bob Brown", n.get())
    );
    rig.app.stop().await;
}
