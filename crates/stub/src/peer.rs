//! Runs one script on one accepted connection.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use boltline_packstream::{Map, Value};
use bytes::{BufMut, BytesMut};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::report::{ConnectionReport, Received};
use crate::script::{FieldCheck, Handshake, Script, Step};
use crate::{sig, wire};

/// Whether the script goes on after a group of steps.
enum Flow {
    Go,
    Stop,
}

pub(crate) struct Peer {
    io: TcpStream,
    inbuf: BytesMut,
    partial: Option<BytesMut>,
    out: BytesMut,
    script: Script,
    index: usize,
    reports: Arc<Mutex<Vec<ConnectionReport>>>,
    /// Socket reads that returned data so far.
    reads: usize,
    /// Whether the handshake is over (replies are counted after it).
    handshaken: bool,
}

type StepResult<'a> = Pin<Box<dyn Future<Output = Result<Flow, String>> + Send + 'a>>;

impl Peer {
    pub(crate) fn new(
        io: TcpStream,
        script: Script,
        index: usize,
        reports: Arc<Mutex<Vec<ConnectionReport>>>,
    ) -> Self {
        Peer {
            io,
            inbuf: BytesMut::with_capacity(8192),
            partial: None,
            out: BytesMut::new(),
            script,
            index,
            reports,
            reads: 0,
            handshaken: false,
        }
    }

    fn report(&self, f: impl FnOnce(&mut ConnectionReport)) {
        if let Ok(mut reports) = self.reports.lock() {
            if let Some(r) = reports.get_mut(self.index) {
                f(r);
            }
        }
    }

    /// Runs the script; records the outcome; then reads (and records) until
    /// the client closes, so nothing the client still sends meets a reset.
    pub(crate) async fn run(mut self) {
        self.report(|r| r.outcome = Err("in progress: handshake".into()));
        let outcome = match self.handshake().await {
            Ok(true) => {
                let steps = std::mem::take(&mut self.script.steps);
                self.run_steps(&steps, true).await.map(drop)
            }
            Ok(false) => {
                // The handshake ends the conversation: close our side.
                let _ = self.flush().await;
                let _ = self.io.shutdown().await;
                Ok(())
            }
            Err(e) => Err(e),
        };
        let failed = outcome.is_err();
        self.report(|r| r.outcome = outcome);
        if failed {
            return;
        }
        let _ = self.flush().await;
        while let Ok(Some(_)) = self.next_message_within(Duration::from_secs(3600)).await {}
    }

    async fn flush(&mut self) -> Result<(), String> {
        if self.out.is_empty() {
            return Ok(());
        }
        if self.handshaken {
            self.report(|r| r.reply_writes += 1);
        }
        self.io
            .write_all_buf(&mut self.out)
            .await
            .map_err(|e| format!("writing to the client failed: {e}"))
    }

    async fn read_more(&mut self, timeout: Duration) -> Result<usize, String> {
        self.inbuf.reserve(8192);
        match tokio::time::timeout(timeout, self.io.read_buf(&mut self.inbuf)).await {
            Ok(Ok(n)) => {
                if n > 0 {
                    self.reads += 1;
                }
                Ok(n)
            }
            Ok(Err(e)) => Err(format!("reading from the client failed: {e}")),
            Err(_) => Err(format!(
                "timed out after {timeout:?} waiting for the client"
            )),
        }
    }

    async fn read_exact(&mut self, n: usize) -> Result<Option<Vec<u8>>, String> {
        while self.inbuf.len() < n {
            if self.read_more(self.script.read_timeout).await? == 0 {
                return Ok(None);
            }
        }
        Ok(Some(self.inbuf.split_to(n).to_vec()))
    }

    /// Reads the client's 20 bytes and answers; `false` ends the script.
    async fn handshake(&mut self) -> Result<bool, String> {
        let hs = self.script.handshake.clone();
        if hs == Handshake::Close {
            return Ok(false);
        }
        let Some(hello) = self.read_exact(20).await? else {
            return Err("client closed before the handshake".into());
        };
        let mut bytes = [0u8; 20];
        bytes.copy_from_slice(&hello);
        self.report(|r| r.handshake = Some(bytes));
        if bytes[..4] != [0x60, 0x60, 0xB0, 0x17] {
            return Err(format!("bad magic {:02X?}", &bytes[..4]));
        }
        match hs {
            Handshake::Version(major, minor) => self.out.put_slice(&[0, 0, minor, major]),
            Handshake::NoVersion => {
                self.out.put_slice(&[0, 0, 0, 0]);
                self.flush().await?;
                return Ok(false);
            }
            Handshake::Raw(b) => self.out.put_slice(&b),
            Handshake::Close => return Ok(false),
            Handshake::Manifest {
                offers,
                capabilities,
            } => {
                self.out.put_slice(&[0, 0, 1, 0xFF]);
                wire::put_varint(&mut self.out, u64::try_from(offers.len()).unwrap_or(0));
                for (major, minor, range) in offers {
                    self.out.put_slice(&[0, range, minor, major]);
                }
                wire::put_varint(&mut self.out, capabilities);
                self.flush().await?;
                let Some(choice) = self.read_exact(4).await? else {
                    return Err("client closed instead of choosing a version".into());
                };
                let caps = loop {
                    if let Some((v, n)) = wire::get_varint(&self.inbuf) {
                        let _ = self.inbuf.split_to(n);
                        break v;
                    }
                    if self.read_more(self.script.read_timeout).await? == 0 {
                        return Err("client closed inside its manifest answer".into());
                    }
                };
                let chosen = [choice[0], choice[1], choice[2], choice[3]];
                self.report(|r| r.manifest_choice = Some((chosen, caps)));
                if chosen == [0, 0, 0, 0] {
                    return Ok(false);
                }
            }
        }
        self.flush().await?;
        self.handshaken = true;
        Ok(true)
    }

    async fn next_message_within(&mut self, timeout: Duration) -> Result<Option<Received>, String> {
        self.flush().await?;
        loop {
            if let Some(body) = wire::take_message(&mut self.inbuf, &mut self.partial) {
                let m = wire::decode(&body)?;
                let copy = m.clone();
                let at = self.reads;
                self.report(|r| {
                    r.received.push(copy);
                    r.arrivals.push(at);
                });
                return Ok(Some(m));
            }
            if self.read_more(timeout).await? == 0 {
                if self.partial.is_some() || !self.inbuf.is_empty() {
                    return Err("client closed in the middle of a message".into());
                }
                return Ok(None);
            }
        }
    }

    async fn next_message(&mut self) -> Result<Option<Received>, String> {
        self.next_message_within(self.script.read_timeout).await
    }

    fn check(m: &Received, signature: u8, check: &Option<FieldCheck>) -> Result<(), String> {
        if m.signature != signature {
            return Err(format!(
                "expected {}, received {} {:?}",
                sig::name(signature),
                m.name(),
                m.fields
            ));
        }
        match check {
            Some(c) => c(&m.fields).map_err(|e| format!("{} fields rejected: {e}", m.name())),
            None => Ok(()),
        }
    }

    fn queue(&mut self, signature: u8, fields: &[Value]) -> Result<(), String> {
        let body = wire::encode(signature, fields, self.script.dialect)?;
        wire::put_chunked(&mut self.out, &body);
        Ok(())
    }

    async fn serve(&mut self, rows: &[Vec<Value>], summary: &Map) -> Result<(), String> {
        let mut next = 0;
        loop {
            let Some(m) = self.next_message().await? else {
                return Err("client closed while a result was being served".into());
            };
            let n = m
                .entry(0, "n")
                .and_then(Value::as_i64)
                .ok_or_else(|| format!("expected PULL or DISCARD with n, received {}", m.name()))?;
            let remaining = rows.len() - next;
            let take = if n < 0 {
                remaining
            } else {
                usize::try_from(n).unwrap_or(usize::MAX).min(remaining)
            };
            match m.signature {
                sig::PULL => {
                    for row in &rows[next..next + take] {
                        self.queue(sig::RECORD, &[Value::List(row.clone())])?;
                    }
                    next += take;
                }
                sig::DISCARD => next += take,
                _ => return Err(format!("expected PULL or DISCARD, received {}", m.name())),
            }
            if next < rows.len() {
                let more: Map = [("has_more".to_owned(), Value::from(true))].into();
                self.queue(sig::SUCCESS, &[Value::Map(more)])?;
            } else {
                self.queue(sig::SUCCESS, &[Value::Map(summary.clone())])?;
                return Ok(());
            }
        }
    }

    fn run_steps<'a>(&'a mut self, steps: &'a [Step], top: bool) -> StepResult<'a> {
        Box::pin(async move {
            for (i, step) in steps.iter().enumerate() {
                if top {
                    let at = format!("in progress: step {i} ({step:?})");
                    self.report(|r| r.outcome = Err(at));
                }
                match step {
                    Step::Expect { signature, check } => {
                        let Some(m) = self.next_message().await? else {
                            return Err(format!(
                                "client closed the connection; expected {}",
                                sig::name(*signature)
                            ));
                        };
                        Self::check(&m, *signature, check)?;
                    }
                    Step::Send { signature, fields } => self.queue(*signature, fields)?,
                    Step::SendMessage(body) => wire::put_chunked(&mut self.out, body),
                    Step::SendRaw(bytes) => self.out.put_slice(bytes),
                    Step::Noop => self.out.put_u16(0),
                    Step::Delay(d) => {
                        self.flush().await?;
                        tokio::time::sleep(*d).await;
                    }
                    Step::Close => {
                        self.flush().await?;
                        let _ = self.io.shutdown().await;
                        return Ok(Flow::Stop);
                    }
                    Step::CloseMidMessage => {
                        self.out.put_slice(&[0x00, 0x10, 0xB1, 0x70, 0xA0]);
                        self.flush().await?;
                        let _ = self.io.shutdown().await;
                        return Ok(Flow::Stop);
                    }
                    Step::ExpectClose => {
                        if let Some(m) = self.next_message().await? {
                            return Err(format!(
                                "expected the client to close, received {}",
                                m.name()
                            ));
                        }
                        return Ok(Flow::Stop);
                    }
                    Step::ServeStream { rows, summary } => self.serve(rows, summary).await?,
                    Step::RepeatUntilClosed(body) => loop {
                        let Some(Step::Expect { signature, check }) = body.first() else {
                            return Err("a repeated body must start with an expect step".into());
                        };
                        let Some(m) = self.next_message_within(Duration::from_secs(3600)).await?
                        else {
                            return Ok(Flow::Stop);
                        };
                        if m.signature == sig::GOODBYE {
                            return Ok(Flow::Stop);
                        }
                        Self::check(&m, *signature, check)?;
                        if let Flow::Stop = self.run_steps(&body[1..], false).await? {
                            return Ok(Flow::Stop);
                        }
                    },
                }
            }
            self.flush().await?;
            Ok(Flow::Go)
        })
    }
}
