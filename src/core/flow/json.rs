//! Just enough JSON for the flow, without serde_json in the wasm (its parser, `Value` and float printing
//! cost ~25 KB): split an object into its top-level members (values kept as raw text), read strings and
//! integers, and write escaped strings. The raw text of a snapshot is passed to the page as received.

/// The members of a JSON object, values as raw JSON text. `None` if `text` is not one well-formed object.
pub fn members(text: &str) -> Option<Vec<(String, &str)>> {
    let b = text.as_bytes();
    let mut i = skip_ws(b, 0);
    if b.get(i) != Some(&b'{') {
        return None;
    }
    i = skip_ws(b, i + 1);
    let mut out = Vec::new();
    if b.get(i) == Some(&b'}') {
        return (skip_ws(b, i + 1) == b.len()).then_some(out);
    }
    loop {
        let key_end = skip_value(b, i)?;
        let key = string(text.get(i..key_end)?)?;
        i = skip_ws(b, key_end);
        if b.get(i) != Some(&b':') {
            return None;
        }
        let start = skip_ws(b, i + 1);
        let end = skip_value(b, start)?;
        out.push((key, text.get(start..end)?));
        i = skip_ws(b, end);
        match b.get(i) {
            Some(b',') => i = skip_ws(b, i + 1),
            Some(b'}') => return (skip_ws(b, i + 1) == b.len()).then_some(out),
            _ => return None,
        }
    }
}

/// The raw value of member `key` of an object's members.
pub fn get<'a>(members: &[(String, &'a str)], key: &str) -> Option<&'a str> {
    members.iter().find(|(k, _)| k == key).map(|(_, v)| *v)
}

/// Member `key` of the object `text`, as a string.
pub fn str_at(text: &str, key: &str) -> Option<String> {
    get(&members(text)?, key).and_then(string)
}

/// A raw JSON string literal, unescaped. `None` for anything else (including `null`).
pub fn string(raw: &str) -> Option<String> {
    let inner = raw.strip_prefix('"')?.strip_suffix('"')?;
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next()? {
            '"' => out.push('"'),
            '\\' => out.push('\\'),
            '/' => out.push('/'),
            'b' => out.push('\u{8}'),
            'f' => out.push('\u{c}'),
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            't' => out.push('\t'),
            'u' => {
                let hi = hex4(&mut chars)?;
                let code = if (0xD800..0xDC00).contains(&hi) {
                    if chars.next()? != '\\' || chars.next()? != 'u' {
                        return None;
                    }
                    let lo = hex4(&mut chars)?;
                    0x10000 + ((hi - 0xD800) << 10) + (lo.checked_sub(0xDC00)? & 0x3FF)
                } else {
                    hi
                };
                out.push(char::from_u32(code)?);
            }
            _ => return None,
        }
    }
    Some(out)
}

fn hex4(chars: &mut std::str::Chars<'_>) -> Option<u32> {
    let mut v = 0;
    for _ in 0..4 {
        v = v * 16 + chars.next()?.to_digit(16)?;
    }
    Some(v)
}

/// A raw JSON non-negative integer.
pub fn uint(raw: &str) -> Option<u64> {
    if raw.is_empty() || raw.len() > 19 || !raw.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    raw.bytes().try_fold(0u64, |acc, d| {
        acc.checked_mul(10)?.checked_add(u64::from(d - b'0'))
    })
}

fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while matches!(b.get(i), Some(b' ' | b'\n' | b'\r' | b'\t')) {
        i += 1;
    }
    i
}

/// The end of the value starting at `i` (structure only; scalars are checked loosely).
fn skip_value(b: &[u8], i: usize) -> Option<usize> {
    match *b.get(i)? {
        b'"' => {
            let mut j = i + 1;
            loop {
                match *b.get(j)? {
                    b'"' => return Some(j + 1),
                    b'\\' => j += 2,
                    c if c < 0x20 => return None,
                    _ => j += 1,
                }
            }
        }
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut j = i;
            loop {
                match *b.get(j)? {
                    b'"' => {
                        j = skip_value(b, j)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(j + 1);
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
        }
        _ => {
            let mut j = i;
            while let Some(c) = b.get(j) {
                if matches!(c, b',' | b'}' | b']' | b' ' | b'\n' | b'\r' | b'\t') {
                    break;
                }
                j += 1;
            }
            (j > i).then_some(j)
        }
    }
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
        assert_eq!(string(r#""\ud83d\ude00""#).as_deref(), Some("😀"));
    }
}
