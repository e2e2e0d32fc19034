//! Translations: Fluent files under `assets/i18n/<lang>/booth.ftl`, embedded in the binary and
//! switchable at run time (the applicant may prefer English). Indonesian is the default.

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentResource, FluentValue};
use std::sync::LazyLock;

#[cfg(test)]
use crate::widgets::i18n::assert_same_keys_and_every_key_formats;
pub use crate::widgets::i18n::{bundle, format, Lang};

pub const ID_FTL: &str = include_str!("../../assets/i18n/id/booth.ftl");
pub const EN_FTL: &str = include_str!("../../assets/i18n/en/booth.ftl");

static ID: LazyLock<FluentBundle<FluentResource>> = LazyLock::new(|| bundle("id", ID_FTL));
static EN: LazyLock<FluentBundle<FluentResource>> = LazyLock::new(|| bundle("en", EN_FTL));

/// The text for `key` in `lang` with `args`; a missing key shows as `⟦key⟧` so it is noticed.
pub fn tr_with(lang: Lang, key: &str, args: &[(&str, FluentValue<'_>)]) -> String {
    let bundle: &FluentBundle<FluentResource> = match lang {
        Lang::Id => &ID,
        Lang::En => &EN,
    };
    format(bundle, lang, key, args)
}

pub fn tr(lang: Lang, key: &str) -> String {
    tr_with(lang, key, &[])
}

/// `t!(lang, "key")` or `t!(lang, "key", name = value, …)`.
#[macro_export]
macro_rules! t {
    ($lang:expr, $key:literal) => {
        $crate::kiosk::i18n::tr($lang, $key)
    };
    ($lang:expr, $key:literal, $($name:ident = $value:expr),+ $(,)?) => {
        $crate::kiosk::i18n::tr_with(
            $lang,
            $key,
            &[$((stringify!($name), fluent_bundle::FluentValue::from($value))),+],
        )
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_languages_have_the_same_keys_and_every_key_formats() {
        assert_same_keys_and_every_key_formats(ID_FTL, EN_FTL, 20, tr);
    }

    #[test]
    fn keys_built_at_run_time_exist() {
        use ktpel_hal::{DeviceKind, ErrorKind, FingerPosition};
        let mut keys: Vec<String> = FingerPosition::ALL
            .iter()
            .map(|p| format!("slot-{}", p.as_str()))
            .collect();
        keys.extend(
            DeviceKind::ALL
                .iter()
                .map(|k| format!("role-{}", k.as_str())),
        );
        keys.extend(
            [
                ErrorKind::Timeout,
                ErrorKind::Disconnected,
                ErrorKind::NotPresent,
                ErrorKind::BadData,
                ErrorKind::Busy,
                ErrorKind::NeedsAttention,
                ErrorKind::Other,
            ]
            .iter()
            .map(|k| format!("device-error-{}", k.as_str())),
        );
        keys.extend(
            [
                "look-at-camera",
                "only-one-person",
                "come-closer",
                "move-back",
                "move-left",
                "move-right",
                "move-up",
                "move-down",
                "head-level",
                "more-light",
                "less-light",
                "even-light",
                "hold-still",
            ]
            .iter()
            .map(|k| format!("face-{k}")),
        );
        keys.extend(
            crate::wire::centre::verdict_code::ALL
                .iter()
                .map(|c| format!("verdict-{}", c.replace(['.', '_'], "-"))),
        );
        keys.extend(
            crate::queue::ReprintReason::ALL
                .iter()
                .map(|r| format!("reprint-{}", r.as_str())),
        );
        keys.extend(
            crate::kiosk::screen::verify::RerecordReason::ALL
                .iter()
                .map(|r| format!("rerecord-{}", r.as_str())),
        );
        keys.extend(
            crate::booth::service::papers::LeftReason::ALL
                .iter()
                .map(|r| format!("left-{}", r.as_str())),
        );
        keys.extend(
            ["sending", "printed", "failed", "spoiled"]
                .iter()
                .map(|o| format!("print-outcome-{o}")),
        );
        keys.extend(
            [
                "in_process",
                "print_ready",
                "issued",
                "duplicate",
                "adjudicate",
            ]
            .iter()
            .map(|p| format!("verify-prior-{p}")),
        );
        keys.extend([
            "home-role-supervisor".to_string(),
            "home-role-technician".to_string(),
        ]);
        for k in keys {
            for lang in [Lang::Id, Lang::En] {
                assert!(!tr(lang, &k).starts_with('⟦'), "{k} in {lang:?}");
            }
        }
    }

    #[test]
    fn arguments_are_filled_in() {
        let s = crate::t!(Lang::Id, "signin-wrong", left = 3);
        assert!(s.contains('3'), "{s}");
        assert_ne!(tr(Lang::Id, "home-start"), tr(Lang::En, "home-start"));
    }
}
