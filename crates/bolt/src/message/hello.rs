//! `HELLO` (0x01): opens the session. What goes in its `extra` dictionary
//! changed more than any other message:
//!
//! - credentials: here before 5.1, in `LOGON` from 5.1;
//! - `patch_bolt: ["utc"]`: 4.4 only, asks for the 5.0 date-time encoding;
//! - `routing`: present (even empty) when the server should route;
//! - notification filters from 5.2 (`..._categories` renamed `..._classifications` in 5.6);
//! - `bolt_agent`, mandatory from 5.3.

use boltline_packstream::{write_struct_header, Map};
use bytes::BytesMut;

use super::{signature, Ctx, Entries, Request};
use crate::{AuthToken, BoltAgent, NotificationFilter, Result};

/// The `utc` patch: the only one Bolt 4.4 defines.
const UTC_PATCH: [&str; 1] = ["utc"];

/// `HELLO {extra}`.
#[derive(Debug)]
pub(crate) struct Hello<'a> {
    pub(crate) user_agent: &'a str,
    pub(crate) bolt_agent: &'a BoltAgent,
    pub(crate) routing: Option<&'a Map>,
    pub(crate) notifications: &'a NotificationFilter,
    /// Sent here only before 5.1.
    pub(crate) auth: &'a AuthToken,
}

impl<'a> Hello<'a> {
    /// The `extra` dictionary for `ctx`'s version.
    pub(crate) fn extra(&self, ctx: Ctx) -> Result<Entries<'a>> {
        let v = ctx.version;
        let mut e = Entries::new();
        e.str("user_agent", self.user_agent);
        if !v.has_logon() {
            self.auth.write_entries(&mut e);
        }
        if v.has_utc_patch() {
            e.static_strings("patch_bolt", &UTC_PATCH);
        }
        if let Some(r) = self.routing {
            e.map("routing", r);
        }
        self.notifications.write_entries(&mut e, v)?;
        if v.has_bolt_agent() {
            e.entries("bolt_agent", self.bolt_agent.entries());
        }
        Ok(e)
    }
}

impl Request for Hello<'_> {
    const NAME: &'static str = "HELLO";

    fn encode(&self, buf: &mut BytesMut, ctx: Ctx) -> Result<()> {
        let extra = self.extra(ctx)?;
        write_struct_header(buf, signature::HELLO, 1)?;
        extra.write(buf, ctx.dialect)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::test_util::roundtrip;
    use crate::{NotificationSeverity, Version};
    use boltline_packstream::Value;

    fn keys(v: Version, routing: Option<&Map>, filter: &NotificationFilter) -> Vec<String> {
        let agent = BoltAgent::default();
        let auth = AuthToken::basic("u", "p");
        let h = Hello {
            user_agent: "app/1",
            bolt_agent: &agent,
            routing,
            notifications: filter,
            auth: &auth,
        };
        let (tag, fields) = roundtrip(&h, v);
        assert_eq!(tag, 0x01);
        let mut k: Vec<String> = fields[0].as_map().unwrap().keys().cloned().collect();
        k.sort();
        k
    }

    #[test]
    fn fields_per_version() {
        let none = NotificationFilter::default();
        assert_eq!(
            keys(Version::V4_4, None, &none),
            [
                "credentials",
                "patch_bolt",
                "principal",
                "scheme",
                "user_agent"
            ]
        );
        assert_eq!(
            keys(Version::V5_0, None, &none),
            ["credentials", "principal", "scheme", "user_agent"]
        );
        assert_eq!(keys(Version::V5_1, None, &none), ["user_agent"]);
        assert_eq!(
            keys(Version::V5_3, None, &none),
            ["bolt_agent", "user_agent"]
        );
        let routing = Map::new();
        assert_eq!(
            keys(Version::V5_8, Some(&routing), &none),
            ["bolt_agent", "routing", "user_agent"]
        );
        let filter = NotificationFilter {
            minimum_severity: Some(NotificationSeverity::Off),
            disabled_classifications: Some(vec![]),
        };
        assert_eq!(
            keys(Version::V5_6, None, &filter),
            [
                "bolt_agent",
                "notifications_disabled_classifications",
                "notifications_minimum_severity",
                "user_agent"
            ]
        );
    }

    #[test]
    fn patch_and_agent_values() {
        let agent = BoltAgent::default();
        let auth = AuthToken::none();
        let none = NotificationFilter::default();
        let h = Hello {
            user_agent: "app/1",
            bolt_agent: &agent,
            routing: None,
            notifications: &none,
            auth: &auth,
        };
        let (_, f) = roundtrip(&h, Version::V4_4);
        let m = f[0].as_map().unwrap();
        assert_eq!(m["patch_bolt"], Value::List(vec![Value::from("utc")]));
        assert_eq!(m["scheme"], Value::from("none"));
        let (_, f) = roundtrip(&h, Version::V5_4);
        let m = f[0].as_map().unwrap();
        let agent_map = m["bolt_agent"].as_map().unwrap();
        assert!(agent_map["product"]
            .as_str()
            .unwrap()
            .starts_with("boltline/"));
    }

    #[test]
    fn filters_before_5_2_are_refused() {
        let agent = BoltAgent::default();
        let auth = AuthToken::none();
        let h = Hello {
            user_agent: "a",
            bolt_agent: &agent,
            routing: None,
            notifications: &NotificationFilter::off(),
            auth: &auth,
        };
        let mut buf = BytesMut::new();
        let ctx = Ctx {
            version: Version::V5_1,
            dialect: Version::V5_1.dialect(false),
        };
        assert!(h.encode(&mut buf, ctx).is_err());
    }
}
