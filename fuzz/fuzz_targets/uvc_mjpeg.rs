//! UVC camera: an M-JPEG frame as the camera sends it (often without Huffman tables).
#![no_main]
use ktpel_camera_uvc::convert::with_standard_huffman;
use ktpel_camera_uvc::{to_frame, PixelFormat};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = to_frame(PixelFormat::Mjpeg, 0, 0, data);
    let _ = with_standard_huffman(data);
    // The uncompressed formats at a size the first bytes give.
    if data.len() > 3 {
        let w = u32::from(data[0]) + 1;
        let h = u32::from(data[1]) + 1;
        let format = [
            PixelFormat::Yuyv,
            PixelFormat::Nv12,
            PixelFormat::Rgb24,
            PixelFormat::Bgr24,
            PixelFormat::Gray,
        ][usize::from(data[2]) % 5];
        let _ = to_frame(format, w, h, &data[3..]);
    }
});
