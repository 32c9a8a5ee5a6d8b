//! The requests that carry no fields: each is a structure with the
//! message's signature and nothing else.
//!
//! - `GOODBYE` (0x02): tells the server the client is closing the
//!   connection; no response follows.
//! - `RESET` (0x0F): interrupts running work and returns the connection to
//!   READY (jumps the server's queue).
//! - `COMMIT` (0x12): commits the open explicit transaction.
//! - `ROLLBACK` (0x13): rolls the open explicit transaction back.
//! - `LOGOFF` (0x6B): logs the current user off (5.1+); a LOGON must follow.

use bytes::BytesMut;

use super::{signature, write_empty, Ctx, Request};
use crate::Result;

/// Declares a field-less request: a unit struct named `$ty` whose encoding
/// is the empty structure tagged `signature::$sig`.
macro_rules! empty_request {
    ($($(#[$doc:meta])* $ty:ident => $sig:ident;)*) => {$(
        $(#[$doc])*
        #[derive(Debug)]
        pub(crate) struct $ty;

        impl Request for $ty {
            const NAME: &'static str = stringify!($sig);

            fn encode(&self, buf: &mut BytesMut, _ctx: Ctx) -> Result<()> {
                write_empty(buf, signature::$sig)
            }
        }
    )*};
}

empty_request! {
    /// `GOODBYE`, no fields.
    Goodbye => GOODBYE;
    /// `RESET`, no fields.
    Reset => RESET;
    /// `COMMIT`, no fields.
    Commit => COMMIT;
    /// `ROLLBACK`, no fields.
    Rollback => ROLLBACK;
    /// `LOGOFF`, no fields.
    Logoff => LOGOFF;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::test_util::roundtrip;
    use crate::Version;

    /// Each request encodes as an empty structure with the spec's tag, and
    /// is named as the spec names it.
    #[test]
    fn encode_as_empty_structures() {
        fn check<R: Request>(request: &R, name: &str, expected_tag: u8) {
            let (tag, fields) = roundtrip(request, Version::V5_0);
            assert_eq!(tag, expected_tag, "{name}");
            assert!(fields.is_empty(), "{name}");
            assert_eq!(R::NAME, name);
        }
        check(&Goodbye, "GOODBYE", 0x02);
        check(&Reset, "RESET", 0x0F);
        check(&Commit, "COMMIT", 0x12);
        check(&Rollback, "ROLLBACK", 0x13);
        check(&Logoff, "LOGOFF", 0x6B);
    }
}
