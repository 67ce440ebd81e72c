//! Twilio's webhooks into firebell: signed or refused; SMS replies and key presses acting on
//! incidents; status callbacks landing on the timeline.

use firebell_tests::fake_telephony::twilio_signature;
use firebell_tests::{Backend, backends};
use reqwest::StatusCode;
use serde_json::Value;

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forged_or_missing_twilio_signature_gets_403_and_changes_nothing() {
    let rig = Rig::start(Backend::Sqlite, Providers::BOTH).await;
    let n = rig.open_incident("forged", "disk full").await;
    let params = [
        ("From", ALICE_PHONE),
        ("To", TWILIO_FROM),
        ("Body", "ACK 1"),
    ];
    let url = |path: &str| format!("{}{path}", rig.app.base);

    let cases = [
        ("no signature", None),
        (
            "wrong token",
            Some(twilio_signature(
                "not-the-token",
                &format!("{PUBLIC_URL}/twilio/sms"),
                &params,
            )),
        ),
        // Signed for the address the request arrived at (the Host header), not the public URL.
        (
            "signed for the Host header",
            Some(twilio_signature(AUTH_TOKEN, &url("/twilio/sms"), &params)),
        ),
        (
            "signed for other parameters",
            Some(twilio_signature(
                AUTH_TOKEN,
                &format!("{PUBLIC_URL}/twilio/sms"),
                &[("From", ALICE_PHONE), ("Body", "hi")],
            )),
        ),
        ("garbage", Some("!!!".to_owned())),
    ];
    for (what, signature) in cases {
        let mut req = rig.app.client.post(url("/twilio/sms")).form(&params);
        if let Some(sig) = signature {
            req = req.header("x-twilio-signature", sig);
        }
        let resp = req.send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::FORBIDDEN, "{what}");
        let body: Value = resp.json().await.unwrap();
        assert_eq!(body["error"], "forbidden", "{what}: {body}");
        assert!(
            body["message"]
                .as_str()
                .unwrap()
                .contains("X-Twilio-Signature"),
            "{what}: {body}"
        );
    }
    for path in ["/twilio/voice?incident=1", "/twilio/status"] {
        let resp = rig
            .app
            .client
            .post(url(path))
            .form(&[
                ("Digits", "4"),
                ("To", ALICE_PHONE),
                ("MessageSid", "SMx"),
                ("MessageStatus", "failed"),
            ])
            .header("x-twilio-signature", "0/KCTR6DLpKmkAf8muzZqo1nDgQ=")
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::FORBIDDEN, "{path}");
    }
    let show = rig.show(n).await;
    assert_eq!(show["incident"]["status"], "triggered", "{show}");
    rig.app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_twilio_configured_the_webhooks_answer_404_json() {
    let rig = Rig::start(
        Backend::Sqlite,
        Providers {
            twilio: false,
            vonage: true,
        },
    )
    .await;
    let (status, body) = rig
        .twilio_post("/twilio/sms", &[("From", ALICE_PHONE), ("Body", "4")])
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let json: Value = serde_json::from_str(&body).unwrap();
    assert!(
        json["message"]
            .as_str()
            .unwrap()
            .contains("Twilio is not configured"),
        "{body}"
    );
    rig.app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_sms_reply_of_4_acknowledges_the_incident_last_paged_and_confirms() {
    for backend in backends() {
        let rig = Rig::start(backend, Providers::BOTH).await;
        let paged = rig.open_incident("paged", "disk full").await;
        rig.app.advance(chrono::Duration::minutes(2));
        rig.phones
            .wait_for("alice's page SMS", |r| r.iter().any(|r| r.is_twilio_sms()))
            .await;
        assert_eq!(rig.wait_last_paged("alice").await, paged);
        // A newer incident alice has not been texted about yet: a bare 4 is not about it.
        let newer = rig.open_incident("newer", "cpu hot").await;

        let xml = rig.sms_reply(ALICE_PHONE, "  4 \n").await;
        assert!(
            xml.contains(&format!(
                "<Message>#{} acknowledged (web: disk full)</Message>",
                paged.get()
            )),
            "{backend:?}: {xml}"
        );
        let show = rig.show(paged).await;
        assert_eq!(
            show["incident"]["status"], "acknowledged",
            "{backend:?}: {show}"
        );
        assert_eq!(show["incident"]["acknowledged_by"], "alice");
        assert_eq!(show["incident"]["acknowledged_via"], "sms");
        assert_eq!(rig.show(newer).await["incident"]["status"], "triggered");

        let xml = rig.sms_reply(ALICE_PHONE, "ack").await;
        assert!(xml.contains("is already acknowledged"), "{xml}");
        rig.app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resolve_42_by_sms_resolves_that_incident_and_mistakes_get_explained() {
    let rig = Rig::start(Backend::Sqlite, Providers::BOTH).await;
    let a = rig.open_incident("a", "disk full").await;
    let b = rig.open_incident("b", "queue backlog").await;
    // 03:02 alice is texted about both.
    rig.app.advance(chrono::Duration::minutes(2));
    rig.phones
        .wait_for("alice's two page SMS", |r| {
            r.iter().filter(|r| r.is_twilio_sms()).count() == 2
        })
        .await;
    rig.settled(a).await;
    rig.settled(b).await;

    let xml = rig
        .sms_reply(ALICE_PHONE, &format!("RESOLVE {}", b.get()))
        .await;
    assert!(
        xml.contains(&format!("#{} resolved (web: queue backlog)", b.get())),
        "{xml}"
    );
    assert_eq!(rig.show(b).await["incident"]["resolved_via"], "sms");
    assert_eq!(
        rig.show(a).await["incident"]["status"],
        "triggered",
        "only the named one"
    );

    let xml = rig
        .sms_reply(ALICE_PHONE, &format!("resolve #{}", b.get()))
        .await;
    assert!(
        xml.contains(&format!("#{} is already resolved", b.get())),
        "{xml}"
    );

    let xml = rig.sms_reply(BOB_PHONE, "what is this").await;
    assert!(xml.contains("Reply 4 to acknowledge"), "{xml}");
    let xml = rig.sms_reply(ALICE_PHONE, "ack 999").await;
    assert!(xml.contains("999"), "{xml}");
    // Bob was never paged by phone: a bare key cannot know what he means.
    let xml = rig.sms_reply(BOB_PHONE, "6").await;
    assert!(xml.contains("Name it: ACK 42"), "{xml}");
    rig.app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pressing_4_on_a_page_call_acknowledges_and_other_keys_hear_the_choices_again() {
    let rig = Rig::start(Backend::Sqlite, Providers::BOTH).await;
    let n = rig.open_incident("call", "disk full").await;
    // Paged by phone (an SMS at 03:02): key presses about it count.
    rig.app.advance(chrono::Duration::minutes(2));
    assert_eq!(rig.wait_last_paged("alice").await, n);
    let path = format!("/twilio/voice?incident={}", n.get());
    let call = |digits: &'static str| {
        [
            ("CallSid", "CA00000000000000000000000000000001"),
            ("AccountSid", ACCOUNT_SID),
            ("From", TWILIO_FROM),
            ("To", ALICE_PHONE),
            ("Direction", "outbound-api"),
            ("Digits", digits),
        ]
    };

    let (status, xml) = rig.twilio_post(&path, &call("9")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(xml.contains("<Gather numDigits=\"1\""), "{xml}");
    assert!(
        xml.contains(&format!(
            "action=\"{PUBLIC_URL}/twilio/voice?incident={}\"",
            n.get()
        )),
        "{xml}"
    );
    assert!(xml.contains("Sorry, that is not a choice."), "{xml}");
    assert!(xml.contains("disk full. Press 4 to acknowledge"), "{xml}");
    assert_eq!(rig.show(n).await["incident"]["status"], "triggered");

    let (_, xml) = rig.twilio_post(&path, &call("4")).await;
    assert!(
        xml.contains(&format!(
            "<Say>Incident {} acknowledged. Goodbye.</Say>",
            n.get()
        )),
        "{xml}"
    );
    let show = rig.show(n).await;
    assert_eq!(show["incident"]["status"], "acknowledged");
    assert_eq!(show["incident"]["acknowledged_via"], "voice");
    assert_eq!(show["incident"]["acknowledged_by"], "alice");

    let (_, xml) = rig.twilio_post(&path, &call("6")).await;
    assert!(xml.contains("resolved"), "{xml}");
    // A second call about it.
    let xml = rig.key_press(n, &fresh_sid("CA"), ALICE_PHONE, "6").await;
    assert!(
        xml.contains(&format!("incident number {} is already resolved", n.get())),
        "{xml}"
    );
    rig.app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_sms_status_lands_on_the_timeline_and_the_page_is_resent_through_vonage() {
    for backend in backends() {
        let rig = Rig::start(backend, Providers::BOTH).await;
        let n = rig.open_incident("status", "disk full").await;
        let sid = rig.alices_page_sms().await;

        // Interim statuses are taken and ignored.
        let (status, _) = rig
            .twilio_post(
                "/twilio/status",
                &[("MessageSid", &sid), ("MessageStatus", "sent")],
            )
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let (status, body) = rig
            .twilio_post(
                "/twilio/status",
                &[
                    ("MessageSid", &sid),
                    ("MessageStatus", "undelivered"),
                    ("ErrorCode", "30003"),
                    ("To", ALICE_PHONE),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{body}");

        let entries = timeline(&rig.show(n).await);
        let line = entries
            .iter()
            .find(|m| m.contains("reports the SMS to Alice Adams"))
            .unwrap_or_else(|| panic!("{entries:#?}"));
        assert!(
            line.contains("undelivered, Twilio error 30003: unreachable destination handset"),
            "{line}"
        );

        let all = rig
            .phones
            .wait_for("the page re-sent through Vonage", |r| {
                r.iter().any(|r| r.is_vonage_sms())
            })
            .await;
        let vonage = all.iter().find(|r| r.is_vonage_sms()).unwrap();
        assert_eq!(vonage.field("to"), Some(&ALICE_PHONE[1..]));
        assert!(
            vonage
                .field("text")
                .unwrap()
                .starts_with(&format!("firebell #{} CRITICAL db-01: disk full", n.get()))
        );
        assert_eq!(
            all.iter().filter(|r| r.is_twilio_sms()).count(),
            1,
            "not through Twilio again"
        );
        rig.app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_sms_status_for_an_acknowledged_incident_is_not_resent_through_vonage() {
    for backend in backends() {
        let rig = Rig::start(backend, Providers::BOTH).await;
        let n = rig.open_incident("status-acked", "disk full").await;
        let sid = rig.alices_page_sms().await;
        let (s, body) = rig
            .app
            .api_post(&format!("/api/v1/incidents/{}/acknowledge", n.get()), None)
            .await;
        assert_eq!(s, StatusCode::OK, "{body}");

        // The carrier's verdict arrives after the ack: recorded, and nobody is paged again.
        let (status, body) = rig
            .twilio_post(
                "/twilio/status",
                &[
                    ("MessageSid", &sid),
                    ("MessageStatus", "undelivered"),
                    ("ErrorCode", "30003"),
                    ("To", ALICE_PHONE),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
        let show = rig
            .app
            .api_wait(&format!("/api/v1/incidents/{}", n.get()), |b| {
                timeline(b)
                    .iter()
                    .any(|m| m.contains("reports the SMS to Alice Adams"))
            })
            .await;
        let entries = timeline(&show);
        let line = entries
            .iter()
            .find(|m| m.contains("reports the SMS to Alice Adams"))
            .unwrap();
        assert!(
            line.ends_with("; not sent again through vonage: acknowledged by ci"),
            "{line}"
        );
        rig.app.engine().outbox_nudge().notify_one();
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        let vonage = rig
            .phones
            .requests()
            .into_iter()
            .filter(|r| r.is_vonage_sms())
            .count();
        assert_eq!(vonage, 0, "{backend:?}: re-sent after the ack");
        rig.app.stop().await;
    }
}
