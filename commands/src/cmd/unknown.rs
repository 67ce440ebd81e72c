//! A name no command answers to: a suggestion and the way to the list, never a scolding.

use crate::doc::Doc;
use crate::reply::Reply;
use crate::spec;

pub(crate) fn execute(name: &str) -> Reply {
    let doc = Doc::new()
        .text("I don't know ")
        .code(format!("!{name}"))
        .text(".");
    let doc = match spec::suggest(name) {
        Some(s) => doc
            .text(" Did you mean ")
            .code(format!("!{}", s.name))
            .text("?"),
        None => doc,
    };
    Reply::info(doc.text(" ").code("!help").text(" lists what I can do."))
}

#[cfg(test)]
mod tests {
    use crate::context::Context;
    use crate::reply::Reply;
    use crate::test_support::TestEngine;
    use firebell_engine::ChatPlatform;

    #[tokio::test]
    async fn a_typo_gets_a_did_you_mean() {
        let t = TestEngine::start().await;
        let reply = t.say("!akc 3").await;
        assert_eq!(
            reply,
            Reply::info("I don't know `!akc`. Did you mean `!ack`? `!help` lists what I can do.")
        );
    }

    #[tokio::test]
    async fn a_name_far_from_any_command_gets_only_the_pointer_to_help() {
        let t = TestEngine::start().await;
        let reply = t
            .say_as(Context::chat(ChatPlatform::Discord, "nobody"), "!deploy")
            .await;
        assert_eq!(
            reply,
            Reply::info("I don't know `!deploy`. `!help` lists what I can do.")
        );
    }

    #[tokio::test]
    async fn plain_chat_gets_no_reply() {
        let t = TestEngine::start().await;
        let ctx = Context::chat(ChatPlatform::Slack, "U0ALICE");
        assert_eq!(crate::handle(&t.engine, &ctx, "ack 1 please").await, None);
    }
}
