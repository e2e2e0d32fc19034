//! The supervisor's area: the cards put through the printer lately — reprints with their
//! reasons and who approved them, spoiled blanks — and the blank-card stock. Approvals
//! themselves are given on the operator's screen, where the work is; the sign-in lockout is
//! cleared from the sign-in screen. Here too the backlog is exported to a USB drive to be
//! carried to the centre when the link is down for long (`booth::export`). Where the office
//! reviews records before sending, the area opens the review (`review`) with the count waiting.

use iced::widget::{column, row, scrollable, text};
use iced::{Element, Length, Task};
use std::path::PathBuf;

use super::{Action, Ctx, Page};
use crate::booth::export::{ExportError, ExportReport};
use crate::kiosk::i18n::{tr, Lang};
use crate::kiosk::Nav;
use crate::papers::receipt::local_datetime;
use crate::queue::{BlankStock, CardPrint, QueueError};
use crate::t;
use crate::widgets::drag_scroll::drag_scroll;
use crate::widgets::theme::{self, Kind};

/// How many cards the area lists.
pub const RECENT: usize = 30;

#[derive(Debug, Clone)]
pub enum Message {
    Loaded(Result<(Vec<(String, CardPrint)>, BlankStock), QueueError>),
    /// The removable drives mounted now.
    Drives(Vec<PathBuf>),
    /// Look for a drive again (one plugged in after the area opened).
    LookForDrive,
    Export,
    Exported(Result<ExportReport, ExportError>),
    /// The service dashboard and the daily report.
    Dashboard,
    /// How many records await review.
    ReviewCount(Result<u64, QueueError>),
    /// Open the review of records before sending.
    Review,
    Back,
}

#[derive(Debug)]
pub enum Request {
    /// Read the recent prints and the stock, and look for a drive.
    Load,
    LookForDrive,
    /// Export the backlog to this drive.
    Export(PathBuf),
}

/// Where the export to a drive stands.
#[derive(Debug, Clone, Default)]
pub enum Export {
    #[default]
    Idle,
    Running,
    Done(ExportReport),
    Failed(String),
}

#[derive(Default)]
pub struct State {
    prints: Vec<(String, CardPrint)>,
    stock: Option<BlankStock>,
    error: Option<String>,
    /// The office's time zone, for the times shown.
    zone: crate::clock::Zone,
    drives: Vec<PathBuf>,
    export: Export,
    /// The office reviews records before sending (the entry shows whenever some wait, too).
    reviews: bool,
    awaiting_review: Option<u64>,
}

impl State {
    pub fn open(zone: crate::clock::Zone, reviews: bool) -> (Self, Request) {
        (
            Self {
                zone,
                reviews,
                ..Self::default()
            },
            Request::Load,
        )
    }

    /// Whether the export button does anything now: a drive is mounted and no export runs.
    pub fn can_export(&self) -> bool {
        !self.drives.is_empty() && !matches!(self.export, Export::Running)
    }

    pub fn export(&self) -> &Export {
        &self.export
    }

    /// Whether the review entry shows: the office reviews, or records still wait for it.
    pub fn shows_review(&self) -> bool {
        self.reviews || self.awaiting_review.is_some_and(|n| n > 0)
    }
}

impl Page for State {
    type Message = Message;
    type Request = Request;

    fn update(&mut self, message: Message) -> Action<Request> {
        match message {
            Message::Loaded(Ok((prints, stock))) => {
                self.prints = prints;
                self.stock = Some(stock);
            }
            Message::Loaded(Err(e)) => self.error = Some(e.to_string()),
            Message::Drives(drives) => self.drives = drives,
            Message::LookForDrive => return Action::Run(Request::LookForDrive),
            Message::Export => {
                if let (true, Some(drive)) = (self.can_export(), self.drives.first()) {
                    self.export = Export::Running;
                    return Action::Run(Request::Export(drive.clone()));
                }
            }
            Message::Exported(Ok(report)) => self.export = Export::Done(report),
            Message::Exported(Err(e)) => self.export = Export::Failed(e.to_string()),
            Message::Back => return Action::Go(Nav::Home),
            Message::Dashboard => {
                return Action::Go(Nav::Dashboard(super::dashboard::From::Supervisor))
            }
            Message::ReviewCount(Ok(n)) => self.awaiting_review = Some(n),
            Message::ReviewCount(Err(e)) => self.error = Some(e.to_string()),
            Message::Review => return Action::Go(Nav::Review),
        }
        Action::None
    }

    fn perform(ctx: Ctx, request: Request) -> Task<Message> {
        // Looking at the mount points is quick, but it is file-system work: off the UI thread.
        let drives = |ctx: Ctx| {
            Task::perform(
                async move { ctx.service.removable_drives() },
                Message::Drives,
            )
        };
        match request {
            Request::Load => {
                let queue = ctx.clone();
                let count = ctx.clone();
                Task::batch([
                    Task::perform(
                        async move { count.service.awaiting_review_count().await },
                        Message::ReviewCount,
                    ),
                    Task::perform(
                        async move {
                            queue
                                .service
                                .queue()
                                .call(|s| Ok((s.recent_prints(RECENT)?, s.blank_stock()?)))
                                .await
                        },
                        Message::Loaded,
                    ),
                    drives(ctx),
                ])
            }
            Request::LookForDrive => drives(ctx),
            Request::Export(drive) => Task::perform(
                async move { ctx.service.export_backlog(&ctx.who, &drive).await },
                Message::Exported,
            ),
        }
    }
}

impl State {
    pub fn view(&self, lang: Lang) -> Element<'_, Message> {
        let mut list = column![text(t!(lang, "spv-prints")).size(theme::HEADING)].spacing(6);
        if let Some(e) = &self.error {
            list = list.push(theme::alert(e.clone()));
        }
        if self.prints.is_empty() {
            list = list.push(text(t!(lang, "spv-no-prints")).size(theme::BODY));
        }
        for (receipt, p) in &self.prints {
            let mut line = format!(
                "{}  {}  {} {}: {}",
                local_datetime(p.started_at, self.zone),
                receipt,
                t!(lang, "spv-card"),
                p.attempt,
                tr(lang, &format!("print-outcome-{}", p.outcome.as_str()))
            );
            if let (Some(reason), Some(by)) = (&p.reason, &p.approved_by) {
                line.push_str(&format!(
                    " · {} ({by})",
                    tr(lang, &format!("reprint-{reason}"))
                ));
            }
            list = list.push(text(line).size(theme::SMALL));
        }
        let stock = match self.stock {
            Some(b) => t!(
                lang,
                "tech-blanks-stock",
                on_hand = b.on_hand,
                used = b.used,
                spoiled = b.spoiled
            ),
            None => t!(lang, "queue-loading"),
        };
        theme::page(
            column![
                row![
                    text(t!(lang, "spv-title"))
                        .size(theme::TITLE)
                        .width(Length::Fill),
                    theme::action(
                        t!(lang, "dash-open"),
                        Kind::Primary,
                        Some(Message::Dashboard)
                    )
                    .width(Length::Fixed(260.0)),
                    theme::back(t!(lang, "back"), Some(Message::Back)).width(Length::Fixed(200.0)),
                ]
                .spacing(theme::GAP),
                text(t!(lang, "spv-intro")).size(theme::BODY),
                self.review_entry(lang),
                theme::panel(text(stock).size(theme::BODY)),
                self.export_panel(lang),
                drag_scroll(scrollable(list).height(Length::Fill)),
            ]
            .spacing(theme::GAP),
        )
    }

    /// "Tinjau rekaman (3)", where the office reviews records before sending.
    fn review_entry(&self, lang: Lang) -> Element<'_, Message> {
        if !self.shows_review() {
            return iced::widget::Space::new().into();
        }
        let count = self
            .awaiting_review
            .map_or_else(|| "…".to_string(), |n| n.to_string());
        theme::action(
            t!(lang, "spv-review", count = count),
            if self.awaiting_review.is_some_and(|n| n > 0) {
                Kind::Primary
            } else {
                Kind::Secondary
            },
            Some(Message::Review),
        )
        .width(Length::Fixed(420.0))
        .into()
    }

    fn export_panel(&self, lang: Lang) -> Element<'_, Message> {
        let drive = match self.drives.first() {
            Some(d) => t!(lang, "spv-export-drive", path = d.display().to_string()),
            None => t!(lang, "spv-export-no-drive"),
        };
        let status: Option<Element<'_, Message>> = match &self.export {
            Export::Idle => None,
            Export::Running => Some(theme::note(t!(lang, "spv-export-running"))),
            Export::Done(r) => Some(match &r.folder {
                None => theme::note(t!(lang, "spv-export-nothing")),
                Some(folder) => theme::note(t!(
                    lang,
                    "spv-export-done",
                    count = r.verified,
                    folder = folder
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default()
                )),
            }),
            Export::Failed(e) => Some(theme::alert(t!(
                lang,
                "spv-export-failed",
                error = e.clone()
            ))),
        };
        theme::panel(
            column![
                text(t!(lang, "spv-export-title")).size(theme::HEADING),
                text(t!(lang, "spv-export-intro")).size(theme::SMALL),
                text(drive).size(theme::BODY),
                theme::alert_slot(status),
                row![
                    theme::action(
                        t!(lang, "spv-export"),
                        Kind::Primary,
                        self.can_export().then_some(Message::Export)
                    ),
                    theme::action(
                        t!(lang, "spv-export-look"),
                        Kind::Secondary,
                        Some(Message::LookForDrive)
                    ),
                ]
                .spacing(theme::GAP),
            ]
            .spacing(6),
        )
    }
}
