//! `[[reports]]` → [`DigestSchedule`]: report digests posted to a room on a cron schedule.
//!
//! ```toml
//! [[reports]]
//! name = "weekly"
//! schedule = "0 9 * * Mon"      # minute hour day-of-month month day-of-week (names are clearest)
//! timezone = "Europe/Berlin"
//! room = "managers"
//! period = "last-week"          # week | last-week | month | <N>d
//! service = "web"               # optional: one service only
//! ```

use std::collections::BTreeMap;
use std::str::FromStr;

use chrono_tz::Tz;
use toml::Spanned;

use super::Collector;
use super::raw::RawReport;
use super::validate::known_service;
use super::{DigestSchedule, Room, Service};
use crate::domain::ids::ServiceName;

pub(super) fn validate(
    c: &mut Collector<'_>,
    raw: &[Spanned<RawReport>],
    rooms: &BTreeMap<String, Room>,
    services: &BTreeMap<ServiceName, Service>,
) -> Vec<DigestSchedule> {
    let mut out: Vec<DigestSchedule> = Vec::new();
    for (i, spanned) in raw.iter().enumerate() {
        let r = spanned.get_ref();
        let key = format!("reports[{i}]");
        let name = r.name.as_ref().map_or_else(
            || format!("report-{}", i + 1),
            |n| n.get_ref().trim().to_owned(),
        );
        if out.iter().any(|d| d.name == name) {
            c.at(
                spanned.span(),
                format!("{key}.name"),
                format!("two reports are named `{name}` — each needs its own name"),
            );
        }
        let schedule = parse_cron(r.schedule.get_ref())
            .map_err(|why| c.at(r.schedule.span(), format!("{key}.schedule"), why))
            .ok();
        let tz = time_zone(c, &key, r.timezone.as_ref());
        if !rooms.contains_key(r.room.get_ref()) {
            c.at(
                r.room.span(),
                format!("{key}.room"),
                format!(
                    "unknown room `{}` — defined rooms: {}",
                    r.room.get_ref(),
                    rooms.keys().cloned().collect::<Vec<_>>().join(", ")
                ),
            );
        }
        let period = period(c, &key, spanned);
        let service = r
            .service
            .as_ref()
            .and_then(|s| known_service(c, s, format!("{key}.service"), services));
        if let (Some(expression), Some(tz)) = (schedule, tz) {
            out.push(DigestSchedule {
                name,
                expression,
                timezone: tz,
                room: r.room.get_ref().clone(),
                period,
                service,
            });
        }
    }
    out
}

/// The zone the schedule is read in: UTC when unset.
fn time_zone(c: &mut Collector<'_>, key: &str, raw: Option<&Spanned<String>>) -> Option<Tz> {
    let Some(t) = raw else {
        return Some(Tz::UTC);
    };
    t.get_ref()
        .parse::<Tz>()
        .map_err(|_| {
            c.at(
                t.span(),
                format!("{key}.timezone"),
                format!(
                    "unknown time zone `{}` — use an IANA name such as `Europe/Berlin`",
                    t.get_ref()
                ),
            )
        })
        .ok()
}

/// The period a digest covers, `last-week` when unset; a wrong one is reported and kept.
fn period(c: &mut Collector<'_>, key: &str, spanned: &Spanned<RawReport>) -> String {
    let r = spanned.get_ref();
    let period = r
        .period
        .as_ref()
        .map_or_else(|| "last-week".to_owned(), |p| p.get_ref().trim().to_owned());
    if !period_ok(&period) {
        let span = r.period.as_ref().map_or(spanned.span(), |p| p.span());
        c.at(
            span,
            format!("{key}.period"),
            format!(
                "unknown period `{period}` — use `week`, `last-week`, `month` or a number of days such as `14d`"
            ),
        );
    }
    period
}

/// A crontab line (5 fields) or cron's own 6/7 fields (seconds first), checked.
pub(crate) fn parse_cron(text: &str) -> Result<String, String> {
    let text = text.trim();
    let fields = text.split_whitespace().count();
    let full = match fields {
        5 => format!("0 {text}"),
        6 | 7 => text.to_owned(),
        _ => {
            return Err(format!(
                "`{text}` is not a cron schedule — write 5 fields, minute hour day-of-month month \
                 day-of-week, e.g. `0 9 * * Mon` for Mondays at 09:00"
            ));
        }
    };
    cron::Schedule::from_str(&full).map(|_| full).map_err(|e| {
        format!(
            "`{text}` is not a valid cron schedule ({e}) — e.g. `0 9 * * Mon` for Mondays at \
                 09:00; day names avoid numbering mix-ups"
        )
    })
}

fn period_ok(spec: &str) -> bool {
    match spec {
        "week" | "last-week" | "month" => true,
        _ => spec
            .strip_suffix('d')
            .and_then(|n| n.parse::<u32>().ok())
            .is_some_and(|n| (1..=366).contains(&n)),
    }
}
