//! The two requests that settle the records of a result, both
//! `{n, qid}` maps (`n = -1`: all):
//!
//! - `PULL` (0x3F): fetches up to `n` more records of a result;
//! - `DISCARD` (0x2F): throws away up to `n` more records of a result.

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

/// `DISCARD {n, qid}`; `qid` is left out when it is `-1`, as for [`Pull`].
#[derive(Debug)]
pub(crate) struct Discard {
    pub(crate) n: i64,
    pub(crate) qid: i64,
}

/// Writes the `{n, qid}` message with `signature`.
fn write_n_qid(buf: &mut BytesMut, ctx: Ctx, signature: u8, n: i64, qid: i64) -> Result<()> {
    let mut e = Entries::new();
    e.int("n", n);
    if qid != -1 {
        e.int("qid", qid);
    }
    write_struct_header(buf, signature, 1)?;
    e.write(buf, ctx.dialect)
}

impl Request for Pull {
    const NAME: &'static str = "PULL";

    fn encode(&self, buf: &mut BytesMut, ctx: Ctx) -> Result<()> {
        write_n_qid(buf, ctx, signature::PULL, self.n, self.qid)
    }
}

impl Request for Discard {
    const NAME: &'static str = "DISCARD";

    fn encode(&self, buf: &mut BytesMut, ctx: Ctx) -> Result<()> {
        write_n_qid(buf, ctx, signature::DISCARD, self.n, self.qid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::test_util::roundtrip;
    use crate::Version;
    use boltline_packstream::Value;

    /// `n` always; `qid` only when it is not `-1`; the spec's tag.
    #[test]
    fn n_and_qid() {
        fn check<R: Request>(first: &R, second: &R, expected_tag: u8) {
            let (tag, f) = roundtrip(first, Version::V5_0);
            assert_eq!(tag, expected_tag, "{}", R::NAME);
            let m = f[0].as_map().unwrap();
            assert_eq!(m["n"], Value::from(1000i64));
            assert!(!m.contains_key("qid"));
            let (_, f) = roundtrip(second, Version::V4_4);
            let m = f[0].as_map().unwrap();
            assert_eq!(m["n"], Value::from(-1i64));
            assert_eq!(m["qid"], Value::from(7i64));
        }
        check(&Pull { n: 1000, qid: -1 }, &Pull { n: -1, qid: 7 }, 0x3F);
        check(
            &Discard { n: 1000, qid: -1 },
            &Discard { n: -1, qid: 7 },
            0x2F,
        );
    }
}
