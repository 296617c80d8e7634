//! Fault injection: each fault kind as a raw client observes it.

mod common;

use std::io::ErrorKind;
use std::time::{Duration, Instant};

use acs_test_server::{ServerConfig, Step, TestServer};
use common::*;
use serde_json::json;
use tokio::io::AsyncReadExt;

const REQ: &[u8] = b"GET /?Action=GetDeployment&Format=JSON HTTP/1.1\r\nHost: t\r\n\r\n";

async fn start(steps: Vec<Step>) -> TestServer {
    TestServer::start(
        ServerConfig::new()
            .with_steps(steps)
            .with_default(Step::ok(json!({"Success": true}))),
    )
    .await
    .unwrap()
}

#[tokio::test]
async fn drop_connection_sends_nothing_and_closes() {
    let s = start(vec![Step::drop_connection()]).await;
    let mut c = RawClient::connect(s.addr()).await;
    c.send(REQ).await;
    let (bytes, err) = c.read_to_end().await;
    assert!(
        bytes.is_empty(),
        "got {:?}",
        String::from_utf8_lossy(&bytes)
    );
    assert!(err.is_none(), "clean FIN expected, got {err:?}");
    let rec = s.last_request().unwrap();
    assert_eq!(rec.response_status, None);
    assert_eq!(rec.step.as_deref(), Some("queue[0]"));
    // the next connection is served normally
    assert_eq!(one_shot(s.addr(), REQ).await.status, 200);
}

#[tokio::test]
async fn reset_aborts_the_connection() {
    let s = start(vec![Step::reset()]).await;
    let mut c = RawClient::connect(s.addr()).await;
    c.send(REQ).await;
    let (bytes, err) = c.read_to_end().await;
    assert!(bytes.is_empty());
    let err = err.expect("a reset is an error, not a clean EOF");
    assert_eq!(err.kind(), ErrorKind::ConnectionReset, "{err:?}");
}

#[tokio::test]
async fn truncated_body_announces_more_than_it_sends() {
    let s = start(vec![Step::json(
        200,
        json!({"Success": true, "Pad": "xxxxxxxxxxxxxxxx"}),
    )
    .truncate_body(10)])
    .await;
    let mut c = RawClient::connect(s.addr()).await;
    c.send(REQ).await;
    let (bytes, err) = c.read_to_end().await;
    assert!(err.is_none(), "{err:?}");
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").expect("head sent");
    let (status, headers) = parse_head(head);
    assert_eq!(status, 200);
    let announced: usize = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .unwrap()
        .1
        .parse()
        .unwrap();
    assert_eq!(body.len(), 10);
    assert!(announced > 10, "announced {announced}");
    assert!(headers
        .iter()
        .any(|(k, v)| k == "Connection" && v == "close"));
    // and the raw client's framed read reports the unexpected EOF
    let mut c = RawClient::connect(s.addr()).await;
    s.push_step(Step::json(200, json!({"Success": true})).truncate_body(3));
    c.send(REQ).await;
    let err = c.read_response().await.expect_err("truncated");
    assert_eq!(err.kind(), ErrorKind::UnexpectedEof);
}

#[tokio::test]
async fn stall_before_headers_delays_the_whole_response() {
    let s = start(vec![
        Step::json(200, json!({"Success": true})).with_delay(Duration::from_millis(600))
    ])
    .await;
    let mut c = RawClient::connect(s.addr()).await;
    c.send(REQ).await;
    let started = Instant::now();
    let mut first = [0u8; 1];
    let early = tokio::time::timeout(Duration::from_millis(250), c.stream.read(&mut first)).await;
    assert!(early.is_err(), "nothing may arrive before the delay");
    // recorded already, before the delay
    assert_eq!(s.request_count(), 1);
    let n = tokio::time::timeout(IO_TIMEOUT, c.stream.read(&mut first))
        .await
        .unwrap()
        .unwrap();
    assert_eq!((n, first[0]), (1, b'H'));
    assert!(
        started.elapsed() >= Duration::from_millis(500),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn stall_mid_body_then_completes() {
    let s = start(vec![Step::raw(
        200,
        "application/json",
        r#"{"Success":true}"#,
    )
    .stall_mid_body(4, Duration::from_millis(600))])
    .await;
    let mut c = RawClient::connect(s.addr()).await;
    let sent = Instant::now();
    c.send(REQ).await;
    // head + 4 body bytes arrive promptly
    let mut got = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(5);
    while !String::from_utf8_lossy(&got).ends_with("\r\n\r\n{\"Su") {
        assert!(
            Instant::now() < deadline,
            "head not received: {:?}",
            String::from_utf8_lossy(&got)
        );
        let mut buf = [0u8; 512];
        let n = tokio::time::timeout(IO_TIMEOUT, c.stream.read(&mut buf))
            .await
            .unwrap()
            .unwrap();
        assert!(n > 0);
        got.extend_from_slice(&buf[..n]);
    }
    let mut buf = [0u8; 512];
    let early = tokio::time::timeout(Duration::from_millis(250), c.stream.read(&mut buf)).await;
    assert!(early.is_err(), "the rest must wait for the stall");
    let n = tokio::time::timeout(IO_TIMEOUT, c.stream.read(&mut buf))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(&buf[..n], b"ccess\":true}");
    assert!(
        sent.elapsed() >= Duration::from_millis(600),
        "{:?}",
        sent.elapsed()
    );
    // the connection stays usable afterwards
    let r = c.request(REQ).await;
    assert_eq!(r.status, 200);
}

/// Inflates a gzip member made of stored deflate blocks (what the server produces).
fn gunzip_stored(gz: &[u8]) -> Vec<u8> {
    assert_eq!(&gz[..3], &[0x1f, 0x8b, 8], "gzip magic");
    let mut i = 10;
    let mut out = Vec::new();
    loop {
        let header = gz[i];
        assert_eq!(header & 0b110, 0, "stored block");
        let len = u16::from_le_bytes([gz[i + 1], gz[i + 2]]) as usize;
        let nlen = u16::from_le_bytes([gz[i + 3], gz[i + 4]]);
        assert_eq!(!(len as u16), nlen);
        out.extend_from_slice(&gz[i + 5..i + 5 + len]);
        i += 5 + len;
        if header & 1 == 1 {
            break;
        }
    }
    let isize = u32::from_le_bytes([gz[i + 4], gz[i + 5], gz[i + 6], gz[i + 7]]);
    assert_eq!(isize as usize, out.len());
    assert_eq!(gz.len(), i + 8);
    out
}

#[tokio::test]
async fn unrequested_gzip_body() {
    let s = start(vec![Step::json(
        200,
        json!({"RequestId": "r-1", "Success": true}),
    )
    .gzip()])
    .await;
    let r = one_shot(s.addr(), REQ).await;
    assert_eq!(r.header("content-encoding"), Some("gzip"));
    assert_eq!(
        r.header("content-type"),
        Some("application/json;charset=utf-8")
    );
    assert_eq!(
        r.header("content-length"),
        Some(r.body.len().to_string().as_str())
    );
    assert!(
        serde_json::from_slice::<serde_json::Value>(&r.body).is_err(),
        "not plain JSON"
    );
    let plain = gunzip_stored(&r.body);
    assert_eq!(plain, br#"{"RequestId":"r-1","Success":true}"#);
}

#[tokio::test]
async fn delayed_drop_and_wrong_content_length_header() {
    let s = start(vec![
        Step::drop_connection().with_delay(Duration::from_millis(300)),
        // a header override can lie about the length too
        Step::raw(200, "text/plain", "abc").with_header("Content-Length", "10"),
    ])
    .await;
    let started = Instant::now();
    let mut c = RawClient::connect(s.addr()).await;
    c.send(REQ).await;
    let (bytes, _) = c.read_to_end().await;
    assert!(bytes.is_empty());
    assert!(started.elapsed() >= Duration::from_millis(250));

    let mut c = RawClient::connect(s.addr()).await;
    c.send(REQ).await;
    let mut buf = vec![0u8; 1024];
    let mut got = Vec::new();
    while !String::from_utf8_lossy(&got).ends_with("abc") {
        let n = tokio::time::timeout(IO_TIMEOUT, c.stream.read(&mut buf))
            .await
            .unwrap()
            .unwrap();
        assert!(n > 0);
        got.extend_from_slice(&buf[..n]);
    }
    let text = String::from_utf8_lossy(&got);
    assert!(text.contains("Content-Length: 10\r\n"), "{text}");
    assert_eq!(text.matches("Content-Length").count(), 1, "{text}");
}
