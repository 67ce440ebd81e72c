//! The whole `firebell.toml`, composed: the engine's tables and each edge's own, read from the
//! same text and checked through one [`Collector`], so `firebell check` lists every problem,
//! each with its file, line, column and key, in file order. The telephony adapter goes first:
//! the engine checks each user's ladder against the providers it finds.

use std::path::Path;

use firebell_adapters::discord::{self, Discord};
use firebell_adapters::email_inbound::{self, EmailListener};
use firebell_adapters::slack::{self, Slack};
use firebell_adapters::telephony::{self, Providers};
use firebell_engine::Config;
use firebell_engine::config::{Collector, ConfigErrors, Edges, LookupEnv};

/// A valid config file: the engine's part and each adapter's.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub engine: Config,
    /// `None` unless `FIREBELL_SLACK_BOT_TOKEN` is set.
    pub slack: Option<Slack>,
    /// `None` unless `FIREBELL_DISCORD_TOKEN` is set.
    pub discord: Option<Discord>,
    /// SMS, voice and email providers, and the public URL their webhooks call back.
    pub providers: Providers,
    /// The SMTP listener; `None` without an `[email]` table.
    pub email_listener: Option<EmailListener>,
}

impl Loaded {
    /// Parses and validates `text`; `lookup_env` supplies secrets (`std::env::var` in
    /// production).
    pub fn parse(
        text: &str,
        source: &str,
        lookup_env: LookupEnv<'_>,
    ) -> Result<Loaded, ConfigErrors> {
        let mut c = Collector::new(text, source);
        let (providers, carriers) = telephony::config::read(&mut c, lookup_env);
        let slack = slack::config::read(&mut c, lookup_env);
        let discord = discord::config::read(&mut c, lookup_env);
        let edges = Edges {
            carriers,
            public_url: providers.public_url.clone(),
        };
        let engine = Config::collect(&mut c, source, lookup_env, &edges);
        let email_listener = email_inbound::config::read(&mut c);
        c.finish()?;
        let engine = engine.expect("a file that reads has an engine config");
        Ok(Loaded {
            engine,
            slack,
            discord,
            providers,
            email_listener,
        })
    }

    /// Reads and validates a file, with secrets from the process environment.
    pub fn load(path: &Path) -> Result<Loaded, ConfigErrors> {
        let source = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| ConfigErrors::io(&source, &e))?;
        Self::parse(&text, &source, &|name| std::env::var(name).ok())
    }
}

#[cfg(test)]
mod tests;
