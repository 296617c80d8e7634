//! End-to-end tests of the `dataworks` binary: each test runs the built binary with a
//! cleared environment (only what the test sets, `HOME` pointed at a temporary
//! directory) against an in-process `acs-test-server` on 127.0.0.1 with signature
//! verification on, and checks the exit code, stdout, stderr and what the server
//! recorded. Every run is bounded in time, and every captured output is checked for the
//! AccessKey secret and the security token.
#![forbid(unsafe_code)]

use std::collections::hash_map::RandomState;
use std::ffi::OsString;
use std::fmt::Write as _;
use std::hash::{BuildHasher, Hasher};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use acs_test_server::{
    AuthKind, ProxyProtocol, RecordedRequest, Route, ServerConfig, Step, TestProxy, TestServer,
    Then,
};
use serde_json::{json, Value};

/// The documented JSON response sample, served byte for byte (a copy of the spec's, kept
/// in the package so that its tests build and run from the published crate; the workspace
/// tests check that the copies match the spec).
const SAMPLE_JSON: &[u8] = include_bytes!("data/GetDeployment.json");
/// The documented XML response sample, served byte for byte (a copy, as above).
const SAMPLE_XML: &[u8] = include_bytes!("data/GetDeployment.xml");

const JSON_CT: &str = "application/json;charset=utf-8";
const XML_CT: &str = "text/xml;charset=utf-8";
const ACTION: &str = "GetDeployment";
const VERSION: &str = "2020-05-18";
/// Upper bound for any single CLI run.
const RUN_LIMIT: Duration = Duration::from_secs(30);

// ---------------------------------------------------------------------------------------
// Support
// ---------------------------------------------------------------------------------------

/// A random-ish string: `prefix` followed by `words` random 64-bit words in hex.
fn random_text(prefix: &str, words: u64) -> String {
    let mut out = String::from(prefix);
    for i in 0..words {
        let mut hasher = RandomState::new().build_hasher();
        hasher.write_u64(i);
        hasher.write_u128(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or_default(),
        );
        let _ = write!(out, "{:016x}", hasher.finish());
    }
    out
}

/// An AccessKey pair (and optional STS token) made up for one test.
#[derive(Clone)]
struct Creds {
    id: String,
    secret: String,
    token: Option<String>,
}

impl Creds {
    fn new() -> Creds {
        Creds {
            id: random_text("LTAI5t", 1),
            secret: random_text("Sk", 2),
            token: None,
        }
    }

    fn with_token() -> Creds {
        Creds {
            // STS tokens are base64-like: include characters that need encoding.
            token: Some(format!("{}+/x=", random_text("CAIS", 3))),
            ..Creds::new()
        }
    }

    /// Environment variables carrying these credentials.
    fn env(&self) -> Vec<(String, String)> {
        let mut vars = vec![
            ("ALIBABA_CLOUD_ACCESS_KEY_ID".to_owned(), self.id.clone()),
            (
                "ALIBABA_CLOUD_ACCESS_KEY_SECRET".to_owned(),
                self.secret.clone(),
            ),
        ];
        if let Some(token) = &self.token {
            vars.push(("ALIBABA_CLOUD_SECURITY_TOKEN".to_owned(), token.clone()));
        }
        vars
    }

    /// Strings that must never appear in any output.
    fn secrets(&self) -> Vec<String> {
        let mut out = vec![self.secret.clone()];
        out.extend(self.token.clone());
        out
    }
}

/// A server that verifies signatures for `creds` (and requires its token, if any) and
/// only serves `GetDeployment` 2020-05-18.
fn server_for(creds: &Creds, configure: impl FnOnce(ServerConfig) -> ServerConfig) -> TestServer {
    let mut config = ServerConfig::new()
        .with_credential(creds.id.clone(), creds.secret.clone())
        .with_api(ACTION, VERSION)
        .with_lifetime(Duration::from_secs(120))
        .with_default(Step::raw(200, JSON_CT, SAMPLE_JSON));
    if let Some(token) = &creds.token {
        config = config.with_security_token(token.clone());
    }
    TestServer::start_blocking(configure(config)).expect("start the test server")
}

/// A directory under the target's temporary directory, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
            "dataworks-cli-e2e-{}-{n}-{tag}-{}",
            std::process::id(),
            random_text("", 1)
        ));
        std::fs::create_dir_all(&path).expect("create a temporary directory");
        TempDir(path)
    }

    fn path(&self) -> &Path {
        &self.0
    }

    fn write(&self, relative: &str, content: &str) -> PathBuf {
        let path = self.0.join(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create a parent directory");
        }
        std::fs::write(&path, content).expect("write a test file");
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The outcome of one CLI run.
#[derive(Debug)]
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    elapsed: Duration,
}

impl Run {
    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {:?}", self.stdout))
    }

    fn assert_exit(&self, code: i32) {
        assert_eq!(
            self.code,
            Some(code),
            "exit code (stdout: {:?}, stderr: {:?})",
            self.stdout,
            self.stderr
        );
    }

    fn assert_stderr_has(&self, needles: &[&str]) {
        for needle in needles {
            assert!(
                self.stderr.contains(needle),
                "stderr lacks {needle:?}: {:?}",
                self.stderr
            );
        }
    }
}

/// One invocation of the binary: cleared environment, `HOME` set, given variables.
struct Invocation<'a> {
    home: &'a Path,
    env: Vec<(String, String)>,
    args: Vec<OsString>,
    forbidden: Vec<String>,
    limit: Duration,
}

impl<'a> Invocation<'a> {
    /// `forbidden`: strings (secrets, tokens) that must appear in neither stdout nor stderr.
    fn new(home: &'a Path, forbidden: &[String]) -> Invocation<'a> {
        Invocation {
            home,
            env: Vec::new(),
            args: Vec::new(),
            forbidden: forbidden.to_vec(),
            limit: RUN_LIMIT,
        }
    }

    fn env(mut self, vars: impl IntoIterator<Item = (String, String)>) -> Self {
        self.env.extend(vars);
        self
    }

    fn var(mut self, name: &str, value: impl Into<String>) -> Self {
        self.env.push((name.to_owned(), value.into()));
        self
    }

    fn args<S: Into<OsString>>(mut self, args: impl IntoIterator<Item = S>) -> Self {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    /// Runs the binary, killing it (and failing) after the time limit, then checks that
    /// no forbidden string leaked.
    fn run(self) -> Run {
        let mut command = Command::new(env!("CARGO_BIN_EXE_dataworks"));
        command
            .env_clear()
            .env("HOME", self.home)
            // Never the real ECS metadata service (a test may point it at a stand-in).
            .env("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .args(&self.args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let start = Instant::now();
        let mut child = command.spawn().expect("spawn the dataworks binary");
        let mut out_pipe = child.stdout.take().expect("stdout pipe");
        let mut err_pipe = child.stderr.take().expect("stderr pipe");
        let out_reader = std::thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = out_pipe.read_to_end(&mut buf);
            buf
        });
        let err_reader = std::thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = err_pipe.read_to_end(&mut buf);
            buf
        });
        let status = loop {
            if let Some(status) = child.try_wait().expect("wait for the dataworks binary") {
                break status;
            }
            if start.elapsed() > self.limit {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "dataworks {:?} did not finish within {:?}",
                    self.args, self.limit
                );
            }
            std::thread::sleep(Duration::from_millis(10));
        };
        let elapsed = start.elapsed();
        let stdout =
            String::from_utf8(out_reader.join().expect("stdout reader")).expect("stdout is UTF-8");
        let stderr =
            String::from_utf8(err_reader.join().expect("stderr reader")).expect("stderr is UTF-8");
        for secret in &self.forbidden {
            assert!(
                !stdout.contains(secret.as_str()),
                "a secret leaked on stdout: {stdout:?}"
            );
            assert!(
                !stderr.contains(secret.as_str()),
                "a secret leaked on stderr: {stderr:?}"
            );
        }
        Run {
            code: status.code(),
            stdout,
            stderr,
            elapsed,
        }
    }
}

/// `--endpoint <server> get-deployment --deployment-id 3000001 --project-id 10000`
/// with extra global options first.
fn call_args(server: &TestServer, global: &[&str]) -> Vec<String> {
    let mut args = vec!["--endpoint".to_owned(), server.endpoint()];
    args.extend(global.iter().map(|s| (*s).to_owned()));
    args.extend(
        [
            "get-deployment",
            "--deployment-id",
            "3000001",
            "--project-id",
            "10000",
        ]
        .map(str::to_owned),
    );
    args
}

/// The documented JSON sample as the CLI must print it: same wire names and values,
/// `DeployedItems` as an array.
fn expected_sample_output() -> Value {
    let mut value: Value = serde_json::from_slice(SAMPLE_JSON).expect("the sample is JSON");
    let items = value["Data"]["DeployedItems"].take();
    value["Data"]["DeployedItems"] = json!([items]);
    value
}

/// Checks that stdout is the documented sample as pretty JSON and stderr is empty.
fn assert_sample_output(run: &Run) {
    run.assert_exit(0);
    assert_eq!(run.stderr, "", "stderr must be empty on success");
    assert_eq!(
        run.json(),
        expected_sample_output(),
        "stdout: {}",
        run.stdout
    );
    assert!(
        run.stdout.starts_with("{\n  \"") && run.stdout.ends_with("}\n"),
        "stdout is not pretty JSON ending with a newline: {:?}",
        run.stdout
    );
    assert!(
        run.stdout.contains("\"DeployedItems\": [\n"),
        "DeployedItems is not printed as an array: {}",
        run.stdout
    );
    assert!(
        run.stdout.contains("成功"),
        "Chinese text must be printed as UTF-8: {}",
        run.stdout
    );
}

/// Checks a verified V3 request for deployment 3000001 in project 10000.
fn assert_v3_request(r: &RecordedRequest, creds: &Creds) {
    assert_eq!(r.auth, AuthKind::V3, "{r:?}");
    assert!(
        r.verified && !r.rejected,
        "not verified: {:?}",
        r.error_message
    );
    assert_eq!(r.header("x-acs-action"), Some(ACTION));
    assert_eq!(r.header("x-acs-version"), Some(VERSION));
    let auth = r.header("authorization").unwrap_or_default();
    assert!(
        auth.starts_with(&format!("ACS3-HMAC-SHA256 Credential={},", creds.id)),
        "{auth}"
    );
    assert_eq!(r.param("DeploymentId"), Some("3000001"));
    assert_eq!(r.param("ProjectId"), Some("10000"));
    assert_eq!(r.param("ProjectIdentifier"), None);
    assert_eq!(r.param("Signature"), None, "V3 carries no v1 Signature");
    assert_eq!(r.param("AccessKeyId"), None, "V3 carries no v1 AccessKeyId");
    assert!(
        r.header("user-agent").unwrap_or_default().contains("cli/"),
        "user agent: {:?}",
        r.header("user-agent")
    );
}

fn query_value<'r>(r: &'r RecordedRequest, name: &str) -> Option<&'r str> {
    r.query
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// Asserts that a failed run printed exactly one error message (one `error:` prefix).
fn assert_one_error(run: &Run) {
    assert!(
        run.stderr.starts_with("error: "),
        "stderr must start with `error: `: {:?}",
        run.stderr
    );
    assert_eq!(
        run.stderr
            .lines()
            .filter(|l| l.starts_with("error:"))
            .count(),
        1,
        "more than one error message: {:?}",
        run.stderr
    );
    assert_eq!(run.stdout, "", "stdout must be empty on failure");
}

// ---------------------------------------------------------------------------------------
// Success
// ---------------------------------------------------------------------------------------

#[test]
fn success_v3_json_prints_the_documented_sample() {
    let creds = Creds::new();
    let server = server_for(&creds, |c| c);
    let home = TempDir::new("home");
    let run = Invocation::new(home.path(), &creds.secrets())
        .env(creds.env())
        .args(call_args(&server, &[]))
        .run();
    assert_sample_output(&run);
    let reqs = server.requests();
    assert_eq!(reqs.len(), 1, "{reqs:?}");
    assert_v3_request(&reqs[0], &creds);
    assert!(
        reqs[0]
            .header("accept")
            .unwrap_or_default()
            .contains("json"),
        "accept: {:?}",
        reqs[0].header("accept")
    );
    assert_eq!(reqs[0].header("host"), Some(server.host().as_str()));
}

#[test]
fn success_v3_xml_prints_the_same_json() {
    let creds = Creds::new();
    let server = server_for(&creds, |c| {
        c.with_default(Step::raw(200, XML_CT, SAMPLE_XML))
    });
    let home = TempDir::new("home");
    let run = Invocation::new(home.path(), &creds.secrets())
        .env(creds.env())
        .args(call_args(&server, &["--format", "xml"]))
        .run();
    assert_sample_output(&run);
    let reqs = server.requests();
    assert_eq!(reqs.len(), 1, "{reqs:?}");
    assert_v3_request(&reqs[0], &creds);
    assert!(
        reqs[0].header("accept").unwrap_or_default().contains("xml"),
        "accept: {:?}",
        reqs[0].header("accept")
    );
}

#[test]
fn success_v1_puts_common_params_in_the_query() {
    let creds = Creds::new();
    let server = server_for(&creds, |c| c);
    let home = TempDir::new("home");
    let run = Invocation::new(home.path(), &creds.secrets())
        .env(creds.env())
        .args(call_args(&server, &["--signature", "v1"]))
        .run();
    assert_sample_output(&run);
    let reqs = server.requests();
    assert_eq!(reqs.len(), 1, "{reqs:?}");
    let r = &reqs[0];
    assert_eq!(r.auth, AuthKind::V1, "{r:?}");
    assert!(
        r.verified && !r.rejected,
        "not verified: {:?}",
        r.error_message
    );
    assert_eq!(r.header("authorization"), None);
    for (name, value) in [
        ("Action", Some(ACTION)),
        ("Version", Some(VERSION)),
        ("Format", Some("JSON")),
        ("AccessKeyId", Some(creds.id.as_str())),
        ("SignatureMethod", Some("HMAC-SHA1")),
        ("SignatureVersion", Some("1.0")),
        ("SignatureNonce", None),
        ("Timestamp", None),
        ("Signature", None),
    ] {
        let got = query_value(r, name);
        assert!(got.is_some(), "{name} is not in the query: {:?}", r.query);
        if let Some(value) = value {
            assert_eq!(got, Some(value), "{name}");
        }
    }
    assert_eq!(r.param("DeploymentId"), Some("3000001"));
    assert_eq!(r.param("ProjectId"), Some("10000"));
}

#[test]
fn success_v1_xml_prints_the_same_json() {
    let creds = Creds::new();
    let server = server_for(&creds, |c| {
        c.with_default(Step::raw(200, XML_CT, SAMPLE_XML))
    });
    let home = TempDir::new("home");
    let run = Invocation::new(home.path(), &creds.secrets())
        .env(creds.env())
        .args(call_args(
            &server,
            &["--signature", "v1", "--format", "xml"],
        ))
        .run();
    assert_sample_output(&run);
    let r = server.last_request().expect("one request");
    assert_eq!(server.request_count(), 1);
    assert!(r.verified && r.auth == AuthKind::V1, "{r:?}");
    assert_eq!(query_value(&r, "Format"), Some("XML"));
}

#[test]
fn project_identifier_alone_is_sent() {
    let creds = Creds::new();
    let server = server_for(&creds, |c| c);
    let home = TempDir::new("home");
    let run = Invocation::new(home.path(), &creds.secrets())
        .env(creds.env())
        .args([
            "--endpoint",
            &server.endpoint(),
            "get-deployment",
            "--project-identifier",
            "dw_project",
            "--deployment-id",
            "42",
        ])
        .run();
    assert_sample_output(&run);
    let r = server.last_request().expect("one request");
    assert!(r.verified, "{r:?}");
    assert_eq!(r.param("ProjectIdentifier"), Some("dw_project"));
    assert_eq!(r.param("ProjectId"), None);
    assert_eq!(r.param("DeploymentId"), Some("42"));
}

#[test]
fn absent_fields_are_omitted_and_items_stay_an_array() {
    let creds = Creds::new();
    // No ErrorCode/ErrorMessage/CheckingStatus, two items, an unknown field.
    let body = json!({
        "RequestId": "REQ-1",
        "Success": true,
        "HttpStatusCode": 200,
        "NewField": {"x": 1},
        "Data": {
            "Deployment": {"Name": "d1", "Status": 0, "CreateTime": 1593877765000_i64},
            "DeployedItems": [
                {"FileId": 1, "FileVersion": 2, "Status": 1},
                {"FileId": 3, "FileVersion": 4, "Status": 6}
            ]
        }
    });
    let server = server_for(&creds, |c| {
        c.with_default(Step::raw(200, JSON_CT, body.to_string()))
    });
    let home = TempDir::new("home");
    let run = Invocation::new(home.path(), &creds.secrets())
        .env(creds.env())
        .args(call_args(&server, &[]))
        .run();
    run.assert_exit(0);
    assert_eq!(run.stderr, "");
    let mut expected = body.clone();
    if let Some(map) = expected.as_object_mut() {
        map.remove("NewField");
    }
    assert_eq!(run.json(), expected, "stdout: {}", run.stdout);
    assert!(!run.stdout.contains("null"), "{}", run.stdout);

    // The XML form with repeated <DeployedItems> elements gives the same array.
    let xml = "<GetDeploymentResponse><RequestId>REQ-1</RequestId><Success>true</Success>\
        <HttpStatusCode>200</HttpStatusCode><Data><Deployment><Name>d1</Name><Status>0</Status>\
        <CreateTime>1593877765000</CreateTime></Deployment>\
        <DeployedItems><FileId>1</FileId><FileVersion>2</FileVersion><Status>1</Status></DeployedItems>\
        <DeployedItems><FileId>3</FileId><FileVersion>4</FileVersion><Status>6</Status></DeployedItems>\
        </Data></GetDeploymentResponse>";
    server.set_default(Step::raw(200, XML_CT, xml));
    let run = Invocation::new(home.path(), &creds.secrets())
        .env(creds.env())
        .args(call_args(&server, &["--format", "xml"]))
        .run();
    run.assert_exit(0);
    assert_eq!(run.stderr, "");
    assert_eq!(run.json(), expected, "stdout: {}", run.stdout);
}

#[test]
fn sts_token_from_env_is_sent_and_accepted() {
    let creds = Creds::with_token();
    let token = creds.token.clone().expect("token");
    let server = server_for(&creds, |c| c);
    let home = TempDir::new("home");

    // V3: x-acs-security-token header.
    let run = Invocation::new(home.path(), &creds.secrets())
        .env(creds.env())
        .args(call_args(&server, &[]))
        .run();
    assert_sample_output(&run);
    let r = server.last_request().expect("a request");
    assert_v3_request(&r, &creds);
    assert_eq!(r.header("x-acs-security-token"), Some(token.as_str()));

    // v1: SecurityToken parameter.
    let run = Invocation::new(home.path(), &creds.secrets())
        .env(creds.env())
        .args(call_args(&server, &["--signature", "v1"]))
        .run();
    assert_sample_output(&run);
    let r = server.last_request().expect("a request");
    assert!(r.verified && r.auth == AuthKind::V1, "{r:?}");
    assert_eq!(r.param("SecurityToken"), Some(token.as_str()));

    // Control: the server really requires the token.
    let without = Creds {
        token: None,
        ..creds.clone()
    };
    let run = Invocation::new(home.path(), &creds.secrets())
        .env(without.env())
        .args(call_args(&server, &[]))
        .run();
    run.assert_exit(1);
    assert_one_error(&run);
    run.assert_stderr_has(&["InvalidSecurityToken"]);
    assert_eq!(server.request_count(), 3);
}

// ---------------------------------------------------------------------------------------
// Profiles
// ---------------------------------------------------------------------------------------

#[test]
fn profile_from_aliyun_cli_config_json() {
    let work = Creds::new();
    let sts = Creds::with_token();
    let other = Creds::new();
    let server = TestServer::start_blocking(
        ServerConfig::new()
            .with_credential(work.id.clone(), work.secret.clone())
            .with_api(ACTION, VERSION)
            .with_lifetime(Duration::from_secs(120))
            .with_default(Step::raw(200, JSON_CT, SAMPLE_JSON)),
    )
    .expect("start the test server");
    let home = TempDir::new("home");
    let config = json!({
        "current": "other",
        "profiles": [
            {"name": "other", "mode": "AK", "access_key_id": other.id, "access_key_secret": other.secret},
            {"name": "work", "mode": "AK", "access_key_id": work.id, "access_key_secret": work.secret},
            {"name": "sts", "mode": "StsToken", "access_key_id": sts.id, "access_key_secret": sts.secret, "sts_token": sts.token},
        ]
    });
    home.write(".aliyun/config.json", &config.to_string());
    let mut forbidden = work.secrets();
    forbidden.extend(sts.secrets());
    forbidden.extend(other.secrets());

    // Environment credentials are present but --profile takes the profile's.
    let run = Invocation::new(home.path(), &forbidden)
        .env(other.env())
        .args(call_args(&server, &["--profile", "work"]))
        .run();
    assert_sample_output(&run);
    let r = server.last_request().expect("a request");
    assert_v3_request(&r, &work);

    // A StsToken profile sends its token (a server that requires it accepts the call).
    let sts_server = server_for(&sts, |c| c);
    let run = Invocation::new(home.path(), &forbidden)
        .args(call_args(&sts_server, &["--profile", "sts"]))
        .run();
    assert_sample_output(&run);
    let r = sts_server.last_request().expect("a request");
    assert_v3_request(&r, &sts);
    assert_eq!(r.header("x-acs-security-token"), sts.token.as_deref());
}

#[test]
fn profile_from_credentials_file_env() {
    let ci = Creds::new();
    let server = server_for(&ci, |c| c);
    let home = TempDir::new("home");
    let files = TempDir::new("files");
    let ini = files.write(
        "creds.ini",
        &format!(
            "[default]\ntype = access_key\naccess_key_id = LTAI-default\naccess_key_secret = not-this-one\n\n\
             [ci]\ntype = access_key\naccess_key_id = {}\naccess_key_secret = {}\n",
            ci.id, ci.secret
        ),
    );
    let mut forbidden = ci.secrets();
    forbidden.push("not-this-one".to_owned());
    let run = Invocation::new(home.path(), &forbidden)
        .var(
            "ALIBABA_CLOUD_CREDENTIALS_FILE",
            ini.to_string_lossy().into_owned(),
        )
        .args(call_args(&server, &["--profile", "ci"]))
        .run();
    assert_sample_output(&run);
    let r = server.last_request().expect("a request");
    assert_v3_request(&r, &ci);
}

#[test]
fn unknown_profile_is_a_config_error_and_nothing_is_sent() {
    let creds = Creds::new();
    let server = server_for(&creds, |c| c);
    let home = TempDir::new("home");
    home.write(
        ".aliyun/config.json",
        &json!({"current": "default", "profiles": [
            {"name": "default", "mode": "AK", "access_key_id": creds.id, "access_key_secret": creds.secret}
        ]})
        .to_string(),
    );
    let run = Invocation::new(home.path(), &creds.secrets())
        .args(call_args(&server, &["--profile", "ghost"]))
        .run();
    assert_one_error(&run);
    run.assert_stderr_has(&["ghost"]);
    // Nothing was sent and the invocation (its configuration) is wrong: exit 2.
    run.assert_exit(2);
    assert_eq!(server.request_count(), 0);
    assert_eq!(server.connection_count(), 0);
}

#[test]
fn missing_credentials_is_a_config_error_and_nothing_is_sent() {
    let creds = Creds::new();
    let server = server_for(&creds, |c| c);
    let home = TempDir::new("home");
    let run = Invocation::new(home.path(), &creds.secrets())
        .args(call_args(&server, &[]))
        .run();
    assert_one_error(&run);
    run.assert_stderr_has(&["ALIBABA_CLOUD_ACCESS_KEY_ID", "credentials"]);
    // Nothing was sent and the invocation (its configuration) is wrong: exit 2.
    run.assert_exit(2);
    assert_eq!(server.request_count(), 0);
    assert_eq!(server.connection_count(), 0);
}

// ---------------------------------------------------------------------------------------
// Endpoint and region
// ---------------------------------------------------------------------------------------

#[test]
fn endpoint_wins_over_region() {
    let creds = Creds::new();
    let server = server_for(&creds, |c| c);
    let home = TempDir::new("home");
    // --region flag together with --endpoint.
    let run = Invocation::new(home.path(), &creds.secrets())
        .env(creds.env())
        .args(call_args(&server, &["--region", "cn-shanghai"]))
        .run();
    assert_sample_output(&run);
    // ALIBABA_CLOUD_REGION_ID together with --endpoint.
    let run = Invocation::new(home.path(), &creds.secrets())
        .env(creds.env())
        .var("ALIBABA_CLOUD_REGION_ID", "cn-hangzhou")
        .args(call_args(&server, &[]))
        .run();
    assert_sample_output(&run);
    let reqs = server.requests();
    assert_eq!(reqs.len(), 2, "{reqs:?}");
    for r in &reqs {
        assert_v3_request(r, &creds);
        assert_eq!(r.header("host"), Some(server.host().as_str()));
    }
}

#[test]
fn endpoint_without_scheme_uses_https() {
    let creds = Creds::new();
    let server = server_for(&creds, |c| c);
    let home = TempDir::new("home");
    let run = Invocation::new(home.path(), &creds.secrets())
        .env(creds.env())
        .args([
            "--endpoint",
            &server.host(),
            "--max-attempts",
            "1",
            "--timeout",
            "5",
            "get-deployment",
            "--deployment-id",
            "1",
            "--project-id",
            "1",
        ])
        .run();
    // The plain-HTTP server cannot answer a TLS handshake: the CLI connected to the
    // port but no valid HTTP request arrived.
    run.assert_exit(1);
    assert_one_error(&run);
    assert!(server.connection_count() >= 1, "the CLI never connected");
    assert!(
        server.requests().iter().all(|r| !r.verified),
        "a plain HTTP request was sent: {:?}",
        server.requests()
    );
}

// ---------------------------------------------------------------------------------------
// Service errors
// ---------------------------------------------------------------------------------------

#[test]
fn wrong_secret_is_signature_does_not_match() {
    let creds = Creds::new();
    let server = server_for(&creds, |c| c);
    let wrong = Creds {
        secret: random_text("Wrong", 2),
        ..creds.clone()
    };
    let mut forbidden = creds.secrets();
    forbidden.extend(wrong.secrets());
    let home = TempDir::new("home");
    let run = Invocation::new(home.path(), &forbidden)
        .env(wrong.env())
        .args(call_args(&server, &[]))
        .run();
    run.assert_exit(1);
    assert_one_error(&run);
    let reqs = server.requests();
    assert_eq!(reqs.len(), 1, "not retried: {reqs:?}");
    assert_eq!(reqs[0].error_code.as_deref(), Some("SignatureDoesNotMatch"));
    run.assert_stderr_has(&[
        "HTTP 400",
        "SignatureDoesNotMatch",
        "Specified signature is not matched with our calculation",
        &format!("RequestId: {}", reqs[0].request_id),
    ]);
}

#[test]
fn throttled_three_times_fails_after_three_attempts() {
    let creds = Creds::new();
    let throttled = Step::error(429, "Throttling.User", "Your request is too frequent.");
    let server = server_for(&creds, |c| c.with_default(throttled));
    let home = TempDir::new("home");
    let run = Invocation::new(home.path(), &creds.secrets())
        .env(creds.env())
        .args(call_args(&server, &["--max-attempts", "3"]))
        .run();
    run.assert_exit(1);
    assert_one_error(&run);
    let reqs = server.requests();
    assert_eq!(reqs.len(), 3, "{reqs:?}");
    assert!(reqs.iter().all(|r| r.verified), "{reqs:?}");
    run.assert_stderr_has(&[
        "HTTP 429",
        "Throttling.User",
        "Your request is too frequent.",
        "3 attempts",
        &format!("RequestId: {}", reqs[2].request_id),
    ]);
}

#[test]
fn throttled_then_ok_succeeds() {
    let creds = Creds::new();
    let server = server_for(&creds, |c| {
        c.with_step(Step::error(
            429,
            "Throttling.User",
            "Your request is too frequent.",
        ))
    });
    let home = TempDir::new("home");
    let run = Invocation::new(home.path(), &creds.secrets())
        .env(creds.env())
        .args(call_args(&server, &[]))
        .run();
    assert_sample_output(&run);
    let reqs = server.requests();
    assert_eq!(reqs.len(), 2, "{reqs:?}");
    assert_eq!(reqs[0].response_status, Some(429));
    assert_eq!(reqs[1].response_status, Some(200));
    assert!(reqs.iter().all(|r| r.verified), "{reqs:?}");
}

#[test]
fn server_error_then_ok_succeeds() {
    let creds = Creds::new();
    let server = server_for(&creds, |c| {
        c.with_step(Step::error(
            500,
            "InternalError.System",
            "An internal system error occurred. Try again later.",
        ))
    });
    let home = TempDir::new("home");
    let run = Invocation::new(home.path(), &creds.secrets())
        .env(creds.env())
        .args(call_args(&server, &[]))
        .run();
    assert_sample_output(&run);
    let reqs = server.requests();
    assert_eq!(reqs.len(), 2, "{reqs:?}");
    assert_eq!(reqs[0].response_status, Some(500));
    assert_eq!(reqs[1].response_status, Some(200));
}

#[test]
fn business_failure_in_a_200_body_exits_1() {
    let creds = Creds::new();
    let body = r#"{"RequestId":"A45EE076-334D-5012-9746-A8F828D20FD4","HttpStatusCode":400,"ErrorCode":"Invalid.Deployment.NotFound","ErrorMessage":"The deployment does not exist.","Success":false}"#;
    let server = server_for(&creds, |c| c.with_default(Step::raw(200, JSON_CT, body)));
    let home = TempDir::new("home");
    let run = Invocation::new(home.path(), &creds.secrets())
        .env(creds.env())
        .args(call_args(&server, &[]))
        .run();
    run.assert_exit(1);
    assert_one_error(&run);
    run.assert_stderr_has(&[
        "Invalid.Deployment.NotFound",
        "The deployment does not exist.",
        "HTTP 400",
        "RequestId: A45EE076-334D-5012-9746-A8F828D20FD4",
    ]);
    assert_eq!(
        server.request_count(),
        1,
        "a business failure is not retried"
    );
}

// ---------------------------------------------------------------------------------------
// Transport
// ---------------------------------------------------------------------------------------

#[test]
fn connection_refused_exits_1_with_attempts() {
    let creds = Creds::new();
    let port = {
        let listener = std::net::TcpListener::bind(("127.0.0.1", 0)).expect("bind");
        listener.local_addr().expect("local address").port()
    };
    let home = TempDir::new("home");
    let run = Invocation::new(home.path(), &creds.secrets())
        .env(creds.env())
        .args([
            "--endpoint",
            &format!("http://127.0.0.1:{port}"),
            "get-deployment",
            "--deployment-id",
            "1",
            "--project-id",
            "1",
        ])
        .run();
    run.assert_exit(1);
    assert_one_error(&run);
    run.assert_stderr_has(&["connect", "3 attempts"]);
    assert!(run.elapsed < Duration::from_secs(15), "{:?}", run.elapsed);
}

#[test]
fn attempt_timeout_exits_1_quickly() {
    let creds = Creds::new();
    let stalled = Step::raw(200, JSON_CT, SAMPLE_JSON).with_delay(Duration::from_secs(2));
    let server = server_for(&creds, |c| c.with_default(stalled));
    let home = TempDir::new("home");
    let run = Invocation::new(home.path(), &creds.secrets())
        .env(creds.env())
        .args(call_args(&server, &["--timeout", "0.3"]))
        .run();
    run.assert_exit(1);
    assert_one_error(&run);
    run.assert_stderr_has(&["timeout", "3 attempts"]);
    assert!(
        run.elapsed < Duration::from_secs(5),
        "took {:?} with --timeout 0.3",
        run.elapsed
    );
    assert_eq!(server.request_count(), 3);
}

#[test]
fn proxy_flag_carries_the_call_and_no_proxy_bypasses_it() {
    let creds = Creds::new();
    let server = server_for(&creds, |c| c);
    let home = TempDir::new("home");
    // Served from a thread of its own: the CLI runs in another process.
    let proxy = TestProxy::start_blocking(None).expect("the proxy starts");
    let proxied = Invocation::new(home.path(), &creds.secrets())
        .env(creds.env())
        .args(call_args(&server, &["--proxy", &proxy.url()]))
        .run();
    let direct = Invocation::new(home.path(), &creds.secrets())
        .env(creds.env())
        .args(call_args(
            &server,
            &["--proxy", &proxy.url(), "--no-proxy", "localhost,127.0.0.1"],
        ))
        .run();
    assert_sample_output(&proxied);
    assert_sample_output(&direct);
    let relayed = proxy.requests();
    assert_eq!(
        relayed.len(),
        1,
        "only the first run went through the proxy"
    );
    assert_eq!(relayed[0].protocol, ProxyProtocol::Forward);
    assert_eq!(relayed[0].target, server.host());
    let reqs = server.requests();
    assert_eq!(reqs.len(), 2, "{reqs:?}");
    for r in &reqs {
        assert_v3_request(r, &creds);
    }
}

#[test]
fn a_dead_proxy_is_named_and_nothing_reaches_the_server() {
    let creds = Creds::new();
    let server = server_for(&creds, |c| c);
    let port = {
        let listener = std::net::TcpListener::bind(("127.0.0.1", 0)).expect("bind");
        listener.local_addr().expect("local address").port()
    };
    let proxy = format!("http://127.0.0.1:{port}");
    let home = TempDir::new("home");
    let run = Invocation::new(home.path(), &creds.secrets())
        .env(creds.env())
        .args(call_args(&server, &["--proxy", &proxy]))
        .run();
    run.assert_exit(1);
    assert_one_error(&run);
    run.assert_stderr_has(&[&format!("proxy {proxy}"), &server.host()]);
    assert_eq!(server.request_count(), 0);
}

// ---------------------------------------------------------------------------------------
// Usage and validation: exit 2, a clear message, nothing sent
// ---------------------------------------------------------------------------------------

/// Runs `args` (after `--endpoint <server>`) with valid credentials and expects exit 2,
/// the given fragments on stderr, an empty stdout and no connection to the server.
fn assert_usage_error(args: &[&str], expected: &[&str]) {
    let creds = Creds::new();
    let server = server_for(&creds, |c| c);
    let home = TempDir::new("home");
    let mut all = vec!["--endpoint".to_owned(), server.endpoint()];
    all.extend(args.iter().map(|s| (*s).to_owned()));
    let run = Invocation::new(home.path(), &creds.secrets())
        .env(creds.env())
        .args(all)
        .run();
    run.assert_exit(2);
    assert_eq!(run.stdout, "", "stdout must be empty");
    assert!(run.stderr.contains("error"), "{:?}", run.stderr);
    run.assert_stderr_has(expected);
    assert_eq!(server.request_count(), 0, "a request was sent");
    assert_eq!(server.connection_count(), 0, "a connection was opened");
}

#[test]
fn usage_missing_deployment_id() {
    assert_usage_error(
        &["get-deployment", "--project-id", "10000"],
        &["--deployment-id", "required"],
    );
}

#[test]
fn usage_neither_project_id_nor_identifier() {
    assert_usage_error(
        &["get-deployment", "--deployment-id", "3000001"],
        &["--project-id", "--project-identifier", "required"],
    );
}

#[test]
fn usage_non_numeric_deployment_id() {
    assert_usage_error(
        &[
            "get-deployment",
            "--deployment-id",
            "abc",
            "--project-id",
            "10000",
        ],
        &["abc", "--deployment-id"],
    );
}

#[test]
fn usage_unknown_flag() {
    assert_usage_error(
        &[
            "get-deployment",
            "--deployment-id",
            "1",
            "--project-id",
            "1",
            "--bogus",
        ],
        &["--bogus"],
    );
}

#[test]
fn usage_bad_signature_version() {
    assert_usage_error(
        &[
            "--signature",
            "v9",
            "get-deployment",
            "--deployment-id",
            "1",
            "--project-id",
            "1",
        ],
        &["v9", "--signature"],
    );
}

#[test]
fn usage_zero_max_attempts() {
    assert_usage_error(
        &[
            "--max-attempts",
            "0",
            "get-deployment",
            "--deployment-id",
            "1",
            "--project-id",
            "1",
        ],
        &["--max-attempts"],
    );
}

#[test]
fn usage_missing_subcommand() {
    assert_usage_error(&[], &["get-deployment"]);
}

#[test]
fn config_neither_region_nor_endpoint() {
    let creds = Creds::new();
    let home = TempDir::new("home");
    let run = Invocation::new(home.path(), &creds.secrets())
        .env(creds.env())
        .args([
            "get-deployment",
            "--deployment-id",
            "1",
            "--project-id",
            "1",
        ])
        .run();
    run.assert_exit(2);
    assert_one_error(&run);
    run.assert_stderr_has(&["region", "endpoint", "ALIBABA_CLOUD_REGION_ID"]);
}

#[test]
fn config_invalid_region() {
    let creds = Creds::new();
    let home = TempDir::new("home");
    let run = Invocation::new(home.path(), &creds.secrets())
        .env(creds.env())
        .args([
            "--region",
            "CN_Shanghai",
            "get-deployment",
            "--deployment-id",
            "1",
            "--project-id",
            "1",
        ])
        .run();
    run.assert_exit(2);
    assert_one_error(&run);
    run.assert_stderr_has(&["CN_Shanghai", "region"]);
}

#[test]
fn config_invalid_endpoint() {
    let creds = Creds::new();
    let home = TempDir::new("home");
    let run = Invocation::new(home.path(), &creds.secrets())
        .env(creds.env())
        .args([
            "--endpoint",
            "ftp://127.0.0.1:1",
            "get-deployment",
            "--deployment-id",
            "1",
            "--project-id",
            "1",
        ])
        .run();
    run.assert_exit(2);
    assert_one_error(&run);
    run.assert_stderr_has(&["ftp://127.0.0.1:1", "endpoint"]);
}

// ---------------------------------------------------------------------------------------
// Tracing and help
// ---------------------------------------------------------------------------------------

#[test]
fn rust_log_trace_traces_without_secrets() {
    let creds = Creds::with_token();
    let server = server_for(&creds, |c| {
        c.with_step(Step::error(429, "Throttling.User", "slow down"))
    });
    let home = TempDir::new("home");
    for signature in ["v3", "v1"] {
        let run = Invocation::new(home.path(), &creds.secrets())
            .env(creds.env())
            .var("RUST_LOG", "trace")
            .args(call_args(&server, &["--signature", signature]))
            .run();
        run.assert_exit(0);
        assert_eq!(run.json(), expected_sample_output(), "{}", run.stdout);
        run.assert_stderr_has(&["acs_call", "GetDeployment"]);
        assert!(
            !run.stderr.lines().any(|l| l.starts_with("error:")),
            "no error message expected: {}",
            run.stderr
        );
    }
    // The first call was throttled once: the retry is traced too.
    assert_eq!(server.request_count(), 3);
}

#[test]
fn help_shows_the_spec_descriptions() {
    let home = TempDir::new("home");
    let run = Invocation::new(home.path(), &[]).args(["--help"]).run();
    run.assert_exit(0);
    for needle in [
        "get-deployment",
        "deployment package",
        "--endpoint",
        "--region",
        "--signature",
        "--format",
        "--max-attempts",
        "--timeout",
        "--profile",
    ] {
        assert!(
            run.stdout.contains(needle),
            "--help lacks {needle:?}: {}",
            run.stdout
        );
    }

    let run = Invocation::new(home.path(), &[])
        .args(["get-deployment", "--help"])
        .run();
    run.assert_exit(0);
    for needle in [
        "deployment package",
        "发布包的ID",
        "--deployment-id",
        "--project-id",
        "--project-identifier",
        "DataWorks工作空间的ID",
    ] {
        assert!(
            run.stdout.contains(needle),
            "get-deployment --help lacks {needle:?}: {}",
            run.stdout
        );
    }
}

// ---------------------------------------------------------------------------------------
// The credentials chain: RAM role and ECS RAM role profiles, the `credentials` subcommand
// ---------------------------------------------------------------------------------------

const ROLE_ARN: &str = "acs:ram::1234567890123456:role/dataworks-deployer";

/// An STS stand-in verifying v1 signatures of `source`, answering AssumeRole for
/// [`ROLE_ARN`] with `role` and GetCallerIdentity.
fn sts_for(source: &Creds, role: &Creds) -> TestServer {
    let expiration = acs_test_server::clock::format_timestamp(
        std::time::SystemTime::now() + Duration::from_secs(3600),
    );
    TestServer::start_blocking(
        ServerConfig::new()
            .with_credential(source.id.clone(), source.secret.clone())
            .with_credential(role.id.clone(), role.secret.clone())
            .with_lifetime(Duration::from_secs(120))
            .with_route(
                Route::when("Action", "AssumeRole")
                    .and("RoleArn", ROLE_ARN)
                    .step(Step::ok(json!({
                        "RequestId": null,
                        "AssumedRoleUser": {"Arn": format!("{ROLE_ARN}/cli"), "AssumedRoleId": "300:cli"},
                        "Credentials": {
                            "AccessKeyId": role.id,
                            "AccessKeySecret": role.secret,
                            "SecurityToken": role.token,
                            "Expiration": expiration,
                        }
                    })))
                    .then(Then::Last),
            )
            .with_route(
                Route::when("Action", "GetCallerIdentity")
                    .step(Step::ok(json!({
                        "RequestId": null,
                        "AccountId": "1234567890123456",
                        "Arn": format!("{ROLE_ARN}/cli"),
                        "IdentityType": "AssumedRoleUser",
                        "PrincipalId": "300:cli",
                        "RoleId": "300",
                    })))
                    .then(Then::Last),
            ),
    )
    .expect("start the STS stand-in")
}

fn role_profile(home: &TempDir, source: &Creds) {
    home.write(
        ".aliyun/config.json",
        &json!({"current": "default", "profiles": [
            {"name": "default", "mode": "AK", "access_key_id": "LTAI-not-this-one", "access_key_secret": "not-this-one"},
            {"name": "deployer", "mode": "RamRoleArn", "access_key_id": source.id,
             "access_key_secret": source.secret, "ram_role_arn": ROLE_ARN, "ram_session_name": "ci"}
        ]})
        .to_string(),
    );
}

#[test]
fn ram_role_profile_signs_calls_with_the_role() {
    let source = Creds::new();
    let role = Creds::with_token();
    let sts = sts_for(&source, &role);
    let server = server_for(&role, |c| c);
    let home = TempDir::new("home");
    role_profile(&home, &source);
    let mut forbidden = source.secrets();
    forbidden.extend(role.secrets());
    let run = Invocation::new(home.path(), &forbidden)
        .var("ALIBABA_CLOUD_STS_ENDPOINT", sts.endpoint())
        .args(call_args(&server, &["--profile", "deployer"]))
        .run();
    assert_sample_output(&run);
    assert_v3_request(&server.last_request().expect("a call"), &role);
    let assume = sts.last_request().expect("AssumeRole");
    assert!(
        assume.verified && assume.auth == AuthKind::V1,
        "{:?}",
        assume.error_message
    );
    assert_eq!(assume.param("AccessKeyId"), Some(source.id.as_str()));
    assert_eq!(assume.param("RoleSessionName"), Some("ci"));
}

#[test]
fn ecs_ram_role_from_a_metadata_stand_in() {
    let ecs = Creds::with_token();
    let expiration = acs_test_server::clock::format_timestamp(
        std::time::SystemTime::now() + Duration::from_secs(3600),
    );
    let imds = TestServer::start_blocking(
        ServerConfig::new()
            .with_route(
                Route::path("/latest/api/token")
                    .and_method("PUT")
                    .step(Step::raw(200, "text/plain", "imds-token"))
                    .then(Then::Last),
            )
            .with_route(
                Route::path("/latest/meta-data/ram/security-credentials/worker")
                    .and_header("X-aliyun-ecs-metadata-token", "imds-token")
                    .step(Step::raw(
                        200,
                        "application/json",
                        json!({"Code": "Success", "AccessKeyId": ecs.id, "AccessKeySecret": ecs.secret,
                               "SecurityToken": ecs.token, "Expiration": expiration})
                        .to_string(),
                    ))
                    .then(Then::Last),
            )
            .with_default(Step::raw(401, "text/plain", "unauthorized")),
    )
    .expect("start the metadata stand-in");
    let server = server_for(&ecs, |c| c);
    let home = TempDir::new("home");
    let run = Invocation::new(home.path(), &ecs.secrets())
        .var("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "false")
        .var(
            "ALIBABA_CLOUD_ECS_METADATA_SERVICE_ENDPOINT",
            imds.endpoint(),
        )
        .var("ALIBABA_CLOUD_ECS_METADATA", "worker")
        .args(call_args(&server, &[]))
        .run();
    assert_sample_output(&run);
    assert_v3_request(&server.last_request().expect("a call"), &ecs);
    assert_eq!(
        imds.request_count(),
        2,
        "token, then the role's credentials"
    );
}

#[test]
fn credentials_subcommand_shows_the_provider_and_the_caller() {
    let source = Creds::new();
    let role = Creds::with_token();
    let sts = sts_for(&source, &role);
    let home = TempDir::new("home");
    role_profile(&home, &source);
    let mut forbidden = source.secrets();
    forbidden.extend(role.secrets());
    let run = Invocation::new(home.path(), &forbidden)
        .var("ALIBABA_CLOUD_STS_ENDPOINT", sts.endpoint())
        .var("RUST_LOG", "trace")
        .args(["--profile", "deployer", "credentials"])
        .run();
    run.assert_exit(0);
    let out = run.json();
    assert_eq!(out["kind"], "ram_role_arn", "{out}");
    assert!(
        out["provider"].as_str().unwrap().contains(ROLE_ARN),
        "{out}"
    );
    assert!(
        out["source"].as_str().unwrap().contains("\"deployer\""),
        "{out}"
    );
    assert_eq!(out["accessKeyId"], role.id.as_str());
    assert_eq!(out["temporary"], true);
    assert!(out["expiration"].is_string());
    assert_eq!(out["identity"]["AccountId"], "1234567890123456");
    assert_eq!(out["identity"]["IdentityType"], "AssumedRoleUser");
    let calls: Vec<String> = sts
        .requests()
        .iter()
        .map(|r| r.param("Action").unwrap_or_default().to_owned())
        .collect();
    assert_eq!(calls, ["AssumeRole", "GetCallerIdentity"]);
    assert!(sts.requests().iter().all(|r| r.verified));

    // Nothing configured: exit 2 and a message listing what was tried (ECS disabled).
    let empty = TempDir::new("home");
    let run = Invocation::new(empty.path(), &[])
        .args(["credentials"])
        .run();
    assert_one_error(&run);
    run.assert_exit(2);
    run.assert_stderr_has(&["ALIBABA_CLOUD_ECS_METADATA_DISABLED=true", "config.json"]);
}

// ---------------------------------------------------------------------------------------
// Parameter styles of the whole product (issue 12)
// ---------------------------------------------------------------------------------------

/// A server that verifies signatures for `creds` and serves `action` with its documented
/// JSON sample (copied from `spec/dataworks-public/samples/` into `tests/data/`, so that the
/// packaged test has it too).
fn server_for_action(creds: &Creds, action: &str) -> TestServer {
    let sample = match action {
        "CreateTable" => include_bytes!("data/CreateTable.json").to_vec(),
        "RunTriggerNode" => include_bytes!("data/RunTriggerNode.json").to_vec(),
        other => panic!("no sample of {other} in tests/data/"),
    };
    let config = ServerConfig::new()
        .with_credential(creds.id.clone(), creds.secret.clone())
        .with_api(action, VERSION)
        .with_lifetime(Duration::from_secs(120))
        .with_default(Step::raw(200, JSON_CT, sample));
    TestServer::start_blocking(config).expect("start the test server")
}

/// Runs `args` after `--endpoint <server>` against a server for `action`; returns the run
/// and the request the server received, if any.
fn run_action(action: &str, args: &[&str]) -> (Run, Option<RecordedRequest>) {
    let creds = Creds::new();
    let server = server_for_action(&creds, action);
    let home = TempDir::new("home");
    let mut all = vec!["--endpoint".to_owned(), server.endpoint()];
    all.extend(args.iter().map(|s| (*s).to_owned()));
    let run = Invocation::new(home.path(), &creds.secrets())
        .env(creds.env())
        .args(all)
        .run();
    (run, server.last_request())
}

#[test]
fn repeat_list_objects_take_one_json_object_per_flag_and_go_out_flattened() {
    let (run, request) = run_action(
        "CreateTable",
        &[
            "create-table",
            "--table-name",
            "t1",
            "--columns",
            r#"{"ColumnName":"id","ColumnType":"bigint"}"#,
            "--columns",
            r#"{"ColumnName":"name","ColumnType":"string","Comment":"名字 & more"}"#,
            "--endpoint-param",
            "odps://example",
            "--is-view",
            "0",
        ],
    );
    run.assert_exit(0);
    let request = request.expect("a request");
    assert!(request.verified);
    let params = request.params();
    let get = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    assert_eq!(get("Columns.1.ColumnName"), Some("id"));
    assert_eq!(get("Columns.1.ColumnType"), Some("bigint"));
    assert_eq!(get("Columns.2.ColumnName"), Some("name"));
    assert_eq!(get("Columns.2.Comment"), Some("名字 & more"));
    assert_eq!(get("Columns.1.Comment"), None);
    assert_eq!(get("Columns.1"), None);
    // `Endpoint` is the action's own parameter: a distinct flag, not the global option.
    assert_eq!(get("Endpoint"), Some("odps://example"));
    assert_eq!(get("IsView"), Some("0"));
}

#[test]
fn a_json_array_given_to_a_repeat_flag_is_a_usage_error_showing_the_form() {
    assert_usage_error(
        &[
            "create-table",
            "--table-name",
            "t1",
            "--columns",
            r#"[{"ColumnName":"id","ColumnType":"bigint"},{"ColumnName":"b","ColumnType":"string"}]"#,
        ],
        &[
            "--columns",
            "one item per occurrence",
            "repeat the flag",
            "--columns '{",
        ],
    );
}

#[test]
fn constraints_and_enums_are_checked_before_anything_is_sent() {
    let required = [
        "run-cycle-dag-nodes",
        "--start-biz-date",
        "2020-05-20 00:00:00",
        "--end-biz-date",
        "2020-05-21 00:00:00",
        "--name",
        "n",
        "--root-node-id",
        "1",
        "--parallelism",
        "false",
        "--include-node-ids",
        "1",
    ];
    let mut bad_enum = required.to_vec();
    bad_enum.extend(["--project-env", "FOO"]);
    assert_usage_error(&bad_enum, &["--project-env", "FOO", "PROD", "DEV"]);
    let mut bad_range = required.to_vec();
    bad_range.extend(["--project-env", "PROD", "--concurrent-runs", "99"]);
    assert_usage_error(&bad_range, &["ConcurrentRuns", "99"]);
}

#[test]
fn negative_numbers_are_values() {
    let (run, request) = run_action(
        "RunTriggerNode",
        &[
            "run-trigger-node",
            "--node-id",
            "-9",
            "--cycle-time",
            "1",
            "--biz-date",
            "-1",
            "--app-id",
            "3",
        ],
    );
    run.assert_exit(0);
    let request = request.expect("a request");
    assert_eq!(request.param("NodeId"), Some("-9"));
    assert_eq!(request.param("BizDate"), Some("-1"));
}

#[test]
fn help_lists_item_fields_allowed_values_and_wire_names() {
    let home = TempDir::new("home");
    let run = Invocation::new(home.path(), &[])
        .args(["create-table", "--help"])
        .run();
    run.assert_exit(0);
    for needle in [
        "--columns",
        "Wire name: Columns",
        "ColumnName",
        "ColumnType",
        "--endpoint-param",
        "Wire name: Endpoint",
        "Constraints: at least 1.",
    ] {
        assert!(
            run.stdout.contains(needle),
            "{needle} missing from:\n{}",
            run.stdout
        );
    }
    // The metadata's `maximum: 9223372036854775807` on int64 values checks nothing: not shown.
    assert!(
        !run.stdout.contains("9223372036854775807"),
        "{}",
        run.stdout
    );
    let run = Invocation::new(home.path(), &[])
        .args(["run-cycle-dag-nodes", "--help"])
        .run();
    run.assert_exit(0);
    for needle in ["PROD", "DEV", "Wire name: ProjectEnv"] {
        assert!(
            run.stdout.contains(needle),
            "{needle} missing from:\n{}",
            run.stdout
        );
    }
}
