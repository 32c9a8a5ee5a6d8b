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

    /// The Bolt layer's record, taken out (to put it back in a buffer).
    pub(crate) fn into_bolt(self) -> boltline_bolt::Record {
        self.inner
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

    /// The value in `column` (a name or an index), or `default` when the
    /// record has no such column (the Python driver's `Record.value(key,
    /// default)`, which answers the default for a missing name and an index
    /// past the end alike).
    pub fn value<'k>(&self, column: impl Into<Column<'k>>, default: Value) -> Result<Value> {
        match column.into() {
            Column::Key(k) => Ok(self.inner.get(k)?.unwrap_or(default)),
            Column::Index(i) => Ok(self.inner.values()?.into_iter().nth(i).unwrap_or(default)),
        }
    }

    /// The values of `columns`, in that order (all values when `columns`
    /// is empty); a missing name gives `Null`, as in the Python driver's
    /// `Record.values(*keys)`.
    pub fn values_of(&self, columns: &[Column<'_>]) -> Result<Vec<Value>> {
        Ok(self.items(columns)?.into_iter().map(|(_, v)| v).collect())
    }

    /// Column names and values of `columns` (all when empty); a missing
    /// name gives `Null`, an index past the end is [`Error::NoSuchColumn`].
    pub(crate) fn items(&self, columns: &[Column<'_>]) -> Result<Vec<(String, Value)>> {
        let keys = self.inner.keys();
        let values = self.inner.values()?;
        if columns.is_empty() {
            return Ok(keys.iter().cloned().zip(values).collect());
        }
        columns
            .iter()
            .map(|c| match *c {
                Column::Key(k) => Ok(match keys.iter().position(|x| x == k) {
                    Some(i) => (k.to_owned(), values.get(i).cloned().unwrap_or(Value::Null)),
                    None => (k.to_owned(), Value::Null),
                }),
                Column::Index(i) => match (keys.get(i), values.get(i)) {
                    (Some(k), Some(v)) => Ok((k.clone(), v.clone())),
                    _ => Err(self.no_such_column(i.to_string())),
                },
            })
            .collect()
    }

    /// [`data`](Record::data) of `columns` only (all when empty); a missing
    /// name maps to `Null`, as in the Python driver's `Record.data(*keys)`.
    pub fn data_of(&self, columns: &[Column<'_>]) -> Result<Map> {
        Ok(self
            .items(columns)?
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

/// A column of a record: by name or by index (`"name".into()`,
/// `0.into()`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column<'a> {
    /// By name.
    Key(&'a str),
    /// By position, from 0.
    Index(usize),
}

impl<'a> From<&'a str> for Column<'a> {
    fn from(k: &'a str) -> Self {
        Column::Key(k)
    }
}

impl<'a> From<&'a String> for Column<'a> {
    fn from(k: &'a String) -> Self {
        Column::Key(k)
    }
}

impl From<usize> for Column<'_> {
    fn from(i: usize) -> Self {
        Column::Index(i)
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
