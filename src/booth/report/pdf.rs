//! The daily report as a PDF, with `krilla`: DejaVu Sans embedded as subsets (so Indonesian
//! text reads and copies the same on any machine), the office's header, the day's counts, the
//! step-time table and the plots as images.

use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect, Size, Transform};
use krilla::image::Image;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;
use krilla::text::{Font, TextDirection};
use krilla::Document;

use super::plots::{self, Labels, Plot};
use super::{count_rows, step_rows, Header, ReportError};
use crate::queue::DayStats;

/// A4 in points.
const PAGE_W: f32 = 595.0;
const PAGE_H: f32 = 842.0;
const MARGIN: f32 = 42.0;

struct Fonts {
    regular: Font,
    bold: Font,
}

fn fonts() -> Result<Fonts, ReportError> {
    let load = |bytes: &'static [u8], what: &str| {
        Font::new(bytes.into(), 0)
            .ok_or_else(|| ReportError::Pdf(format!("the embedded {what} is not a usable font")))
    };
    Ok(Fonts {
        regular: load(crate::assets::FONT_REGULAR, "DejaVu Sans")?,
        bold: load(crate::assets::FONT_BOLD, "DejaVu Sans Bold")?,
    })
}

fn colour(surface: &mut Surface<'_>, r: u8, g: u8, b: u8) {
    surface.set_fill(Some(Fill {
        paint: rgb::Color::new(r, g, b).into(),
        ..Fill::default()
    }));
}

fn text(surface: &mut Surface<'_>, font: &Font, size: f32, x: f32, y: f32, s: &str) {
    surface.draw_text(
        Point::from_xy(x, y),
        font.clone(),
        size,
        s,
        false,
        TextDirection::Auto,
    );
}

/// Text ending at `right` (numbers in a column), measured with the font's advances.
fn text_right(surface: &mut Surface<'_>, font: &Font, size: f32, right: f32, y: f32, s: &str) {
    text(surface, font, size, right - width(s, size), y, s);
}

/// The width of `s` in DejaVu Sans at `size`, from the font's horizontal advances.
fn width(s: &str, size: f32) -> f32 {
    let Ok(face) = ttf_parser::Face::parse(crate::assets::FONT_REGULAR, 0) else {
        return s.chars().count() as f32 * size * 0.55;
    };
    let units = f32::from(face.units_per_em());
    s.chars()
        .map(|c| {
            face.glyph_index(c)
                .and_then(|g| face.glyph_hor_advance(g))
                .map_or(size * 0.55, |a| f32::from(a) * size / units)
        })
        .sum()
}

fn line(surface: &mut Surface<'_>, x1: f32, y1: f32, x2: f32, y2: f32, w: f32) {
    let mut pb = PathBuilder::new();
    pb.move_to(x1, y1);
    pb.line_to(x2, y2);
    if let Some(path) = pb.finish() {
        surface.set_fill(None);
        surface.set_stroke(Some(Stroke {
            paint: rgb::Color::new(90, 90, 90).into(),
            width: w,
            ..Stroke::default()
        }));
        surface.draw_path(&path);
        surface.set_stroke(None);
    }
}

fn shade(surface: &mut Surface<'_>, x: f32, y: f32, w: f32, h: f32) {
    if let Some(rect) = Rect::from_xywh(x, y, w, h) {
        let mut pb = PathBuilder::new();
        pb.push_rect(rect);
        if let Some(path) = pb.finish() {
            colour(surface, 0xe8, 0xee, 0xf6);
            surface.draw_path(&path);
        }
    }
}

fn page_settings() -> Result<PageSettings, ReportError> {
    PageSettings::from_wh(PAGE_W, PAGE_H).ok_or_else(|| ReportError::Pdf("A4 page size".into()))
}

fn header(surface: &mut Surface<'_>, f: &Fonts, h: &Header, stats: &DayStats) -> f32 {
    colour(surface, 0, 0, 0);
    let mut y = MARGIN + 12.0;
    text(surface, &f.bold, 13.0, MARGIN, y, &h.office.to_uppercase());
    y += 22.0;
    text(
        surface,
        &f.bold,
        16.0,
        MARGIN,
        y,
        "LAPORAN HARIAN PEREKAMAN KTP-el",
    );
    y += 18.0;
    text(
        surface,
        &f.regular,
        10.0,
        MARGIN,
        y,
        &format!(
            "Tanggal {} ({})  ·  Perangkat perekaman {}  ·  Kode wilayah {}",
            indonesian_date(stats.day),
            stats.zone.abbreviation(),
            h.booth_id,
            h.region
        ),
    );
    y += 14.0;
    text(
        surface,
        &f.regular,
        8.5,
        MARGIN,
        y,
        &format!(
            "Dibuat {} · Laporan ini tidak memuat data pribadi (nama, NIK, foto, sidik jari).",
            h.generated
        ),
    );
    y += 8.0;
    line(surface, MARGIN, y, PAGE_W - MARGIN, y, 1.2);
    y + 22.0
}

/// "25 November 2026".
pub fn indonesian_date(d: jiff::civil::Date) -> String {
    const MONTHS: [&str; 12] = [
        "Januari",
        "Februari",
        "Maret",
        "April",
        "Mei",
        "Juni",
        "Juli",
        "Agustus",
        "September",
        "Oktober",
        "November",
        "Desember",
    ];
    let m = MONTHS[(d.month().clamp(1, 12) - 1) as usize];
    format!("{} {m} {}", d.day(), d.year())
}

fn footer(surface: &mut Surface<'_>, f: &Fonts, h: &Header, page: u32, pages: u32) {
    colour(surface, 90, 90, 90);
    let y = PAGE_H - MARGIN + 14.0;
    line(surface, MARGIN, y - 12.0, PAGE_W - MARGIN, y - 12.0, 0.5);
    colour(surface, 90, 90, 90);
    text(
        surface,
        &f.regular,
        8.0,
        MARGIN,
        y,
        &format!("Laporan harian · {} · perangkat {}", h.office, h.booth_id),
    );
    text_right(
        surface,
        &f.regular,
        8.0,
        PAGE_W - MARGIN,
        y,
        &format!("Halaman {page} dari {pages}"),
    );
}

/// The whole report as PDF bytes.
pub fn render(h: &Header, stats: &DayStats) -> Result<Vec<u8>, ReportError> {
    let f = fonts()?;
    let mut doc = Document::new();

    // Page 1: the header, the counts, the step times.
    {
        let mut page = doc.start_page_with(page_settings()?);
        let mut s = page.surface();
        let mut y = header(&mut s, &f, h, stats);
        colour(&mut s, 0, 0, 0);
        text(&mut s, &f.bold, 12.0, MARGIN, y, "1. Rekapitulasi hari ini");
        y += 10.0;
        let right = MARGIN + 330.0;
        for (i, row) in count_rows(&stats.counts).iter().enumerate() {
            if i % 2 == 0 {
                shade(&mut s, MARGIN, y + 2.0, 330.0, 17.0);
            }
            y += 14.0;
            colour(&mut s, 0, 0, 0);
            text(&mut s, &f.regular, 10.5, MARGIN + 6.0, y, row.label);
            text_right(
                &mut s,
                &f.bold,
                10.5,
                right - 6.0,
                y,
                &row.value.to_string(),
            );
            y += 3.0;
        }
        y += 30.0;
        colour(&mut s, 0, 0, 0);
        text(
            &mut s,
            &f.bold,
            12.0,
            MARGIN,
            y,
            "2. Waktu layanan per langkah SOP (detik)",
        );
        y += 8.0;
        // Columns: step, standard, count, median, mean, max, over the standard.
        let cols: [(f32, &str); 7] = [
            (MARGIN + 6.0, "Langkah"),
            (MARGIN + 190.0, "Standar"),
            (MARGIN + 240.0, "Jumlah"),
            (MARGIN + 290.0, "Median"),
            (MARGIN + 350.0, "Rata-rata"),
            (MARGIN + 395.0, "Maks"),
            (PAGE_W - MARGIN - 6.0, "Di atas standar"),
        ];
        y += 14.0;
        for (i, (x, name)) in cols.iter().enumerate() {
            if i == 0 {
                text(&mut s, &f.bold, 9.5, *x, y, name);
            } else {
                text_right(&mut s, &f.bold, 9.5, *x, y, name);
            }
        }
        y += 5.0;
        line(&mut s, MARGIN, y, PAGE_W - MARGIN, y, 0.6);
        let labels = Labels::indonesian();
        let rows = step_rows(stats, &labels);
        if rows.is_empty() {
            y += 15.0;
            text(
                &mut s,
                &f.regular,
                10.0,
                MARGIN + 6.0,
                y,
                "Tidak ada perekaman pada hari ini.",
            );
        }
        for (i, r) in rows.iter().enumerate() {
            if i % 2 == 1 {
                shade(&mut s, MARGIN, y + 2.0, PAGE_W - 2.0 * MARGIN, 17.0);
            }
            y += 14.0;
            colour(&mut s, 0, 0, 0);
            let cells = [
                r.name.clone(),
                r.standard.to_string(),
                r.count.to_string(),
                r.median.to_string(),
                format!("{:.1}", r.mean),
                r.max.to_string(),
                format!("{} ({:.0} %)", r.over, r.over_percent),
            ];
            for (j, ((x, _), cell)) in cols.iter().zip(cells.iter()).enumerate() {
                if j == 0 {
                    text(&mut s, &f.regular, 10.0, *x, y, cell);
                } else {
                    text_right(&mut s, &f.regular, 10.0, *x, y, cell);
                }
            }
            y += 3.0;
        }
        y += 24.0;
        colour(&mut s, 60, 60, 60);
        text(
            &mut s,
            &f.regular,
            8.5,
            MARGIN,
            y,
            "Standar menurut SOP: pemeriksaan berkas 1 menit, verifikasi SIAK 1 menit, perekaman 3 menit.",
        );
        text(
            &mut s,
            &f.regular,
            8.5,
            MARGIN,
            y + 12.0,
            "Grafik pada halaman 2. Angka yang sama tersedia sebagai berkas CSV.",
        );
        footer(&mut s, &f, h, 1, 2);
        s.finish();
        page.finish();
    }

    // Page 2: the plots, two a row.
    {
        let labels = Labels::indonesian();
        let mut images = Vec::with_capacity(Plot::ALL.len());
        for plot in Plot::ALL {
            let png = plots::render(plot, stats, &labels, 1000, 640)?.png()?;
            let image = Image::from_png(png.into(), true)
                .map_err(|e| ReportError::Pdf(format!("a plot's image: {e}")))?;
            images.push(image);
        }
        let mut page = doc.start_page_with(page_settings()?);
        let mut s = page.surface();
        colour(&mut s, 0, 0, 0);
        text(
            &mut s,
            &f.bold,
            12.0,
            MARGIN,
            MARGIN + 12.0,
            &format!("3. Grafik hari ini — {}", indonesian_date(stats.day)),
        );
        let gap = 10.0;
        let w = (PAGE_W - 2.0 * MARGIN - gap) / 2.0;
        let hgt = w * 640.0 / 1000.0;
        let size = Size::from_wh(w, hgt).ok_or_else(|| ReportError::Pdf("plot size".into()))?;
        for (i, image) in images.into_iter().enumerate() {
            let x = MARGIN + (i % 2) as f32 * (w + gap);
            let y = MARGIN + 26.0 + (i / 2) as f32 * (hgt + gap);
            s.push_transform(&Transform::from_translate(x, y));
            s.draw_image(image, size);
            s.pop();
        }
        footer(&mut s, &f, h, 2, 2);
        s.finish();
        page.finish();
    }
    doc.finish().map_err(|e| ReportError::Pdf(format!("{e:?}")))
}
