//! Complaints at the booth through the kiosk's real update loop: taken while the office's desk
//! is unreachable, the ticket printed at once, delivered by the transmitter when the desk comes
//! up, and the citizen's status check answered by the desk. The desk is the real one, on
//! loopback.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::emulator;
use ktpel_booth::clock::Clock;
use ktpel_booth::config::Config;
use ktpel_booth::desk::{Desk, DeskConfig};
use ktpel_hal::{DeviceKind, ReceiptLine};
use std::time::Duration;

fn click(s: &str) -> String {
    format!("click \"{s}\"")
}

/// Types `s` on the on-screen keyboard, key by key (space is the ␣ key).
fn keys(s: &str) -> Vec<String> {
    s.chars()
        .map(|c| {
            if c == ' ' {
                click("␣")
            } else {
                click(&c.to_string())
            }
        })
        .collect()
}

#[test]
fn a_complaint_taken_offline_is_ticketed_delivered_later_and_its_status_answered() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let (clock, hand) = Clock::manual(common::start_time());
    let mut config = Config::load(None).unwrap();
    config.complaints.desk = format!("http://127.0.0.1:{port}");
    config.transmit.request_timeout_secs = 5;
    let mut k = emulator::boot(config, clock.clone());
    emulator::sign_in(&mut k);

    let mut lines = vec![click("Pengaduan")];
    lines.extend(keys("SITI AMINAH"));
    lines.push(click("Telepon atau e-mail"));
    lines.extend(keys("081234567890"));
    lines.push(click("Apa yang terjadi?"));
    lines.extend(keys("kartu belum jadi"));
    lines.push(click("KTP-el belum jadi"));
    lines.push(click("Simpan & cetak tiket"));
    let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    k.drive(&refs);
    k.wait_for_text(
        "Tiket tercetak. Serahkan kepada pengadu.",
        Duration::from_secs(20),
    );

    // The ticket: title, number as text and as a QR code that reads back to the number.
    let receipts = k.sim(DeviceKind::ReceiptPrinter).printed_receipts();
    let ticket = receipts.last().expect("a ticket printed");
    let texts: Vec<String> = ticket
        .lines
        .iter()
        .filter_map(|l| match l {
            ReceiptLine::Text { text, .. } => Some(text.clone()),
            _ => None,
        })
        .collect();
    assert!(texts.iter().any(|t| t == "TIKET PENGADUAN"));
    assert!(texts.iter().any(|t| t.contains("LAPOR!")));
    assert!(texts.iter().any(|t| t.contains("(022) 000 0000")));
    assert!(texts.iter().any(|t| t.contains("TIDAK DIPUNGUT BIAYA")));
    let payload = ticket
        .lines
        .iter()
        .find_map(|l| match l {
            ReceiptLine::Qr { payload } => Some(payload.clone()),
            _ => None,
        })
        .expect("a QR code");
    let code = qrcode::QrCode::new(payload.as_bytes()).unwrap();
    let (modules, colors, scale) = (code.width(), code.to_colors(), 6usize);
    let side = (modules + 8) * scale;
    let mut prepared = rqrr::PreparedImage::prepare_from_greyscale(side, side, |x, y| {
        let (mx, my) = ((x / scale).wrapping_sub(4), (y / scale).wrapping_sub(4));
        let dark = mx < modules && my < modules && colors[my * modules + mx] == qrcode::Color::Dark;
        if dark {
            0
        } else {
            255
        }
    });
    let (_, read) = prepared.detect_grids()[0].decode().unwrap();
    assert_eq!(read, payload);
    assert_eq!(read.len(), 12, "the ticket number");
    assert!(
        texts.iter().any(|t| t.replace(' ', "").contains(&read)),
        "the number is printed as text too: {texts:?}"
    );

    // The desk is unreachable: the complaint waits in the queue, and the status says so.
    let running = k.running();
    let row = rt
        .block_on(running.queue().call({
            let read = read.clone();
            move |s| s.complaint(&read)
        }))
        .unwrap()
        .expect("queued");
    assert!(!row.delivered);
    k.drive(&[&click("Selesai"), &click("Cek pengaduan")]);
    k.type_digits(&read);
    k.drive(&[&click("Cek status")]);
    k.wait_for_text(
        "Pengaduan tercatat di loket ini dan akan dikirim ke kantor pengaduan begitu jaringan tersedia.",
        Duration::from_secs(10),
    );

    // The desk comes up on the configured address; the transmitter delivers.
    let mut desk_config = DeskConfig::load(None).unwrap();
    desk_config.desk.listen = format!("127.0.0.1:{port}").parse().unwrap();
    let desk_dir = tempfile::tempdir().unwrap();
    let desk = rt
        .block_on(Desk::start(desk_config, desk_dir.path(), clock))
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        hand.advance(Duration::from_secs(300));
        running.transmitter().wake();
        std::thread::sleep(Duration::from_millis(200));
        let read = read.clone();
        let row = rt
            .block_on(running.queue().call(move |s| s.complaint(&read)))
            .unwrap()
            .unwrap();
        if row.delivered {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "never delivered: {row:?}"
        );
    }
    k.drive(&[&click("Cek status")]);
    k.wait_for_text("Diterima sekretariat pengaduan", Duration::from_secs(10));
    rt.block_on(desk.stop());
}

/// An applicant's complaint from their record's screen carries their name and the link to their
/// proof of recording.
#[test]
fn an_applicants_complaint_is_linked_to_their_receipt() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (clock, _hand) = Clock::manual(common::start_time());
    let mut config = Config::load(None).unwrap();
    // A desk that is not there: the complaint stays in the queue for the test to read.
    config.complaints.desk = "http://127.0.0.1:9".into();
    let mut k = emulator::boot(config, clock.clone());
    emulator::sign_in(&mut k);
    emulator::record(&mut k, "3275022207460020");
    let mut lines = vec![click("HADI SETIAWAN"), click("Pengaduan")];
    lines.extend(keys("0811111"));
    lines.push(click("Apa yang terjadi?"));
    lines.extend(keys("foto buram"));
    lines.push(click("Perekaman KTP-el"));
    lines.push(click("Simpan & cetak tiket"));
    // Seven digits are not a phone number: said plainly, and the contact field is focused.
    lines
        .push("expect \"Kontak harus nomor telepon (minimal 8 angka) atau alamat e-mail.\"".into());
    lines.extend(keys("11111"));
    lines.push(click("Simpan & cetak tiket"));
    let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    k.drive(&refs);
    k.wait_for_text(
        "Tiket tercetak. Serahkan kepada pengadu.",
        Duration::from_secs(20),
    );
    let running = k.running();
    let now = clock.now();
    let due = rt
        .block_on(running.queue().call(move |s| s.due_complaints(now, 10)))
        .unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].complainant, "HADI SETIAWAN");
    assert_eq!(due[0].contact, "081111111111");
    assert_eq!(
        due[0].link,
        Some(ktpel_booth::wire::complaint::Link::Receipt(
            "2611250100015".into()
        ))
    );
}
