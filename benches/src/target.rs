//! Where a run sends its requests. Only loopback: a load generator that can be pointed at any
//! host is a denial-of-service tool, and numbers taken across a network measure the network.

use std::net::{Ipv4Addr, SocketAddr};

use anyhow::{Context, bail};
use hyper::Uri;

/// A parsed `http://127.0.0.1:PORT/path` URL.
#[derive(Debug, Clone)]
pub struct Target {
    pub addr: SocketAddr,
    /// The request target sent on the wire (path and query).
    pub path: String,
    /// The `Host` header value.
    pub host: String,
}

impl Target {
    pub fn parse(url: &str) -> anyhow::Result<Self> {
        let uri: Uri = url
            .parse()
            .with_context(|| format!("`{url}` is not a URL"))?;
        if uri.scheme_str() != Some("http") {
            bail!("`{url}`: only plain http:// is supported (the target is on this machine)");
        }
        let host = uri.host().unwrap_or_default();
        if host != "127.0.0.1" {
            bail!("`{url}`: only 127.0.0.1 targets are allowed, not `{host}`");
        }
        let Some(port) = uri.port_u16() else {
            bail!("`{url}`: give the port explicitly, e.g. http://127.0.0.1:18080/v2/enqueue");
        };
        let path = uri.path_and_query().map_or("/", |p| p.as_str()).to_owned();
        Ok(Self {
            addr: SocketAddr::from((Ipv4Addr::LOCALHOST, port)),
            path,
            host: format!("127.0.0.1:{port}"),
        })
    }
}

/// Refuses a listen address that is not loopback.
pub fn loopback_listen(addr: SocketAddr) -> anyhow::Result<SocketAddr> {
    if !addr.ip().is_loopback() {
        bail!("refusing to listen on {addr}: only loopback (127.0.0.1) is allowed");
    }
    Ok(addr)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_loopback_url_is_accepted_with_its_path() {
        let t = Target::parse("http://127.0.0.1:18080/v2/enqueue").unwrap();
        assert_eq!(t.addr.port(), 18080);
        assert_eq!(t.path, "/v2/enqueue");
        assert_eq!(t.host, "127.0.0.1:18080");
    }

    #[test]
    fn other_hosts_and_schemes_are_refused() {
        for url in [
            "http://10.0.0.1:80/v2/enqueue",
            "http://example.com:80/v2/enqueue",
            "https://127.0.0.1:443/v2/enqueue",
            "http://127.0.0.1/v2/enqueue",
        ] {
            assert!(Target::parse(url).is_err(), "{url} was accepted");
        }
    }
}
