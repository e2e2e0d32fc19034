//! The printers: spool files, in-memory records, paper out and retry.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use ktpel_hal::{
    Align, CardPrinter, EncodedImage, ErrorKind, GrayImage, ImageFormat, ReceiptDoc, ReceiptLine,
    ReceiptPrinter,
};
use ktpel_sim::{receipt_text, Fault, SimCardPrinter, SimReceiptPrinter, RECEIPT_COLUMNS};

fn encoded(format: image::ImageFormat) -> EncodedImage {
    let img = image::RgbImage::from_fn(86, 54, |x, y| image::Rgb([x as u8 * 2, y as u8 * 4, 128]));
    let mut bytes = Vec::new();
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut std::io::Cursor::new(&mut bytes), format)
        .unwrap();
    let format = if format == image::ImageFormat::Png {
        ImageFormat::Png
    } else {
        ImageFormat::Jpeg
    };
    EncodedImage {
        format,
        width: 86,
        height: 54,
        bytes,
    }
}

fn text(s: &str, align: Align) -> ReceiptLine {
    ReceiptLine::Text {
        text: s.into(),
        align,
        bold: false,
        size: 1,
    }
}

#[test]
fn card_fronts_are_spooled_as_png() {
    let dir = tempfile::tempdir().unwrap();
    let mut printer = SimCardPrinter::new(1, Some(dir.path().to_path_buf()));
    let job1 = printer
        .print_card(&encoded(image::ImageFormat::Png))
        .unwrap();
    let job2 = printer
        .print_card(&encoded(image::ImageFormat::Jpeg))
        .unwrap();
    assert_ne!(job1, job2);
    for job in [&job1, &job2] {
        let path = dir.path().join(format!("card-{job}.png"));
        let img = image::open(&path).unwrap();
        assert_eq!((img.width(), img.height()), (86, 54));
    }
    let printed = printer.printed();
    assert_eq!(printed.len(), 2);
    assert!(printed.iter().all(|c| c.front.format == ImageFormat::Png));
    // A second printer on the same folder does not overwrite.
    let mut other = SimCardPrinter::new(2, Some(dir.path().to_path_buf()));
    let job3 = other.print_card(&encoded(image::ImageFormat::Png)).unwrap();
    assert!(job3 != job1 && job3 != job2);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 3);
}

#[test]
fn a_card_front_that_is_no_image_is_bad_data() {
    let mut printer = SimCardPrinter::new(1, None);
    let junk = EncodedImage {
        format: ImageFormat::Png,
        width: 1,
        height: 1,
        bytes: vec![1, 2, 3],
    };
    assert_eq!(
        printer.print_card(&junk).unwrap_err().kind,
        ErrorKind::BadData
    );
    assert!(printer.printed().is_empty());
}

#[test]
fn an_empty_hopper_refuses_and_the_job_can_be_retried() {
    let mut printer = SimCardPrinter::new(1, None);
    let control = printer.control();
    control.set_paper_out(true);
    let e = printer
        .print_card(&encoded(image::ImageFormat::Png))
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::NeedsAttention);
    assert!(e.message.contains("hopper"), "{}", e.message);
    control.set_paper_out(false);
    printer
        .print_card(&encoded(image::ImageFormat::Png))
        .unwrap();
    assert_eq!(printer.printed().len(), 1);
}

#[test]
fn receipts_are_kept_and_spooled_as_text() {
    let dir = tempfile::tempdir().unwrap();
    let mut printer = SimReceiptPrinter::new(1, Some(dir.path().to_path_buf()));
    let doc = ReceiptDoc {
        lines: vec![
            text("DINAS KEPENDUDUKAN", Align::Center),
            text("Gratis", Align::Right),
            ReceiptLine::Qr {
                payload: "KTPEL:PICKUP:0042".into(),
            },
            ReceiptLine::Image(GrayImage::new(8, 4, vec![0; 32]).unwrap()),
            ReceiptLine::Feed(2),
            ReceiptLine::Cut,
        ],
    };
    assert!(printer.status().unwrap().ready());
    printer.print(&doc).unwrap();
    printer.print(&ReceiptDoc::default()).unwrap();
    assert_eq!(printer.printed(), vec![doc.clone(), ReceiptDoc::default()]);
    assert_eq!(printer.control().printed_receipts().len(), 2);
    let first = std::fs::read_to_string(dir.path().join("receipt-0001.txt")).unwrap();
    assert_eq!(first, receipt_text(&doc));
    let lines: Vec<&str> = first.lines().collect();
    assert_eq!(lines[0].trim(), "DINAS KEPENDUDUKAN");
    assert_eq!(
        lines[0].len() - lines[0].trim_start().len(),
        (RECEIPT_COLUMNS - 18) / 2,
        "centred"
    );
    assert_eq!(lines[1].len(), RECEIPT_COLUMNS, "right-aligned");
    assert_eq!(lines[2], "[QR] KTPEL:PICKUP:0042");
    assert_eq!(lines[3], "[IMAGE 8x4]");
    assert_eq!((lines[4], lines[5]), ("", ""));
    assert_eq!(lines[6], "-".repeat(RECEIPT_COLUMNS));
    assert!(dir.path().join("receipt-0002.txt").exists());
}

#[test]
fn long_and_magnified_text_wraps() {
    let doc = ReceiptDoc {
        lines: vec![
            text(&"kata ".repeat(30), Align::Left),
            ReceiptLine::Text {
                text: "NOMOR ANTRIAN PEREKAMAN 0042".into(),
                align: Align::Center,
                bold: true,
                size: 2,
            },
            text(&"x".repeat(100), Align::Left),
        ],
    };
    let out = receipt_text(&doc);
    assert!(
        out.lines().all(|l| l.chars().count() <= RECEIPT_COLUMNS),
        "{out}"
    );
    assert!(out.lines().filter(|l| l.contains("kata")).count() >= 3);
    // Double size: 24 characters a line, each piece centred by its doubled width.
    assert!(out.contains("\n NOMOR ANTRIAN PEREKAMAN\n"), "{out}");
    assert!(
        out.contains(&format!("\n{}0042\n", " ".repeat(20))),
        "{out}"
    );
    assert_eq!(out.lines().filter(|l| l.starts_with('x')).count(), 3);
}

#[test]
fn paper_out_is_reported_and_printing_refused_until_refilled() {
    let mut printer = SimReceiptPrinter::new(1, None);
    let control = printer.control();
    control.set_paper_out(true);
    let status = printer.status().unwrap();
    assert!(status.paper_out && !status.ready());
    let doc = ReceiptDoc {
        lines: vec![text("BUKTI", Align::Left)],
    };
    let e = printer.print(&doc).unwrap_err();
    assert_eq!(e.kind, ErrorKind::NeedsAttention);
    assert!(e.message.contains("paper out"), "{}", e.message);
    assert!(printer.printed().is_empty());
    control.set_paper_out(false);
    printer.print(&doc).unwrap();
    assert_eq!(printer.printed(), vec![doc]);
}

#[test]
fn printer_faults() {
    let mut printer = SimReceiptPrinter::new(1, None);
    printer
        .control()
        .script(vec![Fault::Busy, Fault::Unplugged]);
    assert_eq!(printer.status().unwrap_err().kind, ErrorKind::Busy);
    assert_eq!(printer.status().unwrap_err().kind, ErrorKind::Disconnected);
    assert_eq!(
        printer.print(&ReceiptDoc::default()).unwrap_err().kind,
        ErrorKind::Disconnected
    );
    printer.control().replug();
    assert!(printer.status().unwrap().ready());
}
