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
    /// For each received message, the number of the socket read that
    /// completed it: messages the client wrote together (pipelined, one
    /// write) share a number; a message sent after the client waited for a
    /// reply has a higher one.
    pub arrivals: Vec<usize>,
    /// How many times the stub wrote replies to the client after the
    /// handshake (each a batch the client reads).
    pub reply_writes: usize,
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
            arrivals: Vec::new(),
            reply_writes: 0,
            outcome: Err("no client connected for this script".into()),
        }
    }

    /// Names of the messages received, in order.
    pub fn names(&self) -> Vec<String> {
        self.received.iter().map(Received::name).collect()
    }

    /// The received messages' names grouped by the client write that
    /// carried them (see [`arrivals`](ConnectionReport::arrivals)): the
    /// round trips the client made, in order.
    pub fn batches(&self) -> Vec<Vec<String>> {
        let mut out: Vec<Vec<String>> = Vec::new();
        let mut last = None;
        for (m, at) in self.received.iter().zip(&self.arrivals) {
            match out.last_mut() {
                Some(batch) if last == Some(*at) => batch.push(m.name()),
                _ => out.push(vec![m.name()]),
            }
            last = Some(*at);
        }
        out
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
