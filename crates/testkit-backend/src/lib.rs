//! The testkit backend for boltline.
//!
//! [Testkit](https://github.com/neo4j-drivers/testkit) is the conformance
//! suite all official Neo4j drivers are held to. Each driver ships a small
//! "backend" program; testkit connects to it over TCP, sends requests
//! ("create a driver", "run this query", "next record", ...) as framed JSON,
//! and checks the answers while its scripted stub servers check what the
//! driver sent over Bolt.
//!
//! This crate is that backend for boltline. Layers, bottom up:
//!
//! - [`framing`]: the `#request begin` / `#request end` line framing, sans IO;
//! - [`protocol`]: every request and response as serde types;
//! - [`cypher`]: testkit's Cypher values to and from
//!   [`boltline_packstream::Value`] (with [`calendar`] arithmetic);
//! - [`registry`]: per-connection objects by id, generic over the driver's
//!   types, and the callback hub driver code uses to ask testkit (resolver,
//!   bookmark supplier, auth token managers, ...);
//! - [`features`] and [`skips`]: what the backend claims and skips;
//! - [`dispatch`]: request to response;
//! - [`server`]: the tokio TCP loop, one connection at a time, serving
//!   callbacks while a request is in progress;
//! - [`wired`]: the requests that need the driver, wired to `boltline`.
//!
//! Status: wired to the driver except the requests listed in
//! [`dispatch::NOT_WIRED`], which answer with a `BackendError` (the driver
//! lacks what they need).

pub mod auth;
pub mod calendar;
pub mod cypher;
pub mod dispatch;
pub mod errors;
pub mod features;
pub mod framing;
pub mod protocol;
pub mod registry;
pub mod server;
pub mod skips;
pub mod wired;
