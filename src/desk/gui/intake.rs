//! The secretariat writes down a complaint made by phone or at its counter: how it came, what it
//! is about, the complainant's name and contact, the complaint itself, and (if the citizen has
//! one) the proof-of-recording number. Each field is chosen by a tap and typed on the on-screen
//! keyboard; a mistake is named before anything is saved.

use iced::widget::{button, column, container, row, text};
use iced::{Element, Length, Task};

use super::i18n::{self, tr, Lang};
use crate::desk::store::Draft;
use crate::domain::numbers::receipt_no_is_well_formed;
use crate::widgets::keyboard::{self, Input, Key};
use crate::widgets::theme::{self, Kind};
use crate::wire::complaint::{
    check_text, contact_is_valid, Category, Channel, Link, MAX_CONTACT, MAX_DESCRIPTION, MAX_NAME,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Name,
    Contact,
    Description,
    Receipt,
}

impl Field {
    const ALL: [Field; 4] = [
        Field::Name,
        Field::Contact,
        Field::Description,
        Field::Receipt,
    ];

    /// The field after this one, as Enter moves on a paper form (the last stays).
    fn next(self) -> Field {
        match self {
            Field::Name => Field::Contact,
            Field::Contact => Field::Description,
            Field::Description | Field::Receipt => Field::Receipt,
        }
    }

    fn index(self) -> usize {
        match self {
            Field::Name => 0,
            Field::Contact => 1,
            Field::Description => 2,
            Field::Receipt => 3,
        }
    }

    fn label(self) -> &'static str {
        match self {
            Field::Name => "intake-name",
            Field::Contact => "intake-contact",
            Field::Description => "intake-description",
            Field::Receipt => "intake-receipt",
        }
    }
}

#[derive(Debug, Clone)]
pub enum Message {
    Channel(Channel),
    Category(Category),
    Focus(Field),
    Key(Key),
    Save,
    Cancel,
}

pub enum Event {
    Save(Draft),
    Cancel,
}

/// A choice button (channel, category), highlighted when chosen: the kiosk's.
fn choice<'a>(label: String, chosen: bool, message: Message) -> Element<'a, Message> {
    theme::choice(label, chosen, Some(message)).into()
}

pub struct State {
    pub channel: Channel,
    pub category: Option<Category>,
    fields: [Input; 4],
    pub focus: Field,
    pub busy: bool,
    pub error: Option<String>,
}

impl Default for State {
    fn default() -> Self {
        let mut contact = Input::new(MAX_CONTACT);
        contact.capitals = false;
        let mut description = Input::new(MAX_DESCRIPTION);
        description.capitals = false;
        Self {
            channel: Channel::Phone,
            category: None,
            fields: [Input::new(MAX_NAME), contact, description, Input::new(13)],
            focus: Field::Name,
            busy: false,
            error: None,
        }
    }
}

impl State {
    /// A keyboard's key: characters, space and Backspace into the focused field; Enter moves
    /// to the next field.
    pub fn typed(&self, typed: crate::widgets::typing::Typed) -> Option<Message> {
        match typed {
            crate::widgets::typing::Typed::Enter => Some(Message::Focus(self.focus.next())),
            t => t.keyboard().map(Message::Key),
        }
    }

    pub fn value(&self, f: Field) -> &str {
        self.fields[f.index()].value()
    }

    /// The draft, or the translation key of what is missing or wrong.
    pub fn draft(&self) -> Result<Draft, &'static str> {
        let category = self.category.ok_or("intake-need-category")?;
        check_text("complainant", self.value(Field::Name), MAX_NAME, false)
            .map_err(|_| "intake-need-name")?;
        if !contact_is_valid(self.value(Field::Contact)) {
            return Err("intake-bad-contact");
        }
        check_text(
            "description",
            self.value(Field::Description),
            MAX_DESCRIPTION,
            true,
        )
        .map_err(|_| "intake-need-description")?;
        let receipt = self.value(Field::Receipt);
        let link = if receipt.is_empty() {
            None
        } else if receipt_no_is_well_formed(receipt) {
            Some(Link::Receipt(receipt.to_string()))
        } else {
            return Err("intake-bad-receipt");
        };
        Ok(Draft {
            channel: self.channel,
            complainant: self.value(Field::Name).to_string(),
            contact: self.value(Field::Contact).to_string(),
            category,
            description: self.value(Field::Description).to_string(),
            link,
        })
    }

    pub fn update(&mut self, message: Message, lang: Lang) -> (Task<Message>, Option<Event>) {
        if self.busy && !matches!(message, Message::Cancel) {
            return (Task::none(), None);
        }
        match message {
            Message::Channel(c) => self.channel = c,
            Message::Category(c) => self.category = Some(c),
            Message::Focus(f) => self.focus = f,
            Message::Key(k) => self.fields[self.focus.index()].apply(k),
            Message::Save => match self.draft() {
                Ok(draft) => {
                    self.busy = true;
                    self.error = None;
                    return (Task::none(), Some(Event::Save(draft)));
                }
                Err(key) => self.error = Some(tr(lang, key)),
            },
            Message::Cancel => return (Task::none(), Some(Event::Cancel)),
        }
        (Task::none(), None)
    }

    /// A field's button: its label and the end of what is typed, highlighted when it has the
    /// keyboard.
    fn field(&self, lang: Lang, f: Field) -> Element<'_, Message> {
        let value = &self.fields[f.index()].text;
        let shown = if value.is_empty() {
            tr(lang, f.label())
        } else {
            // The end of a long text, where the typing happens.
            let n = value.chars().count();
            let tail: String = value.chars().skip(n.saturating_sub(48)).collect();
            if f == self.focus {
                format!("{tail}▏")
            } else {
                tail
            }
        };
        button(
            column![
                text(tr(lang, f.label())).size(14.0),
                text(shown).size(theme::SMALL),
            ]
            .spacing(2),
        )
        .width(Length::Fill)
        .height(Length::Fixed(theme::TOUCH))
        .padding([4.0, 12.0])
        .style(if f == self.focus {
            button::primary
        } else {
            button::secondary
        })
        .on_press(Message::Focus(f))
        .into()
    }

    pub fn view(&self, lang: Lang) -> Element<'_, Message> {
        let channels = row([Channel::Phone, Channel::WalkIn].into_iter().map(|c| {
            choice(
                i18n::channel(lang, c).into(),
                self.channel == c,
                Message::Channel(c),
            )
        }))
        .spacing(theme::GAP / 2.0);
        let categories = row(Category::ALL.into_iter().map(|c| {
            choice(
                i18n::category(lang, c).into(),
                self.category == Some(c),
                Message::Category(c),
            )
        }))
        .spacing(theme::GAP / 2.0);
        let [a, b, c, d] = Field::ALL;
        let fields = column![
            row![self.field(lang, a), self.field(lang, b)].spacing(theme::GAP / 2.0),
            row![self.field(lang, c), self.field(lang, d)].spacing(theme::GAP / 2.0),
        ]
        .spacing(theme::GAP / 2.0);
        let top = row![
            text(tr(lang, "intake-title"))
                .size(theme::HEADING)
                .width(Length::Fill),
            theme::action(tr(lang, "cancel"), Kind::Secondary, Some(Message::Cancel))
                .width(Length::Fixed(200.0))
                .height(Length::Fixed(theme::TOUCH)),
            theme::action(
                tr(lang, "intake-save"),
                Kind::Success,
                (!self.busy).then_some(Message::Save)
            )
            .width(Length::Fixed(260.0))
            .height(Length::Fixed(theme::TOUCH)),
        ]
        .spacing(theme::GAP);
        let mut page = column![top].spacing(theme::GAP / 2.0);
        if let Some(e) = &self.error {
            page = page.push(theme::alert(e.clone()));
        }
        let page = page
            .push(channels)
            .push(categories)
            .push(fields)
            .push(keyboard::view(
                &self.fields[self.focus.index()],
                Message::Key,
            ));
        container(page)
            .padding(theme::GAP)
            .width(Length::Fill)
            .height(Length::Fill)
            .into()
    }
}
