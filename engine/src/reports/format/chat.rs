//! The report as one chat message: a line per section, light Markdown only (`*bold*`,
//! `` `code` ``, which every platform's adapter understands), at most [`CHAT_MAX_CHARS`]
//! characters. Long lists are cut to fewer entries until it fits. Words from the config or from
//! monitors cannot format anything: formatting characters are dropped from them.

use std::fmt::Write;

use super::{Unit, human, show};
use crate::reports::{Durations, Report, Summary};

/// Longest chat text (characters), well inside Slack's and Discord's message limits.
pub const CHAT_MAX_CHARS: usize = 2500;

pub(super) fn render(r: &Report) -> String {
    for items in [10, 5, 3, 1, 0] {
        let text = lines(r, items);
        if text.chars().count() <= CHAT_MAX_CHARS {
            return text;
        }
    }
    let mut text: String = lines(r, 0).chars().take(CHAT_MAX_CHARS - 1).collect();
    text.push('…');
    text
}

fn lines(r: &Report, items: usize) -> String {
    let (cur, prev) = (&r.current, &r.previous);
    let mut t = String::new();
    let fmt = "%d %b %Y %H:%M";
    let scope = match (&r.service, &r.team) {
        (Some(s), _) => format!(" for `{}`", code(s)),
        (None, Some(team)) => format!(" for team `{}`", code(team)),
        (None, None) => String::new(),
    };
    let _ = writeln!(
        t,
        "*Incident report{scope}: {} → {} UTC* (change vs the {} before)",
        cur.period.since.format(fmt),
        cur.period.until.format(fmt),
        days(cur)
    );
    let i = &cur.incidents;
    let _ = writeln!(
        t,
        "*Opened:* {} ({}) · critical {} · error {} · warning {} · info {} · high urgency {} / low {}",
        i.total,
        delta(i.total, prev.incidents.total),
        i.by_severity.critical,
        i.by_severity.error,
        i.by_severity.warning,
        i.by_severity.info,
        i.by_urgency.high,
        i.by_urgency.low
    );
    if items > 0 && i.by_service.len() > 1 {
        let mut by: Vec<(&String, &u64)> = i.by_service.iter().collect();
        by.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        let _ = writeln!(
            t,
            "*By service:* {}",
            list(by.iter().map(|(s, n)| format!("{} {n}", plain(s))), items)
        );
    }
    let (a, pa) = (cur.alerts, prev.alerts);
    let _ = writeln!(
        t,
        "*Alerts:* {} received ({}) · {} deduplicated · {} suppressed by maintenance",
        a.received,
        delta(a.received, pa.received),
        a.deduplicated,
        a.suppressed
    );
    let _ = writeln!(t, "*MTTA:* {}", durations(&cur.mtta, &prev.mtta));
    let _ = writeln!(t, "*MTTR:* {}", durations(&cur.mttr, &prev.mttr));
    let e = cur.escalations;
    let _ = writeln!(
        t,
        "*Escalated:* {} ({}) — {} by timeout, {} by hand",
        e.escalated,
        delta(e.escalated, prev.escalations.escalated),
        e.by_timeout,
        e.by_hand
    );
    pages_and_noise(&mut t, r, items);
    t.trim_end().to_owned()
}

/// The lines about people and noise: notifications, pages, on-call time, the noisiest keys,
/// likely noise, and teams over the review line.
fn pages_and_noise(t: &mut String, r: &Report, items: usize) {
    let (cur, prev) = (&r.current, &r.previous);
    let _ = writeln!(*t, "*Notifications:* {}", notifications(cur));
    let _ = writeln!(*t, "{}", pages(cur, prev, items));
    if items > 0 && !cur.on_call.is_empty() {
        let who = cur
            .on_call
            .iter()
            .map(|o| format!("{} {}", plain(&o.user), show(Some(o.hours), Unit::Hours)));
        let _ = writeln!(*t, "*On call:* {}", list(who, items));
    }
    if items > 0 && !cur.noisiest.is_empty() {
        let keys = cur
            .noisiest
            .iter()
            .map(|k| format!("`{}/{}` {}", code(&k.service), code(&k.dedup_key), k.alerts));
        let _ = writeln!(*t, "*Noisiest:* {}", list(keys, items));
    }
    if cur.acknowledged_then_auto_resolved > 0 {
        let _ = writeln!(
            *t,
            "*Likely noise:* {} acknowledged, then auto-resolved ({})",
            cur.acknowledged_then_auto_resolved,
            delta(
                cur.acknowledged_then_auto_resolved,
                prev.acknowledged_then_auto_resolved
            )
        );
    }
    let over: Vec<_> = cur.teams.iter().filter(|t| t.over_review_line).collect();
    if !over.is_empty() {
        let teams = over.iter().map(|t| {
            format!(
                "`{}` {}/week",
                code(&t.team),
                show(Some(t.per_week), Unit::PerWeek)
            )
        });
        let _ = writeln!(
            *t,
            "*Over 15 incidents a week:* {}",
            list(teams, items.max(1))
        );
    }
}

/// "sms 3 (1 failed) · chat 12", or "none".
fn notifications(cur: &Summary) -> String {
    let sent: Vec<String> = cur
        .notifications
        .iter()
        .filter(|n| n.sent > 0)
        .map(|n| {
            if n.failed > 0 {
                format!("{} {} ({} failed)", n.method, n.sent, n.failed)
            } else {
                format!("{} {}", n.method, n.sent)
            }
        })
        .collect();
    if sent.is_empty() {
        "none".to_owned()
    } else {
        sent.join(" · ")
    }
}

/// The pages line: how many, how many off hours and in sleeping hours, and who was woken most.
fn pages(cur: &Summary, prev: &Summary, items: usize) -> String {
    let total = |s: &Summary| s.interruptions.iter().map(|i| i.total()).sum::<u64>();
    let off = |s: &Summary| {
        s.interruptions
            .iter()
            .map(|i| i.evening + i.sleep)
            .sum::<u64>()
    };
    let sleep: u64 = cur.interruptions.iter().map(|i| i.sleep).sum();
    let mut line = format!(
        "*Pages:* {} ({}) · {} off-hours ({}), {sleep} of them in sleeping hours",
        total(cur),
        delta(total(cur), total(prev)),
        off(cur),
        delta(off(cur), off(prev))
    );
    let mut people: Vec<_> = cur
        .interruptions
        .iter()
        .filter(|i| i.evening + i.sleep > 0)
        .collect();
    people.sort_by(|a, b| {
        (b.evening + b.sleep)
            .cmp(&(a.evening + a.sleep))
            .then(a.user.cmp(&b.user))
    });
    if items > 0 && !people.is_empty() {
        let who = people.iter().map(|i| {
            format!(
                "{} {} ({} sleep)",
                plain(&i.user),
                i.evening + i.sleep,
                i.sleep
            )
        });
        let _ = write!(line, " — {}", list(who, items));
    }
    line
}

fn days(s: &Summary) -> String {
    let d = s.period.days();
    let whole = d.round();
    if (d - whole).abs() > 1e-9 {
        human(d * 86_400.0)
    } else if whole as i64 == 1 {
        "day".to_owned()
    } else {
        format!("{} days", whole as i64)
    }
}

/// "4m 30s mean (-1m) · median 3m · p90 9m", or "nothing to measure".
fn durations(c: &Durations, p: &Durations) -> String {
    let Some(mean) = c.mean_seconds else {
        return "nothing to measure".to_owned();
    };
    let change = match p.mean_seconds {
        Some(before) if (mean - before).abs() >= 0.5 => {
            format!(
                " ({}{})",
                if mean > before { "+" } else { "-" },
                human((mean - before).abs())
            )
        }
        Some(_) => " (±0)".to_owned(),
        None => String::new(),
    };
    let h = |v: Option<f64>| v.map_or_else(|| "—".to_owned(), human);
    format!(
        "{} mean{change} · median {} · p90 {} (over {})",
        human(mean),
        h(c.median_seconds),
        h(c.p90_seconds),
        c.count
    )
}

/// "+3", "-2", "±0".
fn delta(c: u64, p: u64) -> String {
    match c.cmp(&p) {
        std::cmp::Ordering::Greater => format!("+{}", c - p),
        std::cmp::Ordering::Less => format!("-{}", p - c),
        std::cmp::Ordering::Equal => "±0".to_owned(),
    }
}

/// The first `max` entries, " · "-separated, with "+N more" for the rest.
fn list(entries: impl Iterator<Item = String>, max: usize) -> String {
    let all: Vec<String> = entries.collect();
    let mut out = all
        .iter()
        .take(max)
        .cloned()
        .collect::<Vec<_>>()
        .join(" · ");
    if all.len() > max {
        let _ = write!(out, " · +{} more", all.len() - max);
    }
    out
}

/// A word shown as plain text: no formatting characters, one line.
fn plain(text: &str) -> String {
    text.chars()
        .filter(|c| !matches!(c, '*' | '_' | '`' | '~') && !c.is_control())
        .take(80)
        .collect()
}

/// A word shown inside `code`: no backticks, one line.
fn code(text: &str) -> String {
    text.chars()
        .filter(|c| *c != '`' && !c.is_control())
        .take(80)
        .collect()
}
