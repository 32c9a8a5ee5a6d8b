//! Testkit's protocol messages: [`Request`]s in, [`Response`]s out.
//!
//! Every message is a JSON object `{"name": <type>, "data": {...}}`. Field
//! names follow testkit's (mostly camelCase, a few snake_case); unknown
//! fields are ignored, so newer testkit versions that add optional fields
//! keep working.

mod requests;
mod responses;

pub use requests::*;
pub use responses::*;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The id of an object the backend created (driver, session, callback
/// request, ...). The backend issues integers; testkit sends them back as
/// it got them. A string of digits is accepted too.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Id(pub u64);

impl std::fmt::Display for Id {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl Serialize for Id {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(self.0)
    }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum IdRepr {
    Int(u64),
    Text(String),
}

impl<'de> Deserialize<'de> for Id {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match IdRepr::deserialize(d)? {
            IdRepr::Int(i) => Ok(Id(i)),
            IdRepr::Text(t) => t
                .parse()
                .map(Id)
                .map_err(|_| serde::de::Error::custom(format!("not an id: {t:?}"))),
        }
    }
}

/// A field that testkit may leave out, set to `null`, or set to a value,
/// with a different meaning for each (e.g. a transaction `timeout`: absent
/// means the driver default, `null` means "no timeout given explicitly").
/// Use with `#[serde(default, deserialize_with = "tri_state")]`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum TriState<T> {
    /// The field was not sent.
    #[default]
    Absent,
    /// The field was sent as `null`.
    Null,
    /// The field was sent with a value.
    Value(T),
}

impl<T> TriState<T> {
    /// The value, if one was sent.
    pub fn value(&self) -> Option<&T> {
        match self {
            TriState::Value(v) => Some(v),
            _ => None,
        }
    }
}

/// Deserializes a present field into [`TriState::Null`] or
/// [`TriState::Value`]; `#[serde(default)]` supplies `Absent`.
pub fn tri_state<'de, D, T>(d: D) -> Result<TriState<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(match Option::<T>::deserialize(d)? {
        None => TriState::Null,
        Some(v) => TriState::Value(v),
    })
}

/// Why a request body could not become a [`Request`]. Each is answered with
/// a `BackendError` (see [`Response::from`]); the connection stays up.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProtocolError {
    /// The body is not JSON.
    #[error("request is not valid JSON: {0}")]
    MalformedJson(String),
    /// The JSON is not an object with a string `name`.
    #[error("request has no string 'name': {0}")]
    NoName(String),
    /// A request type this backend does not know.
    #[error("unknown request '{0}'")]
    UnknownRequest(String),
    /// A known request whose `data` does not have the expected shape.
    #[error("malformed '{name}' request: {reason}")]
    Malformed {
        /// The request's name.
        name: String,
        /// What was wrong.
        reason: String,
    },
}

impl From<ProtocolError> for Response {
    fn from(e: ProtocolError) -> Response {
        Response::backend_error(e.to_string())
    }
}

/// Parses one request body (the JSON between the framing lines).
pub fn parse_request(body: &str) -> Result<Request, ProtocolError> {
    let value: serde_json::Value =
        serde_json::from_str(body).map_err(|e| ProtocolError::MalformedJson(e.to_string()))?;
    let serde_json::Value::Object(mut object) = value else {
        return Err(ProtocolError::NoName(truncate(body)));
    };
    let name = match object.remove("name") {
        Some(serde_json::Value::String(name)) => name,
        _ => return Err(ProtocolError::NoName(truncate(body))),
    };
    if !Request::NAMES.contains(&name.as_str()) {
        return Err(ProtocolError::UnknownRequest(name));
    }
    // Testkit sends `"data": {}` for requests without fields; be lenient
    // about a missing or null `data` as well.
    let data = match object.remove("data") {
        None | Some(serde_json::Value::Null) => serde_json::Value::Object(Default::default()),
        Some(d) => d,
    };
    let mut normalized = serde_json::Map::new();
    normalized.insert("name".to_owned(), serde_json::Value::String(name.clone()));
    normalized.insert("data".to_owned(), data);
    serde_json::from_value(serde_json::Value::Object(normalized)).map_err(|e| {
        ProtocolError::Malformed {
            name,
            reason: e.to_string(),
        }
    })
}

fn truncate(text: &str) -> String {
    const MAX: usize = 200;
    match text.char_indices().nth(MAX) {
        Some((i, _)) => format!("{}...", &text[..i]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn ids_from_ints_and_digit_strings() {
        assert_eq!(serde_json::from_value::<Id>(json!(7)).ok(), Some(Id(7)));
        assert_eq!(serde_json::from_value::<Id>(json!("7")).ok(), Some(Id(7)));
        assert!(serde_json::from_value::<Id>(json!("x")).is_err());
        assert!(serde_json::from_value::<Id>(json!(-1)).is_err());
        assert_eq!(serde_json::to_value(Id(3)).ok(), Some(json!(3)));
    }

    #[test]
    fn every_known_name_is_a_serde_variant() {
        for name in Request::NAMES {
            let body = json!({"name": name, "data": {}}).to_string();
            match parse_request(&body) {
                Ok(r) => assert_eq!(r.name(), *name),
                Err(ProtocolError::Malformed { reason, .. }) => {
                    assert!(!reason.contains("unknown variant"), "{name}: {reason}")
                }
                Err(other) => panic!("{name}: {other}"),
            }
        }
    }

    #[test]
    fn bad_bodies_become_errors() {
        assert!(matches!(
            parse_request("{"),
            Err(ProtocolError::MalformedJson(_))
        ));
        assert!(matches!(
            parse_request("[1]"),
            Err(ProtocolError::NoName(_))
        ));
        assert!(matches!(
            parse_request(r#"{"name": 1}"#),
            Err(ProtocolError::NoName(_))
        ));
        assert_eq!(
            parse_request(r#"{"name": "Frobnicate", "data": {}}"#),
            Err(ProtocolError::UnknownRequest("Frobnicate".into()))
        );
        assert!(matches!(
            parse_request(r#"{"name": "SessionClose", "data": {}}"#),
            Err(ProtocolError::Malformed { name, .. }) if name == "SessionClose"
        ));
        let r: Response = ProtocolError::UnknownRequest("Frobnicate".into()).into();
        assert!(r.to_json().contains("Frobnicate"));
        assert!(r.to_json().contains("BackendError"));
    }

    #[test]
    fn missing_or_null_data_is_empty() {
        assert_eq!(
            parse_request(r#"{"name": "GetFeatures"}"#),
            Ok(Request::GetFeatures(GetFeatures {}))
        );
        assert_eq!(
            parse_request(r#"{"name": "FakeTimeInstall", "data": null}"#),
            Ok(Request::FakeTimeInstall(FakeTimeInstall {}))
        );
    }
}
