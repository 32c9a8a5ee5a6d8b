//! `RESET` (0x0F): Interrupts running work and returns the connection to READY (jumps the server's queue).

use bytes::BytesMut;

use super::{signature, write_empty, Ctx, Request};
use crate::Result;

/// `RESET`, no fields.
#[derive(Debug)]
pub(crate) struct Reset;

impl Request for Reset {
    const NAME: &'static str = "RESET";

    fn encode(&self, buf: &mut BytesMut, _ctx: Ctx) -> Result<()> {
        write_empty(buf, signature::RESET)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::test_util::roundtrip;
    use crate::Version;

    #[test]
    fn encodes_as_an_empty_structure() {
        let (tag, fields) = roundtrip(&Reset, Version::V5_0);
        assert_eq!(tag, 0x0F);
        assert!(fields.is_empty());
    }
}
