//! Testkit's line framing, sans IO.
//!
//! Testkit sends each request as three (or more) lines:
//!
//! ```text
//! #request begin
//! {"name": "GetFeatures", "data": {}}
//! #request end
//! ```
//!
//! and expects each response framed the same way with `#response begin` and
//! `#response end`. Lines outside a request are ignored (testkit does the same
//! with lines outside a response, so a backend may log there). Lines are
//! trimmed of surrounding whitespace, as testkit trims them.
//!
//! [`RequestReader`] is fed bytes as they arrive, in chunks of any size, and
//! yields each complete request body; [`encode_response`] frames a response.

use crate::protocol::Response;

/// The marker line that opens a request.
pub const REQUEST_BEGIN: &str = "#request begin";
/// The marker line that closes a request.
pub const REQUEST_END: &str = "#request end";
/// The marker line that opens a response.
pub const RESPONSE_BEGIN: &str = "#response begin";
/// The marker line that closes a response.
pub const RESPONSE_END: &str = "#response end";

/// The default bound on one request's size (body and any single line): far
/// above anything testkit sends, low enough that a runaway peer cannot make
/// the backend hold unbounded memory.
pub const DEFAULT_MAX_REQUEST_BYTES: usize = 16 * 1024 * 1024;

/// A framing problem with one request. The reader recovers by itself: it
/// drops the broken request and carries on with the next one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    /// A `#request begin` arrived while a request was still open; the open
    /// request is dropped and the new one starts.
    #[error("'{REQUEST_BEGIN}' inside an open request; the open request was dropped")]
    NestedBegin,
    /// The request (or one of its lines) exceeded the size bound.
    #[error("request larger than {limit} bytes; dropped")]
    TooLarge {
        /// The bound in bytes.
        limit: usize,
    },
    /// A line of the request was not UTF-8.
    #[error("request is not valid UTF-8; dropped")]
    InvalidUtf8,
}

/// An incremental reader of testkit requests: feed it bytes with
/// [`push`](Self::push), take complete requests with
/// [`next_request`](Self::next_request).
#[derive(Debug)]
pub struct RequestReader {
    /// Bytes of the line not yet terminated by `\n`.
    partial: Vec<u8>,
    /// Whether a request is open.
    state: State,
    /// The body of the open request (lines between begin and end).
    body: String,
    /// The open request went over the bound; it is skipped until its end.
    oversized: bool,
    /// The open request had a line that was not UTF-8.
    bad_utf8: bool,
    /// Results ready to be taken.
    ready: std::collections::VecDeque<Result<String, FrameError>>,
    /// Bound on a request's body and on any single line.
    max_bytes: usize,
    /// A line longer than the bound is being discarded up to its `\n`.
    discarding_line: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Outside,
    Inside,
}

impl Default for RequestReader {
    fn default() -> Self {
        Self::new(DEFAULT_MAX_REQUEST_BYTES)
    }
}

impl RequestReader {
    /// A reader bounding each request (and each line) to `max_bytes`.
    pub fn new(max_bytes: usize) -> Self {
        RequestReader {
            partial: Vec::new(),
            state: State::Outside,
            body: String::new(),
            oversized: false,
            bad_utf8: false,
            ready: std::collections::VecDeque::new(),
            max_bytes,
            discarding_line: false,
        }
    }

    /// Feeds bytes as they were read from the connection.
    pub fn push(&mut self, mut bytes: &[u8]) {
        while !bytes.is_empty() {
            match bytes.iter().position(|&b| b == b'\n') {
                Some(i) => {
                    let (head, rest) = bytes.split_at(i);
                    // `rest` starts with the `\n` found at `i`: skip it.
                    bytes = rest.get(1..).unwrap_or_default();
                    if self.discarding_line {
                        self.discarding_line = false;
                        self.partial.clear();
                        continue;
                    }
                    if self.partial.len() + head.len() > self.max_bytes {
                        self.partial.clear();
                        self.line_too_long();
                        continue;
                    }
                    self.partial.extend_from_slice(head);
                    let line = std::mem::take(&mut self.partial);
                    self.line(&line);
                }
                None => {
                    if !self.discarding_line {
                        if self.partial.len() + bytes.len() > self.max_bytes {
                            self.partial.clear();
                            self.discarding_line = true;
                            self.line_too_long();
                        } else {
                            self.partial.extend_from_slice(bytes);
                        }
                    }
                    bytes = &[];
                }
            }
        }
    }

    /// The next complete request body (the JSON text), or a framing error
    /// for a request that had to be dropped; `None` when more bytes are
    /// needed.
    pub fn next_request(&mut self) -> Option<Result<String, FrameError>> {
        self.ready.pop_front()
    }

    /// Whether a request is open (begun but not ended), e.g. to tell a clean
    /// end of stream from a truncated one.
    pub fn in_request(&self) -> bool {
        self.state == State::Inside || !self.partial.is_empty()
    }

    fn line_too_long(&mut self) {
        if self.state == State::Inside {
            self.oversized = true;
            self.body.clear();
        }
        // Outside a request a long line is noise and is dropped quietly.
    }

    fn line(&mut self, raw: &[u8]) {
        let Ok(text) = std::str::from_utf8(raw) else {
            if self.state == State::Inside {
                self.bad_utf8 = true;
                self.body.clear();
            }
            return;
        };
        let line = text.trim();
        match (self.state, line) {
            (State::Outside, REQUEST_BEGIN) => self.begin(),
            // Blank lines, logs and other noise between requests.
            (State::Outside, _) => {}
            (State::Inside, REQUEST_BEGIN) => {
                self.ready.push_back(Err(FrameError::NestedBegin));
                self.begin();
            }
            (State::Inside, REQUEST_END) => {
                self.state = State::Outside;
                let body = std::mem::take(&mut self.body);
                let result = if self.oversized {
                    Err(FrameError::TooLarge {
                        limit: self.max_bytes,
                    })
                } else if self.bad_utf8 {
                    Err(FrameError::InvalidUtf8)
                } else {
                    Ok(body)
                };
                self.ready.push_back(result);
            }
            (State::Inside, _) => {
                if self.oversized || self.bad_utf8 {
                    return;
                }
                if self.body.len() + line.len() > self.max_bytes {
                    self.oversized = true;
                    self.body.clear();
                    return;
                }
                // Testkit writes the JSON on one line; a body split over
                // several lines is joined as testkit joins responses.
                self.body.push_str(line);
            }
        }
    }

    fn begin(&mut self) {
        self.state = State::Inside;
        self.body.clear();
        self.oversized = false;
        self.bad_utf8 = false;
    }
}

/// Frames a response for the wire: the begin marker, the JSON on one line,
/// the end marker, each terminated by `\n`.
pub fn encode_response(response: &Response) -> String {
    let json = response.to_json();
    let mut out = String::with_capacity(json.len() + RESPONSE_BEGIN.len() + RESPONSE_END.len() + 3);
    out.push_str(RESPONSE_BEGIN);
    out.push('\n');
    out.push_str(&json);
    out.push('\n');
    out.push_str(RESPONSE_END);
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drain(reader: &mut RequestReader) -> Vec<Result<String, FrameError>> {
        std::iter::from_fn(|| reader.next_request()).collect()
    }

    const ONE: &str = "#request begin\n{\"name\":\"GetFeatures\",\"data\":{}}\n#request end\n";

    #[test]
    fn one_request_in_one_read() {
        let mut r = RequestReader::default();
        r.push(ONE.as_bytes());
        assert_eq!(
            drain(&mut r),
            vec![Ok("{\"name\":\"GetFeatures\",\"data\":{}}".to_owned())]
        );
        assert!(!r.in_request());
    }

    #[test]
    fn a_request_split_at_every_byte() {
        let mut r = RequestReader::default();
        let mut out = Vec::new();
        for b in ONE.as_bytes() {
            r.push(std::slice::from_ref(b));
            out.extend(drain(&mut r));
        }
        assert_eq!(
            out,
            vec![Ok("{\"name\":\"GetFeatures\",\"data\":{}}".to_owned())]
        );
    }

    #[test]
    fn several_requests_in_one_read_and_crlf() {
        let mut r = RequestReader::default();
        let crlf = ONE.replace('\n', "\r\n");
        r.push(format!("{ONE}{crlf}{ONE}").as_bytes());
        let out = drain(&mut r);
        assert_eq!(out.len(), 3);
        assert!(out
            .iter()
            .all(|x| x.as_deref() == Ok("{\"name\":\"GetFeatures\",\"data\":{}}")));
    }

    #[test]
    fn garbage_between_requests_is_ignored() {
        let mut r = RequestReader::default();
        r.push(b"hello\n\n  \n#request ended\n\xff\xfe\n");
        r.push(ONE.as_bytes());
        r.push(b"#request end\n");
        assert_eq!(drain(&mut r).len(), 1);
    }

    #[test]
    fn a_body_over_several_lines_is_joined() {
        let mut r = RequestReader::default();
        r.push(b"#request begin\n{\"name\":\n \"GetFeatures\"}\n#request end\n");
        assert_eq!(
            drain(&mut r),
            vec![Ok("{\"name\":\"GetFeatures\"}".to_owned())]
        );
    }

    #[test]
    fn nested_begin_drops_the_open_request() {
        let mut r = RequestReader::default();
        r.push(b"#request begin\n{\"half\":\n");
        r.push(ONE.as_bytes());
        let out = drain(&mut r);
        assert_eq!(out[0], Err(FrameError::NestedBegin));
        assert!(out[1].is_ok());
    }

    #[test]
    fn oversized_requests_are_dropped_and_reading_recovers() {
        let mut r = RequestReader::new(64);
        // Over the bound spread over many short lines.
        r.push(b"#request begin\n");
        for _ in 0..20 {
            r.push(b"0123456789\n");
        }
        r.push(b"#request end\n");
        // Over the bound in one unterminated line, fed in pieces.
        r.push(b"#request begin\n");
        for _ in 0..100 {
            r.push(b"0123456789");
        }
        r.push(b"\n#request end\n");
        // Noise too long outside a request is dropped quietly.
        r.push(&[b'x'; 1000]);
        r.push(b"\n");
        r.push(ONE.as_bytes());
        let out = drain(&mut r);
        assert_eq!(
            out,
            vec![
                Err(FrameError::TooLarge { limit: 64 }),
                Err(FrameError::TooLarge { limit: 64 }),
                Ok("{\"name\":\"GetFeatures\",\"data\":{}}".to_owned()),
            ]
        );
    }

    #[test]
    fn invalid_utf8_inside_a_request_is_reported() {
        let mut r = RequestReader::default();
        r.push(b"#request begin\n{\"a\":\"\xff\"}\n#request end\n");
        r.push(ONE.as_bytes());
        let out = drain(&mut r);
        assert_eq!(out[0], Err(FrameError::InvalidUtf8));
        assert!(out[1].is_ok());
    }

    #[test]
    fn a_truncated_stream_is_visible() {
        let mut r = RequestReader::default();
        r.push(b"#request begin\n{}");
        assert!(drain(&mut r).is_empty());
        assert!(r.in_request());
    }

    #[test]
    fn responses_are_framed_on_three_lines() {
        let framed = encode_response(&Response::backend_error("boom"));
        let lines: Vec<&str> = framed.lines().collect();
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[0], RESPONSE_BEGIN);
        assert_eq!(lines[2], RESPONSE_END);
        assert!(framed.ends_with('\n'));
        let v: serde_json::Value = serde_json::from_str(lines[1]).unwrap_or_default();
        assert_eq!(v["name"], "BackendError");
        assert_eq!(v["data"]["msg"], "boom");
    }
}
