//! `[services.NAME]` → [`Service`]: integration keys, room and policy, and the on-call settings
//! (urgency, support hours, acknowledgement timeout, auto-resolve).
//!
//! ```toml
//! [services.web]
//! integration_keys = ["R0UT1NGKEY0000000000000000000000"]
//! room = "ops"
//! urgency = "support-hours"
//! support_hours = { timezone = "Europe/Berlin", days = ["mon", "tue", "wed", "thu", "fri"], start = "09:00", end = "17:00" }
//! ack_timeout = "30m"
//! ```

use std::collections::{BTreeMap, HashMap};

use toml::Spanned;

use super::Collector;
use super::raw::{RawService, RawSupportHours};
use super::schedules::{time_zone, weekly_window};
use super::validate::names;
use super::{
    DEFAULT_ACK_TIMEOUT_MINUTES, DEFAULT_EVENTS_PER_MINUTE, EscalationPolicy, Room, Service,
};
use crate::domain::duration::HumanDuration;
use crate::domain::ids::{RoutingKey, ServiceName};
use crate::domain::notification_rules::{SupportHours, UrgencyRule};

const ACK_TIMEOUT_MAX: chrono::Duration = chrono::Duration::days(1);
const AUTO_RESOLVE_MAX: chrono::Duration = chrono::Duration::days(30);

pub(super) fn validate(
    c: &mut Collector<'_>,
    raw: &BTreeMap<String, Spanned<RawService>>,
    rooms: &BTreeMap<String, Room>,
    policies: &BTreeMap<String, EscalationPolicy>,
) -> BTreeMap<ServiceName, Service> {
    let mut seen_keys: HashMap<String, String> = HashMap::new();
    let mut out = BTreeMap::new();
    for (name, s) in raw {
        let key = format!("services.{name}");
        let span = s.span();
        let s = s.get_ref();
        let keys = routing_keys(c, (&key, span.clone()), (name, s), &mut seen_keys);
        known_room_and_policy(c, &key, s, rooms, policies);
        let rate = events_per_minute(c, (&key, span), s);
        let (urgency, support_hours) = urgency(c, &key, s);
        let ack_timeout = duration(
            c,
            &format!("{key}.ack_timeout"),
            s.ack_timeout.as_ref(),
            ACK_TIMEOUT_MAX,
        )
        .unwrap_or(Some(chrono::Duration::minutes(DEFAULT_ACK_TIMEOUT_MINUTES)));
        let auto_resolve = duration(
            c,
            &format!("{key}.auto_resolve"),
            s.auto_resolve.as_ref(),
            AUTO_RESOLVE_MAX,
        )
        .unwrap_or(None);
        out.insert(
            ServiceName::new(name.clone()),
            Service {
                name: ServiceName::new(name.clone()),
                description: s.description.clone(),
                integration_keys: keys,
                room: s.room.get_ref().clone(),
                escalation_policy: s.escalation_policy.as_ref().map(|p| p.get_ref().clone()),
                events_per_minute: rate,
                urgency,
                support_hours,
                ack_timeout,
                auto_resolve,
            },
        );
    }
    out
}

/// The service's integration keys, each well-formed and no other service's.
fn routing_keys(
    c: &mut Collector<'_>,
    (key, span): (&str, std::ops::Range<usize>),
    (name, s): (&str, &RawService),
    seen_keys: &mut HashMap<String, String>,
) -> Vec<RoutingKey> {
    if s.integration_keys.is_empty() {
        c.at(
            span,
            format!("{key}.integration_keys"),
            "a service needs at least one integration key (32 letters or digits)",
        );
    }
    let mut keys = Vec::new();
    for k in &s.integration_keys {
        match RoutingKey::parse(k.get_ref()) {
            Ok(rk) => {
                if let Some(other) = seen_keys.insert(k.get_ref().clone(), name.to_owned()) {
                    c.at(k.span(), format!("{key}.integration_keys"), format!("this key is already used by service `{other}`; every key routes to one service"));
                }
                keys.push(rk);
            }
            Err(e) => c.at(
                k.span(),
                format!("{key}.integration_keys"),
                e.message().to_owned(),
            ),
        }
    }
    keys
}

/// The room the service posts in and the policy it escalates by must be defined.
fn known_room_and_policy(
    c: &mut Collector<'_>,
    key: &str,
    s: &RawService,
    rooms: &BTreeMap<String, Room>,
    policies: &BTreeMap<String, EscalationPolicy>,
) {
    if !rooms.contains_key(s.room.get_ref()) {
        c.at(
            s.room.span(),
            format!("{key}.room"),
            format!(
                "unknown room `{}` — defined rooms: {}",
                s.room.get_ref(),
                names(rooms.keys())
            ),
        );
    }
    if let Some(p) = &s.escalation_policy
        && !policies.contains_key(p.get_ref())
    {
        c.at(
            p.span(),
            format!("{key}.escalation_policy"),
            format!(
                "unknown escalation policy `{}` — defined policies: {}",
                p.get_ref(),
                names(policies.keys())
            ),
        );
    }
}

/// Events a minute the service accepts, at least 1 ([`DEFAULT_EVENTS_PER_MINUTE`] when unset).
fn events_per_minute(
    c: &mut Collector<'_>,
    (key, span): (&str, std::ops::Range<usize>),
    s: &RawService,
) -> u32 {
    let rate = s
        .events_per_minute
        .as_ref()
        .map_or(DEFAULT_EVENTS_PER_MINUTE, |r| *r.get_ref());
    if rate == 0 {
        let span = s.events_per_minute.as_ref().map_or(span, Spanned::span);
        c.at(
            span,
            format!("{key}.events_per_minute"),
            "must be at least 1",
        );
    }
    rate.max(1)
}

/// The urgency rule and the support hours it may need.
fn urgency(
    c: &mut Collector<'_>,
    key: &str,
    s: &RawService,
) -> (UrgencyRule, Option<SupportHours>) {
    let support = s
        .support_hours
        .as_ref()
        .and_then(|h| support_hours(c, &format!("{key}.support_hours"), h));
    let Some(u) = &s.urgency else {
        return (UrgencyRule::High, support);
    };
    let rule = match u.get_ref().as_str() {
        "high" => UrgencyRule::High,
        "low" => UrgencyRule::Low,
        "by-severity" => UrgencyRule::BySeverity,
        "support-hours" => UrgencyRule::SupportHours,
        other => {
            c.at(
                u.span(),
                format!("{key}.urgency"),
                format!("unknown urgency `{other}` — use high, low, by-severity or support-hours"),
            );
            UrgencyRule::High
        }
    };
    if rule == UrgencyRule::SupportHours && s.support_hours.is_none() {
        c.at(
            u.span(),
            format!("{key}.urgency"),
            "urgency `support-hours` needs `support_hours` on this service, e.g. support_hours = \
             { timezone = \"Europe/Berlin\", days = [\"mon\", \"tue\", \"wed\", \"thu\", \"fri\"], \
             start = \"09:00\", end = \"17:00\" }",
        );
    }
    (rule, support)
}

fn support_hours(
    c: &mut Collector<'_>,
    key: &str,
    spanned: &Spanned<RawSupportHours>,
) -> Option<SupportHours> {
    let h = spanned.get_ref();
    let time_zone = time_zone(c, &format!("{key}.timezone"), &h.timezone);
    if h.days.as_ref().is_some_and(Vec::is_empty) {
        c.at(
            spanned.span(),
            format!("{key}.days"),
            "support hours need at least one day — list some (mon … sun) or leave `days` out for every day",
        );
        return None;
    }
    let (days, start, end) = weekly_window(c, key, h.days.as_deref(), &h.start, &h.end)?;
    Some(SupportHours {
        time_zone,
        days,
        start,
        end,
    })
}

/// `Some(value)` when given and valid (`Some(None)` for `off`), `None` when absent or wrong.
fn duration(
    c: &mut Collector<'_>,
    key: &str,
    v: Option<&Spanned<String>>,
    max: chrono::Duration,
) -> Option<Option<chrono::Duration>> {
    let v = v?;
    if v.get_ref().trim() == "off" {
        return Some(None);
    }
    match HumanDuration::parse(v.get_ref(), max) {
        Ok(d) => Some(Some(d.get())),
        Err(e) => {
            c.at(
                v.span(),
                key,
                format!("{}; `off` turns it off", e.message()),
            );
            None
        }
    }
}
