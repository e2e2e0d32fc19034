//! The real driver against the printer simulator: over a pty pair, TCP and a device file.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use ktpel_hal::{Align, Device, ErrorKind, GrayImage, ReceiptDoc, ReceiptLine, ReceiptPrinter};
use ktpel_printer_escpos::{
    encode_receipt, layout, EncodeOptions, EscposConfig, EscposPrinter, Font, TransportConfig,
};
use ktpel_sim::serial::{
    serve_escpos, serve_escpos_tcp, EscposDecoder, EscposEvent, EscposSimOptions, Pace, PtyDevice,
    SerialControl, SerialFault,
};
use proptest::prelude::*;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// A printer on a pty behind a stable symlink; a replug is a new pair.
struct Bench {
    pty: PtyDevice,
    control: SerialControl,
}

impl Bench {
    fn new() -> Self {
        let control = SerialControl::new();
        let opts = EscposSimOptions {
            control: control.clone(),
            pace: Pace::Instant,
        };
        let pty = PtyDevice::plug_in("printer", move |port, stop| {
            serve_escpos(port, opts.clone(), stop)
        })
        .unwrap();
        Self { pty, control }
    }

    fn path(&self) -> String {
        self.pty.link().to_string_lossy().into_owned()
    }

    fn printer(&self) -> EscposPrinter {
        let mut c = EscposConfig::new(TransportConfig::Serial {
            path: self.path(),
            baud: 115_200,
        });
        c.status_timeout = Duration::from_millis(300);
        EscposPrinter::new(c)
    }
}

/// The document as the driver lays it out on the default (80 mm, font A) paper.
fn laid_out(doc: &ReceiptDoc) -> ReceiptDoc {
    layout(doc, &EncodeOptions::default())
}

fn text(t: &str, align: Align, bold: bool, size: u8) -> ReceiptLine {
    ReceiptLine::Text {
        text: t.into(),
        align,
        bold,
        size,
    }
}

/// A proof-of-recording receipt as the booth prints it.
fn receipt() -> ReceiptDoc {
    let logo: Vec<u8> = (0..64 * 24)
        .map(|i| if (i % 64 + i / 64) % 3 == 0 { 0 } else { 255 })
        .collect();
    ReceiptDoc {
        lines: vec![
            ReceiptLine::Image(GrayImage::new(64, 24, logo).unwrap()),
            text("BUKTI PEREKAMAN KTP-el", Align::Center, true, 2),
            text(
                "Dinas Kependudukan dan Pencatatan Sipil",
                Align::Center,
                false,
                1,
            ),
            text(
                "Nama: Siti Nurhaliza Putri Ayu Rahmawati Kusumadewi",
                Align::Left,
                false,
                1,
            ),
            text("NIK : 3174054512900001", Align::Left, false, 1),
            text("Antrian A-017", Align::Right, true, 1),
            ReceiptLine::Qr {
                payload: "KTPEL:3174054512900001:0190c5d2-7e1a-7cc3-9f00-2b6a1f3e9d11".into(),
            },
            text(
                "Layanan ini GRATIS (tidak dipungut biaya) — José",
                Align::Center,
                false,
                1,
            ),
            ReceiptLine::Feed(3),
            ReceiptLine::Cut,
        ],
    }
}

#[test]
fn a_receipt_decodes_back_to_what_was_meant() {
    let bench = Bench::new();
    let mut printer = bench.printer();
    assert!(printer.status().unwrap().ready());
    let doc = receipt();
    printer.print(&doc).unwrap();
    let got = bench.control.decoded_receipts();
    assert_eq!(got.len(), 1);
    // As laid out for 80 mm paper: the long name line wrapped between words.
    assert_eq!(got[0].lines, laid_out(&doc).lines);
    assert_eq!(got[0].font, 0);
    assert_eq!(got[0].code_page, 16);
    // Model 2, module size 6, error correction level M.
    assert_eq!(got[0].qr_settings, vec![(50, 6, 49)]);
    assert_eq!(got[0].unknown_commands, 0);
    // The same text the simulated printer of the booth would have printed.
    let text = ktpel_sim::receipt_text(&got[0].to_doc());
    assert!(text.contains("[QR] KTPEL:3174054512900001"), "{text}");
}

#[test]
fn paper_out_and_cover_open_hold_the_job_back_with_what_to_do() {
    let bench = Bench::new();
    let mut printer = bench.printer();
    bench.control.set_paper_out(true);
    let s = printer.status().unwrap();
    assert!(s.paper_out && !s.online && !s.ready());
    let e = printer.print(&receipt()).unwrap_err();
    assert_eq!(e.kind, ErrorKind::NeedsAttention);
    assert!(
        e.message.contains("paper out: load a new paper roll"),
        "{e}"
    );
    bench.control.set_paper_out(false);
    bench.control.set_cover_open(true);
    let e = printer.print(&receipt()).unwrap_err();
    assert_eq!(e.kind, ErrorKind::NeedsAttention);
    assert!(e.message.contains("cover open"), "{e}");
    assert!(bench.control.decoded_receipts().is_empty());
    assert_eq!(bench.control.dropped_lines(), 0, "nothing was sent");
    // Fixed: the queued receipt prints.
    bench.control.set_cover_open(false);
    printer.print(&receipt()).unwrap();
    assert_eq!(bench.control.decoded_receipts().len(), 1);
}

#[test]
fn a_printer_that_becomes_ready_while_waiting_gets_the_job() {
    let bench = Bench::new();
    let mut config = EscposConfig::new(TransportConfig::Serial {
        path: bench.path(),
        baud: 115_200,
    });
    config.wait_ready = Duration::from_secs(3);
    let mut printer = EscposPrinter::new(config);
    bench.control.set_paper_out(true);
    let control = bench.control.clone();
    let refill = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(400));
        control.set_paper_out(false);
    });
    printer.print(&receipt()).unwrap();
    refill.join().unwrap();
    assert_eq!(bench.control.decoded_receipts().len(), 1);
}

#[test]
fn status_faults_give_their_own_errors_and_the_driver_recovers() {
    let mut bench = Bench::new();
    let mut printer = bench.printer();
    bench.control.script(vec![SerialFault::Silent]);
    assert_eq!(printer.status().unwrap_err().kind, ErrorKind::Timeout);
    bench.control.script(vec![SerialFault::Corrupt]);
    assert_eq!(printer.status().unwrap_err().kind, ErrorKind::BadData);
    bench
        .control
        .script(vec![SerialFault::Noise(vec![0xFF, 0x00, 0x81])]);
    assert!(printer.status().unwrap().ready());
    bench.control.set_muted(true);
    assert_eq!(
        printer.print(&receipt()).unwrap_err().kind,
        ErrorKind::Timeout
    );
    bench.control.set_muted(false);
    bench.control.script(vec![SerialFault::Unplug]);
    assert_eq!(printer.status().unwrap_err().kind, ErrorKind::Disconnected);
    bench.pty.wait_unplugged().unwrap();
    assert_eq!(
        printer.print(&receipt()).unwrap_err().kind,
        ErrorKind::Disconnected
    );
    assert!(printer.self_test().is_err());
    bench.pty.replug().unwrap();
    printer.print(&receipt()).unwrap();
    assert_eq!(bench.control.decoded_receipts().len(), 1);
}

#[test]
fn self_test_reports_the_status_seen() {
    let bench = Bench::new();
    let mut printer = bench.printer();
    let report = printer.self_test().unwrap();
    assert!(report.passed(), "{report:?}");
    assert!(
        report.checks[1]
            .detail
            .contains("online, paper loaded, cover closed"),
        "{report:?}"
    );
    bench.control.set_paper_out(true);
    let report = printer.self_test().unwrap();
    assert!(!report.passed());
    assert_eq!(report.device.driver, "escpos");
}

#[test]
fn prints_over_tcp_9100() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let control = SerialControl::new();
    let stop = Arc::new(AtomicBool::new(false));
    let opts = EscposSimOptions {
        control: control.clone(),
        pace: Pace::Instant,
    };
    let sim = {
        let stop = stop.clone();
        std::thread::spawn(move || serve_escpos_tcp(listener, opts, stop))
    };
    let mut printer = EscposPrinter::new(EscposConfig::new(TransportConfig::Tcp { addr }));
    printer.print(&receipt()).unwrap();
    assert_eq!(
        control.decoded_receipts()[0].lines,
        laid_out(&receipt()).lines
    );
    control.set_cover_open(true);
    assert_eq!(
        printer.print(&receipt()).unwrap_err().kind,
        ErrorKind::NeedsAttention
    );
    stop.store(true, Ordering::Relaxed);
    sim.join().unwrap().unwrap();
}

#[test]
fn prints_to_a_device_file_without_status() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lp0");
    std::fs::write(&path, b"").unwrap();
    let mut config = EscposConfig::new(TransportConfig::DeviceFile {
        path: path.to_string_lossy().into_owned(),
    });
    config.query_status = false;
    let mut printer = EscposPrinter::new(config);
    printer.print(&receipt()).unwrap();
    drop(printer);
    let bytes = std::fs::read(&path).unwrap();
    let mut d = EscposDecoder::new();
    let mut events = d.push(&bytes);
    events.extend(d.finish());
    let lines: Vec<ReceiptLine> = events
        .into_iter()
        .filter_map(|e| match e {
            EscposEvent::Line(l) => Some(l),
            _ => None,
        })
        .collect();
    assert_eq!(lines, laid_out(&receipt()).lines);
}

fn arb_line() -> impl Strategy<Value = ReceiptLine> {
    let align = prop_oneof![Just(Align::Left), Just(Align::Center), Just(Align::Right)];
    prop_oneof![
        ("[ -~éÉñüß€]{0,40}", align, any::<bool>(), 1u8..=8).prop_map(
            |(text, align, bold, size)| ReceiptLine::Text {
                text,
                align,
                bold,
                size
            }
        ),
        "\\PC{1,80}".prop_map(|payload| ReceiptLine::Qr { payload }),
        (1u32..8, 1u32..10, any::<u64>()).prop_map(|(wb, h, seed)| {
            let w = wb * 8;
            let pixels = (0..w * h)
                .map(|i| if (seed >> (i % 64)) & 1 == 1 { 0 } else { 255 })
                .collect();
            ReceiptLine::Image(GrayImage::new(w, h, pixels).unwrap())
        }),
        any::<u8>().prop_map(ReceiptLine::Feed),
        Just(ReceiptLine::Cut),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]
    #[test]
    fn encoded_receipts_decode_to_the_same_lines(lines in proptest::collection::vec(arb_line(), 0..12)) {
        let doc = ReceiptDoc { lines };
        let bytes = encode_receipt(&doc, &EncodeOptions::default()).unwrap();
        let mut d = EscposDecoder::new();
        let mut events = d.push(&bytes);
        events.extend(d.finish());
        let got: Vec<ReceiptLine> = events
            .into_iter()
            .filter_map(|e| match e {
                EscposEvent::Line(l) => Some(l),
                _ => None,
            })
            .collect();
        prop_assert_eq!(got, laid_out(&doc).lines);
    }
}

/// A printer on a pty whose simulator takes bytes at `baud`, as a real line does.
fn paced_bench(baud: u32) -> (PtyDevice, SerialControl) {
    let control = SerialControl::new();
    let opts = EscposSimOptions {
        control: control.clone(),
        pace: Pace::real(baud),
    };
    let pty = PtyDevice::plug_in("printer", move |port, stop| {
        serve_escpos(port, opts.clone(), stop)
    })
    .unwrap();
    (pty, control)
}

/// A receipt of about `bytes` bytes once encoded: short text lines.
fn receipt_of(bytes: usize) -> ReceiptDoc {
    let mut lines = Vec::new();
    let mut doc = ReceiptDoc { lines: Vec::new() };
    let mut i = 0;
    while encode_receipt(&doc, &EncodeOptions::default())
        .unwrap()
        .len()
        < bytes
    {
        lines.push(text(
            &format!("Baris {i:02} bukti perekaman"),
            Align::Left,
            false,
            1,
        ));
        i += 1;
        doc = ReceiptDoc {
            lines: lines.clone(),
        };
    }
    doc.lines.push(ReceiptLine::Cut);
    doc
}

/// The status after a job queues behind it on the wire: at 9600 baud a 660-byte receipt
/// takes 690 ms to reach the printer, longer than the status timeout alone. The driver waits
/// until the job has left and for as long as its bytes take, so the print is not reported as
/// failed (and printed twice by the operator).
#[test]
fn a_long_job_at_a_slow_speed_is_not_a_timeout() {
    for (baud, bytes) in [(9_600, 660), (19_200, 1_000)] {
        let (pty, control) = paced_bench(baud);
        let mut config = EscposConfig::new(TransportConfig::Serial {
            path: pty.link().to_string_lossy().into_owned(),
            baud,
        });
        // The factory setting: 500 ms for one status answer.
        config.status_timeout = Duration::from_millis(500);
        let mut printer = EscposPrinter::new(config);
        let doc = receipt_of(bytes);
        let job = encode_receipt(&doc, &EncodeOptions::default()).unwrap();
        assert!(
            job.len() >= bytes && job.len() < bytes + 40,
            "{}",
            job.len()
        );
        let started = std::time::Instant::now();
        printer
            .print(&doc)
            .unwrap_or_else(|e| panic!("{} bytes at {baud} baud: {e}", job.len()));
        let took = started.elapsed();
        eprintln!("{} bytes at {baud} baud: print() took {took:?}", job.len());
        assert_eq!(control.decoded_receipts().len(), 1, "printed once");
        assert_eq!(control.decoded_receipts()[0].lines, laid_out(&doc).lines);
    }
}

/// The office's name on an 80 mm roll: without wrapping the printer breaks it wherever the
/// paper ends ("Kota Ba" / "ndung"); wrapped, every word is whole, on either paper and font.
#[test]
fn text_wraps_to_the_paper_at_word_boundaries() {
    let office = "Dinas Kependudukan dan Pencatatan Sipil Kota Bandung";
    let doc = ReceiptDoc {
        lines: vec![
            text(office, Align::Center, false, 1),
            text(
                "BUKTI PEREKAMAN KTP-el KOTA BANDUNG",
                Align::Center,
                true,
                2,
            ),
            text(
                "Pemohon: Siti Nurhaliza Putri Ayu Rahmawati Kusumadewi",
                Align::Left,
                false,
                1,
            ),
            ReceiptLine::Cut,
        ],
    };
    let words: Vec<String> = doc
        .lines
        .iter()
        .filter_map(|l| match l {
            ReceiptLine::Text { text, .. } => Some(text.clone()),
            _ => None,
        })
        .flat_map(|t| t.split(' ').map(str::to_string).collect::<Vec<_>>())
        .collect();
    for (paper_mm, font) in [(80, Font::A), (80, Font::B), (58, Font::A), (58, Font::B)] {
        let bench = Bench::new();
        let mut config = EscposConfig::new(TransportConfig::Serial {
            path: bench.path(),
            baud: 115_200,
        });
        config.encode = EncodeOptions::for_paper(paper_mm, font);
        let mut printer = EscposPrinter::new(config);
        printer.print(&doc).unwrap();
        let got = bench.control.decoded_receipts();
        let paper = got[0].paper_lines(paper_mm);
        eprintln!("{paper_mm} mm, font {font:?}:\n{}", paper.join("\n"));
        for line in &paper {
            for w in line.split(' ').filter(|w| !w.is_empty()) {
                assert!(
                    words.iter().any(|x| x == w),
                    "{paper_mm} mm font {font:?}: {w:?} is a word cut in two: {paper:#?}"
                );
            }
        }
    }
}
