//! `GOODBYE` (0x02): Tells the server the client is closing the connection; no response follows.

use bytes::BytesMut;

use super::{signature, write_empty, Ctx, Request};
use crate::Result;

/// `GOODBYE`, no fields.
#[derive(Debug)]
pub(crate) struct Goodbye;

impl Request for Goodbye {
    const NAME: &'static str = "GOODBYE";

    fn encode(&self, buf: &mut BytesMut, _ctx: Ctx) -> Result<()> {
        write_empty(buf, signature::GOODBYE)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::test_util::roundtrip;
    use crate::Version;

    #[test]
    fn encodes_as_an_empty_structure() {
        let (tag, fields) = roundtrip(&Goodbye, Version::V5_0);
        assert_eq!(tag, 0x02);
        assert!(fields.is_empty());
    }
}
