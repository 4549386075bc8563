//! Just enough JSON for the core and the flow, without serde_json in the wasm (measured: decoding a
//! `PaymentIntent` through serde_json's `Value` costs ~27 KB brotli, through this module ~6.5 KB): validate a document strictly (RFC 8259), walk objects and arrays with values kept
//! as raw text, read strings, integers and booleans, and write objects with escaped strings.
//!
//! Reading never panics and allocates at most in proportion to the input: malformed JSON (unterminated or
//! badly escaped strings, lone surrogates, bad numbers, trailing garbage, more than [`MAX_DEPTH`] levels)
//! is `None`. Numbers are only checked for syntax: [`int`] and [`uint`] read plain integers and refuse
//! fractions, exponents, `-0` and anything out of range (as serde_json's `as_i64`/`as_u64` do). A key
//! that appears twice means its last value, as with serde_json and the page's `JSON.parse`.

/// Deepest nesting of arrays and objects accepted (serde_json's limit).
pub const MAX_DEPTH: usize = 127;

/// What a raw value is, from its first byte.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Kind {
    Null,
    Bool,
    Number,
    String,
    Array,
    Object,
}

/// The kind of `raw`, a value taken from this module (its first byte decides; no validation).
pub fn kind(raw: &str) -> Option<Kind> {
    Some(match raw.as_bytes().first()? {
        b'n' => Kind::Null,
        b't' | b'f' => Kind::Bool,
        b'"' => Kind::String,
        b'[' => Kind::Array,
        b'{' => Kind::Object,
        b'-' | b'0'..=b'9' => Kind::Number,
        _ => return None,
    })
}

/// `text` as exactly one well-formed JSON value, without the surrounding whitespace.
pub fn value(text: &str) -> Option<&str> {
    let b = text.as_bytes();
    let start = skip_ws(b, 0);
    let end = scan(text, start, 0)?;
    if skip_ws(b, end) != b.len() {
        return None;
    }
    text.get(start..end)
}

/// The members of an object, `(key, value)` as raw JSON text (the key still a quoted, escaped string
/// literal), or the elements of an array (`key` empty), in document order. Made by [`object`] and
/// [`array`], which validate the whole value first.
#[derive(Clone, Debug)]
pub struct Items<'a> {
    text: &'a str,
    pos: usize,
    object: bool,
}

/// The members of `text` if it is one well-formed object.
pub fn object(text: &str) -> Option<Items<'_>> {
    container(text, b'{')
}

/// The elements of `text` if it is one well-formed array.
pub fn array(text: &str) -> Option<Items<'_>> {
    container(text, b'[')
}

fn container(text: &str, open: u8) -> Option<Items<'_>> {
    let text = value(text)?;
    (text.as_bytes().first() == Some(&open)).then_some(Items {
        text,
        pos: 1,
        object: open == b'{',
    })
}

impl<'a> Iterator for Items<'a> {
    type Item = (&'a str, &'a str);

    fn next(&mut self) -> Option<Self::Item> {
        // The text is valid (see `container`), so this only finds the boundaries again.
        let (t, b) = (self.text, self.text.as_bytes());
        let mut i = skip_ws(b, self.pos);
        if b.get(i) == Some(&b',') {
            i = skip_ws(b, i + 1);
        }
        let mut key = "";
        if self.object {
            let end = scan_string(t, i, None)?;
            key = t.get(i..end)?;
            i = skip_ws(b, skip_ws(b, end) + 1);
        } else if matches!(b.get(i), None | Some(b']')) {
            return None;
        }
        let end = scan(t, i, 0)?;
        self.pos = end;
        Some((key, t.get(i..end)?))
    }
}

/// The raw value of member `key` of an object (the last one if the key repeats).
pub fn field<'a>(object: Items<'a>, key: &str) -> Option<&'a str> {
    object
        .filter(|(k, _)| key_is(k, key))
        .last()
        .map(|(_, v)| v)
}

/// True if the raw key literal `raw` means `key`.
fn key_is(raw: &str, key: &str) -> bool {
    match raw.get(1..raw.len().saturating_sub(1)) {
        Some(inner) if !inner.contains('\\') => inner == key,
        _ => string(raw).as_deref() == Some(key),
    }
}

/// The members of a JSON object, keys unescaped and values as raw JSON text. `None` if `text` is not one
/// well-formed object.
pub fn members(text: &str) -> Option<Vec<(String, &str)>> {
    let mut out = Vec::new();
    for (k, v) in object(text)? {
        out.push((string(k)?, v));
    }
    Some(out)
}

/// The object `text` with every member named `key` left out, the others as they were. `{}` if `text` is not
/// one well-formed object.
pub fn without_member(text: &str, key: &str) -> String {
    let mut out = String::from("{");
    for (k, v) in object(text).into_iter().flatten() {
        if key_is(k, key) {
            continue;
        }
        if out.len() > 1 {
            out.push(',');
        }
        out.push_str(k);
        out.push(':');
        out.push_str(v);
    }
    out.push('}');
    out
}

/// The raw value of member `key` of an object's members (the last one if the key repeats).
pub fn get<'a>(members: &[(String, &'a str)], key: &str) -> Option<&'a str> {
    members
        .iter()
        .rev()
        .find(|(k, _)| k == key)
        .map(|(_, v)| *v)
}

/// Member `key` of the object `text`, as a string.
pub fn str_at(text: &str, key: &str) -> Option<String> {
    get(&members(text)?, key).and_then(string)
}

/// A raw JSON string literal, unescaped. `None` for anything else (including `null`).
pub fn string(raw: &str) -> Option<String> {
    let mut out = String::with_capacity(raw.len());
    (scan_string(raw, 0, Some(&mut out))? == raw.len()).then_some(out)
}

/// A raw JSON integer that fits `u64` (no sign, fraction or exponent).
pub fn uint(raw: &str) -> Option<u64> {
    let b = raw.as_bytes();
    if b.is_empty() || b.len() > 20 || (b.len() > 1 && b.first() == Some(&b'0')) {
        return None;
    }
    b.iter().try_fold(0u64, |acc, &d| {
        let d = (d as char).to_digit(10)?;
        acc.checked_mul(10)?.checked_add(u64::from(d))
    })
}

/// A raw JSON integer that fits `i64` (no fraction or exponent; `-0` is not an integer, as in serde_json).
pub fn int(raw: &str) -> Option<i64> {
    match raw.strip_prefix('-') {
        Some("0") => None,
        Some(digits) => 0i64.checked_sub_unsigned(uint(digits)?),
        None => i64::try_from(uint(raw)?).ok(),
    }
}

/// A raw JSON `true` or `false`.
pub fn boolean(raw: &str) -> Option<bool> {
    match raw {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while matches!(b.get(i), Some(b' ' | b'\n' | b'\r' | b'\t')) {
        i += 1;
    }
    i
}

/// Checks the value starting at byte `i` (nested `depth` containers deep) and returns where it ends.
fn scan(t: &str, i: usize, depth: usize) -> Option<usize> {
    let b = t.as_bytes();
    match *b.get(i)? {
        b'"' => scan_string(t, i, None),
        open @ (b'{' | b'[') => {
            if depth >= MAX_DEPTH {
                return None;
            }
            let close = open + 2; // `{` → `}`, `[` → `]`
            let mut j = skip_ws(b, i + 1);
            if b.get(j) == Some(&close) {
                return Some(j + 1);
            }
            loop {
                if open == b'{' {
                    j = skip_ws(b, scan_string(t, j, None)?);
                    if b.get(j) != Some(&b':') {
                        return None;
                    }
                    j = skip_ws(b, j + 1);
                }
                j = skip_ws(b, scan(t, j, depth + 1)?);
                match *b.get(j)? {
                    b',' => j = skip_ws(b, j + 1),
                    c if c == close => return Some(j + 1),
                    _ => return None,
                }
            }
        }
        b't' => literal(b, i, b"true"),
        b'f' => literal(b, i, b"false"),
        b'n' => literal(b, i, b"null"),
        _ => scan_number(b, i),
    }
}

fn literal(b: &[u8], i: usize, word: &[u8]) -> Option<usize> {
    let end = i + word.len();
    (b.get(i..end)? == word).then_some(end)
}

/// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`
fn scan_number(b: &[u8], mut i: usize) -> Option<usize> {
    let digits = |mut j: usize| {
        while b.get(j).is_some_and(u8::is_ascii_digit) {
            j += 1;
        }
        j
    };
    if b.get(i) == Some(&b'-') {
        i += 1;
    }
    i = match b.get(i)? {
        b'0' => i + 1,
        b'1'..=b'9' => digits(i + 1),
        _ => return None,
    };
    if b.get(i) == Some(&b'.') {
        let end = digits(i + 1);
        if end == i + 1 {
            return None;
        }
        i = end;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let end = digits(i);
        if end == i {
            return None;
        }
        i = end;
    }
    Some(i)
}

/// Checks the string literal starting at byte `i`, appending its unescaped value to `out` if given, and
/// returns where it ends.
fn scan_string(t: &str, i: usize, mut out: Option<&mut String>) -> Option<usize> {
    let b = t.as_bytes();
    if b.get(i) != Some(&b'"') {
        return None;
    }
    let mut j = i + 1;
    let mut run = j;
    loop {
        let c = *b.get(j)?;
        if matches!(c, b'"' | b'\\') {
            if let Some(o) = out.as_deref_mut() {
                o.push_str(t.get(run..j)?);
            }
        }
        match c {
            b'"' => return Some(j + 1),
            b'\\' => {
                let (ch, len) = escape(b, j + 1)?;
                if let Some(o) = out.as_deref_mut() {
                    o.push(ch);
                }
                j += 1 + len;
                run = j;
            }
            0..=0x1f => return None,
            _ => j += 1,
        }
    }
}

/// The escape after a backslash at byte `i`: the character and how many bytes it took. Surrogates must come
/// as a high–low pair.
fn escape(b: &[u8], i: usize) -> Option<(char, usize)> {
    let c = match *b.get(i)? {
        b'"' => '"',
        b'\\' => '\\',
        b'/' => '/',
        b'b' => '\u{8}',
        b'f' => '\u{c}',
        b'n' => '\n',
        b'r' => '\r',
        b't' => '\t',
        b'u' => {
            let hi = hex4(b, i + 1)?;
            if !(0xD800..0xDC00).contains(&hi) {
                // A lone low surrogate is not a `char`.
                return Some((char::from_u32(hi)?, 5));
            }
            if b.get(i + 5..i + 7)? != b"\\u" {
                return None;
            }
            let lo = hex4(b, i + 7)?;
            if !(0xDC00..0xE000).contains(&lo) {
                return None;
            }
            let code = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
            return Some((char::from_u32(code)?, 11));
        }
        _ => return None,
    };
    Some((c, 1))
}

fn hex4(b: &[u8], i: usize) -> Option<u32> {
    b.get(i..i + 4)?
        .iter()
        .try_fold(0, |v, &c| Some(v * 16 + (c as char).to_digit(16)?))
}

/// Builds a JSON object as text.
#[derive(Default)]
pub struct Obj(String);

impl Obj {
    pub fn new() -> Obj {
        Obj(String::from("{"))
    }

    fn key(&mut self, k: &str) {
        if self.0.len() > 1 {
            self.0.push(',');
        }
        push_str(&mut self.0, k);
        self.0.push(':');
    }

    pub fn str(mut self, k: &str, v: &str) -> Obj {
        self.key(k);
        push_str(&mut self.0, v);
        self
    }

    pub fn opt_str(self, k: &str, v: Option<&str>) -> Obj {
        match v {
            Some(v) => self.str(k, v),
            None => self,
        }
    }

    /// `v` must already be JSON.
    pub fn raw(mut self, k: &str, v: &str) -> Obj {
        self.key(k);
        self.0.push_str(v);
        self
    }

    pub fn int(mut self, k: &str, v: i64) -> Obj {
        self.key(k);
        if v < 0 {
            self.0.push('-');
        }
        push_uint(&mut self.0, v.unsigned_abs());
        self
    }

    pub fn finish(mut self) -> String {
        self.0.push('}');
        self.0
    }
}

/// Appends `s` as a JSON string literal.
pub fn push_str(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c == '\u{2028}' || c == '\u{2029}' => {
                let v = c as u32;
                out.push_str("\\u");
                for shift in [12, 8, 4, 0] {
                    // ok: the index is masked to 0..16.
                    out.push(HEX[((v >> shift) & 15) as usize] as char);
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Appends a decimal integer (no `fmt` machinery).
pub fn push_uint(out: &mut String, mut v: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    // ok: a u64 has at most 20 digits, so `i` stays in 0..20.
    loop {
        i -= 1;
        buf[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    for &d in &buf[i..] {
        out.push(d as char);
    }
}

pub fn uint_string(v: u64) -> String {
    let mut s = String::new();
    push_uint(&mut s, v);
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn serde_ok(text: &str) -> bool {
        serde_json::from_str::<serde_json::Value>(text).is_ok()
    }

    #[test]
    fn members_keep_raw_values_and_agree_with_serde() {
        let text =
            r#" { "a" : 1, "b":{"x":[1,{"y":"}"}]}, "c":"q\"\u00e9\n", "d":null, "e":-1.5e3 } "#;
        let m = members(text).expect("object");
        let keys: Vec<&str> = m.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["a", "b", "c", "d", "e"]);
        assert_eq!(get(&m, "b"), Some(r#"{"x":[1,{"y":"}"}]}"#));
        assert_eq!(get(&m, "c").and_then(string).as_deref(), Some("q\"é\n"));
        assert_eq!(get(&m, "a").and_then(uint), Some(1));
        assert_eq!(get(&m, "d").and_then(string), None);
        let v: serde_json::Value = serde_json::from_str(text).expect("valid");
        for (k, raw) in &m {
            let parsed: serde_json::Value = serde_json::from_str(raw).expect("raw value is JSON");
            assert_eq!(&parsed, &v[k.as_str()]);
        }
    }

    #[test]
    fn rejects_what_is_not_one_object() {
        for bad in [
            "",
            "[]",
            "{",
            "{\"a\"}",
            "{\"a\":1",
            "{\"a\":1}x",
            "{\"a\":1,}",
            "\"s\"",
        ] {
            assert!(members(bad).is_none(), "{bad:?}");
        }
        assert_eq!(members("{}").map(|m| m.len()), Some(0));
    }

    /// Strict validation, checked against serde_json on well-formed and malformed documents.
    #[test]
    fn validation_agrees_with_serde() {
        let good = [
            "0",
            "-0",
            "-1.5e-3",
            "1E+2",
            "123456789012345678901234567890",
            "true",
            " null ",
            "\"\"",
            r#""\u0000\/\b\f\n\r\t\"\\""#,
            r#""\ud83d\ude00 é \u2028""#,
            "[]",
            "[ ]",
            "[1,[2,[3]],{}]",
            r#"{"":{"a":[true,false,null]}}"#,
            "{\"a\":1,\"a\":2}",
            "\t\r\n{ \"k\" : [ 1 , 2 ] }\n",
        ];
        let bad = [
            "",
            " ",
            "nul",
            "tru",
            "truex",
            "True",
            "NaN",
            "Infinity",
            "-",
            "+1",
            "01",
            "-01",
            "1.",
            ".5",
            "1.e3",
            "1e",
            "1e+",
            "0x10",
            "1 2",
            "\"abc",
            "\"\\\"",
            r#""\x41""#,
            r#""\u12""#,
            r#""\u12g4""#,
            r#""\ud800""#,
            r#""\ud800x""#,
            r#""\ud800\u0041""#,
            r#""\ud800\ue000""#,
            r#""\udc00""#,
            "\"a\nb\"",
            "\"tab\there\"",
            "'s'",
            "[",
            "]",
            "[1,]",
            "[,1]",
            "[1 2]",
            "[}",
            "[{]}",
            "{\"a\":1}}",
            "{,}",
            "{\"a\" 1}",
            "{\"a\":}",
            "{a:1}",
            "{1:1}",
            "{\"a\":1 \"b\":2}",
            "{\"a\":[1,{\"b\":2]}}",
            "\u{feff}{}",
            "{}\u{0}",
            "\u{b}1",
        ];
        for text in good {
            assert!(value(text).is_some(), "should accept {text:?}");
            assert!(serde_ok(text), "serde disagrees on {text:?}");
        }
        for text in bad {
            assert!(value(text).is_none(), "should reject {text:?}");
            assert!(!serde_ok(text), "serde disagrees on {text:?}");
        }
        // The one known difference: serde_json refuses numbers beyond f64; here they are numbers that no
        // integer reader accepts.
        assert_eq!(value("1e400"), Some("1e400"));
        assert!(!serde_ok("1e400"));
        assert_eq!(int("1e400"), None);
    }

    #[test]
    fn nesting_is_limited_like_serde() {
        let nested = |n: usize| "[".repeat(n) + &"]".repeat(n);
        for n in [1, MAX_DEPTH - 1, MAX_DEPTH, MAX_DEPTH + 1, 1000] {
            let text = nested(n);
            assert_eq!(value(&text).is_some(), n <= MAX_DEPTH, "depth {n}");
            assert_eq!(serde_ok(&text), n <= MAX_DEPTH, "serde at depth {n}");
        }
        let objects = "{\"a\":".repeat(MAX_DEPTH + 1) + "1" + &"}".repeat(MAX_DEPTH + 1);
        assert!(object(&objects).is_none());
        // Hostile depth well past the limit: refused, not a stack overflow.
        assert!(value(&"[".repeat(1_000_000)).is_none());
        assert!(members(&("{\"a\":".to_owned() + &"[".repeat(1_000_000))).is_none());
    }

    #[test]
    fn integers() {
        assert_eq!(uint("0"), Some(0));
        assert_eq!(uint("18446744073709551615"), Some(u64::MAX));
        for bad in [
            "18446744073709551616",
            "99999999999999999999999",
            "-1",
            "-0",
            "01",
            "1.0",
            "1e2",
            "",
            "\"1\"",
            "true",
            " 1",
        ] {
            assert_eq!(uint(bad), None, "{bad:?}");
        }
        assert_eq!(int("-9223372036854775808"), Some(i64::MIN));
        assert_eq!(int("9223372036854775807"), Some(i64::MAX));
        assert_eq!(int("-42"), Some(-42));
        assert_eq!(int("0"), Some(0));
        for bad in [
            "9223372036854775808",
            "-9223372036854775809",
            "-0",
            "--1",
            "-",
            "1.5",
            "-2E3",
            "null",
        ] {
            assert_eq!(int(bad), None, "{bad:?}");
            // Exactly where serde_json's `as_i64` says no.
            if let Ok(v) = serde_json::from_str::<serde_json::Value>(bad) {
                assert_eq!(v.as_i64(), None, "{bad:?}");
            }
        }
        assert_eq!(boolean("true"), Some(true));
        assert_eq!(boolean("false"), Some(false));
        assert_eq!(boolean("1"), None);
        assert_eq!(kind("-1"), Some(Kind::Number));
        assert_eq!(kind("null"), Some(Kind::Null));
        assert_eq!(kind(""), None);
    }

    #[test]
    fn strings_are_checked_and_unescaped() {
        assert_eq!(string(r#""\ud83d\ude00""#).as_deref(), Some("😀"));
        assert_eq!(string(r#""a\u00e9\/é""#).as_deref(), Some("aé/é"));
        assert_eq!(string("\"\"").as_deref(), Some(""));
        for bad in [
            r#""a"b""#,
            r#""a""#.trim_end_matches('"'),
            "\"",
            "",
            "null",
            r#""\ud800\ue000""#,
            r#""\q""#,
            " \"a\"",
        ] {
            assert_eq!(string(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn items_fields_and_duplicate_keys() {
        let text = r#"{"a":1,"b":[1,"x",{"c":null},[]],"st\u0061tus":"s","a":2}"#;
        let o = object(text).expect("object");
        let keys: Vec<&str> = o.clone().map(|(k, _)| k).collect();
        assert_eq!(keys, [r#""a""#, r#""b""#, r#""st\u0061tus""#, r#""a""#]);
        // The last duplicate wins, as with serde_json and JSON.parse.
        assert_eq!(field(o.clone(), "a"), Some("2"));
        assert_eq!(get(&members(text).expect("members"), "a"), Some("2"));
        let v: serde_json::Value = serde_json::from_str(text).expect("valid");
        assert_eq!(v["a"], 2);
        assert_eq!(field(o.clone(), "status"), Some("\"s\""));
        assert_eq!(field(o.clone(), "missing"), None);
        let b = field(o, "b").expect("b");
        let items: Vec<(&str, &str)> = array(b).expect("array").collect();
        assert_eq!(
            items,
            [("", "1"), ("", "\"x\""), ("", "{\"c\":null}"), ("", "[]")]
        );
        assert_eq!(array(" [ ] ").map(Iterator::count), Some(0));
        assert_eq!(object(" { } ").map(Iterator::count), Some(0));
        assert!(array("{}").is_none() && object("[]").is_none() && array("[1,]").is_none());
        assert_eq!(
            str_at(r#"{"u":"https://x/3ds","u2":1}"#, "u").as_deref(),
            Some("https://x/3ds")
        );
    }

    #[test]
    fn written_json_parses_back() {
        let s = Obj::new()
            .str("k", "a\"b\\c\n\u{1}\u{2028}é")
            .int("n", -42)
            .raw("o", "{\"x\":1}")
            .finish();
        let v: serde_json::Value = serde_json::from_str(&s).expect("valid JSON");
        assert_eq!(v["k"], "a\"b\\c\n\u{1}\u{2028}é");
        assert_eq!(v["n"], -42);
        assert_eq!(v["o"]["x"], 1);
        assert_eq!(uint_string(u64::MAX), u64::MAX.to_string());
        let m = members(&s).expect("own output is valid");
        assert_eq!(
            get(&m, "k").and_then(string).as_deref(),
            Some("a\"b\\c\n\u{1}\u{2028}é")
        );
        assert_eq!(get(&m, "n").and_then(int), Some(-42));
    }
}
