//! `#[ogm(...)]` attributes on structs and fields.

use syn::{Attribute, Expr, LitStr, Path};

/// Struct-level options.
#[derive(Default)]
pub(crate) struct StructAttrs {
    pub label: Option<String>,
    pub extra_labels: Vec<String>,
    pub hooks: bool,
    /// `abstract_node`: no label of its own (neomodel's
    /// `__abstract_node__`), for a base embedded as a `parent`.
    pub abstract_node: bool,
    /// `alias(new_name = field)`: another filter handle for a property,
    /// never stored (neomodel's `AliasProperty`).
    pub aliases: Vec<(syn::Ident, syn::Ident)>,
}

/// Field-level options.
#[derive(Default)]
pub(crate) struct FieldAttrs {
    pub element_id: bool,
    pub extra: bool,
    pub unique: bool,
    pub index: bool,
    pub fulltext: bool,
    pub db_property: Option<String>,
    pub default: Option<Path>,
    pub validate: Option<Path>,
    pub rel: Option<String>,
    pub parent: bool,
    /// `vector(dimensions = N, similarity = "cosine" | "euclidean")`.
    pub vector: Option<(u32, bool)>,
    pub incoming: bool,
    pub undirected: bool,
    /// `optional_label = "Label"` on a `bool` field.
    pub optional_label: Option<String>,
    /// `regex = "pattern"` on a text field.
    pub regex: Option<LitStr>,
    /// `on_create` on a relationship property: not part of `connect`'s
    /// MERGE pattern, set only when the relationship is created.
    pub on_create: bool,
    /// `max_length = N` on a text field, checked before writes.
    pub max_length: Option<usize>,
}

/// A label, type or property key: any non-empty text without NUL (it is
/// escaped when rendered, so quotes and backticks are harmless).
fn name(lit: &LitStr) -> syn::Result<String> {
    let v = lit.value();
    if v.is_empty() || v.contains('\0') {
        return Err(syn::Error::new(
            lit.span(),
            "names must be non-empty and contain no NUL",
        ));
    }
    Ok(v)
}

pub(crate) fn struct_attrs(attrs: &[Attribute]) -> syn::Result<StructAttrs> {
    let mut out = StructAttrs::default();
    for attr in attrs.iter().filter(|a| a.path().is_ident("ogm")) {
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("label") {
                out.label = Some(name(&meta.value()?.parse()?)?);
            } else if meta.path.is_ident("extra_label") {
                out.extra_labels.push(name(&meta.value()?.parse()?)?);
            } else if meta.path.is_ident("hooks") {
                out.hooks = true;
            } else if meta.path.is_ident("abstract_node") {
                out.abstract_node = true;
            } else if meta.path.is_ident("alias") {
                meta.parse_nested_meta(|m| {
                    let alias = m
                        .path
                        .get_ident()
                        .cloned()
                        .ok_or_else(|| m.error("expected `alias(new_name = field)`"))?;
                    let field: syn::Ident = m.value()?.parse()?;
                    out.aliases.push((alias, field));
                    Ok(())
                })?;
            } else {
                return Err(meta.error(
                    "expected `label = \"..\"`, `extra_label = \"..\"`, `hooks`, `abstract_node` \
                     or `alias(new_name = field)`",
                ));
            }
            Ok(())
        })?;
    }
    Ok(out)
}

pub(crate) fn field_attrs(attrs: &[Attribute]) -> syn::Result<FieldAttrs> {
    let mut out = FieldAttrs::default();
    for attr in attrs.iter().filter(|a| a.path().is_ident("ogm")) {
        attr.parse_nested_meta(|meta| {
            let p = &meta.path;
            if p.is_ident("element_id") {
                out.element_id = true;
            } else if p.is_ident("extra") {
                out.extra = true;
            } else if p.is_ident("unique") {
                out.unique = true;
            } else if p.is_ident("index") {
                out.index = true;
            } else if p.is_ident("fulltext") {
                out.fulltext = true;
            } else if p.is_ident("db_property") {
                out.db_property = Some(name(&meta.value()?.parse()?)?);
            } else if p.is_ident("vector") {
                let mut dimensions = None;
                let mut euclidean = false;
                meta.parse_nested_meta(|m| {
                    if m.path.is_ident("dimensions") {
                        dimensions =
                            Some(m.value()?.parse::<syn::LitInt>()?.base10_parse::<u32>()?);
                    } else if m.path.is_ident("similarity") {
                        let s: LitStr = m.value()?.parse()?;
                        euclidean = match s.value().as_str() {
                            "cosine" => false,
                            "euclidean" => true,
                            _ => return Err(syn::Error::new(s.span(), "`cosine` or `euclidean`")),
                        };
                    } else {
                        return Err(m.error("expected `dimensions = N` or `similarity = \"..\"`"));
                    }
                    Ok(())
                })?;
                let d =
                    dimensions.ok_or_else(|| meta.error("`vector(...)` needs `dimensions = N`"))?;
                out.vector = Some((d, euclidean));
            } else if p.is_ident("parent") {
                out.parent = true;
            } else if p.is_ident("rel") {
                out.rel = Some(name(&meta.value()?.parse()?)?);
            } else if p.is_ident("regex") {
                out.regex = Some(meta.value()?.parse()?);
            } else if p.is_ident("optional_label") {
                out.optional_label = Some(name(&meta.value()?.parse()?)?);
            } else if p.is_ident("incoming") {
                out.incoming = true;
            } else if p.is_ident("undirected") {
                out.undirected = true;
            } else if p.is_ident("on_create") {
                out.on_create = true;
            } else if p.is_ident("max_length") {
                out.max_length = Some(meta.value()?.parse::<syn::LitInt>()?.base10_parse()?);
            } else if p.is_ident("default") {
                out.default = Some(path_value(meta.value()?.parse()?)?);
            } else if p.is_ident("validate") {
                out.validate = Some(path_value(meta.value()?.parse()?)?);
            } else {
                return Err(meta.error(
                    "expected one of `element_id`, `extra`, `unique`, `index`, `fulltext`, \
                     `db_property = \"..\"`, `default = path`, `validate = path`, \
                     `rel = \"TYPE\"`, `incoming`, `undirected`, `parent`, `vector(..)`, \
                     `optional_label = \"Label\"`, `regex = \"pattern\"`, `on_create`, `max_length = N`",
                ));
            }
            Ok(())
        })?;
    }
    Ok(out)
}

/// A function path, written bare (`default = now`) or quoted.
fn path_value(e: Expr) -> syn::Result<Path> {
    match e {
        Expr::Path(p) => Ok(p.path),
        Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(s),
            ..
        }) => s.parse(),
        other => Err(syn::Error::new_spanned(other, "expected a function path")),
    }
}
