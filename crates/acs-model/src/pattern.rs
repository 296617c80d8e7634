//! The `pattern` constraint of the spec: a small backtracking regular-expression matcher, so
//! that models need no regex engine (the official metadata has a handful of simple patterns).
//!
//! Supported, with the meaning of Java and JavaScript regular expressions (which the
//! metadata's patterns are written for): literals, `.`, classes `[a-z_]` and `[^...]` with
//! ranges, the escapes `\w \d \s \W \D \S \n \r \t \xHH \uHHHH` and escaped punctuation,
//! groups `( )` and `(?: )`, alternation `|`, the quantifiers `* + ? {m} {m,} {m,n}` (greedy),
//! and the anchors `^ $`. `\w` and `\d` are ASCII, as in Java. Anything else is an error when
//! the pattern is parsed, which `cargo xtask codegen` does for every pattern of the spec.

use std::fmt;

/// A parsed pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    node: Node,
}

/// Why a pattern cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatternError {
    /// Character offset in the pattern.
    pub at: usize,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for PatternError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at character {}: {}", self.at, self.message)
    }
}

impl std::error::Error for PatternError {}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Node {
    /// Any character but a line break (`.`).
    Any,
    Char(char),
    Class {
        negated: bool,
        items: Vec<ClassItem>,
    },
    Start,
    End,
    Group(Box<Node>),
    Concat(Vec<Node>),
    Alternate(Vec<Node>),
    Repeat {
        node: Box<Node>,
        min: u32,
        max: Option<u32>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ClassItem {
    Range(char, char),
    Word(bool),
    Digit(bool),
    Space(bool),
}

impl ClassItem {
    fn matches(self, c: char) -> bool {
        match self {
            ClassItem::Range(a, b) => (a..=b).contains(&c),
            ClassItem::Word(yes) => (c.is_ascii_alphanumeric() || c == '_') == yes,
            ClassItem::Digit(yes) => c.is_ascii_digit() == yes,
            ClassItem::Space(yes) => {
                matches!(c, ' ' | '\t' | '\n' | '\r' | '\u{b}' | '\u{c}') == yes
            }
        }
    }
}

impl Pattern {
    /// Parses `pattern`.
    pub fn parse(pattern: &str) -> Result<Pattern, PatternError> {
        let chars: Vec<char> = pattern.chars().collect();
        let mut parser = Parser { chars, pos: 0 };
        let node = parser.alternation()?;
        if parser.pos < parser.chars.len() {
            return Err(parser.error("unmatched `)`"));
        }
        Ok(Pattern { node })
    }

    /// Whether the pattern matches somewhere in `text` (anchor it with `^...$` to match the
    /// whole text).
    pub fn is_match(&self, text: &str) -> bool {
        let chars: Vec<char> = text.chars().collect();
        (0..=chars.len()).any(|start| {
            let mut steps = 0;
            match_node(&self.node, &chars, start, &mut steps, &mut |_, _| true)
        })
    }
}

/// Work limit of one match attempt: a pathological pattern stops instead of running for
/// ever (it then does not match).
const MAX_STEPS: u32 = 1_000_000;

struct Parser {
    chars: Vec<char>,
    pos: usize,
}

impl Parser {
    fn error(&self, message: &str) -> PatternError {
        PatternError {
            at: self.pos,
            message: message.to_owned(),
        }
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn alternation(&mut self) -> Result<Node, PatternError> {
        let mut branches = vec![self.concat()?];
        while self.peek() == Some('|') {
            self.pos += 1;
            branches.push(self.concat()?);
        }
        Ok(if branches.len() == 1 {
            branches.pop().unwrap_or(Node::Concat(Vec::new()))
        } else {
            Node::Alternate(branches)
        })
    }

    fn concat(&mut self) -> Result<Node, PatternError> {
        let mut items = Vec::new();
        while let Some(c) = self.peek() {
            if c == '|' || c == ')' {
                break;
            }
            let atom = self.atom()?;
            items.push(self.quantified(atom)?);
        }
        Ok(Node::Concat(items))
    }

    fn quantified(&mut self, atom: Node) -> Result<Node, PatternError> {
        let (min, max) = match self.peek() {
            Some('*') => (0, None),
            Some('+') => (1, None),
            Some('?') => (0, Some(1)),
            Some('{') => return self.braces(atom),
            _ => return Ok(atom),
        };
        self.pos += 1;
        if matches!(atom, Node::Start | Node::End) {
            return Err(self.error("a quantifier after an anchor"));
        }
        if matches!(self.peek(), Some('?' | '+')) {
            return Err(self.error("lazy and possessive quantifiers are not supported"));
        }
        Ok(Node::Repeat {
            node: Box::new(atom),
            min,
            max,
        })
    }

    fn braces(&mut self, atom: Node) -> Result<Node, PatternError> {
        let start = self.pos;
        self.pos += 1;
        let number = |p: &mut Parser| -> Option<u32> {
            let begin = p.pos;
            while p.peek().is_some_and(|c| c.is_ascii_digit()) {
                p.pos += 1;
            }
            p.chars[begin..p.pos]
                .iter()
                .collect::<String>()
                .parse()
                .ok()
        };
        let Some(min) = number(self) else {
            return Err(PatternError {
                at: start,
                message: "`{` must start a repetition such as {2} or {1,3} (escape it as \\{)"
                    .into(),
            });
        };
        let max = if self.peek() == Some(',') {
            self.pos += 1;
            if self.peek() == Some('}') {
                None
            } else {
                Some(number(self).ok_or_else(|| self.error("expected a number"))?)
            }
        } else {
            Some(min)
        };
        if self.peek() != Some('}') {
            return Err(self.error("expected `}`"));
        }
        self.pos += 1;
        if max.is_some_and(|m| m < min) {
            return Err(self.error("the repetition's maximum is below its minimum"));
        }
        Ok(Node::Repeat {
            node: Box::new(atom),
            min,
            max,
        })
    }

    fn atom(&mut self) -> Result<Node, PatternError> {
        let Some(c) = self.peek() else {
            return Err(self.error("unexpected end"));
        };
        self.pos += 1;
        Ok(match c {
            '^' => Node::Start,
            '$' => Node::End,
            '.' => Node::Any,
            '(' => {
                if self.peek() == Some('?') {
                    if self.chars.get(self.pos + 1) == Some(&':') {
                        self.pos += 2;
                    } else {
                        return Err(self.error("only (?: ...) groups are supported"));
                    }
                }
                let inner = self.alternation()?;
                if self.peek() != Some(')') {
                    return Err(self.error("missing `)`"));
                }
                self.pos += 1;
                Node::Group(Box::new(inner))
            }
            '[' => self.class()?,
            '\\' => match self.escape()? {
                Escaped::Char(c) => Node::Char(c),
                Escaped::Class(item) => Node::Class {
                    negated: false,
                    items: vec![item],
                },
            },
            '*' | '+' | '?' => {
                self.pos -= 1;
                return Err(self.error("a quantifier with nothing before it"));
            }
            c => Node::Char(c),
        })
    }

    fn class(&mut self) -> Result<Node, PatternError> {
        let negated = self.peek() == Some('^');
        if negated {
            self.pos += 1;
        }
        let mut items = Vec::new();
        let mut first = true;
        loop {
            let Some(c) = self.peek() else {
                return Err(self.error("missing `]`"));
            };
            self.pos += 1;
            if c == ']' && !first {
                break;
            }
            first = false;
            let low = match c {
                '\\' => match self.escape()? {
                    Escaped::Char(c) => c,
                    Escaped::Class(item) => {
                        items.push(item);
                        continue;
                    }
                },
                '[' => return Err(self.error("nested classes are not supported")),
                c => c,
            };
            if self.peek() == Some('-') && self.chars.get(self.pos + 1).is_some_and(|c| *c != ']') {
                self.pos += 1;
                let high = match self.peek() {
                    Some('\\') => {
                        self.pos += 1;
                        match self.escape()? {
                            Escaped::Char(c) => c,
                            Escaped::Class(_) => return Err(self.error("a class in a range")),
                        }
                    }
                    Some(c) => {
                        self.pos += 1;
                        c
                    }
                    None => return Err(self.error("missing `]`")),
                };
                if high < low {
                    return Err(self.error("a range whose end is below its start"));
                }
                items.push(ClassItem::Range(low, high));
            } else {
                items.push(ClassItem::Range(low, low));
            }
        }
        Ok(Node::Class { negated, items })
    }

    fn hex(&mut self, digits: usize) -> Result<char, PatternError> {
        let end = self.pos + digits;
        let text: String = self
            .chars
            .get(self.pos..end)
            .unwrap_or_default()
            .iter()
            .collect();
        let value = u32::from_str_radix(&text, 16)
            .ok()
            .filter(|_| text.len() == digits)
            .and_then(char::from_u32)
            .ok_or_else(|| self.error("a hexadecimal escape needs valid hex digits"))?;
        self.pos = end;
        Ok(value)
    }

    fn escape(&mut self) -> Result<Escaped, PatternError> {
        let Some(c) = self.peek() else {
            return Err(self.error("a `\\` at the end"));
        };
        self.pos += 1;
        Ok(match c {
            'w' => Escaped::Class(ClassItem::Word(true)),
            'W' => Escaped::Class(ClassItem::Word(false)),
            'd' => Escaped::Class(ClassItem::Digit(true)),
            'D' => Escaped::Class(ClassItem::Digit(false)),
            's' => Escaped::Class(ClassItem::Space(true)),
            'S' => Escaped::Class(ClassItem::Space(false)),
            'n' => Escaped::Char('\n'),
            'r' => Escaped::Char('\r'),
            't' => Escaped::Char('\t'),
            'f' => Escaped::Char('\u{c}'),
            'v' => Escaped::Char('\u{b}'),
            '0' => Escaped::Char('\0'),
            'x' => Escaped::Char(self.hex(2)?),
            'u' => Escaped::Char(self.hex(4)?),
            c if c.is_ascii_punctuation() => Escaped::Char(c),
            _ => {
                self.pos -= 1;
                return Err(self.error("unsupported escape"));
            }
        })
    }
}

enum Escaped {
    Char(char),
    Class(ClassItem),
}

/// Matches `node` at `pos`, then calls `next` with the position after it; backtracks through
/// the alternatives until `next` accepts one.
fn match_node(
    node: &Node,
    text: &[char],
    pos: usize,
    steps: &mut u32,
    next: &mut dyn FnMut(usize, &mut u32) -> bool,
) -> bool {
    *steps += 1;
    if *steps > MAX_STEPS {
        return false;
    }
    match node {
        Node::Any => {
            text.get(pos).is_some_and(|c| !matches!(c, '\n' | '\r')) && next(pos + 1, steps)
        }
        Node::Char(c) => text.get(pos) == Some(c) && next(pos + 1, steps),
        Node::Class { negated, items } => {
            text.get(pos)
                .is_some_and(|c| items.iter().any(|i| i.matches(*c)) != *negated)
                && next(pos + 1, steps)
        }
        Node::Start => pos == 0 && next(pos, steps),
        Node::End => pos == text.len() && next(pos, steps),
        Node::Group(inner) => match_node(inner, text, pos, steps, next),
        Node::Alternate(branches) => branches
            .iter()
            .any(|b| match_node(b, text, pos, steps, next)),
        Node::Concat(items) => match_seq(items, text, pos, steps, next),
        Node::Repeat { node, min, max } => {
            match_repeat(node, *min, *max, 0, text, pos, steps, next)
        }
    }
}

fn match_seq(
    items: &[Node],
    text: &[char],
    pos: usize,
    steps: &mut u32,
    next: &mut dyn FnMut(usize, &mut u32) -> bool,
) -> bool {
    match items.split_first() {
        None => next(pos, steps),
        Some((first, rest)) => match_node(first, text, pos, steps, &mut |p, s| {
            match_seq(rest, text, p, s, next)
        }),
    }
}

#[allow(clippy::too_many_arguments)]
fn match_repeat(
    node: &Node,
    min: u32,
    max: Option<u32>,
    count: u32,
    text: &[char],
    pos: usize,
    steps: &mut u32,
    next: &mut dyn FnMut(usize, &mut u32) -> bool,
) -> bool {
    // Greedy: one more repetition first (unless it matched nothing), then stop here.
    if max.is_none_or(|m| count < m)
        && match_node(node, text, pos, steps, &mut |p, s| {
            p > pos && match_repeat(node, min, max, count + 1, text, p, s, next)
        })
    {
        return true;
    }
    count >= min && next(pos, steps)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(pattern: &str, text: &str) -> bool {
        Pattern::parse(pattern)
            .unwrap_or_else(|e| panic!("{pattern}: {e}"))
            .is_match(text)
    }

    #[test]
    fn the_metadata_pattern() {
        // RunManualDagNodes.ProjectName / FlowName.
        let p = r"^([^\x00-\xff]|[\w.,;/@\n-])+$";
        assert!(m(p, "my_flow-1.2,a;b/c@d"));
        assert!(m(p, "业务流程"));
        assert!(m(p, "line\nbreak"));
        assert!(!m(p, ""));
        assert!(!m(p, "with space"));
        assert!(!m(p, "é"));
        assert!(!m(p, "a*b"));
    }

    #[test]
    fn the_usual_constructs() {
        assert!(m("^a{2,3}$", "aaa"));
        assert!(!m("^a{2,3}$", "aaaa"));
        assert!(m("^(?:ab|cd)*$", "abcdab"));
        assert!(m(r"\d+", "x12"));
        assert!(!m(r"^\d+$", "x12"));
        assert!(m("^[^a-c]$", "d"));
        assert!(m(r"^\u00e9$", "é"));
        assert!(m("^a.c$", "abc"));
        assert!(m(r"^[a\-]+$", "a-a"));
        assert!(m("^(a|ab)c$", "abc"));
        assert!(m("", "anything"));
    }

    #[test]
    fn unsupported_patterns_are_errors_with_a_position() {
        for (pattern, at) in [
            ("(?=a)", 1),
            ("a**", 2),
            ("[a", 2),
            (r"\p{L}", 1),
            ("a{x}", 1),
            ("(a", 2),
        ] {
            let e = Pattern::parse(pattern).expect_err(pattern);
            assert_eq!(e.at, at, "{pattern}: {e}");
        }
    }

    #[test]
    fn pathological_patterns_stop() {
        let p = Pattern::parse("^(a+)+$").unwrap();
        assert!(!p.is_match(&format!("{}b", "a".repeat(40))));
    }
}
