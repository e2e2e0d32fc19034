//! The kiosk in iced_test's emulator, driven line by line with `.ice` instructions through the
//! real update loop (tasks and subscriptions run), with a hand on the running booth.

use iced::futures::channel::mpsc;
use iced::futures::StreamExt;
use iced_test::emulator::{self, Emulator, Mode};
use iced_test::Instruction;
use ktpel_booth::booth::service::Service;
use ktpel_booth::clock::Clock;
use ktpel_booth::config::Config;
use ktpel_booth::kiosk::{self, App, Message};
use ktpel_hal::DeviceKind;
use ktpel_sim::SimControl;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

pub struct Kiosk<P: iced::Program<State = App, Message = Message, Theme = iced::Theme> + 'static> {
    program: P,
    emu: Emulator<P>,
    rx: mpsc::Receiver<emulator::Event<P>>,
    running: Arc<Mutex<Option<Arc<Service>>>>,
    /// Draw the screen after each step, as the kiosk's window does on every redraw (see
    /// [`Kiosk::redraw`]); off by default, since tests only look at the widget tree.
    pub redraw_each_step: bool,
}

/// Boots the kiosk on `config` with `clock` and a fresh data dir, and waits until it is up.
pub fn boot(
    config: Config,
    clock: Clock,
) -> Kiosk<impl iced::Program<State = App, Message = Message, Theme = iced::Theme> + 'static> {
    let running: Arc<Mutex<Option<Arc<Service>>>> = Arc::new(Mutex::new(None));
    let slot = running.clone();
    let boot = move || {
        let dir: PathBuf = tempfile::tempdir().unwrap().keep();
        let (app, task) = super::boot_kiosk(config.clone(), dir, clock.clone());
        let slot = slot.clone();
        let task = task.map(move |m| {
            if let Message::Started(Ok(r)) = &m {
                *slot.lock().unwrap() = Some(r.clone());
            }
            m
        });
        (app, task)
    };
    let program = kiosk::application(boot, false);
    let (sender, rx) = mpsc::channel(1);
    let emu = Emulator::new(sender, &program, Mode::Zen, iced::Size::new(1280.0, 800.0));
    let mut kiosk = Kiosk {
        program,
        emu,
        rx,
        running,
        redraw_each_step: false,
    };
    kiosk.settle();
    kiosk
}

impl<P: iced::Program<State = App, Message = Message, Theme = iced::Theme> + 'static> Kiosk<P> {
    /// Waits until the emulator has finished what it was doing (booting, or the last line).
    pub fn settle(&mut self) {
        loop {
            match iced::futures::executor::block_on(self.rx.next()).expect("emulator runs") {
                emulator::Event::Action(a) => self.emu.perform(&self.program, a),
                emulator::Event::Failed(i) => panic!("failed: {i:?}"),
                emulator::Event::Ready => {
                    if self.redraw_each_step {
                        self.redraw();
                    }
                    return;
                }
            }
        }
    }

    /// Runs `.ice` instruction lines one after the other, each after the tasks of the one
    /// before.
    pub fn drive(&mut self, lines: &[&str]) {
        for l in lines {
            self.emu.run(&self.program, Instruction::parse(l).unwrap());
            self.settle();
        }
    }

    /// Taps each character of `digits` on the keypad.
    pub fn type_digits(&mut self, digits: &str) {
        // A click finds the first text equal to the digit: the number shown above the keypad
        // never is one (its empty places are dots), so the click lands on the key.
        let lines: Vec<String> = digits.chars().map(|c| format!("click \"{c}\"")).collect();
        let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
        self.drive(&refs);
    }

    /// Types `text` on a physical keyboard, as a person or a scanner does. The keys reach the
    /// kiosk's keyboard listener through iced's subscription channel, which holds about a
    /// hundred events at once: a long text goes in runs of 20 characters, each let through.
    pub fn type_text(&mut self, text: &str) {
        let chars: Vec<char> = text.chars().collect();
        for run in chars.chunks(20) {
            let run: String = run.iter().collect();
            self.drive(&[&format!("type {:?}", run)]);
            // Until the keys have come through: nothing more for a while.
            let mut quiet = 0;
            while quiet < 5 {
                std::thread::sleep(std::time::Duration::from_millis(20));
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

    /// Waits up to `timeout` until `text` is on screen, letting subscriptions (the clock tick,
    /// the camera) and background tasks move the app on meanwhile.
    pub fn wait_for_text(&mut self, text: &str, timeout: std::time::Duration) {
        let deadline = std::time::Instant::now() + timeout;
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
            if self.redraw_each_step {
                self.redraw();
            }
            if std::time::Instant::now() >= deadline {
                // Show what was on screen instead: a picture says more than the text missing.
                let dir = std::env::temp_dir();
                let shot = self.shot(&dir, "ktpel-waited-for-text");
                panic!(
                    "waited {timeout:?} for {text:?} on screen; the screen is in {}",
                    shot.display()
                );
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
            while let Ok(event) = self.rx.try_recv() {
                if let emulator::Event::Action(a) = event {
                    self.emu.perform(&self.program, a);
                }
            }
        }
    }

    /// Draws the current screen into the emulator's renderer, as a window's redraw does. Laying
    /// a screen out decodes each image it shows into the renderer's cache; only drawing a
    /// frame drops the images the frame no longer uses. The kiosk's window draws after every
    /// change, so a run that stands for it (the memory benchmark) must draw too, or every
    /// preview frame ever laid out stays cached.
    pub fn redraw(&mut self) {
        let _ = self
            .emu
            .screenshot(&self.program, &ktpel_booth::widgets::theme::booth(), 1.0);
    }

    pub fn running(&self) -> Arc<Service> {
        self.running
            .lock()
            .unwrap()
            .clone()
            .expect("the booth started")
    }

    /// The technician loads `n` blank cards into the booth's stock (as from the technician
    /// area); without blanks no card is printed.
    pub fn load_blanks(&self, n: u32) {
        let tech = ktpel_booth::booth::service::Staff {
            id: "tech-01".into(),
            name: "Teknisi".into(),
            role: ktpel_booth::config::Role::Technician,
        };
        let service = self.running();
        iced::futures::executor::block_on(service.load_blanks(&tech, n)).unwrap();
    }

    /// The control of the simulated device in `kind`'s role.
    pub fn sim(&self, kind: DeviceKind) -> SimControl {
        self.running().devices().sim(kind).unwrap()
    }
}

/// Signs in as the demo operator and walks an applicant through documents, SIAK and every
/// capture step to "Terekam".
pub fn record<P: iced::Program<State = App, Message = Message, Theme = iced::Theme> + 'static>(
    k: &mut Kiosk<P>,
    nik: &str,
) {
    record_with(k, nik, || {});
}

/// From the home screen through the documents and SIAK to the first capture (the face).
fn to_first_capture<
    P: iced::Program<State = App, Message = Message, Theme = iced::Theme> + 'static,
>(
    k: &mut Kiosk<P>,
    nik: &str,
) {
    k.drive(&[
        "click \"Mulai perekaman\"",
        "click \"☐  Fotokopi Kartu Keluarga (KK)\"",
        "click \"☐  Formulir permohonan KTP-el\"",
        "click \"Lanjut\"",
    ]);
    k.type_digits(nik);
    k.drive(&["click \"Periksa ke SIAK\""]);
    k.wait_for_text("Data sesuai, lanjut", std::time::Duration::from_secs(30));
    k.drive(&[
        "click \"Data sesuai, lanjut\"",
        "expect \"Langkah 1 dari 14: Foto wajah\"",
    ]);
}

/// As [`record`], running `after_siak` once SIAK has confirmed the applicant (to take the
/// centre down, say).
pub fn record_with<
    P: iced::Program<State = App, Message = Message, Theme = iced::Theme> + 'static,
>(
    k: &mut Kiosk<P>,
    nik: &str,
    after_siak: impl FnOnce(),
) {
    to_first_capture(k, nik);
    after_siak();
    k.drive(&[
        "click \"Ambil foto\"",
        "click \"Lanjut\"",
        "click \"Pindai\"",
        "click \"Pindai\"",
        "click \"Mulai tanda tangan\"",
        "click \"Lanjut\"",
        "click \"Simpan rekaman\"",
        "expect \"Terekam\"",
        "click \"Selesai\"",
    ]);
}

/// As [`record`], with the right thumb recorded as bandaged: the walk stops where the record
/// waits for the supervisor's PIN (the exception approval on the record's review).
pub fn record_until_approval<
    P: iced::Program<State = App, Message = Message, Theme = iced::Theme> + 'static,
>(
    k: &mut Kiosk<P>,
    nik: &str,
) {
    to_first_capture(k, nik);
    k.drive(&[
        "click \"Ambil foto\"",
        "click \"Lanjut\"",
        "click \"Diperban\"",
        "click \"Pindai\"",
        "click \"Pindai\"",
        "click \"Mulai tanda tangan\"",
        "click \"Lanjut\"",
        "click \"Simpan rekaman\"",
        "expect \"Persetujuan supervisor\"",
    ]);
}

/// Signs in with the demo operator's PIN, typed on a USB keyboard and sent with Enter (NIKs are
/// tapped on the keypad: both ways are in every flow).
pub fn sign_in<P: iced::Program<State = App, Message = Message, Theme = iced::Theme> + 'static>(
    k: &mut Kiosk<P>,
) {
    k.drive(&["type \"246810\"", "type enter"]);
    k.wait_for_text("Mulai perekaman", std::time::Duration::from_secs(10));
}

impl<P> Kiosk<P>
where
    P: iced::Program<State = App, Message = Message, Theme = iced::Theme> + 'static,
{
    /// [`Kiosk::shot`] in the kiosk's language, then the same screen in the other one
    /// (`<name>-en.png`): every label is looked at in both.
    pub fn shot_both(&mut self, dir: &std::path::Path, name: &str) -> [PathBuf; 2] {
        let first = self.shot(dir, name);
        let lang = self.emu.state_mut().lang;
        self.emu.state_mut().lang = lang.toggled();
        let second = self.shot(dir, &format!("{name}-{}", lang.toggled().code()));
        self.emu.state_mut().lang = lang;
        [first, second]
    }

    /// Whether `text` is on screen and inside the visible part of its list.
    pub fn visible(&mut self, text: &str) -> bool {
        self.emu
            .find(&self.program, text)
            .and_then(|t| t.visible_bounds())
            .is_some_and(|b| b.height > 0.0)
    }

    /// Drags the list under `at` up with a finger until `text` is in view (as an operator
    /// scrolls to a row), at most ten drags of 200 px.
    pub fn scroll_into_view(&mut self, text: &str, at: iced::Point) {
        for _ in 0..10 {
            if self.visible(text) {
                return;
            }
            let mut lines = vec![
                format!("move ({}, {})", at.x, at.y),
                format!("press ({}, {})", at.x, at.y),
            ];
            for step in 1..=10 {
                lines.push(format!("move ({}, {})", at.x, at.y - 20.0 * step as f32));
            }
            lines.push(format!("release ({}, {})", at.x, at.y - 200.0));
            let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
            self.drive(&refs);
        }
        if !self.visible(text) {
            let shot = self.shot(&std::env::temp_dir(), "ktpel-not-in-view");
            panic!(
                "{text:?} not in view after scrolling; the screen is in {}",
                shot.display()
            );
        }
    }

    /// [`Kiosk::labels_cut`] in both languages, each line naming the screen and language.
    pub fn labels_cut_both(&mut self, screen: &str) -> Vec<String> {
        let lang = self.emu.state_mut().lang;
        let mut cut: Vec<String> = self
            .labels_cut()
            .into_iter()
            .map(|c| format!("{screen} [{}] {c}", lang.code()))
            .collect();
        self.emu.state_mut().lang = lang.toggled();
        cut.extend(
            self.labels_cut()
                .into_iter()
                .map(|c| format!("{screen} [{}] {c}", lang.toggled().code())),
        );
        self.emu.state_mut().lang = lang;
        cut
    }

    /// The buttons' labels on screen that do not fit their button: each label is laid out
    /// again with the embedded font at its button's size in its button's width, and must take
    /// no more lines than the button's height holds, and no word may be wider than the button.
    /// A label fills its button, so its bounds are the button's inside: 64 px high on an action
    /// (body size), 52 px on a choice (small size). A text elsewhere that happens to be as high
    /// is measured too, and passes: a text not held by a button is laid out at its own size.
    pub fn labels_cut(&mut self) -> Vec<String> {
        use iced::advanced::text::{self as atext, Paragraph as _};
        type Para = <iced::Renderer as iced::advanced::text::Renderer>::Paragraph;
        // The emulator's own interface, as `visible` reads it: the texts' bounds as laid out.
        let texts = Texts::default();
        let _ = self.emu.find(&self.program, texts.clone());
        use ktpel_booth::widgets::theme;
        let sizes = [
            (theme::ACTION - 2.0 * ACTION_PADDING, theme::BODY),
            (theme::TOUCH - 2.0 * theme::CHOICE_PADDING, theme::SMALL),
        ];
        let mut cut = Vec::new();
        for (label, bounds) in texts.0.lock().unwrap().iter() {
            let Some(&(_, size)) = sizes
                .iter()
                .find(|(height, _)| (bounds.height - height).abs() <= 0.5)
            else {
                continue;
            };
            if label.trim().is_empty() {
                continue;
            }
            let para = Para::with_text(atext::Text {
                content: label.as_str(),
                bounds: iced::Size::new(bounds.width, f32::INFINITY),
                size: iced::Pixels(size),
                line_height: atext::LineHeight::default(),
                font: kiosk::FONT,
                align_x: atext::Alignment::Center,
                align_y: iced::alignment::Vertical::Center,
                shaping: atext::Shaping::default(),
                wrapping: atext::Wrapping::Word,
            });
            let needed = para.min_bounds();
            if needed.height > bounds.height + 0.5 || needed.width > bounds.width + 0.5 {
                cut.push(format!(
                    "{label:?}: needs {:.0}x{:.0}, has {:.0}x{:.0}",
                    needed.width, needed.height, bounds.width, bounds.height
                ));
            }
        }
        cut
    }

    /// Draws the current screen at the kiosk's size with its fonts and writes `dir/name.png`;
    /// checks it is not blank.
    pub fn shot(&mut self, dir: &std::path::Path, name: &str) -> PathBuf {
        let settings = iced::Settings {
            default_font: kiosk::FONT,
            fonts: vec![kiosk::FONT_REGULAR.into(), kiosk::FONT_BOLD.into()],
            ..iced::Settings::default()
        };
        let mut sim = iced_test::Simulator::with_size(
            settings,
            iced::Size::new(1280.0, 800.0),
            self.emu.view(&self.program),
        );
        let snapshot = sim.snapshot(&ktpel_booth::widgets::theme::booth()).unwrap();
        let base = dir.join(name);
        let stale = |f: &std::fs::DirEntry| f.file_name().to_string_lossy().starts_with(name);
        for old in std::fs::read_dir(dir).unwrap().flatten().filter(stale) {
            std::fs::remove_file(old.path()).unwrap();
        }
        assert!(snapshot.matches_image(&base).unwrap());
        let file = std::fs::read_dir(dir)
            .unwrap()
            .flatten()
            .find(stale)
            .unwrap()
            .path();
        // The headless renderer draws at twice the size; keep the kiosk's.
        let img = image::open(&file).unwrap().resize_exact(
            1280,
            800,
            image::imageops::FilterType::Triangle,
        );
        std::fs::remove_file(&file).unwrap();
        let dark = img.to_luma8().pixels().filter(|p| p.0[0] < 100).count();
        assert!(dark > 1_500, "{name} looks empty ({dark} dark pixels)");
        let path = dir.join(format!("{name}.png"));
        img.save(&path).unwrap();
        path
    }
}

/// `theme::action`'s vertical padding.
const ACTION_PADDING: f32 = 8.0;

/// Every text on screen with its bounds (a selector that matches nothing and so visits all).
#[derive(Clone, Default)]
struct Texts(Arc<Mutex<Vec<(String, iced::Rectangle)>>>);

impl iced_test::selector::Selector for Texts {
    type Output = ();

    fn select(&mut self, candidate: iced_test::selector::Candidate<'_>) -> Option<()> {
        if let iced_test::selector::Candidate::Text {
            bounds, content, ..
        } = candidate
        {
            self.0.lock().unwrap().push((content.to_owned(), bounds));
        }
        None
    }

    fn description(&self) -> String {
        "every text".into()
    }
}
