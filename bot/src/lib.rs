//! The `firebell` binary's wiring: configuration, database, engine, HTTP server, timer and outbox
//! workers, chat rooms, SMS/voice, email and webhook notifiers, started together and stopped in order. No
//! domain logic lives here.
//!
//! Shutdown order matters for "nothing is lost": the HTTP server and the SMTP listener stop
//! accepting and finish their in-flight requests and mails first, then the ingest queue commits
//! what it already accepted, then the workers stop.
//!
//! # Layout
//! - `lib.rs`: [`App`] (start/stop, used by `main` and the integration tests) and the commands.
//! - `config`: the whole config file — the engine's tables and each adapter's — behind one error
//!   collector ([`config::Loaded`]).
//! - `import`: `firebell import pagerduty`, a PagerDuty account read into a `firebell.toml`.
//! - `notifiers`: routes each notification to what reaches its addressee: the chat platforms
//!   serving its room, or a person's SMS, call or email.
//! - `shutdown`: the stop order, each step under a deadline, the whole bounded.

// The console room's future nests every command's async calls (facade → use case → store);
// computing its layout in a release build goes past the default query depth of 128.
#![recursion_limit = "256"]

pub mod config;
pub mod import;
mod notifiers;
mod shutdown;
mod spawn;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context as _;
use firebell_adapters::console::Style;
use firebell_adapters::email_inbound::{self, SmtpListener};
use firebell_adapters::http::{self, AppState};
use firebell_engine::store::redacted_url;
use firebell_engine::{Clock, Engine, Store, SystemClock};
use tokio::io::{AsyncBufRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use tracing::info;

pub use config::Loaded;
pub use notifiers::NotifyRouter;
pub use shutdown::SHUTDOWN_GRACE;
use shutdown::{Phases, stop_on};
use spawn::Spawn;

/// Serves HTTP until `stop`, then finishes the requests in flight.
async fn serve_http(listener: TcpListener, app: axum::Router, stop: CancellationToken) {
    let serve = axum::serve(listener, app).with_graceful_shutdown(stop.cancelled_owned());
    if let Err(e) = serve.await {
        tracing::error!(error = %e, "HTTP server failed");
    }
}

/// What `main` passes in from the command line.
pub struct Options {
    pub config: PathBuf,
    pub database_url: String,
    pub listen: SocketAddr,
    pub console: bool,
}

/// The console room's terminal (stdin/stdout in production, in-memory pipes in tests).
pub struct ConsoleIo {
    pub input: Box<dyn AsyncBufRead + Send + Unpin>,
    pub output: Box<dyn AsyncWrite + Send + Unpin>,
    pub style: Style,
}

/// Everything needed to start the application.
pub struct AppParts {
    pub config: Loaded,
    pub store: Store,
    pub listener: TcpListener,
    pub clock: Arc<dyn Clock>,
    pub console: Option<ConsoleIo>,
}

/// A running firebell.
pub struct App {
    pub addr: SocketAddr,
    /// Where the SMTP listener accepts mail; `None` without `[email]` in the config.
    pub smtp_addr: Option<SocketAddr>,
    pub engine: Engine,
    shutdown: CancellationToken,
    done: JoinHandle<()>,
}

impl App {
    /// Starts the HTTP server, ingest writers, outbox worker and console room. The store must be
    /// migrated.
    pub async fn start(parts: AppParts) -> anyhow::Result<App> {
        let addr = parts
            .listener
            .local_addr()
            .context("reading the listen address")?;
        let shutdown = CancellationToken::new();
        let engine_stop = CancellationToken::new();
        let workers_stop = CancellationToken::new();
        let Loaded {
            engine: config,
            slack,
            discord,
            providers,
            email_listener,
        } = parts.config;
        let config = Arc::new(config);
        // One TLS crypto provider for every rustls user (reqwest, Slack, SMTP); see
        // DEPENDENCY-NOTES. Already installed is fine (tests start several apps).
        let _ = rustls::crypto::ring::default_provider().install_default();
        // Bound before anything is started, so a busy port or a bad certificate fails cleanly.
        let smtp = SmtpListener::bind(email_listener.as_ref())
            .await
            .context("starting the SMTP listener ([email])")?;
        let smtp_addr = (smtp.as_ref().map(SmtpListener::local_addr).transpose())
            .context("reading the SMTP listen address")?;
        let (engine, writers) = Engine::start(
            parts.store,
            config.clone(),
            parts.clock,
            engine_stop.clone(),
        );

        let mut router = NotifyRouter::default();
        let mut tasks: Vec<JoinHandle<()>> = Vec::new();
        let mut spawn = Spawn {
            engine: &engine,
            tasks: &mut tasks,
            stop: &workers_stop,
        };
        if let Some(io) = parts.console {
            router.console = Some(spawn.console(io, config.rooms.len() > 1, addr));
        }
        spawn.timer();
        router.direct(&providers, &config)?;
        let chat = spawn.chat(slack.as_ref(), discord.as_ref())?;
        if !chat.fanout.is_empty() {
            router.chat = Some(Arc::new(chat.fanout));
        }
        spawn.outbox(router);
        let (slack_events, discord_endpoint) = (chat.slack_events, chat.discord_endpoint);

        let app = http::router(
            AppState::new(engine.clone())
                .with_slack(slack_events)
                .with_discord(discord_endpoint)
                .with_providers(providers)
                .with_mail_max_size(email_inbound::config::max_size(email_listener.as_ref())),
        );
        let server = tokio::spawn(serve_http(parts.listener, app, shutdown.clone()));
        info!(%addr, "firebell is listening");
        // Stops with the HTTP server: no new mail once shutdown starts, mail being committed
        // finishes before the ingest writers stop.
        let smtp_task = smtp.map(|s| tokio::spawn(s.run(engine.clone(), shutdown.clone())));

        let phases = Phases {
            server,
            smtp: smtp_task,
            writers,
            workers: tasks,
        };
        let done = stop_on(shutdown.clone(), phases, engine_stop, workers_stop);
        Ok(App {
            addr,
            smtp_addr,
            engine,
            shutdown,
            done,
        })
    }

    /// Stops in order and waits until everything accepted is committed.
    pub async fn stop(self) {
        self.shutdown.cancel();
        let _ = self.done.await;
    }

    /// A token that stops the app when cancelled (signal handlers use it).
    pub fn shutdown_token(&self) -> CancellationToken {
        self.shutdown.clone()
    }

    /// Waits until the app has stopped.
    pub async fn wait(self) {
        let _ = self.done.await;
    }
}

/// `firebell serve`.
pub async fn serve(opts: Options) -> anyhow::Result<()> {
    let config =
        Loaded::load(&opts.config).map_err(|e| anyhow::anyhow!("invalid configuration:\n{e}"))?;
    let store = open_store(&opts.database_url).await?;
    let listener = TcpListener::bind(opts.listen)
        .await
        .with_context(|| format!("listening on {}", opts.listen))?;
    let console = if opts.console {
        // Read on a thread of its own: tokio's stdin cannot be cancelled, and shutdown must not
        // wait for someone to press Enter.
        let input =
            firebell_adapters::console::stdin().context("opening the console's standard input")?;
        Some(ConsoleIo {
            input: Box::new(input),
            output: Box::new(tokio::io::stdout()),
            style: Style::for_stdout(),
        })
    } else {
        None
    };
    let app = App::start(AppParts {
        config,
        store,
        listener,
        clock: Arc::new(SystemClock),
        console,
    })
    .await?;
    let stop = app.shutdown_token();
    tokio::spawn(async move {
        wait_for_signal().await;
        info!("shutting down");
        stop.cancel();
    });
    app.wait().await;
    Ok(())
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

/// Connects and brings the schema up to date.
async fn open_store(url: &str) -> anyhow::Result<Store> {
    let store = Store::connect(url)
        .await
        .with_context(|| format!("connecting to {}", redacted_url(url)))?;
    store
        .migrate()
        .await
        .context("applying database migrations")?;
    Ok(store)
}

/// `firebell migrate`.
pub async fn migrate(opts: &Options) -> anyhow::Result<()> {
    open_store(&opts.database_url).await?.close().await;
    println!(
        "database {} is up to date",
        redacted_url(&opts.database_url)
    );
    Ok(())
}

/// `firebell check`: every problem with its line, or a summary of what was found.
pub fn check(path: &Path) -> ExitCode {
    match Loaded::load(path) {
        Ok(Loaded { engine: c, .. }) => {
            println!(
                "{} is valid: {} services, {} rooms, {} users, {} escalation policies, {} API tokens",
                path.display(),
                c.services.len(),
                c.rooms.len(),
                c.users.len(),
                c.escalation_policies.len(),
                c.api_tokens.len()
            );
            ExitCode::SUCCESS
        }
        Err(errors) => {
            eprintln!("{errors}");
            eprintln!("{} problem(s) found in {}", errors.0.len(), path.display());
            ExitCode::FAILURE
        }
    }
}

/// Logs to stderr (the console room owns stdout). `RUST_LOG` overrides the default, which is
/// `info` — or `warn` when the console room shares the terminal, so the room stays readable.
pub fn init_tracing(console_on_terminal: bool) {
    use std::io::IsTerminal;
    use tracing_subscriber::EnvFilter;
    let default = if console_on_terminal {
        "warn"
    } else {
        "info,sqlx=warn"
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr)
        .try_init();
}
