//! M-JPEG over HTTP (`multipart/x-mixed-replace`), as SBI's `STREAM` sends the live preview:
//! a reader that cuts the body into parts as bytes arrive, and the writer the simulator uses.
//!
//! Each part is `--boundary`, header lines, a blank line and the JPEG. With a
//! `Content-Length` header the part is taken by length (and handed out at once); without one
//! it ends where the next boundary starts. Servers differ on whether the `boundary=` value
//! already carries the leading `--`, so the reader matches the value itself.

use std::collections::VecDeque;
use std::sync::{Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// The `boundary` parameter of a `Content-Type` header, if any.
pub fn boundary_of(content_type: &str) -> Option<String> {
    content_type.split(';').skip(1).find_map(|param| {
        let (k, v) = param.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("boundary")
            .then(|| v.trim().trim_matches('"').to_string())
            .filter(|b| !b.is_empty())
    })
}

/// The bytes of one part as the simulator writes it.
pub fn write_part(boundary: &str, jpeg: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(jpeg.len() + 96);
    out.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Type: image/jpeg\r\nContent-Length: {}\r\n\r\n",
            jpeg.len()
        )
        .as_bytes(),
    );
    out.extend_from_slice(jpeg);
    out.extend_from_slice(b"\r\n");
    out
}

/// The largest part accepted (a preview frame is tens of kilobytes).
const MAX_PART: usize = 16 << 20;

/// Cuts a multipart body into parts.
pub struct PartReader {
    boundary: Vec<u8>,
    buf: Vec<u8>,
}

// The buffer holds frames: show sizes only.
impl std::fmt::Debug for PartReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PartReader")
            .field("buffered", &self.buf.len())
            .finish_non_exhaustive()
    }
}

impl PartReader {
    pub fn new(boundary: &str) -> Self {
        let b = boundary.trim_start_matches("--");
        Self {
            boundary: b.as_bytes().to_vec(),
            buf: Vec::new(),
        }
    }

    /// Adds bytes from the body.
    pub fn push(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// The next complete part's body, `Ok(None)` when more bytes are needed.
    pub fn next_part(&mut self) -> Result<Option<Vec<u8>>, String> {
        // Find the boundary that opens the part.
        let Some(b_at) = find(&self.buf, &self.boundary) else {
            self.trim_garbage();
            return Ok(None);
        };
        let Some(line_end) = find(&self.buf[b_at..], b"\n").map(|i| b_at + i + 1) else {
            return Ok(None);
        };
        // Header lines up to an empty line.
        let mut at = line_end;
        let mut length: Option<usize> = None;
        loop {
            let Some(nl) = find(&self.buf[at..], b"\n") else {
                return self.check_size();
            };
            let line = trim_cr(&self.buf[at..at + nl]);
            at += nl + 1;
            if line.is_empty() {
                break;
            }
            let text = String::from_utf8_lossy(line);
            if let Some((name, value)) = text.split_once(':') {
                if name.trim().eq_ignore_ascii_case("content-length") {
                    let n = value
                        .trim()
                        .parse::<usize>()
                        .map_err(|_| format!("bad Content-Length {:?}", value.trim()))?;
                    if n > MAX_PART {
                        return Err(format!("a part of {n} bytes is larger than allowed"));
                    }
                    length = Some(n);
                }
            }
        }
        let body_start = at;
        let body_end = match length {
            Some(n) => {
                if self.buf.len() < body_start + n {
                    return self.check_size();
                }
                body_start + n
            }
            None => match find(&self.buf[body_start..], &self.boundary) {
                Some(i) => {
                    // The body ends before "\r\n--boundary".
                    let mut end = body_start + i;
                    while end > body_start && self.buf[end - 1] == b'-' {
                        end -= 1;
                    }
                    if end > body_start && self.buf[end - 1] == b'\n' {
                        end -= 1;
                    }
                    if end > body_start && self.buf[end - 1] == b'\r' {
                        end -= 1;
                    }
                    end
                }
                None => return self.check_size(),
            },
        };
        let body = self.buf[body_start..body_end].to_vec();
        self.buf.drain(..body_end);
        Ok(Some(body))
    }

    fn check_size(&self) -> Result<Option<Vec<u8>>, String> {
        if self.buf.len() > MAX_PART + 4096 {
            Err("the stream sends no part boundary".into())
        } else {
            Ok(None)
        }
    }

    /// Keeps only a tail that could hold the start of a boundary.
    fn trim_garbage(&mut self) {
        let keep = self.boundary.len() + 4;
        if self.buf.len() > keep {
            let cut = self.buf.len() - keep;
            self.buf.drain(..cut);
        }
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || hay.len() < needle.len() {
        return None;
    }
    hay.windows(needle.len()).position(|w| w == needle)
}

fn trim_cr(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// A small queue of the newest frames between the stream reader and the preview: when the
/// viewer is slow the oldest frames go, never the newest.
pub(crate) struct FrameQueue<T> {
    state: Mutex<QueueState<T>>,
    ready: Condvar,
    capacity: usize,
}

struct QueueState<T> {
    items: VecDeque<T>,
    closed: bool,
}

impl<T> FrameQueue<T> {
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            state: Mutex::new(QueueState {
                items: VecDeque::new(),
                closed: false,
            }),
            ready: Condvar::new(),
            capacity: capacity.max(1),
        }
    }

    pub(crate) fn push(&self, item: T) {
        let mut s = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        if s.items.len() == self.capacity {
            s.items.pop_front();
        }
        s.items.push_back(item);
        self.ready.notify_all();
    }

    pub(crate) fn close(&self) {
        let mut s = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        s.closed = true;
        self.ready.notify_all();
    }

    /// Waits up to `timeout` for an item: `Ok(Some)` an item (the oldest, or only the newest
    /// with `newest`), `Ok(None)` timed out, `Err(())` closed and empty.
    pub(crate) fn pop(&self, timeout: Duration, newest: bool) -> Result<Option<T>, ()> {
        let deadline = Instant::now() + timeout;
        let mut s = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        loop {
            if newest {
                if let Some(item) = s.items.pop_back() {
                    s.items.clear();
                    return Ok(Some(item));
                }
            } else if let Some(item) = s.items.pop_front() {
                return Ok(Some(item));
            }
            if s.closed {
                return Err(());
            }
            let now = Instant::now();
            if now >= deadline {
                return Ok(None);
            }
            s = self
                .ready
                .wait_timeout(s, deadline - now)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn boundary_parameter() {
        assert_eq!(
            boundary_of("multipart/x-mixed-replace; boundary=frame").as_deref(),
            Some("frame")
        );
        assert_eq!(
            boundary_of("multipart/x-mixed-replace;boundary=\"--a b\"").as_deref(),
            Some("--a b")
        );
        assert_eq!(boundary_of("image/jpeg"), None);
    }

    #[test]
    fn parts_with_length_arrive_byte_by_byte() {
        let mut body = Vec::new();
        body.extend(write_part("ktpel", b"\xff\xd8one\xff\xd9"));
        body.extend(write_part("ktpel", b"\xff\xd8two--ktpel inside\xff\xd9"));
        let mut r = PartReader::new("ktpel");
        let mut got = Vec::new();
        for b in &body {
            r.push(std::slice::from_ref(b));
            while let Some(p) = r.next_part().unwrap() {
                got.push(p);
            }
        }
        assert_eq!(
            got,
            vec![
                b"\xff\xd8one\xff\xd9".to_vec(),
                b"\xff\xd8two--ktpel inside\xff\xd9".to_vec()
            ]
        );
    }

    #[test]
    fn parts_without_length_end_at_the_next_boundary() {
        let body = b"preamble\r\n--frame\r\nContent-Type: image/jpeg\r\n\r\nAAA\r\n--frame\r\n\
                     Content-Type: image/jpeg\r\n\r\nBBBB\r\n--frame\r\n";
        let mut r = PartReader::new("--frame");
        r.push(body);
        assert_eq!(r.next_part().unwrap(), Some(b"AAA".to_vec()));
        assert_eq!(r.next_part().unwrap(), Some(b"BBBB".to_vec()));
        assert_eq!(r.next_part().unwrap(), None);
    }

    #[test]
    fn a_bad_length_is_an_error() {
        let mut r = PartReader::new("b");
        r.push(b"--b\r\nContent-Length: lots\r\n\r\nxx");
        assert!(r.next_part().is_err());
    }

    #[test]
    fn the_queue_keeps_the_newest() {
        let q = FrameQueue::new(2);
        q.push(1);
        q.push(2);
        q.push(3);
        assert_eq!(q.pop(Duration::ZERO, false), Ok(Some(2)));
        q.push(4);
        q.push(5);
        assert_eq!(q.pop(Duration::ZERO, true), Ok(Some(5)));
        assert_eq!(q.pop(Duration::from_millis(5), false), Ok(None));
        q.close();
        assert_eq!(q.pop(Duration::from_millis(5), false), Err(()));
    }
}
