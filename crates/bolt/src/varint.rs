//! The handshake manifest's VarInt (bolt/handshake, "VarInt"): 7 bits per
//! byte, least significant group first, high bit set on every byte but the
//! last. Values are at most `u64`, so at most 10 bytes.

/// The most bytes a `u64` takes.
pub(crate) const MAX_LEN: usize = 10;

/// Appends the encoding of `value`.
pub(crate) fn encode(mut value: u64, out: &mut Vec<u8>) {
    loop {
        // Truncation intended: the low 7 bits of the value.
        let group = u8::try_from(value & 0x7F).unwrap_or(0);
        value >>= 7;
        if value == 0 {
            out.push(group);
            return;
        }
        out.push(group | 0x80);
    }
}

/// What [`decode`] found at the start of its input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decoded {
    /// A value and the bytes it took.
    Value(u64, usize),
    /// The input ends before the VarInt does.
    Incomplete,
    /// More than 64 bits of value: not a VarInt this protocol allows.
    Overflow,
}

/// Decodes a VarInt from the start of `input`.
pub(crate) fn decode(input: &[u8]) -> Decoded {
    let mut value: u64 = 0;
    for (i, &byte) in input.iter().enumerate().take(MAX_LEN) {
        let group = u64::from(byte & 0x7F);
        let shift = 7 * i;
        // The tenth byte may only hold the single top bit of a u64.
        if shift == 63 && group > 1 {
            return Decoded::Overflow;
        }
        value |= group << shift;
        if byte & 0x80 == 0 {
            return Decoded::Value(value, i + 1);
        }
    }
    if input.len() >= MAX_LEN {
        Decoded::Overflow
    } else {
        Decoded::Incomplete
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enc(v: u64) -> Vec<u8> {
        let mut out = Vec::new();
        encode(v, &mut out);
        out
    }

    #[test]
    fn spec_examples() {
        assert_eq!(decode(&[0x01]), Decoded::Value(1, 1));
        assert_eq!(decode(&[0x7F]), Decoded::Value(127, 1));
        assert_eq!(decode(&[0xFF, 0x82, 0x71]), Decoded::Value(1_851_775, 3));
        assert_eq!(enc(1_851_775), vec![0xFF, 0x82, 0x71]);
        assert_eq!(enc(0), vec![0x00]);
        assert_eq!(enc(128), vec![0x80, 0x01]);
    }

    #[test]
    fn round_trips_edges() {
        for v in [
            0,
            1,
            127,
            128,
            16_383,
            16_384,
            u64::from(u32::MAX),
            u64::MAX,
        ] {
            let bytes = enc(v);
            assert!(bytes.len() <= MAX_LEN);
            assert_eq!(decode(&bytes), Decoded::Value(v, bytes.len()), "{v}");
        }
    }

    #[test]
    fn incomplete_and_overflow() {
        assert_eq!(decode(&[]), Decoded::Incomplete);
        assert_eq!(decode(&[0x80, 0x80]), Decoded::Incomplete);
        assert_eq!(decode(&[0xFF; 10]), Decoded::Overflow);
        // Ten bytes whose last holds more than the top bit.
        let mut too_big = vec![0xFF; 9];
        too_big.push(0x02);
        assert_eq!(decode(&too_big), Decoded::Overflow);
    }
}
