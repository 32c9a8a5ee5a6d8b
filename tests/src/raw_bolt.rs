//! A minimal Bolt client over any byte stream, written from the protocol
//! specification for the test harness's own checks (version negotiation,
//! TLS, authentication). It deliberately shares no code with the boltline
//! crates, so that a bug there cannot hide a broken test server, and a broken
//! test server is diagnosed without them.
//!
//! It speaks Bolt 5.x only and encodes just the PackStream values it needs.

use std::io::{self, Read, Write};

/// The Bolt magic preamble.
const MAGIC: [u8; 4] = [0x60, 0x60, 0xB0, 0x17];

/// Version proposals: 5.8 down to 5.0 (range 8), then 4.4, then padding.
/// Each is `[0, range, minor, major]`.
const PROPOSALS: [u8; 16] = [0, 8, 8, 5, 0, 0, 4, 4, 0, 0, 0, 0, 0, 0, 0, 0];

/// Sends the Bolt handshake (proposing 5.8 to 5.0, then 4.4) and returns the
/// version the server chose as `(major, minor)`; `(0, 0)` means none.
pub fn handshake<S: Read + Write>(stream: &mut S) -> io::Result<(u8, u8)> {
    let mut request = [0u8; 20];
    request[..4].copy_from_slice(&MAGIC);
    request[4..].copy_from_slice(&PROPOSALS);
    stream.write_all(&request)?;
    stream.flush()?;
    let mut answer = [0u8; 4];
    stream.read_exact(&mut answer)?;
    Ok((answer[3], answer[2]))
}

/// A PackStream value (the subset these tests use).
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `null`.
    Null,
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
    /// A byte array.
    Bytes(Vec<u8>),
    /// A string.
    String(String),
    /// A list.
    List(Vec<Value>),
    /// A map, in wire order.
    Map(Vec<(String, Value)>),
    /// A structure: tag and fields (nodes, dates, …).
    Struct(u8, Vec<Value>),
}

impl Value {
    /// A map from `(key, value)` pairs.
    pub fn map<'a>(entries: impl IntoIterator<Item = (&'a str, Value)>) -> Self {
        Value::Map(
            entries
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v))
                .collect(),
        )
    }

    /// A string value.
    pub fn str(s: &str) -> Self {
        Value::String(s.to_owned())
    }

    /// The value under `key`, if this is a map that has it.
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Map(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }
}

/// A message the server sent.
#[derive(Debug, Clone, PartialEq)]
pub enum Response {
    /// `SUCCESS` with its metadata map.
    Success(Value),
    /// `RECORD` with its fields.
    Record(Vec<Value>),
    /// `FAILURE` with its metadata (`code`, `message`).
    Failure(Value),
    /// `IGNORED`.
    Ignored,
}

impl Response {
    /// The Neo4j status code of a `FAILURE` (e.g.
    /// `Neo.ClientError.Security.Unauthorized`).
    pub fn failure_code(&self) -> Option<&str> {
        match self {
            // Bolt 5.7 renamed `code` to `neo4j_code`.
            Response::Failure(meta) => meta
                .get("neo4j_code")
                .or_else(|| meta.get("code"))
                .and_then(Value::as_str),
            _ => None,
        }
    }
}

/// A Bolt 5 connection after a successful handshake.
pub struct Connection<S> {
    stream: S,
    version: (u8, u8),
}

impl<S: Read + Write> Connection<S> {
    /// Performs the handshake on `stream`; fails unless the server chose a
    /// 5.x version.
    pub fn handshake(mut stream: S) -> io::Result<Self> {
        let version = handshake(&mut stream)?;
        if version.0 != 5 {
            return Err(io::Error::other(format!(
                "the server chose Bolt {}.{}, expected 5.x",
                version.0, version.1
            )));
        }
        Ok(Self { stream, version })
    }

    /// The negotiated version, `(major, minor)`.
    pub fn version(&self) -> (u8, u8) {
        self.version
    }

    /// Logs in with the `basic` scheme: `HELLO` carrying the credentials on
    /// Bolt 5.0, `HELLO` then `LOGON` from 5.1 on. Returns the response to
    /// the message that carried the credentials.
    pub fn login(&mut self, user: &str, password: &str) -> io::Result<Response> {
        let auth = [
            ("scheme", Value::str("basic")),
            ("principal", Value::str(user)),
            ("credentials", Value::str(password)),
        ];
        let mut hello = vec![("user_agent", Value::str("boltline-itests/0.1"))];
        if self.version.1 >= 3 {
            // Required from Bolt 5.3 on.
            hello.push((
                "bolt_agent",
                Value::map([("product", Value::str("boltline-itests/0.1"))]),
            ));
        }
        if self.version.1 == 0 {
            hello.extend(auth);
            return self.request(0x01, vec![Value::map(hello)]);
        }
        match self.request(0x01, vec![Value::map(hello)])? {
            Response::Success(_) => self.request(0x6A, vec![Value::map(auth)]),
            other => Ok(other),
        }
    }

    /// Runs `query` in an auto-commit transaction and pulls all records.
    /// Returns the records, or the first response that is not a `SUCCESS` or
    /// `RECORD`.
    pub fn run(&mut self, query: &str) -> Result<Vec<Vec<Value>>, Response> {
        let io_failure =
            |e: io::Error| Response::Failure(Value::map([("io", Value::str(&e.to_string()))]));
        let run = vec![Value::str(query), Value::map([]), Value::map([])];
        match self.request(0x10, run).map_err(io_failure)? {
            Response::Success(_) => {}
            other => return Err(other),
        }
        self.send(0x3F, vec![Value::map([("n", Value::Int(-1))])])
            .map_err(io_failure)?;
        let mut records = Vec::new();
        loop {
            match self.receive().map_err(io_failure)? {
                Response::Record(fields) => records.push(fields),
                Response::Success(_) => return Ok(records),
                other => return Err(other),
            }
        }
    }

    /// Sends one message and returns the server's one response.
    pub fn request(&mut self, tag: u8, fields: Vec<Value>) -> io::Result<Response> {
        self.send(tag, fields)?;
        self.receive()
    }

    /// Sends a message: a structure with `tag` and `fields`, chunked.
    pub fn send(&mut self, tag: u8, fields: Vec<Value>) -> io::Result<()> {
        let mut body = Vec::new();
        encode(&Value::Struct(tag, fields), &mut body);
        let mut framed = Vec::with_capacity(body.len() + 8);
        for chunk in body.chunks(usize::from(u16::MAX)) {
            let len = u16::try_from(chunk.len()).map_err(io::Error::other)?;
            framed.extend_from_slice(&len.to_be_bytes());
            framed.extend_from_slice(chunk);
        }
        framed.extend_from_slice(&[0, 0]);
        self.stream.write_all(&framed)?;
        self.stream.flush()
    }

    /// Reads one message (skipping keep-alive `NOOP` chunks).
    pub fn receive(&mut self) -> io::Result<Response> {
        let mut body = Vec::new();
        loop {
            let mut header = [0u8; 2];
            self.stream.read_exact(&mut header)?;
            let len = usize::from(u16::from_be_bytes(header));
            if len == 0 {
                if body.is_empty() {
                    continue;
                }
                break;
            }
            let start = body.len();
            body.resize(start + len, 0);
            self.stream.read_exact(&mut body[start..])?;
        }
        let mut input = body.as_slice();
        let message = decode(&mut input)?;
        let Value::Struct(tag, mut fields) = message else {
            return Err(invalid("a message is not a structure"));
        };
        let first = || fields.first().cloned().unwrap_or(Value::Null);
        Ok(match tag {
            0x70 => Response::Success(first()),
            0x7F => Response::Failure(first()),
            0x7E => Response::Ignored,
            0x71 => match fields.pop() {
                Some(Value::List(values)) => Response::Record(values),
                _ => return Err(invalid("RECORD without a list")),
            },
            other => return Err(invalid(&format!("unknown message tag {other:#04x}"))),
        })
    }
}

fn invalid(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, what.to_owned())
}

/// Writes a marker for a sized value: tiny form (`tiny` + size) when the size
/// is below 16, else the 8/16/32-bit forms starting at `sized`.
fn encode_size(tiny: Option<u8>, sized: u8, len: usize, out: &mut Vec<u8>) {
    match (
        tiny,
        u8::try_from(len),
        u16::try_from(len),
        u32::try_from(len),
    ) {
        (Some(tiny), Ok(n), _, _) if n < 16 => out.push(tiny | n),
        (_, Ok(n), _, _) => out.extend([sized, n]),
        (_, _, Ok(n), _) => {
            out.push(sized + 1);
            out.extend(n.to_be_bytes());
        }
        (_, _, _, Ok(n)) => {
            out.push(sized + 2);
            out.extend(n.to_be_bytes());
        }
        _ => panic!("value too large for PackStream: {len}"),
    }
}

/// PackStream encoding.
pub fn encode(value: &Value, out: &mut Vec<u8>) {
    match value {
        Value::Null => out.push(0xC0),
        Value::Bool(b) => out.push(if *b { 0xC3 } else { 0xC2 }),
        Value::Int(i) => {
            if let Ok(small) = i8::try_from(*i).map(|b| b.to_be_bytes()[0]) {
                if (-16..128).contains(i) {
                    out.push(small);
                } else {
                    out.extend([0xC8, small]);
                }
            } else if let Ok(n) = i16::try_from(*i) {
                out.push(0xC9);
                out.extend(n.to_be_bytes());
            } else if let Ok(n) = i32::try_from(*i) {
                out.push(0xCA);
                out.extend(n.to_be_bytes());
            } else {
                out.push(0xCB);
                out.extend(i.to_be_bytes());
            }
        }
        Value::Float(f) => {
            out.push(0xC1);
            out.extend(f.to_be_bytes());
        }
        Value::Bytes(b) => {
            encode_size(None, 0xCC, b.len(), out);
            out.extend(b);
        }
        Value::String(s) => {
            encode_size(Some(0x80), 0xD0, s.len(), out);
            out.extend(s.as_bytes());
        }
        Value::List(items) => {
            encode_size(Some(0x90), 0xD4, items.len(), out);
            items.iter().for_each(|item| encode(item, out));
        }
        Value::Map(entries) => {
            encode_size(Some(0xA0), 0xD8, entries.len(), out);
            for (key, value) in entries {
                encode(&Value::String(key.clone()), out);
                encode(value, out);
            }
        }
        Value::Struct(tag, fields) => {
            let n = u8::try_from(fields.len())
                .ok()
                .filter(|&n| n < 16)
                .expect("a structure has at most 15 fields");
            out.extend([0xB0 | n, *tag]);
            fields.iter().for_each(|field| encode(field, out));
        }
    }
}

/// PackStream decoding of one value from the front of `input`.
pub fn decode(input: &mut &[u8]) -> io::Result<Value> {
    let marker = take(input, 1)?[0];
    let high = marker & 0xF0;
    let low = usize::from(marker & 0x0F);
    Ok(match marker {
        0x00..=0x7F | 0xF0..=0xFF => Value::Int(i64::from(i8::from_be_bytes([marker]))),
        0xC0 => Value::Null,
        0xC1 => Value::Float(f64::from_be_bytes(array(input)?)),
        0xC2 => Value::Bool(false),
        0xC3 => Value::Bool(true),
        0xC8 => Value::Int(i64::from(i8::from_be_bytes(array(input)?))),
        0xC9 => Value::Int(i64::from(i16::from_be_bytes(array(input)?))),
        0xCA => Value::Int(i64::from(i32::from_be_bytes(array(input)?))),
        0xCB => Value::Int(i64::from_be_bytes(array(input)?)),
        0xCC..=0xCE => {
            let len = sized_len(marker - 0xCC, input)?;
            Value::Bytes(take(input, len)?.to_vec())
        }
        _ if high == 0x80 => string(low, input)?,
        0xD0..=0xD2 => {
            let len = sized_len(marker - 0xD0, input)?;
            string(len, input)?
        }
        _ if high == 0x90 => list(low, input)?,
        0xD4..=0xD6 => {
            let len = sized_len(marker - 0xD4, input)?;
            list(len, input)?
        }
        _ if high == 0xA0 => map(low, input)?,
        0xD8..=0xDA => {
            let len = sized_len(marker - 0xD8, input)?;
            map(len, input)?
        }
        _ if high == 0xB0 => {
            let tag = take(input, 1)?[0];
            let fields = (0..low).map(|_| decode(input)).collect::<io::Result<_>>()?;
            Value::Struct(tag, fields)
        }
        other => return Err(invalid(&format!("unknown PackStream marker {other:#04x}"))),
    })
}

fn take<'a>(input: &mut &'a [u8], n: usize) -> io::Result<&'a [u8]> {
    if input.len() < n {
        return Err(invalid("truncated PackStream value"));
    }
    let (head, rest) = input.split_at(n);
    *input = rest;
    Ok(head)
}

fn array<const N: usize>(input: &mut &[u8]) -> io::Result<[u8; N]> {
    let mut bytes = [0u8; N];
    bytes.copy_from_slice(take(input, N)?);
    Ok(bytes)
}

/// The length after a sized marker: `width` 0, 1, 2 for 8, 16, 32 bits.
fn sized_len(width: u8, input: &mut &[u8]) -> io::Result<usize> {
    let len = match width {
        0 => u32::from(array::<1>(input)?[0]),
        1 => u32::from(u16::from_be_bytes(array(input)?)),
        _ => u32::from_be_bytes(array(input)?),
    };
    usize::try_from(len).map_err(|_| invalid("length does not fit in memory"))
}

fn string(len: usize, input: &mut &[u8]) -> io::Result<Value> {
    let bytes = take(input, len)?;
    String::from_utf8(bytes.to_vec())
        .map(Value::String)
        .map_err(|_| invalid("a string is not UTF-8"))
}

fn list(len: usize, input: &mut &[u8]) -> io::Result<Value> {
    (0..len)
        .map(|_| decode(input))
        .collect::<io::Result<_>>()
        .map(Value::List)
}

fn map(len: usize, input: &mut &[u8]) -> io::Result<Value> {
    let mut entries = Vec::with_capacity(len);
    for _ in 0..len {
        let Value::String(key) = decode(input)? else {
            return Err(invalid("a map key is not a string"));
        };
        entries.push((key, decode(input)?));
    }
    Ok(Value::Map(entries))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let long = "x".repeat(300);
        let value = Value::List(vec![
            Value::Null,
            Value::Bool(true),
            Value::Int(-16),
            Value::Int(-17),
            Value::Int(127),
            Value::Int(128),
            Value::Int(-129),
            Value::Int(70_000),
            Value::Int(i64::MIN),
            Value::Float(1.5),
            Value::Bytes(vec![1, 2]),
            Value::str(&long),
            Value::map([("a", Value::str("b"))]),
            Value::Struct(0x4E, vec![Value::Int(1)]),
        ]);
        let mut bytes = Vec::new();
        encode(&value, &mut bytes);
        let mut input = bytes.as_slice();
        assert_eq!(decode(&mut input).unwrap(), value);
        assert!(input.is_empty());
    }

    #[test]
    fn encodes_like_the_spec() {
        let mut bytes = Vec::new();
        encode(&Value::Int(-1), &mut bytes);
        encode(&Value::str("a"), &mut bytes);
        encode(&Value::map([]), &mut bytes);
        assert_eq!(bytes, [0xFF, 0x81, b'a', 0xA0]);
    }
}
