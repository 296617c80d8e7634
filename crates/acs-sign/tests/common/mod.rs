//! Helpers shared by the integration tests: JSON test-data loading and conversions.
#![allow(dead_code)]

use serde_json::Value;

/// Reads and parses `tests/data/<name>`.
pub fn load_json(name: &str) -> Value {
    let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("parsing {path}: {e}"))
}

/// Reads `tests/data/<name>` as JSON lines.
pub fn load_jsonl(name: &str) -> Vec<Value> {
    let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {path}: {e}"));
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("parsing {path}: {e}: {l}")))
        .collect()
}

/// String field `key` of `v` (panics with the vector id when missing).
pub fn s<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("missing string field {key:?} in {v}"))
}

/// Optional string field.
pub fn opt_s<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

/// A JSON object of string values as owned pairs; `null` values (absent) are skipped.
pub fn pairs(v: Option<&Value>) -> Vec<(String, String)> {
    match v {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Object(map)) => map
            .iter()
            .filter_map(|(k, v)| match v {
                Value::Null => None,
                Value::String(s) => Some((k.clone(), s.clone())),
                other => panic!("value of {k:?} is not a string: {other}"),
            })
            .collect(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|kv| {
                let kv = kv.as_array().expect("[key, value] pair");
                (
                    kv[0].as_str().expect("key").to_owned(),
                    kv[1].as_str().expect("value").to_owned(),
                )
            })
            .collect(),
        Some(other) => panic!("expected an object of strings, got {other}"),
    }
}

/// Borrowed view of owned pairs.
pub fn borrow(p: &[(String, String)]) -> Vec<(&str, &str)> {
    p.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}
