//! `DISCARD` (0x2F): throws away up to `n` more records of a result (`-1`: all).

use bytes::BytesMut;

use boltline_packstream::write_struct_header;

use super::{signature, Ctx, Entries, Request};
use crate::Result;

/// `DISCARD {n, qid}`; `qid` is left out when it is `-1` (the last query),
/// as in auto-commit transactions, where it has no other value.
#[derive(Debug)]
pub(crate) struct Discard {
    pub(crate) n: i64,
    pub(crate) qid: i64,
}

impl Request for Discard {
    const NAME: &'static str = "DISCARD";

    fn encode(&self, buf: &mut BytesMut, ctx: Ctx) -> Result<()> {
        let mut e = Entries::new();
        e.int("n", self.n);
        if self.qid != -1 {
            e.int("qid", self.qid);
        }
        write_struct_header(buf, signature::DISCARD, 1)?;
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
    fn n_and_qid() {
        let (tag, f) = roundtrip(&Discard { n: 1000, qid: -1 }, Version::V5_0);
        assert_eq!(tag, 0x2F);
        let m = f[0].as_map().unwrap();
        assert_eq!(m["n"], Value::from(1000i64));
        assert!(!m.contains_key("qid"));
        let (_, f) = roundtrip(&Discard { n: -1, qid: 7 }, Version::V4_4);
        let m = f[0].as_map().unwrap();
        assert_eq!(m["n"], Value::from(-1i64));
        assert_eq!(m["qid"], Value::from(7i64));
    }
}
