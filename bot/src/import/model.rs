//! PagerDuty REST API v2 objects, as much of them as the import reads. Lenient on purpose: every
//! field PagerDuty may leave out or add is optional or ignored, so an account with features we
//! do not know still imports what we do.

use chrono::{DateTime, FixedOffset};
use serde::Deserialize;

/// `{id, type, summary}`: how PagerDuty points at another object.
#[derive(Debug, Clone, Deserialize)]
pub struct Reference {
    pub id: String,
    #[serde(rename = "type", default)]
    pub kind: String,
    #[serde(default)]
    pub summary: Option<String>,
}

impl Reference {
    /// `summary (ID)`, for comments and notes.
    pub fn label(&self) -> String {
        match &self.summary {
            Some(s) => format!("{s} ({})", self.id),
            None => self.id.clone(),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct User {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub time_zone: Option<String>,
    /// Full objects when asked with `include[]=contact_methods`.
    #[serde(default)]
    pub contact_methods: Vec<ContactMethod>,
    #[serde(default)]
    pub teams: Vec<Reference>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ContactMethod {
    pub id: String,
    /// `email_contact_method`, `phone_contact_method`, `sms_contact_method`,
    /// `push_notification_contact_method` (or the same with `_reference`).
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub label: Option<String>,
    #[serde(default)]
    pub address: Option<String>,
    #[serde(default)]
    pub country_code: Option<u32>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Schedule {
    pub id: String,
    pub name: String,
    pub time_zone: String,
    /// Only in `GET /schedules/{id}`; the highest-priority layer first.
    #[serde(default)]
    pub schedule_layers: Vec<Layer>,
    #[serde(default)]
    pub teams: Vec<Reference>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Layer {
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    pub start: DateTime<FixedOffset>,
    #[serde(default)]
    pub end: Option<DateTime<FixedOffset>>,
    pub rotation_virtual_start: DateTime<FixedOffset>,
    pub rotation_turn_length_seconds: i64,
    pub users: Vec<LayerUser>,
    #[serde(default)]
    pub restrictions: Vec<Restriction>,
}

impl Layer {
    pub fn label(&self) -> String {
        match &self.name {
            Some(n) => format!("layer \"{n}\" ({})", self.id),
            None => format!("layer {}", self.id),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct LayerUser {
    pub user: Reference,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Restriction {
    /// `daily_restriction` or `weekly_restriction`.
    #[serde(rename = "type")]
    pub kind: String,
    /// `HH:MM:SS`, local to the schedule.
    pub start_time_of_day: String,
    pub duration_seconds: i64,
    /// 1 = Monday … 7 = Sunday (ISO 8601); weekly restrictions only.
    #[serde(default)]
    pub start_day_of_week: Option<u32>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct EscalationPolicy {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub num_loops: u32,
    #[serde(default)]
    pub escalation_rules: Vec<EscalationRule>,
    #[serde(default)]
    pub teams: Vec<Reference>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct EscalationRule {
    pub escalation_delay_in_minutes: i64,
    #[serde(default)]
    pub targets: Vec<Reference>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Service {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub escalation_policy: Option<Reference>,
    #[serde(default)]
    pub integrations: Vec<Reference>,
    /// Seconds; `null` means off.
    #[serde(default)]
    pub acknowledgement_timeout: Option<i64>,
    /// Seconds; `null` means off.
    #[serde(default)]
    pub auto_resolve_timeout: Option<i64>,
    #[serde(default)]
    pub incident_urgency_rule: Option<UrgencyRule>,
    #[serde(default)]
    pub teams: Vec<Reference>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct UrgencyRule {
    /// `constant`, `use_support_hours` or `severity_based`.
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub urgency: Option<String>,
}
