//! Chat account → configured user. firebell only acts for people in `firebell.toml`, so the
//! timeline always names a real user; an unlinked person is told exactly what line to add.

use firebell_engine::ChatPlatform;
use firebell_engine::{Actor, Config};

use crate::context::Context;
use crate::doc::Doc;
use crate::reply::Reply;

/// The actor to record for this message, or the reply that explains how to get linked.
pub(crate) fn authorize(config: &Config, ctx: &Context) -> Result<Actor, Reply> {
    let user = match ctx.platform {
        ChatPlatform::Console => config
            .user(&ctx.user)
            .ok_or_else(|| no_console_user(config, &ctx.user))?,
        platform => config
            .user_by_chat_id(platform, &ctx.user)
            .ok_or_else(|| unlinked(ctx, platform))?,
    };
    Ok(Actor::new(user.id.as_str(), ctx.platform.channel()))
}

fn unlinked(ctx: &Context, platform: ChatPlatform) -> Reply {
    // The key under `[users.<id>]`: the platform's name.
    let key = platform.as_str();
    Reply::error(Doc::markup(&format!(
        "You're not linked to a firebell user yet. Ask an admin to add `{key} = \"{}\"` under your \
         `[users.<id>]` entry in firebell.toml. (`!help` works without it.)",
        ctx.user
    )))
}

fn no_console_user(config: &Config, configured: &str) -> Reply {
    let users: Vec<&str> = config.users.keys().map(|u| u.as_str()).collect();
    let choices = if users.is_empty() {
        "define a user under `[users.<id>]` first".to_owned()
    } else {
        format!("one of: {}", users.join(", "))
    };
    let what = if configured.is_empty() {
        "The console isn't acting as any firebell user yet".to_owned()
    } else {
        format!("The console user `{configured}` is not a configured user")
    };
    Reply::error(Doc::markup(&format!(
        "{what}, so it can only show help. Set `[console] user = \"<id>\"` in firebell.toml ({choices}) and restart firebell."
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::config;
    use firebell_engine::ChatPlatform;

    #[test]
    fn a_linked_slack_user_acts_as_their_configured_id() {
        let actor = authorize(&config(), &Context::chat(ChatPlatform::Slack, "U0BOB")).unwrap();
        assert_eq!(actor, Actor::new("bob", firebell_engine::Channel::Slack));
    }

    #[test]
    fn a_linked_discord_user_acts_as_their_configured_id() {
        let actor = authorize(
            &config(),
            &Context::chat(ChatPlatform::Discord, "200000000000000001"),
        )
        .unwrap();
        assert_eq!(
            actor,
            Actor::new("alice", firebell_engine::Channel::Discord)
        );
    }

    #[test]
    fn ids_from_another_platform_do_not_link() {
        let reply =
            authorize(&config(), &Context::chat(ChatPlatform::Discord, "U0BOB")).unwrap_err();
        assert!(
            reply.text().contains("`discord = \"U0BOB\"`"),
            "{}",
            reply.text()
        );
    }

    #[test]
    fn an_unlinked_user_is_told_which_line_to_add() {
        let reply = authorize(&config(), &Context::chat(ChatPlatform::Slack, "U999")).unwrap_err();
        assert_eq!(
            reply,
            Reply::error(
                "You're not linked to a firebell user yet. Ask an admin to add `slack = \"U999\"` under your \
                 `[users.<id>]` entry in firebell.toml. (`!help` works without it.)"
            )
        );
    }

    #[test]
    fn the_console_acts_as_the_configured_console_user() {
        let config = config();
        let actor = authorize(&config, &Context::console(config.console.user.as_ref())).unwrap();
        assert_eq!(
            actor,
            Actor::new("alice", firebell_engine::Channel::Console)
        );
    }

    #[test]
    fn a_console_without_a_user_explains_the_setting() {
        let reply = authorize(&config(), &Context::console(None)).unwrap_err();
        assert!(
            reply.text().contains("`[console] user = \"<id>\"`"),
            "{}",
            reply.text()
        );
        assert!(
            reply.text().contains("alice, bob, carol"),
            "{}",
            reply.text()
        );
    }
}
