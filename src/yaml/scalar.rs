//! Plain YAML scalars the way Kubernetes reads them, and quoting that every reader agrees on.
//!
//! Kubernetes reads YAML with go-yaml v2, which applies YAML 1.1 rules to plain (unquoted)
//! scalars: `on`, `no`, `y`, `0777`, `1_000`, `~`, ... are not strings there. [`resolve_plain`]
//! reproduces go-yaml v2's `resolve()` exactly. `needs_quotes` and [`render_scalar`] decide
//! how to write a string so that go-yaml v2, other YAML 1.1 readers (PyYAML-like: sexagesimal
//! numbers, timestamps, `<<`, `=`) and YAML 1.2 core-schema readers all read the same string back.

use std::borrow::Cow;

/// What a plain (unquoted, untagged) scalar means to go-yaml v2 (Kubernetes' YAML reader).
#[derive(Debug, Clone, PartialEq)]
pub enum Plain {
    Null,
    Bool(bool),
    Int(i64),
    /// integer literal too large for i64 (go-yaml then tries uint64, then float)
    UInt(u64),
    Float(f64),
    Str,
}

/// Resolve a plain scalar exactly as go-yaml v2's resolve.go does (decoding into interface{}).
///
/// Notes on go-yaml v2 behaviour reproduced here:
/// - the first byte selects the candidates: `+ - 0-9` numbers, `.` floats, `yYnNtTfFoO~` and
///   the empty string only the fixed table; anything else is a string;
/// - timestamps (`2001-12-14`) are kept as strings when decoding into `interface{}`;
/// - there are no base-60 numbers (`12:30` is a string);
/// - `<<` is a string here (its merge meaning applies only as a mapping key).
/// - integers too large for 64 bits that are not floats either (e.g. a 70-digit hex literal) stay
///   strings, as in upstream go-yaml v2.4.0 (the fork vendored by newer `sigs.k8s.io/yaml` reads
///   them as big integers; `needs_quotes` is true for them either way).
pub fn resolve_plain(s: &str) -> Plain {
    // Most plain scalars are words: one that starts with a letter is a string unless it is one of
    // the fixed words, which have at most five characters and start with one of these letters
    // (numbers start with a digit, a sign or a dot).
    if let Some(&c) = s.as_bytes().first()
        && c.is_ascii_alphabetic()
        && (s.len() > 5 || !b"yYnNtTfFoO".contains(&c))
    {
        return Plain::Str;
    }
    resolve_plain_full(s)
}

/// [`resolve_plain`] without its shortcut for words.
fn resolve_plain_full(s: &str) -> Plain {
    if let Some(fixed) = resolve_fixed(s) {
        return fixed;
    }
    match s.as_bytes().first() {
        // Go's strconv.ParseFloat on the untouched text (underscores follow Go's literal rules).
        Some(b'.') => go_parse_float_dot(s).map_or(Plain::Str, Plain::Float),
        Some(b'+' | b'-' | b'0'..=b'9') => resolve_number(s),
        _ => Plain::Str,
    }
}

/// go-yaml v2's `resolveMap` (without `<<`, which its first-byte table never reaches).
fn resolve_fixed(s: &str) -> Option<Plain> {
    Some(match s {
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            Plain::Bool(true)
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            Plain::Bool(false)
        }
        "" | "~" | "null" | "Null" | "NULL" => Plain::Null,
        ".nan" | ".NaN" | ".NAN" => Plain::Float(f64::NAN),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => Plain::Float(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => Plain::Float(f64::NEG_INFINITY),
        _ => return None,
    })
}

/// The `'D', 'S'` branch of go-yaml v2's `resolve()`.
fn resolve_number(s: &str) -> Plain {
    let plain: std::borrow::Cow<str> = if s.contains('_') {
        s.replace('_', "").into()
    } else {
        s.into()
    };
    if let Some(i) = go_parse_int(&plain, 0) {
        return Plain::Int(i);
    }
    if let Some(u) = go_parse_uint(&plain, 0) {
        return Plain::UInt(u);
    }
    if is_yaml_style_float(&plain)
        && let Ok(f) = plain.parse::<f64>()
        && f.is_finite()
    {
        // Go's ParseFloat reports an error (and go-yaml keeps the string) on overflow.
        return Plain::Float(f);
    }
    if let Some(rest) = plain.strip_prefix("0b") {
        if let Some(i) = go_parse_int(rest, 2) {
            return Plain::Int(i);
        }
        if let Some(u) = go_parse_uint(rest, 2) {
            return Plain::UInt(u);
        }
    } else if let Some(rest) = plain.strip_prefix("-0b")
        && let Some(i) = go_parse_int(&format!("-{rest}"), 2)
    {
        return Plain::Int(i);
    }
    Plain::Str
}

/// Go's `strconv.ParseUint(s, base, 64)` for input without underscores; `base` 0 detects
/// `0b`/`0o`/`0x` prefixes and a leading `0` (octal). `None` on any error.
fn go_parse_uint(s: &str, base: u32) -> Option<u64> {
    let b = s.as_bytes();
    if b.is_empty() {
        return None;
    }
    let (base, digits) = if base == 0 {
        match b {
            [b'0', p, rest @ ..] if !rest.is_empty() && matches!(p, b'b' | b'B') => (2, rest),
            [b'0', p, rest @ ..] if !rest.is_empty() && matches!(p, b'o' | b'O') => (8, rest),
            [b'0', p, rest @ ..] if !rest.is_empty() && matches!(p, b'x' | b'X') => (16, rest),
            [b'0', rest @ ..] => (8, rest),
            _ => (10, b),
        }
    } else {
        (base, b)
    };
    let mut n: u64 = 0;
    for &c in digits {
        let d = match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'z' => c - b'a' + 10,
            b'A'..=b'Z' => c - b'A' + 10,
            _ => return None,
        };
        if u32::from(d) >= base {
            return None;
        }
        n = n.checked_mul(u64::from(base))?.checked_add(u64::from(d))?;
    }
    Some(n)
}

/// Go's `strconv.ParseInt(s, base, 64)` for input without underscores. `None` on any error.
fn go_parse_int(s: &str, base: u32) -> Option<i64> {
    let (neg, rest) = if let Some(r) = s.strip_prefix('+') {
        (false, r)
    } else if let Some(r) = s.strip_prefix('-') {
        (true, r)
    } else {
        (false, s)
    };
    let un = go_parse_uint(rest, base)?;
    if !neg {
        i64::try_from(un).ok()
    } else if un == 1 << 63 {
        Some(i64::MIN)
    } else {
        i64::try_from(un).ok().map(|v| -v)
    }
}

/// Go's `strconv.ParseFloat(s, 64)` for text starting with `.` (so neither Go's `inf`/`nan`
/// spellings nor hexadecimal floats apply): decimal digits with Go-style `_` separators, an
/// optional exponent. `None` on syntax errors and on overflow (Go's `ErrRange`).
fn go_parse_float_dot(s: &str) -> Option<f64> {
    let b = s.as_bytes();
    let mut i = 0;
    if matches!(b.first(), Some(b'+' | b'-')) {
        i = 1;
    }
    let (mut saw_dot, mut saw_digits, mut underscores) = (false, false, false);
    while let Some(&c) = b.get(i) {
        match c {
            b'_' => underscores = true,
            b'.' if !saw_dot => saw_dot = true,
            b'0'..=b'9' => saw_digits = true,
            _ => break,
        }
        i += 1;
    }
    if !saw_digits {
        return None;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if !b.get(i).is_some_and(u8::is_ascii_digit) {
            return None;
        }
        while let Some(&c) = b.get(i) {
            match c {
                b'_' => underscores = true,
                b'0'..=b'9' => {}
                _ => break,
            }
            i += 1;
        }
    }
    if i != b.len() || (underscores && !go_underscore_ok(s)) {
        return None;
    }
    let f: f64 = s.replace('_', "").parse().ok()?;
    f.is_finite().then_some(f)
}

/// Go's `strconv.underscoreOK`: underscores only between digits (or after a base prefix).
fn go_underscore_ok(s: &str) -> bool {
    let mut b = s.as_bytes();
    if let [b'+' | b'-', rest @ ..] = b {
        b = rest;
    }
    let mut saw = b'^';
    let mut hex = false;
    if let [b'0', p, rest @ ..] = b
        && matches!(p.to_ascii_lowercase(), b'b' | b'o' | b'x')
    {
        saw = b'0';
        hex = p.eq_ignore_ascii_case(&b'x');
        b = rest;
    }
    for &c in b {
        if c.is_ascii_digit() || (hex && c.is_ascii_hexdigit()) {
            saw = b'0';
            continue;
        }
        if c == b'_' {
            if saw != b'0' {
                return false;
            }
            saw = b'_';
            continue;
        }
        if saw == b'_' {
            return false;
        }
        saw = b'!';
    }
    saw != b'_'
}

/// Number of leading ASCII digits.
fn count_digits(b: &[u8]) -> usize {
    b.iter().take_while(|c| c.is_ascii_digit()).count()
}

fn strip_sign(b: &[u8]) -> &[u8] {
    match b {
        [b'+' | b'-', rest @ ..] => rest,
        _ => b,
    }
}

/// `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`: go-yaml v2's `yamlStyleFloat`, which
/// is also the YAML 1.2 core schema's float (and, without `.`/exponent, int) pattern.
fn is_yaml_style_float(s: &str) -> bool {
    let b = strip_sign(s.as_bytes());
    let rest = if let Some(r) = b.strip_prefix(b".") {
        let n = count_digits(r);
        if n == 0 {
            return false;
        }
        &r[n..]
    } else {
        let n = count_digits(b);
        if n == 0 {
            return false;
        }
        let r = &b[n..];
        match r.strip_prefix(b".") {
            Some(frac) => &frac[count_digits(frac)..],
            None => r,
        }
    };
    match rest {
        [] => true,
        [b'e' | b'E', exp @ ..] => {
            let exp = strip_sign(exp);
            !exp.is_empty() && count_digits(exp) == exp.len()
        }
        _ => false,
    }
}

/// YAML 1.2 core schema: would a plain `s` be anything but a string? (null, bool and the
/// `.inf`/`.nan` spellings are all in go-yaml v2's table too; checked again for clarity.)
fn is_yaml12_core_non_string(s: &str) -> bool {
    if matches!(
        s,
        "" | "~"
            | "null"
            | "Null"
            | "NULL"
            | "true"
            | "True"
            | "TRUE"
            | "false"
            | "False"
            | "FALSE"
            | ".nan"
            | ".NaN"
            | ".NAN"
    ) {
        return true;
    }
    if matches!(strip_sign(s.as_bytes()), b".inf" | b".Inf" | b".INF") {
        return true;
    }
    if let Some(r) = s.strip_prefix("0o") {
        return !r.is_empty() && r.bytes().all(|c| matches!(c, b'0'..=b'7'));
    }
    if let Some(r) = s.strip_prefix("0x") {
        return !r.is_empty() && r.bytes().all(|c| c.is_ascii_hexdigit());
    }
    is_yaml_style_float(s)
}

/// A superset of the int and float patterns of YAML 1.1 (as PyYAML and the 1.1 type repository
/// write them) and of lenient YAML 1.2 readers that accept `_` in numbers (ruamel.yaml): binary,
/// octal (`0o`), hex and decimal ints with `_`, base-60 numbers (`12:30`, `1:20:30.5`), floats
/// with `_` (`._5`). Over-matching only means quoting a string that needed none.
fn is_number_like(s: &str) -> bool {
    let signed = matches!(s.as_bytes().first(), Some(b'+' | b'-'));
    let b = strip_sign(s.as_bytes());
    if let Some(r) = b.strip_prefix(b"0b") {
        return !r.is_empty() && r.iter().all(|c| matches!(c, b'0' | b'1' | b'_'));
    }
    if let Some(r) = b.strip_prefix(b"0o") {
        return !r.is_empty() && r.iter().all(|c| matches!(c, b'0'..=b'7' | b'_'));
    }
    if let Some(r) = b.strip_prefix(b"0x") {
        return !r.is_empty() && r.iter().all(|c| c.is_ascii_hexdigit() || *c == b'_');
    }
    let digits_ = |r: &[u8]| {
        r.iter()
            .take_while(|c| c.is_ascii_digit() || **c == b'_')
            .count()
    };
    let mut r: &[u8] = match b.first() {
        Some(b'0'..=b'9') => &b[digits_(b)..],
        // `+_1` (ruamel.yaml: `[-+]?[0-9_]+`)
        Some(b'_') if signed => &b[digits_(b)..],
        // `.5`, `.5_0`, `.5e+3`, `._5`
        Some(b'.') if b.get(1).is_some_and(|c| c.is_ascii_digit() || *c == b'_') => b,
        _ => return false,
    };
    // base 60: `(:[0-9_]+)*`
    while let [b':', rest @ ..] = r {
        let n = digits_(rest);
        if n == 0 {
            return false;
        }
        r = &rest[n..];
    }
    if let [b'.', rest @ ..] = r {
        r = &rest[digits_(rest)..];
    }
    match r {
        [] => true,
        [b'e' | b'E', exp @ ..] => {
            let exp = strip_sign(exp);
            !exp.is_empty() && count_digits(exp) == exp.len()
        }
        _ => false,
    }
}

/// Starts like a YAML 1.1 timestamp (`YYYY-M...`): go-yaml v2 reads those as strings, but other
/// YAML 1.1 readers read them as dates, so they are always quoted.
fn is_timestamp_like(s: &str) -> bool {
    matches!(s.as_bytes(), [y0, y1, y2, y3, b'-', m, ..]
        if [y0, y1, y2, y3, m].iter().all(|c| c.is_ascii_digit()))
}

/// True when some reader (go-yaml v2, YAML 1.1, YAML 1.2 core) could read the plain form of `s`
/// as something other than the string `s` (null, bool, number, timestamp, merge or value key).
fn is_value_like(s: &str) -> bool {
    // A word of more than five characters that starts with a letter is none of these (the
    // longest such words, `false` and `FALSE`, have five): most env names and values.
    if s.len() > 5 && s.as_bytes()[0].is_ascii_alphabetic() {
        return false;
    }
    is_value_like_slow(s)
}

fn is_value_like_slow(s: &str) -> bool {
    !matches!(resolve_plain(s), Plain::Str)
        || matches!(s, "<<" | "=")
        || is_yaml12_core_non_string(s)
        || is_number_like(s)
        || is_timestamp_like(s)
}

/// Characters that may appear unescaped in a plain or single-quoted scalar (and in a literal
/// block's lines): YAML's printable set without tab, NEL, the Unicode line/paragraph separators
/// (line breaks in YAML 1.1) and the byte order mark.
fn is_printable(c: char) -> bool {
    matches!(c,
        '\u{20}'..='\u{7E}' | '\u{A0}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
        && !matches!(c, '\u{2028}' | '\u{2029}' | '\u{FEFF}')
}

/// Every character of `s` is printable ([`is_printable`]). Printable ASCII is checked first, in
/// one pass without an early exit, which the compiler vectorises: almost every scalar is.
fn all_printable(s: &str) -> bool {
    let b = s.as_bytes();
    if b.iter()
        .fold(true, |ok, &c| ok & (c.wrapping_sub(0x20) < 0x5F))
    {
        return true;
    }
    !s.is_ascii() && s.chars().all(is_printable)
}

/// True when `s` is syntactically a valid single-line plain scalar in block context (whatever
/// it then resolves to).
#[cfg(test)]
fn is_valid_plain(s: &str) -> bool {
    all_printable(s) && is_valid_plain_printable(s)
}

/// [`is_valid_plain`] for a string known to be printable.
fn is_valid_plain_printable(s: &str) -> bool {
    let mut chars = s.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    if first.is_whitespace() || s.chars().next_back().is_some_and(char::is_whitespace) {
        return false;
    }
    match first {
        '?' | ':' | ',' | '[' | ']' | '{' | '}' | '#' | '&' | '*' | '!' | '|' | '>' | '\''
        | '"' | '%' | '@' | '`' => return false,
        // `-x` (e.g. `--flag`) is a valid plain scalar; `-`, `- x` are not.
        '-' if chars.next().is_none_or(char::is_whitespace) => return false,
        _ => {}
    }
    // `: ` and ` #` looked for in one pass, from each `:` and `#` memchr finds (two substring
    // searches cost more to set up than a short scalar takes to scan).
    let b = s.as_bytes();
    let breaks = memchr::memchr2_iter(b':', b'#', b).any(|i| match b[i] {
        b':' => b.get(i + 1) == Some(&b' '),
        _ => i > 0 && b[i - 1] == b' ',
    });
    !(s.starts_with("---") || s.starts_with("...") || breaks || s.ends_with(':'))
}

/// True when `s`, written as a plain scalar, would NOT be read back as the string `s` by go-yaml v2
/// or by a YAML 1.2 core-schema reader, or is not a valid plain scalar at all in block context
/// (empty; leading/trailing whitespace; starts with an indicator - ? : , [ ] { } # & * ! | > ' " % @ `;
/// contains ": " or " #" or ends with ":"; contains a newline, tab or any non-printable char; a
/// document marker like "---" / "..."; "<<" and "=" (YAML 1.1 merge/value keys); anything `resolve_plain`
/// does not map to Plain::Str; anything that YAML 1.2 core would read as non-string (e.g. `0o17`, `0x1F`, `.inf`, `1e3`, `+1`, `.5`)).
///
/// A leading `-` followed by a non-space (`--flag`, `-x`) is a valid plain scalar and is not quoted
/// for that reason alone (kubectl writes `- --port=80` too). YAML 1.1 base-60 numbers (`12:30`) and
/// timestamps (`2001-12-14`) are quoted for the sake of YAML 1.1 readers other than go-yaml v2.
#[cfg(test)]
pub fn needs_quotes(s: &str) -> bool {
    !is_valid_plain(s) || is_value_like(s)
}

/// Quote-or-not decision and rendering, go-yaml v3 style: plain when safe; double-quoted when the plain
/// form would resolve to a non-string (e.g. "120", "true", "on", "0777", "1_000", "~", "null", "") or when the
/// string contains characters that need escapes (control chars, non-printables, invalid-in-single-quote);
/// otherwise single-quoted (e.g. '{"*":"allow"}', '- x', 'a: b'). Multi-line strings are NOT handled here
/// (emit.rs decides block scalars); this function must still return a correct double-quoted form for them.
pub fn render_scalar(s: &str) -> Cow<'_, str> {
    if !all_printable(s) || is_value_like(s) {
        Cow::Owned(double_quoted(s))
    } else if is_valid_plain_printable(s) {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(single_quoted(s))
    }
}

/// `'...'` with `'` doubled. Only for strings whose characters are all printable.
fn single_quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('\'');
    for c in s.chars() {
        if c == '\'' {
            out.push('\'');
        }
        out.push(c);
    }
    out.push('\'');
    out
}

/// `"..."` with YAML escapes for `"`, `\` and every non-printable character (so the result is
/// always one line).
pub(crate) fn double_quoted(s: &str) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\0' => out.push_str("\\0"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\u{B}' => out.push_str("\\v"),
            '\u{C}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            '\u{1B}' => out.push_str("\\e"),
            '\u{85}' => out.push_str("\\N"),
            '\u{2028}' => out.push_str("\\L"),
            '\u{2029}' => out.push_str("\\P"),
            c if is_printable(c) => out.push(c),
            c => {
                let n = u32::from(c);
                // Writing to a String cannot fail.
                let _ = if n <= 0xFF {
                    write!(out, "\\x{n:02X}")
                } else if n <= 0xFFFF {
                    write!(out, "\\u{n:04X}")
                } else {
                    write!(out, "\\U{n:08X}")
                };
            }
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The shortcuts of `is_value_like` and `all_printable` give what the full checks give: on
    /// every plain-looking word of every file under testdata/, and on generated words (the YAML
    /// value words, numbers, dates and their case and sign variants, padded past five letters).
    #[test]
    fn shortcuts_agree_with_the_full_checks() {
        let mut words: Vec<String> = Vec::new();
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata");
        for e in walkdir::WalkDir::new(root).into_iter().flatten() {
            if let Ok(t) = std::fs::read_to_string(e.path()) {
                words.extend(
                    t.split(|c: char| {
                        c.is_whitespace() || matches!(c, ',' | '[' | ']' | '{' | '}' | '"' | '\'')
                    })
                    .map(str::to_string),
                );
            }
        }
        let seeds = [
            "y",
            "yes",
            "true",
            "on",
            "no",
            "false",
            "off",
            "null",
            "nan",
            "inf",
            "0x1f",
            "0o17",
            "1e3",
            "2001-12-14",
            "12:30",
            "<<",
            "=",
            "~",
        ];
        for w in seeds {
            for v in [
                w.to_string(),
                w.to_uppercase(),
                format!(".{w}"),
                format!("+{w}"),
                format!("-{w}"),
                format!("{w}x"),
                format!("{w}xx"),
                format!("{w}_1"),
                format!("{w}e5"),
            ] {
                words.push(v);
            }
        }
        assert!(words.len() > 10_000, "{} words", words.len());
        for w in &words {
            assert_eq!(is_value_like(w), is_value_like_slow(w), "{w:?}");
            assert_eq!(all_printable(w), w.chars().all(is_printable), "{w:?}");
            assert_eq!(
                format!("{:?}", resolve_plain(w)),
                format!("{:?}", resolve_plain_full(w)),
                "{w:?}"
            );
        }
    }

    /// `is_valid_plain` as it was written before its one-pass scans, the reference for them.
    fn valid_plain_reference(s: &str) -> bool {
        let mut chars = s.chars();
        let Some(first) = chars.next() else {
            return false;
        };
        if first.is_whitespace() || s.chars().next_back().is_some_and(char::is_whitespace) {
            return false;
        }
        if !s.chars().all(is_printable) {
            return false;
        }
        match first {
            '?' | ':' | ',' | '[' | ']' | '{' | '}' | '#' | '&' | '*' | '!' | '|' | '>' | '\''
            | '"' | '%' | '@' | '`' => return false,
            '-' if chars.next().is_none_or(char::is_whitespace) => return false,
            _ => {}
        }
        !(s.starts_with("---")
            || s.starts_with("...")
            || s.contains(": ")
            || s.contains(" #")
            || s.ends_with(':'))
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4000))]
        /// The one-pass printable and plain checks decide as the character-by-character ones.
        #[test]
        fn one_pass_checks_agree(
            s in "[ -~\t\n\u{7f}\u{85}\u{a0}\u{2028}\u{feff}é#:'\"-]{0,12}|[ab #:.\t\u{a0}é-]{0,8}"
        ) {
            proptest::prop_assert_eq!(all_printable(&s), s.chars().all(is_printable));
            proptest::prop_assert_eq!(is_valid_plain(&s), valid_plain_reference(&s));
            proptest::prop_assert_eq!(
                render_scalar(&s).as_ref() == s.as_str(),
                valid_plain_reference(&s) && !is_value_like(&s)
            );
        }
    }

    /// Reads back one scalar as written by `render_scalar` (plain, single- or double-quoted).
    pub(crate) fn read_back_inline(text: &str) -> String {
        if let Some(inner) = text.strip_prefix('"') {
            let inner = inner.strip_suffix('"').expect("closing double quote");
            unescape_double(inner)
        } else if let Some(inner) = text.strip_prefix('\'') {
            let inner = inner.strip_suffix('\'').expect("closing single quote");
            assert!(
                !inner.replace("''", "").contains('\''),
                "lone quote in {text:?}"
            );
            assert!(inner.chars().all(is_printable), "non-printable in {text:?}");
            inner.replace("''", "'")
        } else {
            assert!(!needs_quotes(text), "plain output {text:?} needs quotes");
            text.to_string()
        }
    }

    pub(crate) fn unescape_double(inner: &str) -> String {
        let mut out = String::new();
        let mut it = inner.chars();
        while let Some(c) = it.next() {
            assert!(c != '"', "unescaped quote in {inner:?}");
            assert!(is_printable(c), "raw non-printable {c:?} in {inner:?}");
            if c != '\\' {
                out.push(c);
                continue;
            }
            let e = it.next().expect("escape");
            let hex = |it: &mut std::str::Chars<'_>, n: usize| {
                let h: String = it.take(n).collect();
                assert_eq!(h.len(), n);
                char::from_u32(u32::from_str_radix(&h, 16).expect("hex")).expect("char")
            };
            out.push(match e {
                '0' => '\0',
                'a' => '\u{7}',
                'b' => '\u{8}',
                't' => '\t',
                'n' => '\n',
                'v' => '\u{B}',
                'f' => '\u{C}',
                'r' => '\r',
                'e' => '\u{1B}',
                '"' => '"',
                '\\' => '\\',
                'N' => '\u{85}',
                'L' => '\u{2028}',
                'P' => '\u{2029}',
                'x' => hex(&mut it, 2),
                'u' => hex(&mut it, 4),
                'U' => hex(&mut it, 8),
                other => panic!("unknown escape \\{other}"),
            });
        }
        out
    }

    /// Strings that must be quoted, with what go-yaml v2 makes of their plain form.
    fn quoted_table() -> Vec<(&'static str, Plain)> {
        use Plain::*;
        vec![
            ("y", Bool(true)),
            ("Y", Bool(true)),
            ("yes", Bool(true)),
            ("Yes", Bool(true)),
            ("YES", Bool(true)),
            ("n", Bool(false)),
            ("N", Bool(false)),
            ("no", Bool(false)),
            ("No", Bool(false)),
            ("NO", Bool(false)),
            ("true", Bool(true)),
            ("True", Bool(true)),
            ("TRUE", Bool(true)),
            ("false", Bool(false)),
            ("False", Bool(false)),
            ("FALSE", Bool(false)),
            ("on", Bool(true)),
            ("On", Bool(true)),
            ("ON", Bool(true)),
            ("off", Bool(false)),
            ("Off", Bool(false)),
            ("OFF", Bool(false)),
            ("~", Null),
            ("null", Null),
            ("Null", Null),
            ("NULL", Null),
            ("", Null),
            ("0777", Int(511)),
            ("0o17", Int(15)),
            ("0x1F", Int(31)),
            ("0b101", Int(5)),
            ("-0b101", Int(-5)),
            ("1_000", Int(1000)),
            ("1e3", Float(1000.0)),
            ("1E3", Float(1000.0)),
            ("1.5", Float(1.5)),
            (".5", Float(0.5)),
            ("-.5", Float(-0.5)),
            ("+1", Int(1)),
            ("-1", Int(-1)),
            ("0", Int(0)),
            ("007", Int(7)),
            ("08", Float(8.0)),
            ("09.5", Float(9.5)),
            (".inf", Float(f64::INFINITY)),
            ("-.Inf", Float(f64::NEG_INFINITY)),
            ("+.INF", Float(f64::INFINITY)),
            (".nan", Float(f64::NAN)),
            (".NaN", Float(f64::NAN)),
            ("12:30", Str),
            ("1:20:30", Str),
            ("2001-12-14", Str),
            ("2001-12-14t21:59:43.10-05:00", Str),
            ("2001-12-14 21:59:43.10 -5", Str),
            ("<<", Str),
            ("=", Str),
            ("- x", Str),
            ("-", Str),
            ("a: b", Str),
            ("a #b", Str),
            ("#x", Str),
            ("&a", Str),
            ("*a", Str),
            ("!t", Str),
            ("|x", Str),
            (">x", Str),
            ("'x", Str),
            ("\"x", Str),
            ("%x", Str),
            ("@x", Str),
            ("`x", Str),
            ("?x", Str),
            (":x", Str),
            (",x", Str),
            (" lead", Str),
            ("trail ", Str),
            ("a\tb", Str),
            ("a\nb", Str),
            ("a\rb", Str),
            ("\u{85}x", Str),
            ("x\u{2028}", Str),
            ("\u{FEFF}x", Str),
            ("x\u{7F}", Str),
            ("x:", Str),
            ("---", Str),
            ("--- x", Str),
            ("...", Str),
            ("[a]", Str),
            ("{a}", Str),
            ("]", Str),
            // Overflows Go's ParseFloat (go-yaml keeps the string), a float to YAML 1.2.
            ("1e400", Str),
            // YAML 1.1 (PyYAML) would try to read these as ints.
            ("0x_", Str),
            ("0b_", Str),
            ("1:2.5", Str),
            // ruamel.yaml (YAML 1.2) would try to read these as numbers.
            ("._5", Str),
            ("._", Str),
            ("+_", Str),
            ("-_1", Int(-1)),
            ("0o_", Str),
            // Go literal rules for the `.` branch.
            (".5_5", Float(0.55)),
            (".5e+1_0", Float(0.5e10)),
            // ParseInt / ParseUint / float fallbacks.
            ("9223372036854775807", Int(i64::MAX)),
            ("-9223372036854775808", Int(i64::MIN)),
            ("9223372036854775808", UInt(9_223_372_036_854_775_808)),
            ("18446744073709551615", UInt(u64::MAX)),
            ("18446744073709551616", Float(18_446_744_073_709_551_616.0)),
            ("-9223372036854775809", Float(-9_223_372_036_854_775_809.0)),
            ("0b-101", Int(-5)),
            ("+0x10", Int(16)),
            ("-0o10", Int(-8)),
            ("1.", Float(1.0)),
            ("+.5", Float(0.5)),
            ("1_0.5", Float(10.5)),
        ]
    }

    /// Strings that are fine as plain scalars.
    const PLAIN: &[&str] = &[
        "hello",
        "http://x:4318",
        "a-b",
        "k8s.pod.name=$(OTEL_POD_NAME)",
        "/tmp",
        "team-a",
        "x,y=z",
        "$(HOME)",
        "fix-tests-pod",
        "1.2.3",
        "v1",
        "123abc",
        "a,b",
        "a]",
        "--port=8080",
        "-x",
        "a:b",
        "a#b",
        "a 'b' \"c\"",
        "ünïcødé ✓ 😀",
        "0x",
        "0xg",
        ".",
        "..",
        "+",
        "1.2.3.4",
        "10.0.0.1",
        "1-2",
        "image:v1.2",
        "yess",
        "nope",
        "Off1",
        ".Nan",
        "<",
        "<<<",
        "==",
        "_1",
    ];

    #[test]
    fn quoted_forms_need_quotes_and_resolve() {
        for (s, want) in quoted_table() {
            assert!(needs_quotes(s), "{s:?} should need quotes");
            let got = resolve_plain(s);
            let same = match (&got, &want) {
                (Plain::Float(a), Plain::Float(b)) => {
                    (a.is_nan() && b.is_nan()) || a.to_bits() == b.to_bits()
                }
                _ => got == want,
            };
            assert!(same, "resolve_plain({s:?}) = {got:?}, want {want:?}");
        }
    }

    #[test]
    fn plain_forms_stay_plain() {
        for s in PLAIN {
            assert!(!needs_quotes(s), "{s:?} should not need quotes");
            assert_eq!(resolve_plain(s), Plain::Str, "{s:?}");
            assert_eq!(render_scalar(s), *s);
        }
    }

    #[test]
    fn quote_style() {
        for (s, want) in [
            ("120", "\"120\""),
            ("true", "\"true\""),
            ("on", "\"on\""),
            ("0777", "\"0777\""),
            ("1_000", "\"1_000\""),
            ("~", "\"~\""),
            ("null", "\"null\""),
            ("", "\"\""),
            ("12:30", "\"12:30\""),
            ("2001-12-14", "\"2001-12-14\""),
            ("<<", "\"<<\""),
            ("{\"*\":\"allow\"}", "'{\"*\":\"allow\"}'"),
            ("- x", "'- x'"),
            ("a: b", "'a: b'"),
            ("it's: x", "'it''s: x'"),
            (" lead", "' lead'"),
            ("a\tb", "\"a\\tb\""),
            ("a\nb\n", "\"a\\nb\\n\""),
            ("q\"\\", "q\"\\"),
            ("\"q\\", "'\"q\\'"),
            (
                "\u{1}\u{7F}\u{9F}\u{85}\u{2029}\u{FEFF}",
                "\"\\x01\\x7F\\x9F\\N\\P\\uFEFF\"",
            ),
            ("nb\u{A0}sp", "nb\u{A0}sp"),
        ] {
            assert_eq!(render_scalar(s), want, "{s:?}");
        }
    }

    /// Every string the tables above mention, plus some that need escapes.
    pub(crate) fn all_test_strings() -> Vec<String> {
        let mut all: Vec<String> = quoted_table().iter().map(|(s, _)| s.to_string()).collect();
        all.extend(PLAIN.iter().map(|s| s.to_string()));
        all.extend(
            [
                "a\u{0}b",
                "\u{1F}\u{10FFFF}",
                "\\",
                "'",
                "''",
                "\"",
                "x\u{FFFE}",
            ]
            .map(String::from),
        );
        all
    }

    #[test]
    fn render_round_trips() {
        for s in &all_test_strings() {
            let r = render_scalar(s);
            assert!(
                !r.contains('\n') && !r.contains('\r'),
                "{r:?} is not one line"
            );
            assert_eq!(&read_back_inline(&r), s, "rendered as {r:?}");
        }
    }

    #[test]
    fn go_parse_details() {
        assert_eq!(go_parse_uint("0", 0), Some(0));
        assert_eq!(go_parse_uint("0x", 0), None);
        assert_eq!(go_parse_uint("0b2", 0), None);
        assert_eq!(go_parse_uint("", 0), None);
        assert_eq!(go_parse_uint("18446744073709551616", 0), None);
        assert_eq!(go_parse_int("+", 0), None);
        assert_eq!(go_parse_int("--1", 0), None);
        assert!(go_underscore_ok("1_000.5"));
        assert!(!go_underscore_ok("1__0"));
        assert!(!go_underscore_ok("1_"));
        assert!(go_underscore_ok("0x_1f"));
        assert!(is_yaml_style_float("-1.5e+3"));
        assert!(!is_yaml_style_float("1.5e"));
        assert!(!is_yaml_style_float("."));
        assert!(!is_yaml_style_float("e5"));
    }
}
