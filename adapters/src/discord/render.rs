//! firebell's Discord messages, as the JSON bodies of Discord's Create / Edit Message: the
//! incident card (an embed and a row of buttons) in `card`; thread entries, room notices and
//! command replies in `text` (the wording shared with Slack, in [`crate::chat::text`], as
//! Discord Markdown); the alert-storm summary in `bundle`; plain lines, replies, thread
//! names and the pieces they share here and in `parts`. Pure functions of their inputs, so
//! every shape is unit-tested without a Discord server.
//!
//! Every string from an alert, a person or the config goes through [`escape`]; every part is cut
//! to Discord's limits, so a 10 kB alert title still gives a body Discord accepts. Every body
//! carries `allowed_mentions` with an empty `parse`, so nothing in it pings anyone but the
//! users a line names on purpose (never `@everyone`, `@here` or a role). Times are `<t:…>`
//! tokens: each reader sees their own time zone.

use firebell_commands::Reply;
use firebell_engine::Incident;
use serde_json::{Value, json};

use super::escape::{self, FIELD_VALUE};
use crate::chat::surface::Line;
#[cfg(test)]
use crate::chat::text::duration;
use crate::chat::text::title_line;
pub use crate::chat::view::{BundleView, CardView, Person};

pub use bundle::bundle;
pub use card::card;
pub use text::{page_sent, reply, room_notice, storm_page, thread_entry};

mod bundle;
mod card;
pub mod doc;
mod parts;
mod text;

/// Button `custom_id` prefixes: a button's id is `<prefix>:<numbers>`, e.g. `firebell_ack:42`
/// or, on a storm summary, `firebell_ack_all:12 13 14`; [`parse_custom_id`] splits it for
/// [`Command::from_button`](firebell_commands::Command::from_button).
pub use firebell_commands::button::{ACK, ACK_ALL, ESCALATE, RESOLVE};

/// Message flags: no link previews under firebell's lines (a timeline, not a gallery), and
/// replies only the asker sees.
const SUPPRESS_EMBEDS: u64 = 1 << 2;
const EPHEMERAL: u64 = 1 << 6;

/// A person's or service's name, escaped, at most this long.
pub(super) const NAME_CHARS: usize = 80;

/// Splits a button's `custom_id` into its prefix and numbers text (`"42"`, `"12 13 14"`);
/// `None` for anything firebell did not make (another bot's button, a mangled id).
pub fn parse_custom_id(id: &str) -> Option<(&'static str, &str)> {
    let (prefix, numbers) = id.split_once(':')?;
    let prefix = [ACK, RESOLVE, ESCALATE, ACK_ALL]
        .into_iter()
        .find(|p| *p == prefix)?;
    // Decimal numbers that fit an i64, one space apart; one only on an incident's own buttons.
    let number = |n: &str| (1..=18).contains(&n.len()) && n.bytes().all(|b| b.is_ascii_digit());
    let valid = numbers.split(' ').all(number);
    let one = !numbers.contains(' ');
    (valid && (prefix == ACK_ALL || one)).then_some((prefix, numbers))
}

/// `<prefix>:<numbers>` with as many of `numbers` as fit in a `custom_id`, and how many did.
pub(super) fn custom_id(prefix: &str, numbers: &[i64]) -> (String, usize) {
    let mut id = format!("{prefix}:");
    let mut carried = 0;
    for n in numbers {
        let next = if carried == 0 {
            n.to_string()
        } else {
            format!(" {n}")
        };
        if id.len() + next.len() > escape::CUSTOM_ID {
            break;
        }
        id.push_str(&next);
        carried += 1;
    }
    (id, carried)
}

/// `<@123…>` (a real mention) for a person whose chat id is a Discord snowflake, else their
/// escaped name: anything else in the config must not be pasted inside `<@…>`.
pub fn mention(p: &Person) -> String {
    match p.chat_id.as_deref().filter(|id| is_snowflake(id)) {
        Some(id) => format!("<@{id}>"),
        None => escape::markdown_line(&p.name, NAME_CHARS),
    }
}

/// Discord ids are 17–20 decimal digits.
pub(super) fn is_snowflake(id: &str) -> bool {
    (17..=20).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_digit())
}

/// An embed field; Discord rejects an empty value, so an empty one shows a dash.
pub(super) fn field(name: &str, value: String, inline: bool) -> Value {
    let value = if value.trim().is_empty() {
        "—".to_owned()
    } else {
        value
    };
    json!({
        "name": escape::truncate(name, escape::FIELD_NAME),
        "value": escape::truncate(&value, FIELD_VALUE),
        "inline": inline,
    })
}

/// A button (type 2) carrying as many of `numbers` as its `custom_id` holds, and how many.
pub(super) fn button(prefix: &str, label: &str, style: u8, numbers: &[i64]) -> (Value, usize) {
    let (id, carried) = custom_id(prefix, numbers);
    let button = json!({
        "type": 2,
        "style": style,
        "label": escape::plain_line(label, escape::BUTTON_LABEL),
        "custom_id": id,
    });
    (button, carried)
}

/// `[]`, or one action row (type 1) of at most five buttons.
pub(super) fn row(mut buttons: Vec<Value>) -> Value {
    if buttons.is_empty() {
        return json!([]);
    }
    buttons.truncate(escape::BUTTONS_PER_ROW);
    json!([{"type": 1, "components": buttons}])
}

/// The embed, its description shortened if title, description, fields and footer together
/// would pass Discord's 6000 (the budgets above keep it from happening; this keeps it certain).
pub(super) fn within_total(mut embed: Value) -> Value {
    let total = embed_len(&embed);
    if total > escape::EMBED_TOTAL {
        let description = embed["description"].as_str().unwrap_or_default();
        let keep = escape::len(description).saturating_sub(total - escape::EMBED_TOTAL);
        embed["description"] = json!(escape::truncate(description, keep));
    }
    embed
}

/// What Discord counts toward an embed's 6000.
pub(super) fn embed_len(embed: &Value) -> usize {
    let len = |v: &Value| v.as_str().map_or(0, escape::len);
    let fields: usize = embed["fields"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| len(&f["name"]) + len(&f["value"]))
        .sum();
    len(&embed["title"])
        + len(&embed["description"])
        + fields
        + len(&embed["footer"]["text"])
        + len(&embed["author"]["name"])
}

/// A plain line for a thread or channel: it pings exactly the snowflakes in `line.ping`.
pub fn message(line: Line) -> Value {
    let mut users: Vec<String> = Vec::new();
    for id in line.ping.into_iter().filter(|id| is_snowflake(id)) {
        if !users.contains(&id) && users.len() < escape::MAX_PINGED {
            users.push(id);
        }
    }
    json!({
        "content": escape::truncate(&line.text, escape::CONTENT),
        "allowed_mentions": {"parse": [], "users": users},
        "flags": SUPPRESS_EMBEDS,
    })
}

/// A command reply as a message body, pinging nobody; `ephemeral` (for an interaction
/// response) shows it only to the person who asked.
pub fn reply_message(r: &Reply, ephemeral: bool) -> Value {
    let flags = if ephemeral {
        SUPPRESS_EMBEDS | EPHEMERAL
    } else {
        SUPPRESS_EMBEDS
    };
    json!({
        "content": reply(r),
        "allowed_mentions": {"parse": []},
        "flags": flags,
    })
}

/// The name of an incident card's thread, `#42 Disk full on db-01`. Thread names show no
/// Markdown, so the title is only cleaned and cut.
pub fn thread_name(incident: &Incident) -> String {
    let name = format!("{} {}", incident.number, title_line(&incident.title));
    escape::plain_line(&name, escape::THREAD_NAME)
}

#[cfg(test)]
mod tests;
