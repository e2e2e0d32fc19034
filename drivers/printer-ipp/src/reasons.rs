//! What the printer's `printer-state-reasons` and a job's `job-state-reasons` keywords
//! (RFC 8011 §5.4.12, §5.3.8; PWG 5100.x additions) mean for the booth, in plain words that
//! say what to do.
//!
//! A printer reason keyword may carry a severity suffix: `-error`, `-warning` or `-report`
//! (`media-empty-error`, `marker-supply-low-warning`). RFC 8011 says a keyword without a suffix
//! is an error, but CUPS adds informational keywords without one (`connecting-to-device`,
//! `cups-waiting-for-job-completed`), so only the conditions the booth knows block without a
//! suffix.

/// How serious a reason is, from its suffix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// `-error`: the printer cannot print until a person acts.
    Error,
    /// `-warning`: the printer can still print (a ribbon running low).
    Warning,
    /// `-report`: for information.
    Report,
    /// No suffix.
    Unsuffixed,
}

/// One `printer-state-reasons` keyword, split into the condition and its severity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reason {
    /// The keyword as the printer sent it (`media-empty-error`).
    pub keyword: String,
    /// The condition without the suffix (`media-empty`).
    pub condition: String,
    pub severity: Severity,
}

impl Reason {
    /// Splits the severity suffix off a keyword.
    pub fn parse(keyword: &str) -> Self {
        let keyword = keyword.trim().to_ascii_lowercase();
        let (condition, severity) = [
            ("-error", Severity::Error),
            ("-warning", Severity::Warning),
            ("-report", Severity::Report),
        ]
        .iter()
        .find_map(|(suffix, severity)| {
            keyword
                .strip_suffix(suffix)
                .filter(|c| !c.is_empty())
                .map(|c| (c.to_string(), *severity))
        })
        .unwrap_or_else(|| (keyword.clone(), Severity::Unsuffixed));
        Self {
            keyword,
            condition,
            severity,
        }
    }

    /// What a person must do before the printer takes a card, or `None` when this reason does
    /// not stop printing. `queue` names the CUPS queue for the words about a stopped queue.
    pub fn blocking_words(&self, queue: Option<&str>) -> Option<String> {
        let blocks = match self.severity {
            Severity::Error => true,
            Severity::Unsuffixed => condition_words(&self.condition, queue).is_some(),
            // CUPS reports an unplugged or unanswering printer as `offline-report` and keeps
            // the job until the printer comes back: the card would come out long after the
            // operator gave up on it (and maybe printed it again), so offline always blocks.
            Severity::Report => self.condition == "offline",
            Severity::Warning => false,
        };
        if !blocks {
            return None;
        }
        Some(condition_words(&self.condition, queue).unwrap_or_else(|| {
            format!(
                "the printer reports {}: check the printer and its panel",
                self.keyword
            )
        }))
    }
}

/// Plain words for the conditions the booth knows; `None` for the others.
pub fn condition_words(condition: &str, queue: Option<&str>) -> Option<String> {
    let words = match condition {
        "media-empty" | "media-needed" | "media-low-empty" => "out of blank cards: load cards",
        "media-jam" | "jam" | "input-tray-jam" | "output-tray-jam" => {
            "a card is jammed: open the printer and remove it"
        }
        "cover-open" | "door-open" | "interlock-open" => "close the printer's cover",
        "marker-supply-empty" | "toner-empty" => "the ribbon is used up: change the ribbon",
        "marker-supply-missing" | "toner-missing" => "the ribbon is missing: put a ribbon in",
        "input-tray-missing" => "the card hopper is missing: put it back",
        "output-area-full" | "output-tray-full" => {
            "the output tray is full: take the printed cards out"
        }
        "offline" | "shutdown" | "printer-offline" => {
            "the printer is offline: switch it on and check its cable"
        }
        "paused" | "moving-to-paused" => return Some(queue_stopped_words(queue)),
        _ => return None,
    };
    Some(words.to_string())
}

/// The words for a queue that is stopped or does not accept jobs.
/// `queue` is the CUPS queue's name when the URI names one (`/printers/NAME`).
pub fn queue_stopped_words(queue: Option<&str>) -> String {
    match queue {
        Some(queue) => format!(
            "the print queue is stopped or paused: resume it, e.g. `cupsenable {queue}` / `cupsaccept {queue}`"
        ),
        None => "the printer is stopped or paused, or does not accept jobs: resume it on its panel or web page".to_string(),
    }
}

/// The reasons that stop printing, in plain words (one entry per distinct meaning).
pub fn blocking(reasons: &[Reason], queue: Option<&str>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for words in reasons.iter().filter_map(|r| r.blocking_words(queue)) {
        if !out.contains(&words) {
            out.push(words);
        }
    }
    out
}

/// The reasons worth a line in the log that do not stop printing (warnings and reports).
pub fn warnings(reasons: &[Reason]) -> Vec<&str> {
    reasons
        .iter()
        .filter(|r| matches!(r.severity, Severity::Warning | Severity::Report))
        .filter(|r| r.blocking_words(None).is_none())
        .map(|r| r.keyword.as_str())
        .collect()
}

/// Plain words for why a job ended `aborted` or `canceled`, from its `job-state-reasons` and
/// the words for what stops the printer now (`printer_words`, see [`blocking`]; CUPS often
/// says only `aborted-by-system` for the job). Answers the words and whether a person must act
/// at the printer.
pub fn job_failure_words(
    job_reasons: &[String],
    printer_words: &[String],
    queue: Option<&str>,
) -> (String, bool) {
    let mut words: Vec<String> = Vec::new();
    let mut attention = false;
    let push = |w: String, words: &mut Vec<String>| {
        if !words.contains(&w) {
            words.push(w);
        }
    };
    for keyword in job_reasons {
        let reason = Reason::parse(keyword);
        if let Some(w) = condition_words(&reason.condition, queue) {
            attention = true;
            push(w, &mut words);
            continue;
        }
        let w = match reason.keyword.as_str() {
            "none"
            | "job-printing"
            | "job-incoming"
            | "job-queued"
            | "processing-to-stop-point"
            | "job-completed-successfully" => continue,
            "job-canceled-by-user" | "job-canceled-by-operator" | "job-canceled-at-device" => {
                "the job was cancelled at the printer or in the print queue".to_string()
            }
            "aborted-by-system" => "the printer or the print server gave up on the job".to_string(),
            "document-format-error"
            | "document-unprintable-error"
            | "unsupported-document-format"
            | "unsupported-compression"
            | "compression-error" => "the printer could not read the card image".to_string(),
            "printer-stopped" | "printer-stopped-partly" => {
                attention = true;
                "the printer stopped".to_string()
            }
            "job-hold-until-specified" | "job-held-by-user" | "job-held-for-review" => {
                "the job was held in the print queue".to_string()
            }
            other => format!("the printer reports {other}"),
        };
        push(w, &mut words);
    }
    for w in printer_words {
        attention = true;
        push(w.clone(), &mut words);
    }
    // "gave up" adds nothing to a reason that says what happened.
    let generic = "the printer or the print server gave up on the job";
    if words.len() > 1 {
        words.retain(|w| w != generic);
    }
    if words.is_empty() {
        words.push("the printer did not say why".to_string());
    }
    (words.join("; "), attention)
}

/// The RFC 8011 keyword of an IPP status code (`client-error-not-found`).
pub fn status_keyword(code: u16) -> String {
    let known = match code {
        0x0000 => "successful-ok",
        0x0001 => "successful-ok-ignored-or-substituted-attributes",
        0x0002 => "successful-ok-conflicting-attributes",
        0x0400 => "client-error-bad-request",
        0x0401 => "client-error-forbidden",
        0x0402 => "client-error-not-authenticated",
        0x0403 => "client-error-not-authorized",
        0x0404 => "client-error-not-possible",
        0x0405 => "client-error-timeout",
        0x0406 => "client-error-not-found",
        0x0407 => "client-error-gone",
        0x0408 => "client-error-request-entity-too-large",
        0x0409 => "client-error-request-value-too-long",
        0x040A => "client-error-document-format-not-supported",
        0x040B => "client-error-attributes-or-values-not-supported",
        0x040C => "client-error-uri-scheme-not-supported",
        0x040D => "client-error-charset-not-supported",
        0x040E => "client-error-conflicting-attributes",
        0x040F => "client-error-compression-not-supported",
        0x0410 => "client-error-compression-error",
        0x0411 => "client-error-document-format-error",
        0x0412 => "client-error-document-access-error",
        0x0500 => "server-error-internal-error",
        0x0501 => "server-error-operation-not-supported",
        0x0502 => "server-error-service-unavailable",
        0x0503 => "server-error-version-not-supported",
        0x0504 => "server-error-device-error",
        0x0505 => "server-error-temporary-error",
        0x0506 => "server-error-not-accepting-jobs",
        0x0507 => "server-error-busy",
        0x0508 => "server-error-job-canceled",
        0x0509 => "server-error-multiple-document-jobs-not-supported",
        _ => return format!("IPP status 0x{code:04x}"),
    };
    known.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reasons(keywords: &[&str]) -> Vec<Reason> {
        keywords.iter().map(|k| Reason::parse(k)).collect()
    }

    #[test]
    fn suffixes_are_split_off() {
        let r = Reason::parse("media-empty-error");
        assert_eq!(r.condition, "media-empty");
        assert_eq!(r.severity, Severity::Error);
        let r = Reason::parse("marker-supply-low-warning");
        assert_eq!(r.condition, "marker-supply-low");
        assert_eq!(r.severity, Severity::Warning);
        let r = Reason::parse("offline-report");
        assert_eq!(r.condition, "offline");
        assert_eq!(r.severity, Severity::Report);
        let r = Reason::parse("media-jam");
        assert_eq!(r.condition, "media-jam");
        assert_eq!(r.severity, Severity::Unsuffixed);
    }

    #[test]
    fn known_conditions_block_with_or_without_the_error_suffix() {
        for (keyword, words) in [
            ("media-empty", "out of blank cards: load cards"),
            ("media-empty-error", "out of blank cards: load cards"),
            ("media-needed-error", "out of blank cards: load cards"),
            (
                "media-jam",
                "a card is jammed: open the printer and remove it",
            ),
            (
                "media-jam-error",
                "a card is jammed: open the printer and remove it",
            ),
            ("cover-open", "close the printer's cover"),
            ("door-open-error", "close the printer's cover"),
            ("interlock-open", "close the printer's cover"),
            (
                "marker-supply-empty-error",
                "the ribbon is used up: change the ribbon",
            ),
            (
                "offline",
                "the printer is offline: switch it on and check its cable",
            ),
            (
                "shutdown-error",
                "the printer is offline: switch it on and check its cable",
            ),
        ] {
            assert_eq!(
                Reason::parse(keyword)
                    .blocking_words(Some("card"))
                    .as_deref(),
                Some(words),
                "{keyword}"
            );
        }
    }

    #[test]
    fn warnings_and_reports_do_not_block() {
        let rs = reasons(&[
            "marker-supply-low-warning",
            "media-low-report",
            "media-empty-warning",
            "none",
            "connecting-to-device",
            "cups-waiting-for-job-completed",
        ]);
        assert!(blocking(&rs, Some("card")).is_empty());
        assert_eq!(
            warnings(&rs),
            vec![
                "marker-supply-low-warning",
                "media-low-report",
                "media-empty-warning"
            ]
        );
    }

    #[test]
    fn an_offline_report_blocks_because_cups_would_hold_the_card() {
        assert_eq!(
            blocking(&reasons(&["offline-report"]), Some("card")),
            vec!["the printer is offline: switch it on and check its cable"]
        );
    }

    #[test]
    fn unknown_errors_are_named() {
        let words = blocking(&reasons(&["spool-area-full-error"]), Some("card"));
        assert_eq!(words.len(), 1);
        assert!(words[0].contains("spool-area-full-error"), "{words:?}");
    }

    #[test]
    fn a_paused_queue_says_how_to_resume_it() {
        let words = blocking(&reasons(&["paused"]), Some("card"));
        assert_eq!(words.len(), 1);
        assert!(words[0].contains("cupsenable card"), "{words:?}");
        assert!(words[0].contains("cupsaccept card"), "{words:?}");
    }

    #[test]
    fn the_same_meaning_is_said_once() {
        let words = blocking(
            &reasons(&["media-empty-error", "media-needed-error"]),
            Some("q"),
        );
        assert_eq!(words, vec!["out of blank cards: load cards"]);
    }

    #[test]
    fn job_failures_are_explained() {
        let (words, attention) = job_failure_words(
            &["media-jam".into(), "aborted-by-system".into()],
            &[],
            Some("q"),
        );
        assert!(attention);
        assert_eq!(words, "a card is jammed: open the printer and remove it");

        let (words, attention) = job_failure_words(&["aborted-by-system".into()], &[], Some("q"));
        assert!(!attention);
        assert!(words.contains("gave up"), "{words}");

        let printer = blocking(&[Reason::parse("media-jam-error")], Some("q"));
        let (words, attention) =
            job_failure_words(&["aborted-by-system".into()], &printer, Some("q"));
        assert!(attention);
        assert_eq!(words, "a card is jammed: open the printer and remove it");

        let (words, attention) =
            job_failure_words(&["job-canceled-at-device".into()], &[], Some("q"));
        assert!(!attention);
        assert!(words.contains("cancelled"), "{words}");

        let (words, _) = job_failure_words(&[], &[], Some("q"));
        assert_eq!(words, "the printer did not say why");
    }

    #[test]
    fn status_codes_have_their_rfc_names() {
        assert_eq!(status_keyword(0x0406), "client-error-not-found");
        assert_eq!(status_keyword(0x0507), "server-error-busy");
        assert_eq!(status_keyword(0x0777), "IPP status 0x0777");
    }
}
