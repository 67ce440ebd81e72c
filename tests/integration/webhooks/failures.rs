//! A receiver that fails: a 500 is retried after the backoff (on the manual clock) with the very
//! same bytes; a budget spent is given up with a timeline entry; a 4xx is given up at once
//! without holding up the incident's next event; a hanging receiver delays neither the console
//! nor an SMS page.

use std::time::Duration;

use firebell_tests::backends;
use firebell_tests::fake_telephony::FakeTelephony;
use firebell_tests::fixtures::{WEB_KEY, config_toml};

use super::{LAMP, Rig, SECRET, types};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_500_is_retried_after_the_backoff_with_the_same_body_id_and_signature() {
    for backend in backends() {
        let rig = Rig::start(backend, LAMP).await;
        rig.receiver.fail_next(1, 500);
        let n = rig.open(WEB_KEY, "disk", "Disk full").await;
        let first = rig.receiver.wait_count(1).await;
        assert_eq!(first[0].answered, Some(500));

        // The retry is due a second later on firebell's clock, which has not moved.
        rig.app.engine().outbox_nudge().notify_one();
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(
            rig.receiver.requests().len(),
            1,
            "{backend:?}: not before the backoff"
        );

        rig.advance(chrono::Duration::seconds(2));
        let got = rig.receiver.wait_count(2).await;
        assert_eq!(got[1].answered, Some(200));
        assert_eq!(got[0].body, got[1].body, "{backend:?}: identical bytes");
        for h in ["x-webhook-id", "x-pagerduty-signature"] {
            assert_eq!(got[0].header(h), got[1].header(h), "{h}");
        }
        assert!(got[1].signed_with(SECRET));
        rig.drained().await;
        let shown = rig.show(n).await;
        let hook = shown["notifications"]
            .as_array()
            .expect("list")
            .iter()
            .find(|d| d["method"] == "hook")
            .cloned()
            .expect("the webhook row");
        assert_eq!(hook["attempts"], 2);
        assert!(hook["delivered_at"].is_string(), "{hook}");
        rig.app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_webhook_that_keeps_failing_is_given_up_after_its_budget_with_a_timeline_entry() {
    for backend in backends() {
        let hooks = LAMP.replace("secret =", "max_attempts = 3\nsecret =");
        let rig = Rig::start(backend, &hooks).await;
        rig.receiver.fail_always(Some(500));
        let n = rig.open(WEB_KEY, "disk", "Disk full").await;
        for tries in 1..=3 {
            rig.receiver.wait_count(tries).await;
            // Well past any backoff so far (1 s, 2 s).
            rig.advance(chrono::Duration::seconds(10));
        }
        let want = "Webhook `lamp` gave up on incident.triggered after 3 attempts: HTTP 500 \
                    Internal Server Error";
        let shown = rig
            .app
            .api_wait(&format!("/api/v1/incidents/{}", n.get()), |b| {
                b["timeline"].to_string().contains(want)
            })
            .await;
        let entry = shown["timeline"]
            .as_array()
            .expect("timeline")
            .iter()
            .find(|e| e["message"] == want)
            .cloned()
            .expect("the entry");
        assert_eq!(
            (&entry["kind"], &entry["actor"], &entry["channel"]),
            (
                &serde_json::json!("notified"),
                &serde_json::json!("firebell"),
                &serde_json::json!("system")
            ),
            "{backend:?}"
        );
        // Given up for good: no fourth try, even well past the longest backoff (5 minutes). Not
        // an hour: that would start escalation levels whose pages only slow the drain below.
        rig.advance(chrono::Duration::minutes(10));
        rig.drained().await;
        assert_eq!(rig.receiver.requests().len(), 3, "{backend:?}");
        rig.app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_4xx_is_given_up_at_once_and_the_next_event_still_goes_out() {
    for backend in backends() {
        let rig = Rig::start(backend, LAMP).await;
        rig.receiver.fail_next(1, 404);
        let n = rig.open(WEB_KEY, "disk", "Disk full").await;
        rig.act(n, "acknowledge", None).await;
        let got = rig.receiver.wait_count(2).await;
        assert_eq!(
            types(&got),
            ["incident.triggered", "incident.acknowledged"],
            "{backend:?}"
        );
        assert_eq!((got[0].answered, got[1].answered), (Some(404), Some(200)));
        let want = "Webhook `lamp` failed on incident.triggered: HTTP 404 Not Found (not retried)";
        rig.app
            .api_wait(&format!("/api/v1/incidents/{}", n.get()), |b| {
                b["timeline"].to_string().contains(want)
            })
            .await;
        rig.app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hanging_receiver_holds_up_neither_the_console_nor_an_sms_page() {
    for backend in backends() {
        let phones = FakeTelephony::start().await;
        // Longer than any wait below: had anything waited for the receiver, the test fails.
        let hooks = LAMP.replace("secret =", "timeout = \"30s\"\nsecret =");
        let twilio = format!(
            "[providers]\npublic_url = \"{}\"\n\n[providers.twilio]\naccount_sid = \"{}\"\n\
             auth_token = \"{}\"\nfrom = \"{}\"\napi_url = \"{}\"\n",
            crate::telephony::PUBLIC_URL,
            crate::telephony::ACCOUNT_SID,
            crate::telephony::AUTH_TOKEN,
            crate::telephony::TWILIO_FROM,
            phones.url
        );
        let receiver = firebell_tests::fake_receiver::FakeReceiver::start().await;
        receiver.hang();
        // Alice has a phone: texted two minutes after she is paged.
        let toml = format!(
            "{}\n{twilio}\n{}",
            config_toml().replace(
                "name = \"Alice Adams\"\n",
                &format!(
                    "name = \"Alice Adams\"\nphone = \"{}\"\n",
                    crate::telephony::ALICE_PHONE
                ),
            ),
            hooks.replace("{url}", &receiver.url)
        );
        let config = firebell::Loaded::parse(&toml, "t.toml", &|_| None)
            .unwrap_or_else(|e| panic!("{e}\n{toml}"));
        let app = firebell_tests::TestApp::spawn_with(backend, config).await;
        let rig = Rig { app, receiver };
        let mark = rig.app.console_mark();
        rig.open(WEB_KEY, "disk", "Disk full on db-01").await;
        // The receiver has the webhook and sits on it...
        rig.receiver.wait_count(1).await;
        // ...while the incident is posted to the room and alice is texted.
        rig.app.console_wait(mark, "Disk full on db-01").await;
        rig.advance(chrono::Duration::minutes(2));
        let sent = phones
            .wait_for("alice's SMS", |r| r.iter().any(|m| m.is_twilio_sms()))
            .await;
        let sms = sent.iter().find(|m| m.is_twilio_sms()).expect("found");
        assert_eq!(sms.field("To"), Some(crate::telephony::ALICE_PHONE));
        assert!(
            rig.receiver.requests().iter().all(|r| r.answered.is_none()),
            "{backend:?}: the receiver never answered"
        );
        rig.receiver.release();
        rig.app.stop().await;
    }
}
