//! `loadgen`: drives one ingest benchmark run, serves the parse-only ceiling, or fakes Slack.
//!
//! ```text
//! loadgen run --url http://127.0.0.1:18080/v2/enqueue --connections 64 --seconds 5 \
//!     --keys distinct --routing-key benchkey000000000000000000000001 --label sqlite
//! loadgen run --format alertmanager --url http://127.0.0.1:18093/api/v2/alerts …
//! loadgen parse-only --listen 127.0.0.1:18090
//! loadgen fake-slack --listen 127.0.0.1:18095 --min-ms 50 --max-ms 200
//! ```
//!
//! `run` prints one `key=value` line on stdout (see `benches/README.md`) and failures on stderr;
//! it exits with status 2 when any request failed.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};
use firebell_benches::client::{self, RunConfig};
use firebell_benches::event::{Format, KeyMode};
use firebell_benches::fake_slack::{self, Delay};
use firebell_benches::target::{Target, loopback_listen};
use firebell_benches::{parse_only, stats::Stats};

#[derive(Parser)]
#[command(
    name = "loadgen",
    about = "Closed-loop load generator for POST /v2/enqueue"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Send events for a fixed time and print throughput and latency.
    Run(RunArgs),
    /// Serve POST /v2/enqueue that parses and validates but stores nothing (the ceiling).
    ParseOnly {
        /// Loopback address to listen on.
        #[arg(long, default_value = "127.0.0.1:18090")]
        listen: SocketAddr,
        /// Stop by itself after this many seconds even if nobody stops it.
        #[arg(long, default_value_t = 3600)]
        max_seconds: u64,
    },
    /// Serve a slow fake Slack Web API (/api/{method}) and webhook receiver (/hook) that counts
    /// calls and prints the counts on stderr when stopped.
    FakeSlack {
        /// Loopback address to listen on.
        #[arg(long, default_value = "127.0.0.1:18095")]
        listen: SocketAddr,
        /// Shortest delay before an answer, in milliseconds.
        #[arg(long, default_value_t = 50)]
        min_ms: u64,
        /// Longest delay before an answer, in milliseconds.
        #[arg(long, default_value_t = 200)]
        max_ms: u64,
        /// Stop by itself after this many seconds even if nobody stops it.
        #[arg(long, default_value_t = 3600)]
        max_seconds: u64,
    },
}

#[derive(clap::Args)]
struct RunArgs {
    /// The endpoint; only http://127.0.0.1:PORT/… is accepted. Repeat it to spread the
    /// connections round-robin over several servers (replicas).
    #[arg(long, required = true)]
    url: Vec<String>,
    /// Keep-alive connections, each with one request in flight.
    #[arg(long, default_value_t = 16, value_parser = clap::value_parser!(u16).range(1..=4096))]
    connections: u16,
    /// Measured seconds (after one uncounted warm-up second).
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..=3600))]
    seconds: u64,
    /// `distinct`: a new incident per request; `one`: a single key; `keys100` (or `repeated`):
    /// 100 keys, mostly deduplication.
    #[arg(long, value_enum, default_value_t = KeyMode::Distinct)]
    keys: KeyMode,
    /// The body shape: `pager-duty` (v2 trigger, 202) or `alertmanager` (/api/v2/alerts, 200).
    #[arg(long, value_enum, default_value_t = Format::PagerDuty)]
    format: Format,
    /// The service's 32-character integration key (ignored by the alertmanager format).
    #[arg(long, default_value = "benchkey000000000000000000000001")]
    routing_key: String,
    /// Open loop: this many requests per second in all, spread over the connections.
    #[arg(long)]
    rate: Option<u32>,
    /// Also report accepted throughput per slice of this many seconds (` w1=…/s w2=…/s`).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=3600))]
    windows: Option<u64>,
    /// Append ` t=<unix micros>` to each summary (for `fake-slack`'s first-page latency).
    #[arg(long)]
    stamp: bool,
    /// The `scenario=` value in the result line (sqlite, postgres, parse-only, …).
    #[arg(long, default_value = "unnamed")]
    label: String,
    /// Seconds one request may take before it counts as failed.
    #[arg(long, default_value_t = 10)]
    request_timeout: u64,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("loadgen: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Run(args) => run(args).await,
            Command::ParseOnly {
                listen,
                max_seconds,
            } => {
                let listen = loopback_listen(listen)?;
                parse_only::serve(listen, Duration::from_secs(max_seconds)).await?;
                Ok(ExitCode::SUCCESS)
            }
            Command::FakeSlack {
                listen,
                min_ms,
                max_ms,
                max_seconds,
            } => {
                let listen = loopback_listen(listen)?;
                let delay = Delay {
                    min: Duration::from_millis(min_ms.min(max_ms)),
                    max: Duration::from_millis(max_ms),
                };
                fake_slack::serve(listen, delay, Duration::from_secs(max_seconds)).await?;
                Ok(ExitCode::SUCCESS)
            }
        }
    });
    result.unwrap_or_else(|e: anyhow::Error| {
        eprintln!("loadgen: {e:#}");
        ExitCode::FAILURE
    })
}

async fn run(args: RunArgs) -> anyhow::Result<ExitCode> {
    let targets = args
        .url
        .iter()
        .map(|u| Target::parse(u))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let cfg = RunConfig {
        targets,
        connections: usize::from(args.connections),
        warmup: Duration::from_secs(1),
        measure: Duration::from_secs(args.seconds),
        keys: args.keys,
        format: args.format,
        stamp: args.stamp,
        routing_key: args.routing_key,
        slice: args.windows.map(Duration::from_secs),
        rate: args.rate.filter(|r| *r > 0).map(f64::from),
        request_timeout: Duration::from_secs(args.request_timeout),
    };
    let (stats, window): (Stats, Duration) = client::run(&cfg).await?;
    for line in stats.error_report() {
        eprintln!("{line}");
    }
    let mut line = stats.line(
        &args.label,
        cfg.keys.name(),
        cfg.connections,
        window,
        cfg.slice,
    );
    if let Some(rate) = args.rate {
        line.push_str(&format!(" rate={rate}/s"));
    }
    println!("{line}");
    Ok(if stats.error_count() == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    })
}
