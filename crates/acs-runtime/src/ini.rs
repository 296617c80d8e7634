//! A minimal INI parser for `credentials.ini`: `[section]`, `key = value`, `;` and `#` comments.

/// A parse failure; it names the line but never echoes its content (it may hold a secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct IniError {
    pub(crate) line: usize,
    pub(crate) reason: &'static str,
}

/// Parsed INI content: sections in file order, keys lower-cased, values trimmed.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Ini {
    sections: Vec<(String, Vec<(String, String)>)>,
}

impl Ini {
    /// Parses INI text. Keys before the first section belong to the section named `""`.
    pub(crate) fn parse(text: &str) -> Result<Ini, IniError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut ini = Ini::default();
        for (index, raw) in text.lines().enumerate() {
            let line_no = index + 1;
            let line = raw.trim();
            if line.is_empty() || line.starts_with(';') || line.starts_with('#') {
                continue;
            }
            if let Some(rest) = line.strip_prefix('[') {
                let Some(name) = rest.strip_suffix(']') else {
                    return Err(IniError {
                        line: line_no,
                        reason: "section header without closing `]`",
                    });
                };
                let name = name.trim();
                if name.is_empty() {
                    return Err(IniError {
                        line: line_no,
                        reason: "empty section name",
                    });
                }
                ini.sections.push((name.to_string(), Vec::new()));
                continue;
            }
            let Some((key, value)) = line.split_once('=') else {
                return Err(IniError {
                    line: line_no,
                    reason: "expected `key = value`, `[section]` or a comment",
                });
            };
            let key = key.trim();
            if key.is_empty() {
                return Err(IniError {
                    line: line_no,
                    reason: "empty key before `=`",
                });
            }
            let value = strip_quotes(strip_inline_comment(value.trim()));
            if ini.sections.is_empty() {
                ini.sections.push((String::new(), Vec::new()));
            }
            if let Some((_, entries)) = ini.sections.last_mut() {
                entries.push((key.to_ascii_lowercase(), value.to_string()));
            }
        }
        Ok(ini)
    }

    /// Whether a section exists.
    pub(crate) fn has_section(&self, section: &str) -> bool {
        self.sections.iter().any(|(name, _)| name == section)
    }

    /// The value of `key` (case-insensitive) in `section`; the last occurrence wins, and a section
    /// repeated in the file is merged.
    pub(crate) fn get(&self, section: &str, key: &str) -> Option<&str> {
        let key = key.to_ascii_lowercase();
        self.sections
            .iter()
            .filter(|(name, _)| name == section)
            .flat_map(|(_, entries)| entries.iter())
            .filter(|(k, _)| *k == key)
            .map(|(_, v)| v.as_str())
            .next_back()
    }
}

/// Removes a trailing ` ; comment` or ` # comment` (the marker must follow whitespace, so values
/// containing `;` or `#` are kept intact).
fn strip_inline_comment(value: &str) -> &str {
    let bytes = value.as_bytes();
    for i in 1..bytes.len() {
        if (bytes[i] == b';' || bytes[i] == b'#') && bytes[i - 1].is_ascii_whitespace() {
            return value[..i].trim_end();
        }
    }
    value
}

fn strip_quotes(value: &str) -> &str {
    for q in ['"', '\''] {
        if value.len() >= 2 && value.starts_with(q) && value.ends_with(q) {
            return &value[1..value.len() - 1];
        }
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_keys_comments() {
        let text = "\u{feff}; top comment\n# another\n[default]\ntype = access_key\nAccess_Key_Id=  AK1  \naccess_key_secret = s;e#c ; trailing\n\n[other]\n type=ram_role_arn # note\nquoted = \"a b\"\n";
        let ini = Ini::parse(text).unwrap();
        assert!(ini.has_section("default"));
        assert!(ini.has_section("other"));
        assert!(!ini.has_section("missing"));
        assert_eq!(ini.get("default", "type"), Some("access_key"));
        assert_eq!(ini.get("default", "access_key_id"), Some("AK1"));
        assert_eq!(ini.get("default", "ACCESS_KEY_SECRET"), Some("s;e#c"));
        assert_eq!(ini.get("other", "type"), Some("ram_role_arn"));
        assert_eq!(ini.get("other", "quoted"), Some("a b"));
        assert_eq!(ini.get("other", "access_key_id"), None);
    }

    #[test]
    fn repeated_sections_merge_and_last_wins() {
        let ini = Ini::parse("[a]\nk=1\n[b]\nk=2\n[a]\nk=3\nj=4\n").unwrap();
        assert_eq!(ini.get("a", "k"), Some("3"));
        assert_eq!(ini.get("a", "j"), Some("4"));
        assert_eq!(ini.get("b", "k"), Some("2"));
    }

    #[test]
    fn keys_before_a_section_and_empty_values() {
        let ini = Ini::parse("k = v\n[s]\nempty =\n").unwrap();
        assert_eq!(ini.get("", "k"), Some("v"));
        assert_eq!(ini.get("s", "empty"), Some(""));
    }

    #[test]
    fn errors_name_the_line_without_content() {
        let err = Ini::parse("[ok]\nthis-is-a-secret-without-equals\n").unwrap_err();
        assert_eq!(err.line, 2);
        assert!(!err.reason.contains("secret"));
        assert_eq!(Ini::parse("[broken\n").unwrap_err().line, 1);
        assert_eq!(Ini::parse("[ ]\n").unwrap_err().line, 1);
        assert_eq!(Ini::parse("[s]\n = v\n").unwrap_err().line, 2);
    }

    #[test]
    fn crlf_line_endings() {
        let ini = Ini::parse("[default]\r\ntype = access_key\r\naccess_key_id = AK\r\n").unwrap();
        assert_eq!(ini.get("default", "access_key_id"), Some("AK"));
    }
}
