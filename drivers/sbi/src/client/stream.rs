//! The `STREAM` live preview: a background task reads the M-JPEG body and keeps the newest
//! frames for the caller; dropping or stopping the stream ends the task and the connection.

use super::{http_error, SbiClient};
use crate::error::SbiError;
use crate::mjpeg::{boundary_of, FrameQueue, PartReader};
use crate::runtime;
use crate::wire::StreamRequest;
use std::sync::Arc;
use std::time::Duration;
use tokio::task::AbortHandle;

/// One JPEG frame of the preview.
pub type JpegFrame = Vec<u8>;

/// A running preview. Iterating blocks for the next frame; [`PreviewStream::latest`] skips
/// to the newest.
pub struct PreviewStream {
    port: u16,
    queue: Arc<FrameQueue<Result<JpegFrame, SbiError>>>,
    task: AbortHandle,
    /// How long `next()` waits for a frame before reporting a stall.
    pub frame_timeout: Duration,
}

impl PreviewStream {
    pub(crate) fn start(
        client: SbiClient,
        port: u16,
        device_id: String,
        sub_id: u8,
        first_frame_timeout: Duration,
    ) -> Result<Self, SbiError> {
        let _span = tracing::debug_span!("sbi", op = "stream", port, sub_id).entered();
        const DURING: &str = "STREAM";
        let queue = Arc::new(FrameQueue::new(4));
        let request = StreamRequest {
            device_id,
            device_sub_id: sub_id.to_string(),
            timeout: None,
        };
        // Open the stream synchronously so a refusal is this call's error.
        let c = client.clone();
        let response = runtime::block_on(async move {
            let r = c
                .http()
                .request(super::method("STREAM"), c.url(port, "stream"))
                .header("EXT", c.config().app_name.as_str())
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .json_body(&request)
                .send();
            tokio::time::timeout(first_frame_timeout, r).await
        })?
        .map_err(|_| SbiError::Timeout {
            port,
            during: DURING,
            after: first_frame_timeout,
        })?
        .map_err(|e| http_error(port, DURING, first_frame_timeout, &e))?;
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        let Some(boundary) = boundary_of(&content_type) else {
            // Not a stream: most likely an SBI error object.
            let status = response.status().as_u16();
            let body =
                runtime::block_on(async move { response.bytes().await })?.unwrap_or_default();
            if let Ok(e) = serde_json::from_slice::<crate::wire::ErrorOnly>(&body) {
                return Err(SbiError::Device {
                    during: DURING,
                    code: e.error.code(),
                    info: e.error.error_info,
                });
            }
            return Err(SbiError::Stream {
                port,
                reason: format!("answer {status} is not a multipart stream ({content_type:?})"),
            });
        };
        let q = queue.clone();
        let handle = runtime::handle()?;
        let task = handle.spawn(async move {
            let mut response = response;
            let mut reader = PartReader::new(&boundary);
            loop {
                match response.chunk().await {
                    Ok(Some(bytes)) => {
                        reader.push(&bytes);
                        loop {
                            match reader.next_part() {
                                Ok(Some(part)) => {
                                    if part.starts_with(&[0xFF, 0xD8]) {
                                        q.push(Ok(part));
                                    }
                                }
                                Ok(None) => break,
                                Err(reason) => {
                                    q.push(Err(SbiError::Stream { port, reason }));
                                    q.close();
                                    return;
                                }
                            }
                        }
                    }
                    Ok(None) => break,
                    Err(e) => {
                        q.push(Err(SbiError::Stream {
                            port,
                            reason: e.to_string(),
                        }));
                        break;
                    }
                }
            }
            q.close();
        });
        Ok(Self {
            port,
            queue,
            task: task.abort_handle(),
            frame_timeout: Duration::from_secs(5),
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The next frame in order: `Ok(None)` when the device ended the stream.
    pub fn next_frame(&self, timeout: Duration) -> Result<Option<JpegFrame>, SbiError> {
        self.take(timeout, false)
    }

    /// The newest frame, skipping older ones: `Ok(None)` when the device ended the stream.
    pub fn latest(&self, timeout: Duration) -> Result<Option<JpegFrame>, SbiError> {
        self.take(timeout, true)
    }

    fn take(&self, timeout: Duration, newest: bool) -> Result<Option<JpegFrame>, SbiError> {
        match self.queue.pop(timeout, newest) {
            Ok(Some(frame)) => frame.map(Some),
            Ok(None) => Err(SbiError::Timeout {
                port: self.port,
                during: "STREAM",
                after: timeout,
            }),
            Err(()) => Ok(None),
        }
    }

    /// Whether the reader task has ended (device closed the stream or it failed).
    pub fn is_finished(&self) -> bool {
        self.task.is_finished()
    }

    /// Stops the preview and closes the connection.
    pub fn stop(self) {
        // Drop does the work.
    }
}

// Frames are biometric data: never in debug output.
impl std::fmt::Debug for PreviewStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PreviewStream")
            .field("port", &self.port)
            .field("finished", &self.task.is_finished())
            .finish_non_exhaustive()
    }
}

impl Drop for PreviewStream {
    fn drop(&mut self) {
        self.task.abort();
        self.queue.close();
    }
}

impl Iterator for PreviewStream {
    type Item = Result<JpegFrame, SbiError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_frame(self.frame_timeout).transpose()
    }
}

/// `RequestBuilder::json` needs reqwest's `json` feature; the body is small, serialise here.
trait JsonBody {
    fn json_body<T: serde::Serialize>(self, body: &T) -> Self;
}

impl JsonBody for reqwest::RequestBuilder {
    fn json_body<T: serde::Serialize>(self, body: &T) -> Self {
        self.body(serde_json::to_vec(body).unwrap_or_default())
    }
}
