//! Routes each notification to whatever reaches its addressee: room posts and chat mentions to
//! every chat platform serving the room (Slack and/or Discord, for a room with a channel on a
//! configured platform; else the console, which shows every other room), SMS and calls to the
//! telephony notifier, email to the email notifier, webhooks to the webhook sender.

use std::sync::Arc;

use async_trait::async_trait;
use firebell_adapters::chat::fanout::ChatFanout;
use firebell_adapters::email::EmailNotifier;
use firebell_adapters::telephony::{Providers, TelephonyNotifier};
use firebell_adapters::webhooks::WebhookNotifier;
use firebell_engine::Config;
use firebell_engine::ContactMethod;
use firebell_engine::notify::{Delivered, Notification, Notifier, NotifyError, Outgoing};

#[derive(Default)]
pub struct NotifyRouter {
    pub console: Option<Arc<dyn Notifier>>,
    /// Slack and Discord, for the rooms with a channel on a configured platform.
    pub chat: Option<Arc<ChatFanout>>,
    /// SMS and voice (Twilio, with Vonage as the second SMS provider).
    pub telephony: Option<Arc<dyn Notifier>>,
    pub email: Option<Arc<dyn Notifier>>,
    /// Outbound webhooks (`[webhooks.NAME]`).
    pub webhooks: Option<Arc<dyn Notifier>>,
}

impl NotifyRouter {
    /// The notifiers that reach people directly (SMS and calls, email) and webhook receivers,
    /// for those configured. Fails only when the webhook client cannot be built.
    pub(crate) fn direct(&mut self, providers: &Providers, config: &Config) -> anyhow::Result<()> {
        use anyhow::Context as _;
        if let Some(t) = TelephonyNotifier::from_config(providers, config) {
            self.telephony = Some(Arc::new(t));
        }
        if let Some(e) = EmailNotifier::from_config(providers.smtp.as_ref(), config) {
            self.email = Some(Arc::new(e));
        }
        if let Some(w) =
            WebhookNotifier::from_config(config).context("setting up the webhook client")?
        {
            self.webhooks = Some(Arc::new(w));
        }
        Ok(())
    }

    /// Whether anything reaches rooms or people (webhooks have workers of their own).
    pub fn has_any(&self) -> bool {
        self.console.is_some()
            || self.chat.is_some()
            || self.telephony.is_some()
            || self.email.is_some()
    }
}

#[async_trait]
impl Notifier for NotifyRouter {
    async fn deliver(&self, msg: &Outgoing) -> Result<Delivered, NotifyError> {
        if let Notification::Webhook { .. } = &msg.notification {
            return match &self.webhooks {
                Some(w) => w.deliver(msg).await,
                None => Err(NotifyError::permanent("no webhooks are configured")),
            };
        }
        let method = msg.recipient.as_ref().map(|r| r.method);
        if matches!(method, None | Some(ContactMethod::Chat))
            && let Some(chat) = self.chat.as_ref().filter(|c| c.serves(&msg.room))
        {
            return chat.deliver(msg).await;
        }
        let (target, missing) = match method {
            None | Some(ContactMethod::Chat) => (&self.console, None),
            Some(ContactMethod::Sms | ContactMethod::Voice) => (
                &self.telephony,
                Some(
                    "no SMS or voice provider is configured ([providers.twilio] or [providers.vonage])",
                ),
            ),
            Some(ContactMethod::Email) => (
                &self.email,
                Some("no email provider is configured ([providers.smtp])"),
            ),
        };
        match (target, missing) {
            (Some(n), _) => n.deliver(msg).await,
            // A person-addressed page with no way out: retrying cannot help, and the timeline
            // should say so at once.
            (None, Some(why)) => Err(NotifyError::permanent(why)),
            (None, None) => Err(NotifyError::retryable(format!(
                "no chat platform serves room `{}` yet",
                msg.room.name
            ))),
        }
    }
}
