//! The decoding entry points and their error.

use crate::object::Object;
use crate::serde_impl::Root;
use crate::xml::strip_bom;
use std::fmt;

/// The format of a response body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// JSON.
    Json,
    /// XML.
    Xml,
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::Json => "JSON",
            Format::Xml => "XML",
        })
    }
}

/// A response body that could not be decoded.
#[derive(Debug)]
pub struct DecodeError {
    format: Format,
    message: String,
    position: Option<(usize, usize)>,
}

impl DecodeError {
    fn new(format: Format, message: String) -> Self {
        DecodeError {
            format,
            message,
            position: None,
        }
    }

    /// JSON or XML.
    pub fn format(&self) -> Format {
        self.format
    }

    /// What was wrong, with the path of the field when it is about one
    /// (`at Data.Deployment.Status: ...`).
    pub fn message(&self) -> &str {
        &self.message
    }

    /// 1-based line and column of the problem, when known (JSON).
    pub fn position(&self) -> Option<(usize, usize)> {
        self.position
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid {} response body: {}", self.format, self.message)?;
        if let Some((line, column)) = self.position {
            write!(f, " (line {line}, column {column})")?;
        }
        Ok(())
    }
}

impl std::error::Error for DecodeError {}

/// Decodes a JSON response body (a UTF-8 byte order mark is skipped).
pub fn from_json<T: Object>(body: &[u8]) -> Result<T, DecodeError> {
    let body = strip_bom(body);
    // A body that is valid UTF-8 as a whole (the usual case, checked at memory speed) is
    // parsed as text, so that serde_json need not check each string again; otherwise the
    // bytes are parsed, and a string that is read and is not UTF-8 is an error naming its
    // field, while one that is skipped does not matter.
    let decoded = match std::str::from_utf8(body) {
        Ok(text) => serde_json::from_str::<Root<T>>(text),
        Err(_) => serde_json::from_slice::<Root<T>>(body),
    };
    decoded.map(|root| root.0).map_err(|e| json_error(&e))
}

/// Decodes an XML response body (a UTF-8 byte order mark is skipped), in one pass over
/// quick-xml's pull reader. The root element's name is not checked. Bodies with a DTD
/// (`<!DOCTYPE ...>`) or more than [`MAX_XML_DEPTH`](crate::MAX_XML_DEPTH) nested elements
/// are rejected (the rules of [`check_xml_shape`](crate::check_xml_shape), applied to every
/// event as it is read); in the text that is decoded, entities other than the five predefined
/// ones are errors (elements the type does not know are skipped unread).
pub fn from_xml<T: Object>(body: &[u8]) -> Result<T, DecodeError> {
    let text = std::str::from_utf8(strip_bom(body)).map_err(|e| {
        DecodeError::new(
            Format::Xml,
            format!("the body is not valid UTF-8 (at byte {})", e.valid_up_to()),
        )
    })?;
    crate::xml_pull::decode(text).map_err(|e| DecodeError::new(Format::Xml, e.to_string()))
}

/// Decodes a body of either format through a value tree ([`from_value`](crate::from_value)):
/// the same values as [`from_json`] and [`from_xml`], with one small walk compiled per type
/// instead of a serde visitor (what a tool that decodes hundreds of types uses; a JSON body is
/// parsed once into a `serde_json::Value` first, which costs a little more time per call).
pub fn decode_tree<T: Object>(body: &[u8], format: Format) -> Result<T, DecodeError> {
    match format {
        Format::Xml => from_xml(body),
        Format::Json => {
            let tree: serde_json::Value =
                serde_json::from_slice(strip_bom(body)).map_err(|e| json_error(&e))?;
            crate::value::from_value(&tree)
                .map_err(|e| DecodeError::new(Format::Json, e.to_string()))
        }
    }
}

fn json_error(e: &serde_json::Error) -> DecodeError {
    let text = e.to_string();
    // serde_json appends the position; it is kept apart.
    let message = match text.rfind(" at line ") {
        Some(i) => text[..i].to_owned(),
        None => text,
    };
    DecodeError {
        format: Format::Json,
        message,
        position: (e.line() > 0).then(|| (e.line(), e.column())),
    }
}
