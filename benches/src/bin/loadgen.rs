//! `loadgen`: drives one ingest benchmark run, or serves the parse-only ceiling.
//!
//! ```text
//! loadgen run --url http://127.0.0.1:18080/v2/enqueue --connections 64 --seconds 5 \
//!     --keys distinct --routing-key benchkey000000000000000000000001 --label sqlite
//! loadgen parse-only --listen 127.0.0.1:18090
//! ```
//!
//! `run` prints one `key=value` line on stdout (see `benches/README.md`) and failures on stderr;
//! it exits with status 2 when any request failed.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};
use firebell_benches::client::{self, RunConfig};
use firebell_benches::event::KeyMode;
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
}

#[derive(clap::Args)]
struct RunArgs {
    /// The endpoint; only http://127.0.0.1:PORT/… is accepted.
    #[arg(long)]
    url: String,
    /// Keep-alive connections, each with one request in flight.
    #[arg(long, default_value_t = 16, value_parser = clap::value_parser!(u16).range(1..=4096))]
    connections: u16,
    /// Measured seconds (after one uncounted warm-up second).
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..=3600))]
    seconds: u64,
    /// `distinct`: a new incident per request; `repeated`: 100 keys, mostly deduplication.
    #[arg(long, value_enum, default_value_t = KeyMode::Distinct)]
    keys: KeyMode,
    /// The service's 32-character integration key.
    #[arg(long)]
    routing_key: String,
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
        }
    });
    result.unwrap_or_else(|e: anyhow::Error| {
        eprintln!("loadgen: {e:#}");
        ExitCode::FAILURE
    })
}

async fn run(args: RunArgs) -> anyhow::Result<ExitCode> {
    let cfg = RunConfig {
        target: Target::parse(&args.url)?,
        connections: usize::from(args.connections),
        warmup: Duration::from_secs(1),
        measure: Duration::from_secs(args.seconds),
        keys: args.keys,
        routing_key: args.routing_key,
        request_timeout: Duration::from_secs(args.request_timeout),
    };
    let (stats, window): (Stats, Duration) = client::run(&cfg).await?;
    for line in stats.error_report() {
        eprintln!("{line}");
    }
    println!(
        "{}",
        stats.line(&args.label, cfg.keys.name(), cfg.connections, window)
    );
    Ok(if stats.error_count() == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    })
}
