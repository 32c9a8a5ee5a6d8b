//! A small builder for the dictionaries requests carry (`extra`, auth tokens,
//! routing contexts), written straight to PackStream without building a
//! `Map` of owned `Value`s first.

use boltline_packstream::{
    write_int, write_list_header, write_map_header, write_string, Dialect, Map,
};
use bytes::BytesMut;

use crate::Result;

/// One dictionary value.
#[derive(Debug)]
pub(crate) enum Field<'a> {
    Str(&'a str),
    Int(i64),
    Strings(&'a [String]),
    StaticStrings(&'a [&'a str]),
    Map(&'a Map),
    Entries(Entries<'a>),
}

/// Dictionary entries in insertion order.
#[derive(Debug, Default)]
pub(crate) struct Entries<'a> {
    items: Vec<(&'a str, Field<'a>)>,
}

impl<'a> Entries<'a> {
    pub(crate) fn new() -> Self {
        Entries { items: Vec::new() }
    }

    pub(crate) fn str(&mut self, key: &'a str, v: &'a str) {
        self.items.push((key, Field::Str(v)));
    }

    pub(crate) fn int(&mut self, key: &'a str, v: i64) {
        self.items.push((key, Field::Int(v)));
    }

    pub(crate) fn strings(&mut self, key: &'a str, v: &'a [String]) {
        self.items.push((key, Field::Strings(v)));
    }

    pub(crate) fn static_strings(&mut self, key: &'a str, v: &'a [&'a str]) {
        self.items.push((key, Field::StaticStrings(v)));
    }

    pub(crate) fn map(&mut self, key: &'a str, v: &'a Map) {
        self.items.push((key, Field::Map(v)));
    }

    pub(crate) fn entries(&mut self, key: &'a str, v: Entries<'a>) {
        self.items.push((key, Field::Entries(v)));
    }

    /// Keys, in order.
    #[cfg(test)]
    pub(crate) fn keys(&self) -> Vec<&'a str> {
        self.items.iter().map(|(k, _)| *k).collect()
    }

    pub(crate) fn write(&self, buf: &mut BytesMut, dialect: Dialect) -> Result<()> {
        write_map_header(buf, self.items.len())?;
        for (k, v) in &self.items {
            write_string(buf, k)?;
            match v {
                Field::Str(s) => write_string(buf, s)?,
                Field::Int(i) => write_int(buf, *i),
                Field::Strings(l) => {
                    write_list_header(buf, l.len())?;
                    for s in l.iter() {
                        write_string(buf, s)?;
                    }
                }
                Field::StaticStrings(l) => {
                    write_list_header(buf, l.len())?;
                    for s in l.iter() {
                        write_string(buf, s)?;
                    }
                }
                Field::Map(m) => write_map(buf, m, dialect)?,
                Field::Entries(e) => e.write(buf, dialect)?,
            }
        }
        Ok(())
    }
}

/// Writes a dictionary of values.
pub(crate) fn write_map(buf: &mut BytesMut, m: &Map, dialect: Dialect) -> Result<()> {
    write_map_header(buf, m.len())?;
    for (k, v) in m {
        write_string(buf, k)?;
        v.encode(buf, dialect)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use boltline_packstream::Value;

    #[test]
    fn writes_entries_in_order() {
        let list = vec!["a".to_owned()];
        let mut inner = Entries::new();
        inner.int("n", -1);
        let mut e = Entries::new();
        e.str("k", "v");
        e.strings("l", &list);
        e.static_strings("s", &["utc"]);
        e.entries("e", inner);
        assert_eq!(e.keys(), vec!["k", "l", "s", "e"]);
        let mut buf = BytesMut::new();
        e.write(&mut buf, Dialect::BOLT_5).unwrap();
        let v = Value::decode(&buf.freeze()).unwrap();
        let m = v.as_map().unwrap();
        assert_eq!(m["k"], Value::from("v"));
        assert_eq!(m["l"], Value::List(vec![Value::from("a")]));
        assert_eq!(m["s"], Value::List(vec![Value::from("utc")]));
        assert_eq!(m["e"].as_map().unwrap()["n"], Value::from(-1i64));
    }
}
