//! The technician area (signed in with a technician's PIN): every configured device with its
//! identity, a self-test per device or all at once, what each test checked, and what to look at
//! next when one fails. The tests run on a worker thread; the screen stays live meanwhile.

use iced::widget::{column, row, scrollable, text};
use iced::{Element, Length, Task};
use ktpel_hal::DeviceKind;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use crate::devices::Devices;
use crate::selftest::{self, DeviceReport};
use crate::t;
use crate::ui::i18n::{tr, Lang};
use crate::ui::theme::{self, Kind};

#[derive(Debug, Clone)]
pub enum Message {
    TestAll,
    Test(DeviceKind),
    Tested(Result<Vec<DeviceReport>, String>),
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
}

impl State {
    pub fn new(roles: Vec<DeviceKind>) -> Self {
        Self {
            roles,
            ..Self::default()
        }
    }

    pub fn report(&self, kind: DeviceKind) -> Option<&DeviceReport> {
        self.reports.get(&kind)
    }

    pub fn update(
        &mut self,
        message: Message,
        devices: &Arc<Mutex<Devices>>,
    ) -> (Task<Message>, Option<Event>) {
        let which = match message {
            Message::Back => return (Task::none(), Some(Event::Back)),
            Message::Tested(Ok(reports)) => {
                self.running.clear();
                for r in reports {
                    self.reports.insert(r.kind, r);
                }
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
        for &kind in &self.roles {
            list = list.push(self.device_view(lang, kind, idle));
        }
        theme::page(
            column![
                header,
                text(t!(lang, "tech-intro")).size(theme::BODY),
                scrollable(list).height(Length::Fill),
            ]
            .spacing(theme::GAP),
        )
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
