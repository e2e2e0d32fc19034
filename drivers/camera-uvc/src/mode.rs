//! Which of a camera's modes (format × size × frame rate) to use, as a pure function of the
//! list the camera offers.
//!
//! The rule, in order:
//! 1. **Size.** The configured size exactly, if the camera offers it in any format we decode.
//!    Otherwise the smallest size that covers it (width and height at least as large), so the
//!    frame can be scaled down without losing detail; otherwise the largest size offered (the
//!    camera cannot do better).
//! 2. **Format at that size.** Among the modes that reach the minimum frame rate: MJPEG first
//!    (the only format most USB 2 cameras deliver at 720p and above at full rate), then YUYV,
//!    NV12, RGB24, BGR24, grey. When none reaches the minimum rate, the fastest mode wins,
//!    preferring formats in the same order on a tie.
//! 3. **Frame rate.** The highest the chosen format offers at that size.

use crate::convert::PixelFormat;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A width × height in pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Size {
    pub width: u32,
    pub height: u32,
}

impl Size {
    pub const fn new(width: u32, height: u32) -> Self {
        Self { width, height }
    }

    pub fn area(self) -> u64 {
        u64::from(self.width) * u64::from(self.height)
    }

    /// Whether this size is at least `other` in both directions.
    pub fn covers(self, other: Size) -> bool {
        self.width >= other.width && self.height >= other.height
    }
}

impl fmt::Display for Size {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}x{}", self.width, self.height)
    }
}

/// One mode a camera offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Mode {
    pub format: PixelFormat,
    pub size: Size,
    pub fps: u32,
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} @ {} fps", self.format, self.size, self.fps)
    }
}

fn preference(format: PixelFormat) -> usize {
    PixelFormat::PREFERENCE
        .iter()
        .position(|f| *f == format)
        .unwrap_or(usize::MAX)
}

/// The mode to use for frames of `wanted` size at `min_fps` or better (see the module docs);
/// `None` when the camera offers no mode at all.
pub fn choose_mode(available: &[Mode], wanted: Size, min_fps: u32) -> Option<Mode> {
    let sizes = || available.iter().map(|m| m.size);
    let size = if sizes().any(|s| s == wanted) {
        wanted
    } else if let Some(s) = sizes()
        .filter(|s| s.covers(wanted))
        .min_by_key(|s| s.area())
    {
        s
    } else {
        sizes().max_by_key(|s| s.area())?
    };
    let at_size = available.iter().filter(|m| m.size == size);
    let fast_enough = at_size
        .clone()
        .filter(|m| m.fps >= min_fps)
        .min_by_key(|m| (preference(m.format), std::cmp::Reverse(m.fps)));
    fast_enough
        .or_else(|| at_size.min_by_key(|m| (std::cmp::Reverse(m.fps), preference(m.format))))
        .copied()
}

/// The distinct sizes in `modes`, largest first.
pub fn sizes(modes: &[Mode]) -> Vec<Size> {
    let mut sizes: Vec<Size> = modes.iter().map(|m| m.size).collect();
    sizes.sort_by_key(|s| std::cmp::Reverse(s.area()));
    sizes.dedup();
    sizes
}

#[cfg(test)]
mod tests {
    use super::*;
    use PixelFormat::*;

    fn m(format: PixelFormat, w: u32, h: u32, fps: u32) -> Mode {
        Mode {
            format,
            size: Size::new(w, h),
            fps,
        }
    }

    /// What a typical USB 2 720p webcam offers.
    fn webcam() -> Vec<Mode> {
        vec![
            m(Yuyv, 640, 480, 30),
            m(Yuyv, 1280, 720, 10),
            m(Yuyv, 320, 240, 30),
            m(Mjpeg, 640, 480, 30),
            m(Mjpeg, 1280, 720, 30),
            m(Mjpeg, 1280, 720, 15),
            m(Mjpeg, 320, 240, 30),
        ]
    }

    #[test]
    fn mjpeg_at_the_configured_size_is_preferred() {
        let modes = webcam();
        assert_eq!(
            choose_mode(&modes, Size::new(1280, 720), 25),
            Some(m(Mjpeg, 1280, 720, 30))
        );
        assert_eq!(
            choose_mode(&modes, Size::new(640, 480), 25),
            Some(m(Mjpeg, 640, 480, 30))
        );
    }

    #[test]
    fn a_slow_format_loses_to_a_fast_one_and_ties_go_to_mjpeg() {
        // Only YUYV at 720p, too slow: it is still the only mode at that size.
        let modes = vec![m(Yuyv, 1280, 720, 10), m(Yuyv, 640, 480, 30)];
        assert_eq!(
            choose_mode(&modes, Size::new(1280, 720), 25),
            Some(m(Yuyv, 1280, 720, 10))
        );
        // YUYV fast enough and MJPEG fast enough: MJPEG.
        let modes = vec![m(Yuyv, 640, 480, 30), m(Mjpeg, 640, 480, 30)];
        assert_eq!(
            choose_mode(&modes, Size::new(640, 480), 25).map(|m| m.format),
            Some(Mjpeg)
        );
        // MJPEG too slow, YUYV fast enough: YUYV.
        let modes = vec![m(Yuyv, 640, 480, 30), m(Mjpeg, 640, 480, 15)];
        assert_eq!(
            choose_mode(&modes, Size::new(640, 480), 25).map(|m| m.format),
            Some(Yuyv)
        );
        // Nothing fast enough: the fastest.
        let modes = vec![m(Yuyv, 640, 480, 5), m(Nv12, 640, 480, 20)];
        assert_eq!(
            choose_mode(&modes, Size::new(640, 480), 25).map(|m| m.format),
            Some(Nv12)
        );
    }

    #[test]
    fn a_missing_size_falls_back_to_the_smallest_cover_then_the_largest() {
        let modes = webcam();
        // 800x600 is not offered: 1280x720 is the smallest that covers it.
        assert_eq!(
            choose_mode(&modes, Size::new(800, 600), 25),
            Some(m(Mjpeg, 1280, 720, 30))
        );
        // Nothing covers 1920x1080: the largest offered.
        assert_eq!(
            choose_mode(&modes, Size::new(1920, 1080), 25),
            Some(m(Mjpeg, 1280, 720, 30))
        );
        assert_eq!(choose_mode(&[], Size::new(640, 480), 25), None);
    }

    #[test]
    fn sizes_are_listed_largest_first_without_repeats() {
        assert_eq!(
            sizes(&webcam()),
            vec![
                Size::new(1280, 720),
                Size::new(640, 480),
                Size::new(320, 240)
            ]
        );
    }
}
