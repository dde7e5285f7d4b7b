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

    /// Log format: human-readable text, or one JSON object per line for log collectors.
    /// RUST_LOG sets the level (default: info).
    #[arg(long, env = "HINDSIGHT_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text, global = true)]
    pub log_format: LogFormat,
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
            .field("log_format", &self.log_format)
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
    fn debug_never_shows_the_password() {
        let url: DatabaseUrl = "postgres://app:hunter2@db/hindsight".parse().expect("valid");
        assert!(!format!("{url:?}").contains("hunter2"));
    }
}
