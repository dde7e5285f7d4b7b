//! Where Hindsight may send a webhook. A delivery is a request the server makes on an admin's
//! behalf, so a receiver's address must not reach what only the server can reach: loopback,
//! private networks, link-local addresses (where cloud metadata services answer), or a
//! scheme other than HTTP. The operator may allow networks for internal receivers
//! (`--webhook-allowed-networks`).
//!
//! The address is checked when an admin saves it and again at every delivery, and what is
//! checked at delivery is what is connected to: names are resolved by [`CheckingResolver`],
//! the resolver of the delivery client itself, so a DNS answer that changes between the check
//! and the connection (DNS rebinding) is caught, and every redirect's target is checked
//! before it is followed ([`ReceiverPolicy::check_url`] in the client's redirect policy).

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use reqwest::Url;

use crate::config::Network;

/// Networks that are not the public internet, with what people call them. (IANA's
/// special-purpose address registries; addresses that embed an IPv4 address, such as
/// `::ffff:10.0.0.1` or NAT64's `64:ff9b::/96`, are judged by that address too.)
const SPECIAL_USE: &[(Network, &str)] = &[
    (v4(0, 0, 0, 0, 8), "the \"this network\" range (0.0.0.0/8)"),
    (v4(10, 0, 0, 0, 8), "a private network (10.0.0.0/8)"),
    (v4(100, 64, 0, 0, 10), "a carrier-grade NAT network (100.64.0.0/10)"),
    (v4(127, 0, 0, 0, 8), "loopback, this machine itself (127.0.0.0/8)"),
    (v4(169, 254, 0, 0, 16), "link-local, where cloud metadata services answer (169.254.0.0/16)"),
    (v4(172, 16, 0, 0, 12), "a private network (172.16.0.0/12)"),
    (v4(192, 0, 0, 0, 24), "the IETF protocol range (192.0.0.0/24)"),
    (v4(192, 0, 2, 0, 24), "a documentation range (192.0.2.0/24)"),
    (v4(192, 88, 99, 0, 24), "the 6to4 relay range (192.88.99.0/24)"),
    (v4(192, 168, 0, 0, 16), "a private network (192.168.0.0/16)"),
    (v4(198, 18, 0, 0, 15), "the benchmarking range (198.18.0.0/15)"),
    (v4(198, 51, 100, 0, 24), "a documentation range (198.51.100.0/24)"),
    (v4(203, 0, 113, 0, 24), "a documentation range (203.0.113.0/24)"),
    (v4(224, 0, 0, 0, 4), "multicast (224.0.0.0/4)"),
    (v4(240, 0, 0, 0, 4), "a reserved range (240.0.0.0/4)"),
    (v6([0, 0, 0, 0, 0, 0, 0, 0], 128), "the unspecified address (::)"),
    (v6([0, 0, 0, 0, 0, 0, 0, 1], 128), "loopback, this machine itself (::1)"),
    (v6([0, 0, 0, 0, 0, 0, 0, 0], 96), "an IPv4-compatible address (::/96)"),
    (v6([0x64, 0xff9b, 1, 0, 0, 0, 0, 0], 48), "a local NAT64 range (64:ff9b:1::/48)"),
    (v6([0x100, 0, 0, 0, 0, 0, 0, 0], 64), "the discard range (100::/64)"),
    (v6([0x2001, 0xdb8, 0, 0, 0, 0, 0, 0], 32), "a documentation range (2001:db8::/32)"),
    (v6([0x2001, 0, 0, 0, 0, 0, 0, 0], 23), "the IETF protocol range, Teredo among it (2001::/23)"),
    (v6([0x3fff, 0, 0, 0, 0, 0, 0, 0], 20), "a documentation range (3fff::/20)"),
    (v6([0xfc00, 0, 0, 0, 0, 0, 0, 0], 7), "a private network (fc00::/7)"),
    (v6([0xfe80, 0, 0, 0, 0, 0, 0, 0], 10), "link-local (fe80::/10)"),
    (v6([0xfec0, 0, 0, 0, 0, 0, 0, 0], 10), "site-local (fec0::/10)"),
    (v6([0xff00, 0, 0, 0, 0, 0, 0, 0], 8), "multicast (ff00::/8)"),
];

const fn v4(a: u8, b: u8, c: u8, d: u8, prefix: u8) -> Network {
    Network::new(IpAddr::V4(Ipv4Addr::new(a, b, c, d)), prefix)
}

const fn v6(s: [u16; 8], prefix: u8) -> Network {
    Network::new(IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7])), prefix)
}

/// How long the admin form waits for a receiver's name to resolve. A name that does not
/// resolve in time is accepted (the delivery checks again), since a receiver may be set up
/// before its DNS is.
const FORM_LOOKUP_WAIT: Duration = Duration::from_secs(2);

/// Why an address is refused, in words for the admin who typed it and for the delivery log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Not a URL at all.
    NotAnAddress,
    /// A scheme other than `http` or `https`.
    Scheme(String),
    /// A user name or password in the address, which would show in the audit log and on pages.
    Credentials,
    /// The address, or one the name resolves to, is in a network receivers may not be on.
    Network { name: Option<String>, address: IpAddr, network: &'static str },
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::NotAnAddress => f.write_str("This is not a web address."),
            Refusal::Scheme(scheme) => {
                write!(f, "Webhooks are sent over http:// or https:// only, not {scheme}://.")
            }
            Refusal::Credentials => f.write_str(
                "Leave the user name and password out of the address: it shows in the audit log. \
                 The receiver can check the signature header instead.",
            ),
            Refusal::Network { name, address, network } => {
                match name {
                    Some(name) => write!(f, "{name} resolves to {address}, which is {network}")?,
                    None => write!(f, "{address} is {network}")?,
                }
                f.write_str(
                    ": webhooks may not be sent there. An operator can allow an internal network \
                     with HINDSIGHT_WEBHOOK_ALLOWED_NETWORKS.",
                )
            }
        }
    }
}

impl std::error::Error for Refusal {}

/// The networks a receiver may be on beyond the public internet.
#[derive(Debug, Clone, Default)]
pub struct ReceiverPolicy {
    allowed: Vec<Network>,
}

impl ReceiverPolicy {
    /// Refuses every special-use network except those in `allowed`.
    pub fn allowing(allowed: Vec<Network>) -> ReceiverPolicy {
        ReceiverPolicy { allowed }
    }

    /// Checks an address as typed into the form: everything [`check_url`](Self::check_url)
    /// checks, and, if its host is a name, the addresses it resolves to now.
    pub async fn check_typed(&self, typed: &str) -> Result<(), Refusal> {
        let url = Url::parse(typed).map_err(|_| Refusal::NotAnAddress)?;
        self.check_url(&url)?;
        let (Some(host), Some(port)) = (url.host_str(), url.port_or_known_default()) else {
            return Err(Refusal::NotAnAddress);
        };
        if host.starts_with('[') || host.parse::<IpAddr>().is_ok() {
            return Ok(()); // an address, checked above
        }
        match tokio::time::timeout(FORM_LOOKUP_WAIT, tokio::net::lookup_host((host, port))).await {
            Ok(Ok(addresses)) => {
                addresses.into_iter().try_for_each(|address| self.check_address(Some(host), address.ip()))
            }
            // Not resolvable now: the delivery resolves it again and checks then.
            Ok(Err(_)) | Err(_) => Ok(()),
        }
    }

    /// Checks what can be checked without a DNS lookup: the scheme, no credentials, and the
    /// host if it is an address. (A name is checked as it is resolved, by [`CheckingResolver`].)
    pub fn check_url(&self, url: &Url) -> Result<(), Refusal> {
        if !matches!(url.scheme(), "http" | "https") {
            return Err(Refusal::Scheme(url.scheme().to_owned()));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(Refusal::Credentials);
        }
        let host = url.host_str().ok_or(Refusal::NotAnAddress)?;
        // The URL parser has already read every spelling of an IPv4 address (`0x7f.1`,
        // `2130706433`) as one, so an address here is always in its plain form.
        match host.trim_start_matches('[').trim_end_matches(']').parse::<IpAddr>() {
            Ok(address) => self.check_address(None, address),
            Err(_) => Ok(()),
        }
    }

    /// Whether a receiver may be at `address`, given directly or as what `name` resolves to.
    pub fn check_address(&self, name: Option<&str>, address: IpAddr) -> Result<(), Refusal> {
        match self.refused_network(address) {
            None => Ok(()),
            Some(network) => Err(Refusal::Network { name: name.map(str::to_owned), address, network }),
        }
    }

    /// The special-use network `address` is in, unless an allowed network holds it.
    fn refused_network(&self, address: IpAddr) -> Option<&'static str> {
        if self.allowed.iter().any(|allowed| allowed.contains(address)) {
            return None;
        }
        if let Some((_, name)) = SPECIAL_USE.iter().find(|(network, _)| network.contains(address)) {
            return Some(name);
        }
        embedded_ipv4(address).and_then(|inner| self.refused_network(IpAddr::V4(inner)))
    }
}

/// The IPv4 address inside an IPv6 one that carries it to an IPv4 host: NAT64
/// (`64:ff9b::a.b.c.d`) and 6to4 (`2002:aabb:ccdd::`). (IPv4-mapped addresses are read as
/// IPv4 by [`Network::contains`] already.)
fn embedded_ipv4(address: IpAddr) -> Option<Ipv4Addr> {
    let IpAddr::V6(v6) = address else { return None };
    let segments = v6.segments();
    let bits = u128::from(v6);
    match segments {
        [0x64, 0xff9b, 0, 0, 0, 0, _, _] => Some(Ipv4Addr::from(bits as u32)),
        [0x2002, ..] => Some(Ipv4Addr::from((bits >> 80) as u32)),
        _ => None,
    }
}

/// The delivery client's resolver: resolves a receiver's name and refuses it if any address
/// it resolves to is refused, so the addresses connected to are the ones checked.
pub struct CheckingResolver {
    pub policy: Arc<ReceiverPolicy>,
}

impl reqwest::dns::Resolve for CheckingResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let policy = self.policy.clone();
        let host = name.as_str().to_owned();
        Box::pin(async move {
            // Port 0: the client puts the URL's port in.
            let addresses: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            for address in &addresses {
                policy.check_address(Some(&host), address.ip())?;
            }
            let addresses: reqwest::dns::Addrs = Box::new(addresses.into_iter());
            Ok(addresses)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(policy: &ReceiverPolicy, url: &str) -> Option<Refusal> {
        policy.check_url(&Url::parse(url).expect("a URL")).err()
    }

    #[test]
    fn addresses_outside_the_public_internet_are_refused_however_they_are_spelled() {
        let policy = ReceiverPolicy::default();
        for url in [
            "http://127.0.0.1/",
            "http://127.1/",
            "http://0x7f.0.0.1/",
            "http://2130706433/",
            "http://0177.0.0.1/",
            "http://0.0.0.0:8080/",
            "http://[::1]/",
            "http://[::]/",
            "http://[::ffff:127.0.0.1]/",
            "http://[::ffff:7f00:1]/",
            "http://[0:0:0:0:0:ffff:169.254.169.254]/",
            "http://169.254.169.254/latest/meta-data/",
            "http://[fd00:ec2::254]/",
            "http://10.1.2.3/",
            "http://172.31.255.255/",
            "http://192.168.1.1/",
            "http://100.100.100.200/",
            "http://[fe80::1]/",
            "http://[fc00::1]/",
            "http://[64:ff9b::a9fe:a9fe]/",
            "http://[64:ff9b::7f00:1]/",
            "http://[2002:7f00:1::]/",
            "http://[2002:a00:1::1]/",
            "http://224.0.0.1/",
            "http://255.255.255.255/",
            "http://198.18.0.1/",
            "http://[2001:db8::1]/",
        ] {
            let refusal = refused(&policy, url);
            assert!(matches!(refusal, Some(Refusal::Network { .. })), "{url} was not refused: {refusal:?}");
        }
    }

    #[test]
    fn public_addresses_and_names_pass_without_a_lookup() {
        let policy = ReceiverPolicy::default();
        for url in [
            "https://93.184.215.14/hook",
            "http://8.8.8.8:8080/",
            "https://[2606:4700:4700::1111]/",
            "https://[64:ff9b::808:808]/",
            "https://[2002:808:808::]/",
            "https://hooks.example.com/x?y=1",
            "http://localhost/",
        ] {
            assert_eq!(refused(&policy, url), None, "{url}");
        }
    }

    #[test]
    fn only_http_without_credentials() {
        let policy = ReceiverPolicy::default();
        for url in ["file:///etc/passwd", "gopher://example.com/", "ftp://example.com/", "javascript:alert(1)"] {
            assert!(matches!(refused(&policy, url), Some(Refusal::Scheme(_))), "{url}");
        }
        assert_eq!(refused(&policy, "https://user:secret@example.com/"), Some(Refusal::Credentials));
        assert_eq!(refused(&policy, "https://user@example.com/"), Some(Refusal::Credentials));
    }

    #[test]
    fn the_operator_can_allow_a_network_and_only_that_one() {
        let policy = ReceiverPolicy::allowing(vec!["10.20.0.0/16".parse().expect("net"), "::1".parse().expect("one")]);
        assert_eq!(refused(&policy, "http://10.20.3.4/"), None);
        assert_eq!(refused(&policy, "http://[::ffff:10.20.3.4]/"), None, "IPv4-mapped");
        assert_eq!(refused(&policy, "http://[::1]:9000/"), None);
        assert!(refused(&policy, "http://10.21.0.1/").is_some());
        assert!(refused(&policy, "http://127.0.0.1/").is_some());
        assert!(refused(&policy, "http://169.254.169.254/").is_some());
    }

    #[test]
    fn a_refusal_says_what_the_address_is_and_how_to_allow_it() {
        let policy = ReceiverPolicy::default();
        let direct = refused(&policy, "http://169.254.169.254/").expect("refused").to_string();
        assert!(direct.starts_with("169.254.169.254 is link-local"), "{direct}");
        assert!(direct.contains("HINDSIGHT_WEBHOOK_ALLOWED_NETWORKS"), "{direct}");
        let named = policy.check_address(Some("hooks.internal"), "10.0.0.7".parse().expect("ip")).expect_err("refused");
        assert!(named.to_string().starts_with("hooks.internal resolves to 10.0.0.7, which is a private network"));
    }

    #[tokio::test]
    async fn a_typed_name_that_resolves_to_loopback_is_refused() {
        let policy = ReceiverPolicy::default();
        let refusal = policy.check_typed("http://localhost:8080/hook").await.expect_err("refused");
        assert!(refusal.to_string().starts_with("localhost resolves to "), "{refusal}");
        // A name that does not resolve (no DNS, or not set up yet) is left to the delivery.
        assert_eq!(policy.check_typed("https://receiver.invalid/hook").await, Ok(()));
        assert_eq!(policy.check_typed("not a url").await, Err(Refusal::NotAnAddress));
    }
}
