//! The technician area (signed in with a technician's PIN): every configured device with its
//! identity, a self-test per device or all at once, what each test checked, and what to look at
//! next when one fails. The tests run on a worker thread; the screen stays live meanwhile.

use iced::widget::{column, row, scrollable, text};
use iced::{Element, Length, Task};
use ktpel_hal::DeviceKind;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use crate::devices::Devices;
use crate::discovery::Discovery;
use crate::queue::SelftestEntry;
use crate::selftest::{self, DeviceReport};

/// How many past tests the area shows.
const HISTORY: usize = 12;

fn discover() -> Task<Message> {
    Task::perform(
        async {
            tokio::task::spawn_blocking(crate::discovery::discover)
                .await
                .unwrap_or_default()
        },
        |d| Message::Discovered(Box::new(d)),
    )
}

fn history(running: &Arc<crate::ui::Running>) -> Task<Message> {
    let q = running.booth.queue.clone();
    Task::perform(
        async move {
            q.call(|s| s.selftest_history(HISTORY))
                .await
                .map_err(|e| e.to_string())
        },
        Message::History,
    )
}
use crate::t;
use crate::ui::i18n::{tr, Lang};
use crate::ui::theme::{self, Kind};

#[derive(Debug, Clone)]
pub enum Message {
    TestAll,
    Test(DeviceKind),
    Tested(Result<Vec<DeviceReport>, String>),
    /// Look again for plugged-in devices.
    Discover,
    Discovered(Box<Discovery>),
    History(Result<Vec<SelftestEntry>, String>),
    /// Put found device `index` in `role` with `driver`, in the config file.
    Assign(usize, DeviceKind, &'static str),
    Assigned(Result<String, String>),
    Back,
}

pub enum Event {
    Back,
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
    /// Where device choices are saved (`None`: the built-in config, which cannot be changed).
    config_path: Option<std::path::PathBuf>,
    assigned: Option<Result<String, String>>,
}

impl State {
    /// Opens the area: looks for devices and reads the test history, off the UI thread.
    pub fn open(
        roles: Vec<DeviceKind>,
        running: &Arc<crate::ui::Running>,
    ) -> (Self, Task<Message>) {
        let state = Self {
            roles,
            discovering: true,
            config_path: running.booth.config.source.clone(),
            ..Self::default()
        };
        (state, Task::batch([discover(), history(running)]))
    }

    pub fn report(&self, kind: DeviceKind) -> Option<&DeviceReport> {
        self.reports.get(&kind)
    }

    pub fn update(
        &mut self,
        message: Message,
        devices: &Arc<Mutex<Devices>>,
        running: Option<&Arc<crate::ui::Running>>,
    ) -> (Task<Message>, Option<Event>) {
        let which = match message {
            Message::Back => return (Task::none(), Some(Event::Back)),
            Message::Tested(Ok(reports)) => {
                self.running.clear();
                let Some(running) = running else {
                    return (Task::none(), None);
                };
                let keep = reports.clone();
                let q = running.clone();
                let record = async move {
                    let now = q.booth.clock.now();
                    q.booth
                        .queue
                        .call(move |s| s.record_selftests(&keep, now))
                        .await
                        .map_err(|e| e.to_string())?;
                    q.booth
                        .queue
                        .call(|s| s.selftest_history(HISTORY))
                        .await
                        .map_err(|e| e.to_string())
                };
                for r in reports {
                    self.reports.insert(r.kind, r);
                }
                return (Task::perform(record, Message::History), None);
            }
            Message::Discover => {
                if self.discovering {
                    return (Task::none(), None);
                }
                self.discovering = true;
                return (discover(), None);
            }
            Message::Discovered(d) => {
                self.discovering = false;
                self.discovery = Some(*d);
                return (Task::none(), None);
            }
            Message::History(Ok(h)) => {
                self.history = h;
                return (Task::none(), None);
            }
            Message::History(Err(e)) => {
                self.error = Some(e);
                return (Task::none(), None);
            }
            Message::Assign(index, role, driver) => {
                let (Some(path), Some(found)) = (
                    self.config_path.clone(),
                    self.discovery.as_ref().and_then(|d| d.found.get(index)),
                ) else {
                    return (Task::none(), None);
                };
                let settings = found.settings(driver);
                let what = format!("{} → {}", found.id, role.as_str());
                let work = async move {
                    tokio::task::spawn_blocking(move || {
                        crate::config_assign::assign_role(&path, role, &settings)
                            .map(|_| what)
                            .map_err(|e| e.to_string())
                    })
                    .await
                    .map_err(|e| e.to_string())?
                };
                return (Task::perform(work, Message::Assigned), None);
            }
            Message::Assigned(r) => {
                self.assigned = Some(r);
                return (Task::none(), None);
            }
            Message::Tested(Err(e)) => {
                self.running.clear();
                self.error = Some(e);
                return (Task::none(), None);
            }
            Message::TestAll => None,
            Message::Test(kind) => Some(kind),
        };
        if !self.running.is_empty() {
            return (Task::none(), None);
        }
        self.error = None;
        self.running = match which {
            Some(kind) => vec![kind],
            None => self.roles.clone(),
        };
        let devices = devices.clone();
        let work = async move {
            tokio::task::spawn_blocking(move || {
                let mut devices = devices
                    .lock()
                    .map_err(|_| "the devices are unavailable".to_string())?;
                Ok(match which {
                    Some(kind) => selftest::run_role(&mut devices, kind).into_iter().collect(),
                    None => selftest::run(&mut devices),
                })
            })
            .await
            .map_err(|e| e.to_string())?
        };
        (Task::perform(work, Message::Tested), None)
    }

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
                    let can_save = self.config_path.is_some();
                    let buttons = f.roles.iter().map(|o| {
                        theme::action(
                            t!(
                                lang,
                                "tech-use-as",
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
                if self.config_path.is_none() && !d.found.is_empty() {
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
                            reason = e.clone()
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

    fn history_view(&self, lang: Lang) -> Element<'_, Message> {
        let mut c = column![text(t!(lang, "tech-history")).size(theme::HEADING)].spacing(4);
        if self.history.is_empty() {
            c = c.push(text(t!(lang, "tech-history-empty")).size(theme::BODY));
        }
        for h in &self.history {
            c = c.push(
                text(format!(
                    "{}  {}  {} {} ({})  {}",
                    crate::receipt::wib_datetime(h.at),
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
