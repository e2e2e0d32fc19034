//! The technician area (signed in with a technician's PIN): every configured device with its
//! identity, a self-test per device or all at once (each on its device's worker, so a hung
//! device is reported busy while the others answer), what each test checked and what to look
//! at next when one fails, what is plugged in, and the blank-card stock.

use iced::widget::{column, row, scrollable, text};
use iced::{Element, Length, Task};
use ktpel_hal::DeviceKind;
use std::collections::BTreeMap;

use super::{Action, Ctx, Page};
use crate::booth::discovery::Discovery;
use crate::booth::selftest::DeviceReport;
use crate::booth::service::technician::TechnicianError;
use crate::kiosk::i18n::{tr, Lang};
use crate::kiosk::Nav;
use crate::queue::{BlankStock, SelftestEntry};
use crate::t;
use crate::widgets::keypad::{self, Key};
use crate::widgets::theme::{self, Kind};

/// How many past tests the area shows.
pub const HISTORY: usize = 12;

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
}

impl State {
    /// Opens the area; the requests look for devices, read the history and the stock.
    pub fn open(roles: Vec<DeviceKind>, can_save: bool) -> (Self, [Request; 3]) {
        let state = Self {
            roles,
            discovering: true,
            can_save,
            ..Self::default()
        };
        (state, [Request::Discover, Request::History, Request::Stock])
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
            theme::action(t!(lang, "back"), Kind::Secondary, Some(Message::Back))
                .width(Length::Fixed(200.0)),
        ]
        .spacing(theme::GAP);
        let mut list = column![].spacing(theme::GAP);
        if let Some(e) = &self.error {
            list = list.push(theme::alert(e.clone()));
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
                scrollable(list).height(Length::Fill),
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
                    c = c.push(
                        text(f.line())
                            .size(theme::SMALL)
                            .style(if f.problem.is_some() {
                                text::danger
                            } else {
                                text::default
                            }),
                    );
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
                        .width(Length::Fixed(300.0))
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
                    c = c.push(text(n.clone()).size(theme::SMALL).style(text::secondary));
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
            c = c.push(
                text(format!(
                    "{}  {}  {} {} ({})  {}",
                    crate::papers::receipt::wib_datetime(h.at),
                    if h.passed { "✓" } else { "✗" },
                    tr(lang, &format!("role-{}", h.role)),
                    h.model,
                    h.serial,
                    h.summary
                ))
                .size(theme::SMALL)
                .style(if h.passed {
                    text::default
                } else {
                    text::danger
                }),
            );
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
                    None => (t!(lang, "tech-untested"), text::secondary),
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
                    driver = r.driver.clone(),
                    ms = r.duration_ms
                ))
                .size(theme::SMALL),
            );
            for c in &r.checks {
                body = body.push(
                    text(format!(
                        "{}  {}: {}",
                        if c.passed { "✓" } else { "✗" },
                        c.name,
                        c.detail
                    ))
                    .size(theme::SMALL)
                    .style(if c.passed {
                        text::default
                    } else {
                        text::danger
                    }),
                );
            }
            if let Some(e) = &r.error {
                body = body.push(
                    text(t!(lang, "device-error-detail", detail = e.message.clone()))
                        .size(theme::SMALL)
                        .style(text::danger),
                );
            }
            if let Some(kind) = r
                .failure()
                .or((!r.passed).then_some(ktpel_hal::ErrorKind::Other))
            {
                body = body.push(
                    text(tr(lang, &format!("device-error-{}", kind.as_str()))).size(theme::BODY),
                );
            }
        }
        theme::panel(body)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn one_test_at_a_time_and_blanks_are_loaded_by_the_count_typed() {
        let (mut s, first) = State::open(vec![DeviceKind::Camera, DeviceKind::CardPrinter], false);
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
