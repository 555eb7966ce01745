//! `@ipMatch` and `@ipMatchFromFile`.

use std::net::IpAddr;

use rampart_seclang::IpNetwork;

#[derive(Debug, Clone)]
pub struct IpMatcher {
    networks: Vec<IpNetwork>,
}

impl IpMatcher {
    pub fn new(networks: Vec<IpNetwork>) -> Self {
        IpMatcher { networks }
    }

    /// A value that is not an IP address matches nothing.
    pub fn evaluate(&self, input: &[u8]) -> bool {
        let Some(address) = std::str::from_utf8(input)
            .ok()
            .and_then(|s| s.trim().parse::<IpAddr>().ok())
        else {
            return false;
        };
        self.networks.iter().any(|n| n.contains(address))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_networks() {
        let m = IpMatcher::new(vec![
            IpNetwork::parse("10.0.0.0/8").unwrap(),
            IpNetwork::parse("::1").unwrap(),
        ]);
        assert!(m.evaluate(b"10.1.2.3"));
        assert!(m.evaluate(b"::1"));
        assert!(!m.evaluate(b"11.0.0.1"));
        assert!(!m.evaluate(b"not an ip"));
    }
}
