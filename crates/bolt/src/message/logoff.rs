//! `LOGOFF` (0x6B): Logs the current user off (5.1+); a LOGON must follow.

use bytes::BytesMut;

use super::{signature, write_empty, Ctx, Request};
use crate::Result;

/// `LOGOFF`, no fields.
#[derive(Debug)]
pub(crate) struct Logoff;

impl Request for Logoff {
    const NAME: &'static str = "LOGOFF";

    fn encode(&self, buf: &mut BytesMut, _ctx: Ctx) -> Result<()> {
        write_empty(buf, signature::LOGOFF)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::test_util::roundtrip;
    use crate::Version;

    #[test]
    fn encodes_as_an_empty_structure() {
        let (tag, fields) = roundtrip(&Logoff, Version::V5_0);
        assert_eq!(tag, 0x6B);
        assert!(fields.is_empty());
    }
}
