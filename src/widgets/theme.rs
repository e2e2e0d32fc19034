//! Sizes, fonts and the widget styles of the kiosk, in one place. Everything a finger touches
//! is at least [`TOUCH`] pixels high; text is large enough to read at arm's length.

use iced::widget::{button, container, text, Button};
use iced::{Element, Length, Padding};

/// The smallest height (and width) of anything a finger presses.
pub const TOUCH: f32 = 64.0;
/// A comfortable big action button height.
pub const ACTION: f32 = 80.0;
pub const GAP: f32 = 16.0;
pub const PAGE_PADDING: f32 = 32.0;

pub const TITLE: f32 = 40.0;
pub const HEADING: f32 = 30.0;
pub const BODY: f32 = 24.0;
pub const SMALL: f32 = 20.0;

/// The booth's colours. Every text on its background meets WCAG 2.x AA (4.5:1) — buttons,
/// panels and alerts included (see the test below); only disabled buttons are fainter.
pub const PALETTE: iced::theme::Palette = iced::theme::Palette {
    background: iced::Color::WHITE,
    text: iced::color!(0x15191e),
    primary: iced::color!(0x2f4fc4),
    success: iced::color!(0x12664f),
    warning: iced::color!(0x8a5a12),
    danger: iced::color!(0xb3261e),
};

/// Grey for secondary text (hints, technical detail, placeholders): 6:1 on white, where
/// iced's own secondary grey is 4:1.
pub const MUTED: iced::Color = iced::color!(0x56606b);

/// Secondary text ([`MUTED`]), in place of `text::secondary`.
pub fn muted(_theme: &iced::Theme) -> iced::widget::text::Style {
    iced::widget::text::Style { color: Some(MUTED) }
}

/// The theme both programs (kiosk and desk) and their screenshots use.
pub fn booth() -> iced::Theme {
    iced::Theme::custom("KTP-el booth", PALETTE)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Primary,
    Secondary,
    Success,
    Danger,
}

impl Kind {
    /// The button style of this kind.
    pub fn style(self) -> fn(&iced::Theme, button::Status) -> button::Style {
        match self {
            Kind::Primary => button::primary,
            Kind::Secondary => button::secondary,
            Kind::Success => button::success,
            Kind::Danger => button::danger,
        }
    }
}

/// A touch button with a text label; `None` as message shows it disabled.
pub fn action<'a, M: Clone + 'a>(label: String, kind: Kind, message: Option<M>) -> Button<'a, M> {
    let style = kind.style();
    button(
        text(label)
            .size(BODY)
            .center()
            .width(Length::Fill)
            .height(Length::Fill),
    )
    .padding(Padding::from([8.0, 24.0]))
    .height(Length::Fixed(ACTION))
    .style(style)
    .on_press_maybe(message)
}

/// A choice among several (a finger's exception, a complaint's channel or category): a touch
/// button with a smaller label, filled when chosen; `None` as message shows it disabled.
pub fn choice<'a, M: Clone + 'a>(label: String, chosen: bool, message: Option<M>) -> Button<'a, M> {
    button(
        text(label)
            .size(SMALL)
            .center()
            .width(Length::Fill)
            .height(Length::Fill),
    )
    .padding(Padding::from([CHOICE_PADDING, 8.0]))
    .width(Length::Fill)
    .height(Length::Fixed(TOUCH))
    .style(if chosen {
        button::primary
    } else {
        button::secondary
    })
    .on_press_maybe(message)
}

/// [`choice`]'s vertical padding: its label's room is `TOUCH - 2 * CHOICE_PADDING` high.
pub const CHOICE_PADDING: f32 = 6.0;

/// A touch button with an icon before its label, tinted like the label.
pub fn action_icon<'a, M: Clone + 'a>(
    icon: super::icons::Icon,
    label: String,
    kind: Kind,
    message: Option<M>,
) -> Button<'a, M> {
    let style = kind.style();
    let enabled = message.is_some();
    let picture = iced::widget::svg(icon.handle())
        .width(Length::Fixed(ICON))
        .height(Length::Fixed(ICON))
        .style(move |theme: &iced::Theme, _status| {
            // The label's colour: the button style's text for this kind and state.
            let status = if enabled {
                button::Status::Active
            } else {
                button::Status::Disabled
            };
            iced::widget::svg::Style {
                color: Some(style(theme, status).text_color),
            }
        });
    button(
        container(
            iced::widget::row![
                picture,
                text(label)
                    .size(BODY)
                    .height(Length::Fill)
                    .align_y(iced::alignment::Vertical::Center),
            ]
            .spacing(GAP / 2.0)
            .align_y(iced::Alignment::Center),
        )
        .center_x(Length::Fill)
        .height(Length::Fill),
    )
    .padding(Padding::from([8.0, 24.0]))
    .height(Length::Fixed(ACTION))
    .style(style)
    .on_press_maybe(message)
}

/// "Back": a secondary action with the back arrow, the same on every screen.
pub fn back<'a, M: Clone + 'a>(label: String, message: Option<M>) -> Button<'a, M> {
    action_icon(super::icons::Icon::Back, label, Kind::Secondary, message)
}

/// An icon's size on an action.
pub const ICON: f32 = 32.0;

/// A titled page body with the kiosk's padding.
pub fn page<'a, M: 'a>(content: impl Into<Element<'a, M>>) -> Element<'a, M> {
    container(content)
        .padding(PAGE_PADDING)
        .width(Length::Fill)
        .height(Length::Fill)
        .into()
}

/// A boxed panel (a card of information, an error).
pub fn panel<'a, M: 'a>(content: impl Into<Element<'a, M>>) -> Element<'a, M> {
    container(content)
        .padding(GAP)
        .width(Length::Fill)
        .style(container::rounded_box)
        .into()
}

/// Room for a step's instruction above its action: three lines at body size. The action under
/// it stays where it is whatever the instruction's length (a button that moves under a finger
/// gets the wrong tap).
pub const NOTE_SPACE: f32 = 3.0 * BODY * 1.3;

/// Room kept for an alert of up to two lines, shown or not, so the buttons below do not move
/// when one appears.
pub const ALERT_SPACE: f32 = 2.0 * BODY * 1.3 + 2.0 * GAP;

/// A step's instruction in its reserved room ([`NOTE_SPACE`]).
pub fn note<'a, M: 'a>(message: String) -> Element<'a, M> {
    container(text(message).size(BODY))
        .width(Length::Fill)
        .height(Length::Fixed(NOTE_SPACE))
        .into()
}

/// An alert, or nothing, in the room kept for one ([`ALERT_SPACE`]).
pub fn alert_slot<'a, M: 'a>(alert: Option<Element<'a, M>>) -> Element<'a, M> {
    container(alert.unwrap_or_else(|| iced::widget::Space::new().into()))
        .width(Length::Fill)
        .height(Length::Fixed(ALERT_SPACE))
        .into()
}

/// An error or warning box in the danger colour.
pub fn alert<'a, M: 'a>(message: String) -> Element<'a, M> {
    container(text(message).size(BODY))
        .padding(GAP)
        .width(Length::Fill)
        .style(container::danger)
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// WCAG 2.x relative luminance of an sRGB colour.
    fn luminance(c: iced::Color) -> f32 {
        let lin = |v: f32| {
            if v <= 0.040_45 {
                v / 12.92
            } else {
                ((v + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * lin(c.r) + 0.7152 * lin(c.g) + 0.0722 * lin(c.b)
    }

    fn contrast(a: iced::Color, b: iced::Color) -> f32 {
        let (la, lb) = (luminance(a), luminance(b));
        (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
    }

    #[test]
    fn every_text_on_its_background_meets_wcag_aa() {
        let theme = booth();
        let p = theme.extended_palette();
        // The pairs the kiosk's styles draw: buttons (base), panels and lists (weak and strong
        // backgrounds), alerts (danger base), and plain text on the page.
        let pairs = [
            ("page", p.background.base),
            ("panel", p.background.weak),
            ("panel strong", p.background.strong),
            ("primary button", p.primary.base),
            ("primary strong", p.primary.strong),
            ("secondary button", p.secondary.base),
            ("success button", p.success.base),
            ("danger button / alert", p.danger.base),
        ];
        for (what, pair) in pairs {
            let ratio = contrast(pair.text, pair.color);
            assert!(ratio >= 4.5, "{what}: contrast {ratio:.2} < 4.5");
        }
        // And the text styles on the page.
        for (what, c) in [
            ("success text", p.success.base.color),
            ("danger text", p.danger.base.color),
            ("muted text", MUTED),
        ] {
            let ratio = contrast(c, p.background.base.color);
            assert!(
                ratio >= 4.5,
                "{what} on the page: contrast {ratio:.2} < 4.5"
            );
        }
    }
}
