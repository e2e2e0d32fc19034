//! What the recording screen draws: one capture step at a time, the review grid, the save.

use iced::widget::{button, canvas, column, container, image, row, svg, text, Space};
use iced::{Alignment, Element, Length};
use ktpel_hal::{Eye, FingerException, IrisException};
use std::time::Instant;

use super::{Asking, Message, Mode, State, TOUCH_PAD_SIZE};
use crate::booth::procedure::Step;
use crate::booth::recording::{Captured, Exception, NeedsApproval, Slot, SlotStatus};
use crate::kiosk::diagrams;
use crate::kiosk::i18n::{tr, Lang};
use crate::kiosk::screen::step_header;
use crate::kiosk::signature_canvas::Pad;
use crate::t;
use crate::widgets::drag_scroll::drag_scroll;
use crate::widgets::icons::Icon;
use crate::widgets::keypad;
use crate::widgets::theme::{self, Kind};

/// A small picture of a capture for the step and the review.
pub fn thumbnail(c: &Captured) -> Option<image::Handle> {
    match c {
        Captured::Face(f) => Some(image::Handle::from_bytes(f.image.bytes.clone())),
        Captured::Signature(s) => Some(image::Handle::from_bytes(s.image.bytes.clone())),
        Captured::Finger(f) => gray(&f.image),
        Captured::Iris(i) => gray(&i.image),
    }
}

fn gray(g: &ktpel_hal::GrayImage) -> Option<image::Handle> {
    let rgba: Vec<u8> = g.pixels.iter().flat_map(|&v| [v, v, v, 255]).collect();
    (rgba.len() == (g.width as usize) * (g.height as usize) * 4)
        .then(|| image::Handle::from_rgba(g.width, g.height, rgba))
}

/// The slot's name for the operator ("Telunjuk kanan").
pub fn slot_name(lang: Lang, slot: Slot) -> String {
    match slot {
        Slot::Face => tr(lang, "slot-face"),
        Slot::Finger(p) => tr(lang, &format!("slot-{}", p.as_str())),
        Slot::Iris(Eye::Right) => tr(lang, "slot-iris-right"),
        Slot::Iris(Eye::Left) => tr(lang, "slot-iris-left"),
        Slot::Signature => tr(lang, "slot-signature"),
    }
}

fn exception_name(lang: Lang, x: Exception) -> String {
    match x {
        Exception::Finger(FingerException::Missing) => t!(lang, "finger-missing"),
        Exception::Finger(FingerException::Bandaged) => t!(lang, "finger-bandaged"),
        Exception::Finger(FingerException::Unusable) => t!(lang, "finger-unusable"),
        Exception::Iris(IrisException::Missing) => t!(lang, "iris-missing"),
        Exception::Iris(IrisException::Unusable) => t!(lang, "iris-unusable"),
    }
}

impl State {
    pub fn view(&self, lang: Lang, now: Instant) -> Element<'_, Message> {
        let header = step_header(lang, Step::Record, self.procedure.clock(now));
        let who = text(format!(
            "{} · {}",
            self.resident.name,
            self.resident.nik.masked()
        ))
        .size(theme::BODY);
        let body = if self.confirm_cancel {
            self.confirm_view(lang)
        } else {
            match &self.mode {
                Mode::Capture(slot) => self.capture_view(lang, *slot),
                Mode::Review => match &self.asking {
                    Some(a) => self.approval_view(lang, a),
                    None => self.review_view(lang),
                },
                Mode::Saving => text(t!(lang, "record-saving")).size(theme::HEADING).into(),
                Mode::Saved(c) => column![
                    theme::panel(
                        column![
                            text(t!(lang, "record-saved")).size(theme::TITLE),
                            text(t!(lang, "record-queue-no", number = c.queue_no))
                                .size(theme::HEADING),
                            text(t!(lang, "record-receipt-no", number = c.receipt_no.clone()))
                                .size(theme::BODY),
                            text(if c.state == crate::queue::State::AwaitingReview {
                                t!(lang, "record-waiting-review")
                            } else {
                                t!(lang, "record-waiting")
                            })
                            .size(theme::BODY),
                        ]
                        .spacing(theme::GAP)
                    ),
                    theme::action(t!(lang, "record-done"), Kind::Primary, Some(Message::Done)),
                ]
                .spacing(theme::GAP)
                .into(),
            }
        };
        theme::page(column![header, who, body].spacing(theme::GAP))
    }

    fn confirm_view(&self, lang: Lang) -> Element<'_, Message> {
        theme::panel(
            column![
                text(t!(lang, "cancel-confirm")).size(theme::HEADING),
                row![
                    theme::action(
                        t!(lang, "cancel-yes"),
                        Kind::Danger,
                        Some(Message::CancelConfirmed(true))
                    ),
                    theme::action(
                        t!(lang, "cancel-no"),
                        Kind::Primary,
                        Some(Message::CancelConfirmed(false))
                    ),
                ]
                .spacing(theme::GAP),
            ]
            .spacing(theme::GAP),
        )
    }

    fn capture_view(&self, lang: Lang, slot: Slot) -> Element<'_, Message> {
        let total = Slot::sequence().len();
        let progress = row![
            text(t!(
                lang,
                "capture-step",
                n = slot.index() + 1,
                total = total,
                what = slot_name(lang, slot)
            ))
            .size(theme::HEADING)
            .width(Length::Fill),
            self.progress_dots(slot),
        ]
        .align_y(Alignment::Center);
        let status = self.captures.status(slot);
        let touch_signature = slot == Slot::Signature && self.touch.is_some();

        let picture: Element<'_, Message> = self.picture(lang, slot);

        let hint = match slot {
            Slot::Face => t!(lang, "capture-face-hint"),
            Slot::Finger(_) => t!(
                lang,
                "capture-finger-hint",
                finger = slot_name(lang, slot).to_lowercase()
            ),
            Slot::Iris(_) => t!(lang, "capture-iris-hint"),
            Slot::Signature if touch_signature => t!(lang, "capture-signature-touch-hint"),
            Slot::Signature => t!(lang, "capture-signature-pad-hint"),
        };
        let mut side = column![text(hint).size(theme::BODY)].spacing(theme::GAP);
        match status {
            SlotStatus::Captured(Some(q)) => {
                let min = slot.quality_min();
                side = side.push(if q >= min {
                    text(t!(lang, "capture-quality", quality = q.0, min = min.0)).size(theme::BODY)
                } else {
                    text(t!(lang, "capture-quality-low", quality = q.0, min = min.0))
                        .size(theme::BODY)
                        .style(text::danger)
                });
            }
            SlotStatus::Exception(x) => {
                side = side.push(
                    text(t!(
                        lang,
                        "capture-recorded-exception",
                        why = exception_name(lang, x)
                    ))
                    .size(theme::BODY),
                );
            }
            SlotStatus::Captured(None) | SlotStatus::Empty => {}
        }
        if self.busy {
            side = side.push(text(t!(lang, "capture-busy")).size(theme::HEADING));
        }
        if let Some(e) = &self.failure {
            side = side.push(crate::kiosk::device_error(lang, e));
        }
        let filled = status != SlotStatus::Empty;
        let idle = !self.busy;
        if touch_signature {
            let drawn = self.touch.as_ref().is_some_and(|s| !s.is_empty());
            side = side.push(
                row![
                    theme::action(
                        t!(lang, "capture-clear"),
                        Kind::Secondary,
                        drawn.then_some(Message::ClearTouch)
                    ),
                    theme::action(
                        t!(lang, "capture-accept"),
                        Kind::Success,
                        drawn.then_some(Message::AcceptTouch)
                    ),
                ]
                .spacing(theme::GAP),
            );
        } else {
            let label = match (slot, filled || self.failure.is_some()) {
                (_, true) => t!(lang, "capture-retake"),
                (Slot::Face, false) => t!(lang, "capture-take-photo"),
                (Slot::Signature, false) => t!(lang, "capture-sign"),
                _ => t!(lang, "capture-scan"),
            };
            let kind = if filled {
                Kind::Secondary
            } else {
                Kind::Primary
            };
            // A face retake goes back to the live picture first, to frame the face again.
            let take = if slot == Slot::Face && filled {
                Message::RetakeFace
            } else {
                Message::Capture
            };
            side = side.push(
                row![
                    theme::action(label, kind, idle.then_some(take)),
                    theme::action(
                        t!(lang, "capture-next"),
                        Kind::Success,
                        (idle && filled).then_some(Message::Next)
                    ),
                ]
                .spacing(theme::GAP),
            );
        }
        let exceptions: Vec<Exception> = match slot {
            Slot::Finger(_) => [
                FingerException::Missing,
                FingerException::Bandaged,
                FingerException::Unusable,
            ]
            .into_iter()
            .map(Exception::Finger)
            .collect(),
            Slot::Iris(_) => [IrisException::Missing, IrisException::Unusable]
                .into_iter()
                .map(Exception::Iris)
                .collect(),
            Slot::Face | Slot::Signature => Vec::new(),
        };
        if !exceptions.is_empty() {
            let buttons = exceptions.into_iter().map(|x| {
                theme::choice(
                    exception_name(lang, x),
                    false,
                    idle.then_some(Message::Except(x)),
                )
                .into()
            });
            side = side.push(
                column![
                    text(t!(lang, "capture-exception-title")).size(theme::SMALL),
                    row(buttons).spacing(theme::GAP / 2.0),
                ]
                .spacing(theme::GAP / 2.0),
            );
        }
        let nav = row![
            theme::action(
                t!(lang, "capture-previous"),
                Kind::Secondary,
                (idle && slot.previous().is_some()).then_some(Message::Previous)
            ),
            theme::action(
                t!(lang, "capture-to-review"),
                Kind::Secondary,
                idle.then_some(Message::ToReview)
            ),
            theme::action(
                t!(lang, "cancel"),
                Kind::Danger,
                idle.then_some(Message::Cancel)
            ),
        ]
        .spacing(theme::GAP);
        column![
            progress,
            row![
                container(picture)
                    .width(Length::FillPortion(3))
                    .height(Length::Fixed(390.0))
                    .center_x(Length::FillPortion(3)),
                container(side).width(Length::FillPortion(2)),
            ]
            .spacing(theme::GAP * 1.5),
            Space::new().height(Length::Fill),
            nav,
        ]
        .spacing(theme::GAP)
        .into()
    }

    /// The big picture of the step: live preview, the capture, or the signing box.
    fn picture(&self, lang: Lang, slot: Slot) -> Element<'_, Message> {
        if slot == Slot::Signature {
            if let Some(strokes) = &self.touch {
                let (w, h) = TOUCH_PAD_SIZE;
                let pad: Element<'_, _> = canvas(Pad {
                    strokes,
                    began: self.touch_began,
                })
                .width(Length::Fixed(w))
                .height(Length::Fixed(h))
                .into();
                return pad.map(Message::Stroke);
            }
        }
        let still = self.thumbs.get(&slot).map(|h| {
            let (w, ht) = match slot {
                Slot::Face => (270.0, 360.0),
                Slot::Finger(_) => (300.0, 340.0),
                Slot::Iris(_) => (440.0, 330.0),
                Slot::Signature => (600.0, 240.0),
            };
            image(h.clone())
                .width(Length::Fixed(w))
                .height(Length::Fixed(ht))
        });
        match slot {
            Slot::Face => {
                // The preview keeps running, so a retake can be framed beside the still.
                let live: Element<'_, Message> = match &self.preview {
                    Some(Ok(h)) => image(h.clone())
                        .width(Length::Fixed(if still.is_some() { 320.0 } else { 480.0 }))
                        .height(Length::Fixed(if still.is_some() { 240.0 } else { 360.0 }))
                        .into(),
                    Some(Err(e)) => crate::kiosk::device_error(lang, e),
                    None => text(t!(lang, "record-camera-starting"))
                        .size(theme::BODY)
                        .into(),
                };
                let framing: Element<'_, Message> = match self.face_check {
                    Some(c) if c.ok => text(t!(lang, "face-ok", score = c.score))
                        .size(theme::BODY)
                        .style(text::success)
                        .into(),
                    Some(c) => text(match c.advice {
                        Some(key) => tr(lang, &format!("face-{key}")),
                        None => t!(lang, "face-look-at-camera"),
                    })
                    .size(theme::BODY)
                    .style(text::danger)
                    .into(),
                    None => Space::new().into(),
                };
                let live = column![live, framing].spacing(theme::GAP / 2.0);
                match still {
                    Some(s) => row![live, s].spacing(theme::GAP).into(),
                    None => live.into(),
                }
            }
            Slot::Finger(_) | Slot::Iris(_) => {
                // Which finger or eye, drawn; then what was captured, or the last capture
                // (a good print moves on at once: the operator still sees what was taken).
                let (diagram, w, h) = match slot {
                    Slot::Finger(p) => (diagrams::hand(p), 170.0, 212.0),
                    Slot::Iris(e) => (diagrams::eyes(e), 240.0, 96.0),
                    _ => return Space::new().into(),
                };
                let guide = column![
                    svg(diagram)
                        .width(Length::Fixed(w))
                        .height(Length::Fixed(h)),
                    text(slot_name(lang, slot)).size(theme::HEADING),
                ]
                .spacing(theme::GAP / 2.0)
                .align_x(Alignment::Center);
                let shown: Element<'_, Message> = match still {
                    Some(s) => s.into(),
                    None => match slot
                        .previous()
                        .and_then(|p| Some((p, self.thumbs.get(&p)?)))
                    {
                        Some((p, h)) if !matches!(p, Slot::Face | Slot::Signature) => column![
                            text(t!(lang, "capture-last", slot = slot_name(lang, p)))
                                .size(theme::SMALL),
                            image(h.clone())
                                .width(Length::Fixed(180.0))
                                .height(Length::Fixed(200.0)),
                        ]
                        .spacing(theme::GAP / 2.0)
                        .into(),
                        _ => Space::new().into(),
                    },
                };
                row![guide, shown]
                    .spacing(theme::GAP)
                    .align_y(Alignment::Center)
                    .into()
            }
            Slot::Signature => match still {
                Some(s) => s.into(),
                None => container(
                    text(slot_name(lang, slot))
                        .size(theme::TITLE)
                        .style(crate::widgets::theme::muted),
                )
                .center(Length::Fill)
                .style(container::rounded_box)
                .into(),
            },
        }
    }

    /// One dot per slot: filled, current, still to do.
    fn progress_dots(&self, current: Slot) -> Element<'_, Message> {
        let dots = Slot::sequence().into_iter().map(|s| {
            let glyph = if s == current {
                "◉"
            } else {
                match self.captures.status(s) {
                    SlotStatus::Empty => "○",
                    SlotStatus::Captured(_) => "●",
                    SlotStatus::Exception(_) => "⊘",
                }
            };
            text(glyph).size(theme::SMALL).into()
        });
        row(dots).spacing(4).into()
    }

    /// The supervisor approves the record's exceptions with their PIN: each case listed, the
    /// PIN pad beside.
    fn approval_view<'a>(&'a self, lang: Lang, a: &'a Asking) -> Element<'a, Message> {
        let mut cases = column![].spacing(4);
        for case in &a.cases {
            let why = match case.why {
                NeedsApproval::Exception(x) => exception_name(lang, x),
                NeedsApproval::LowQuality(q) => t!(
                    lang,
                    "approval-low-quality",
                    quality = q.0,
                    min = case.slot.quality_min().0
                ),
            };
            cases = cases
                .push(text(format!("•  {}: {why}", slot_name(lang, case.slot))).size(theme::BODY));
        }
        let mut left = column![
            text(t!(lang, "approval-exceptions-title")).size(theme::HEADING),
            text(t!(lang, "approval-exceptions-why")).size(theme::BODY),
            drag_scroll(iced::widget::scrollable(cases).height(Length::Fill)),
            text(a.pin.dots()).size(theme::TITLE),
        ]
        .spacing(theme::GAP / 2.0)
        .width(Length::Fill);
        left = left.push(match &a.pin.refused {
            Some(e) => theme::alert(crate::kiosk::screen::verify::approval_message(lang, e)),
            None => Space::new()
                .height(Length::Fixed(theme::ALERT_SPACE))
                .into(),
        });
        left = left.push(
            row![
                theme::action_icon(
                    Icon::Check,
                    t!(lang, "approval-approve-save"),
                    Kind::Primary,
                    a.pin.ready().then_some(Message::Approve),
                ),
                theme::action(
                    t!(lang, "cancel"),
                    Kind::Secondary,
                    (!a.pin.checking).then_some(Message::CancelApproval)
                ),
            ]
            .spacing(theme::GAP),
        );
        row![left, keypad::view(Message::PinKey)]
            .spacing(theme::GAP * 2.0)
            .into()
    }

    fn review_view(&self, lang: Lang) -> Element<'_, Message> {
        let tile = |slot: Slot, w: Length, h: f32| -> Element<'_, Message> {
            let status = self.captures.status(slot);
            let picture: Element<'_, Message> = match (self.thumbs.get(&slot), status) {
                (Some(handle), SlotStatus::Captured(_)) => image(handle.clone())
                    .width(Length::Fill)
                    .height(Length::Fixed(h))
                    .into(),
                _ => container(
                    text(match status {
                        SlotStatus::Exception(x) => exception_name(lang, x),
                        _ => t!(lang, "review-missing"),
                    })
                    .size(theme::SMALL)
                    .center(),
                )
                .center_x(Length::Fill)
                .height(Length::Fixed(h))
                .into(),
            };
            let caption = match status {
                SlotStatus::Captured(Some(q)) if q < slot.quality_min() => {
                    text(format!("{} · {}", slot_name(lang, slot), q.0))
                        .size(16)
                        .style(text::danger)
                }
                SlotStatus::Captured(Some(q)) => {
                    text(format!("{} · {}", slot_name(lang, slot), q.0)).size(16)
                }
                SlotStatus::Empty => text(slot_name(lang, slot)).size(16).style(text::danger),
                _ => text(slot_name(lang, slot)).size(16),
            };
            button(
                column![picture, caption]
                    .spacing(4)
                    .align_x(Alignment::Center),
            )
            .width(w)
            .padding(6)
            .style(button::secondary)
            .on_press(Message::Goto(slot))
            .into()
        };
        let top = row![
            tile(Slot::Face, Length::Fixed(150.0), 150.0),
            tile(Slot::Iris(Eye::Right), Length::Fixed(200.0), 150.0),
            tile(Slot::Iris(Eye::Left), Length::Fixed(200.0), 150.0),
            tile(Slot::Signature, Length::Fill, 150.0),
        ]
        .spacing(theme::GAP);
        let fingers = |from: usize| {
            row(ktpel_hal::FingerPosition::ALL[from..from + 5]
                .iter()
                .map(|&p| tile(Slot::Finger(p), Length::Fill, 100.0)))
            .spacing(theme::GAP)
        };
        let complete = self.captures.first_empty().is_none();
        let mut body = column![
            text(t!(lang, "review-title")).size(theme::BODY),
            top,
            fingers(0),
            fingers(5),
        ]
        .spacing(theme::GAP / 1.5);
        if let Some(err) = &self.save_error {
            body = body.push(theme::alert(t!(
                lang,
                "record-save-failed",
                reason = err.to_string()
            )));
        }
        body.push(
            row![
                theme::action_icon(
                    Icon::Check,
                    t!(lang, "record-save"),
                    Kind::Success,
                    complete.then_some(Message::Save)
                ),
                theme::action(t!(lang, "cancel"), Kind::Danger, Some(Message::Cancel)),
            ]
            .spacing(theme::GAP),
        )
        .into()
    }
}
