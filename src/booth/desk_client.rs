//! The booth's client for the complaint desk: submit a complaint (idempotent by its id, so the
//! booth's transmitter may send it again after any failure) and ask where a ticket stands.
//! Every answer is checked before it is believed; each failure says what went wrong.

use reqwest::StatusCode;
use std::time::Duration;
use tracing::Instrument as _;

use crate::wire::http::{json, refusal, transport, Trouble};

use crate::wire::complaint::{
    Complaint, DeskInfo, StatusReply, SubmitReply, TicketNo, COMPLAINTS_PATH, INFO_PATH,
    TICKETS_PATH,
};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeskClientError {
    #[error("the complaint desk cannot be reached ({0})")]
    Unreachable(String),
    #[error("the complaint desk did not answer in time")]
    Timeout,
    #[error("the complaint desk refused this booth's API key: {0}")]
    Unauthorized(String),
    #[error("the complaint desk refused the complaint ({field}): {message}")]
    Rejected { field: String, message: String },
    #[error(
        "the complaint desk already has a different complaint under this id or ticket number: {0}"
    )]
    Conflict(String),
    #[error("the complaint desk has no complaint with ticket {0}")]
    NotFound(TicketNo),
    #[error("the complaint desk answered HTTP {status} ({code}): {message}")]
    Http {
        status: u16,
        code: String,
        message: String,
    },
    #[error("the complaint desk's answer could not be understood: {0}")]
    Garbage(String),
}

impl DeskClientError {
    /// Whether sending again later may succeed (the desk down or busy), as opposed to an answer
    /// that will not change (a refused key or complaint, a conflict).
    pub fn is_retryable(&self) -> bool {
        match self {
            DeskClientError::Unreachable(_)
            | DeskClientError::Timeout
            | DeskClientError::Garbage(_) => true,
            DeskClientError::Http { status, .. } => *status >= 500 || *status == 429,
            _ => false,
        }
    }

    /// A short class for logs and the queue (no personal data).
    pub fn class(&self) -> String {
        match self {
            DeskClientError::Unreachable(_) => "unreachable".into(),
            DeskClientError::Timeout => "timeout".into(),
            DeskClientError::Unauthorized(_) => "unauthorized".into(),
            DeskClientError::Rejected { field, .. } => format!("rejected_{field}"),
            DeskClientError::Conflict(_) => "conflict".into(),
            DeskClientError::NotFound(_) => "not_found".into(),
            DeskClientError::Http { status, code, .. } => format!("http_{status}_{code}"),
            DeskClientError::Garbage(_) => "garbage".into(),
        }
    }
}

impl From<Trouble> for DeskClientError {
    fn from(t: Trouble) -> Self {
        match t {
            Trouble::Timeout => DeskClientError::Timeout,
            Trouble::Unreachable(m) => DeskClientError::Unreachable(m),
            Trouble::Garbage(m) => DeskClientError::Garbage(m),
            Trouble::Refused(r) => match r.status {
                StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => {
                    DeskClientError::Unauthorized(r.message)
                }
                StatusCode::CONFLICT => DeskClientError::Conflict(r.message),
                StatusCode::UNPROCESSABLE_ENTITY | StatusCode::BAD_REQUEST => {
                    DeskClientError::Rejected {
                        field: r.field.unwrap_or_else(|| "body".into()),
                        message: r.message,
                    }
                }
                status => DeskClientError::Http {
                    status: status.as_u16(),
                    code: r.code,
                    message: r.message,
                },
            },
        }
    }
}

/// A client for one desk, with the booth's key.
#[derive(Clone)]
pub struct DeskClient {
    http: reqwest::Client,
    base_url: String,
    api_key: String,
}

impl std::fmt::Debug for DeskClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DeskClient({})", self.base_url)
    }
}

impl DeskClient {
    /// `base_url` is the desk's `http://host:port`; `timeout` bounds each whole request.
    pub fn new(base_url: &str, api_key: &str, timeout: Duration) -> Result<Self, DeskClientError> {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            .pool_idle_timeout(Duration::from_secs(30))
            .user_agent(concat!("ktpel-booth/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| DeskClientError::Unreachable(e.to_string()))?;
        Ok(Self {
            http,
            base_url: base_url.trim_end_matches('/').into(),
            api_key: api_key.into(),
        })
    }

    /// Sends a complaint; `Ok` only when the desk confirms it holds this very complaint (new,
    /// or already there from an earlier attempt: `repeat`).
    pub async fn submit(&self, complaint: &Complaint) -> Result<SubmitReply, DeskClientError> {
        async {
            let resp = self
                .http
                .post(format!("{}{COMPLAINTS_PATH}", self.base_url))
                .bearer_auth(&self.api_key)
                .json(complaint)
                .send()
                .await
                .map_err(transport)?;
            let reply: SubmitReply = json(resp, &[StatusCode::OK, StatusCode::CREATED]).await?;
            if reply.id != complaint.id || reply.ticket_no != complaint.ticket_no {
                return Err(DeskClientError::Garbage(
                    "the desk confirmed another complaint".into(),
                ));
            }
            Ok(reply)
        }
        .instrument(tracing::info_span!("desk.submit", id = %complaint.id))
        .await
    }

    /// Where the complaint with this ticket stands.
    pub async fn status(&self, ticket: &TicketNo) -> Result<StatusReply, DeskClientError> {
        async {
            let resp = self
                .http
                .get(format!(
                    "{}{TICKETS_PATH}/{}",
                    self.base_url,
                    ticket.as_str()
                ))
                .bearer_auth(&self.api_key)
                .send()
                .await
                .map_err(transport)?;
            match resp.status() {
                StatusCode::OK => {
                    let reply: StatusReply = json(resp, &[StatusCode::OK]).await?;
                    if reply.ticket_no != *ticket {
                        return Err(DeskClientError::Garbage(
                            "the desk answered about another ticket".into(),
                        ));
                    }
                    Ok(reply)
                }
                StatusCode::NOT_FOUND => Err(DeskClientError::NotFound(ticket.clone())),
                _ => Err(refusal(resp).await.into()),
            }
        }
        .instrument(tracing::info_span!("desk.status"))
        .await
    }

    /// The office's complaint service, for the printed ticket.
    pub async fn info(&self) -> Result<DeskInfo, DeskClientError> {
        let resp = self
            .http
            .get(format!("{}{INFO_PATH}", self.base_url))
            .bearer_auth(&self.api_key)
            .send()
            .await
            .map_err(transport)?;
        Ok(json(resp, &[StatusCode::OK]).await?)
    }
}
