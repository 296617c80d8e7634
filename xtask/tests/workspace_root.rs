//! Which checkout `cargo xtask codegen` acts on (issue 18): the one cargo runs it in (its
//! `CARGO_MANIFEST_DIR` at run time), `--root` when given, and the checkout that compiled the
//! binary only as a fallback; a root without the workspace is refused before anything is written.
//!
//! The default tests run the xtask binary of this build with a chosen environment. The two
//! `#[ignore]`d tests rebuild in two temporary checkouts that share a target directory, the
//! situation that made one checkout's command act on the other (minutes; run them with
//! `scripts/two-checkouts.sh`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A generated file of the fixture product: removed to make a checkout stale, and restored only
/// by a codegen that acts on that checkout.
const FIXTURE_MODULE: &str = "tests/fixture-crates/widgets-fixture-models/src/list_widgets.rs";

/// A fresh empty folder under the system temp dir; the caller removes it.
fn fresh_dir(label: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("xtask-root-{label}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create temp dir");
    dir
}

/// Copies the tree `from` into `to`, leaving out build output and git metadata.
fn copy_sources(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create dir");
    for entry in std::fs::read_dir(from).expect("read dir").flatten() {
        let name = entry.file_name();
        if name == "target" || name == ".git" {
            continue;
        }
        let target = to.join(&name);
        if entry.path().is_dir() {
            copy_sources(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy file");
        }
    }
}

/// Every file under `root` with its contents.
fn tree(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(dir: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).expect("read dir").flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            } else {
                out.insert(path.clone(), std::fs::read(&path).expect("read file"));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, &mut out);
    out
}

/// A minimal workspace: a `Cargo.toml` and the fixture spec as its only product.
fn fixture_workspace(label: &str) -> PathBuf {
    let dir = fresh_dir(label);
    std::fs::write(dir.join("Cargo.toml"), "[workspace]\n").expect("write Cargo.toml");
    copy_sources(
        &xtask::workspace_root().join("tests/fixture-spec"),
        &dir.join("spec/widgets"),
    );
    dir
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn first_line(output: &Output) -> String {
    stdout(output)
        .lines()
        .next()
        .unwrap_or_default()
        .to_string()
}

/// This build's xtask binary, started without cargo (so without its environment).
fn xtask_binary() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_xtask"));
    command.env_remove("CARGO_MANIFEST_DIR");
    command
}

#[test]
fn the_checkout_cargo_runs_in_wins_over_the_one_compiled_in() {
    let ws = fixture_workspace("cargo-env");
    let output = xtask_binary()
        .arg("codegen")
        .env("CARGO_MANIFEST_DIR", ws.join("xtask"))
        .output()
        .expect("run xtask");
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        first_line(&output),
        format!(
            "workspace: {} (from CARGO_MANIFEST_DIR, set by cargo)",
            ws.display()
        )
    );
    assert!(
        ws.join(FIXTURE_MODULE).is_file(),
        "generated into the checkout named by the environment"
    );
    assert!(stdout(&output).contains(&format!("wrote   {FIXTURE_MODULE}")));
    let again = xtask_binary()
        .args(["codegen", "--check"])
        .env("CARGO_MANIFEST_DIR", ws.join("xtask"))
        .output()
        .expect("run xtask");
    assert!(again.status.success(), "{}", stderr(&again));
    assert!(stdout(&again).ends_with("generated code is up to date\n"));
    let _ = std::fs::remove_dir_all(&ws);
}

#[test]
fn root_argument_wins_over_the_cargo_environment() {
    let ws = fixture_workspace("root-arg");
    let elsewhere = fresh_dir("root-arg-elsewhere");
    let output = xtask_binary()
        .arg("codegen")
        .arg("--root")
        .arg(&ws)
        .env("CARGO_MANIFEST_DIR", elsewhere.join("xtask"))
        .output()
        .expect("run xtask");
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        first_line(&output),
        format!("workspace: {} (from --root)", ws.display())
    );
    assert!(ws.join(FIXTURE_MODULE).is_file());
    assert!(tree(&elsewhere).is_empty(), "nothing written elsewhere");
    let _ = std::fs::remove_dir_all(&ws);
    let _ = std::fs::remove_dir_all(&elsewhere);
}

#[test]
fn without_cargo_the_compiled_in_checkout_is_used_and_named() {
    // `--check` writes nothing; whether this checkout is fresh is `generated_code_is_fresh`'s
    // business, so only the first line is asserted.
    let output = xtask_binary()
        .args(["codegen", "--check"])
        .output()
        .expect("run xtask");
    let compiled_in = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask/ has a parent");
    assert_eq!(
        first_line(&output),
        format!(
            "workspace: {} (compiled into this binary; run it with `cargo xtask` or pass --root)",
            compiled_in.display()
        )
    );
}

#[test]
fn a_root_without_the_workspace_is_refused_before_anything_is_written() {
    // No Cargo.toml: a spec folder alone is not a workspace to generate into.
    let no_manifest = fresh_dir("no-manifest");
    copy_sources(
        &xtask::workspace_root().join("tests/fixture-spec"),
        &no_manifest.join("spec/widgets"),
    );
    let before = tree(&no_manifest);
    let output = xtask_binary()
        .arg("codegen")
        .arg("--root")
        .arg(&no_manifest)
        .output()
        .expect("run xtask");
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        first_line(&output),
        format!("workspace: {} (from --root)", no_manifest.display())
    );
    assert_eq!(
        stderr(&output),
        format!(
            "error: {} (from --root) is not the workspace to generate: it has no Cargo.toml; \
             nothing was written\n",
            no_manifest.display()
        )
    );
    assert_eq!(tree(&no_manifest), before, "nothing written");

    // No spec/: even with an explicit spec folder, the root must be the workspace.
    let no_spec = fresh_dir("no-spec");
    std::fs::write(no_spec.join("Cargo.toml"), "[workspace]\n").expect("write");
    let output = xtask_binary()
        .arg("codegen")
        .arg("--root")
        .arg(&no_spec)
        .arg("--spec")
        .arg(no_manifest.join("spec/widgets"))
        .output()
        .expect("run xtask");
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("is not the workspace to generate: it has no spec/"),
        "{}",
        stderr(&output)
    );
    assert_eq!(tree(&no_spec).len(), 1, "only the Cargo.toml written above");
    let _ = std::fs::remove_dir_all(&no_manifest);
    let _ = std::fs::remove_dir_all(&no_spec);
}

/// Two copies of this workspace (`a` and `b`) and one target directory they share, all under
/// one temporary folder. `TWO_CHECKOUTS_TARGET_DIR` names a target directory to share instead,
/// so that several runs build the dependencies once.
struct TwoCheckouts {
    base: PathBuf,
    a: PathBuf,
    b: PathBuf,
    target: PathBuf,
}

impl TwoCheckouts {
    /// Both copies are made before anything is built, so that their sources are older than
    /// whatever either builds: cargo then treats one's artifacts as fresh for the other.
    fn new(label: &str) -> TwoCheckouts {
        let base = fresh_dir(label);
        let source = xtask::workspace_root();
        let (a, b) = (base.join("a"), base.join("b"));
        copy_sources(&source, &a);
        copy_sources(&source, &b);
        let target = std::env::var_os("TWO_CHECKOUTS_TARGET_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| base.join("target"));
        TwoCheckouts { base, a, b, target }
    }

    /// `cargo <args>` in `checkout`, with the shared target directory, offline, and without
    /// the environment cargo gave this test.
    fn cargo(&self, checkout: &Path, args: &[&str]) -> Output {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let output = Command::new(cargo)
            .args(args)
            .current_dir(checkout)
            .env("CARGO_TARGET_DIR", &self.target)
            .env("CARGO_NET_OFFLINE", "true")
            .env("CARGO_TERM_COLOR", "never")
            .env_remove("CARGO_MANIFEST_DIR")
            .output()
            .expect("run cargo");
        eprintln!(
            "[two checkouts] {} $ cargo {}: {}\n{}{}",
            checkout.display(),
            args.join(" "),
            output.status,
            stdout(&output),
            stderr(&output)
        );
        output
    }

    /// Fingerprint of a built artifact: modification time and whether it embeds `checkout`'s path.
    fn artifact(&self, relative: &str, checkout: &Path) -> (std::time::SystemTime, bool) {
        let path = self.target.join(relative);
        let bytes = std::fs::read(&path).expect("the artifact");
        let needle = checkout.to_string_lossy().into_owned().into_bytes();
        let embeds = bytes.windows(needle.len()).any(|w| w == needle.as_slice());
        let modified = std::fs::metadata(&path)
            .and_then(|m| m.modified())
            .expect("mtime");
        (modified, embeds)
    }
}

impl Drop for TwoCheckouts {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.base);
    }
}

#[test]
#[ignore = "builds xtask in a temporary checkout (minutes); run scripts/two-checkouts.sh"]
fn codegen_in_two_checkouts_sharing_a_target_dir_acts_on_each_ones_own_tree() {
    let co = TwoCheckouts::new("two-checkouts-codegen");
    let build = co.cargo(&co.a, &["build", "--package", "xtask"]);
    assert!(build.status.success(), "build in a");
    let binary = "debug/xtask";
    let built_in_a = co.artifact(binary, &co.a);
    assert!(built_in_a.1, "the binary built in a embeds a's path");

    // Each checkout made stale in turn; codegen run in the other one must not touch it.
    for (here, there) in [(&co.b, &co.a), (&co.a, &co.b)] {
        std::fs::remove_file(here.join(FIXTURE_MODULE)).expect("remove a generated file");
        let there_before = tree(there);
        let output = co.cargo(here, &["xtask", "codegen"]);
        assert!(output.status.success(), "codegen in {}", here.display());
        assert_eq!(
            co.artifact(binary, &co.a),
            built_in_a,
            "cargo rebuilt xtask for {}: the test no longer runs a binary built in another \
             checkout",
            here.display()
        );
        assert!(here.join(FIXTURE_MODULE).is_file(), "restored where it ran");
        assert!(tree(there) == there_before, "{} untouched", there.display());
        assert_eq!(
            first_line(&output),
            format!(
                "workspace: {} (from CARGO_MANIFEST_DIR, set by cargo)",
                here.display()
            )
        );
        assert_eq!(
            stdout(&output).lines().nth(1),
            Some(format!("wrote   {FIXTURE_MODULE}").as_str())
        );
        let check = co.cargo(here, &["xtask", "codegen", "--check"]);
        assert!(check.status.success(), "{} is fresh", here.display());
    }

    // The report: with the checkout that built the binary gone, b still works.
    std::fs::remove_dir_all(&co.a).expect("remove a");
    let check = co.cargo(&co.b, &["xtask", "codegen", "--check"]);
    assert!(check.status.success(), "codegen --check in b without a");
    assert_eq!(co.artifact(binary, &co.a), built_in_a, "still a's binary");

    // Started without cargo, the binary falls back to the compiled-in checkout, says so, and
    // refuses it now that it is gone.
    let direct = Command::new(co.target.join(binary))
        .args(["codegen", "--check"])
        .env_remove("CARGO_MANIFEST_DIR")
        .output()
        .expect("run the binary");
    assert_eq!(direct.status.code(), Some(1));
    assert!(
        first_line(&direct).contains("(compiled into this binary;"),
        "{}",
        stdout(&direct)
    );
    assert!(
        stderr(&direct).contains("it has no Cargo.toml; nothing was written"),
        "{}",
        stderr(&direct)
    );
}

#[test]
#[ignore = "builds the workspace tests in a temporary checkout (many minutes); run scripts/two-checkouts.sh"]
fn workspace_tests_in_two_checkouts_sharing_a_target_dir_read_their_own_tree() {
    let co = TwoCheckouts::new("two-checkouts-tests");
    let test_codegen = [
        "test",
        "--package",
        "workspace-tests",
        "--test",
        "codegen",
        "--",
        "generated_code_is_fresh",
        "spec_model_snapshot",
    ];
    let build = co.cargo(&co.a, &test_codegen);
    assert!(build.status.success(), "the tests pass in a");
    // a made stale and its snapshot of the spec model wrong: a test binary built in a that
    // read a's tree (or a's snapshots) when run in b would now fail.
    std::fs::remove_file(co.a.join(FIXTURE_MODULE)).expect("remove a generated file");
    let snapshot =
        co.a.join("tests/tests/snapshots/codegen__dataworks_public_model.snap");
    let mut text = std::fs::read_to_string(&snapshot).expect("the model snapshot");
    text.push_str("operation OnlyInCheckoutA\n");
    std::fs::write(&snapshot, text).expect("write the snapshot");
    let a_before = tree(&co.a);
    let run = co.cargo(&co.b, &test_codegen);
    assert!(run.status.success(), "the tests read b's tree in b");
    assert!(
        !stderr(&run).contains("Compiling workspace-tests"),
        "cargo rebuilt the tests for b: the test no longer runs binaries built in another \
         checkout"
    );
    assert!(tree(&co.a) == a_before, "a untouched");
}
