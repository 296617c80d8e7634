//! `--query <expr>`: a JMESPath expression applied to the output (the JSON with wire names)
//! before it is printed, as the AWS CLI's `--query` and the aliyun CLI's `--cli-query` do.
//!
//! The expression is compiled when the command line is parsed ([`parse_query`] is the flag's
//! value parser), so that a bad expression is a usage error (exit 2) before anything is sent;
//! the message shows the expression with a caret under the position of the problem.

use serde_json::Value;

/// A compiled-once, checked JMESPath expression (kept as text: compiled expressions of the
/// `jmespath` crate are not `Send`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query(String);

impl Query {
    /// The expression's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Applies the expression to `value`; the error says what went wrong where.
    pub fn apply(&self, value: &Value) -> Result<Value, String> {
        let expression = jmespath::compile(&self.0).map_err(|e| describe(&e))?;
        let result = expression.search(value).map_err(|e| describe(&e))?;
        serde_json::to_value(&*result).map_err(|e| format!("--query result: {e}"))
    }
}

/// The value parser of `--query`: the expression, if it compiles; otherwise where and why it
/// does not.
pub fn parse_query(text: &str) -> Result<Query, String> {
    jmespath::compile(text).map_err(|e| describe(&e))?;
    Ok(Query(text.to_owned()))
}

/// `invalid JMESPath expression at position 9 (line 1, column 10): <reason>` and the
/// expression with a caret under that position.
fn describe(error: &jmespath::JmespathError) -> String {
    let reason = error.reason.to_string();
    let mut text = format!(
        "invalid JMESPath expression at position {} (line {}, column {}): {reason}",
        error.offset,
        error.line + 1,
        error.column + 1,
    );
    if let Some(line) = error.expression.lines().nth(error.line) {
        text.push_str(&format!("\n  {line}\n  {}^", " ".repeat(error.column)));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn picks_fields_with_wire_names() {
        let query = parse_query("Data.Deployments[].Name").expect("valid");
        let value = json!({"Data": {"Deployments": [{"Name": "a"}, {"Name": "b"}]}});
        assert_eq!(query.apply(&value), Ok(json!(["a", "b"])));
        let query = parse_query("Data.Deployments[?Status==`1`].{id: Id}").expect("valid");
        let value =
            json!({"Data": {"Deployments": [{"Id": 1, "Status": 1}, {"Id": 2, "Status": 0}]}});
        assert_eq!(query.apply(&value), Ok(json!([{"id": 1}])));
    }

    #[test]
    fn a_bad_expression_points_at_the_position() {
        let error = parse_query("Data.[Deployments").expect_err("unclosed bracket");
        assert!(
            error.starts_with("invalid JMESPath expression at position "),
            "{error}"
        );
        let caret_line = error.lines().last().expect("caret");
        let expression_line = error.lines().nth(1).expect("expression");
        assert_eq!(expression_line, "  Data.[Deployments");
        assert!(caret_line.trim_start().starts_with('^'), "{error}");
        let error = parse_query("a | | b").expect_err("empty pipe");
        assert!(error.contains("position 4"), "{error}");
    }
}
