//! People in command text and in replies: `bob`, `@bob` or a chat mention (`<@U0BOB>` on Slack,
//! `<@123…>` on Discord) → a configured [`UserId`]; a configured id → `Bob Brown (bob)`.

use firebell_engine::ChatPlatform;
use firebell_engine::{Config, UserId};

pub(crate) use firebell_engine::wording::person;

/// A person as typed, resolved against the config when the command runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserRef {
    /// A configured user id, with or without a leading `@`.
    Id(String),
    /// A chat platform's mention: the platform's own id for the person.
    Mention(String),
}

impl UserRef {
    /// `bob`, `@bob`, `<@U0BOB>`, `<@U0BOB|bob>`, `<@123>`, `<@!123>`. `None` for a word that is
    /// none of these (an empty mention, stray brackets).
    pub(crate) fn parse(word: &str) -> Option<UserRef> {
        if let Some(inner) = word.strip_prefix("<@").and_then(|w| w.strip_suffix('>')) {
            let inner = inner.strip_prefix('!').unwrap_or(inner);
            let id = inner.split('|').next().unwrap_or_default();
            let ok = !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric());
            return ok.then(|| UserRef::Mention(id.to_owned()));
        }
        let id = word.strip_prefix('@').unwrap_or(word);
        let ok = !id.is_empty() && !id.contains(['<', '>', '@']);
        ok.then(|| UserRef::Id(id.to_owned()))
    }

    /// The configured user meant, or a message saying who exists / how to link a chat account.
    /// A mention is looked up on the platform it was typed on (both, on the console).
    pub(crate) fn resolve(
        &self,
        config: &Config,
        platform: ChatPlatform,
    ) -> Result<UserId, String> {
        match self {
            UserRef::Id(id) => config.user(id).map(|u| u.id.clone()).ok_or_else(|| {
                let ids: Vec<&str> = config.users.keys().map(UserId::as_str).collect();
                format!(
                    "`{id}` is not a firebell user — users: {}",
                    if ids.is_empty() {
                        "none configured".to_owned()
                    } else {
                        ids.join(", ")
                    }
                )
            }),
            UserRef::Mention(chat_id) => {
                // Typed in the console, a mention may be either platform's.
                let platforms = match platform {
                    ChatPlatform::Console => vec![ChatPlatform::Slack, ChatPlatform::Discord],
                    p => vec![p],
                };
                platforms
                    .into_iter()
                    .find_map(|p| config.user_by_chat_id(p, chat_id))
                    .map(|u| u.id.clone())
                    .ok_or_else(|| {
                        format!(
                            "the person mentioned (`{chat_id}`) is not linked to a firebell user; \
                             name them by their firebell id instead, or ask an admin to link them"
                        )
                    })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::config;

    #[test]
    fn ids_at_names_and_mentions_parse() {
        let id = |s: &str| Some(UserRef::Id(s.to_owned()));
        let mention = |s: &str| Some(UserRef::Mention(s.to_owned()));
        assert_eq!(UserRef::parse("bob"), id("bob"));
        assert_eq!(UserRef::parse("@bob"), id("bob"));
        assert_eq!(UserRef::parse("<@U0BOB>"), mention("U0BOB"));
        assert_eq!(UserRef::parse("<@U0BOB|bob>"), mention("U0BOB"));
        assert_eq!(
            UserRef::parse("<@!200000000000000001>"),
            mention("200000000000000001")
        );
        for bad in ["@", "<@>", "<@U0BOB", "a<b", "<@U 0>"] {
            assert_eq!(UserRef::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn mentions_resolve_on_the_platform_they_were_typed_on() {
        let c = config();
        let on = |r: &UserRef, p| r.resolve(&c, p).map(|u| u.as_str().to_owned());
        let bob = UserRef::Mention("U0BOB".into());
        assert_eq!(on(&bob, ChatPlatform::Slack), Ok("bob".into()));
        assert_eq!(on(&bob, ChatPlatform::Console), Ok("bob".into()));
        assert!(on(&bob, ChatPlatform::Discord).is_err());
        let alice = UserRef::Mention("200000000000000001".into());
        assert_eq!(on(&alice, ChatPlatform::Discord), Ok("alice".into()));
        assert_eq!(
            on(&UserRef::Id("carol".into()), ChatPlatform::Slack),
            Ok("carol".into())
        );
    }

    #[test]
    fn unknown_people_are_refused_with_the_choices() {
        let c = config();
        assert_eq!(
            UserRef::Id("dave".into()).resolve(&c, ChatPlatform::Slack),
            Err("`dave` is not a firebell user — users: alice, bob, carol".into())
        );
        assert_eq!(person(&c, "bob"), "Bob Brown (bob)");
        assert_eq!(person(&c, "gone"), "gone");
    }
}
