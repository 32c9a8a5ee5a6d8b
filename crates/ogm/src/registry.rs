//! The models of the program, registered by `#[derive(Node)]`, for
//! [`Database::install_all_labels`](crate::Database::install_all_labels)
//! (neomodel finds them as the subclasses of `StructuredNode`; Rust has no
//! class discovery, so the derive submits each model to a registry the
//! `inventory` crate collects before `main`).

use crate::{ModelSchema, Node};

/// One model as the derive registers it: its name and how to build its
/// schema (built on demand: a registration is a `static`).
#[derive(Debug, Clone, Copy)]
pub struct Registration {
    model: &'static str,
    schema: fn() -> ModelSchema,
}

impl Registration {
    /// The registration of model `M`.
    pub const fn of<M: Node>() -> Self {
        Registration {
            model: M::NAME,
            schema: ModelSchema::of::<M>,
        }
    }
}

inventory::collect!(Registration);

/// The schemas of every model registered in the program (each
/// `#[derive(Node)]` that is not an `abstract_node`), by model name.
pub(crate) fn registered() -> Vec<ModelSchema> {
    let mut v: Vec<&'static Registration> = inventory::iter::<Registration>.into_iter().collect();
    v.sort_by_key(|r| r.model);
    v.into_iter().map(|r| (r.schema)()).collect()
}
