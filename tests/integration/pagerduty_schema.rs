//! The PagerDuty schema checker (`firebell_tests::pagerduty_schema`) checked against PagerDuty
//! itself: every response example PD publishes in its OpenAPI spec passes its own operation's
//! schema (so the OpenAPI → JSON Schema conversion is right), and deliberately wrong bodies —
//! a missing required field, a wrong type, an unknown field, an unwrapped entity — fail (so the
//! checker cannot pass everything). No database, no application: pure fixtures.

use firebell_tests::pagerduty_schema::{check, check_request, operations};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::path::PathBuf;

/// PD examples that PD's own schema rejects, with the reason; empty today. An entry here must
/// name the file and say why PD's example is wrong, never loosen the checker.
const KNOWN_EXCEPTIONS: &[(&str, &str)] = &[];

fn examples_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/pagerduty/examples")
}

/// Each example file: `{"x-source", "operation", "status", "body"}` as extract.py writes it.
fn examples() -> Vec<(String, String, u16, Value)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(examples_dir()).expect("examples dir") {
        let path = entry.expect("dir entry").path();
        let text = std::fs::read_to_string(&path).expect("example file");
        let doc: Value = serde_json::from_str(&text).expect("example is JSON");
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let op = doc["operation"].as_str().expect("operation").to_owned();
        let status = u16::try_from(doc["status"].as_u64().expect("status")).unwrap();
        out.push((name, op, status, doc["body"].clone()));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// The checker's verdict on `body`, which the test expects to be a failure naming `needle`.
fn assert_rejected(op: &str, status: u16, body: &Value, needle: &str) {
    let errors = check(op, status, body).expect_err(&format!("{op} {status} must reject {body}"));
    assert!(
        errors.iter().any(|e| e.contains(needle)),
        "{op} {status}: expected an error mentioning `{needle}`, got {errors:#?}"
    );
}

/// A PD example body, for mutating into wrong shapes.
fn example_body(file: &str) -> Value {
    examples()
        .into_iter()
        .find(|e| e.0 == file)
        .unwrap_or_else(|| panic!("no example {file}"))
        .3
}

#[test]
fn every_pd_example_validates_against_its_own_operation_schema() {
    let all = examples();
    assert!(
        all.len() >= 19,
        "expected PD's 19 examples, found {}",
        all.len()
    );
    let mut failing = BTreeSet::new();
    for (name, op, status, body) in &all {
        if let Err(errors) = check(op, *status, body) {
            eprintln!("{name} ({op} {status}) fails PD's own schema: {errors:#?}");
            failing.insert(name.clone());
        }
    }
    let known: BTreeSet<String> = KNOWN_EXCEPTIONS.iter().map(|e| e.0.to_owned()).collect();
    assert_eq!(
        failing, known,
        "PD examples failing their own schema vs. the known exceptions"
    );
}

#[test]
fn every_example_names_an_operation_the_checker_knows() {
    let ops: BTreeSet<&str> = operations().into_iter().collect();
    assert_eq!(ops.len(), 20, "the 20 operations of the brief: {ops:?}");
    for (name, op, _, _) in examples() {
        assert!(
            ops.contains(op.as_str()),
            "{name} names {op}, unknown to the checker"
        );
    }
}

#[test]
fn a_missing_required_field_fails() {
    let mut body = example_body("get_incidents.json");
    body.as_object_mut().unwrap().remove("incidents");
    assert_rejected("GET /incidents", 200, &body, "incidents");

    let mut body = example_body("post_maintenance_windows.json");
    body["maintenance_window"]
        .as_object_mut()
        .unwrap()
        .remove("services");
    assert_rejected("POST /maintenance_windows", 201, &body, "services");
}

#[test]
fn a_wrong_type_fails() {
    let mut body = example_body("get_incidents_id.json");
    body["incident"]["incident_number"] = json!("1234");
    assert_rejected("GET /incidents/{id}", 200, &body, "incident_number");

    let mut body = example_body("get_incidents_id.json");
    body["incident"]["status"] = json!("open");
    assert_rejected("GET /incidents/{id}", 200, &body, "status");

    let mut body = example_body("get_oncalls.json");
    body["oncalls"][0]["start"] = json!("yesterday at noon");
    assert_rejected("GET /oncalls", 200, &body, "start");
}

#[test]
fn nullable_fields_take_null_and_nothing_else_of_the_wrong_type() {
    let mut body = example_body("get_services.json");
    body["total"] = Value::Null;
    check("GET /services", 200, &body).expect("`total` is nullable in Pagination");
    body["total"] = json!("none");
    assert_rejected("GET /services", 200, &body, "total");

    let mut body = example_body("get_incidents.json");
    body["incidents"][0]["summary"] = Value::Null;
    check("GET /incidents", 200, &body).expect("`summary` is nullable");
    body["incidents"][0]["summary"] = json!(5);
    assert_rejected("GET /incidents", 200, &body, "summary");
}

#[test]
fn an_unknown_field_fails_even_where_pd_allows_additional_properties() {
    let mut body = example_body("get_incidents.json");
    body["incidents"][0]["servce"] = json!({"id": "PIJ90N7", "type": "service_reference"});
    assert_rejected("GET /incidents", 200, &body, "/incidents/0/servce");

    let mut body = example_body("get_schedules_id.json");
    body["schedule"]["schedule_layers"][0]["users"][0]["user"]["login"] = json!("jdoe");
    assert_rejected(
        "GET /schedules/{id}",
        200,
        &body,
        "/schedule/schedule_layers/0/users/0/user/login",
    );
}

#[test]
fn an_unwrapped_entity_fails() {
    let wrapped = example_body("get_incidents_id.json");
    assert_rejected("GET /incidents/{id}", 200, &wrapped["incident"], "incident");

    let wrapped = example_body("post_incidents_id_notes.json");
    assert_rejected("POST /incidents/{id}/notes", 200, &wrapped["note"], "note");

    let listed = example_body("get_services.json");
    assert_rejected("GET /services", 200, &listed["services"], "is not of type");
}

#[test]
fn error_bodies_follow_pds_error_shape() {
    let pd_error = json!({"error": {"message": "Not Found", "code": 2100}});
    check("GET /incidents/{id}", 404, &pd_error).expect("PD's documented 404 shape");
    let with_details = json!({"error": {"message": "Invalid Input Provided", "code": 2001,
        "errors": ["Since must be before until."]}});
    check("GET /oncalls", 400, &with_details).expect("PD's documented 400 shape");
    check("PUT /incidents/{id}", 401, &pd_error).expect("401 declared for PUT /incidents/{id}");

    assert_rejected(
        "GET /incidents/{id}",
        404,
        &json!({"message": "Not Found"}),
        "/message",
    );
    assert_rejected(
        "GET /incidents/{id}",
        404,
        &json!({"error": "Not Found"}),
        "error",
    );
    let bad_code = json!({"error": {"message": "Not Found", "code": "2100"}});
    assert_rejected("GET /incidents/{id}", 404, &bad_code, "code");
}

#[test]
fn statuses_pd_does_not_document_for_an_operation_are_reported() {
    let body = example_body("get_incidents.json");
    assert_rejected("GET /incidents", 201, &body, "201");
    assert_rejected("GET /incidnets", 200, &body, "GET /incidnets");
}

#[test]
fn no_content_means_no_body() {
    check("DELETE /maintenance_windows/{id}", 204, &Value::Null).expect("204 without a body");
    assert_rejected(
        "DELETE /maintenance_windows/{id}",
        204,
        &json!({"ok": true}),
        "204",
    );
}

#[test]
fn request_bodies_are_checked_against_pds_request_schemas() {
    let ack = json!({"incident": {"type": "incident_reference", "status": "acknowledged"}});
    check_request("PUT /incidents/{id}", &ack).expect("PD's own request example");
    let wrong = json!({"incident": {"type": "incident_reference", "status": "snoozed"}});
    let errors = check_request("PUT /incidents/{id}", &wrong).expect_err("snoozed is no status");
    assert!(errors.iter().any(|e| e.contains("status")), "{errors:#?}");
    assert!(
        check_request("GET /incidents", &json!({})).is_err(),
        "GET has no request body"
    );
}
