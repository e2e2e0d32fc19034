//! Staff sign-in: the kiosk's sign-in screen (the same PIN gate and keypad), with the desk's
//! staff and words.

use super::i18n::{arg, tr, tr_with, Lang};
use super::Staff;
use crate::desk::config::StaffConfig;
use crate::pin;

pub use crate::widgets::pin_gate::Rules;
pub use crate::widgets::signin::{Message, Notice, Outcome, Refusal, State, Text};

impl crate::widgets::signin::Who for Staff {
    fn id(&self) -> &str {
        &self.id
    }
}

/// The member of staff whose PIN this is. Slow on purpose (argon2): call it off the UI thread.
pub fn find_staff(pin: &str, staff: &[StaffConfig]) -> Option<Staff> {
    staff
        .iter()
        .find(|s| pin::verify(pin, &s.pin_hash))
        .map(|s| Staff {
            id: s.id().to_string(),
            name: s.name.clone(),
            role: s.role,
        })
}

/// The desk's words for the sign-in screen.
pub fn words(lang: Lang, t: Text) -> String {
    match t {
        Text::Title => tr(lang, "desk-title"),
        Text::Prompt => tr(lang, "signin-prompt"),
        Text::Submit => tr(lang, "signin-submit"),
        Text::LangSwitch => tr(lang, "lang-switch"),
        Text::Wrong { left } => tr_with(lang, "signin-wrong", &[arg("left", left)]),
        Text::LockedOut => tr(lang, "signin-locked-out"),
        Text::LockedFor { minutes, seconds } => tr_with(
            lang,
            "signin-locked-for",
            &[
                arg("minutes", minutes),
                arg("seconds", format!("{seconds:02}")),
            ],
        ),
        Text::Idle => tr(lang, "signin-idle"),
        // The desk has no supervisor override: its lockout runs out by itself.
        Text::Override | Text::OverridePrompt | Text::NotSupervisor => String::new(),
        Text::Failed => tr(lang, "signin-failed"),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::desk::config::DeskConfig;
    use crate::wire::complaint::Role;

    #[test]
    fn the_demo_staff_sign_in_with_the_pins_the_config_documents() {
        let c = DeskConfig::load(None).unwrap();
        for (pin, role) in [
            ("201001", Role::Secretariat),
            ("202002", Role::Secretary),
            ("203003", Role::HeadPendaftaran),
            ("204004", Role::HeadPencatatan),
            ("205005", Role::KepalaDinas),
        ] {
            let s = find_staff(pin, &c.staff).unwrap();
            assert_eq!(s.role, role, "{pin}");
            assert!(crate::desk::config::DEFAULT_TOML.contains(&format!("{role} {pin}")));
        }
        assert!(find_staff("000000", &c.staff).is_none());
    }
}
