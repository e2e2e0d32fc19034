//! Text for the card face: glyph outlines of the embedded DejaVu fonts (`ttf-parser`), filled
//! with anti-aliasing by `tiny-skia`. Latin text only needs no shaping beyond advances and the
//! font's pair kerning.

use tiny_skia::{Color, FillRule, Paint, PathBuilder, Pixmap, Transform};
use ttf_parser::{Face, GlyphId, OutlineBuilder};

const REGULAR: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
const BOLD: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");

/// A loaded font.
pub(crate) struct Font {
    face: Face<'static>,
    units: f32,
}

impl Font {
    pub fn regular() -> Result<Font, String> {
        Font::parse(REGULAR, "DejaVuSans.ttf")
    }

    pub fn bold() -> Result<Font, String> {
        Font::parse(BOLD, "DejaVuSans-Bold.ttf")
    }

    fn parse(data: &'static [u8], name: &str) -> Result<Font, String> {
        let face = Face::parse(data, 0).map_err(|e| format!("{name}: {e}"))?;
        let units = f32::from(face.units_per_em());
        Ok(Font { face, units })
    }

    fn glyphs(&self, text: &str) -> Vec<GlyphId> {
        text.chars()
            .map(|c| {
                self.face
                    .glyph_index(c)
                    .or_else(|| self.face.glyph_index('?'))
                    .unwrap_or(GlyphId(0))
            })
            .collect()
    }

    fn kerning(&self, left: GlyphId, right: GlyphId) -> f32 {
        let Some(kern) = self.face.tables().kern else {
            return 0.0;
        };
        kern.subtables
            .into_iter()
            .filter(|s| s.horizontal && !s.variable && !s.has_cross_stream)
            .find_map(|s| s.glyphs_kerning(left, right))
            .map_or(0.0, f32::from)
    }

    /// The pen positions (font units) of each glyph and the total advance.
    fn layout(&self, glyphs: &[GlyphId]) -> (Vec<f32>, f32) {
        let mut pen = 0.0;
        let mut xs = Vec::with_capacity(glyphs.len());
        for (i, &g) in glyphs.iter().enumerate() {
            if i > 0 {
                pen += self.kerning(glyphs[i - 1], g);
            }
            xs.push(pen);
            pen += f32::from(self.face.glyph_hor_advance(g).unwrap_or(0));
        }
        (xs, pen)
    }

    /// Width of `text` at `px` pixels per em.
    pub fn width(&self, text: &str, px: f32) -> f32 {
        self.layout(&self.glyphs(text)).1 * px / self.units
    }

    /// Draws `text` with its baseline starting at (`x`, `baseline`).
    pub fn draw(
        &self,
        pixmap: &mut Pixmap,
        text: &str,
        x: f32,
        baseline: f32,
        px: f32,
        color: Color,
    ) {
        let glyphs = self.glyphs(text);
        let (xs, _) = self.layout(&glyphs);
        let scale = px / self.units;
        let mut sink = Sink {
            pb: PathBuilder::new(),
            ox: 0.0,
            oy: baseline,
            scale,
        };
        for (g, pen) in glyphs.iter().zip(xs) {
            sink.ox = x + pen * scale;
            self.face.outline_glyph(*g, &mut sink);
        }
        if let Some(path) = sink.pb.finish() {
            let mut paint = Paint::default();
            paint.set_color(color);
            paint.anti_alias = true;
            pixmap.fill_path(
                &path,
                &paint,
                FillRule::Winding,
                Transform::identity(),
                None,
            );
        }
    }
}

/// Turns font-unit outlines (y up) into pixel paths (y down).
struct Sink {
    pb: PathBuilder,
    ox: f32,
    oy: f32,
    scale: f32,
}

impl Sink {
    fn p(&self, x: f32, y: f32) -> (f32, f32) {
        (self.ox + x * self.scale, self.oy - y * self.scale)
    }
}

impl OutlineBuilder for Sink {
    fn move_to(&mut self, x: f32, y: f32) {
        let (x, y) = self.p(x, y);
        self.pb.move_to(x, y);
    }
    fn line_to(&mut self, x: f32, y: f32) {
        let (x, y) = self.p(x, y);
        self.pb.line_to(x, y);
    }
    fn quad_to(&mut self, x1: f32, y1: f32, x: f32, y: f32) {
        let (x1, y1) = self.p(x1, y1);
        let (x, y) = self.p(x, y);
        self.pb.quad_to(x1, y1, x, y);
    }
    fn curve_to(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, x: f32, y: f32) {
        let (x1, y1) = self.p(x1, y1);
        let (x2, y2) = self.p(x2, y2);
        let (x, y) = self.p(x, y);
        self.pb.cubic_to(x1, y1, x2, y2, x, y);
    }
    fn close(&mut self) {
        self.pb.close();
    }
}
