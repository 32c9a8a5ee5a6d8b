//! Authentication tokens. Secrets never show in `Debug` and are never logged.

use std::fmt;

use boltline_packstream::{Map, Value};

use crate::message::Entries;

/// A credential string that `Debug` prints as `"<redacted>"`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    pub fn new(s: impl Into<String>) -> Self {
        Secret(s.into())
    }

    /// The secret itself; for sending, never for printing.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"<redacted>\"")
    }
}

impl From<String> for Secret {
    fn from(s: String) -> Self {
        Secret(s)
    }
}

impl From<&str> for Secret {
    fn from(s: &str) -> Self {
        Secret(s.to_owned())
    }
}

/// How a connection authenticates (the `LOGON` message, or `HELLO` before
/// Bolt 5.1).
#[derive(Clone, PartialEq)]
pub struct AuthToken {
    scheme: String,
    principal: Option<String>,
    credentials: Option<Secret>,
    realm: Option<String>,
    parameters: Option<Map>,
}

impl AuthToken {
    /// No authentication (`scheme: "none"`), for servers with auth disabled.
    pub fn none() -> Self {
        AuthToken::custom("none", None, None, None, None)
    }

    /// User name and password.
    pub fn basic(user: impl Into<String>, password: impl Into<Secret>) -> Self {
        AuthToken::custom(
            "basic",
            Some(user.into()),
            Some(password.into()),
            None,
            None,
        )
    }

    /// User name and password checked against a named realm (auth provider).
    pub fn basic_with_realm(
        user: impl Into<String>,
        password: impl Into<Secret>,
        realm: impl Into<String>,
    ) -> Self {
        AuthToken::custom(
            "basic",
            Some(user.into()),
            Some(password.into()),
            Some(realm.into()),
            None,
        )
    }

    /// A bearer token, e.g. from single sign-on.
    pub fn bearer(token: impl Into<Secret>) -> Self {
        AuthToken::custom("bearer", None, Some(token.into()), None, None)
    }

    /// A base64-encoded Kerberos ticket.
    pub fn kerberos(base64_ticket: impl Into<Secret>) -> Self {
        // The official drivers send an empty principal with Kerberos.
        AuthToken::custom(
            "kerberos",
            Some(String::new()),
            Some(base64_ticket.into()),
            None,
            None,
        )
    }

    /// Any scheme a server plugin understands. Absent parts are left out of
    /// the token; `parameters` go in a nested `parameters` map.
    pub fn custom(
        scheme: impl Into<String>,
        principal: Option<String>,
        credentials: Option<Secret>,
        realm: Option<String>,
        parameters: Option<Map>,
    ) -> Self {
        AuthToken {
            scheme: scheme.into(),
            principal,
            credentials,
            realm,
            parameters,
        }
    }

    /// The scheme (`none`, `basic`, `bearer`, `kerberos`, or a custom one).
    pub fn scheme(&self) -> &str {
        &self.scheme
    }

    /// The principal (user name), if any.
    pub fn principal(&self) -> Option<&str> {
        self.principal.as_deref()
    }

    /// Adds the token's entries to a `HELLO` or `LOGON` dictionary.
    pub(crate) fn write_entries<'a>(&'a self, e: &mut Entries<'a>) {
        e.str("scheme", &self.scheme);
        if let Some(p) = &self.principal {
            e.str("principal", p);
        }
        if let Some(c) = &self.credentials {
            e.str("credentials", c.expose());
        }
        if let Some(r) = &self.realm {
            e.str("realm", r);
        }
        if let Some(p) = &self.parameters {
            e.map("parameters", p);
        }
    }
}

impl Default for AuthToken {
    fn default() -> Self {
        AuthToken::none()
    }
}

impl fmt::Debug for AuthToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Parameters of custom schemes may hold secrets too: keys only.
        let parameter_keys: Option<Vec<&String>> =
            self.parameters.as_ref().map(|p| p.keys().collect());
        f.debug_struct("AuthToken")
            .field("scheme", &self.scheme)
            .field("principal", &self.principal)
            .field("credentials", &self.credentials)
            .field("realm", &self.realm)
            .field("parameter_keys", &parameter_keys)
            .finish()
    }
}

impl From<AuthToken> for Value {
    /// The token as the dictionary the server receives, secrets included.
    fn from(t: AuthToken) -> Value {
        let mut m = Map::new();
        m.insert("scheme".into(), Value::String(t.scheme));
        if let Some(p) = t.principal {
            m.insert("principal".into(), Value::String(p));
        }
        if let Some(c) = t.credentials {
            m.insert("credentials".into(), Value::String(c.0));
        }
        if let Some(r) = t.realm {
            m.insert("realm".into(), Value::String(r));
        }
        if let Some(p) = t.parameters {
            m.insert("parameters".into(), Value::Map(p));
        }
        Value::Map(m)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_secrets() {
        let mut params = Map::new();
        params.insert("api_key".into(), Value::from("sekrit-param"));
        for t in [
            AuthToken::basic("neo4j", "hunter2"),
            AuthToken::basic_with_realm("neo4j", "hunter2", "ldap"),
            AuthToken::bearer("hunter2"),
            AuthToken::kerberos("hunter2"),
            AuthToken::custom(
                "x",
                Some("p".into()),
                Some("hunter2".into()),
                None,
                Some(params.clone()),
            ),
        ] {
            let s = format!("{t:?} {t:#?}");
            assert!(!s.contains("hunter2"), "{s}");
            assert!(!s.contains("sekrit-param"), "{s}");
            assert!(s.contains("<redacted>"), "{s}");
        }
        assert!(format!("{:?}", AuthToken::basic("neo4j", "pw")).contains("neo4j"));
    }

    #[test]
    fn token_dictionaries() {
        let v = Value::from(AuthToken::basic("u", "p"));
        let m = v.as_map().unwrap();
        assert_eq!(m.len(), 3);
        assert_eq!(m["scheme"], Value::from("basic"));
        assert_eq!(m["principal"], Value::from("u"));
        assert_eq!(m["credentials"], Value::from("p"));
        let v = Value::from(AuthToken::none());
        assert_eq!(v.as_map().unwrap().len(), 1);
        let v = Value::from(AuthToken::bearer("t"));
        let m = v.as_map().unwrap();
        assert_eq!(m["scheme"], Value::from("bearer"));
        assert!(!m.contains_key("principal"));
        let v = Value::from(AuthToken::kerberos("t"));
        assert_eq!(v.as_map().unwrap()["principal"], Value::from(""));
        assert_eq!(AuthToken::default().scheme(), "none");
    }
}
