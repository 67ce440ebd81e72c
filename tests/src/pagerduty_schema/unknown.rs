//! Unknown-field detection: every property name a body uses must exist in PD's schema.
//!
//! PD's schemas almost never say `additionalProperties: false`, so a plain validator accepts a
//! misspelt or invented field without a word. This walk follows the body and the (converted)
//! schema together and reports each object key that no applicable schema declares. Where one
//! object is described by several schemas (`allOf` parts, `anyOf`/`oneOf` branches, `$ref`s) a
//! key is known if any of them declares it; an object whose schemas declare no `properties` at
//! all (PD's free-form `details`, `custom_details`, channel objects) is not checked.

use serde_json::Value;

/// Errors for each unknown key in `body`, as `` `/json/pointer` is not a property ... ``.
pub fn unknown_fields(doc: &Value, schema: &Value, body: &Value) -> Vec<String> {
    let mut errors = Vec::new();
    walk(doc, &[schema], body, "", &mut errors);
    errors
}

fn walk(doc: &Value, schemas: &[&Value], value: &Value, path: &str, errors: &mut Vec<String>) {
    let mut branches = Vec::new();
    for schema in schemas {
        flatten(doc, schema, &mut branches, 0);
    }
    match value {
        Value::Object(obj) => {
            let declared: Vec<&serde_json::Map<String, Value>> = branches
                .iter()
                .filter_map(|s| s.get("properties")?.as_object())
                .collect();
            let open = branches.iter().any(|s| {
                matches!(
                    s.get("additionalProperties"),
                    Some(Value::Object(_) | Value::Bool(true))
                )
            });
            if declared.is_empty() || open {
                return;
            }
            for (key, item) in obj {
                let child = format!("{path}/{}", key.replace('~', "~0").replace('/', "~1"));
                let subs: Vec<&Value> =
                    declared.iter().filter_map(|props| props.get(key)).collect();
                if subs.is_empty() {
                    let mut known: Vec<&str> = declared
                        .iter()
                        .flat_map(|props| props.keys().map(String::as_str))
                        .collect();
                    known.sort_unstable();
                    known.dedup();
                    errors.push(format!(
                        "`{child}` is not a property PD's schema defines here (known: {})",
                        known.join(", ")
                    ));
                } else {
                    walk(doc, &subs, item, &child, errors);
                }
            }
        }
        Value::Array(items) => {
            let subs: Vec<&Value> = branches.iter().filter_map(|s| s.get("items")).collect();
            if subs.is_empty() {
                return;
            }
            for (i, item) in items.iter().enumerate() {
                walk(doc, &subs, item, &format!("{path}/{i}"), errors);
            }
        }
        _ => {}
    }
}

/// `schema` and every schema it stands for: `$ref` targets and `allOf`/`anyOf`/`oneOf` members,
/// recursively. The depth bound stops a reference cycle (none in PD's subset) from looping.
fn flatten<'a>(doc: &'a Value, schema: &'a Value, out: &mut Vec<&'a Value>, depth: usize) {
    if depth > 64 {
        return;
    }
    out.push(schema);
    let target = schema.get("$ref").and_then(Value::as_str);
    if let Some(resolved) = target.and_then(|t| doc.pointer(t.strip_prefix('#')?)) {
        flatten(doc, resolved, out, depth + 1);
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        for member in schema
            .get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            flatten(doc, member, out, depth + 1);
        }
    }
}
