//! Per-client rate limits: connections and mails (MAIL FROM) per minute from one address, so a
//! client cannot hold the listener or fill the mail log. An IPv6 client is counted by its /64,
//! which one host usually holds whole. Windows are fixed minutes on the engine's clock, starting
//! at a client's first connection; counts live in memory, per process (each replica counts its
//! own clients). At most [`MAX_TRACKED`] clients are tracked: past that, stale windows are
//! dropped, and while it is still full new clients are told to come back later.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};

/// Clients tracked at once (a few hundred kilobytes).
const MAX_TRACKED: usize = 10_000;

fn window() -> Duration {
    Duration::minutes(1)
}

/// One client's counts in the current window.
#[derive(Debug, Clone, Copy)]
struct Counts {
    since: DateTime<Utc>,
    connections: u32,
    messages: u32,
}

impl Counts {
    fn current(&self, now: DateTime<Utc>) -> bool {
        self.since <= now && now < self.since + window()
    }
}

#[derive(Debug)]
pub(crate) struct RateLimits {
    connections_per_minute: u32,
    messages_per_minute: u32,
    clients: Mutex<HashMap<IpAddr, Counts>>,
}

/// The address a client is counted by: IPv4 as is (an IPv4-mapped IPv6 address too), IPv6 by
/// its /64.
fn client(ip: IpAddr) -> IpAddr {
    match ip.to_canonical() {
        IpAddr::V6(v6) => {
            let bits = u128::from(v6) & !((1u128 << 64) - 1);
            IpAddr::V6(bits.into())
        }
        v4 => v4,
    }
}

impl RateLimits {
    pub(crate) fn new(connections_per_minute: u32, messages_per_minute: u32) -> Self {
        Self {
            connections_per_minute,
            messages_per_minute,
            clients: Mutex::new(HashMap::new()),
        }
    }

    /// Counts a new connection from `ip`; `false` when it is over the limit.
    pub(crate) fn connection(&self, ip: IpAddr, now: DateTime<Utc>) -> bool {
        let limit = self.connections_per_minute;
        self.count(ip, now, |c| {
            if c.connections >= limit {
                return false;
            }
            c.connections += 1;
            true
        })
    }

    /// Counts a mail started by `ip`; `false` when it is over the limit.
    pub(crate) fn message(&self, ip: IpAddr, now: DateTime<Utc>) -> bool {
        let limit = self.messages_per_minute;
        self.count(ip, now, |c| {
            if c.messages >= limit {
                return false;
            }
            c.messages += 1;
            true
        })
    }

    fn count(
        &self,
        ip: IpAddr,
        now: DateTime<Utc>,
        take: impl FnOnce(&mut Counts) -> bool,
    ) -> bool {
        // A poisoned lock only means another session panicked mid-count; the counts stand.
        let mut clients = self
            .clients
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let key = client(ip);
        if !clients.contains_key(&key) && clients.len() >= MAX_TRACKED {
            clients.retain(|_, c| c.current(now));
            if clients.len() >= MAX_TRACKED {
                return false;
            }
        }
        let counts = clients.entry(key).or_insert(Counts {
            since: now,
            connections: 0,
            messages: 0,
        });
        if !counts.current(now) {
            *counts = Counts {
                since: now,
                connections: 0,
                messages: 0,
            };
        }
        take(counts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_700_000_000 + secs, 0).unwrap()
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn a_client_gets_its_quota_per_minute_and_a_fresh_one_the_next_minute() {
        let limits = RateLimits::new(2, 1);
        let a = ip("192.0.2.1");
        assert!(limits.connection(a, at(0)));
        assert!(limits.connection(a, at(10)));
        assert!(!limits.connection(a, at(59)), "third in the minute");
        assert!(
            limits.connection(ip("192.0.2.2"), at(59)),
            "others unaffected"
        );
        assert!(limits.connection(a, at(60)), "the next minute");
        assert!(limits.message(a, at(60)));
        assert!(!limits.message(a, at(61)));
        assert!(
            limits.connection(a, at(61)),
            "mails and connections count apart"
        );
    }

    #[test]
    fn ipv6_clients_are_counted_by_their_64_and_mapped_ipv4_as_ipv4() {
        let limits = RateLimits::new(1, 1);
        assert!(limits.connection(ip("2001:db8:1:2::1"), at(0)));
        assert!(
            !limits.connection(ip("2001:db8:1:2:ffff::9"), at(1)),
            "same /64"
        );
        assert!(
            limits.connection(ip("2001:db8:1:3::1"), at(1)),
            "another /64"
        );
        assert!(limits.connection(ip("198.51.100.7"), at(0)));
        assert!(!limits.connection(ip("::ffff:198.51.100.7"), at(1)));
    }

    #[test]
    fn a_clock_set_back_starts_a_new_window_instead_of_locking_clients_out() {
        let limits = RateLimits::new(1, 1);
        let a = ip("192.0.2.1");
        assert!(limits.connection(a, at(100)));
        assert!(limits.connection(a, at(0)));
    }

    #[test]
    fn at_most_max_tracked_clients_are_held_and_stale_ones_make_room() {
        let limits = RateLimits::new(5, 5);
        for i in 0..MAX_TRACKED as u32 {
            assert!(limits.connection(IpAddr::V4(i.into()), at(0)));
        }
        assert!(
            !limits.connection(ip("203.0.113.9"), at(30)),
            "full of current windows: come back later"
        );
        assert!(
            limits.connection(ip("203.0.113.9"), at(60)),
            "stale ones dropped"
        );
        assert_eq!(limits.clients.lock().unwrap().len(), 1);
    }
}
