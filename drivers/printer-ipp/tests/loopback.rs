//! The driver against the IPP printer simulator on loopback: real HTTP, real IPP encoding on
//! both sides, and the faults a card printer has.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use ktpel_hal::{CardPrinter, Device, EncodedImage, ErrorKind, ImageFormat};
use ktpel_printer_ipp::sim::{IppPrinterSim, SimOptions, CARD_MEDIA};
use ktpel_printer_ipp::{IppCardPrinter, IppConfig};
use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::{Duration, Instant};

/// A card front as the booth makes it: a 1011x638 RGB PNG (noisy, so it stays large).
fn card_png() -> EncodedImage {
    let (w, h) = (1011u32, 638u32);
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let pixels: Vec<u8> = (0..w * h * 3)
        .map(|i| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            // Mostly smooth with some noise, like a photo on a printed background.
            ((i / 3 % w) as u8).wrapping_add((seed & 0x1f) as u8)
        })
        .collect();
    let mut bytes = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut bytes, w, h);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().unwrap();
        writer.write_image_data(&pixels).unwrap();
    }
    EncodedImage {
        format: ImageFormat::Png,
        width: w,
        height: h,
        bytes,
    }
}

fn config(uri: &str) -> IppConfig {
    let mut c = IppConfig::new(uri);
    c.timeout = Duration::from_secs(3);
    c.job_timeout = Duration::from_secs(3);
    c.poll_interval = Duration::from_millis(20);
    c
}

fn sim(options: SimOptions) -> IppPrinterSim {
    let sim = IppPrinterSim::start(options).expect("the IPP simulator starts on loopback");
    sim.control().set_job_duration(Duration::from_millis(60));
    sim
}

fn printer(sim: &IppPrinterSim) -> IppCardPrinter {
    IppCardPrinter::new(config(&sim.uri())).unwrap()
}

/// A port nothing listens on.
fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

#[test]
fn a_card_png_is_printed_and_the_printer_holds_its_exact_bytes() {
    let sim = sim(SimOptions::default());
    let mut c = config(&sim.uri());
    c.media = Some(CARD_MEDIA.to_string());
    let mut p = IppCardPrinter::new(c).unwrap();
    assert_eq!(p.info().model, "IPP printer");
    let card = card_png();
    assert!(card.bytes.len() > 500_000, "{} bytes", card.bytes.len());

    let job = p.print_card(&card).unwrap();

    assert_eq!(job, "ipp job 1");
    let docs = sim.control().documents();
    assert_eq!(docs.len(), 1);
    assert_eq!(docs[0].0, "image/png");
    assert!(
        docs[0].1 == card.bytes,
        "the document differs from the card"
    );
    let jobs = sim.control().jobs();
    assert_eq!(jobs[0].name.as_deref(), Some("KTP-el card"));
    assert_eq!(jobs[0].user.as_deref(), Some("ktpel-booth"));
    assert_eq!(jobs[0].media.as_deref(), Some(CARD_MEDIA));
    let info = p.info();
    assert_eq!(info.driver, "ipp");
    assert_eq!(info.model, "KTP-el simulated card printer");
    assert!(info.serial.starts_with("4b545065-"), "{}", info.serial);

    // A second card is a second job.
    assert_eq!(p.print_card(&card).unwrap(), "ipp job 2");
    assert_eq!(sim.control().documents().len(), 2);
}

#[test]
fn a_jpeg_front_is_sent_as_jpeg_and_without_media_when_none_is_configured() {
    let sim = sim(SimOptions::default());
    let mut p = printer(&sim);
    let front = EncodedImage {
        format: ImageFormat::Jpeg,
        width: 1,
        height: 1,
        bytes: vec![
            0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, b'J', b'F', b'I', b'F', 0, 0xFF, 0xD9,
        ],
    };
    p.print_card(&front).unwrap();
    assert_eq!(sim.control().documents()[0].0, "image/jpeg");
    assert_eq!(sim.control().jobs()[0].media, None);
}

#[test]
fn a_printer_that_auto_types_gets_octet_stream() {
    let sim = sim(SimOptions {
        formats: vec!["application/octet-stream".into(), "application/pdf".into()],
        ..Default::default()
    });
    printer(&sim).print_card(&card_png()).unwrap();
    assert_eq!(sim.control().documents()[0].0, "application/octet-stream");
}

#[test]
fn no_blank_cards_is_refused_before_sending_with_words_about_cards() {
    let sim = sim(SimOptions::default());
    let mut p = printer(&sim);
    for reasons in [
        &["media-empty-error"][..],
        &["media-empty"],
        &["media-needed-error"],
    ] {
        sim.control().set_reasons(reasons);
        let e = p.print_card(&card_png()).unwrap_err();
        assert_eq!(e.kind, ErrorKind::NeedsAttention, "{reasons:?}: {e}");
        assert!(e.message.contains("out of blank cards: load cards"), "{e}");
    }
    assert!(sim.control().documents().is_empty());
}

#[test]
fn a_stopped_queue_is_refused_before_sending() {
    let sim = sim(SimOptions::default());
    sim.control().set_stopped(true);
    let e = printer(&sim).print_card(&card_png()).unwrap_err();
    assert_eq!(e.kind, ErrorKind::NeedsAttention, "{e}");
    assert!(e.message.contains("stopped or paused"), "{e}");
    assert!(sim.control().documents().is_empty());

    sim.control().set_stopped(false);
    assert_eq!(printer(&sim).print_card(&card_png()).unwrap(), "ipp job 1");
}

#[test]
fn a_printer_that_does_not_take_png_is_refused_naming_what_it_takes() {
    let sim = sim(SimOptions {
        formats: vec!["image/pwg-raster".into()],
        ..Default::default()
    });
    let e = printer(&sim).print_card(&card_png()).unwrap_err();
    assert_eq!(e.kind, ErrorKind::NeedsAttention, "{e}");
    assert!(e.message.contains("image/pwg-raster"), "{e}");
    assert!(e.message.contains("driver"), "{e}");
    assert!(sim.control().documents().is_empty());
}

#[test]
fn a_jam_during_the_job_is_an_error_about_the_jam() {
    let sim = sim(SimOptions::default());
    sim.control().fail_next_job("media-jam");
    let e = printer(&sim).print_card(&card_png()).unwrap_err();
    assert_eq!(e.kind, ErrorKind::NeedsAttention, "{e}");
    assert!(e.message.contains("jammed"), "{e}");
    assert!(e.message.contains("job 1"), "{e}");
    assert_eq!(sim.control().documents().len(), 1);
}

#[test]
fn a_slow_job_times_out_saying_it_is_still_queued() {
    let sim = sim(SimOptions::default());
    sim.control().set_job_duration(Duration::from_secs(30));
    let mut c = config(&sim.uri());
    c.job_timeout = Duration::from_millis(300);
    let started = Instant::now();
    let e = IppCardPrinter::new(c)
        .unwrap()
        .print_card(&card_png())
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Timeout, "{e}");
    assert!(e.message.contains("still queued as job 1"), "{e}");
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[test]
fn a_warning_does_not_stop_the_card() {
    let sim = sim(SimOptions::default());
    sim.control()
        .set_reasons(&["marker-supply-low-warning", "media-low-report"]);
    assert_eq!(printer(&sim).print_card(&card_png()).unwrap(), "ipp job 1");
    assert_eq!(sim.control().documents().len(), 1);
}

#[test]
fn nothing_listening_is_disconnected_naming_the_uri() {
    let uri = format!("ipp://127.0.0.1:{}/printers/card", free_port());
    let mut p = IppCardPrinter::new(config(&uri)).unwrap();
    let e = p.print_card(&card_png()).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Disconnected, "{e}");
    assert!(e.message.contains(&uri), "{e}");
    assert!(e.message.contains("does not answer"), "{e}");
    let e = p.self_test().unwrap_err();
    assert_eq!(e.kind, ErrorKind::Disconnected, "{e}");
}

#[test]
fn a_queue_that_does_not_exist_is_not_present() {
    let sim = sim(SimOptions::default());
    let uri = format!("ipp://127.0.0.1:{}/printers/nosuch", sim.port());
    let mut p = IppCardPrinter::new(config(&uri)).unwrap();
    let e = p.print_card(&card_png()).unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotPresent, "{e}");
    assert!(e.message.contains("does not exist"), "{e}");
    assert!(e.message.contains(&uri), "{e}");
    assert_eq!(p.self_test().unwrap_err().kind, ErrorKind::NotPresent);
}

#[test]
fn self_test_passes_on_a_healthy_printer() {
    let sim = sim(SimOptions::default());
    let mut p = printer(&sim);
    let report = p.self_test().unwrap();
    assert!(report.passed(), "{report:?}");
    let names: Vec<&str> = report.checks.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["reachable", "state", "takes PNG"]);
    assert!(report.checks[0]
        .detail
        .contains("KTP-el simulated card printer"));
    assert_eq!(report.device.model, "KTP-el simulated card printer");
}

#[test]
fn self_test_fails_the_state_check_without_cards() {
    let sim = sim(SimOptions::default());
    sim.control().set_reasons(&["media-empty-error"]);
    let report = printer(&sim).self_test().unwrap();
    assert!(!report.passed());
    let state = report.checks.iter().find(|c| c.name == "state").unwrap();
    assert!(!state.passed);
    assert_eq!(state.kind, Some(ErrorKind::NeedsAttention));
    assert!(state.detail.contains("load cards"), "{}", state.detail);
}

#[test]
fn self_test_fails_the_format_check_and_a_media_the_printer_does_not_list() {
    let sim = sim(SimOptions {
        formats: vec!["image/pwg-raster".into()],
        ..Default::default()
    });
    let mut c = config(&sim.uri());
    c.media = Some("na_letter_8.5x11in".into());
    let report = IppCardPrinter::new(c).unwrap().self_test().unwrap();
    let failed: Vec<&str> = report
        .checks
        .iter()
        .filter(|c| !c.passed)
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(failed, ["takes PNG", "media"]);
}

/// Serves one connection with `answer` (after reading the whole request, which ureq sends
/// chunked), or holds it open without answering when `answer` is `None`.
fn fake_server(answer: Option<&'static [u8]>) -> (u16, std::thread::JoinHandle<()>) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    let t = std::thread::spawn(move || {
        let (mut s, _) = l.accept().unwrap();
        s.set_read_timeout(Some(Duration::from_millis(200)))
            .unwrap();
        let mut request = Vec::new();
        let mut buf = [0u8; 4096];
        let give_up = Instant::now() + Duration::from_secs(2);
        while !request.ends_with(b"\r\n0\r\n\r\n") && Instant::now() < give_up {
            match s.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => request.extend_from_slice(&buf[..n]),
                Err(_) => {}
            }
        }
        match answer {
            Some(a) => {
                let _ = s.write_all(a);
            }
            None => std::thread::sleep(Duration::from_millis(600)),
        }
    });
    (port, t)
}

#[test]
fn an_answer_that_is_not_ipp_is_bad_data() {
    let (port, t) = fake_server(Some(
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 38\r\nConnection: close\r\n\r\n<html><body>Router login</body></html>",
    ));
    let uri = format!("ipp://127.0.0.1:{port}/printers/card");
    let e = IppCardPrinter::new(config(&uri))
        .unwrap()
        .print_card(&card_png())
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::BadData, "{e}");
    assert!(e.message.contains("not an IPP printer"), "{e}");
    t.join().unwrap();
}

#[test]
fn a_printer_that_does_not_answer_in_time_is_a_timeout() {
    let (port, t) = fake_server(None);
    let mut c = config(&format!("ipp://127.0.0.1:{port}/printers/card"));
    c.timeout = Duration::from_millis(300);
    let e = IppCardPrinter::new(c)
        .unwrap()
        .print_card(&card_png())
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Timeout, "{e}");
    assert!(e.message.contains("Get-Printer-Attributes"), "{e}");
    t.join().unwrap();
}

#[test]
fn ipps_to_a_printer_without_tls_says_tls() {
    let sim = sim(SimOptions::default());
    let uri = format!("ipps://127.0.0.1:{}/ipp/print", sim.port());
    let e = IppCardPrinter::new(config(&uri))
        .unwrap()
        .print_card(&card_png())
        .unwrap_err();
    assert!(e.message.contains("TLS"), "{e}");
    assert!(sim.control().documents().is_empty());
}

#[test]
fn the_simulator_refuses_other_operations_and_echoes_the_request_id() {
    use ipp::prelude::*;
    let sim = sim(SimOptions::default());
    let uri: Uri = sim.uri().parse().unwrap();
    let mut request: IppRequestResponse = IppOperationBuilder::cancel_job(uri.clone(), 1)
        .build()
        .unwrap()
        .into();
    request.header_mut().request_id = 4242;
    let response = IppClient::new(uri).send(request).unwrap();
    assert_eq!(
        response.header().status_code(),
        StatusCode::ServerErrorOperationNotSupported
    );
    assert_eq!(response.header().request_id, 4242);
}

#[test]
fn the_simulator_refuses_jobs_while_stopped_as_a_real_printer_would() {
    use ipp::prelude::*;
    let sim = sim(SimOptions::default());
    sim.control().set_stopped(true);
    let uri: Uri = sim.uri().parse().unwrap();
    let payload = IppPayload::new(std::io::Cursor::new(card_png().bytes));
    let job = IppOperationBuilder::print_job(uri.clone(), payload)
        .document_format("image/png")
        .build()
        .unwrap();
    let response = IppClient::new(uri).send(job).unwrap();
    assert_eq!(
        response.header().status_code(),
        StatusCode::ServerErrorNotAcceptingJobs
    );
    assert!(sim.control().documents().is_empty());
}

#[test]
fn a_print_server_lists_its_queues_with_the_uri_the_booth_takes() {
    let sim = IppPrinterSim::start(SimOptions::default()).unwrap();
    let server = format!("ipp://127.0.0.1:{}/", sim.port());
    let queues = ktpel_printer_ipp::list_queues(&server, Duration::from_secs(2)).unwrap();
    assert_eq!(queues.len(), 1);
    assert_eq!(queues[0].uri, sim.uri());
    assert_eq!(queues[0].state, Some(3), "idle");
    assert!(queues[0].make_and_model.is_some());
    // The listed URI is one the driver prints to.
    let mut printer = IppCardPrinter::new(IppConfig::new(queues[0].uri.clone())).unwrap();
    assert!(printer.self_test().unwrap().passed());
    // No print server: said, with the address.
    drop(sim);
    let e = ktpel_printer_ipp::list_queues(&server, Duration::from_secs(2)).unwrap_err();
    assert!(e.message.contains("127.0.0.1"), "{e}");
}

/// Found by the `ipp_answer` fuzz target: an answer whose nameWithLanguage value says its
/// string runs past the end of the body. The `ipp` crate's parser panics on it (`&data[0..len]`);
/// the driver must answer BadData, not take the booth down.
#[test]
fn an_answer_the_ipp_parser_panics_on_is_bad_data() {
    let body = include_bytes!("fixtures/answer-string-past-end.ipp");
    let Err(e) = ktpel_printer_ipp::parse_answer("ipp://printer", body) else {
        panic!("a malformed answer parsed");
    };
    assert_eq!(e.kind(), ErrorKind::BadData, "{e}");
    let mut answer = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/ipp\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    answer.extend_from_slice(body);
    let (port, t) = fake_server(Some(Box::leak(answer.into_boxed_slice())));
    let uri = format!("ipp://127.0.0.1:{port}/printers/card");
    let e = IppCardPrinter::new(config(&uri))
        .unwrap()
        .print_card(&card_png())
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::BadData, "{e}");
    assert!(e.message.contains("not well-formed IPP"), "{e}");
    t.join().unwrap();
}
