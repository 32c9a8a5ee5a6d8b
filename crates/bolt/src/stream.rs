//! The transport a [`connect`](crate::Connection::connect)ed connection
//! owns: plain TCP or TLS over TCP.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;

/// A TCP stream, with or without TLS.
#[derive(Debug)]
pub enum BoltStream {
    /// Plain TCP.
    Plain(TcpStream),
    /// TLS over TCP.
    Tls(Box<TlsStream<TcpStream>>),
}

impl BoltStream {
    /// Whether the stream is encrypted.
    pub fn is_encrypted(&self) -> bool {
        matches!(self, BoltStream::Tls(_))
    }

    /// The underlying TCP stream.
    pub fn tcp(&self) -> &TcpStream {
        match self {
            BoltStream::Plain(s) => s,
            BoltStream::Tls(s) => s.get_ref().0,
        }
    }

    /// Whether the peer has closed the socket, or sent bytes nobody asked
    /// for, as far as the socket tells without waiting: one non-blocking
    /// peek, no round trip. Meant for an idle connection, which expects no
    /// bytes: readable with 0 bytes (end of stream), readable with data (on
    /// an idle Bolt connection, a goodbye from the server such as a TLS
    /// `close_notify` or a last `FAILURE`), or an error means it cannot be
    /// used; "would block" means nothing arrived, so it is presumed alive.
    pub fn peer_gone(&self) -> bool {
        let mut probe = [std::mem::MaybeUninit::<u8>::uninit(); 1];
        match socket2::SockRef::from(self.tcp()).peek(&mut probe) {
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => false,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => false,
            // Ok(0): end of stream; Ok(_): unexpected bytes; Err: reset.
            _ => true,
        }
    }
}

impl AsyncRead for BoltStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            BoltStream::Plain(s) => Pin::new(s).poll_read(cx, buf),
            BoltStream::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for BoltStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            BoltStream::Plain(s) => Pin::new(s).poll_write(cx, buf),
            BoltStream::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            BoltStream::Plain(s) => Pin::new(s).poll_flush(cx),
            BoltStream::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            BoltStream::Plain(s) => Pin::new(s).poll_shutdown(cx),
            BoltStream::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            BoltStream::Plain(s) => Pin::new(s).poll_write_vectored(cx, bufs),
            BoltStream::Tls(s) => Pin::new(s.as_mut()).poll_write_vectored(cx, bufs),
        }
    }

    fn is_write_vectored(&self) -> bool {
        match self {
            BoltStream::Plain(s) => s.is_write_vectored(),
            BoltStream::Tls(s) => s.is_write_vectored(),
        }
    }
}
