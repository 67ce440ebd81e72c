//! A TCP proxy between firebell and its database that can go silent: connections stay open and
//! nothing passes either way, as in a network partition (no reset, no error, just no answer).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::net::{TcpListener, TcpStream};

/// A TCP proxy to the database that relays until [`silence`](Self::silence)d, then holds every
/// connection open without passing a byte either way.
pub struct SilenceableProxy {
    /// `db_url` with the proxy in place of the database host.
    pub url: String,
    silent: Arc<AtomicBool>,
    changed: Arc<tokio::sync::Notify>,
}

impl SilenceableProxy {
    pub async fn start(db_url: &str) -> SilenceableProxy {
        // postgres://user@HOST:PORT/db?… → the upstream authority and the URL through the proxy.
        let after_at = db_url.split_once('@').expect("user@host in DATABASE_URL").1;
        let upstream = after_at
            .split(['/', '?'])
            .next()
            .expect("host:port")
            .to_owned();
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let url = db_url.replacen(&upstream, &addr.to_string(), 1);
        let silent = Arc::new(AtomicBool::new(false));
        let changed = Arc::new(tokio::sync::Notify::new());
        let (s, c) = (silent.clone(), changed.clone());
        tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                let (s, c, upstream) = (s.clone(), c.clone(), upstream.clone());
                tokio::spawn(async move {
                    let Ok(mut server) = TcpStream::connect(&upstream).await else {
                        return;
                    };
                    if !s.load(Ordering::SeqCst) {
                        let silenced = c.notified();
                        tokio::select! {
                            _ = tokio::io::copy_bidirectional(&mut client, &mut server) => return,
                            _ = silenced => {}
                        }
                    }
                    // Silent: keep both ends open, relay nothing.
                    std::future::pending::<()>().await;
                    drop((client, server));
                });
            }
        });
        SilenceableProxy {
            url,
            silent,
            changed,
        }
    }

    /// From now on nothing passes, on open connections and new ones alike.
    pub fn silence(&self) {
        self.silent.store(true, Ordering::SeqCst);
        self.changed.notify_waiters();
    }
}
