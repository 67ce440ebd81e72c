//! `[services.NAME.email]` filter, rules and fallback → [`EmailRules`]: every regex compiled,
//! every part and action checked, each problem reported with its line.
//!
//! ```toml
//! [services.web.email]
//! filter = { match = [{ part = "from", regex = "@nagios\\.example\\.com$" }] }
//! fallback = "discard"
//!
//! [[services.web.email.rules]]
//! action = "trigger"
//! match = [{ part = "subject", contains = "PROBLEM" }, { part = "subject", not = { contains = "test" } }]
//! incident_key = { part = "subject", between = ["Alert: ", " is "] }
//! fields = { host = { part = "body", regex = "Host: (\\S+)" } }
//! ```

use std::collections::BTreeMap;

use regex::Regex;
use serde::Deserialize;
use toml::Spanned;

use super::Collector;
use crate::domain::email::extract::{Extractor, How};
use crate::domain::email::mail::Part;
use crate::domain::email::predicate::{Condition, Matcher, Predicate};
use crate::domain::email::rules::{EmailRules, Fallback, Rule, RuleAction};
use crate::domain::kinds::Severity;

/// `filter = { match = [...] }` (all must hold) or `{ match_any = [...] }` (one must).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCondition {
    #[serde(rename = "match")]
    pub all: Option<Vec<Spanned<RawPredicate>>>,
    pub match_any: Option<Vec<Spanned<RawPredicate>>>,
}

/// `[[services.NAME.email.rules]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRule {
    /// trigger | resolve
    pub action: Spanned<String>,
    #[serde(rename = "match")]
    pub all: Option<Vec<Spanned<RawPredicate>>>,
    pub match_any: Option<Vec<Spanned<RawPredicate>>>,
    pub incident_key: Option<Spanned<RawExtractor>>,
    #[serde(default)]
    pub fields: BTreeMap<String, Spanned<RawExtractor>>,
    pub severity: Option<Spanned<String>>,
}

/// `{ part = "subject", contains | exactly | regex | not = { … } }`. The matcher keys are repeated
/// here rather than flattened: serde cannot combine `flatten` with `deny_unknown_fields`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPredicate {
    pub part: Spanned<String>,
    pub contains: Option<Spanned<String>>,
    pub exactly: Option<Spanned<String>>,
    pub regex: Option<Spanned<String>>,
    pub not: Option<Spanned<RawMatcher>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawMatcher {
    pub contains: Option<Spanned<String>>,
    pub exactly: Option<Spanned<String>>,
    pub regex: Option<Spanned<String>>,
    pub not: Option<Box<Spanned<RawMatcher>>>,
}

/// `{ part = "subject" }`, `{ part, regex = "…" }` or `{ part, between = ["start", "end"] }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawExtractor {
    pub part: Spanned<String>,
    pub regex: Option<Spanned<String>>,
    pub between: Option<Spanned<Vec<String>>>,
}

const MATCHERS: &str = "`contains`, `exactly`, `regex` or `not = { … }`";

/// The rules of one service's email table (`key` is `services.NAME.email`).
pub(super) fn rules(
    c: &mut Collector<'_>,
    key: &str,
    filter: Option<&Spanned<RawCondition>>,
    raw_rules: &[Spanned<RawRule>],
    fallback: Option<&Spanned<String>>,
    severity: Option<&Spanned<String>>,
) -> EmailRules {
    let mut out = EmailRules::default();
    if let Some(f) = filter {
        let r = f.get_ref();
        out.filter = condition(
            c,
            &format!("{key}.filter"),
            f.span(),
            r.all.as_deref(),
            r.match_any.as_deref(),
        );
    }
    for (i, r) in raw_rules.iter().enumerate() {
        if let Some(rule) = rule(c, &format!("{key}.rules[{i}]"), r) {
            out.rules.push(rule);
        }
    }
    if let Some(f) = fallback {
        match f.get_ref().as_str() {
            "trigger" => out.fallback = Fallback::Trigger,
            "discard" => out.fallback = Fallback::Discard,
            other => c.at(
                f.span(),
                format!("{key}.fallback"),
                format!(
                    "unknown fallback `{other}` — use `trigger` (as without rules) or `discard`"
                ),
            ),
        }
        if raw_rules.is_empty() {
            c.at(
                f.span(),
                format!("{key}.fallback"),
                "`fallback` says what happens when no rule matches, but this service has no \
                 [[rules]]; add rules, or drop `fallback` (and use `filter` to discard mail)",
            );
        }
    }
    if let Some(s) = severity {
        out.severity = parse_severity(c, &format!("{key}.severity"), s).unwrap_or(out.severity);
    }
    out
}

fn rule(c: &mut Collector<'_>, key: &str, spanned: &Spanned<RawRule>) -> Option<Rule> {
    let r = spanned.get_ref();
    let action = match r.action.get_ref().as_str() {
        "trigger" => Some(RuleAction::Trigger),
        "resolve" => Some(RuleAction::Resolve),
        other => {
            c.at(
                r.action.span(),
                format!("{key}.action"),
                format!("unknown action `{other}` — use `trigger` or `resolve`"),
            );
            None
        }
    };
    let when = condition(
        c,
        key,
        spanned.span(),
        r.all.as_deref(),
        r.match_any.as_deref(),
    );
    let incident_key = r
        .incident_key
        .as_ref()
        .and_then(|x| extractor(c, &format!("{key}.incident_key"), x));
    let mut fields = Vec::new();
    for (name, x) in &r.fields {
        let fkey = format!("{key}.fields.{name}");
        if action == Some(RuleAction::Resolve) {
            c.at(
                x.span(),
                &fkey,
                "fields go into the details of the incident a trigger opens; a `resolve` rule has none",
            );
            continue;
        }
        if name.is_empty()
            || !name
                .chars()
                .all(|ch| ch.is_ascii_alphanumeric() || "_-.".contains(ch))
        {
            c.at(
                x.span(),
                &fkey,
                format!("field name `{name}` may hold only letters, digits, `_`, `-` and `.`"),
            );
            continue;
        }
        if let Some(e) = extractor(c, &fkey, x) {
            fields.push((name.clone(), e));
        }
    }
    let severity = r
        .severity
        .as_ref()
        .and_then(|s| parse_severity(c, &format!("{key}.severity"), s));
    Some(Rule {
        action: action?,
        when: when?,
        incident_key,
        fields,
        severity,
    })
}

/// `Condition::All` or `Condition::Any`, chosen before the predicates are built.
type MakeCondition = fn(Vec<Predicate>) -> Condition;

fn condition(
    c: &mut Collector<'_>,
    key: &str,
    span: std::ops::Range<usize>,
    all: Option<&[Spanned<RawPredicate>]>,
    any: Option<&[Spanned<RawPredicate>]>,
) -> Option<Condition> {
    let (list, make): (&[Spanned<RawPredicate>], MakeCondition) = match (all, any) {
        (Some(_), Some(_)) => {
            c.at(
                span,
                key,
                "give either `match` (every predicate must hold) or `match_any` (one must), not both",
            );
            return None;
        }
        (Some(l), None) => (l, Condition::All),
        (None, Some(l)) => (l, Condition::Any),
        (None, None) => (&[], Condition::All),
    };
    if list.is_empty() {
        c.at(
            span,
            key,
            "needs at least one predicate, e.g. match = [{ part = \"subject\", contains = \"PROBLEM\" }]",
        );
        return None;
    }
    let name = if all.is_some() { "match" } else { "match_any" };
    let mut preds = Vec::new();
    for (i, p) in list.iter().enumerate() {
        let pkey = format!("{key}.{name}[{i}]");
        let raw = p.get_ref();
        let part = part(c, &pkey, &raw.part);
        let matcher = matcher(
            c,
            &pkey,
            p.span(),
            (
                raw.contains.as_ref(),
                raw.exactly.as_ref(),
                raw.regex.as_ref(),
                raw.not.as_ref(),
            ),
        );
        if let (Some(part), Some(matcher)) = (part, matcher) {
            preds.push(Predicate { part, matcher });
        }
    }
    (preds.len() == list.len()).then(|| make(preds))
}

type MatcherFields<'a> = (
    Option<&'a Spanned<String>>,
    Option<&'a Spanned<String>>,
    Option<&'a Spanned<String>>,
    Option<&'a Spanned<RawMatcher>>,
);

fn matcher(
    c: &mut Collector<'_>,
    key: &str,
    span: std::ops::Range<usize>,
    (contains, exactly, regex, not): MatcherFields<'_>,
) -> Option<Matcher> {
    let given = [
        contains.is_some(),
        exactly.is_some(),
        regex.is_some(),
        not.is_some(),
    ];
    if given.iter().filter(|g| **g).count() != 1 {
        c.at(span, key, format!("give exactly one of {MATCHERS}"));
        return None;
    }
    if let Some(s) = contains.or(exactly) {
        if s.get_ref().is_empty() {
            c.at(
                s.span(),
                key,
                "an empty text matches every mail; give the text to look for",
            );
            return None;
        }
        let text = s.get_ref().clone();
        return Some(if contains.is_some() {
            Matcher::Contains(text)
        } else {
            Matcher::Exactly(text)
        });
    }
    if let Some(r) = regex {
        return compile(c, &format!("{key}.regex"), r).map(Matcher::Regex);
    }
    let n = not?;
    let inner = n.get_ref();
    matcher(
        c,
        &format!("{key}.not"),
        n.span(),
        (
            inner.contains.as_ref(),
            inner.exactly.as_ref(),
            inner.regex.as_ref(),
            inner.not.as_deref(),
        ),
    )
    .map(|m| Matcher::Not(Box::new(m)))
}

fn extractor(
    c: &mut Collector<'_>,
    key: &str,
    spanned: &Spanned<RawExtractor>,
) -> Option<Extractor> {
    let x = spanned.get_ref();
    let part = part(c, key, &x.part);
    let how = match (&x.regex, &x.between) {
        (Some(_), Some(_)) => {
            c.at(
                spanned.span(),
                key,
                "give either `regex` or `between`, not both",
            );
            None
        }
        (Some(r), None) => compile(c, &format!("{key}.regex"), r).map(How::Regex),
        (None, Some(b)) => match b.get_ref().as_slice() {
            [start, end] if !start.is_empty() => Some(How::Between {
                start: start.clone(),
                end: end.clone(),
            }),
            _ => {
                c.at(
                    b.span(),
                    format!("{key}.between"),
                    "`between` is [\"text before\", \"text after\"] with a non-empty first text; \
                     an empty second text means to the end of the line",
                );
                None
            }
        },
        (None, None) => Some(How::Whole),
    };
    Some(Extractor {
        part: part?,
        how: how?,
    })
}

fn part(c: &mut Collector<'_>, key: &str, p: &Spanned<String>) -> Option<Part> {
    let found = Part::parse(p.get_ref());
    if found.is_none() {
        c.at(
            p.span(),
            format!("{key}.part"),
            format!(
                "unknown part `{}` — use {}",
                p.get_ref(),
                Part::NAMES.join(", ")
            ),
        );
    }
    found
}

fn compile(c: &mut Collector<'_>, key: &str, r: &Spanned<String>) -> Option<Regex> {
    match Regex::new(r.get_ref()) {
        Ok(re) => Some(re),
        Err(e) => {
            // The regex crate's message spans lines with a caret diagram; keep its last line.
            let text = e.to_string();
            let why = text
                .lines()
                .rev()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("invalid")
                .trim()
                .trim_start_matches("error: ");
            c.at(
                r.span(),
                key,
                format!("`{}` is not a valid regex: {why}", r.get_ref()),
            );
            None
        }
    }
}

fn parse_severity(c: &mut Collector<'_>, key: &str, s: &Spanned<String>) -> Option<Severity> {
    s.get_ref()
        .parse::<Severity>()
        .map_err(|e| c.at(s.span(), key, e.message().to_owned()))
        .ok()
}
