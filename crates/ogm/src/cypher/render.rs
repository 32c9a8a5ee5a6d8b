//! Rendering: the AST to Cypher text plus a parameter map.

use boltline::{Map, Query, Value};

use super::expr::Expr;
use super::ident::{write_index, write_name, write_param};

/// Cypher text and the parameters it refers to.
#[derive(Debug, Clone, PartialEq)]
pub struct Rendered {
    /// The query text.
    pub text: String,
    /// Its parameters: the generated `pN` ones and any named ones added.
    pub params: Map,
}

impl Rendered {
    /// Adds a named parameter (for [`Expr::Param`]).
    pub fn with_param(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        self.params.insert(name.into(), value.into());
        self
    }

    /// The driver's query.
    pub fn into_query(self) -> Query {
        Query::new(self.text).with_parameters(self.params)
    }
}

impl From<Rendered> for Query {
    fn from(r: Rendered) -> Query {
        r.into_query()
    }
}

/// Accumulates text and parameters.
#[derive(Debug, Default)]
pub(crate) struct Renderer {
    out: String,
    params: Map,
    next: usize,
}

impl Renderer {
    pub(crate) fn push(&mut self, s: &str) {
        self.out.push_str(s);
    }

    pub(crate) fn out(&mut self) -> &mut String {
        &mut self.out
    }

    pub(crate) fn name(&mut self, name: &str) {
        write_name(&mut self.out, name);
    }

    pub(crate) fn param(&mut self, name: &str) {
        write_param(&mut self.out, name);
    }

    /// A user value: always a fresh generated parameter.
    pub(crate) fn value(&mut self, v: Value) {
        let mut name = String::new();
        write_index(&mut name, "p", self.next);
        self.next += 1;
        self.push("$");
        self.push(&name);
        self.params.insert(name, v);
    }

    /// An expression, parenthesised when it is compound.
    pub(crate) fn atom(&mut self, e: &Expr) {
        if e.is_compound() {
            self.push("(");
            e.render(self);
            self.push(")");
        } else {
            e.render(self);
        }
    }

    pub(crate) fn join_bool(&mut self, items: &[Expr], sep: &str, empty: &str) {
        match items {
            [] => self.push(empty),
            [one] => one.render(self),
            _ => {
                for (i, e) in items.iter().enumerate() {
                    if i > 0 {
                        self.push(sep);
                    }
                    // Comparisons and NOT bind tighter than AND and OR;
                    // only nested AND/OR lists need parentheses.
                    if matches!(e, Expr::And(v) | Expr::Or(v) if v.len() > 1) {
                        self.push("(");
                        e.render(self);
                        self.push(")");
                    } else {
                        e.render(self);
                    }
                }
            }
        }
    }

    pub(crate) fn finish(self) -> Rendered {
        Rendered {
            text: self.out,
            params: self.params,
        }
    }
}
