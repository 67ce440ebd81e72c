//! Which incidents `all` and a bare `!ack` / `!resolve` reach from where they were typed, and how
//! a reply names an incident that belongs to another room.
//!
//! A room shows the cards of the services posted to it, so `!ack all` typed there means those
//! services' incidents — never another team's, which nobody in the room has looked at. In a storm
//! summary's thread it means the incidents that summary shows. Numbers name incidents exactly, so
//! they work from anywhere; the reply then says whose incident it was. A direct message and a
//! channel that is no configured room imply no incidents at all: there the person names them.
//! The console prints every room's cards, so there `all` is every service.

use firebell_engine::{
    Config, Engine, Incident, IncidentFilter, IncidentNumber, IncidentStatus, ServiceName,
};

use crate::context::Context;
use crate::doc::Doc;
use crate::reply::Reply;
use firebell_engine::ChatPlatform;

/// More open incidents than this in one place is past what a chat command should sweep up in one
/// go (the oldest are taken); it matches the cap `!ack all` always had.
const MAX_CANDIDATES: i64 = 500;

/// What `all` (and a bare command, when exactly one incident qualifies) covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Scope {
    /// The console, which shows every room: every service.
    Everywhere,
    /// A configured room: the services whose `room` it is (possibly none).
    Room {
        room: String,
        services: Vec<ServiceName>,
    },
    /// A storm summary's thread: the incidents the summary shows.
    Storm(Vec<IncidentNumber>),
    /// A direct message with the bot: no room, so nothing.
    Direct,
    /// A channel that is no configured room: no service posts there, so nothing.
    Unmapped,
}

impl Scope {
    /// Decides from where the message was typed; pure, so it is table-tested.
    pub(crate) fn of(config: &Config, ctx: &Context) -> Scope {
        if !ctx.storm.is_empty() {
            return Scope::Storm(ctx.storm.clone());
        }
        if ctx.platform == ChatPlatform::Console {
            return Scope::Everywhere;
        }
        if ctx.direct {
            return Scope::Direct;
        }
        match &ctx.room {
            Some(room) => Scope::Room {
                room: room.clone(),
                services: config
                    .services
                    .values()
                    .filter(|s| &s.room == room)
                    .map(|s| s.name.clone())
                    .collect(),
            },
            None => Scope::Unmapped,
        }
    }

    /// Whether `all` may take `incident` (its status aside).
    pub(crate) fn covers(&self, incident: &Incident) -> bool {
        match self {
            Scope::Everywhere => true,
            Scope::Room { services, .. } => services.contains(&incident.service),
            Scope::Storm(numbers) => numbers.contains(&incident.number),
            Scope::Direct | Scope::Unmapped => false,
        }
    }

    /// Why `typed` (`!ack all`, `!resolve`) cannot run here, and what to type instead; `None`
    /// when the place implies incidents to act on.
    pub(crate) fn refusal(&self, typed: &str, command: &str) -> Option<Reply> {
        let name_them = format!(
            "name the incidents instead: `!{command} 42 43` (`!incidents` lists the open ones)"
        );
        let why = match self {
            Scope::Direct => format!(
                "In a direct message there is no room, so `{typed}` covers no incidents; \
                 {name_them}, or type `{typed}` in the room they were posted in."
            ),
            Scope::Unmapped => format!(
                "This channel is not a firebell room (no service posts here), so `{typed}` covers \
                 no incidents; {name_them}, or type `{typed}` in the room they were posted in."
            ),
            Scope::Room { room, services } if services.is_empty() => format!(
                "No service posts to room `{room}`, so `{typed}` covers no incidents here; \
                 {name_them}."
            ),
            _ => return None,
        };
        Some(Reply::error(Doc::markup(&why)))
    }

    /// "of this room's services (web, api)": what the scope is, for "nothing to do" replies.
    pub(crate) fn describe(&self) -> String {
        match self {
            Scope::Everywhere | Scope::Direct | Scope::Unmapped => String::new(),
            Scope::Room { services, .. } => {
                let names: Vec<&str> = services.iter().map(|s| s.as_str()).collect();
                format!(" of this room's services ({})", names.join(", "))
            }
            Scope::Storm(_) => " in this storm".to_owned(),
        }
    }

    /// The incidents in `statuses` this scope covers, oldest first.
    pub(crate) async fn candidates(
        &self,
        engine: &Engine,
        statuses: &[IncidentStatus],
    ) -> Result<Vec<Incident>, Reply> {
        let query = |service: Option<ServiceName>| IncidentFilter {
            statuses: statuses.to_vec(),
            service,
            limit: Some(MAX_CANDIDATES),
        };
        let mut found = Vec::new();
        match self {
            Scope::Everywhere => found = load(engine, &query(None)).await?,
            Scope::Room { services, .. } => {
                for s in services {
                    found.extend(load(engine, &query(Some(s.clone()))).await?);
                }
            }
            Scope::Storm(numbers) => {
                for &n in numbers {
                    match engine.incident(n).await {
                        Ok(i) if statuses.contains(&i.status) => found.push(i),
                        Ok(_) | Err(firebell_engine::EngineError::NotFound(_)) => {}
                        Err(e) => return Err(Reply::from_engine(&e)),
                    }
                }
            }
            Scope::Direct | Scope::Unmapped => {}
        }
        found.retain(|i| self.covers(i));
        found.sort_by_key(|i| i.number);
        found.dedup_by_key(|i| i.number);
        found.truncate(MAX_CANDIDATES as usize);
        Ok(found)
    }
}

async fn load(engine: &Engine, filter: &IncidentFilter) -> Result<Vec<Incident>, Reply> {
    engine
        .incidents(filter)
        .await
        .map_err(|e| Reply::from_engine(&e))
}

/// "service db, posted in #db-room" when `service`'s incidents are posted somewhere other than
/// where the command was typed (another room, a direct message, an unmapped channel), so someone
/// acting by number across rooms sees whose incident they touched; `None` in the incident's own
/// room and on the console, which shows every room.
pub(crate) fn posted_elsewhere(
    config: &Config,
    ctx: &Context,
    service: &ServiceName,
) -> Option<String> {
    if ctx.platform == ChatPlatform::Console {
        return None;
    }
    match config.service(service.as_str()) {
        Some(s) if ctx.room.as_deref() == Some(s.room.as_str()) => None,
        Some(s) => Some(format!("service {service}, posted in #{}", s.room)),
        None => Some(format!("service {service}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{TWO_ROOMS, n};
    use firebell_engine::ChatPlatform;

    fn config() -> Config {
        Config::parse(TWO_ROOMS, "two-rooms.toml", &|_| None).expect("valid")
    }

    fn slack() -> Context {
        Context::chat(ChatPlatform::Slack, "U0ALICE")
    }

    fn names(list: &[&str]) -> Vec<ServiceName> {
        let config = config();
        list.iter()
            .map(|s| config.service(s).expect("configured").name.clone())
            .collect()
    }

    #[test]
    fn where_a_command_is_typed_decides_what_all_covers() {
        let console = Context::console(None);
        let cases = [
            (
                slack().in_room("ops"),
                Scope::Room {
                    room: "ops".into(),
                    services: names(&["api", "web"]),
                },
            ),
            (
                slack().in_room("data"),
                Scope::Room {
                    room: "data".into(),
                    services: names(&["db"]),
                },
            ),
            (
                slack().in_room("quiet"),
                Scope::Room {
                    room: "quiet".into(),
                    services: vec![],
                },
            ),
            (
                slack().in_room("ops").in_storm(vec![n(4), n(5)]),
                Scope::Storm(vec![n(4), n(5)]),
            ),
            (slack().direct_message(), Scope::Direct),
            (slack(), Scope::Unmapped),
            (console, Scope::Everywhere),
        ];
        for (ctx, want) in cases {
            assert_eq!(Scope::of(&config(), &ctx), want, "{ctx:?}");
        }
    }

    #[test]
    fn a_thread_of_one_incident_is_still_its_room() {
        let ctx = slack().in_room("data").in_thread(n(9));
        assert_eq!(
            Scope::of(&config(), &ctx),
            Scope::Room {
                room: "data".into(),
                services: names(&["db"]),
            }
        );
    }

    #[test]
    fn only_places_without_incidents_refuse_and_say_what_to_type() {
        let direct = Scope::Direct.refusal("!ack all", "ack").expect("refused");
        assert_eq!(direct.tone, crate::reply::Tone::Error);
        assert_eq!(
            direct.text(),
            "In a direct message there is no room, so `!ack all` covers no incidents; name the \
             incidents instead: `!ack 42 43` (`!incidents` lists the open ones), or type \
             `!ack all` in the room they were posted in."
        );
        let unmapped = Scope::Unmapped
            .refusal("!resolve", "resolve")
            .expect("refused");
        assert!(
            unmapped
                .text()
                .starts_with("This channel is not a firebell room"),
            "{}",
            unmapped.text()
        );
        assert!(
            unmapped.text().contains("`!resolve 42 43`"),
            "{}",
            unmapped.text()
        );
        let quiet = Scope::Room {
            room: "quiet".into(),
            services: vec![],
        };
        assert!(quiet.refusal("!ack all", "ack").is_some());
        assert!(Scope::Everywhere.refusal("!ack all", "ack").is_none());
        assert!(
            Scope::Storm(vec![n(1)])
                .refusal("!ack all", "ack")
                .is_none()
        );
        let ops = Scope::of(&config(), &slack().in_room("ops"));
        assert!(ops.refusal("!ack all", "ack").is_none());
    }

    #[test]
    fn an_incident_is_named_by_service_and_room_only_outside_its_room() {
        let config = config();
        let db = &names(&["db"])[0];
        let in_data = slack().in_room("data");
        let in_ops = slack().in_room("ops");
        assert_eq!(posted_elsewhere(&config, &in_data, db), None);
        assert_eq!(
            posted_elsewhere(&config, &in_ops, db).as_deref(),
            Some("service db, posted in #data")
        );
        assert_eq!(
            posted_elsewhere(&config, &slack().direct_message(), db).as_deref(),
            Some("service db, posted in #data")
        );
        assert_eq!(posted_elsewhere(&config, &Context::console(None), db), None);
    }
}
