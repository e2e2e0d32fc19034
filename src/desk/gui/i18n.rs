//! The desk's translations: `assets/i18n/<lang>/desk.ftl`, a bundle of its own beside the
//! booth's (same [`Lang`], same Fluent machinery), so the booth's strings stay untouched.
//! Labels of the domain (roles, categories, channels) come from [`crate::wire::complaint`].

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentResource, FluentValue};
use std::sync::LazyLock;

pub use crate::widgets::i18n::Lang;
use crate::wire::complaint::{Category, Channel, Role, Stage};

pub const ID_FTL: &str = include_str!("../../../assets/i18n/id/desk.ftl");
pub const EN_FTL: &str = include_str!("../../../assets/i18n/en/desk.ftl");

static ID: LazyLock<FluentBundle<FluentResource>> =
    LazyLock::new(|| crate::widgets::i18n::bundle("id", ID_FTL));
static EN: LazyLock<FluentBundle<FluentResource>> =
    LazyLock::new(|| crate::widgets::i18n::bundle("en", EN_FTL));

/// The text for `key` in `lang` with `args`; a missing key shows as `⟦key⟧` so it is noticed.
pub fn tr_with(lang: Lang, key: &str, args: &[(&str, FluentValue<'_>)]) -> String {
    let bundle: &FluentBundle<FluentResource> = match lang {
        Lang::Id => &ID,
        Lang::En => &EN,
    };
    crate::widgets::i18n::format(bundle, lang, key, args)
}

pub fn tr(lang: Lang, key: &str) -> String {
    tr_with(lang, key, &[])
}

/// One argument for [`tr_with`].
pub fn arg<'a>(name: &'a str, value: impl Into<FluentValue<'a>>) -> (&'a str, FluentValue<'a>) {
    (name, value.into())
}

pub fn role(lang: Lang, r: Role) -> &'static str {
    match lang {
        Lang::Id => r.indonesian(),
        Lang::En => r.english(),
    }
}

pub fn category(lang: Lang, c: Category) -> &'static str {
    match lang {
        Lang::Id => c.indonesian(),
        Lang::En => c.english(),
    }
}

pub fn channel(lang: Lang, c: Channel) -> &'static str {
    match lang {
        Lang::Id => c.indonesian(),
        Lang::En => c.english(),
    }
}

/// "Diteruskan ke Bidang Pendaftaran Penduduk", "Menunggu keputusan Kepala Dinas", …
pub fn stage(lang: Lang, s: Stage) -> String {
    tr_with(
        lang,
        &format!("stage-{}", s.name()),
        &[arg("unit", role(lang, s.holder()))],
    )
}

/// A history line's action: "diterima", "diteruskan ke …", "diselesaikan", …
pub fn action(lang: Lang, key: &str) -> String {
    match key.split_once(':') {
        Some(("forward", unit)) => {
            let unit = crate::wire::complaint::Assignee::ALL
                .into_iter()
                .find(|a| a.as_str() == unit)
                .map_or(unit, |a| role(lang, a.role()));
            tr_with(lang, "history-forward", &[arg("unit", unit)])
        }
        _ => tr(lang, &format!("history-{key}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_languages_have_the_same_keys_and_every_key_formats() {
        crate::widgets::i18n::assert_same_keys_and_every_key_formats(ID_FTL, EN_FTL, 30, tr);
    }

    #[test]
    fn keys_built_at_run_time_exist() {
        use crate::wire::complaint::{Action, Assignee};
        let mut stages = vec![Stage::Received, Stage::Escalated, Stage::Decided];
        for a in Assignee::ALL {
            stages.push(Stage::Forwarded(a));
            stages.push(Stage::Resolved(a));
        }
        for lang in [Lang::Id, Lang::En] {
            for s in &stages {
                let text = stage(lang, *s);
                assert!(!text.contains('⟦'), "{s} in {lang:?}: {text}");
            }
            let mut actions = vec!["submit".to_string()];
            actions.extend(
                [Action::Resolve, Action::Escalate, Action::Decide]
                    .iter()
                    .map(|a| a.key()),
            );
            actions.extend(Assignee::ALL.map(|a| Action::Forward(a).key()));
            for a in actions {
                let text = action(lang, &a);
                assert!(!text.contains('⟦'), "{a} in {lang:?}: {text}");
            }
        }
        assert_eq!(
            stage(Lang::Id, Stage::Forwarded(Assignee::Pendaftaran)),
            "Diteruskan ke Bidang Pendaftaran Penduduk"
        );
    }
}
