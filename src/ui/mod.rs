//! The kiosk: an iced application for a 1280×800 touchscreen, Indonesian by default with
//! English one tap away. Each screen is a module under [`screen`] that owns its state, messages
//! and view; this root turns their events into the next screen or a task. Nothing here waits on
//! a device, the disk or the network: those run as tasks, and the root only reads their results.

pub mod i18n;
pub mod keyboard;
pub mod keypad;
pub mod pin_gate;
pub mod preview;
pub mod receipt_view;
pub mod screen;
pub mod signature_canvas;
pub mod theme;

use iced::{Element, Font, Size, Subscription, Task};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::booth::Booth;
use crate::clock::Clock;
use crate::config::{Config, OperatorConfig};
use crate::devices::Devices;
use crate::enrollment::StepTiming;
use crate::queue::{ApplicantSummary, Counts, QueueRow, WaitingEntry};
use crate::t;
use crate::transmit::TransmitterHandle;
use i18n::Lang;
use screen::{
    applicant, complaint, complaint_status, documents, home, issue, pickup, record, signin,
    technician, verify,
};

pub const FONT_REGULAR: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
pub const FONT_BOLD: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");
pub const FONT: Font = Font::with_name("DejaVu Sans");

/// Whether a window can be opened at all; iced panics without a display.
pub fn display_available() -> Result<(), String> {
    match std::env::var_os("DISPLAY") {
        Some(d) if !d.is_empty() => Ok(()),
        _ => Err(
            "no display: the kiosk needs an X11 display (DISPLAY is not set). \
                  On a headless machine run it under Xvfb, e.g. \
                  `Xvfb :99 & DISPLAY=:99 ktpel-booth`, or use the CLI commands (--help)."
                .into(),
        ),
    }
}

/// A device failure as the operator reads it: what to do, in the kiosk's language, chosen by
/// the kind of failure, then the driver's own words as technical detail.
pub fn device_error<'a, M: 'a>(lang: Lang, e: &ktpel_hal::DeviceError) -> Element<'a, M> {
    let advice = i18n::tr(lang, &format!("device-error-{}", e.kind.as_str()));
    iced::widget::container(
        iced::widget::column![
            iced::widget::text(advice).size(theme::BODY),
            iced::widget::text(t!(lang, "device-error-detail", detail = e.message.clone()))
                .size(theme::SMALL),
        ]
        .spacing(theme::GAP / 2.0),
    )
    .padding(theme::GAP)
    .width(iced::Length::Fill)
    .style(iced::widget::container::danger)
    .into()
}

/// The kiosk as an iced application, booted by `boot` (the real one, or a test's).
pub fn application(
    boot: impl Fn() -> (App, Task<Message>) + 'static,
    fullscreen: bool,
) -> iced::Application<impl iced::Program<State = App, Message = Message, Theme = iced::Theme>> {
    iced::application(boot, App::update, App::view)
        .title(|app: &App| {
            format!(
                "{} — {}",
                t!(app.lang, "app-title"),
                app.config.booth.office
            )
        })
        .subscription(App::subscription)
        .font(FONT_REGULAR)
        .font(FONT_BOLD)
        .default_font(FONT)
        .window(iced::window::Settings {
            size: Size::new(1280.0, 800.0),
            fullscreen,
            ..iced::window::Settings::default()
        })
}

pub fn run_kiosk(config: Config, data_dir: PathBuf) -> ExitCode {
    if let Err(why) = display_available() {
        eprintln!("ktpel-booth: {why}");
        return ExitCode::from(3);
    }
    let fullscreen = config.kiosk.fullscreen;
    let result = application(
        move || App::boot(config.clone(), data_dir.clone()),
        fullscreen,
    )
    .run();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ktpel-booth: the kiosk window failed: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The running booth, shared with tasks.
pub struct Running {
    pub booth: Booth,
    pub transmitter: TransmitterHandle,
    pub devices: Arc<Mutex<Devices>>,
}

impl std::fmt::Debug for Running {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Running({})", self.booth.config.booth.id)
    }
}

/// Starts the booth for the kiosk: queue, centre, transmitter and devices.
pub async fn start(
    config: Config,
    data_dir: PathBuf,
    clock: Clock,
) -> Result<Arc<Running>, String> {
    let spool = data_dir.join("spool");
    let devices_cfg = config.devices.clone();
    let devices = tokio::task::spawn_blocking(move || Devices::from_config(&devices_cfg, &spool))
        .await
        .map_err(|e| e.to_string())?;
    let booth = Booth::start(config, data_dir, clock)
        .await
        .map_err(|e| e.to_string())?;
    let transmitter = booth.transmitter().spawn();
    Ok(Arc::new(Running {
        booth,
        transmitter,
        devices: Arc::new(Mutex::new(devices)),
    }))
}

#[derive(Debug, Clone)]
pub enum Message {
    Started(Result<Arc<Running>, String>),
    Tick(Instant),
    Refreshed(Result<(Counts, Vec<WaitingEntry>), String>),
    SignIn(signin::Message<signin::Operator>),
    Home(home::Message),
    Documents(documents::Message),
    Verify(verify::Message),
    Record(record::Message),
    Opened(Result<applicant::Record, String>),
    Applicant(applicant::Message),
    Pickup(pickup::Message),
    Technician(technician::Message),
    IssueOpened(
        Result<
            (
                Box<QueueRow>,
                String,
                Box<crate::centre::api::Personalization>,
            ),
            String,
        >,
    ),
    Issue(issue::Message),
    Complaint(complaint::Message),
    ComplaintStatus(complaint_status::Message),
}

pub enum Screen {
    Starting,
    Failed(String),
    SignIn(signin::State<signin::Operator>),
    Home(home::State),
    Documents(documents::State),
    Verify(verify::State),
    Record(Box<record::State>),
    Applicant(Box<applicant::State>),
    Pickup(pickup::State),
    Technician(technician::State),
    Issue(Box<issue::State>),
    Complaint(Box<complaint::State>),
    ComplaintStatus(complaint_status::State),
}

pub struct App {
    pub config: Arc<Config>,
    pub lang: Lang,
    pub running: Option<Arc<Running>>,
    operators: Arc<Vec<OperatorConfig>>,
    pub operator: Option<signin::Operator>,
    pub counts: Option<Counts>,
    pub waiting: Vec<WaitingEntry>,
    now: Instant,
    last_touch: Instant,
    pub screen: Screen,
    /// The screen the idle lock covered, given back to the same operator.
    locked: Option<(signin::Operator, Screen)>,
    /// How long the SOP steps of the current applicant took so far.
    timings: Vec<StepTiming>,
    /// The backlog being drained: the most unsent records seen since the queue was last empty.
    backlog_peak: u64,
}

impl App {
    pub fn boot(config: Config, data_dir: PathBuf) -> (Self, Task<Message>) {
        Self::boot_with(config, data_dir, Clock::System)
    }

    /// Boots with a given clock (tests use a manual one for a reproducible day).
    pub fn boot_with(config: Config, data_dir: PathBuf, clock: Clock) -> (Self, Task<Message>) {
        let app = Self::new(config.clone());
        (
            app,
            Task::perform(start(config, data_dir, clock), Message::Started),
        )
    }

    /// The kiosk before the booth has started (tests start the booth themselves).
    pub fn new(config: Config) -> Self {
        let now = Instant::now();
        Self {
            lang: Lang::from_code(&config.booth.language),
            operators: Arc::new(config.operators.clone()),
            config: Arc::new(config),
            running: None,
            operator: None,
            counts: None,
            waiting: Vec::new(),
            now,
            last_touch: now,
            screen: Screen::Starting,
            locked: None,
            timings: Vec::new(),
            backlog_peak: 0,
        }
    }

    fn signin_rules(&self) -> signin::Rules {
        signin::Rules {
            attempts: self.config.kiosk.pin_attempts,
            lockout: Duration::from_secs(u64::from(self.config.kiosk.lockout_minutes) * 60),
        }
    }

    fn idle_limit(&self) -> Duration {
        Duration::from_secs(u64::from(self.config.kiosk.idle_lock_minutes) * 60)
    }

    fn step_done(&mut self, step: screen::Step, started: Instant) {
        self.timings.push(StepTiming {
            step: step.key().to_string(),
            seconds: Instant::now().saturating_duration_since(started).as_secs() as u32,
        });
    }

    pub fn update(&mut self, message: Message) -> Task<Message> {
        if !matches!(
            message,
            Message::Tick(_) | Message::Refreshed(_) | Message::Started(_)
        ) {
            self.last_touch = Instant::now();
        }
        match message {
            Message::Started(Ok(running)) => {
                self.running = Some(running);
                self.screen = Screen::SignIn(signin::State::new(None));
                self.refresh()
            }
            Message::Started(Err(e)) => {
                tracing::error!(error = %e, "the booth could not start");
                self.screen = Screen::Failed(e);
                Task::none()
            }
            Message::Tick(now) => {
                self.now = now;
                if self.operator.is_some()
                    && now.saturating_duration_since(self.last_touch) >= self.idle_limit()
                {
                    self.lock();
                }
                self.refresh()
            }
            Message::Refreshed(Ok((counts, waiting))) => {
                let unsent = counts.unsent();
                self.backlog_peak = if unsent == 0 {
                    0
                } else {
                    self.backlog_peak.max(unsent)
                };
                self.counts = Some(counts);
                self.waiting = waiting;
                Task::none()
            }
            Message::Refreshed(Err(e)) => {
                tracing::warn!(error = %e, "queue refresh failed");
                Task::none()
            }
            Message::SignIn(m) => {
                let rules = self.signin_rules();
                let Screen::SignIn(s) = &mut self.screen else {
                    return Task::none();
                };
                let operators = self.operators.clone();
                let find = move |pin: &str| signin::find_operator(pin, &operators);
                let (task, event) = s.update(m, find, &rules);
                let task = task.map(Message::SignIn);
                match event {
                    Some(signin::Event::SignedIn(op)) => {
                        match self.locked.take() {
                            Some((was, screen)) if was.id == op.id => self.screen = screen,
                            _ => self.screen = Screen::Home(home::State),
                        }
                        self.operator = Some(op);
                        Task::batch([task, self.refresh()])
                    }
                    Some(signin::Event::ToggleLang) => {
                        self.lang = self.lang.toggled();
                        task
                    }
                    None => task,
                }
            }
            Message::Home(m) => {
                let Screen::Home(s) = &mut self.screen else {
                    return Task::none();
                };
                let (task, event) = s.update(m);
                match event {
                    Some(home::Event::StartRecording) => {
                        self.timings.clear();
                        self.screen = Screen::Documents(documents::State::new());
                    }
                    Some(home::Event::SignOut) => {
                        self.operator = None;
                        self.locked = None;
                        self.screen = Screen::SignIn(signin::State::new(None));
                    }
                    Some(home::Event::ToggleLang) => self.lang = self.lang.toggled(),
                    Some(home::Event::Pickup) => {
                        self.screen = Screen::Pickup(pickup::State::default())
                    }
                    Some(home::Event::Open(id)) => return self.open(id),
                    Some(home::Event::Complaint) => {
                        self.screen = Screen::Complaint(Box::default());
                    }
                    Some(home::Event::ComplaintStatus) => {
                        self.screen = Screen::ComplaintStatus(complaint_status::State::default());
                    }
                    Some(home::Event::Technician) => {
                        let roles = match self.running.as_ref().map(|r| r.devices.lock()) {
                            Some(Ok(mut d)) => d.all_mut().into_iter().map(|(k, _)| k).collect(),
                            _ => Vec::new(),
                        };
                        let Some(running) = self.running.clone() else {
                            return task.map(Message::Home);
                        };
                        let (state, open) = technician::State::open(roles, &running);
                        self.screen = Screen::Technician(state);
                        return Task::batch([
                            task.map(Message::Home),
                            open.map(Message::Technician),
                        ]);
                    }
                    None => {}
                }
                task.map(Message::Home)
            }
            Message::Documents(m) => {
                let Screen::Documents(s) = &mut self.screen else {
                    return Task::none();
                };
                let started = s.started;
                let (task, event) = s.update(m);
                match event {
                    Some(documents::Event::Checked) => {
                        self.step_done(screen::Step::Documents, started);
                        self.screen = Screen::Verify(verify::State::new());
                    }
                    Some(documents::Event::Cancel) => self.screen = Screen::Home(home::State),
                    None => {}
                }
                task.map(Message::Documents)
            }
            Message::Verify(m) => {
                let Some(running) = self.running.clone() else {
                    return Task::none();
                };
                let Screen::Verify(s) = &mut self.screen else {
                    return Task::none();
                };
                let started = s.started;
                let (task, event) = s.update(m, &running);
                match event {
                    Some(verify::Event::Confirmed(resident)) => {
                        self.step_done(screen::Step::Verify, started);
                        let operator = self
                            .operator
                            .as_ref()
                            .map(|o| o.id.clone())
                            .unwrap_or_default();
                        let state = record::State::new(
                            resident,
                            operator,
                            std::mem::take(&mut self.timings),
                            matches!(
                                self.config.devices.signature,
                                crate::config::SignatureConfig::Touchscreen
                            ),
                        );
                        let present = state.present_applicant(&running.devices);
                        self.screen = Screen::Record(Box::new(state));
                        return Task::batch([
                            task.map(Message::Verify),
                            present.map(Message::Record),
                        ]);
                    }
                    Some(verify::Event::Cancel) => self.screen = Screen::Home(home::State),
                    None => {}
                }
                task.map(Message::Verify)
            }
            Message::Opened(Ok((row, summary))) => {
                self.show_applicant(*row, summary);
                Task::none()
            }
            Message::Opened(Err(e)) => {
                tracing::warn!(error = %e, "cannot open the record");
                Task::none()
            }
            Message::Applicant(m) => {
                let Some(running) = self.running.clone() else {
                    return Task::none();
                };
                let Screen::Applicant(s) = &mut self.screen else {
                    return Task::none();
                };
                let (task, event) = s.update(m, &running);
                match event {
                    Some(applicant::Event::Back) => {
                        self.screen = Screen::Home(home::State);
                        Task::batch([task.map(Message::Applicant), self.refresh()])
                    }
                    Some(applicant::Event::Complaint { name, receipt_no }) => {
                        self.screen = Screen::Complaint(Box::new(complaint::State::for_applicant(
                            &name,
                            &receipt_no,
                        )));
                        task.map(Message::Applicant)
                    }
                    Some(applicant::Event::Issue(row, name)) => {
                        let id = row.packet_id;
                        let load = async move {
                            let bundle = running
                                .booth
                                .queue
                                .call(move |s| s.personalization(id))
                                .await
                                .map_err(|e| e.to_string())?
                                .ok_or_else(|| "the centre's card data are missing".to_string())?;
                            Ok((row, name, Box::new(bundle)))
                        };
                        Task::batch([
                            task.map(Message::Applicant),
                            Task::perform(load, Message::IssueOpened),
                        ])
                    }
                    None => task.map(Message::Applicant),
                }
            }
            Message::Pickup(m) => {
                let Some(running) = self.running.clone() else {
                    return Task::none();
                };
                let Screen::Pickup(s) = &mut self.screen else {
                    return Task::none();
                };
                let (task, event) = s.update(m, &running);
                match event {
                    Some(pickup::Event::Found(row, summary)) => self.show_applicant(*row, summary),
                    Some(pickup::Event::Cancel) => self.screen = Screen::Home(home::State),
                    None => {}
                }
                task.map(Message::Pickup)
            }
            Message::IssueOpened(Ok((row, name, bundle))) => {
                let Some(running) = self.running.clone() else {
                    return Task::none();
                };
                let (state, task) = issue::State::open(*row, name, *bundle, &running);
                self.screen = Screen::Issue(Box::new(state));
                task.map(Message::Issue)
            }
            Message::IssueOpened(Err(e)) => {
                tracing::error!(error = %e, "cannot open the card issue");
                Task::none()
            }
            Message::Issue(m) => {
                let Some(running) = self.running.clone() else {
                    return Task::none();
                };
                let Screen::Issue(s) = &mut self.screen else {
                    return Task::none();
                };
                let (task, event) = s.update(m, &running);
                match event {
                    Some(issue::Event::Back) => {
                        self.screen = Screen::Home(home::State);
                        Task::batch([task.map(Message::Issue), self.refresh()])
                    }
                    None => task.map(Message::Issue),
                }
            }
            Message::Complaint(m) => {
                let Some(running) = self.running.clone() else {
                    return Task::none();
                };
                let Screen::Complaint(s) = &mut self.screen else {
                    return Task::none();
                };
                let (task, event) = s.update(m, &running);
                if let Some(complaint::Event::Done) = event {
                    self.screen = Screen::Home(home::State);
                }
                task.map(Message::Complaint)
            }
            Message::ComplaintStatus(m) => {
                let Some(running) = self.running.clone() else {
                    return Task::none();
                };
                let Screen::ComplaintStatus(s) = &mut self.screen else {
                    return Task::none();
                };
                let (task, event) = s.update(m, &running);
                if let Some(complaint_status::Event::Back) = event {
                    self.screen = Screen::Home(home::State);
                }
                task.map(Message::ComplaintStatus)
            }
            Message::Technician(m) => {
                let Some(running) = self.running.clone() else {
                    return Task::none();
                };
                let Screen::Technician(s) = &mut self.screen else {
                    return Task::none();
                };
                let (task, event) = s.update(m, &running.devices, Some(&running));
                if let Some(technician::Event::Back) = event {
                    self.screen = Screen::Home(home::State);
                }
                task.map(Message::Technician)
            }
            Message::Record(m) => {
                let Some(running) = self.running.clone() else {
                    return Task::none();
                };
                let Screen::Record(s) = &mut self.screen else {
                    return Task::none();
                };
                let devices = running.devices.clone();
                let (task, event) = s.update(m, &running, &devices);
                match event {
                    Some(record::Event::Finished | record::Event::Cancel) => {
                        self.screen = Screen::Home(home::State);
                        return Task::batch([task.map(Message::Record), self.refresh()]);
                    }
                    None => {}
                }
                task.map(Message::Record)
            }
        }
    }

    /// Progress through a backlog of more than one record, while it drains.
    fn drain(&self) -> Option<home::Drain> {
        let unsent = self.counts.as_ref()?.unsent();
        (self.backlog_peak > 1 && unsent > 0).then(|| home::Drain {
            sent: self.backlog_peak - unsent,
            total: self.backlog_peak,
        })
    }

    /// Reads one applicant's record for the applicant screen.
    fn open(&self, id: uuid::Uuid) -> Task<Message> {
        let Some(running) = self.running.clone() else {
            return Task::none();
        };
        Task::perform(
            async move {
                running
                    .booth
                    .queue
                    .call(move |s| {
                        let row = s
                            .get(id)?
                            .ok_or(crate::queue::QueueError::UnknownPacket(id))?;
                        Ok((Box::new(row), s.applicant(id)?))
                    })
                    .await
                    .map_err(|e| e.to_string())
            },
            Message::Opened,
        )
    }

    fn show_applicant(&mut self, row: QueueRow, summary: Option<ApplicantSummary>) {
        if let Some(running) = &self.running {
            self.screen = Screen::Applicant(Box::new(applicant::State::new(row, summary, running)));
        }
    }

    /// Covers the current screen with the sign-in after the idle time; the same operator gets
    /// it back as it was.
    fn lock(&mut self) {
        let Some(op) = self.operator.take() else {
            return;
        };
        tracing::info!(operator = %op.id, "idle: screen locked");
        let covered = std::mem::replace(
            &mut self.screen,
            Screen::SignIn(signin::State::new(Some(signin::Notice::Idle))),
        );
        self.locked = Some((op, covered));
    }

    fn refresh(&self) -> Task<Message> {
        let Some(running) = self.running.clone() else {
            return Task::none();
        };
        Task::perform(
            async move {
                let q = &running.booth.queue;
                let counts = q.counts().await.map_err(|e| e.to_string())?;
                let waiting = q.waiting_list().await.map_err(|e| e.to_string())?;
                Ok((counts, waiting))
            },
            Message::Refreshed,
        )
    }

    pub fn subscription(&self) -> Subscription<Message> {
        let ticks = match self.screen {
            Screen::Starting | Screen::Failed(_) => Subscription::none(),
            _ => iced::time::every(Duration::from_secs(1)).map(Message::Tick),
        };
        // The live preview runs only while the recording screen wants it.
        let preview = match (&self.screen, &self.running) {
            (Screen::Record(s), Some(r)) if s.wants_preview() => Subscription::run_with(
                preview::Feed {
                    devices: r.devices.clone(),
                    scan_qr: false,
                    assess_face: true,
                },
                preview::stream,
            )
            .map(|e| Message::Record(record::Message::Preview(e))),
            (Screen::Pickup(s), Some(r)) if s.is_scanning() => Subscription::run_with(
                preview::Feed {
                    devices: r.devices.clone(),
                    scan_qr: true,
                    assess_face: false,
                },
                preview::stream,
            )
            .map(|e| Message::Pickup(pickup::Message::Camera(e))),
            _ => Subscription::none(),
        };
        Subscription::batch([ticks, preview])
    }

    pub fn view(&self) -> Element<'_, Message> {
        let lang = self.lang;
        match &self.screen {
            Screen::Starting => theme::page(
                iced::widget::column![
                    iced::widget::text(t!(lang, "app-title")).size(theme::TITLE),
                    iced::widget::text(self.config.booth.office.clone()).size(theme::BODY),
                    iced::widget::text(t!(lang, "starting")).size(theme::HEADING),
                ]
                .spacing(theme::GAP),
            ),
            Screen::Failed(e) => theme::page(
                iced::widget::column![
                    iced::widget::text(t!(lang, "start-failed")).size(theme::TITLE),
                    theme::alert(e.clone()),
                ]
                .spacing(theme::GAP),
            ),
            Screen::SignIn(s) => s
                .view(|t| signin::kiosk_words(lang, t), &self.config.booth.office)
                .map(Message::SignIn),
            Screen::Home(s) => match (&self.operator, &self.running) {
                (Some(op), Some(r)) => s
                    .view(
                        lang,
                        op,
                        self.counts.as_ref(),
                        &self.waiting,
                        &r.booth.clock,
                        self.drain(),
                    )
                    .map(Message::Home),
                _ => theme::page(iced::widget::text(t!(lang, "starting"))),
            },
            Screen::Documents(s) => s
                .view(lang, self.now.max(s.started))
                .map(Message::Documents),
            Screen::Verify(s) => s.view(lang, self.now.max(s.started)).map(Message::Verify),
            Screen::Record(s) => s.view(lang, self.now.max(s.started)).map(Message::Record),
            Screen::Applicant(s) => s.view(lang).map(Message::Applicant),
            Screen::Pickup(s) => s.view(lang).map(Message::Pickup),
            Screen::Technician(s) => s.view(lang).map(Message::Technician),
            Screen::Issue(s) => s.view(lang).map(Message::Issue),
            Screen::Complaint(s) => s.view(lang).map(Message::Complaint),
            Screen::ComplaintStatus(s) => s.view(lang).map(Message::ComplaintStatus),
        }
    }
}
