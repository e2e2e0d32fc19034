//! The glue to OpenJPEG: memory streams, one image in, one image out.
//!
//! Every `unsafe` of the workspace that is not in a `-sys` crate is in this module. The rules
//! it keeps:
//!
//! * every OpenJPEG object (codec, stream, image) is owned by a guard whose `Drop` destroys it,
//!   and the guards are declared so that a stream and an image drop before the codec that uses
//!   them, and the user data a stream or codec points to outlives both;
//! * pointers handed to C as user data point to values that stay put (on the heap, in a `Box`)
//!   for as long as the C object exists;
//! * dimensions and component counts come from OpenJPEG's header and are checked before any
//!   pixel buffer is allocated or read; slices over C buffers are made only from checked sizes.
#![allow(unsafe_code)]

use crate::{resolutions, Colour, Container, Error, Image, Limits, Profile};
use openjpeg_sys as sys;
use std::ffi::CStr;
use std::os::raw::{c_char, c_void};
use std::ptr;

/// OpenJPEG's internal stream buffer.
const STREAM_BUFFER: usize = 64 * 1024;
/// The most text kept from OpenJPEG's error messages.
const MAX_ERROR_TEXT: usize = 512;

fn codec_format(container: Container) -> sys::OPJ_CODEC_FORMAT {
    match container {
        Container::J2k => sys::CODEC_FORMAT::OPJ_CODEC_J2K,
        Container::Jp2 => sys::CODEC_FORMAT::OPJ_CODEC_JP2,
    }
}

/// A compressor or decompressor with its error messages collected in a `String`.
struct Codec {
    raw: *mut sys::opj_codec_t,
    /// Owned (from `Box::into_raw`); OpenJPEG's error handler appends to it.
    errors: *mut String,
}

/// Appends OpenJPEG's error message to the codec's `String`.
///
/// # Safety
/// `data` is the `errors` pointer of a live [`Codec`], `msg` null or a NUL-terminated string.
unsafe extern "C" fn on_error(msg: *const c_char, data: *mut c_void) {
    if msg.is_null() || data.is_null() {
        return;
    }
    // SAFETY: per the contract above; OpenJPEG calls handlers from the calling thread only,
    // inside a call made through the Codec, when no Rust reference to the String exists.
    let (text, log) = unsafe { (CStr::from_ptr(msg), &mut *data.cast::<String>()) };
    if log.len() < MAX_ERROR_TEXT {
        if !log.is_empty() {
            log.push_str("; ");
        }
        log.push_str(text.to_string_lossy().trim_end());
    }
}

impl Codec {
    fn new(raw: *mut sys::opj_codec_t, stage: &'static str) -> Result<Self, Error> {
        if raw.is_null() {
            return Err(Error::Codec {
                stage,
                detail: String::new(),
            });
        }
        let errors = Box::into_raw(Box::new(String::new()));
        // SAFETY: `raw` is a live codec; `errors` stays valid until after the codec is
        // destroyed in Drop.
        unsafe {
            sys::opj_set_error_handler(raw, Some(on_error), errors.cast());
        }
        Ok(Self { raw, errors })
    }

    /// An error for `stage` with what OpenJPEG said.
    fn fail(&self, stage: &'static str) -> Error {
        // SAFETY: `errors` is live (freed only in Drop); no C call is running.
        let detail = unsafe { std::mem::take(&mut *self.errors) };
        Error::Codec { stage, detail }
    }

    fn check(&self, ok: sys::OPJ_BOOL, stage: &'static str) -> Result<(), Error> {
        if ok == 0 {
            Err(self.fail(stage))
        } else {
            Ok(())
        }
    }
}

impl Drop for Codec {
    fn drop(&mut self) {
        // SAFETY: `raw` came from opj_create_(de)compress and is destroyed once, here; the
        // error String is freed after the codec that could write to it is gone.
        unsafe {
            sys::opj_destroy_codec(self.raw);
            drop(Box::from_raw(self.errors));
        }
    }
}

struct Stream(*mut sys::opj_stream_t);

impl Drop for Stream {
    fn drop(&mut self) {
        // SAFETY: created by opj_stream_create, destroyed once; its user data has no free
        // function, the Rust owner outlives this guard.
        unsafe { sys::opj_stream_destroy(self.0) }
    }
}

struct ImagePtr(*mut sys::opj_image_t);

impl Drop for ImagePtr {
    fn drop(&mut self) {
        if !self.0.is_null() {
            // SAFETY: created by opj_image_create or opj_read_header, destroyed once.
            unsafe { sys::opj_image_destroy(self.0) }
        }
    }
}

// ---- Reading from a byte slice -------------------------------------------------------------

struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

/// # Safety
/// `user` points to a live `Reader`; `buf` has room for `n` bytes.
unsafe extern "C" fn read_fn(buf: *mut c_void, n: usize, user: *mut c_void) -> usize {
    // SAFETY: per the contract; OpenJPEG passes back the user data set in `reader_stream`.
    let r = unsafe { &mut *user.cast::<Reader>() };
    let left = r.data.len().saturating_sub(r.pos);
    if left == 0 {
        return usize::MAX; // (OPJ_SIZE_T)-1: end of stream
    }
    let k = n.min(left);
    // SAFETY: `pos + k <= data.len()`, `buf` holds `n >= k` bytes, the regions are distinct.
    unsafe { ptr::copy_nonoverlapping(r.data.as_ptr().add(r.pos), buf.cast::<u8>(), k) };
    r.pos += k;
    k
}

/// # Safety
/// `user` points to a live `Reader`.
unsafe extern "C" fn read_skip_fn(n: i64, user: *mut c_void) -> i64 {
    // SAFETY: per the contract.
    let r = unsafe { &mut *user.cast::<Reader>() };
    let target = (r.pos as i64)
        .saturating_add(n)
        .clamp(0, r.data.len() as i64);
    let moved = target - r.pos as i64;
    if n != 0 && moved == 0 {
        return -1;
    }
    r.pos = target as usize;
    moved
}

/// # Safety
/// `user` points to a live `Reader`.
unsafe extern "C" fn read_seek_fn(n: i64, user: *mut c_void) -> sys::OPJ_BOOL {
    // SAFETY: per the contract.
    let r = unsafe { &mut *user.cast::<Reader>() };
    if n < 0 || n as u64 > r.data.len() as u64 {
        return 0;
    }
    r.pos = n as usize;
    1
}

/// An input stream over `reader`, which must outlive the returned guard.
fn reader_stream(reader: &mut Reader<'_>) -> Result<Stream, Error> {
    // SAFETY: plain constructor; the result is checked for null.
    let raw = unsafe { sys::opj_stream_create(STREAM_BUFFER, 1) };
    if raw.is_null() {
        return Err(Error::Codec {
            stage: "create an input stream",
            detail: String::new(),
        });
    }
    let len = reader.data.len() as u64;
    // SAFETY: `raw` is live; the callbacks match OpenJPEG's signatures; the user data is the
    // reader, which the caller keeps alive (and in place) for the stream's life.
    unsafe {
        sys::opj_stream_set_read_function(raw, Some(read_fn));
        sys::opj_stream_set_skip_function(raw, Some(read_skip_fn));
        sys::opj_stream_set_seek_function(raw, Some(read_seek_fn));
        sys::opj_stream_set_user_data(raw, (reader as *mut Reader).cast(), None);
        sys::opj_stream_set_user_data_length(raw, len);
    }
    Ok(Stream(raw))
}

// ---- Writing to a Vec ----------------------------------------------------------------------

#[derive(Default)]
struct Writer {
    data: Vec<u8>,
    pos: usize,
}

impl Writer {
    fn reach(&mut self, end: usize) {
        if end > self.data.len() {
            self.data.resize(end, 0);
        }
    }
}

/// # Safety
/// `user` points to a live `Writer`; `buf` holds `n` bytes.
unsafe extern "C" fn write_fn(buf: *mut c_void, n: usize, user: *mut c_void) -> usize {
    // SAFETY: per the contract.
    let w = unsafe { &mut *user.cast::<Writer>() };
    let Some(end) = w.pos.checked_add(n) else {
        return usize::MAX;
    };
    w.reach(end);
    // SAFETY: `buf` holds `n` bytes; `data[pos..end]` exists after `reach`.
    let src = unsafe { std::slice::from_raw_parts(buf.cast::<u8>(), n) };
    w.data[w.pos..end].copy_from_slice(src);
    w.pos = end;
    n
}

/// # Safety
/// `user` points to a live `Writer`.
unsafe extern "C" fn write_skip_fn(n: i64, user: *mut c_void) -> i64 {
    // SAFETY: per the contract.
    let w = unsafe { &mut *user.cast::<Writer>() };
    let target = w.pos as i64 + n;
    if target < 0 {
        return -1;
    }
    w.pos = target as usize;
    w.reach(w.pos);
    n
}

/// # Safety
/// `user` points to a live `Writer`.
unsafe extern "C" fn write_seek_fn(n: i64, user: *mut c_void) -> sys::OPJ_BOOL {
    // SAFETY: per the contract.
    let w = unsafe { &mut *user.cast::<Writer>() };
    if n < 0 {
        return 0;
    }
    w.pos = n as usize;
    w.reach(w.pos);
    1
}

fn writer_stream(writer: &mut Writer) -> Result<Stream, Error> {
    // SAFETY: plain constructor; the result is checked for null.
    let raw = unsafe { sys::opj_stream_create(STREAM_BUFFER, 0) };
    if raw.is_null() {
        return Err(Error::Codec {
            stage: "create an output stream",
            detail: String::new(),
        });
    }
    // SAFETY: as in `reader_stream`, with the writer as user data.
    unsafe {
        sys::opj_stream_set_write_function(raw, Some(write_fn));
        sys::opj_stream_set_skip_function(raw, Some(write_skip_fn));
        sys::opj_stream_set_seek_function(raw, Some(write_seek_fn));
        sys::opj_stream_set_user_data(raw, (writer as *mut Writer).cast(), None);
    }
    Ok(Stream(raw))
}

// ---- Encoding ------------------------------------------------------------------------------

pub(crate) fn encode(
    image: &Image,
    profile: Profile,
    container: Container,
) -> Result<Vec<u8>, Error> {
    let (w, h) = (image.width, image.height);
    let channels = image.colour.channels();
    let plane = w as usize * h as usize;

    // SAFETY: opj_cparameters_t is a plain C struct (numbers, arrays, nullable pointers) for
    // which all-zero is a valid value; the library then fills in its defaults.
    let mut params: sys::opj_cparameters_t = unsafe { std::mem::zeroed() };
    // SAFETY: `params` is a valid, writable struct.
    unsafe { sys::opj_set_default_encoder_parameters(&mut params) };
    params.tcp_numlayers = 1;
    params.cp_disto_alloc = 1;
    params.numresolution = resolutions(w, h);
    match profile {
        Profile::Lossless => {
            params.irreversible = 0;
            params.tcp_rates[0] = 0.0; // 0: keep every bit
        }
        Profile::Field { ratio } => {
            params.irreversible = 1;
            params.tcp_rates[0] = ratio;
        }
    }
    params.tcp_mct = c_char::from(image.colour == Colour::Rgb);

    let mut comps: Vec<sys::opj_image_cmptparm_t> = (0..channels)
        .map(|_| sys::opj_image_cmptparm_t {
            dx: 1,
            dy: 1,
            w,
            h,
            x0: 0,
            y0: 0,
            prec: 8,
            bpp: 8,
            sgnd: 0,
        })
        .collect();
    let space = match image.colour {
        Colour::Grey => sys::COLOR_SPACE::OPJ_CLRSPC_GRAY,
        Colour::Rgb => sys::COLOR_SPACE::OPJ_CLRSPC_SRGB,
    };
    // SAFETY: `comps` holds `channels` valid parameter structs.
    let img =
        ImagePtr(unsafe { sys::opj_image_create(channels as u32, comps.as_mut_ptr(), space) });
    if img.0.is_null() {
        return Err(Error::Codec {
            stage: "allocate the image",
            detail: String::new(),
        });
    }
    // SAFETY: `img.0` is a live image with `channels` components of `w × h` samples each
    // (opj_image_create allocated them from `comps`); each `data` is checked for null.
    unsafe {
        let raw = &mut *img.0;
        raw.x0 = 0;
        raw.y0 = 0;
        raw.x1 = w;
        raw.y1 = h;
        for c in 0..channels {
            let comp = &mut *raw.comps.add(c);
            if comp.data.is_null() {
                return Err(Error::Codec {
                    stage: "allocate the image",
                    detail: String::new(),
                });
            }
            let dst = std::slice::from_raw_parts_mut(comp.data, plane);
            for (d, s) in dst
                .iter_mut()
                .zip(image.pixels.iter().skip(c).step_by(channels))
            {
                *d = i32::from(*s);
            }
        }
    }

    let mut writer = Box::new(Writer::default());
    {
        // SAFETY: plain constructor, checked for null by Codec::new.
        let codec = Codec::new(
            unsafe { sys::opj_create_compress(codec_format(container)) },
            "create an encoder",
        )?;
        // SAFETY: live codec, valid parameters and image.
        let ok = unsafe { sys::opj_setup_encoder(codec.raw, &mut params, img.0) };
        codec.check(ok, "set up the encoder")?;
        let stream = writer_stream(&mut writer)?;
        // SAFETY: live codec, image and stream; the writer outlives the stream (declared
        // before it, dropped after this block).
        unsafe {
            codec.check(
                sys::opj_start_compress(codec.raw, img.0, stream.0),
                "start compressing",
            )?;
            codec.check(sys::opj_encode(codec.raw, stream.0), "compress")?;
            codec.check(
                sys::opj_end_compress(codec.raw, stream.0),
                "finish compressing",
            )?;
        }
        drop(stream);
    }
    Ok(std::mem::take(&mut writer.data))
}

// ---- Decoding ------------------------------------------------------------------------------

pub(crate) fn decode(bytes: &[u8], container: Container, limits: Limits) -> Result<Image, Error> {
    let mut reader = Box::new(Reader {
        data: bytes,
        pos: 0,
    });
    // SAFETY: plain constructor, checked for null by Codec::new.
    let codec = Codec::new(
        unsafe { sys::opj_create_decompress(codec_format(container)) },
        "create a decoder",
    )?;
    // SAFETY: zero is a valid opj_dparameters_t (numbers and char arrays); defaults follow.
    let mut params: sys::opj_dparameters_t = unsafe { std::mem::zeroed() };
    // SAFETY: live codec and valid parameters.
    unsafe {
        sys::opj_set_default_decoder_parameters(&mut params);
        codec.check(
            sys::opj_setup_decoder(codec.raw, &mut params),
            "set up the decoder",
        )?;
    }
    let stream = reader_stream(&mut reader)?;
    let mut img = ImagePtr(ptr::null_mut());
    // SAFETY: live codec and stream; OpenJPEG stores a new image (or null) in `img.0`, which the
    // guard then owns.
    let ok = unsafe { sys::opj_read_header(stream.0, codec.raw, &mut img.0) };
    codec.check(ok, "read the header")?;
    if img.0.is_null() {
        return Err(codec.fail("read the header"));
    }

    // Check the header before anything is decoded (and so allocated for pixels).
    // SAFETY: a live image from opj_read_header with `numcomps` components at `comps`.
    let (width, height, numcomps) = unsafe {
        let raw = &*img.0;
        (
            raw.x1.saturating_sub(raw.x0),
            raw.y1.saturating_sub(raw.y0),
            raw.numcomps,
        )
    };
    limits.check(width, height)?;
    let colour = match numcomps {
        1 => Colour::Grey,
        3 => Colour::Rgb,
        n => return Err(Error::Components(n)),
    };
    for c in 0..numcomps {
        // SAFETY: `c < numcomps`, and `comps` is non-null when numcomps > 0.
        let comp = unsafe { &*(*img.0).comps.add(c as usize) };
        if comp.dx != 1 || comp.dy != 1 {
            return Err(Error::Component {
                component: c,
                what: "subsampled components are not supported",
            });
        }
        if comp.prec == 0 || comp.prec > 8 {
            return Err(Error::Component {
                component: c,
                what: "only 1–8 bit samples are supported",
            });
        }
        if comp.sgnd != 0 {
            return Err(Error::Component {
                component: c,
                what: "signed samples are not supported",
            });
        }
    }

    // SAFETY: live codec, stream and image.
    unsafe {
        codec.check(sys::opj_decode(codec.raw, stream.0, img.0), "decode")?;
        codec.check(
            sys::opj_end_decompress(codec.raw, stream.0),
            "finish decoding",
        )?;
    }

    let channels = colour.channels();
    let plane = width as usize * height as usize;
    let mut pixels = vec![0u8; plane * channels];
    for c in 0..channels {
        // SAFETY: as above; the decoded component's size is checked against the header's
        // before its buffer is read as `plane` samples.
        let comp = unsafe { &*(*img.0).comps.add(c) };
        if comp.data.is_null() || comp.w != width || comp.h != height {
            return Err(Error::Component {
                component: c as u32,
                what: "decoded to a different size than its header states",
            });
        }
        // SAFETY: `data` holds `w × h` samples (checked just above).
        let src = unsafe { std::slice::from_raw_parts(comp.data, plane) };
        let max = (1i32 << comp.prec) - 1;
        for (d, &s) in pixels.iter_mut().skip(c).step_by(channels).zip(src) {
            let v = s.clamp(0, max);
            *d = if max == 255 {
                v as u8
            } else {
                ((v * 255 + max / 2) / max) as u8
            };
        }
    }
    drop(stream);
    drop(img);
    drop(codec);
    drop(reader);
    Ok(Image {
        width,
        height,
        colour,
        pixels,
    })
}
