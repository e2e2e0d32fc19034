//! The complaint desk as it runs: its real HTTP server on a loopback port, its SQLite file in a
//! temp dir, its escalation task on a manual clock, the booth's client talking to it, and the
//! desk's GUI driven headless through iced_test's emulator.
//!
//! The desk is started in-process through [`Desk::start`] (what `complaint-desk` runs); a
//! process-level test follows once the `complaint-desk` subcommand is wired into main.rs.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use iced::futures::channel::mpsc;
use iced::futures::StreamExt;
use iced_test::emulator::{self, Emulator, Mode};
use iced_test::Instruction;
use jiff::Timestamp;
use ktpel_booth::booth::desk_client::{DeskClient, DeskClientError};
use ktpel_booth::clock::{Clock, ManualClock};
use ktpel_booth::desk::gui::{self, DeskApp, Message};
use ktpel_booth::desk::store::{DeskError, StaffRef, Store};
use ktpel_booth::desk::{Desk, DeskConfig, DB_FILE};
use ktpel_booth::wire::complaint::{
    Action, Assignee, Category, Channel, Complaint, Refusal, Role, Stage, TicketNo,
};
use std::sync::Arc;
use std::time::Duration;
use uuid::Uuid;

const KEY_01: &str = "demo-booth-key-3273-01";
const KEY_02: &str = "demo-booth-key-3273-02";

fn start_time() -> Timestamp {
    // 2026-11-25 09:00 WIB.
    "2026-11-25T02:00:00Z".parse().unwrap()
}

struct Rig {
    rt: tokio::runtime::Runtime,
    desk: Option<Desk>,
    hand: Arc<ManualClock>,
    clock: Clock,
    dir: tempfile::TempDir,
}

impl Rig {
    fn new() -> Rig {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let (clock, hand) = Clock::manual(start_time());
        let dir = tempfile::tempdir().unwrap();
        let mut config = DeskConfig::load(None).unwrap();
        config.desk.listen = "127.0.0.1:0".parse().unwrap();
        let desk = rt
            .block_on(Desk::start(config, dir.path(), clock.clone()))
            .unwrap();
        Rig {
            rt,
            desk: Some(desk),
            hand,
            clock,
            dir,
        }
    }

    fn desk(&self) -> &Desk {
        self.desk.as_ref().unwrap()
    }

    fn client(&self, key: &str) -> DeskClient {
        DeskClient::new(&self.desk().base_url(), key, Duration::from_secs(5)).unwrap()
    }

    fn complaint(&self, seq: u16) -> Complaint {
        let now = self.clock.now();
        Complaint {
            id: Uuid::now_v7(),
            ticket_no: TicketNo::new(now, 1, seq).unwrap(),
            booth_id: "3273-01".into(),
            received_at: now,
            channel: Channel::Booth,
            complainant: "SITI AMINAH".into(),
            contact: "081234567890".into(),
            category: Category::CardNotReady,
            description: "KTP-EL BELUM JADI SETELAH TIGA BULAN".into(),
            link: None,
        }
    }

    fn act(
        &self,
        id: Uuid,
        staff: &str,
        role: Role,
        action: Action,
        text: Option<&str>,
    ) -> Result<Stage, DeskError> {
        let who = StaffRef {
            id: staff.into(),
            role,
        };
        self.rt.block_on(
            self.desk()
                .core
                .act(id, who, action, text.map(str::to_string)),
        )
    }

    fn stop(&mut self) {
        if let Some(d) = self.desk.take() {
            self.rt.block_on(d.stop());
        }
    }
}

impl Drop for Rig {
    fn drop(&mut self) {
        self.stop();
    }
}

#[test]
fn submit_route_resolve_and_the_citizen_sees_the_answer() {
    let rig = Rig::new();
    let booth = rig.client(KEY_01);
    let c = rig.complaint(1);

    let first = rig.rt.block_on(booth.submit(&c)).unwrap();
    assert!(!first.repeat);
    assert_eq!(first.stage, Stage::Received);
    // The booth's transmitter sends it again after a lost answer: the same complaint.
    let again = rig.rt.block_on(booth.submit(&c)).unwrap();
    assert!(again.repeat);
    assert_eq!(again.stored_at, first.stored_at);
    // Other content under the same id is refused, and so is another booth's key for it.
    let mut changed = c.clone();
    changed.description = "SOMETHING ELSE".into();
    let e = rig.rt.block_on(booth.submit(&changed)).unwrap_err();
    assert!(matches!(e, DeskClientError::Conflict(_)), "{e}");
    assert!(!e.is_retryable());
    let e = rig
        .rt
        .block_on(rig.client(KEY_02).submit(&rig.complaint(2)))
        .unwrap_err();
    match &e {
        DeskClientError::Unauthorized(m) => assert!(m.contains("3273-02"), "{m}"),
        other => panic!("{other:?}"),
    }
    let e = rig
        .rt
        .block_on(rig.client("not-a-key-of-this-desk").submit(&c))
        .unwrap_err();
    assert!(matches!(e, DeskClientError::Unauthorized(_)), "{e}");

    // The secretariat forwards it to the civil registration division.
    let stage = rig
        .act(
            c.id,
            "sek-01",
            Role::Secretariat,
            Action::Forward(Assignee::PencatatanSipil),
            None,
        )
        .unwrap();
    assert_eq!(stage, Stage::Forwarded(Assignee::PencatatanSipil));
    let status = rig.rt.block_on(booth.status(&c.ticket_no)).unwrap();
    assert_eq!(status.holder, Role::HeadPencatatan);
    assert_eq!(status.answer, None);

    // Roles without the action are refused, each with its reason.
    assert_eq!(
        rig.act(
            c.id,
            "sekdin-01",
            Role::Secretary,
            Action::Decide,
            Some("x")
        ),
        Err(DeskError::Refused(Refusal::NotPermitted {
            actor: ktpel_booth::wire::complaint::Actor::Staff(Role::Secretary),
            action: Action::Decide
        }))
    );
    assert_eq!(
        rig.act(
            c.id,
            "dafduk-01",
            Role::HeadPendaftaran,
            Action::Resolve,
            Some("x")
        ),
        Err(DeskError::Refused(Refusal::NotHolder {
            role: Role::HeadPendaftaran,
            holder: Role::HeadPencatatan
        }))
    );
    assert_eq!(
        rig.act(
            c.id,
            "sek-01",
            Role::Secretariat,
            Action::Forward(Assignee::Secretary),
            None
        ),
        Err(DeskError::Refused(Refusal::NotHolder {
            role: Role::Secretariat,
            holder: Role::HeadPencatatan
        }))
    );

    rig.hand.advance(Duration::from_secs(2 * 3600));
    rig.act(
        c.id,
        "capil-01",
        Role::HeadPencatatan,
        Action::Resolve,
        Some("Data sudah dibetulkan; KTP-el dicetak ulang."),
    )
    .unwrap();
    let status = rig.rt.block_on(booth.status(&c.ticket_no)).unwrap();
    assert_eq!(status.stage, Stage::Resolved(Assignee::PencatatanSipil));
    assert_eq!(
        status.answer.as_deref(),
        Some("Data sudah dibetulkan; KTP-el dicetak ulang.")
    );
    assert_eq!(status.answered_at, Some(rig.clock.now()));
    // The status carries no personal data.
    let raw = rig.rt.block_on(async {
        reqwest::Client::new()
            .get(format!(
                "{}/desk/v1/tickets/{}",
                rig.desk().base_url(),
                c.ticket_no.display()
            ))
            .bearer_auth(KEY_01)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    });
    assert!(
        !raw.contains("SITI") && !raw.contains("0812") && !raw.contains("BELUM"),
        "{raw}"
    );
    let unknown = TicketNo::new(rig.clock.now(), 1, 999).unwrap();
    assert_eq!(
        rig.rt.block_on(booth.status(&unknown)).unwrap_err(),
        DeskClientError::NotFound(unknown)
    );
    let info = rig.rt.block_on(booth.info()).unwrap();
    assert_eq!(info.deadline_hours, 72);

    let report = rig
        .rt
        .block_on(rig.desk().core.store.call(|s| s.verify_audit()))
        .unwrap();
    assert!(report.ok(), "{report:?}");
    assert_eq!(report.events, 3);
}

#[test]
fn bad_input_gets_a_clear_json_error() {
    let rig = Rig::new();
    let base = rig.desk().base_url();
    let http = reqwest::Client::new();
    let c = rig.complaint(1);
    let send = |req: reqwest::RequestBuilder| -> (u16, serde_json::Value) {
        rig.rt.block_on(async {
            let resp = req.send().await.unwrap();
            let status = resp.status().as_u16();
            (status, resp.json().await.unwrap())
        })
    };
    let url = format!("{base}/desk/v1/complaints");

    let (status, body) = send(http.post(&url).json(&c));
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("unauthorized"))
    );
    assert!(body["message"].as_str().unwrap().contains("Bearer"));

    let (status, body) = send(
        http.post(&url)
            .bearer_auth(KEY_01)
            .header("content-type", "application/json")
            .body("{\"id\": 12"),
    );
    assert_eq!((status, body["error"].as_str()), (400, Some("bad_json")));

    let mut v = serde_json::to_value(&c).unwrap();
    v["category"] = "weather".into();
    let (status, body) = send(http.post(&url).bearer_auth(KEY_01).json(&v));
    assert_eq!(status, 400);
    assert!(
        body["message"].as_str().unwrap().contains("weather"),
        "{body}"
    );

    let mut bad = c.clone();
    bad.contact = "call me".into();
    let (status, body) = send(http.post(&url).bearer_auth(KEY_01).json(&bad));
    assert_eq!(status, 422);
    assert_eq!(body["field"], "contact");

    let mut v = serde_json::to_value(&c).unwrap();
    v["ticket_no"] = format!("{}0", &c.ticket_no.as_str()[..11]).into();
    if TicketNo::parse(v["ticket_no"].as_str().unwrap()).is_ok() {
        v["ticket_no"] = format!("{}1", &c.ticket_no.as_str()[..11]).into();
    }
    let (status, body) = send(http.post(&url).bearer_auth(KEY_01).json(&v));
    assert_eq!(status, 400);
    assert!(
        body["message"].as_str().unwrap().contains("check digit"),
        "{body}"
    );

    let mut future = rig.complaint(3);
    future.received_at = ktpel_booth::clock::add(rig.clock.now(), Duration::from_secs(3600));
    let (status, body) = send(http.post(&url).bearer_auth(KEY_01).json(&future));
    assert_eq!((status, body["field"].as_str()), (422, Some("received_at")));

    let huge = vec![b' '; 70 * 1024];
    let (status, body) = send(http.post(&url).bearer_auth(KEY_01).body(huge));
    assert_eq!((status, body["error"].as_str()), (413, Some("too_large")));

    let (status, body) = send(
        http.get(format!("{base}/desk/v1/tickets/12345"))
            .bearer_auth(KEY_01),
    );
    assert_eq!((status, body["error"].as_str()), (400, Some("bad_ticket")));

    let (status, body) = send(
        http.get(format!("{base}/desk/v1/nothing"))
            .bearer_auth(KEY_01),
    );
    assert_eq!((status, body["error"].as_str()), (404, Some("not_found")));
    let (status, body) = send(http.get(&url).bearer_auth(KEY_01));
    assert_eq!(
        (status, body["error"].as_str()),
        (405, Some("method_not_allowed"))
    );

    // Nothing of all that was stored.
    let all = rig
        .rt
        .block_on(rig.desk().core.store.call(|s| s.all()))
        .unwrap();
    assert!(all.is_empty());
}

/// Waits (real time, bounded) until the ticket is at `stage`.
fn wait_for_stage(rig: &Rig, ticket: &TicketNo, stage: Stage) {
    let booth = rig.client(KEY_01);
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let s = rig.rt.block_on(booth.status(ticket)).unwrap();
        if s.stage == stage {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "still {:?}, waited for {stage}",
            s.stage
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn an_unresolved_complaint_goes_to_the_kepala_dinas_at_the_deadline() {
    let rig = Rig::new();
    let booth = rig.client(KEY_01);
    let waiting = rig.complaint(1);
    let forwarded = rig.complaint(2);
    let resolved = rig.complaint(3);
    for c in [&waiting, &forwarded, &resolved] {
        rig.rt.block_on(booth.submit(c)).unwrap();
    }
    rig.act(
        forwarded.id,
        "sek-01",
        Role::Secretariat,
        Action::Forward(Assignee::Secretary),
        None,
    )
    .unwrap();
    rig.act(
        resolved.id,
        "sek-01",
        Role::Secretariat,
        Action::Forward(Assignee::Pendaftaran),
        None,
    )
    .unwrap();
    rig.act(
        resolved.id,
        "dafduk-01",
        Role::HeadPendaftaran,
        Action::Resolve,
        Some("Selesai."),
    )
    .unwrap();

    // 71 hours: once the desk has looked at its deadlines at that hour, still where they were.
    rig.hand.advance(Duration::from_secs(71 * 3600));
    let at = rig.clock.now();
    let mut checked = rig.desk().core.escalation_checked();
    rig.rt
        .block_on(async {
            // The timer is made inside the runtime: tokio's timeout needs its reactor.
            tokio::time::timeout(
                Duration::from_secs(10),
                checked.wait_for(|t| t.is_some_and(|t| t >= at)),
            )
            .await
        })
        .expect("the escalation task looked at 71 hours")
        .unwrap();
    let s = rig.rt.block_on(booth.status(&waiting.ticket_no)).unwrap();
    assert_eq!(s.stage, Stage::Received);
    // Past the 72 hours of the default config: with the Kepala Dinas, by the system.
    rig.hand.advance(Duration::from_secs(3600 + 1));
    wait_for_stage(&rig, &waiting.ticket_no, Stage::Escalated);
    wait_for_stage(&rig, &forwarded.ticket_no, Stage::Escalated);
    let s = rig.rt.block_on(booth.status(&resolved.ticket_no)).unwrap();
    assert_eq!(s.stage, Stage::Resolved(Assignee::Pendaftaran));
    assert_eq!(
        rig.rt
            .block_on(booth.status(&waiting.ticket_no))
            .unwrap()
            .holder,
        Role::KepalaDinas
    );
    let id = waiting.id;
    let history = rig
        .rt
        .block_on(rig.desk().core.store.call(move |s| s.history(id)))
        .unwrap();
    let last = history.last().unwrap();
    assert_eq!(
        (last.actor.as_str(), last.action.as_str(), last.to.as_str()),
        ("system", "escalate", "escalated")
    );

    // A complaint that arrives already past its deadline goes up at once.
    let mut old = rig.complaint(4);
    old.received_at = start_time()
        .checked_sub(jiff::SignedDuration::from_hours(1))
        .unwrap();
    old.ticket_no = TicketNo::new(old.received_at, 1, 4).unwrap();
    rig.rt.block_on(booth.submit(&old)).unwrap();
    wait_for_stage(&rig, &old.ticket_no, Stage::Escalated);

    // The Kepala Dinas decides.
    rig.act(
        waiting.id,
        "kadis-01",
        Role::KepalaDinas,
        Action::Decide,
        Some("KTP-el dicetak hari ini; petugas menghubungi Anda."),
    )
    .unwrap();
    let s = rig.rt.block_on(booth.status(&waiting.ticket_no)).unwrap();
    assert_eq!(s.stage, Stage::Decided);
    assert!(s.answer.unwrap().contains("dicetak hari ini"));
    let report = rig
        .rt
        .block_on(rig.desk().core.store.call(|s| s.verify_audit()))
        .unwrap();
    assert!(report.ok(), "{report:?}");
}

#[test]
fn the_audit_file_verifies_and_tampering_is_found_after_a_restart() {
    let mut rig = Rig::new();
    let booth = rig.client(KEY_01);
    let c = rig.complaint(1);
    rig.rt.block_on(booth.submit(&c)).unwrap();
    rig.act(
        c.id,
        "sek-01",
        Role::Secretariat,
        Action::Forward(Assignee::Secretary),
        None,
    )
    .unwrap();
    rig.act(
        c.id,
        "sekdin-01",
        Role::Secretary,
        Action::Escalate,
        Some("Perlu keputusan."),
    )
    .unwrap();
    rig.stop();
    let path = rig.dir.path().join(DB_FILE);
    let key = || {
        let bytes = std::fs::read(rig.dir.path().join(ktpel_booth::desk::KEY_FILE)).unwrap();
        ktpel_booth::seal::LocalKey::from_bytes(&bytes).unwrap()
    };
    assert!(Store::open(&path, key())
        .unwrap()
        .verify_audit()
        .unwrap()
        .ok());

    // Someone edits the file behind the desk's back: who escalated it.
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch("DROP TRIGGER audit_no_update;").unwrap();
    conn.execute(
        "UPDATE audit SET actor = 'system', role = 'system' WHERE action = 'escalate'",
        [],
    )
    .unwrap();
    drop(conn);
    let report = Store::open(&path, key()).unwrap().verify_audit().unwrap();
    assert!(!report.ok());
    assert!(
        report.problems.iter().any(|p| p.contains("event 3")),
        "{report:?}"
    );
}

#[test]
fn the_client_says_what_went_wrong() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let c = {
        let now = start_time();
        Complaint {
            id: Uuid::now_v7(),
            ticket_no: TicketNo::new(now, 1, 1).unwrap(),
            booth_id: "3273-01".into(),
            received_at: now,
            channel: Channel::Booth,
            complainant: "SITI".into(),
            contact: "081234567890".into(),
            category: Category::Other,
            description: "X".into(),
            link: None,
        }
    };
    // Desk down: nothing listens on the port.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let client = DeskClient::new(
        &format!("http://127.0.0.1:{port}"),
        KEY_01,
        Duration::from_secs(2),
    )
    .unwrap();
    let e = rt.block_on(client.submit(&c)).unwrap_err();
    assert!(matches!(e, DeskClientError::Unreachable(_)), "{e}");
    assert!(e.is_retryable());
    assert!(e.to_string().contains("cannot be reached"), "{e}");

    // A desk that answers noise, and one that never answers.
    let (garbage, silent) = rt.block_on(async {
        let garbage = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        (garbage, silent)
    });
    let garbage_addr = garbage.local_addr().unwrap();
    let silent_addr = silent.local_addr().unwrap();
    rt.spawn(async move {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        while let Ok((mut s, _)) = garbage.accept().await {
            let mut buf = [0u8; 4096];
            let _ = s.read(&mut buf).await;
            let body = "<html>proxy error</html>";
            let _ = s
                .write_all(
                    format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
                        body.len()
                    )
                    .as_bytes(),
                )
                .await;
        }
    });
    rt.spawn(async move {
        let mut held = Vec::new();
        while let Ok((s, _)) = silent.accept().await {
            held.push(s);
        }
    });
    let client = DeskClient::new(
        &format!("http://{garbage_addr}"),
        KEY_01,
        Duration::from_secs(2),
    )
    .unwrap();
    let e = rt.block_on(client.submit(&c)).unwrap_err();
    assert!(matches!(e, DeskClientError::Garbage(_)), "{e}");
    let client = DeskClient::new(
        &format!("http://{silent_addr}"),
        KEY_01,
        Duration::from_millis(300),
    )
    .unwrap();
    let e = rt.block_on(client.status(&c.ticket_no)).unwrap_err();
    assert_eq!(e, DeskClientError::Timeout);
}

// ---- the GUI, headless

struct Screen<P: iced::Program<State = DeskApp, Message = Message> + 'static> {
    program: P,
    emu: Emulator<P>,
    rx: mpsc::Receiver<emulator::Event<P>>,
}

impl<P: iced::Program<State = DeskApp, Message = Message, Theme = iced::Theme> + 'static>
    Screen<P>
{
    fn settle(&mut self) {
        loop {
            match iced::futures::executor::block_on(self.rx.next()).expect("emulator runs") {
                emulator::Event::Action(a) => self.emu.perform(&self.program, a),
                emulator::Event::Failed(i) => panic!("failed: {i:?}"),
                emulator::Event::Ready => return,
            }
        }
    }

    fn drive(&mut self, lines: &[&str]) {
        for l in lines {
            self.emu.run(&self.program, Instruction::parse(l).unwrap());
            self.settle();
        }
    }

    /// Types on the desk PC's keyboard (`type` instructions). The keys reach the desk's
    /// keyboard listener through iced's subscription channel: wait until they have come
    /// through (nothing more for a while) before the next instruction.
    fn type_on_keyboard(&mut self, lines: &[&str]) {
        for l in lines {
            self.drive(&[l]);
            let mut quiet = 0;
            while quiet < 5 {
                std::thread::sleep(Duration::from_millis(20));
                quiet += 1;
                while let Ok(event) = self.rx.try_recv() {
                    quiet = 0;
                    if let emulator::Event::Action(a) = event {
                        self.emu.perform(&self.program, a);
                    }
                }
            }
        }
    }

    /// Taps each character on the keypad or keyboard (space is "␣").
    fn type_keys(&mut self, s: &str) {
        let lines: Vec<String> = s
            .chars()
            .map(|c| match c {
                ' ' => "click \"␣\"".to_string(),
                c => format!("click \"{c}\""),
            })
            .collect();
        let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
        self.drive(&refs);
    }

    /// Draws the current screen to `<target>/desk-screenshots/<name>.png` (or
    /// `$KTPEL_SCREENSHOTS_DIR`), as the desk shows it at 1280×800, and checks it is not blank.
    fn shot(&mut self, name: &str) {
        let out = std::env::var_os("KTPEL_SCREENSHOTS_DIR")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|| {
                std::path::PathBuf::from(concat!(
                    env!("CARGO_MANIFEST_DIR"),
                    "/target/desk-screenshots"
                ))
            });
        std::fs::create_dir_all(&out).unwrap();
        let settings = iced::Settings {
            default_font: ktpel_booth::kiosk::FONT,
            fonts: vec![
                ktpel_booth::kiosk::FONT_REGULAR.into(),
                ktpel_booth::kiosk::FONT_BOLD.into(),
            ],
            ..iced::Settings::default()
        };
        let mut sim = iced_test::Simulator::with_size(
            settings,
            iced::Size::new(1280.0, 800.0),
            self.emu.view(&self.program),
        );
        let snapshot = sim.snapshot(&ktpel_booth::widgets::theme::booth()).unwrap();
        let base = out.join(format!("raw-{name}"));
        for old in std::fs::read_dir(&out).unwrap().flatten() {
            if old
                .file_name()
                .to_string_lossy()
                .starts_with(&format!("raw-{name}"))
            {
                std::fs::remove_file(old.path()).unwrap();
            }
        }
        assert!(snapshot.matches_image(&base).unwrap());
        let file = std::fs::read_dir(&out)
            .unwrap()
            .flatten()
            .find(|f| {
                f.file_name()
                    .to_string_lossy()
                    .starts_with(&format!("raw-{name}"))
            })
            .unwrap()
            .path();
        // The headless renderer draws at twice the size; keep the desk's.
        let img = image::open(&file).unwrap().resize_exact(
            1280,
            800,
            image::imageops::FilterType::Triangle,
        );
        std::fs::remove_file(&file).unwrap();
        let dark = img.to_luma8().pixels().filter(|p| p.0[0] < 100).count();
        assert!(dark > 1_500, "{name} looks empty ({dark} dark pixels)");
        img.save(out.join(format!("{name}.png"))).unwrap();
    }

    /// Waits (bounded) until `text` is on screen, letting tasks and ticks run.
    fn wait_for(&mut self, text: &str) {
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        let expect = format!("expect \"{text}\"");
        loop {
            self.emu
                .run(&self.program, Instruction::parse(&expect).unwrap());
            loop {
                match iced::futures::executor::block_on(self.rx.next()).expect("emulator runs") {
                    emulator::Event::Action(a) => self.emu.perform(&self.program, a),
                    emulator::Event::Ready => return,
                    emulator::Event::Failed(_) => break,
                }
            }
            assert!(
                std::time::Instant::now() < deadline,
                "waited for {text:?} on screen"
            );
            std::thread::sleep(Duration::from_millis(50));
            while let Ok(event) = self.rx.try_recv() {
                if let emulator::Event::Action(a) = event {
                    self.emu.perform(&self.program, a);
                }
            }
        }
    }
}

#[test]
fn the_gui_secretariat_forwards_and_the_division_head_resolves() {
    let rig = Rig::new();
    let booth = rig.client(KEY_01);
    let c = rig.complaint(7);
    rig.rt.block_on(booth.submit(&c)).unwrap();

    let core = rig.desk().core.clone();
    let program = gui::application(
        move || (DeskApp::new(core.clone()), iced::Task::none()),
        false,
    );
    let (sender, rx) = mpsc::channel(1);
    let emu = Emulator::new(sender, &program, Mode::Zen, iced::Size::new(1280.0, 800.0));
    let mut s = Screen { program, emu, rx };
    s.settle();

    // A wrong PIN first: told how many tries are left.
    s.wait_for("Masukkan PIN petugas");
    s.shot("desk-01-signin");
    s.type_keys("999999");
    s.drive(&["click \"Masuk\""]);
    s.wait_for("PIN salah. Sisa percobaan: 4.");

    // The secretariat sees the new complaint and forwards it to the civil registration division.
    s.type_keys("201001");
    s.drive(&["click \"Masuk\""]);
    s.wait_for("Pengaduan baru masuk");
    s.wait_for(&c.ticket_no.display());
    s.shot("desk-02-secretariat-inbox");
    s.drive(&[&format!("click \"{}\"", c.ticket_no.display())]);
    s.wait_for("Riwayat");
    // The secretariat may only forward: no answer, no decision here.
    s.drive(&["expect \"Teruskan ke Bidang Pencatatan Sipil\""]);
    s.shot("desk-03-secretariat-detail");
    s.drive(&["click \"Teruskan ke Bidang Pencatatan Sipil\""]);
    s.wait_for(&format!(
        "{}: Diteruskan ke Bidang Pencatatan Sipil.",
        c.ticket_no.display()
    ));
    s.wait_for("Tidak ada pengaduan yang menunggu.");
    s.drive(&["click \"Keluar\""]);

    // The head of Pencatatan Sipil answers it on the on-screen keyboard.
    s.type_keys("204004");
    s.drive(&["click \"Masuk\""]);
    s.wait_for("Pengaduan yang diteruskan kepada Anda");
    s.wait_for(&c.ticket_no.display());
    s.drive(&[&format!("click \"{}\"", c.ticket_no.display())]);
    s.wait_for("Riwayat");
    s.wait_for(&format!(
        "{} — diteruskan ke Bidang Pencatatan Sipil — Rina Marlina (Sekretariat Pengaduan)",
        gui::wib(start_time())
    ));
    s.shot("desk-04-division-detail");
    s.drive(&["click \"Jawab dan selesaikan\""]);
    s.wait_for("Tulis jawaban untuk pelapor");
    s.type_keys("kartu siap diambil");
    s.shot("desk-05-compose-answer");
    s.drive(&["click \"Jawab dan selesaikan\""]);
    s.wait_for(&format!(
        "{}: Diselesaikan oleh Bidang Pencatatan Sipil.",
        c.ticket_no.display()
    ));

    // The booth reads the answer that was typed.
    let status = rig.rt.block_on(booth.status(&c.ticket_no)).unwrap();
    assert_eq!(status.stage, Stage::Resolved(Assignee::PencatatanSipil));
    assert_eq!(status.answer.as_deref(), Some("kartu siap diambil"));
    let id = c.id;
    let history = rig
        .rt
        .block_on(rig.desk().core.store.call(move |s| s.history(id)))
        .unwrap();
    let who: Vec<(&str, &str)> = history
        .iter()
        .map(|h| (h.actor.as_str(), h.action.as_str()))
        .collect();
    assert_eq!(
        who,
        [
            ("booth:3273-01", "submit"),
            ("sek-01", "forward:pencatatan_sipil"),
            ("capil-01", "resolve"),
        ]
    );
}

#[test]
fn the_gui_secretariat_records_a_phone_complaint() {
    let rig = Rig::new();
    let core = rig.desk().core.clone();
    let program = gui::application(
        move || (DeskApp::new(core.clone()), iced::Task::none()),
        false,
    );
    let (sender, rx) = mpsc::channel(1);
    let emu = Emulator::new(sender, &program, Mode::Zen, iced::Size::new(1280.0, 800.0));
    let mut s = Screen { program, emu, rx };
    s.settle();
    s.type_keys("201001");
    s.drive(&["click \"Masuk\""]);
    s.wait_for("Catat pengaduan telepon / langsung");
    s.drive(&["click \"Catat pengaduan telepon / langsung\""]);
    s.wait_for("Catat pengaduan");
    // Saving with nothing chosen says what is missing.
    s.drive(&["click \"Simpan pengaduan\""]);
    s.wait_for("Pilih jenis pengaduan.");
    s.drive(&["click \"Kesalahan data\""]);
    // The secretariat types on the desk PC's keyboard; Enter moves to the next field.
    s.type_on_keyboard(&[
        "type \"BUDI\"",
        "type enter",
        "type \"02276543219\"",
        "type backspace",
        "type enter",
        "type \"nama salah\"",
    ]);
    s.shot("desk-06-intake");
    s.drive(&["click \"Simpan pengaduan\""]);
    let ticket = TicketNo::new(rig.clock.now(), 0, 1).unwrap();
    s.wait_for(&format!(
        "Pengaduan dicatat dengan nomor {}.",
        ticket.display()
    ));
    s.wait_for(&ticket.display());
    s.shot("desk-07-inbox-after-intake");

    let all = rig
        .rt
        .block_on(rig.desk().core.store.call(|s| s.all()))
        .unwrap();
    assert_eq!(all.len(), 1);
    let c = &all[0].complaint;
    assert_eq!(c.ticket_no, ticket);
    assert_eq!(
        (
            c.channel,
            c.category,
            c.complainant.as_str(),
            c.contact.as_str()
        ),
        (Channel::Phone, Category::DataError, "BUDI", "0227654321")
    );
    assert_eq!(c.description, "nama salah");
}
