//! The desk's touchscreen, in the kiosk's style (large targets, Indonesian by default, English
//! one tap away, the kiosk's theme, keypad and keyboard). Staff sign in with a PIN; each role
//! then sees its own list and may do only what the procedure gives it:
//!
//! | role | list | actions |
//! |---|---|---|
//! | secretariat | new complaints (its inbox) | forward to the Secretary or a division; write down a phone or walk-in complaint |
//! | secretary, division heads | complaints forwarded to them | resolve with a written answer, or escalate to the Kepala Dinas |
//! | Kepala Dinas | escalated complaints | decide with a written answer |
//!
//! Every complaint opens with its history (who did what when). Each screen owns its state,
//! messages and view; this root turns their events into store calls, which run on the desk
//! database's writer thread, never on the UI thread.

pub mod compose;
pub mod detail;
pub mod i18n;
pub mod intake;
pub mod signin;
pub mod worklist;

use iced::{Element, Size, Subscription, Task};
use jiff::Timestamp;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};
use uuid::Uuid;

use super::config::StaffConfig;
use super::store::{DeskError, Entry, HistoryEvent, StaffRef};
use super::DeskCore;
use crate::widgets::theme;
use crate::widgets::typing::Typed;
use crate::widgets::{FONT, FONT_BOLD, FONT_REGULAR};
use crate::wire::complaint::{Action, Role, Stage, TicketNo};
use i18n::{arg, tr, tr_with, Lang};

/// How often the signed-in role's list is read again.
const REFRESH: Duration = Duration::from_secs(5);

/// Who is signed in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Staff {
    pub id: String,
    pub name: String,
    pub role: Role,
}

impl Staff {
    fn to_staff_ref(&self) -> StaffRef {
        StaffRef {
            id: self.id.clone(),
            role: self.role,
        }
    }
}

/// A time as the office reads it (WIB).
pub fn wib(t: Timestamp) -> String {
    crate::clock::WIB
        .to_datetime(t)
        .strftime("%d-%m-%Y %H:%M")
        .to_string()
}

/// "23 jam lagi" / "lewat batas waktu".
pub fn time_left(lang: Lang, deadline: Timestamp, now: Timestamp) -> String {
    let left = deadline.duration_since(now).as_secs();
    if left <= 0 {
        tr(lang, "deadline-passed")
    } else if left >= 3600 {
        tr_with(lang, "deadline-hours", &[arg("hours", left / 3600)])
    } else {
        tr_with(
            lang,
            "deadline-minutes",
            &[arg("minutes", (left / 60).max(1))],
        )
    }
}

#[derive(Debug, Clone)]
pub enum Message {
    Tick(Instant),
    SignIn(signin::Message<Staff>),
    /// Whose PIN it was (argon2 runs off the UI thread), before the lockout is applied.
    Found(Option<Staff>),
    List(worklist::Message),
    Loaded(Result<Vec<Entry>, DeskError>),
    Opened(Result<Box<(Entry, Vec<HistoryEvent>)>, DeskError>),
    Detail(detail::Message),
    Compose(compose::Message),
    Intake(intake::Message),
    Acted(Result<(TicketNo, Stage), DeskError>),
    Recorded(Result<TicketNo, DeskError>),
    /// A key typed on the desk PC's keyboard: the screen on show reads it as its own key.
    Typed(Typed),
}

pub enum Screen {
    SignIn(signin::State<Staff>),
    List(worklist::State),
    Detail(Box<detail::State>),
    Compose(compose::State),
    Intake(Box<intake::State>),
}

pub struct DeskApp {
    pub core: DeskCore,
    pub lang: Lang,
    staff_list: Arc<Vec<StaffConfig>>,
    pub staff: Option<Staff>,
    pub worklist: Vec<Entry>,
    pub notice: Option<worklist::Notice>,
    pub screen: Screen,
    last_touch: Instant,
    last_refresh: Instant,
    /// Wrong PINs in a row lock the desk's sign-in for a while (in memory).
    gate: crate::widgets::pin_gate::PinGate,
}

impl DeskApp {
    pub fn new(core: DeskCore) -> Self {
        let now = Instant::now();
        Self {
            lang: Lang::from_code(&core.config.desk.language),
            staff_list: Arc::new(core.config.staff.clone()),
            core,
            staff: None,
            worklist: Vec::new(),
            notice: None,
            screen: Screen::SignIn(signin::State::new(None, false)),
            last_touch: now,
            last_refresh: now,
            gate: Default::default(),
        }
    }

    fn rules(&self) -> signin::Rules {
        signin::Rules {
            attempts: self.core.config.gui.pin_attempts,
            lockout: Duration::from_secs(u64::from(self.core.config.gui.lockout_minutes) * 60),
        }
    }

    fn idle_limit(&self) -> Duration {
        Duration::from_secs(u64::from(self.core.config.gui.idle_lock_minutes) * 60)
    }

    /// Reads the signed-in role's list again.
    fn refresh(&mut self) -> Task<Message> {
        let Some(staff) = &self.staff else {
            return Task::none();
        };
        self.last_refresh = Instant::now();
        let role = staff.role;
        let store = self.core.store.clone();
        Task::perform(
            async move { store.call(move |s| s.worklist(role)).await },
            Message::Loaded,
        )
    }

    fn open(&self, id: Uuid) -> Task<Message> {
        let store = self.core.store.clone();
        Task::perform(
            async move {
                store
                    .call(move |s| {
                        let entry = s.get(id)?.ok_or(DeskError::UnknownComplaint(id))?;
                        Ok(Box::new((entry, s.history(id)?)))
                    })
                    .await
            },
            Message::Opened,
        )
    }

    fn act(
        &self,
        id: Uuid,
        ticket: TicketNo,
        action: Action,
        text: Option<String>,
    ) -> Task<Message> {
        let Some(staff) = &self.staff else {
            return Task::none();
        };
        let core = self.core.clone();
        let who = staff.to_staff_ref();
        Task::perform(
            async move {
                core.act(id, who, action, text)
                    .await
                    .map(|stage| (ticket, stage))
            },
            Message::Acted,
        )
    }

    fn back_to_list(&mut self, notice: Option<worklist::Notice>) -> Task<Message> {
        self.notice = notice;
        self.screen = Screen::List(worklist::State);
        self.refresh()
    }

    fn sign_out(&mut self, notice: Option<signin::Notice>) {
        if let Some(s) = self.staff.take() {
            tracing::info!(staff = %s.id, "desk sign-out");
        }
        self.worklist.clear();
        self.notice = None;
        self.screen = Screen::SignIn(signin::State::new(notice, false));
    }

    pub fn update(&mut self, message: Message) -> Task<Message> {
        if !matches!(
            message,
            Message::Tick(_)
                | Message::Loaded(_)
                | Message::Acted(_)
                | Message::Recorded(_)
                | Message::Found(_)
        ) {
            self.last_touch = Instant::now();
        }
        match message {
            Message::Typed(t) => match self.typed(t) {
                Some(m) => self.update(m),
                None => Task::none(),
            },
            Message::Tick(now) => {
                if self.staff.is_some()
                    && now.saturating_duration_since(self.last_touch) >= self.idle_limit()
                {
                    self.sign_out(Some(signin::Notice::Idle));
                    return Task::none();
                }
                if matches!(self.screen, Screen::List(_))
                    && now.saturating_duration_since(self.last_refresh) >= REFRESH
                {
                    return self.refresh();
                }
                Task::none()
            }
            Message::SignIn(m) => {
                let now = Instant::now();
                let Screen::SignIn(s) = &mut self.screen else {
                    return Task::none();
                };
                match s.update(m, now) {
                    signin::Outcome::Check { pin, .. } => {
                        if let Some(left) = self.gate.locked_for(now) {
                            let refused =
                                signin::Message::Checked(Err(signin::Refusal::LockedOut { left }));
                            return self.update(Message::SignIn(refused));
                        }
                        let staff = self.staff_list.clone();
                        Task::perform(
                            async move {
                                tokio::task::spawn_blocking(move || {
                                    signin::find_staff(&pin, &staff)
                                })
                                .await
                                .ok()
                                .flatten()
                            },
                            Message::Found,
                        )
                    }
                    signin::Outcome::SignedIn(staff) => {
                        self.staff = Some(staff);
                        self.back_to_list(None)
                    }
                    signin::Outcome::ToggleLang => {
                        self.lang = self.lang.toggled();
                        Task::none()
                    }
                    signin::Outcome::None => Task::none(),
                }
            }
            Message::Found(found) => {
                let answer = match found {
                    Some(staff) => {
                        self.gate.accepted();
                        Ok(staff)
                    }
                    None => Err(self.gate.rejected(Instant::now(), &self.rules())),
                };
                self.update(Message::SignIn(signin::Message::Checked(answer)))
            }
            Message::List(m) => {
                let Screen::List(s) = &mut self.screen else {
                    return Task::none();
                };
                let (task, event) = s.update(m);
                let task = task.map(Message::List);
                match event {
                    Some(worklist::Event::Open(id)) => Task::batch([task, self.open(id)]),
                    Some(worklist::Event::NewComplaint) => {
                        if self.staff.as_ref().map(|s| s.role) == Some(Role::Secretariat) {
                            self.screen = Screen::Intake(Box::default());
                        }
                        task
                    }
                    Some(worklist::Event::SignOut) => {
                        self.sign_out(None);
                        task
                    }
                    Some(worklist::Event::ToggleLang) => {
                        self.lang = self.lang.toggled();
                        task
                    }
                    None => task,
                }
            }
            Message::Loaded(Ok(entries)) => {
                self.worklist = entries;
                Task::none()
            }
            Message::Loaded(Err(e)) => {
                tracing::warn!(error = %e, "desk list refresh failed");
                self.notice = Some(worklist::Notice::Error(e.to_string()));
                Task::none()
            }
            Message::Opened(Ok(found)) => {
                let (entry, history) = *found;
                // Only what this role works on (a list can be a few seconds old).
                match &self.staff {
                    Some(s) if s.role.works_on(entry.stage) => {
                        self.screen = Screen::Detail(Box::new(detail::State::new(entry, history)));
                        Task::none()
                    }
                    Some(_) => {
                        let notice = worklist::Notice::Moved {
                            ticket: entry.complaint.ticket_no.clone(),
                            stage: entry.stage,
                        };
                        self.back_to_list(Some(notice))
                    }
                    None => Task::none(),
                }
            }
            Message::Opened(Err(e)) => {
                self.notice = Some(worklist::Notice::Error(e.to_string()));
                Task::none()
            }
            Message::Detail(m) => {
                let Screen::Detail(s) = &mut self.screen else {
                    return Task::none();
                };
                let (task, event) = s.update(m);
                let task = task.map(Message::Detail);
                let id = s.entry.complaint.id;
                let ticket = s.entry.complaint.ticket_no.clone();
                match event {
                    Some(detail::Event::Back) => Task::batch([task, self.back_to_list(None)]),
                    Some(detail::Event::Act(action)) => {
                        Task::batch([task, self.act(id, ticket, action, None)])
                    }
                    Some(detail::Event::Compose(action)) => {
                        self.screen = Screen::Compose(compose::State::new(id, ticket, action));
                        task
                    }
                    None => task,
                }
            }
            Message::Compose(m) => {
                let Screen::Compose(s) = &mut self.screen else {
                    return Task::none();
                };
                let (task, event) = s.update(m);
                let task = task.map(Message::Compose);
                let (id, ticket, action) = (s.id, s.ticket.clone(), s.action);
                match event {
                    Some(compose::Event::Submit(text)) => {
                        Task::batch([task, self.act(id, ticket, action, text)])
                    }
                    Some(compose::Event::Cancel) => Task::batch([task, self.open(id)]),
                    None => task,
                }
            }
            Message::Acted(Ok((ticket, stage))) => {
                self.back_to_list(Some(worklist::Notice::Moved { ticket, stage }))
            }
            Message::Acted(Err(e)) => {
                let text = tr_with(self.lang, "refused", &[arg("reason", e.to_string())]);
                match &mut self.screen {
                    Screen::Detail(s) => {
                        s.busy = false;
                        s.error = Some(text);
                    }
                    Screen::Compose(s) => {
                        s.busy = false;
                        s.error = Some(text);
                    }
                    _ => self.notice = Some(worklist::Notice::Error(text)),
                }
                Task::none()
            }
            Message::Intake(m) => {
                let lang = self.lang;
                let Screen::Intake(s) = &mut self.screen else {
                    return Task::none();
                };
                let (task, event) = s.update(m, lang);
                let task = task.map(Message::Intake);
                let who = self.staff.as_ref().map(Staff::to_staff_ref);
                match (event, who) {
                    (Some(intake::Event::Save(draft)), Some(who)) => {
                        let core = self.core.clone();
                        let save = Task::perform(
                            async move { core.record(draft, who).await.map(|c| c.ticket_no) },
                            Message::Recorded,
                        );
                        Task::batch([task, save])
                    }
                    (Some(intake::Event::Cancel), _) => {
                        Task::batch([task, self.back_to_list(None)])
                    }
                    _ => task,
                }
            }
            Message::Recorded(Ok(ticket)) => {
                self.back_to_list(Some(worklist::Notice::Recorded { ticket }))
            }
            Message::Recorded(Err(e)) => {
                if let Screen::Intake(s) = &mut self.screen {
                    s.busy = false;
                    s.error = Some(tr_with(
                        self.lang,
                        "refused",
                        &[arg("reason", e.to_string())],
                    ));
                }
                Task::none()
            }
        }
    }

    pub fn subscription(&self) -> Subscription<Message> {
        let typed = iced::event::listen_with(|event, _status, _window| match event {
            iced::Event::Keyboard(k) => Typed::from_event(&k).map(Message::Typed),
            _ => None,
        });
        Subscription::batch([
            iced::time::every(Duration::from_secs(1)).map(Message::Tick),
            typed,
        ])
    }

    /// The message of the screen on show for a typed key, as its on-screen key would send.
    fn typed(&self, typed: Typed) -> Option<Message> {
        match &self.screen {
            Screen::SignIn(s) => s.typed(typed).map(Message::SignIn),
            Screen::Compose(s) => s.typed(typed).map(Message::Compose),
            Screen::Intake(s) => s.typed(typed).map(Message::Intake),
            Screen::List(_) | Screen::Detail(_) => None,
        }
    }

    pub fn view(&self) -> Element<'_, Message> {
        let lang = self.lang;
        let office = self.core.config.desk.office.as_str();
        let now = self.core.now();
        match (&self.screen, &self.staff) {
            (Screen::SignIn(s), _) => s
                .view(|t| signin::words(lang, t), office, Instant::now())
                .map(Message::SignIn),
            (Screen::List(s), Some(staff)) => s
                .view(
                    lang,
                    staff,
                    office,
                    &self.worklist,
                    self.notice.as_ref(),
                    now,
                )
                .map(Message::List),
            (Screen::Detail(s), Some(staff)) => s
                .view(lang, staff, &self.core.config, now)
                .map(Message::Detail),
            (Screen::Compose(s), Some(_)) => s.view(lang).map(Message::Compose),
            (Screen::Intake(s), Some(_)) => s.view(lang).map(Message::Intake),
            (_, None) => theme::page(iced::widget::text(tr(lang, "desk-title"))),
        }
    }
}

/// The desk as an iced application, booted by `boot` (the real one, or a test's).
pub fn application(
    boot: impl Fn() -> (DeskApp, Task<Message>) + 'static,
    fullscreen: bool,
) -> iced::Application<impl iced::Program<State = DeskApp, Message = Message, Theme = iced::Theme>>
{
    iced::application(boot, DeskApp::update, DeskApp::view)
        .title(|app: &DeskApp| {
            format!(
                "{} — {}",
                tr(app.lang, "desk-title"),
                app.core.config.desk.office
            )
        })
        .subscription(DeskApp::subscription)
        .theme(|_: &DeskApp| crate::widgets::theme::booth())
        .font(FONT_REGULAR)
        .font(FONT_BOLD)
        .default_font(FONT)
        .window(iced::window::Settings {
            size: Size::new(1280.0, 800.0),
            fullscreen,
            ..iced::window::Settings::default()
        })
}

/// Opens the desk's window on `core` and returns when it is closed.
pub fn run_window(core: DeskCore) -> ExitCode {
    let fullscreen = core.config.gui.fullscreen;
    let result = application(
        move || (DeskApp::new(core.clone()), Task::none()),
        fullscreen,
    )
    .run();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ktpel-booth complaint-desk: the desk window failed: {e}");
            ExitCode::FAILURE
        }
    }
}
