//! The stub's own minimal chunking and message codec (it does not use
//! `boltline-bolt`, whose behaviour it checks).

use boltline_packstream::{write_struct_header, Dialect, Unpacker, Value};
use bytes::{Buf, BufMut, BytesMut};

use crate::report::Received;

/// Largest chunk body.
const MAX_CHUNK: usize = 65_535;

/// Appends `body` as one chunked message.
pub(crate) fn put_chunked(out: &mut BytesMut, body: &[u8]) {
    for chunk in body.chunks(MAX_CHUNK) {
        // `chunks(MAX_CHUNK)` yields at most u16::MAX bytes.
        out.put_u16(u16::try_from(chunk.len()).unwrap_or(u16::MAX));
        out.put_slice(chunk);
    }
    out.put_u16(0);
}

/// Encodes a message: structure `signature` with `fields`.
pub(crate) fn encode(signature: u8, fields: &[Value], dialect: Dialect) -> Result<Vec<u8>, String> {
    let mut body = BytesMut::new();
    write_struct_header(&mut body, signature, fields.len()).map_err(|e| e.to_string())?;
    for f in fields {
        f.encode(&mut body, dialect).map_err(|e| e.to_string())?;
    }
    Ok(body.to_vec())
}

/// Takes one message body out of `src` (NOOP chunks skipped), `None` if
/// incomplete. `partial` accumulates a message spread over chunks.
pub(crate) fn take_message(src: &mut BytesMut, partial: &mut Option<BytesMut>) -> Option<BytesMut> {
    loop {
        if src.len() < 2 {
            return None;
        }
        let len = usize::from(u16::from_be_bytes([src[0], src[1]]));
        if len == 0 {
            src.advance(2);
            if let Some(m) = partial.take() {
                return Some(m);
            }
            continue;
        }
        if src.len() < 2 + len {
            return None;
        }
        src.advance(2);
        partial
            .get_or_insert_with(BytesMut::new)
            .extend_from_slice(&src[..len]);
        src.advance(len);
    }
}

/// Decodes a client message.
pub(crate) fn decode(body: &[u8]) -> Result<Received, String> {
    let mut u = Unpacker::new(body);
    let (signature, n) = u
        .read_struct_header()
        .map_err(|e| format!("client message is not a structure: {e}"))?;
    let mut fields = Vec::with_capacity(n);
    for _ in 0..n {
        fields.push(
            u.read_value()
                .map_err(|e| format!("undecodable field in client message: {e}"))?,
        );
    }
    if !u.is_empty() {
        return Err(format!(
            "{} trailing bytes in client message",
            u.remaining()
        ));
    }
    Ok(Received { signature, fields })
}

/// Appends a handshake VarInt.
pub(crate) fn put_varint(out: &mut BytesMut, mut v: u64) {
    loop {
        let group = u8::try_from(v & 0x7F).unwrap_or(0);
        v >>= 7;
        if v == 0 {
            out.put_u8(group);
            return;
        }
        out.put_u8(group | 0x80);
    }
}

/// Reads a VarInt from the start of `src`: value and length, `None` if incomplete.
pub(crate) fn get_varint(src: &[u8]) -> Option<(u64, usize)> {
    let mut v = 0u64;
    for (i, b) in src.iter().enumerate().take(10) {
        v |= u64::from(b & 0x7F) << (7 * i);
        if b & 0x80 == 0 {
            return Some((v, i + 1));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunk_roundtrip_with_noop_and_split() {
        let big = vec![0xC0u8; 70_000];
        let mut wire = BytesMut::new();
        wire.put_u16(0);
        put_chunked(&mut wire, &[1, 2, 3]);
        put_chunked(&mut wire, &big);
        let mut partial = None;
        assert_eq!(
            &take_message(&mut wire, &mut partial).unwrap()[..],
            &[1, 2, 3]
        );
        assert_eq!(take_message(&mut wire, &mut partial).unwrap().len(), 70_000);
        assert!(take_message(&mut wire, &mut partial).is_none());
    }

    #[test]
    fn varints() {
        let mut b = BytesMut::new();
        put_varint(&mut b, 1_851_775);
        assert_eq!(&b[..], &[0xFF, 0x82, 0x71]);
        assert_eq!(get_varint(&b), Some((1_851_775, 3)));
        assert_eq!(get_varint(&[0x80]), None);
    }

    #[test]
    fn encode_decode() {
        let body = encode(0x10, &[Value::from("RETURN 1")], Dialect::BOLT_5).unwrap();
        let r = decode(&body).unwrap();
        assert_eq!(r.signature, 0x10);
        assert_eq!(r.fields, vec![Value::from("RETURN 1")]);
        assert!(decode(&[0x01]).is_err());
    }
}
