//! Closed sets as enums, with the exact strings used on the wire and in the database.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::domain::error::UserError;

macro_rules! string_enum {
    ($(#[$m:meta])* $name:ident, $what:literal { $($variant:ident = $s:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $s),+ }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = UserError;
            fn from_str(s: &str) -> Result<Self, UserError> {
                match s {
                    $($s => Ok($name::$variant),)+
                    other => Err(UserError::new(format!(
                        concat!("unknown ", $what, " `{}` — expected one of: {}"),
                        other,
                        [$($s),+].join(", ")
                    ))),
                }
            }
        }
    };
}

string_enum!(
    /// PagerDuty's four severities, most severe first.
    Severity, "severity" {
        Critical = "critical",
        Error = "error",
        Warning = "warning",
        Info = "info",
    }
);

string_enum!(
    /// An incident moves triggered → acknowledged → resolved; an acknowledged incident may be
    /// re-triggered (by the ack timeout, with the on-call issue), a resolved one never reopens.
    IncidentStatus, "status" {
        Triggered = "triggered",
        Acknowledged = "acknowledged",
        Resolved = "resolved",
    }
);

string_enum!(
    /// Where an action came from, recorded on every timeline entry.
    Channel, "channel" {
        Events = "events",
        Api = "api",
        Console = "console",
        Slack = "slack",
        Discord = "discord",
        Sms = "sms",
        Voice = "voice",
        Email = "email",
        System = "system",
    }
);

string_enum!(
    /// What a monitor's event asks for.
    EventAction, "event action" {
        Trigger = "trigger",
        Acknowledge = "acknowledge",
        Resolve = "resolve",
    }
);

string_enum!(
    /// How a person is reached when paged: a mention in the service's chat room, an SMS, a voice
    /// call, or an email.
    ContactMethod, "contact method" {
        Chat = "chat",
        Sms = "sms",
        Voice = "voice",
        Email = "email",
    }
);

string_enum!(
    /// High-urgency incidents page by every method a person set; low-urgency ones never ring a
    /// phone outside support hours and have no ack timeout.
    Urgency, "urgency" {
        High = "high",
        Low = "low",
    }
);

/// Who did something, and through which channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    /// A configured user id, an API token name, or a monitor's name (`Alertmanager`).
    pub name: String,
    pub channel: Channel,
}

impl Actor {
    pub fn new(name: impl Into<String>, channel: Channel) -> Self {
        Self {
            name: name.into(),
            channel,
        }
    }
}

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} via {}", self.name, self.channel)
    }
}

string_enum!(
    /// The incident events a subscription can ask for, with PagerDuty's v3 names. firebell never
    /// reopens a resolved incident, so there is no `incident.reopened`. `unacknowledged`: an
    /// acknowledged incident went back to triggered (the ack timeout ran out); `annotated`: a note.
    EventType, "event" {
        Triggered = "incident.triggered",
        Acknowledged = "incident.acknowledged",
        Unacknowledged = "incident.unacknowledged",
        Escalated = "incident.escalated",
        Resolved = "incident.resolved",
        Annotated = "incident.annotated",
    }
);

string_enum!(
    /// The chat surfaces that speak the command grammar. Slack and Discord link people by their
    /// chat ids (`[users.<id>] slack` / `discord`) and keep cards and threads; the console is
    /// linked by `[console] user`.
    ChatPlatform, "chat platform" {
        Console = "console",
        Slack = "slack",
        Discord = "discord",
    }
);

impl ChatPlatform {
    /// How actions from this platform are recorded on the timeline.
    pub fn channel(self) -> Channel {
        match self {
            ChatPlatform::Console => Channel::Console,
            ChatPlatform::Slack => Channel::Slack,
            ChatPlatform::Discord => Channel::Discord,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severities_parse_from_their_wire_names_only() {
        for s in Severity::ALL {
            assert_eq!(s.as_str().parse::<Severity>().unwrap(), *s);
        }
        let err = "CRITICAL".parse::<Severity>().unwrap_err();
        assert_eq!(
            err.message(),
            "unknown severity `CRITICAL` — expected one of: critical, error, warning, info"
        );
    }

    #[test]
    fn exact_wire_strings() {
        assert_eq!(IncidentStatus::Acknowledged.as_str(), "acknowledged");
        assert_eq!(Channel::Console.as_str(), "console");
        assert_eq!(EventAction::Acknowledge.as_str(), "acknowledge");
        assert_eq!(
            serde_json::to_string(&Severity::Warning).unwrap(),
            "\"warning\""
        );
    }
}
