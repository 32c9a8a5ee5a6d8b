//! Derive macros of `boltline-ogm`; use them through that crate
//! (`boltline_ogm::Node`), which documents the attributes.

mod attrs;
mod choices;
mod node;

use proc_macro::TokenStream;
use syn::{parse_macro_input, DeriveInput};

/// Implements `boltline_ogm::Node` (and, unless `#[ogm(hooks)]`,
/// `boltline_ogm::NodeHooks`) for a struct with named fields, and adds one
/// typed filter handle per property: `Person::name()`.
#[proc_macro_derive(Node, attributes(ogm))]
pub fn derive_node(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    node::expand(&input, node::Kind::Node)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// Implements `boltline_ogm::RelProps` for a struct whose named fields are
/// a relationship's properties (same field attributes as `Node`, but no
/// element id or relationship fields), and adds a typed filter handle per
/// property for `match_rel` and `any_with`.
#[proc_macro_derive(Relationship, attributes(ogm))]
pub fn derive_relationship(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    node::expand(&input, node::Kind::Relationship)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// Implements `boltline_ogm::PropertyType` for an enum of unit variants,
/// stored as strings: the variant's name, or `#[ogm(value = "..")]`.
#[proc_macro_derive(Choices, attributes(ogm))]
pub fn derive_choices(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    choices::expand(&input)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}
