//! The XML decoder behind [`from_xml`](crate::from_xml): one pass over quick-xml's events
//! (from [`Tokenizer`], which gives the events quick-xml's reader gives, for less work),
//! straight into the generated types (no serde, no tree, no text kept for later).
//!
//! Each element is read once: an [`Object`] gets its child elements one by one through its
//! generated `field` match, a scalar parses its text where it stands, and whatever a type does
//! not know is skipped event by event. The safety rules apply to every event read, skipped
//! or not: no DTD and at most [`MAX_XML_DEPTH`] open elements (what
//! [`check_xml_shape`](crate::check_xml_shape) checks before the other parsers).
//!
//! The values are those quick-xml's serde deserializer gave the same types (the decoder this
//! one replaced):
//! * text is trimmed of XML whitespace where it meets markup, its consecutive pieces (text and
//!   CDATA, with comments and processing instructions between them) are one value, and the
//!   five predefined entities and character references are unescaped; any other entity is an
//!   error;
//! * a scalar is the last text of its element (child elements are skipped); an empty element
//!   or blank text is absent;
//! * an object is made of its child elements by local name (attributes and text are ignored);
//!   an empty element is an empty object;
//! * a list takes one item per occurrence of its element, adjacent or not (an object item
//!   with no known field is no item);
//! * an object or any-JSON element with `xsi:nil="true"` is absent;
//! * a map and an any-JSON value also hold the attributes (as `@name`) and the text (as
//!   `$text`) of their element; an any-JSON element with text only is that text (a string, as
//!   the same value reads from JSON);
//! * attributes of every element that is read (not skipped) must be well-formed;
//! * whatever follows the root element is only checked with
//!   [`check_xml_shape`](crate::check_xml_shape).

use crate::object::{FieldSource, Item, Object, Scalar};
use crate::serde_impl::Expecting;
use crate::xml::{check_xml_shape, MAX_XML_DEPTH};
use crate::xml_tokens::Tokenizer;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::{PrefixDeclaration, QName};
use serde::de::{self, Error as _};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;
use std::mem::ManuallyDrop;

/// Decodes the body `text` (a BOM already removed, UTF-8 already checked) into `T`.
pub(crate) fn decode<T: Object>(text: &str) -> Result<T, XmlError> {
    let mut xml = XmlReader::new(text);
    loop {
        match xml.next_content()? {
            Content::Start(start) => {
                let out = read_object::<T>(&mut xml, &start)?;
                // What follows the root element is not decoded; it is checked as the whole
                // body was before the root was read.
                let rest = text.get(xml.position()..).unwrap_or_default();
                check_xml_shape(rest).map_err(XmlError::custom)?;
                return Ok(out);
            }
            Content::Empty(start) => {
                check_attributes(&start)?;
                let rest = text.get(xml.position()..).unwrap_or_default();
                check_xml_shape(rest).map_err(XmlError::custom)?;
                return Ok(T::default());
            }
            Content::Text(t, _) if t.trim().is_empty() => continue,
            Content::Text(t, _) => {
                return Err(XmlError::invalid_type(
                    de::Unexpected::Str(&t),
                    &ObjectExpected::<T>(PhantomData),
                ))
            }
            Content::End => return Err(XmlError::custom("an end tag without a start tag")),
            Content::Eof => return Err(XmlError::custom("no root element")),
        }
    }
}

/// A decoding error: what was wrong, with the path of the field (`at Data.Status: ...`).
#[derive(Debug)]
pub struct XmlError(Box<str>);

impl XmlError {
    /// Prefixes the field's wire name to the path of the error.
    #[cold]
    fn in_field(self, field: &str) -> XmlError {
        XmlError(crate::serde_impl::prefix_path(field, &self.0).into())
    }
}

impl fmt::Display for XmlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for XmlError {}

/// Serde's wording for the messages (`invalid value: string "x", expected a 32-bit integer`),
/// the same as the JSON decoder's.
impl de::Error for XmlError {
    #[cold]
    fn custom<M: fmt::Display>(msg: M) -> Self {
        XmlError(msg.to_string().into())
    }
}

impl From<quick_xml::Error> for XmlError {
    #[cold]
    fn from(e: quick_xml::Error) -> Self {
        match e {
            quick_xml::Error::Escape(e) => e.into(),
            e => XmlError::custom(e),
        }
    }
}

impl From<quick_xml::escape::EscapeError> for XmlError {
    #[cold]
    fn from(e: quick_xml::escape::EscapeError) -> Self {
        use quick_xml::escape::EscapeError;
        // quick-xml's own text starts with a byte range within the text (`at 1..4: ...`),
        // which would read as a field path here.
        match e {
            EscapeError::UnrecognizedEntity(_, name) => XmlError::custom(format_args!(
                "the entity `&{name};` is not one of the five predefined ones (DTDs are not accepted)"
            )),
            EscapeError::UnterminatedEntity(_) => {
                XmlError::custom("an `&` that does not start an entity or character reference")
            }
            EscapeError::InvalidCharRef(e) => {
                XmlError::custom(format_args!("invalid character reference: {e}"))
            }
        }
    }
}

impl From<quick_xml::events::attributes::AttrError> for XmlError {
    #[cold]
    fn from(e: quick_xml::events::attributes::AttrError) -> Self {
        XmlError::custom(format_args!("error while parsing attribute: {e}"))
    }
}

/// `a GetDeploymentResponse object`, for a root that is text.
struct ObjectExpected<T>(PhantomData<T>);

impl<T: Object> de::Expected for ObjectExpected<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a {} object", T::name())
    }
}

/// What an element holds, event by event, as the decoder sees it.
enum Content<'de> {
    /// A child element with content (its end tag follows later).
    Start(BytesStart<'de>),
    /// A child element without content (`<Name/>`).
    Empty(BytesStart<'de>),
    /// Text: consecutive text and CDATA pieces, trimmed where they meet markup, unescaped;
    /// `true` when the element's end tag followed (and was read).
    Text(Cow<'de, str>, bool),
    /// The end tag of the element being read.
    End,
    /// The end of the body.
    Eof,
}

/// The events of one body, with the safety rules checked on every event. Not a public API.
pub(crate) struct XmlReader<'de> {
    input: &'de str,
    reader: Tokenizer<'de>,
    /// An event read ahead (the one after a piece of text, to know where the text ends).
    peeked: Option<Event<'de>>,
    /// Elements open at the reader's position.
    depth: usize,
}

impl<'de> XmlReader<'de> {
    fn new(input: &'de str) -> Self {
        // As quick-xml's defaults: end tags must match their start tags, `<a/>` is one
        // event, text is given as is (trimmed here, where it meets markup).
        XmlReader {
            input,
            reader: Tokenizer::new(input),
            peeked: None,
            depth: 0,
        }
    }

    /// Byte offset after the last event read.
    fn position(&self) -> usize {
        self.reader.position()
    }

    /// `bytes`, which quick-xml borrowed from the input, as the input's own `&str`: the input
    /// was checked as UTF-8 once, and is not checked again piece by piece.
    #[inline]
    fn input_str(&self, bytes: &[u8]) -> Result<&'de str, XmlError> {
        let start = (bytes.as_ptr() as usize).wrapping_sub(self.input.as_ptr() as usize);
        start
            .checked_add(bytes.len())
            .and_then(|end| self.input.get(start..end))
            .ok_or_else(|| XmlError::custom("text that is not part of the body"))
    }

    /// The next event, with the safety rules applied. `trim` has the reader skip whitespace
    /// at the start of a text (and so not report text that is only whitespace).
    #[inline(always)]
    fn next_event(&mut self, trim: bool) -> Result<Event<'de>, XmlError> {
        let event = self.read(trim)?;
        self.check(&event)?;
        Ok(event)
    }

    /// The next event, not yet checked (see [`check`](Self::check)). The hot loops read
    /// events with this and match them by reference: moving an event out of its `Result`
    /// costs more than anything they do with it.
    #[inline(always)]
    fn read(&mut self, trim: bool) -> quick_xml::Result<Event<'de>> {
        if self.peeked.is_some() {
            return self.take_peeked();
        }
        self.reader.next(trim)
    }

    /// The safety rules, for every event read: no DTD, at most [`MAX_XML_DEPTH`] open
    /// elements.
    #[inline(always)]
    fn check(&mut self, event: &Event<'_>) -> Result<(), XmlError> {
        match event {
            Event::Start(_) => {
                self.depth += 1;
                if self.depth > MAX_XML_DEPTH {
                    return Err(too_deep());
                }
            }
            Event::End(_) => self.depth = self.depth.saturating_sub(1),
            Event::DocType(_) => return Err(self.doctype()),
            _ => {}
        }
        Ok(())
    }

    #[cold]
    fn take_peeked(&mut self) -> quick_xml::Result<Event<'de>> {
        Ok(self.peeked.take().unwrap_or(Event::Eof))
    }

    /// The next event, checked (see [`check`](Self::check)), for the hot loops, which match
    /// it by reference. It is not dropped where it is matched: the events of a reader over a
    /// borrowed `&str` only borrow from it (quick-xml allocates an event only to expand
    /// `<a/>`, which is off here), so their drop does nothing, yet it is a call per event.
    /// Whatever moves an event on takes it out with `ManuallyDrop::into_inner`.
    #[inline(always)]
    fn read_checked(&mut self, trim: bool) -> Result<ManuallyDrop<Event<'de>>, XmlError> {
        let event = match self.read(trim) {
            Ok(event) => ManuallyDrop::new(event),
            Err(e) => return Err(XmlError::custom(e)),
        };
        self.check(&event)?;
        Ok(event)
    }

    #[cold]
    fn doctype(&self) -> XmlError {
        XmlError::custom(format_args!(
            "a document type declaration at byte {} (DTDs are not accepted)",
            self.position()
        ))
    }

    /// The next thing in the current element: a child element, a run of text, or its end.
    /// Comments, processing instructions and the XML declaration are passed over.
    #[inline]
    fn next_content(&mut self) -> Result<Content<'de>, XmlError> {
        loop {
            // Whitespace before a text is not part of it.
            return Ok(match self.next_event(true)? {
                Event::Start(start) => Content::Start(start),
                Event::Empty(start) => Content::Empty(start),
                Event::End(_) => Content::End,
                Event::Text(piece) => {
                    let raw = self.input_str(&piece.into_inner())?;
                    self.text_run(raw, true)?
                }
                Event::CData(piece) => {
                    let raw = self.input_str(&piece.into_inner())?;
                    self.text_run(raw, false)?
                }
                Event::Eof => Content::Eof,
                _ => continue,
            });
        }
    }

    /// A run of text that starts with `first` (escaped text, or CDATA): the pieces of text
    /// and CDATA that follow it, with comments and processing instructions between them, are
    /// part of it; the end of the last piece of text is trimmed.
    #[inline]
    fn text_run(&mut self, first: &'de str, escaped: bool) -> Result<Content<'de>, XmlError> {
        if escaped {
            // The usual case: one piece of text, then the end tag.
            match self.next_event(false)? {
                Event::End(_) => return Ok(Content::Text(unescape(trim_xml_end(first))?, true)),
                other => self.unread(other),
            }
        }
        self.long_text_run(first, escaped)
    }

    /// [`text_run`](Self::text_run) past its first piece.
    #[inline(never)]
    fn long_text_run(&mut self, first: &'de str, escaped: bool) -> Result<Content<'de>, XmlError> {
        // The text so far, and the last piece of escaped text (unescaped and trimmed at its
        // end when the run ends, or unescaped when another piece follows).
        let mut text: Option<Cow<'de, str>> = None;
        let mut last: Option<&'de str> = None;
        if escaped {
            last = Some(first);
        } else {
            text = Some(Cow::Borrowed(first));
        }
        loop {
            // Whitespace after a piece of the run is part of the run.
            match self.next_event(false)? {
                Event::Text(piece) => {
                    let piece = self.input_str(&piece.into_inner())?;
                    if let Some(previous) = last.replace(piece) {
                        append(&mut text, unescape(previous)?);
                    }
                }
                Event::CData(piece) => {
                    let piece = self.input_str(&piece.into_inner())?;
                    if let Some(previous) = last.take() {
                        append(&mut text, unescape(previous)?);
                    }
                    append(&mut text, Cow::Borrowed(piece));
                }
                Event::Comment(_) | Event::PI(_) | Event::Decl(_) => {}
                other => {
                    if let Some(piece) = last {
                        append(&mut text, unescape(trim_xml_end(piece))?);
                    }
                    let text = text.unwrap_or_default();
                    if let Event::End(_) = other {
                        return Ok(Content::Text(text, true));
                    }
                    self.unread(other);
                    return Ok(Content::Text(text, false));
                }
            }
        }
    }

    /// Puts back an event that was read and checked: it is checked again when read again,
    /// so its depth change is undone.
    fn unread(&mut self, event: Event<'de>) {
        match &event {
            Event::Start(_) => self.depth -= 1,
            Event::End(_) => self.depth += 1,
            _ => {}
        }
        self.peeked = Some(event);
    }

    /// Text or CDATA among the fields of an object: read to the end of its run and ignored;
    /// `true` when the object's end tag followed.
    #[inline(never)]
    fn text_among_fields(&mut self, event: Event<'de>) -> Result<bool, XmlError> {
        // Put back (a text changes no depth) and read as any content is.
        self.unread(event);
        Ok(matches!(self.next_content()?, Content::Text(_, true)))
    }

    /// Skips the rest of an element whose start tag was just read, reading (and checking)
    /// every event of it.
    fn skip_element(&mut self) -> Result<(), XmlError> {
        let target = self.depth - 1;
        loop {
            match self.next_event(true)? {
                Event::End(_) if self.depth == target => return Ok(()),
                Event::Eof => return Err(unexpected_eof()),
                _ => {}
            }
        }
    }

    /// Skips the rest of an element and its text, as [`Content::Start`] or
    /// [`Content::Empty`] gave it.
    fn skip(&mut self, empty: bool) -> Result<(), XmlError> {
        if empty {
            Ok(())
        } else {
            self.skip_element()
        }
    }
}

/// Text with the five predefined entities and character references replaced; any other
/// entity is an error.
#[inline(always)]
fn unescape(raw: &str) -> Result<Cow<'_, str>, XmlError> {
    // Values are short: a plain loop beats a call to `memchr`.
    if raw.bytes().any(|b| b == b'&') {
        Ok(quick_xml::escape::unescape(raw)?)
    } else {
        Ok(Cow::Borrowed(raw))
    }
}

/// `text` without trailing XML whitespace (space, tab, CR, LF).
#[inline(always)]
fn trim_xml_end(text: &str) -> &str {
    let bytes = text.as_bytes();
    let mut end = bytes.len();
    while end > 0 && matches!(bytes[end - 1], b' ' | b'\t' | b'\r' | b'\n') {
        end -= 1;
    }
    // Cutting ASCII whitespace off keeps `text` valid UTF-8.
    text.get(..end).unwrap_or(text)
}

fn append<'de>(text: &mut Option<Cow<'de, str>>, piece: Cow<'de, str>) {
    match text {
        None => *text = Some(piece),
        Some(existing) => existing.to_mut().push_str(&piece),
    }
}

#[cold]
fn too_deep() -> XmlError {
    XmlError::custom(format_args!(
        "elements nested deeper than {MAX_XML_DEPTH} levels"
    ))
}

#[cold]
fn unexpected_eof() -> XmlError {
    XmlError::custom("unexpected end of the body inside an element")
}

/// Reads the attributes of an element that is decoded, so that malformed ones are errors.
#[inline(always)]
fn check_attributes(start: &BytesStart<'_>) -> Result<(), XmlError> {
    if start.attributes_raw().is_empty() {
        Ok(())
    } else {
        read_attributes(start)
    }
}

#[inline(never)]
fn read_attributes(start: &BytesStart<'_>) -> Result<(), XmlError> {
    for attribute in start.attributes() {
        attribute?;
    }
    Ok(())
}

/// Whether an element says it is null: `xsi:nil="true"` (or `"1"`), with `xsi` the
/// conventional prefix or one bound to the XML Schema instance namespace on the element.
fn is_nil(start: &BytesStart<'_>) -> bool {
    const XSI: &[u8] = b"http://www.w3.org/2001/XMLSchema-instance";
    if start.attributes_raw().is_empty() {
        return false;
    }
    let binds_xsi = |prefix: &[u8]| {
        prefix == b"xsi" || start.attributes().flatten().any(|a| {
            matches!(a.key.as_namespace_binding(), Some(PrefixDeclaration::Named(p)) if p == prefix)
                && a.value.as_ref() == XSI
        })
    };
    start.attributes().flatten().any(|a| {
        let (local, prefix) = a.key.decompose();
        local.as_ref() == b"nil"
            && a.as_bool() == Some(true)
            && prefix.is_some_and(|p| binds_xsi(p.as_ref()))
    })
}

/// The local name of an element or attribute (`a:Name` is `Name`), from the input.
#[inline]
fn local_name<'de>(xml: &XmlReader<'de>, name: QName<'_>) -> Result<&'de str, XmlError> {
    // Names are short: a plain search for the prefix separator beats `memchr` here.
    let name = name.into_inner();
    let local = match name.iter().position(|&b| b == b':') {
        Some(colon) => &name[colon + 1..],
        None => name,
    };
    xml.input_str(local)
}

/// An element about to be read: its start tag has been read (and its content follows, unless
/// it is empty). Not a public API.
pub struct Element<'a, 'de> {
    xml: &'a mut XmlReader<'de>,
    start: &'a BytesStart<'de>,
    empty: bool,
}

/// Reads the content of an object element whose start tag was just read, up to its end tag.
fn read_object<T: Object>(xml: &mut XmlReader<'_>, start: &BytesStart<'_>) -> Result<T, XmlError> {
    check_attributes(start)?;
    let mut out = T::default();
    read_fields(xml, &mut out)?;
    Ok(out)
}

/// The child elements of an object, each handed to the type's `field`, until the end tag.
fn read_fields<T: Object>(xml: &mut XmlReader<'_>, out: &mut T) -> Result<(), XmlError> {
    loop {
        // The events are matched where they are read, and by reference (see
        // `read_checked`): this loop runs once per field.
        let event = xml.read_checked(true)?;
        let (start, empty) = match &*event {
            Event::Start(start) => (start, false),
            Event::Empty(start) => (start, true),
            Event::End(_) => return Ok(()),
            Event::Text(_) | Event::CData(_) => {
                // Text among the fields is read (so that a bad entity is an error) and ignored.
                if xml.text_among_fields(ManuallyDrop::into_inner(event))? {
                    return Ok(());
                }
                continue;
            }
            Event::Eof => return Err(unexpected_eof()),
            _ => continue,
        };
        let name = local_name(xml, start.name())?;
        out.field(
            name,
            XmlField {
                name,
                element: Element {
                    xml: &mut *xml,
                    start,
                    empty,
                },
            },
        )?;
    }
}

impl<'de> Element<'_, 'de> {
    /// A scalar: the last text of the element (`None` for none); child elements skipped.
    #[inline]
    fn scalar<T: Scalar>(self) -> Result<Option<T>, XmlError> {
        check_attributes(self.start)?;
        if self.empty {
            return Ok(None);
        }
        // The usual case, matched where it is read (by reference, see `read_checked`): text,
        // then the end tag.
        let event = self.xml.read_checked(true)?;
        match &*event {
            Event::Text(piece) => {
                let raw = self.xml.input_str(piece)?;
                let next = self.xml.read_checked(false)?;
                match &*next {
                    Event::End(_) => scalar_from_text(&unescape(trim_xml_end(raw))?),
                    _ => {
                        self.xml.unread(ManuallyDrop::into_inner(next));
                        let first = self.xml.long_text_run(raw, true)?;
                        scalar_content(self.xml, first)
                    }
                }
            }
            Event::End(_) => Ok(None),
            _ => {
                self.xml.unread(ManuallyDrop::into_inner(event));
                let first = self.xml.next_content()?;
                scalar_content(self.xml, first)
            }
        }
    }

    /// Whether the element is marked `xsi:nil="true"`; if so, it is skipped.
    fn skip_if_nil(&mut self) -> Result<bool, XmlError> {
        if !is_nil(self.start) {
            return Ok(false);
        }
        check_attributes(self.start)?;
        self.xml.skip(self.empty)?;
        Ok(true)
    }

    /// An object: its child elements, read into `out` (a fresh object); an empty element is
    /// an empty object. Objects are filled where they are kept, not moved there.
    fn object_into<T: Object>(self, out: &mut T) -> Result<(), XmlError> {
        check_attributes(self.start)?;
        if !self.empty {
            read_fields(self.xml, out)?;
        }
        Ok(())
    }

    /// Every attribute (as `@name`, namespace bindings as `@xmlns:name`), text (as `$text`)
    /// and child element (by local name) of the element, in document order, to `entry`.
    fn entries(
        self,
        mut entry: impl FnMut(&str, Entry<'_, 'de>) -> Result<(), XmlError>,
    ) -> Result<(), XmlError> {
        for attribute in self.start.attributes() {
            let attribute = attribute?;
            let key = if attribute.key.as_namespace_binding().is_some() {
                format!("@{}", self.xml.input_str(attribute.key.into_inner())?)
            } else {
                format!("@{}", local_name(self.xml, attribute.key)?)
            };
            let value = attribute.unescape_value()?;
            entry(&key, Entry::Text(&value))?;
        }
        if self.empty {
            return Ok(());
        }
        loop {
            let (start, empty) = match self.xml.next_content()? {
                Content::Text(text, ended) => {
                    entry("$text", Entry::Text(&text))?;
                    if ended {
                        return Ok(());
                    }
                    continue;
                }
                Content::Start(start) => (start, false),
                Content::Empty(start) => (start, true),
                Content::End => return Ok(()),
                Content::Eof => return Err(unexpected_eof()),
            };
            let name = local_name(self.xml, start.name())?;
            entry(
                name,
                Entry::Element(Element {
                    xml: &mut *self.xml,
                    start: &start,
                    empty,
                }),
            )?;
        }
    }

    /// Any JSON value: an object of the element's attributes, text and child elements.
    fn any(self) -> Result<serde_json::Value, XmlError> {
        let mut map = serde_json::Map::new();
        self.entries(|key, entry| {
            let value = match entry {
                Entry::Text(text) => serde_json::Value::String(text.to_owned()),
                Entry::Element(element) => element.any()?,
            };
            map.insert(key.to_owned(), value);
            Ok(())
        })?;
        // An element with text only is that text, as the same value reads in JSON (a JSON
        // string field of an `any` schema; `<Data>{...}</Data>` in the documented samples).
        if map.len() == 1 {
            if let Some(serde_json::Value::String(text)) = map.get("$text") {
                return Ok(serde_json::Value::String(text.clone()));
            }
        }
        Ok(serde_json::Value::Object(map))
    }
}

/// The rest of a scalar's element from its content `first` on: the last text is the value.
#[inline(never)]
fn scalar_content<T: Scalar>(
    xml: &mut XmlReader<'_>,
    first: Content<'_>,
) -> Result<Option<T>, XmlError> {
    let mut value = None;
    let mut content = first;
    loop {
        match content {
            Content::Text(text, ended) => {
                value = scalar_from_text::<T>(&text)?;
                if ended {
                    return Ok(value);
                }
            }
            Content::Start(_) => xml.skip_element()?,
            Content::Empty(_) => {}
            Content::End => return Ok(value),
            Content::Eof => return Err(unexpected_eof()),
        }
        content = xml.next_content()?;
    }
}

/// One entry of a map or any-JSON element: attribute or text, or a child element.
enum Entry<'a, 'de> {
    Text(&'a str),
    Element(Element<'a, 'de>),
}

#[cold]
fn invalid_text<T: Scalar>(text: &str) -> XmlError {
    XmlError::invalid_value(de::Unexpected::Str(text), &Expecting::<T>(PhantomData))
}

/// A scalar from text, with the JSON decoder's error for text that is not one.
#[inline]
pub(crate) fn scalar_from_text<T: Scalar>(text: &str) -> Result<Option<T>, XmlError> {
    T::from_text(text).map_err(|_| invalid_text::<T>(text))
}

/// The value of one field of an object: its element. Each reader consumes the element up to
/// its end tag; an error gets the field's name in its path.
struct XmlField<'a, 'de> {
    name: &'de str,
    element: Element<'a, 'de>,
}

impl FieldSource for XmlField<'_, '_> {
    type Error = XmlError;

    #[inline]
    fn scalar<T: Scalar>(self, slot: &mut Option<T>) -> Result<(), XmlError> {
        let name = self.name;
        *slot = self.element.scalar().map_err(|e| e.in_field(name))?;
        Ok(())
    }

    #[inline(never)]
    fn object<T: Object>(mut self, slot: &mut Option<T>) -> Result<(), XmlError> {
        let name = self.name;
        if self.element.skip_if_nil().map_err(|e| e.in_field(name))? {
            *slot = None;
            return Ok(());
        }
        let out = slot.insert(T::default());
        self.element.object_into(out).map_err(|e| e.in_field(name))
    }

    #[inline(never)]
    fn list<T: Item>(self, slot: &mut Option<Vec<T>>) -> Result<(), XmlError> {
        let name = self.name;
        // Each occurrence of the element is one item, wherever it is among its siblings.
        <T::Kind as XmlItem<T>>::push_xml_element(self.element, slot.get_or_insert_with(Vec::new))
            .map_err(|e| e.in_field(name))
    }

    #[inline(never)]
    fn map<T: Item>(self, slot: &mut Option<BTreeMap<String, T>>) -> Result<(), XmlError> {
        let name = self.name;
        let mut out = BTreeMap::new();
        self.element
            .entries(|key, entry| {
                let value = match entry {
                    Entry::Text(text) => <T::Kind as XmlItem<T>>::from_xml_text(text, true)?,
                    Entry::Element(element) => {
                        <T::Kind as XmlItem<T>>::from_xml_element(element, true)?
                    }
                };
                if let Some(value) = value {
                    out.insert(key.to_owned(), value);
                }
                Ok(())
            })
            .map_err(|e| e.in_field(name))?;
        *slot = Some(out);
        Ok(())
    }

    #[inline(never)]
    fn any(mut self, slot: &mut Option<serde_json::Value>) -> Result<(), XmlError> {
        let name = self.name;
        *slot = if self.element.skip_if_nil().map_err(|e| e.in_field(name))? {
            None
        } else {
            Some(self.element.any().map_err(|e| e.in_field(name))?)
        };
        Ok(())
    }

    #[inline]
    fn skip(self) -> Result<(), XmlError> {
        self.element.xml.skip(self.element.empty)
    }

    /// Requests are not read from XML; a response's unknown field is skipped.
    fn unknown(self) -> Result<(), XmlError> {
        self.skip()
    }
}

/// How each kind of list item or map value is read from XML. Not a public API.
pub trait XmlItem<T> {
    /// One item from an element; `keep_empty` keeps an object with no known field (a map
    /// value) where a list drops it.
    fn from_xml_element(element: Element<'_, '_>, keep_empty: bool) -> Result<Option<T>, XmlError>;
    /// One item from an attribute or text (of a map); `keep_empty` as above.
    fn from_xml_text(text: &str, keep_empty: bool) -> Result<Option<T>, XmlError>;
    /// One item of a list from an element, added to `items` (unless it is no item).
    fn push_xml_element(element: Element<'_, '_>, items: &mut Vec<T>) -> Result<(), XmlError> {
        items.extend(Self::from_xml_element(element, false)?);
        Ok(())
    }
}

impl<T: Scalar> XmlItem<T> for crate::serde_impl::ScalarItem {
    fn from_xml_element(element: Element<'_, '_>, _: bool) -> Result<Option<T>, XmlError> {
        element.scalar()
    }
    fn from_xml_text(text: &str, _: bool) -> Result<Option<T>, XmlError> {
        scalar_from_text(text)
    }
}

impl<T: Object + PartialEq> XmlItem<T> for crate::serde_impl::ObjectItem {
    fn from_xml_element(element: Element<'_, '_>, keep_empty: bool) -> Result<Option<T>, XmlError> {
        let mut item = T::default();
        element.object_into(&mut item)?;
        Ok((keep_empty || item != T::default()).then_some(item))
    }
    /// Filled in the list, and taken out again when it has no known field.
    fn push_xml_element(element: Element<'_, '_>, items: &mut Vec<T>) -> Result<(), XmlError> {
        items.push(T::default());
        let filled = match items.last_mut() {
            Some(item) => {
                element.object_into(item)?;
                *item != T::default()
            }
            None => false,
        };
        if !filled {
            items.pop();
        }
        Ok(())
    }
    /// Only blank text is accepted, as an empty object.
    fn from_xml_text(text: &str, keep_empty: bool) -> Result<Option<T>, XmlError> {
        if text.trim().is_empty() {
            Ok(keep_empty.then(T::default))
        } else {
            Err(XmlError::invalid_type(
                de::Unexpected::Str(text),
                &ObjectExpected::<T>(PhantomData),
            ))
        }
    }
}

impl<T: Item> XmlItem<Vec<T>> for crate::serde_impl::ListItem {
    fn from_xml_element(element: Element<'_, '_>, _: bool) -> Result<Option<Vec<T>>, XmlError> {
        Ok(<T::Kind as XmlItem<T>>::from_xml_element(element, false)?.map(|one| vec![one]))
    }
    fn from_xml_text(text: &str, _: bool) -> Result<Option<Vec<T>>, XmlError> {
        Ok(<T::Kind as XmlItem<T>>::from_xml_text(text, false)?.map(|one| vec![one]))
    }
}

impl XmlItem<serde_json::Value> for crate::serde_impl::AnyItem {
    fn from_xml_element(
        element: Element<'_, '_>,
        _: bool,
    ) -> Result<Option<serde_json::Value>, XmlError> {
        element.any().map(Some)
    }
    /// Empty text is no value.
    fn from_xml_text(text: &str, _: bool) -> Result<Option<serde_json::Value>, XmlError> {
        Ok((!text.is_empty()).then(|| serde_json::Value::String(text.to_owned())))
    }
}

#[cfg(test)]
mod tests {
    //! The rules of the module docs, one case each. The values are those the serde-based
    //! decoder gave (it was run on every case and the two agreed, except where noted).
    use crate::{from_xml, FieldSource, Object};
    use serde_json::json;
    use std::collections::BTreeMap;

    #[derive(Debug, Default, PartialEq)]
    struct Inner {
        n: Option<i64>,
    }

    impl Object for Inner {
        fn field<F: FieldSource>(&mut self, name: &str, f: F) -> Result<(), F::Error> {
            match name {
                "N" => f.scalar(&mut self.n),
                _ => f.skip(),
            }
        }
    }

    #[derive(Debug, Default, PartialEq)]
    struct Doc {
        text: Option<String>,
        num: Option<i32>,
        inner: Option<Inner>,
        items: Option<Vec<Inner>>,
        nums: Option<Vec<i64>>,
        grid: Option<Vec<Vec<f64>>>,
        labels: Option<BTreeMap<String, String>>,
        extra: Option<serde_json::Value>,
    }

    impl Object for Doc {
        fn field<F: FieldSource>(&mut self, name: &str, f: F) -> Result<(), F::Error> {
            match name {
                "T" => f.scalar(&mut self.text),
                "Num" => f.scalar(&mut self.num),
                "Inner" => f.object(&mut self.inner),
                "Items" => f.list(&mut self.items),
                "Nums" => f.list(&mut self.nums),
                "Grid" => f.list(&mut self.grid),
                "Labels" => f.map(&mut self.labels),
                "Extra" => f.any(&mut self.extra),
                _ => f.skip(),
            }
        }
    }

    fn doc(body: &str) -> Doc {
        from_xml(body.as_bytes()).unwrap_or_else(|e| panic!("{body}: {e}"))
    }

    fn error(body: &str) -> String {
        match from_xml::<Doc>(body.as_bytes()) {
            Ok(doc) => panic!("{body} decoded: {doc:?}"),
            Err(e) => e.to_string(),
        }
    }

    fn text(content: &str) -> Option<String> {
        doc(&format!("<R><T>{content}</T></R>")).text
    }

    #[test]
    fn text_is_trimmed_where_it_meets_markup_and_its_pieces_are_one_value() {
        assert_eq!(text("  a  b \r\n").as_deref(), Some("a  b"));
        assert_eq!(text("a<!-- c -->b").as_deref(), Some("ab"));
        assert_eq!(text("a <!-- c --> b").as_deref(), Some("a  b"));
        assert_eq!(text("  <!-- c -->  b").as_deref(), Some("b"));
        assert_eq!(text("a<?pi x?>b").as_deref(), Some("ab"));
        assert_eq!(text("<![CDATA[ x ]]>  y  ").as_deref(), Some(" x   y"));
        assert_eq!(text("  y  <![CDATA[ x ]]>").as_deref(), Some("y   x "));
        assert_eq!(text("<![CDATA[<a>&amp;]]>").as_deref(), Some("<a>&amp;"));
        assert_eq!(
            text("&amp;&lt;&#65;&#x42;&quot;").as_deref(),
            Some("&<AB\"")
        );
        assert_eq!(text("成功").as_deref(), Some("成功"));
    }

    #[test]
    fn a_scalar_is_the_last_text_of_its_element_and_empty_is_absent() {
        assert_eq!(text("x<a>1</a>y").as_deref(), Some("y"));
        assert_eq!(text("x<a/>").as_deref(), Some("x"));
        assert_eq!(text(""), None);
        assert_eq!(text("  \n "), None);
        assert_eq!(doc("<R><T/></R>").text, None);
        // CDATA is text even when empty.
        assert_eq!(text("<![CDATA[]]>").as_deref(), Some(""));
        // A repeated scalar keeps the last occurrence.
        assert_eq!(doc("<R><T>a</T><T/></R>").text, None);
        assert_eq!(doc("<R><Num> 7 </Num></R>").num, Some(7));
        assert_eq!(doc("<R><Num>\n 7\n</Num></R>").num, Some(7));
    }

    #[test]
    fn errors_name_the_field_path() {
        assert_eq!(
            error("<R><Num>x</Num></R>"),
            "invalid XML response body: at Num: invalid value: string \"x\", expected a 32-bit integer"
        );
        assert!(error("<R><Inner><N>1.5</N></Inner></R>").contains("at Inner.N: "));
        assert!(error("<R><Items/><Items><N>x</N></Items></R>").contains("at Items.N: "));
        let e = error("<R><T>&bad;</T></R>");
        assert!(e.contains("at T: "), "{e}");
        assert!(error("<R><T a>x</T></R>").contains("at T: "));
        assert!(error("<R><T a='1' a='2'>x</T></R>").contains("at T: "));
        let e = error("<R><Labels a='&x;'/></R>");
        assert!(e.contains("at Labels: the entity `&x;` is not one"), "{e}");
        // A text root is not an object.
        assert!(error("x<R/>").contains("expected a Doc object"));
    }

    #[test]
    fn objects_lists_maps_and_any_values() {
        let d = doc("<R a='1'><Inner b='2'>t<N>1</N><Other><N>9</N></Other></Inner></R>");
        assert_eq!(d.inner, Some(Inner { n: Some(1) }));
        assert_eq!(doc("<R><Inner/></R>").inner, Some(Inner::default()));
        let d = doc("<a:R xmlns:a='u'><a:Inner><a:N>3</a:N></a:Inner></a:R>");
        assert_eq!(d.inner, Some(Inner { n: Some(3) }));
        let nil = "xmlns:xsi='http://www.w3.org/2001/XMLSchema-instance'";
        let d = doc(&format!(
            "<R><Inner xsi:nil='true' {nil}><N>1</N></Inner></R>"
        ));
        assert_eq!(d.inner, None);

        // Lists: one item per occurrence, adjacent or not; an object with no known field is
        // no item.
        let d = doc("<R><Items><N>1</N></Items><T>x</T><Items/><Items><N>2</N></Items></R>");
        let ns: Vec<Option<i64>> = d.items.unwrap_or_default().iter().map(|i| i.n).collect();
        assert_eq!(ns, vec![Some(1), Some(2)]);
        assert_eq!(doc("<R><Items/></R>").items, Some(vec![]));
        assert_eq!(
            doc("<R><Nums>1</Nums><Nums/><Nums>2</Nums></R>").nums,
            Some(vec![1, 2])
        );
        assert_eq!(
            doc("<R><Grid>1.5</Grid><Grid>2</Grid></R>").grid,
            Some(vec![vec![1.5], vec![2.0]])
        );

        // Maps and any-JSON values also keep attributes and text.
        let d = doc("<R><Labels a='1'>t<k>v</k><e/></Labels></R>");
        let want: BTreeMap<String, String> = [("@a", "1"), ("$text", "t"), ("k", "v")]
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .into();
        assert_eq!(d.labels, Some(want));
        let d = doc("<R><Extra a='&amp;'>t<k>v</k><k>w</k><j/></Extra></R>");
        let want = json!({"@a": "&", "$text": "t", "k": "w", "j": {}});
        assert_eq!(d.extra, Some(want));
        assert_eq!(doc("<R><Extra/></R>").extra, Some(json!({})));
    }

    #[test]
    fn unknown_elements_are_skipped_unread() {
        // Their text is not unescaped (the serde decoder checked the first piece of it).
        let d = doc("<R><U a>&bad;<x>&worse;</x></U><T>v</T></R>");
        assert_eq!(d.text.as_deref(), Some("v"));
        // But they are read: they must be well-formed and within the rules.
        assert!(error("<R><U><x></y></U></R>").contains("ill-formed"));
        assert!(error("<R><U><!DOCTYPE x></U></R>").contains("DTD"));
    }

    #[test]
    fn dtds_and_deep_nesting_are_rejected_everywhere() {
        assert!(error("<!DOCTYPE r [<!ENTITY x 'y'>]><R><T>&x;</T></R>").contains("DTD"));
        assert!(error("<R><T>a<!DOCTYPE x>b</T></R>").contains("DTD"));
        assert!(error("<R/><!DOCTYPE x>").contains("DTD"));
        let deep = |n: usize| format!("<R>{}{}</R>", "<a>".repeat(n), "</a>".repeat(n));
        assert!(from_xml::<Doc>(deep(127).as_bytes()).is_ok());
        assert!(error(&deep(128)).contains("deeper than 128"));
        let deep_field = format!("<R><Inner>{}</Inner></R>", "<x>".repeat(200));
        assert!(error(&deep_field).contains("at Inner: elements nested deeper than 128"));
    }

    #[test]
    fn the_body_is_one_root_element() {
        assert_eq!(
            doc("<?xml version='1.0'?><!-- c --><R><T>1</T></R>\n")
                .text
                .as_deref(),
            Some("1")
        );
        assert_eq!(doc("<R/>"), Doc::default());
        // What follows the root is checked, not decoded (as before).
        assert_eq!(
            doc("<R><T>1</T></R><X><T>2</T></X>").text.as_deref(),
            Some("1")
        );
        for bad in ["", "  ", "<R>", "<R><T>1</T>", "<R></X>", "<R/><a"] {
            let _ = error(bad);
        }
        // Blank CDATA before the root is passed over (the serde decoder took it for an empty
        // document).
        assert_eq!(
            doc("<![CDATA[ ]]><R><T>1</T></R>").text.as_deref(),
            Some("1")
        );
    }
}
