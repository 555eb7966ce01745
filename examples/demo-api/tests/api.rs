//! Each endpoint over a real loopback socket: happy paths and error answers.

#[cfg(test)]
mod common;

use common::Server;
use rampart_demo::Config;
use serde_json::json;

#[tokio::test]
async fn healthz_answers_ok() {
    let server = Server::start().await;
    let reply = server.get("/healthz").await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.text(), "ok");
    assert_eq!(
        reply.header("content-type"),
        Some("text/plain; charset=utf-8")
    );
    let head = server.call("HEAD", "/healthz", &[], b"").await;
    assert_eq!((head.status, head.body.len()), (200, 0));
    server.stop().await.unwrap();
}

#[tokio::test]
async fn lists_and_searches_users() {
    let server = Server::start().await;
    let all = server.get("/api/users").await;
    assert_eq!(all.status, 200);
    let all = all.json();
    assert_eq!(all["total"], 3);
    assert_eq!(all["users"][0]["name"], "Alice Liddell");
    assert_eq!(all["limit"], 20);

    let names = |reply: common::Reply| -> Vec<String> {
        reply.json()["users"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["name"].as_str().unwrap().to_owned())
            .collect()
    };
    // Case-insensitive, on the name or the email, percent-decoded.
    assert_eq!(
        names(server.get("/api/users?q=ALICE").await),
        ["Alice Liddell"]
    );
    assert_eq!(
        names(server.get("/api/users?q=example.com").await),
        ["Alice Liddell", "Bob Builder"]
    );
    assert_eq!(
        names(server.get("/api/users?q=%40example%2Eorg").await),
        ["Carol Danvers"]
    );
    assert_eq!(
        names(server.get("/api/users?q=Carol+D").await),
        ["Carol Danvers"]
    );
    let page = server.get("/api/users?limit=1&offset=1").await.json();
    assert_eq!(
        page["users"],
        json!([{"id": 2, "name": "Bob Builder", "email": "bob@example.com"}])
    );
    assert_eq!(page["total"], 3);
    assert!(names(server.get("/api/users?offset=9").await).is_empty());

    for bad in ["limit=0", "limit=101", "limit=abc", "offset=-1"] {
        let reply = server.get(&format!("/api/users?{bad}")).await;
        assert_eq!(reply.status, 400, "{bad}");
        assert!(reply.error().contains("must"), "{bad}: {}", reply.error());
    }
    server.stop().await.unwrap();
}

#[tokio::test]
async fn gets_one_user() {
    let server = Server::start().await;
    let reply = server.get("/api/users/2").await;
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.json(),
        json!({"id": 2, "name": "Bob Builder", "email": "bob@example.com"})
    );
    // Percent-escapes and a trailing slash route as the plain path.
    assert_eq!(server.get("/api/users/%32/").await.json()["id"], 2);

    let missing = server.get("/api/users/99").await;
    assert_eq!(
        (missing.status, missing.error().as_str()),
        (404, "user not found")
    );
    let bad = server.get("/api/users/abc").await;
    assert_eq!(
        (bad.status, bad.error().as_str()),
        (400, "user id must be a number")
    );
    server.stop().await.unwrap();
}

#[tokio::test]
async fn creates_updates_and_deletes_a_user() {
    let server = Server::start().await;
    let created = server
        .send_json(
            "POST",
            "/api/users",
            r#"{"name":" Dinah ","email":"dinah@example.net"}"#,
        )
        .await;
    assert_eq!(created.status, 201);
    assert_eq!(created.header("location"), Some("/api/users/4"));
    assert_eq!(
        created.json(),
        json!({"id": 4, "name": "Dinah", "email": "dinah@example.net"})
    );
    assert_eq!(server.get("/api/users/4").await.json()["name"], "Dinah");

    let updated = server
        .send_json("PUT", "/api/users/4", r#"{"name":"Dinah the Cat"}"#)
        .await;
    assert_eq!(updated.status, 200);
    assert_eq!(
        updated.json(),
        json!({"id": 4, "name": "Dinah the Cat", "email": "dinah@example.net"})
    );
    assert_eq!(
        server.get("/api/users/4").await.json()["name"],
        "Dinah the Cat"
    );

    let deleted = server.call("DELETE", "/api/users/4", &[], b"").await;
    assert_eq!((deleted.status, deleted.body.len()), (204, 0));
    assert_eq!(server.get("/api/users/4").await.status, 404);
    assert_eq!(
        server.call("DELETE", "/api/users/4", &[], b"").await.status,
        404
    );
    assert_eq!(server.get("/api/users").await.json()["total"], 3);
    server.stop().await.unwrap();
}

#[tokio::test]
async fn refuses_bad_user_input() {
    let server = Server::start().await;
    let cases: [(&str, &str, u16, &str); 8] = [
        (
            "POST",
            r#"{"name":"X","email":"alice@EXAMPLE.com"}"#,
            409,
            "already in use",
        ),
        ("POST", r#"{"name":"X"}"#, 422, "missing field `email`"),
        (
            "POST",
            r#"{"name":"X","email":"nope"}"#,
            422,
            "email must look like",
        ),
        (
            "POST",
            r#"{"name":"  ","email":"a@b"}"#,
            422,
            "name must not be empty",
        ),
        (
            "POST",
            r#"{"name":"X","email":"x@y","admin":true}"#,
            422,
            "unknown field `admin`",
        ),
        (
            "POST",
            r#"{"name":"X","email":"#,
            400,
            "malformed JSON: EOF while parsing",
        ),
        (
            "POST",
            "{\"name\": 'X'}",
            400,
            "malformed JSON: expected value",
        ),
        ("PUT", "{}", 422, "nothing to update"),
    ];
    for (method, body, status, message) in cases {
        let path = if method == "PUT" {
            "/api/users/1"
        } else {
            "/api/users"
        };
        let reply = server.send_json(method, path, body).await;
        assert_eq!(reply.status, status, "{body}");
        assert!(reply.error().contains(message), "{body}: {}", reply.error());
    }
    let wrong_type = server
        .call(
            "POST",
            "/api/users",
            &[("Content-Type", "text/plain")],
            br#"{"name":"X","email":"x@y"}"#,
        )
        .await;
    assert_eq!(wrong_type.status, 415);
    assert_eq!(wrong_type.error(), "Content-Type must be application/json");
    let not_utf8 = server.send_json("POST", "/api/users", "\"\u{0}").await;
    assert_eq!(not_utf8.status, 400);
    let missing = server
        .send_json("PUT", "/api/users/42", r#"{"name":"Y"}"#)
        .await;
    assert_eq!(missing.status, 404);
    let taken = server
        .send_json("PUT", "/api/users/2", r#"{"email":"carol@example.org"}"#)
        .await;
    assert_eq!(taken.status, 409);
    // Nothing above changed the store.
    assert_eq!(server.get("/api/users").await.json()["total"], 3);
    server.stop().await.unwrap();
}

#[tokio::test]
async fn lists_and_gets_orders() {
    let server = Server::start().await;
    let ids = |reply: common::Reply| -> Vec<u64> {
        reply.json()["orders"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["id"].as_u64().unwrap())
            .collect()
    };
    assert_eq!(ids(server.get("/api/orders").await), [1, 2, 3]);
    assert_eq!(ids(server.get("/api/orders?user_id=1").await), [1, 2]);
    assert_eq!(
        ids(server.get("/api/orders?user_id=1&status=pending").await),
        [2]
    );
    assert_eq!(ids(server.get("/api/orders?status=paid").await), [3]);
    assert!(ids(server.get("/api/orders?user_id=3").await).is_empty());
    let bad = server.get("/api/orders?user_id=x").await;
    assert_eq!(
        (bad.status, bad.error().as_str()),
        (400, "user_id must be a number")
    );

    let order = server.get("/api/orders/1").await;
    assert_eq!(order.status, 200);
    assert_eq!(
        order.json(),
        json!({"id": 1, "user_id": 1, "status": "shipped",
               "items": [{"sku": "BOOK-001", "qty": 1}, {"sku": "TEA-042", "qty": 3}]})
    );
    let missing = server.get("/api/orders/77").await;
    assert_eq!(
        (missing.status, missing.error().as_str()),
        (404, "order not found")
    );
    server.stop().await.unwrap();
}

#[tokio::test]
async fn creates_updates_and_deletes_an_order() {
    let server = Server::start().await;
    let created = server
        .send_json(
            "POST",
            "/api/orders",
            r#"{"user_id":3,"items":[{"sku":"CAPE-1","qty":2}]}"#,
        )
        .await;
    assert_eq!(created.status, 201);
    assert_eq!(created.header("location"), Some("/api/orders/4"));
    assert_eq!(
        created.json(),
        json!({"id": 4, "user_id": 3, "status": "pending", "items": [{"sku": "CAPE-1", "qty": 2}]})
    );
    let updated = server
        .send_json("PUT", "/api/orders/4", r#"{"status":"shipped"}"#)
        .await;
    assert_eq!(updated.status, 200);
    assert_eq!(updated.json()["status"], "shipped");
    assert_eq!(server.get("/api/orders?user_id=3").await.json()["total"], 1);

    for (body, message) in [
        (
            r#"{"user_id":9,"items":[{"sku":"A","qty":1}]}"#,
            "user 9 does not exist",
        ),
        (r#"{"user_id":1,"items":[]}"#, "at least one item"),
        (
            r#"{"user_id":1,"items":[{"sku":"A","qty":0}]}"#,
            "qty must be",
        ),
        (
            r#"{"user_id":1,"items":[{"sku":"A","qty":-1}]}"#,
            "invalid request",
        ),
        (
            r#"{"user_id":1,"items":[{"sku":"A","qty":1}],"status":"lost"}"#,
            "status must be one of",
        ),
    ] {
        let reply = server.send_json("POST", "/api/orders", body).await;
        assert_eq!(reply.status, 422, "{body}");
        assert!(reply.error().contains(message), "{body}: {}", reply.error());
    }
    let bad_status = server
        .send_json("PUT", "/api/orders/4", r#"{"status":"x"}"#)
        .await;
    assert_eq!(bad_status.status, 422);

    let deleted = server.call("DELETE", "/api/orders/4", &[], b"").await;
    assert_eq!(deleted.status, 204);
    assert_eq!(server.get("/api/orders/4").await.status, 404);
    assert_eq!(server.get("/api/orders").await.json()["total"], 3);
    server.stop().await.unwrap();
}

#[tokio::test]
async fn logs_in_the_demo_user_only() {
    let server = Server::start().await;
    let form = [("Content-Type", "application/x-www-form-urlencoded")];
    let login = |body: &'static str| server.call("POST", "/login", &form, body.as_bytes());

    let ok = login("username=alice&password=wonderland").await;
    assert_eq!(ok.status, 200);
    let first = ok.json();
    assert_eq!(first["username"], "alice");
    let token = first["token"].as_str().unwrap();
    assert_eq!(token.len(), 32);
    assert!(token.bytes().all(|b| b.is_ascii_hexdigit()));
    // Percent-encoded the same; and each login gets its own token.
    let again = login("password=wonder%6Cand&username=%61lice").await;
    assert_eq!(again.status, 200);
    assert_ne!(again.json()["token"].as_str().unwrap(), token);

    let wrong = login("username=alice&password=looking-glass").await;
    assert_eq!(
        (wrong.status, wrong.error().as_str()),
        (401, "invalid username or password")
    );
    let unknown = login("username=bob&password=wonderland").await;
    assert_eq!(unknown.status, 401);
    let incomplete = login("username=alice").await;
    assert_eq!(
        (incomplete.status, incomplete.error().as_str()),
        (400, "missing field: password")
    );
    let json = server
        .send_json(
            "POST",
            "/login",
            r#"{"username":"alice","password":"wonderland"}"#,
        )
        .await;
    assert_eq!(json.status, 415);
    let get = server.get("/login").await;
    assert_eq!((get.status, get.header("allow")), (405, Some("POST")));
    server.stop().await.unwrap();
}

fn multipart(boundary: &str, parts: &[(&str, Option<&str>, &[u8])]) -> Vec<u8> {
    let mut body = Vec::new();
    for (field, file_name, content) in parts {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        match file_name {
            Some(file_name) => body.extend_from_slice(
                format!(
                    "Content-Disposition: form-data; name=\"{field}\"; filename=\"{file_name}\"\r\n\
                     Content-Type: application/octet-stream\r\n\r\n"
                )
                .as_bytes(),
            ),
            None => body.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{field}\"\r\n\r\n").as_bytes(),
            ),
        }
        body.extend_from_slice(content);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    body
}

#[tokio::test]
async fn uploads_files() {
    let server = Server::start().await;
    // 64 KiB of every byte value, CR and LF and dashes included.
    let big: Vec<u8> = (0..64 * 1024).map(|i| (i * 7 % 256) as u8).collect();
    let boundary = "----rampart-demo-boundary-7f3a";
    let body = multipart(
        boundary,
        &[
            ("document", Some("big.bin"), &big),
            ("comment", None, b"two files"),
            ("extra", Some("notes.txt"), b"hello\r\n--not-a-boundary\r\n"),
        ],
    );
    let content_type = format!("multipart/form-data; boundary={boundary}");
    let reply = server
        .call("POST", "/upload", &[("Content-Type", &content_type)], &body)
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text());
    assert_eq!(
        reply.json(),
        json!({
            "files": [
                {"field": "document", "filename": "big.bin",
                 "content_type": "application/octet-stream", "size": 65536},
                {"field": "extra", "filename": "notes.txt",
                 "content_type": "application/octet-stream", "size": 25},
            ],
            "fields": [{"field": "comment", "size": 9}],
        })
    );

    let no_files = multipart(boundary, &[("comment", None, b"x")]);
    let reply = server
        .call(
            "POST",
            "/upload",
            &[("Content-Type", &content_type)],
            &no_files,
        )
        .await;
    assert_eq!(
        (reply.status, reply.error().as_str()),
        (400, "no files in the upload")
    );
    let truncated = &body[..body.len() / 2];
    let reply = server
        .call(
            "POST",
            "/upload",
            &[("Content-Type", &content_type)],
            truncated,
        )
        .await;
    assert_eq!(reply.status, 400);
    assert!(
        reply.error().starts_with("bad multipart body"),
        "{}",
        reply.error()
    );
    let no_boundary = server
        .call(
            "POST",
            "/upload",
            &[("Content-Type", "multipart/form-data")],
            &body,
        )
        .await;
    assert_eq!(no_boundary.status, 400);
    let not_multipart = server
        .call(
            "POST",
            "/upload",
            &[("Content-Type", "application/octet-stream")],
            &big,
        )
        .await;
    assert_eq!(not_multipart.status, 415);
    server.stop().await.unwrap();
}

#[tokio::test]
async fn reflect_answers_as_asked() {
    let server = Server::start().await;
    let spec = json!({
        "status": 418,
        "headers": {"x-demo": "yes", "content-type": "text/html"},
        "body": "<b>short and stout</b>",
    });
    let reply = server
        .request(
            "POST",
            "/reflect",
            &[("Content-Type", "application/json")],
            spec.to_string().as_bytes(),
        )
        .await;
    assert_eq!(reply.status, 418);
    assert_eq!(reply.header("x-demo"), Some("yes"));
    assert_eq!(reply.header("content-type"), Some("text/html"));
    assert_eq!(reply.header("content-length"), Some("22"));
    assert_eq!(reply.text(), "<b>short and stout</b>");

    let encoded = server
        .request(
            "POST",
            "/reflect",
            &[],
            br#"{"encodedBody":"aGVsbG8gd29ybGQ="}"#,
        )
        .await;
    assert_eq!(encoded.status, 200);
    assert_eq!(encoded.text(), "hello world");
    // Go's content sniffing, as albedo's server does.
    assert_eq!(
        encoded.header("content-type"),
        Some("text/plain; charset=utf-8")
    );

    let bad = server.request("POST", "/reflect", &[], b"{not json").await;
    assert_eq!(
        (bad.status, bad.text()),
        (400, "Invalid JSON in request body")
    );
    let bad_status = server
        .request("POST", "/reflect/deeper", &[], br#"{"status":42}"#)
        .await;
    assert_eq!(
        (bad_status.status, bad_status.text()),
        (400, "Invalid status code: 42")
    );
    // No final 1xx in HTTP/1.1: Go's server sends 200 after an informational status.
    for status in [100, 101, 103] {
        let spec = format!(r#"{{"status":{status},"headers":{{"X-Early":"1"}}}}"#);
        let reply = server
            .request("POST", "/reflect", &[], spec.as_bytes())
            .await;
        assert_eq!(
            (reply.status, reply.header("x-early")),
            (200, Some("1")),
            "{status}"
        );
    }
    // A negative status makes albedo drop the connection, which a proxy reports as 502.
    let negative = server
        .request("POST", "/reflect", &[], br#"{"status":-1}"#)
        .await;
    assert_eq!((negative.status, negative.body.len()), (502, 0));
    // A lying Content-Length from the spec does not break the framing.
    let lying = server
        .request(
            "POST",
            "/reflect",
            &[],
            br#"{"headers":{"Content-Length":"99"},"body":"abc"}"#,
        )
        .await;
    assert_eq!((lying.status, lying.text()), (200, "abc"));
    server.stop().await.unwrap();
}

#[tokio::test]
async fn unknown_paths_and_methods_get_json_errors() {
    let server = Server::start().await;
    for path in [
        "/",
        "/nope",
        "/api",
        "/api/users/1/orders",
        "/%ff%fe",
        "/api/users/1?x=%zz",
    ] {
        let reply = server.get(path).await;
        let expected = if path.starts_with("/api/users/1?") {
            200
        } else {
            404
        };
        assert_eq!(reply.status, expected, "{path}");
        if expected == 404 {
            assert_eq!(reply.json(), json!({"error": "not found"}), "{path}");
        }
    }
    let reply = server.call("PATCH", "/api/users", &[], b"").await;
    assert_eq!(reply.status, 405);
    assert_eq!(reply.header("allow"), Some("GET, HEAD, POST"));
    assert_eq!(reply.error(), "method not allowed");
    let reply = server.call("POST", "/api/orders/1", &[], b"").await;
    assert_eq!(reply.header("allow"), Some("GET, HEAD, PUT, DELETE"));
    assert_eq!(server.call("POST", "/healthz", &[], b"").await.status, 405);
    server.stop().await.unwrap();
}

#[tokio::test]
async fn garbage_on_the_wire_gets_400_and_the_server_lives_on() {
    let server = Server::start().await;
    let reply = server.send_raw(b"NOT HTTP AT ALL\r\n\r\n").await;
    assert_eq!(reply.status, 400);
    let reply = server
        .send_raw(b"POST /api/users HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\nConnection: close\r\n\r\nzz\r\n")
        .await;
    assert_eq!(reply.status, 400);
    assert!(
        reply.error().starts_with("could not read the body"),
        "{}",
        reply.error()
    );
    assert_eq!(server.get("/healthz").await.status, 200);
    server.stop().await.unwrap();
}

#[tokio::test]
async fn keeps_a_connection_alive_across_requests() {
    let server = Server::start().await;
    let raw = b"GET /api/users/1 HTTP/1.1\r\nHost: x\r\n\r\n\
                GET /api/users/2 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    let reply = server.send_raw(raw).await;
    // The first reply's body is followed by the whole second reply.
    assert_eq!(reply.status, 200);
    let text = String::from_utf8(reply.body).unwrap();
    assert!(text.contains("Alice Liddell"), "{text}");
    assert!(
        text.contains("HTTP/1.1 200 OK") && text.contains("Bob Builder"),
        "{text}"
    );
    server.stop().await.unwrap();
}

#[tokio::test]
async fn albedo_fallback_answers_every_other_path() {
    let server = Server::start_with(Config {
        log_requests: false,
        albedo_fallback: true,
        ..Config::default()
    })
    .await;
    let reply = server
        .request("GET", "/some/where?id=1%27%20OR%201=1", &[], b"")
        .await;
    assert_eq!((reply.status, reply.body.len()), (200, 0));
    let reply = server.request("POST", "/index.php", &[], b"a=b").await;
    assert_eq!((reply.status, reply.body.len()), (200, 0));
    // The API itself is unchanged.
    assert_eq!(server.get("/api/users/1").await.json()["id"], 1);
    server.stop().await.unwrap();
}
