//! The one error body of the booth's two HTTP services (the centre and the complaint desk), and
//! what the booth's clients make of an answer: a transport failure (timeout, or unreachable with
//! the whole cause chain: refused, reset, closed), a refusal (a non-success status with the
//! service's code, message and field when its body says them), or a body that does not parse.
//! Each client turns a [`Trouble`] into its own error, in its own words.

use reqwest::StatusCode;
use serde::{Deserialize, Serialize};

/// An error body: a stable code to branch on, a message for people, and the field concerned
/// when one is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    pub error: String,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

/// The servers' side (the simulators and the desk).
#[cfg(any(feature = "desk", feature = "centre-sim"))]
impl ApiError {
    /// The answer a service gives with this body.
    pub fn response(
        status: StatusCode,
        code: &str,
        message: impl Into<String>,
    ) -> axum::response::Response {
        Self::answer(status, code, None, message)
    }

    /// A 422 naming the field that is wrong.
    pub fn field_response(
        code: &str,
        field: &str,
        message: impl Into<String>,
    ) -> axum::response::Response {
        Self::answer(StatusCode::UNPROCESSABLE_ENTITY, code, Some(field), message)
    }

    fn answer(
        status: StatusCode,
        code: &str,
        field: Option<&str>,
        message: impl Into<String>,
    ) -> axum::response::Response {
        use axum::response::IntoResponse as _;
        let body = ApiError {
            error: code.into(),
            message: message.into(),
            field: field.map(Into::into),
        };
        (status, axum::Json(body)).into_response()
    }
}

/// A non-success answer, as the service explained it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub status: StatusCode,
    /// The body's code, or "unknown" when the body is not an [`ApiError`].
    pub code: String,
    /// The body's message, or the start of the body as text.
    pub message: String,
    pub field: Option<String>,
}

/// Why an exchange did not give the answer asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Trouble {
    Timeout,
    /// Could not send or could not read the answer; says why, cause by cause.
    Unreachable(String),
    Refused(Refusal),
    /// The body was not what was asked for.
    Garbage(String),
}

/// A transport failure.
pub fn transport(e: reqwest::Error) -> Trouble {
    if e.is_timeout() {
        return Trouble::Timeout;
    }
    // The source chain says what really happened (refused, reset, closed).
    let mut msg = e.to_string();
    let mut src = std::error::Error::source(&e);
    while let Some(s) = src {
        msg = format!("{msg}: {s}");
        src = s.source();
    }
    Trouble::Unreachable(msg)
}

/// The largest answer body the booth reads. The largest real answer is a verdict reply for
/// [`MAX_VERDICT_QUERY`](crate::wire::centre::MAX_VERDICT_QUERY) (200) print-ready packets, each
/// with its chip files, portrait and signature in base64: about 150 KB each, 30 MB in all.
pub const MAX_REPLY_BYTES: usize = 64 * 1024 * 1024;
/// The largest refusal body read: only its code and message (cut to 200 characters) are kept.
pub const MAX_REFUSAL_BYTES: usize = 64 * 1024;

/// Reads an answer's body, at most `max` bytes: a longer one (by its `Content-Length` or by
/// what arrives) is garbage, refused before it is all read.
async fn body(mut resp: reqwest::Response, max: usize) -> Result<Vec<u8>, Trouble> {
    if let Some(len) = resp.content_length() {
        if len > max as u64 {
            return Err(too_long(len, max));
        }
    }
    let mut out = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(transport)? {
        if out.len() + chunk.len() > max {
            return Err(too_long((out.len() + chunk.len()) as u64, max));
        }
        out.extend_from_slice(&chunk);
    }
    Ok(out)
}

fn too_long(len: u64, max: usize) -> Trouble {
    Trouble::Garbage(format!(
        "the answer is {len} bytes or more; at most {max} are read"
    ))
}

/// Reads a non-success answer. A body cut off while it is read is a transport failure.
pub async fn refusal(resp: reqwest::Response) -> Trouble {
    let status = resp.status();
    match body(resp, MAX_REFUSAL_BYTES).await {
        Ok(body) => Trouble::Refused(read_refusal(status, &body)),
        // Past the bound: still a refusal, told by its status alone.
        Err(Trouble::Garbage(message)) => Trouble::Refused(Refusal {
            status,
            code: "unknown".into(),
            message,
            field: None,
        }),
        Err(e) => e,
    }
}

/// What the booth makes of a refusal's body: the service's error body, or the start of the text.
pub fn read_refusal(status: StatusCode, body: &[u8]) -> Refusal {
    match serde_json::from_slice::<ApiError>(body) {
        Ok(e) => Refusal {
            status,
            code: e.error,
            message: e.message,
            field: e.field,
        },
        Err(_) => Refusal {
            status,
            code: "unknown".into(),
            message: String::from_utf8_lossy(&body[..body.len().min(200)]).into_owned(),
            field: None,
        },
    }
}

/// The body of an answer with one of the `ok` statuses, parsed as JSON; any other status is a
/// refusal.
pub async fn json<T: serde::de::DeserializeOwned>(
    resp: reqwest::Response,
    ok: &[StatusCode],
) -> Result<T, Trouble> {
    if !ok.contains(&resp.status()) {
        return Err(refusal(resp).await);
    }
    let body = body(resp, MAX_REPLY_BYTES).await?;
    parse_reply(&body)
}

/// A success answer's body as `T`: at most [`MAX_REPLY_BYTES`], then JSON.
pub fn parse_reply<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, Trouble> {
    if body.len() > MAX_REPLY_BYTES {
        return Err(too_long(body.len() as u64, MAX_REPLY_BYTES));
    }
    serde_json::from_slice(body).map_err(|e| Trouble::Garbage(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_is_read_from_the_error_body_or_from_the_raw_text() {
        let body = br#"{"error":"invalid","message":"the contact is empty","field":"contact"}"#;
        assert_eq!(
            read_refusal(StatusCode::UNPROCESSABLE_ENTITY, body),
            Refusal {
                status: StatusCode::UNPROCESSABLE_ENTITY,
                code: "invalid".into(),
                message: "the contact is empty".into(),
                field: Some("contact".into()),
            }
        );
        let proxy = "<html>502 Bad Gateway</html>".repeat(20);
        let r = read_refusal(StatusCode::BAD_GATEWAY, proxy.as_bytes());
        assert_eq!((r.code.as_str(), r.field), ("unknown", None));
        assert_eq!(r.message.len(), 200, "a long page is cut to its start");
        assert!(r.message.starts_with("<html>502 Bad Gateway"));
    }

    #[test]
    fn a_reply_past_the_bound_is_garbage_that_names_both_sizes() {
        let body = vec![b' '; MAX_REPLY_BYTES + 1];
        match parse_reply::<ApiError>(&body) {
            Err(Trouble::Garbage(m)) => {
                assert!(m.contains(&(MAX_REPLY_BYTES + 1).to_string()), "{m}");
                assert!(m.contains(&MAX_REPLY_BYTES.to_string()), "{m}");
            }
            other => panic!("{other:?}"),
        }
    }
}
