//! Configuration: typed, read once at start-up from flags and environment variables, and passed
//! down explicitly (never a global).

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, ValueEnum};

/// Settings shared by every command.
#[derive(Clone, Args)]
pub struct Config {
    /// PostgreSQL to use, e.g. postgres://user:pass@db.example:5432/hindsight. The database is
    /// created if it is missing. Without it, Hindsight runs a private PostgreSQL in --data-dir.
    #[arg(long, env = "DATABASE_URL", global = true, hide_env_values = true)]
    pub database_url: Option<DatabaseUrl>,

    /// Address and port to serve HTTP on.
    #[arg(long, env = "HINDSIGHT_LISTEN", default_value = "127.0.0.1:3000", global = true)]
    pub listen: SocketAddr,

    /// Folder for the private PostgreSQL cluster (used only without DATABASE_URL).
    #[arg(long, env = "HINDSIGHT_DATA_DIR", default_value = "./data", global = true)]
    pub data_dir: PathBuf,

    /// Folder holding PostgreSQL's initdb and postgres, if they are not on PATH or in the
    /// usual places.
    #[arg(long, env = "HINDSIGHT_PG_BIN", global = true)]
    pub pg_bin: Option<PathBuf>,

    /// Most database connections this instance opens.
    #[arg(long, env = "HINDSIGHT_POOL_SIZE", default_value_t = 10, global = true,
          value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub pool_size: u32,

    /// How long a request waits for a free database connection before it is answered with
    /// 503 and Retry-After, e.g. 2s or 500ms.
    #[arg(long, env = "HINDSIGHT_ACQUIRE_TIMEOUT", default_value = "2s", global = true,
          value_parser = parse_duration)]
    pub acquire_timeout: Duration,

    /// Longest a request may take once admitted, e.g. 10s. Past it the request is abandoned
    /// and answered 503; every statement is also limited to this (statement_timeout).
    #[arg(long, env = "HINDSIGHT_REQUEST_TIMEOUT", default_value = "10s", global = true,
          value_parser = parse_duration)]
    pub request_timeout: Duration,

    /// Longest a request waits for its turn at the database when --pool-size requests are
    /// already running, e.g. 1s or 500ms; then it is answered 503 with Retry-After (shed).
    /// Shorter sheds sooner but more often: a client that sends again at once comes back
    /// sooner, and at 512 clients against a pool of 10, 250ms meant 1,500 refusals a second
    /// whose handling took a tenth of the throughput; 1s, 120 a second.
    #[arg(long, env = "HINDSIGHT_QUEUE_TIMEOUT", default_value = "1s", global = true,
          value_parser = parse_duration)]
    pub queue_timeout: Duration,

    /// Longest a shutdown (SIGTERM, Ctrl-C) takes, e.g. 10s: in-flight requests get this long
    /// to finish, then are cut off, whatever the database does.
    #[arg(long, env = "HINDSIGHT_SHUTDOWN_TIMEOUT", default_value = "10s", global = true,
          value_parser = parse_duration)]
    pub shutdown_timeout: Duration,

    /// Do not apply migrations at start; refuse to start if the database lacks any. For
    /// PgBouncer in transaction mode, where the migration lock cannot work: run
    /// `hindsight migrate` against PostgreSQL itself first.
    #[arg(long, env = "HINDSIGHT_NO_MIGRATE", global = true)]
    pub no_migrate: bool,

    /// Log format: human-readable text, or one JSON object per line for log collectors.
    /// RUST_LOG sets the level (default: info).
    #[arg(long, env = "HINDSIGHT_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text, global = true)]
    pub log_format: LogFormat,

    /// A signed-in browser is signed out after this long without a request, e.g. 8h, 30m, 2d.
    #[arg(long, env = "HINDSIGHT_SESSION_IDLE_TIMEOUT", default_value = "8h", global = true,
          value_parser = parse_long_duration)]
    pub session_idle_timeout: Duration,

    /// Reverse proxies in front of Hindsight, as addresses or networks (10.0.0.5, 10.0.0.0/8),
    /// comma-separated. Only from these is X-Forwarded-For believed (for login throttling)
    /// and the --auth-proxy-header honoured.
    #[arg(long, env = "HINDSIGHT_TRUSTED_PROXIES", value_delimiter = ',', global = true)]
    pub trusted_proxies: Vec<Network>,

    /// Sign people in by a header their SSO proxy sets (oauth2-proxy, Pomerium, Cloudflare
    /// Access), e.g. X-Forwarded-Email. Honoured only on requests from --trusted-proxies.
    #[arg(long, env = "HINDSIGHT_AUTH_PROXY_HEADER", global = true)]
    pub auth_proxy_header: Option<String>,

    /// The role of a person the SSO proxy signs in for the first time.
    #[arg(long, env = "HINDSIGHT_AUTH_PROXY_DEFAULT_ROLE", default_value = "viewer", global = true,
          value_parser = parse_role)]
    pub auth_proxy_default_role: crate::domain::Role,

    /// When new action items are due by default, by severity, e.g. SEV1=4w,SEV2=8w,SEV3=12w
    /// (days `d` or weeks `w`; a severity left out gets no default).
    #[arg(long, env = "HINDSIGHT_DUE_POLICY", default_value = "SEV1=4w,SEV2=8w,SEV3=12w", global = true)]
    pub due_policy: crate::domain::DuePolicy,

    /// The address people use to reach Hindsight, e.g. https://hindsight.example.com, for
    /// links the command line prints. Defaults to http:// and --listen.
    #[arg(long, env = "HINDSIGHT_PUBLIC_URL", global = true)]
    pub public_url: Option<String>,

    /// Networks a webhook receiver may be on although they are not the public internet,
    /// comma-separated, e.g. 10.20.0.0/16 for a receiver inside the company network.
    /// Receivers on loopback, private (10/8, 172.16/12, 192.168/16, fc00::/7), link-local
    /// (169.254/16, where cloud metadata answers) and other special-use addresses are refused
    /// unless they are in one of these.
    #[arg(long, env = "HINDSIGHT_WEBHOOK_ALLOWED_NETWORKS", value_delimiter = ',', global = true)]
    pub webhook_allowed_networks: Vec<Network>,

    /// The key that seals wiki destinations' deploy keys and tokens in the database: 64 hex
    /// digits (`openssl rand -hex 32`). Without it, one is made in --data-dir/secret.key on
    /// first use. Instances sharing a database need the same key.
    #[arg(long, env = "HINDSIGHT_SECRET_KEY", global = true, hide_env_values = true)]
    pub secret_key: Option<SecretText>,

    /// Let wiki destinations be git repositories on this machine (file://...), for a
    /// single-machine set-up or tests. Off by default: an admin could otherwise have
    /// Hindsight write into any repository its account can reach.
    #[arg(long, env = "HINDSIGHT_WIKI_ALLOW_FILE_URLS", global = true,
          value_parser = clap::builder::BoolishValueParser::new())]
    pub wiki_allow_file_urls: bool,
}

/// A secret given on the command line or in the environment; `Debug` does not show it.
#[derive(Clone)]
pub struct SecretText(pub String);

impl fmt::Debug for SecretText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl std::str::FromStr for SecretText {
    type Err = std::convert::Infallible;
    fn from_str(text: &str) -> Result<SecretText, Self::Err> {
        Ok(SecretText(text.to_owned()))
    }
}

impl Config {
    /// What the operator decided about wiki sync: the sealing key's source, `file://` or not.
    pub fn wiki_settings(&self) -> crate::wiki::WikiSettings {
        crate::wiki::WikiSettings {
            keyring: crate::secrets::Keyring::new(self.secret_key.as_ref().map(|key| key.0.clone()), &self.data_dir),
            allow_file_urls: self.wiki_allow_file_urls,
            git_timeout: crate::wiki::git::COMMAND_LIMIT,
        }
    }
}

/// An address, or a network of them (`10.0.0.5`, `10.0.0.0/8`, `fd00::/8`): reverse proxies
/// to trust, networks webhook receivers may be on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Network {
    network: std::net::IpAddr,
    prefix: u8,
}

impl Network {
    /// The network of `prefix` bits at `network` (for tables of well-known networks).
    pub const fn new(network: std::net::IpAddr, prefix: u8) -> Network {
        Network { network, prefix }
    }

    /// Whether `address` is in this network (an IPv4-mapped IPv6 address counts as IPv4).
    pub fn contains(&self, address: std::net::IpAddr) -> bool {
        use std::net::IpAddr;
        let address = match address {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(address, IpAddr::V4),
            IpAddr::V4(_) => address,
        };
        match (self.network, address) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX.checked_shl(32 - u32::from(self.prefix)).unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX.checked_shl(128 - u32::from(self.prefix)).unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

impl std::str::FromStr for Network {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        let (address, prefix) = s.split_once('/').map_or((s, None), |(a, p)| (a, Some(p)));
        let network: std::net::IpAddr =
            address.parse().map_err(|_| format!("{s:?} is not an IP address or network such as 10.0.0.0/8"))?;
        let most = if network.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => most,
            Some(p) => {
                p.parse::<u8>().ok().filter(|p| *p <= most).ok_or_else(|| format!("{s:?} has a bad prefix length"))?
            }
        };
        Ok(Network { network, prefix })
    }
}

fn parse_role(input: &str) -> Result<crate::domain::Role, String> {
    input.trim().to_lowercase().parse().map_err(|_| "expected viewer, engineer, manager or admin".to_owned())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

/// A connection URL, which may hold a password: `Debug` never prints it.
#[derive(Clone)]
pub struct DatabaseUrl(pub String);

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DatabaseUrl(<redacted>)")
    }
}

impl std::str::FromStr for DatabaseUrl {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.starts_with("postgres://") || s.starts_with("postgresql://") {
            Ok(DatabaseUrl(s.to_owned()))
        } else {
            Err("expected a URL starting with postgres:// or postgresql://".to_owned())
        }
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("database_url", &self.database_url)
            .field("listen", &self.listen)
            .field("data_dir", &self.data_dir)
            .field("pg_bin", &self.pg_bin)
            .field("pool_size", &self.pool_size)
            .field("acquire_timeout", &self.acquire_timeout)
            .field("request_timeout", &self.request_timeout)
            .field("queue_timeout", &self.queue_timeout)
            .field("shutdown_timeout", &self.shutdown_timeout)
            .field("no_migrate", &self.no_migrate)
            .field("log_format", &self.log_format)
            .field("session_idle_timeout", &self.session_idle_timeout)
            .field("trusted_proxies", &self.trusted_proxies)
            .field("auth_proxy_header", &self.auth_proxy_header)
            .field("auth_proxy_default_role", &self.auth_proxy_default_role)
            .field("public_url", &self.public_url)
            .field("due_policy", &self.due_policy)
            .field("webhook_allowed_networks", &self.webhook_allowed_networks)
            .field("secret_key", &self.secret_key)
            .field("wiki_allow_file_urls", &self.wiki_allow_file_urls)
            .finish()
    }
}

/// `2s`, `500ms`, `1.5s`, or a bare number of seconds.
pub fn parse_duration(input: &str) -> Result<Duration, String> {
    let input = input.trim();
    let (number, scale) = if let Some(ms) = input.strip_suffix("ms") {
        (ms, 0.001)
    } else if let Some(s) = input.strip_suffix('s') {
        (s, 1.0)
    } else {
        (input, 1.0)
    };
    let value: f64 = number.trim().parse().map_err(|_| format!("{input:?} is not a duration such as 2s or 500ms"))?;
    if !value.is_finite() || value <= 0.0 || value * scale > 3600.0 {
        return Err(format!("{input:?} must be more than 0 and at most an hour"));
    }
    Ok(Duration::from_secs_f64(value * scale))
}

/// `30m`, `8h`, `2d`: minutes, hours or days, from a minute to 90 days.
pub fn parse_long_duration(input: &str) -> Result<Duration, String> {
    let input = input.trim();
    let unit = match input.chars().last() {
        Some('m') => 60,
        Some('h') => 3600,
        Some('d') => 86_400,
        _ => return Err(format!("{input:?} is not a duration such as 30m, 8h or 2d")),
    };
    let number: u64 = input[..input.len() - 1]
        .trim()
        .parse()
        .map_err(|_| format!("{input:?} is not a duration such as 30m, 8h or 2d"))?;
    let seconds = number.saturating_mul(unit);
    if !(60..=90 * 86_400).contains(&seconds) {
        return Err(format!("{input:?} must be from 1m to 90d"));
    }
    Ok(Duration::from_secs(seconds))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse() {
        assert_eq!(parse_duration("2s"), Ok(Duration::from_secs(2)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("1.5"), Ok(Duration::from_millis(1500)));
        assert!(parse_duration("0s").is_err());
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("-1s").is_err());
    }

    #[test]
    fn long_durations_parse() {
        assert_eq!(parse_long_duration("8h"), Ok(Duration::from_secs(8 * 3600)));
        assert_eq!(parse_long_duration("30m"), Ok(Duration::from_secs(1800)));
        assert_eq!(parse_long_duration("2d"), Ok(Duration::from_secs(2 * 86_400)));
        assert!(parse_long_duration("0m").is_err());
        assert!(parse_long_duration("8").is_err());
        assert!(parse_long_duration("365d").is_err());
    }

    #[test]
    fn networks_match_addresses() {
        let one: Network = "10.0.0.5".parse().expect("address");
        let net: Network = "10.0.0.0/8".parse().expect("network");
        let v6: Network = "fd00::/8".parse().expect("network");
        let all: Network = "0.0.0.0/0".parse().expect("network");
        assert!(one.contains("10.0.0.5".parse().expect("ip")));
        assert!(!one.contains("10.0.0.6".parse().expect("ip")));
        assert!(net.contains("10.200.0.1".parse().expect("ip")));
        assert!(net.contains("::ffff:10.1.2.3".parse().expect("ip")), "IPv4-mapped IPv6");
        assert!(!net.contains("11.0.0.1".parse().expect("ip")));
        assert!(v6.contains("fd12::1".parse().expect("ip")));
        assert!(!v6.contains("10.0.0.5".parse().expect("ip")));
        assert!(all.contains("192.0.2.1".parse().expect("ip")));
        assert!("10.0.0.0/33".parse::<Network>().is_err());
        assert!("proxy.local".parse::<Network>().is_err());
    }

    #[test]
    fn debug_never_shows_the_password() {
        let url: DatabaseUrl = "postgres://app:hunter2@db/hindsight".parse().expect("valid");
        assert!(!format!("{url:?}").contains("hunter2"));
    }
}
