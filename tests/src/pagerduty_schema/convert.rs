//! OpenAPI 3.0 schema objects → JSON Schema 2020-12, so a stock validator can check them.
//!
//! OpenAPI 3.0's dialect is close to JSON Schema but not the same: `nullable: true` instead of a
//! `"null"` type, `$ref`s into `#/components/...`, and annotation keywords (`example`,
//! `readOnly`, `discriminator`, ...) that mean nothing to a validator. Each schema here is
//! rewritten key by key, knowing which keys hold schemas and which hold data, so an `enum` value
//! or a property *named* `nullable` is never mistaken for a keyword.

use serde_json::{Map, Value, json};

/// Keywords dropped: annotations only (OpenAPI's `readOnly`/`writeOnly` are about requests vs
/// responses, `discriminator` only selects among `oneOf` branches we validate anyway).
const DROPPED: &[&str] = &[
    "nullable",
    "example",
    "examples",
    "x-examples",
    "readOnly",
    "writeOnly",
    "discriminator",
    "xml",
    "externalDocs",
    "deprecated",
    "default",
];

/// Formats kept, and so validated: the ones whose meaning PD and JSON Schema share. PD also uses
/// `url`, `tzinfo`, `activesupport-time-zone`, `partial-time` (its own names) and `time` for a
/// bare `09:00:00`, which RFC 3339 `full-time` (what JSON Schema means) would reject.
const KEPT_FORMATS: &[&str] = &["date-time", "email"];

/// Keywords whose value is one schema.
const ONE_SCHEMA: &[&str] = &["items", "not", "additionalProperties"];

/// Keywords whose value is a list of schemas.
const SCHEMA_LIST: &[&str] = &["allOf", "anyOf", "oneOf"];

/// One OpenAPI schema object as JSON Schema. Errors name an unsupported `$ref`.
pub fn schema(value: &Value) -> Result<Value, String> {
    let Value::Object(obj) = value else {
        return Ok(value.clone());
    };
    let mut out = Map::new();
    for (key, item) in obj {
        let converted = match key.as_str() {
            k if DROPPED.contains(&k) || k.starts_with("x-") => continue,
            "$ref" => Value::String(reference(item.as_str().unwrap_or_default())?),
            "format" if !KEPT_FORMATS.contains(&item.as_str().unwrap_or_default()) => continue,
            "properties" => properties(item)?,
            k if ONE_SCHEMA.contains(&k) => schema(item)?,
            k if SCHEMA_LIST.contains(&k) => list(item)?,
            _ => item.clone(),
        };
        out.insert(key.clone(), converted);
    }
    if obj.get("nullable") == Some(&Value::Bool(true)) {
        return Ok(nullable(out));
    }
    Ok(Value::Object(out))
}

fn properties(value: &Value) -> Result<Value, String> {
    let Value::Object(props) = value else {
        return Ok(value.clone());
    };
    let mut out = Map::new();
    for (name, sub) in props {
        out.insert(name.clone(), schema(sub)?);
    }
    Ok(Value::Object(out))
}

fn list(value: &Value) -> Result<Value, String> {
    let Value::Array(items) = value else {
        return Ok(value.clone());
    };
    items
        .iter()
        .map(schema)
        .collect::<Result<Vec<_>, _>>()
        .map(Value::Array)
}

/// `nullable: true` admits `null` besides what the schema says: add `"null"` to a `type` and to
/// an `enum`; a schema without `type` (only `$ref`s or combinators) becomes `anyOf [it, null]`.
fn nullable(mut out: Map<String, Value>) -> Value {
    if let Some(Value::Array(values)) = out.get_mut("enum") {
        values.push(Value::Null);
    }
    match out.get_mut("type") {
        Some(Value::String(t)) => {
            let t = std::mem::take(t);
            out.insert("type".into(), json!([t, "null"]));
            Value::Object(out)
        }
        Some(Value::Array(types)) => {
            types.push(json!("null"));
            Value::Object(out)
        }
        _ => json!({"anyOf": [Value::Object(out), {"type": "null"}]}),
    }
}

/// Where a component lands in the converted document's `$defs`.
pub fn def_name(kind: &str, name: &str) -> String {
    match kind {
        "schemas" => name.to_owned(),
        _ => format!("{kind}.{name}"),
    }
}

/// A `#/components/...` pointer rewritten to the same place under `#/$defs`.
///
/// `#/components/schemas/Tag/allOf/0` → `#/$defs/Tag/allOf/0`; a response's JSON body schema
/// `#/components/responses/Conflict/content/application~1json/schema` → `#/$defs/responses.Conflict`.
pub fn reference(pointer: &str) -> Result<String, String> {
    let unsupported = || format!("unsupported $ref `{pointer}` (only #/components/... is local)");
    let rest = pointer
        .strip_prefix("#/components/")
        .ok_or_else(unsupported)?;
    let mut parts = rest.splitn(3, '/');
    let (kind, name) = (
        parts.next().ok_or_else(unsupported)?,
        parts.next().ok_or_else(unsupported)?,
    );
    let tail = parts.next().unwrap_or_default();
    let tail = match kind {
        "schemas" => tail.to_owned(),
        // A bare response (`#/components/responses/NotFound`) stands for its body schema too.
        "responses" if tail.is_empty() => String::new(),
        "responses" => {
            strip_segment(tail, "content/application~1json/schema").ok_or_else(unsupported)?
        }
        "parameters" => strip_segment(tail, "schema").ok_or_else(unsupported)?,
        _ => return Err(unsupported()),
    };
    let base = format!(
        "#/$defs/{}",
        def_name(kind, name).replace('~', "~0").replace('/', "~1")
    );
    Ok(if tail.is_empty() {
        base
    } else {
        format!("{base}/{tail}")
    })
}

/// `tail` without its leading `segment` (and the `/` after it), if it starts with it.
fn strip_segment(tail: &str, segment: &str) -> Option<String> {
    let rest = tail.strip_prefix(segment)?;
    (rest.is_empty() || rest.starts_with('/')).then(|| rest.trim_start_matches('/').to_owned())
}

/// The JSON body schema of a response object, if it has one.
pub fn response_body(response: &Value) -> Option<&Value> {
    response.pointer("/content/application~1json/schema")
}

/// Every component of the subset as JSON Schema, keyed by [`def_name`]: schemas as themselves,
/// responses and parameters by their body / value schema.
pub fn defs(components: &Value) -> Result<Map<String, Value>, String> {
    let mut out = Map::new();
    let Some(components) = components.as_object() else {
        return Ok(out);
    };
    for (kind, entries) in components {
        for (name, value) in entries.as_object().into_iter().flatten() {
            let body = match kind.as_str() {
                "schemas" => Some(value),
                "responses" => response_body(value),
                "parameters" => value.get("schema"),
                _ => return Err(format!("unsupported component kind `{kind}`")),
            };
            if let Some(body) = body {
                out.insert(def_name(kind, name), schema(body)?);
            }
        }
    }
    Ok(out)
}
