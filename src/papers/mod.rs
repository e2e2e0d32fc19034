//! The papers the booth prints on its receipt printer: the proof of recording, the notices for
//! records that will not be printed now, and the complaint ticket.

pub mod notice;
pub mod receipt;
pub mod ticket;

use jiff::Timestamp;
use ktpel_hal::ReceiptLine;

use receipt::{field, local_datetime};

/// Who the paper is for and which record.
#[derive(Clone, PartialEq, Eq)]
pub struct Holder {
    pub office: String,
    pub booth_id: String,
    pub receipt_no: String,
    pub queue_no: u32,
    /// Printed for the applicant; never logged.
    pub name: String,
    /// Already masked.
    pub nik_masked: String,
    pub recorded_at: Timestamp,
    /// The office's time zone, for the printed time.
    pub zone: crate::clock::Zone,
}

impl std::fmt::Debug for Holder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Holder({})", self.receipt_no)
    }
}

impl Holder {
    pub(crate) fn lines(&self) -> Vec<ReceiptLine> {
        vec![
            field("No. Bukti", &self.receipt_no),
            field("Nama", &self.name),
            field("NIK", &self.nik_masked),
            field("Direkam", &local_datetime(self.recorded_at, self.zone)),
            field(
                "Loket",
                &format!("{} / antrean {:03}", self.booth_id, self.queue_no),
            ),
        ]
    }
}
