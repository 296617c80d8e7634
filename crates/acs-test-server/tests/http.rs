//! HTTP/1.1 behaviour: keep-alive, Connection: close, chunked bodies, malformed
//! input, pipelining, limits, concurrency, lifetime, blocking start, reqwest pool.

mod common;

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use acs_test_server::{ServerConfig, Step, TestServer};
use common::*;
use serde_json::json;

const REQ: &[u8] = b"GET /?Format=JSON HTTP/1.1\r\nHost: t\r\n\r\n";

async fn plain() -> TestServer {
    TestServer::start(ServerConfig::new().with_default(Step::ok(json!({"Success": true}))))
        .await
        .unwrap()
}

#[tokio::test]
async fn keep_alive_serves_two_requests_on_one_connection() {
    let s = plain().await;
    let mut c = RawClient::connect(s.addr()).await;
    let r1 = c.request(REQ).await;
    let r2 = c.request(b"POST /p?Format=JSON HTTP/1.1\r\nHost: t\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 7\r\n\r\nA=1&B=2").await;
    assert_eq!((r1.status, r2.status), (200, 200));
    assert_eq!(r1.header("connection"), None);
    assert_eq!(s.connection_count(), 1);
    let recs = s.requests();
    assert_eq!(recs.len(), 2);
    assert_eq!(recs[0].connection, recs[1].connection);
    assert_eq!((recs[0].seq, recs[1].seq), (1, 2));
    assert_eq!(recs[1].path, "/p");
    assert_eq!(recs[1].param("B"), Some("2"));
}

#[tokio::test]
async fn connection_close_is_honoured() {
    let s = plain().await;
    let mut c = RawClient::connect(s.addr()).await;
    let r = c
        .request(b"GET /?Format=JSON HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("connection"), Some("close"));
    let (rest, err) = c.read_to_end().await;
    assert!(
        rest.is_empty() && err.is_none(),
        "server must close after the response"
    );

    // HTTP/1.0 closes by default
    let mut c = RawClient::connect(s.addr()).await;
    let r = c.request(b"GET /?Format=JSON HTTP/1.0\r\n\r\n").await;
    assert_eq!(r.status, 200);
    assert!(c.read_to_end().await.0.is_empty());
}

#[tokio::test]
async fn pipelined_requests_are_answered_in_order() {
    let s = TestServer::start(
        ServerConfig::new().with_steps([Step::ok(json!({"n": 1})), Step::ok(json!({"n": 2}))]),
    )
    .await
    .unwrap();
    let mut c = RawClient::connect(s.addr()).await;
    let mut both = REQ.to_vec();
    both.extend_from_slice(REQ);
    c.send(&both).await;
    let a = c.read_response().await.unwrap();
    let b = c.read_response().await.unwrap();
    assert_eq!(
        (a.json()["n"].clone(), b.json()["n"].clone()),
        (1.into(), 2.into())
    );
}

#[tokio::test]
async fn chunked_request_body_is_decoded() {
    let s = plain().await;
    let req = b"POST /?Format=JSON HTTP/1.1\r\nHost: t\r\nContent-Type: application/x-www-form-urlencoded; charset=UTF-8\r\n\
                Transfer-Encoding: chunked\r\n\r\n5;ext=1\r\nDeplo\r\nE\r\nymentId=1001&P\r\n9\r\nrojectId=\r\n2\r\n42\r\n0\r\nTrailer: x\r\n\r\n";
    let r = one_shot(s.addr(), req).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let rec = s.last_request().unwrap();
    assert_eq!(rec.body_text(), "DeploymentId=1001&ProjectId=42");
    assert_eq!(rec.param("ProjectId"), Some("42"));
}

#[tokio::test]
async fn expect_100_continue_is_answered() {
    let s = plain().await;
    let mut c = RawClient::connect(s.addr()).await;
    c.send(b"POST /?Format=JSON HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n")
        .await;
    let interim = c.read_response().await.unwrap();
    assert_eq!(interim.status, 100);
    c.send(b"a=b").await;
    let r = c.read_response().await.unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(s.last_request().unwrap().body, b"a=b");
}

#[tokio::test]
async fn malformed_requests_get_400_and_the_server_keeps_working() {
    let s = plain().await;
    let cases: &[(&[u8], u16, &str)] = &[
        (b"garbage\r\n\r\n", 400, "malformed request line"),
        (
            b"GET / HTTP/2.0\r\n\r\n",
            505,
            "unsupported protocol version",
        ),
        (
            b"GET / HTTP/1.1\r\nno colon here\r\n\r\n",
            400,
            "malformed header line",
        ),
        (
            b"GET / HTTP/1.1\r\nA: 1\r\n  folded\r\n\r\n",
            400,
            "folding",
        ),
        (
            b"POST / HTTP/1.1\r\nContent-Length: abc\r\n\r\n",
            400,
            "invalid Content-Length",
        ),
        (
            b"POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
            400,
            "conflicting Content-Length",
        ),
        (
            b"POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n",
            501,
            "unsupported Transfer-Encoding",
        ),
        (
            b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
            400,
            "invalid chunk size",
        ),
        (
            b"GET nonsense HTTP/1.1\r\n\r\n",
            400,
            "unsupported request target",
        ),
        (
            b"POST / HTTP/1.1\r\nContent-Length: 99999999999\r\n\r\n",
            413,
            "exceeds the limit",
        ),
        (b"\xff\xfe / HTTP/1.1\r\n\r\n", 400, "invalid method"),
    ];
    for (bytes, status, needle) in cases {
        let mut c = RawClient::connect(s.addr()).await;
        c.send(bytes).await;
        let r = c.read_response().await.unwrap();
        assert_eq!(
            r.status,
            *status,
            "{:?}: {}",
            String::from_utf8_lossy(bytes),
            r.text()
        );
        assert!(r.text().contains(needle), "{:?}", r.text());
        assert_eq!(r.header("content-type"), Some("text/plain;charset=utf-8"));
        assert_eq!(r.header("connection"), Some("close"));
        assert!(c.read_to_end().await.0.is_empty());
    }
    let rec = s.last_request().unwrap();
    assert!(rec.rejected);
    assert_eq!(rec.error_code.as_deref(), Some("BadRequest"));
    // a head larger than 64 KiB
    let mut c = RawClient::connect(s.addr()).await;
    let mut huge = b"GET / HTTP/1.1\r\nX: ".to_vec();
    huge.extend(std::iter::repeat_n(b'a', 70 * 1024));
    c.send(&huge).await;
    assert_eq!(c.read_response().await.unwrap().status, 431);
    // still serving
    assert_eq!(one_shot(s.addr(), REQ).await.status, 200);
    // a client that disconnects mid-request is not answered and harms nothing
    let mut c = RawClient::connect(s.addr()).await;
    c.send(b"POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc")
        .await;
    drop(c);
    assert_eq!(one_shot(s.addr(), REQ).await.status, 200);
}

#[tokio::test]
async fn body_limit_and_head_request() {
    let s = TestServer::start(ServerConfig::new().with_max_body_bytes(8))
        .await
        .unwrap();
    let r = one_shot(
        s.addr(),
        b"POST / HTTP/1.1\r\nContent-Length: 9\r\n\r\n123456789",
    )
    .await;
    assert_eq!(r.status, 413);
    // HEAD: headers with the length of the body that a GET would get, no body bytes
    let mut c = RawClient::connect(s.addr()).await;
    c.send(b"HEAD /?Format=JSON HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        .await;
    let (bytes, _) = c.read_to_end().await;
    let text = String::from_utf8_lossy(&bytes);
    assert!(text.starts_with("HTTP/1.1 200 OK\r\n"));
    assert!(text.ends_with("\r\n\r\n"), "no body after the head: {text}");
    assert!(!text.contains("Content-Length: 0\r\n"));
}

#[tokio::test]
async fn many_concurrent_connections() {
    let s = TestServer::start(ServerConfig::new().with_max_connections(16))
        .await
        .unwrap();
    let addr = s.addr();
    let tasks: Vec<_> = (0..64)
        .map(|i| {
            tokio::spawn(async move {
                let mut c = RawClient::connect(addr).await;
                let mut statuses = Vec::new();
                for _ in 0..3 {
                    let r = c
                        .request(
                            format!("GET /?Format=JSON&i={i} HTTP/1.1\r\nHost: t\r\n\r\n")
                                .as_bytes(),
                        )
                        .await;
                    statuses.push(r.status);
                }
                drop(c);
                statuses
            })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.unwrap(), [200, 200, 200]);
    }
    assert_eq!(s.request_count(), 192);
    assert_eq!(s.connection_count(), 64);
}

#[tokio::test]
async fn idle_connections_are_closed_after_the_idle_timeout() {
    let s = TestServer::start(ServerConfig::new().with_idle_timeout(Duration::from_millis(200)))
        .await
        .unwrap();
    let mut c = RawClient::connect(s.addr()).await;
    assert_eq!(c.request(REQ).await.status, 200);
    let started = Instant::now();
    let (rest, _) = c.read_to_end().await;
    assert!(rest.is_empty());
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn shutdown_and_drop_stop_the_server() {
    let s = plain().await;
    let addr = s.addr();
    let mut idle = RawClient::connect(addr).await;
    assert_eq!(idle.request(REQ).await.status, 200);
    assert!(s.is_running());
    s.shutdown().await;
    // the idle keep-alive connection is closed and the port no longer accepts
    let (rest, _) = idle.read_to_end().await;
    assert!(rest.is_empty());
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());

    let s = plain().await;
    let addr = s.addr();
    drop(s);
    let deadline = Instant::now() + Duration::from_secs(5);
    while tokio::net::TcpStream::connect(addr).await.is_ok() {
        assert!(Instant::now() < deadline, "still accepting after drop");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn the_server_stops_by_itself_after_its_lifetime() {
    let s = TestServer::start(ServerConfig::new().with_lifetime(Duration::from_secs(1)))
        .await
        .unwrap();
    assert_eq!(one_shot(s.addr(), REQ).await.status, 200);
    let deadline = Instant::now() + Duration::from_secs(5);
    while s.is_running() {
        assert!(Instant::now() < deadline, "lifetime not enforced");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(tokio::net::TcpStream::connect(s.addr()).await.is_err());
}

#[test]
fn start_blocking_serves_synchronous_clients() {
    let s = TestServer::start_blocking(ServerConfig::new().with_step(Step::error(
        429,
        "Throttling.User",
        "throttled",
    )))
    .unwrap();
    let exchange = |req: &[u8]| {
        let mut c = std::net::TcpStream::connect(s.addr()).unwrap();
        c.set_read_timeout(Some(IO_TIMEOUT)).unwrap();
        c.write_all(req).unwrap();
        let mut out = String::new();
        c.read_to_string(&mut out).unwrap();
        out
    };
    let close = b"GET /?Format=JSON HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";
    assert!(exchange(close).starts_with("HTTP/1.1 429 Too Many Requests\r\n"));
    assert!(exchange(close).starts_with("HTTP/1.1 200 OK\r\n"));
    assert_eq!(s.request_count(), 2);
    assert!(s.endpoint().starts_with("http://127.0.0.1:"));
    assert_eq!(s.endpoint(), format!("http://{}", s.host()));
}

#[tokio::test]
async fn reqwest_pool_reuses_one_connection() {
    let s = plain().await;
    let client = reqwest::Client::builder()
        .timeout(IO_TIMEOUT)
        .build()
        .unwrap();
    for i in 0..3 {
        let resp = client
            .post(format!("{}/?Format=JSON", s.endpoint()))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!("DeploymentId={i}"))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        assert!(resp.headers().contains_key("x-acs-request-id"));
        let body: serde_json::Value = serde_json::from_slice(&resp.bytes().await.unwrap()).unwrap();
        assert_eq!(body["Success"], true);
    }
    assert_eq!(s.connection_count(), 1);
    let recs = s.requests();
    assert_eq!(recs[2].param("DeploymentId"), Some("2"));
    assert!(recs[0].header("host").is_some());
}

#[tokio::test]
async fn reqwest_sees_faults_as_errors() {
    let s = TestServer::start(ServerConfig::new().with_steps([
        Step::drop_connection(),
        Step::ok(json!({"Success": true})).truncate_body(4),
        Step::ok(json!({"Success": true})).with_delay(Duration::from_secs(2)),
    ]))
    .await
    .unwrap();
    let client = reqwest::Client::builder()
        .timeout(Duration::from_millis(500))
        .build()
        .unwrap();
    let url = format!("{}/?Format=JSON", s.endpoint());
    let dropped = client.get(&url).send().await;
    assert!(dropped.is_err(), "{dropped:?}");
    let truncated = client.get(&url).send().await.unwrap().bytes().await;
    assert!(truncated.is_err(), "{truncated:?}");
    let slow = client.get(&url).send().await;
    assert!(slow.unwrap_err().is_timeout());
}
