#![doc = include_str!("../README.md")]

mod peer;
mod report;
mod script;
mod server;
pub mod sig;
mod wire;

pub use report::{ConnectionReport, Received};
pub use script::{map, steps, FieldCheck, Handshake, Script};
pub use server::{StubServer, DEFAULT_FINISH_TIMEOUT};

pub use boltline_packstream::{Map, Value};
