//! `COMMIT` (0x12): Commits the open explicit transaction.

use bytes::BytesMut;

use super::{signature, write_empty, Ctx, Request};
use crate::Result;

/// `COMMIT`, no fields.
#[derive(Debug)]
pub(crate) struct Commit;

impl Request for Commit {
    const NAME: &'static str = "COMMIT";

    fn encode(&self, buf: &mut BytesMut, _ctx: Ctx) -> Result<()> {
        write_empty(buf, signature::COMMIT)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::test_util::roundtrip;
    use crate::Version;

    #[test]
    fn encodes_as_an_empty_structure() {
        let (tag, fields) = roundtrip(&Commit, Version::V5_0);
        assert_eq!(tag, 0x12);
        assert!(fields.is_empty());
    }
}
