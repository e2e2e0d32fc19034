//! The simulated printer's state and its answers to IPP requests: Get-Printer-Attributes,
//! Print-Job, Validate-Job and Get-Job-Attributes. Requests are parsed and answers encoded
//! with the `ipp` crate.

use crate::reasons::{self, Reason};
use crate::status::{
    attribute, integer, strings, JOB_ABORTED, JOB_COMPLETED, JOB_PROCESSING, PRINTER_IDLE,
    PRINTER_PROCESSING, PRINTER_STOPPED,
};
use bytes::Bytes;
use ipp::parser::{IppParseError, IppParser};
use ipp::prelude::{
    DelimiterTag, IppAttribute, IppRequestResponse, IppValue, IppVersion, Operation, StatusCode,
};
use ipp::reader::IppReader;
use ipp::value::{BoundedString, IppTextValue};
use std::io::{Cursor, Read};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// The path the simulator serves its printer at (the IPP Everywhere default).
pub const PRINTER_PATH: &str = "/ipp/print";
/// The card size the simulator lists.
pub const CARD_MEDIA: &str = "iso_id-1_53.98x85.6mm";

/// A job the simulator took, without its document (see [`super::PrinterControl::documents`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimJob {
    pub id: i32,
    /// `job-name` as sent.
    pub name: Option<String>,
    /// `requesting-user-name` as sent.
    pub user: Option<String>,
    pub format: String,
    /// `media` as sent.
    pub media: Option<String>,
}

struct Job {
    info: SimJob,
    created: Instant,
    duration: Duration,
    /// The job-state-reason it will end with, aborted.
    fail: Option<String>,
}

impl Job {
    fn state(&self, now: Instant) -> (i32, Vec<String>) {
        if now.duration_since(self.created) < self.duration {
            return (JOB_PROCESSING, vec!["job-printing".into()]);
        }
        match &self.fail {
            Some(reason) => (
                JOB_ABORTED,
                vec![reason.clone(), "aborted-by-system".into()],
            ),
            None => (JOB_COMPLETED, vec!["job-completed-successfully".into()]),
        }
    }
}

/// What the tests and the CLI change while the printer runs.
pub(crate) struct State {
    pub reasons: Vec<String>,
    pub stopped: bool,
    pub job_duration: Duration,
    pub fail_next: Option<String>,
    jobs: Vec<Job>,
    pub documents: Vec<(String, Vec<u8>)>,
}

/// The printer: what it is (fixed) and its state.
pub(crate) struct Printer {
    pub uri: String,
    pub formats: Vec<String>,
    pub make_and_model: String,
    pub uuid: String,
    started: Instant,
    state: Mutex<State>,
}

impl Printer {
    pub fn new(uri: String, formats: Vec<String>, make_and_model: String, port: u16) -> Self {
        Self {
            uri,
            formats,
            make_and_model,
            uuid: format!("4b545065-6c00-4000-8000-{port:012x}"),
            started: Instant::now(),
            state: Mutex::new(State {
                reasons: Vec::new(),
                stopped: false,
                job_duration: Duration::from_millis(500),
                fail_next: None,
                jobs: Vec::new(),
                documents: Vec::new(),
            }),
        }
    }

    pub fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn jobs(&self) -> Vec<SimJob> {
        self.lock().jobs.iter().map(|j| j.info.clone()).collect()
    }

    /// Answers one HTTP request body sent to `path`: the encoded IPP response.
    pub fn answer(&self, path: &str, body: Bytes) -> Result<Bytes, IppParseError> {
        let parsed = IppParser::new(IppReader::new(Cursor::new(body.clone()))).parse();
        let mut request = match parsed {
            Ok(r) => r,
            Err(e) => {
                tracing::debug!(error = %e, "IPP simulator got a request it cannot parse");
                let id = body
                    .get(4..8)
                    .map(|b| i32::from_be_bytes([b[0], b[1], b[2], b[3]]))
                    .unwrap_or(0);
                return error(
                    IppVersion::v1_1(),
                    id,
                    StatusCode::ClientErrorBadRequest,
                    "the request is not IPP",
                );
            }
        };
        let header = *request.header();
        let (version, id) = (header.version, header.request_id);
        if !(1..=2).contains(&(version.0 >> 8)) {
            return error(
                IppVersion::v1_1(),
                id,
                StatusCode::ServerErrorVersionNotSupported,
                "IPP 1.x and 2.x only",
            );
        }
        if let Err(why) = check_operation_group(&request) {
            return error(version, id, StatusCode::ClientErrorBadRequest, why);
        }
        let op = header.operation_or_status;
        // The print server's own operation, at its root (as CUPS answers at "/").
        if op == Operation::CupsGetPrinters as i16 && path.trim_end_matches('/').is_empty() {
            return self.cups_get_printers(&request);
        }
        if path.trim_end_matches('/') != PRINTER_PATH {
            return error(
                version,
                id,
                StatusCode::ClientErrorNotFound,
                "no printer at this path",
            );
        }
        tracing::debug!(op, "IPP simulator request");
        let is = |o: Operation| op == o as i16;
        match () {
            _ if is(Operation::GetPrinterAttributes) => self.get_printer_attributes(&request),
            _ if is(Operation::PrintJob) => {
                let mut document = Vec::new();
                let mut payload = std::mem::take(request.payload_mut());
                if let Err(e) = payload.read_to_end(&mut document) {
                    return error(
                        version,
                        id,
                        StatusCode::ClientErrorBadRequest,
                        &format!("cannot read the document: {e}"),
                    );
                }
                self.print_job(&request, Some(document))
            }
            _ if is(Operation::ValidateJob) => self.print_job(&request, None),
            _ if is(Operation::GetJobAttributes) => self.get_job_attributes(&request),
            _ => error(
                version,
                id,
                StatusCode::ServerErrorOperationNotSupported,
                "this printer does Get-Printer-Attributes, Print-Job, Validate-Job and Get-Job-Attributes",
            ),
        }
    }

    fn reasons_now(&self, state: &State) -> Vec<String> {
        let mut r = state.reasons.clone();
        if state.stopped && !r.iter().any(|k| k == "paused") {
            r.push("paused".into());
        }
        r
    }

    /// Whether the printer refuses jobs now, and why.
    fn refuses(&self, state: &State) -> Option<String> {
        if state.stopped {
            return Some("the printer is stopped".into());
        }
        let parsed: Vec<Reason> = state.reasons.iter().map(|k| Reason::parse(k)).collect();
        let words = reasons::blocking(&parsed, None);
        (!words.is_empty()).then(|| words.join("; "))
    }

    fn printer_state(&self, state: &State, now: Instant) -> i32 {
        if self.refuses(state).is_some() {
            PRINTER_STOPPED
        } else if state.jobs.iter().any(|j| j.state(now).0 == JOB_PROCESSING) {
            PRINTER_PROCESSING
        } else {
            PRINTER_IDLE
        }
    }

    fn get_printer_attributes(&self, request: &IppRequestResponse) -> Result<Bytes, IppParseError> {
        let header = request.header();
        let requested: Vec<String> = attribute(
            request,
            DelimiterTag::OperationAttributes,
            "requested-attributes",
        )
        .map(strings)
        .unwrap_or_default();
        let all = requested.is_empty()
            || requested
                .iter()
                .any(|r| matches!(r.as_str(), "all" | "printer-description"));
        let now = Instant::now();
        let state = self.lock();
        let reasons = self.reasons_now(&state);
        let queued = state
            .jobs
            .iter()
            .filter(|j| j.state(now).0 == JOB_PROCESSING)
            .count();
        let attributes: Vec<(&str, IppValue)> = vec![
            ("printer-uri-supported", uri(&self.uri)),
            ("uri-security-supported", keyword("none")),
            ("uri-authentication-supported", keyword("none")),
            ("printer-name", name("ktpel-card-sim")),
            ("printer-info", text("KTP-el card printer simulator")),
            ("printer-make-and-model", text(&self.make_and_model)),
            ("printer-uuid", uri(&format!("urn:uuid:{}", self.uuid))),
            (
                "printer-firmware-string-version",
                text(concat!("ktpel-sim ", env!("CARGO_PKG_VERSION"))),
            ),
            (
                "printer-state",
                IppValue::Enum(self.printer_state(&state, now)),
            ),
            (
                "printer-state-reasons",
                if reasons.is_empty() {
                    keyword("none")
                } else {
                    IppValue::Array(reasons.iter().map(|r| keyword(r)).collect())
                },
            ),
            (
                "printer-state-message",
                text(&self.refuses(&state).unwrap_or_else(|| "ready".into())),
            ),
            (
                "printer-is-accepting-jobs",
                IppValue::Boolean(!state.stopped),
            ),
            (
                "queued-job-count",
                IppValue::Integer(i32::try_from(queued).unwrap_or(i32::MAX)),
            ),
            (
                "printer-up-time",
                IppValue::Integer(
                    i32::try_from(self.started.elapsed().as_secs())
                        .unwrap_or(i32::MAX)
                        .max(1),
                ),
            ),
            (
                "operations-supported",
                IppValue::Array(
                    [
                        Operation::PrintJob,
                        Operation::ValidateJob,
                        Operation::GetJobAttributes,
                        Operation::GetPrinterAttributes,
                    ]
                    .iter()
                    .map(|o| IppValue::Enum(*o as i32))
                    .collect(),
                ),
            ),
            ("charset-configured", IppValue::Charset(short("utf-8"))),
            ("charset-supported", IppValue::Charset(short("utf-8"))),
            (
                "natural-language-configured",
                IppValue::NaturalLanguage(short("en")),
            ),
            (
                "generated-natural-language-supported",
                IppValue::NaturalLanguage(short("en")),
            ),
            (
                "ipp-versions-supported",
                IppValue::Array(vec![keyword("1.1"), keyword("2.0")]),
            ),
            ("pdl-override-supported", keyword("attempted")),
            ("compression-supported", keyword("none")),
            (
                "document-format-supported",
                IppValue::Array(self.formats.iter().map(|f| mime(f)).collect()),
            ),
            ("document-format-default", mime(self.default_format())),
            (
                "media-supported",
                IppValue::Array(vec![keyword(CARD_MEDIA)]),
            ),
            ("media-default", keyword(CARD_MEDIA)),
            ("media-ready", keyword(CARD_MEDIA)),
        ];
        drop(state);
        let mut response = response(header.version, header.request_id, StatusCode::SuccessfulOk)?;
        for (name, value) in attributes {
            if all || requested.iter().any(|r| r == name) {
                response.attributes_mut().add(
                    DelimiterTag::PrinterAttributes,
                    IppAttribute::new(attribute_name(name), value),
                );
            }
        }
        Ok(response.to_bytes())
    }

    /// CUPS-Get-Printers: the one queue this server has, as CUPS lists its queues.
    fn cups_get_printers(&self, request: &IppRequestResponse) -> Result<Bytes, IppParseError> {
        let header = request.header();
        let now = Instant::now();
        let state = self.lock();
        let printer_state = self.printer_state(&state, now);
        drop(state);
        let mut response = response(header.version, header.request_id, StatusCode::SuccessfulOk)?;
        for (n, value) in [
            ("printer-uri-supported", uri(&self.uri)),
            ("printer-name", name("ktpel-card-sim")),
            ("printer-info", text("KTP-el card printer simulator")),
            ("printer-make-and-model", text(&self.make_and_model)),
            ("printer-state", IppValue::Enum(printer_state)),
        ] {
            response.attributes_mut().add(
                DelimiterTag::PrinterAttributes,
                IppAttribute::new(attribute_name(n), value),
            );
        }
        Ok(response.to_bytes())
    }

    fn default_format(&self) -> &str {
        if self.formats.iter().any(|f| f == "application/octet-stream") {
            "application/octet-stream"
        } else {
            self.formats
                .first()
                .map(String::as_str)
                .unwrap_or("application/octet-stream")
        }
    }

    /// Print-Job (with `document`) or Validate-Job (without).
    fn print_job(
        &self,
        request: &IppRequestResponse,
        document: Option<Vec<u8>>,
    ) -> Result<Bytes, IppParseError> {
        let header = request.header();
        let (version, id) = (header.version, header.request_id);
        let op_attr = |n: &str| {
            attribute(request, DelimiterTag::OperationAttributes, n)
                .and_then(|v| strings(v).into_iter().next())
        };
        let format = op_attr("document-format").unwrap_or_else(|| self.default_format().into());
        if !self.formats.iter().any(|f| f.eq_ignore_ascii_case(&format)) {
            let mut r = response(
                version,
                id,
                StatusCode::ClientErrorDocumentFormatNotSupported,
            )?;
            add_message(&mut r, &format!("{format} is not supported"));
            r.attributes_mut().add(
                DelimiterTag::UnsupportedAttributes,
                IppAttribute::new(attribute_name("document-format"), mime(&format)),
            );
            return Ok(r.to_bytes());
        }
        let mut state = self.lock();
        if let Some(why) = self.refuses(&state) {
            return error(version, id, StatusCode::ServerErrorNotAcceptingJobs, &why);
        }
        let Some(document) = document else {
            return Ok(response(version, id, StatusCode::SuccessfulOk)?.to_bytes());
        };
        if document.is_empty() {
            return error(
                version,
                id,
                StatusCode::ClientErrorBadRequest,
                "no document data",
            );
        }
        let readable = match format.as_str() {
            "image/png" => document.starts_with(b"\x89PNG\r\n\x1a\n"),
            "image/jpeg" => document.starts_with(&[0xFF, 0xD8, 0xFF]),
            _ => true,
        };
        let job_id = i32::try_from(state.jobs.len() + 1).unwrap_or(i32::MAX);
        let fail = state
            .fail_next
            .take()
            .or_else(|| (!readable).then(|| "document-format-error".to_string()));
        let media = attribute(request, DelimiterTag::JobAttributes, "media")
            .and_then(|v| strings(v).into_iter().next());
        let info = SimJob {
            id: job_id,
            name: op_attr("job-name"),
            user: op_attr("requesting-user-name"),
            format: format.clone(),
            media,
        };
        tracing::info!(job = job_id, format = %format, bytes = document.len(), "IPP simulator took a job");
        state.documents.push((format, document));
        let job = Job {
            info,
            created: Instant::now(),
            duration: state.job_duration,
            fail,
        };
        let (job_state, job_reasons) = job.state(Instant::now());
        state.jobs.push(job);
        drop(state);
        let mut r = response(version, id, StatusCode::SuccessfulOk)?;
        self.add_job_attributes(&mut r, job_id, job_state, &job_reasons);
        Ok(r.to_bytes())
    }

    fn get_job_attributes(&self, request: &IppRequestResponse) -> Result<Bytes, IppParseError> {
        let header = request.header();
        let (version, id) = (header.version, header.request_id);
        let job_id = attribute(request, DelimiterTag::OperationAttributes, "job-id")
            .and_then(integer)
            .or_else(|| {
                attribute(request, DelimiterTag::OperationAttributes, "job-uri")
                    .and_then(|v| strings(v).into_iter().next())
                    .and_then(|u| u.rsplit('/').next().and_then(|n| n.parse().ok()))
            });
        let Some(job_id) = job_id else {
            return error(
                version,
                id,
                StatusCode::ClientErrorBadRequest,
                "no job-id or job-uri",
            );
        };
        let state = self.lock();
        let Some(job) = state.jobs.iter().find(|j| j.info.id == job_id) else {
            return error(version, id, StatusCode::ClientErrorNotFound, "no such job");
        };
        let (job_state, job_reasons) = job.state(Instant::now());
        let info = job.info.clone();
        drop(state);
        let mut r = response(version, id, StatusCode::SuccessfulOk)?;
        self.add_job_attributes(&mut r, job_id, job_state, &job_reasons);
        if let Some(n) = info.name {
            r.attributes_mut().add(
                DelimiterTag::JobAttributes,
                IppAttribute::new(attribute_name("job-name"), name(&n)),
            );
        }
        r.attributes_mut().add(
            DelimiterTag::JobAttributes,
            IppAttribute::new(attribute_name("document-format"), mime(&info.format)),
        );
        Ok(r.to_bytes())
    }

    fn add_job_attributes(
        &self,
        r: &mut IppRequestResponse,
        job_id: i32,
        job_state: i32,
        job_reasons: &[String],
    ) {
        let attributes = [
            ("job-id", IppValue::Integer(job_id)),
            ("job-uri", uri(&format!("{}/jobs/{job_id}", self.uri))),
            ("job-printer-uri", uri(&self.uri)),
            ("job-state", IppValue::Enum(job_state)),
            (
                "job-state-reasons",
                IppValue::Array(job_reasons.iter().map(|k| keyword(k)).collect()),
            ),
        ];
        for (n, v) in attributes {
            r.attributes_mut().add(
                DelimiterTag::JobAttributes,
                IppAttribute::new(attribute_name(n), v),
            );
        }
    }
}

/// The operation attributes group must come first and start with attributes-charset and
/// attributes-natural-language (RFC 8011 §4.1.4).
fn check_operation_group(request: &IppRequestResponse) -> Result<(), &'static str> {
    let first = request
        .attributes()
        .groups()
        .first()
        .filter(|g| g.tag() == DelimiterTag::OperationAttributes)
        .ok_or("the operation attributes group is missing")?;
    let names: Vec<&str> = first
        .attributes()
        .iter()
        .take(2)
        .map(|a| a.name().as_str())
        .collect();
    if names != ["attributes-charset", "attributes-natural-language"] {
        return Err("attributes-charset and attributes-natural-language must come first");
    }
    Ok(())
}

fn response(
    version: IppVersion,
    id: i32,
    status: StatusCode,
) -> Result<IppRequestResponse, IppParseError> {
    IppRequestResponse::new_response(version, status, id)
}

fn error(
    version: IppVersion,
    id: i32,
    status: StatusCode,
    message: &str,
) -> Result<Bytes, IppParseError> {
    let mut r = response(version, id, status)?;
    add_message(&mut r, message);
    Ok(r.to_bytes())
}

fn add_message(r: &mut IppRequestResponse, message: &str) {
    r.attributes_mut().add(
        DelimiterTag::OperationAttributes,
        IppAttribute::new(attribute_name("status-message"), text(message)),
    );
}

/// `s` cut to at most `max` bytes on a character boundary.
fn fit(s: &str, max: usize) -> String {
    let mut end = s.len().min(max);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s[..end].to_string()
}

fn bounded<const N: usize>(s: &str) -> BoundedString<N> {
    BoundedString::new_truncated(fit(s, N))
}

fn attribute_name(n: &str) -> ipp::value::IppName {
    bounded(n)
}

fn keyword(k: &str) -> IppValue {
    IppValue::Keyword(bounded(k))
}

fn mime(m: &str) -> IppValue {
    IppValue::MimeMediaType(bounded(m))
}

fn text(t: &str) -> IppValue {
    IppValue::TextWithoutLanguage(IppTextValue::from(bounded::<255>(t)))
}

fn name(n: &str) -> IppValue {
    IppValue::NameWithoutLanguage(bounded(n))
}

fn uri(u: &str) -> IppValue {
    IppValue::Uri(bounded(u))
}

fn short<const N: usize>(s: &str) -> BoundedString<N> {
    bounded(s)
}
