//! Command-line flags (parsed with `lexopt`) and environment variables, into one `Config`.
//! `--help` prints the same list this file parses.

use std::path::PathBuf;

use crate::lifecycle::Dialect;

#[derive(Debug, Clone)]
pub struct Config {
    pub host: String,
    pub port: u16,
    pub secret_key: String,
    /// Where the key came from, for the start-up banner (which never prints the key).
    pub secret_key_source: &'static str,
    pub dialect: Dialect,
    pub token_ttl_secs: i64,
    pub webhook_url: Option<String>,
    pub webhook_secret: String,
    pub webhook_attempts: u32,
    pub webhook_backoff_ms: u64,
    /// Exact origins or `scheme://host:*` patterns; empty means the defaults.
    pub cors_origins: Vec<String>,
    /// Merchant origins (or `scheme://host:*` patterns) that may frame the card fields and the 3-D
    /// Secure challenge; empty means the local defaults.
    pub frame_ancestors: Vec<String>,
    pub www_dir: PathBuf,
    pub pkg_dir: PathBuf,
    pub heartbeat_secs: f64,
    pub async_settle_secs: f64,
    /// How often real time runs due timers.
    pub tick_ms: u64,
    /// One stderr line per request (method, path, status, time); never headers or bodies.
    pub log: bool,
    /// Serves the demo's unauthenticated merchant routes (`/demo/*`); `npm start` and the tests set it.
    pub demo: bool,
    /// The origin the sandbox is reached at besides its bound address (a proxy, a container name):
    /// its host is accepted in `Host`, and it is an allowed page origin.
    pub public_origin: Option<String>,
    /// How long a client may take to send a request's headers (also idle keep-alive connections).
    pub header_timeout_secs: f64,
    /// Open connections at most; more wait in the accept queue.
    pub max_connections: usize,
    /// Request bodies larger than this are refused with 413.
    pub max_body_bytes: usize,
    /// Payment intents that are not terminal, at most; creating more answers 429.
    pub max_live_intents: usize,
    /// Terminal intents kept; beyond it the oldest are forgotten.
    pub max_terminal_intents: usize,
    /// The merchant account's accepted card schemes (Dojo's `CardScheme` names), recorded on each new
    /// intent as `merchantConfig.supportedPaymentMethods.cardSchemes` and enforced when it is paid.
    pub card_schemes: Vec<String>,
}

pub const HELP: &str = "\
intent-sandbox: a stateful payment-intents server for intent-checkout (Dojo-shaped API)

USAGE: intent-sandbox [FLAGS]

  --port N                 port to listen on (env PORT; default 4242; 0 picks a free one)
  --host H                 address to bind (default 127.0.0.1)
  --secret-key K           merchant secret key for `Authorization: Basic K` (env SANDBOX_SECRET_KEY;
                           default sk_sandbox_local)
  --dialect D              default dialect for new intents: dojo | stripe | setel (default dojo)
  --token-ttl S            client session secret lifetime in seconds (default 1800)
  --webhook-url U          shortcut: a webhook subscription of U (http://) to every event
  --webhook-secret S       its signing secret (default whsec_sandbox_local)
  --webhook-attempts N     delivery attempts per event (default 6)
  --webhook-backoff-ms MS  first retry delay on the sandbox clock, doubled each attempt (default 1000)
  --cors-origin O          allowed browser origin, repeatable; `http://127.0.0.1:*` matches any port
                           (default: http://127.0.0.1:* and http://localhost:*)
  --frame-ancestor O       merchant origin allowed to frame the card fields and the 3-D Secure page,
                           repeatable; same patterns as --cors-origin (default: http://127.0.0.1:*
                           and http://localhost:*)
  --www-dir DIR            static files served at / (default <repo>/www)
  --pkg-dir DIR            static files served at /pkg (default <repo>/pkg)
  --heartbeat S            seconds between `: ping` comments on event streams (default 15)
  --async-settle-delay S   seconds before card 4000 0000 0000 0077 settles (default 3)
  --card-schemes LIST      the merchant's accepted card schemes, comma-separated Dojo names (default
                           VISA,MASTERCARD,MAESTRO,DISCOVER,DCI,AMEX,JCB,UNIONPAY); payments with
                           other cards are refused (400 card_scheme_not_accepted)
  --log                    print one line per request to stderr (method, path, status, time;
                           never headers or bodies, so never a secret)
  --demo                   serve the demo shop's merchant routes (/demo/*, no auth; only for intents
                           they created); npm start sets it
  --public-origin URL      origin the sandbox is also reached at (accepted as Host, allowed as Origin)
  --header-timeout S       seconds a client may take to send request headers (default 10)
  --max-connections N      open connections at most (default 512)
  --max-body-bytes N       largest request body (default 65536)
  --max-intents N          non-terminal payment intents at most; more answer 429 (default 100000)
  --max-terminal-intents N terminal intents kept; the oldest beyond it are forgotten (default 10000)
  --help                   print this help
";

impl Config {
    pub fn defaults() -> Config {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
        Config {
            host: "127.0.0.1".into(),
            port: 4242,
            secret_key: "sk_sandbox_local".into(),
            secret_key_source: "the default (see --help; set your own with --secret-key)",
            dialect: Dialect::Dojo,
            token_ttl_secs: 30 * 60,
            webhook_url: None,
            webhook_secret: "whsec_sandbox_local".into(),
            webhook_attempts: 6,
            webhook_backoff_ms: 1000,
            cors_origins: Vec::new(),
            frame_ancestors: Vec::new(),
            www_dir: root.join("www"),
            pkg_dir: root.join("pkg"),
            heartbeat_secs: 15.0,
            async_settle_secs: 3.0,
            tick_ms: 200,
            log: false,
            demo: false,
            public_origin: None,
            header_timeout_secs: 10.0,
            max_connections: 512,
            max_body_bytes: 64 * 1024,
            max_live_intents: 100_000,
            max_terminal_intents: 10_000,
            card_schemes: crate::details::CARD_SCHEMES
                .iter()
                .map(|s| s.to_string())
                .collect(),
        }
    }

    /// Parses flags after the program name; `Ok(None)` means `--help` was asked for.
    pub fn from_args(
        args: impl IntoIterator<Item = String>,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Option<Config>, String> {
        use lexopt::prelude::*;
        let mut c = Config::defaults();
        if let Some(p) = env("PORT") {
            c.port = p
                .parse()
                .map_err(|_| format!("PORT is not a port number: {p}"))?;
        }
        if let Some(k) = env("SANDBOX_SECRET_KEY") {
            c.secret_key = k;
            c.secret_key_source = "from SANDBOX_SECRET_KEY (not shown)";
        }
        let mut parser = lexopt::Parser::from_args(args);
        while let Some(arg) = parser.next().map_err(|e| e.to_string())? {
            let Long(flag) = arg else {
                return match arg {
                    Short('h') => Ok(None),
                    other => Err(format!("{} (see --help)", other.unexpected())),
                };
            };
            let flag = format!("--{flag}");
            let mut value = || -> Result<String, String> {
                parser
                    .value()
                    .map_err(|_| format!("{flag} needs a value"))?
                    .string()
                    .map_err(|_| format!("{flag} needs a UTF-8 value"))
            };
            let number = |v: String, what: &str| -> Result<u64, String> {
                v.parse().map_err(|_| format!("{flag} needs {what}"))
            };
            let secs = |v: String| -> Result<f64, String> {
                v.parse::<f64>()
                    .ok()
                    .filter(|s| s.is_finite() && *s >= 0.0)
                    .ok_or_else(|| format!("{flag} needs a number of seconds"))
            };
            match flag.as_str() {
                "--help" => return Ok(None),
                "--host" => c.host = value()?,
                "--port" => {
                    c.port = u16::try_from(number(value()?, "a port number")?)
                        .map_err(|_| "--port needs a port number".to_string())?
                }
                "--secret-key" => {
                    c.secret_key = value()?;
                    c.secret_key_source = "from --secret-key (not shown)";
                }
                "--dialect" => {
                    let d = value()?;
                    c.dialect = Dialect::from_name(&d)
                        .ok_or(format!("--dialect must be dojo, stripe or setel, not {d}"))?;
                }
                // Capped so that deadlines stay far from integer overflow.
                "--token-ttl" => c.token_ttl_secs = secs(value()?)?.clamp(1.0, 3.2e8) as i64,
                "--webhook-url" => c.webhook_url = Some(value()?),
                "--webhook-secret" => c.webhook_secret = value()?,
                "--webhook-attempts" => {
                    c.webhook_attempts = u32::try_from(number(value()?, "a number")?)
                        .map_err(|_| "--webhook-attempts is too large".to_string())?
                }
                "--webhook-backoff-ms" => c.webhook_backoff_ms = number(value()?, "a number")?,
                "--cors-origin" => c.cors_origins.push(value()?),
                "--frame-ancestor" => c.frame_ancestors.push(frame_ancestor(value()?)?),
                "--log" => c.log = true,
                "--demo" => c.demo = true,
                "--public-origin" => {
                    let o = value()?;
                    let ok = (o.starts_with("http://") || o.starts_with("https://"))
                        && !o.trim_end_matches('/').contains(['?', '#'])
                        && o.trim_end_matches('/').split('/').count() == 3;
                    if !ok {
                        return Err(format!(
                            "--public-origin must be an origin like http://host:port, not {o}"
                        ));
                    }
                    c.public_origin = Some(o.trim_end_matches('/').to_string());
                }
                "--header-timeout" => c.header_timeout_secs = secs(value()?)?.clamp(0.1, 3600.0),
                "--max-connections" => {
                    c.max_connections = number(value()?, "a number")?.clamp(1, 1 << 20) as usize
                }
                "--max-body-bytes" => {
                    c.max_body_bytes = number(value()?, "a number")?.clamp(1024, 1 << 30) as usize
                }
                "--max-intents" => {
                    c.max_live_intents = number(value()?, "a number")?.clamp(1, 1 << 30) as usize
                }
                "--max-terminal-intents" => {
                    c.max_terminal_intents = number(value()?, "a number")?.min(1 << 30) as usize
                }
                "--card-schemes" => c.card_schemes = card_schemes(&value()?)?,
                "--www-dir" => c.www_dir = value()?.into(),
                "--pkg-dir" => c.pkg_dir = value()?.into(),
                "--heartbeat" => c.heartbeat_secs = secs(value()?)?.clamp(0.05, 86_400.0),
                "--async-settle-delay" => c.async_settle_secs = secs(value()?)?.min(3.2e8),
                other => return Err(format!("unknown flag {other} (see --help)")),
            }
        }
        if c.secret_key.is_empty() {
            return Err("the secret key must not be empty".into());
        }
        Ok(Some(c))
    }
}

/// An origin or `scheme://host:*` pattern, checked because it is written into CSP headers verbatim.
fn frame_ancestor(v: String) -> Result<String, String> {
    let ok = (v.starts_with("http://") || v.starts_with("https://"))
        && !v.ends_with('/')
        && v.len() <= 200
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b".-:/[]*".contains(&b));
    ok.then_some(v.clone()).ok_or(format!(
        "--frame-ancestor needs an origin like https://shop.example, not {v}"
    ))
}

impl Config {
    /// The frame-ancestor patterns in force (the flag's, or the local defaults).
    pub fn frame_ancestor_patterns(&self) -> Vec<String> {
        if self.frame_ancestors.is_empty() {
            vec!["http://127.0.0.1:*".into(), "http://localhost:*".into()]
        } else {
            self.frame_ancestors.clone()
        }
    }
}

/// A comma-separated list of Dojo card scheme names the sandbox knows.
fn card_schemes(v: &str) -> Result<Vec<String>, String> {
    let list: Vec<String> = v
        .split(',')
        .map(|s| s.trim().to_ascii_uppercase())
        .filter(|s| !s.is_empty())
        .collect();
    match list
        .iter()
        .find(|s| !crate::details::CARD_SCHEMES.contains(&s.as_str()))
    {
        Some(bad) => Err(format!(
            "--card-schemes takes {}, not {bad}",
            crate::details::CARD_SCHEMES.join(",")
        )),
        None if list.is_empty() => Err("--card-schemes needs at least one scheme".into()),
        None => Ok(list),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Option<Config>, String> {
        Config::from_args(args.iter().map(|s| s.to_string()), |_| None)
    }

    #[test]
    fn parses_flags_and_rejects_unknown_ones() {
        let c = parse(&["--port", "0", "--dialect", "setel", "--token-ttl", "60"])
            .ok()
            .flatten();
        assert!(matches!(
            c,
            Some(Config {
                port: 0,
                dialect: Dialect::Setel,
                token_ttl_secs: 60,
                ..
            })
        ));
        assert!(parse(&["--nope"]).is_err());
        assert!(parse(&["--port"]).is_err());
        assert!(parse(&["--port", "70000"]).is_err());
        assert!(parse(&["stray"]).is_err());
        assert!(matches!(
            parse(&["--host=0.0.0.0", "--log"]),
            Ok(Some(Config { log: true, ref host, .. })) if host == "0.0.0.0"
        ));
        assert!(parse(&["--dialect", "adyen"]).is_err());
        assert!(matches!(parse(&["--help"]), Ok(None)));
    }

    #[test]
    fn frame_ancestors_are_origins_and_default_to_local_pages() {
        let c = parse(&["--frame-ancestor", "https://shop.example"])
            .ok()
            .flatten();
        assert_eq!(
            c.map(|c| c.frame_ancestor_patterns()),
            Some(vec!["https://shop.example".to_string()])
        );
        let d = parse(&[]).ok().flatten();
        assert_eq!(
            d.map(|c| c.frame_ancestor_patterns()),
            Some(vec![
                "http://127.0.0.1:*".to_string(),
                "http://localhost:*".to_string()
            ])
        );
        for bad in [
            "shop.example",
            "https://x/",
            "https://x; script-src *",
            "'self'",
        ] {
            assert!(parse(&["--frame-ancestor", bad]).is_err(), "{bad}");
        }
    }
}
