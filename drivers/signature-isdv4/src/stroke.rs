//! Strokes from pen reports: a stroke is a run of reports with the tip down; lifting the tip
//! or leaving proximity ends it.

use crate::packet::PenPacket;
use ktpel_hal::{PenPoint, Stroke};

#[derive(Debug, Default)]
pub struct StrokeBuilder {
    done: Vec<Stroke>,
    current: Vec<PenPoint>,
}

impl StrokeBuilder {
    pub fn new() -> Self {
        Self::default()
    }

    /// Takes one report received `t_ms` after the signature began.
    pub fn feed(&mut self, p: &PenPacket, t_ms: u32) {
        if p.proximity && p.tip {
            self.current.push(PenPoint {
                x: u32::from(p.x),
                y: u32::from(p.y),
                pressure: p.pressure,
                t_ms,
            });
        } else {
            self.end_stroke();
        }
    }

    fn end_stroke(&mut self) {
        if !self.current.is_empty() {
            self.done.push(Stroke {
                points: std::mem::take(&mut self.current),
            });
        }
    }

    /// The tip is on the surface now.
    pub fn pen_down(&self) -> bool {
        !self.current.is_empty()
    }

    /// Finished strokes so far.
    pub fn strokes(&self) -> usize {
        self.done.len()
    }

    pub fn is_empty(&self) -> bool {
        self.done.is_empty() && self.current.is_empty()
    }

    /// All strokes (a stroke still in progress is ended), leaving the builder empty.
    pub fn take(&mut self) -> Vec<Stroke> {
        self.end_stroke();
        std::mem::take(&mut self.done)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tip_down_runs_make_strokes() {
        let down = PenPacket {
            proximity: true,
            tip: true,
            x: 1,
            y: 2,
            pressure: 9,
            ..Default::default()
        };
        let hover = PenPacket { tip: false, ..down };
        let away = PenPacket {
            proximity: false,
            ..hover
        };
        let mut b = StrokeBuilder::new();
        for (i, p) in [hover, down, down, hover, down, away, down]
            .iter()
            .enumerate()
        {
            b.feed(p, i as u32);
        }
        assert_eq!(b.strokes(), 2);
        assert!(b.pen_down());
        let strokes = b.take();
        assert_eq!(
            strokes.iter().map(|s| s.points.len()).collect::<Vec<_>>(),
            vec![2, 1, 1]
        );
        assert!(b.is_empty());
    }
}
