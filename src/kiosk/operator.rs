//! The kiosk's side of the shared sign-in screen: who signs in (the booth service's staff) and
//! the kiosk's words.

use crate::booth::service::Staff;
use crate::kiosk::i18n::Lang;
use crate::t;
use crate::widgets::signin::{Text, Who};

impl Who for Staff {
    fn id(&self) -> &str {
        &self.id
    }
}

/// The kiosk's words for the screen.
pub fn kiosk_words(lang: Lang, t: Text) -> String {
    match t {
        Text::Title => t!(lang, "app-title"),
        Text::Prompt => t!(lang, "signin-prompt"),
        Text::Submit => t!(lang, "signin-submit"),
        Text::LangSwitch => t!(lang, "lang-switch"),
        Text::Wrong { left } => t!(lang, "signin-wrong", left = left),
        Text::LockedOut => t!(lang, "signin-locked-out"),
        Text::LockedFor { minutes, seconds } => t!(
            lang,
            "signin-locked-for",
            minutes = minutes,
            seconds = format!("{seconds:02}")
        ),
        Text::Idle => t!(lang, "signin-idle-locked"),
        Text::Override => t!(lang, "signin-override"),
        Text::OverridePrompt => t!(lang, "signin-override-prompt"),
        Text::NotSupervisor => t!(lang, "approval-not-supervisor"),
        Text::Failed => t!(lang, "signin-failed"),
    }
}
