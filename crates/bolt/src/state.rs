//! The server's state machine as the client tracks it (bolt/server-state).
//!
//! The connection moves this state on each summary it receives, so it always
//! knows what the server will accept next and whether a `RESET` is due.

/// A request, as far as the state machine cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum RequestKind {
    Hello,
    Logon,
    Logoff,
    Reset,
    Begin,
    Commit,
    Rollback,
    Route,
    Telemetry,
    Run,
    Pull,
    Discard,
}

impl RequestKind {
    pub(crate) fn name(self) -> &'static str {
        match self {
            RequestKind::Hello => "HELLO",
            RequestKind::Logon => "LOGON",
            RequestKind::Logoff => "LOGOFF",
            RequestKind::Reset => "RESET",
            RequestKind::Begin => "BEGIN",
            RequestKind::Commit => "COMMIT",
            RequestKind::Rollback => "ROLLBACK",
            RequestKind::Route => "ROUTE",
            RequestKind::Telemetry => "TELEMETRY",
            RequestKind::Run => "RUN",
            RequestKind::Pull => "PULL",
            RequestKind::Discard => "DISCARD",
        }
    }

    /// Whether a `FAILURE` to this request ends the connection: the server
    /// closes it after failing these (bolt/message: `HELLO`, `LOGON`,
    /// `LOGOFF`, `RESET` failures).
    pub(crate) fn failure_is_fatal(self) -> bool {
        matches!(
            self,
            RequestKind::Hello | RequestKind::Logon | RequestKind::Logoff | RequestKind::Reset
        )
    }
}

/// Where the server stands, as the client last learnt it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ServerState {
    /// Handshake done, `HELLO` not yet answered (`NEGOTIATION`, `CONNECTED` before 5.1).
    Negotiation,
    /// `HELLO` (or `LOGOFF`) done; waiting for `LOGON` (5.1+).
    Authentication,
    /// Idle, ready for work.
    Ready,
    /// An auto-commit result is open.
    Streaming,
    /// In an explicit transaction, no result open.
    TxReady,
    /// In an explicit transaction with one or more results open.
    TxStreaming,
    /// A request failed; everything is `IGNORED` until a `RESET`.
    Failed,
    /// A `RESET` is on its way; earlier requests are being ignored.
    Interrupted,
    /// The connection is closed or broken for good.
    Defunct,
}

impl ServerState {
    /// The state after `SUCCESS` to `request`. `has_more` is the summary's
    /// flag; `tx_streams_open` tells whether other explicit-transaction
    /// results are still open; `logon` whether the version has `LOGON`.
    pub(crate) fn on_success(
        self,
        request: RequestKind,
        has_more: bool,
        tx_streams_open: bool,
        logon: bool,
    ) -> ServerState {
        use ServerState::*;
        if self == Defunct {
            return Defunct;
        }
        if self == Interrupted && request != RequestKind::Reset {
            // Answers to requests sent before the RESET do not move us: the
            // RESET's own answer will.
            return Interrupted;
        }
        match request {
            RequestKind::Hello if logon => Authentication,
            RequestKind::Hello | RequestKind::Logon | RequestKind::Reset => Ready,
            RequestKind::Logoff => Authentication,
            RequestKind::Begin => TxReady,
            RequestKind::Commit | RequestKind::Rollback => Ready,
            RequestKind::Route | RequestKind::Telemetry => self,
            RequestKind::Run => match self {
                Ready => Streaming,
                TxReady | TxStreaming => TxStreaming,
                s => s,
            },
            RequestKind::Pull | RequestKind::Discard => match (self, has_more) {
                (s, true) => s,
                (Streaming, false) => Ready,
                (TxStreaming, false) if tx_streams_open => TxStreaming,
                (TxStreaming, false) => TxReady,
                (s, false) => s,
            },
        }
    }

    /// The state after `FAILURE` to `request`.
    pub(crate) fn on_failure(self, request: RequestKind) -> ServerState {
        if self == ServerState::Defunct || request.failure_is_fatal() {
            ServerState::Defunct
        } else {
            ServerState::Failed
        }
    }
}

#[cfg(test)]
mod tests {
    use super::RequestKind as R;
    use super::ServerState::*;

    #[test]
    fn opening() {
        assert_eq!(
            Negotiation.on_success(R::Hello, false, false, true),
            Authentication
        );
        assert_eq!(
            Authentication.on_success(R::Logon, false, false, true),
            Ready
        );
        assert_eq!(Negotiation.on_success(R::Hello, false, false, false), Ready);
        assert_eq!(
            Ready.on_success(R::Logoff, false, false, true),
            Authentication
        );
        assert_eq!(Negotiation.on_failure(R::Hello), Defunct);
        assert_eq!(Authentication.on_failure(R::Logon), Defunct);
    }

    #[test]
    fn auto_commit() {
        let s = Ready.on_success(R::Run, false, false, true);
        assert_eq!(s, Streaming);
        assert_eq!(s.on_success(R::Pull, true, false, true), Streaming);
        assert_eq!(s.on_success(R::Pull, false, false, true), Ready);
        assert_eq!(s.on_success(R::Discard, false, false, true), Ready);
        assert_eq!(s.on_failure(R::Pull), Failed);
        assert_eq!(Ready.on_success(R::Route, false, false, true), Ready);
        assert_eq!(Ready.on_success(R::Telemetry, false, false, true), Ready);
    }

    #[test]
    fn explicit_transaction() {
        let s = Ready.on_success(R::Begin, false, false, true);
        assert_eq!(s, TxReady);
        let s = s.on_success(R::Run, false, false, true);
        assert_eq!(s, TxStreaming);
        assert_eq!(s.on_success(R::Run, false, true, true), TxStreaming);
        // One of two results finished: still streaming.
        assert_eq!(s.on_success(R::Pull, false, true, true), TxStreaming);
        assert_eq!(s.on_success(R::Pull, false, false, true), TxReady);
        assert_eq!(TxReady.on_success(R::Commit, false, false, true), Ready);
        assert_eq!(TxReady.on_success(R::Rollback, false, false, true), Ready);
        assert_eq!(TxReady.on_failure(R::Commit), Failed);
    }

    #[test]
    fn failure_and_reset() {
        assert_eq!(Failed.on_success(R::Reset, false, false, true), Ready);
        assert_eq!(
            Interrupted.on_success(R::Pull, false, false, true),
            Interrupted
        );
        assert_eq!(Interrupted.on_success(R::Reset, false, false, true), Ready);
        assert_eq!(Failed.on_failure(R::Reset), Defunct);
        assert_eq!(Defunct.on_success(R::Reset, false, false, true), Defunct);
        assert_eq!(Defunct.on_failure(R::Run), Defunct);
        assert!(R::Logoff.failure_is_fatal());
        assert!(!R::Run.failure_is_fatal());
        assert_eq!(R::Discard.name(), "DISCARD");
    }
}
