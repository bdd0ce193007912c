//! A faithful re-implementation of the parts of Go's `encoding/json` that the
//! KubeOpenCode controller uses on `OPENCODE_CONFIG_CONTENT`.
//!
//! # Why Go semantics and not `serde_json`
//!
//! The controller (written in Go) merges `{"experimental":{"openTelemetry":true}}`
//! into the value of the `OPENCODE_CONFIG_CONTENT` environment variable with
//! `json.Unmarshal` into `map[string]interface{}` followed by `json.Marshal`.
//! To predict (and to undo) what it writes we must reproduce its output byte
//! for byte, and Go's behaviour differs from a typical Rust JSON library in
//! several observable ways:
//!
//! * every number becomes a `float64` (precision is lost, `1.0` becomes `1`,
//!   `1e3` becomes `1000`, large magnitudes use Go's exponent format such as
//!   `1e+21`), and a number overflowing `float64` makes decoding fail;
//! * objects become maps: duplicate keys keep the last value and keys are
//!   re-emitted sorted byte-wise at every level;
//! * the encoder escapes `<`, `>`, `&`, U+2028 and U+2029 (HTML-safe output)
//!   and uses lower-case `\u00XX` escapes for other control characters;
//! * a lone UTF-16 surrogate in a `\uXXXX` escape decodes to U+FFFD;
//! * JSON `null` decodes into a *nil* map without error, which makes the
//!   controller's subsequent map assignment panic.
//!
//! Decoding is iterative (an explicit stack instead of recursion) and, like
//! Go's scanner, rejects nesting deeper than [`MAX_NESTING_DEPTH`]. Encoding is
//! iterative as well.
//!
//! The module is pure: no I/O, no printing, no panics.

use std::collections::{BTreeMap, btree_map};
use std::fmt;

/// Maximum nesting depth of arrays/objects accepted by the decoder.
///
/// Go's `encoding/json` scanner uses the same limit (`maxNestingDepth`):
/// 10,000 nested containers are accepted, 10,001 are a syntax error.
pub const MAX_NESTING_DEPTH: usize = 10_000;

/// A value as Go's encoding/json decodes it into interface{}.
#[derive(Debug, Clone, PartialEq)]
pub enum GoValue {
    /// `nil`.
    Null,
    /// `bool`.
    Bool(bool),
    /// `float64` (every JSON number; never infinite or NaN when decoded).
    Number(f64),
    /// `string`.
    String(String),
    /// `[]interface{}`.
    Array(Vec<GoValue>),
    /// `map[string]interface{}`; `BTreeMap` orders keys byte-wise, exactly
    /// like the order in which `json.Marshal` emits map keys.
    Object(BTreeMap<String, GoValue>),
}

impl GoValue {
    /// Drops the value without recursion.
    ///
    /// Ordinary drop glue and the derived `Clone`, `PartialEq` and `Debug`
    /// implementations recurse once per nesting level; values close to
    /// [`MAX_NESTING_DEPTH`] can exhaust a small (e.g. 2 MiB test-thread)
    /// stack in unoptimised builds when dropped normally. Everything in this module releases values with this method,
    /// and callers holding deeply nested values from [`decode`] may too.
    pub fn drop_iteratively(self) {
        let mut pending = vec![self];
        while let Some(value) = pending.pop() {
            match value {
                GoValue::Array(items) => pending.extend(items.into_iter().filter(is_container)),
                GoValue::Object(map) => pending.extend(map.into_values().filter(is_container)),
                _ => {}
            }
        }
    }
}

/// Whether dropping `v` may recurse (non-empty array or object).
fn is_container(v: &GoValue) -> bool {
    match v {
        GoValue::Array(items) => !items.is_empty(),
        GoValue::Object(map) => !map.is_empty(),
        _ => false,
    }
}

/// Why a text could not be decoded the way Go's `json.Unmarshal` would.
///
/// Messages imitate Go's (`invalid character 'x' looking for beginning of
/// value`, `unexpected end of JSON input`, ...) but are informational only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    /// Human-readable description of the error.
    pub message: String,
}

impl DecodeError {
    fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
        }
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for DecodeError {}

/// json.Unmarshal(s, &interface{}) semantics (validation, last-wins duplicates, float64 numbers).
///
/// # Errors
///
/// Returns a [`DecodeError`] whenever Go's `json.Unmarshal` into an
/// `interface{}` fails: invalid JSON (including anything but whitespace
/// after the value), nesting deeper than [`MAX_NESTING_DEPTH`], or a number
/// outside the float64 range.
pub fn decode(s: &str) -> Result<GoValue, DecodeError> {
    Parser::new(s).parse_document()
}

/// json.Marshal semantics (compact, sorted keys, Go escaping, Go float formatting).
///
/// Keys come out sorted byte-wise (the `BTreeMap` order, as Go sorts map
/// keys); strings are escaped with Go's HTML-safe rules.
///
/// Go's `json.Marshal` refuses non-finite floats; [`decode`] never produces
/// them, and should a caller construct one it is written as `null`.
#[must_use]
pub fn encode(v: &GoValue) -> String {
    let mut out = String::new();
    encode_into(&mut out, v);
    out
}

/// What mergeOpenCodeConfigContent does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Merge {
    /// The merged (or replacing) JSON text the controller would write.
    Value(String),
    /// `existing` is JSON `null`: the controller panics (nil-map assignment).
    ExistingIsNull,
}

/// Reproduces the controller's `mergeOpenCodeConfigContent(existing, additional)`:
///
/// ```go
/// var existingMap map[string]interface{}
/// if err := json.Unmarshal([]byte(existing), &existingMap); err != nil { return additional }
/// var additionalMap map[string]interface{}
/// if err := json.Unmarshal([]byte(additional), &additionalMap); err != nil { return existing }
/// for k, v := range additionalMap { existingMap[k] = v }
/// merged, _ := json.Marshal(existingMap)
/// return string(merged)
/// ```
///
/// The merge is shallow (top-level keys of `additional` replace whole values).
/// When `existing` is `null` the map is nil: assigning into it panics in Go
/// ([`Merge::ExistingIsNull`]) unless `additional` has no keys at all, in
/// which case the nil map is marshalled as `null`.
#[must_use]
pub fn merge_config_content(existing: &str, additional: &str) -> Merge {
    let Ok(existing_map) = decode_map(existing) else {
        return Merge::Value(additional.to_owned());
    };
    let Ok(additional_map) = decode_map(additional) else {
        if let Some(map) = existing_map {
            GoValue::Object(map).drop_iteratively();
        }
        return Merge::Value(existing.to_owned());
    };
    match (existing_map, additional_map) {
        (Some(mut merged), additional_map) => {
            for (key, value) in additional_map.unwrap_or_default() {
                if let Some(replaced) = merged.insert(key, value) {
                    replaced.drop_iteratively();
                }
            }
            let merged = GoValue::Object(merged);
            let text = encode(&merged);
            merged.drop_iteratively();
            Merge::Value(text)
        }
        (None, Some(additional_map)) if !additional_map.is_empty() => {
            GoValue::Object(additional_map).drop_iteratively();
            Merge::ExistingIsNull
        }
        (None, _) => Merge::Value("null".to_owned()),
    }
}

/// Inverse used when injection is removed: if `value` decodes to a JSON object whose top-level key
/// `key` equals `expected` (GoValue equality), return Some(re-encoded object without that key);
/// otherwise None. Examples (key "experimental", expected {"openTelemetry":true}):
/// `{"experimental":{"openTelemetry":true},"instructions":["x"]}` -> Some(`{"instructions":["x"]}`),
/// `{"experimental":{"openTelemetry":true}}` -> Some(`{}`), `{"a":1}` -> None, `not json` -> None.
#[must_use]
pub fn remove_top_level_key(value: &str, key: &str, expected: &GoValue) -> Option<String> {
    let mut map = match decode(value).ok()? {
        GoValue::Object(map) => map,
        other => {
            other.drop_iteratively();
            return None;
        }
    };
    let removed = if map.get(key) == Some(expected) {
        map.remove(key)
    } else {
        None
    };
    let map = GoValue::Object(map);
    let result = removed.map(|removed| {
        removed.drop_iteratively();
        encode(&map)
    });
    map.drop_iteratively();
    result
}

/// `json.Unmarshal` into a `map[string]interface{}`: `Ok(None)` is the nil
/// map that JSON `null` produces; any other non-object value is an error.
fn decode_map(s: &str) -> Result<Option<BTreeMap<String, GoValue>>, DecodeError> {
    match decode(s)? {
        GoValue::Object(map) => Ok(Some(map)),
        GoValue::Null => Ok(None),
        other => {
            let kind = go_kind_name(&other);
            other.drop_iteratively();
            Err(DecodeError::new(format!(
                "json: cannot unmarshal {kind} into Go value of type map[string]interface {{}}"
            )))
        }
    }
}

/// The JSON kind names Go uses in `UnmarshalTypeError` messages.
fn go_kind_name(v: &GoValue) -> &'static str {
    match v {
        GoValue::Null => "null",
        GoValue::Bool(_) => "bool",
        GoValue::Number(_) => "number",
        GoValue::String(_) => "string",
        GoValue::Array(_) => "array",
        GoValue::Object(_) => "object",
    }
}

// ---------------------------------------------------------------------------
// Decoding
// ---------------------------------------------------------------------------

/// A container whose contents are still being parsed.
enum Frame {
    Array(Vec<GoValue>),
    /// The map built so far and the key whose value is being parsed.
    Object(BTreeMap<String, GoValue>, String),
}

impl Frame {
    /// Moves the finished container out (leaving an empty one behind).
    fn take_value(&mut self) -> GoValue {
        match self {
            Frame::Array(items) => GoValue::Array(std::mem::take(items)),
            Frame::Object(map, _) => GoValue::Object(std::mem::take(map)),
        }
    }
}

impl Drop for Frame {
    /// Partially built containers are discarded on errors; do it without recursion.
    fn drop(&mut self) {
        self.take_value().drop_iteratively();
    }
}

struct Parser<'a> {
    src: &'a str,
    bytes: &'a [u8],
    pos: usize,
    /// First "type" error (a number overflowing float64). Like Go, it is only
    /// reported if the whole input is syntactically valid.
    deferred: Option<DecodeError>,
}

impl<'a> Parser<'a> {
    fn new(src: &'a str) -> Self {
        Self {
            src,
            bytes: src.as_bytes(),
            pos: 0,
            deferred: None,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    /// Skips JSON whitespace: space, tab, newline and carriage return only.
    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    fn eof_error() -> DecodeError {
        DecodeError::new("unexpected end of JSON input")
    }

    /// Go-style syntax error for the character at the current position
    /// (or end-of-input if there is none).
    fn invalid_char(&self, context: &str) -> DecodeError {
        match self
            .src
            .get(self.pos..)
            .and_then(|rest| rest.chars().next())
        {
            None => Self::eof_error(),
            Some(c) => {
                let quoted = match c {
                    '\'' => "'\\''".to_owned(),
                    '"' => "'\"'".to_owned(),
                    c => format!("'{}'", c.escape_default()),
                };
                DecodeError::new(format!(
                    "invalid character {quoted} {context} (offset {})",
                    self.pos
                ))
            }
        }
    }

    fn slice(&self, start: usize, end: usize) -> Result<&'a str, DecodeError> {
        self.src
            .get(start..end)
            .ok_or_else(|| DecodeError::new("internal error: slice not on a character boundary"))
    }

    /// Parses the whole input as one JSON value surrounded by optional whitespace.
    fn parse_document(mut self) -> Result<GoValue, DecodeError> {
        let mut stack: Vec<Frame> = Vec::new();
        self.skip_ws();
        'value: loop {
            // Parse one value, or the opening of a non-empty container.
            let mut value = match self.peek() {
                None => return Err(Self::eof_error()),
                Some(b'{') => {
                    self.open_container(stack.len())?;
                    if self.peek() == Some(b'}') {
                        self.pos += 1;
                        GoValue::Object(BTreeMap::new())
                    } else {
                        let key = self.parse_key()?;
                        stack.push(Frame::Object(BTreeMap::new(), key));
                        continue 'value;
                    }
                }
                Some(b'[') => {
                    self.open_container(stack.len())?;
                    if self.peek() == Some(b']') {
                        self.pos += 1;
                        GoValue::Array(Vec::new())
                    } else {
                        stack.push(Frame::Array(Vec::new()));
                        continue 'value;
                    }
                }
                Some(b'"') => GoValue::String(self.parse_string()?),
                Some(b't') => {
                    self.expect_literal("true")?;
                    GoValue::Bool(true)
                }
                Some(b'f') => {
                    self.expect_literal("false")?;
                    GoValue::Bool(false)
                }
                Some(b'n') => {
                    self.expect_literal("null")?;
                    GoValue::Null
                }
                Some(b'-' | b'0'..=b'9') => self.parse_number()?,
                Some(_) => return Err(self.invalid_char("looking for beginning of value")),
            };

            // Store the completed value in its container; every container that
            // ends right after it completes in turn.
            loop {
                self.skip_ws();
                let Some(mut frame) = stack.pop() else {
                    let error = if self.pos < self.bytes.len() {
                        Some(self.invalid_char("after top-level value"))
                    } else {
                        self.deferred.take()
                    };
                    return match error {
                        Some(err) => {
                            value.drop_iteratively();
                            Err(err)
                        }
                        None => Ok(value),
                    };
                };
                match &mut frame {
                    Frame::Array(items) => {
                        items.push(value);
                        match self.peek() {
                            Some(b',') => {
                                self.pos += 1;
                                self.skip_ws();
                                stack.push(frame);
                                continue 'value;
                            }
                            Some(b']') => self.pos += 1,
                            _ => return Err(self.invalid_char("after array element")),
                        }
                    }
                    Frame::Object(map, key) => {
                        // Last occurrence of a duplicate key wins, as in Go.
                        if let Some(replaced) = map.insert(std::mem::take(key), value) {
                            replaced.drop_iteratively();
                        }
                        match self.peek() {
                            Some(b',') => {
                                self.pos += 1;
                                self.skip_ws();
                                *key = self.parse_key()?;
                                stack.push(frame);
                                continue 'value;
                            }
                            Some(b'}') => self.pos += 1,
                            _ => return Err(self.invalid_char("after object key:value pair")),
                        }
                    }
                }
                value = frame.take_value();
            }
        }
    }

    /// Consumes `{` or `[` (and following whitespace) after checking the depth limit.
    fn open_container(&mut self, open: usize) -> Result<(), DecodeError> {
        if open >= MAX_NESTING_DEPTH {
            return Err(self.invalid_char("exceeded max depth"));
        }
        self.pos += 1;
        self.skip_ws();
        Ok(())
    }

    /// Parses `"key"` `:` and the whitespace around the colon.
    fn parse_key(&mut self) -> Result<String, DecodeError> {
        if self.peek() != Some(b'"') {
            return Err(self.invalid_char("looking for beginning of object key string"));
        }
        let key = self.parse_string()?;
        self.skip_ws();
        if self.peek() != Some(b':') {
            return Err(self.invalid_char("after object key"));
        }
        self.pos += 1;
        self.skip_ws();
        Ok(key)
    }

    fn expect_literal(&mut self, literal: &str) -> Result<(), DecodeError> {
        for (i, expected) in literal.bytes().enumerate() {
            match self.peek() {
                Some(b) if b == expected => self.pos += 1,
                _ => {
                    let context = if i == 0 {
                        "looking for beginning of value".to_owned()
                    } else {
                        format!(
                            "in literal {literal} (expecting '{}')",
                            char::from(expected)
                        )
                    };
                    return Err(self.invalid_char(&context));
                }
            }
        }
        Ok(())
    }

    fn skip_digits(&mut self) {
        while let Some(b'0'..=b'9') = self.peek() {
            self.pos += 1;
        }
    }

    /// Requires at least one digit, then skips the rest.
    fn expect_digits(&mut self) -> Result<(), DecodeError> {
        match self.peek() {
            Some(b'0'..=b'9') => {
                self.skip_digits();
                Ok(())
            }
            _ => Err(self.invalid_char("in numeric literal")),
        }
    }

    /// Parses an RFC 8259 number and converts it like Go's
    /// `strconv.ParseFloat(s, 64)` (correctly rounded; underflow gives ±0,
    /// overflow is an `UnmarshalTypeError`).
    fn parse_number(&mut self) -> Result<GoValue, DecodeError> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => self.skip_digits(),
            _ => return Err(self.invalid_char("in numeric literal")),
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            self.expect_digits()?;
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            self.expect_digits()?;
        }
        let text = self.slice(start, self.pos)?;
        let number: f64 = text
            .parse()
            .map_err(|_| DecodeError::new(format!("invalid number literal {text}")))?;
        if number.is_finite() {
            Ok(GoValue::Number(number))
        } else {
            if self.deferred.is_none() {
                self.deferred = Some(DecodeError::new(format!(
                    "json: cannot unmarshal number {text} into Go value of type float64"
                )));
            }
            Ok(GoValue::Null)
        }
    }

    /// Parses a string literal starting at the opening quote.
    fn parse_string(&mut self) -> Result<String, DecodeError> {
        self.pos += 1; // opening quote
        let mut out = String::new();
        let mut start = self.pos;
        loop {
            match self.peek() {
                None => return Err(Self::eof_error()),
                Some(b'"') => {
                    out.push_str(self.slice(start, self.pos)?);
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    out.push_str(self.slice(start, self.pos)?);
                    self.pos += 1;
                    self.parse_escape(&mut out)?;
                    start = self.pos;
                }
                Some(0x00..=0x1f) => return Err(self.invalid_char("in string literal")),
                Some(_) => self.pos += 1,
            }
        }
    }

    /// Parses the escape sequence after a backslash and appends its character.
    fn parse_escape(&mut self, out: &mut String) -> Result<(), DecodeError> {
        let c = match self.peek() {
            None => return Err(Self::eof_error()),
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => {
                self.pos += 1;
                let unit = self.parse_hex4()?;
                out.push(self.finish_unicode_escape(unit));
                return Ok(());
            }
            Some(_) => return Err(self.invalid_char("in string escape code")),
        };
        self.pos += 1;
        out.push(c);
        Ok(())
    }

    /// Turns the code unit of a `\uXXXX` escape into a character the way Go's
    /// `unquote` does: a high surrogate immediately followed by a `\u` escape
    /// of a low surrogate forms a pair (both are consumed); any other
    /// surrogate becomes U+FFFD and the following text is parsed normally.
    fn finish_unicode_escape(&mut self, unit: u32) -> char {
        if (0xD800..0xDC00).contains(&unit)
            && let Some(low) = self.peek_unicode_escape()
            && (0xDC00..0xE000).contains(&low)
        {
            self.pos += 6;
            let code = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
            return char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER);
        }
        char::from_u32(unit).unwrap_or(char::REPLACEMENT_CHARACTER)
    }

    /// The code unit of a well-formed `\uXXXX` at the current position, without consuming it.
    fn peek_unicode_escape(&self) -> Option<u32> {
        let &[b'\\', b'u', ref hex @ ..] = self.bytes.get(self.pos..self.pos + 6)? else {
            return None;
        };
        hex.iter()
            .try_fold(0u32, |acc, &b| Some(acc * 16 + hex_value(b)?))
    }

    /// Parses exactly four hex digits.
    fn parse_hex4(&mut self) -> Result<u32, DecodeError> {
        let mut unit = 0u32;
        for _ in 0..4 {
            match self.peek() {
                None => return Err(Self::eof_error()),
                Some(b) => match hex_value(b) {
                    Some(digit) => {
                        unit = unit * 16 + digit;
                        self.pos += 1;
                    }
                    None => {
                        return Err(self.invalid_char("in \\u hexadecimal character escape"));
                    }
                },
            }
        }
        Ok(unit)
    }
}

fn hex_value(b: u8) -> Option<u32> {
    char::from(b).to_digit(16)
}

// ---------------------------------------------------------------------------
// Encoding
// ---------------------------------------------------------------------------

/// A container being written by [`encode_into`].
enum EncodeFrame<'a> {
    Array {
        items: std::slice::Iter<'a, GoValue>,
        first: bool,
    },
    Object {
        entries: btree_map::Iter<'a, String, GoValue>,
        first: bool,
    },
}

/// Writes `root` compactly, iteratively (no recursion, so any depth is fine).
fn encode_into(out: &mut String, root: &GoValue) {
    let mut stack: Vec<EncodeFrame<'_>> = Vec::new();
    let mut next = Some(root);
    loop {
        if let Some(value) = next.take() {
            match value {
                GoValue::Null => out.push_str("null"),
                GoValue::Bool(true) => out.push_str("true"),
                GoValue::Bool(false) => out.push_str("false"),
                GoValue::Number(n) => write_float(out, *n),
                GoValue::String(s) => write_string(out, s),
                GoValue::Array(items) => {
                    out.push('[');
                    stack.push(EncodeFrame::Array {
                        items: items.iter(),
                        first: true,
                    });
                }
                GoValue::Object(map) => {
                    out.push('{');
                    stack.push(EncodeFrame::Object {
                        entries: map.iter(),
                        first: true,
                    });
                }
            }
        }
        let Some(frame) = stack.last_mut() else {
            return;
        };
        match frame {
            EncodeFrame::Array { items, first } => match items.next() {
                Some(item) => {
                    if !std::mem::replace(first, false) {
                        out.push(',');
                    }
                    next = Some(item);
                }
                None => {
                    out.push(']');
                    stack.pop();
                }
            },
            EncodeFrame::Object { entries, first } => match entries.next() {
                Some((key, item)) => {
                    if !std::mem::replace(first, false) {
                        out.push(',');
                    }
                    write_string(out, key);
                    out.push(':');
                    next = Some(item);
                }
                None => {
                    out.push('}');
                    stack.pop();
                }
            },
        }
    }
}

/// Writes a float64 like Go's `encoding/json` float encoder: the shortest
/// decimal that round-trips, in plain notation unless `abs < 1e-6` or
/// `abs >= 1e21` (zero excluded), where Go uses
/// `strconv.FormatFloat(f, 'e', -1, 64)` and then shortens a single-digit
/// negative exponent (`e-07` → `e-7`), giving e.g. `1e+21`, `1.5e-7`.
fn write_float(out: &mut String, f: f64) {
    use std::fmt::Write as _;
    if !f.is_finite() {
        // json.Marshal fails on these; decode never produces them.
        out.push_str("null");
        return;
    }
    let Some(decimal) = ShortestDecimal::new(f) else {
        // Unreachable in practice (Rust's `{:e}` output is always parseable);
        // Display still gives the shortest round-trip digits.
        let _ = write!(out, "{f}");
        return;
    };
    let abs = f.abs();
    if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        decimal.write_exponent(out);
    } else {
        decimal.write_plain(out);
    }
}

/// Shortest round-trip decimal digits of a finite float64, rounded like Go.
///
/// Rust's shortest formatting and Go's `strconv` agree on the number of
/// digits and, almost always, on the digits themselves. They differ when the
/// float lies exactly halfway between the two closest shortest candidates
/// (e.g. 1979399392505838.25, shortest length 17): Rust rounds half up
/// (`…838.3`), Go rounds half to even (`…838.2`) provided the even candidate
/// still round-trips. Rust's fixed-precision formatting rounds the exact
/// value half to even, so it supplies Go's candidate.
struct ShortestDecimal {
    negative: bool,
    /// Significant digits, no leading or trailing zeros ("0" for zero).
    digits: String,
    /// Decimal exponent of the first digit: value = 0.d1d2d3… × 10^(exponent + 1).
    exponent: i32,
}

impl ShortestDecimal {
    fn new(f: f64) -> Option<Self> {
        let shortest = Self::parse_rust_exp(&format!("{f:e}"))?;
        if shortest.digits.len() > 1 {
            let precision = shortest.digits.len() - 1;
            let half_even = format!("{f:.precision$e}");
            if half_even.parse::<f64>().ok() == Some(f)
                && let Some(candidate) = Self::parse_rust_exp(&half_even)
            {
                return Some(candidate);
            }
        }
        Some(shortest)
    }

    /// Parses Rust's `{:e}` output, e.g. `-1.25e-7`, `3e21`, `0e0`.
    fn parse_rust_exp(text: &str) -> Option<Self> {
        let (negative, text) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let (mantissa, exponent) = text.split_once('e')?;
        let exponent: i32 = exponent.parse().ok()?;
        let mut digits: String = mantissa.chars().filter(|&c| c != '.').collect();
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        while digits.len() > 1 && digits.ends_with('0') {
            digits.pop();
        }
        Some(Self {
            negative,
            digits,
            exponent,
        })
    }

    /// Go's `'e'` format with JSON's exponent clean-up: `d[.ddd]e±XX`,
    /// negative exponents without a leading zero.
    fn write_exponent(&self, out: &mut String) {
        use std::fmt::Write as _;
        if self.negative {
            out.push('-');
        }
        let (first, rest) = self.digits.split_at(1);
        out.push_str(first);
        if !rest.is_empty() {
            out.push('.');
            out.push_str(rest);
        }
        if self.exponent < 0 {
            let _ = write!(out, "e-{}", self.exponent.unsigned_abs());
        } else {
            let _ = write!(out, "e+{:02}", self.exponent);
        }
    }

    /// Go's `'f'` format with shortest precision: no exponent, no trailing
    /// zeros after the point, no point for integers.
    fn write_plain(&self, out: &mut String) {
        if self.negative {
            out.push('-');
        }
        let digits = self.digits.as_str();
        if self.exponent < 0 {
            out.push_str("0.");
            for _ in 0..self.exponent.unsigned_abs() - 1 {
                out.push('0');
            }
            out.push_str(digits);
            return;
        }
        let integer_len = usize::try_from(self.exponent)
            .unwrap_or(usize::MAX)
            .saturating_add(1);
        match digits.split_at_checked(integer_len) {
            Some((integer, fraction)) => {
                out.push_str(integer);
                if !fraction.is_empty() {
                    out.push('.');
                    out.push_str(fraction);
                }
            }
            None => {
                out.push_str(digits);
                for _ in digits.len()..integer_len {
                    out.push('0');
                }
            }
        }
    }
}

/// Writes a string literal with Go's escaping (`escapeHTML` on).
fn write_string(out: &mut String, s: &str) {
    out.push('"');
    let mut start = 0;
    for (i, c) in s.char_indices() {
        let short = match c {
            '"' => "\\\"",
            '\\' => "\\\\",
            '\n' => "\\n",
            '\r' => "\\r",
            '\t' => "\\t",
            '\u{8}' => "\\b",
            '\u{c}' => "\\f",
            '\u{0}'..='\u{1f}' | '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => "",
            _ => continue,
        };
        out.push_str(s.get(start..i).unwrap_or_default());
        start = i + c.len_utf8();
        if short.is_empty() {
            let code = u32::from(c);
            out.push_str("\\u");
            for shift in [12, 8, 4, 0] {
                // Lower-case hex digits, as Go writes them.
                out.extend(char::from_digit((code >> shift) & 0xF, 16));
            }
        } else {
            out.push_str(short);
        }
    }
    out.push_str(s.get(start..).unwrap_or_default());
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(entries: &[(&str, GoValue)]) -> GoValue {
        GoValue::Object(
            entries
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.clone()))
                .collect(),
        )
    }

    fn s(text: &str) -> GoValue {
        GoValue::String(text.to_owned())
    }

    fn otel() -> GoValue {
        obj(&[("openTelemetry", GoValue::Bool(true))])
    }

    fn float(f: f64) -> String {
        encode(&GoValue::Number(f))
    }

    /// Decodes a number literal and re-encodes it.
    fn renumber(literal: &str) -> String {
        encode(&decode(literal).unwrap())
    }

    #[test]
    fn conformance_vectors() {
        let text = include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/testdata/conformance/helpers.json"
        ));
        let all: serde_json::Value = serde_json::from_str(text).unwrap();
        let mut count = 0;
        for case in all.as_array().unwrap() {
            if case["helper"] != "mergeOpenCodeConfigContent" {
                continue;
            }
            let existing = case["input"]["existing"].as_str().unwrap();
            let additional = case["input"]["additional"].as_str().unwrap();
            let expected = match &case["output"] {
                serde_json::Value::String(out) => Merge::Value(out.clone()),
                serde_json::Value::Object(o) if o.contains_key("panic") => Merge::ExistingIsNull,
                other => panic!("unexpected output {other}"),
            };
            assert_eq!(
                merge_config_content(existing, additional),
                expected,
                "vector {case}"
            );
            count += 1;
        }
        assert!(count >= 16, "only {count} vectors found");
    }

    #[test]
    fn merge_edge_cases() {
        let add = r#"{"experimental":{"openTelemetry":true}}"#;
        // Both invalid: `additional` is returned verbatim.
        assert_eq!(merge_config_content("x", "y"), Merge::Value("y".to_owned()));
        // `additional` null: nil map, nothing merged, existing re-marshalled.
        assert_eq!(
            merge_config_content(r#"{ "b":1,"a":2 }"#, "null"),
            Merge::Value(r#"{"a":2,"b":1}"#.to_owned())
        );
        // Nil existing map with nothing to assign: no panic, marshals as null.
        assert_eq!(
            merge_config_content("null", "{}"),
            Merge::Value("null".to_owned())
        );
        assert_eq!(
            merge_config_content(" null ", "null"),
            Merge::Value("null".to_owned())
        );
        assert_eq!(merge_config_content("null", add), Merge::ExistingIsNull);
        // Existing null but additional invalid: existing returned verbatim.
        assert_eq!(
            merge_config_content(" null", "[]"),
            Merge::Value(" null".to_owned())
        );
        // Overflowing number in existing: Unmarshal fails.
        assert_eq!(
            merge_config_content(r#"{"a":1e400}"#, add),
            Merge::Value(add.to_owned())
        );
        // Additional with a number is re-encoded Go-style.
        assert_eq!(
            merge_config_content("{}", r#"{"n":1E+2}"#),
            Merge::Value(r#"{"n":100}"#.to_owned())
        );
    }

    #[test]
    fn string_escapes() {
        let cases: &[(&str, &str)] = &[
            ("plain", r#""plain""#),
            ("\"", r#""\"""#),
            ("\\", r#""\\""#),
            ("\n", r#""\n""#),
            ("\r", r#""\r""#),
            ("\t", r#""\t""#),
            ("\u{8}", r#""\b""#),
            ("\u{c}", r#""\f""#),
            ("\u{0}", r#""\u0000""#),
            ("\u{1}\u{1f}", r#""\u0001\u001f""#),
            ("\u{b}", r#""\u000b""#),
            ("\u{1b}", r#""\u001b""#),
            ("<", r#""\u003c""#),
            (">", r#""\u003e""#),
            ("&", r#""\u0026""#),
            ("\u{2028}", r#""\u2028""#),
            ("\u{2029}", r#""\u2029""#),
            ("/", r#""/""#),
            ("'", r#""'""#),
            ("\u{7f}", "\"\u{7f}\""),
            ("é€😀", "\"é€😀\""),
            ("\u{fffd}", "\"\u{fffd}\""),
            ("a<b>c&d\u{2028}e", r#""a\u003cb\u003ec\u0026d\u2028e""#),
        ];
        for (raw, want) in cases {
            assert_eq!(encode(&s(raw)), *want, "encoding {raw:?}");
            assert_eq!(decode(want).unwrap(), s(raw), "decoding {want}");
        }
        // Keys are escaped the same way.
        assert_eq!(
            encode(&obj(&[("<k>", GoValue::Null)])),
            r#"{"\u003ck\u003e":null}"#
        );
    }

    #[test]
    fn string_decoding() {
        assert_eq!(
            decode(r#""\/\"\\\b\f\n\r\t""#).unwrap(),
            s("/\"\\\u{8}\u{c}\n\r\t")
        );
        assert_eq!(decode(r#""\u00e9\u00E9""#).unwrap(), s("éé"));
        assert_eq!(decode(r#""\ud83d\ude00""#).unwrap(), s("😀"));
        assert_eq!(decode(r#""\uD83D\uDE00x""#).unwrap(), s("😀x"));
        // Lone or misordered surrogates become U+FFFD.
        assert_eq!(decode(r#""\ud800""#).unwrap(), s("\u{fffd}"));
        assert_eq!(decode(r#""\udc00""#).unwrap(), s("\u{fffd}"));
        assert_eq!(decode(r#""\ud800x""#).unwrap(), s("\u{fffd}x"));
        assert_eq!(decode(r#""\ud800\n""#).unwrap(), s("\u{fffd}\n"));
        assert_eq!(decode(r#""\udc00\ud800""#).unwrap(), s("\u{fffd}\u{fffd}"));
        assert_eq!(
            decode(r#""\ud800\ud800\udc00""#).unwrap(),
            s("\u{fffd}\u{10000}")
        );
        assert_eq!(decode(r#""\ud800\u0041""#).unwrap(), s("\u{fffd}A"));
        // Invalid strings.
        for bad in [
            "\"a\u{0}\"",
            "\"a\nb\"",
            "\"\t\"",
            "\"\u{1f}\"",
            r#""\x""#,
            r#""\'""#,
            r#""\u12""#,
            r#""\u12G4""#,
            r#""\ud800\u12G4""#,
            r#""abc"#,
            r#""\"#,
            r#""\u"#,
        ] {
            assert!(decode(bad).is_err(), "{bad:?} should be invalid");
        }
        // DEL and non-ASCII are fine raw.
        assert_eq!(decode("\"\u{7f}é\"").unwrap(), s("\u{7f}é"));
    }

    #[test]
    fn float_formatting() {
        assert_eq!(float(1e21), "1e+21");
        assert_eq!(float(-1e21), "-1e+21");
        assert_eq!(float(1e20), "100000000000000000000");
        assert_eq!(float(999999999999999900000.0), "999999999999999900000");
        assert_eq!(float(1e-7), "1e-7");
        assert_eq!(float(1.5e-7), "1.5e-7");
        assert_eq!(float(1e-6), "0.000001");
        assert_eq!(float(1e-10), "1e-10");
        assert_eq!(float(123456789.125), "123456789.125");
        assert_eq!(float(-0.0), "-0");
        assert_eq!(float(0.0), "0");
        assert_eq!(float(5e-324), "5e-324");
        assert_eq!(float(1.7976931348623157e308), "1.7976931348623157e+308");
        assert_eq!(float(1.0), "1");
        assert_eq!(float(0.1), "0.1");
        assert_eq!(float(-2.5), "-2.5");
        assert_eq!(float(1e100), "1e+100");
        assert_eq!(float(1e22), "1e+22");
        assert_eq!(float(-1.5e-7), "-1.5e-7");
        assert_eq!(float(1.234e-10), "1.234e-10");
        assert_eq!(float(0.5), "0.5");
        assert_eq!(float(0.000123), "0.000123");
        assert_eq!(float(100.0), "100");
        assert_eq!(float(1.5), "1.5");
        assert_eq!(float(-120.25), "-120.25");
        assert_eq!(float(f64::MIN_POSITIVE), "2.2250738585072014e-308");
        // Exact ties between the two closest shortest candidates: Go rounds
        // half to even (Rust's shortest formatting would round up)…
        // (Written as exact quotients: 1979399392505838.25 and -801274688384317.25.)
        assert_eq!(float(7_917_597_570_023_353.0 / 4.0), "1979399392505838.2");
        assert_eq!(float(-3_205_098_753_537_269.0 / 4.0), "-801274688384317.2");
        assert_eq!(float(2.5e-8), "2.5e-8");
        // …unless the even candidate would not round-trip (2^-24 is a power
        // of two, so the gap below it is half as wide).
        assert_eq!(float(2f64.powi(-24)), "5.960464477539063e-8");
        assert_eq!(renumber("1.0"), "1");
        assert_eq!(renumber("1e3"), "1000");
        assert_eq!(renumber("12345678901234567890"), "12345678901234567000");
        assert_eq!(renumber("-0"), "-0");
        assert_eq!(renumber("-0.0e5"), "-0");
        assert_eq!(renumber("0.1"), "0.1");
        assert_eq!(renumber("1E-7"), "1e-7");
        assert_eq!(renumber("1e-400"), "0");
        assert_eq!(renumber("-1e-400"), "-0");
        assert_eq!(renumber("100e19"), "1e+21");
        assert_eq!(renumber("0.0000001234"), "1.234e-7");
        assert_eq!(renumber("17976931348623157e292"), "1.7976931348623157e+308");
    }

    #[test]
    fn number_validation() {
        assert!(decode(r#"{"a":1e400}"#).is_err());
        assert!(decode("-1e400").is_err());
        assert!(decode("[1e309]").is_err());
        // Overflow is a type error, reported only when the syntax is valid.
        let err = decode("[1e400, x]").unwrap_err();
        assert!(err.message.contains("invalid character 'x'"), "{err}");
        let err = decode("[1e400]").unwrap_err();
        assert!(
            err.message.contains("cannot unmarshal number 1e400"),
            "{err}"
        );
        for bad in [
            "01", "-", "-a", "1.", "1.e5", ".5", "1e", "1e+", "+1", "0x10", "1 2", "--1", "NaN",
            "Infinity", "1.5.2", "[01]",
        ] {
            assert!(decode(bad).is_err(), "{bad:?} should be invalid");
        }
        for (good, value) in [
            ("0", 0.0),
            ("-0.5", -0.5),
            ("1E2", 100.0),
            ("1e+2", 100.0),
            ("1e-2", 0.01),
            ("10", 10.0),
            ("0e0", 0.0),
        ] {
            assert_eq!(decode(good).unwrap(), GoValue::Number(value), "{good}");
        }
    }

    #[test]
    fn whitespace_and_trailing_garbage() {
        assert_eq!(decode(" \t\r\n{}\n\t \r").unwrap(), obj(&[]));
        assert_eq!(
            decode("[ 1 , 2 ]").unwrap(),
            GoValue::Array(vec![GoValue::Number(1.0), GoValue::Number(2.0)])
        );
        for bad in [
            "",
            " ",
            "{} x",
            "{}}",
            "{} {}",
            "[] ]",
            "1 1",
            "true false",
            "nullx",
            "\u{c}{}",
            "{}\u{b}",
            "\u{a0}{}",
            "{}\u{0}",
            "tru",
            "nul",
            "True",
            "{,}",
            "[,]",
            "[1,]",
            r#"{"a":1,}"#,
            r#"{"a" 1}"#,
            r#"{a:1}"#,
            r#"{"a":}"#,
            "[1 2]",
            "{1:2}",
            "'a'",
            "[",
            "{",
            r#"{"a""#,
            r#"{"a":"#,
            r#"{"a":1"#,
            "[1",
        ] {
            assert!(decode(bad).is_err(), "{bad:?} should be invalid");
        }
        let err = decode("{} x").unwrap_err();
        assert!(err.message.contains("after top-level value"), "{err}");
        assert_eq!(
            decode("").unwrap_err().message,
            "unexpected end of JSON input"
        );
    }

    #[test]
    fn duplicate_keys_last_wins() {
        assert_eq!(
            decode(r#"{"a":1,"b":2,"a":{"x":3}}"#).unwrap(),
            obj(&[("a", otel_like(3.0)), ("b", GoValue::Number(2.0))])
        );
        assert_eq!(
            encode(&decode(r#"{"a":[1],"a":"z","a":null}"#).unwrap()),
            r#"{"a":null}"#
        );
    }

    fn otel_like(x: f64) -> GoValue {
        obj(&[("x", GoValue::Number(x))])
    }

    #[test]
    fn keys_sorted_bytewise() {
        let v = decode(r#"{"b":1,"a":{"z":1,"Z":2,"é":3,"e":4},"B":0,"":5}"#).unwrap();
        assert_eq!(
            encode(&v),
            r#"{"":5,"B":0,"a":{"Z":2,"e":4,"z":1,"é":3},"b":1}"#
        );
    }

    #[test]
    fn nesting_limit() {
        let ok = format!(
            "{}{}",
            "[".repeat(MAX_NESTING_DEPTH),
            "]".repeat(MAX_NESTING_DEPTH)
        );
        let v = decode(&ok).unwrap();
        assert_eq!(encode(&v), ok);
        v.drop_iteratively();

        let too_deep = format!(
            "{}{}",
            "[".repeat(MAX_NESTING_DEPTH + 1),
            "]".repeat(MAX_NESTING_DEPTH + 1)
        );
        let err = decode(&too_deep).unwrap_err();
        assert!(err.message.contains("exceeded max depth"), "{err}");

        let objects = format!(
            "{}1{}",
            r#"{"a":"#.repeat(MAX_NESTING_DEPTH),
            "}".repeat(MAX_NESTING_DEPTH)
        );
        let v = decode(&objects).unwrap();
        assert_eq!(encode(&v), objects);
        v.drop_iteratively();
        let objects = format!(
            "{}1{}",
            r#"{"a":"#.repeat(MAX_NESTING_DEPTH + 1),
            "}".repeat(MAX_NESTING_DEPTH + 1)
        );
        assert!(decode(&objects).is_err());

        // Far deeper input is rejected without overflowing the stack.
        assert!(decode(&"[".repeat(1_000_000)).is_err());
        assert_eq!(
            merge_config_content(&r#"{"a":["#.repeat(200_000), "{}"),
            Merge::Value("{}".to_owned())
        );
    }

    /// `{"a":{"a":...1...}}` with `depth` objects.
    fn deep_objects(depth: usize) -> String {
        format!("{}1{}", r#"{"a":"#.repeat(depth), "}".repeat(depth))
    }

    /// Every path that discards a maximally deep value must not recurse
    /// (this runs on a 2 MiB test thread, unoptimised).
    #[test]
    fn deep_values_do_not_overflow_the_stack() {
        let max = MAX_NESTING_DEPTH;
        let deep = deep_objects(max);
        let deep_inner = deep_objects(max - 1);
        let deep_array = format!("{}{}", "[".repeat(max), "]".repeat(max));
        let add = r#"{"experimental":{"openTelemetry":true}}"#;

        // Merged value is encoded and released.
        let Merge::Value(merged) = merge_config_content(&deep, add) else {
            panic!("merge failed");
        };
        assert!(merged.starts_with(r#"{"a":{"a":"#));
        assert!(merged.ends_with(r#"}},"experimental":{"openTelemetry":true}}"#));
        // Deep value replaced by a shallow merge.
        assert_eq!(
            merge_config_content(&deep, r#"{"a":2}"#),
            Merge::Value(r#"{"a":2}"#.to_owned())
        );
        // Deep additional.
        assert_eq!(
            merge_config_content("{}", &deep),
            Merge::Value(deep.clone())
        );
        assert_eq!(merge_config_content("null", &deep), Merge::ExistingIsNull);
        // Deep existing, invalid additional: existing returned verbatim.
        assert_eq!(merge_config_content(&deep, "x"), Merge::Value(deep.clone()));
        // Deep non-object existing: type error.
        assert_eq!(
            merge_config_content(&deep_array, add),
            Merge::Value(add.to_owned())
        );
        assert_eq!(
            merge_config_content("{}", &deep_array),
            Merge::Value("{}".to_owned())
        );
        // Syntax errors after a deep value was built.
        assert!(decode(&format!("{deep} x")).is_err());
        assert!(decode(&format!("[{deep_inner} x]")).is_err());
        assert!(decode(&format!("[{deep_inner},")).is_err());
        assert!(decode(&format!(r#"{{"b":{deep_inner},"c""#)).is_err());
        assert!(decode(&format!("[{deep_inner},1e999]")).is_err());
        // Duplicate key replacing a deep value.
        assert_eq!(
            decode(&format!(r#"{{"a":{deep_inner},"a":1}}"#)).unwrap(),
            obj(&[("a", GoValue::Number(1.0))])
        );
        // remove_top_level_key releases what it decoded.
        assert_eq!(remove_top_level_key(&deep, "a", &GoValue::Null), None);
        assert_eq!(remove_top_level_key(&deep_array, "a", &GoValue::Null), None);
        let with_key = format!(r#"{{"b":{deep_inner},"a":null}}"#);
        let Some(removed) = remove_top_level_key(&with_key, "a", &GoValue::Null) else {
            panic!("key not removed");
        };
        assert_eq!(removed, format!(r#"{{"b":{deep_inner}}}"#));
        let with_deep_key = format!(r#"{{"a":{deep_inner},"b":1}}"#);
        let expected = decode(&deep_objects(3)).unwrap();
        assert_eq!(remove_top_level_key(&with_deep_key, "a", &expected), None);
    }

    #[test]
    fn remove_top_level_key_examples() {
        let expected = otel();
        assert_eq!(
            remove_top_level_key(
                r#"{"experimental":{"openTelemetry":true},"instructions":["x"]}"#,
                "experimental",
                &expected
            ),
            Some(r#"{"instructions":["x"]}"#.to_owned())
        );
        assert_eq!(
            remove_top_level_key(
                r#"{"experimental":{"openTelemetry":true}}"#,
                "experimental",
                &expected
            ),
            Some("{}".to_owned())
        );
        assert_eq!(
            remove_top_level_key(r#"{"a":1}"#, "experimental", &expected),
            None
        );
        assert_eq!(
            remove_top_level_key("not json", "experimental", &expected),
            None
        );
        assert_eq!(
            remove_top_level_key("null", "experimental", &expected),
            None
        );
        assert_eq!(remove_top_level_key("[1]", "experimental", &expected), None);
        assert_eq!(
            remove_top_level_key(
                r#"{"experimental":{"openTelemetry":false}}"#,
                "experimental",
                &expected
            ),
            None
        );
        assert_eq!(
            remove_top_level_key(
                r#"{"experimental":{"foo":1,"openTelemetry":true}}"#,
                "experimental",
                &expected
            ),
            None
        );
        // Merge then remove restores the re-encoded original.
        let Merge::Value(merged) = merge_config_content(
            r#"{ "z":1, "instructions":["<x>"] }"#,
            r#"{"experimental":{"openTelemetry":true}}"#,
        ) else {
            panic!("merge failed");
        };
        assert_eq!(
            remove_top_level_key(&merged, "experimental", &expected),
            Some(r#"{"instructions":["\u003cx\u003e"],"z":1}"#.to_owned())
        );
    }

    #[test]
    fn round_trip() {
        let values = [
            GoValue::Null,
            GoValue::Bool(true),
            GoValue::Bool(false),
            GoValue::Number(0.0),
            GoValue::Number(-0.0),
            GoValue::Number(1e21),
            GoValue::Number(1.5e-7),
            GoValue::Number(123456789.125),
            GoValue::Number(5e-324),
            GoValue::Number(f64::MAX),
            GoValue::Number(-f64::MAX),
            GoValue::Number(0.1 + 0.2),
            s(""),
            s("\u{0}\u{1f}\"\\/<>&\u{2028}\u{2029}\u{8}\u{c}\n\r\t é😀\u{fffd}\u{7f}"),
            GoValue::Array(vec![]),
            obj(&[]),
            obj(&[
                ("experimental", otel()),
                (
                    "instructions",
                    GoValue::Array(vec![s(".kubeopencode/context.md"), GoValue::Null]),
                ),
                (
                    "nested",
                    GoValue::Array(vec![
                        GoValue::Array(vec![obj(&[("", GoValue::Number(-1e-300))])]),
                        obj(&[]),
                        GoValue::Array(vec![]),
                    ]),
                ),
                ("<&>", s("\u{2028}")),
            ]),
        ];
        for v in values {
            let text = encode(&v);
            assert_eq!(decode(&text).unwrap(), v, "round trip of {text}");
            // Encoding is a fixed point after one round trip.
            assert_eq!(encode(&decode(&text).unwrap()), text);
        }
    }

    #[test]
    fn non_object_top_level_values() {
        assert_eq!(decode("\"str\"").unwrap(), s("str"));
        assert_eq!(decode(" true").unwrap(), GoValue::Bool(true));
        assert_eq!(decode("null").unwrap(), GoValue::Null);
        assert_eq!(decode("42").unwrap(), GoValue::Number(42.0));
        let err = decode_map("[1]").unwrap_err();
        assert_eq!(
            err.message,
            "json: cannot unmarshal array into Go value of type map[string]interface {}"
        );
        assert_eq!(decode_map("null").unwrap(), None);
    }

    #[test]
    fn error_display() {
        let err = decode("x").unwrap_err();
        assert_eq!(err.to_string(), err.message);
        assert!(
            err.message
                .starts_with("invalid character 'x' looking for beginning of value")
        );
        let boxed: Box<dyn std::error::Error> = Box::new(err);
        assert!(!boxed.to_string().is_empty());
    }
}
