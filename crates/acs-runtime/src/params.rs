//! Parameter serialization helpers, as the official SDKs' `Utils.query` flattening.
//!
//! * repeat lists and nested objects become `Key.1`, `Key.2`, `Key.1.Sub` (1-based indices);
//! * JSON-style parameters are sent as one JSON text.
//!
//! ```
//! use acs_runtime::params::{flatten, json_param};
//! #[derive(serde::Serialize)]
//! struct Tag { #[serde(rename = "Key")] key: String, #[serde(rename = "Value")] value: String }
//! let tags = vec![Tag { key: "env".into(), value: "prod".into() }, Tag { key: "team".into(), value: "dw".into() }];
//! assert_eq!(flatten("Tag", &tags).unwrap(), vec![
//!     ("Tag.1.Key".to_string(), "env".to_string()), ("Tag.1.Value".to_string(), "prod".to_string()),
//!     ("Tag.2.Key".to_string(), "team".to_string()), ("Tag.2.Value".to_string(), "dw".to_string()),
//! ]);
//! assert_eq!(json_param("Tags", &tags).unwrap(), r#"[{"Key":"env","Value":"prod"},{"Key":"team","Value":"dw"}]"#);
//! ```

use serde::Serialize;
use serde_json::Value;

use crate::error::Error;

/// Flattens a serializable value into `(key, value)` pairs under `prefix`.
///
/// Arrays become `prefix.1`, `prefix.2`, ...; objects `prefix.Field`; `null` is skipped;
/// booleans are `true`/`false`; numbers in their JSON form; a scalar yields `(prefix, value)`.
/// Object fields keep serde's order for structs.
pub fn flatten<T: Serialize + ?Sized>(
    prefix: &str,
    value: &T,
) -> Result<Vec<(String, String)>, Error> {
    let value = serde_json::to_value(value).map_err(|e| {
        Error::validation(
            prefix.to_string(),
            format!("cannot serialize parameter: {e}"),
        )
    })?;
    let mut out = Vec::new();
    flatten_value(prefix, &value, &mut out);
    Ok(out)
}

/// Flattens an already built JSON value into `out` (see [`flatten`]).
pub fn flatten_value(prefix: &str, value: &Value, out: &mut Vec<(String, String)>) {
    match value {
        Value::Null => {}
        Value::Bool(b) => out.push((prefix.to_string(), b.to_string())),
        Value::Number(n) => out.push((prefix.to_string(), n.to_string())),
        Value::String(s) => out.push((prefix.to_string(), s.clone())),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                flatten_value(&join(prefix, &(i + 1).to_string()), item, out);
            }
        }
        Value::Object(map) => {
            for (k, v) in map {
                flatten_value(&join(prefix, k), v, out);
            }
        }
    }
}

fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_string()
    } else {
        format!("{prefix}.{key}")
    }
}

/// Serializes a JSON-style parameter (declared with `style: json`) into compact JSON text.
pub fn json_param<T: Serialize + ?Sized>(param: &str, value: &T) -> Result<String, Error> {
    serde_json::to_string(value).map_err(|e| {
        Error::validation(
            param.to_string(),
            format!("cannot serialize parameter as JSON: {e}"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
        v.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn nested_lists_and_objects() {
        let v = json!({"Name": "n", "Items": [{"Id": 1, "Sub": ["a", "b"]}, {"Id": 2, "Flag": true, "Skip": null}], "Empty": []});
        let got = flatten("Req", &v).unwrap();
        assert_eq!(
            got,
            pairs(&[
                ("Req.Items.1.Id", "1"),
                ("Req.Items.1.Sub.1", "a"),
                ("Req.Items.1.Sub.2", "b"),
                ("Req.Items.2.Flag", "true"),
                ("Req.Items.2.Id", "2"),
                ("Req.Name", "n"),
            ])
        );
    }

    #[test]
    fn scalars_and_empty_prefix() {
        assert_eq!(flatten("K", &5i64).unwrap(), pairs(&[("K", "5")]));
        assert_eq!(flatten("K", &Option::<i32>::None).unwrap(), pairs(&[]));
        assert_eq!(
            flatten("", &json!({"A": [1]})).unwrap(),
            pairs(&[("A.1", "1")])
        );
        assert_eq!(
            flatten("L", &vec![1.5f64]).unwrap(),
            pairs(&[("L.1", "1.5")])
        );
    }

    #[test]
    fn struct_field_order_is_kept_by_serde_and_json_text() {
        #[derive(Serialize)]
        struct S {
            #[serde(rename = "Z")]
            z: u8,
            #[serde(rename = "A")]
            a: &'static str,
        }
        let list = [S { z: 1, a: "x y" }];
        assert_eq!(json_param("P", &list).unwrap(), r#"[{"Z":1,"A":"x y"}]"#);
        assert_eq!(flatten("P", &list).unwrap().len(), 2);
    }

    #[test]
    fn unserializable_is_a_validation_error() {
        let mut m = std::collections::HashMap::new();
        m.insert(vec![1u8], 1u8); // non-string map keys cannot become JSON
        let err = json_param("Weird", &m).unwrap_err();
        assert!(err.to_string().contains("Weird"), "{err}");
        assert!(flatten("Weird", &m).is_err());
    }
}
