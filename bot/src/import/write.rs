//! The imported config as TOML text, with comments placed by hand: where each table came from in
//! PagerDuty, what could not be carried over, and how to repoint each integration. Values are
//! quoted by the `toml` crate, so names with quotes or backslashes stay valid.

use std::fmt::Write as _;

use chrono::{DateTime, Utc};

use super::map::{Doc, PolicyOut};
use super::restrictions::Window;
use super::schedules::{LayerOut, ScheduleOut};
use super::services::ServiceOut;
use super::users::UserOut;

/// The one room every imported service posts to.
pub const ROOM: &str = "oncall";

pub fn render(doc: &Doc, api_url: &str, now: DateTime<Utc>) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Imported from PagerDuty ({api_url}) by `firebell import pagerduty` on {}.",
        now.format("%Y-%m-%d %H:%M UTC")
    );
    out.push_str(
        "# Read every NOT CARRIED OVER note below, set the room's chat channel, repoint the\n\
         # integrations listed at each service, then run `firebell check`.\n\n",
    );
    let _ = writeln!(out, "[rooms.{ROOM}]");
    out.push_str(
        "# PagerDuty has no chat rooms: every imported service posts here. Add the channel, e.g.\n\
         # slack = \"C0123456789\"   or   discord = \"123456789012345678\"\n\
         # (with neither, incidents show in firebell's console).\n\n",
    );
    for u in &doc.users {
        user(&mut out, u);
    }
    for s in &doc.schedules {
        schedule(&mut out, s);
    }
    for p in &doc.policies {
        policy(&mut out, p);
    }
    for s in &doc.services {
        service(&mut out, s);
    }
    out
}

fn q(s: &str) -> String {
    toml::Value::String(s.to_owned()).to_string()
}

fn list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|s| q(s)).collect();
    format!("[{}]", quoted.join(", "))
}

fn comments(out: &mut String, lines: &[String]) {
    for line in lines {
        for part in line.lines() {
            let _ = writeln!(out, "# {part}");
        }
    }
}

fn user(out: &mut String, u: &UserOut) {
    let _ = writeln!(out, "[users.{}]", u.id);
    comments(out, &u.comments);
    let _ = writeln!(out, "name = {}", q(&u.name));
    let _ = writeln!(out, "timezone = {}", q(&u.timezone));
    if let Some(e) = &u.email {
        let _ = writeln!(out, "email = {}", q(e));
    }
    if let Some(p) = &u.phone {
        let _ = writeln!(out, "phone = {}", q(p));
        out.push_str(
            "# SMS and calls need [providers.twilio] (see the README); until then chat only. Then:\n\
             # notify.high = { chat = 0, sms = 2, voice = 5 }\n\
             notify.high = { chat = 0 }\n",
        );
    }
    out.push_str("# Add the chat account: slack = \"U…\" and/or discord = \"…\"\n\n");
}

fn schedule(out: &mut String, s: &ScheduleOut) {
    let _ = writeln!(out, "[schedules.{}]", s.id);
    comments(out, &s.comments);
    let _ = writeln!(out, "timezone = {}", q(&s.timezone));
    out.push('\n');
    for l in &s.layers {
        layer(out, &s.id, l);
    }
}

fn layer(out: &mut String, schedule: &str, l: &LayerOut) {
    let _ = writeln!(out, "[[schedules.{schedule}.layers]]");
    comments(out, &l.comments);
    let _ = writeln!(out, "users = {}", list(&l.users));
    let _ = writeln!(out, "rotation = {}", q(&l.rotation));
    let format = if l.start.and_utc().timestamp() % 60 == 0 {
        "%Y-%m-%dT%H:%M"
    } else {
        "%Y-%m-%dT%H:%M:%S"
    };
    let _ = writeln!(out, "start = {}", q(&l.start.format(format).to_string()));
    if !l.restrictions.is_empty() {
        let windows: Vec<String> = l.restrictions.iter().map(window).collect();
        let _ = writeln!(out, "restrictions = [\n  {},\n]", windows.join(",\n  "));
    }
    out.push('\n');
}

fn window(w: &Window) -> String {
    let days: Vec<String> = w
        .days
        .iter()
        .map(|d| d.to_string().to_ascii_lowercase())
        .collect();
    format!(
        "{{ days = {}, start = {}, end = {} }}",
        list(&days),
        q(&w.start.format("%H:%M").to_string()),
        q(&w.end.format("%H:%M").to_string())
    )
}

fn policy(out: &mut String, p: &PolicyOut) {
    let _ = writeln!(out, "[escalation_policies.{}]", p.id);
    comments(out, &p.comments);
    out.push_str("levels = [\n");
    for (targets, delay) in &p.levels {
        let _ = writeln!(
            out,
            "  {{ targets = {}, delay_minutes = {delay} }},",
            list(targets)
        );
    }
    out.push_str("]\n");
    let _ = writeln!(out, "repeat = {}\n", p.repeat);
}

fn service(out: &mut String, s: &ServiceOut) {
    let _ = writeln!(out, "[services.{}]", s.id);
    comments(out, &s.comments);
    let _ = writeln!(out, "description = {}", q(&s.description));
    out.push_str(
        "# A new key: PagerDuty does not hand its integration keys out. Send events with this one.\n",
    );
    let _ = writeln!(out, "integration_keys = [{}]", q(&s.key));
    let _ = writeln!(out, "room = {}", q(ROOM));
    if let Some(p) = &s.policy {
        let _ = writeln!(out, "escalation_policy = {}", q(p));
    }
    if let Some(u) = s.urgency {
        let _ = writeln!(out, "urgency = {}", q(u));
    }
    if let Some(t) = &s.ack_timeout {
        let _ = writeln!(out, "ack_timeout = {}", q(t));
    }
    if let Some(t) = &s.auto_resolve {
        let _ = writeln!(out, "auto_resolve = {}", q(t));
    }
    out.push('\n');
}
