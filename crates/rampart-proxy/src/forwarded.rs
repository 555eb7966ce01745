//! Who the client is, behind trusted proxies: `REMOTE_ADDR` is the peer unless the peer is a
//! trusted proxy, in which case `Forwarded` (RFC 7239) or `X-Forwarded-For` is walked from the
//! right, skipping trusted hops, to the first address that is not one.

use std::net::IpAddr;

/// An address block: `10.0.0.0/8`, `::1`, `192.168.1.7`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    network: IpAddr,
    prefix: u8,
}

impl Cidr {
    pub fn parse(text: &str) -> Option<Cidr> {
        let (address, prefix) = match text.trim().split_once('/') {
            Some((address, prefix)) => (address, Some(prefix.parse::<u8>().ok()?)),
            None => (text.trim(), None),
        };
        let network: IpAddr = address.parse().ok()?;
        let max = if network.is_ipv4() { 32 } else { 128 };
        let prefix = prefix.unwrap_or(max);
        (prefix <= max).then_some(Cidr { network, prefix })
    }

    pub fn contains(&self, address: IpAddr) -> bool {
        let address = canonical(address);
        match (self.network, address) {
            (IpAddr::V4(net), IpAddr::V4(addr)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(addr) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(addr)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(addr) & mask
            }
            _ => false,
        }
    }
}

/// IPv4-mapped IPv6 addresses (`::ffff:10.0.0.1`) as the IPv4 address they are.
fn canonical(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
        v4 => v4,
    }
}

/// The trusted-proxies list.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies {
    blocks: Vec<Cidr>,
}

impl TrustedProxies {
    /// Entries that do not parse are left out (the configuration check rejects them first).
    pub fn new<'a>(entries: impl IntoIterator<Item = &'a String>) -> Self {
        TrustedProxies {
            blocks: entries.into_iter().filter_map(|e| Cidr::parse(e)).collect(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.blocks.is_empty()
    }

    fn trusts(&self, address: IpAddr) -> bool {
        self.blocks.iter().any(|block| block.contains(address))
    }

    /// The client's address given the peer's and the request's forwarding headers
    /// (`Forwarded` values, then `X-Forwarded-For` values, each in header order).
    pub fn client_address(
        &self,
        peer: IpAddr,
        forwarded: &[&[u8]],
        x_forwarded_for: &[&[u8]],
    ) -> IpAddr {
        let peer = canonical(peer);
        if !self.trusts(peer) {
            return peer;
        }
        let hops: Vec<Option<IpAddr>> = if !forwarded.is_empty() {
            forwarded
                .iter()
                .flat_map(|value| split_list(value))
                .map(forwarded_for)
                .collect()
        } else {
            x_forwarded_for
                .iter()
                .flat_map(|value| split_list(value))
                .map(|hop| parse_node(hop.trim()))
                .collect()
        };
        let mut client = peer;
        for hop in hops.into_iter().rev() {
            match hop {
                Some(address) => {
                    client = canonical(address);
                    if !self.trusts(client) {
                        return client;
                    }
                }
                // An obfuscated or unparsable hop ends the walk at the last trusted one.
                None => return client,
            }
        }
        client
    }
}

fn split_list(value: &[u8]) -> impl Iterator<Item = &str> {
    std::str::from_utf8(value)
        .unwrap_or("")
        .split(',')
        .filter(|s| !s.trim().is_empty())
}

/// The `for=` parameter of one `Forwarded` element.
fn forwarded_for(element: &str) -> Option<IpAddr> {
    element.split(';').find_map(|pair| {
        let (name, value) = pair.trim().split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("for")
            .then(|| parse_node(value.trim().trim_matches('"')))
            .flatten()
    })
}

/// `192.0.2.1`, `192.0.2.1:8080`, `[2001:db8::1]`, `[2001:db8::1]:443`, `2001:db8::1`.
fn parse_node(node: &str) -> Option<IpAddr> {
    if let Ok(address) = node.parse() {
        return Some(address);
    }
    if let Some(rest) = node.strip_prefix('[') {
        return rest.split_once(']')?.0.parse().ok();
    }
    let (host, port) = node.rsplit_once(':')?;
    port.parse::<u16>().ok()?;
    host.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn cidr_blocks() {
        let block = Cidr::parse("10.0.0.0/8").unwrap();
        assert!(block.contains(ip("10.200.1.1")));
        assert!(!block.contains(ip("11.0.0.1")));
        assert!(block.contains(ip("::ffff:10.1.2.3")));
        assert!(Cidr::parse("::1").unwrap().contains(ip("::1")));
        assert!(Cidr::parse("0.0.0.0/0").unwrap().contains(ip("8.8.8.8")));
        assert!(Cidr::parse("10.0.0.0/33").is_none());
        assert!(Cidr::parse("example.com").is_none());
    }

    #[test]
    fn untrusted_peers_are_the_client() {
        let proxies = TrustedProxies::new(&["10.0.0.0/8".to_string()]);
        let client = proxies.client_address(ip("203.0.113.9"), &[], &[b"1.2.3.4"]);
        assert_eq!(client, ip("203.0.113.9"));
    }

    #[test]
    fn trusted_hops_are_skipped_from_the_right() {
        let proxies = TrustedProxies::new(&["10.0.0.0/8".to_string()]);
        let client = proxies.client_address(
            ip("10.0.0.2"),
            &[],
            &[b"6.6.6.6, 198.51.100.7", b"10.0.0.9"],
        );
        assert_eq!(
            client,
            ip("198.51.100.7"),
            "the spoofable left-most entry is not believed"
        );
    }

    #[test]
    fn forwarded_wins_over_x_forwarded_for() {
        let proxies = TrustedProxies::new(&["10.0.0.0/8".to_string()]);
        let client = proxies.client_address(
            ip("10.0.0.2"),
            &[b"for=192.0.2.60;proto=http, for=\"[2001:db8:cafe::17]:4711\""],
            &[b"1.1.1.1"],
        );
        assert_eq!(client, ip("2001:db8:cafe::17"));
        let obfuscated = proxies.client_address(ip("10.0.0.2"), &[b"for=_hidden"], &[]);
        assert_eq!(obfuscated, ip("10.0.0.2"));
    }
}
