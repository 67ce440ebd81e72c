//! The closed loop: N keep-alive HTTP/1.1 connections, each sending its next request as soon as
//! the previous reply has been read. Offered load therefore adapts to the server, and latency is
//! what one client waiting on its answer sees.
//!
//! With a rate, the loop is open instead: each connection sends on a fixed schedule (the rate
//! spread evenly over the connections), and latency counts from when a request was *due*, so a
//! server that falls behind shows as latency rather than as a quietly lower offered load.
//!
//! Every loop is bounded: nothing new is sent after the deadline, a request still in flight gets
//! at most `request_timeout`, and a refused connection is retried only until the deadline.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::Context;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::{self, SendRequest};
use hyper::header::{CONTENT_TYPE, HOST};
use hyper::{Request, StatusCode, Uri};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use tokio::time::{Instant, sleep, timeout};

use crate::event::{Events, Format, KeyMode};
use crate::stats::Stats;
use crate::target::Target;

/// One run's parameters.
#[derive(Debug, Clone)]
pub struct RunConfig {
    /// Connection `i` goes to `targets[i % len]` (several replicas share the connections).
    pub targets: Vec<Target>,
    pub connections: usize,
    /// Not counted: lets connections open, caches and the database warm up.
    pub warmup: Duration,
    /// The measured window.
    pub measure: Duration,
    pub keys: KeyMode,
    pub format: Format,
    /// Send times in the summaries (see [`Events::stamped`]).
    pub stamp: bool,
    pub routing_key: String,
    /// Accepted throughput is also counted per slice of this length of the measured window.
    pub slice: Option<Duration>,
    /// Requests per second over all connections (open loop); `None`: closed loop.
    pub rate: Option<f64>,
    /// The longest one request may take before it counts as a failure and the connection is
    /// replaced.
    pub request_timeout: Duration,
}

/// Runs the load and returns the merged stats and the measured window's length.
pub async fn run(cfg: &RunConfig) -> anyhow::Result<(Stats, Duration)> {
    let start = Instant::now();
    let window = Window {
        from: start + cfg.warmup,
        until: start + cfg.warmup + cfg.measure,
    };
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let run_id = format!("{:x}-{:x}", std::process::id(), nanos);
    let mut tasks = Vec::with_capacity(cfg.connections);
    for conn in 0..cfg.connections {
        let target = cfg.targets[conn % cfg.targets.len()].clone();
        let events =
            Events::new(cfg.keys, cfg.format, &cfg.routing_key, &run_id, conn).stamped(cfg.stamp);
        // Connections start evenly staggered over one interval, so an open loop is smooth.
        let pace = cfg.rate.map(|rate| {
            let interval = Duration::from_secs_f64(cfg.connections as f64 / rate);
            (
                interval,
                start + interval.mul_f64(conn as f64 / cfg.connections as f64),
            )
        });
        let job = Connection {
            uri: target.path.parse().context("the request path")?,
            target,
            cfg: cfg.clone(),
            window,
            events,
            pace,
        };
        tasks.push(tokio::spawn(job.drive()));
    }
    let mut total = Stats::new();
    for task in tasks {
        total.merge(task.await.context("a connection task panicked")?);
    }
    Ok((total, cfg.measure))
}

#[derive(Debug, Clone, Copy)]
struct Window {
    from: Instant,
    until: Instant,
}

impl Window {
    fn contains(&self, t: Instant) -> bool {
        t >= self.from && t < self.until
    }
}

struct Connection {
    cfg: RunConfig,
    target: Target,
    uri: Uri,
    window: Window,
    events: Events,
    /// Open loop: (interval between sends, when the next one is due).
    pace: Option<(Duration, Instant)>,
}

impl Connection {
    async fn drive(mut self) -> Stats {
        let mut stats = Stats::new();
        while Instant::now() < self.window.until {
            let mut sender = match connect(&self.target).await {
                Ok(s) => s,
                Err(e) => {
                    stats.failed("connect".to_owned(), format!("{e:#}"));
                    sleep(Duration::from_millis(100)).await;
                    continue;
                }
            };
            // Back to back on one connection until the deadline or a transport failure.
            while Instant::now() < self.window.until {
                let sent = match &mut self.pace {
                    None => Instant::now(),
                    Some((interval, due)) => {
                        let this = *due;
                        *due += *interval;
                        tokio::time::sleep_until(this).await;
                        if this >= self.window.until {
                            break;
                        }
                        this
                    }
                };
                let body = self.events.next_body();
                let reply = timeout(self.cfg.request_timeout, self.send(&mut sender, body)).await;
                let done = Instant::now();
                match reply {
                    Ok(Ok((status, body))) => {
                        let counted = self.window.contains(done);
                        stats.replies += u64::from(counted);
                        if status.as_u16() == self.cfg.format.accepted() {
                            stats.accepted_all += 1;
                            if counted {
                                let slice =
                                    Stats::slice_of(done - self.window.from, self.cfg.slice);
                                stats.accepted(done - sent, slice);
                            }
                        } else {
                            let text = String::from_utf8_lossy(&body);
                            let text: String = text.chars().take(300).collect();
                            stats.failed(format!("status {}", status.as_u16()), text);
                        }
                    }
                    Ok(Err(e)) => {
                        stats.failed("transport".to_owned(), format!("{e:#}"));
                        break;
                    }
                    Err(_) => {
                        let limit = self.cfg.request_timeout;
                        stats.failed("timeout".to_owned(), format!("no reply within {limit:?}"));
                        break;
                    }
                }
            }
        }
        stats
    }

    async fn send(
        &self,
        sender: &mut SendRequest<Full<Bytes>>,
        body: Bytes,
    ) -> anyhow::Result<(StatusCode, Bytes)> {
        sender.ready().await.context("connection closed")?;
        let request = Request::post(self.uri.clone())
            .header(HOST, &self.target.host)
            .header(CONTENT_TYPE, "application/json")
            .body(Full::new(body))?;
        let reply = sender.send_request(request).await?;
        let status = reply.status();
        let body = reply.into_body().collect().await?.to_bytes();
        Ok((status, body))
    }
}

/// Opens one keep-alive HTTP/1.1 connection; its IO task ends when the sender is dropped.
async fn connect(target: &Target) -> anyhow::Result<SendRequest<Full<Bytes>>> {
    let stream = TcpStream::connect(target.addr)
        .await
        .with_context(|| format!("connecting to {}", target.addr))?;
    stream.set_nodelay(true)?;
    let (sender, conn) = http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(async move {
        // Its failure surfaces on the next request as a transport error.
        let _ = conn.await;
    });
    Ok(sender)
}
