//! Blameless postmortem drafts, written from what firebell already knows: the incident, its
//! timeline (alerts, pages, acknowledgements, notes, the resolve) and the delivery records of its
//! pages. The draft states facts and leaves the judgement to people: the sections that need it
//! (impact, contributing factors, what went well, what was hard) are prompts to fill in, and the
//! prompts steer towards systems and conditions rather than who did what.
//!
//! Notes written `!note N action: …` become the draft's action items, so follow-ups typed in
//! the heat of the moment are not lost.
//!
//! [`draft`] is pure (values in, a [`Postmortem`] out) so every section is unit-tested;
//! [`Engine::postmortem`](crate::Engine::postmortem) only loads its inputs.
//!
//! # Layout
//! - `facts`: what the sections are built from — first acknowledgement, pages, action items.
//! - `markdown`: making each value safe in its Markdown context; times and durations.
//! - `sections`: the draft, section by section; `record` for the sections that retell what
//!   firebell recorded (pages, escalations, the timeline).

mod facts;
mod markdown;
mod record;
mod sections;
#[cfg(test)]
mod tests;

use chrono::{DateTime, Utc};

use crate::config::Config;
use crate::ctx::Ctx;
use crate::deliveries::Delivery;
use crate::domain::error::EngineError;
use crate::domain::ids::IncidentNumber;
use crate::domain::incident::{Incident, TimelineEntry};

pub use facts::action_item;
pub use markdown::elapsed;

/// A postmortem draft for one incident, and the figures a chat reply quotes from it.
#[derive(Debug, Clone, PartialEq)]
pub struct Postmortem {
    pub incident: Incident,
    /// `false` while the incident is open: `markdown` is then the draft so far, and says so.
    pub resolved: bool,
    /// The whole draft, GitHub-flavoured Markdown.
    pub markdown: String,
    /// Trigger to the first acknowledgement; `None` when nobody acknowledged it.
    pub time_to_acknowledge: Option<chrono::Duration>,
    /// Trigger to resolve; `None` while the incident is open.
    pub time_to_resolve: Option<chrono::Duration>,
    /// The text of every `action: …` note, in timeline order, without the prefix.
    pub action_items: Vec<String>,
}

/// The postmortem draft for incident `n`, resolved or not (an open incident gets the draft so
/// far). `NotFound` for an unknown number.
#[tracing::instrument(skip_all, fields(incident = %n))]
pub async fn postmortem(ctx: &Ctx, n: IncidentNumber) -> Result<Postmortem, EngineError> {
    let incident = crate::actions::incident(ctx, n).await?;
    let timeline = crate::actions::timeline(ctx, n).await?;
    let deliveries = crate::deliveries::deliveries(ctx, n).await?;
    Ok(draft(
        &incident,
        &timeline,
        &deliveries,
        ctx.config(),
        ctx.clock().now(),
    ))
}

/// Writes the draft. `timeline` is in recorded order and `deliveries` are the incident's outbox
/// rows; `now` dates the draft and measures how long an open incident has been open.
pub fn draft(
    incident: &Incident,
    timeline: &[TimelineEntry],
    deliveries: &[Delivery],
    config: &Config,
    now: DateTime<Utc>,
) -> Postmortem {
    let facts = facts::Facts::gather(incident, timeline, deliveries, config, now);
    let markdown = sections::write(&facts);
    Postmortem {
        incident: incident.clone(),
        resolved: !incident.is_open(),
        markdown,
        time_to_acknowledge: facts.time_to_acknowledge(),
        time_to_resolve: facts.time_to_resolve(),
        action_items: facts.action_items.iter().map(|a| a.text.clone()).collect(),
    }
}
