//! Helpers for the code `#[derive(Node)]` generates. Not public API.

use std::fmt::Display;

use boltline::{Map, Value};

use crate::{Error, PropertyType, Result};

/// Takes property `prop` out of `props`: its value, else the default, else
/// `None` for an optional field, else [`Error::RequiredProperty`].
pub fn take<T: PropertyType>(
    props: &mut Map,
    model: &'static str,
    prop: &'static str,
    default: Option<fn() -> T>,
) -> Result<T> {
    match props.remove(prop) {
        None | Some(Value::Null) => match default {
            Some(d) => Ok(d()),
            None if T::OPTIONAL => {
                T::from_value(Value::Null).map_err(|source| Error::PropertyType {
                    model,
                    property: prop,
                    source,
                })
            }
            None => Err(Error::RequiredProperty {
                model,
                property: prop,
            }),
        },
        Some(v) => T::from_value(v).map_err(|source| Error::PropertyType {
            model,
            property: prop,
            source,
        }),
    }
}

/// A validator's verdict as an OGM error.
pub fn validate<E: Display>(
    model: &'static str,
    prop: &'static str,
    verdict: std::result::Result<(), E>,
) -> Result<()> {
    verdict.map_err(|e| Error::Validation {
        model,
        property: prop,
        message: e.to_string(),
    })
}

/// A property's value for a write: [`PropertyType::try_to_value`], its
/// failure a validation error.
pub fn deflate<T: PropertyType>(model: &'static str, prop: &'static str, v: &T) -> Result<Value> {
    v.try_to_value().map_err(|message| Error::Validation {
        model,
        property: prop,
        message,
    })
}
