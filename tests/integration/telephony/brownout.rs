//! Pages stop at the acknowledgement, whatever is queued or retrying: a provider brownout while
//! people ack, then the provider recovers.

use firebell_tests::backends;

use super::*;

const INCIDENTS: usize = 4;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_retrying_through_a_brownout_are_cancelled_by_the_ack_and_never_sent() {
    for backend in backends() {
        let rig = Rig::start(backend, Providers::BOTH).await;
        rig.phones.brownout(true);
        let mut numbers = Vec::new();
        for i in 0..INCIDENTS {
            numbers.push(
                rig.open_incident(&format!("brownout-{i}"), &format!("disk full {i}"))
                    .await,
            );
        }

        // Two minutes without an ack: each incident texts alice; both providers fail.
        rig.app.advance(chrono::Duration::minutes(2));
        rig.phones
            .wait_for("a failed SMS try for every incident", |r| {
                r.iter().filter(|r| r.is_twilio_sms()).count() >= INCIDENTS
            })
            .await;

        // Everyone is acknowledged during the brownout.
        for n in &numbers {
            let (s, body) = rig
                .app
                .api_post(&format!("/api/v1/incidents/{}/acknowledge", n.get()), None)
                .await;
            assert_eq!(s, StatusCode::OK, "{body}");
        }

        // The providers recover, and every retry comes due (and the call step would too).
        rig.phones.brownout(false);
        rig.app.advance(chrono::Duration::minutes(10));

        // Each cancelled page says so on the timeline, and the ack itself (a status notice, not a
        // page) is still posted to the room.
        for n in &numbers {
            rig.app
                .api_wait(&format!("/api/v1/incidents/{}", n.get()), |b| {
                    let cancelled = timeline(b).iter().any(|m| {
                        m.starts_with("SMS to Alice Adams (alice) cancelled: acknowledged by ci")
                    });
                    let posted = b["notifications"].as_array().is_some_and(|a| {
                        a.iter().any(|d| {
                            d["method"] == "room"
                                && d["notification"]["kind"] == "acknowledged"
                                && !d["delivered_at"].is_null()
                        })
                    });
                    cancelled && posted
                })
                .await;
        }
        // Let the workers run a little longer: nothing may get through afterwards either.
        rig.app.advance(chrono::Duration::hours(1));
        tokio::time::sleep(Duration::from_millis(300)).await;
        let accepted = rig.phones.accepted();
        assert!(
            accepted.is_empty(),
            "{backend:?}: pages went out for acknowledged incidents: {accepted:#?}"
        );
        rig.app.stop().await;
    }
}
