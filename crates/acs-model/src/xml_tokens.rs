//! The tokenizer under the XML decoder: quick-xml's events over one body held as `&str`, the
//! same events quick-xml's own reader gives for it (a test compares the two), for less work
//! per event.
//!
//! quick-xml's reader is general: it reads from any source through a state machine, copies
//! every start tag's name into a buffer of its own to check the end tag against it, and
//! starts a `memchr` search for the `>` a few bytes on. Here the whole body is in memory, so
//! the open elements are offsets into it, the usual tag is one pass over its name, an end
//! tag is compared with the open element's name where it stands, and the events borrow from
//! the body. The rules are quick-xml's with its default configuration (`Reader::from_str`,
//! whitespace at the start of a text skipped or not per read, as the decoder asks);
//! positions count from the start of the body (quick-xml's from after a byte-order mark):
//! * a text runs to the next `<` (or the end of the body);
//! * a tag ends at the first `>` outside a quoted attribute value; `<name .../>` is an empty
//!   element; the name is the tag's first word;
//! * an end tag must close the last open element (its name trimmed of trailing whitespace);
//! * `<!--` ... `-->`, `<![CDATA[` ... `]]>`, `<!DOCTYPE` ... `>` (with nested `<`/`>`
//!   balanced), `<?` ... `?>` (a declaration when it starts with `xml`);
//! * anything else after `<!`, and markup that does not end before the body does, is an
//!   error, with quick-xml's own error values.

use quick_xml::errors::{Error, IllFormedError, SyntaxError};
use quick_xml::events::{BytesCData, BytesDecl, BytesEnd, BytesPI, BytesStart, BytesText, Event};

/// XML whitespace (space, tab, CR, LF).
#[inline(always)]
const fn is_xml_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// The bytes that end a tag's name in the usual tag: whitespace, `>` and quotes (one table
/// lookup per byte of the name instead of seven comparisons).
static ENDS_NAME: [bool; 256] = {
    let mut table = [false; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        table[i] = is_xml_space(b) || matches!(b, b'>' | b'"' | b'\'');
        i += 1;
    }
    table
};

/// The offset of the first byte at or after `pos` that is not XML whitespace. Indentation
/// comes in runs of spaces: eight at a time while they last.
#[inline(always)]
fn skip_xml_space(bytes: &[u8], mut pos: usize) -> usize {
    const SPACES: u64 = u64::from_ne_bytes([b' '; 8]);
    while let Some(chunk) = bytes.get(pos..pos + 8) {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        if u64::from_ne_bytes(word) != SPACES {
            break;
        }
        pos += 8;
    }
    while pos < bytes.len() && is_xml_space(bytes[pos]) {
        pos += 1;
    }
    pos
}

/// The offset of the first `needle` in `bytes` at or after `from` (the ends of comments,
/// CDATA sections and processing instructions: rare and short, a plain search).
pub(crate) fn find(bytes: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    bytes
        .get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| from + p)
}

/// quick-xml's events over one body, read on demand.
pub(crate) struct Tokenizer<'de> {
    input: &'de str,
    /// Byte offset of the next thing to read.
    pos: usize,
    /// The names of the open elements, as (offset, length) in `input`.
    open: Vec<(usize, usize)>,
    /// The end of the body or an error was reached: only `Eof` follows (as with quick-xml).
    done: bool,
}

impl<'de> Tokenizer<'de> {
    pub(crate) fn new(input: &'de str) -> Self {
        Tokenizer {
            input,
            // quick-xml passes over a byte-order mark at the start.
            pos: if input.starts_with('\u{FEFF}') { 3 } else { 0 },
            open: Vec::new(),
            done: false,
        }
    }

    /// Byte offset after the last event read.
    pub(crate) fn position(&self) -> usize {
        self.pos
    }

    /// The next event; `trim` skips XML whitespace before a text (so that a text of only
    /// whitespace is no event).
    #[inline]
    pub(crate) fn next(&mut self, trim: bool) -> Result<Event<'de>, Error> {
        if self.done {
            return Ok(Event::Eof);
        }
        let bytes = self.input.as_bytes();
        let pos = if trim {
            skip_xml_space(bytes, self.pos)
        } else {
            self.pos
        };
        match bytes.get(pos) {
            None => {
                self.pos = pos;
                self.done = true;
                Ok(Event::Eof)
            }
            Some(b'<') => {
                let event = self.markup(pos);
                if event.is_err() {
                    self.done = true;
                }
                event
            }
            Some(_) => {
                let end = match bytes[pos..].iter().position(|&b| b == b'<') {
                    Some(n) => pos + n,
                    None => {
                        self.done = true;
                        bytes.len()
                    }
                };
                self.pos = end;
                Ok(Event::Text(BytesText::from_escaped(self.slice(pos, end))))
            }
        }
    }

    /// `input[start..end]`; both are offsets of ASCII markup bytes (or the ends of the body),
    /// so the slice is always on character boundaries.
    #[inline(always)]
    fn slice(&self, start: usize, end: usize) -> &'de str {
        self.input.get(start..end).unwrap_or_default()
    }

    /// The markup starting with the `<` at `lt`.
    #[inline]
    fn markup(&mut self, lt: usize) -> Result<Event<'de>, Error> {
        let bytes = self.input.as_bytes();
        match bytes.get(lt + 1) {
            None => Err(Error::Syntax(SyntaxError::UnclosedTag)),
            Some(b'/') => self.end_tag(lt),
            Some(b'!') => self.bang(lt),
            Some(b'?') => self.question_mark(lt),
            Some(_) => self.start_tag(lt),
        }
    }

    /// The offset of the `>` that ends the tag whose content starts at `from`: the first one
    /// outside a quoted attribute value.
    #[inline(always)]
    fn tag_end(&self, from: usize) -> Result<usize, Error> {
        let bytes = self.input.as_bytes();
        let mut i = from;
        while i < bytes.len() {
            match bytes[i] {
                b'>' => return Ok(i),
                quote @ (b'"' | b'\'') => {
                    i += 1;
                    while i < bytes.len() && bytes[i] != quote {
                        i += 1;
                    }
                }
                _ => {}
            }
            i += 1;
        }
        Err(Error::Syntax(SyntaxError::UnclosedTag))
    }

    /// `<name ...>` or `<name .../>`.
    #[inline(always)]
    fn start_tag(&mut self, lt: usize) -> Result<Event<'de>, Error> {
        let bytes = self.input.as_bytes();
        let start = lt + 1;
        // The usual tag is a name and `>`: one pass finds both.
        let mut name_end = start;
        while name_end < bytes.len() && !ENDS_NAME[usize::from(bytes[name_end])] {
            name_end += 1;
        }
        let gt = match bytes.get(name_end) {
            Some(b'>') => name_end,
            _ => self.tag_end(name_end)?,
        };
        if matches!(bytes.get(name_end), Some(b'"' | b'\'')) {
            // A quote within the name: the name is still the tag's first word.
            name_end = (name_end..gt)
                .find(|&i| is_xml_space(bytes[i]))
                .unwrap_or(gt);
        }
        self.pos = gt + 1;
        if gt > start && bytes[gt - 1] == b'/' {
            let content = self.slice(start, gt - 1);
            let name_len = (name_end - start).min(content.len());
            return Ok(Event::Empty(BytesStart::from_content(content, name_len)));
        }
        let name_len = name_end - start;
        self.open.push((start, name_len));
        Ok(Event::Start(BytesStart::from_content(
            self.slice(start, gt),
            name_len,
        )))
    }

    /// `</name>`: it must close the last open element.
    #[inline(always)]
    fn end_tag(&mut self, lt: usize) -> Result<Event<'de>, Error> {
        let bytes = self.input.as_bytes();
        let start = lt + 2;
        // The usual end tag: the name of the last open element and `>`.
        if let Some(&(open, len)) = self.open.last() {
            let end = start + len;
            if bytes.get(end) == Some(&b'>') && bytes.get(start..end) == bytes.get(open..open + len)
            {
                self.open.pop();
                self.pos = end + 1;
                return Ok(Event::End(BytesEnd::new(self.slice(start, end))));
            }
        }
        let gt = self.tag_end(start)?;
        self.pos = gt + 1;
        // Trailing whitespace is not part of the name (a name of only whitespace is kept).
        let name = match (start..gt).rev().find(|&i| !is_xml_space(bytes[i])) {
            Some(last) => self.slice(start, last + 1),
            None => self.slice(start, gt),
        };
        match self.open.pop() {
            Some((open, len)) => {
                let expected = self.slice(open, open + len);
                if name != expected {
                    return Err(Error::IllFormed(IllFormedError::MismatchedEndTag {
                        expected: expected.to_owned(),
                        found: name.to_owned(),
                    }));
                }
            }
            None => {
                return Err(Error::IllFormed(IllFormedError::UnmatchedEndTag(
                    name.to_owned(),
                )))
            }
        }
        Ok(Event::End(BytesEnd::new(name)))
    }

    /// The offset of the first `needle` in the input at or after `from`.
    fn find(&self, from: usize, needle: &[u8]) -> Option<usize> {
        find(self.input.as_bytes(), from, needle)
    }

    /// `<!--`, `<![CDATA[` or `<!DOCTYPE`.
    #[inline(never)]
    fn bang(&mut self, lt: usize) -> Result<Event<'de>, Error> {
        let bytes = self.input.as_bytes();
        // quick-xml decides by the byte after `!`, finds the end, then checks the opening.
        match bytes.get(lt + 2) {
            Some(b'-') => {
                // The shortest comment is `<!---->`: `-->` from the third byte after `<!`.
                let dashes = self
                    .find(lt + 4, b"-->")
                    .ok_or(Error::Syntax(SyntaxError::UnclosedComment))?;
                if bytes.get(lt + 3) != Some(&b'-') {
                    return Err(Error::Syntax(SyntaxError::UnclosedComment));
                }
                self.pos = dashes + 3;
                Ok(Event::Comment(BytesText::from_escaped(
                    self.slice(lt + 4, dashes),
                )))
            }
            Some(b'[') => {
                let brackets = self
                    .find(lt + 3, b"]]>")
                    .ok_or(Error::Syntax(SyntaxError::UnclosedCData))?;
                if !bytes[lt + 1..].starts_with(b"![CDATA[") {
                    return Err(Error::Syntax(SyntaxError::UnclosedCData));
                }
                self.pos = brackets + 3;
                Ok(Event::CData(BytesCData::new(self.slice(lt + 9, brackets))))
            }
            Some(b'D' | b'd') => {
                // Ends at the `>` that balances the `<`s inside it.
                let mut balance = 0usize;
                let mut gt = None;
                for (i, &b) in bytes.iter().enumerate().skip(lt + 2) {
                    match b {
                        b'<' => balance += 1,
                        b'>' if balance == 0 => {
                            gt = Some(i);
                            break;
                        }
                        b'>' => balance -= 1,
                        _ => {}
                    }
                }
                let gt = gt.ok_or(Error::Syntax(SyntaxError::UnclosedDoctype))?;
                self.pos = gt + 1;
                let keyword = bytes.get(lt + 2..lt + 9);
                if !keyword.is_some_and(|k| k.eq_ignore_ascii_case(b"DOCTYPE")) {
                    return Err(Error::Syntax(SyntaxError::UnclosedDoctype));
                }
                match (lt + 9..gt).find(|&i| !is_xml_space(bytes[i])) {
                    Some(name) => Ok(Event::DocType(BytesText::from_escaped(
                        self.slice(name, gt),
                    ))),
                    None => Err(Error::IllFormed(IllFormedError::MissingDoctypeName)),
                }
            }
            _ => Err(Error::Syntax(SyntaxError::InvalidBangMarkup)),
        }
    }

    /// `<?...?>`: the XML declaration or a processing instruction.
    #[inline(never)]
    fn question_mark(&mut self, lt: usize) -> Result<Event<'de>, Error> {
        // It ends at the first `?>`; in `<?>` that is the opening `?` (quick-xml's rule), an
        // unclosed instruction.
        let end = self
            .find(lt + 1, b"?>")
            .ok_or(Error::Syntax(SyntaxError::UnclosedPIOrXmlDecl))?;
        self.pos = end + 2;
        if end == lt + 1 {
            return Err(Error::Syntax(SyntaxError::UnclosedPIOrXmlDecl));
        }
        let content = self.slice(lt + 2, end);
        let c = content.as_bytes();
        if c.starts_with(b"xml") && (c.len() == 3 || is_xml_space(c[3])) {
            Ok(Event::Decl(BytesDecl::from_start(
                BytesStart::from_content(content, 3),
            )))
        } else {
            Ok(Event::PI(BytesPI::new(content)))
        }
    }
}

#[cfg(test)]
mod tests {
    //! The tokenizer against quick-xml's reader (`Reader::from_str`, the configuration the
    //! decoder used before): the same events, the same errors, the same positions after
    //! markup, for any mix of the pieces below and any choice of trimming per read.
    use super::*;
    use proptest::prelude::*;
    use quick_xml::Reader;

    /// Each read, as text: the event (or error) and, after markup, the position.
    fn quick_xml_reads(input: &str, trims: &[bool]) -> Vec<String> {
        let mut reader = Reader::from_str(input);
        let mut out = Vec::new();
        for &trim in trims.iter().chain(std::iter::repeat(&true)) {
            reader.config_mut().trim_text_start = trim;
            match reader.read_event() {
                Ok(Event::Eof) => break,
                Ok(event @ Event::Text(_)) => out.push(format!("{event:?}")),
                Ok(event) => out.push(format!("{event:?} @{}", reader.buffer_position())),
                Err(e) => {
                    out.push(format!("error: {e}"));
                    break;
                }
            }
        }
        out
    }

    fn tokenizer_reads(input: &str, trims: &[bool]) -> Vec<String> {
        let mut tokens = Tokenizer::new(input);
        // quick-xml counts positions after the byte-order mark; the tokenizer in the body.
        let bom = if input.starts_with('\u{FEFF}') { 3 } else { 0 };
        let mut out = Vec::new();
        for &trim in trims.iter().chain(std::iter::repeat(&true)) {
            match tokens.next(trim) {
                Ok(Event::Eof) => break,
                Ok(event @ Event::Text(_)) => out.push(format!("{event:?}")),
                Ok(event) => out.push(format!("{event:?} @{}", tokens.position() - bom)),
                Err(e) => {
                    out.push(format!("error: {e}"));
                    break;
                }
            }
        }
        out
    }

    fn same(input: &str, trims: &[bool]) {
        assert_eq!(
            tokenizer_reads(input, trims),
            quick_xml_reads(input, trims),
            "{input:?} with trims {trims:?}"
        );
    }

    #[test]
    fn documents_read_as_quick_xml_reads_them() {
        let documents = [
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<R><A>1</A>\n  <B x='>' y=\"a'b\">t &amp; u</B><C/><D />\n</R>\n",
            "<a:R xmlns:a='u'><a:N>3</a:N></a:R>",
            "<R><T>a<!-- c -->b<![CDATA[<x>]]><?pi x?></T></R>",
            "\u{FEFF}<R>成功</R>",
            "<!DOCTYPE r [<!ENTITY x 'y'>]><R/>",
            "<R></R >",
            "<R><!----><!---></R>-->",
        ];
        for doc in documents {
            for trims in [vec![true; 32], vec![false; 32]] {
                same(doc, &trims);
            }
        }
    }

    #[test]
    fn malformed_markup_gives_quick_xml_s_errors() {
        let documents = [
            "<",
            "<R",
            "<R x='>",
            "</R>",
            "<R></S>",
            "<R><!-",
            "<!-->",
            "<!--->",
            "<![CDATA[x",
            "<![CDATA]]>",
            "<!x>",
            "<!",
            "<!DOCTYPE>",
            "<!DOCTYPE",
            "<!DOCTYPEx>",
            "<?>",
            "<?x",
            "<??>",
            "<?xml?>",
            "<R></ >",
            "<></>",
            "<></ >",
            "<a\"b>\"></a\"b>",
        ];
        for doc in documents {
            same(doc, &[true; 8]);
            same(doc, &[false; 8]);
        }
    }

    const PIECES: &[&str] = &[
        "<a>",
        "</a>",
        "<b x='>' y=\"'\">",
        "</b>",
        "</b >",
        "<a/>",
        "<b />",
        "<a x/>",
        "<a/ >",
        "text",
        " ",
        "\n\t",
        "&amp;",
        "&bad;",
        "<!-- c -->",
        "<!--->",
        "<!---->",
        "-->",
        "<![CDATA[x]]>",
        "<![CDATA[",
        "]]>",
        "<?xml version='1.0'?>",
        "<?pi x?>",
        "<?>",
        "?>",
        "<!DOCTYPE r>",
        "<!doctype r [<!ENTITY x 'y'>]>",
        "<!x>",
        "<",
        ">",
        "'",
        "\"",
        "</ >",
        "<>",
        "</>",
        "成功",
        "\u{FEFF}",
        "/",
        "!",
        "?",
        "<!",
        "<!-",
        "<![",
        "<!D",
    ];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4096))]

        #[test]
        fn any_mix_of_pieces_reads_as_quick_xml_reads_it(
            pieces in proptest::collection::vec(proptest::sample::select(PIECES), 0..24),
            trims in proptest::collection::vec(any::<bool>(), 0..32),
        ) {
            let input = pieces.concat();
            prop_assert_eq!(
                tokenizer_reads(&input, &trims),
                quick_xml_reads(&input, &trims),
                "{:?} with trims {:?}", input, trims
            );
        }
    }
}
