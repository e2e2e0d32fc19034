//! The kiosk: an iced application for a 1280×800 touchscreen, Indonesian by default with
//! English one tap away. Each screen is a module under [`screen`] that owns its state, messages
//! and view and talks to the booth only through the booth service; this root carries out what
//! the screens ask, and every change of screen goes through one place ([`App::go`]). Nothing
//! here waits on a device, the disk or the network: those run as tasks, and the root only reads
//! their results.

pub mod diagrams;
pub mod i18n;
pub mod operator;
pub mod preview;
pub mod receipt_view;
pub mod screen;
pub mod signature_canvas;

pub use crate::widgets::theme;
pub use crate::widgets::{FONT, FONT_BOLD, FONT_REGULAR};

use iced::{Element, Size, Subscription, Task};
use ktpel_hal::ReceiptDoc;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::booth::procedure::Procedure;
use crate::booth::service::applicant::{ApplicantRecord, Overview};
use crate::booth::service::papers::Paper;
use crate::booth::service::{Service, SignInError, Staff};
use crate::booth::{Booth, BoothError};
use crate::config::Config;
use crate::queue::signin::Gate;
use crate::queue::QueueError;
use crate::t;
use crate::widgets::signin::{self, Refusal};
use crate::widgets::typing::Typed;
use i18n::Lang;
use screen::{
    applicant, complaint, complaint_status, dashboard, documents, home, issue, pickup, record,
    review, supervisor, technician, verify, Action, Ctx, Page,
};

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
        .theme(|_: &App| theme::booth())
        .font(FONT_REGULAR)
        .font(FONT_BOLD)
        .default_font(FONT)
        .window(iced::window::Settings {
            size: Size::new(1280.0, 800.0),
            fullscreen,
            ..iced::window::Settings::default()
        })
}

/// How the kiosk gets its booth: a future that starts it (the CLI's starts the embedded
/// simulators of a demonstration config too, see the `embedded` module).
pub type Starting =
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<Booth, BoothError>> + Send>>;

/// Opens the kiosk's window on the booth `start` gives; blocks until the window is closed.
pub fn run_kiosk(config: Config, start: impl Fn() -> Starting + 'static) -> ExitCode {
    if let Err(why) = display_available() {
        eprintln!("ktpel-booth: {why}");
        return ExitCode::from(3);
    }
    let fullscreen = config.kiosk.fullscreen;
    let result = application(move || App::boot(config.clone(), start()), fullscreen).run();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ktpel-booth: the kiosk window failed: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Where the kiosk goes next. Every change of screen is one of these, carried out in one place
/// ([`App::go`]).
#[derive(Debug)]
pub enum Nav {
    Home,
    SignOut,
    ToggleLang,
    /// A new applicant: the SOP's first step.
    StartApplicant,
    /// The SOP step on show is done; verification hands on who was verified.
    StepDone(Option<Box<verify::Confirmed>>),
    /// An applicant's record, read from the queue.
    Open(uuid::Uuid),
    /// An applicant's record already read (a pickup found it).
    Show(Box<ApplicantRecord>),
    Pickup,
    /// The pickup of the receipt whose code a scanner typed.
    PickupCode(String),
    /// Issue the card of this print-ready record (the applicant's name for the header).
    Issue(uuid::Uuid, String),
    /// Take a complaint, about an applicant's record when there is one.
    Complaint(Option<ComplaintAbout>),
    ComplaintStatus,
    Technician,
    Supervisor,
    /// The service dashboard, from the supervisor's or the technician's area.
    Dashboard(dashboard::From),
    /// The supervisor's review of records before sending.
    Review,
}

/// The applicant a complaint is about.
#[derive(Debug, Clone)]
pub struct ComplaintAbout {
    pub name: String,
    pub receipt_no: String,
}

/// An applicant's record with the paper due for it and the blank stock, for the applicant
/// screen.
pub type Opened = (Box<ApplicantRecord>, Option<(Paper, ReceiptDoc)>, i64);

#[derive(Debug, Clone)]
pub enum Message {
    Started(Result<Arc<Service>, Arc<BoothError>>),
    /// Where sign-in stands at start (a lockout survives a restart).
    Gate(Result<Gate, QueueError>),
    Tick(Instant),
    /// A touch, a click or a key: the person at the kiosk is there.
    Input,
    /// A key typed on a physical keyboard or by a scanner, and when.
    Typed(Typed, Instant),
    Refreshed(Result<Overview, QueueError>),
    Opened(Result<Opened, QueueError>),
    SignIn(signin::Message<Staff>),
    Home(home::Message),
    Documents(documents::Message),
    Verify(verify::Message),
    Record(record::Message),
    Applicant(applicant::Message),
    Pickup(pickup::Message),
    Technician(technician::Message),
    Supervisor(supervisor::Message),
    Dashboard(dashboard::Message),
    Review(review::Message),
    Issue(issue::Message),
    Complaint(complaint::Message),
    ComplaintStatus(complaint_status::Message),
}

pub enum Screen {
    Starting,
    Failed(Arc<BoothError>),
    SignIn(signin::State<Staff>),
    Home(home::State),
    Documents(documents::State),
    Verify(verify::State),
    Record(Box<record::State>),
    Applicant(Box<applicant::State>),
    Pickup(pickup::State),
    Technician(technician::State),
    Supervisor(supervisor::State),
    Dashboard(Box<dashboard::State>),
    Review(Box<review::State>),
    Issue(Box<issue::State>),
    Complaint(Box<complaint::State>),
    ComplaintStatus(complaint_status::State),
}

pub struct App {
    pub config: Arc<Config>,
    pub lang: Lang,
    pub service: Option<Arc<Service>>,
    pub who: Option<Staff>,
    pub overview: Option<Overview>,
    now: Instant,
    last_touch: Instant,
    pub screen: Screen,
    /// The screen the idle lock covered, given back to the same person.
    locked: Option<(Staff, Screen)>,
    /// The current applicant's way through the SOP's steps (documents and verification; the
    /// recording step takes it over).
    procedure: Option<Procedure>,
    /// The backlog being drained: the most unsent records seen since the queue was last empty.
    backlog_peak: u64,
}

/// Starts the booth service (devices on their workers, the transmitter) on the booth
/// `starting` gives.
pub async fn start(starting: Starting) -> Result<Arc<Service>, Arc<BoothError>> {
    let booth = starting.await.map_err(Arc::new)?;
    Service::start(booth).await.map_err(Arc::new)
}

impl App {
    /// Boots the kiosk and starts its booth with `starting`.
    pub fn boot(config: Config, starting: Starting) -> (Self, Task<Message>) {
        (
            Self::new(config),
            Task::perform(start(starting), Message::Started),
        )
    }

    /// The kiosk before the booth has started (tests start the booth themselves).
    pub fn new(config: Config) -> Self {
        let now = Instant::now();
        Self {
            lang: Lang::from_code(&config.booth.language),
            config: Arc::new(config),
            service: None,
            who: None,
            overview: None,
            now,
            last_touch: now,
            screen: Screen::Starting,
            locked: None,
            procedure: None,
            backlog_peak: 0,
        }
    }

    fn idle_limit(&self) -> Duration {
        Duration::from_secs(u64::from(self.config.kiosk.idle_lock_minutes) * 60)
    }

    /// What screens' work needs: the service and who is signed in.
    fn ctx(&self) -> Option<Ctx> {
        Some(Ctx {
            service: self.service.clone()?,
            who: self.who.clone()?,
        })
    }

    /// Runs a screen's message through its update, and what it asks for: work for the booth
    /// service (its answer comes back wrapped by `wrap`) or another screen.
    fn route<P: Page>(
        &mut self,
        message: P::Message,
        pick: fn(&mut Screen) -> Option<&mut P>,
        wrap: fn(P::Message) -> Message,
    ) -> Task<Message> {
        let Some(page) = pick(&mut self.screen) else {
            return Task::none();
        };
        match page.update(message) {
            Action::None => Task::none(),
            Action::Run(request) => self.run::<P>(request, wrap),
            Action::Go(nav) => self.go(nav),
        }
    }

    fn run<P: Page>(&self, request: P::Request, wrap: fn(P::Message) -> Message) -> Task<Message> {
        match self.ctx() {
            Some(ctx) => P::perform(ctx, request).map(wrap),
            None => Task::none(),
        }
    }

    pub fn update(&mut self, message: Message) -> Task<Message> {
        match message {
            Message::Started(Ok(service)) => {
                self.service = Some(service.clone());
                self.screen = Screen::SignIn(signin::State::new(None, true));
                Task::batch([
                    Task::perform(async move { service.signin_gate().await }, Message::Gate),
                    self.refresh(),
                ])
            }
            Message::Started(Err(e)) => {
                tracing::error!(error = %e, "the booth could not start");
                self.screen = Screen::Failed(e);
                Task::none()
            }
            Message::Gate(Ok(Gate::LockedUntil(until))) => {
                if let (Screen::SignIn(_), Some(s)) = (&self.screen, &self.service) {
                    let left = until.duration_since(s.clock().now()).unsigned_abs();
                    self.screen = Screen::SignIn(signin::State::locked(left, true, Instant::now()));
                }
                Task::none()
            }
            Message::Gate(Ok(Gate::Open { .. })) => Task::none(),
            Message::Gate(Err(e)) => {
                tracing::warn!(error = %e, "sign-in lockout not read");
                Task::none()
            }
            Message::Input => {
                // The latest of the clock's tick and now (ticks carry the time they were due).
                self.last_touch = self.now.max(Instant::now());
                Task::none()
            }
            Message::Tick(now) => {
                self.now = now;
                if self.who.is_some()
                    && now.saturating_duration_since(self.last_touch) >= self.idle_limit()
                {
                    self.lock();
                }
                self.refresh()
            }
            Message::Refreshed(Ok(overview)) => {
                let unsent = overview.counts.unsent();
                self.backlog_peak = if unsent == 0 {
                    0
                } else {
                    self.backlog_peak.max(unsent)
                };
                self.overview = Some(overview);
                Task::none()
            }
            Message::Refreshed(Err(e)) => {
                tracing::warn!(error = %e, "queue refresh failed");
                Task::none()
            }
            Message::Opened(Ok((record, paper, blanks))) => {
                self.screen =
                    Screen::Applicant(Box::new(applicant::State::new(*record, paper, blanks)));
                Task::none()
            }
            Message::Opened(Err(e)) => {
                tracing::warn!(error = %e, "cannot open the record");
                Task::none()
            }
            Message::Typed(typed, at) => {
                self.last_touch = self.now.max(Instant::now());
                match self.typed(typed, at) {
                    Some(m) => self.update(m),
                    None => Task::none(),
                }
            }
            Message::SignIn(m) => self.sign_in(m),
            Message::Home(m) => self.route(
                m,
                |s| match s {
                    Screen::Home(p) => Some(p),
                    _ => None,
                },
                Message::Home,
            ),
            Message::Documents(m) => self.route(
                m,
                |s| match s {
                    Screen::Documents(p) => Some(p),
                    _ => None,
                },
                Message::Documents,
            ),
            Message::Verify(m) => self.route(
                m,
                |s| match s {
                    Screen::Verify(p) => Some(p),
                    _ => None,
                },
                Message::Verify,
            ),
            Message::Record(m) => self.route(
                m,
                |s| match s {
                    Screen::Record(p) => Some(&mut **p),
                    _ => None,
                },
                Message::Record,
            ),
            Message::Applicant(m) => self.route(
                m,
                |s| match s {
                    Screen::Applicant(p) => Some(&mut **p),
                    _ => None,
                },
                Message::Applicant,
            ),
            Message::Pickup(m) => self.route(
                m,
                |s| match s {
                    Screen::Pickup(p) => Some(p),
                    _ => None,
                },
                Message::Pickup,
            ),
            Message::Technician(m) => self.route(
                m,
                |s| match s {
                    Screen::Technician(p) => Some(p),
                    _ => None,
                },
                Message::Technician,
            ),
            Message::Supervisor(m) => self.route(
                m,
                |s| match s {
                    Screen::Supervisor(p) => Some(p),
                    _ => None,
                },
                Message::Supervisor,
            ),
            Message::Dashboard(m) => self.route(
                m,
                |s| match s {
                    Screen::Dashboard(p) => Some(&mut **p),
                    _ => None,
                },
                Message::Dashboard,
            ),
            Message::Review(m) => self.route(
                m,
                |s| match s {
                    Screen::Review(p) => Some(&mut **p),
                    _ => None,
                },
                Message::Review,
            ),
            Message::Issue(m) => self.route(
                m,
                |s| match s {
                    Screen::Issue(p) => Some(&mut **p),
                    _ => None,
                },
                Message::Issue,
            ),
            Message::Complaint(m) => self.route(
                m,
                |s| match s {
                    Screen::Complaint(p) => Some(&mut **p),
                    _ => None,
                },
                Message::Complaint,
            ),
            Message::ComplaintStatus(m) => self.route(
                m,
                |s| match s {
                    Screen::ComplaintStatus(p) => Some(p),
                    _ => None,
                },
                Message::ComplaintStatus,
            ),
        }
    }

    /// The sign-in screen's message: a PIN checked by the booth (its lockout lives in the
    /// queue), or a supervisor clearing the lockout.
    fn sign_in(&mut self, m: signin::Message<Staff>) -> Task<Message> {
        let Screen::SignIn(s) = &mut self.screen else {
            return Task::none();
        };
        match s.update(m, Instant::now()) {
            signin::Outcome::Check { pin, overriding } => {
                let Some(service) = self.service.clone() else {
                    return Task::none();
                };
                Task::perform(
                    async move {
                        let result = if overriding {
                            service.clear_lockout(pin).await
                        } else {
                            service.sign_in(pin).await
                        };
                        result.map_err(|e| refusal(&service, e))
                    },
                    |r| Message::SignIn(signin::Message::Checked(r)),
                )
            }
            signin::Outcome::SignedIn(who) => {
                self.last_touch = Instant::now();
                let back = match self.locked.take() {
                    Some((was, screen)) if was.id == who.id => Some(screen),
                    _ => None,
                };
                self.screen = back.unwrap_or_else(|| Screen::Home(home::State::new(&who)));
                self.who = Some(who);
                self.refresh()
            }
            signin::Outcome::ToggleLang => {
                self.lang = self.lang.toggled();
                Task::none()
            }
            signin::Outcome::None => Task::none(),
        }
    }

    /// Goes where a screen asked: the one place the kiosk changes screen.
    pub fn go(&mut self, nav: Nav) -> Task<Message> {
        let Some(who) = self.who.clone() else {
            return Task::none();
        };
        match nav {
            Nav::Home => {
                self.procedure = None;
                self.screen = Screen::Home(home::State::new(&who));
                self.refresh()
            }
            Nav::SignOut => {
                tracing::info!(who = %who.id, "signed out");
                self.who = None;
                self.locked = None;
                self.procedure = None;
                self.screen = Screen::SignIn(signin::State::new(None, true));
                Task::none()
            }
            Nav::ToggleLang => {
                self.lang = self.lang.toggled();
                Task::none()
            }
            Nav::StartApplicant => {
                let procedure = Procedure::new(&self.config, Instant::now());
                self.screen = step_screen(procedure.current());
                self.procedure = Some(procedure);
                Task::none()
            }
            Nav::StepDone(confirmed) => {
                let Some(mut procedure) = self.procedure.take() else {
                    return self.go(Nav::Home);
                };
                match (procedure.finish(Instant::now()), confirmed) {
                    (Some(crate::booth::procedure::Step::Record), Some(confirmed)) => {
                        let touch = matches!(
                            self.config.devices.signature,
                            crate::config::SignatureConfig::Touchscreen
                        );
                        let rules =
                            crate::booth::recording::ApprovalRules::of(&self.config.procedure);
                        let (state, begin) =
                            record::State::new(*confirmed, procedure, touch, rules);
                        self.screen = Screen::Record(Box::new(state));
                        self.run::<record::State>(begin, Message::Record)
                    }
                    (Some(next), _) => {
                        self.screen = step_screen(next);
                        self.procedure = Some(procedure);
                        Task::none()
                    }
                    (None, _) => self.go(Nav::Home),
                }
            }
            Nav::Open(id) => {
                let Some(service) = self.service.clone() else {
                    return Task::none();
                };
                Task::perform(
                    async move {
                        let record = service.open(id).await?;
                        Ok(opened(&service, record).await)
                    },
                    Message::Opened,
                )
            }
            Nav::Show(record) => {
                let Some(service) = self.service.clone() else {
                    return Task::none();
                };
                Task::perform(
                    async move { Ok(opened(&service, *record).await) },
                    Message::Opened,
                )
            }
            Nav::Pickup => {
                self.screen = Screen::Pickup(pickup::State::default());
                Task::none()
            }
            Nav::PickupCode(code) => {
                self.screen = Screen::Pickup(pickup::State::default());
                self.update(Message::Pickup(pickup::Message::Code(code)))
            }
            Nav::Issue(id, name) => {
                let (state, open) = issue::State::open(id, name);
                self.screen = Screen::Issue(Box::new(state));
                self.run::<issue::State>(open, Message::Issue)
            }
            Nav::Complaint(about) => {
                self.screen = Screen::Complaint(Box::new(match about {
                    Some(a) => complaint::State::for_applicant(&a.name, &a.receipt_no),
                    None => complaint::State::default(),
                }));
                Task::none()
            }
            Nav::ComplaintStatus => {
                self.screen = Screen::ComplaintStatus(complaint_status::State::default());
                Task::none()
            }
            Nav::Technician => {
                let Some(service) = &self.service else {
                    return Task::none();
                };
                let roles = service.devices().roles();
                let (state, open) = technician::State::open(
                    roles,
                    self.config.source.is_some(),
                    self.config.booth.time_zone,
                );
                let state = state.with_keys(service.booth().key_place().clone());
                self.screen = Screen::Technician(state);
                Task::batch(open.map(|r| self.run::<technician::State>(r, Message::Technician)))
            }
            Nav::Supervisor => {
                let (state, load) = supervisor::State::open(
                    self.config.booth.time_zone,
                    self.config.procedure.review_before_send,
                );
                self.screen = Screen::Supervisor(state);
                self.run::<supervisor::State>(load, Message::Supervisor)
            }
            Nav::Dashboard(from) => {
                let (state, load) = dashboard::State::open(from);
                self.screen = Screen::Dashboard(Box::new(state));
                self.run::<dashboard::State>(load, Message::Dashboard)
            }
            Nav::Review => {
                let Some(who) = self.who.clone() else {
                    return Task::none();
                };
                let (state, load) = review::State::open(self.config.booth.time_zone, &who);
                self.screen = Screen::Review(Box::new(state));
                Task::batch(load.map(|r| self.run::<review::State>(r, Message::Review)))
            }
        }
    }

    /// Progress through a backlog of more than one record, while it drains.
    fn drain(&self) -> Option<home::Drain> {
        let unsent = self.overview.as_ref()?.counts.unsent();
        (self.backlog_peak > 1 && unsent > 0).then(|| home::Drain {
            sent: self.backlog_peak - unsent,
            total: self.backlog_peak,
        })
    }

    /// Covers the current screen with the sign-in after the idle time: the applicant's data
    /// and the camera leave the screen (the preview stops with it). The same person gets the
    /// screen back as it was.
    fn lock(&mut self) {
        let Some(who) = self.who.take() else {
            return;
        };
        tracing::info!(who = %who.id, "idle: screen locked");
        let covered = std::mem::replace(
            &mut self.screen,
            Screen::SignIn(signin::State::new(Some(signin::Notice::Idle), true)),
        );
        self.locked = Some((who, covered));
    }

    fn refresh(&self) -> Task<Message> {
        let Some(service) = self.service.clone() else {
            return Task::none();
        };
        Task::perform(async move { service.overview().await }, Message::Refreshed)
    }

    pub fn subscription(&self) -> Subscription<Message> {
        let ticks = match self.screen {
            Screen::Starting | Screen::Failed(_) => Subscription::none(),
            _ => iced::time::every(Duration::from_secs(1)).map(Message::Tick),
        };
        // Only a person's input keeps the kiosk awake: camera frames and background work do not.
        // A key the kiosk can use goes to the screen, as its on-screen key would.
        let input = iced::event::listen_with(|event, _status, _window| match event {
            iced::Event::Keyboard(k) => Typed::from_event(&k)
                .map(|t| Message::Typed(t, Instant::now()))
                .or_else(|| {
                    matches!(k, iced::keyboard::Event::KeyPressed { .. }).then_some(Message::Input)
                }),
            iced::Event::Mouse(iced::mouse::Event::ButtonPressed(_))
            | iced::Event::Mouse(iced::mouse::Event::WheelScrolled { .. })
            | iced::Event::Touch(_) => Some(Message::Input),
            _ => None,
        });
        // The live preview runs only while a screen wants it (never behind the lock).
        let camera = self
            .service
            .as_ref()
            .filter(|_| self.camera_on())
            .map(|s| s.devices().camera.clone());
        let preview = match (&self.screen, camera) {
            (Screen::Record(_), Some(camera)) => Subscription::run_with(
                preview::Feed {
                    camera,
                    scan_qr: false,
                    assess_face: true,
                },
                preview::stream,
            )
            .map(|e| Message::Record(record::Message::Preview(e))),
            (Screen::Pickup(_), Some(camera)) => Subscription::run_with(
                preview::Feed {
                    camera,
                    scan_qr: true,
                    assess_face: false,
                },
                preview::stream,
            )
            .map(|e| Message::Pickup(pickup::Message::Camera(e))),
            _ => Subscription::none(),
        };
        Subscription::batch([ticks, input, preview])
    }

    /// The screen's message for a key typed on a keyboard, if the screen on show types.
    fn typed(&self, typed: Typed, at: Instant) -> Option<Message> {
        match &self.screen {
            Screen::SignIn(s) => s.typed(typed).map(Message::SignIn),
            Screen::Home(s) => s.typed(typed, at).map(Message::Home),
            Screen::Documents(s) => s.typed(typed, at).map(Message::Documents),
            Screen::Verify(s) => s.typed(typed, at).map(Message::Verify),
            Screen::Record(s) => s.typed(typed, at).map(Message::Record),
            Screen::Applicant(s) => s.typed(typed, at).map(Message::Applicant),
            Screen::Pickup(s) => s.typed(typed, at).map(Message::Pickup),
            Screen::Technician(s) => s.typed(typed, at).map(Message::Technician),
            Screen::Supervisor(s) => s.typed(typed, at).map(Message::Supervisor),
            Screen::Dashboard(s) => s.typed(typed, at).map(Message::Dashboard),
            Screen::Review(s) => s.typed(typed, at).map(Message::Review),
            Screen::Issue(s) => s.typed(typed, at).map(Message::Issue),
            Screen::Complaint(s) => s.typed(typed, at).map(Message::Complaint),
            Screen::ComplaintStatus(s) => s.typed(typed, at).map(Message::ComplaintStatus),
            Screen::Starting | Screen::Failed(_) => None,
        }
    }

    /// Whether the screen on show wants the camera's live picture.
    pub fn camera_on(&self) -> bool {
        match &self.screen {
            Screen::Record(s) => s.wants_preview(),
            Screen::Pickup(s) => s.is_scanning(),
            _ => false,
        }
    }

    pub fn view(&self) -> Element<'_, Message> {
        let lang = self.lang;
        let clock = self.procedure.as_ref().map(|p| p.clock(self.now));
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
                    theme::alert(e.to_string()),
                ]
                .spacing(theme::GAP),
            ),
            Screen::SignIn(s) => s
                .view(
                    |t| operator::kiosk_words(lang, t),
                    &self.config.booth.office,
                    self.now.max(Instant::now()),
                )
                .map(Message::SignIn),
            Screen::Home(s) => match (&self.who, &self.service) {
                (Some(who), Some(service)) => s
                    .view(
                        lang,
                        who,
                        self.overview.as_ref(),
                        self.config.issuance.low_blanks,
                        service.clock(),
                        self.drain(),
                    )
                    .map(Message::Home),
                _ => theme::page(iced::widget::text(t!(lang, "starting"))),
            },
            Screen::Documents(s) => match clock {
                Some(c) => s.view(lang, c).map(Message::Documents),
                None => theme::page(iced::widget::text(t!(lang, "starting"))),
            },
            Screen::Verify(s) => match clock {
                Some(c) => s.view(lang, c).map(Message::Verify),
                None => theme::page(iced::widget::text(t!(lang, "starting"))),
            },
            Screen::Record(s) => s.view(lang, self.now).map(Message::Record),
            Screen::Applicant(s) => s.view(lang).map(Message::Applicant),
            Screen::Pickup(s) => s.view(lang).map(Message::Pickup),
            Screen::Technician(s) => s.view(lang).map(Message::Technician),
            Screen::Supervisor(s) => s.view(lang).map(Message::Supervisor),
            Screen::Dashboard(s) => s.view(lang).map(Message::Dashboard),
            Screen::Review(s) => s.view(lang).map(Message::Review),
            Screen::Issue(s) => s.view(lang).map(Message::Issue),
            Screen::Complaint(s) => s.view(lang).map(Message::Complaint),
            Screen::ComplaintStatus(s) => s.view(lang).map(Message::ComplaintStatus),
        }
    }
}

/// The screen of an SOP step.
fn step_screen(step: crate::booth::procedure::Step) -> Screen {
    use crate::booth::procedure::Step;
    match step {
        Step::Documents => Screen::Documents(documents::State::default()),
        // The recording step opens from verification's result (see `Nav::StepDone`).
        Step::Verify | Step::Record => Screen::Verify(verify::State::new()),
    }
}

/// An applicant's record with the paper due for it (if any) and the blank stock.
async fn opened(service: &Service, record: ApplicantRecord) -> Opened {
    let paper = Paper::due_for(&record.row)
        .and_then(|p| service.paper(&record, p).ok().map(|doc| (p, doc)));
    let blanks = service.blank_stock().await.map(|b| b.on_hand).unwrap_or(0);
    (Box::new(record), paper, blanks)
}

/// How a refused PIN reads on the sign-in screen.
fn refusal(service: &Service, e: SignInError) -> Refusal {
    match e {
        SignInError::Wrong { left } => Refusal::Wrong { left },
        SignInError::LockedOut { until } => Refusal::LockedOut {
            left: until.duration_since(service.clock().now()).unsigned_abs(),
        },
        SignInError::NotSupervisor => Refusal::NotSupervisor,
        SignInError::Queue(q) => {
            tracing::error!(error = %q, "sign-in not checked");
            Refusal::Failed
        }
    }
}
