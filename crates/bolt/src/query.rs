//! A query with its parameters.

use boltline_packstream::{Map, Value};

/// Query text, parameters, and optionally how many records to fetch per batch.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    text: String,
    parameters: Map,
    fetch_size: Option<i64>,
}

impl Query {
    /// A query without parameters.
    pub fn new(text: impl Into<String>) -> Self {
        Query {
            text: text.into(),
            parameters: Map::new(),
            fetch_size: None,
        }
    }

    /// Adds a parameter.
    pub fn param(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        self.parameters.insert(name.into(), value.into());
        self
    }

    /// Replaces all parameters.
    pub fn with_parameters(mut self, parameters: Map) -> Self {
        self.parameters = parameters;
        self
    }

    /// Records per `PULL` for this query (`-1`: all at once); default from
    /// the connection's configuration.
    pub fn with_fetch_size(mut self, n: i64) -> Self {
        self.fetch_size = Some(n);
        self
    }

    /// The text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The parameters.
    pub fn parameters(&self) -> &Map {
        &self.parameters
    }

    /// The fetch size, if set on the query.
    pub fn fetch_size(&self) -> Option<i64> {
        self.fetch_size
    }
}

impl From<&str> for Query {
    fn from(s: &str) -> Self {
        Query::new(s)
    }
}

impl From<String> for Query {
    fn from(s: String) -> Self {
        Query::new(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builder() {
        let q = Query::new("RETURN $x").param("x", 1).with_fetch_size(5);
        assert_eq!(q.text(), "RETURN $x");
        assert_eq!(q.parameters()["x"], Value::from(1));
        assert_eq!(q.fetch_size(), Some(5));
        assert_eq!(Query::from("RETURN 1").fetch_size(), None);
    }
}
