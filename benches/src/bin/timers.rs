//! Timer precision: how late a due escalation step fires, with many open incidents.
//!
//! Opens `--incidents` incidents (default 10,000) on a fresh SQLite file, spread evenly over
//! `--spread` seconds, on a policy whose second level starts one minute after the first. The real
//! timer and outbox workers run on the system clock. Every page step records when it was due and
//! when the worker fired it; the report gives lateness percentiles for level-1 steps (due the
//! moment the incident opens: nudge latency) and level-2 steps (due a minute later, with every
//! incident still open: pure timer latency).
//!
//! `cargo run --release -p firebell-benches --bin timers -- --incidents 10000`

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use async_trait::async_trait;
use clap::Parser;
use firebell_engine::notify::{Delivered, Notifier, NotifyError, Outgoing};
use firebell_engine::{
    Actor, AlertKind, Channel, Config, DedupKey, Engine, NewAlert, Severity, Store, SystemClock,
    TriggerPayload,
};
use hdrhistogram::Histogram;
use tokio_util::sync::CancellationToken;

#[derive(Parser)]
#[command(about = "Measures how late due escalation steps fire")]
struct Args {
    /// Incidents to open (all stay open for the whole run).
    #[arg(long, default_value_t = 10_000)]
    incidents: u64,
    /// Seconds over which they are opened.
    #[arg(long, default_value_t = 50)]
    spread: u64,
}

const CONFIG: &str = r#"
[rooms.ops]
[users.alice]
name = "Alice"
[users.bob]
name = "Bob"
[escalation_policies.bench]
levels = [{ targets = ["alice"], delay_minutes = 1 }, { targets = ["bob"], delay_minutes = 60 }]
[services.web]
integration_keys = ["benchkey000000000000000000000001"]
room = "ops"
escalation_policy = "bench"
events_per_minute = 1000000
"#;

/// Accepts everything at once: the bench measures the timers, not a chat platform.
struct Sink;

#[async_trait]
impl Notifier for Sink {
    async fn deliver(&self, _: &Outgoing) -> Result<Delivered, NotifyError> {
        Ok(Delivered::default())
    }
}

fn alert(config: &Config, i: u64) -> anyhow::Result<NewAlert> {
    Ok(NewAlert {
        service: config.service("web").context("service")?.name.clone(),
        kind: AlertKind::Trigger {
            dedup_key: Some(DedupKey::parse(format!("bench-{i}"))?),
            payload: TriggerPayload {
                summary: format!("synthetic incident {i}"),
                source: Some("bench".to_owned()),
                severity: Severity::Critical,
                timestamp: None,
                details: serde_json::json!({}),
            },
        },
        actor: Actor::new("bench", Channel::Events),
        raw: serde_json::json!({}),
    })
}

async fn lateness(store: &Store, level: i64) -> anyhow::Result<(i64, Histogram<u64>)> {
    let Store::Sqlite(pool, _) = store else {
        bail!("the bench runs on SQLite")
    };
    let rows: Vec<(i64,)> = sqlx::query_as(
        "SELECT fired_at - due_at FROM pages WHERE level = $1 AND fired_at IS NOT NULL",
    )
    .bind(level)
    .fetch_all(pool)
    .await?;
    let mut h = Histogram::<u64>::new(3)?;
    for (late,) in &rows {
        h.record((*late).max(0) as u64)?;
    }
    Ok((rows.len() as i64, h))
}

fn report(name: &str, n: i64, h: &Histogram<u64>) {
    let ms = |q: f64| h.value_at_quantile(q) as f64 / 1000.0;
    println!(
        "{name}: {n} steps; late by p50 {:.1} ms, p90 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        ms(0.5),
        ms(0.9),
        ms(0.99),
        h.max() as f64 / 1000.0
    );
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let dir = std::env::temp_dir().join(format!("firebell-timers-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let url = format!("sqlite://{}", dir.join("bench.db").display());
    let store = Store::connect(&url).await?;
    store.migrate().await?;
    let config = Config::parse(CONFIG, "bench.toml", &|_| None)
        .map_err(|e| anyhow::anyhow!("bench config: {e}"))?;
    let cancel = CancellationToken::new();
    let (engine, _writers) = Engine::start(
        store.clone(),
        Arc::new(config.clone()),
        Arc::new(SystemClock),
        cancel.clone(),
    );
    tokio::spawn(engine.clone().run_timer_worker(cancel.clone()));
    tokio::spawn(
        engine
            .clone()
            .run_outbox_worker(Arc::new(Sink), cancel.clone()),
    );

    let started = Instant::now();
    let gap = Duration::from_secs(args.spread).as_secs_f64() / args.incidents as f64;
    for i in 0..args.incidents {
        let at = started + Duration::from_secs_f64(gap * i as f64);
        tokio::time::sleep_until(at.into()).await;
        let e: Engine = engine.clone();
        let a = alert(&config, i)?;
        tokio::spawn(async move { e.ingest(a).await });
    }
    println!(
        "opened {} incidents in {:.1} s; waiting for every level-2 step (due 60 s after each)",
        args.incidents,
        started.elapsed().as_secs_f64()
    );
    let deadline = Instant::now() + Duration::from_secs(args.spread + 180);
    loop {
        let (n, _) = lateness(&store, 1).await?;
        if n as u64 >= args.incidents {
            break;
        }
        if Instant::now() > deadline {
            bail!("only {n} level-2 steps fired in time");
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let open: (i64,) = match &store {
        Store::Sqlite(pool, _) => {
            sqlx::query_as("SELECT COUNT(*) FROM incidents WHERE status <> 'resolved'")
                .fetch_one(pool)
                .await?
        }
        Store::Postgres(_) => (0,),
    };
    println!("open incidents at the end: {}", open.0);
    let (n1, h1) = lateness(&store, 0).await?;
    report("level 1 (due on open)", n1, &h1);
    let (n2, h2) = lateness(&store, 1).await?;
    report("level 2 (due 60 s later)", n2, &h2);
    cancel.cancel();
    drop(engine);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
