//! The connection's one state owner: live (with the server's state, whether
//! an explicit transaction is open and the last unacknowledged failure),
//! defunct (with why), or closed. One field answers "can I send?".

use std::fmt;

use crate::state::RequestKind;
use crate::{Error, Result, ServerError, ServerState};

/// Why a connection turned defunct. It refuses all work from then on.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum DefunctCause {
    /// The transport or the protocol broke (I/O error, timeout, TLS, the
    /// server closed the socket, bytes that are not Bolt). Holds the error's
    /// message.
    Broken(String),
    /// The server answered `FAILURE` to a request after which it closes the
    /// connection (`HELLO`, `LOGON`, `LOGOFF`, `RESET`).
    Fatal(Box<ServerError>),
    /// The server is not Neo4j; holds the agent it announced.
    NotNeo4j(String),
}

impl fmt::Display for DefunctCause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DefunctCause::Broken(m) => write!(f, "the connection broke: {m}"),
            DefunctCause::Fatal(e) => write!(f, "the server ended the connection: {e}"),
            DefunctCause::NotNeo4j(agent) => write!(f, "the server is not Neo4j ({agent:?})"),
        }
    }
}

/// The state of a connection.
#[derive(Debug)]
pub(super) enum ConnectionState {
    /// Usable.
    Live {
        server: ServerState,
        /// An explicit transaction was begun and not yet committed or
        /// rolled back.
        tx_open: bool,
        /// The last failure since the last `RESET`: explains later `IGNORED`s.
        last_failure: Option<Box<ServerError>>,
    },
    /// Broken for good.
    Defunct {
        cause: DefunctCause,
        /// The last failure before it broke (kept for inspection).
        last_failure: Option<Box<ServerError>>,
    },
    /// Closed by its owner.
    Closed,
}

impl ConnectionState {
    /// A fresh connection, before `HELLO` is answered.
    pub(super) fn new() -> ConnectionState {
        ConnectionState::Live {
            server: ServerState::Negotiation,
            tx_open: false,
            last_failure: None,
        }
    }

    /// Checked at the top of each operation: may requests be sent?
    pub(super) fn ensure_usable(&self) -> Result<()> {
        match self {
            ConnectionState::Live { .. } => Ok(()),
            ConnectionState::Defunct { cause, .. } => Err(Error::Defunct(cause.clone())),
            ConnectionState::Closed => Err(Error::InvalidState("the connection is closed".into())),
        }
    }

    /// The server state; `Defunct` once the connection is defunct or closed.
    pub(super) fn server(&self) -> ServerState {
        match self {
            ConnectionState::Live { server, .. } => *server,
            _ => ServerState::Defunct,
        }
    }

    pub(super) fn is_live(&self) -> bool {
        matches!(self, ConnectionState::Live { .. })
    }

    pub(super) fn is_defunct(&self) -> bool {
        matches!(self, ConnectionState::Defunct { .. })
    }

    pub(super) fn is_closed(&self) -> bool {
        matches!(self, ConnectionState::Closed)
    }

    pub(super) fn is_failed(&self) -> bool {
        self.server() == ServerState::Failed
    }

    pub(super) fn tx_open(&self) -> bool {
        matches!(self, ConnectionState::Live { tx_open: true, .. })
    }

    pub(super) fn last_failure(&self) -> Option<&ServerError> {
        match self {
            ConnectionState::Live { last_failure, .. }
            | ConnectionState::Defunct { last_failure, .. } => last_failure.as_deref(),
            ConnectionState::Closed => None,
        }
    }

    pub(super) fn defunct_cause(&self) -> Option<&DefunctCause> {
        match self {
            ConnectionState::Defunct { cause, .. } => Some(cause),
            _ => None,
        }
    }

    /// The error for a request waiting when the connection turned
    /// defunct: the server failure that killed it, if that is what
    /// happened.
    pub(super) fn defunct_error(&self) -> Error {
        match self {
            ConnectionState::Defunct {
                cause: DefunctCause::Fatal(f),
                ..
            } => Error::Server(f.clone()),
            ConnectionState::Defunct { cause, .. } => Error::Defunct(cause.clone()),
            // Not reached: callers check the state is defunct first.
            _ => Error::InvalidState("the connection is not defunct".into()),
        }
    }

    /// Marks an explicit transaction begun (`true`) or ended (`false`).
    pub(super) fn set_tx_open(&mut self, open: bool) {
        if let ConnectionState::Live { tx_open, .. } = self {
            *tx_open = open;
        }
    }

    /// A `RESET` was queued: earlier requests will be ignored.
    pub(super) fn on_reset_sent(&mut self) {
        if let ConnectionState::Live { server, .. } = self {
            *server = ServerState::Interrupted;
        }
    }

    /// `SUCCESS` to `request`; a `RESET`'s clears the last failure.
    pub(super) fn on_success(
        &mut self,
        request: RequestKind,
        has_more: bool,
        tx_streams_open: bool,
        logon: bool,
    ) {
        if let ConnectionState::Live {
            server,
            last_failure,
            ..
        } = self
        {
            *server = server.on_success(request, has_more, tx_streams_open, logon);
            if request == RequestKind::Reset {
                *last_failure = None;
            }
        }
    }

    /// `FAILURE` to `request`: the connection fails, or turns defunct when
    /// the server closes it after such a failure.
    pub(super) fn on_failure(&mut self, request: RequestKind, err: &ServerError) {
        match self {
            ConnectionState::Live {
                server,
                last_failure,
                ..
            } => {
                *last_failure = Some(Box::new(err.clone()));
                *server = server.on_failure(request);
                if *server == ServerState::Defunct {
                    *self = ConnectionState::Defunct {
                        cause: DefunctCause::Fatal(Box::new(err.clone())),
                        last_failure: Some(Box::new(err.clone())),
                    };
                }
            }
            ConnectionState::Defunct { last_failure, .. } => {
                *last_failure = Some(Box::new(err.clone()))
            }
            ConnectionState::Closed => {}
        }
    }

    /// The connection broke; returns whether it was live until now. A
    /// closed or already defunct connection keeps its state.
    pub(super) fn break_with(&mut self, cause: DefunctCause) -> bool {
        if let ConnectionState::Live { last_failure, .. } = self {
            let last_failure = last_failure.take();
            *self = ConnectionState::Defunct {
                cause,
                last_failure,
            };
            true
        } else {
            false
        }
    }

    /// Closed by its owner; returns whether a `GOODBYE` may still be sent
    /// (the connection was live).
    pub(super) fn close(&mut self) -> bool {
        let live = self.is_live();
        *self = ConnectionState::Closed;
        live
    }
}
