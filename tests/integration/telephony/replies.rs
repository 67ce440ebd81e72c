//! SMS replies and key presses act only on what the person was paged for: a bare `4` answers
//! their last page (not a status notice sent after it), a named incident must be one they were
//! paged about, a stranger's number gets nothing back (a reply is a paid SMS), and a request
//! Twilio (or anyone) sends again changes nothing the second time.

use firebell_engine::kinds::{Actor, Channel};
use firebell_tests::backends;

use super::*;

fn sms_to(reqs: &[firebell_tests::fake_telephony::Recorded], to: &str) -> usize {
    reqs.iter()
        .filter(|r| r.is_twilio_sms() && r.field("To") == Some(to))
        .count()
}

/// Opens an incident and lets two minutes pass, so alice is texted about it; waits until that
/// page is recorded as delivered.
async fn paged_by_sms(rig: &Rig, dedup: &str, title: &str) -> IncidentNumber {
    let before = sms_to(&rig.phones.requests(), ALICE_PHONE);
    let n = rig.open_incident(dedup, title).await;
    rig.app.advance(chrono::Duration::minutes(2));
    rig.phones
        .wait_for("alice's page SMS", |r| sms_to(r, ALICE_PHONE) > before)
        .await;
    rig.settled(n).await;
    n
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bare_4_answers_the_last_page_not_a_status_notice_sent_after_it() {
    for backend in backends() {
        let rig = Rig::start(backend, Providers::BOTH).await;
        // 03:02 alice is texted about #1, 03:04 about #2: her last page is #2.
        let first = paged_by_sms(&rig, "first", "disk full").await;
        let second = paged_by_sms(&rig, "second", "cpu hot").await;
        assert_eq!(rig.wait_last_paged("alice").await, second);

        // 03:04 the API acknowledges #1: alice, texted about it, is told so by SMS.
        let (status, body) = rig
            .app
            .api_post(
                &format!("/api/v1/incidents/{}/acknowledge", first.get()),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        rig.phones
            .wait_for("the status notice to alice", |r| {
                sms_to(r, ALICE_PHONE) == 3
            })
            .await;
        rig.settled(first).await;

        // Her "4" is about the page she got, #2, not about the notice.
        let xml = rig.sms_reply(ALICE_PHONE, "4").await;
        assert!(
            xml.contains(&format!(
                "<Message>#{} acknowledged (web: cpu hot)</Message>",
                second.get()
            )),
            "{backend:?}: {xml}"
        );
        assert_eq!(rig.show(second).await["incident"]["status"], "acknowledged");
        assert_eq!(rig.wait_last_paged("alice").await, second);
        rig.app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ack_or_resolve_of_an_incident_never_paged_to_that_number_is_refused_with_what_to_do() {
    for backend in backends() {
        let rig = Rig::start(backend, Providers::BOTH).await;
        let paged = paged_by_sms(&rig, "paged", "disk full").await;
        // Opened after alice's page and never texted to anyone.
        let other = rig.open_incident("other", "queue backlog").await;

        // Bob was never paged at all.
        let xml = rig
            .sms_reply(BOB_PHONE, &format!("ACK {}", paged.get()))
            .await;
        assert!(
            xml.contains(&format!(
                "firebell did not page you about #{} by SMS or call, so nothing was changed",
                paged.get()
            )),
            "{backend:?}: {xml}"
        );
        assert!(xml.contains(&format!("!ack {}", paged.get())), "{xml}");
        assert_eq!(rig.show(paged).await["incident"]["status"], "triggered");

        // Alice was paged, but not about this one.
        let xml = rig
            .sms_reply(ALICE_PHONE, &format!("RESOLVE {}", other.get()))
            .await;
        assert!(
            xml.contains(&format!("did not page you about #{}", other.get())),
            "{backend:?}: {xml}"
        );
        assert_eq!(rig.show(other).await["incident"]["status"], "triggered");

        // Nor by pressing keys on a call about it.
        let xml = rig
            .key_press(other, &fresh_sid("CA"), ALICE_PHONE, "6")
            .await;
        assert!(
            xml.contains(&format!(
                "firebell did not page you about incident number {} by SMS or call",
                other.get()
            )),
            "{backend:?}: {xml}"
        );
        assert_eq!(rig.show(other).await["incident"]["status"], "triggered");

        // What she was paged about, she can resolve by name.
        let xml = rig
            .sms_reply(ALICE_PHONE, &format!("RESOLVE {}", paged.get()))
            .await;
        assert!(xml.contains(&format!("#{} resolved", paged.get())), "{xml}");
        rig.app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_number_gets_no_reply_at_all_and_changes_nothing() {
    let rig = Rig::start(Backend::Sqlite, Providers::BOTH).await;
    let n = rig.open_incident("x", "disk full").await;
    for body in [
        format!("ACK {}", n.get()),
        "4".to_owned(),
        "hello".to_owned(),
    ] {
        let xml = rig.sms_reply("+14155559999", &body).await;
        assert_eq!(xml, NO_REPLY, "{body:?}");
    }
    let xml = rig
        .key_press(n, &fresh_sid("CA"), "+14155559999", "4")
        .await;
    assert_eq!(xml, NO_REPLY);
    assert_eq!(rig.show(n).await["incident"]["status"], "triggered");
    rig.app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replayed_sms_or_key_press_changes_nothing_the_second_time() {
    for backend in backends() {
        let rig = Rig::start(backend, Providers::BOTH).await;
        let n = paged_by_sms(&rig, "replay", "disk full").await;
        let bob = Actor::new("bob", Channel::Api);

        let sms = fresh_sid("SM");
        let xml = rig.sms_reply_as(&sms, ALICE_PHONE, "4").await;
        assert!(xml.contains("acknowledged"), "{backend:?}: {xml}");
        // Bob sends it back up the ladder: a replay of alice's "4" must not take it again.
        rig.app.engine().escalate(n, &bob).await.expect("escalate");
        let xml = rig.sms_reply_as(&sms, ALICE_PHONE, "4").await;
        assert_eq!(xml, NO_REPLY, "{backend:?}: no second paid SMS");
        assert_eq!(
            rig.show(n).await["incident"]["status"],
            "triggered",
            "{backend:?}"
        );

        let call = fresh_sid("CA");
        let xml = rig.key_press(n, &call, ALICE_PHONE, "4").await;
        assert!(xml.contains("acknowledged"), "{backend:?}: {xml}");
        rig.app.engine().escalate(n, &bob).await.expect("escalate");
        let xml = rig.key_press(n, &call, ALICE_PHONE, "4").await;
        assert!(
            xml.contains("That key press was already handled"),
            "{backend:?}: {xml}"
        );
        assert_eq!(
            rig.show(n).await["incident"]["status"],
            "triggered",
            "{backend:?}"
        );

        // A new message (a new sid) still acts.
        let xml = rig.sms_reply(ALICE_PHONE, "4").await;
        assert!(xml.contains("acknowledged"), "{backend:?}: {xml}");
        rig.app.stop().await;
    }
}
