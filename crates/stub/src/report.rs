//! What a stub connection saw.

use boltline_packstream::{Map, Value};

use crate::sig;

/// A message the client sent.
#[derive(Debug, Clone, PartialEq)]
pub struct Received {
    /// Its signature.
    pub signature: u8,
    /// Its fields.
    pub fields: Vec<Value>,
}

impl Received {
    /// The message's name.
    pub fn name(&self) -> String {
        sig::name(self.signature)
    }

    /// Field `i` as a map, if it is one (e.g. `HELLO`'s extra, `PULL`'s `{n, qid}`).
    pub fn map(&self, i: usize) -> Option<&Map> {
        self.fields.get(i).and_then(Value::as_map)
    }

    /// Entry `key` of field `i`, when field `i` is a map.
    pub fn entry(&self, i: usize, key: &str) -> Option<&Value> {
        self.map(i).and_then(|m| m.get(key))
    }
}

/// The record of one scripted connection.
#[derive(Debug, Clone, PartialEq)]
pub struct ConnectionReport {
    /// Which script (in the order given to the server).
    pub index: usize,
    /// The client's 20 handshake bytes, if it sent them.
    pub handshake: Option<[u8; 20]>,
    /// The client's manifest answer: chosen version bytes and capabilities.
    pub manifest_choice: Option<([u8; 4], u64)>,
    /// Messages received, in order.
    pub received: Vec<Received>,
    /// `Ok` when every step ran as scripted, else what went wrong.
    pub outcome: Result<(), String>,
}

impl ConnectionReport {
    pub(crate) fn new(index: usize) -> Self {
        ConnectionReport {
            index,
            handshake: None,
            manifest_choice: None,
            received: Vec::new(),
            outcome: Err("no client connected for this script".into()),
        }
    }

    /// Names of the messages received, in order.
    pub fn names(&self) -> Vec<String> {
        self.received.iter().map(Received::name).collect()
    }

    /// Received messages with this signature.
    pub fn messages(&self, signature: u8) -> Vec<&Received> {
        self.received
            .iter()
            .filter(|m| m.signature == signature)
            .collect()
    }

    /// Panics, with the whole report, unless the script completed.
    pub fn assert_completed(&self) {
        if let Err(e) = &self.outcome {
            panic!(
                "stub script #{} did not complete: {e}\nreceived: {:?}",
                self.index,
                self.names()
            );
        }
    }
}
