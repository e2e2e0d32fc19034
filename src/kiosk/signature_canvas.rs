//! Signing on the touchscreen, for booths without a signature pad: a canvas that collects
//! strokes from a finger or stylus (touch events, and the mouse for a technician's desk), and
//! turns them into the same [`SignatureCapture`] a pad gives.
//!
//! The canvas keeps only the stroke being drawn; finished strokes belong to the screen's state
//! and come back in through [`Pad`], so the screen can clear or accept them.

use iced::mouse;
use iced::touch;
use iced::widget::canvas::{self, Action, Event, Frame, Geometry, Path, Stroke as Line};
use iced::{Color, Point, Rectangle, Renderer, Theme};
use ktpel_hal::{DeviceResult, PenPoint, SignatureCapture, Stroke};
use std::time::Instant;

/// Pad units per screen pixel: touch has no finer resolution, but the signature renderer works
/// in pad units like a real digitizer's.
const UNITS_PER_PX: f32 = 10.0;
/// A touchscreen gives no pressure: every point gets the same, mid-range.
const MAX_PRESSURE: u16 = 1023;
const TOUCH_PRESSURE: u16 = 640;
/// The stored signature image, the same size the pads render.
pub const IMAGE_WIDTH: u32 = 600;
pub const IMAGE_HEIGHT: u32 = 240;

/// A finished stroke from the canvas, in canvas pixels with milliseconds since the first touch.
#[derive(Debug, Clone, PartialEq)]
pub struct DrawnStroke(pub Vec<(Point, u32)>);

/// The canvas program: draws the finished strokes and the one in progress.
pub struct Pad<'a> {
    pub strokes: &'a [DrawnStroke],
    /// When signing began (the first touch), for the points' timestamps.
    pub began: Option<Instant>,
}

/// The stroke being drawn (canvas-internal state).
#[derive(Default)]
pub struct Drawing {
    current: Option<Vec<(Point, u32)>>,
    began: Option<Instant>,
}

impl<'a> canvas::Program<DrawnStroke> for Pad<'a> {
    type State = Drawing;

    fn update(
        &self,
        state: &mut Drawing,
        event: &Event,
        bounds: Rectangle,
        cursor: mouse::Cursor,
    ) -> Option<Action<DrawnStroke>> {
        let began = *state
            .began
            .get_or_insert_with(|| self.began.unwrap_or_else(Instant::now));
        let stamp = || began.elapsed().as_millis().min(u128::from(u32::MAX)) as u32;
        let inside = |p: Point| -> Option<Point> {
            bounds
                .contains(p)
                .then(|| Point::new(p.x - bounds.x, p.y - bounds.y))
        };
        match event {
            Event::Touch(touch::Event::FingerPressed { .. })
            | Event::Mouse(mouse::Event::ButtonPressed(mouse::Button::Left))
                if state.current.is_none() =>
            {
                let at = match event {
                    Event::Touch(_) => inside(*position_of(event)?),
                    _ => cursor.position_in(bounds),
                }?;
                state.current = Some(vec![(at, stamp())]);
                Some(Action::request_redraw().and_capture())
            }
            Event::Touch(touch::Event::FingerMoved { position, .. }) => {
                let current = state.current.as_mut()?;
                let at = clamp_into(*position, bounds);
                current.push((at, stamp()));
                Some(Action::request_redraw().and_capture())
            }
            Event::Mouse(mouse::Event::CursorMoved { position }) => {
                let current = state.current.as_mut()?;
                current.push((clamp_into(*position, bounds), stamp()));
                Some(Action::request_redraw().and_capture())
            }
            Event::Touch(touch::Event::FingerLifted { .. } | touch::Event::FingerLost { .. })
            | Event::Mouse(mouse::Event::ButtonReleased(mouse::Button::Left)) => {
                let points = state.current.take()?;
                Some(Action::publish(DrawnStroke(points)).and_capture())
            }
            _ => None,
        }
    }

    fn draw(
        &self,
        state: &Drawing,
        renderer: &Renderer,
        _theme: &Theme,
        bounds: Rectangle,
        _cursor: mouse::Cursor,
    ) -> Vec<Geometry> {
        let mut frame = Frame::new(renderer, bounds.size());
        frame.fill_rectangle(Point::ORIGIN, bounds.size(), Color::WHITE);
        // The line to sign on.
        let base = bounds.height * 0.78;
        frame.stroke(
            &Path::line(
                Point::new(bounds.width * 0.06, base),
                Point::new(bounds.width * 0.94, base),
            ),
            Line::default()
                .with_width(2.0)
                .with_color(Color::from_rgb8(0x9a, 0xa5, 0xb1)),
        );
        let ink = Line::default()
            .with_width(3.5)
            .with_color(Color::from_rgb8(0x10, 0x18, 0x28))
            .with_line_cap(canvas::LineCap::Round)
            .with_line_join(canvas::LineJoin::Round);
        let strokes = self
            .strokes
            .iter()
            .map(|s| s.0.as_slice())
            .chain(state.current.as_deref());
        for points in strokes {
            let path = Path::new(|b| {
                if let Some(((first, _), rest)) = points.split_first() {
                    b.move_to(*first);
                    if rest.is_empty() {
                        // A dot: a tiny segment so it shows.
                        b.line_to(Point::new(first.x + 0.5, first.y + 0.5));
                    }
                    for (p, _) in rest {
                        b.line_to(*p);
                    }
                }
            });
            frame.stroke(&path, ink);
        }
        vec![frame.into_geometry()]
    }

    fn mouse_interaction(
        &self,
        _state: &Drawing,
        bounds: Rectangle,
        cursor: mouse::Cursor,
    ) -> mouse::Interaction {
        if cursor.is_over(bounds) {
            mouse::Interaction::Crosshair
        } else {
            mouse::Interaction::default()
        }
    }
}

fn position_of(event: &Event) -> Option<&Point> {
    match event {
        Event::Touch(
            touch::Event::FingerPressed { position, .. }
            | touch::Event::FingerMoved { position, .. }
            | touch::Event::FingerLifted { position, .. }
            | touch::Event::FingerLost { position, .. },
        ) => Some(position),
        _ => None,
    }
}

/// A point relative to `bounds`, held inside them (a finger sliding off the edge keeps drawing
/// along it rather than jumping).
fn clamp_into(p: Point, bounds: Rectangle) -> Point {
    Point::new(
        (p.x - bounds.x).clamp(0.0, bounds.width),
        (p.y - bounds.y).clamp(0.0, bounds.height),
    )
}

/// Turns strokes drawn on a `width` × `height` canvas into a signature capture, rendered like a
/// pad's.
pub fn to_capture(
    strokes: &[DrawnStroke],
    width: f32,
    height: f32,
) -> DeviceResult<SignatureCapture> {
    let max_x = (width.max(1.0) * UNITS_PER_PX).round() as u32;
    let max_y = (height.max(1.0) * UNITS_PER_PX).round() as u32;
    let strokes: Vec<Stroke> = strokes
        .iter()
        .filter(|s| !s.0.is_empty())
        .map(|s| Stroke {
            points: s
                .0
                .iter()
                .map(|(p, t_ms)| PenPoint {
                    x: (p.x.max(0.0) * UNITS_PER_PX).round().min(max_x as f32) as u32,
                    y: (p.y.max(0.0) * UNITS_PER_PX).round().min(max_y as f32) as u32,
                    pressure: TOUCH_PRESSURE,
                    t_ms: *t_ms,
                })
                .collect(),
        })
        .collect();
    let image = ktpel_hal::render_signature(
        &strokes,
        max_x,
        max_y,
        MAX_PRESSURE,
        IMAGE_WIDTH,
        IMAGE_HEIGHT,
    )?;
    Ok(SignatureCapture {
        strokes,
        max_x,
        max_y,
        max_pressure: MAX_PRESSURE,
        image,
    })
}

#[cfg(test)]
#[allow(clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn drawn_strokes_become_a_rendered_signature_in_pad_units() {
        let strokes = vec![
            DrawnStroke(vec![
                (Point::new(10.0, 50.0), 0),
                (Point::new(200.0, 80.0), 120),
                (Point::new(390.0, 40.0), 260),
            ]),
            DrawnStroke(vec![(Point::new(300.0, 20.0), 400)]),
        ];
        let c = to_capture(&strokes, 400.0, 100.0).expect("renders");
        assert_eq!((c.max_x, c.max_y), (4000, 1000));
        assert_eq!(c.strokes.len(), 2);
        assert_eq!(c.strokes[0].points[1].x, 2000);
        assert_eq!(c.strokes[0].points[2].t_ms, 260);
        let img = image::load_from_memory(&c.image.bytes)
            .expect("a PNG")
            .to_luma8();
        assert_eq!(img.dimensions(), (IMAGE_WIDTH, IMAGE_HEIGHT));
        let inked = img.pixels().filter(|p| p.0[0] < 128).count();
        assert!(inked > 200, "the strokes are drawn: {inked} dark pixels");
    }
}
