//! Opening a connection: transport (TCP with socket options, TLS), Bolt
//! handshake, `HELLO` (+ `LOGON`, pipelined).

use std::collections::VecDeque;
use std::future::Future;
use std::io;
use std::time::Duration;

use bytes::BytesMut;
use socket2::{SockRef, TcpKeepalive};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tracing::{debug, debug_span, Instrument};

use super::state::ConnectionState;
use super::{Connection, DefunctCause, NEXT_CONNECTION_ID};
use crate::chunk::Dechunker;
use crate::handshake::{self, Negotiated};
use crate::message::{Hello, Logon};
use crate::state::RequestKind;
use crate::{Address, BoltStream, ConnectionConfig, Error, Result, ServerInfo, Version};

/// Initial capacity of the output buffer: a few small requests.
const OUT_BUFFER: usize = 8 * 1024;

async fn within<T>(
    limit: Option<Duration>,
    during: &'static str,
    f: impl Future<Output = Result<T>>,
) -> Result<T> {
    match limit {
        Some(timeout) => tokio::time::timeout(timeout, f)
            .await
            .unwrap_or(Err(Error::Timeout { during, timeout })),
        None => f.await,
    }
}

impl Connection<BoltStream> {
    /// Connects over TCP (and TLS when configured) within the configured
    /// connect timeout, then handshakes and authenticates within the
    /// handshake timeout.
    ///
    /// TCP_NODELAY is set (Bolt requests are small and latency-bound), and
    /// TCP keep-alive as configured.
    pub async fn connect(address: &Address, config: &ConnectionConfig) -> Result<Self> {
        let stream = within(
            config.connect_timeout,
            "connecting",
            connect_transport(address, config),
        )
        .await?;
        within(
            config.handshake_timeout,
            "the Bolt handshake and authentication",
            Connection::open_unbounded(stream, config, Some(address)),
        )
        .await
    }
}

async fn connect_transport(address: &Address, config: &ConnectionConfig) -> Result<BoltStream> {
    let connect_error = |source| Error::Connect {
        address: address.to_string(),
        source,
    };
    let resolved = tokio::net::lookup_host((address.host(), address.port()))
        .await
        .map_err(connect_error)?;
    let mut last_error = None;
    let mut tcp = None;
    for addr in resolved {
        match TcpStream::connect(addr).await {
            Ok(s) => {
                tcp = Some(s);
                break;
            }
            Err(e) => last_error = Some(e),
        }
    }
    let tcp = tcp.ok_or_else(|| {
        connect_error(last_error.unwrap_or_else(|| {
            io::Error::new(io::ErrorKind::NotFound, "the host resolved to no address")
        }))
    })?;
    tcp.set_nodelay(true)?;
    if let Some(idle) = config.keep_alive {
        SockRef::from(&tcp).set_tcp_keepalive(&TcpKeepalive::new().with_time(idle))?;
    }
    match &config.tls {
        None => Ok(BoltStream::Plain(tcp)),
        Some(tls) => {
            let name = tls.name_for(address.host())?;
            let stream = TlsConnector::from(tls.client_config().clone())
                .connect(name, tcp)
                .await
                .map_err(|e| Error::Tls(e.to_string()))?;
            Ok(BoltStream::Tls(Box::new(stream)))
        }
    }
}

impl<S> Connection<S>
where
    S: AsyncRead + AsyncWrite + Unpin + Send,
{
    /// Handshakes and authenticates on an already connected stream, within
    /// the configured handshake timeout. Fails with [`Error::NotNeo4j`] when
    /// the server's agent does not start with `Neo4j/`.
    pub async fn open(io: S, config: &ConnectionConfig) -> Result<Self> {
        within(
            config.handshake_timeout,
            "the Bolt handshake and authentication",
            Connection::open_unbounded(io, config, None),
        )
        .await
    }

    async fn open_unbounded(
        mut io: S,
        config: &ConnectionConfig,
        peer: Option<&Address>,
    ) -> Result<Self> {
        let negotiated = handshake::negotiate(&mut io).await?;
        let mut conn = Connection::new(io, negotiated, config);
        if let Some(peer) = peer {
            conn.span.record("peer", tracing::field::display(peer));
        }
        let span = debug_span!(parent: &conn.span, "HELLO");
        conn.hello(config).instrument(span).await?;
        Ok(conn)
    }

    fn new(io: S, negotiated: Negotiated, config: &ConnectionConfig) -> Self {
        let id = NEXT_CONNECTION_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let version = negotiated.version;
        let span = debug_span!(
            "bolt",
            conn = id,
            version = %version,
            peer = tracing::field::Empty
        );
        debug!(parent: &span, manifest = negotiated.manifest, "negotiated Bolt {version}");
        Connection {
            io,
            id,
            version,
            dialect: version.dialect(false),
            info: ServerInfo::unknown(version, negotiated.manifest),
            out: BytesMut::with_capacity(OUT_BUFFER),
            inbuf: negotiated.leftover,
            dechunker: Dechunker::new(config.max_message_size),
            pending: VecDeque::new(),
            streams: Vec::new(),
            state: ConnectionState::new(),
            read_timeout: config.read_timeout,
            flush_pending: false,
            fetch_size: config.fetch_size,
            routing_context: config.routing_context.clone(),
            next_ticket: 0,
            next_stream: 0,
            auth: None,
            pipelined_commit: None,
            begin_db: None,
            span,
        }
    }

    /// `HELLO`, and `LOGON` in the same write from 5.1 on.
    async fn hello(&mut self, config: &ConnectionConfig) -> Result<()> {
        let hello = Hello {
            user_agent: &config.user_agent,
            bolt_agent: &config.bolt_agent,
            routing: config.routing_context.as_ref(),
            notifications: &config.notification_filter,
            auth: &config.auth,
        };
        let hello_ticket = self.send(&hello, RequestKind::Hello, None, None)?;
        let logon_ticket = if self.version.has_logon() {
            Some(self.send(
                &Logon { auth: &config.auth },
                RequestKind::Logon,
                None,
                None,
            )?)
        } else {
            None
        };
        self.flush().await?;
        let outcome = self.wait(hello_ticket).await?;
        let success = self.expect_success(outcome)?;
        let info = ServerInfo::from_hello(&success, self.version, self.info.manifest_handshake);
        if !info.agent.starts_with("Neo4j/") {
            self.state
                .break_with(DefunctCause::NotNeo4j(info.agent.clone()));
            return Err(Error::NotNeo4j { agent: info.agent });
        }
        if info.utc_patch {
            self.dialect = self.version.dialect(true);
        }
        if self.read_timeout.is_none() {
            self.read_timeout = info.recv_timeout;
        }
        debug!(
            parent: &self.span,
            server = %info.agent,
            connection_id = info.connection_id.as_deref().unwrap_or(""),
            "connected"
        );
        self.info = info;
        if let Some(ticket) = logon_ticket {
            let outcome = self.wait(ticket).await?;
            self.expect_success(outcome)?;
        }
        self.auth = Some(config.auth.clone());
        Ok(())
    }
}

impl ServerInfo {
    /// Placeholder until `HELLO` is answered.
    pub(crate) fn unknown(version: Version, manifest: bool) -> ServerInfo {
        ServerInfo {
            agent: String::new(),
            connection_id: None,
            protocol_version: version,
            manifest_handshake: manifest,
            utc_patch: false,
            hints: Default::default(),
            recv_timeout: None,
            telemetry_enabled: false,
            ssr_enabled: false,
        }
    }
}
