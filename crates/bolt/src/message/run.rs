//! `RUN` (0x10): runs a query. In an auto-commit transaction `extra` holds
//! the transaction options; inside an explicit transaction it is empty.

use boltline_packstream::{write_string, write_struct_header, Map};
use bytes::BytesMut;

use super::entries::write_map;
use super::{signature, Ctx, Entries, Request};
use crate::{Result, TxOptions};

/// `RUN "query" {parameters} {extra}`.
#[derive(Debug)]
pub(crate) struct Run<'a> {
    pub(crate) query: &'a str,
    pub(crate) parameters: &'a Map,
    /// `Some` for auto-commit, `None` inside an explicit transaction.
    pub(crate) auto_commit: Option<&'a TxOptions>,
}

impl Request for Run<'_> {
    const NAME: &'static str = "RUN";

    fn encode(&self, buf: &mut BytesMut, ctx: Ctx) -> Result<()> {
        let mut extra = Entries::new();
        if let Some(o) = self.auto_commit {
            o.write_entries(&mut extra, o.tx_timeout_ms()?, ctx.version)?;
        }
        write_struct_header(buf, signature::RUN, 3)?;
        write_string(buf, self.query)?;
        write_map(buf, self.parameters, ctx.dialect)?;
        extra.write(buf, ctx.dialect)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::test_util::roundtrip;
    use crate::Version;
    use boltline_packstream::Value;

    #[test]
    fn auto_commit_and_in_transaction() {
        let mut params = Map::new();
        params.insert("x".into(), Value::from(1));
        let o = TxOptions::new().with_db("db1");
        let r = Run {
            query: "RETURN $x",
            parameters: &params,
            auto_commit: Some(&o),
        };
        let (tag, f) = roundtrip(&r, Version::V5_0);
        assert_eq!(tag, 0x10);
        assert_eq!(f[0], Value::from("RETURN $x"));
        assert_eq!(f[1], Value::Map(params.clone()));
        assert_eq!(f[2].as_map().unwrap()["db"], Value::from("db1"));
        let r = Run {
            auto_commit: None,
            ..r
        };
        let (_, f) = roundtrip(&r, Version::V5_0);
        assert!(f[2].as_map().unwrap().is_empty());
    }

    #[test]
    fn unencodable_parameters_fail_cleanly() {
        use boltline_packstream::{DateTimeZoneId, TimeBasis};
        let mut params = Map::new();
        params.insert(
            "t".into(),
            Value::DateTimeZoneId(DateTimeZoneId {
                seconds: 0,
                nanoseconds: 0,
                tz_id: "Europe/Paris".into(),
                basis: TimeBasis::Utc,
            }),
        );
        let r = Run {
            query: "RETURN $t",
            parameters: &params,
            auto_commit: None,
        };
        let mut buf = BytesMut::new();
        let ctx = Ctx {
            version: Version::V4_4,
            dialect: Version::V4_4.dialect(false),
        };
        assert!(matches!(
            r.encode(&mut buf, ctx),
            Err(crate::Error::PackStream(_))
        ));
    }
}
