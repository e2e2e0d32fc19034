//! The driver's errors, what each says to the operator or technician, and how each maps to the
//! hal's [`ErrorKind`]. No message carries personal data: only keywords from the printer, job
//! numbers and the URI without its password.

use crate::reasons::status_keyword;
use ktpel_hal::{DeviceError, ErrorKind};
use std::time::Duration;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IppPrinterError {
    #[error("the card printer URI \"{uri}\" cannot be used: {why}")]
    BadUri { uri: String, why: String },

    #[error("the configured card media \"{media}\" cannot be sent: {why}")]
    BadMedia { media: String, why: String },

    #[error("the printer at {uri} does not answer: is it on, and is the URI right? ({detail})")]
    Unreachable { uri: String, detail: String },

    #[error("the printer at {uri} did not answer {op} within {} ms", .timeout.as_millis())]
    NoAnswer {
        uri: String,
        op: &'static str,
        timeout: Duration,
    },

    #[error("cannot set up TLS with the printer at {uri} ({detail}): check that it takes ipps:// at this port; a printer's own (self-signed) certificate must be in the system's trust store, or use ipp:// on a trusted network")]
    Tls { uri: String, detail: String },

    #[error("the web server at {uri} answered HTTP {status} to {op}: {hint}")]
    Http {
        uri: String,
        op: &'static str,
        status: u16,
        hint: &'static str,
    },

    #[error("what answers at {uri} is not an IPP printer ({detail})")]
    NotIpp { uri: String, detail: String },

    #[error("the print queue in {uri} does not exist (client-error-not-found): check the queue's name, e.g. with `lpstat -v`")]
    NoSuchQueue { uri: String },

    #[error("the printer refused {op} with {}{}{}", status_keyword(*.status), .message.as_ref().map_or("", |_| ": "), .message.as_deref().unwrap_or(""))]
    Status {
        op: &'static str,
        status: u16,
        message: Option<String>,
    },

    #[error("the card printer is not ready, the card was not sent: {0}")]
    NotReady(String),

    #[error("the card printer does not take {format} (it takes {takes}): set the CUPS queue up with the card printer's driver")]
    FormatNotTaken { format: String, takes: String },

    #[error("the printer accepted the card but its answer has no job-id")]
    NoJobId,

    #[error("the card was not printed (job {job} {state}): {words}; print the card again")]
    JobFailed {
        job: i32,
        state: &'static str,
        words: String,
        attention: bool,
    },

    #[error("the printer has not finished the card after {}: check it; the job is still queued as job {job}{}", seconds(*.after), .last.as_ref().map(|w| format!(" ({w})")).unwrap_or_default())]
    JobTimeout {
        job: i32,
        after: Duration,
        last: Option<String>,
    },

    #[error("the printer no longer knows job {job}: check whether the card came out")]
    JobLost { job: i32 },
}

impl IppPrinterError {
    /// The hal's kind, which the workflow and the self-test branch on.
    pub fn kind(&self) -> ErrorKind {
        match self {
            IppPrinterError::BadUri { .. } | IppPrinterError::BadMedia { .. } => ErrorKind::Other,
            IppPrinterError::Unreachable { .. } => ErrorKind::Disconnected,
            IppPrinterError::NoAnswer { .. } | IppPrinterError::JobTimeout { .. } => {
                ErrorKind::Timeout
            }
            IppPrinterError::Tls { .. } => ErrorKind::Other,
            IppPrinterError::Http { status, .. } => match status {
                404 => ErrorKind::NotPresent,
                401 | 403 | 426 => ErrorKind::NeedsAttention,
                503 => ErrorKind::Busy,
                _ => ErrorKind::Other,
            },
            IppPrinterError::NotIpp { .. } | IppPrinterError::NoJobId => ErrorKind::BadData,
            IppPrinterError::NoSuchQueue { .. } => ErrorKind::NotPresent,
            IppPrinterError::Status { status, .. } => status_kind(*status),
            IppPrinterError::NotReady(_) | IppPrinterError::FormatNotTaken { .. } => {
                ErrorKind::NeedsAttention
            }
            IppPrinterError::JobFailed { attention, .. } => {
                if *attention {
                    ErrorKind::NeedsAttention
                } else {
                    ErrorKind::Other
                }
            }
            IppPrinterError::JobLost { .. } => ErrorKind::Other,
        }
    }
}

/// The kind for a non-successful IPP status.
fn status_kind(status: u16) -> ErrorKind {
    match status {
        // client-error-not-found
        0x0406 => ErrorKind::NotPresent,
        // client-error-document-format-not-supported, server-error-not-accepting-jobs,
        // server-error-device-error
        0x040A | 0x0506 | 0x0504 => ErrorKind::NeedsAttention,
        // server-error-service-unavailable, -temporary-error, -busy; client-error-timeout
        0x0502 | 0x0505 | 0x0507 | 0x0405 => ErrorKind::Busy,
        // client-error-document-format-error: the printer could not read the image
        0x0411 => ErrorKind::BadData,
        _ => ErrorKind::Other,
    }
}

/// `120 s`, `0.3 s`.
fn seconds(d: Duration) -> String {
    if d.subsec_millis() == 0 {
        format!("{} s", d.as_secs())
    } else {
        format!("{:.1} s", d.as_secs_f64())
    }
}

/// What an HTTP status from the web server in front of the printer means.
pub(crate) fn http_hint(status: u16) -> &'static str {
    match status {
        401 => "it asks for a user name and password: put them in the URI, or allow the booth on the queue",
        403 => "it refuses the booth: allow this computer on the queue (CUPS: the queue's <Location> policy)",
        404 => "nothing is printed at this path: check the URI",
        426 => "it requires encryption: use ipps:// in the URI",
        503 => "it is busy: try again shortly",
        _ => "check the printer or print server",
    }
}

impl From<IppPrinterError> for DeviceError {
    fn from(e: IppPrinterError) -> Self {
        DeviceError::new(e.kind(), e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_map_to_the_kinds_the_booth_acts_on() {
        let status = |status| IppPrinterError::Status {
            op: "Print-Job",
            status,
            message: None,
        };
        assert_eq!(status(0x0406).kind(), ErrorKind::NotPresent);
        assert_eq!(status(0x040A).kind(), ErrorKind::NeedsAttention);
        assert_eq!(status(0x0507).kind(), ErrorKind::Busy);
        assert_eq!(status(0x0411).kind(), ErrorKind::BadData);
        assert_eq!(status(0x0500).kind(), ErrorKind::Other);
        let e = IppPrinterError::Status {
            op: "Print-Job",
            status: 0x0507,
            message: Some("printer busy".into()),
        };
        assert_eq!(
            e.to_string(),
            "the printer refused Print-Job with server-error-busy: printer busy"
        );
    }

    #[test]
    fn a_job_timeout_says_the_job_is_still_queued() {
        let e = IppPrinterError::JobTimeout {
            job: 12,
            after: Duration::from_secs(120),
            last: None,
        };
        assert_eq!(e.kind(), ErrorKind::Timeout);
        assert_eq!(
            e.to_string(),
            "the printer has not finished the card after 120 s: check it; the job is still queued as job 12"
        );
    }
}
