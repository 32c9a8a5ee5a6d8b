//! Bolt messages, one file each (bolt/message) but for the field-less
//! requests, which share `empty.rs`, and `PULL` and `DISCARD`, which share
//! `pull.rs`. Requests encode themselves
//! for the negotiated version; responses decode into typed values.
//!
//! Every message is a PackStream structure whose tag is the message's
//! signature; [`signature`] names them all.

mod begin;
mod empty;
mod entries;
mod failure;
mod hello;
mod ignored;
mod logon;
mod pull;
mod record;
mod route;
mod run;
mod success;
mod telemetry;

pub(crate) use begin::Begin;
pub(crate) use empty::{Commit, Goodbye, Logoff, Reset, Rollback};
pub(crate) use entries::Entries;
pub(crate) use hello::Hello;
pub(crate) use logon::Logon;
pub(crate) use pull::{Discard, Pull};
pub(crate) use record::RawRecord;
pub use record::Record;
pub(crate) use route::Route;
pub(crate) use run::Run;
pub use success::{QueryStats, QueryType, Success};
pub(crate) use telemetry::Telemetry;

use boltline_packstream::{write_struct_header, Dialect, Map, Unpacker};
use bytes::{Bytes, BytesMut};

use crate::{Error, Result, Version};

/// Message signatures (structure tags), pinned to the spec by a test.
pub mod signature {
    /// `HELLO`.
    pub const HELLO: u8 = 0x01;
    /// `GOODBYE`.
    pub const GOODBYE: u8 = 0x02;
    /// `RESET`.
    pub const RESET: u8 = 0x0F;
    /// `RUN`.
    pub const RUN: u8 = 0x10;
    /// `BEGIN`.
    pub const BEGIN: u8 = 0x11;
    /// `COMMIT`.
    pub const COMMIT: u8 = 0x12;
    /// `ROLLBACK`.
    pub const ROLLBACK: u8 = 0x13;
    /// `DISCARD`.
    pub const DISCARD: u8 = 0x2F;
    /// `PULL`.
    pub const PULL: u8 = 0x3F;
    /// `TELEMETRY` (5.4+).
    pub const TELEMETRY: u8 = 0x54;
    /// `ROUTE`.
    pub const ROUTE: u8 = 0x66;
    /// `LOGON` (5.1+).
    pub const LOGON: u8 = 0x6A;
    /// `LOGOFF` (5.1+).
    pub const LOGOFF: u8 = 0x6B;
    /// `SUCCESS`.
    pub const SUCCESS: u8 = 0x70;
    /// `RECORD`.
    pub const RECORD: u8 = 0x71;
    /// `IGNORED`.
    pub const IGNORED: u8 = 0x7E;
    /// `FAILURE`.
    pub const FAILURE: u8 = 0x7F;
}

/// What encoding a request depends on.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ctx {
    pub(crate) version: Version,
    pub(crate) dialect: Dialect,
}

/// A request message.
pub(crate) trait Request {
    /// Name for logs and errors.
    const NAME: &'static str;
    /// Writes the whole message (structure header and fields).
    fn encode(&self, buf: &mut BytesMut, ctx: Ctx) -> Result<()>;
}

/// Writes a request that has no fields.
pub(crate) fn write_empty(buf: &mut BytesMut, signature: u8) -> Result<()> {
    write_struct_header(buf, signature, 0)?;
    Ok(())
}

/// A message from the server.
#[derive(Debug)]
pub(crate) enum Response {
    Success(Map),
    Record(RawRecord),
    Ignored,
    Failure(Map),
}

impl Response {
    /// The message's name, for logs and errors.
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Response::Success(_) => "SUCCESS",
            Response::Record(_) => "RECORD",
            Response::Ignored => "IGNORED",
            Response::Failure(_) => "FAILURE",
        }
    }

    /// Decodes one de-chunked message. Anything but a well-formed summary or
    /// record, with nothing trailing, is a protocol violation.
    pub(crate) fn decode(message: &Bytes) -> Result<Response> {
        let mut u = Unpacker::from_bytes(message);
        let (tag, fields) = u
            .read_struct_header()
            .map_err(|e| Error::Protocol(format!("a server message is not a structure: {e}")))?;
        let expect = |name: &str, n: usize| {
            if fields == n {
                Ok(())
            } else {
                Err(Error::Protocol(format!(
                    "{name} with {fields} field(s), expected {n}"
                )))
            }
        };
        let response = match tag {
            signature::SUCCESS => {
                expect("SUCCESS", 1)?;
                Response::Success(success::decode_fields(&mut u)?)
            }
            signature::RECORD => {
                expect("RECORD", 1)?;
                Response::Record(record::decode_fields(&mut u, message)?)
            }
            signature::IGNORED => {
                expect("IGNORED", 0)?;
                ignored::decode_fields(&mut u)?;
                Response::Ignored
            }
            signature::FAILURE => {
                expect("FAILURE", 1)?;
                Response::Failure(failure::decode_fields(&mut u)?)
            }
            other => {
                return Err(Error::Protocol(format!(
                    "unknown server message signature 0x{other:02X} with {fields} field(s)"
                )))
            }
        };
        if !u.is_empty() {
            return Err(Error::Protocol(format!(
                "{} followed by {} unexpected byte(s)",
                response.name(),
                u.remaining()
            )));
        }
        Ok(response)
    }
}

/// Reads a summary's metadata dictionary, mapping PackStream errors to
/// protocol violations (the server sent it).
pub(crate) fn read_metadata(u: &mut Unpacker<'_>, name: &str) -> Result<Map> {
    u.read_map()
        .map_err(|e| Error::Protocol(format!("malformed {name} metadata: {e}")))
}

#[cfg(test)]
pub(crate) mod test_util {
    use super::*;
    use boltline_packstream::Value;

    /// Encodes a request and decodes it back as (signature, fields).
    pub(crate) fn roundtrip<R: Request>(r: &R, version: Version) -> (u8, Vec<Value>) {
        let mut buf = BytesMut::new();
        r.encode(
            &mut buf,
            Ctx {
                version,
                dialect: version.dialect(true),
            },
        )
        .unwrap();
        let bytes = buf.freeze();
        let mut u = Unpacker::from_bytes(&bytes);
        let (tag, n) = u.read_struct_header().unwrap();
        let fields = (0..n).map(|_| u.read_value().unwrap()).collect();
        assert!(u.is_empty());
        (tag, fields)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use boltline_packstream::{write_int, write_list_header, write_map_header, Value};

    #[test]
    fn signatures_match_the_spec() {
        use signature::*;
        let table = [
            (HELLO, 0x01),
            (GOODBYE, 0x02),
            (RESET, 0x0F),
            (RUN, 0x10),
            (BEGIN, 0x11),
            (COMMIT, 0x12),
            (ROLLBACK, 0x13),
            (DISCARD, 0x2F),
            (PULL, 0x3F),
            (TELEMETRY, 0x54),
            (ROUTE, 0x66),
            (LOGON, 0x6A),
            (LOGOFF, 0x6B),
            (SUCCESS, 0x70),
            (RECORD, 0x71),
            (IGNORED, 0x7E),
            (FAILURE, 0x7F),
        ];
        for (constant, spec) in table {
            assert_eq!(constant, spec);
        }
    }

    fn msg(tag: u8, n: usize, body: impl FnOnce(&mut BytesMut)) -> Bytes {
        let mut b = BytesMut::new();
        write_struct_header(&mut b, tag, n).unwrap();
        body(&mut b);
        b.freeze()
    }

    #[test]
    fn decodes_the_four_responses() {
        let s = msg(signature::SUCCESS, 1, |b| {
            write_map_header(b, 1).unwrap();
            boltline_packstream::write_string(b, "has_more").unwrap();
            boltline_packstream::write_bool(b, true);
        });
        assert!(
            matches!(Response::decode(&s).unwrap(), Response::Success(m) if m["has_more"] == Value::from(true))
        );
        let r = msg(signature::RECORD, 1, |b| {
            write_list_header(b, 2).unwrap();
            write_int(b, 1);
            write_int(b, 2);
        });
        assert!(matches!(Response::decode(&r).unwrap(), Response::Record(raw) if raw.len == 2));
        let i = msg(signature::IGNORED, 0, |_| {});
        assert!(matches!(Response::decode(&i).unwrap(), Response::Ignored));
        let f = msg(signature::FAILURE, 1, |b| write_map_header(b, 0).unwrap());
        assert!(matches!(Response::decode(&f).unwrap(), Response::Failure(m) if m.is_empty()));
    }

    #[test]
    fn malformed_responses_are_protocol_errors() {
        let cases: Vec<Bytes> = vec![
            Bytes::from_static(&[]),
            Bytes::from_static(&[0xC0]),
            msg(signature::RUN, 0, |_| {}),
            msg(signature::SUCCESS, 0, |_| {}),
            msg(signature::SUCCESS, 1, |b| write_int(b, 1)),
            msg(signature::RECORD, 1, |b| write_int(b, 1)),
            msg(signature::IGNORED, 0, |b| write_int(b, 1)),
            msg(signature::FAILURE, 1, |b| write_map_header(b, 3).unwrap()),
            msg(signature::RECORD, 1, |b| write_list_header(b, 2).unwrap()),
        ];
        for c in cases {
            let r = Response::decode(&c);
            assert!(matches!(r, Err(Error::Protocol(_))), "{c:?}: {r:?}");
        }
    }
}
