//! The citizen's complaint ticket, printed at the booth: the ticket number as text and as a QR
//! code (the status check reads either), who and what it is about, the office's complaint
//! telephone, and the national channel LAPOR!.

use ktpel_hal::{Align, ReceiptDoc, ReceiptLine};

use crate::papers::receipt::{field, local_datetime, text, FREE_OF_CHARGE};
use crate::wire::complaint::Complaint;

pub const TITLE: &str = "TIKET PENGADUAN";
/// The national complaint channel (Layanan Aspirasi dan Pengaduan Online Rakyat).
pub const LAPOR: &str = "LAPOR!: www.lapor.go.id / SMS 1708";

/// The ticket for `c`, as the receipt printer prints it.
pub fn document(c: &Complaint, office: &str, phone: &str, zone: crate::clock::Zone) -> ReceiptDoc {
    let rule = text("-".repeat(32), Align::Center, false, 1);
    ReceiptDoc {
        lines: vec![
            text(TITLE, Align::Center, true, 2),
            text(office, Align::Center, false, 1),
            rule.clone(),
            field("No. Tiket", &c.ticket_no.display()),
            field("Nama", &c.complainant),
            field("Perihal", c.category.indonesian()),
            field("Diterima", &local_datetime(c.received_at, zone)),
            rule.clone(),
            ReceiptLine::Qr {
                payload: c.ticket_no.as_str().to_string(),
            },
            text(c.ticket_no.display(), Align::Center, true, 1),
            text(
                "Pengaduan Anda diteruskan ke sekretariat pengaduan dan segera ditindaklanjuti. \
                 Cek status dengan nomor tiket ini di loket.",
                Align::Left,
                false,
                1,
            ),
            field("Telepon", phone),
            text(LAPOR, Align::Left, false, 1),
            rule,
            text(FREE_OF_CHARGE, Align::Center, true, 1),
            ReceiptLine::Feed(3),
            ReceiptLine::Cut,
        ],
    }
}
