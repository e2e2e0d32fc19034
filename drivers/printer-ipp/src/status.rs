//! What the driver reads out of IPP answers: the printer's state and abilities
//! (Get-Printer-Attributes) and a job's state (Print-Job, Get-Job-Attributes).

use crate::reasons::{self, Reason};
use ipp::prelude::{DelimiterTag, IppRequestResponse, IppValue};

/// `printer-state` values (RFC 8011 §5.4.11).
pub const PRINTER_IDLE: i32 = 3;
pub const PRINTER_PROCESSING: i32 = 4;
pub const PRINTER_STOPPED: i32 = 5;

/// `job-state` values (RFC 8011 §5.3.7).
pub const JOB_PENDING: i32 = 3;
pub const JOB_PENDING_HELD: i32 = 4;
pub const JOB_PROCESSING: i32 = 5;
pub const JOB_PROCESSING_STOPPED: i32 = 6;
pub const JOB_CANCELED: i32 = 7;
pub const JOB_ABORTED: i32 = 8;
pub const JOB_COMPLETED: i32 = 9;

/// The printer attributes the driver asks for.
pub const PRINTER_ATTRIBUTES: &[&str] = &[
    "printer-state",
    "printer-state-reasons",
    "printer-state-message",
    "printer-is-accepting-jobs",
    "document-format-supported",
    "printer-make-and-model",
    "printer-uuid",
    "printer-firmware-string-version",
    "media-supported",
];

/// The job attributes the driver asks for.
pub const JOB_ATTRIBUTES: &[&str] = &["job-id", "job-state", "job-state-reasons"];

/// A format every printer takes and types itself (CUPS auto-typing).
pub const OCTET_STREAM: &str = "application/octet-stream";

/// The printer as Get-Printer-Attributes described it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PrinterStatus {
    pub state: Option<i32>,
    pub reasons: Vec<Reason>,
    pub accepting: Option<bool>,
    /// `document-format-supported`; `None` when the printer did not say.
    pub formats: Option<Vec<String>>,
    pub make_and_model: Option<String>,
    pub uuid: Option<String>,
    pub firmware: Option<String>,
    pub media_supported: Option<Vec<String>>,
}

impl PrinterStatus {
    /// Reads the first printer-attributes group of `response`.
    pub fn from_response(response: &IppRequestResponse) -> Self {
        let get = |name: &str| attribute(response, DelimiterTag::PrinterAttributes, name);
        Self {
            state: get("printer-state").and_then(integer),
            reasons: get("printer-state-reasons")
                .map(strings)
                .unwrap_or_default()
                .iter()
                .filter(|k| k.as_str() != "none")
                .map(|k| Reason::parse(k))
                .collect(),
            accepting: get("printer-is-accepting-jobs").and_then(|v| v.as_boolean().copied()),
            formats: get("document-format-supported").map(|v| {
                strings(v)
                    .into_iter()
                    .map(|f| f.to_ascii_lowercase())
                    .collect()
            }),
            make_and_model: get("printer-make-and-model")
                .and_then(|v| strings(v).into_iter().next())
                .filter(|s| !s.trim().is_empty()),
            uuid: get("printer-uuid")
                .and_then(|v| strings(v).into_iter().next())
                .map(|u| u.strip_prefix("urn:uuid:").map(str::to_string).unwrap_or(u)),
            firmware: get("printer-firmware-string-version").map(|v| strings(v).join(", ")),
            media_supported: get("media-supported").map(strings),
        }
    }

    /// What stops printing, in plain words, or `None` when the printer takes a card now.
    /// The reasons come first: they say more than "stopped".
    pub fn not_ready(&self, queue: Option<&str>) -> Option<String> {
        let mut words = reasons::blocking(&self.reasons, queue);
        let stopped_without_reason = self.state == Some(PRINTER_STOPPED) && words.is_empty();
        if stopped_without_reason || self.accepting == Some(false) {
            let w = reasons::queue_stopped_words(queue);
            if !words.contains(&w) {
                words.push(w);
            }
        }
        (!words.is_empty()).then(|| words.join("; "))
    }

    /// The format to send an image of MIME type `mime` as: the type itself when the printer
    /// lists it, `application/octet-stream` when it lists only that, the type itself when it
    /// did not say; `None` when it does not take it.
    pub fn format_for(&self, mime: &str) -> Option<String> {
        match &self.formats {
            None => Some(mime.to_string()),
            Some(f) if f.iter().any(|x| x == mime) => Some(mime.to_string()),
            Some(f) if f.iter().any(|x| x == OCTET_STREAM) => Some(OCTET_STREAM.to_string()),
            Some(_) => None,
        }
    }

    /// The formats the printer listed, for messages.
    pub fn formats_text(&self) -> String {
        match &self.formats {
            Some(f) if !f.is_empty() => f.join(", "),
            _ => "nothing it names".to_string(),
        }
    }

    /// `idle`, `processing`, `stopped`.
    pub fn state_name(&self) -> String {
        match self.state {
            Some(PRINTER_IDLE) => "idle".into(),
            Some(PRINTER_PROCESSING) => "processing".into(),
            Some(PRINTER_STOPPED) => "stopped".into(),
            Some(other) => format!("state {other}"),
            None => "state not reported".into(),
        }
    }
}

/// A job as Print-Job or Get-Job-Attributes described it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JobStatus {
    pub id: Option<i32>,
    pub state: Option<i32>,
    pub reasons: Vec<String>,
}

impl JobStatus {
    pub fn from_response(response: &IppRequestResponse) -> Self {
        let get = |name: &str| attribute(response, DelimiterTag::JobAttributes, name);
        Self {
            id: get("job-id").and_then(integer),
            state: get("job-state").and_then(integer),
            reasons: get("job-state-reasons")
                .map(strings)
                .unwrap_or_default()
                .into_iter()
                .filter(|k| k != "none")
                .collect(),
        }
    }
}

/// `status-message` of an answer, if the printer sent one.
pub fn status_message(response: &IppRequestResponse) -> Option<String> {
    attribute(
        response,
        DelimiterTag::OperationAttributes,
        "status-message",
    )
    .and_then(|v| strings(v).into_iter().next())
    .map(|m| m.chars().take(200).collect())
}

/// The names in the unsupported-attributes group (what the printer ignored or replaced).
pub fn unsupported_names(response: &IppRequestResponse) -> Vec<String> {
    response
        .attributes()
        .groups_of(DelimiterTag::UnsupportedAttributes)
        .flat_map(|g| g.attributes().iter().map(|a| a.name().as_str().to_string()))
        .collect()
}

/// The attribute `name` in the first group tagged `tag`.
pub fn attribute<'a>(
    response: &'a IppRequestResponse,
    tag: DelimiterTag,
    name: &str,
) -> Option<&'a IppValue> {
    response
        .attributes()
        .groups_of(tag)
        .find_map(|g| g.get(name))
        .map(|a| a.value())
}

/// An integer or enum value.
pub fn integer(value: &IppValue) -> Option<i32> {
    match value {
        IppValue::Integer(i) | IppValue::Enum(i) => Some(*i),
        IppValue::Array(a) => a.first().and_then(integer),
        _ => None,
    }
}

/// The text of every string-like value (keyword, name, text, MIME type, URI).
pub fn strings(value: &IppValue) -> Vec<String> {
    value
        .into_iter()
        .filter_map(|v| match v {
            IppValue::Keyword(s) | IppValue::MimeMediaType(s) | IppValue::MemberAttrName(s) => {
                Some(s.as_str().to_string())
            }
            IppValue::NameWithoutLanguage(s) => Some(s.as_str().to_string()),
            IppValue::TextWithoutLanguage(s) => Some(AsRef::<str>::as_ref(s).to_string()),
            IppValue::TextWithLanguage { text, .. } => Some(AsRef::<str>::as_ref(text).to_string()),
            IppValue::NameWithLanguage { name, .. } => Some(name.as_str().to_string()),
            IppValue::Uri(s) | IppValue::UriScheme(s) => Some(s.as_str().to_string()),
            IppValue::Charset(s) | IppValue::NaturalLanguage(s) => Some(s.as_str().to_string()),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(state: i32, reasons: &[&str], accepting: bool) -> PrinterStatus {
        PrinterStatus {
            state: Some(state),
            reasons: reasons.iter().map(|k| Reason::parse(k)).collect(),
            accepting: Some(accepting),
            ..Default::default()
        }
    }

    #[test]
    fn an_idle_accepting_printer_is_ready_despite_warnings() {
        let s = status(PRINTER_IDLE, &["marker-supply-low-warning"], true);
        assert_eq!(s.not_ready(Some("card")), None);
    }

    #[test]
    fn a_reason_says_more_than_stopped() {
        let s = status(PRINTER_STOPPED, &["media-empty-error"], true);
        assert_eq!(
            s.not_ready(Some("card")).as_deref(),
            Some("out of blank cards: load cards")
        );
    }

    #[test]
    fn a_stopped_or_rejecting_queue_says_how_to_resume_it() {
        for s in [
            status(PRINTER_STOPPED, &[], true),
            status(PRINTER_IDLE, &[], false),
            status(PRINTER_STOPPED, &["paused"], false),
        ] {
            let words = s.not_ready(Some("card")).unwrap_or_default();
            assert_eq!(
                words,
                "the print queue is stopped or paused: resume it, e.g. `cupsenable card` / `cupsaccept card`"
            );
        }
    }

    #[test]
    fn the_format_sent_is_one_the_printer_takes() {
        let mut s = PrinterStatus::default();
        assert_eq!(s.format_for("image/png").as_deref(), Some("image/png"));
        s.formats = Some(vec![
            "application/octet-stream".into(),
            "application/pdf".into(),
        ]);
        assert_eq!(s.format_for("image/png").as_deref(), Some(OCTET_STREAM));
        s.formats = Some(vec!["image/pwg-raster".into(), "image/png".into()]);
        assert_eq!(s.format_for("image/png").as_deref(), Some("image/png"));
        s.formats = Some(vec!["image/pwg-raster".into(), "image/urf".into()]);
        assert_eq!(s.format_for("image/png"), None);
        assert_eq!(s.formats_text(), "image/pwg-raster, image/urf");
    }
}
