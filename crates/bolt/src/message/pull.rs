//! `PULL` (0x3F): fetches up to `n` more records of a result (`-1`: all).

use bytes::BytesMut;

use boltline_packstream::write_struct_header;

use super::{signature, Ctx, Entries, Request};
use crate::Result;

/// `PULL {n, qid}`; `qid` is left out when it is `-1` (the last query),
/// as in auto-commit transactions, where it has no other value.
#[derive(Debug)]
pub(crate) struct Pull {
    pub(crate) n: i64,
    pub(crate) qid: i64,
}

impl Request for Pull {
    const NAME: &'static str = "PULL";

    fn encode(&self, buf: &mut BytesMut, ctx: Ctx) -> Result<()> {
        let mut e = Entries::new();
        e.int("n", self.n);
        if self.qid != -1 {
            e.int("qid", self.qid);
        }
        write_struct_header(buf, signature::PULL, 1)?;
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
        let (tag, f) = roundtrip(&Pull { n: 1000, qid: -1 }, Version::V5_0);
        assert_eq!(tag, 0x3F);
        let m = f[0].as_map().unwrap();
        assert_eq!(m["n"], Value::from(1000i64));
        assert!(!m.contains_key("qid"));
        let (_, f) = roundtrip(&Pull { n: -1, qid: 7 }, Version::V4_4);
        let m = f[0].as_map().unwrap();
        assert_eq!(m["n"], Value::from(-1i64));
        assert_eq!(m["qid"], Value::from(7i64));
    }
}
