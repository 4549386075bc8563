//! A server-sent-events parser for a `fetch` body read in chunks: pure, byte-oriented, and fed whatever
//! chunk boundaries the network produces (mid-line, mid-UTF-8, `\r\n` split across chunks).

/// One dispatched event. `id` is the last `id:` seen on the stream so far (SSE's "last event ID").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SseEvent {
    pub event: String,
    pub data: String,
    pub id: Option<String>,
}

#[derive(Default, Debug)]
pub struct SseParser {
    line: Vec<u8>,
    /// The previous chunk ended in `\r`: a leading `\n` in the next one belongs to it.
    after_cr: bool,
    event: String,
    data: String,
    has_data: bool,
    last_id: Option<String>,
}

impl SseParser {
    pub fn new() -> Self {
        Self::default()
    }

    /// Feeds bytes; returns the events completed by them, in order.
    pub fn feed(&mut self, bytes: &[u8]) -> Vec<SseEvent> {
        let mut out = Vec::new();
        for &b in bytes {
            if self.after_cr {
                self.after_cr = false;
                if b == b'\n' {
                    continue;
                }
            }
            match b {
                b'\n' => self.end_line(&mut out),
                b'\r' => {
                    self.after_cr = true;
                    self.end_line(&mut out);
                }
                _ => self.line.push(b),
            }
        }
        out
    }

    fn end_line(&mut self, out: &mut Vec<SseEvent>) {
        let raw = std::mem::take(&mut self.line);
        let line = String::from_utf8_lossy(&raw);
        if line.is_empty() {
            if self.has_data {
                out.push(SseEvent {
                    event: if self.event.is_empty() {
                        "message".into()
                    } else {
                        std::mem::take(&mut self.event)
                    },
                    data: std::mem::take(&mut self.data),
                    id: self.last_id.clone(),
                });
            }
            self.event.clear();
            self.data.clear();
            self.has_data = false;
            return;
        }
        if line.starts_with(':') {
            return; // comment / heartbeat
        }
        let (field, value) = match line.split_once(':') {
            Some((f, v)) => (f, v.strip_prefix(' ').unwrap_or(v)),
            None => (&*line, ""),
        };
        match field {
            "event" => self.event = value.to_string(),
            "data" => {
                if self.has_data {
                    self.data.push('\n');
                }
                self.data.push_str(value);
                self.has_data = true;
            }
            "id" if !value.contains('\0') => self.last_id = Some(value.to_string()),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all_at_once(input: &str) -> Vec<SseEvent> {
        SseParser::new().feed(input.as_bytes())
    }

    #[test]
    fn parses_events_ids_comments_and_multiline_data() {
        let evs = all_at_once(
            ": ping\n\nid: 3\nevent: intent\ndata: {\"a\":\ndata: 1}\n\n: ping\n\ndata: x\n\n",
        );
        assert_eq!(evs.len(), 2);
        assert_eq!(
            evs[0],
            SseEvent {
                event: "intent".into(),
                data: "{\"a\":\n1}".into(),
                id: Some("3".into())
            }
        );
        assert_eq!(
            evs[1],
            SseEvent {
                event: "message".into(),
                data: "x".into(),
                id: Some("3".into())
            }
        );
    }

    #[test]
    fn any_chunking_gives_the_same_events() {
        let input = "id: 7\r\nevent: intent\r\ndata: {\"status\":\"Créé\"}\r\n\r\nid: 8\revent: intent\rdata: y\r\r";
        let whole = all_at_once(input);
        assert_eq!(whole.len(), 2);
        let bytes = input.as_bytes();
        for split in 1..bytes.len() {
            let mut p = SseParser::new();
            let mut evs = p.feed(&bytes[..split]);
            evs.extend(p.feed(&bytes[split..]));
            assert_eq!(evs, whole, "split at {split}");
        }
    }

    #[test]
    fn an_unterminated_event_is_not_dispatched() {
        assert!(all_at_once("id: 1\nevent: intent\ndata: {}\n").is_empty());
    }
}
