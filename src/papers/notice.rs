//! The papers for records that will not be printed now, each saying in plain Indonesian what
//! it means, what the applicant must do and where to go — never the pickup receipt, which would
//! send them back for a card that will not exist:
//!
//! - a duplicate, adjudicate or enroll-failure verdict ([`VerdictNotice`]), with the verdict's
//!   status code and reason code and the receipt number;
//! - print ready while the booth has no blank cards ([`AwaitingBlanks`]): the office's
//!   out-of-blanks practice, a paper saying the card is printed when blanks arrive, which the
//!   applicant brings back like a receipt.

use ktpel_hal::{Align, ReceiptDoc, ReceiptLine};

use crate::papers::receipt::{field, qr_payload, text, FREE_OF_CHARGE};
use crate::papers::Holder;
use crate::wire::centre::verdict_code as code;

/// Which verdict a notice is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Duplicate,
    Adjudicate,
    EnrollFailure,
}

impl Verdict {
    /// The status as the centre's systems name it, printed for the office to look up.
    pub fn status_code(self) -> &'static str {
        match self {
            Verdict::Duplicate => "DUPLICATE_RECORD",
            Verdict::Adjudicate => "ADJUDICATE_RECORD",
            Verdict::EnrollFailure => "ENROLL_FAILURE",
        }
    }

    /// The notice's heading under "PEMBERITAHUAN" (short enough for double-size print).
    fn title(self) -> &'static str {
        match self {
            Verdict::Duplicate => "DATA GANDA",
            Verdict::Adjudicate => "VERIFIKASI PETUGAS",
            Verdict::EnrollFailure => "PEREKAMAN GAGAL",
        }
    }

    /// What the verdict means, in general.
    fn meaning(self) -> &'static str {
        match self {
            Verdict::Duplicate => {
                "Pusat menemukan rekaman lain yang sama dengan data Anda. KTP-el TIDAK DAPAT \
                 dicetak dari perekaman ini."
            }
            Verdict::Adjudicate => {
                "Pusat belum dapat memastikan data Anda secara otomatis. Petugas pusat akan \
                 memeriksanya; Anda tidak perlu merekam ulang."
            }
            Verdict::EnrollFailure => {
                "Data rekaman Anda tidak dapat diproses di pusat. KTP-el belum dapat dicetak."
            }
        }
    }

    /// What the applicant must do, and where to go.
    fn to_do(self, reason: Option<&str>) -> (&'static str, &'static str) {
        match (self, reason) {
            (Verdict::Duplicate, _) => (
                "Bawa KK asli, KTP-el lama (bila ada) dan surat ini untuk pemeriksaan data ganda. \
                 Bila KTP-el lama hilang atau rusak, ajukan penggantian, bukan perekaman baru.",
                "Bidang Pendaftaran Penduduk",
            ),
            (Verdict::Adjudicate, _) => (
                "Tunggu kabar dari Dinas, atau tanyakan status dengan nomor di surat ini setelah \
                 7 hari kerja.",
                "Loket pelayanan KTP-el",
            ),
            (Verdict::EnrollFailure, Some(code::NOT_IN_SIAK | code::SIAK_MISMATCH)) => (
                "Data kependudukan Anda di SIAK perlu diperbaiki lebih dahulu. Bawa KK asli dan \
                 surat ini; setelah data diperbaiki, lakukan perekaman ulang.",
                "Bidang Pendaftaran Penduduk",
            ),
            (Verdict::EnrollFailure, _) => (
                "Datang kembali untuk perekaman ulang dengan membawa KK asli dan surat ini. \
                 Perekaman ulang tidak dipungut biaya.",
                "Loket perekaman KTP-el",
            ),
        }
    }
}

/// Why, in words, for each reason code the centre gives.
pub fn reason_words(reason: &str) -> Option<&'static str> {
    Some(match reason {
        code::NIK_ENROLLED => "NIK ini sudah memiliki rekaman sebelumnya.",
        code::BIOMETRIC_MATCH => "Sidik jari atau iris cocok dengan rekaman NIK lain.",
        code::NO_FINGERPRINTS => "Tidak ada sidik jari yang dapat dipakai.",
        code::INCONCLUSIVE => "Pencocokan belum memberi hasil pasti.",
        code::INCOMPLETE => "Data rekaman tidak lengkap.",
        code::NOT_IN_SIAK => "NIK tidak ditemukan di SIAK.",
        code::SIAK_MISMATCH => "Data rekaman berbeda dengan data SIAK.",
        code::PHOTO_UNUSABLE => "Foto wajah tidak dapat dipakai.",
        code::FINGERS_UNREADABLE => "Sidik jari tidak terbaca.",
        _ => return None,
    })
}

/// The paper for a duplicate, adjudicate or enroll-failure verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerdictNotice {
    pub holder: Holder,
    pub verdict: Verdict,
    /// The centre's reason code, when it gave one.
    pub reason: Option<String>,
}

impl VerdictNotice {
    pub fn document(&self) -> ReceiptDoc {
        let rule = text("-".repeat(32), Align::Center, false, 1);
        let (to_do, place) = self.verdict.to_do(self.reason.as_deref());
        let mut lines = vec![
            text(NOTICE_TITLE, Align::Center, true, 2),
            text(self.verdict.title(), Align::Center, true, 2),
            text(self.holder.office.clone(), Align::Center, false, 1),
            rule.clone(),
        ];
        lines.extend(self.holder.lines());
        let status = match &self.reason {
            Some(r) => format!("{} ({r})", self.verdict.status_code()),
            None => self.verdict.status_code().to_string(),
        };
        lines.push(field("Status", &status));
        lines.push(rule.clone());
        lines.push(text("Artinya:", Align::Left, true, 1));
        lines.push(text(self.verdict.meaning(), Align::Left, false, 1));
        if let Some(words) = self.reason.as_deref().and_then(reason_words) {
            lines.push(text(words, Align::Left, false, 1));
        }
        lines.push(text("Yang harus dilakukan:", Align::Left, true, 1));
        lines.push(text(to_do, Align::Left, false, 1));
        lines.push(field("Ke", &format!("{place}, {}", self.holder.office)));
        lines.push(text(
            "Surat ini BUKAN bukti pengambilan KTP-el.",
            Align::Left,
            true,
            1,
        ));
        lines.push(ReceiptLine::Qr {
            payload: qr_payload(&self.holder.receipt_no),
        });
        lines.push(rule);
        lines.push(text(FREE_OF_CHARGE, Align::Center, true, 1));
        lines.push(ReceiptLine::Feed(3));
        lines.push(ReceiptLine::Cut);
        ReceiptDoc { lines }
    }
}

/// The out-of-blanks paper: the record is print ready, the card is printed when blank cards
/// arrive, and the applicant collects it with this paper.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwaitingBlanks {
    pub holder: Holder,
}

/// The first heading of every verdict notice.
pub const NOTICE_TITLE: &str = "PEMBERITAHUAN";
/// The out-of-blanks paper's headings (each short enough for double-size print).
pub const AWAITING_BLANKS_TITLE: [&str; 2] = ["SURAT KETERANGAN", "MENUNGGU BLANKO"];

impl AwaitingBlanks {
    pub fn document(&self) -> ReceiptDoc {
        let rule = text("-".repeat(32), Align::Center, false, 1);
        let mut lines = vec![
            text(AWAITING_BLANKS_TITLE[0], Align::Center, true, 2),
            text(AWAITING_BLANKS_TITLE[1], Align::Center, true, 2),
            text(self.holder.office.clone(), Align::Center, false, 1),
            rule.clone(),
        ];
        lines.extend(self.holder.lines());
        lines.push(field("Status", "PRINT_READY_RECORD"));
        lines.push(rule.clone());
        lines.push(text("DATA ANDA SIAP CETAK", Align::Center, true, 1));
        lines.push(text(
            "Perekaman Anda sudah selesai. Blanko KTP-el sedang habis: KTP-el Anda akan \
             dicetak begitu blanko tersedia.",
            Align::Left,
            false,
            1,
        ));
        lines.push(text(
            "Simpan surat ini dan tunjukkan saat mengambil KTP-el; nomor di bawah dapat dipindai \
             di loket.",
            Align::Left,
            false,
            1,
        ));
        lines.push(ReceiptLine::Qr {
            payload: qr_payload(&self.holder.receipt_no),
        });
        lines.push(text(self.holder.receipt_no.clone(), Align::Center, true, 1));
        lines.push(rule);
        lines.push(text(FREE_OF_CHARGE, Align::Center, true, 1));
        lines.push(ReceiptLine::Feed(3));
        lines.push(ReceiptLine::Cut);
        ReceiptDoc { lines }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn holder() -> Holder {
        Holder {
            office: "Dinas Kependudukan dan Pencatatan Sipil Kota Bandung".into(),
            booth_id: "3273-01".into(),
            receipt_no: "2611250100015".into(),
            queue_no: 15,
            name: "HADI SETIAWAN".into(),
            nik_masked: "327502******0020".into(),
            recorded_at: "2026-11-25T02:12:00Z".parse().unwrap(),
            zone: crate::clock::Zone::Wib,
        }
    }

    #[test]
    fn each_verdict_has_its_own_paper_with_its_code_what_to_do_and_where() {
        let cases = [
            (
                Verdict::Duplicate,
                code::NIK_ENROLLED,
                "DATA GANDA",
                "Bidang Pendaftaran Penduduk",
            ),
            (
                Verdict::Adjudicate,
                code::NO_FINGERPRINTS,
                "VERIFIKASI PETUGAS",
                "Loket pelayanan",
            ),
            (
                Verdict::EnrollFailure,
                code::PHOTO_UNUSABLE,
                "PEREKAMAN GAGAL",
                "perekaman ulang",
            ),
        ];
        let mut seen = Vec::new();
        for (verdict, reason, title, place) in cases {
            let doc = VerdictNotice {
                holder: holder(),
                verdict,
                reason: Some(reason.into()),
            }
            .document();
            let text = ktpel_sim::receipt_text(&doc);
            for needle in [
                NOTICE_TITLE,
                title,
                place,
                verdict.status_code(),
                reason,
                reason_words(reason).unwrap(),
                "2611250100015",
                "HADI SETIAWAN",
                "BUKAN bukti pengambilan",
                "TIDAK DIPUNGUT BIAYA",
            ] {
                assert!(text.contains(needle), "{needle:?} missing from\n{text}");
            }
            assert!(!text.contains(crate::papers::receipt::TITLE), "{text}");
            seen.push(text);
        }
        seen.dedup();
        assert_eq!(seen.len(), 3, "three different papers");
    }

    #[test]
    fn a_siak_problem_sends_the_applicant_to_have_siak_corrected_first() {
        let text = ktpel_sim::receipt_text(
            &VerdictNotice {
                holder: holder(),
                verdict: Verdict::EnrollFailure,
                reason: Some(code::SIAK_MISMATCH.into()),
            }
            .document(),
        );
        assert!(text.contains("SIAK perlu diperbaiki"), "{text}");
    }

    #[test]
    fn the_out_of_blanks_paper_promises_the_card_and_carries_the_number_to_come_back_with() {
        let text = ktpel_sim::receipt_text(&AwaitingBlanks { holder: holder() }.document());
        for needle in [
            AWAITING_BLANKS_TITLE[0],
            AWAITING_BLANKS_TITLE[1],
            "DATA ANDA SIAP CETAK",
            "blanko tersedia",
            "[QR] 2611250100015",
            "TIDAK DIPUNGUT BIAYA",
        ] {
            assert!(text.contains(needle), "{needle:?} missing from\n{text}");
        }
    }

    #[test]
    fn every_reason_code_has_words() {
        for c in code::ALL {
            assert!(reason_words(c).is_some(), "{c}");
        }
    }
}
