//! The Bolt handshake (bolt/handshake): the magic preamble, four version
//! proposals, and the server's answer, either a version or (5.7+) the
//! manifest v1 exchange.
//!
//! The byte-level parts are plain functions over slices; [`negotiate`] is the
//! thin async driver that moves bytes between them and the socket.

use bytes::BytesMut;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use crate::varint::{self, Decoded};
use crate::{Error, Result, Version};

/// "GoGoBolt": identifies a Bolt client.
pub(crate) const MAGIC: [u8; 4] = [0x60, 0x60, 0xB0, 0x17];

/// Proposal asking for the manifest v1 handshake (`00 00 01 FF`).
pub(crate) const MANIFEST_V1: [u8; 4] = [0x00, 0x00, 0x01, 0xFF];

/// 5.8 and the eight minors below it (range form, 4.3+): 5.8 down to 5.0.
const BOLT_5_RANGE: [u8; 4] = [0x00, 0x08, 0x08, 0x05];

/// Servers that predate ranges only understand exact versions; 4.4 is our
/// oldest, so it is proposed on its own.
const BOLT_4_4: [u8; 4] = [0x00, 0x00, 0x04, 0x04];

/// The answer of a server that speaks HTTP: someone pointed us at the HTTP
/// port, or at something that is not Neo4j.
const HTTP: [u8; 4] = *b"HTTP";

/// Upper bound on the manifest's version list. Real servers list a handful of
/// ranges; the bound keeps a hostile count from making us read forever.
const MAX_MANIFEST_OFFERS: u64 = 256;

/// The 20 bytes a client opens with: magic plus four proposals in order of
/// preference (the fourth is the empty placeholder).
pub(crate) fn client_proposal() -> [u8; 20] {
    let mut out = [0u8; 20];
    out[..4].copy_from_slice(&MAGIC);
    out[4..8].copy_from_slice(&MANIFEST_V1);
    out[8..12].copy_from_slice(&BOLT_5_RANGE);
    out[12..16].copy_from_slice(&BOLT_4_4);
    out
}

/// A version range in the 4.3+ form: `00 back minor major` covers
/// `major.(minor - back) ..= major.minor`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct VersionRange {
    major: u8,
    minor: u8,
    back: u8,
}

impl VersionRange {
    pub(crate) fn from_be_bytes(b: [u8; 4]) -> Self {
        VersionRange {
            major: b[3],
            minor: b[2],
            back: b[1],
        }
    }

    pub(crate) fn contains(self, v: Version) -> bool {
        v.major == self.major
            && v.minor <= self.minor
            && v.minor >= self.minor.saturating_sub(self.back)
    }
}

impl std::fmt::Display for VersionRange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let low = self.minor.saturating_sub(self.back);
        if low == self.minor {
            write!(f, "{}.{}", self.major, self.minor)
        } else {
            write!(f, "{}.{}-{}.{}", self.major, low, self.major, self.minor)
        }
    }
}

/// The server's offer in a manifest v1 answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Manifest {
    pub(crate) offers: Vec<VersionRange>,
    pub(crate) capabilities: u64,
}

impl Manifest {
    /// Our most preferred version the server offers.
    pub(crate) fn choose(&self) -> Option<Version> {
        Version::SUPPORTED
            .into_iter()
            .find(|v| self.offers.iter().any(|o| o.contains(*v)))
    }

    fn describe(&self) -> String {
        let offers: Vec<String> = self.offers.iter().map(ToString::to_string).collect();
        format!("server offered {}", offers.join(", "))
    }
}

/// Parses the manifest body that follows the server's `00 00 01 FF`:
/// `Ok(None)` when more bytes are needed, else the manifest and the bytes
/// it took.
pub(crate) fn parse_manifest(input: &[u8]) -> Result<Option<(Manifest, usize)>> {
    let (count, mut pos) = match varint::decode(input) {
        Decoded::Value(v, n) => (v, n),
        Decoded::Incomplete => return Ok(None),
        Decoded::Overflow => return Err(Error::Protocol("manifest count overflows".into())),
    };
    if count > MAX_MANIFEST_OFFERS {
        return Err(Error::Protocol(format!(
            "handshake manifest lists {count} versions (at most {MAX_MANIFEST_OFFERS} accepted)"
        )));
    }
    // Bounded by MAX_MANIFEST_OFFERS above, so this cannot truncate.
    let count = usize::try_from(count).unwrap_or(0);
    let mut offers = Vec::with_capacity(count);
    for _ in 0..count {
        let Some(b) = input.get(pos..pos + 4) else {
            return Ok(None);
        };
        offers.push(VersionRange::from_be_bytes([b[0], b[1], b[2], b[3]]));
        pos += 4;
    }
    let capabilities = match varint::decode(&input[pos..]) {
        Decoded::Value(v, n) => {
            pos += n;
            v
        }
        Decoded::Incomplete => return Ok(None),
        Decoded::Overflow => {
            return Err(Error::Protocol(
                "manifest capabilities overflow 64 bits".into(),
            ))
        }
    };
    Ok(Some((
        Manifest {
            offers,
            capabilities,
        },
        pos,
    )))
}

/// The client's final manifest message: the chosen version (exact form) and
/// the capabilities it takes up (none: no capability bit is defined yet).
pub(crate) fn manifest_reply(choice: Option<Version>) -> Vec<u8> {
    let mut out = choice.map_or([0; 4], Version::to_be_bytes).to_vec();
    varint::encode(0, &mut out);
    out
}

/// What the server answered to our proposals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Answer {
    /// An exact version.
    Version(Version),
    /// The manifest handshake follows.
    Manifest,
    /// No common version (`00 00 00 00`).
    NoMatch,
    /// An HTTP response.
    Http,
}

pub(crate) fn parse_answer(b: [u8; 4]) -> Answer {
    match b {
        MANIFEST_V1 => Answer::Manifest,
        [0, 0, 0, 0] => Answer::NoMatch,
        HTTP => Answer::Http,
        [_, _, minor, major] => Answer::Version(Version::new(major, minor)),
    }
}

/// The outcome of a successful handshake.
#[derive(Debug)]
pub(crate) struct Negotiated {
    pub(crate) version: Version,
    /// Whether the manifest handshake was used.
    pub(crate) manifest: bool,
    /// Bytes read past the handshake (none from a well-behaved server, but
    /// nothing read is ever dropped).
    pub(crate) leftover: BytesMut,
}

async fn read_more<S: AsyncRead + Unpin>(io: &mut S, buf: &mut BytesMut) -> Result<()> {
    buf.reserve(64);
    if io.read_buf(buf).await? == 0 {
        return Err(Error::ConnectionClosed {
            during: "the handshake",
        });
    }
    Ok(())
}

/// Runs the handshake on a fresh stream.
pub(crate) async fn negotiate<S>(io: &mut S) -> Result<Negotiated>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    io.write_all(&client_proposal()).await?;
    io.flush().await?;
    let mut buf = BytesMut::with_capacity(64);
    while buf.len() < 4 {
        read_more(io, &mut buf).await?;
    }
    let answer = parse_answer([buf[0], buf[1], buf[2], buf[3]]);
    let _ = buf.split_to(4);
    match answer {
        Answer::Version(v) if v.is_supported() => Ok(Negotiated {
            version: v,
            manifest: false,
            leftover: buf,
        }),
        Answer::Version(v) => Err(Error::UnsupportedVersion {
            server: format!("server chose {v}, which this client did not offer"),
        }),
        Answer::NoMatch => Err(Error::UnsupportedVersion {
            server: "server supports none of 4.4, 5.0-5.8 or the manifest handshake".into(),
        }),
        Answer::Http => Err(Error::Protocol(
            "the server answered with HTTP: is this the HTTP port instead of the Bolt port?".into(),
        )),
        Answer::Manifest => {
            let (manifest, used) = loop {
                if let Some(parsed) = parse_manifest(&buf)? {
                    break parsed;
                }
                read_more(io, &mut buf).await?;
            };
            let _ = buf.split_to(used);
            let choice = manifest.choose();
            io.write_all(&manifest_reply(choice)).await?;
            io.flush().await?;
            match choice {
                Some(version) => Ok(Negotiated {
                    version,
                    manifest: true,
                    leftover: buf,
                }),
                None => Err(Error::UnsupportedVersion {
                    server: manifest.describe(),
                }),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proposal_is_magic_manifest_range_and_4_4() {
        assert_eq!(
            client_proposal(),
            [
                0x60, 0x60, 0xB0, 0x17, //
                0x00, 0x00, 0x01, 0xFF, //
                0x00, 0x08, 0x08, 0x05, //
                0x00, 0x00, 0x04, 0x04, //
                0x00, 0x00, 0x00, 0x00,
            ]
        );
    }

    #[test]
    fn ranges_cover_their_minors() {
        let r = VersionRange::from_be_bytes(BOLT_5_RANGE);
        assert!(r.contains(Version::V5_0));
        assert!(r.contains(Version::V5_8));
        assert!(!r.contains(Version::V4_4));
        assert!(!r.contains(Version::new(5, 9)));
        assert_eq!(r.to_string(), "5.0-5.8");
        let exact = VersionRange::from_be_bytes([0, 0, 0, 6]);
        assert!(exact.contains(Version::V6_0));
        assert_eq!(exact.to_string(), "6.0");
    }

    #[test]
    fn answers() {
        assert_eq!(parse_answer([0, 0, 4, 4]), Answer::Version(Version::V4_4));
        assert_eq!(parse_answer([0, 0, 1, 0xFF]), Answer::Manifest);
        assert_eq!(parse_answer([0, 0, 0, 0]), Answer::NoMatch);
        assert_eq!(parse_answer(*b"HTTP"), Answer::Http);
    }

    #[test]
    fn spec_manifest_example_picks_our_highest() {
        // S: 02, 00 02 08 05 (5.6-5.8), 00 04 04 04 (4.0-4.4), 09
        let body = [0x02, 0x00, 0x02, 0x08, 0x05, 0x00, 0x04, 0x04, 0x04, 0x09];
        let (m, used) = parse_manifest(&body).unwrap().unwrap();
        assert_eq!(used, body.len());
        assert_eq!(m.capabilities, 9);
        assert_eq!(m.choose(), Some(Version::V5_8));
        assert_eq!(manifest_reply(m.choose()), vec![0, 0, 8, 5, 0]);
    }

    #[test]
    fn manifest_with_6_0_and_skipping_5_5() {
        let body = [0x02, 0, 0, 0, 6, 0, 0, 5, 5, 0];
        let (m, _) = parse_manifest(&body).unwrap().unwrap();
        assert_eq!(m.choose(), Some(Version::V6_0));
        let only_5_5 = [0x01, 0, 0, 5, 5, 0];
        let (m, _) = parse_manifest(&only_5_5).unwrap().unwrap();
        assert_eq!(m.choose(), None);
        assert_eq!(m.describe(), "server offered 5.5");
        assert_eq!(manifest_reply(None), vec![0, 0, 0, 0, 0]);
    }

    #[test]
    fn manifest_needs_all_its_bytes() {
        let body = [0x02, 0x00, 0x02, 0x08, 0x05, 0x00, 0x04, 0x04, 0x04, 0x09];
        for cut in 0..body.len() {
            assert_eq!(parse_manifest(&body[..cut]).unwrap(), None, "cut {cut}");
        }
    }

    #[test]
    fn hostile_manifest_counts_are_rejected() {
        // A count of 2^35 versions.
        let body = [0x80, 0x80, 0x80, 0x80, 0x80, 0x01];
        assert!(matches!(parse_manifest(&body), Err(Error::Protocol(_))));
        assert!(matches!(
            parse_manifest(&[0xFF; 11]),
            Err(Error::Protocol(_))
        ));
    }
}
