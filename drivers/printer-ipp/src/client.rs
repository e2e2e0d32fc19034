//! One IPP conversation with the printer: sends a request through the `ipp` crate's blocking
//! client (ureq), checks that the answer is IPP and belongs to the request, and turns transport
//! failures into [`IppPrinterError`]s that say what to look at.

use crate::config::PrinterUri;
use crate::error::{http_hint, IppPrinterError};
use crate::reasons::status_keyword;
use ipp::attribute::IppAttributeName;
use ipp::error::IppError;
use ipp::parser::IppParseError;
use ipp::prelude::{
    DelimiterTag, IppAttribute, IppClient, IppRequestResponse, IppValue, StatusCode,
};
use ipp::value::IppString;
use std::io;
use std::time::{Duration, Instant};

const PARSER_PANIC: &str = "the answer is not well-formed IPP (the IPP parser gave up on it)";

/// Parses an IPP answer as the client does: a malformed one is [`IppPrinterError::NotIpp`]
/// (kind `BadData`), never a panic, even where the `ipp` crate's parser panics.
pub fn parse_answer(uri: &str, bytes: &[u8]) -> Result<IppRequestResponse, IppPrinterError> {
    use ipp::parser::IppParser;
    use ipp::reader::IppReader;
    let reader = IppReader::new(io::Cursor::new(bytes.to_vec()));
    let not_ipp = |detail: String| IppPrinterError::NotIpp {
        uri: uri.to_string(),
        detail,
    };
    match std::panic::catch_unwind(|| IppParser::new(reader).parse()) {
        Ok(Ok(response)) => Ok(response),
        Ok(Err(e)) => Err(not_ipp(e.to_string())),
        Err(_) => Err(not_ipp(PARSER_PANIC.into())),
    }
}

/// The client's side of the conversation with one printer URI.
pub struct Session {
    target: PrinterUri,
    client: IppClient,
    timeout: Duration,
    next_id: i32,
}

impl Session {
    pub fn new(target: PrinterUri, timeout: Duration) -> Self {
        let mut builder = IppClient::builder(target.uri.clone()).request_timeout(timeout);
        if let Some((user, password)) = &target.credentials {
            builder = builder.basic_auth(user, password);
        }
        Self {
            client: builder.build(),
            target,
            timeout,
            next_id: 1,
        }
    }

    pub fn target(&self) -> &PrinterUri {
        &self.target
    }

    /// Sends `request` (operation `op`, for logs and messages) and answers the printer's reply,
    /// whatever its IPP status.
    pub fn send(
        &mut self,
        op: &'static str,
        mut request: IppRequestResponse,
    ) -> Result<IppRequestResponse, IppPrinterError> {
        let _span = tracing::debug_span!("ipp", op).entered();
        let id = self.next_id;
        self.next_id = self.next_id.checked_add(1).unwrap_or(1);
        request.header_mut().request_id = id;
        if self.target.tls {
            // The crate writes printer-uri as ipp://; a printer reached over TLS is ipps://.
            set_printer_uri(&mut request, &self.target.uri.to_string());
        }
        let started = Instant::now();
        // ipp 8.0.0's parser panics on some malformed answers (a string whose length runs past
        // the end of the body: `&data[0..len]` in value.rs): a broken or hostile printer must
        // not take the booth down with it, so a panic in the exchange is a garbled answer.
        let client = &self.client;
        let sent = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| client.send(request)));
        let response = match sent {
            Ok(answer) => answer.map_err(|e| self.classify(op, e))?,
            Err(_) => {
                return Err(IppPrinterError::NotIpp {
                    uri: self.target.shown.clone(),
                    detail: PARSER_PANIC.into(),
                })
            }
        };
        let header = *response.header();
        let major = header.version.0 >> 8;
        if !(1..=2).contains(&major) {
            return Err(IppPrinterError::NotIpp {
                uri: self.target.shown.clone(),
                detail: format!(
                    "the answer starts with version bytes 0x{:04x}",
                    header.version.0
                ),
            });
        }
        if header.request_id != id {
            return Err(IppPrinterError::NotIpp {
                uri: self.target.shown.clone(),
                detail: format!(
                    "the answer is for request {} instead of {id}",
                    header.request_id
                ),
            });
        }
        tracing::debug!(
            status = %status_keyword(header.operation_or_status as u16),
            ms = started.elapsed().as_millis() as u64,
            "answered"
        );
        Ok(response)
    }

    /// `Ok` for a successful IPP status; the error for the others, with `not_found` for
    /// client-error-not-found (what "not found" means depends on the operation).
    pub fn check(
        &self,
        op: &'static str,
        response: &IppRequestResponse,
        not_found: impl FnOnce() -> IppPrinterError,
    ) -> Result<(), IppPrinterError> {
        let header = response.header();
        if header.status_code().is_success() {
            return Ok(());
        }
        if header.status_code() == StatusCode::ClientErrorNotFound {
            return Err(not_found());
        }
        Err(IppPrinterError::Status {
            op,
            status: header.operation_or_status as u16,
            message: crate::status::status_message(response),
        })
    }

    fn classify(&self, op: &'static str, e: IppError) -> IppPrinterError {
        let uri = self.target.shown.clone();
        match e {
            IppError::ClientError(e) => self.classify_ureq(op, e),
            IppError::IoError(e) => self.classify_io(op, e),
            IppError::ParseError(IppParseError::IoError(e)) => match e.kind() {
                io::ErrorKind::UnexpectedEof => IppPrinterError::NotIpp {
                    uri,
                    detail: "the answer ends before its IPP attributes do".into(),
                },
                _ => self.classify_io(op, e),
            },
            IppError::ParseError(e) => IppPrinterError::NotIpp {
                uri,
                detail: e.to_string(),
            },
            IppError::HttpError(e) => IppPrinterError::BadUri {
                uri,
                why: e.to_string(),
            },
            IppError::InvalidUri(e) => IppPrinterError::BadUri {
                uri,
                why: e.to_string(),
            },
            other => IppPrinterError::Unreachable {
                uri,
                detail: other.to_string(),
            },
        }
    }

    fn classify_ureq(&self, op: &'static str, e: ureq::Error) -> IppPrinterError {
        let uri = self.target.shown.clone();
        match e {
            ureq::Error::StatusCode(status) => IppPrinterError::Http {
                uri,
                op,
                status,
                hint: http_hint(status),
            },
            ureq::Error::Io(e) => self.classify_io(op, e),
            ureq::Error::Timeout(_) => IppPrinterError::NoAnswer {
                uri,
                op,
                timeout: self.timeout,
            },
            ureq::Error::HostNotFound => IppPrinterError::Unreachable {
                uri,
                detail: "its host name is not known".into(),
            },
            ureq::Error::ConnectionFailed => IppPrinterError::Unreachable {
                uri,
                detail: "the connection failed".into(),
            },
            ureq::Error::Protocol(e) => IppPrinterError::NotIpp {
                uri,
                detail: format!("the answer is not HTTP: {e}"),
            },
            ureq::Error::LargeResponseHeader(..) => IppPrinterError::NotIpp {
                uri,
                detail: "the answer's HTTP header is too large".into(),
            },
            e @ (ureq::Error::Tls(_)
            | ureq::Error::TlsRequired
            | ureq::Error::Rustls(_)
            | ureq::Error::Pem(_)) => IppPrinterError::Tls {
                uri,
                detail: e.to_string(),
            },
            other => IppPrinterError::Unreachable {
                uri,
                detail: other.to_string(),
            },
        }
    }

    fn classify_io(&self, op: &'static str, e: io::Error) -> IppPrinterError {
        let uri = self.target.shown.clone();
        match e.kind() {
            io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => IppPrinterError::NoAnswer {
                uri,
                op,
                timeout: self.timeout,
            },
            io::ErrorKind::InvalidData if self.target.tls => IppPrinterError::Tls {
                uri,
                detail: e.to_string(),
            },
            _ => IppPrinterError::Unreachable {
                uri,
                detail: e.to_string(),
            },
        }
    }
}

/// Replaces the `printer-uri` operation attribute of `request` with `uri`.
fn set_printer_uri(request: &mut IppRequestResponse, uri: &str) {
    let Ok(value) = IppString::new(uri) else {
        return;
    };
    for group in request.attributes_mut().groups_mut() {
        if group.tag() != DelimiterTag::OperationAttributes {
            continue;
        }
        for attribute in group.attributes_mut() {
            if attribute.name().as_str() == IppAttribute::PRINTER_URI {
                *attribute =
                    IppAttribute::new(IppAttributeName::PRINTER_URI, IppValue::Uri(value.clone()));
            }
        }
    }
}
