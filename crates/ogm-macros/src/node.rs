//! `#[derive(Node)]`.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::{Data, DeriveInput, Fields, Type};

use crate::attrs::{field_attrs, struct_attrs};

/// Whether the type is written `ElementId` (any path ending so).
fn is_element_id(ty: &Type) -> bool {
    matches!(ty, Type::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == "ElementId"))
}

/// What is derived.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Node,
    Relationship,
}

pub(crate) fn expand(input: &DeriveInput, kind: Kind) -> syn::Result<TokenStream> {
    let name = &input.ident;
    if !input.generics.params.is_empty() {
        return Err(syn::Error::new_spanned(
            &input.generics,
            "#[derive(Node)] does not support generic structs",
        ));
    }
    let Data::Struct(data) = &input.data else {
        return Err(syn::Error::new_spanned(
            name,
            "#[derive(Node)] needs a struct with named fields",
        ));
    };
    let Fields::Named(fields) = &data.fields else {
        return Err(syn::Error::new_spanned(
            name,
            "#[derive(Node)] needs a struct with named fields",
        ));
    };
    let sattrs = struct_attrs(&input.attrs)?;
    let model = name.to_string();
    let label = sattrs.label.clone().unwrap_or_else(|| model.clone());
    // An abstract base adds no label of its own, only its extra ones.
    let own_labels: Vec<&String> = if sattrs.abstract_node {
        if sattrs.label.is_some() {
            return Err(syn::Error::new_spanned(
                name,
                "an `abstract_node` has no label of its own: use `extra_label` for shared ones",
            ));
        }
        sattrs.extra_labels.iter().collect()
    } else {
        std::iter::once(&label)
            .chain(&sattrs.extra_labels)
            .collect()
    };

    let mut id_field = None;
    let mut parent: Option<(syn::Ident, Type)> = None;
    let mut extra_field = None;
    let mut defs = Vec::new();
    let mut deflate = Vec::new();
    let mut inflate = Vec::new();
    let mut build = Vec::new();
    let mut handles = Vec::new();
    let mut db_names: Vec<String> = Vec::new();
    let mut opt_labels = Vec::new();
    let mut set_labels = Vec::new();
    let mut rel_schemas = Vec::new();
    let mut delete_checks = Vec::new();
    let mut on_create: Vec<String> = Vec::new();
    let mut aliased: Vec<syn::Ident> = Vec::new();

    for f in &fields.named {
        let Some(ident) = f.ident.as_ref() else {
            continue;
        };
        let ty = &f.ty;
        let a = field_attrs(&f.attrs)?;
        let local = format_ident!("__ogm_{}", ident);
        if let Some(rel_type) = &a.rel {
            if kind == Kind::Relationship {
                return Err(syn::Error::new_spanned(
                    f,
                    "a relationship has no relationship fields",
                ));
            }
            let dir = match (a.incoming, a.undirected) {
                (false, false) => quote!(Outgoing),
                (true, false) => quote!(Incoming),
                (false, true) => quote!(Either),
                (true, true) => {
                    return Err(syn::Error::new_spanned(
                        f,
                        "`incoming` or `undirected`, not both",
                    ))
                }
            };
            delete_checks.push(quote! {
                __ogm_v.extend(::boltline_ogm::DeleteCheck::of(Self::#ident()));
            });
            rel_schemas.push(quote! {
                (#rel_type, <<#ty as ::boltline_ogm::RelationField>::Props as ::boltline_ogm::RelProps>::properties())
            });
            build.push(quote!(#ident: ::std::default::Default::default()));
            // The field holds no data; reading it here keeps `dead_code`
            // quiet in users' crates.
            deflate.push(quote!(let _ = &self.#ident;));
            let vis = &f.vis;
            let doc = format!(
                "The `{rel_type}` relationship: `.of(&node)` manages it, `.any(q)` filters on it."
            );
            handles.push(quote! {
                #[doc = #doc]
                #vis fn #ident() -> ::boltline_ogm::Rel<
                    Self,
                    <#ty as ::boltline_ogm::RelationField>::Target,
                    <#ty as ::boltline_ogm::RelationField>::Card,
                    <#ty as ::boltline_ogm::RelationField>::Rev,
                    <#ty as ::boltline_ogm::RelationField>::Props,
                > {
                    ::boltline_ogm::Rel::new(#rel_type, ::boltline_ogm::cypher::Direction::#dir)
                }
            });
            continue;
        }
        if let Some(label) = &a.optional_label {
            if kind == Kind::Relationship {
                return Err(syn::Error::new_spanned(
                    f,
                    "a relationship has no optional labels",
                ));
            }
            opt_labels.push(quote!(__ogm_v.push((#label, self.#ident));));
            set_labels.push(quote! {
                self.#ident = __ogm_labels.iter().any(|l| l == #label);
            });
            build.push(quote!(#ident: false));
            let vis = &f.vis;
            let doc = format!("Filter handle of the optional label `{label}`.");
            handles.push(quote! {
                #[doc = #doc]
                #vis fn #ident() -> ::boltline_ogm::LabelFlag<Self> {
                    ::boltline_ogm::LabelFlag::new(#label)
                }
            });
            continue;
        }
        if a.parent {
            if kind == Kind::Relationship || parent.is_some() {
                return Err(syn::Error::new_spanned(
                    f,
                    "one `parent` field, on nodes only",
                ));
            }
            inflate.push(quote! {
                let #local: #ty = <#ty as ::boltline_ogm::Node>::inflate_from(
                    __ogm_props,
                    ::std::clone::Clone::clone(&__ogm_element_id),
                )?;
            });
            build.push(quote!(#ident: #local));
            parent = Some((ident.clone(), ty.clone()));
            continue;
        }
        if kind == Kind::Node && (a.element_id || (is_element_id(ty) && !a.extra)) {
            if id_field.is_some() {
                return Err(syn::Error::new_spanned(
                    f,
                    "only one element id field is allowed",
                ));
            }
            id_field = Some(ident.clone());
            build.push(quote!(#ident: ::std::convert::From::from(__ogm_element_id)));
            continue;
        }
        if a.extra {
            if extra_field.is_some() {
                return Err(syn::Error::new_spanned(
                    f,
                    "only one `extra` field is allowed",
                ));
            }
            extra_field = Some(ident.clone());
            continue;
        }
        let field_name = ident.to_string();
        let field_name = field_name
            .strip_prefix("r#")
            .unwrap_or(&field_name)
            .to_owned();
        let db = a.db_property.clone().unwrap_or_else(|| field_name.clone());
        if db_names.contains(&db) {
            return Err(syn::Error::new_spanned(
                f,
                format!("two fields are stored as `{db}`"),
            ));
        }
        db_names.push(db.clone());
        if a.on_create {
            if kind != Kind::Relationship {
                return Err(syn::Error::new_spanned(
                    f,
                    "`on_create` is for relationship properties",
                ));
            }
            on_create.push(db.clone());
        }
        let has_default = a.default.is_some();
        let (unique, index, fulltext) = (a.unique, a.index, a.fulltext);
        let vector = match a.vector {
            Some((dimensions, euclidean)) => {
                let similarity = if euclidean {
                    quote!(Euclidean)
                } else {
                    quote!(Cosine)
                };
                quote!(::std::option::Option::Some(::boltline_ogm::VectorIndex {
                    dimensions: #dimensions,
                    similarity: ::boltline_ogm::cypher::Similarity::#similarity,
                }))
            }
            None => quote!(::std::option::Option::None),
        };
        defs.push(quote! {
            ::boltline_ogm::PropertyDef {
                field: #field_name,
                db_name: #db,
                required: !<#ty as ::boltline_ogm::PropertyType>::OPTIONAL && !#has_default,
                unique: #unique,
                index: #index,
                fulltext: #fulltext,
                vector: #vector,
            }
        });
        if let Some(max) = a.max_length {
            deflate.push(quote! {
                ::boltline_ogm::__private::check_max_length(#max, #model, #db, &self.#ident)?;
            });
        }
        if let Some(pattern) = &a.regex {
            deflate.push(quote! {
                {
                    static __OGM_RE: ::std::sync::OnceLock<::boltline_ogm::__private::Pattern> =
                        ::std::sync::OnceLock::new();
                    ::boltline_ogm::__private::check_regex(&__OGM_RE, #pattern, #model, #db, &self.#ident)?;
                }
            });
        }
        if let Some(v) = &a.validate {
            deflate.push(quote! {
                ::boltline_ogm::__private::validate(#model, #db, #v(&self.#ident))?;
            });
        }
        deflate.push(quote! {
            __ogm_map.insert(
                ::std::string::String::from(#db),
                ::boltline_ogm::__private::deflate(#model, #db, &self.#ident)?,
            );
        });
        let default = match &a.default {
            Some(p) => quote!(::std::option::Option::Some(#p as fn() -> #ty)),
            None => quote!(::std::option::Option::None::<fn() -> #ty>),
        };
        inflate.push(quote! {
            let #local: #ty = ::boltline_ogm::__private::take(__ogm_props, #model, #db, #default)?;
        });
        build.push(quote!(#ident: #local));
        let vis = &f.vis;
        for (alias, _) in sattrs.aliases.iter().filter(|(_, field)| field == ident) {
            let doc =
                format!("Filter handle of the `{db}` property, under another name (an alias).");
            handles.push(quote! {
                #[doc = #doc]
                #vis fn #alias() -> ::boltline_ogm::Prop<Self, <#ty as ::boltline_ogm::PropertyType>::Filter> {
                    ::boltline_ogm::Prop::new(#db)
                }
            });
            aliased.push(ident.clone());
        }
        let doc = format!("Filter handle of the `{db}` property.");
        handles.push(quote! {
            #[doc = #doc]
            #vis fn #ident() -> ::boltline_ogm::Prop<Self, <#ty as ::boltline_ogm::PropertyType>::Filter> {
                ::boltline_ogm::Prop::new(#db)
            }
        });
    }

    if let Some((alias, field)) = sattrs
        .aliases
        .iter()
        .find(|(_, field)| !aliased.contains(field))
    {
        return Err(syn::Error::new_spanned(
            alias,
            format!("`{alias}` aliases `{field}`, which is not a property of this model"),
        ));
    }

    let (extra_deflate, extra_build) = match &extra_field {
        Some(extra) => (
            quote! {
                for (k, v) in &self.#extra {
                    if __ogm_map.contains_key(k) {
                        return ::std::result::Result::Err(::boltline_ogm::Error::DeflateConflict {
                            model: #model,
                            property: k.clone(),
                        });
                    }
                    __ogm_map.insert(k.clone(), v.clone());
                }
            },
            quote!(#extra: ::std::mem::take(__ogm_props),),
        ),
        None => (quote!(), quote!()),
    };
    // Shared by nodes and relationships: the body that builds `Self` from
    // `__ogm_props`, and the inherent impl carrying the relationship handles.
    let inflate_body = quote! {
        #(#inflate)*
        ::std::result::Result::Ok(#name {
            #(#build,)*
            #extra_build
        })
    };
    let handles_impl = quote! {
        impl #name {
            #(#handles)*
        }
    };
    let n_rel = defs.len();
    if kind == Kind::Relationship {
        return Ok(quote! {
            impl ::boltline_ogm::RelProps for #name {
                const NAME: &'static str = #model;

                fn properties() -> &'static [::boltline_ogm::PropertyDef] {
                    const PROPERTIES: &[::boltline_ogm::PropertyDef] = &[#(#defs),*];
                    PROPERTIES
                }

                fn on_create() -> &'static [&'static str] {
                    &[#(#on_create),*]
                }

                fn deflate(&self) -> ::boltline_ogm::Result<::boltline_ogm::Map> {
                    let mut __ogm_map = ::boltline_ogm::Map::with_capacity(#n_rel);
                    #(#deflate)*
                    #extra_deflate
                    ::std::result::Result::Ok(__ogm_map)
                }

                #[allow(unused_mut, unused_variables)]
                fn inflate_properties(
                    mut __ogm_owned: ::boltline_ogm::Map,
                ) -> ::boltline_ogm::Result<Self> {
                    let __ogm_props = &mut __ogm_owned;
                    #inflate_body
                }
            }

            #handles_impl
        });
    }
    let Some(id_field) = id_field else {
        return Err(syn::Error::new_spanned(
            name,
            "#[derive(Node)] needs an element id field: `id: ElementId` (or one marked #[ogm(element_id)])",
        ));
    };
    let hooks = if sattrs.hooks {
        quote!()
    } else {
        quote!(impl ::boltline_ogm::NodeHooks for #name {})
    };
    let n = defs.len();
    let parent_delete_checks = match &parent {
        None => quote!(),
        Some((_, pty)) => {
            quote!(__ogm_v.extend(<#pty as ::boltline_ogm::Node>::delete_checks());)
        }
    };
    let (parent_opt_labels, parent_set_labels, parent_rel_schemas) = match &parent {
        None => (quote!(), quote!(), quote!()),
        Some((field, pty)) => (
            quote!(__ogm_v.extend(::boltline_ogm::Node::optional_labels(&self.#field));),
            quote!(::boltline_ogm::Node::set_optional_labels(&mut self.#field, __ogm_labels);),
            quote!(__ogm_v.extend(<#pty as ::boltline_ogm::Node>::relationship_properties());),
        ),
    };
    let (labels, properties, parent_deflate, parent_set, inherits) = match &parent {
        None => (
            quote!(&[#(#own_labels),*]),
            quote! {
                const PROPERTIES: &[::boltline_ogm::PropertyDef] = &[#(#defs),*];
                PROPERTIES
            },
            quote!(),
            quote!(),
            quote!(),
        ),
        Some((field, pty)) => (
            // The parent's labels and properties follow the model's own,
            // computed once (a const cannot call the parent's functions).
            quote! {
                static LABELS: ::std::sync::OnceLock<::std::vec::Vec<&'static str>> =
                    ::std::sync::OnceLock::new();
                LABELS.get_or_init(|| {
                    let mut v: ::std::vec::Vec<&'static str> = ::std::vec![#(#own_labels),*];
                    for l in <#pty as ::boltline_ogm::Node>::labels() {
                        if !v.contains(l) {
                            v.push(l);
                        }
                    }
                    v
                })
            },
            quote! {
                static PROPERTIES: ::std::sync::OnceLock<::std::vec::Vec<::boltline_ogm::PropertyDef>> =
                    ::std::sync::OnceLock::new();
                PROPERTIES.get_or_init(|| {
                    let mut v = ::std::vec![#(#defs),*];
                    v.extend_from_slice(<#pty as ::boltline_ogm::Node>::properties());
                    v
                })
            },
            quote! {
                for (k, v) in ::boltline_ogm::Node::deflate(&self.#field)? {
                    if __ogm_map.contains_key(&k) {
                        return ::std::result::Result::Err(::boltline_ogm::Error::DeflateConflict {
                            model: #model,
                            property: k,
                        });
                    }
                    __ogm_map.insert(k, v);
                }
            },
            quote!(::boltline_ogm::Node::set_element_id(&mut self.#field, ::std::clone::Clone::clone(&id));),
            quote!(impl ::boltline_ogm::Inherits<#pty> for #name {}),
        ),
    };

    // Every concrete model joins the registry `install_all_labels` reads.
    let register = if sattrs.abstract_node {
        quote!()
    } else {
        quote! {
            ::boltline_ogm::__private::inventory::submit! {
                ::boltline_ogm::__private::Registration::of::<#name>()
            }
        }
    };

    Ok(quote! {
        #inherits

        #hooks

        #register

        impl ::boltline_ogm::Node for #name {
            const NAME: &'static str = #model;

            fn labels() -> &'static [&'static str] {
                #labels
            }

            fn properties() -> &'static [::boltline_ogm::PropertyDef] {
                #properties
            }

            fn element_id(&self) -> ::std::option::Option<&str> {
                self.#id_field.get()
            }

            fn set_element_id(&mut self, id: ::std::option::Option<::std::string::String>) {
                #parent_set
                self.#id_field.set(id);
            }

            #[allow(unused_mut)]
            fn optional_labels(&self) -> ::std::vec::Vec<(&'static str, bool)> {
                let mut __ogm_v = ::std::vec::Vec::new();
                #(#opt_labels)*
                #parent_opt_labels
                __ogm_v
            }

            #[allow(unused_variables)]
            fn set_optional_labels(&mut self, __ogm_labels: &[::std::string::String]) {
                #(#set_labels)*
                #parent_set_labels
            }

            #[allow(unused_mut)]
            fn delete_checks() -> ::std::vec::Vec<::boltline_ogm::DeleteCheck> {
                let mut __ogm_v = ::std::vec::Vec::new();
                #(#delete_checks)*
                #parent_delete_checks
                __ogm_v
            }

            #[allow(unused_mut)]
            fn relationship_properties() -> ::std::vec::Vec<(&'static str, &'static [::boltline_ogm::PropertyDef])> {
                let mut __ogm_v = ::std::vec![#(#rel_schemas),*];
                #parent_rel_schemas
                __ogm_v
            }

            fn deflate(&self) -> ::boltline_ogm::Result<::boltline_ogm::Map> {
                let mut __ogm_map = ::boltline_ogm::Map::with_capacity(#n);
                #(#deflate)*
                #parent_deflate
                #extra_deflate
                ::std::result::Result::Ok(__ogm_map)
            }

            #[allow(unused_variables)]
            fn inflate_from(
                __ogm_props: &mut ::boltline_ogm::Map,
                __ogm_element_id: ::std::option::Option<::std::string::String>,
            ) -> ::boltline_ogm::Result<Self> {
                #inflate_body
            }
        }

        #handles_impl
    })
}
