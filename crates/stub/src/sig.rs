//! Bolt message signatures, defined here independently of `boltline-bolt`
//! (the stub does not depend on the crate it tests).

/// `HELLO`.
pub const HELLO: u8 = 0x01;
/// `GOODBYE`.
pub const GOODBYE: u8 = 0x02;
/// `RESET`.
pub const RESET: u8 = 0x0F;
/// `RUN`.
pub const RUN: u8 = 0x10;
/// `BEGIN`.
pub const BEGIN: u8 = 0x11;
/// `COMMIT`.
pub const COMMIT: u8 = 0x12;
/// `ROLLBACK`.
pub const ROLLBACK: u8 = 0x13;
/// `DISCARD`.
pub const DISCARD: u8 = 0x2F;
/// `PULL`.
pub const PULL: u8 = 0x3F;
/// `TELEMETRY`.
pub const TELEMETRY: u8 = 0x54;
/// `ROUTE`.
pub const ROUTE: u8 = 0x66;
/// `LOGON`.
pub const LOGON: u8 = 0x6A;
/// `LOGOFF`.
pub const LOGOFF: u8 = 0x6B;
/// `SUCCESS`.
pub const SUCCESS: u8 = 0x70;
/// `RECORD`.
pub const RECORD: u8 = 0x71;
/// `IGNORED`.
pub const IGNORED: u8 = 0x7E;
/// `FAILURE`.
pub const FAILURE: u8 = 0x7F;

/// The message's name, or its hex signature when unknown.
pub fn name(signature: u8) -> String {
    match signature {
        HELLO => "HELLO",
        GOODBYE => "GOODBYE",
        RESET => "RESET",
        RUN => "RUN",
        BEGIN => "BEGIN",
        COMMIT => "COMMIT",
        ROLLBACK => "ROLLBACK",
        DISCARD => "DISCARD",
        PULL => "PULL",
        TELEMETRY => "TELEMETRY",
        ROUTE => "ROUTE",
        LOGON => "LOGON",
        LOGOFF => "LOGOFF",
        SUCCESS => "SUCCESS",
        RECORD => "RECORD",
        IGNORED => "IGNORED",
        FAILURE => "FAILURE",
        other => return format!("0x{other:02X}"),
    }
    .to_owned()
}
