//! Taking a complaint (pengaduan) at the booth: how it came in, what it is about, the
//! complainant's name and contact and what happened, typed on the on-screen keyboard. Saved
//! durably in the queue (sealed, like everything personal), then the ticket is printed; the
//! transmitter delivers it to the office's complaint desk whenever the desk can be reached.

use iced::widget::{button, column, row, scrollable, text, Space};
use iced::{Element, Length, Task};

use super::{Action, Ctx, Page};
use crate::booth::service::complaints::ComplaintError;
use crate::kiosk::i18n::Lang;
use crate::kiosk::Nav;
use crate::queue::ComplaintDraft;
use crate::t;
use crate::widgets::drag_scroll::drag_scroll;
use crate::widgets::icons::Icon;
use crate::widgets::keyboard::{self, Input, Key};
use crate::widgets::theme::{self, Kind};
use crate::widgets::typing::Typed;
use crate::wire::complaint::{Category, Channel, Complaint, Link};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Name,
    Contact,
    Description,
}

#[derive(Debug, Clone)]
pub enum Message {
    Channel(Channel),
    Category(Category),
    Focus(Field),
    Key(Key),
    Save,
    Saved(Result<Box<Complaint>, ComplaintError>),
    Print,
    Printed(Result<(), ComplaintError>),
    Done,
    Cancel,
}

#[derive(Debug)]
pub enum Request {
    Save(Box<ComplaintDraft>),
    Print(Box<Complaint>),
}

/// Why the form was not saved.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Problem {
    /// Not a phone number or an e-mail address.
    Contact,
    Save(String),
}

enum Phase {
    Form,
    Saving,
    Saved {
        complaint: Box<Complaint>,
        printed: Option<Result<(), ComplaintError>>,
    },
}

pub struct State {
    channel: Channel,
    category: Option<Category>,
    name: Input,
    contact: Input,
    description: Input,
    focus: Field,
    phase: Phase,
    problem: Option<Problem>,
    /// The applicant's record the complaint is about, when it came from their screen.
    link: Option<Link>,
}

impl Default for State {
    fn default() -> Self {
        Self {
            channel: Channel::Booth,
            category: None,
            name: Input::new(60),
            contact: Input::new(40),
            description: Input::new(400),
            focus: Field::Name,
            phase: Phase::Form,
            problem: None,
            link: None,
        }
    }
}

impl State {
    /// A complaint by an applicant of this booth: their name filled in, linked to their proof
    /// of recording.
    pub fn for_applicant(name: &str, receipt_no: &str) -> Self {
        let mut s = Self::default();
        for c in name.chars() {
            s.name
                .apply(if c == ' ' { Key::Space } else { Key::Char(c) });
        }
        s.focus = Field::Contact;
        s.contact.capitals = false;
        s.link = Some(Link::Receipt(receipt_no.to_string()));
        s
    }

    fn input(&mut self, field: Field) -> &mut Input {
        match field {
            Field::Name => &mut self.name,
            Field::Contact => &mut self.contact,
            Field::Description => &mut self.description,
        }
    }

    pub fn ticket(&self) -> Option<&Complaint> {
        match &self.phase {
            Phase::Saved { complaint, .. } => Some(complaint),
            _ => None,
        }
    }

    fn complete(&self) -> bool {
        self.category.is_some()
            && !self.name.value().is_empty()
            && !self.contact.value().is_empty()
            && !self.description.value().is_empty()
    }
}

impl Page for State {
    type Message = Message;
    type Request = Request;

    fn update(&mut self, message: Message) -> Action<Request> {
        match message {
            Message::Channel(c) => self.channel = c,
            Message::Category(c) => self.category = Some(c),
            Message::Focus(f) => {
                self.focus = f;
                // Contact details and the story are easier to read in small letters.
                let capitals = f == Field::Name;
                let input = self.input(f);
                if input.text.is_empty() {
                    input.capitals = capitals;
                }
            }
            Message::Key(k) => {
                let focus = self.focus;
                self.input(focus).apply(k);
                self.problem = None;
            }
            Message::Save => {
                let (Phase::Form, Some(category), true) =
                    (&self.phase, self.category, self.complete())
                else {
                    return Action::None;
                };
                if !crate::wire::complaint::contact_is_valid(self.contact.value()) {
                    self.focus = Field::Contact;
                    self.problem = Some(Problem::Contact);
                    return Action::None;
                }
                let draft = ComplaintDraft {
                    channel: self.channel,
                    complainant: self.name.value().to_string(),
                    contact: self.contact.value().to_string(),
                    category,
                    description: self.description.value().to_string(),
                    link: self.link.clone(),
                };
                self.phase = Phase::Saving;
                return Action::Run(Request::Save(Box::new(draft)));
            }
            Message::Saved(Ok(complaint)) => {
                self.phase = Phase::Saved {
                    complaint,
                    printed: None,
                };
                return self.update(Message::Print);
            }
            Message::Saved(Err(e)) => {
                tracing::error!(error = %e, "complaint not saved");
                // Nothing typed is lost: the form stays as it was.
                self.phase = Phase::Form;
                self.problem = Some(Problem::Save(e.to_string()));
            }
            Message::Print => {
                let Phase::Saved { complaint, printed } = &mut self.phase else {
                    return Action::None;
                };
                *printed = None;
                return Action::Run(Request::Print(complaint.clone()));
            }
            Message::Printed(r) => {
                if let Phase::Saved { printed, .. } = &mut self.phase {
                    *printed = Some(r);
                }
            }
            Message::Done | Message::Cancel => {
                if !matches!(self.phase, Phase::Saving) {
                    return Action::Go(Nav::Home);
                }
            }
        }
        Action::None
    }

    fn typed(&self, typed: Typed, _at: std::time::Instant) -> Option<Message> {
        match typed {
            // Enter moves on to the next field, as on a paper form.
            Typed::Enter => Some(Message::Focus(match self.focus {
                Field::Name => Field::Contact,
                Field::Contact | Field::Description => Field::Description,
            })),
            t => t.keyboard().map(Message::Key),
        }
    }

    fn perform(ctx: Ctx, request: Request) -> Task<Message> {
        let Ctx { service, who } = ctx;
        match request {
            Request::Save(draft) => Task::perform(
                async move { service.take_complaint(&who, *draft).await.map(Box::new) },
                Message::Saved,
            ),
            Request::Print(c) => Task::perform(
                async move { service.print_ticket(&who, &c).await },
                Message::Printed,
            ),
        }
    }
}

impl State {
    pub fn view(&self, lang: Lang) -> Element<'_, Message> {
        match &self.phase {
            Phase::Saved { complaint, printed } => {
                let status: Element<'_, Message> = match printed {
                    None => text(t!(lang, "complaint-printing"))
                        .size(theme::BODY)
                        .into(),
                    Some(Ok(())) => text(t!(lang, "complaint-printed")).size(theme::BODY).into(),
                    Some(Err(e)) => {
                        theme::alert(t!(lang, "complaint-print-failed", reason = e.to_string()))
                    }
                };
                theme::page(
                    column![
                        text(t!(lang, "complaint-title")).size(theme::TITLE),
                        theme::panel(
                            column![
                                text(t!(lang, "complaint-saved")).size(theme::HEADING),
                                text(complaint.ticket_no.display()).size(theme::TITLE),
                                text(t!(lang, "complaint-next")).size(theme::BODY),
                            ]
                            .spacing(theme::GAP)
                        ),
                        status,
                        row![
                            theme::action(
                                t!(lang, "complaint-reprint"),
                                Kind::Secondary,
                                printed.is_some().then_some(Message::Print)
                            ),
                            theme::action(
                                t!(lang, "record-done"),
                                Kind::Primary,
                                Some(Message::Done)
                            ),
                        ]
                        .spacing(theme::GAP),
                    ]
                    .spacing(theme::GAP),
                )
            }
            Phase::Form | Phase::Saving => self.form(lang),
        }
    }

    fn form(&self, lang: Lang) -> Element<'_, Message> {
        // Eight choices share one row: each gets room in proportion to what its label needs
        // on two lines, so a long one ("Pelayanan / sikap petugas") is not cut.
        let choice = |label: String, on: bool, m: Message| -> Element<'_, Message> {
            let portion = two_line_width(&label);
            theme::choice(label, on, Some(m))
                .width(Length::FillPortion(portion))
                .into()
        };
        let english = lang == Lang::En;
        let channels = Channel::ALL.iter().map(|&c| {
            let label = if english { c.english() } else { c.indonesian() };
            choice(label.into(), self.channel == c, Message::Channel(c))
        });
        let categories = Category::ALL.iter().map(|&c| {
            let label = if english { c.english() } else { c.indonesian() };
            choice(label.into(), self.category == Some(c), Message::Category(c))
        });
        let field = |f: Field, label: String, input: &Input| -> Element<'_, Message> {
            let shown = if input.text.is_empty() {
                label
            } else {
                input.text.clone()
            };
            button(text(shown).size(theme::BODY))
                .width(Length::Fill)
                .height(Length::Fixed(theme::TOUCH))
                .style(if self.focus == f {
                    button::primary
                } else {
                    button::secondary
                })
                .on_press(Message::Focus(f))
                .into()
        };
        let saving = matches!(self.phase, Phase::Saving);
        let problem: Element<'_, Message> = match &self.problem {
            Some(Problem::Contact) => theme::alert(t!(lang, "complaint-contact-invalid")),
            Some(Problem::Save(e)) => {
                theme::alert(t!(lang, "complaint-save-failed", reason = e.clone()))
            }
            None => Space::new().into(),
        };
        let focused = match self.focus {
            Field::Name => &self.name,
            Field::Contact => &self.contact,
            Field::Description => &self.description,
        };
        theme::page(
            column![
                row![
                    text(t!(lang, "complaint-title"))
                        .size(theme::HEADING)
                        .width(Length::Fill),
                    theme::action_icon(
                        Icon::Complaint,
                        t!(lang, "complaint-save"),
                        Kind::Success,
                        (self.complete() && !saving).then_some(Message::Save)
                    )
                    .width(Length::Fixed(260.0)),
                    theme::action(
                        t!(lang, "cancel"),
                        Kind::Secondary,
                        (!saving).then_some(Message::Cancel)
                    )
                    .width(Length::Fixed(180.0)),
                ]
                .spacing(theme::GAP),
                row(channels.chain(categories)).spacing(6),
                match &self.link {
                    Some(Link::Receipt(r)) =>
                        text(t!(lang, "complaint-linked", receipt = r.clone()))
                            .size(theme::SMALL)
                            .into(),
                    _ => Element::from(Space::new()),
                },
                row![
                    field(Field::Name, t!(lang, "complaint-name"), &self.name),
                    field(Field::Contact, t!(lang, "complaint-contact"), &self.contact),
                ]
                .spacing(theme::GAP),
                self.story_box(lang),
                problem,
                keyboard::view(focused, Message::Key),
            ]
            .spacing(theme::GAP * 0.75),
        )
    }

    /// What happened, as typed: several lines in a box that scrolls, the newest line always in
    /// view (the story is usually longer than a line). A tap on it types into it.
    fn story_box(&self, lang: Lang) -> Element<'_, Message> {
        let typed = &self.description.text;
        let (shown, style): (String, fn(&iced::Theme) -> text::Style) = if typed.is_empty() {
            (
                t!(lang, "complaint-description"),
                crate::widgets::theme::muted,
            )
        } else if self.focus == Field::Description {
            (format!("{typed}▏"), text::default)
        } else {
            (typed.clone(), text::default)
        };
        button(drag_scroll(
            scrollable(
                text(shown)
                    .size(theme::SMALL)
                    .style(style)
                    .width(Length::Fill),
            )
            .anchor_bottom()
            .width(Length::Fill)
            .height(Length::Fill),
        ))
        .width(Length::Fill)
        .height(Length::Fixed(STORY_BOX_HEIGHT))
        .style(if self.focus == Field::Description {
            button::primary
        } else {
            button::secondary
        })
        .on_press(Message::Focus(Field::Description))
        .into()
    }
}

/// Three lines of the story at the small size, with the box's padding.
const STORY_BOX_HEIGHT: f32 = 3.0 * theme::SMALL * 1.3 + 10.0;

/// The width, in characters, that `label` needs on at most two lines: its longest word, or
/// half of it, whichever is more.
fn two_line_width(label: &str) -> u16 {
    let longest = label
        .split(' ')
        .map(|w| w.chars().count())
        .max()
        .unwrap_or(0);
    let half = label.chars().count().div_ceil(2);
    u16::try_from(longest.max(half).max(1)).unwrap_or(u16::MAX)
}
