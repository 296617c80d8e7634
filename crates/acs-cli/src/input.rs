//! Input from files, for large or structured values, as the AWS CLI's skeletons:
//!
//! - `--cli-input-json <file|->`: the whole request as one JSON object with the wire names
//!   (`{"ProjectId": 10000, "DeploymentId": 3000001}`); flags given on the command line win
//!   over the file's values. A key that is not a parameter of the action is a usage error.
//! - `--generate-skeleton`: prints that object with every parameter and a placeholder of
//!   its type (a list with one item, an object item with its fields), to fill in.
//! - `@file` for any JSON-typed flag (a JSON-style parameter, an object item): the flag's
//!   value is read from the file (`@-`: standard input).

use crate::command::{Kind, Param};
use clap::{Arg, ArgAction};
use serde_json::{Map, Value};

/// The id (and flag) of `--cli-input-json`.
pub const CLI_INPUT_JSON: &str = "cli-input-json";
/// The id (and flag) of `--generate-skeleton`.
pub const GENERATE_SKELETON: &str = "generate-skeleton";

/// `--cli-input-json` and `--generate-skeleton`, for every subcommand.
pub fn args() -> [Arg; 2] {
    [
        Arg::new(CLI_INPUT_JSON)
            .long(CLI_INPUT_JSON)
            .value_name("FILE|-")
            .help(
                "Read the request from a JSON object with the wire names (from \
                 --generate-skeleton), `-` for standard input; flags given here win",
            )
            .action(ArgAction::Set),
        Arg::new(GENERATE_SKELETON)
            .long(GENERATE_SKELETON)
            .help("Print the request as JSON with every parameter, to fill in for --cli-input-json; sends nothing")
            .action(ArgAction::SetTrue)
            .exclusive(true),
    ]
}

/// The request's JSON with every parameter and a placeholder of its type.
pub fn skeleton(params: &[Param]) -> Value {
    let object: Map<String, Value> = params
        .iter()
        .map(|p| {
            let one = placeholder(p.kind);
            let value = if p.repeated {
                Value::Array(vec![one])
            } else {
                one
            };
            (p.wire.to_owned(), value)
        })
        .collect();
    Value::Object(object)
}

fn placeholder(kind: Kind) -> Value {
    match kind {
        Kind::Bool => Value::Bool(false),
        Kind::Integer | Kind::Number => Value::from(0),
        Kind::Text => Value::String(String::new()),
        // Any JSON (its shape is in the flag's help); null leaves it unset.
        Kind::Json => Value::Null,
        Kind::Choice(values) => Value::String(values.first().copied().unwrap_or("").to_owned()),
        Kind::Object(fields) => Value::Object(
            fields
                .iter()
                .map(|f| ((*f).to_owned(), Value::String(String::new())))
                .collect(),
        ),
    }
}

/// Reads `source` (a path, or `-` for standard input) as text.
fn read_source(source: &str) -> Result<String, String> {
    if source == "-" {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)
            .map_err(|e| format!("cannot read standard input: {e}"))?;
        Ok(text)
    } else {
        std::fs::read_to_string(source).map_err(|e| format!("cannot read {source}: {e}"))
    }
}

/// The value of a JSON-typed flag: `@file` (or `@-`) is the file's content, anything else
/// the text itself.
pub fn flag_text(value: &str) -> Result<std::borrow::Cow<'_, str>, String> {
    match value.strip_prefix('@') {
        Some(path) if !path.is_empty() => read_source(path).map(std::borrow::Cow::Owned),
        _ => Ok(std::borrow::Cow::Borrowed(value)),
    }
}

/// Merges the request read from `source` (`--cli-input-json`) into `given` (the flags' JSON,
/// which win). The file must hold one JSON object whose keys are wire names of `params`.
pub fn merge_input_json(
    source: &str,
    params: &[Param],
    given: &mut Map<String, Value>,
) -> Result<(), String> {
    let text = read_source(source)?;
    let shown = if source == "-" {
        "standard input"
    } else {
        source
    };
    let value: Value = serde_json::from_str(&text)
        .map_err(|e| format!("--cli-input-json {shown}: not valid JSON: {e}"))?;
    let Value::Object(file) = value else {
        return Err(format!(
            "--cli-input-json {shown}: expected one JSON object with the request's wire names \
             (see --generate-skeleton)"
        ));
    };
    for (key, value) in file {
        if !params.iter().any(|p| p.wire == key) {
            let known: Vec<&str> = params.iter().map(|p| p.wire).collect();
            return Err(format!(
                "--cli-input-json {shown}: `{key}` is not a parameter of this action; its \
                 parameters are {}",
                known.join(", ")
            ));
        }
        given.entry(key).or_insert(value);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const PARAMS: &[Param] = &[
        Param {
            wire: "ProjectId",
            flag: "project-id",
            help: "",
            required: true,
            repeated: false,
            kind: Kind::Integer,
        },
        Param {
            wire: "Ids",
            flag: "ids",
            help: "",
            required: false,
            repeated: true,
            kind: Kind::Text,
        },
        Param {
            wire: "Columns",
            flag: "columns",
            help: "",
            required: false,
            repeated: true,
            kind: Kind::Object(&["ColumnName", "ColumnType"]),
        },
        Param {
            wire: "Status",
            flag: "status",
            help: "",
            required: false,
            repeated: false,
            kind: Kind::Choice(&["OK", "FAIL"]),
        },
    ];

    #[test]
    fn the_skeleton_has_every_parameter_with_a_placeholder() {
        assert_eq!(
            skeleton(PARAMS),
            json!({
                "ProjectId": 0,
                "Ids": [""],
                "Columns": [{"ColumnName": "", "ColumnType": ""}],
                "Status": "OK"
            })
        );
    }

    #[test]
    fn flags_win_over_the_file_and_unknown_keys_are_errors() {
        let dir = std::env::temp_dir().join(format!("acs-cli-input-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let file = dir.join("request.json");
        std::fs::write(&file, r#"{"ProjectId": 1, "Ids": ["a"]}"#).expect("write");
        let mut given = Map::new();
        given.insert("ProjectId".into(), json!(2));
        merge_input_json(file.to_str().expect("utf-8"), PARAMS, &mut given).expect("merges");
        assert_eq!(Value::Object(given), json!({"ProjectId": 2, "Ids": ["a"]}));

        std::fs::write(&file, r#"{"ProjectID": 1}"#).expect("write");
        let err = merge_input_json(file.to_str().expect("utf-8"), PARAMS, &mut Map::new())
            .expect_err("unknown key");
        assert!(err.contains("`ProjectID` is not a parameter"), "{err}");
        std::fs::write(&file, "[1]").expect("write");
        let err = merge_input_json(file.to_str().expect("utf-8"), PARAMS, &mut Map::new())
            .expect_err("not an object");
        assert!(err.contains("expected one JSON object"), "{err}");
        let err = merge_input_json("/no/such/file.json", PARAMS, &mut Map::new())
            .expect_err("missing file");
        assert!(err.contains("cannot read /no/such/file.json"), "{err}");

        std::fs::write(&file, r#"{"a": 1}"#).expect("write");
        let at = format!("@{}", file.display());
        assert_eq!(flag_text(&at).expect("reads"), r#"{"a": 1}"#);
        assert_eq!(flag_text("{}").expect("text"), "{}");
        let _ = std::fs::remove_dir_all(dir);
    }
}
