//! Address resolution: a custom resolver for the initial address, then DNS.
//!
//! As in the official drivers, a custom resolver maps the address given by
//! the user (e.g. one name for a whole cluster) to the addresses to try, and
//! is consulted again each time discovery falls back to the initial
//! address. DNS then expands host names into IP addresses, so that each
//! cluster member behind one name is asked in turn (a member answering with
//! an unusable table does not hide the others, as it would if only the
//! first address that accepts TCP were tried).

use std::future::Future;
use std::io;
use std::net::IpAddr;
use std::pin::Pin;

use boltline_bolt::Address;

/// The future a [`Resolve`] returns.
pub type ResolveFuture<'a> = Pin<Box<dyn Future<Output = io::Result<Vec<Address>>> + Send + 'a>>;

/// A custom resolver: an async function from an address to the addresses
/// to try instead, in order.
///
/// Any `Fn(Address) -> impl Future<Output = io::Result<Vec<Address>>>`
/// that is `Send + Sync` implements it:
///
/// ```
/// use boltline_routing::{Address, Resolve};
///
/// let resolver = |a: Address| async move {
///     Ok(vec![Address::new("10.0.0.1", a.port()), Address::new("10.0.0.2", a.port())])
/// };
/// fn takes(_: impl Resolve) {}
/// takes(resolver);
/// ```
pub trait Resolve: Send + Sync + 'static {
    /// The addresses to try for `address`.
    fn resolve<'a>(&'a self, address: &'a Address) -> ResolveFuture<'a>;
}

impl<F, Fut> Resolve for F
where
    F: Fn(Address) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = io::Result<Vec<Address>>> + Send + 'static,
{
    fn resolve<'a>(&'a self, address: &'a Address) -> ResolveFuture<'a> {
        Box::pin(self(address.clone()))
    }
}

/// Whether the host is an IP address already (DNS has nothing to do).
pub(crate) fn is_ip(address: &Address) -> bool {
    address.host().parse::<IpAddr>().is_ok()
}

/// Resolves a host name with the system resolver (tokio's `lookup_host`)
/// into IP addresses, in the order returned, each once. An IP address is
/// returned as it is.
pub async fn resolve_dns(address: &Address) -> io::Result<Vec<Address>> {
    if is_ip(address) {
        return Ok(vec![address.clone()]);
    }
    let mut out: Vec<Address> = Vec::new();
    for socket in tokio::net::lookup_host((address.host(), address.port())).await? {
        // `IpAddr`'s text has no brackets; `Address` adds them for IPv6.
        let resolved = Address::new(socket.ip().to_string(), socket.port());
        if !out.contains(&resolved) {
            out.push(resolved);
        }
    }
    if out.is_empty() {
        return Err(io::Error::new(
            io::ErrorKind::NotFound,
            format!("{address} resolved to no address"),
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn ip_addresses_stay_as_they_are() {
        let a = Address::new("127.0.0.1", 7);
        assert_eq!(resolve_dns(&a).await.unwrap(), [a]);
        let v6 = Address::new("::1", 7);
        assert!(is_ip(&v6));
        assert_eq!(resolve_dns(&v6).await.unwrap(), [v6]);
    }

    #[tokio::test]
    async fn localhost_resolves_to_loopback() {
        let got = resolve_dns(&Address::new("localhost", 9)).await.unwrap();
        assert!(!got.is_empty());
        for a in &got {
            assert_eq!(a.port(), 9);
            let ip: IpAddr = a.host().parse().unwrap();
            assert!(ip.is_loopback(), "{a}");
        }
    }

    #[tokio::test]
    async fn closures_are_resolvers() {
        let r = |a: Address| async move { Ok(vec![a.clone(), Address::new("x", a.port())]) };
        let got = r.resolve(&Address::new("h", 1)).await.unwrap();
        assert_eq!(got, [Address::new("h", 1), Address::new("x", 1)]);
    }
}
