//! The proof of recording (bukti perekaman KTP-el): what the applicant takes home when the card
//! cannot be issued in the verdict window, and brings back to collect it. Built as a printer
//! document here; the receipt printer driver turns it into its own commands.

use jiff::civil::Date;
use jiff::Timestamp;
use ktpel_hal::{Align, ReceiptDoc, ReceiptLine};

use super::Holder;

/// Everything printed on the receipt. Holds the applicant's name: it goes to the printer,
/// never to a log.
#[derive(Clone, PartialEq, Eq)]
pub struct ProofOfRecording {
    pub holder: Holder,
    /// The first day the card may be collected.
    pub come_back_from: Date,
    /// The record still waits for the supervisor's review (`review_before_send`): the paper
    /// says it has not gone to the centre yet and what a rejection means.
    pub under_review: bool,
}

impl std::fmt::Debug for ProofOfRecording {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ProofOfRecording({})", self.holder.receipt_no)
    }
}

pub const TITLE: &str = "BUKTI PEREKAMAN KTP-el";
pub const FREE_OF_CHARGE: &str = "LAYANAN INI TIDAK DIPUNGUT BIAYA";
/// Printed on a proof of recording handed out while the record awaits the supervisor's review.
pub const UNDER_REVIEW: &str = "Rekaman ini masih ditinjau supervisor sebelum dikirim ke pusat. \
     Bila ditolak, petugas akan merekam ulang saat Anda kembali.";

/// The payload of the receipt's QR code: the receipt number, which the pickup screen reads
/// by camera or keypad.
pub fn qr_payload(receipt_no: &str) -> String {
    receipt_no.to_string()
}

pub(crate) fn text(text: impl Into<String>, align: Align, bold: bool, size: u8) -> ReceiptLine {
    ReceiptLine::Text {
        text: text.into(),
        align,
        bold,
        size,
    }
}

pub(crate) fn field(label: &str, value: &str) -> ReceiptLine {
    text(format!("{label:<10}: {value}"), Align::Left, false, 1)
}

/// The date as printed, in the office's time zone: "25-11-2026 09:12 WIB".
pub fn local_datetime(t: Timestamp, zone: crate::clock::Zone) -> String {
    let dt = zone.offset().to_datetime(t);
    format!(
        "{:02}-{:02}-{} {:02}:{:02} {}",
        dt.day(),
        dt.month(),
        dt.year(),
        dt.hour(),
        dt.minute(),
        zone.abbreviation()
    )
}

pub fn card_date(d: Date) -> String {
    format!("{:02}-{:02}-{}", d.day(), d.month(), d.year())
}

impl ProofOfRecording {
    pub fn document(&self) -> ReceiptDoc {
        let rule = text("-".repeat(32), Align::Center, false, 1);
        let h = &self.holder;
        let mut lines = vec![
            text(TITLE, Align::Center, true, 2),
            text(h.office.clone(), Align::Center, false, 1),
            rule.clone(),
        ];
        lines.extend(h.lines());
        lines.extend([
            rule.clone(),
            ReceiptLine::Qr {
                payload: qr_payload(&h.receipt_no),
            },
            text(h.receipt_no.clone(), Align::Center, true, 1),
        ]);
        if self.under_review {
            lines.push(text(UNDER_REVIEW, Align::Left, false, 1));
        }
        lines.extend([
            text(
                format!(
                    "Silakan kembali mulai {} dengan membawa bukti ini untuk mengambil KTP-el.",
                    card_date(self.come_back_from)
                ),
                Align::Left,
                false,
                1,
            ),
            rule,
            text(FREE_OF_CHARGE, Align::Center, true, 1),
            ReceiptLine::Feed(3),
            ReceiptLine::Cut,
        ]);
        ReceiptDoc { lines }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    pub fn sample() -> ProofOfRecording {
        ProofOfRecording {
            holder: Holder {
                office: "Dinas Kependudukan dan Pencatatan Sipil Kota Bandung".into(),
                booth_id: "3273-01".into(),
                receipt_no: "2611250100015".into(),
                queue_no: 1,
                name: "HADI SETIAWAN".into(),
                nik_masked: "327502******0020".into(),
                recorded_at: "2026-11-25T02:12:00Z".parse().unwrap(),
                zone: crate::clock::Zone::Wib,
            },
            come_back_from: jiff::civil::date(2026, 12, 9),
            under_review: false,
        }
    }

    #[test]
    fn a_proof_handed_out_before_the_review_says_the_record_is_not_sent_yet() {
        let plain = ktpel_sim::receipt_text(&sample().document());
        assert!(!plain.contains("ditinjau supervisor"), "{plain}");
        let early = ProofOfRecording {
            under_review: true,
            ..sample()
        };
        let text = ktpel_sim::receipt_text(&early.document());
        for needle in [
            "masih ditinjau supervisor sebelum dikirim ke pusat",
            "merekam ulang",
            "Silakan kembali mulai 09-12-2026",
        ] {
            assert!(
                text.replace('\n', " ").contains(needle),
                "{needle:?} missing from\n{text}"
            );
        }
    }

    #[test]
    fn the_receipt_says_everything_the_applicant_needs() {
        let text = ktpel_sim::receipt_text(&sample().document());
        for needle in [
            "BUKTI PEREKAMAN KTP-el",
            "2611250100015",
            "HADI SETIAWAN",
            "327502******0020",
            "25-11-2026 09:12 WIB",
            "Bandung",
            "09-12-2026",
            "TIDAK DIPUNGUT BIAYA",
            "[QR] 2611250100015",
        ] {
            assert!(text.contains(needle), "{needle:?} missing from\n{text}");
        }
        // In Papua the same moment is printed on Eastern Indonesia Time.
        let mut east = sample();
        east.holder.zone = crate::clock::Zone::Wit;
        let text = ktpel_sim::receipt_text(&east.document());
        assert!(text.contains("25-11-2026 11:12 WIT"), "{text}");
        assert!(
            !text.contains("3275022207460020"),
            "the full NIK is never printed"
        );
    }
}
