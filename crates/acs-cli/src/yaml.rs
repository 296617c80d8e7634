//! `--output yaml`: a JSON value written as block-style YAML.
//!
//! What the tool prints is always a JSON tree, and JSON's double-quoted strings are YAML's
//! too, so a small writer does it (a YAML library would add more compiled code to the tool
//! than the rest of the printing): mappings and sequences in block style (sequences not
//! indented under their key, as `aws --output yaml` and `kubectl` print them), empty ones as
//! `{}` and `[]`, numbers, booleans and `null` as they are, and a string plain when it cannot
//! be read as anything else by a YAML 1.1 or 1.2 reader, double-quoted (JSON escapes)
//! otherwise.

use serde_json::Value;
use std::fmt::Write as _;

/// `value` as YAML, without a trailing newline.
pub fn to_yaml(value: &Value) -> String {
    let mut out = String::new();
    match value {
        Value::Object(map) if !map.is_empty() => write_mapping(&mut out, map, 0, false),
        Value::Array(items) if !items.is_empty() => write_sequence(&mut out, items, 0),
        scalar => write_inline(&mut out, scalar),
    }
    out.truncate(out.trim_end_matches('\n').len());
    out
}

/// A non-empty mapping, one `key: value` line per entry at `indent` spaces; with
/// `on_dash_line`, the first entry goes where the line already is (after a sequence's `- `).
fn write_mapping(
    out: &mut String,
    map: &serde_json::Map<String, Value>,
    indent: usize,
    on_dash_line: bool,
) {
    for (i, (key, value)) in map.iter().enumerate() {
        if i > 0 || !on_dash_line {
            push_indent(out, indent);
        }
        write_string(out, key);
        out.push(':');
        write_nested(out, value, indent);
    }
}

/// A non-empty sequence, one `- item` per item at `indent` spaces.
fn write_sequence(out: &mut String, items: &[Value], indent: usize) {
    for item in items {
        push_indent(out, indent);
        out.push('-');
        match item {
            Value::Object(map) if !map.is_empty() => {
                out.push(' ');
                write_mapping(out, map, indent + 2, true);
            }
            Value::Array(inner) if !inner.is_empty() => {
                out.push('\n');
                write_sequence(out, inner, indent + 2);
            }
            scalar => write_scalar_line(out, scalar),
        }
    }
}

/// What follows the `key:` of a mapping at `indent` spaces: a scalar or empty collection on
/// the same line, a mapping on the lines below two spaces further in, a sequence on the
/// lines below at the key's own indent.
fn write_nested(out: &mut String, value: &Value, indent: usize) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            out.push('\n');
            write_mapping(out, map, indent + 2, false);
        }
        Value::Array(items) if !items.is_empty() => {
            out.push('\n');
            write_sequence(out, items, indent);
        }
        scalar => write_scalar_line(out, scalar),
    }
}

/// ` value` and the end of the line, after a key's `:` or a sequence's `-`.
fn write_scalar_line(out: &mut String, value: &Value) {
    out.push(' ');
    write_inline(out, value);
    out.push('\n');
}

/// A scalar, `{}` or `[]`.
fn write_inline(out: &mut String, value: &Value) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            let _ = write!(out, "{n}");
        }
        Value::String(s) => write_string(out, s),
        Value::Array(_) => out.push_str("[]"),
        Value::Object(_) => out.push_str("{}"),
    }
}

fn push_indent(out: &mut String, indent: usize) {
    out.extend(std::iter::repeat_n(' ', indent));
}

/// A string plain where that reads back as the same string, double-quoted otherwise.
fn write_string(out: &mut String, s: &str) {
    if is_plain_safe(s) {
        out.push_str(s);
    } else {
        // JSON's escapes are all YAML double-quoted escapes; serializing a string cannot fail.
        out.push_str(&serde_json::to_string(s).unwrap_or_else(|_| String::from("\"\"")));
    }
}

/// Words that YAML 1.1 or 1.2 readers take for booleans or null.
const RESERVED: &[&str] = &[
    "true", "false", "yes", "no", "on", "off", "y", "n", "null", "~",
];

/// Whether `s` can be written without quotes: it starts with a letter, holds only letters,
/// digits, spaces and `_ - . / @`, does not end with a space, and is not a reserved word.
/// (Conservative: anything with `:`, `#`, quotes, brackets or a leading digit or sign is
/// quoted, so no string reads back as a number, a date, a key or a comment.)
fn is_plain_safe(s: &str) -> bool {
    let mut chars = s.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    first.is_alphabetic()
        && !s.ends_with(' ')
        && s.chars()
            .all(|c| c.is_alphanumeric() || matches!(c, ' ' | '_' | '-' | '.' | '/' | '@'))
        && !RESERVED.iter().any(|word| word.eq_ignore_ascii_case(s))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    #[test]
    fn blocks_and_scalars_look_as_people_expect() {
        let value = json!({
            "RequestId": "r-1",
            "TotalCount": 2,
            "Ratio": 0.5,
            "Success": true,
            "Missing": null,
            "Empty": {},
            "None": [],
            "Items": [
                {"Id": 1, "Name": "第一", "Tags": ["a", "b"]},
                {"Id": 2, "Name": "yes", "Creator": {"Name": "bo"}}
            ],
            "Grid": [[1, 2], []],
            "Note": "two\nlines: here"
        });
        // serde_json's maps are sorted by key (no `preserve_order` in this workspace).
        let want = "\
Empty: {}
Grid:
-
  - 1
  - 2
- []
Items:
- Id: 1
  Name: 第一
  Tags:
  - a
  - b
- Creator:
    Name: bo
  Id: 2
  Name: \"yes\"
Missing: null
None: []
Note: \"two\\nlines: here\"
Ratio: 0.5
RequestId: r-1
Success: true
TotalCount: 2";
        assert_eq!(to_yaml(&value), want);
        assert_eq!(to_yaml(&json!("plain")), "plain");
        assert_eq!(to_yaml(&json!([])), "[]");
        assert_eq!(to_yaml(&json!(7)), "7");
    }

    #[test]
    fn strings_that_would_read_as_something_else_are_quoted() {
        for s in [
            "",
            "true",
            "No",
            "NULL",
            "~",
            "1",
            "-1",
            "0x1f",
            "1e3",
            ".inf",
            "2024-01-01",
            "a: b",
            "a #b",
            "#x",
            "*ref",
            "&anchor",
            "!tag",
            "[x]",
            "{x}",
            "'q'",
            "\"q\"",
            "x ",
            " x",
            "a,b",
            "|",
            ">",
            "%x",
            "@x",
            "`x`",
            "a\tb",
        ] {
            assert!(to_yaml(&json!(s)).starts_with('"'), "{s:?} is quoted");
        }
        for s in [
            "ok",
            "Running",
            "ods_user_info_d-2020",
            "a b",
            "成功",
            "v1.2/x@y",
        ] {
            assert_eq!(to_yaml(&json!(s)), s);
        }
    }

    /// Any JSON value: scalars of every kind, strings from a mix of YAML's special
    /// characters, nested up to a few levels.
    fn any_json() -> impl Strategy<Value = Value> {
        let scalar = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            (-1e12f64..1e12).prop_map(Value::from),
            "[a-zA-Z0-9 :#\\-_.,'\"\\[\\]{}&*!|>%@`~\\n\\t\\\\成功]{0,12}".prop_map(Value::String),
        ];
        scalar.prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
                proptest::collection::btree_map("[a-zA-Z0-9 :#\\-_.]{0,8}", inner, 0..5)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// What is printed reads back (with a YAML library) as the value printed.
        #[test]
        fn yaml_reads_back_as_the_value(value in any_json()) {
            let yaml = to_yaml(&value);
            let back: Value = serde_saphyr::from_str(&yaml)
                .map_err(|e| TestCaseError::fail(format!("{e}\n{yaml}")))?;
            prop_assert_eq!(back, value, "{}", yaml);
        }
    }
}
