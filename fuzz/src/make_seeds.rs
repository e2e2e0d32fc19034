//! Writes the seed corpora under `fuzz/seeds/<target>/`, from the simulators' real outputs and
//! the repo's fixtures. Images are small crops, so that the image-record targets decode quickly;
//! the fuzzer grows them within the parsers' bounds.
//!
//! `cargo +nightly fuzz build` builds it beside the targets; `fuzz/run` runs it when a target
//! has no seeds yet.

use ktpel_biometric_records::{face_bir, finger_bir, iris_bir, Profile};
use ktpel_hal::{
    EncodedImage, Eye, FaceCapture, FingerCapture, FingerPosition, FingerRecord, GrayImage,
    ImageFormat, IrisCapture, IrisRecord, Quality,
};
use std::path::{Path, PathBuf};

const T: i64 = 1_796_454_000_123;

type Res<T> = Result<T, Box<dyn std::error::Error>>;

fn put(root: &Path, target: &str, name: &str, bytes: &[u8]) -> Res<()> {
    let dir = root.join(target);
    std::fs::create_dir_all(&dir)?;
    std::fs::write(dir.join(name), bytes)?;
    Ok(())
}

fn crop(img: &GrayImage, x0: u32, y0: u32, w: u32, h: u32) -> Res<GrayImage> {
    let mut px = Vec::with_capacity((w * h) as usize);
    for y in y0..y0 + h {
        let row = (y * img.width) as usize;
        px.extend_from_slice(&img.pixels[row + x0 as usize..row + (x0 + w) as usize]);
    }
    GrayImage::new(w, h, px).ok_or_else(|| "crop".into())
}

fn encode_rgb(w: u32, h: u32, rgb: &[u8], format: image::ImageFormat) -> Res<Vec<u8>> {
    let img = image::RgbImage::from_raw(w, h, rgb.to_vec()).ok_or("rgb size")?;
    let mut out = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut out), format)?;
    Ok(out)
}

fn main() -> Res<()> {
    let root: PathBuf = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("fuzz/seeds"));
    let repo = root.join("../..");

    // ---- images: small crops of the simulators' captures ----
    let finger = ktpel_sim::finger::render_finger(3, FingerPosition::RightIndex);
    let small_finger = crop(&finger, 96, 96, 48, 48)?;
    let iris = ktpel_sim::iris::render_iris(3, Eye::Left);
    let small_iris = crop(&iris, 280, 200, 64, 48)?;
    let (pw, _ph) = (
        ktpel_sim::camera::PORTRAIT_WIDTH,
        ktpel_sim::camera::PORTRAIT_HEIGHT,
    );
    let portrait = ktpel_sim::camera::portrait_rgb(3);
    let (fw, fh) = (32u32, 40u32);
    let mut face_rgb = Vec::new();
    for y in 200..200 + fh {
        let at = ((y * pw + 200) * 3) as usize;
        face_rgb.extend_from_slice(&portrait[at..at + (fw * 3) as usize]);
    }
    let face_png = encode_rgb(fw, fh, &face_rgb, image::ImageFormat::Png)?;
    let face_jpeg = encode_rgb(fw, fh, &face_rgb, image::ImageFormat::Jpeg)?;

    let mut birs = Vec::new();
    for (i, profile) in [Profile::Lossless, Profile::Field].into_iter().enumerate() {
        let f = FingerRecord::Captured(FingerCapture {
            position: FingerPosition::RightIndex,
            image: small_finger.clone(),
            resolution_ppi: 500,
            quality: Quality(71),
        });
        let bir = finger_bir(&f, profile, T)?;
        let bdb = bir.bdb.clone().ok_or("finger bdb")?;
        put(&root, "record_finger", &format!("finger{i}"), &bdb)?;
        put(&root, "sbi_iso", &format!("finger{i}"), &bdb)?;
        birs.push(bir);

        let r = IrisRecord::Captured(IrisCapture {
            eye: Eye::Left,
            image: small_iris.clone(),
            quality: Quality(83),
        });
        let bir = iris_bir(&r, profile, T)?;
        let bdb = bir.bdb.clone().ok_or("iris bdb")?;
        put(&root, "record_iris", &format!("iris{i}"), &bdb)?;
        put(&root, "sbi_iso", &format!("iris{i}"), &bdb)?;
        birs.push(bir);

        for (j, (format, bytes)) in [
            (ImageFormat::Png, &face_png),
            (ImageFormat::Jpeg, &face_jpeg),
        ]
        .into_iter()
        .enumerate()
        {
            let face = FaceCapture {
                image: EncodedImage {
                    format,
                    width: fw,
                    height: fh,
                    bytes: bytes.clone(),
                },
                quality: Quality(90),
            };
            let bir = face_bir(&face, profile, T)?;
            let bdb = bir.bdb.clone().ok_or("face bdb")?;
            put(&root, "record_face", &format!("face{i}{j}"), &bdb)?;
            put(&root, "sbi_iso", &format!("face{i}{j}"), &bdb)?;
            birs.push(bir);
        }
    }
    // An exception BIR too: a finger that could not be captured.
    birs.push(finger_bir(
        &FingerRecord::Exception {
            position: FingerPosition::LeftThumb,
            exception: ktpel_hal::FingerException::Bandaged,
        },
        Profile::Lossless,
        T,
    )?);
    put(
        &root,
        "cbeff_list",
        "list",
        &ktpel_biometric_records::encode_list(&birs)?,
    )?;

    // The UVC camera's M-JPEG frames and the SBI preview stream.
    put(&root, "uvc_mjpeg", "frame.jpg", &face_jpeg)?;
    if let Some(stripped) = strip_dht(&face_jpeg) {
        put(&root, "uvc_mjpeg", "frame-no-dht.jpg", &stripped)?;
    }
    let mut stream = b"multipart/x-mixed-replace; boundary=frame\n".to_vec();
    stream.push(40);
    stream.extend_from_slice(&ktpel_sbi::mjpeg::write_part("frame", &face_jpeg));
    stream.extend_from_slice(&ktpel_sbi::mjpeg::write_part("frame", &face_jpeg));
    put(&root, "sbi_mjpeg", "stream", &stream)?;

    // A minutiae template from a whole simulated finger.
    let template = ktpel_minutiae::extract(&finger, 500)?;
    let views = [ktpel_minutiae::iso19794_2::FingerView {
        position: FingerPosition::RightIndex,
        template,
    }];
    put(
        &root,
        "minutiae_template",
        "dg3",
        &ktpel_minutiae::iso19794_2::encode(&views, 60)?,
    )?;

    // ---- serial devices ----
    let mut zfm = vec![7u8];
    zfm.extend_from_slice(&ktpel_fingerprint_zfm::Frame::command(0xFFFF_FFFF, vec![0x0F]).encode());
    // A system-parameter answer: confirmation 0 and 16 bytes of parameters.
    let answer = ktpel_fingerprint_zfm::Frame {
        address: 0xFFFF_FFFF,
        id: ktpel_fingerprint_zfm::PacketId::Ack,
        payload: vec![
            0, 0, 0, 0, 9, 0, 0, 0, 0x03, 0xE8, 0xFF, 0xFF, 0xFF, 0xFF, 0, 2, 0, 6,
        ],
    };
    zfm.extend_from_slice(&answer.encode());
    put(&root, "zfm_frame", "frames", &zfm)?;
    // ISDv4: a control (capabilities) packet, then pen packets in and out of proximity.
    put(
        &root,
        "isdv4_packet",
        "packets",
        &[
            0xC0, 0x44, 0x1B, 0x3A, 0x4C, 0x03, 0xFF, 0x00, 0x00, 0x00, 0x00, 0xA1, 0x10, 0x20,
            0x30, 0x40, 0x01, 0x7F, 0x00, 0xE0, 0x11, 0x21, 0x31, 0x41, 0x00, 0x00, 0x00, 0x80,
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        ],
    )?;
    // ESC/POS: a receipt as the booth's driver encodes it.
    let text = |text: &str, bold: bool, size: u8| ktpel_hal::ReceiptLine::Text {
        text: text.into(),
        align: ktpel_hal::Align::Center,
        bold,
        size,
    };
    let doc = ktpel_hal::ReceiptDoc {
        lines: vec![
            text("BUKTI PEREKAMAN", true, 2),
            text("tidak dipungut biaya", false, 1),
            ktpel_hal::ReceiptLine::Qr {
                payload: "KTPEL:0190ABCD".into(),
            },
            ktpel_hal::ReceiptLine::Feed(3),
            ktpel_hal::ReceiptLine::Cut,
        ],
    };
    let receipt = ktpel_printer_escpos::encode_receipt(&doc, &Default::default())?;
    put(&root, "escpos_decode", "receipt", &receipt)?;
    put(&root, "escpos_decode", "status", &[0x12, 0x12, 0x12])?;

    // ---- the chip ----
    put(&root, "pcsc_apdu", "ok", &[0x90, 0x00])?;
    let mut fcp = ktpel_card_pcsc::apdu::fcp(0x0101, 1200);
    fcp.extend_from_slice(&[0x90, 0x00]);
    put(&root, "pcsc_apdu", "fcp", &fcp)?;
    put(
        &root,
        "pcsc_apdu",
        "atr",
        &[
            0x3B, 0x8A, 0x80, 0x01, 0x80, 0x31, 0xB8, 0x73, 0x84, 0x01, 0xE0, 0x82, 0x90, 0x00,
            0x06,
        ],
    )?;
    let mut tlv = Vec::new();
    let mut inner = Vec::new();
    ktpel_ber_tlv::push(&mut inner, 0x5F1F, b"P<IDNKTPEL<<SAMPLE")?;
    ktpel_ber_tlv::push(&mut tlv, 0x61, &inner)?;
    put(&root, "ber_tlv", "dg1", &tlv)?;
    put(&root, "icao_lds", "dg1", &tlv)?;
    let mut com = Vec::new();
    let mut com_inner = Vec::new();
    ktpel_ber_tlv::push(&mut com_inner, 0x5F01, b"0108")?;
    ktpel_ber_tlv::push(&mut com_inner, 0x5F36, b"040000")?;
    ktpel_ber_tlv::push(&mut com_inner, 0x5C, &[0x61, 0x75, 0x63, 0x67])?;
    ktpel_ber_tlv::push(&mut com, 0x60, &com_inner)?;
    put(&root, "ber_tlv", "com", &com)?;
    put(&root, "icao_lds", "com", &com)?;
    let mut profile = Vec::new();
    for file in [&com, &tlv] {
        profile.extend_from_slice(&(file.len() as u16).to_be_bytes());
        profile.extend_from_slice(file);
    }
    put(&root, "card_profile", "com-dg1", &profile)?;

    // ---- services ----
    let today = jiff::civil::date(2026, 12, 5);
    let residents = ktpel_booth::domain::population::generate(7, 3, today);
    for (i, r) in residents.iter().enumerate() {
        put(
            &root,
            "centre_reply",
            &format!("resident{i}"),
            &serde_json::to_vec(r)?,
        )?;
        put(
            &root,
            "nik_kk",
            &format!("nik{i}"),
            r.nik.as_str().as_bytes(),
        )?;
        put(&root, "nik_kk", &format!("kk{i}"), r.kk.as_str().as_bytes())?;
    }
    for (name, json) in [
        (
            "ingest",
            r#"{"packet_id":"0190a3b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b","status":"received"}"#,
        ),
        (
            "verdicts",
            r#"{"verdicts":[{"packet_id":"0190a3b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b","status":"in_process","code":null}]}"#,
        ),
        (
            "records",
            r#"{"records":[{"status":"print_ready","recorded_at_ms":1796454000123,"booth_id":"3273-01"}]}"#,
        ),
        (
            "refusal",
            r#"{"error":"invalid_nik","message":"the NIK has an impossible birth day","field":"nik"}"#,
        ),
    ] {
        put(&root, "centre_reply", name, json.as_bytes())?;
    }
    for (name, json) in [
        (
            "submit",
            r#"{"id":"0190a3b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b","ticket_no":"ADU-20261205-0001","repeat":false}"#,
        ),
        (
            "status",
            r#"{"ticket_no":"ADU-20261205-0001","status":"open","updated_at_ms":1796454000123}"#,
        ),
        (
            "info",
            r#"{"office":"Disdukcapil Kota Bandung","phone":"022-0000000","hours":"08.00-15.00"}"#,
        ),
    ] {
        put(&root, "desk_reply", name, json.as_bytes())?;
    }
    for (name, text) in [
        ("created", "\u{0}\u{c9}tus-resumable: 1.0.0\nlocation: /uploads/0190a3b4\nupload-offset: 0\n"),
        ("options", "\u{0}\u{cc}tus-resumable: 1.0.0\ntus-version: 1.0.0\ntus-extension: creation,checksum\ntus-max-size: 67108864\ntus-checksum-algorithm: sha1,sha256\n"),
        ("patched", "\u{0}\u{cc}tus-resumable: 1.0.0\nupload-offset: 8192\nupload-checksum: sha1 Kq5sNclPz7QV2+lfQIuc6R7oRu0=\nupload-metadata: filename d29ybGRfZG9taW5hdGlvbi5wbGFu,is_confidential\n"),
    ] {
        put(&root, "tus_answer", name, text.as_bytes())?;
    }
    for (name, json) in [
        (
            "discover",
            r#"[{"deviceId":"1","deviceStatus":"Ready","certification":"L0","serviceVersion":"0.9.5","deviceSubId":[1,2,3],"callbackId":"http://127.0.0.1:4501/","digitalId":"e30","deviceCode":"b692b595","specVersion":["0.9.5"],"purpose":"Registration","error":{"errorCode":"0","errorInfo":"Success"}}]"#,
        ),
        (
            "capture",
            r#"{"biometrics":[{"specVersion":"0.9.5","data":"e30.e30.e30","hash":"00","error":{"errorCode":"0","errorInfo":"Success"}}]}"#,
        ),
        (
            "error",
            r#"{"error":{"errorCode":"701","errorInfo":"Device not registered"}}"#,
        ),
    ] {
        put(&root, "sbi_json", name, json.as_bytes())?;
    }
    put(
        &root,
        "sbi_jws",
        "compact",
        b"eyJhbGciOiJSUzI1NiIsIng1YyI6WyJNSUlCIl19.eyJiaW9UeXBlIjoiRmluZ2VyIn0.c2ln",
    )?;
    put(&root, "ipp_answer", "printer", &ipp_printer_answer()?)?;

    // ---- config ----
    for name in ["booth.toml", "booth.production.toml", "desk.toml"] {
        let path = repo.join("config").join(name);
        match std::fs::read(&path) {
            Ok(bytes) => put(&root, "booth_toml", name, &bytes)?,
            Err(e) => eprintln!("make-seeds: {} not read: {e}", path.display()),
        }
    }
    let j2k = repo.join("drivers/sbi/tests/fixtures/finger.j2k");
    if let Ok(bytes) = std::fs::read(&j2k) {
        put(&root, "sbi_iso", "fixture-finger.j2k", &bytes)?;
    }
    eprintln!("make-seeds: seeds written under {}", root.display());
    Ok(())
}

/// A JPEG without its Huffman tables, as many UVC cameras send M-JPEG frames.
fn strip_dht(jpeg: &[u8]) -> Option<Vec<u8>> {
    let mut out = jpeg[..2].to_vec();
    let mut at = 2;
    while at + 4 <= jpeg.len() {
        if jpeg[at] != 0xFF {
            return None;
        }
        let marker = jpeg[at + 1];
        if marker == 0xDA {
            out.extend_from_slice(&jpeg[at..]);
            return Some(out);
        }
        let len = usize::from(u16::from_be_bytes([jpeg[at + 2], jpeg[at + 3]]));
        let end = at + 2 + len;
        if end > jpeg.len() {
            return None;
        }
        if marker != 0xC4 {
            out.extend_from_slice(&jpeg[at..end]);
        }
        at = end;
    }
    None
}

/// A Get-Printer-Attributes answer like a card printer's.
fn ipp_printer_answer() -> Res<Vec<u8>> {
    use ipp::prelude::*;
    use ipp::value::BoundedString;
    let mut resp =
        IppRequestResponse::new_response(IppVersion::v1_1(), StatusCode::SuccessfulOk, 1)?;
    let attrs = resp.attributes_mut();
    attrs.add(
        DelimiterTag::PrinterAttributes,
        IppAttribute::new(
            BoundedString::new_truncated("printer-state"),
            IppValue::Enum(3),
        ),
    );
    attrs.add(
        DelimiterTag::PrinterAttributes,
        IppAttribute::new(
            BoundedString::new_truncated("printer-state-reasons"),
            IppValue::Keyword(BoundedString::new_truncated("media-low-warning")),
        ),
    );
    attrs.add(
        DelimiterTag::PrinterAttributes,
        IppAttribute::new(
            BoundedString::new_truncated("document-format-supported"),
            IppValue::MimeMediaType(BoundedString::new_truncated("application/pdf")),
        ),
    );
    Ok(resp.to_bytes().to_vec())
}
