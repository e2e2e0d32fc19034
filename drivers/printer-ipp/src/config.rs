//! The driver's settings and the printer URI: which schemes are taken, the default IPP port,
//! and the form of the URI that may appear in messages (never with a password).

use crate::error::IppPrinterError;
use ipp::prelude::Uri;
use std::time::Duration;

/// How to reach the card printer and how long to wait for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IppConfig {
    /// The queue or printer: `ipp://localhost:631/printers/card` for a CUPS queue,
    /// `ipp://printer.local/ipp/print` for an IPP Everywhere printer; `ipps://`, `http://` and
    /// `https://` are taken too.
    pub uri: String,
    /// How long one IPP request may take (default 10 s).
    pub timeout: Duration,
    /// How long the printer may take to finish the card (default 120 s).
    pub job_timeout: Duration,
    /// How often the job's state is asked while it prints (default 500 ms).
    pub poll_interval: Duration,
    /// The card size as IPP names it (`iso_id-1_53.98x85.6mm`), sent as the job's `media`;
    /// `None`: the queue's default.
    pub media: Option<String>,
}

impl IppConfig {
    /// The settings for `uri` with the default timeouts and no `media`.
    pub fn new(uri: impl Into<String>) -> Self {
        Self {
            uri: uri.into(),
            timeout: Duration::from_secs(10),
            job_timeout: Duration::from_secs(120),
            poll_interval: Duration::from_millis(500),
            media: None,
        }
    }
}

/// The port IPP uses when the URI names none (RFC 8010 §8.1, RFC 7472 for ipps).
pub const IPP_PORT: u16 = 631;

/// A printer URI that was checked, with an explicit port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrinterUri {
    /// What the client connects to and what goes into `printer-uri`.
    pub uri: Uri,
    /// The URI for messages and logs: the configured one without user name and password.
    pub shown: String,
    /// The CUPS queue's name when the path is `/printers/NAME` or `/classes/NAME`.
    pub queue: Option<String>,
    /// Whether the connection is TLS (`ipps://`, `https://`).
    pub tls: bool,
    /// User name and password from the URI's user info (percent-decoded), for HTTP basic
    /// authentication.
    pub credentials: Option<(String, String)>,
}

impl PrinterUri {
    /// Checks `text` and fills in the default port.
    pub fn parse(text: &str) -> Result<Self, IppPrinterError> {
        let text = text.trim();
        let bad = |why: String| IppPrinterError::BadUri {
            uri: redact(text),
            why,
        };
        if text.contains(":///") {
            return Err(bad("it names no host".into()));
        }
        let parsed: Uri = text
            .parse()
            .map_err(|e| bad(format!("it is not a URI ({e})")))?;
        let scheme = parsed
            .scheme_str()
            .map(str::to_ascii_lowercase)
            .ok_or_else(|| bad("it has no scheme".into()))?;
        let (tls, default_port) = match scheme.as_str() {
            "ipp" => (false, IPP_PORT),
            "ipps" => (true, IPP_PORT),
            "http" => (false, 80),
            "https" => (true, 443),
            other => {
                return Err(bad(format!(
                    "the booth speaks IPP (ipp://, ipps://, http://, https://), not {other}://; \
                     a CUPS queue is ipp://localhost:631/printers/NAME"
                )))
            }
        };
        let authority = parsed
            .authority()
            .ok_or_else(|| bad("it names no host".into()))?;
        let host = authority.host();
        if host.is_empty() {
            return Err(bad("it names no host".into()));
        }
        let port = authority.port_u16().unwrap_or(default_port);
        let credentials = authority.as_str().rsplit_once('@').map(|(info, _)| {
            let (user, password) = info.split_once(':').unwrap_or((info, ""));
            (decode(user), decode(password))
        });
        let path = match parsed.path() {
            "" => "/",
            p => p,
        };
        let path_and_query = match parsed.query() {
            Some(q) => format!("{path}?{q}"),
            None => path.to_string(),
        };
        let uri = Uri::builder()
            .scheme(scheme.as_str())
            .authority(format!("{host}:{port}"))
            .path_and_query(path_and_query.as_str())
            .build()
            .map_err(|e| bad(format!("it cannot be used ({e})")))?;
        let queue = ["/printers/", "/classes/"].iter().find_map(|prefix| {
            path.strip_prefix(prefix)
                .map(|rest| rest.trim_end_matches('/'))
                .filter(|name| !name.is_empty() && !name.contains('/'))
                .map(str::to_string)
        });
        Ok(Self {
            shown: redact(&uri.to_string()),
            uri,
            queue,
            tls,
            credentials,
        })
    }
}

/// `text` without the user info of its authority (`ipp://user:secret@host/` → `ipp://host/`).
pub fn redact(text: &str) -> String {
    let Some((scheme, rest)) = text.split_once("://") else {
        return text.to_string();
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    match authority.rsplit_once('@') {
        Some((_, host)) => format!("{scheme}://{host}{tail}"),
        None => text.to_string(),
    }
}

fn decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use ktpel_hal::{DeviceError, ErrorKind};

    #[test]
    fn defaults_are_the_documented_ones() {
        let c = IppConfig::new("ipp://localhost:631/printers/card");
        assert_eq!(c.timeout, Duration::from_secs(10));
        assert_eq!(c.job_timeout, Duration::from_secs(120));
        assert_eq!(c.poll_interval, Duration::from_millis(500));
        assert_eq!(c.media, None);
    }

    #[test]
    fn a_cups_queue_uri_names_its_queue() {
        let u = PrinterUri::parse("ipp://localhost:631/printers/card").unwrap();
        assert_eq!(u.uri.to_string(), "ipp://localhost:631/printers/card");
        assert_eq!(u.queue.as_deref(), Some("card"));
        assert!(!u.tls);
        assert_eq!(u.credentials, None);
    }

    #[test]
    fn ipp_without_a_port_means_631_also_for_ipps() {
        let u = PrinterUri::parse("ipp://printer.local/ipp/print").unwrap();
        assert_eq!(u.uri.to_string(), "ipp://printer.local:631/ipp/print");
        assert_eq!(u.queue, None);
        let u = PrinterUri::parse("ipps://printer.local/ipp/print").unwrap();
        assert_eq!(u.uri.to_string(), "ipps://printer.local:631/ipp/print");
        assert!(u.tls);
        let u = PrinterUri::parse("http://[::1]/printers/card").unwrap();
        assert_eq!(u.uri.to_string(), "http://[::1]:80/printers/card");
    }

    #[test]
    fn passwords_never_reach_messages() {
        let u = PrinterUri::parse("ipp://booth:s%40cret@cups.local/classes/cards/").unwrap();
        assert_eq!(u.shown, "ipp://cups.local:631/classes/cards/");
        assert_eq!(u.queue.as_deref(), Some("cards"));
        assert_eq!(
            u.credentials,
            Some(("booth".to_string(), "s@cret".to_string()))
        );
        let e = PrinterUri::parse("usb://booth:secret@Evolis/Primacy").unwrap_err();
        assert!(!e.to_string().contains("secret"), "{e}");
    }

    #[test]
    fn malformed_uris_are_refused_naming_the_uri() {
        for (uri, words) in [
            ("usb://Evolis/Primacy%202", "not usb://"),
            ("socket://10.0.0.5:9100", "not socket://"),
            ("localhost:631/printers/card", "usb"),
            ("ipp:///printers/card", "no host"),
            ("not a uri at all", "not a URI"),
            ("/printers/card", "no scheme"),
        ] {
            let e = PrinterUri::parse(uri).expect_err(uri);
            let d = DeviceError::from(e);
            assert_eq!(d.kind, ErrorKind::Other, "{uri}");
            assert!(d.message.contains(uri), "{uri}: {}", d.message);
            if words != "usb" {
                assert!(d.message.contains(words), "{uri}: {}", d.message);
            }
        }
    }
}
