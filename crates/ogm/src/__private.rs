//! Helpers for the code `#[derive(Node)]` generates. Not public API.

use std::fmt::Display;

use boltline::{Map, Value};

use crate::{Error, PropertyType, Result};

/// The registry the derive submits each model to.
pub use crate::registry::Registration;
/// Re-exported so the derive's `submit!` needs no dependency of the user.
pub use inventory;

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

/// A compiled `#[ogm(regex = "..")]` pattern, or why it does not compile.
pub type Pattern = std::result::Result<regex::Regex, String>;

/// Text a regex-checked property holds (none for a `None`).
pub trait AsText {
    /// The text to check.
    fn as_text(&self) -> Option<&str>;
}

impl AsText for String {
    fn as_text(&self) -> Option<&str> {
        Some(self)
    }
}

impl AsText for crate::Email {
    fn as_text(&self) -> Option<&str> {
        Some(self.as_str())
    }
}

impl<T: AsText> AsText for Option<T> {
    fn as_text(&self) -> Option<&str> {
        self.as_ref().and_then(T::as_text)
    }
}

/// Checks that the text of `value` has at most `max` characters (Unicode
/// scalar values, as Python's `len` counts them: neomodel's
/// `StringProperty(max_length=..)`); more is [`Error::Validation`].
pub fn check_max_length<T: AsText>(
    max: usize,
    model: &'static str,
    prop: &'static str,
    value: &T,
) -> Result<()> {
    let Some(text) = value.as_text() else {
        return Ok(());
    };
    let n = text.chars().count();
    if n > max {
        return Err(Error::Validation {
            model,
            property: prop,
            message: format!("{n} characters, at most {max} allowed"),
        });
    }
    Ok(())
}

/// Checks that the whole text of `value` matches `pattern` (compiled once
/// into `cell`); a mismatch, or a pattern that does not compile, is
/// [`Error::Validation`].
pub fn check_regex<T: AsText>(
    cell: &'static std::sync::OnceLock<Pattern>,
    pattern: &'static str,
    model: &'static str,
    prop: &'static str,
    value: &T,
) -> Result<()> {
    let Some(text) = value.as_text() else {
        return Ok(());
    };
    let re = cell.get_or_init(|| {
        regex::Regex::new(&format!("^(?:{pattern})$"))
            .map_err(|e| format!("the pattern {pattern:?} does not compile: {e}"))
    });
    let message = match re {
        Ok(re) if re.is_match(text) => return Ok(()),
        Ok(_) => format!("{text:?} does not match {pattern:?}"),
        Err(e) => e.clone(),
    };
    Err(Error::Validation {
        model,
        property: prop,
        message,
    })
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
