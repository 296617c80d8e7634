//! How a result is printed on stdout: `--query`, then `--output json|yaml|table|text`.
//!
//! Everything here works on a `serde_json::Value` with the wire names, however it was
//! produced: `json` is the pretty JSON the tool always printed; `yaml` the same tree as YAML;
//! `table` a list of objects as rows (the query's result, or the first list of objects in the
//! response, depth first: `Data.Deployments`), columns from the objects' keys in order of
//! appearance or `--columns`, fitted to the terminal's width; `text` the same rows as
//! tab-separated values without a header, a scalar or a list of scalars one per line, for
//! shell loops.

use crate::query::Query;
use serde_json::{Map, Value};
use std::io::Write;
use std::sync::OnceLock;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// `--output`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum OutputFormat {
    /// Pretty JSON with the wire names.
    #[default]
    Json,
    /// YAML with the wire names.
    Yaml,
    /// A table of the rows (a list of objects), fitted to the terminal's width.
    Table,
    /// Tab-separated values, one row per line, no header.
    Text,
}

/// How this process prints its results: set once after the command line is parsed.
#[derive(Debug, Clone, Default)]
pub struct Presentation {
    /// `--query`.
    pub query: Option<Query>,
    /// `--output`.
    pub format: OutputFormat,
    /// `--columns`: the table's or the text's columns (keys or dotted paths of a row).
    pub columns: Option<Vec<String>>,
}

static PRESENTATION: OnceLock<Presentation> = OnceLock::new();

/// Sets how this process prints results ([`print_output`]); only the first call counts.
pub fn set_presentation(presentation: Presentation) {
    let _ = PRESENTATION.set(presentation);
}

fn presentation() -> &'static Presentation {
    PRESENTATION.get_or_init(Presentation::default)
}

/// Why the output could not be printed.
#[derive(Debug)]
pub enum OutputError {
    /// The `--query` expression failed on this value (exit 2: the expression is wrong).
    Query(String),
    /// Writing to stdout failed.
    Io(std::io::Error),
}

/// Prints `value` on stdout as the process's [`Presentation`] says.
pub fn print_output(value: &Value) -> Result<(), OutputError> {
    let settings = presentation();
    let text = render(value, settings, terminal_width()).map_err(OutputError::Query)?;
    let stdout = std::io::stdout();
    let mut lock = stdout.lock();
    lock.write_all(text.as_bytes())
        .and_then(|()| lock.flush())
        .map_err(OutputError::Io)
}

/// The width to fit a table in: the terminal's (stdout), else `COLUMNS`, else none.
fn terminal_width() -> Option<usize> {
    if let Some((terminal_size::Width(w), _)) = terminal_size::terminal_size() {
        return Some(usize::from(w));
    }
    std::env::var("COLUMNS").ok()?.trim().parse().ok()
}

/// The text printed for `value` (ending with a newline, unless empty).
pub fn render(
    value: &Value,
    settings: &Presentation,
    width: Option<usize>,
) -> Result<String, String> {
    let queried;
    let value = match &settings.query {
        Some(query) => {
            queried = query.apply(value)?;
            &queried
        }
        None => value,
    };
    let columns = settings.columns.as_deref();
    let mut text = match settings.format {
        OutputFormat::Json => serde_json::to_string_pretty(value).map_err(|e| e.to_string())?,
        OutputFormat::Yaml => crate::yaml::to_yaml(value),
        OutputFormat::Table => table(value, columns, width),
        OutputFormat::Text => text(value, columns),
    };
    if !text.is_empty() {
        text.push('\n');
    }
    Ok(text)
}

/// The rows of a value: a list itself, or the first list of objects in it (depth first); an
/// object without such a list is one row.
fn rows(value: &Value) -> Vec<&Value> {
    match value {
        Value::Array(items) => items.iter().collect(),
        Value::Object(_) => match first_list_of_objects(value) {
            Some(items) => items.iter().collect(),
            None => vec![value],
        },
        scalar => vec![scalar],
    }
}

fn first_list_of_objects(value: &Value) -> Option<&Vec<Value>> {
    match value {
        Value::Array(items) if items.first().is_some_and(Value::is_object) => Some(items),
        Value::Object(fields) => fields.values().find_map(first_list_of_objects),
        _ => None,
    }
}

/// The columns: `--columns`, else the rows' keys in order of first appearance (a list of
/// scalars has none: one unnamed column).
fn column_names(rows: &[&Value], columns: Option<&[String]>) -> Vec<String> {
    if let Some(columns) = columns {
        return columns.to_vec();
    }
    let mut names: Vec<String> = Vec::new();
    for row in rows {
        if let Value::Object(fields) = row {
            for key in fields.keys() {
                if !names.iter().any(|n| n == key) {
                    names.push(key.clone());
                }
            }
        }
    }
    names
}

/// A row's value at a column: a key, or a dotted path (`Owner.Name`).
fn cell<'a>(row: &'a Value, column: &str) -> Option<&'a Value> {
    if let Some(value) = row.get(column) {
        return Some(value);
    }
    column.split('.').try_fold(row, |value, key| match value {
        Value::Object(fields) => fields.get(key),
        Value::Array(items) => key.parse::<usize>().ok().and_then(|i| items.get(i)),
        _ => None,
    })
}

/// A value as one cell of text: strings unquoted, null empty, lists and objects compact JSON.
fn cell_text(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

/// The cells of every row, in the columns' order (a row that is not an object is one cell).
fn cells(rows: &[&Value], columns: &[String]) -> Vec<Vec<String>> {
    rows.iter()
        .map(|row| {
            if columns.is_empty() || !row.is_object() {
                vec![cell_text(Some(row))]
            } else {
                columns.iter().map(|c| cell_text(cell(row, c))).collect()
            }
        })
        .collect()
}

/// `--output text`: one line per row, cells separated by tabs (tabs and newlines inside a
/// cell escaped as `\t` and `\n`), no header.
fn text(value: &Value, columns: Option<&[String]>) -> String {
    let rows = rows(value);
    let names = column_names(&rows, columns);
    let lines: Vec<String> = cells(&rows, &names)
        .into_iter()
        .map(|cells| {
            cells
                .iter()
                .map(|c| {
                    c.replace('\\', "\\\\")
                        .replace('\t', "\\t")
                        .replace('\n', "\\n")
                })
                .collect::<Vec<_>>()
                .join("\t")
        })
        .collect();
    lines.join("\n")
}

/// `--output table`: a header and the rows between rules, every column as wide as its
/// widest cell, then narrowed (widest first, cells cut with `…`) until the table fits `width`.
/// An object without a list of objects in it is shown as rows of field and value.
fn table(value: &Value, columns: Option<&[String]>, width: Option<usize>) -> String {
    let (header, body) = match value {
        Value::Object(fields) if columns.is_none() && first_list_of_objects(value).is_none() => {
            let mut flat = Vec::new();
            flatten("", fields, &mut flat);
            (
                vec!["Field".to_owned(), "Value".to_owned()],
                flat.into_iter().map(|(k, v)| vec![k, v]).collect(),
            )
        }
        _ => {
            let rows = rows(value);
            let names = column_names(&rows, columns);
            let header = if names.is_empty() {
                vec!["Value".to_owned()]
            } else {
                names.clone()
            };
            (header, cells(&rows, &names))
        }
    };
    if body.is_empty() {
        return String::new();
    }
    let mut widths: Vec<usize> = header.iter().map(|h| display_width(h)).collect();
    for row in &body {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(display_width(c));
        }
    }
    if let Some(limit) = width {
        fit(&mut widths, limit);
    }
    let rule: String = widths
        .iter()
        .map(|w| "-".repeat(w + 2))
        .collect::<Vec<_>>()
        .join("+");
    let rule = format!("+{rule}+");
    let line = |cells: &[String]| {
        let inner: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| {
                let c = truncate(&c.replace(['\n', '\t'], " "), *w);
                let pad = w - display_width(&c);
                format!(" {c}{} ", " ".repeat(pad))
            })
            .collect();
        format!("|{}|", inner.join("|"))
    };
    let mut out = vec![rule.clone(), line(&header), rule.clone()];
    out.extend(body.iter().map(|row| line(row)));
    out.push(rule);
    out.join("\n")
}

/// `Data.Deployment.Status` -> value, for every scalar leaf (lists and objects in lists as
/// compact JSON).
fn flatten(prefix: &str, fields: &Map<String, Value>, out: &mut Vec<(String, String)>) {
    for (key, value) in fields {
        let path = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        match value {
            Value::Object(inner) if !inner.is_empty() => flatten(&path, inner, out),
            other => out.push((path, cell_text(Some(other)))),
        }
    }
}

/// Narrows the widest columns until the table (borders and padding included) fits `limit`;
/// no column narrower than 3.
fn fit(widths: &mut [usize], limit: usize) {
    let overhead = 3 * widths.len() + 1;
    loop {
        let total: usize = widths.iter().sum::<usize>() + overhead;
        if total <= limit {
            return;
        }
        let Some(widest) = widths.iter_mut().filter(|w| **w > 3).max_by_key(|w| **w) else {
            return;
        };
        *widest -= 1;
    }
}

fn display_width(text: &str) -> usize {
    UnicodeWidthStr::width(text)
}

/// `text` cut to `width` columns, with `…` when it was cut.
fn truncate(text: &str, width: usize) -> String {
    if display_width(text) <= width {
        return text.to_owned();
    }
    let mut out = String::new();
    let mut used = 0;
    for ch in text.chars() {
        let w = UnicodeWidthChar::width(ch).unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        out.push(ch);
        used += w;
    }
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::parse_query;
    use serde_json::json;

    fn settings(format: OutputFormat) -> Presentation {
        Presentation {
            format,
            ..Presentation::default()
        }
    }

    fn sample() -> Value {
        json!({
            "RequestId": "r-1",
            "Data": {"TotalCount": 2, "Deployments": [
                {"Id": 1, "Name": "first", "Status": 1, "Creator": {"Name": "amy"}},
                {"Id": 2, "Name": "第二", "Status": 0, "Creator": {"Name": "bo"}}
            ]}
        })
    }

    #[test]
    fn json_is_the_default_and_yaml_keeps_wire_names() {
        let value = sample();
        let json_text = render(&value, &Presentation::default(), None).expect("json");
        assert_eq!(
            serde_json::from_str::<Value>(&json_text).expect("parses"),
            value
        );
        let yaml = render(&value, &settings(OutputFormat::Yaml), Some(80)).expect("yaml");
        assert!(yaml.contains("RequestId: r-1"), "{yaml}");
        assert!(yaml.contains("TotalCount: 2"), "{yaml}");
    }

    #[test]
    fn table_rows_come_from_the_response_list_and_columns_from_the_keys() {
        let out = render(&sample(), &settings(OutputFormat::Table), None).expect("table");
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 6, "{out}");
        assert!(
            lines[1].contains("Id") && lines[1].contains("Creator"),
            "{out}"
        );
        assert!(lines[3].contains("first") && lines[3].contains(r#"{"Name":"amy"}"#));
        // Every line is as wide as the rule (the CJK name counts two columns per character).
        let w = display_width(lines[0]);
        assert!(lines.iter().all(|l| display_width(l) == w), "{out}");
    }

    #[test]
    fn table_fits_the_width_and_columns_pick_paths() {
        let mut s = settings(OutputFormat::Table);
        s.columns = Some(vec!["Id".into(), "Creator.Name".into()]);
        let out = render(&sample(), &s, None).expect("table");
        assert!(out.contains("| Creator.Name |"), "{out}");
        assert!(out.contains("| amy "), "{out}");
        assert!(!out.contains("first"), "{out}");
        let wide = json!([{"Text": "x".repeat(200), "Id": 7}]);
        let out = render(&wide, &settings(OutputFormat::Table), Some(40)).expect("table");
        assert!(out.lines().all(|l| display_width(l) <= 40), "{out}");
        assert!(out.contains('…'), "{out}");
        assert!(out.contains("| 7 "), "{out}");
    }

    #[test]
    fn table_of_one_object_is_fields_and_values() {
        let value = json!({"RequestId": "r", "Data": {"Deployment": {"Status": 1}}});
        let out = render(&value, &settings(OutputFormat::Table), None).expect("table");
        assert!(out.contains("| Data.Deployment.Status | 1 "), "{out}");
    }

    #[test]
    fn text_is_tab_separated_and_scalars_are_bare() {
        let mut s = settings(OutputFormat::Text);
        s.columns = Some(vec!["Id".into(), "Name".into()]);
        let out = render(&sample(), &s, None).expect("text");
        assert_eq!(out, "1\tfirst\n2\t第二\n");
        let mut s = settings(OutputFormat::Text);
        s.query = Some(parse_query("Data.Deployments[].Name").expect("valid"));
        assert_eq!(render(&sample(), &s, None).expect("text"), "first\n第二\n");
        s.query = Some(parse_query("RequestId").expect("valid"));
        assert_eq!(render(&sample(), &s, None).expect("text"), "r-1\n");
        let tricky = json!([{"A": "a\tb\nc"}]);
        assert_eq!(
            render(&tricky, &settings(OutputFormat::Text), None).expect("text"),
            "a\\tb\\nc\n"
        );
    }

    #[test]
    fn the_query_applies_before_the_format() {
        let mut s = settings(OutputFormat::Json);
        s.query = Some(parse_query("Data.Deployments[?Status==`1`].Id").expect("valid"));
        assert_eq!(render(&sample(), &s, None).expect("json"), "[\n  1\n]\n");
        s.query = Some(parse_query("length(RequestId.nope)").expect("compiles"));
        assert!(render(&sample(), &s, None).is_err());
    }
}
