//! The decision table, one rule kind at a time, then the three worked examples of the README
//! (Nagios, a cron `MAILTO` mail, Zabbix) as pure decisions.

use regex::Regex;

use super::*;
use crate::domain::email::extract::How;
use crate::domain::email::mail::Part;
use crate::domain::email::predicate::{Matcher, Predicate};

fn mail(subject: &str, body: &str, from: &str) -> Mail {
    Mail {
        subject: subject.to_owned(),
        body: body.to_owned(),
        from: from.to_owned(),
        ..Mail::default()
    }
}

fn pred(part: Part, matcher: Matcher) -> Predicate {
    Predicate { part, matcher }
}

fn contains(part: Part, s: &str) -> Predicate {
    pred(part, Matcher::Contains(s.to_owned()))
}

fn re(s: &str) -> Regex {
    Regex::new(s).expect("test regex")
}

fn rule(action: RuleAction, when: Vec<Predicate>) -> Rule {
    Rule {
        action,
        when: Condition::All(when),
        incident_key: None,
        fields: Vec::new(),
        severity: None,
    }
}

fn with_rules(rules: Vec<Rule>, fallback: Fallback) -> EmailRules {
    EmailRules {
        rules,
        fallback,
        ..EmailRules::default()
    }
}

fn key_of(d: &Decision) -> &str {
    match d {
        Decision::Trigger { key, .. } | Decision::Resolve { key, .. } => key,
        Decision::Discard(_) => panic!("discarded: {d:?}"),
    }
}

#[test]
fn without_rules_each_subject_is_an_incident_and_a_recovery_resolves_it() {
    let rules = EmailRules::default();
    let problem = decide(&rules, &mail("PROBLEM: disk full", "", "a@b"));
    let recovery = decide(&rules, &mail("RESOLVED: disk full", "", "a@b"));
    assert!(matches!(
        problem,
        Decision::Trigger {
            severity: Severity::Error,
            by: DecidedBy::Default,
            ..
        }
    ));
    assert!(matches!(
        recovery,
        Decision::Resolve {
            by: DecidedBy::Default,
            ..
        }
    ));
    assert_eq!(key_of(&problem), key_of(&recovery));
    assert_eq!(key_of(&problem), "disk full");
}

#[test]
fn the_first_matching_rule_decides_by_contains_exactly_regex_and_not() {
    let rules = with_rules(
        vec![
            rule(
                RuleAction::Trigger,
                vec![
                    contains(Part::Subject, "DOWN"),
                    pred(
                        Part::Subject,
                        Matcher::Not(Box::new(Matcher::Contains("test".into()))),
                    ),
                ],
            ),
            rule(
                RuleAction::Resolve,
                vec![pred(Part::Subject, Matcher::Exactly("UP".into()))],
            ),
            rule(
                RuleAction::Trigger,
                vec![pred(Part::From, Matcher::Regex(re(r"@nagios\.")))],
            ),
        ],
        Fallback::Discard,
    );
    let by = |s: &str, from: &str| match decide(&rules, &mail(s, "", from)) {
        Decision::Trigger { by, .. } => format!("trigger {by:?}"),
        Decision::Resolve { by, .. } => format!("resolve {by:?}"),
        Decision::Discard(d) => format!("discard {d:?}"),
    };
    assert_eq!(by("web DOWN", "x@y"), "trigger Rule(1)");
    assert_eq!(
        by("web DOWN (test)", "x@y"),
        "discard Fallback",
        "`not` vetoes rule 1"
    );
    assert_eq!(by("UP", "x@y"), "resolve Rule(2)");
    assert_eq!(
        by(" UP ", "x@y"),
        "resolve Rule(2)",
        "exactly ignores surrounding space"
    );
    assert_eq!(by("UP again", "x@y"), "discard Fallback");
    assert_eq!(by("anything", "ops@nagios.example.com"), "trigger Rule(3)");
    assert_eq!(
        by("web DOWN", "ops@nagios.example.com"),
        "trigger Rule(1)",
        "first match wins"
    );
}

#[test]
fn match_any_needs_only_one_predicate() {
    let mut r = rule(RuleAction::Trigger, vec![]);
    r.when = Condition::Any(vec![
        contains(Part::Subject, "CRIT"),
        contains(Part::Body, "CRIT"),
    ]);
    let rules = with_rules(vec![r], Fallback::Discard);
    assert!(matches!(
        decide(&rules, &mail("x", "state CRIT", "")),
        Decision::Trigger { .. }
    ));
    assert_eq!(
        decide(&rules, &mail("x", "fine", "")),
        Decision::Discard(Discard::Fallback)
    );
}

#[test]
fn the_incident_key_comes_from_regex_or_between_and_falls_back_to_the_subject() {
    let mut by_regex = rule(RuleAction::Trigger, vec![contains(Part::Subject, "A")]);
    by_regex.incident_key = Some(Extractor {
        part: Part::Body,
        how: How::Regex(re(r"Host: (\S+)")),
    });
    let mut by_between = rule(RuleAction::Trigger, vec![contains(Part::Subject, "B")]);
    by_between.incident_key = Some(Extractor {
        part: Part::Subject,
        how: How::Between {
            start: "on ".into(),
            end: " is".into(),
        },
    });
    let rules = with_rules(vec![by_regex, by_between], Fallback::Discard);
    assert_eq!(
        key_of(&decide(&rules, &mail("A", "Host: db-01\n", ""))),
        "db-01"
    );
    assert_eq!(
        key_of(&decide(&rules, &mail("B on web-02 is down", "", ""))),
        "web-02"
    );
    assert_eq!(
        key_of(&decide(&rules, &mail("PROBLEM: A without host", "", ""))),
        "a without host",
        "no key found: the subject's key"
    );
}

#[test]
fn fields_are_extracted_into_the_trigger_and_missing_ones_left_out() {
    let mut r = rule(RuleAction::Trigger, vec![contains(Part::Subject, "disk")]);
    r.fields = vec![
        (
            "host".into(),
            Extractor {
                part: Part::Body,
                how: How::Regex(re(r"Host: (\S+)")),
            },
        ),
        (
            "free".into(),
            Extractor {
                part: Part::Body,
                how: How::Between {
                    start: "Free: ".into(),
                    end: "".into(),
                },
            },
        ),
        (
            "mount".into(),
            Extractor {
                part: Part::Body,
                how: How::Regex(re(r"Mount: (\S+)")),
            },
        ),
    ];
    r.severity = Some(Severity::Critical);
    let rules = with_rules(vec![r], Fallback::Discard);
    let Decision::Trigger {
        fields, severity, ..
    } = decide(&rules, &mail("disk low", "Host: db-01\nFree: 3%\n", ""))
    else {
        panic!("not a trigger")
    };
    assert_eq!(severity, Severity::Critical);
    assert_eq!(fields.get("host").map(String::as_str), Some("db-01"));
    assert_eq!(fields.get("free").map(String::as_str), Some("3%"));
    assert!(!fields.contains_key("mount"));
}

#[test]
fn the_filter_discards_before_any_rule_and_without_rules_too() {
    let filter = Condition::All(vec![pred(
        Part::From,
        Matcher::Regex(re(r"@example\.com$")),
    )]);
    let mut rules = with_rules(
        vec![rule(
            RuleAction::Trigger,
            vec![contains(Part::Subject, "x")],
        )],
        Fallback::Trigger,
    );
    rules.filter = Some(filter.clone());
    assert_eq!(
        decide(&rules, &mail("x", "", "spam@evil.test")),
        Decision::Discard(Discard::Filter)
    );
    assert!(matches!(
        decide(&rules, &mail("x", "", "ops@example.com")),
        Decision::Trigger { .. }
    ));
    let no_rules = EmailRules {
        filter: Some(filter),
        ..EmailRules::default()
    };
    assert_eq!(
        decide(&no_rules, &mail("x", "", "spam@evil.test")),
        Decision::Discard(Discard::Filter)
    );
}

#[test]
fn the_fallback_triggers_like_the_default_or_discards() {
    let r = || {
        vec![rule(
            RuleAction::Trigger,
            vec![contains(Part::Subject, "never")],
        )]
    };
    let trigger = with_rules(r(), Fallback::Trigger);
    assert!(matches!(
        decide(&trigger, &mail("PROBLEM: other", "", "")),
        Decision::Trigger {
            by: DecidedBy::Fallback,
            ..
        }
    ));
    assert!(matches!(
        decide(&trigger, &mail("OK: other", "", "")),
        Decision::Resolve {
            by: DecidedBy::Fallback,
            ..
        }
    ));
    let discard = with_rules(r(), Fallback::Discard);
    assert_eq!(
        decide(&discard, &mail("PROBLEM: other", "", "")),
        Decision::Discard(Discard::Fallback)
    );
}

/// Nagios' default notification subjects end with the state, so the pair differs at both ends:
/// rules pick the action from the notification type and the key from between the markers.
#[test]
fn nagios_problem_and_recovery_resolve_the_same_incident() {
    let key = || {
        Some(Extractor {
            part: Part::Subject,
            how: How::Between {
                start: "Alert: ".into(),
                end: " is ".into(),
            },
        })
    };
    let mut problem = rule(
        RuleAction::Trigger,
        vec![contains(Part::Subject, "PROBLEM")],
    );
    problem.incident_key = key();
    problem.fields = vec![(
        "state".into(),
        Extractor {
            part: Part::Body,
            how: How::Regex(re(r"State: (\S+)")),
        },
    )];
    let mut recovery = rule(
        RuleAction::Resolve,
        vec![contains(Part::Subject, "RECOVERY")],
    );
    recovery.incident_key = key();
    let rules = with_rules(vec![problem, recovery], Fallback::Discard);

    let p = decide(
        &rules,
        &mail(
            "** PROBLEM Service Alert: web-01/HTTP is CRITICAL **",
            "State: CRITICAL\n",
            "nagios@mon",
        ),
    );
    let r = decide(
        &rules,
        &mail(
            "** RECOVERY Service Alert: web-01/HTTP is OK **",
            "State: OK\n",
            "nagios@mon",
        ),
    );
    assert!(matches!(&p, Decision::Trigger { fields, .. } if fields["state"] == "CRITICAL"));
    assert!(matches!(r, Decision::Resolve { .. }));
    assert_eq!(key_of(&p), "web-01/HTTP");
    assert_eq!(key_of(&p), key_of(&r));
    assert_eq!(
        decide(
            &rules,
            &mail(
                "** ACKNOWLEDGEMENT Service Alert: web-01/HTTP is CRITICAL **",
                "",
                ""
            )
        ),
        Decision::Discard(Discard::Fallback)
    );
}

/// cron mails its output with `Cron <user@host> command` as the subject: one incident per job.
#[test]
fn a_cron_failure_mail_triggers_one_incident_per_job() {
    let mut r = rule(
        RuleAction::Trigger,
        vec![pred(Part::Subject, Matcher::Regex(re(r"^Cron <")))],
    );
    r.incident_key = Some(Extractor {
        part: Part::Subject,
        how: How::Regex(re(r"^Cron <[^>]+> (.+)$")),
    });
    r.fields = vec![(
        "host".into(),
        Extractor {
            part: Part::Subject,
            how: How::Between {
                start: "@".into(),
                end: ">".into(),
            },
        },
    )];
    let rules = with_rules(vec![r], Fallback::Discard);
    let d = decide(
        &rules,
        &mail(
            "Cron <root@db-01> /usr/local/bin/backup.sh",
            "pg_dump: error: connection refused\n",
            "root@db-01",
        ),
    );
    assert_eq!(key_of(&d), "/usr/local/bin/backup.sh");
    assert!(matches!(&d, Decision::Trigger { fields, .. } if fields["host"] == "db-01"));
}

/// Zabbix' default subjects pair up without any rules.
#[test]
fn zabbix_subjects_pair_up_without_rules() {
    let rules = EmailRules::default();
    let p = decide(
        &rules,
        &mail("Problem: Disk space is low on db-01", "", "zabbix@mon"),
    );
    let r = decide(
        &rules,
        &mail(
            "Resolved in 12m 3s: Disk space is low on db-01",
            "",
            "zabbix@mon",
        ),
    );
    assert!(matches!(p, Decision::Trigger { .. }));
    assert!(matches!(r, Decision::Resolve { .. }));
    assert_eq!(key_of(&p), key_of(&r));
}
