//! Bolt's chunked transfer encoding, sans-IO (bolt/message, "Chunking").
//!
//! A message travels as chunks of at most 65 535 bytes, each behind a
//! big-endian `u16` length, and ends with an empty chunk `00 00`. An empty
//! chunk *between* messages is a `NOOP` keep-alive (4.1+) and carries nothing.
//!
//! [`write_message`] frames one message into an output buffer;
//! [`Dechunker`] pulls whole messages out of an input buffer as bytes arrive.
//! Neither touches a socket.

use bytes::{Buf, BufMut, Bytes, BytesMut};

/// The largest chunk body a `u16` header can announce.
pub const MAX_CHUNK_SIZE: usize = 65_535;

/// Default bound on one incoming message: 64 MiB. Chunk headers cap a chunk,
/// not a message, so without a bound a hostile peer could stream an endless
/// message into memory. The buffers grow only as bytes arrive, so a
/// connection holds at most this much for a message before failing with
/// `MessageTooLarge`; records larger than this are rare, and the limit is
/// configurable.
pub const DEFAULT_MAX_MESSAGE_SIZE: usize = 64 * 1024 * 1024;

/// Appends one chunked message to `out`: `encode` writes the message body,
/// which is then framed in chunks with the end marker.
///
/// The body is written straight into `out` behind a placeholder header; only
/// a body over one chunk is moved to insert the extra headers. If `encode`
/// fails, `out` is left exactly as it was, so a half-written message never
/// reaches the wire.
pub fn write_message<E>(
    out: &mut BytesMut,
    encode: impl FnOnce(&mut BytesMut) -> Result<(), E>,
) -> Result<(), E> {
    let start = out.len();
    out.put_u16(0);
    if let Err(e) = encode(out) {
        out.truncate(start);
        return Err(e);
    }
    let body_len = out.len() - start - 2;
    if let Ok(len) = u16::try_from(body_len) {
        out[start..start + 2].copy_from_slice(&len.to_be_bytes());
    } else {
        let body = out.split_off(start + 2);
        out.truncate(start);
        for chunk in body.chunks(MAX_CHUNK_SIZE) {
            // `chunks(MAX_CHUNK_SIZE)` yields at most u16::MAX bytes.
            out.put_u16(u16::try_from(chunk.len()).unwrap_or(u16::MAX));
            out.put_slice(chunk);
        }
    }
    out.put_u16(0);
    Ok(())
}

/// Appends a `NOOP` chunk (an empty chunk between messages).
pub fn write_noop(out: &mut BytesMut) {
    out.put_u16(0);
}

/// An incoming message larger than the configured limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MessageTooLarge {
    /// Size the message had reached.
    pub size: usize,
    /// The limit.
    pub limit: usize,
}

/// Reassembles messages from chunks, skipping `NOOP` chunks.
#[derive(Debug)]
pub struct Dechunker {
    /// Body of a message spread over several chunks, so far.
    partial: BytesMut,
    /// Whether a chunk of the current message has been seen.
    in_message: bool,
    max_message_size: usize,
}

impl Default for Dechunker {
    fn default() -> Self {
        Dechunker::new(DEFAULT_MAX_MESSAGE_SIZE)
    }
}

impl Dechunker {
    /// A dechunker rejecting messages over `max_message_size` bytes.
    pub fn new(max_message_size: usize) -> Self {
        Dechunker {
            partial: BytesMut::new(),
            in_message: false,
            max_message_size,
        }
    }

    /// Whether part of a message has been consumed but not its end: a peer
    /// closing now closes mid-message.
    pub fn in_message(&self) -> bool {
        self.in_message
    }

    /// Takes the next whole message out of `src`, consuming its chunks;
    /// `Ok(None)` when `src` holds no complete message yet (any complete
    /// chunks already seen are kept, so calling again after more bytes
    /// arrive continues where this call stopped).
    pub fn decode(&mut self, src: &mut BytesMut) -> Result<Option<Bytes>, MessageTooLarge> {
        loop {
            let Some(header) = src.get(..2) else {
                return Ok(None);
            };
            let len = usize::from(u16::from_be_bytes([header[0], header[1]]));
            if len == 0 {
                src.advance(2);
                if self.in_message {
                    self.in_message = false;
                    return Ok(Some(self.partial.split().freeze()));
                }
                // A NOOP keep-alive between messages.
                continue;
            }
            let size = self.partial.len() + len;
            if size > self.max_message_size {
                return Err(MessageTooLarge {
                    size,
                    limit: self.max_message_size,
                });
            }
            // Fast path: a whole one-chunk message is in the buffer; hand out
            // a slice of it without copying.
            if !self.in_message && src.get(2 + len..4 + len) == Some(&[0, 0][..]) {
                src.advance(2);
                let message = src.split_to(len).freeze();
                src.advance(2);
                return Ok(Some(message));
            }
            if src.len() < 2 + len {
                return Ok(None);
            }
            src.advance(2);
            self.partial.extend_from_slice(&src[..len]);
            src.advance(len);
            self.in_message = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunked(body: &[u8]) -> BytesMut {
        let mut out = BytesMut::new();
        write_message::<()>(&mut out, |b| {
            b.put_slice(body);
            Ok(())
        })
        .unwrap();
        out
    }

    #[test]
    fn spec_example_one_chunk() {
        let body: Vec<u8> = (0..16).collect();
        let mut expected = vec![0x00, 0x10];
        expected.extend(&body);
        expected.extend([0, 0]);
        assert_eq!(&chunked(&body)[..], &expected[..]);
    }

    #[test]
    fn spec_example_two_chunks_and_noop_decode() {
        // Message 1 split over two chunks (16 + 4 bytes), a NOOP, message 2.
        let mut src = BytesMut::from(
            &[
                0x00, 0x10, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, //
                0x00, 0x04, 1, 2, 3, 4, 0x00, 0x00, //
                0x00, 0x00, // NOOP
                0x00, 0x02, 9, 8, 0x00, 0x00,
            ][..],
        );
        let mut d = Dechunker::default();
        let m1 = d.decode(&mut src).unwrap().unwrap();
        assert_eq!(m1.len(), 20);
        assert_eq!(&m1[16..], &[1, 2, 3, 4]);
        let m2 = d.decode(&mut src).unwrap().unwrap();
        assert_eq!(&m2[..], &[9, 8]);
        assert_eq!(d.decode(&mut src).unwrap(), None);
        assert!(src.is_empty());
    }

    #[test]
    fn big_messages_split_at_65535_and_rejoin() {
        let body: Vec<u8> = (0..200_000u32)
            .map(|i| u8::try_from(i % 251).unwrap())
            .collect();
        let mut wire = chunked(&body);
        // Three full chunks and a tail, each with a header, plus the end marker.
        assert_eq!(wire.len(), body.len() + 2 * 4 + 2);
        assert_eq!(&wire[..2], &[0xFF, 0xFF]);
        let mut d = Dechunker::default();
        assert_eq!(d.decode(&mut wire).unwrap().unwrap(), &body[..]);
    }

    #[test]
    fn exactly_one_full_chunk_is_not_split() {
        let body = vec![7u8; MAX_CHUNK_SIZE];
        let wire = chunked(&body);
        assert_eq!(wire.len(), MAX_CHUNK_SIZE + 4);
    }

    #[test]
    fn failed_encode_leaves_output_untouched() {
        let mut out = chunked(&[1, 2, 3]);
        let before = out.clone();
        let r = write_message(&mut out, |b| {
            b.put_slice(&[9; 100]);
            Err("nope")
        });
        assert_eq!(r, Err("nope"));
        assert_eq!(out, before);
    }

    #[test]
    fn byte_by_byte_arrival_yields_the_same_messages() {
        let mut wire = chunked(&[1, 2, 3]);
        write_noop(&mut wire);
        wire.extend_from_slice(&chunked(&vec![5u8; 70_000]));
        let mut d = Dechunker::default();
        let mut src = BytesMut::new();
        let mut got = Vec::new();
        for b in wire.iter() {
            src.put_u8(*b);
            while let Some(m) = d.decode(&mut src).unwrap() {
                got.push(m);
            }
        }
        assert_eq!(got.len(), 2);
        assert_eq!(&got[0][..], &[1, 2, 3]);
        assert_eq!(got[1].len(), 70_000);
        assert!(!d.in_message());
    }

    #[test]
    fn partial_message_is_reported_in_progress() {
        let mut src = BytesMut::from(&[0x00, 0x02, 1, 2, 0x00, 0x03, 1][..]);
        let mut d = Dechunker::default();
        assert_eq!(d.decode(&mut src).unwrap(), None);
        assert!(d.in_message());
    }

    #[test]
    fn oversized_message_is_rejected_before_buffering() {
        let mut d = Dechunker::new(10);
        let mut src = BytesMut::from(&[0x00, 0x08, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x08][..]);
        // The first chunk (8 bytes) fits; the second would make 16.
        let err = d.decode(&mut src).unwrap_err();
        assert_eq!(
            err,
            MessageTooLarge {
                size: 16,
                limit: 10
            }
        );
        // A single announced chunk over the limit fails without its body.
        let mut d = Dechunker::new(10);
        let mut src = BytesMut::from(&[0xFF, 0xFF][..]);
        assert!(d.decode(&mut src).is_err());
    }
}
