//! Whole applicant journeys through the kiosk's real update loop (iced_test's emulator) with
//! simulated devices and a centre simulator on loopback whose faults the test controls.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::emulator;
use ktpel_booth::centre_sim::Fault;
use ktpel_booth::clock::Clock;
use ktpel_booth::queue::{Handover, State};
use ktpel_hal::{DeviceKind, Frame};
use std::time::Duration;

/// A receipt's QR code as the camera would see it held up: dark modules on light paper.
fn qr_frame(payload: &str) -> Frame {
    let code = qrcode::QrCode::new(payload.as_bytes()).unwrap();
    let modules = code.width();
    let colors = code.to_colors();
    let (w, h, scale) = (640usize, 480usize, 8usize);
    let off = (h - modules * scale) / 2;
    let mut rgb = vec![228u8; w * h * 3];
    for y in 0..modules {
        for x in 0..modules {
            if colors[y * modules + x] == qrcode::Color::Dark {
                for dy in 0..scale {
                    for dx in 0..scale {
                        let i = ((off + y * scale + dy) * w + off + 80 + x * scale + dx) * 3;
                        rgb[i..i + 3].copy_from_slice(&[24, 24, 30]);
                    }
                }
            }
        }
    }
    Frame {
        width: w as u32,
        height: h as u32,
        rgb,
    }
}

/// The centre is down: the applicant goes home with a receipt, comes back, and the receipt's
/// QR code held up to the camera finds the record.
#[test]
fn centre_down_receipt_then_pickup_by_qr_scan_issues_the_card() {
    let office = common::Office::open();
    let (rt, hand, centre) = (&office.rt, &office.hand, &office.centre);
    let mut k = emulator::boot(office.config(), office.clock.clone());
    k.load_blanks(10);
    emulator::sign_in(&mut k);
    // SIAK answers the verification; then the link to the centre goes down.
    emulator::record_with(&mut k, "3471012503550019", || centre.set_fault(Fault::Down));
    k.wait_for_text("TEGUH HERMAWAN", Duration::from_secs(10));
    // The SOP's hour passes without the centre.
    hand.advance(Duration::from_secs(3700));
    k.wait_for_text("cetak bukti perekaman", Duration::from_secs(30));
    k.drive(&[
        "click \"TEGUH HERMAWAN\"",
        "click \"Cetak bukti perekaman\"",
        "expect \"Bukti perekaman tercetak. Serahkan kepada pemohon.\"",
        "click \"Kembali\"",
        "click \"Ambil KTP-el\"",
        "click \"Pindai QR pada bukti dengan kamera\"",
    ]);
    k.sim(DeviceKind::Camera)
        .show_to_camera(Some(qr_frame("2611250100015")));
    k.wait_for_text(
        "Nomor bukti perekaman 2611250100015",
        Duration::from_secs(20),
    );
    k.drive(&["expect \"001 · TEGUH HERMAWAN\"", "click \"Kembali\""]);
    k.sim(DeviceKind::Camera).show_to_camera(None);

    // Days later the link is back: the record is sent and judged single.
    centre.set_fault(Fault::None);
    hand.advance(Duration::from_secs(2 * 24 * 3600));
    let running = k.running();
    wait_for_print_ready(rt, &running, hand);
    // The applicant comes back with the receipt: the counter's barcode scanner reads it on the
    // home screen (a keyboard-wedge scanner types the code and Enter), and the record opens.
    k.drive(&["type \"2611250100015\\n\""]);
    k.wait_for_text("Terbitkan KTP-el", Duration::from_secs(20));
    k.drive(&["click \"Terbitkan KTP-el\""]);
    issue_the_card(&mut k);
    let row = rt.block_on(running.queue().list()).unwrap().pop().unwrap();
    assert_eq!(
        row.state,
        State::PickedUp,
        "a receipt holder picks the card up"
    );
    drop(office);
}

/// Moves the booth's clock on until the centre's verdict is in.
fn wait_for_print_ready(
    rt: &tokio::runtime::Runtime,
    running: &ktpel_booth::booth::service::Service,
    hand: &ktpel_booth::clock::ManualClock,
) {
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        hand.advance(Duration::from_secs(60));
        let counts = rt.block_on(running.queue().counts()).unwrap();
        if counts.get(State::PrintReady) == 1 {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no verdict: {counts:?}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Print, encode, hand over, through the issue screen; then checks the printed card and the
/// chip as a reader would.
fn issue_the_card<P>(k: &mut emulator::Kiosk<P>)
where
    P: iced::Program<
            State = ktpel_booth::kiosk::App,
            Message = ktpel_booth::kiosk::Message,
            Theme = iced::Theme,
        > + 'static,
{
    k.wait_for_text("Cetak KTP-el", Duration::from_secs(30));
    k.drive(&["click \"Cetak KTP-el\"", "click \"Tulis chip\""]);
    k.wait_for_text("Serahkan KTP-el kepada pemohon", Duration::from_secs(30));
    k.drive(&[
        "click \"Serahkan KTP-el kepada pemohon\"",
        "expect \"KTP-el diserahkan. Data pemohon dihapus dari loket ini.\"",
    ]);
    let running = k.running();
    let printed = k.sim(DeviceKind::CardPrinter).printed_cards();
    assert_eq!(printed.len(), 1, "one card printed");
    let encoder = k.sim(DeviceKind::CardEncoder);
    let card = encoder
        .with_card(|c| c.clone())
        .or_else(|| encoder.ejected_cards().pop())
        .expect("the written card");
    let files: Vec<(u16, Vec<u8>)> = card
        .contents()
        .iter()
        .map(|(f, d)| (*f, d.clone()))
        .collect();
    let chip: Vec<(u16, Vec<u8>)> = files
        .into_iter()
        .filter(|(fid, _)| ktpel_booth::booth::issuance::PROFILE_FIDS.contains(fid))
        .collect();
    let verified = ktpel_booth::card::verify(
        &chip,
        running.booth().trusted_csca(),
        std::time::SystemTime::from(running.booth().clock.now()),
    );
    assert!(verified.is_ok(), "the chip verifies: {verified:?}");
}

/// Print ready within the SOP's hour: the operator calls the applicant back, prints the card,
/// writes and proves the chip, and hands it over.
#[test]
fn print_ready_within_the_window_issues_the_card() {
    let office = common::Office::open();
    let (rt, hand) = (&office.rt, &office.hand);
    let mut k = emulator::boot(office.config(), office.clock.clone());
    k.load_blanks(10);
    emulator::sign_in(&mut k);
    emulator::record(&mut k, "3275022207460020");
    wait_for_print_ready(rt, &k.running(), hand);
    k.wait_for_text("SIAP CETAK — panggil pemohon", Duration::from_secs(30));
    k.drive(&["click \"HADI SETIAWAN\"", "click \"Terbitkan KTP-el\""]);
    issue_the_card(&mut k);
    let running = k.running();
    let row = rt.block_on(running.queue().list()).unwrap().pop().unwrap();
    assert_eq!(row.state, State::Issued);
    assert!(
        !row.holds_applicant && !row.holds_personalization,
        "purged at hand-over"
    );
    drop(office);
}

/// The live framing check speaks to the operator while the face is being framed: with nothing
/// but a sheet of paper in front of the camera it asks for the applicant's face.
#[test]
fn the_face_step_gives_live_framing_advice() {
    let (clock, _hand) = Clock::manual(common::start_time());
    let mut k = emulator::boot(ktpel_booth::config::Config::load(None).unwrap(), clock);
    emulator::sign_in(&mut k);
    k.sim(DeviceKind::Camera)
        .show_to_camera(Some(qr_frame("not a face")));
    k.drive(&[
        "click \"Mulai perekaman\"",
        "click \"☐  Fotokopi Kartu Keluarga (KK)\"",
        "click \"☐  Formulir permohonan KTP-el\"",
        "click \"Lanjut\"",
    ]);
    k.type_digits("3275022207460020");
    k.drive(&["click \"Periksa ke SIAK\"", "click \"Data sesuai, lanjut\""]);
    k.wait_for_text(
        "Wajah tidak terlihat: minta pemohon menatap kamera",
        Duration::from_secs(20),
    );
}

/// The technician finds an SBI iris scanner (the simulator, on the free port of the SBI range
/// it took) in the technician area and puts that very device in the iris role: the booth's
/// config file is changed, checked, and the previous one kept.
#[test]
fn the_technician_assigns_a_found_device_to_a_role() {
    let sim = ktpel_sbi::sim::SimHandle::start(
        ktpel_sbi::sim::SimOptions::from_cli("iris", None, &[]).unwrap(),
    )
    .unwrap();
    assign_iris_in_the_technician_area(sim.port());
    sim.stop().unwrap();
}

/// Other services in the SBI range — another iris scanner's SBI service and a port that
/// answers with something that is not SBI — do not get in the way: the technician still
/// finds this device and the iris role goes to it, not to the first one found.
#[test]
fn assigning_a_device_works_with_other_services_in_the_sbi_range() {
    use std::io::{Read as _, Write as _};
    // Something else in the range, started first so that it takes a lower port: it answers
    // every request with an HTTP page that is not an SBI answer.
    let foreign = (4501..=4600u16)
        .find_map(|p| std::net::TcpListener::bind(("127.0.0.1", p)).ok())
        .expect("a free port in the SBI range");
    let foreign_port = foreign.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for conn in foreign.incoming() {
            let Ok(mut conn) = conn else { break };
            let _ = conn.set_read_timeout(Some(Duration::from_secs(2)));
            let mut buf = [0u8; 4096];
            let _ = conn.read(&mut buf);
            let _ = conn.write_all(
                b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 21\r\n\r\n<html>printer</html>\n",
            );
        }
    });
    // Another iris scanner's SBI service, lower in the range than this test's.
    let other = ktpel_sbi::sim::SimHandle::start(
        ktpel_sbi::sim::SimOptions::from_cli("iris", None, &[]).unwrap(),
    )
    .unwrap();
    let sim = ktpel_sbi::sim::SimHandle::start(
        ktpel_sbi::sim::SimOptions::from_cli("iris", None, &[]).unwrap(),
    )
    .unwrap();
    eprintln!(
        "foreign service on {foreign_port}, other SBI iris on {}, this test's on {}",
        other.port(),
        sim.port()
    );
    assert_ne!(other.port(), sim.port());
    assign_iris_in_the_technician_area(sim.port());
    sim.stop().unwrap();
    other.stop().unwrap();
}

/// Signs in as the technician, finds the SBI iris scanner on `port` among whatever else is
/// found, and puts it in the iris role; checks the config file says so.
fn assign_iris_in_the_technician_area(port: u16) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("booth.toml");
    std::fs::write(&path, ktpel_booth::config::DEFAULT_TOML).unwrap();
    let config = ktpel_booth::config::Config::load(Some(&path)).unwrap();
    let (clock, _hand) = Clock::manual(common::start_time());
    let mut k = emulator::boot(config, clock);
    k.type_digits("135790");
    k.drive(&["click \"Masuk\"", "click \"Area teknisi\""]);
    // The button of this device: its port is in the label.
    let button = format!("Pakai {port} sebagai Pemindai iris");
    k.wait_for_text(&button, Duration::from_secs(20));
    // Found devices come first in the technician's list; the test's own may be further down.
    k.scroll_into_view(&button, iced::Point::new(640.0, 700.0));
    k.drive(&[&format!("click \"{button}\"")]);
    k.wait_for_text(
        &format!(
            "Tersimpan ({port} → iris). File lama disimpan sebagai .prev. Mulai ulang booth untuk memakainya."
        ),
        Duration::from_secs(10),
    );
    let saved = ktpel_booth::config::Config::load(Some(&path)).unwrap();
    assert!(matches!(
        saved.devices.iris,
        ktpel_booth::config::IrisConfig::Sbi(ref p) if p.port == Some(port)
    ));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("booth.toml.prev")).unwrap(),
        ktpel_booth::config::DEFAULT_TOML
    );
}

/// The card printer behind an IPP queue (as a CUPS queue answers): out of cards, the kiosk says
/// so and sends nothing; with cards loaded the same button prints, and the printer gets the
/// card face as the 300 dpi PNG the operator saw.
#[test]
fn a_card_printer_out_of_cards_is_named_and_the_card_prints_once_cards_are_loaded() {
    use ktpel_booth::config::{CardPrinterConfig, IppParams};
    use ktpel_printer_ipp::sim::{IppPrinterSim, SimOptions};
    let printer = IppPrinterSim::start(SimOptions::default()).unwrap();
    let tray = printer.control();
    tray.set_reasons(&["media-empty-error"]);
    let office = common::Office::open();
    let (rt, hand) = (&office.rt, &office.hand);
    let mut config = office.config();
    config.devices.card_printer = CardPrinterConfig::Ipp(IppParams {
        uri: printer.uri(),
        media: None,
        job_timeout_seconds: 10,
    });
    let mut k = emulator::boot(config, office.clock.clone());
    k.load_blanks(10);
    emulator::sign_in(&mut k);
    emulator::record(&mut k, "3275022207460020");
    wait_for_print_ready(rt, &k.running(), hand);
    k.wait_for_text("SIAP CETAK — panggil pemohon", Duration::from_secs(30));
    k.drive(&["click \"HADI SETIAWAN\"", "click \"Terbitkan KTP-el\""]);
    k.wait_for_text("Cetak KTP-el", Duration::from_secs(30));
    k.drive(&["click \"Cetak KTP-el\""]);
    k.wait_for_text(
        "Alat perlu ditangani (kertas, tutup, kartu kosong). Perbaiki, lalu ulangi.",
        Duration::from_secs(30),
    );
    assert!(
        tray.documents().is_empty(),
        "nothing sent to an empty printer"
    );
    tray.set_reasons(&[]);
    k.drive(&["click \"Cetak KTP-el\"", "click \"Tulis chip\""]);
    k.wait_for_text("Serahkan KTP-el kepada pemohon", Duration::from_secs(30));
    let printed = tray.documents();
    assert_eq!(printed.len(), 1, "one card printed");
    let (format, png) = &printed[0];
    assert_eq!(format, "image/png");
    let face = image::load_from_memory_with_format(png, image::ImageFormat::Png).unwrap();
    assert_eq!(
        (face.width(), face.height()),
        (1011, 638),
        "300 dpi CR80 front"
    );
    k.drive(&[
        "click \"Serahkan KTP-el kepada pemohon\"",
        "expect \"KTP-el diserahkan. Data pemohon dihapus dari loket ini.\"",
    ]);
    drop(office);
}

/// The audit chain's events for `id` in the booth's queue file: (event, to, detail).
fn audit_of(
    running: &ktpel_booth::booth::service::Service,
    id: uuid::Uuid,
) -> Vec<(String, String, String)> {
    common::audit_events(&running.booth().data_dir, id)
}

/// A record with a bandaged thumb waits for the supervisor on the record's review: the
/// operator's own PIN is refused there, the supervisor's saves it, and who approved what is in
/// the audit chain, which holds together.
#[test]
fn an_exception_is_saved_only_with_the_supervisor_s_pin_and_audited() {
    let office = common::Office::open();
    let applicant = office.centre.population()[2].clone();
    let mut k = emulator::boot(office.config(), office.clock.clone());
    emulator::sign_in(&mut k);
    emulator::record_until_approval(&mut k, applicant.nik.as_str());
    k.drive(&["expect \"•  Ibu jari kanan: Diperban\""]);
    // The operator's PIN is not a supervisor's: nothing is saved.
    k.drive(&["type \"246810\"", "type enter"]);
    k.wait_for_text("PIN ini bukan milik supervisor.", Duration::from_secs(10));
    let running = k.running();
    assert!(office
        .rt
        .block_on(running.queue().list())
        .unwrap()
        .is_empty());
    k.drive(&["type \"975310\"", "type enter"]);
    k.wait_for_text("Terekam", Duration::from_secs(20));
    let row = office
        .rt
        .block_on(running.queue().list())
        .unwrap()
        .pop()
        .unwrap();
    let events = audit_of(&running, row.packet_id);
    assert!(
        events.iter().any(|(e, to, d)| e == "approval"
            && to == "exceptions"
            && d == "spv-01 · exception:right_thumb:bandaged"),
        "{events:?}"
    );
    let report = office.rt.block_on(running.queue().verify_audit()).unwrap();
    assert!(report.ok(), "{:?}", report.problems);
    drop(office);
}

/// An office that reviews before sending: two records wait, unsent, on the waiting list; at the
/// operator's booth the operator's PIN does not open the review and the supervisor's does: one
/// is approved (it is sent); later the supervisor, signed in, rejects the other from their area
/// with a reason (it is deleted, never sent). That applicant could not wait: they left with a
/// proof of recording saying the record was under review, and coming back with it they learn
/// it must be recorded again.
#[test]
fn the_supervisor_reviews_records_before_they_are_sent() {
    let office = common::Office::open();
    let (rt, hand) = (&office.rt, &office.hand);
    let mut config = office.config();
    config.procedure.review_before_send = true;
    let first = office.centre.population()[3].clone();
    let second = office.centre.population()[4].clone();
    let mut k = emulator::boot(config, office.clock.clone());
    emulator::sign_in(&mut k);
    emulator::record(&mut k, first.nik.as_str());
    emulator::record(&mut k, second.nik.as_str());
    let running = k.running();
    // Nothing goes to the centre while they wait, however long.
    hand.advance(Duration::from_secs(2 * 3600));
    let at = running.clock().now();
    rt.block_on(running.transmitter().pass_after(at));
    assert_eq!(office.centre.packets_received(), 0);
    let rows = rt.block_on(running.queue().list()).unwrap();
    assert!(
        rows.iter().all(|r| r.state == State::AwaitingReview),
        "{rows:?}"
    );
    // The applicants are on the waiting list, their records under review.
    k.drive(&[&format!("click \"{}\"", first.name)]);
    k.wait_for_text(
        "Rekaman menunggu tinjauan supervisor sebelum dikirim ke pusat; jam tunggu hasil mulai setelah disetujui. Pemohon yang tidak dapat menunggu membawa bukti perekaman yang menyebutkannya.",
        Duration::from_secs(10),
    );
    // The second cannot wait for the review: a proof of recording that says it is not sent yet.
    k.drive(&[
        "click \"Kembali\"",
        &format!("click \"{}\"", second.name),
        "click \"Cetak bukti perekaman\"",
        "expect \"Bukti perekaman tercetak. Serahkan kepada pemohon.\"",
        "click \"Kembali\"",
    ]);
    let printed = k.sim(DeviceKind::ReceiptPrinter).printed_receipts();
    let proof =
        ktpel_sim::receipt_text(printed.last().expect("a proof printed")).replace('\n', " ");
    assert!(
        proof.contains(&second.name)
            && proof.contains("masih ditinjau supervisor sebelum dikirim ke pusat"),
        "{proof}"
    );
    let receipt_no = rt
        .block_on(running.queue().list())
        .unwrap()
        .into_iter()
        .find(|r| r.handover == Handover::ReceiptPrinted)
        .expect("the proof is on record")
        .receipt_no;
    // At the operator's booth the supervisor's PIN opens the review; the operator's does not.
    k.drive(&["click \"Tinjau rekaman (2)\""]);
    k.wait_for_text(
        "PIN supervisor untuk meninjau rekaman",
        Duration::from_secs(10),
    );
    k.drive(&["type \"246810\"", "type enter"]);
    k.wait_for_text("PIN ini bukan milik supervisor.", Duration::from_secs(10));
    k.drive(&["type \"975310\"", "type enter"]);
    k.wait_for_text(
        "2 rekaman menunggu tinjauan sebelum dikirim ke pusat. Sentuh satu untuk memeriksanya.",
        Duration::from_secs(10),
    );
    let at = ktpel_booth::papers::receipt::local_datetime(
        common::start_time(),
        ktpel_booth::clock::Zone::Wib,
    );
    let line = |no: &str| format!("No. {no} · {at} · op-01 · tanpa catatan");
    k.drive(&[
        &format!("click \"{}\"", line("001")),
        "expect \"Perlu diperhatikan\"",
        "expect \"Tidak ada pengecualian; semua kualitas di atas batas.\"",
        "click \"Setujui dan kirim\"",
    ]);
    k.wait_for_text(
        "Rekaman no. 001 disetujui dan dikirim ke pusat.",
        Duration::from_secs(10),
    );
    // Back on the operator's home; later the supervisor signs in and reviews from their area.
    k.drive(&["click \"Kembali\"", "click \"Keluar\""]);
    k.drive(&["type \"975310\"", "type enter"]);
    k.wait_for_text("Area supervisor", Duration::from_secs(10));
    k.drive(&["click \"Area supervisor\""]);
    k.wait_for_text("Tinjau rekaman (1)", Duration::from_secs(10));
    k.drive(&["click \"Tinjau rekaman (1)\""]);
    k.wait_for_text(
        "1 rekaman menunggu tinjauan sebelum dikirim ke pusat. Sentuh satu untuk memeriksanya.",
        Duration::from_secs(10),
    );
    k.drive(&[
        &format!("click \"{}\"", line("002")),
        "click \"Tolak\"",
        "click \"Kualitas buruk\"",
        "click \"Tolak dan hapus rekaman\"",
    ]);
    k.wait_for_text(
        "Rekaman no. 002 ditolak dan dihapus. Pemohon perlu direkam ulang.",
        Duration::from_secs(10),
    );
    k.drive(&["expect \"Tidak ada rekaman yang menunggu tinjauan.\""]);
    hand.advance(Duration::from_secs(1));
    let at = running.clock().now();
    rt.block_on(running.transmitter().pass_after(at));
    assert_eq!(office.centre.packets_received(), 1);
    let rows = rt.block_on(running.queue().list()).unwrap();
    assert_eq!(rows[0].state, State::Received);
    assert_eq!(rows[1].state, State::Rejected);
    assert!(!rows[1].holds_sealed_captures && !rows[1].holds_applicant);
    let events = audit_of(&running, rows[1].packet_id);
    assert_eq!(
        events.last().map(|e| e.2.as_str()),
        Some("rejected by spv-01 · poor_quality")
    );
    let report = rt.block_on(running.queue().verify_audit()).unwrap();
    assert!(report.ok(), "{:?}", report.problems);
    // The applicant comes back with the proof: the record was rejected, they are recorded again.
    assert_eq!(rows[1].receipt_no, receipt_no);
    // The operator, back at the booth, scans it.
    k.drive(&["click \"Kembali\"", "click \"Kembali\"", "click \"Keluar\""]);
    emulator::sign_in(&mut k);
    k.drive(&[&format!("type \"{receipt_no}\\n\"")]);
    k.wait_for_text(
        "Rekaman ditolak supervisor saat tinjauan dan sudah dihapus. Pemohon perlu direkam ulang.",
        Duration::from_secs(20),
    );
    drop(office);
}
