//! What a stub connection does: a handshake and a list of steps, built with
//! [`Script`]'s methods.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use boltline_packstream::{Dialect, Map, Value};

use crate::sig;

/// A check on a received message's fields; `Err` explains the mismatch.
pub type FieldCheck = Arc<dyn Fn(&[Value]) -> Result<(), String> + Send + Sync>;

/// How the stub answers the client's handshake.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Handshake {
    /// Answer with this exact version (`major`, `minor`), the pre-5.7 way.
    Version(u8, u8),
    /// Answer with the manifest v1: these offers (each `(major, minor,
    /// range)`, range = number of minors below `minor` also offered) and
    /// capability bits; then read the client's choice.
    Manifest {
        /// Version ranges offered.
        offers: Vec<(u8, u8, u8)>,
        /// Capability bits offered.
        capabilities: u64,
    },
    /// Answer `00 00 00 00` (no common version) and close.
    NoVersion,
    /// Send these bytes as the answer, then go on with the steps.
    Raw(Vec<u8>),
    /// Close without answering.
    Close,
}

/// One thing a stub connection does.
#[derive(Clone)]
pub(crate) enum Step {
    /// Read a message; fail unless it has this signature (and passes the check).
    Expect {
        signature: u8,
        check: Option<FieldCheck>,
    },
    /// Send a message (chunked).
    Send { signature: u8, fields: Vec<Value> },
    /// Send a pre-encoded message body (chunked).
    SendMessage(Vec<u8>),
    /// Send bytes as they are (no chunking): garbage, broken chunks.
    SendRaw(Vec<u8>),
    /// Send a NOOP chunk.
    Noop,
    /// Wait.
    Delay(Duration),
    /// Close the connection (the script ends).
    Close,
    /// Announce a chunk, send part of it, close.
    CloseMidMessage,
    /// Wait for the client to close the connection.
    ExpectClose,
    /// Answer `PULL`/`DISCARD` requests from these rows until they run out,
    /// honouring each request's `n`; the last summary carries `summary`.
    ServeStream { rows: Vec<Vec<Value>>, summary: Map },
    /// Repeat the steps until the client closes the connection (or sends
    /// `GOODBYE`) where the next repetition would start.
    RepeatUntilClosed(Vec<Step>),
}

impl fmt::Debug for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Step::Expect { signature, check } => write!(
                f,
                "expect {}{}",
                sig::name(*signature),
                if check.is_some() { " (checked)" } else { "" }
            ),
            Step::Send { signature, fields } => {
                write!(f, "send {} {:?}", sig::name(*signature), fields)
            }
            Step::SendMessage(b) => write!(f, "send message of {} bytes", b.len()),
            // Bounded: this text is written for every step as it starts, and
            // raw steps may carry megabytes (pre-encoded record batches).
            Step::SendRaw(b) if b.len() > 16 => {
                write!(f, "send raw {:02X?}… ({} bytes)", &b[..16], b.len())
            }
            Step::SendRaw(b) => write!(f, "send raw {b:02X?}"),
            Step::Noop => f.write_str("send NOOP"),
            Step::Delay(d) => write!(f, "delay {d:?}"),
            Step::Close => f.write_str("close"),
            Step::CloseMidMessage => f.write_str("close mid-message"),
            Step::ExpectClose => f.write_str("expect close"),
            Step::ServeStream { rows, .. } => write!(f, "serve {} rows", rows.len()),
            Step::RepeatUntilClosed(s) => write!(f, "repeat {} step(s) until closed", s.len()),
        }
    }
}

/// The script of one stub connection: how to answer the handshake, then
/// steps in order. Built by chaining methods:
///
/// ```
/// use boltline_packstream::Value;
/// use boltline_stub::{sig, Script};
///
/// let script = Script::authenticated(5, 4)
///     .expect(sig::RUN)
///     .expect(sig::PULL)
///     .success([("fields", Value::from_iter(["x"]))])
///     .record(vec![Value::from(1)])
///     .success([("type", Value::from("r"))]);
/// # drop(script);
/// ```
#[derive(Debug, Clone)]
pub struct Script {
    pub(crate) handshake: Handshake,
    pub(crate) steps: Vec<Step>,
    pub(crate) dialect: Dialect,
    pub(crate) read_timeout: Duration,
}

/// Builds a map from `(key, value)` pairs.
pub fn map<K: Into<String>>(entries: impl IntoIterator<Item = (K, Value)>) -> Map {
    entries.into_iter().map(|(k, v)| (k.into(), v)).collect()
}

impl Script {
    /// A script with this handshake and no steps.
    pub fn new(handshake: Handshake) -> Script {
        Script {
            handshake,
            steps: Vec::new(),
            dialect: Dialect::BOLT_6,
            read_timeout: Duration::from_secs(10),
        }
    }

    /// A script answering the handshake with `major.minor`.
    pub fn bolt(major: u8, minor: u8) -> Script {
        let dialect = if major >= 5 {
            // A stub writes what its script says: vectors too, whatever the
            // version (testing how a client copes).
            Dialect::BOLT_6
        } else {
            Dialect::BOLT_4_4
        };
        Script {
            dialect,
            ..Script::new(Handshake::Version(major, minor))
        }
    }

    /// `bolt(major, minor)`, then `HELLO` answered as Neo4j 5.26, and (5.1+)
    /// `LOGON` answered with success.
    pub fn authenticated(major: u8, minor: u8) -> Script {
        Script::bolt(major, minor).hello_ok(Map::new(), (major, minor) >= (5, 1))
    }

    /// Expects `HELLO` and answers with `SUCCESS` carrying `server:
    /// "Neo4j/5.26.0"`, a connection id, and `extra` (which may override
    /// them, e.g. with `hints`); then, if `logon`, expects `LOGON` and answers
    /// `SUCCESS {}`.
    pub fn hello_ok(self, extra: Map, logon: bool) -> Script {
        let mut meta = map([
            ("server", Value::from("Neo4j/5.26.0")),
            ("connection_id", Value::from("bolt-stub-1")),
        ]);
        meta.extend(extra);
        let s = self.expect(sig::HELLO).success_map(meta);
        if logon {
            s.expect(sig::LOGON).success_map(Map::new())
        } else {
            s
        }
    }

    /// Encodes values sent by this script with `dialect` (default: Bolt 5,
    /// or Bolt 4.4 for [`Script::bolt`] with major 4).
    pub fn dialect(mut self, dialect: Dialect) -> Script {
        self.dialect = dialect;
        self
    }

    /// How long a step waits for the client before failing (default 10 s).
    pub fn read_timeout(mut self, t: Duration) -> Script {
        self.read_timeout = t;
        self
    }

    fn step(mut self, s: Step) -> Script {
        self.steps.push(s);
        self
    }

    /// Expects a message with this signature (see [`sig`]).
    pub fn expect(self, signature: u8) -> Script {
        self.step(Step::Expect {
            signature,
            check: None,
        })
    }

    /// Expects a message with this signature whose fields pass `check`.
    pub fn expect_with(
        self,
        signature: u8,
        check: impl Fn(&[Value]) -> Result<(), String> + Send + Sync + 'static,
    ) -> Script {
        self.step(Step::Expect {
            signature,
            check: Some(Arc::new(check)),
        })
    }

    /// Sends `SUCCESS` with these metadata entries.
    pub fn success<K: Into<String>>(self, entries: impl IntoIterator<Item = (K, Value)>) -> Script {
        self.success_map(map(entries))
    }

    /// Sends `SUCCESS` with this metadata.
    pub fn success_map(self, metadata: Map) -> Script {
        self.send(sig::SUCCESS, vec![Value::Map(metadata)])
    }

    /// Sends a `RECORD`.
    pub fn record(self, values: Vec<Value>) -> Script {
        self.send(sig::RECORD, vec![Value::List(values)])
    }

    /// Sends a `RECORD` per row.
    pub fn records(mut self, rows: impl IntoIterator<Item = Vec<Value>>) -> Script {
        for r in rows {
            self = self.record(r);
        }
        self
    }

    /// Sends a pre-5.7 `FAILURE {code, message}`.
    pub fn failure(self, code: &str, message: &str) -> Script {
        self.failure_map(map([
            ("code", Value::from(code)),
            ("message", Value::from(message)),
        ]))
    }

    /// Sends `FAILURE` with this metadata (for the 5.7+ GQL form).
    pub fn failure_map(self, metadata: Map) -> Script {
        self.send(sig::FAILURE, vec![Value::Map(metadata)])
    }

    /// Sends `IGNORED`.
    pub fn ignored(self) -> Script {
        self.send(sig::IGNORED, Vec::new())
    }

    /// Sends any message: a structure with this signature and fields.
    pub fn send(self, signature: u8, fields: Vec<Value>) -> Script {
        self.step(Step::Send { signature, fields })
    }

    /// Sends a message whose body (PackStream bytes) is given as is.
    pub fn send_message(self, body: Vec<u8>) -> Script {
        self.step(Step::SendMessage(body))
    }

    /// Sends raw bytes, outside chunking.
    pub fn send_raw(self, bytes: Vec<u8>) -> Script {
        self.step(Step::SendRaw(bytes))
    }

    /// Sends a NOOP chunk (`00 00`).
    pub fn noop(self) -> Script {
        self.step(Step::Noop)
    }

    /// Waits before the next step (replies queued so far are sent first).
    pub fn delay(self, d: Duration) -> Script {
        self.step(Step::Delay(d))
    }

    /// Closes the connection; later steps do not run.
    pub fn close(self) -> Script {
        self.step(Step::Close)
    }

    /// Announces a 16-byte chunk, sends 3 bytes of it, and closes.
    pub fn close_mid_message(self) -> Script {
        self.step(Step::CloseMidMessage)
    }

    /// Waits for the client to close the connection (messages sent before
    /// closing, e.g. `GOODBYE`, must be expected first).
    pub fn expect_close(self) -> Script {
        self.step(Step::ExpectClose)
    }

    /// Answers `PULL {n}` / `DISCARD` requests from `rows`: up to `n` records
    /// then `SUCCESS {has_more: true}` while rows remain, and `summary` (plus
    /// `has_more: false` implied) at the end.
    pub fn serve_stream(self, rows: Vec<Vec<Value>>, summary: Map) -> Script {
        self.step(Step::ServeStream { rows, summary })
    }

    /// Repeats `body`'s steps until the client closes (or says `GOODBYE`)
    /// where a repetition would begin. `body`'s handshake is ignored.
    pub fn repeat_until_closed(self, body: Script) -> Script {
        self.step(Step::RepeatUntilClosed(body.steps))
    }
}

/// A body for [`Script::repeat_until_closed`] and similar: steps only.
pub fn steps() -> Script {
    Script::new(Handshake::Close)
}
