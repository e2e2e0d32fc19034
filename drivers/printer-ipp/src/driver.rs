//! `IppCardPrinter`: the hal card printer over IPP. It asks the printer's state before the job
//! and sends nothing to a printer that cannot print the card now (the booth keeps the card to
//! print again), sends the card with Print-Job, then follows the job to its end.

use crate::client::Session;
use crate::config::{IppConfig, PrinterUri};
use crate::error::IppPrinterError;
use crate::reasons;
use crate::status::{
    JobStatus, PrinterStatus, JOB_ABORTED, JOB_ATTRIBUTES, JOB_CANCELED, JOB_COMPLETED,
    JOB_PENDING_HELD, JOB_PROCESSING_STOPPED, PRINTER_ATTRIBUTES, PRINTER_PROCESSING,
};
use ipp::attribute::IppAttributeName;
use ipp::operation::{GetJobAttributes, GetPrinterAttributes, IppOperation, PrintJob};
use ipp::prelude::{
    DelimiterTag, IppAttribute, IppPayload, IppRequestResponse, IppValue, StatusCode,
};
use ipp::value::IppKeyword;
use ktpel_hal::{
    CardPrinter, Check, Device, DeviceError, DeviceInfo, DeviceKind, DeviceResult, EncodedImage,
    ErrorKind, ImageFormat, SelfTestReport,
};
use std::io::Cursor;
use std::time::{Duration, Instant};

/// The job's name at the printer: never the applicant's name or number.
pub const JOB_NAME: &str = "KTP-el card";
/// `requesting-user-name` of every request.
pub const USER_NAME: &str = "ktpel-booth";
/// The model reported before the printer has answered.
const UNKNOWN_MODEL: &str = "IPP printer";

/// Who the printer said it is, kept from its last answer.
#[derive(Debug, Clone, Default)]
struct Identity {
    model: Option<String>,
    serial: Option<String>,
    firmware: Option<String>,
}

/// A card printer behind a CUPS queue, or an IPP Everywhere printer.
pub struct IppCardPrinter {
    config: IppConfig,
    session: Session,
    identity: Identity,
}

impl std::fmt::Debug for IppCardPrinter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IppCardPrinter")
            .field("uri", &self.session.target().shown)
            .finish()
    }
}

impl IppCardPrinter {
    /// A driver for the printer `config.uri` names. Nothing is sent until the first call; a
    /// URI that is not an IPP URI is an error here.
    pub fn new(config: IppConfig) -> Result<Self, DeviceError> {
        let target = PrinterUri::parse(&config.uri)?;
        Ok(Self {
            session: Session::new(target, config.timeout),
            config,
            identity: Identity::default(),
        })
    }

    /// The printer's URI as messages show it (without a password).
    pub fn uri(&self) -> &str {
        &self.session.target().shown
    }

    fn queue(&self) -> Option<&str> {
        self.session.target().queue.as_deref()
    }

    fn no_such_queue(&self) -> impl FnOnce() -> IppPrinterError {
        let uri = self.session.target().shown.clone();
        move || IppPrinterError::NoSuchQueue { uri }
    }

    /// Get-Printer-Attributes: the state, reasons and abilities the driver acts on.
    fn printer_status(&mut self) -> Result<PrinterStatus, IppPrinterError> {
        const OP: &str = "Get-Printer-Attributes";
        let request = GetPrinterAttributes::with_attributes(
            self.session.target().uri.clone(),
            PRINTER_ATTRIBUTES,
        )
        .map_err(|e| IppPrinterError::BadUri {
            uri: self.session.target().shown.clone(),
            why: e.to_string(),
        })?
        .into_ipp_request();
        let response = self.session.send(OP, with_user(request))?;
        self.session.check(OP, &response, self.no_such_queue())?;
        let status = PrinterStatus::from_response(&response);
        if status.make_and_model.is_some() {
            self.identity.model.clone_from(&status.make_and_model);
        }
        if status.uuid.is_some() {
            self.identity.serial.clone_from(&status.uuid);
        }
        if status.firmware.is_some() {
            self.identity.firmware.clone_from(&status.firmware);
        }
        tracing::debug!(
            state = %status.state_name(),
            reasons = ?status.reasons.iter().map(|r| r.keyword.as_str()).collect::<Vec<_>>(),
            accepting = ?status.accepting,
            "printer status"
        );
        Ok(status)
    }

    /// Get-Job-Attributes for `job`.
    fn job_status(&mut self, job: i32) -> Result<JobStatus, IppPrinterError> {
        const OP: &str = "Get-Job-Attributes";
        let mut request =
            GetJobAttributes::new(self.session.target().uri.clone(), job, Some(USER_NAME))
                .map_err(|e| IppPrinterError::BadUri {
                    uri: self.session.target().shown.clone(),
                    why: e.to_string(),
                })?
                .into_ipp_request();
        add_requested(&mut request, JOB_ATTRIBUTES);
        let response = self.session.send(OP, request)?;
        self.session
            .check(OP, &response, || IppPrinterError::JobLost { job })?;
        Ok(JobStatus::from_response(&response))
    }

    fn print(&mut self, front: &EncodedImage) -> Result<String, IppPrinterError> {
        let mime = match front.format {
            ImageFormat::Png => "image/png",
            ImageFormat::Jpeg => "image/jpeg",
        };
        let status = self.printer_status()?;
        for warning in reasons::warnings(&status.reasons) {
            tracing::warn!(reason = warning, "the card printer warns");
        }
        if let Some(words) = status.not_ready(self.queue()) {
            return Err(IppPrinterError::NotReady(words));
        }
        let format = status
            .format_for(mime)
            .ok_or_else(|| IppPrinterError::FormatNotTaken {
                format: mime.to_string(),
                takes: status.formats_text(),
            })?;
        let job = self.send_job(front, &format, &status)?;
        self.wait_job(job)?;
        Ok(format!("ipp job {job}"))
    }

    /// Print-Job; answers the job's id.
    fn send_job(
        &mut self,
        front: &EncodedImage,
        format: &str,
        status: &PrinterStatus,
    ) -> Result<i32, IppPrinterError> {
        const OP: &str = "Print-Job";
        let bad_uri = |why: String| IppPrinterError::BadUri {
            uri: self.session.target().shown.clone(),
            why,
        };
        let payload = IppPayload::new(Cursor::new(front.bytes.clone()));
        let mut job = PrintJob::new(
            self.session.target().uri.clone(),
            payload,
            Some(USER_NAME),
            Some(JOB_NAME),
            Some(format),
        )
        .map_err(|e| bad_uri(e.to_string()))?;
        if let Some(media) = &self.config.media {
            let keyword =
                IppKeyword::new(media.as_str()).map_err(|e| IppPrinterError::BadMedia {
                    media: media.clone(),
                    why: e.to_string(),
                })?;
            job.add_attribute(IppAttribute::new(
                IppAttributeName::MEDIA,
                IppValue::Keyword(keyword),
            ));
        }
        tracing::info!(format, bytes = front.bytes.len(), "sending the card");
        let response = self.session.send(OP, job.into_ipp_request())?;
        let code = response.header().status_code();
        match code {
            StatusCode::ClientErrorDocumentFormatNotSupported => {
                return Err(IppPrinterError::FormatNotTaken {
                    format: format.to_string(),
                    takes: status.formats_text(),
                })
            }
            StatusCode::ServerErrorNotAcceptingJobs => {
                return Err(IppPrinterError::NotReady(reasons::queue_stopped_words(
                    self.queue(),
                )))
            }
            _ => self.session.check(OP, &response, self.no_such_queue())?,
        }
        if code != StatusCode::SuccessfulOk {
            tracing::warn!(
                ignored = ?crate::status::unsupported_names(&response),
                "the printer ignored or replaced some job settings"
            );
        }
        let job = JobStatus::from_response(&response);
        let id = job.id.ok_or(IppPrinterError::NoJobId)?;
        tracing::info!(job = id, "the printer took the card");
        Ok(id)
    }

    /// Follows `job` until it ends or `job_timeout` passes.
    fn wait_job(&mut self, job: i32) -> Result<(), IppPrinterError> {
        let _span = tracing::debug_span!("ipp", op = "wait-job", job).entered();
        let deadline = Instant::now() + self.config.job_timeout;
        loop {
            let last = match self.job_status(job) {
                Ok(s) => match s.state {
                    Some(JOB_COMPLETED) => {
                        if s.reasons.iter().any(|r| r.contains("with-errors")) {
                            tracing::warn!(job, reasons = ?s.reasons, "the job completed with errors");
                        }
                        tracing::info!(job, "the card is printed");
                        return Ok(());
                    }
                    Some(state @ (JOB_ABORTED | JOB_CANCELED)) => {
                        return Err(self.job_failed(job, state, &s.reasons));
                    }
                    Some(JOB_PROCESSING_STOPPED) => {
                        let why = self
                            .printer_status()
                            .ok()
                            .and_then(|p| p.not_ready(self.queue()));
                        Some(match why {
                            Some(w) => format!("the printer stopped: {w}"),
                            None => "the printer stopped".to_string(),
                        })
                    }
                    Some(JOB_PENDING_HELD) => {
                        Some("the job is held in the print queue".to_string())
                    }
                    _ => None,
                },
                Err(
                    e @ (IppPrinterError::NoAnswer { .. } | IppPrinterError::Unreachable { .. }),
                ) => {
                    tracing::warn!(job, error = %e, "no job state, asking again");
                    Some(e.to_string())
                }
                Err(e) => return Err(e),
            };
            let now = Instant::now();
            if now >= deadline {
                return Err(IppPrinterError::JobTimeout {
                    job,
                    after: self.config.job_timeout,
                    last,
                });
            }
            std::thread::sleep(self.config.poll_interval.min(deadline - now));
        }
    }

    fn job_failed(&mut self, job: i32, state: i32, job_reasons: &[String]) -> IppPrinterError {
        let printer_words = match self.printer_status() {
            Ok(printer) => reasons::blocking(&printer.reasons, self.queue()),
            Err(e) => {
                tracing::debug!(error = %e, "no printer state after the failed job");
                Vec::new()
            }
        };
        let (words, attention) =
            reasons::job_failure_words(job_reasons, &printer_words, self.queue());
        IppPrinterError::JobFailed {
            job,
            state: if state == JOB_CANCELED {
                "cancelled"
            } else {
                "aborted"
            },
            words,
            attention,
        }
    }

    fn checks(&self, status: &PrinterStatus) -> Vec<Check> {
        let mut checks = vec![Check::new(
            "reachable",
            true,
            format!(
                "{} at {}",
                status.make_and_model.as_deref().unwrap_or(UNKNOWN_MODEL),
                self.uri()
            ),
        )];
        checks.push(match status.not_ready(self.queue()) {
            None => {
                let warnings = reasons::warnings(&status.reasons);
                let mut detail = status.state_name();
                if status.state == Some(PRINTER_PROCESSING) {
                    detail.push_str(" (printing)");
                }
                if !warnings.is_empty() {
                    detail = format!("{detail}; warnings: {}", warnings.join(", "));
                }
                Check::new("state", true, detail)
            }
            Some(words) => Check::failed("state", ErrorKind::NeedsAttention, words),
        });
        checks.push(match status.format_for("image/png") {
            Some(f) => Check::new("takes PNG", true, format!("sent as {f}")),
            None => Check::failed(
                "takes PNG",
                ErrorKind::NeedsAttention,
                IppPrinterError::FormatNotTaken {
                    format: "image/png".into(),
                    takes: status.formats_text(),
                }
                .to_string(),
            ),
        });
        if let Some(media) = &self.config.media {
            checks.push(match &status.media_supported {
                None => Check::new(
                    "media",
                    true,
                    format!("{media} (the printer lists no sizes)"),
                ),
                Some(list) if list.iter().any(|m| m == media) => {
                    Check::new("media", true, media.clone())
                }
                Some(list) => Check::failed(
                    "media",
                    ErrorKind::Other,
                    format!(
                        "the printer does not list the configured media {media}; it lists {}",
                        list.join(", ")
                    ),
                ),
            });
        }
        checks
    }
}

/// Adds `requesting-user-name` to a request built without it.
fn with_user(mut request: IppRequestResponse) -> IppRequestResponse {
    if let Ok(name) = ipp::value::IppName::new(USER_NAME) {
        request.attributes_mut().add(
            DelimiterTag::OperationAttributes,
            IppAttribute::new(
                IppAttributeName::REQUESTING_USER_NAME,
                IppValue::NameWithoutLanguage(name),
            ),
        );
    }
    request
}

/// Adds `requested-attributes` to a request.
fn add_requested(request: &mut IppRequestResponse, names: &[&str]) {
    let values: Vec<IppValue> = names
        .iter()
        .filter_map(|n| IppKeyword::new(*n).ok().map(IppValue::Keyword))
        .collect();
    request.attributes_mut().add(
        DelimiterTag::OperationAttributes,
        IppAttribute::new(
            IppAttributeName::REQUESTED_ATTRIBUTES,
            IppValue::Array(values),
        ),
    );
}

impl Device for IppCardPrinter {
    fn info(&self) -> DeviceInfo {
        DeviceInfo {
            kind: DeviceKind::CardPrinter,
            driver: "ipp".into(),
            model: self
                .identity
                .model
                .clone()
                .unwrap_or_else(|| UNKNOWN_MODEL.into()),
            serial: self
                .identity
                .serial
                .clone()
                .unwrap_or_else(|| "unknown".into()),
            firmware: self
                .identity
                .firmware
                .clone()
                .unwrap_or_else(|| "unknown".into()),
        }
    }

    fn self_test(&mut self) -> DeviceResult<SelfTestReport> {
        let _span = tracing::debug_span!("ipp", op = "self_test").entered();
        let checks = match self.printer_status() {
            Ok(status) => self.checks(&status),
            // Nothing answers, or not at this queue: the device cannot be reached at all.
            Err(e)
                if matches!(
                    e.kind(),
                    ErrorKind::Disconnected | ErrorKind::NotPresent | ErrorKind::Timeout
                ) =>
            {
                return Err(e.into())
            }
            // Something answers but will not serve the booth: a failed check says what.
            Err(e) => vec![Check::failed("reachable", e.kind(), e.to_string())],
        };
        Ok(SelfTestReport {
            device: self.info(),
            checks,
        })
    }
}

impl CardPrinter for IppCardPrinter {
    fn ready(&mut self) -> DeviceResult<()> {
        let _span = tracing::debug_span!("ipp", op = "ready").entered();
        let status = self.printer_status().map_err(DeviceError::from)?;
        match status.not_ready(self.queue()) {
            Some(words) => Err(DeviceError::from(IppPrinterError::NotReady(words))),
            None => Ok(()),
        }
    }

    fn print_card(&mut self, front: &EncodedImage) -> DeviceResult<String> {
        let _span = tracing::debug_span!("ipp", op = "print_card").entered();
        let started = Instant::now();
        let result = self.print(front);
        match &result {
            Ok(job) => tracing::info!(job, s = secs(started.elapsed()), "card printed"),
            Err(e) => tracing::warn!(error = %e, "card not printed"),
        }
        result.map_err(DeviceError::from)
    }
}

fn secs(d: Duration) -> f64 {
    (d.as_secs_f64() * 10.0).round() / 10.0
}
