//! The service dashboard (supervisor and technician): today's numbers and plots — SOP step
//! times against the standard, recordings per hour, the verdict mix, backlog and link rate over
//! the day, blank stock — from the queue's statistics, which hold nothing personal. The plots
//! are drawn off the UI thread (in both languages at once, so the language key does not wait)
//! and shown as images; the supervisor writes the daily report from here.

use iced::widget::image::Handle;
use iced::widget::{column, image, row, scrollable, text};
use iced::{Element, Length, Task};

use super::{Action, Ctx, Page};
use crate::booth::report::plots::{self, Labels, Plot};
use crate::booth::report::{self, Header};
use crate::kiosk::i18n::{tr, Lang};
use crate::kiosk::Nav;
use crate::queue::DayStats;
use crate::t;
use crate::widgets::drag_scroll::drag_scroll;
use crate::widgets::theme::{self, Kind};

/// A plot's size on screen, in pixels (drawn at this size: no scaling blur).
pub const PLOT_W: u32 = 560;
pub const PLOT_H: u32 = 330;

/// The area the dashboard was opened from (and goes back to).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum From {
    Supervisor,
    Technician,
}

/// The day's plots, drawn for each language.
#[derive(Debug, Clone)]
pub struct Drawn {
    pub stats: DayStats,
    pub id: Vec<Handle>,
    pub en: Vec<Handle>,
}

#[derive(Debug, Clone)]
pub enum Message {
    Loaded(Result<Box<Drawn>, String>),
    WriteReport,
    /// The report's PDF path, or why it was not written.
    Written(Result<String, String>),
    Back,
}

#[derive(Debug)]
pub enum Request {
    Load,
    WriteReport,
}

pub struct State {
    from: From,
    drawn: Option<Drawn>,
    error: Option<String>,
    writing: bool,
    written: Option<Result<String, String>>,
}

impl State {
    pub fn open(from: From) -> (Self, Request) {
        (
            Self {
                from,
                drawn: None,
                error: None,
                writing: false,
                written: None,
            },
            Request::Load,
        )
    }

    /// Whether the daily report can be written here (the supervisor's).
    fn reports(&self) -> bool {
        self.from == From::Supervisor
    }
}

/// The plots' words in `lang`, from the kiosk's translations.
pub fn labels(lang: Lang) -> Labels {
    Labels {
        step_times: tr(lang, "dash-plot-steps"),
        per_hour: tr(lang, "dash-plot-per-hour"),
        verdicts: tr(lang, "dash-plot-verdicts"),
        backlog: tr(lang, "dash-plot-backlog"),
        link_rate: tr(lang, "dash-plot-link"),
        blank_stock: tr(lang, "dash-plot-blanks"),
        seconds: tr(lang, "dash-axis-seconds"),
        hour: tr(lang, "dash-axis-hour"),
        records: tr(lang, "dash-axis-records"),
        kbps: tr(lang, "dash-axis-kbps"),
        cards: tr(lang, "dash-axis-cards"),
        no_data: tr(lang, "dash-no-data"),
        over_standard: t!(lang, "dash-over-standard", percent = "{}"),
        steps: [
            tr(lang, "step-documents"),
            tr(lang, "step-verify"),
            tr(lang, "step-record"),
        ],
        verdict_names: [
            tr(lang, "dash-verdict-print_ready"),
            tr(lang, "dash-verdict-duplicate"),
            tr(lang, "dash-verdict-adjudicate"),
            tr(lang, "dash-verdict-enroll_failure"),
        ],
    }
}

/// Every plot of `stats` in `lang`, as image handles.
fn draw(stats: &DayStats, lang: Lang) -> Result<Vec<Handle>, plots::PlotError> {
    let labels = labels(lang);
    Plot::ALL
        .iter()
        .map(|p| {
            let b = plots::render(*p, stats, &labels, PLOT_W, PLOT_H)?;
            Ok(Handle::from_rgba(b.width, b.height, b.rgba()))
        })
        .collect()
}

impl Page for State {
    type Message = Message;
    type Request = Request;

    fn update(&mut self, message: Message) -> Action<Request> {
        match message {
            Message::Loaded(Ok(d)) => {
                self.drawn = Some(*d);
                self.error = None;
            }
            Message::Loaded(Err(e)) => self.error = Some(e),
            Message::WriteReport if self.reports() && !self.writing => {
                self.writing = true;
                self.written = None;
                return Action::Run(Request::WriteReport);
            }
            Message::WriteReport => {}
            Message::Written(r) => {
                self.writing = false;
                self.written = Some(r);
            }
            Message::Back => {
                return Action::Go(match self.from {
                    From::Supervisor => Nav::Supervisor,
                    From::Technician => Nav::Technician,
                })
            }
        }
        Action::None
    }

    fn perform(ctx: Ctx, request: Request) -> Task<Message> {
        let config = ctx.service.config().clone();
        let zone = config.booth.time_zone;
        let now = ctx.service.clock().now();
        let day = zone.offset().to_datetime(now).date();
        let queue = ctx.service.queue().clone();
        match request {
            Request::Load => Task::perform(
                async move {
                    let stats = queue
                        .call(move |s| s.day_stats(day, zone))
                        .await
                        .map_err(|e| e.to_string())?;
                    tokio::task::spawn_blocking(move || {
                        let id = draw(&stats, Lang::Id).map_err(|e| e.to_string())?;
                        let en = draw(&stats, Lang::En).map_err(|e| e.to_string())?;
                        Ok(Box::new(Drawn { stats, id, en }))
                    })
                    .await
                    .map_err(|e| e.to_string())?
                },
                Message::Loaded,
            ),
            Request::WriteReport => Task::perform(
                async move {
                    let stats = queue
                        .call(move |s| s.day_stats(day, zone))
                        .await
                        .map_err(|e| e.to_string())?;
                    let dir = config.data_dir().join("laporan");
                    let header = Header::new(&config, now);
                    tokio::task::spawn_blocking(move || report::write(&dir, &header, &stats))
                        .await
                        .map_err(|e| e.to_string())?
                        .map(|w| w.pdf.display().to_string())
                        .map_err(|e| e.to_string())
                },
                Message::Written,
            ),
        }
    }
}

impl State {
    pub fn view(&self, lang: Lang) -> Element<'_, Message> {
        let mut body = column![].spacing(theme::GAP);
        if let Some(e) = &self.error {
            body = body.push(theme::alert(e.clone()));
        }
        let title = match &self.drawn {
            Some(d) => t!(lang, "dash-title", day = d.stats.day.to_string()),
            None => tr(lang, "dash-title-loading"),
        };
        match &self.drawn {
            None => body = body.push(text(t!(lang, "queue-loading")).size(theme::BODY)),
            Some(d) => {
                let c = &d.stats.counts;
                body = body.push(theme::panel(
                    text(t!(
                        lang,
                        "dash-counts",
                        recorded = c.recorded,
                        sent = c.sent,
                        rejected = c.rejected,
                        print_ready = c.print_ready,
                        issued = c.issued,
                        receipts = c.receipts,
                        picked_up = c.picked_up,
                        duplicates = c.duplicates,
                        failures = c.failures,
                        complaints = c.complaints,
                        blanks_used = c.blanks_used,
                        blanks_spoiled = c.blanks_spoiled
                    ))
                    .size(theme::BODY),
                ));
                let handles = match lang {
                    Lang::Id => &d.id,
                    Lang::En => &d.en,
                };
                let mut grid = column![].spacing(8);
                for pair in handles.chunks(2) {
                    let mut r = row![].spacing(8);
                    for h in pair {
                        r = r.push(
                            image(h.clone())
                                .width(Length::Fixed(PLOT_W as f32))
                                .height(Length::Fixed(PLOT_H as f32)),
                        );
                    }
                    grid = grid.push(r);
                }
                body = body.push(grid);
            }
        }
        let mut actions = row![].spacing(theme::GAP);
        if self.reports() {
            let label = if self.writing {
                t!(lang, "dash-report-writing")
            } else {
                t!(lang, "dash-report")
            };
            actions = actions.push(
                theme::action(
                    label,
                    Kind::Primary,
                    (!self.writing && self.drawn.is_some()).then_some(Message::WriteReport),
                )
                .width(Length::Fixed(360.0)),
            );
        }
        actions = actions
            .push(theme::back(t!(lang, "back"), Some(Message::Back)).width(Length::Fixed(200.0)));
        let mut page = column![
            row![text(title).size(theme::TITLE).width(Length::Fill), actions],
            text(t!(lang, "dash-intro")).size(theme::SMALL),
        ]
        .spacing(theme::GAP);
        match &self.written {
            Some(Ok(path)) => {
                page = page.push(
                    text(t!(lang, "dash-report-written", path = path.clone())).size(theme::BODY),
                )
            }
            Some(Err(e)) => {
                page = page.push(theme::alert(t!(
                    lang,
                    "dash-report-failed",
                    reason = e.clone()
                )))
            }
            None => {}
        }
        theme::page(page.push(drag_scroll(scrollable(body).height(Length::Fill))))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn only_the_supervisor_writes_the_report_and_back_returns_to_the_area() {
        let (mut spv, load) = State::open(From::Supervisor);
        assert!(matches!(load, Request::Load));
        // Once, not twice while it is being written.
        assert!(matches!(
            spv.update(Message::WriteReport),
            Action::Run(Request::WriteReport)
        ));
        assert!(matches!(spv.update(Message::WriteReport), Action::None));
        spv.update(Message::Written(Err("disk full".into())));
        assert_eq!(spv.written, Some(Err("disk full".to_string())));
        assert!(matches!(
            spv.update(Message::Back),
            Action::Go(Nav::Supervisor)
        ));

        let (mut tech, _) = State::open(From::Technician);
        assert!(matches!(tech.update(Message::WriteReport), Action::None));
        assert!(matches!(
            tech.update(Message::Back),
            Action::Go(Nav::Technician)
        ));
    }

    #[test]
    fn the_plot_labels_exist_in_both_languages() {
        for lang in [Lang::Id, Lang::En] {
            let l = labels(lang);
            for s in [&l.step_times, &l.per_hour, &l.no_data, &l.verdict_names[3]] {
                assert!(!s.contains('⟦'), "{s}");
            }
            assert!(l.over_standard.contains("{}"), "{}", l.over_standard);
        }
    }
}
