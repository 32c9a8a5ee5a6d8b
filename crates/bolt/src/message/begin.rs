//! `BEGIN` (0x11): opens an explicit transaction.

use boltline_packstream::write_struct_header;
use bytes::BytesMut;

use super::{signature, Ctx, Entries, Request};
use crate::{Result, TxOptions};

/// `BEGIN {extra}`.
#[derive(Debug)]
pub(crate) struct Begin<'a> {
    pub(crate) options: &'a TxOptions,
}

impl Request for Begin<'_> {
    const NAME: &'static str = "BEGIN";

    fn encode(&self, buf: &mut BytesMut, ctx: Ctx) -> Result<()> {
        let timeout = self.options.tx_timeout_ms()?;
        let mut extra = Entries::new();
        self.options
            .write_entries(&mut extra, timeout, ctx.version)?;
        write_struct_header(buf, signature::BEGIN, 1)?;
        extra.write(buf, ctx.dialect)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::test_util::roundtrip;
    use crate::{AccessMode, Version};
    use boltline_packstream::Value;

    #[test]
    fn encodes_extra() {
        let o = TxOptions::new()
            .with_db("neo4j")
            .with_mode(AccessMode::Read);
        let (tag, fields) = roundtrip(&Begin { options: &o }, Version::V5_4);
        assert_eq!(tag, 0x11);
        let extra = fields[0].as_map().unwrap();
        assert_eq!(extra["db"], Value::from("neo4j"));
        assert_eq!(extra["mode"], Value::from("r"));
        assert_eq!(extra.len(), 2);
    }
}
