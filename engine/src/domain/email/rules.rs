//! A service's email rules and the decision they make for one mail, PagerDuty-style: a filter
//! decides whether the mail is considered at all; the first rule whose condition holds decides
//! trigger or resolve, the incident key and extra fields; when no rule matches, the fallback
//! either treats the mail as a service without rules would, or discards it.
//!
//! [`decide`] is pure: a mail and the rules in, a [`Decision`] out.

use std::collections::BTreeMap;

use super::extract::Extractor;
use super::mail::Mail;
use super::predicate::Condition;
use super::subject;
use crate::domain::kinds::Severity;

/// What a matching rule does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleAction {
    Trigger,
    Resolve,
}

/// What happens to a mail no rule matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Fallback {
    /// As without rules: an incident per subject; a recovery subject resolves.
    #[default]
    Trigger,
    /// Recorded in the mail log, nothing more.
    Discard,
}

#[derive(Debug, Clone)]
pub struct Rule {
    pub action: RuleAction,
    pub when: Condition,
    /// Without one (or when it finds nothing), the key comes from the subject as without rules.
    pub incident_key: Option<Extractor>,
    /// Extra values for the incident's details; one that finds nothing is left out.
    pub fields: Vec<(String, Extractor)>,
    /// Overrides the service's email severity for triggers of this rule.
    pub severity: Option<Severity>,
}

/// A service's `[services.NAME.email]` table, validated.
#[derive(Debug, Clone)]
pub struct EmailRules {
    /// `None` accepts every mail.
    pub filter: Option<Condition>,
    pub rules: Vec<Rule>,
    pub fallback: Fallback,
    /// Severity of triggers (default `error`).
    pub severity: Severity,
}

impl Default for EmailRules {
    fn default() -> Self {
        Self {
            filter: None,
            rules: Vec::new(),
            fallback: Fallback::Trigger,
            severity: Severity::Error,
        }
    }
}

/// Which part of the configuration decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecidedBy {
    /// Rule number `n`, counted from 1 as people read the config.
    Rule(usize),
    /// The service has no rules: the built-in subject behaviour.
    Default,
    /// Rules exist, none matched, and the fallback is `trigger`.
    Fallback,
}

/// Why a mail was discarded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Discard {
    Filter,
    Fallback,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    Trigger {
        key: String,
        severity: Severity,
        fields: BTreeMap<String, String>,
        by: DecidedBy,
    },
    Resolve {
        key: String,
        by: DecidedBy,
    },
    Discard(Discard),
}

/// What `rules` make of `mail`.
pub fn decide(rules: &EmailRules, mail: &Mail) -> Decision {
    if let Some(filter) = &rules.filter
        && !filter.holds(mail)
    {
        return Decision::Discard(Discard::Filter);
    }
    if rules.rules.is_empty() {
        return built_in(rules, mail, DecidedBy::Default);
    }
    let Some((i, rule)) = rules
        .rules
        .iter()
        .enumerate()
        .find(|(_, r)| r.when.holds(mail))
    else {
        return match rules.fallback {
            Fallback::Trigger => built_in(rules, mail, DecidedBy::Fallback),
            Fallback::Discard => Decision::Discard(Discard::Fallback),
        };
    };
    let by = DecidedBy::Rule(i + 1);
    let key = rule
        .incident_key
        .as_ref()
        .and_then(|x| x.extract(mail))
        .map(|k| cut_key(&k))
        .unwrap_or_else(|| subject::default_key(&mail.subject));
    match rule.action {
        RuleAction::Resolve => Decision::Resolve { key, by },
        RuleAction::Trigger => Decision::Trigger {
            key,
            severity: rule.severity.unwrap_or(rules.severity),
            fields: rule
                .fields
                .iter()
                .filter_map(|(name, x)| x.extract(mail).map(|v| (name.clone(), v)))
                .collect(),
            by,
        },
    }
}

/// An extracted key, cut to what a dedup key may hold.
fn cut_key(key: &str) -> String {
    super::mail::truncate_chars(key, crate::domain::ids::DedupKey::MAX_LEN).to_owned()
}

fn built_in(rules: &EmailRules, mail: &Mail, by: DecidedBy) -> Decision {
    let key = subject::default_key(&mail.subject);
    if subject::is_recovery(&mail.subject) {
        Decision::Resolve { key, by }
    } else {
        Decision::Trigger {
            key,
            severity: rules.severity,
            fields: BTreeMap::new(),
            by,
        }
    }
}

#[cfg(test)]
mod tests;
