//! The supervisor's area: the cards put through the printer lately — reprints with their
//! reasons and who approved them, spoiled blanks — and the blank-card stock. Approvals
//! themselves are given on the operator's screen, where the work is; the sign-in lockout is
//! cleared from the sign-in screen.

use iced::widget::{column, row, scrollable, text};
use iced::{Element, Length, Task};

use super::{Action, Ctx, Page};
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
    /// The service dashboard and the daily report.
    Dashboard,
    Back,
}

/// Read the recent prints and the stock.
#[derive(Debug)]
pub struct Load;

#[derive(Default)]
pub struct State {
    prints: Vec<(String, CardPrint)>,
    stock: Option<BlankStock>,
    error: Option<String>,
    /// The office's time zone, for the times shown.
    zone: crate::clock::Zone,
}

impl State {
    pub fn open(zone: crate::clock::Zone) -> (Self, Load) {
        (
            Self {
                zone,
                ..Self::default()
            },
            Load,
        )
    }
}

impl Page for State {
    type Message = Message;
    type Request = Load;

    fn update(&mut self, message: Message) -> Action<Load> {
        match message {
            Message::Loaded(Ok((prints, stock))) => {
                self.prints = prints;
                self.stock = Some(stock);
            }
            Message::Loaded(Err(e)) => self.error = Some(e.to_string()),
            Message::Back => return Action::Go(Nav::Home),
            Message::Dashboard => {
                return Action::Go(Nav::Dashboard(super::dashboard::From::Supervisor))
            }
        }
        Action::None
    }

    fn perform(ctx: Ctx, _: Load) -> Task<Message> {
        Task::perform(
            async move {
                ctx.service
                    .queue()
                    .call(|s| Ok((s.recent_prints(RECENT)?, s.blank_stock()?)))
                    .await
            },
            Message::Loaded,
        )
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
                    theme::action(t!(lang, "back"), Kind::Secondary, Some(Message::Back))
                        .width(Length::Fixed(200.0)),
                ],
                text(t!(lang, "spv-intro")).size(theme::BODY),
                theme::panel(text(stock).size(theme::BODY)),
                drag_scroll(scrollable(list).height(Length::Fill)),
            ]
            .spacing(theme::GAP),
        )
    }
}
