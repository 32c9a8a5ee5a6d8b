//! One row of a result: values by index or key, or straight into a struct.

use boltline_bolt::packstream::{self, Map, Value};
use serde::de::DeserializeOwned;

use crate::{Error, Result};

/// One row of a result.
///
/// Values are decoded when asked for: [`Record::to`] deserialises the row's
/// bytes straight into a struct (columns by name) without building
/// [`Value`]s first.
#[derive(Debug, Clone)]
pub struct Record {
    inner: boltline_bolt::Record,
}

impl Record {
    pub(crate) fn new(inner: boltline_bolt::Record) -> Self {
        Record { inner }
    }

    /// Column names.
    pub fn keys(&self) -> &[String] {
        self.inner.keys()
    }

    /// Number of values.
    pub fn len(&self) -> usize {
        self.inner.len()
    }

    /// Whether the record has no values.
    pub fn is_empty(&self) -> bool {
        self.inner.is_empty()
    }

    /// All values, in column order.
    pub fn values(&self) -> Result<Vec<Value>> {
        Ok(self.inner.values()?)
    }

    /// The value of column `key`.
    pub fn get(&self, key: &str) -> Result<Value> {
        self.inner
            .get(key)?
            .ok_or_else(|| self.no_such_column(format!("{key:?}")))
    }

    /// The value at `index`.
    pub fn get_index(&self, index: usize) -> Result<Value> {
        let mut values = self.inner.values()?;
        if index < values.len() {
            Ok(values.swap_remove(index))
        } else {
            Err(self.no_such_column(index.to_string()))
        }
    }

    /// The value of column `key`, deserialised into `T`.
    pub fn get_as<T: DeserializeOwned>(&self, key: &str) -> Result<T> {
        Ok(packstream::from_value(&self.get(key)?)?)
    }

    /// The whole row deserialised into `T`: a struct takes columns by name
    /// (`#[serde(rename)]`, `Option` for nullable columns), a tuple or `Vec`
    /// takes them in order, and any other type takes the only column.
    pub fn to<T: DeserializeOwned>(&self) -> Result<T> {
        Ok(packstream::from_record(
            self.inner.keys(),
            self.inner.raw(),
        )?)
    }

    /// Column name to value.
    pub fn to_map(&self) -> Result<Map> {
        Ok(self
            .inner
            .keys()
            .iter()
            .cloned()
            .zip(self.inner.values()?)
            .collect())
    }

    /// The row as plain data ("JSON-like"): nodes and relationships become
    /// maps of their properties, paths alternating lists of node and
    /// relationship properties; lists and maps are converted deeply.
    pub fn data(&self) -> Result<Map> {
        Ok(self
            .to_map()?
            .into_iter()
            .map(|(k, v)| (k, plain(v)))
            .collect())
    }

    /// The Bolt layer's record (raw bytes for custom deserialisers).
    pub fn as_bolt(&self) -> &boltline_bolt::Record {
        &self.inner
    }

    fn no_such_column(&self, column: String) -> Error {
        Error::NoSuchColumn {
            column,
            keys: self.inner.keys().to_vec(),
        }
    }
}

/// Graph values to their properties, recursively.
pub(crate) fn plain(v: Value) -> Value {
    match v {
        Value::Node(n) => Value::Map(plain_map(n.properties)),
        Value::Relationship(r) => Value::Map(plain_map(r.properties)),
        Value::UnboundRelationship(r) => Value::Map(plain_map(r.properties)),
        Value::Path(p) => {
            // A path is sent as its distinct nodes and relationships plus
            // indices that walk them: `[rel, node, rel, node, ...]`, with
            // relationship indices 1-based and signed by direction.
            if p.indices.is_empty() {
                return Value::List(
                    p.nodes
                        .into_iter()
                        .map(|n| Value::Map(plain_map(n.properties)))
                        .collect(),
                );
            }
            let mut walk = Vec::new();
            if let Some(first) = p.nodes.first() {
                walk.push(Value::Map(plain_map(first.properties.clone())));
            }
            for pair in p.indices.chunks(2) {
                if let [rel, node] = pair {
                    let rel_index = usize::try_from(rel.unsigned_abs()).unwrap_or(0);
                    if let Some(r) = rel_index
                        .checked_sub(1)
                        .and_then(|i| p.relationships.get(i))
                    {
                        walk.push(Value::Map(plain_map(r.properties.clone())));
                    }
                    if let Some(n) = usize::try_from(*node).ok().and_then(|i| p.nodes.get(i)) {
                        walk.push(Value::Map(plain_map(n.properties.clone())));
                    }
                }
            }
            Value::List(walk)
        }
        Value::List(l) => Value::List(l.into_iter().map(plain).collect()),
        Value::Map(m) => Value::Map(plain_map(m)),
        other => other,
    }
}

fn plain_map(m: Map) -> Map {
    m.into_iter().map(|(k, v)| (k, plain(v))).collect()
}
