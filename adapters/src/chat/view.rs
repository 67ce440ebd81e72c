//! What a chat card or storm summary shows, independent of the platform that draws it: each
//! platform's renderer turns these into Block Kit (Slack) or an embed (Discord).

use chrono::{DateTime, Utc};
use firebell_engine::Incident;

/// Someone named on a card: linked to the platform (`chat_id`, so they can be mentioned), or
/// only by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub chat_id: Option<String>,
    pub name: String,
}

pub struct CardView<'a> {
    pub incident: &'a Incident,
    /// People paged so far, in order, no duplicates.
    pub paged: &'a [Person],
    /// The escalation level reached (1-based), when known.
    pub level: Option<u32>,
    pub now: DateTime<Utc>,
    /// A user's display name for a firebell user id (for "Acknowledged by Alice Adams"); falls
    /// back to the id.
    pub names: &'a dyn Fn(&str) -> String,
}

pub struct BundleView<'a> {
    /// The storm's incidents, oldest first (may be hundreds).
    pub incidents: &'a [Incident],
    pub since: DateTime<Utc>,
    pub now: DateTime<Utc>,
    /// People paged in the storm.
    pub paged: &'a [Person],
}
