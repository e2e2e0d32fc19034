//! The technician area (signed in with a technician's PIN): every configured device with its
//! identity, a self-test per device or all at once (each on its device's worker, so a hung
//! device is reported busy while the others answer), what each test checked and what to look
//! at next when one fails, what is plugged in, and the blank-card stock.
//!
//! Everything is said in the operator's language by kind — a check's [`CheckKind`], the
//! [`Advice`] for a failure, a found device's kind, problem and certificate trust, a discovery
//! note's kind — and the drivers' and the system's own words follow, smaller, as technical
//! detail.

use iced::widget::{column, row, scrollable, text};
use iced::{Element, Length, Task};
use ktpel_hal::DeviceKind;
use std::collections::BTreeMap;

use super::{Action, Ctx, Page};
use crate::booth::discovery::{Discovery, Found, FoundKind, Note};
use crate::booth::keys::KeyPlace;
use crate::booth::selftest::{Advice, CheckKind, DeviceReport};
use crate::booth::service::technician::TechnicianError;
use crate::kiosk::i18n::{tr, Lang};
use crate::kiosk::Nav;
use crate::queue::{BlankStock, SelftestEntry};
use crate::t;
use crate::widgets::drag_scroll::drag_scroll;
use crate::widgets::keypad::{self, Key};
use crate::widgets::theme::{self, Kind};
use crate::widgets::typing::Typed;

/// How many past tests the area shows.
pub const HISTORY: usize = 12;

/// The size of technical detail (the drivers' own words) under a translated line.
const DETAIL: f32 = 16.0;

/// A check as the technician reads it: what was checked, in `lang`, and the driver's words.
pub fn check_line(lang: Lang, check: &ktpel_hal::Check) -> (String, String) {
    let label = match CheckKind::of(&check.name) {
        // A check this booth does not know: its own name is all there is.
        CheckKind::Other => check.name.clone(),
        kind => tr(lang, &format!("check-{}", kind.as_str())),
    };
    (
        format!("{}  {label}", if check.passed { "✓" } else { "✗" }),
        check.detail.clone(),
    )
}

/// The name of a driver, in `lang` (the configured name itself for one this booth does not
/// know).
pub fn driver_name(lang: Lang, driver: &str) -> String {
    match driver {
        "sim" | "zfm" | "isdv4" | "escpos" | "sbi" | "uvc" | "pcsc" | "ipp" | "touchscreen" => {
            tr(lang, &format!("driver-{driver}"))
        }
        other => other.to_string(),
    }
}

/// What to look at next, in `lang`.
pub fn advice_line(lang: Lang, advice: Advice) -> String {
    tr(lang, &format!("tech-advice-{}", advice.as_str()))
}

/// A found device's first line, in `lang`: what kind of thing it is, where, and for an SBI
/// device who it is and whether its certificate is trusted.
pub fn found_lines(lang: Lang, f: &Found) -> Vec<String> {
    let mut lines = vec![t!(
        lang,
        "tech-found-line",
        kind = tr(lang, &format!("found-{}", f.kind.as_str())),
        id = f.id.clone()
    )];
    if let Some(id) = &f.sbi {
        lines.push(t!(
            lang,
            "tech-sbi-identity",
            make = id.make.clone(),
            model = id.model.clone(),
            serial = id.serial.clone(),
            firmware = id.firmware.clone()
        ));
        lines.push(t!(
            lang,
            "tech-sbi-certificate",
            trust = tr(lang, &format!("cert-trust-{}", id.trust.as_str()))
        ));
    }
    if let Some(p) = &f.problem {
        lines.push(tr(lang, &format!("found-problem-{}", p.kind.as_str())));
    }
    lines
}

/// A discovery note, in `lang`.
pub fn note_line(lang: Lang, n: &Note) -> String {
    tr(lang, &format!("found-note-{}", n.kind.as_str()))
}

/// A translated line with the technical detail under it, smaller.
fn with_detail<'a>(
    line: String,
    size: f32,
    style: fn(&iced::Theme) -> text::Style,
    detail: String,
) -> Element<'a, Message> {
    let mut c = column![text(line).size(size).style(style)];
    if !detail.trim().is_empty() {
        c = c.push(
            text(detail)
                .size(DETAIL)
                .style(crate::widgets::theme::muted),
        );
    }
    c.into()
}

/// Where the keys are: a quiet line for the TPM, a loud one for files.
fn keys_view<'a>(lang: Lang, keys: &KeyPlace) -> Element<'a, Message> {
    match keys {
        KeyPlace::Tpm { tcti } => theme::panel(with_detail(
            t!(lang, "tech-keys-tpm"),
            theme::BODY,
            text::success,
            tcti.clone(),
        )),
        KeyPlace::Files { why } => theme::panel(column![
            with_detail(
                t!(lang, "tech-keys-files"),
                theme::HEADING,
                text::danger,
                why.clone()
            ),
            text(t!(lang, "tech-keys-files-advice")).size(theme::SMALL),
        ]),
    }
}

#[derive(Debug, Clone)]
pub enum Message {
    TestAll,
    Test(DeviceKind),
    Tested(Result<Vec<DeviceReport>, TechnicianError>),
    /// Look again for plugged-in devices.
    Discover,
    Discovered(Result<Box<Discovery>, TechnicianError>),
    History(Result<Vec<SelftestEntry>, String>),
    /// Put found device `index` in `role` with `driver`, in the config file.
    Assign(usize, DeviceKind, &'static str),
    Assigned(Result<String, TechnicianError>),
    /// The number of blank cards typed on the keypad.
    BlanksKey(Key),
    LoadBlanks,
    CountBlanks,
    Blanks(Result<BlankStock, TechnicianError>),
    /// The service dashboard.
    Dashboard,
    Back,
}

#[derive(Debug)]
pub enum Request {
    Test(Vec<DeviceKind>),
    Discover,
    History,
    Assign(DeviceKind, toml::Table, String),
    LoadBlanks(u32),
    CountBlanks(u32),
    Stock,
}

#[derive(Default)]
pub struct State {
    /// The office's time zone, for the times shown.
    zone: crate::clock::Zone,
    reports: BTreeMap<DeviceKind, DeviceReport>,
    /// The roles being tested now.
    running: Vec<DeviceKind>,
    /// The roles the booth has a device for (all but a touchscreen signature).
    roles: Vec<DeviceKind>,
    error: Option<String>,
    discovery: Option<Discovery>,
    discovering: bool,
    history: Vec<SelftestEntry>,
    /// Whether device choices can be saved (the booth runs on a config file, not the built-in).
    can_save: bool,
    assigned: Option<Result<String, TechnicianError>>,
    blanks: Option<BlankStock>,
    /// Blank cards typed on the keypad.
    count: String,
    /// Where the booth's keys are (none shown when the area is opened without a booth).
    keys: Option<KeyPlace>,
}

impl State {
    /// Opens the area; the requests look for devices, read the history and the stock.
    pub fn open(
        roles: Vec<DeviceKind>,
        can_save: bool,
        zone: crate::clock::Zone,
    ) -> (Self, [Request; 3]) {
        let state = Self {
            roles,
            zone,
            discovering: true,
            can_save,
            ..Self::default()
        };
        (state, [Request::Discover, Request::History, Request::Stock])
    }

    /// Shows where the booth's keys are, loudly when they are in files.
    pub fn with_keys(mut self, keys: KeyPlace) -> Self {
        self.keys = Some(keys);
        self
    }

    pub fn report(&self, kind: DeviceKind) -> Option<&DeviceReport> {
        self.reports.get(&kind)
    }

    pub fn blanks(&self) -> Option<BlankStock> {
        self.blanks
    }
}

impl Page for State {
    type Message = Message;
    type Request = Request;

    fn update(&mut self, message: Message) -> Action<Request> {
        match message {
            Message::Back => return Action::Go(Nav::Home),
            Message::Dashboard => {
                return Action::Go(Nav::Dashboard(super::dashboard::From::Technician))
            }
            Message::TestAll | Message::Test(_) if !self.running.is_empty() => {}
            Message::TestAll => {
                self.error = None;
                self.running = self.roles.clone();
                return Action::Run(Request::Test(Vec::new()));
            }
            Message::Test(kind) => {
                self.error = None;
                self.running = vec![kind];
                return Action::Run(Request::Test(vec![kind]));
            }
            Message::Tested(Ok(reports)) => {
                self.running.clear();
                for r in reports {
                    self.reports.insert(r.kind, r);
                }
                return Action::Run(Request::History);
            }
            Message::Tested(Err(e)) => {
                self.running.clear();
                self.error = Some(e.to_string());
            }
            Message::Discover => {
                if !self.discovering {
                    self.discovering = true;
                    return Action::Run(Request::Discover);
                }
            }
            Message::Discovered(r) => {
                self.discovering = false;
                match r {
                    Ok(d) => self.discovery = Some(*d),
                    Err(e) => self.error = Some(e.to_string()),
                }
            }
            Message::History(Ok(h)) => self.history = h,
            Message::History(Err(e)) => self.error = Some(e),
            Message::Assign(index, role, driver) => {
                let Some(found) = self.discovery.as_ref().and_then(|d| d.found.get(index)) else {
                    return Action::None;
                };
                if self.can_save {
                    let what = format!("{} → {}", found.id, role.as_str());
                    return Action::Run(Request::Assign(role, found.settings(driver), what));
                }
            }
            Message::Assigned(r) => self.assigned = Some(r),
            Message::BlanksKey(k) => keypad::apply(&mut self.count, k, 4),
            Message::LoadBlanks | Message::CountBlanks => {
                let Ok(n) = self.count.parse::<u32>() else {
                    return Action::None;
                };
                self.count.clear();
                return Action::Run(if matches!(message, Message::LoadBlanks) {
                    Request::LoadBlanks(n)
                } else {
                    Request::CountBlanks(n)
                });
            }
            Message::Blanks(Ok(stock)) => self.blanks = Some(stock),
            Message::Blanks(Err(e)) => self.error = Some(e.to_string()),
        }
        Action::None
    }

    /// The blanks keypad takes a keyboard's digits and Backspace; Enter is its primary button
    /// (load), as on every other keypad.
    fn typed(&self, typed: Typed, _at: std::time::Instant) -> Option<Message> {
        match typed {
            Typed::Enter => (!self.count.is_empty()).then_some(Message::LoadBlanks),
            t => t.keypad().map(Message::BlanksKey),
        }
    }

    fn perform(ctx: Ctx, request: Request) -> Task<Message> {
        let Ctx { service, who } = ctx;
        match request {
            Request::Test(roles) => Task::perform(
                async move { service.self_test(&who, roles).await },
                Message::Tested,
            ),
            Request::Discover => Task::perform(
                async move { service.discover(&who).await.map(Box::new) },
                Message::Discovered,
            ),
            Request::History => Task::perform(
                async move {
                    service
                        .selftest_history(HISTORY)
                        .await
                        .map_err(|e| e.to_string())
                },
                Message::History,
            ),
            Request::Assign(role, settings, what) => Task::perform(
                async move { service.assign(&who, role, settings).await.map(|_| what) },
                Message::Assigned,
            ),
            Request::LoadBlanks(n) => Task::perform(
                async move { service.load_blanks(&who, n).await },
                Message::Blanks,
            ),
            Request::CountBlanks(n) => Task::perform(
                async move { service.count_blanks(&who, n).await },
                Message::Blanks,
            ),
            Request::Stock => Task::perform(
                async move { service.blank_stock().await.map_err(TechnicianError::from) },
                Message::Blanks,
            ),
        }
    }
}

impl State {
    pub fn view(&self, lang: Lang) -> Element<'_, Message> {
        let idle = self.running.is_empty();
        let header = row![
            text(t!(lang, "tech-title"))
                .size(theme::TITLE)
                .width(Length::Fill),
            theme::action(
                t!(lang, "tech-test-all"),
                Kind::Primary,
                idle.then_some(Message::TestAll)
            )
            .width(Length::Fixed(300.0)),
            theme::action(
                t!(lang, "dash-open"),
                Kind::Secondary,
                Some(Message::Dashboard)
            )
            .width(Length::Fixed(220.0)),
            theme::back(t!(lang, "back"), Some(Message::Back)).width(Length::Fixed(200.0)),
        ]
        .spacing(theme::GAP);
        let mut list = column![].spacing(theme::GAP);
        if let Some(e) = &self.error {
            list = list.push(theme::alert(e.clone()));
        }
        if let Some(keys) = &self.keys {
            list = list.push(keys_view(lang, keys));
        }
        // What is plugged in first: a technician finds, then checks, then fixes.
        list = list.push(self.discovery_view(lang));
        for &kind in &self.roles {
            list = list.push(self.device_view(lang, kind, idle));
        }
        list = list.push(self.blanks_view(lang));
        list = list.push(self.history_view(lang));
        theme::page(
            column![
                header,
                text(t!(lang, "tech-intro")).size(theme::BODY),
                drag_scroll(scrollable(list).height(Length::Fill)),
            ]
            .spacing(theme::GAP),
        )
    }

    fn discovery_view(&self, lang: Lang) -> Element<'_, Message> {
        let mut c = column![row![
            text(t!(lang, "tech-found"))
                .size(theme::HEADING)
                .width(Length::Fill),
            theme::action(
                t!(lang, "tech-rescan"),
                Kind::Secondary,
                (!self.discovering).then_some(Message::Discover)
            )
            .width(Length::Fixed(220.0)),
        ]
        .align_y(iced::Alignment::Center)]
        .spacing(6);
        match &self.discovery {
            None => c = c.push(text(t!(lang, "tech-searching")).size(theme::BODY)),
            Some(d) => {
                if d.found.is_empty() {
                    c = c.push(text(t!(lang, "tech-none-found")).size(theme::BODY));
                }
                for (i, f) in d.found.iter().enumerate() {
                    let style: fn(&iced::Theme) -> text::Style = if f.problem.is_some() {
                        text::danger
                    } else {
                        text::default
                    };
                    let mut lines = found_lines(lang, f).into_iter();
                    if let Some(first) = lines.next() {
                        // A bare serial port or USB printer has no description beyond its
                        // kind, which the line already says.
                        let generic = f.usb.is_none()
                            && matches!(f.kind, FoundKind::SerialPort | FoundKind::UsbPrinter);
                        let mut detail = if generic {
                            String::new()
                        } else {
                            f.description.clone()
                        };
                        if let Some(serial) = f.usb.as_ref().and_then(|u| u.serial.as_ref()) {
                            detail.push_str(&format!(" · {serial}"));
                        }
                        c = c.push(with_detail(first, theme::SMALL, text::default, detail));
                    }
                    for line in lines {
                        c = c.push(text(line).size(theme::SMALL).style(style));
                    }
                    if let Some(id) = f.sbi.as_ref().and_then(|id| id.certificate.clone()) {
                        c = c.push(text(id).size(DETAIL).style(crate::widgets::theme::muted));
                    }
                    if let Some(p) = &f.problem {
                        c = c.push(
                            text(p.detail.clone())
                                .size(DETAIL)
                                .style(crate::widgets::theme::muted),
                        );
                    }
                    let can_save = self.can_save;
                    let buttons = f.roles.iter().map(|o| {
                        theme::action(
                            t!(
                                lang,
                                "tech-use-as",
                                device = f.id.clone(),
                                role = tr(lang, &format!("role-{}", o.role.as_str()))
                            ),
                            Kind::Secondary,
                            can_save.then_some(Message::Assign(i, o.role, o.driver)),
                        )
                        .width(Length::Fixed(372.0))
                        .into()
                    });
                    c = c.push(row(buttons).spacing(theme::GAP / 2.0));
                }
                if !self.can_save && !d.found.is_empty() {
                    c = c.push(text(t!(lang, "tech-builtin-config")).size(theme::SMALL));
                }
                match &self.assigned {
                    Some(Ok(what)) => {
                        c = c.push(
                            text(t!(lang, "tech-assigned", what = what.clone()))
                                .size(theme::BODY)
                                .style(text::success),
                        )
                    }
                    Some(Err(e)) => {
                        c = c.push(theme::alert(t!(
                            lang,
                            "tech-assign-failed",
                            reason = e.to_string()
                        )))
                    }
                    None => {}
                }
                for n in &d.notes {
                    c = c.push(with_detail(
                        note_line(lang, n),
                        theme::SMALL,
                        crate::widgets::theme::muted,
                        n.detail.clone(),
                    ));
                }
            }
        }
        theme::panel(c)
    }

    fn blanks_view(&self, lang: Lang) -> Element<'_, Message> {
        let stock = match self.blanks {
            Some(b) => t!(
                lang,
                "tech-blanks-stock",
                on_hand = b.on_hand,
                used = b.used,
                spoiled = b.spoiled
            ),
            None => t!(lang, "queue-loading"),
        };
        let typed = if self.count.is_empty() {
            t!(lang, "tech-blanks-enter")
        } else {
            self.count.clone()
        };
        let can = !self.count.is_empty();
        theme::panel(
            row![
                column![
                    text(t!(lang, "tech-blanks")).size(theme::HEADING),
                    text(stock).size(theme::BODY),
                    text(typed).size(theme::TITLE),
                    row![
                        theme::action(
                            t!(lang, "tech-blanks-load"),
                            Kind::Primary,
                            can.then_some(Message::LoadBlanks)
                        ),
                        theme::action(
                            t!(lang, "tech-blanks-count"),
                            Kind::Secondary,
                            can.then_some(Message::CountBlanks)
                        ),
                    ]
                    .spacing(theme::GAP),
                ]
                .spacing(theme::GAP / 2.0)
                .width(Length::Fill),
                keypad::view(Message::BlanksKey),
            ]
            .spacing(theme::GAP),
        )
    }

    fn history_view(&self, lang: Lang) -> Element<'_, Message> {
        let mut c = column![text(t!(lang, "tech-history")).size(theme::HEADING)].spacing(4);
        if self.history.is_empty() {
            c = c.push(text(t!(lang, "tech-history-empty")).size(theme::BODY));
        }
        for h in &self.history {
            // The summary is the first failed check ("name: detail") or the error's words: the
            // check is named in `lang`, the words are detail.
            let (what, detail) = match h.summary.split_once(": ") {
                Some((name, rest)) if CheckKind::of(name) != CheckKind::Other => (
                    tr(lang, &format!("check-{}", CheckKind::of(name).as_str())),
                    rest.to_string(),
                ),
                _ => (String::new(), h.summary.clone()),
            };
            c = c.push(with_detail(
                format!(
                    "{}  {}  {} {} ({})  {}",
                    crate::papers::receipt::local_datetime(h.at, self.zone),
                    if h.passed { "✓" } else { "✗" },
                    tr(lang, &format!("role-{}", h.role)),
                    h.model,
                    h.serial,
                    what
                ),
                theme::SMALL,
                if h.passed {
                    text::default
                } else {
                    text::danger
                },
                detail,
            ));
        }
        theme::panel(c)
    }

    fn device_view(&self, lang: Lang, kind: DeviceKind, idle: bool) -> Element<'_, Message> {
        let role = tr(lang, &format!("role-{}", kind.as_str()));
        let (status, style): (String, fn(&iced::Theme) -> text::Style) =
            if self.running.contains(&kind) {
                (t!(lang, "tech-testing"), text::default)
            } else {
                match self.reports.get(&kind) {
                    None => (t!(lang, "tech-untested"), crate::widgets::theme::muted),
                    Some(r) if r.passed => (t!(lang, "tech-passed"), text::success),
                    Some(_) => (t!(lang, "tech-failed"), text::danger),
                }
            };
        let mut body = column![row![
            text(role).size(theme::HEADING).width(Length::Fill),
            text(status).size(theme::HEADING).style(style),
            theme::action(
                t!(lang, "tech-test-one"),
                Kind::Secondary,
                idle.then_some(Message::Test(kind))
            )
            .width(Length::Fixed(160.0)),
        ]
        .spacing(theme::GAP)
        .align_y(iced::Alignment::Center)]
        .spacing(6);
        if let Some(r) = self.reports.get(&kind) {
            body = body.push(
                text(t!(
                    lang,
                    "tech-identity",
                    model = r.model.clone(),
                    serial = r.serial.clone(),
                    firmware = r.firmware.clone(),
                    driver = driver_name(lang, &r.driver),
                    ms = r.duration_ms
                ))
                .size(theme::SMALL),
            );
            for c in &r.checks {
                let (line, detail) = check_line(lang, c);
                body = body.push(with_detail(
                    line,
                    theme::SMALL,
                    if c.passed {
                        text::default
                    } else {
                        text::danger
                    },
                    detail,
                ));
            }
            if let Some(e) = &r.error {
                body = body.push(with_detail(
                    tr(lang, &format!("device-error-{}", e.kind.as_str())),
                    theme::SMALL,
                    text::danger,
                    e.message.clone(),
                ));
            }
            if let Some(advice) = r.advice.or((!r.passed).then_some(Advice::SeeDetail)) {
                body = body.push(text(advice_line(lang, advice)).size(theme::BODY));
            }
        }
        theme::panel(body)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::booth::discovery::{NoteKind, ProblemKind};
    use ktpel_hal::{Check, ErrorKind};
    use ktpel_sbi::CertTrust;

    /// Every key the area builds from a kind exists in both languages (a missing one would
    /// show as ⟦key⟧).
    #[test]
    fn every_kind_the_area_shows_is_translated() {
        let mut keys: Vec<String> = CheckKind::ALL
            .iter()
            .filter(|k| **k != CheckKind::Other)
            .map(|k| format!("check-{}", k.as_str()))
            .collect();
        keys.extend(
            Advice::ALL
                .iter()
                .map(|a| format!("tech-advice-{}", a.as_str())),
        );
        keys.extend(
            FoundKind::ALL
                .iter()
                .map(|k| format!("found-{}", k.as_str())),
        );
        keys.extend(
            ProblemKind::ALL
                .iter()
                .map(|k| format!("found-problem-{}", k.as_str())),
        );
        keys.extend(
            NoteKind::ALL
                .iter()
                .map(|k| format!("found-note-{}", k.as_str())),
        );
        keys.extend(
            [
                CertTrust::Trusted,
                CertTrust::Untrusted,
                CertTrust::NotPinned,
                CertTrust::Unsigned,
            ]
            .iter()
            .map(|t| format!("cert-trust-{}", t.as_str())),
        );
        keys.extend(
            [
                "sim",
                "zfm",
                "isdv4",
                "escpos",
                "sbi",
                "uvc",
                "pcsc",
                "ipp",
                "touchscreen",
            ]
            .iter()
            .map(|d| format!("driver-{d}")),
        );
        keys.push(format!("device-error-{}", ErrorKind::AccessDenied.as_str()));
        keys.extend(
            ["tech-keys-tpm", "tech-keys-files", "tech-keys-files-advice"].map(String::from),
        );
        for k in keys {
            for lang in [Lang::Id, Lang::En] {
                assert!(!tr(lang, &k).starts_with('⟦'), "{k} in {lang:?}");
            }
        }
    }

    /// What the area showed in English inside the Indonesian UI: "connection: camera
    /// answers", "card readers: not_present: …". Now the check and the note are named in
    /// Indonesian by kind, and the driver's words come after, as detail.
    #[test]
    fn checks_and_notes_read_in_indonesian_with_the_drivers_words_as_detail() {
        let (line, detail) =
            check_line(Lang::Id, &Check::new("connection", true, "camera answers"));
        assert_eq!(line, "✓  Koneksi");
        assert_eq!(detail, "camera answers");
        let failed = Check::failed("handshake", ErrorKind::Timeout, "silent");
        assert_eq!(
            check_line(Lang::Id, &failed).0,
            "✗  Jabat tangan (kata sandi)"
        );
        assert_eq!(check_line(Lang::En, &failed).0, "✗  Handshake (password)");
        // Every check a driver of this booth names reads in Indonesian, not as its English name.
        for k in CheckKind::ALL.iter().filter(|k| **k != CheckKind::Other) {
            let id = tr(Lang::Id, &format!("check-{}", k.as_str()));
            let en = tr(Lang::En, &format!("check-{}", k.as_str()));
            assert_ne!(id, en, "{k:?} is not translated");
        }
        let note = Note {
            kind: NoteKind::CardReaders,
            detail: "not_present: no readers".into(),
        };
        assert_eq!(
            note_line(Lang::Id, &note),
            "Pembaca kartu (PC/SC) tidak dapat dicari."
        );
        assert_eq!(
            advice_line(Lang::Id, Advice::CheckAddressPasswordSpeed),
            tr(Lang::Id, "tech-advice-check_address_password_speed")
        );
        assert!(advice_line(Lang::Id, Advice::CheckAddressPasswordSpeed).contains("alamat"));
        assert_eq!(driver_name(Lang::Id, "sim"), "simulasi");
    }

    /// An SBI device found reads with who it is and its certificate's trust, in Indonesian.
    #[test]
    fn a_found_sbi_device_shows_identity_and_trust() {
        use crate::booth::discovery::{Problem, SbiIdentity};
        let f = Found {
            kind: FoundKind::SbiDevice,
            id: "4501".into(),
            description: "SBI Iris device 7 (Ready) on 127.0.0.1:4501".into(),
            usb: None,
            roles: Vec::new(),
            problem: Some(Problem {
                kind: ProblemKind::UntrustedCertificate,
                detail: "certificate AB… is not in trusted_certificates".into(),
            }),
            sbi: Some(SbiIdentity {
                make: "Acme".into(),
                model: "IR-2".into(),
                serial: "SN42".into(),
                firmware: "3.1".into(),
                certificate: Some("AB".repeat(32)),
                trust: CertTrust::Untrusted,
            }),
        };
        let lines = found_lines(Lang::Id, &f);
        assert_eq!(lines[0], "Perangkat SBI · 4501");
        assert_eq!(lines[1], "Acme IR-2 · seri SN42 · firmware 3.1");
        assert_eq!(lines[2], "Sertifikat: tidak tepercaya");
        assert!(lines[3].contains("sertifikat"), "{lines:?}");
    }

    #[test]
    fn one_test_at_a_time_and_blanks_are_loaded_by_the_count_typed() {
        let (mut s, first) = State::open(
            vec![DeviceKind::Camera, DeviceKind::CardPrinter],
            false,
            crate::clock::Zone::Wib,
        );
        assert_eq!(first.len(), 3);
        assert!(
            matches!(s.update(Message::TestAll).runs(), Some(Request::Test(r)) if r.is_empty())
        );
        assert!(
            matches!(s.update(Message::Test(DeviceKind::Camera)), Action::None),
            "one run at a time"
        );
        s.update(Message::Tested(Ok(vec![])));
        assert!(
            matches!(s.update(Message::Test(DeviceKind::Camera)).runs(), Some(Request::Test(r)) if r == &[DeviceKind::Camera])
        );
        assert!(
            matches!(s.update(Message::LoadBlanks), Action::None),
            "nothing typed"
        );
        for d in [2, 5] {
            s.update(Message::BlanksKey(Key::Digit(d)));
        }
        assert!(matches!(
            s.update(Message::LoadBlanks).runs(),
            Some(Request::LoadBlanks(25))
        ));
        assert!(s.count.is_empty());
    }
}
