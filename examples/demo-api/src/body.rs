//! Reading a request body into memory, with a size limit.

use std::fmt::Display;
use std::pin::pin;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use http_body_util::BodyExt;
use hyper::body::Body;
use hyper::header::{CONTENT_LENGTH, EXPECT};
use hyper::HeaderMap;

/// The largest request body the API accepts: 10 MiB. Larger bodies get 413.
pub const MAX_BODY_BYTES: usize = 10 * 1024 * 1024;

/// After a body has gone over the limit, how much more of it is read and thrown away so that
/// the client, still sending, sees the 413 instead of a reset connection.
const DRAIN_BYTES: usize = 16 * 1024 * 1024;

/// How long that draining may take.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(5);

/// Why a body could not be read.
#[derive(Debug)]
pub(crate) enum BodyError {
    /// Larger than the limit.
    TooLarge,
    /// The connection failed or the framing was bad.
    Read(String),
}

/// Reads the whole body, refusing one larger than `limit` bytes.
///
/// A declared `Content-Length` over the limit is refused before any of the body is read; if
/// the client waits for `100 Continue` nothing more is read. Otherwise the rest of an
/// oversized body is read and discarded (up to [`DRAIN_BYTES`] for [`DRAIN_TIMEOUT`]) so the
/// answer reaches the client.
pub(crate) async fn read<B>(headers: &HeaderMap, body: B, limit: usize) -> Result<Bytes, BodyError>
where
    B: Body<Data = Bytes>,
    B::Error: Display,
{
    let declared = headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    let declared_too_large =
        declared.is_some_and(|len| usize::try_from(len).map_or(true, |len| len > limit));
    if declared_too_large {
        let expects_continue = headers
            .get(EXPECT)
            .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"100-continue"));
        let drainable = declared.is_some_and(|len| {
            usize::try_from(len).is_ok_and(|len| len <= limit.saturating_add(DRAIN_BYTES))
        });
        if !expects_continue && drainable {
            drain(body, 0).await;
        }
        return Err(BodyError::TooLarge);
    }

    let mut body = pin!(body);
    let mut buf = BytesMut::new();
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| BodyError::Read(e.to_string()))?;
        let Ok(data) = frame.into_data() else {
            continue; // trailers
        };
        if buf.len().saturating_add(data.len()) > limit {
            drain(body, data.len()).await;
            return Err(BodyError::TooLarge);
        }
        buf.extend_from_slice(&data);
    }
    Ok(buf.freeze())
}

/// Reads and discards what is left of `body`, within the draining bounds.
async fn drain<B>(body: B, already: usize)
where
    B: Body<Data = Bytes>,
{
    let mut body = pin!(body);
    let discard = async {
        let mut read = already;
        while let Some(Ok(frame)) = body.frame().await {
            if let Ok(data) = frame.into_data() {
                read = read.saturating_add(data.len());
                if read > DRAIN_BYTES {
                    break;
                }
            }
        }
    };
    // Running out of time only means the client may see a reset instead of the 413.
    let _ = tokio::time::timeout(DRAIN_TIMEOUT, discard).await;
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::{Full, StreamBody};
    use hyper::body::Frame;
    use hyper::header::HeaderValue;
    use std::convert::Infallible;

    fn chunks(
        sizes: &[usize],
    ) -> StreamBody<impl futures_util::Stream<Item = Result<Frame<Bytes>, Infallible>>> {
        let frames: Vec<Result<Frame<Bytes>, Infallible>> = sizes
            .iter()
            .map(|&n| Ok(Frame::data(Bytes::from(vec![b'x'; n]))))
            .collect();
        StreamBody::new(futures_util::stream::iter(frames))
    }

    #[tokio::test]
    async fn reads_a_body_up_to_the_limit() {
        let body = read(&HeaderMap::new(), chunks(&[4, 6]), 10).await.unwrap();
        assert_eq!(body.len(), 10);
    }

    #[tokio::test]
    async fn refuses_a_body_over_the_limit() {
        let err = read(&HeaderMap::new(), chunks(&[4, 6, 1]), 10)
            .await
            .unwrap_err();
        assert!(matches!(err, BodyError::TooLarge));
    }

    #[tokio::test]
    async fn refuses_a_declared_length_over_the_limit() {
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_LENGTH, HeaderValue::from_static("11"));
        let err = read(&headers, Full::new(Bytes::from_static(b"x")), 10)
            .await
            .unwrap_err();
        assert!(matches!(err, BodyError::TooLarge));
    }
}
