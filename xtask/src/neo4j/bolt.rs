//! The readiness probe: a Bolt handshake, which only a Bolt server that is
//! fully up answers with a version (an open port alone is not enough).

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

/// The Bolt magic preamble.
const MAGIC: [u8; 4] = [0x60, 0x60, 0xB0, 0x17];

/// Four version proposals, 4 bytes each: `[0, range, minor, major]`.
const PROPOSALS: [[u8; 4]; 4] = [
    // 6.0 (Neo4j 2025.x).
    [0x00, 0x00, 0x00, 0x06],
    // 5.8 and the 8 minor versions below it: 5.8 down to 5.0.
    [0x00, 0x08, 0x08, 0x05],
    // 4.4.
    [0x00, 0x00, 0x04, 0x04],
    // Unused slot.
    [0; 4],
];

/// Performs the handshake with the server at `addr`; returns the agreed
/// version as `(major, minor)`.
pub(super) fn handshake(addr: SocketAddr, timeout: Duration) -> Result<(u8, u8), String> {
    let mut stream = TcpStream::connect_timeout(&addr, timeout).map_err(|e| e.to_string())?;
    stream
        .set_read_timeout(Some(timeout))
        .and_then(|()| stream.set_write_timeout(Some(timeout)))
        .map_err(|e| e.to_string())?;
    let mut request = Vec::with_capacity(20);
    request.extend_from_slice(&MAGIC);
    for proposal in PROPOSALS {
        request.extend_from_slice(&proposal);
    }
    stream.write_all(&request).map_err(|e| e.to_string())?;
    let mut answer = [0u8; 4];
    stream
        .read_exact(&mut answer)
        .map_err(|e| format!("no handshake answer: {e}"))?;
    match answer {
        [0, 0, 0, 0] => Err("the server supports none of the proposed Bolt versions".to_owned()),
        [_, _, minor, major] => Ok((major, minor)),
    }
}
