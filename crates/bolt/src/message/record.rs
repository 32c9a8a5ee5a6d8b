//! `RECORD` (0x71): one row of a result.
//!
//! The row arrives as a PackStream list. Its framing is checked when the
//! message arrives (a broken record breaks the connection there, typed), but
//! the values are decoded only when asked for, so a caller can decode into
//! [`Value`]s or hand the bytes to a serde deserializer without a detour.

use std::sync::Arc;

use boltline_packstream::{Kind, Unpacker, Value};
use bytes::Bytes;

use crate::{Error, Result};

/// A record's list, framing-checked, not yet decoded.
#[derive(Debug, Clone)]
pub(crate) struct RawRecord {
    /// The PackStream list, header included.
    pub(crate) bytes: Bytes,
    /// Number of values.
    pub(crate) len: usize,
}

/// Reads `RECORD [data]`'s field from `u`, which reads `message`.
pub(crate) fn decode_fields(u: &mut Unpacker<'_>, message: &Bytes) -> Result<RawRecord> {
    let start = u.position();
    let bad = |e: boltline_packstream::Error| Error::Protocol(format!("malformed RECORD: {e}"));
    if u.peek_kind().map_err(bad)? != Kind::List {
        return Err(Error::Protocol("RECORD data is not a list".into()));
    }
    let mut header = u.clone();
    let len = header.read_list_header().map_err(bad)?;
    u.skip_value().map_err(bad)?;
    Ok(RawRecord {
        bytes: message.slice(start..u.position()),
        len,
    })
}

/// One row of a result: values in column order, with the column names.
#[derive(Debug, Clone)]
pub struct Record {
    keys: Arc<[String]>,
    raw: RawRecord,
}

impl Record {
    pub(crate) fn new(keys: Arc<[String]>, raw: RawRecord) -> Self {
        Record { keys, raw }
    }

    /// Column names (the `fields` of the `RUN` reply).
    pub fn keys(&self) -> &[String] {
        &self.keys
    }

    /// Number of values.
    pub fn len(&self) -> usize {
        self.raw.len
    }

    /// Whether the record has no values.
    pub fn is_empty(&self) -> bool {
        self.raw.len == 0
    }

    /// The PackStream list as received (for deserializers).
    pub fn raw(&self) -> &Bytes {
        &self.raw.bytes
    }

    /// Decodes the values.
    pub fn values(&self) -> Result<Vec<Value>> {
        let mut u = Unpacker::from_bytes(&self.raw.bytes);
        let n = u.read_list_header()?;
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            out.push(u.read_value()?);
        }
        Ok(out)
    }

    /// Decodes the value of column `key`.
    pub fn get(&self, key: &str) -> Result<Option<Value>> {
        let Some(index) = self.keys.iter().position(|k| k == key) else {
            return Ok(None);
        };
        let mut u = Unpacker::from_bytes(&self.raw.bytes);
        let n = u.read_list_header()?;
        if index >= n {
            return Ok(None);
        }
        for _ in 0..index {
            u.skip_value()?;
        }
        Ok(Some(u.read_value()?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use boltline_packstream::{write_int, write_list_header, write_string, write_struct_header};
    use bytes::BytesMut;

    fn record_message() -> Bytes {
        let mut b = BytesMut::new();
        write_struct_header(&mut b, 0x71, 1).unwrap();
        write_list_header(&mut b, 2).unwrap();
        write_int(&mut b, 42);
        write_string(&mut b, "x").unwrap();
        b.freeze()
    }

    #[test]
    fn slices_the_list_and_decodes_lazily() {
        let msg = record_message();
        let mut u = Unpacker::from_bytes(&msg);
        u.read_struct_header().unwrap();
        let raw = decode_fields(&mut u, &msg).unwrap();
        assert!(u.is_empty());
        assert_eq!(raw.len, 2);
        assert_eq!(&raw.bytes[..], &msg[2..]);
        let r = Record::new(Arc::from(vec!["n".to_owned(), "s".to_owned()]), raw);
        assert_eq!(r.len(), 2);
        assert_eq!(
            r.values().unwrap(),
            vec![Value::from(42i64), Value::from("x")]
        );
        assert_eq!(r.get("s").unwrap(), Some(Value::from("x")));
        assert_eq!(r.get("nope").unwrap(), None);
        assert_eq!(r.keys(), ["n", "s"]);
    }
}
