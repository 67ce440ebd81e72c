//! The configs a newcomer sees first: the demo `firebell.toml` and the README's worked example.

use firebell_engine::config::Target;

use super::*;

const DEMO: &str = include_str!("../../../../firebell.toml");
const README: &str = include_str!("../../../../README.md");

#[test]
fn the_demo_config_is_valid_without_any_environment_variables() {
    let config = Loaded::parse(DEMO, "firebell.toml", &|_| None)
        .unwrap_or_else(|e| panic!("the demo config must stay valid:\n{e}"));

    let policy = &config.engine.escalation_policies["default"];
    assert_eq!(policy.levels.len(), 3);
    assert_eq!(
        policy.levels[0].targets,
        vec![Target::Schedule("primary".to_owned())]
    );
    assert_eq!(config.engine.schedules["primary"].layers.len(), 2);
    assert!(config.engine.schedules.contains_key("secondary"));
    assert!(
        config.providers.twilio.is_none(),
        "no providers in the demo"
    );
}

/// The first ```toml block after `heading` in the README.
fn readme_block(heading: &str) -> &'static str {
    let section = README
        .split_once(heading)
        .unwrap_or_else(|| panic!("README has no `{heading}`"))
        .1;
    let block = section.split_once("```toml\n").expect("a toml block").1;
    block.split_once("```").expect("a closed block").0
}

#[test]
fn the_readme_worked_example_is_valid() {
    let text = readme_block("## On call: a worked example");
    let env = |name: &str| (name == "FIREBELL_TWILIO_AUTH_TOKEN").then(|| "token".to_owned());

    let config = Loaded::parse(text, "README.md", &env)
        .unwrap_or_else(|e| panic!("the README example must stay valid:\n{e}"));

    assert_eq!(config.engine.escalation_policies["default"].levels.len(), 3);
    assert!(config.providers.twilio.is_some());
}

#[test]
fn the_readme_worked_example_has_the_people_on_call_it_says() {
    let text = readme_block("## On call: a worked example");
    let env = |name: &str| (name == "FIREBELL_TWILIO_AUTH_TOKEN").then(|| "token".to_owned());
    let config = Loaded::parse(text, "README.md", &env).expect("valid");
    let who = |schedule: &str, utc: &str| {
        let t = chrono::DateTime::parse_from_rfc3339(utc).expect("rfc3339");
        firebell_engine::schedule::on_call_at(&config.engine.schedules[schedule], &[], t.to_utc())
            .map(|u| u.as_str().to_owned())
    };
    let ladder = |id: &str| -> Vec<(String, u32)> {
        let rules = &config.engine.user(id).expect("user").rules.high;
        rules
            .iter()
            .map(|r| (r.method.to_string(), r.after_minutes))
            .collect()
    };

    // Saturday 7 March 2026, 03:00 in Berlin (UTC+1).
    assert_eq!(
        who("primary", "2026-03-07T02:00:00Z").as_deref(),
        Some("alice")
    );
    assert_eq!(
        who("secondary", "2026-03-07T02:00:00Z").as_deref(),
        Some("carol")
    );
    // Tuesday 10 March, 11:00 and 17:00 in Berlin.
    assert_eq!(
        who("primary", "2026-03-10T10:00:00Z").as_deref(),
        Some("dave")
    );
    assert_eq!(
        who("primary", "2026-03-10T16:00:00Z").as_deref(),
        Some("bob")
    );
    let pair = |m: &str, n: u32| (m.to_owned(), n);
    assert_eq!(
        ladder("alice"),
        vec![pair("chat", 0), pair("sms", 2), pair("voice", 5)]
    );
    assert_eq!(ladder("carol"), vec![pair("chat", 0), pair("voice", 1)]);
    let policy = &config.engine.escalation_policies["default"];
    let delays: Vec<u32> = policy.levels.iter().map(|l| l.delay_minutes).collect();
    assert_eq!((delays, policy.repeat), (vec![15, 15, 30], 1));
    assert_eq!(
        policy.levels[2].targets,
        vec![Target::User(
            config.engine.user("erin").expect("erin").id.clone()
        )]
    );
}
