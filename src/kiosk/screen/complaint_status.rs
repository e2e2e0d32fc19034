//! A citizen asks where their complaint is: the ticket number on the keypad, the booth asks the
//! office's complaint desk, and shows the stage, who holds it and the answer once there is one.
//! A complaint still waiting in this booth's queue says so instead.

use iced::widget::{column, row, text, Space};
use iced::{Element, Length, Task};

use super::{Action, Ctx, Page};
use crate::booth::service::complaints::{ComplaintError, ComplaintStatus};
use crate::kiosk::i18n::{tr, Lang};
use crate::kiosk::Nav;
use crate::t;
use crate::widgets::keypad::{self, Key};
use crate::widgets::theme::{self, Kind};
use crate::widgets::typing::Typed;
use crate::wire::complaint::TicketNo;

pub const TICKET_DIGITS: usize = 12;

#[derive(Debug, Clone)]
pub enum Message {
    Key(Key),
    Check,
    Checked(Result<Answer, ComplaintError>),
    Back,
}

/// What the check found.
pub type Answer = ComplaintStatus;

/// Why there is no answer.
#[derive(Debug, Clone)]
pub enum Problem {
    /// Not a ticket number (its check digit is wrong).
    Mistyped,
    Check(ComplaintError),
}

#[derive(Default)]
pub struct State {
    number: String,
    checking: bool,
    answer: Option<Result<Answer, Problem>>,
}

impl Page for State {
    type Message = Message;
    type Request = TicketNo;

    fn update(&mut self, message: Message) -> Action<TicketNo> {
        match message {
            Message::Key(k) => {
                keypad::apply(&mut self.number, k, TICKET_DIGITS);
                self.answer = None;
            }
            Message::Check => {
                let Ok(ticket) = TicketNo::parse(&self.number) else {
                    self.answer = Some(Err(Problem::Mistyped));
                    return Action::None;
                };
                if self.checking {
                    return Action::None;
                }
                self.checking = true;
                return Action::Run(ticket);
            }
            Message::Checked(r) => {
                self.checking = false;
                self.answer = Some(r.map_err(Problem::Check));
            }
            Message::Back => return Action::Go(Nav::Home),
        }
        Action::None
    }

    fn typed(&self, typed: Typed, _at: std::time::Instant) -> Option<Message> {
        match typed {
            Typed::Enter => Some(Message::Check),
            t => t.keypad().map(Message::Key),
        }
    }

    fn perform(ctx: Ctx, ticket: TicketNo) -> Task<Message> {
        Task::perform(
            async move { ctx.service.complaint_status(&ctx.who, ticket).await },
            Message::Checked,
        )
    }
}

impl State {
    pub fn view(&self, lang: Lang) -> Element<'_, Message> {
        let shown = if self.number.is_empty() {
            t!(lang, "complaint-status-enter")
        } else {
            keypad::framed(&self.number, TICKET_DIGITS)
        };
        let answer: Element<'_, Message> = match &self.answer {
            None => Space::new().into(),
            Some(Err(Problem::Mistyped)) => theme::alert(t!(lang, "complaint-status-mistyped")),
            Some(Err(Problem::Check(e))) => theme::alert(t!(
                lang,
                "complaint-status-unreachable",
                reason = e.to_string()
            )),
            Some(Ok(Answer::StillHere)) => {
                theme::panel(text(t!(lang, "complaint-status-queued")).size(theme::BODY))
            }
            Some(Ok(Answer::Unknown)) => theme::alert(t!(lang, "complaint-status-unknown")),
            Some(Ok(Answer::AtDesk(r))) => {
                let mut c = column![
                    text(tr(lang, &format!("complaint-stage-{}", r.stage.name())))
                        .size(theme::HEADING),
                    text(t!(
                        lang,
                        "complaint-status-holder",
                        holder = r.holder.indonesian()
                    ))
                    .size(theme::BODY),
                ]
                .spacing(theme::GAP / 2.0);
                if let Some(a) = &r.answer {
                    c = c.push(
                        text(t!(lang, "complaint-status-answer", answer = a.clone()))
                            .size(theme::BODY),
                    );
                }
                theme::panel(c)
            }
        };
        let check =
            (self.number.len() == TICKET_DIGITS && !self.checking).then_some(Message::Check);
        let left = column![
            text(t!(lang, "complaint-status-title")).size(theme::TITLE),
            text(shown).size(theme::TITLE),
            answer,
            row![
                theme::action(t!(lang, "complaint-status-check"), Kind::Primary, check),
                theme::back(t!(lang, "back"), Some(Message::Back)),
            ]
            .spacing(theme::GAP),
        ]
        .spacing(theme::GAP)
        .width(Length::Fill);
        theme::page(row![left, keypad::view(Message::Key)].spacing(theme::GAP * 2.0))
    }
}
