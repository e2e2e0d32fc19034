//! The day's plots, drawn with `plotters` into an RGB bitmap with the booth's embedded DejaVu
//! font (its `ab_glyph` text, no system fontconfig): the same pictures on the kiosk's dashboard
//! and in the daily report. Each plot reads only [`DayStats`]: nothing personal.

use plotters::coord::Shift;
use plotters::prelude::*;
use std::sync::OnceLock;

use crate::queue::DayStats;

/// The plots, in the order the dashboard and the report show them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Plot {
    /// Each SOP step's times against its standard, with the share over it.
    StepTimes,
    /// Recordings saved in each hour.
    PerHour,
    /// The day's verdicts by kind.
    Verdicts,
    /// Records not yet at the centre over the day.
    Backlog,
    /// The link's measured rate over the day.
    LinkRate,
    /// Blank cards in stock over the day.
    BlankStock,
}

impl Plot {
    pub const ALL: [Plot; 6] = [
        Plot::StepTimes,
        Plot::PerHour,
        Plot::Verdicts,
        Plot::Backlog,
        Plot::LinkRate,
        Plot::BlankStock,
    ];
}

/// Every word a plot shows, in the reader's language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Labels {
    pub step_times: String,
    pub per_hour: String,
    pub verdicts: String,
    pub backlog: String,
    pub link_rate: String,
    pub blank_stock: String,
    /// Axis: seconds.
    pub seconds: String,
    /// Axis: hour of the day.
    pub hour: String,
    /// Axis: records.
    pub records: String,
    /// Axis: kbit/s.
    pub kbps: String,
    /// Axis: cards.
    pub cards: String,
    /// Shown on a plot with nothing to draw.
    pub no_data: String,
    /// "{percent} over the standard" (with `{}` for the number).
    pub over_standard: String,
    /// The names of `step-documents`, `step-verify`, `step-record`.
    pub steps: [String; 3],
    /// The names of the verdicts, in [`crate::queue::statistics::VERDICTS`] order.
    pub verdict_names: [String; 4],
}

impl Labels {
    /// The daily report's words (it goes to the Dinas in Indonesian).
    pub fn indonesian() -> Labels {
        Labels {
            step_times: "Waktu per langkah SOP (detik) dan standar".into(),
            per_hour: "Perekaman per jam".into(),
            verdicts: "Hasil verifikasi pusat".into(),
            backlog: "Antrean belum terkirim".into(),
            link_rate: "Kecepatan jaringan".into(),
            blank_stock: "Stok blangko KTP-el".into(),
            seconds: "detik".into(),
            hour: "jam".into(),
            records: "rekaman".into(),
            kbps: "kbit/s".into(),
            cards: "keping".into(),
            no_data: "Tidak ada data".into(),
            over_standard: "{} di atas standar".into(),
            steps: [
                "Pemeriksaan berkas".into(),
                "Verifikasi SIAK".into(),
                "Perekaman".into(),
            ],
            verdict_names: [
                "Siap cetak".into(),
                "Duplikat".into(),
                "Adjudikasi".into(),
                "Gagal rekam".into(),
            ],
        }
    }

    fn title(&self, plot: Plot) -> &str {
        match plot {
            Plot::StepTimes => &self.step_times,
            Plot::PerHour => &self.per_hour,
            Plot::Verdicts => &self.verdicts,
            Plot::Backlog => &self.backlog,
            Plot::LinkRate => &self.link_rate,
            Plot::BlankStock => &self.blank_stock,
        }
    }

    /// A step's name by its key (the key itself when unknown).
    pub fn step_name(&self, key: &str) -> String {
        match key {
            "step-documents" => self.steps[0].clone(),
            "step-verify" => self.steps[1].clone(),
            "step-record" => self.steps[2].clone(),
            other => other.to_string(),
        }
    }
}

/// A drawn plot: RGB, 8 bits a channel, row by row.
#[derive(Clone, PartialEq, Eq)]
pub struct Bitmap {
    pub width: u32,
    pub height: u32,
    pub rgb: Vec<u8>,
}

impl std::fmt::Debug for Bitmap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Bitmap({}x{})", self.width, self.height)
    }
}

impl Bitmap {
    /// The same pixels with an opaque alpha channel (for the kiosk's image widget).
    pub fn rgba(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.rgb.len() / 3 * 4);
        for px in self.rgb.chunks_exact(3) {
            out.extend_from_slice(px);
            out.push(255);
        }
        out
    }

    /// The bitmap as a PNG file.
    pub fn png(&self) -> Result<Vec<u8>, PlotError> {
        let mut out = Vec::new();
        let mut enc = png::Encoder::new(&mut out, self.width, self.height);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        let mut w = enc
            .write_header()
            .map_err(|e| PlotError(format!("PNG: {e}")))?;
        w.write_image_data(&self.rgb)
            .map_err(|e| PlotError(format!("PNG: {e}")))?;
        w.finish().map_err(|e| PlotError(format!("PNG: {e}")))?;
        Ok(out)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the plot could not be drawn: {0}")]
pub struct PlotError(pub String);

fn err(e: impl std::fmt::Display) -> PlotError {
    PlotError(e.to_string())
}

/// The family name the embedded fonts are registered under.
const FAMILY: &str = "dejavu";

/// Registers the embedded DejaVu fonts with plotters, once.
fn fonts() -> Result<(), PlotError> {
    static DONE: OnceLock<Result<(), PlotError>> = OnceLock::new();
    DONE.get_or_init(|| {
        plotters::style::register_font(FAMILY, FontStyle::Normal, crate::assets::FONT_REGULAR)
            .map_err(|_| PlotError("the embedded DejaVu Sans is not a usable font".into()))?;
        plotters::style::register_font(FAMILY, FontStyle::Bold, crate::assets::FONT_BOLD)
            .map_err(|_| PlotError("the embedded DejaVu Sans Bold is not a usable font".into()))
    })
    .clone()
}

const BLUE: RGBColor = RGBColor(0x1f, 0x5f, 0xa8);
const RED: RGBColor = RGBColor(0xc0, 0x39, 0x2b);
const GREEN: RGBColor = RGBColor(0x2e, 0x8b, 0x57);
const GREY: RGBColor = RGBColor(0x60, 0x60, 0x60);
const AMBER: RGBColor = RGBColor(0xd6, 0x8a, 0x00);

/// Draws `plot` of `stats` at `width` x `height` pixels.
pub fn render(
    plot: Plot,
    stats: &DayStats,
    labels: &Labels,
    width: u32,
    height: u32,
) -> Result<Bitmap, PlotError> {
    fonts()?;
    let mut rgb = vec![0u8; width as usize * height as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, (width, height)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let scale = f64::from(height) / 400.0;
        let px = &|n: f64| (n * scale).round().max(1.0) as u32;
        let title = labels.title(plot);
        match plot {
            Plot::StepTimes => step_times(&root, stats, labels, title, px)?,
            Plot::PerHour => per_hour(&root, stats, labels, title, px)?,
            Plot::Verdicts => verdicts(&root, stats, labels, title, px)?,
            Plot::Backlog => over_day(
                &root,
                title,
                &labels.records,
                &labels.hour,
                &stats
                    .backlog
                    .iter()
                    .map(|(h, v)| (*h, *v as f64))
                    .collect::<Vec<_>>(),
                false,
                Values::Whole,
                AMBER,
                &labels.no_data,
                px,
            )?,
            Plot::LinkRate => over_day(
                &root,
                title,
                &labels.kbps,
                &labels.hour,
                &stats
                    .link_rate
                    .iter()
                    .map(|(h, v)| (*h, *v as f64 / 1000.0))
                    .collect::<Vec<_>>(),
                false,
                Values::Real,
                GREEN,
                &labels.no_data,
                px,
            )?,
            Plot::BlankStock => {
                let mut series: Vec<(f64, f64)> = stats
                    .blank_stock
                    .iter()
                    .map(|(h, v)| (*h, *v as f64))
                    .collect();
                if let Some(last) = series.last().copied() {
                    series.push((24.0, last.1));
                }
                over_day(
                    &root,
                    title,
                    &labels.cards,
                    &labels.hour,
                    &series,
                    true,
                    Values::Whole,
                    BLUE,
                    &labels.no_data,
                    px,
                )?
            }
        }
        root.present().map_err(err)?;
    }
    Ok(Bitmap { width, height, rgb })
}

type Area<'a> = DrawingArea<BitMapBackend<'a>, Shift>;

fn caption_style(px: &dyn Fn(f64) -> u32) -> TextStyle<'static> {
    (FAMILY, px(22.0)).into_font().style(FontStyle::Bold).into()
}

fn label_style(px: &dyn Fn(f64) -> u32) -> TextStyle<'static> {
    (FAMILY, px(16.0)).into()
}

fn no_data(
    root: &Area<'_>,
    title: &str,
    text: &str,
    px: &dyn Fn(f64) -> u32,
) -> Result<(), PlotError> {
    let (w, h) = root.dim_in_pixel();
    root.draw(&Text::new(
        title.to_string(),
        (px(12.0) as i32, px(8.0) as i32),
        caption_style(px),
    ))
    .map_err(err)?;
    root.draw(&Text::new(
        text.to_string(),
        ((w / 2) as i32 - px(60.0) as i32, (h / 2) as i32),
        label_style(px).color(&GREY),
    ))
    .map_err(err)
}

fn step_times(
    root: &Area<'_>,
    stats: &DayStats,
    labels: &Labels,
    title: &str,
    px: &dyn Fn(f64) -> u32,
) -> Result<(), PlotError> {
    let steps: Vec<_> = stats.steps.iter().filter(|s| s.count() > 0).collect();
    if steps.is_empty() {
        return no_data(root, title, &labels.no_data, px);
    }
    let top = steps
        .iter()
        .map(|s| s.max().unwrap_or(0).max(s.standard))
        .max()
        .unwrap_or(60);
    let top = f64::from(top) * 1.2 + 10.0;
    let n = steps.len();
    let names: Vec<String> = steps.iter().map(|s| labels.step_name(&s.step)).collect();
    let mut chart = ChartBuilder::on(root)
        .caption(title, caption_style(px))
        .margin(px(10.0))
        .x_label_area_size(px(40.0))
        .y_label_area_size(px(64.0))
        .build_cartesian_2d(-0.5f64..(n as f64 - 0.5), 0f64..top)
        .map_err(err)?;
    let formatter = |v: &f64| {
        let i = v.round();
        if (v - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < names.len() {
            names[i as usize].clone()
        } else {
            String::new()
        }
    };
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(n + 1)
        .x_label_formatter(&formatter)
        .y_label_formatter(&|v| format!("{v:.0}"))
        .y_desc(labels.seconds.as_str())
        .label_style(label_style(px))
        .axis_desc_style(label_style(px))
        .draw()
        .map_err(err)?;
    for (i, s) in steps.iter().enumerate() {
        let x = i as f64;
        let std = f64::from(s.standard);
        // The standard, as a red line across the step.
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(x - 0.4, std), (x + 0.4, std)],
                RED.stroke_width(px(3.0)),
            )))
            .map_err(err)?;
        // Each recording's time, spread across the step so equal times stay visible.
        let count = s.seconds.len();
        chart
            .draw_series(s.seconds.iter().enumerate().map(|(j, sec)| {
                let spread = if count > 1 {
                    (j as f64 / (count - 1) as f64 - 0.5) * 0.6
                } else {
                    0.0
                };
                let colour = if *sec > s.standard { RED } else { BLUE };
                Circle::new((x + spread, f64::from(*sec)), px(4.0), colour.filled())
            }))
            .map_err(err)?;
        // The median as a black bar.
        if let Some(m) = s.median() {
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(x - 0.25, f64::from(m)), (x + 0.25, f64::from(m))],
                    BLACK.stroke_width(px(2.0)),
                )))
                .map_err(err)?;
        }
        let over = labels
            .over_standard
            .replace("{}", &format!("{:.0} %", s.over_percent()));
        chart
            .draw_series(std::iter::once(Text::new(
                over,
                (x - 0.4, top * 0.97),
                label_style(px).color(&RED),
            )))
            .map_err(err)?;
    }
    Ok(())
}

fn per_hour(
    root: &Area<'_>,
    stats: &DayStats,
    labels: &Labels,
    title: &str,
    px: &dyn Fn(f64) -> u32,
) -> Result<(), PlotError> {
    let busy: Vec<usize> = (0..24).filter(|h| stats.per_hour[*h] > 0).collect();
    // The office's hours at least, widened to any hour with recordings.
    let first = busy.first().copied().unwrap_or(7).min(7) as u32;
    let last = busy.last().copied().unwrap_or(16).max(16) as u32;
    let top = stats.per_hour.iter().copied().max().unwrap_or(0).max(4);
    let mut chart = ChartBuilder::on(root)
        .caption(title, caption_style(px))
        .margin(px(10.0))
        .x_label_area_size(px(40.0))
        .y_label_area_size(px(46.0))
        .build_cartesian_2d((first..last).into_segmented(), 0u32..top + 1)
        .map_err(err)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_desc(labels.hour.as_str())
        .y_desc(labels.records.as_str())
        .label_style(label_style(px))
        .axis_desc_style(label_style(px))
        .draw()
        .map_err(err)?;
    chart
        .draw_series(
            Histogram::vertical(&chart)
                .style(BLUE.filled())
                .margin(px(3.0))
                .data((first..=last).map(|h| (h, stats.per_hour[h as usize]))),
        )
        .map_err(err)?;
    Ok(())
}

fn verdicts(
    root: &Area<'_>,
    stats: &DayStats,
    labels: &Labels,
    title: &str,
    px: &dyn Fn(f64) -> u32,
) -> Result<(), PlotError> {
    let values: Vec<u64> = stats.verdicts.iter().map(|(_, n)| *n).collect();
    if values.iter().all(|n| *n == 0) {
        return no_data(root, title, &labels.no_data, px);
    }
    let top = values.iter().copied().max().unwrap_or(0).max(4);
    let n = values.len() as u32;
    let mut chart = ChartBuilder::on(root)
        .caption(title, caption_style(px))
        .margin(px(10.0))
        .x_label_area_size(px(40.0))
        .y_label_area_size(px(46.0))
        .build_cartesian_2d((0u32..n - 1).into_segmented(), 0u64..top + 1)
        .map_err(err)?;
    let names = &labels.verdict_names;
    let formatter = |v: &SegmentValue<u32>| match v {
        SegmentValue::CenterOf(i) => names.get(*i as usize).cloned().unwrap_or_default(),
        _ => String::new(),
    };
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_label_formatter(&formatter)
        .y_desc(labels.records.as_str())
        .label_style(label_style(px))
        .axis_desc_style(label_style(px))
        .draw()
        .map_err(err)?;
    let colours = [GREEN, RED, AMBER, GREY];
    for (i, v) in values.iter().enumerate() {
        chart
            .draw_series(
                Histogram::vertical(&chart)
                    .style(colours[i % colours.len()].filled())
                    .margin(px(12.0))
                    .data(std::iter::once((i as u32, *v))),
            )
            .map_err(err)?;
    }
    Ok(())
}

/// What a plot over the day counts: whole things (records, cards), or a measure (kbit/s).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Values {
    Whole,
    Real,
}

/// The y axis of a plot over the day: its top, how many ticks, and the label of a tick. Whole
/// counts get whole ticks only (a small count would otherwise label 0.2, 0.4, … each "0"),
/// with the top rounded up to a whole number.
fn y_axis(max: f64, values: Values) -> (f64, usize, fn(&f64) -> String) {
    match values {
        Values::Whole => {
            let top = (max * 1.15).ceil().max(4.0);
            let ticks = (top as usize + 1).min(11);
            let label: fn(&f64) -> String = |v| {
                if (v - v.round()).abs() < 1e-6 {
                    format!("{v:.0}")
                } else {
                    String::new()
                }
            };
            (top, ticks, label)
        }
        Values::Real => {
            let top = if max <= 0.0 { 4.0 } else { max * 1.15 };
            (top, 10, |v| format!("{v:.0}"))
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn over_day(
    root: &Area<'_>,
    title: &str,
    y_desc: &str,
    x_desc: &str,
    series: &[(f64, f64)],
    steps: bool,
    values: Values,
    colour: RGBColor,
    nothing: &str,
    px: &dyn Fn(f64) -> u32,
) -> Result<(), PlotError> {
    if series.is_empty() {
        return no_data(root, title, nothing, px);
    }
    let max = series.iter().map(|(_, v)| *v).fold(0.0, f64::max);
    let (top, y_ticks, y_label) = y_axis(max, values);
    let mut chart = ChartBuilder::on(root)
        .caption(title, caption_style(px))
        .margin(px(10.0))
        .x_label_area_size(px(40.0))
        .y_label_area_size(px(64.0))
        .build_cartesian_2d(0f64..24f64, 0f64..top)
        .map_err(err)?;
    chart
        .configure_mesh()
        .x_labels(9)
        .x_label_formatter(&|h| format!("{:02}", h.round() as i64))
        .y_labels(y_ticks)
        .y_label_formatter(&y_label)
        .x_desc(x_desc)
        .y_desc(y_desc)
        .label_style(label_style(px))
        .axis_desc_style(label_style(px))
        .draw()
        .map_err(err)?;
    let points: Vec<(f64, f64)> = if steps {
        let mut out = Vec::with_capacity(series.len() * 2);
        for (i, p) in series.iter().enumerate() {
            if i > 0 {
                out.push((p.0, series[i - 1].1));
            }
            out.push(*p);
        }
        out
    } else {
        series.to_vec()
    };
    chart
        .draw_series(LineSeries::new(points, colour.stroke_width(px(3.0))))
        .map_err(err)?;
    if !steps {
        chart
            .draw_series(
                series
                    .iter()
                    .map(|p| Circle::new(*p, px(3.0), colour.filled())),
            )
            .map_err(err)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::queue::{DayCounts, StepStats};

    pub(crate) fn sample() -> DayStats {
        let mut per_hour = [0u32; 24];
        per_hour[8] = 9;
        per_hour[9] = 12;
        DayStats {
            day: "2026-11-25".parse().unwrap(),
            zone: crate::clock::Zone::Wib,
            counts: DayCounts {
                recorded: 21,
                print_ready: 15,
                duplicates: 1,
                ..DayCounts::default()
            },
            steps: vec![StepStats {
                step: "step-verify".into(),
                standard: 60,
                seconds: vec![30, 45, 61, 90],
            }],
            per_hour,
            verdicts: vec![
                ("print_ready".into(), 15),
                ("duplicate".into(), 1),
                ("adjudicate".into(), 0),
                ("enroll_failure".into(), 0),
            ],
            backlog: vec![(0.0, 0), (9.0, 3), (24.0, 0)],
            link_rate: vec![],
            blank_stock: vec![(0.0, 10), (8.5, 9)],
        }
    }

    #[test]
    fn every_plot_draws_text_and_marks_on_white_and_an_empty_one_says_so() {
        let stats = sample();
        for plot in Plot::ALL {
            let b = render(plot, &stats, &Labels::indonesian(), 600, 360).unwrap();
            assert_eq!(b.rgb.len(), 600 * 360 * 3);
            let dark = b
                .rgb
                .chunks_exact(3)
                .filter(|p| p[0] < 128 && p[1] < 128 && p[2] < 128)
                .count();
            let white = b
                .rgb
                .chunks_exact(3)
                .filter(|p| p == &[255, 255, 255])
                .count();
            assert!(dark > 500, "{plot:?}: no text drawn ({dark} dark pixels)");
            assert!(white > 600 * 360 / 2, "{plot:?}: not on a white ground");
        }
        // No link measurement that day: the plot says so rather than drawing an empty axis.
        let png = render(Plot::LinkRate, &stats, &Labels::indonesian(), 300, 200)
            .unwrap()
            .png()
            .unwrap();
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
    }

    #[test]
    fn a_small_count_s_axis_has_each_whole_number_once() {
        let (top, ticks, label) = y_axis(3.0, Values::Whole);
        assert_eq!((top, ticks), (4.0, 5));
        let labels: Vec<String> = (0..=8)
            .map(|i| label(&(f64::from(i) * 0.5)))
            .filter(|l| !l.is_empty())
            .collect();
        assert_eq!(labels, ["0", "1", "2", "3", "4"]);
        // A big count keeps at most eleven ticks.
        assert_eq!(y_axis(400.0, Values::Whole).1, 11);
    }
}
