//! The alert-storm summary: when incidents open faster than a room can read cards, one message
//! counts them, lists them compactly, and offers to acknowledge every triggered one at once.
//! Sized for the worst storm: hundreds of incidents still give one message inside Slack's limits.

use firebell_engine::Incident;
use slack_morphism::prelude::*;

use super::escape::{self, SECTION_TEXT};
use super::render::{
    ACK_ALL, NAME_CHARS, SlackMention, button, chars, confirm, section, slack_time,
};
use crate::chat::text::{join_capped, severity_icon, status_mark};

/// Rows listed; the rest are counted ("…and 27 more"). A chat message is not a report.
const MAX_LISTED: usize = 30;
const ROW_TITLE_CHARS: usize = 100;
const PEOPLE_CHARS: usize = 1000;

pub use crate::chat::view::BundleView;

/// `🌩 Alert storm — 47 more incidents opened since 03:02 (12 triggered, 3 acknowledged, 32
/// resolved)`, the list (open ones first), what was left out, and an "Acknowledge all open"
/// button (value: the triggered incidents' numbers) while any is triggered.
pub fn bundle(view: &BundleView) -> SlackMessageContent {
    let (tally, opened) = (view.tally(), view.opened());
    let text = format!(
        "🌩 Alert storm — {opened} opened since {} ({tally})",
        view.since.format("%H:%M UTC")
    );
    let mut summary = format!(
        "🌩 *Alert storm* — {opened} opened since {} ({tally})",
        slack_time(view.since, view.now)
    );
    if !view.paged.is_empty() {
        let who = join_capped(
            view.paged.iter().map(SlackMention::mention),
            PEOPLE_CHARS,
            chars,
        );
        summary.push_str(&format!("\nPaging {who}"));
    }
    let mut blocks = vec![section(summary)];

    let listed: Vec<&Incident> = view.listing_order().take(MAX_LISTED).collect();
    let mut chunk = String::new();
    for i in &listed {
        let row = row(i);
        if !chunk.is_empty() && chunk.chars().count() + 1 + row.chars().count() > SECTION_TEXT {
            blocks.push(section(std::mem::take(&mut chunk)));
        }
        if !chunk.is_empty() {
            chunk.push('\n');
        }
        chunk.push_str(&row);
    }
    if !chunk.is_empty() {
        blocks.push(section(chunk));
    }
    let left_out = view.incidents.len() - listed.len();
    if left_out > 0 {
        let text = format!("…and {left_out} more — `!incidents` lists every open one");
        let text = SlackBlockMarkDownText::new(text).with_verbatim(true);
        blocks.push(SlackContextBlock::new(vec![text.into()]).into());
    }
    blocks.extend(ack_all(view));
    blocks.truncate(escape::MAX_BLOCKS);
    SlackMessageContent::new()
        .with_text(escape::truncate(&text, escape::MESSAGE_TEXT))
        .with_blocks(blocks)
}

/// `🚨 *#12* CRITICAL · web · Disk full on web-01`
fn row(i: &Incident) -> String {
    format!(
        "{} *{}* {} {} · {} · {}",
        status_mark(i.status),
        i.number,
        severity_icon(i.severity),
        i.severity.as_str().to_uppercase(),
        escape::mrkdwn_line(i.service.as_str(), NAME_CHARS),
        escape::mrkdwn_line(&i.title, ROW_TITLE_CHARS)
    )
}

/// "Acknowledge all open", carrying the triggered incidents' numbers: as many as fit in a
/// button's value (oldest first), the label saying so when not all do.
fn ack_all(view: &BundleView) -> Option<SlackBlock> {
    let triggered = view.triggered_numbers();
    if triggered.is_empty() {
        return None;
    }
    let mut value = String::new();
    let mut carried = 0;
    for n in &triggered {
        let next = if value.is_empty() {
            n.to_string()
        } else {
            format!(" {n}")
        };
        if value.len() + next.len() > escape::BUTTON_VALUE {
            break;
        }
        value.push_str(&next);
        carried += 1;
    }
    let label = if carried == triggered.len() {
        "Acknowledge all open".to_owned()
    } else {
        format!("Acknowledge oldest {carried} of {}", triggered.len())
    };
    let ask = match carried {
        1 => "Acknowledge 1 incident?".to_owned(),
        k => format!("Acknowledge {k} incidents?"),
    };
    let sure = confirm(&ask, "This stops paging for all of them.", "Acknowledge");
    let button = button(ACK_ALL, &label, value)
        .with_style(SlackBlockButtonStyle::Primary)
        .with_confirm(sure);
    let block = SlackActionsBlock::new(vec![button.into()])
        .with_block_id(SlackBlockId("firebell_storm".to_owned()));
    Some(block.into())
}
