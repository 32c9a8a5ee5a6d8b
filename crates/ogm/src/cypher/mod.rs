//! The Cypher the OGM sends, as an abstract syntax tree rendered to text
//! and a parameter map.
//!
//! User values enter the tree only as [`Expr::Value`], which renders as a
//! generated parameter (`$p0`, `$p1`, ...). Names (labels, relationship types,
//! property keys, variables) come from code and are escaped by
//! [`escape_name`] all the same.

mod clause;
mod expr;
mod ident;
mod pattern;
mod render;
mod schema;
#[cfg(test)]
mod tests;

pub use clause::{Clause, OrderItem, Projection, SetItem, Statement};
pub use expr::{BinOp, Expr};
pub use ident::{escape_name, is_plain};
pub use pattern::{Direction, NodePattern, Pattern, RelPattern};
pub use render::Rendered;
pub use schema::{SchemaKind, SchemaStatement, Similarity};
