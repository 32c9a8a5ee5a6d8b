//! `LOGON` (0x6A, 5.1+): authenticates; carries the auth token.

use boltline_packstream::write_struct_header;
use bytes::BytesMut;

use super::{signature, Ctx, Entries, Request};
use crate::{AuthToken, Result};

/// `LOGON {auth}`.
#[derive(Debug)]
pub(crate) struct Logon<'a> {
    pub(crate) auth: &'a AuthToken,
}

impl Request for Logon<'_> {
    const NAME: &'static str = "LOGON";

    fn encode(&self, buf: &mut BytesMut, ctx: Ctx) -> Result<()> {
        let mut e = Entries::new();
        self.auth.write_entries(&mut e);
        write_struct_header(buf, signature::LOGON, 1)?;
        e.write(buf, ctx.dialect)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::test_util::roundtrip;
    use crate::Version;
    use boltline_packstream::Value;

    #[test]
    fn carries_the_token() {
        let auth = AuthToken::bearer("tok");
        let (tag, f) = roundtrip(&Logon { auth: &auth }, Version::V5_1);
        assert_eq!(tag, 0x6A);
        assert_eq!(f[0], Value::from(auth));
    }
}
