//! A real engine on a throwaway SQLite file, a small installation's config, and shorthands for
//! "alice says this in Slack".

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, Utc};
use firebell_engine::{
    Actor, AlertKind, Channel, Config, Engine, IncidentNumber, Ingested, ManualClock, NewAlert,
    Severity, Store, TriggerPayload,
};
use tokio_util::sync::CancellationToken;

use crate::command::{Command, ParseError};
use crate::context::Context;
use crate::reply::Reply;
use firebell_engine::ChatPlatform;

/// Two services in one room; alice (in Berlin) is on Slack and Discord and is the console user,
/// bob is on Slack, carol on neither. Schedule `primary` hands over weekly between alice and bob
/// (bob is on at the test's start, Mon 2 Mar 2026 10:00 CET); `secondary` is carol in the evenings
/// only, so nobody is on it at the start. `db` pages primary and carol, then secondary; `web` has
/// no escalation policy.
const CONFIG: &str = r#"
[console]
user = "alice"

[rooms.ops]
slack = "C0OPS"

[users.alice]
name = "Alice Adams"
timezone = "Europe/Berlin"
slack = "U0ALICE"
discord = "200000000000000001"

[users.bob]
name = "Bob Brown"
slack = "U0BOB"

[users.carol]
name = "Carol Chen"

[services.web]
integration_keys = ["R0UT1NGKEY0000000000000000000000"]
room = "ops"

[services.db]
integration_keys = ["DBKEY000000000000000000000000001"]
room = "ops"
escalation_policy = "db"

[escalation_policies.db]
levels = [
  { targets = ["schedule:primary", "carol"], delay_minutes = 15 },
  { targets = ["schedule:secondary"], delay_minutes = 15 },
]

[schedules.primary]
timezone = "Europe/Berlin"
[[schedules.primary.layers]]
users = ["alice", "bob"]
rotation = "1w"
start = "2026-02-23T09:00"

[schedules.secondary]
timezone = "UTC"
[[schedules.secondary.layers]]
users = ["carol"]
rotation = "1d"
start = "2026-02-23T00:00"
restrictions = [{ start = "18:00", end = "23:00" }]
"#;

/// Three rooms: `ops` shows `web` and `api`, `data` shows `db`, `quiet` shows nothing. alice is
/// on Slack; the console acts as her.
pub(crate) const TWO_ROOMS: &str = r#"
[console]
user = "alice"

[rooms.ops]
slack = "C0OPS"

[rooms.data]
slack = "C0DATA"

[rooms.quiet]
slack = "C0QUIET"

[users.alice]
name = "Alice Adams"
slack = "U0ALICE"

[services.web]
integration_keys = ["R0UT1NGKEY0000000000000000000000"]
room = "ops"

[services.api]
integration_keys = ["APIKEY00000000000000000000000001"]
room = "ops"

[services.db]
integration_keys = ["DBKEY000000000000000000000000001"]
room = "data"
"#;

pub(crate) fn config() -> Config {
    Config::parse(CONFIG, "test.toml", &|_| None).expect("test config is valid")
}

pub(crate) fn n(x: i64) -> IncidentNumber {
    IncidentNumber::parse(&x.to_string()).expect("positive")
}

/// Parses as alice in a Slack channel.
pub(crate) fn parse(text: &str) -> Result<Command, ParseError> {
    crate::parse(&alice(), text).expect("text is a command")
}

pub(crate) fn parse_in_thread(text: &str, thread: i64) -> Result<Command, ParseError> {
    crate::parse(&alice().in_thread(n(thread)), text).expect("text is a command")
}

/// alice in the Slack channel of room `ops`, where both test services post.
pub(crate) fn alice() -> Context {
    Context::chat(ChatPlatform::Slack, "U0ALICE").in_room("ops")
}

pub(crate) struct TestEngine {
    pub engine: Engine,
    pub clock: ManualClock,
    cancel: CancellationToken,
    dir: PathBuf,
}

impl TestEngine {
    pub(crate) async fn start() -> TestEngine {
        Self::start_with(config()).await
    }

    /// The same, with another installation's config (e.g. [`TWO_ROOMS`]).
    pub(crate) async fn start_with(config: Config) -> TestEngine {
        static SEQ: AtomicU64 = AtomicU64::new(0);
        let dir = std::env::temp_dir().join(format!(
            "firebell-commands-{}-{}-{}",
            std::process::id(),
            Utc::now().timestamp_micros(),
            SEQ.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).expect("create temp dir");
        let store = Store::connect(&format!("sqlite://{}", dir.join("firebell.db").display()))
            .await
            .expect("connect");
        store.migrate().await.expect("migrate");
        let t0: DateTime<Utc> = "2026-03-02T09:00:00Z".parse().expect("valid time");
        let clock = ManualClock::new(t0);
        let cancel = CancellationToken::new();
        let (engine, _writers) = Engine::start(
            store,
            Arc::new(config),
            Arc::new(clock.clone()),
            cancel.clone(),
        );
        TestEngine {
            engine,
            clock,
            cancel,
            dir,
        }
    }

    /// A trigger from host `monitor`, as a monitor would send it.
    pub(crate) fn alert(&self, service: &str, title: &str) -> NewAlert {
        let service = self
            .engine
            .config()
            .service(service)
            .expect("configured service")
            .name
            .clone();
        NewAlert {
            service,
            kind: AlertKind::Trigger {
                dedup_key: None,
                payload: TriggerPayload {
                    summary: title.to_owned(),
                    source: Some("monitor".to_owned()),
                    severity: Severity::Error,
                    timestamp: None,
                    details: serde_json::json!({}),
                },
            },
            actor: Actor::new("monitor", Channel::Events),
            raw: serde_json::json!({}),
        }
    }

    /// Opens an incident as a monitor would.
    pub(crate) async fn open(&self, service: &str, title: &str) -> IncidentNumber {
        match self
            .engine
            .ingest(self.alert(service, title))
            .await
            .expect("ingest")
        {
            Ingested::Created { number, .. } => number,
            other => panic!("expected a new incident, got {other:?}"),
        }
    }

    /// alice, in room `ops`'s Slack channel.
    pub(crate) async fn say(&self, text: &str) -> Reply {
        self.say_as(alice(), text).await
    }

    /// alice, in incident `thread`'s Slack thread (in room `ops`).
    pub(crate) async fn say_in_thread(&self, text: &str, thread: i64) -> Reply {
        self.say_as(alice().in_thread(n(thread)), text).await
    }

    pub(crate) async fn say_as(&self, ctx: Context, text: &str) -> Reply {
        crate::handle(&self.engine, &ctx, text)
            .await
            .expect("text is a command")
    }
}

impl Drop for TestEngine {
    fn drop(&mut self) {
        self.cancel.cancel();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
