//! `!ack` where it is typed: `all` and a bare `!ack` reach the room's incidents (a storm's in
//! its summary's thread, every room's on the console, none in a direct message); numbers reach
//! any incident and name another room's by service and room.

use super::*;
use crate::context::Context;
use crate::reply::Tone;
use crate::test_support::{TWO_ROOMS, TestEngine, n};
use firebell_engine::ChatPlatform;

/// #1 web and #3 api post to `ops`, #2 db to `data`.
async fn two_rooms() -> TestEngine {
    let config = firebell_engine::Config::parse(TWO_ROOMS, "t.toml", &|_| None).unwrap();
    let t = TestEngine::start_with(config).await;
    t.open("web", "Checkout 500s").await;
    t.open("db", "Replication lag").await;
    t.open("api", "Slow logins").await;
    t
}

fn in_room(room: &str) -> Context {
    Context::chat(ChatPlatform::Slack, "U0ALICE").in_room(room)
}

async fn status(t: &TestEngine, x: i64) -> IncidentStatus {
    t.engine.incident(n(x)).await.unwrap().status
}

#[tokio::test]
async fn ack_all_in_a_room_leaves_other_rooms_incidents_triggered() {
    let t = two_rooms().await;

    let reply = t.say_as(in_room("ops"), "!ack all").await;

    assert_eq!(
        reply,
        Reply::success("*#1* acknowledged — Checkout 500s\n*#3* acknowledged — Slow logins")
    );
    assert_eq!(status(&t, 1).await, IncidentStatus::Acknowledged);
    assert_eq!(status(&t, 2).await, IncidentStatus::Triggered);
    assert_eq!(status(&t, 3).await, IncidentStatus::Acknowledged);
}

#[tokio::test]
async fn bare_ack_takes_the_only_triggered_incident_of_the_room() {
    let t = two_rooms().await;

    let reply = t.say_as(in_room("data"), "!ack").await;

    assert_eq!(
        reply,
        Reply::success("Acknowledged *#2* — Replication lag (db)")
    );
    assert_eq!(status(&t, 1).await, IncidentStatus::Triggered);
}

#[tokio::test]
async fn bare_ack_lists_only_the_rooms_incidents_when_it_asks_which() {
    let t = two_rooms().await;

    let reply = t.say_as(in_room("ops"), "!ack").await;

    assert_eq!(
        reply.text(),
        "2 incidents are triggered:\n• *#1* web — Checkout 500s\n• *#3* api — Slow logins\n\
         Say which: `!ack 1 3` or `!ack all`."
    );
}

#[tokio::test]
async fn ack_all_with_nothing_triggered_in_the_room_names_the_rooms_services() {
    let t = two_rooms().await;
    t.say_as(in_room("data"), "!ack 2").await;

    let reply = t.say_as(in_room("data"), "!ack all").await;

    assert_eq!(
        reply,
        Reply::info(
            "Nothing to acknowledge: no incident of this room's services (db) is triggered."
        )
    );
    assert_eq!(status(&t, 1).await, IncidentStatus::Triggered);
}

#[tokio::test]
async fn ack_by_number_from_another_room_names_the_incidents_service_and_room() {
    let t = two_rooms().await;

    let reply = t.say_as(in_room("ops"), "!ack 2").await;

    assert_eq!(
        reply,
        Reply::success("Acknowledged *#2* — Replication lag (service db, posted in #data)")
    );
    assert_eq!(status(&t, 2).await, IncidentStatus::Acknowledged);
}

#[tokio::test]
async fn several_numbers_name_only_the_other_rooms_incidents() {
    let t = two_rooms().await;

    let reply = t.say_as(in_room("ops"), "!ack 1 2").await;

    assert_eq!(
        reply,
        Reply::success(
            "*#1* acknowledged — Checkout 500s\n\
             *#2* acknowledged — Replication lag (service db, posted in #data)"
        )
    );
}

#[tokio::test]
async fn ack_all_in_a_direct_message_is_refused_with_what_to_type() {
    let t = two_rooms().await;
    let dm = Context::chat(ChatPlatform::Slack, "U0ALICE").direct_message();

    for text in ["!ack all", "!ack"] {
        let reply = t.say_as(dm.clone(), text).await;
        assert_eq!(reply.tone, Tone::Error, "{text}");
        assert!(
            reply.text().starts_with(&format!(
                "In a direct message there is no room, so `{text}` covers no incidents; \
                 name the incidents instead: `!ack 42 43`"
            )),
            "{}",
            reply.text()
        );
    }
    for x in 1..=3 {
        assert_eq!(status(&t, x).await, IncidentStatus::Triggered);
    }
}

#[tokio::test]
async fn ack_by_number_in_a_direct_message_works_and_says_whose_it_was() {
    let t = two_rooms().await;
    let dm = Context::chat(ChatPlatform::Slack, "U0ALICE").direct_message();

    let reply = t.say_as(dm, "!ack 2").await;

    assert_eq!(
        reply,
        Reply::success("Acknowledged *#2* — Replication lag (service db, posted in #data)")
    );
}

#[tokio::test]
async fn ack_all_in_a_channel_that_is_no_room_is_refused() {
    let t = two_rooms().await;

    let reply = t
        .say_as(Context::chat(ChatPlatform::Slack, "U0ALICE"), "!ack all")
        .await;

    assert_eq!(reply.tone, Tone::Error);
    assert!(
        reply
            .text()
            .starts_with("This channel is not a firebell room"),
        "{}",
        reply.text()
    );
    assert_eq!(status(&t, 1).await, IncidentStatus::Triggered);
}

#[tokio::test]
async fn ack_all_in_a_storm_summarys_thread_takes_only_that_storms_incidents() {
    let t = two_rooms().await;
    t.open("web", "Host web-04 down").await;
    t.open("web", "Host web-05 down").await;
    let thread = in_room("ops").in_storm(vec![n(4), n(5)]);

    let reply = t.say_as(thread, "!ack all").await;

    assert_eq!(
        reply,
        Reply::success(
            "*#4* acknowledged — Host web-04 down\n*#5* acknowledged — Host web-05 down"
        )
    );
    assert_eq!(
        status(&t, 1).await,
        IncidentStatus::Triggered,
        "a card of its own"
    );
    assert_eq!(status(&t, 3).await, IncidentStatus::Triggered);
}

#[tokio::test]
async fn the_console_shows_every_room_so_its_ack_all_covers_every_service() {
    let t = two_rooms().await;

    let console = Context {
        user: "alice".into(),
        ..Context::console(None)
    };

    let reply = t.say_as(console, "ack all").await;

    assert_eq!(reply.tone, Tone::Success, "{}", reply.text());
    for x in 1..=3 {
        assert_eq!(status(&t, x).await, IncidentStatus::Acknowledged);
    }
}
