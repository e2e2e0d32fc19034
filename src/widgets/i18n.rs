//! Languages for the kiosk and the desk: Indonesian by default, English one tap away. Each
//! program embeds its own Fluent files and builds its bundles with [`bundle`]; this module holds
//! what they share.

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Id,
    En,
}

impl Lang {
    pub fn from_code(code: &str) -> Lang {
        match code {
            "en" => Lang::En,
            _ => Lang::Id,
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            Lang::Id => "id",
            Lang::En => "en",
        }
    }
    /// The other language, for the one-tap switch.
    pub fn toggled(self) -> Lang {
        match self {
            Lang::Id => Lang::En,
            Lang::En => Lang::Id,
        }
    }
}

/// One language's strings from one embedded Fluent file (the booth's, or the desk's).
pub fn bundle(lang: &str, source: &'static str) -> FluentBundle<FluentResource> {
    let langid: unic_langid::LanguageIdentifier = lang.parse().unwrap_or_default();
    let mut bundle = FluentBundle::new_concurrent(vec![langid]);
    // Arguments are shown as they are: no Unicode isolation marks around them on a kiosk.
    bundle.set_use_isolating(false);
    let resource = FluentResource::try_new(source.to_string()).unwrap_or_else(|(r, errors)| {
        tracing::error!(lang, errors = errors.len(), "translation file has errors");
        r
    });
    if let Err(errors) = bundle.add_resource(resource) {
        tracing::error!(lang, errors = errors.len(), "duplicate translation keys");
    }
    bundle
}

/// Formats `key` from `bundle` (of language `lang`) with `args`; a missing key shows as
/// `⟦key⟧` so it is noticed.
pub fn format(
    bundle: &FluentBundle<FluentResource>,
    lang: Lang,
    key: &str,
    args: &[(&str, FluentValue<'_>)],
) -> String {
    let Some(pattern) = bundle.get_message(key).and_then(|m| m.value()) else {
        tracing::warn!(key, lang = lang.code(), "missing translation");
        return std::format!("⟦{key}⟧");
    };
    let mut fargs = FluentArgs::new();
    for (k, v) in args {
        fargs.set(*k, v.clone());
    }
    let mut errors = Vec::new();
    let text = bundle.format_pattern(pattern, Some(&fargs), &mut errors);
    text.into_owned()
}

/// The message ids of an `.ftl` source.
pub fn keys(source: &str) -> Vec<String> {
    source
        .lines()
        .filter(|l| !l.starts_with([' ', '#', '\t', '.']) && l.contains(" ="))
        .filter_map(|l| l.split_once(" =").map(|(k, _)| k.trim().to_string()))
        .collect()
}

/// Test check for a pair of translation files: at least `more_than` keys, the same keys in both
/// languages, and every key formats through `tr` (no `⟦missing⟧` marker).
#[cfg(test)]
pub(crate) fn assert_same_keys_and_every_key_formats(
    id_ftl: &str,
    en_ftl: &str,
    more_than: usize,
    tr: fn(Lang, &str) -> String,
) {
    let id = keys(id_ftl);
    let en = keys(en_ftl);
    assert!(id.len() > more_than, "{}", id.len());
    let missing_en: Vec<_> = id.iter().filter(|k| !en.contains(k)).collect();
    let missing_id: Vec<_> = en.iter().filter(|k| !id.contains(k)).collect();
    assert!(missing_en.is_empty(), "missing in English: {missing_en:?}");
    assert!(
        missing_id.is_empty(),
        "missing in Indonesian: {missing_id:?}"
    );
    for k in &id {
        for lang in [Lang::Id, Lang::En] {
            assert!(!tr(lang, k).starts_with('⟦'), "{k} in {lang:?}");
        }
    }
}
