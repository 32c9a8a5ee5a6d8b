//! `ROUTE` (0x66): asks for a routing table.
//!
//! Bolt 4.3 sent the database as a third plain field; 4.4 and every 5.x
//! version send `routing, bookmarks, extra{db, imp_user}`, the one shape
//! needed here since 4.4 is the oldest version this crate speaks.

use boltline_packstream::{write_list_header, write_string, write_struct_header, Map};
use bytes::BytesMut;

use super::entries::write_map;
use super::{signature, Ctx, Entries, Request};
use crate::Result;

/// `ROUTE {routing} [bookmarks] {extra}`.
#[derive(Debug)]
pub(crate) struct Route<'a> {
    pub(crate) routing: &'a Map,
    pub(crate) bookmarks: &'a [String],
    pub(crate) db: Option<&'a str>,
    pub(crate) imp_user: Option<&'a str>,
}

impl Request for Route<'_> {
    const NAME: &'static str = "ROUTE";

    fn encode(&self, buf: &mut BytesMut, ctx: Ctx) -> Result<()> {
        write_struct_header(buf, signature::ROUTE, 3)?;
        write_map(buf, self.routing, ctx.dialect)?;
        write_list_header(buf, self.bookmarks.len())?;
        for b in self.bookmarks {
            write_string(buf, b)?;
        }
        let mut extra = Entries::new();
        if let Some(db) = self.db {
            extra.str("db", db);
        }
        if let Some(u) = self.imp_user {
            extra.str("imp_user", u);
        }
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
    fn shape_for_4_4_and_5() {
        let mut routing = Map::new();
        routing.insert("address".into(), Value::from("h:7687"));
        let bookmarks = vec!["bm".to_owned()];
        for v in [Version::V4_4, Version::V5_8] {
            let r = Route {
                routing: &routing,
                bookmarks: &bookmarks,
                db: Some("movies"),
                imp_user: None,
            };
            let (tag, f) = roundtrip(&r, v);
            assert_eq!(tag, 0x66);
            assert_eq!(f.len(), 3);
            assert_eq!(f[0], Value::Map(routing.clone()));
            assert_eq!(f[1], Value::List(vec![Value::from("bm")]));
            let extra = f[2].as_map().unwrap();
            assert_eq!(extra.len(), 1);
            assert_eq!(extra["db"], Value::from("movies"));
        }
    }
}
