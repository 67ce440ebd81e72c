//! The SMTP listener: accepts connections on `[email] listen`, runs one [`session`] per
//! connection (upgraded with STARTTLS when a certificate is configured), and on shutdown stops
//! accepting, tells idle clients 421 (they retry later) and waits for mails being committed.
//!
//! # Layout
//! - `mod.rs`: binding, the accept loop, connection limits, STARTTLS hand-over, shutdown.
//! - `limits`: connections and mails per minute per client address.
//! - `session`: one conversation — command order, limits, timeouts.
//! - `envelope`: MAIL FROM and RCPT TO — sender limits, recipients routed to services.
//! - `data`: DATA — the message read within the limit, applied, answered after commit.
//! - `reply`: reply lines and the EHLO capability list.
//! - `tls`: the certificate and key → a rustls acceptor.

mod data;
mod envelope;
mod limits;
mod reply;
mod session;
mod tls;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use firebell_engine::Engine;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::task::JoinSet;
use tokio::time::Instant;
use tokio_rustls::TlsAcceptor;
use tokio_util::sync::CancellationToken;
use tracing::{info, warn};

use super::config::EmailListener;
use session::{End, MAX_SESSION, Session};

/// Connections served at once; the next gets 421 and retries later (as senders do).
const MAX_CONNECTIONS: usize = 256;
/// Longest TLS handshake after STARTTLS.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(30);

/// What every session needs, shared.
pub(crate) struct Ctx {
    pub engine: Engine,
    pub domain: String,
    pub max_size: usize,
    pub timeout: Duration,
    pub tls: Option<TlsAcceptor>,
    pub limits: limits::RateLimits,
}

/// A bound listener, not yet accepting. Binding (and loading the certificate) happen before the
/// application starts anything else, so a port in use or a bad key stops startup with a clear
/// error.
pub struct SmtpListener {
    listener: TcpListener,
    conf: EmailListener,
    tls: Option<TlsAcceptor>,
}

impl SmtpListener {
    /// Binds `[email] listen`; `None` when the config has no `[email]` table (no listener).
    pub async fn bind(conf: Option<&EmailListener>) -> anyhow::Result<Option<SmtpListener>> {
        let Some(conf) = conf.cloned() else {
            return Ok(None);
        };
        let tls = match &conf.tls {
            Some(files) => Some(tls::acceptor(files)?),
            None => None,
        };
        let listener = TcpListener::bind(conf.listen)
            .await
            .with_context(|| format!("listening for SMTP on {} ([email] listen)", conf.listen))?;
        Ok(Some(SmtpListener {
            listener,
            conf,
            tls,
        }))
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Accepts until `stop`, then waits for every session to finish (sessions waiting for a
    /// command are told 421 at once; a mail being committed completes).
    pub async fn run(self, engine: Engine, stop: CancellationToken) {
        let ctx = Arc::new(Ctx {
            engine,
            domain: self.conf.domain,
            max_size: self.conf.max_size,
            timeout: self.conf.timeout,
            tls: self.tls,
            limits: limits::RateLimits::new(
                self.conf.connections_per_minute,
                self.conf.messages_per_minute,
            ),
        });
        let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
        let mut sessions = JoinSet::new();
        info!(addr = ?self.listener.local_addr().ok(), domain = %ctx.domain, tls = ctx.tls.is_some(), "SMTP listener is accepting mail");
        loop {
            tokio::select! {
                biased;
                _ = stop.cancelled() => break,
                Some(_) = sessions.join_next(), if !sessions.is_empty() => {}
                accepted = self.listener.accept() => match accepted {
                    Ok((stream, peer)) => {
                        let permit = slots.clone().try_acquire_owned().ok();
                        sessions.spawn(connection(stream, peer, ctx.clone(), permit, stop.clone()));
                    }
                    Err(e) => {
                        // Out of file descriptors and the like: pause instead of spinning.
                        warn!(error = %e, "SMTP accept failed");
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                },
            }
        }
        drop(self.listener);
        while sessions.join_next().await.is_some() {}
    }
}

/// One connection: the conversation in the clear, then (after STARTTLS) over TLS.
async fn connection(
    mut stream: TcpStream,
    peer: SocketAddr,
    ctx: Arc<Ctx>,
    permit: Option<OwnedSemaphorePermit>,
    stop: CancellationToken,
) {
    use tokio::io::AsyncWriteExt;
    if permit.is_none() {
        let _ = stream
            .write_all(b"421 4.3.2 too many connections; try again later\r\n")
            .await;
        return;
    }
    if !ctx.limits.connection(peer.ip(), ctx.engine.clock().now()) {
        info!(%peer, "SMTP client over its connection rate: told 421");
        let _ = stream
            .write_all(
                b"421 4.7.0 too many connections from your address; try again in a minute\r\n",
            )
            .await;
        return;
    }
    let _ = stream.set_nodelay(true);
    let deadline = Instant::now() + MAX_SESSION;
    let plain = Session::new(&mut stream, &ctx, peer, false, &stop, deadline);
    let upgrade = match plain.run(true).await {
        Ok(End::StartTls) => true,
        Ok(End::Closed) => false,
        Err(e) => {
            info!(%peer, error = %e, "SMTP connection ended");
            false
        }
    };
    let Some(acceptor) = ctx.tls.clone().filter(|_| upgrade) else {
        return;
    };
    let handshake = tokio::select! {
        biased;
        _ = stop.cancelled() => return,
        h = tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)) => h,
    };
    let mut tls = match handshake {
        Ok(Ok(tls)) => tls,
        Ok(Err(e)) => {
            info!(%peer, error = %e, "STARTTLS handshake failed");
            return;
        }
        Err(_) => {
            info!(%peer, "STARTTLS handshake timed out");
            return;
        }
    };
    // RFC 3207 §4.2: after the handshake the session starts over, without a greeting.
    let secure = Session::new(&mut tls, &ctx, peer, true, &stop, deadline);
    if let Err(e) = secure.run(false).await {
        info!(%peer, error = %e, "SMTP connection ended");
    }
    // close_notify, politely and briefly.
    let _ = tokio::time::timeout(Duration::from_secs(5), tls.shutdown()).await;
}
