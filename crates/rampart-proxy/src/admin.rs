//! The admin listener: liveness, readiness, Prometheus metrics, and `POST /reload` (what
//! `rampart reload` calls). It answers on its own address so that it can be kept off the
//! public network.

use std::sync::Arc;

use bytes::Bytes;
use http::{Method, Request, Response, StatusCode};
use http_body_util::Full;
use hyper::body::Incoming;

use crate::server::Control;

pub async fn handle(
    control: Arc<Control>,
    request: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, std::convert::Infallible> {
    let (status, content_type, body) = match (request.method(), request.uri().path()) {
        (&Method::GET, "/healthz") => (StatusCode::OK, "text/plain", "ok\n".to_string()),
        (&Method::GET, "/readyz") => {
            if control.is_ready() {
                (StatusCode::OK, "text/plain", "ready\n".to_string())
            } else {
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    "text/plain",
                    "not ready\n".to_string(),
                )
            }
        }
        (&Method::GET, "/metrics") => (
            StatusCode::OK,
            "text/plain; version=0.0.4",
            control.shared.metrics.render(),
        ),
        (&Method::POST, "/reload") => match control.reload().await {
            Ok(generation) => (
                StatusCode::OK,
                "text/plain",
                format!("reloaded: generation {generation}\n"),
            ),
            Err(error) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "text/plain",
                format!("reload rejected; the previous rules keep serving\n{error}\n"),
            ),
        },
        (_, "/healthz" | "/readyz" | "/metrics" | "/reload") => (
            StatusCode::METHOD_NOT_ALLOWED,
            "text/plain",
            "method not allowed\n".to_string(),
        ),
        _ => (
            StatusCode::NOT_FOUND,
            "text/plain",
            "not found\n".to_string(),
        ),
    };
    let response = Response::builder()
        .status(status)
        .header(http::header::CONTENT_TYPE, content_type)
        .body(Full::new(Bytes::from(body)))
        .unwrap_or_else(|_| Response::new(Full::new(Bytes::new())));
    Ok(response)
}
