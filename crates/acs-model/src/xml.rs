//! Checks every XML body passes before a parser sees it, and the byte-order mark rule.

/// The body without a leading UTF-8 byte-order mark.
///
/// ```
/// assert_eq!(acs_model::strip_bom(b"\xEF\xBB\xBF{}"), b"{}");
/// assert_eq!(acs_model::strip_bom(b"{}"), b"{}");
/// ```
pub fn strip_bom(body: &[u8]) -> &[u8] {
    body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body)
}

/// Deepest element nesting accepted in an XML body (serde_json's recursion limit is 128 too).
pub const MAX_XML_DEPTH: usize = 128;

/// One linear pass over an XML body before a parser sees it: no DTD (`<!DOCTYPE`, so no
/// entity can be defined, expanded or fetched, and quick-xml 0.37's panic on a DOCTYPE
/// inside text cannot be reached) and at most [`MAX_XML_DEPTH`] nested elements (so no
/// decoder recursion can exhaust the stack). The error says what was found.
///
/// ```
/// use acs_model::check_xml_shape;
/// assert!(check_xml_shape("<R><A x='>'>1</A><!-- c --><![CDATA[<]]></R>").is_ok());
/// assert!(check_xml_shape("<!DOCTYPE r [<!ENTITY x 'y'>]><r/>").is_err());
/// assert!(check_xml_shape(&"<a>".repeat(129)).is_err());
/// ```
pub fn check_xml_shape(text: &str) -> Result<(), String> {
    let bytes = text.as_bytes();
    let mut depth: usize = 0;
    let mut i = 0;
    let skip_past =
        |from: usize, end: &[u8]| crate::xml_tokens::find(bytes, from, end).map(|p| p + end.len());
    while let Some(offset) = bytes[i..].iter().position(|&b| b == b'<') {
        let start = i + offset;
        let rest = &bytes[start + 1..];
        i = match rest.first() {
            Some(b'?') => skip_past(start, b"?>").ok_or("an unterminated processing instruction")?,
            Some(b'!') if rest.starts_with(b"!--") => {
                skip_past(start, b"-->").ok_or("an unterminated comment")?
            }
            Some(b'!') if rest.starts_with(b"![CDATA[") => {
                skip_past(start, b"]]>").ok_or("an unterminated CDATA section")?
            }
            Some(b'!') => {
                return Err(format!(
                    "a document type declaration or markup declaration at byte {start} (DTDs are not accepted)"
                ))
            }
            Some(b'/') => {
                depth = depth.saturating_sub(1);
                skip_past(start, b">").ok_or("an unterminated end tag")?
            }
            _ => {
                // A start tag: find its end outside quoted attribute values.
                let mut j = start + 1;
                let mut quote: Option<u8> = None;
                while j < bytes.len() {
                    match (quote, bytes[j]) {
                        (None, b'"' | b'\'') => quote = Some(bytes[j]),
                        (Some(q), b) if b == q => quote = None,
                        (None, b'>') => break,
                        _ => {}
                    }
                    j += 1;
                }
                if j >= bytes.len() {
                    return Err("an unterminated start tag".to_owned());
                }
                if bytes[j - 1] != b'/' {
                    depth += 1;
                    if depth > MAX_XML_DEPTH {
                        return Err(format!(
                            "elements nested deeper than {MAX_XML_DEPTH} levels"
                        ));
                    }
                }
                j + 1
            }
        };
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn depth_counts_open_elements_only() {
        let ok = format!("{}{}", "<a>".repeat(128), "</a>".repeat(128));
        assert!(check_xml_shape(&ok).is_ok());
        let siblings = "<a/>".repeat(1000);
        assert!(check_xml_shape(&siblings).is_ok());
        let deep = format!("{}{}", "<a>".repeat(129), "</a>".repeat(129));
        assert!(check_xml_shape(&deep).unwrap_err().contains("128"));
    }

    #[test]
    fn unterminated_markup_is_an_error() {
        for text in ["<a", "<?xml", "<!-- x", "<![CDATA[x", "</a"] {
            assert!(check_xml_shape(text).is_err(), "{text}");
        }
        assert!(check_xml_shape("<a b='<!DOCTYPE'>x</a>").is_ok());
        assert!(check_xml_shape("<a>x<!ENTITY y 'z'></a>").is_err());
    }
}
