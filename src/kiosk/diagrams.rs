//! The hand and eye diagrams beside a capture: the finger or eye being captured is filled in
//! the highlight colour (`assets/diagrams`, see its README).

use iced::widget::svg;
use ktpel_hal::{Eye, FingerPosition};

const HAND: &str = include_str!("../../assets/diagrams/hand.svg");
const EYES: &str = include_str!("../../assets/diagrams/eyes.svg");
/// The fill every highlightable part has in the drawings.
const PLACEHOLDER: &str = "#C9D3DF";
/// The fill of the part being captured: the kiosk's primary blue, dark enough to stand out
/// from the grey parts for a reader with poor colour vision too.
pub const HIGHLIGHT: &str = "#1F4FB8";
/// The drawing's width, to mirror the right hand into the left.
const HAND_WIDTH: u32 = 240;

fn highlighted(drawing: &str, id: &str) -> String {
    drawing.replace(
        &format!(r#"id="{id}" fill="{PLACEHOLDER}""#),
        &format!(r#"id="{id}" fill="{HIGHLIGHT}""#),
    )
}

/// The hand with `finger` filled: the right hand as drawn, the left one mirrored.
pub fn hand_svg(finger: FingerPosition) -> String {
    use FingerPosition::*;
    let (id, left) = match finger {
        RightThumb => ("thumb", false),
        RightIndex => ("index", false),
        RightMiddle => ("middle", false),
        RightRing => ("ring", false),
        RightLittle => ("little", false),
        LeftThumb => ("thumb", true),
        LeftIndex => ("index", true),
        LeftMiddle => ("middle", true),
        LeftRing => ("ring", true),
        LeftLittle => ("little", true),
    };
    let drawing = highlighted(HAND, id);
    if left {
        drawing.replacen(
            "<g ",
            &format!(r#"<g transform="translate({HAND_WIDTH} 0) scale(-1 1)" "#),
            1,
        )
    } else {
        drawing
    }
}

/// Both eyes with `eye`'s iris filled.
pub fn eyes_svg(eye: Eye) -> String {
    highlighted(
        EYES,
        match eye {
            Eye::Right => "right",
            Eye::Left => "left",
        },
    )
}

pub fn hand(finger: FingerPosition) -> svg::Handle {
    svg::Handle::from_memory(hand_svg(finger).into_bytes())
}

pub fn eyes(eye: Eye) -> svg::Handle {
    svg::Handle::from_memory(eyes_svg(eye).into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exactly_the_finger_being_captured_is_filled_on_the_right_hand() {
        for finger in FingerPosition::ALL {
            let drawing = hand_svg(finger);
            assert_eq!(
                drawing.matches(HIGHLIGHT).count(),
                1,
                "{finger:?}: one part highlighted"
            );
            let unfilled = format!(r#"fill="{PLACEHOLDER}""#);
            assert_eq!(drawing.matches(&unfilled).count(), 4, "{finger:?}");
            let name = format!("{finger:?}").to_lowercase();
            let part = name.trim_start_matches("right").trim_start_matches("left");
            assert!(
                drawing.contains(&format!(r#"id="{part}" fill="{HIGHLIGHT}""#)),
                "{finger:?}"
            );
            assert_eq!(
                drawing.contains("scale(-1 1)"),
                name.starts_with("left"),
                "{finger:?}: the left hand is the right one mirrored"
            );
        }
        for eye in [Eye::Right, Eye::Left] {
            let drawing = eyes_svg(eye);
            assert_eq!(drawing.matches(HIGHLIGHT).count(), 1, "{eye:?}");
        }
    }
}
