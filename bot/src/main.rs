//! The `firebell` command: `serve` (default), `check`, `migrate`, `import pagerduty`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use firebell::{Options, check, migrate, serve};

#[derive(Parser)]
#[command(
    name = "firebell",
    version,
    about = "Incident management that lives in your chat rooms"
)]
struct Cli {
    /// The configuration file.
    #[arg(
        long,
        short,
        global = true,
        default_value = "firebell.toml",
        env = "FIREBELL_CONFIG"
    )]
    config: PathBuf,
    /// `sqlite://PATH` (the default, one process) or `postgres://USER@HOST/DB` (several replicas).
    #[arg(
        long,
        global = true,
        default_value = "sqlite://firebell.db",
        env = "FIREBELL_DATABASE_URL",
        // `--help` would print the variable's value, password included.
        hide_env_values = true
    )]
    database_url: String,
    /// Address for the HTTP server (events, API, health).
    #[arg(
        long,
        global = true,
        default_value = "127.0.0.1:8080",
        env = "FIREBELL_LISTEN"
    )]
    listen: SocketAddr,
    /// Do not open the console room on this terminal.
    #[arg(long, global = true)]
    no_console: bool,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run firebell: HTTP server, workers, chat rooms (the default).
    Serve,
    /// Validate the configuration and print every problem with its line.
    Check,
    /// Apply database migrations and exit.
    Migrate,
    /// Write a firebell.toml from another tool's setup.
    #[command(subcommand)]
    Import(ImportSource),
}

#[derive(Subcommand)]
enum ImportSource {
    /// Users, schedules, escalation policies and services from PagerDuty's REST API.
    Pagerduty(PagerDutyArgs),
}

#[derive(clap::Args)]
struct PagerDutyArgs {
    /// A PagerDuty REST API key (read-only is enough).
    #[arg(long, env = "PAGERDUTY_TOKEN", hide_env_values = true)]
    token: String,
    /// The REST API's base URL.
    #[arg(long, default_value = firebell::import::DEFAULT_API_URL)]
    api_url: String,
    /// Where to write the configuration.
    #[arg(long, default_value = "firebell.toml")]
    out: PathBuf,
    /// Overwrite --out if it exists.
    #[arg(long)]
    force: bool,
}

/// Runs the import and prints what was written and what was not carried over.
async fn import(args: PagerDutyArgs) -> anyhow::Result<()> {
    let opts = firebell::import::PagerDutyImport {
        token: args.token,
        api_url: args.api_url,
        out: args.out,
        force: args.force,
        now: chrono::Utc::now(),
        retry: firebell::import::Retry::default(),
    };
    let done = firebell::import::pagerduty(&opts).await?;
    eprintln!(
        "firebell: imported {} users, {} schedules, {} escalation policies and {} services from \
         PagerDuty into {}",
        done.users,
        done.schedules,
        done.policies,
        done.services,
        opts.out.display()
    );
    if !done.notes.is_empty() {
        eprintln!(
            "not carried over ({}; each is also a comment in the file):",
            done.notes.len()
        );
        for note in &done.notes {
            eprintln!("  - {note}");
        }
    }
    eprintln!(
        "next: set the chat channel of [rooms.oncall], repoint the integrations listed at each \
         service, then run `firebell check --config {}`",
        opts.out.display()
    );
    Ok(())
}

/// mimalloc: the ingest path allocates per event on several threads; glibc malloc was ~10% of
/// server time under load (perf), and mimalloc raised SQLite ingest throughput by ~9%.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc reserves 1 GiB arenas and commits them up front; with transparent huge pages on (the
/// default of most distributions), every 2 MiB stretch the allocator touched there became a
/// resident huge page: 12 of an idle firebell's 35 MB. Small pages keep memory to what is used.
/// (mimalloc's own switch, `arena_eager_commit`, is read before `main` runs.)
#[cfg(target_os = "linux")]
fn lean_allocator() {
    // SAFETY: prctl with PR_SET_THP_DISABLE takes plain integers and only sets a flag on this
    // process; it cannot touch memory.
    let rc = unsafe { libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0) };
    if rc != 0 {
        eprintln!(
            "firebell: could not turn transparent huge pages off: {}",
            std::io::Error::last_os_error()
        );
    }
}

#[cfg(not(target_os = "linux"))]
fn lean_allocator() {}

fn main() -> ExitCode {
    lean_allocator();
    let cli = Cli::parse();
    let opts = Options {
        config: cli.config,
        database_url: cli.database_url,
        listen: cli.listen,
        console: !cli.no_console,
    };
    let command = cli.command.unwrap_or(Command::Serve);
    if let Command::Check = command {
        return check(&opts.config);
    }
    let console_on_terminal = {
        use std::io::IsTerminal;
        opts.console && matches!(command, Command::Serve) && std::io::stderr().is_terminal()
    };
    firebell::init_tracing(console_on_terminal);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("firebell: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match command {
            Command::Migrate => migrate(&opts).await,
            Command::Import(ImportSource::Pagerduty(args)) => import(args).await,
            _ => serve(opts).await,
        }
    });
    // Tasks shutdown abandoned, and blocking calls still in flight (a DNS lookup that hangs),
    // must not hold the exit.
    runtime.shutdown_timeout(std::time::Duration::from_millis(500));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // The whole cause chain, once, at the top.
            eprintln!("firebell: {e:#}");
            ExitCode::FAILURE
        }
    }
}
