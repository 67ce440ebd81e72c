//! The whole paging ladder as it reads on a page at 03:00, on the real application with a fake
//! Twilio: chat first, then SMS, then a call, then the next level; an SMS reply stops it.

use chrono::Duration as Minutes;

use super::*;

fn sms_to<'a>(reqs: &'a [firebell_tests::fake_telephony::Recorded], to: &str) -> Vec<&'a str> {
    reqs.iter()
        .filter(|r| r.is_twilio_sms() && r.field("To") == Some(to))
        .filter_map(|r| r.field("Body"))
        .collect()
}

fn calls_to(reqs: &[firebell_tests::fake_telephony::Recorded], to: &str) -> usize {
    reqs.iter()
        .filter(|r| r.is_twilio_call() && r.field("To") == Some(to))
        .count()
}

/// Runs one timer tick from the test (safe beside the app's own worker: claims are exclusive)
/// and waits until every outbox row of the incident has been settled.
async fn quiesce(rig: &Rig, n: IncidentNumber) {
    rig.app.engine().tick().await.expect("tick");
    rig.app
        .api_wait(&format!("/api/v1/incidents/{}", n.get()), |i| {
            i["notifications"].as_array().is_some_and(|rows| {
                rows.iter()
                    .all(|r| !r["delivered_at"].is_null() || !r["failed_at"].is_null())
            })
        })
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nobody_answers_then_alice_acks_by_sms_and_level_two_stops() {
    for backend in firebell_tests::backends() {
        let rig = Rig::start(backend, Providers::BOTH).await;
        let mark = rig.app.console_mark();

        // 03:00 — the disk fills up; the room gets the card and alice is mentioned.
        let n = rig.open_incident("disk/db-01", "Disk full on db-01").await;
        rig.app.console_wait(mark, "paging @alice").await;
        quiesce(&rig, n).await;
        assert!(
            rig.phones.requests().is_empty(),
            "{backend:?}: chat first, no SMS yet"
        );

        // 03:02 — no acknowledgement: an SMS to alice.
        rig.app.advance(Minutes::minutes(2));
        let reqs = rig
            .phones
            .wait_for("an SMS to alice", |r| !sms_to(r, ALICE_PHONE).is_empty())
            .await;
        assert_eq!(
            sms_to(&reqs, ALICE_PHONE),
            ["firebell #1 CRITICAL db-01: Disk full on db-01. Reply 4 ack, 6 resolve"]
        );

        // 03:05 — still nothing: a call.
        rig.app.advance(Minutes::minutes(3));
        rig.phones
            .wait_for("a call to alice", |r| calls_to(r, ALICE_PHONE) == 1)
            .await;

        // 03:15 — level 2: bob and carol are mentioned in the room.
        let mark = rig.app.console_mark();
        rig.app.advance(Minutes::minutes(10));
        rig.app.console_wait(mark, "paging @bob").await;
        rig.app.console_wait(mark, "paging @carol").await;

        // 03:16 — alice answers the SMS with "4".
        rig.app.advance(Minutes::minutes(1));
        let mark = rig.app.console_mark();
        let reply = rig.sms_reply(ALICE_PHONE, "4").await;
        assert!(reply.contains("#1 acknowledged"), "{backend:?}: {reply}");
        rig.app
            .console_wait(mark, "acknowledged by alice (sms)")
            .await;

        // 03:20 — bob's SMS (due 03:17) and call (03:20) never go out, nor does level 1's
        // second pass at 03:30.
        rig.app.advance(Minutes::minutes(14));
        quiesce(&rig, n).await;
        let reqs = rig.phones.requests();
        assert!(
            sms_to(&reqs, BOB_PHONE).is_empty(),
            "{backend:?}: {reqs:#?}"
        );
        assert_eq!(calls_to(&reqs, BOB_PHONE), 0);
        assert_eq!(
            sms_to(&reqs, ALICE_PHONE).len(),
            1,
            "alice acked herself: no notice"
        );
        assert_eq!(calls_to(&reqs, ALICE_PHONE), 1);

        let i = rig.show(n).await;
        assert_eq!(i["incident"]["status"], "acknowledged");
        assert_eq!(i["incident"]["acknowledged_via"], "sms");
        let timeline: Vec<&str> = i["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|e| e["message"].as_str())
            .collect();
        for line in [
            "Level 1 (high urgency): paging Alice Adams (alice)",
            "Notified Alice Adams (alice) by SMS (level 1) via twilio",
            "Notified Alice Adams (alice) by voice call (level 1) via twilio",
            "Level 2 (high urgency): paging Bob Brown (bob), Carol Chen (carol)",
            "Acknowledged",
        ] {
            assert!(
                timeline.contains(&line),
                "{backend:?}: missing {line:?} in {timeline:#?}"
            );
        }
        rig.app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_in_the_middle_of_the_ladder_loses_no_step_and_repeats_none() {
    for backend in firebell_tests::backends() {
        let mut rig = Rig::start(backend, Providers::BOTH).await;
        let n = rig.open_incident("disk/db-01", "Disk full on db-01").await;
        rig.app.advance(Minutes::minutes(2));
        rig.phones
            .wait_for("the SMS", |r| sms_to(r, ALICE_PHONE).len() == 1)
            .await;

        rig.app = rig.app.restart().await;
        rig.app.advance(Minutes::minutes(3));
        rig.phones
            .wait_for("the call after the restart", |r| {
                calls_to(r, ALICE_PHONE) == 1
            })
            .await;
        rig.app.advance(Minutes::minutes(1));
        quiesce(&rig, n).await;
        let reqs = rig.phones.requests();
        assert_eq!(
            sms_to(&reqs, ALICE_PHONE).len(),
            1,
            "{backend:?}: SMS not repeated"
        );
        assert_eq!(
            calls_to(&reqs, ALICE_PHONE),
            1,
            "{backend:?}: call not repeated"
        );
        rig.app.stop().await;
    }
}
