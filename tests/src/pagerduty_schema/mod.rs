//! Checks firebell's PagerDuty-compatible responses against PagerDuty's published OpenAPI spec.
//!
//! The schemas come from `tests/fixtures/pagerduty/openapi-subset.json`, cut from
//! PagerDuty/api-schema by `tests/fixtures/pagerduty/extract.py` (see the README there). At first
//! use every operation's schemas are converted from OpenAPI 3.0 to JSON Schema 2020-12
//! ([`convert`]) and compiled once; each check then runs the `jsonschema` validator (types,
//! `required`, enums, `date-time`/`email` formats) and, because PD's schemas leave objects open,
//! an unknown-field walk ([`unknown`]) that reports every property name PD does not define.
//!
//! ```ignore
//! use firebell_tests::pagerduty_schema::check;
//! check("GET /incidents/{id}", 200, &body).expect("a PD-shaped incident");
//! ```
//!
//! Operations are named `"METHOD /path/{id}"` exactly as in PD's spec ([`operations`] lists
//! them). A 4xx/5xx status the operation does not declare is checked against PD's common error
//! body (`{"error": {"code", "message", "errors"}}`, the schema every PD error response shares).

mod convert;
mod unknown;

use jsonschema::Validator;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use std::sync::OnceLock;

const SUBSET: &str = include_str!("../../fixtures/pagerduty/openapi-subset.json");

/// The `$defs` name of the body schema all of PD's error responses share.
const ERROR_DEF: &str = "#/$defs/responses.Conflict";

/// One compiled body schema: the converted document (root schema + `$defs`) and its validator.
struct Body {
    doc: Value,
    validator: Validator,
}

struct Operation {
    request: Option<Body>,
    /// Status → body schema; `None` where PD declares the status without a body (204).
    responses: BTreeMap<u16, Option<Body>>,
}

struct Spec {
    operations: BTreeMap<String, Operation>,
    error: Body,
}

fn spec() -> &'static Spec {
    static SPEC: OnceLock<Spec> = OnceLock::new();
    SPEC.get_or_init(|| load().unwrap_or_else(|e| panic!("PagerDuty schema subset: {e}")))
}

/// The operations the subset covers, as `"METHOD /path"`.
pub fn operations() -> Vec<&'static str> {
    spec().operations.keys().map(String::as_str).collect()
}

/// Checks a response `body` of `operation` (e.g. `"GET /incidents"`) with HTTP `status`.
/// Pass `Value::Null` for an empty body. `Err` lists every problem found, each naming the JSON
/// pointer of the offending value.
pub fn check(operation: &str, status: u16, body: &Value) -> Result<(), Vec<String>> {
    let spec = spec();
    let op = find(spec, operation)?;
    match op.responses.get(&status) {
        Some(Some(schema)) => validate(schema, body),
        Some(None) if body.is_null() => Ok(()),
        Some(None) => Err(vec![format!(
            "{operation} {status}: PD declares no body for this status, got {body}"
        )]),
        None if status >= 400 => validate(&spec.error, body),
        None => Err(vec![format!(
            "{operation}: PD documents no {status} response (documented: {:?})",
            op.responses.keys().collect::<Vec<_>>()
        )]),
    }
}

/// Checks a request `body` sent to `operation` against PD's request body schema.
pub fn check_request(operation: &str, body: &Value) -> Result<(), Vec<String>> {
    match &find(spec(), operation)?.request {
        Some(schema) => validate(schema, body),
        None => Err(vec![format!("{operation}: PD declares no request body")]),
    }
}

fn find<'a>(spec: &'a Spec, operation: &str) -> Result<&'a Operation, Vec<String>> {
    spec.operations.get(operation).ok_or_else(|| {
        vec![format!(
            "`{operation}` is not a PagerDuty operation of the subset (known: {})",
            operations().join(", ")
        )]
    })
}

fn validate(schema: &Body, body: &Value) -> Result<(), Vec<String>> {
    let mut errors: Vec<String> = schema
        .validator
        .iter_errors(body)
        .map(|e| {
            let at = e.instance_path().to_string();
            format!("`{}`: {e}", if at.is_empty() { "/" } else { &at })
        })
        .collect();
    errors.extend(unknown::unknown_fields(&schema.doc, &schema.doc, body));
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

fn load() -> Result<Spec, String> {
    let subset: Value = serde_json::from_str(SUBSET).map_err(|e| format!("not JSON: {e}"))?;
    let defs = convert::defs(&subset["components"])?;
    let build = |root: Value| compile(root, &defs);
    let mut operations = BTreeMap::new();
    let ops = subset["operations"]
        .as_object()
        .ok_or("no `operations` object")?;
    for (name, op) in ops {
        let request = match op.get("requestBody") {
            Some(schema) => Some(build(convert::schema(schema)?)?),
            None => None,
        };
        let mut responses = BTreeMap::new();
        for (status, response) in op["responses"].as_object().into_iter().flatten() {
            let status: u16 = status
                .parse()
                .map_err(|_| format!("{name}: status `{status}`"))?;
            let schema = response_schema(response).map_err(|e| format!("{name} {status}: {e}"))?;
            responses.insert(status, schema.map(&build).transpose()?);
        }
        operations.insert(name.clone(), Operation { request, responses });
    }
    let error = build(json!({"$ref": ERROR_DEF}))?;
    Ok(Spec { operations, error })
}

/// The converted body schema of a response object (inline or a `$ref` to a component).
fn response_schema(response: &Value) -> Result<Option<Value>, String> {
    if let Some(pointer) = response.get("$ref").and_then(Value::as_str) {
        return Ok(Some(json!({"$ref": convert::reference(pointer)?})));
    }
    convert::response_body(response)
        .map(convert::schema)
        .transpose()
}

/// One self-contained JSON Schema 2020-12 document: `root` plus every component as `$defs`.
fn compile(root: Value, defs: &Map<String, Value>) -> Result<Body, String> {
    let mut doc = match root {
        Value::Object(map) => map,
        other => Map::from_iter([("allOf".to_owned(), json!([other]))]),
    };
    doc.insert(
        "$schema".into(),
        json!("https://json-schema.org/draft/2020-12/schema"),
    );
    doc.insert("$defs".into(), Value::Object(defs.clone()));
    let doc = Value::Object(doc);
    let validator = jsonschema::draft202012::options()
        .should_validate_formats(true)
        .build(&doc)
        .map_err(|e| format!("schema does not compile: {e}"))?;
    Ok(Body { doc, validator })
}
