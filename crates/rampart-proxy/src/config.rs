//! `rampart serve`'s configuration: one TOML file, every key also settable from the
//! environment, turned into listeners, upstreams and the ordered SecLang sources of the rule set.
//!
//! The CRS shortcuts exist because CRS's own container image configures CRS from environment
//! variables by writing `SecAction`s; operators who tune CRS that way keep doing so here, with
//! the same variables landing in the same `tx.*` names.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

/// A configuration that cannot be used, with where the problem is.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("environment variable {name}: {message}")]
    Env { name: String, message: String },
    #[error("{key}: {message}")]
    Invalid { key: &'static str, message: String },
}

/// The whole file.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub server: ServerConfig,
    pub tls: TlsConfig,
    pub upstream: UpstreamConfig,
    pub waf: WafConfig,
    pub crs: CrsConfig,
    pub log: LogConfig,
    /// Relative paths in the file are relative to the file's directory.
    #[serde(skip)]
    pub base_dir: PathBuf,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServerConfig {
    /// Plain-HTTP listeners: HTTP/1.1 and HTTP/2 with prior knowledge (h2c).
    pub listen: Vec<SocketAddr>,
    /// HTTPS listeners: HTTP/1.1 and HTTP/2 chosen by ALPN. Needs `[tls]`.
    pub tls_listen: Vec<SocketAddr>,
    /// `/healthz`, `/readyz`, `/metrics`, `POST /reload`.
    pub admin_listen: Option<SocketAddr>,
    /// How long a shutdown waits for in-flight exchanges.
    pub shutdown_grace_ms: u64,
    /// Time allowed to receive a request's headers.
    pub header_read_timeout_ms: u64,
    /// Peers whose `X-Forwarded-For` / `Forwarded` are believed (addresses or CIDRs).
    pub trusted_proxies: Vec<String>,
    /// What a request gets when the engine fails on it: `closed` (503) or `open` (forwarded).
    pub fail_mode: FailMode,
    /// Worker threads serving exchanges (default: one per CPU).
    pub workers: Option<usize>,
    /// The host name written to logs (`[hostname "…"]`); by default the request's `Host`.
    pub hostname: Option<String>,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            listen: vec![SocketAddr::from(([127, 0, 0, 1], 8080))],
            tls_listen: Vec::new(),
            admin_listen: Some(SocketAddr::from(([127, 0, 0, 1], 9901))),
            shutdown_grace_ms: 30_000,
            header_read_timeout_ms: 30_000,
            trusted_proxies: Vec::new(),
            fail_mode: FailMode::Closed,
            workers: None,
            hostname: None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FailMode {
    Closed,
    Open,
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct TlsConfig {
    /// PEM certificate chain.
    pub cert: Option<PathBuf>,
    /// PEM private key (PKCS#8, PKCS#1 or SEC1).
    pub key: Option<PathBuf>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct UpstreamConfig {
    /// `host:port` of each upstream server; requests go round-robin over the healthy ones.
    pub servers: Vec<String>,
    pub connect_timeout_ms: u64,
    /// Time allowed for the upstream's response headers, and between two body reads.
    pub read_timeout_ms: u64,
    /// How long an idle pooled connection is kept.
    pub idle_timeout_ms: u64,
    pub max_idle_per_server: usize,
    /// Path probed with GET on each server; a server is healthy while it answers < 500.
    pub health_check_path: Option<String>,
    pub health_check_interval_ms: u64,
}

impl Default for UpstreamConfig {
    fn default() -> Self {
        UpstreamConfig {
            servers: Vec::new(),
            connect_timeout_ms: 3_000,
            read_timeout_ms: 60_000,
            idle_timeout_ms: 90_000,
            max_idle_per_server: 64,
            health_check_path: None,
            health_check_interval_ms: 5_000,
        }
    }
}

/// Which engine evaluates the rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EngineKind {
    Native,
    Modsecurity,
}

/// `SecRuleEngine`, set last so that it wins over the files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum RuleEngineMode {
    On,
    DetectionOnly,
    Off,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WafConfig {
    pub engine: EngineKind,
    /// Start from rampart's built-in equivalent of `modsecurity.conf-recommended` (body access,
    /// limits, response MIME types), with the engine On.
    pub base_config: bool,
    /// SecLang files (globs allowed), loaded in order after the base configuration.
    pub rules: Vec<String>,
    /// Directives loaded after every file, CRS included: exclusions and tuning.
    pub directives: String,
    /// Overrides `SecRuleEngine`.
    pub mode: Option<RuleEngineMode>,
}

impl Default for WafConfig {
    fn default() -> Self {
        WafConfig {
            engine: EngineKind::Native,
            base_config: true,
            rules: Vec::new(),
            directives: String::new(),
            mode: None,
        }
    }
}

/// The OWASP CRS and the settings CRS's container image takes from its environment.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CrsConfig {
    pub enabled: bool,
    /// CRS's root: `rules/*.conf` under it are loaded in name order.
    pub path: PathBuf,
    /// The setup file; by default `<path>/crs-setup.conf.example` when it exists, else
    /// Debian's `/etc/modsecurity/crs/crs-setup.conf`.
    pub setup: Option<PathBuf>,
    pub paranoia_level: Option<u8>,
    pub blocking_paranoia_level: Option<u8>,
    pub detection_paranoia_level: Option<u8>,
    pub inbound_anomaly_threshold: Option<u32>,
    pub outbound_anomaly_threshold: Option<u32>,
    pub allowed_methods: Option<String>,
    pub allowed_request_content_type: Option<String>,
    pub allowed_http_versions: Option<String>,
    pub restricted_extensions: Option<String>,
    pub max_num_args: Option<u32>,
    pub arg_name_length: Option<u32>,
    pub arg_length: Option<u32>,
    pub total_arg_length: Option<u32>,
    pub max_file_size: Option<u64>,
    pub combined_file_sizes: Option<u64>,
}

impl Default for CrsConfig {
    fn default() -> Self {
        CrsConfig {
            enabled: true,
            path: PathBuf::from("/usr/share/modsecurity-crs"),
            setup: None,
            paranoia_level: None,
            blocking_paranoia_level: None,
            detection_paranoia_level: None,
            inbound_anomaly_threshold: None,
            outbound_anomaly_threshold: None,
            allowed_methods: None,
            allowed_request_content_type: None,
            allowed_http_versions: None,
            restricted_extensions: None,
            max_num_args: None,
            arg_name_length: None,
            arg_length: None,
            total_arg_length: None,
            max_file_size: None,
            combined_file_sizes: None,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogConfig {
    /// ModSecurity's error-log lines: a path, `stderr` or `off`.
    pub error_log: String,
    /// ModSecurity's JSON audit log, one object per line: a path or `off`. What goes in follows
    /// the rules' `SecAuditEngine`, `SecAuditLogParts` and `SecAuditLogRelevantStatus`.
    pub audit_log: String,
    /// One line per exchange: a path, `stdout` or `off`.
    pub access_log: String,
}

impl Default for LogConfig {
    fn default() -> Self {
        LogConfig {
            error_log: "stderr".into(),
            audit_log: "off".into(),
            access_log: "stdout".into(),
        }
    }
}

/// Where a log goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogTarget {
    Off,
    Stdout,
    Stderr,
    File(PathBuf),
}

impl LogTarget {
    pub fn parse(text: &str) -> LogTarget {
        match text {
            "" | "off" => LogTarget::Off,
            "stdout" | "-" => LogTarget::Stdout,
            "stderr" => LogTarget::Stderr,
            path => LogTarget::File(PathBuf::from(path)),
        }
    }
}

/// The prefix of environment variables that override keys: `RAMPART_<SECTION>__<KEY>`, e.g.
/// `RAMPART_CRS__PARANOIA_LEVEL=2` or `RAMPART_UPSTREAM__SERVERS=10.0.0.5:80,10.0.0.6:80`.
pub const ENV_PREFIX: &str = "RAMPART_";

/// Keys whose values are lists; an environment value for them is split on commas.
const LIST_KEYS: &[(&str, &str)] = &[
    ("server", "listen"),
    ("server", "tls_listen"),
    ("server", "trusted_proxies"),
    ("upstream", "servers"),
    ("waf", "rules"),
];

impl Config {
    /// Reads `path` (when given), then applies the environment's overrides.
    pub fn load(path: Option<&Path>) -> Result<Config, ConfigError> {
        let text = match path {
            Some(path) => std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
                path: path.to_path_buf(),
                source,
            })?,
            None => String::new(),
        };
        let origin = path.map_or_else(|| PathBuf::from("<defaults>"), Path::to_path_buf);
        let mut config = Config::from_parts(&text, &origin, std::env::vars())?;
        if let Some(dir) = path.and_then(Path::parent) {
            config.base_dir = dir.to_path_buf();
        }
        Ok(config)
    }

    /// The file's text and an environment, merged and checked.
    pub fn from_parts(
        text: &str,
        origin: &Path,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Config, ConfigError> {
        let mut table: toml::Table = toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: origin.to_path_buf(),
            message: e.to_string(),
        })?;
        let mut overrides: BTreeMap<String, String> = BTreeMap::new();
        for (name, value) in env {
            if name.starts_with(ENV_PREFIX) && name.contains("__") {
                overrides.insert(name, value);
            }
        }
        for (name, value) in overrides {
            apply_env(&mut table, &name, &value)?;
        }
        let config: Config =
            Config::deserialize(toml::Value::Table(table)).map_err(|e| ConfigError::Parse {
                path: origin.to_path_buf(),
                message: e.to_string(),
            })?;
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        if self.server.listen.is_empty() && self.server.tls_listen.is_empty() {
            return Err(ConfigError::Invalid {
                key: "server.listen",
                message: "no listener: set server.listen or server.tls_listen".into(),
            });
        }
        if !self.server.tls_listen.is_empty() && (self.tls.cert.is_none() || self.tls.key.is_none())
        {
            return Err(ConfigError::Invalid {
                key: "tls.cert",
                message: "server.tls_listen needs tls.cert and tls.key".into(),
            });
        }
        if self.upstream.servers.is_empty() {
            return Err(ConfigError::Invalid {
                key: "upstream.servers",
                message: "no upstream server".into(),
            });
        }
        for server in &self.upstream.servers {
            if crate::upstream::parse_authority(server).is_none() {
                return Err(ConfigError::Invalid {
                    key: "upstream.servers",
                    message: format!("`{server}` is not host:port"),
                });
            }
        }
        for proxy in &self.server.trusted_proxies {
            if crate::forwarded::Cidr::parse(proxy).is_none() {
                return Err(ConfigError::Invalid {
                    key: "server.trusted_proxies",
                    message: format!("`{proxy}` is not an address or CIDR"),
                });
            }
        }
        for (key, level) in [
            ("crs.paranoia_level", self.crs.paranoia_level),
            (
                "crs.blocking_paranoia_level",
                self.crs.blocking_paranoia_level,
            ),
            (
                "crs.detection_paranoia_level",
                self.crs.detection_paranoia_level,
            ),
        ] {
            if let Some(level) = level {
                if !(1..=4).contains(&level) {
                    return Err(ConfigError::Invalid {
                        key,
                        message: format!("{level} is not a paranoia level (1-4)"),
                    });
                }
            }
        }
        if self.upstream.health_check_interval_ms == 0 {
            return Err(ConfigError::Invalid {
                key: "upstream.health_check_interval_ms",
                message: "must be positive".into(),
            });
        }
        Ok(())
    }

    pub fn shutdown_grace(&self) -> Duration {
        Duration::from_millis(self.server.shutdown_grace_ms)
    }

    /// The rule set's sources, in load order: the base configuration, `waf.rules`, CRS's setup,
    /// the CRS shortcuts, CRS's rules, `waf.directives`, and `waf.mode`.
    pub fn rule_sources(&self) -> Result<Vec<RuleSource>, ConfigError> {
        let mut sources = Vec::new();
        if self.waf.base_config {
            sources.push(RuleSource::Inline {
                origin: "<rampart base config>".into(),
                text: BASE_CONFIG.into(),
            });
        }
        for pattern in &self.waf.rules {
            sources.push(RuleSource::File(self.resolve(Path::new(pattern))));
        }
        if self.crs.enabled {
            let crs_path = self.resolve(&self.crs.path);
            let setup = match &self.crs.setup {
                Some(setup) => self.resolve(setup),
                None => {
                    let example = crs_path.join("crs-setup.conf.example");
                    if example.exists() {
                        example
                    } else {
                        PathBuf::from("/etc/modsecurity/crs/crs-setup.conf")
                    }
                }
            };
            if !setup.exists() {
                return Err(ConfigError::Invalid {
                    key: "crs.setup",
                    message: format!("{} does not exist", setup.display()),
                });
            }
            let rules = crs_path.join("rules");
            if !rules.is_dir() {
                return Err(ConfigError::Invalid {
                    key: "crs.path",
                    message: format!("{} has no rules/ directory", crs_path.display()),
                });
            }
            sources.push(RuleSource::File(setup));
            let shortcuts = self.crs_shortcuts(crs_major_version(&rules));
            if !shortcuts.is_empty() {
                sources.push(RuleSource::Inline {
                    origin: "<crs settings>".into(),
                    text: shortcuts,
                });
            }
            sources.push(RuleSource::File(rules.join("*.conf")));
        }
        if !self.waf.directives.trim().is_empty() {
            sources.push(RuleSource::Inline {
                origin: "<waf.directives>".into(),
                text: self.waf.directives.clone(),
            });
        }
        if let Some(mode) = self.waf.mode {
            let mode = match mode {
                RuleEngineMode::On => "On",
                RuleEngineMode::DetectionOnly => "DetectionOnly",
                RuleEngineMode::Off => "Off",
            };
            sources.push(RuleSource::Inline {
                origin: "<waf.mode>".into(),
                text: format!("SecRuleEngine {mode}\n"),
            });
        }
        Ok(sources)
    }

    /// `path` relative to the configuration file's directory.
    pub fn resolve(&self, path: &Path) -> PathBuf {
        if path.is_absolute() || self.base_dir.as_os_str().is_empty() {
            path.to_path_buf()
        } else {
            self.base_dir.join(path)
        }
    }

    /// The `SecAction`s CRS's container image writes for the settings given, under the
    /// variable names of CRS `major` (3 or 4).
    pub fn crs_shortcuts(&self, major: u8) -> String {
        let crs = &self.crs;
        let mut text = String::new();
        let mut action = |id: u32, var: &str, value: String| {
            text.push_str(&format!(
                "SecAction \"id:{id},phase:1,pass,nolog,t:none,setvar:'tx.{var}={}'\"\n",
                value.replace('\\', "\\\\").replace('\'', "\\'")
            ));
        };
        let (blocking, detection) = if major >= 4 {
            ("blocking_paranoia_level", "detection_paranoia_level")
        } else {
            ("paranoia_level", "executing_paranoia_level")
        };
        if let Some(level) = crs.blocking_paranoia_level.or(crs.paranoia_level) {
            action(900000, blocking, level.to_string());
        }
        if let Some(level) = crs.detection_paranoia_level {
            action(900001, detection, level.to_string());
        }
        if let Some(n) = crs.inbound_anomaly_threshold {
            action(900110, "inbound_anomaly_score_threshold", n.to_string());
        }
        if let Some(n) = crs.outbound_anomaly_threshold {
            action(900111, "outbound_anomaly_score_threshold", n.to_string());
        }
        if let Some(methods) = &crs.allowed_methods {
            action(900200, "allowed_methods", methods.clone());
        }
        if let Some(types) = &crs.allowed_request_content_type {
            action(900220, "allowed_request_content_type", types.clone());
        }
        if let Some(versions) = &crs.allowed_http_versions {
            action(900230, "allowed_http_versions", versions.clone());
        }
        if let Some(extensions) = &crs.restricted_extensions {
            action(900240, "restricted_extensions", extensions.clone());
        }
        if let Some(n) = crs.max_num_args {
            action(900300, "max_num_args", n.to_string());
        }
        if let Some(n) = crs.arg_name_length {
            action(900310, "arg_name_length", n.to_string());
        }
        if let Some(n) = crs.arg_length {
            action(900320, "arg_length", n.to_string());
        }
        if let Some(n) = crs.total_arg_length {
            action(900330, "total_arg_length", n.to_string());
        }
        if let Some(n) = crs.max_file_size {
            action(900340, "max_file_size", n.to_string());
        }
        if let Some(n) = crs.combined_file_sizes {
            action(900350, "combined_file_sizes", n.to_string());
        }
        text
    }
}

/// One source of SecLang text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuleSource {
    /// A path or glob.
    File(PathBuf),
    Inline {
        origin: String,
        text: String,
    },
}

/// CRS v4 added the multipart-attack rules; their presence tells the two apart.
fn crs_major_version(rules: &Path) -> u8 {
    if rules.join("REQUEST-922-MULTIPART-ATTACK.conf").exists() {
        4
    } else {
        3
    }
}

/// What `modsecurity.conf-recommended` sets that a proxy needs, with the engine On: request
/// and response bodies inspected within ModSecurity's default limits, the usual body
/// processors, and the response MIME types worth reading.
const BASE_CONFIG: &str = r#"SecRuleEngine On
SecRequestBodyAccess On
SecRule REQUEST_HEADERS:Content-Type "^(?:application(?:/soap\+|/)|text/)xml" \
     "id:'200000',phase:1,t:none,t:lowercase,pass,nolog,ctl:requestBodyProcessor=XML"
SecRule REQUEST_HEADERS:Content-Type "^application/json" \
     "id:'200001',phase:1,t:none,t:lowercase,pass,nolog,ctl:requestBodyProcessor=JSON"
SecRequestBodyLimit 13107200
SecRequestBodyNoFilesLimit 131072
SecRequestBodyLimitAction Reject
SecRequestBodyJsonDepthLimit 512
SecArgumentsLimit 1000
SecRule &ARGS "@ge 1000" \
"id:'200007', phase:2,t:none,log,deny,status:400,msg:'Failed to fully parse request body due to large argument count',severity:2"
SecRule REQBODY_ERROR "!@eq 0" \
"id:'200002', phase:2,t:none,log,deny,status:400,msg:'Failed to parse request body.',logdata:'%{reqbody_error_msg}',severity:2"
SecRule MULTIPART_STRICT_ERROR "!@eq 0" \
"id:'200003',phase:2,t:none,log,deny,status:400, \
msg:'Multipart request body failed strict validation: \
PE %{REQBODY_PROCESSOR_ERROR}, \
BQ %{MULTIPART_BOUNDARY_QUOTED}, \
BW %{MULTIPART_BOUNDARY_WHITESPACE}, \
DB %{MULTIPART_DATA_BEFORE}, \
DA %{MULTIPART_DATA_AFTER}, \
HF %{MULTIPART_HEADER_FOLDING}, \
LF %{MULTIPART_LF_LINE}, \
SM %{MULTIPART_MISSING_SEMICOLON}, \
IQ %{MULTIPART_INVALID_QUOTING}, \
IP %{MULTIPART_INVALID_PART}, \
IH %{MULTIPART_INVALID_HEADER_FOLDING}, \
FL %{MULTIPART_FILE_LIMIT_EXCEEDED}'"
SecRule MULTIPART_UNMATCHED_BOUNDARY "@eq 1" \
    "id:'200004',phase:2,t:none,log,deny,msg:'Multipart parser detected a possible unmatched boundary.'"
SecPcreMatchLimit 1000
SecPcreMatchLimitRecursion 1000
SecResponseBodyAccess On
SecResponseBodyMimeType text/plain text/html text/xml application/json
SecResponseBodyLimit 524288
SecResponseBodyLimitAction ProcessPartial
SecAuditEngine RelevantOnly
SecAuditLogRelevantStatus "^(?:5|4(?!04))"
SecAuditLogParts ABIJDEFHZ
SecAuditLogType Serial
SecAuditLogFormat JSON
SecArgumentSeparator &
SecCookieFormat 0
SecStatusEngine Off
"#;

/// Sets `[section] key` from `RAMPART_SECTION__KEY`.
fn apply_env(table: &mut toml::Table, name: &str, raw: &str) -> Result<(), ConfigError> {
    let env_error = |message: String| ConfigError::Env {
        name: name.to_string(),
        message,
    };
    let rest = &name[ENV_PREFIX.len()..];
    let Some((section, key)) = rest.split_once("__") else {
        return Err(env_error("expected RAMPART_<SECTION>__<KEY>".into()));
    };
    let section = section.to_ascii_lowercase();
    let key = key.to_ascii_lowercase();
    let is_list = LIST_KEYS
        .iter()
        .any(|(s, k)| *s == section.as_str() && *k == key.as_str());
    let value = if is_list && !raw.trim_start().starts_with('[') {
        toml::Value::Array(
            raw.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| toml::Value::String(s.to_string()))
                .collect(),
        )
    } else {
        // A TOML literal when it is one (numbers, booleans, arrays, quoted strings), the raw
        // text as a string otherwise.
        match toml::from_str::<toml::Table>(&format!("v = {raw}")) {
            Ok(mut parsed) => parsed
                .remove("v")
                .unwrap_or_else(|| toml::Value::String(raw.to_string())),
            Err(_) => toml::Value::String(raw.to_string()),
        }
    };
    let entry = table
        .entry(section.clone())
        .or_insert_with(|| toml::Value::Table(toml::Table::new()));
    match entry {
        toml::Value::Table(section_table) => {
            section_table.insert(key, value);
            Ok(())
        }
        _ => Err(env_error(format!("`{section}` is not a section"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str, env: &[(&str, &str)]) -> Result<Config, ConfigError> {
        Config::from_parts(
            text,
            Path::new("test.toml"),
            env.iter().map(|(k, v)| (k.to_string(), v.to_string())),
        )
    }

    const MINIMAL: &str = "[upstream]\nservers = [\"127.0.0.1:3000\"]\n";

    #[test]
    fn defaults_fill_what_the_file_leaves_out() {
        let config = parse(MINIMAL, &[]).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            config.server.listen,
            vec!["127.0.0.1:8080".parse().unwrap_or_else(|_| unreachable!())]
        );
        assert_eq!(config.server.fail_mode, FailMode::Closed);
        assert!(config.crs.enabled);
        assert_eq!(config.log.error_log, "stderr");
    }

    #[test]
    fn environment_overrides_the_file() {
        let config = parse(
            "[crs]\nparanoia_level = 1\n[upstream]\nservers = [\"a:1\"]\n",
            &[
                ("RAMPART_CRS__PARANOIA_LEVEL", "3"),
                ("RAMPART_UPSTREAM__SERVERS", "10.0.0.5:80, 10.0.0.6:80"),
                ("RAMPART_SERVER__FAIL_MODE", "open"),
                ("RAMPART_WAF__MODE", "DetectionOnly"),
                ("UNRELATED", "x"),
            ],
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(config.crs.paranoia_level, Some(3));
        assert_eq!(config.upstream.servers, vec!["10.0.0.5:80", "10.0.0.6:80"]);
        assert_eq!(config.server.fail_mode, FailMode::Open);
        assert_eq!(config.waf.mode, Some(RuleEngineMode::DetectionOnly));
    }

    #[test]
    fn unknown_keys_and_bad_values_are_errors() {
        let unknown = parse("[server]\nlisten_on = []\n", &[]);
        assert!(
            matches!(unknown, Err(ConfigError::Parse { .. })),
            "{unknown:?}"
        );
        let level = parse(&format!("{MINIMAL}[crs]\nparanoia_level = 7\n"), &[]);
        assert!(
            matches!(
                level,
                Err(ConfigError::Invalid {
                    key: "crs.paranoia_level",
                    ..
                })
            ),
            "{level:?}"
        );
        let upstream = parse("[upstream]\nservers = [\"no-port\"]\n", &[]);
        assert!(
            matches!(upstream, Err(ConfigError::Invalid { .. })),
            "{upstream:?}"
        );
        let tls = parse(
            &format!("{MINIMAL}[server]\ntls_listen = [\"127.0.0.1:8443\"]\n"),
            &[],
        );
        assert!(
            matches!(
                tls,
                Err(ConfigError::Invalid {
                    key: "tls.cert",
                    ..
                })
            ),
            "{tls:?}"
        );
        let env = parse(MINIMAL, &[("RAMPART_SERVER__FAIL_MODE", "sideways")]);
        assert!(env.is_err());
    }

    #[test]
    fn crs_shortcuts_use_each_versions_names() {
        let config = parse(
            &format!(
                "{MINIMAL}[crs]\nparanoia_level = 2\ndetection_paranoia_level = 3\n\
                 inbound_anomaly_threshold = 10\nallowed_methods = \"GET POST\"\nmax_num_args = 50\n"
            ),
            &[],
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let v4 = config.crs_shortcuts(4);
        assert!(
            v4.contains("id:900000,") && v4.contains("tx.blocking_paranoia_level=2"),
            "{v4}"
        );
        assert!(v4.contains("tx.detection_paranoia_level=3"), "{v4}");
        assert!(v4.contains("tx.inbound_anomaly_score_threshold=10"), "{v4}");
        assert!(v4.contains("setvar:'tx.allowed_methods=GET POST'"), "{v4}");
        assert!(v4.contains("tx.max_num_args=50"), "{v4}");
        let v3 = config.crs_shortcuts(3);
        assert!(v3.contains("tx.paranoia_level=2") && v3.contains("tx.executing_paranoia_level=3"));
        // The text is valid SecLang.
        rampart_seclang::parse_str(&v4, "shortcuts").unwrap_or_else(|e| panic!("{e:?}"));
    }
}
