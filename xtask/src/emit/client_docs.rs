//! The client crate's documentation: one compiled example of each kind (a call with its
//! per-call settings and errors, pagination, a waiter, blocking calls, test doubles), made
//! from the first action of that kind. The examples run against the in-process test server
//! (hidden lines); per-item docs link here instead of repeating an example per action, so the
//! number of doctests does not grow with the number of actions.

use super::docs::Docs;
use crate::model::{AcceptorState, Api, Literal, Operation, Param, Type};

const ID: &str = "<access-key-id>";
const SECRET: &str = "<access-key-secret>";

/// The crate's documentation.
pub fn crate_docs(api: &Api) -> Docs {
    let product = &api.product;
    let title = product.title.short().unwrap_or(&product.code);
    let mut doc = Docs::line(format!(
        "Client of **{title}** (`{}`, API version `{}`), generated from the spec by",
        product.code, product.version
    ))
    .then("`cargo xtask codegen`.")
    .paragraph(
        "One [`Client`] per application (it is cheap to clone and shares one connection pool);",
    )
    .then(
        "one method per action returning a fluent builder; `send().await` checks the spec's rules,",
    )
    .then("signs (V3 ACS3-HMAC-SHA256 by default, RPC v1 on request), retries throttling, 5xx and")
    .then(
        "network errors with backoff, and decodes JSON or XML into the [`models`]. Proxies, extra",
    )
    .then("root certificates and the connection pool are set on the [`ConfigBuilder`].");
    let Some(first) = api.operations.first() else {
        return doc;
    };
    doc = calling(api, first, doc);
    if let Some(op) = api.operations.iter().find(|op| op.paginator.is_some()) {
        doc = pagination(api, op, doc);
    }
    if let Some(op) = api.operations.iter().find(|op| !op.waiters.is_empty()) {
        doc = waiters(api, op, doc);
    }
    doc = blocking(api, first, doc);
    testing(api, first, doc)
}

/// `.setter(value)` for each parameter a valid request needs: the required ones and the
/// first of each one-of group.
fn example_calls(op: &Operation) -> String {
    example_params(op)
        .iter()
        .map(|p| format!(".{}({})", p.rust, example_value(p)))
        .collect()
}

/// The parameters a valid request needs: the required ones and the first of each one-of
/// group, in spec order (for the library's doc examples and the CLI's example invocation).
pub(super) fn example_params(op: &Operation) -> Vec<&Param> {
    let params = &op.input.params;
    let mut chosen: Vec<usize> = (0..params.len()).filter(|&i| params[i].required).collect();
    for rule in &op.input.require_one_of {
        if !rule.params.iter().any(|id| chosen.contains(&id.0)) {
            if let Some(first) = rule.params.first() {
                chosen.push(first.0);
            }
        }
    }
    chosen.sort_unstable();
    chosen.into_iter().map(|i| &params[i]).collect()
}

/// An example argument for a builder setter in doc examples.
fn example_value(p: &Param) -> String {
    let example = p.example.clone().unwrap_or_default();
    match &p.ty {
        Type::I32 | Type::I64 if example.parse::<i64>().is_ok() => example,
        Type::I32 | Type::I64 => "1".into(),
        Type::F64 if example.parse::<f64>().is_ok() => example,
        Type::F64 => "1.0".into(),
        Type::Bool => "true".into(),
        Type::String => format!(
            "{:?}",
            if example.is_empty() {
                "example"
            } else {
                example.as_str()
            }
        ),
        _ => "Default::default()".into(),
    }
}

fn region(api: &Api) -> &str {
    let endpoints = &api.product.endpoints;
    endpoints
        .iter()
        .map(|e| e.0.as_str())
        .find(|r| *r == "cn-shanghai")
        .or(endpoints.first().map(|e| e.0.as_str()))
        .unwrap_or("cn-shanghai")
}

/// The hidden start of an async example: a test server answering `body` (JSON), and a
/// client configured for it, shown as it would be written for the real service.
fn async_setup(api: &Api, body: &str) -> Vec<String> {
    let mut lines = vec![
        "# #[tokio::main(flavor = \"current_thread\")]".to_string(),
        "# async fn main() -> Result<(), Box<dyn std::error::Error>> {".into(),
    ];
    lines.extend(server_lines(body, "TestServer::start", ".await?"));
    lines.extend(config_lines(api));
    lines.push("let client = Client::new(config);".into());
    lines
}

fn server_lines(body: &str, start: &str, suffix: &str) -> Vec<String> {
    vec![
        format!("# let server = acs_test_server::{start}(acs_test_server::ServerConfig::new()"),
        format!("#     .with_credential({ID:?}, {SECRET:?})"),
        format!(
            "#     .with_default(acs_test_server::Step::ok(serde_json::json!({body})))){suffix};"
        ),
    ]
}

fn config_lines(api: &Api) -> Vec<String> {
    vec![
        "let config = Config::builder()".into(),
        format!("    .region({:?})", region(api)),
        "#   .endpoint(server.endpoint()).proxy_from_env(false)".into(),
        format!("    .credentials(Credentials::new({ID:?}, {SECRET:?}))"),
        "    .build()?;".into(),
    ]
}

fn end() -> Vec<String> {
    vec!["# Ok(())".into(), "# }".into()]
}

fn calling(api: &Api, op: &Operation, doc: Docs) -> Docs {
    let krate = api.product.client_crate.ident();
    let method = &op.names.module;
    let calls = example_calls(op);
    let mut lines = vec![
        "use std::time::Duration;".to_string(),
        format!("use {krate}::{{Client, Config, Credentials}};"),
        String::new(),
    ];
    lines.extend(async_setup(api, "{\"RequestId\": \"1\"}"));
    lines.extend([
        format!("let out = client.{method}(){calls}.send().await?;"),
        "println!(\"{out:?}\");".into(),
        String::new(),
        "// Settings of one call, without a second client:".into(),
        format!("let out = client.{method}(){calls}"),
        "    .customize(|call| call.attempt_timeout(Duration::from_secs(2)).max_attempts(1))".into(),
        "    .send()".into(),
        "    .await;".into(),
        "match out {".into(),
        "    Ok(out) => println!(\"{out:?}\"),".into(),
        "    // Service errors keep the code, message and request id; transport errors say".into(),
        "    // what failed (DNS, refused, TLS, timeout, proxy), for which host, and why.".into(),
        "    Err(e) => eprintln!(\"{e} (code {:?}, message {:?}, request id {:?})\", e.code(), e.message(), e.request_id()),".into(),
        "}".into(),
    ]);
    lines.extend(end());
    doc.paragraph("# Calling an action")
        .paragraph(
            "Set the parameters on the action's fluent builder and `send` it. `customize` sets a",
        )
        .then(
            "call's own timeouts, attempts, extra headers and query parameters ([`CallOptions`]);",
        )
        .then("an [`Error`] says what failed, with the service's code, message and request id.")
        .example("```", lines)
}

fn pagination(api: &Api, op: &Operation, doc: Docs) -> Docs {
    let krate = api.product.client_crate.ident();
    let method = &op.names.module;
    let calls = example_calls(op);
    let mut lines = vec![
        format!("use {krate}::{{Client, Config, Credentials}};"),
        String::new(),
    ];
    lines.extend(async_setup(api, "{\"RequestId\": \"1\"}"));
    lines.extend([
        format!("let mut pages = client.{method}(){calls}.into_paginator();"),
        "while let Some(page) = pages.next().await {".into(),
        "    println!(\"{:?}\", page?);".into(),
        "}".into(),
        String::new(),
        "// Or the listed items, one at a time:".into(),
        format!("let mut items = client.{method}(){calls}.into_paginator().items();"),
        "while let Some(item) = items.next().await {".into(),
        "    println!(\"{:?}\", item?);".into(),
        "}".into(),
    ]);
    lines.extend(end());
    doc.paragraph("# Pagination")
        .paragraph("A paged action's `into_paginator()` fetches one page per `next().await` (no trait to")
        .then("import); `items()` walks the listed items across pages, `try_collect()` gathers them, and")
        .then("both are `futures::Stream`s too. `send_all_pages()` returns one response with every")
        .then("page's items.")
        .example("```", lines)
}

/// The JSON body of a response in the waiter's first success state.
fn success_body(op: &Operation) -> String {
    let Some(acceptor) = op.waiters.first().and_then(|w| {
        w.acceptors
            .iter()
            .find(|a| a.state == AcceptorState::Success)
    }) else {
        return "{\"RequestId\": \"1\"}".into();
    };
    let mut body = match &acceptor.equals {
        Literal::Int(i) => i.to_string(),
        Literal::Str(s) => format!("{s:?}"),
        Literal::Bool(b) => b.to_string(),
    };
    for key in acceptor.wire_path.split('.').rev() {
        body = format!("{{{key:?}: {body}}}");
    }
    body
}

fn waiters(api: &Api, op: &Operation, doc: Docs) -> Docs {
    let krate = api.product.client_crate.ident();
    let Some(waiter) = op.waiters.first() else {
        return doc;
    };
    let method = &waiter.names.method;
    let calls = example_calls(op);
    let mut lines = vec![
        "use std::time::Duration;".to_string(),
        format!("use {krate}::{{Client, Config, Credentials, WaiterError}};"),
        String::new(),
    ];
    lines.extend(async_setup(api, &success_body(op)));
    lines.extend([
        format!("let waited = client.{method}(){calls}"),
        "    .max_wait(Duration::from_secs(600))".into(),
        "    .send()".into(),
        "    .await;".into(),
        "match waited {".into(),
        "    Ok(done) => println!(\"final: {done:?}\"),".into(),
        "    // A failure state (or the time limit) keeps the last response.".into(),
        "    Err(WaiterError::FailureState { output, reason, .. }) => eprintln!(\"{reason}: {output:?}\"),".into(),
        "    Err(e) => return Err(e.into()),".into(),
        "}".into(),
    ]);
    lines.extend(end());
    doc.paragraph("# Waiters")
        .paragraph("`wait_until_*` polls an action until the spec's acceptors say the state is final. Its")
        .then("builder takes the polled request's parameters and `max_wait`; `send` returns the final")
        .then("response, or a [`WaiterError`] that keeps the last response when a failure state is")
        .then("reached or the time runs out.")
        .example("```", lines)
}

fn blocking(api: &Api, op: &Operation, doc: Docs) -> Docs {
    let krate = api.product.client_crate.ident();
    let method = &op.names.module;
    let calls = example_calls(op);
    let mut lines = vec![
        format!("use {krate}::{{Config, Credentials}};"),
        String::new(),
        "# #[cfg(feature = \"blocking\")]".into(),
        "# fn main() -> Result<(), Box<dyn std::error::Error>> {".into(),
    ];
    lines.extend(server_lines(
        "{\"RequestId\": \"1\"}",
        "TestServer::start_blocking",
        "?",
    ));
    lines.extend(config_lines(api));
    lines.extend([
        format!("let client = {krate}::blocking::Client::try_new(config)?;"),
        format!("let out = client.{method}(){calls}.send()?;"),
        "println!(\"{out:?}\");".into(),
        "# Ok(())".into(),
        "# }".into(),
        "# #[cfg(not(feature = \"blocking\"))]".into(),
        "# fn main() {}".into(),
    ]);
    doc.paragraph("# Blocking calls")
        .paragraph("With the `blocking` feature, `blocking::Client` has the same methods and builders; its")
        .then("`send()` blocks, paginators are iterators, and waiters block until the final state. A")
        .then("client owns one runtime and one connection pool, shared by its clones and safe to use")
        .then("from many threads; called inside async code it returns")
        .then("[`Error::BlockingInAsyncContext`] instead of blocking the executor.")
        .example("```", lines)
}

fn testing(api: &Api, op: &Operation, doc: Docs) -> Docs {
    let krate = api.product.client_crate.ident();
    let method = &op.names.module;
    let action = &op.name;
    let calls = example_calls(op);
    let mut lines = vec![
        "# #[cfg(feature = \"test-util\")]".to_string(),
        "# #[tokio::main(flavor = \"current_thread\")]".into(),
        "# async fn main() -> Result<(), Box<dyn std::error::Error>> {".into(),
        format!("use {krate}::test_util::{{self, Route, Step, TestServer}};"),
        String::new(),
        "// Every action answers with its documented sample; script what the test is about.".into(),
        "let server = TestServer::start(test_util::server_config().with_route(".into(),
        format!("    Route::action({action:?}).step(Step::error(400, \"Invalid.Example\", \"rejected\")),"),
        "))".into(),
        ".await?;".into(),
        "let client = test_util::client(&server)?;".into(),
        String::new(),
        "// The code under test:".into(),
        format!("let err = client.{method}(){calls}.send().await.unwrap_err();"),
        "assert_eq!(err.code(), Some(\"Invalid.Example\"));".into(),
        String::new(),
        "// What it sent:".into(),
        format!("let sent = server.requests_for({action:?});"),
        "assert_eq!(sent.len(), 1);".into(),
    ];
    if let Some(p) = example_params(op).first() {
        let value = example_value(p);
        let value = value.trim_matches('"');
        lines.push(format!(
            "assert_eq!(sent[0].param({:?}), Some({value:?}));",
            p.wire
        ));
    }
    lines.extend([
        "# Ok(())".into(),
        "# }".into(),
        "# #[cfg(not(feature = \"test-util\"))]".into(),
        "# fn main() {}".into(),
    ]);
    doc.paragraph("# Testing your code")
        .paragraph("With the `test-util` feature (for dev-dependencies), the `test_util` module")
        .then("starts an in-process stand-in server on 127.0.0.1: it checks each request's signature,")
        .then("answers every action with its documented sample unless the test scripts it, and records")
        .then("what your code sent.")
        .example("```", lines)
}
