//! `ROLLBACK` (0x13): Rolls the open explicit transaction back.

use bytes::BytesMut;

use super::{signature, write_empty, Ctx, Request};
use crate::Result;

/// `ROLLBACK`, no fields.
#[derive(Debug)]
pub(crate) struct Rollback;

impl Request for Rollback {
    const NAME: &'static str = "ROLLBACK";

    fn encode(&self, buf: &mut BytesMut, _ctx: Ctx) -> Result<()> {
        write_empty(buf, signature::ROLLBACK)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::test_util::roundtrip;
    use crate::Version;

    #[test]
    fn encodes_as_an_empty_structure() {
        let (tag, fields) = roundtrip(&Rollback, Version::V5_0);
        assert_eq!(tag, 0x13);
        assert!(fields.is_empty());
    }
}
