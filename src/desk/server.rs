//! The booth API of the desk (see [`crate::wire::complaint`] for the table of calls): booths
//! submit complaints and ask where a ticket stands. Every `/desk` call needs a booth's key;
//! every error is an [`ApiError`] JSON body that says what was wrong.

use axum::body::{to_bytes, Body};
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};

use super::store::{DeskError, Via};
use super::DeskCore;
use crate::durable_db::DbError;
use crate::wire::complaint::{
    ApiError, Channel, Complaint, DeskInfo, TicketNo, COMPLAINTS_PATH, HEALTH_PATH, INFO_PATH,
    MAX_BODY, TICKETS_PATH,
};

/// How far in the future a booth's clock may put a complaint before it is refused.
const CLOCK_SKEW: std::time::Duration = std::time::Duration::from_secs(10 * 60);

fn error(status: StatusCode, code: &str, message: impl Into<String>) -> Response {
    ApiError::response(status, code, message)
}

fn field_error(code: &str, field: &str, message: impl Into<String>) -> Response {
    ApiError::field_response(code, field, message)
}

/// The desk's error as an HTTP answer.
fn desk_error(e: DeskError) -> Response {
    match e {
        DeskError::Invalid(c) => field_error("invalid_complaint", c.field(), c.to_string()),
        DeskError::IdConflict(_) => error(StatusCode::CONFLICT, "id_conflict", e.to_string()),
        DeskError::TicketTaken(_) => error(StatusCode::CONFLICT, "ticket_taken", e.to_string()),
        DeskError::Db(DbError::DiskFull) | DeskError::Closed => error(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            e.to_string(),
        ),
        other => {
            tracing::error!(error = %other, "desk request failed");
            error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                other.to_string(),
            )
        }
    }
}

/// The booth whose key the request carries, or the 401 to answer.
#[allow(clippy::result_large_err)]
fn booth_of(core: &DeskCore, headers: &HeaderMap) -> Result<String, Response> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Err(error(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "no API key: send \"Authorization: Bearer <the booth's key>\"",
        ));
    };
    let key = value
        .to_str()
        .ok()
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    match core.config.booth_for_key(key) {
        Some(booth) => Ok(booth.to_string()),
        None => Err(error(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "the API key is not one of this desk's booths' keys",
        )),
    }
}

pub fn router(core: DeskCore) -> Router {
    Router::new()
        .route(HEALTH_PATH, get(|| async { "ok" }))
        .route(COMPLAINTS_PATH, post(submit))
        .route(&format!("{TICKETS_PATH}/{{ticket}}"), get(status))
        .route(INFO_PATH, get(info))
        .fallback(|| async {
            error(
                StatusCode::NOT_FOUND,
                "not_found",
                "no such call on the complaint desk",
            )
        })
        .method_not_allowed_fallback(|| async {
            error(
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                "this call does not take that HTTP method",
            )
        })
        .with_state(core)
}

async fn submit(State(core): State<DeskCore>, headers: HeaderMap, body: Body) -> Response {
    let booth = match booth_of(&core, &headers) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let Ok(body) = to_bytes(body, MAX_BODY).await else {
        return error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            format!("a complaint is at most {MAX_BODY} bytes of JSON"),
        );
    };
    let complaint: Complaint = match serde_json::from_slice(&body) {
        Ok(c) => c,
        Err(e) => {
            return error(
                StatusCode::BAD_REQUEST,
                "bad_json",
                format!("the body is not a complaint: {e}"),
            )
        }
    };
    if let Err(e) = complaint.validate() {
        return field_error("invalid_complaint", e.field(), e.to_string());
    }
    if complaint.channel != Channel::Booth {
        return field_error(
            "invalid_complaint",
            "channel",
            "booths send complaints made at a booth (channel \"booth\")",
        );
    }
    if complaint.booth_id != booth {
        return error(
            StatusCode::FORBIDDEN,
            "booth_mismatch",
            format!(
                "this key belongs to booth {booth}, but the complaint says booth {}",
                complaint.booth_id
            ),
        );
    }
    if complaint.received_at > crate::clock::add(core.clock.now(), CLOCK_SKEW) {
        return field_error(
            "invalid_complaint",
            "received_at",
            "received_at: in the future by the desk's clock (check the booth's clock)",
        );
    }
    match core.submit(complaint, Via::Booth(booth)).await {
        Ok(reply) => {
            let status = if reply.repeat {
                StatusCode::OK
            } else {
                StatusCode::CREATED
            };
            (status, Json(reply)).into_response()
        }
        Err(e) => desk_error(e),
    }
}

async fn status(
    State(core): State<DeskCore>,
    headers: HeaderMap,
    Path(ticket): Path<String>,
) -> Response {
    if let Err(r) = booth_of(&core, &headers) {
        return r;
    }
    let ticket = match TicketNo::parse(&ticket) {
        Ok(t) => t,
        Err(e) => return error(StatusCode::BAD_REQUEST, "bad_ticket", e.to_string()),
    };
    let wanted = ticket.clone();
    match core.store.call(move |s| s.status(&wanted)).await {
        Ok(Some(reply)) => Json(reply).into_response(),
        Ok(None) => error(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("no complaint with ticket {ticket}"),
        ),
        Err(e) => desk_error(e),
    }
}

async fn info(State(core): State<DeskCore>, headers: HeaderMap) -> Response {
    if let Err(r) = booth_of(&core, &headers) {
        return r;
    }
    Json(DeskInfo {
        office: core.config.desk.office.clone(),
        complaint_phone: core.config.desk.complaint_phone.clone(),
        deadline_hours: core.config.procedure.deadline_hours,
    })
    .into_response()
}
