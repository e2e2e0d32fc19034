//! The kiosk window. Until the kiosk's screens land (see the issue "The kiosk"), this is the
//! booth's status window: it starts the booth (queue, centre, transmitter) in the background and
//! shows the queue as it drains. It never waits on the disk or the network: the booth starts
//! and the queue is read in tasks.

use iced::widget::{column, container, row, text};
use iced::{Element, Font, Length, Subscription, Task};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use crate::booth::Booth;
use crate::clock::Clock;
use crate::config::Config;
use crate::queue::{Counts, State};
use crate::transmit::TransmitterHandle;

pub const FONT_REGULAR: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
pub const FONT_BOLD: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");
pub const FONT: Font = Font::with_name("DejaVu Sans");

/// Whether a window can be opened at all; iced panics without a display.
pub fn display_available() -> Result<(), String> {
    match std::env::var_os("DISPLAY") {
        Some(d) if !d.is_empty() => Ok(()),
        _ => Err(
            "no display: the kiosk needs an X11 display (DISPLAY is not set). \
                  On a headless machine run it under Xvfb, e.g. \
                  `Xvfb :99 & DISPLAY=:99 ktpel-booth`, or use the CLI commands (--help)."
                .into(),
        ),
    }
}

pub fn run_kiosk(config: Config, data_dir: PathBuf) -> ExitCode {
    if let Err(why) = display_available() {
        eprintln!("ktpel-booth: {why}");
        return ExitCode::from(3);
    }
    let title = format!("Perekaman KTP-el — {}", config.booth.office);
    let result = iced::application(
        move || Kiosk::boot(config.clone(), data_dir.clone()),
        Kiosk::update,
        Kiosk::view,
    )
    .title(move |_: &Kiosk| title.clone())
    .subscription(Kiosk::subscription)
    .font(FONT_REGULAR)
    .font(FONT_BOLD)
    .default_font(FONT)
    .window_size((1280.0, 800.0))
    .run();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ktpel-booth: the kiosk window failed: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The running booth, shared with tasks.
pub struct Running {
    pub booth: Booth,
    pub transmitter: TransmitterHandle,
}

impl std::fmt::Debug for Running {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Running({})", self.booth.config.booth.id)
    }
}

#[derive(Debug, Clone)]
pub enum Message {
    Started(Result<Arc<Running>, String>),
    Tick,
    Counts(Result<Counts, String>),
}

pub enum Kiosk {
    Starting {
        office: String,
    },
    Failed(String),
    Ready {
        running: Arc<Running>,
        counts: Option<Counts>,
        error: Option<String>,
    },
}

async fn start(config: Config, data_dir: PathBuf) -> Result<Arc<Running>, String> {
    let booth = Booth::start(config, data_dir, Clock::System)
        .await
        .map_err(|e| e.to_string())?;
    let transmitter = booth.transmitter().spawn();
    Ok(Arc::new(Running { booth, transmitter }))
}

impl Kiosk {
    fn boot(config: Config, data_dir: PathBuf) -> (Self, Task<Message>) {
        let office = config.booth.office.clone();
        (
            Kiosk::Starting { office },
            Task::perform(start(config, data_dir), Message::Started),
        )
    }

    fn update(&mut self, message: Message) -> Task<Message> {
        match message {
            Message::Started(Ok(running)) => {
                *self = Kiosk::Ready {
                    running,
                    counts: None,
                    error: None,
                };
                Task::done(Message::Tick)
            }
            Message::Started(Err(e)) => {
                *self = Kiosk::Failed(e);
                Task::none()
            }
            Message::Tick => {
                let Kiosk::Ready { running, .. } = self else {
                    return Task::none();
                };
                let queue = running.booth.queue.clone();
                Task::perform(
                    async move { queue.counts().await.map_err(|e| e.to_string()) },
                    Message::Counts,
                )
            }
            Message::Counts(result) => {
                if let Kiosk::Ready { counts, error, .. } = self {
                    match result {
                        Ok(c) => {
                            *counts = Some(c);
                            *error = None;
                        }
                        Err(e) => *error = Some(e),
                    }
                }
                Task::none()
            }
        }
    }

    fn subscription(&self) -> Subscription<Message> {
        match self {
            Kiosk::Ready { .. } => iced::time::every(Duration::from_secs(1)).map(|_| Message::Tick),
            _ => Subscription::none(),
        }
    }

    fn view(&self) -> Element<'_, Message> {
        let body: Element<'_, Message> = match self {
            Kiosk::Starting { office } => column![
                text("Perekaman KTP-el").size(48),
                text(office.as_str()).size(28),
                text("Menyiapkan loket…").size(28),
            ]
            .spacing(24)
            .into(),
            Kiosk::Failed(e) => column![
                text("Loket tidak dapat dimulai").size(48),
                text(e.as_str()).size(24),
            ]
            .spacing(24)
            .into(),
            Kiosk::Ready {
                running,
                counts,
                error,
            } => {
                let cfg = &running.booth.config;
                let centre = match &running.booth.embedded {
                    Some(sim) => format!("Pusat: simulator tertanam di {}", sim.base_url()),
                    None => "Pusat: jarak jauh".to_string(),
                };
                let mut lines = column![
                    text("Perekaman KTP-el").size(48),
                    text(cfg.booth.office.as_str()).size(28),
                    text(format!("Loket {} · {}", cfg.booth.number, cfg.booth.id)).size(24),
                    text(centre).size(22),
                ]
                .spacing(16);
                if let Some(c) = counts {
                    let cell = |label: &'static str, n: u64| {
                        column![text(n.to_string()).size(44), text(label).size(20)]
                            .spacing(4)
                            .width(Length::Fixed(150.0))
                    };
                    lines = lines.push(
                        row![
                            cell("Belum terkirim", c.unsent()),
                            cell("Menunggu hasil", c.get(State::Received)),
                            cell("Siap cetak", c.get(State::PrintReady)),
                            cell("Perlu tindak lanjut", {
                                c.get(State::Duplicate)
                                    + c.get(State::Adjudicate)
                                    + c.get(State::EnrollFailure)
                            }),
                            cell("Bukti rekam", c.receipts_due),
                            cell("Selesai", c.get(State::Issued) + c.get(State::PickedUp)),
                        ]
                        .spacing(16),
                    );
                    if let Some(e) = &c.last_error {
                        lines =
                            lines.push(text(format!("Galat pengiriman terakhir: {e}")).size(20));
                    }
                }
                if let Some(e) = error {
                    lines = lines.push(text(format!("Antrean: {e}")).size(20));
                }
                lines.into()
            }
        };
        container(body)
            .padding(48)
            .width(Length::Fill)
            .height(Length::Fill)
            .into()
    }
}
