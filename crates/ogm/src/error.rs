//! The OGM's error type.

use boltline::packstream::TypeMismatch;

/// What went wrong in an OGM operation.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The driver failed (connection, server error other than those below).
    #[error(transparent)]
    Driver(#[from] boltline::Error),
    /// `get` found no node.
    #[error("no {model} matches the query")]
    DoesNotExist {
        /// The model's name.
        model: &'static str,
    },
    /// `get` found more than one node.
    #[error("more than one {model} matches the query")]
    MultipleNodesReturned {
        /// The model's name.
        model: &'static str,
    },
    /// A required property was missing (or `null`) on a node read back.
    #[error("{model}.{property} is required but the node has none")]
    RequiredProperty {
        /// The model's name.
        model: &'static str,
        /// The property (its database name).
        property: &'static str,
    },
    /// A property held a value of the wrong type.
    #[error("{model}.{property}: {source}")]
    PropertyType {
        /// The model's name.
        model: &'static str,
        /// The property (its database name).
        property: &'static str,
        /// The mismatch.
        source: TypeMismatch,
    },
    /// An annotation's value was not of the type asked for.
    #[error("annotation {name}: {source}")]
    AnnotationType {
        /// The annotation's name.
        name: String,
        /// The mismatch.
        source: TypeMismatch,
    },
    /// A uniqueness constraint refused the write.
    #[error("unique property violated: {message}")]
    UniqueProperty {
        /// The server's message (names the label, property and value).
        message: String,
    },
    /// A property's validator refused its value.
    #[error("{model}.{property} is invalid: {message}")]
    Validation {
        /// The model's name.
        model: &'static str,
        /// The property (its database name).
        property: &'static str,
        /// Why.
        message: String,
    },
    /// An undeclared property of a semi-structured node has the name of a
    /// declared one.
    #[error("{model}: extra property {property:?} clashes with a declared property")]
    DeflateConflict {
        /// The model's name.
        model: &'static str,
        /// The clashing key.
        property: String,
    },
    /// A relationship operation would break a declared cardinality (on
    /// either end), or a relationship read back breaks it.
    #[error("cardinality of {model}.{relation} violated: {detail}")]
    CardinalityViolation {
        /// The model whose relationship it is.
        model: &'static str,
        /// The relationship type.
        relation: &'static str,
        /// What would be broken.
        detail: String,
    },
    /// `reconnect` from a node that is not connected.
    #[error("{model} is not connected to that node by {relation}")]
    NotConnected {
        /// The model whose relationship it is.
        model: &'static str,
        /// The relationship type.
        relation: &'static str,
    },
    /// A value returned by the server was not a node (or relationship) of
    /// the model.
    #[error("expected a node or relationship for {model}, found {found}")]
    NotANode {
        /// The model's name.
        model: &'static str,
        /// The value's type.
        found: &'static str,
    },
    /// The node has not been saved yet (it has no element id).
    #[error("this {model} has not been saved")]
    NotSaved {
        /// The model's name.
        model: &'static str,
    },
    /// An operation that creates the node got one already saved.
    #[error("this {model} is already saved (it has an element id)")]
    AlreadySaved {
        /// The model's name.
        model: &'static str,
    },
    /// `get_or_create`/`create_or_update` on a model with no unique and no
    /// required property: a `MERGE` would match any node with its labels.
    #[error("{model} has no unique or required property to merge on")]
    NoMergeKey {
        /// The model's name.
        model: &'static str,
    },
    /// A connection URL could not be understood.
    #[error("invalid connection URL: {0}")]
    InvalidUrl(String),
}

/// The OGM's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// The driver's error, with a constraint violation turned into
    /// [`Error::UniqueProperty`].
    pub(crate) fn from_driver(e: boltline::Error) -> Error {
        match e.server_error() {
            Some(s) if s.kind == boltline::ServerErrorKind::ConstraintViolation => {
                Error::UniqueProperty {
                    message: s.message.clone(),
                }
            }
            _ => Error::Driver(e),
        }
    }
}
