//! Line icons on the main actions (`assets/icons`): a picture beside the words, for an operator
//! who reads the screen at a glance. They take the button's text colour.

use iced::widget::svg;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Icon {
    Record,
    Card,
    Complaint,
    Print,
    Back,
    Check,
    HandOver,
    Tools,
}

impl Icon {
    pub const ALL: [Icon; 8] = [
        Icon::Record,
        Icon::Card,
        Icon::Complaint,
        Icon::Print,
        Icon::Back,
        Icon::Check,
        Icon::HandOver,
        Icon::Tools,
    ];

    fn source(self) -> &'static [u8] {
        match self {
            Icon::Record => include_bytes!("../../assets/icons/record.svg"),
            Icon::Card => include_bytes!("../../assets/icons/card.svg"),
            Icon::Complaint => include_bytes!("../../assets/icons/complaint.svg"),
            Icon::Print => include_bytes!("../../assets/icons/print.svg"),
            Icon::Back => include_bytes!("../../assets/icons/back.svg"),
            Icon::Check => include_bytes!("../../assets/icons/check.svg"),
            Icon::HandOver => include_bytes!("../../assets/icons/handover.svg"),
            Icon::Tools => include_bytes!("../../assets/icons/tools.svg"),
        }
    }

    pub fn handle(self) -> svg::Handle {
        svg::Handle::from_memory(self.source())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_icon_is_a_24px_line_drawing() {
        for icon in Icon::ALL {
            let text = std::str::from_utf8(icon.source()).unwrap_or_default();
            assert!(
                text.starts_with("<svg ") && text.contains(r#"viewBox="0 0 24 24""#),
                "{icon:?}"
            );
        }
    }
}
