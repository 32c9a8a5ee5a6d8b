//! `#[derive(Choices)]`: an enum of unit variants as a string property.

use proc_macro2::TokenStream;
use quote::quote;
use syn::{Data, DeriveInput, Fields, LitStr};

pub(crate) fn expand(input: &DeriveInput) -> syn::Result<TokenStream> {
    let name = &input.ident;
    let Data::Enum(data) = &input.data else {
        return Err(syn::Error::new_spanned(
            name,
            "#[derive(Choices)] needs an enum of unit variants",
        ));
    };
    if !input.generics.params.is_empty() {
        return Err(syn::Error::new_spanned(
            &input.generics,
            "#[derive(Choices)] does not support generic enums",
        ));
    }
    let mut idents = Vec::new();
    let mut values = Vec::new();
    for v in &data.variants {
        if !matches!(v.fields, Fields::Unit) {
            return Err(syn::Error::new_spanned(v, "choices are unit variants"));
        }
        let mut value = v.ident.to_string();
        for attr in v.attrs.iter().filter(|a| a.path().is_ident("ogm")) {
            attr.parse_nested_meta(|meta| {
                if meta.path.is_ident("value") {
                    value = meta.value()?.parse::<LitStr>()?.value();
                    Ok(())
                } else {
                    Err(meta.error("expected `value = \"..\"`"))
                }
            })?;
        }
        if values.contains(&value) {
            return Err(syn::Error::new_spanned(
                v,
                format!("two variants are stored as {value:?}"),
            ));
        }
        idents.push(&v.ident);
        values.push(value);
    }
    let expected = format!("one of {name}'s choices {values:?}");
    Ok(quote! {
        impl ::boltline_ogm::PropertyType for #name {
            type Filter = #name;

            fn to_value(&self) -> ::boltline_ogm::Value {
                ::boltline_ogm::Value::String(::std::string::String::from(match self {
                    #(#name::#idents => #values,)*
                }))
            }

            fn from_value(
                v: ::boltline_ogm::Value,
            ) -> ::std::result::Result<Self, ::boltline_ogm::TypeMismatch> {
                match v.as_str() {
                    #(::std::option::Option::Some(#values) => ::std::result::Result::Ok(#name::#idents),)*
                    _ => ::std::result::Result::Err(::boltline_ogm::TypeMismatch {
                        expected: #expected,
                        found: if v.as_str().is_some() { "another STRING" } else { v.type_name() },
                    }),
                }
            }
        }
    })
}
