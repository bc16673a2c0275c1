//! The client's address behind a reverse proxy. A server reached only through nginx sees nginx's address
//! on every connection; the address the audit trail must record is the one nginx saw, which it passes on
//! in `X-Forwarded-For`. That header is believed only from the proxies named in `JIQUN_TRUSTED_PROXIES`
//! (addresses or networks, comma-separated): from anyone else it is a claim a client makes about itself.

use std::net::IpAddr;

use axum::http::HeaderMap;

/// The proxies whose `X-Forwarded-For` is believed: addresses with their prefix length.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TrustedProxies(Vec<(IpAddr, u8)>);

/// The environment variable that names them.
pub const TRUSTED_PROXIES_VAR: &str = "JIQUN_TRUSTED_PROXIES";

impl TrustedProxies {
    /// `127.0.0.1, 10.0.0.0/8, ::1`: addresses, or networks as address/prefix; an empty list trusts none.
    /// The error names the entry that is not one.
    pub fn parse(list: &str) -> Result<Self, String> {
        let mut nets = Vec::new();
        for entry in list.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            let (addr, prefix) = match entry.split_once('/') {
                Some((a, p)) => (a, Some(p)),
                None => (entry, None),
            };
            let ip: IpAddr = addr.parse().map_err(|_| entry.to_string())?;
            let max = if ip.is_ipv4() { 32 } else { 128 };
            let prefix = match prefix {
                None => max,
                Some(p) => p.parse::<u8>().ok().filter(|p| *p <= max).ok_or_else(|| entry.to_string())?,
            };
            nets.push((canonical(ip), prefix));
        }
        Ok(TrustedProxies(nets))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn trusts(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        self.0.iter().any(|(net, prefix)| within(ip, *net, *prefix))
    }

    /// The client of a request that arrived from `peer`: the peer itself, unless it is a trusted proxy;
    /// then, reading `X-Forwarded-For` from the nearest hop back, the first address that is not a trusted
    /// proxy (addresses further left were written by whoever sent the request, and prove nothing). Where
    /// the header is missing or a hop is not an address, the last address trusted so far.
    pub fn client(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let mut client = canonical(peer);
        if !self.trusts(client) {
            return client;
        }
        let hops: Vec<&str> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .collect();
        for hop in hops.iter().rev() {
            let Ok(ip) = hop.parse::<IpAddr>() else { break };
            client = canonical(ip);
            if !self.trusts(client) {
                break;
            }
        }
        client
    }
}

/// An IPv4 address that arrived as IPv6 (`::ffff:a.b.c.d`, a server listening on `[::]`) is that IPv4
/// address.
fn canonical(ip: IpAddr) -> IpAddr {
    ip.to_canonical()
}

fn within(ip: IpAddr, net: IpAddr, prefix: u8) -> bool {
    match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(n)) => {
            let mask = if prefix == 0 { 0 } else { u32::MAX << (32 - u32::from(prefix)) };
            u32::from(a) & mask == u32::from(n) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(n)) => {
            let mask = if prefix == 0 { 0 } else { u128::MAX << (128 - u32::from(prefix)) };
            u128::from(a) & mask == u128::from(n) & mask
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(values: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append("x-forwarded-for", v.parse().unwrap());
        }
        h
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn addresses_and_networks_are_read_and_a_bad_entry_is_named() {
        let t = TrustedProxies::parse(" 127.0.0.1, 10.0.0.0/8 ,::1,fd00::/8").unwrap();
        assert!(t.trusts(ip("127.0.0.1")) && t.trusts(ip("10.200.3.4")) && t.trusts(ip("::1")));
        assert!(t.trusts(ip("fd12::5")) && t.trusts(ip("::ffff:10.0.0.9")));
        assert!(!t.trusts(ip("11.0.0.1")) && !t.trusts(ip("127.0.0.2")) && !t.trusts(ip("fe80::1")));
        assert!(TrustedProxies::parse("").unwrap().is_empty());
        assert_eq!(TrustedProxies::parse("127.0.0.1, localhost"), Err("localhost".to_string()));
        assert_eq!(TrustedProxies::parse("10.0.0.0/33"), Err("10.0.0.0/33".to_string()));
        assert_eq!(TrustedProxies::parse("::/129"), Err("::/129".to_string()));
        assert!(TrustedProxies::parse("0.0.0.0/0").unwrap().trusts(ip("8.8.8.8")));
    }

    #[test]
    fn the_forwarded_address_is_believed_only_from_a_trusted_proxy() {
        let t = TrustedProxies::parse("127.0.0.1, 10.0.0.0/8").unwrap();
        let h = headers(&["203.0.113.7"]);
        assert_eq!(t.client(ip("127.0.0.1"), &h), ip("203.0.113.7"));
        // From anyone else, the header is the client's own claim.
        assert_eq!(t.client(ip("198.51.100.1"), &h), ip("198.51.100.1"));
        assert_eq!(TrustedProxies::default().client(ip("127.0.0.1"), &h), ip("127.0.0.1"));
        // No header: the proxy is all that is known.
        assert_eq!(t.client(ip("127.0.0.1"), &HeaderMap::new()), ip("127.0.0.1"));
    }

    #[test]
    fn what_a_client_wrote_before_the_proxies_is_not_believed() {
        let t = TrustedProxies::parse("127.0.0.1, 10.0.0.0/8").unwrap();
        // The client sent "6.6.6.6"; the edge proxy appended the client's real address, an inner proxy its own.
        let h = headers(&["6.6.6.6, 203.0.113.7", "10.1.2.3"]);
        assert_eq!(t.client(ip("127.0.0.1"), &h), ip("203.0.113.7"));
        // A hop that is not an address ends the walk at the last trusted one.
        let h = headers(&["203.0.113.7, not-an-address, 10.1.2.3"]);
        assert_eq!(t.client(ip("127.0.0.1"), &h), ip("10.1.2.3"));
        // Every hop trusted: the furthest one.
        let h = headers(&["10.9.9.9, 10.1.2.3"]);
        assert_eq!(t.client(ip("::ffff:127.0.0.1"), &h), ip("10.9.9.9"));
    }
}
