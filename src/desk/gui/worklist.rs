//! A role's list: the open complaints it holds, the nearest deadline first. For the
//! secretariat that is its inbox of new complaints (and it may write down a phone or walk-in
//! complaint); for the Secretary and the division heads what was forwarded to them; for the
//! Kepala Dinas what waits for a decision.

use iced::widget::{button, column, row, scrollable, text};
use iced::{Alignment, Element, Length, Task};
use jiff::Timestamp;
use uuid::Uuid;

use super::i18n::{self, arg, tr, tr_with, Lang};
use super::{time_left, Staff};
use crate::desk::store::Entry;
use crate::widgets::drag_scroll::drag_scroll;
use crate::widgets::theme::{self, Kind};
use crate::wire::complaint::{Role, Stage, TicketNo};

#[derive(Debug, Clone)]
pub enum Message {
    Open(Uuid),
    NewComplaint,
    SignOut,
    ToggleLang,
}

pub enum Event {
    Open(Uuid),
    NewComplaint,
    SignOut,
    ToggleLang,
}

/// What the list says above itself after something happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// A complaint moved on (forwarded, resolved, escalated, decided).
    Moved {
        ticket: TicketNo,
        stage: Stage,
    },
    /// The secretariat wrote down a new complaint.
    Recorded {
        ticket: TicketNo,
    },
    Error(String),
}

#[derive(Default)]
pub struct State;

impl State {
    pub fn update(&mut self, message: Message) -> (Task<Message>, Option<Event>) {
        let event = match message {
            Message::Open(id) => Event::Open(id),
            Message::NewComplaint => Event::NewComplaint,
            Message::SignOut => Event::SignOut,
            Message::ToggleLang => Event::ToggleLang,
        };
        (Task::none(), Some(event))
    }

    pub fn view<'a>(
        &'a self,
        lang: Lang,
        staff: &'a Staff,
        office: &'a str,
        entries: &'a [Entry],
        notice: Option<&'a Notice>,
        now: Timestamp,
    ) -> Element<'a, Message> {
        let header = row![
            column![
                text(tr(lang, "desk-title")).size(theme::TITLE),
                text(format!(
                    "{office} · {} ({})",
                    staff.name,
                    i18n::role(lang, staff.role)
                ))
                .size(theme::SMALL),
            ]
            .width(Length::Fill),
            theme::action(
                tr(lang, "lang-switch"),
                Kind::Secondary,
                Some(Message::ToggleLang)
            )
            .width(Length::Fixed(200.0)),
            theme::action(
                tr(lang, "sign-out"),
                Kind::Secondary,
                Some(Message::SignOut)
            )
            .width(Length::Fixed(200.0)),
        ]
        .spacing(theme::GAP);
        let title_key = match staff.role {
            Role::Secretariat => "list-title-secretariat",
            Role::Secretary | Role::HeadPendaftaran | Role::HeadPencatatan => "list-title-assignee",
            Role::KepalaDinas => "list-title-kepala-dinas",
        };
        let mut title = row![text(tr(lang, title_key))
            .size(theme::HEADING)
            .width(Length::Fill)]
        .align_y(Alignment::Center)
        .spacing(theme::GAP);
        if staff.role == Role::Secretariat {
            title = title.push(
                theme::action(
                    tr(lang, "list-new-complaint"),
                    Kind::Primary,
                    Some(Message::NewComplaint),
                )
                .width(Length::Fixed(360.0)),
            );
        }
        let mut page = column![header, title].spacing(theme::GAP);
        if let Some(n) = notice {
            page = page.push(match n {
                Notice::Moved { ticket, stage } => theme::panel(
                    text(tr_with(
                        lang,
                        "notice-moved",
                        &[
                            arg("ticket", ticket.display()),
                            arg("stage", i18n::stage(lang, *stage)),
                        ],
                    ))
                    .size(theme::BODY),
                ),
                Notice::Recorded { ticket } => theme::panel(
                    text(tr_with(
                        lang,
                        "notice-recorded",
                        &[arg("ticket", ticket.display())],
                    ))
                    .size(theme::BODY),
                ),
                Notice::Error(e) => theme::alert(e.clone()),
            });
        }
        let mut list = column![].spacing(8);
        if entries.is_empty() {
            list = list.push(text(tr(lang, "list-empty")).size(theme::BODY));
        }
        for e in entries {
            let c = &e.complaint;
            list = list.push(
                button(
                    row![
                        column![
                            text(c.ticket_no.display()).size(theme::BODY),
                            text(format!(
                                "{} · {}",
                                i18n::category(lang, c.category),
                                i18n::channel(lang, c.channel)
                            ))
                            .size(theme::SMALL),
                        ]
                        .width(Length::FillPortion(3)),
                        text(c.complainant.clone())
                            .size(theme::BODY)
                            .width(Length::FillPortion(3)),
                        text(time_left(lang, e.deadline_at, now))
                            .size(theme::SMALL)
                            .width(Length::FillPortion(2)),
                    ]
                    .spacing(theme::GAP)
                    .align_y(Alignment::Center),
                )
                .width(Length::Fill)
                .height(Length::Fixed(theme::ACTION + 8.0))
                .padding(theme::GAP / 2.0)
                .style(button::secondary)
                .on_press(Message::Open(c.id)),
            );
        }
        theme::page(page.push(drag_scroll(scrollable(list).height(Length::Fill))))
    }
}
