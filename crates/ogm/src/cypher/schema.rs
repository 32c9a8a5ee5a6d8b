//! Schema commands: constraints and indexes. Their names, labels and
//! property keys come from model definitions and are escaped; they carry no
//! values.

use super::ident::write_name;
use super::render::{Rendered, Renderer};

/// What a schema command creates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SchemaKind {
    /// A uniqueness constraint.
    Unique,
    /// A range index.
    Index,
    /// A full-text index.
    FullText,
    /// A vector index (Neo4j 5.11+) for similarity search.
    Vector {
        /// The vectors' length.
        dimensions: u32,
        /// How similarity is measured.
        similarity: Similarity,
    },
}

/// The similarity function of a vector index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Similarity {
    /// Cosine similarity.
    Cosine,
    /// Euclidean distance.
    Euclidean,
}

impl Similarity {
    fn text(self) -> &'static str {
        match self {
            Similarity::Cosine => "cosine",
            Similarity::Euclidean => "euclidean",
        }
    }
}

/// A schema command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SchemaStatement {
    /// `CREATE CONSTRAINT|INDEX name IF NOT EXISTS FOR (n:Label) ...` on one
    /// property: idempotent.
    Create {
        /// What to create.
        kind: SchemaKind,
        /// Its name.
        name: String,
        /// The label (or the relationship type when `relationship`).
        label: String,
        /// The property key.
        property: String,
        /// On relationships of type `label` rather than nodes?
        relationship: bool,
    },
    /// `DROP CONSTRAINT name IF EXISTS`.
    DropConstraint(String),
    /// `DROP INDEX name IF EXISTS`.
    DropIndex(String),
}

impl SchemaStatement {
    /// The text (schema commands take no parameters).
    pub fn render(&self) -> Rendered {
        let mut r = Renderer::default();
        match self {
            SchemaStatement::Create {
                kind,
                name,
                label,
                property,
                relationship,
            } => {
                r.push(match kind {
                    SchemaKind::Unique => "CREATE CONSTRAINT ",
                    SchemaKind::Index => "CREATE INDEX ",
                    SchemaKind::FullText => "CREATE FULLTEXT INDEX ",
                    SchemaKind::Vector { .. } => "CREATE VECTOR INDEX ",
                });
                r.name(name);
                r.push(" IF NOT EXISTS FOR ");
                let mut target = String::new();
                write_name(&mut target, label);
                if *relationship {
                    r.push("()-[x:");
                    r.push(&target);
                    r.push("]-()");
                } else {
                    r.push("(x:");
                    r.push(&target);
                    r.push(")");
                }
                let mut prop = String::from("x.");
                write_name(&mut prop, property);
                match kind {
                    SchemaKind::Unique => {
                        r.push(" REQUIRE ");
                        r.push(&prop);
                        r.push(" IS UNIQUE");
                    }
                    SchemaKind::Index => {
                        r.push(" ON (");
                        r.push(&prop);
                        r.push(")");
                    }
                    SchemaKind::FullText => {
                        r.push(" ON EACH [");
                        r.push(&prop);
                        r.push("]");
                    }
                    SchemaKind::Vector {
                        dimensions,
                        similarity,
                    } => {
                        // Schema commands take no parameters here; both
                        // values are a number and a fixed word from code.
                        r.push(" ON (");
                        r.push(&prop);
                        r.push(") OPTIONS {indexConfig: {`vector.dimensions`: ");
                        r.push(&dimensions.to_string());
                        r.push(", `vector.similarity_function`: '");
                        r.push(similarity.text());
                        r.push("'}}");
                    }
                }
            }
            SchemaStatement::DropConstraint(name) => {
                r.push("DROP CONSTRAINT ");
                r.name(name);
                r.push(" IF EXISTS");
            }
            SchemaStatement::DropIndex(name) => {
                r.push("DROP INDEX ");
                r.name(name);
                r.push(" IF EXISTS");
            }
        }
        r.finish()
    }
}
