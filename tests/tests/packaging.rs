//! Every package that is published carries what a registry shows and needs: a README, both
//! license files, a description, keywords, categories and a documentation link, and no
//! made-up repository address. (`cargo publish --workspace --dry-run` and
//! `scripts/package-check.sh`, run by `.ci/run`, build them from their packaged sources.)

use std::process::Command;
use workspace_tests::workspace_root;

#[test]
fn published_packages_carry_their_metadata_and_license_files() {
    let root = workspace_root();
    let output = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .current_dir(&root)
        .output()
        .expect("cargo metadata runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let meta: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let mut published = Vec::new();
    for p in meta["packages"].as_array().expect("packages") {
        let name = p["name"].as_str().expect("name");
        let manifest = std::path::Path::new(p["manifest_path"].as_str().expect("path"));
        let dir = manifest.parent().expect("package folder");
        if p["publish"] == serde_json::json!([]) {
            continue;
        }
        published.push(name.to_string());
        for file in ["README.md", "LICENSE-MIT", "LICENSE-APACHE"] {
            let text = std::fs::read_to_string(dir.join(file))
                .unwrap_or_else(|e| panic!("{name}: {file}: {e}"));
            assert!(!text.trim().is_empty(), "{name}: {file} is empty");
        }
        assert_eq!(p["readme"].as_str(), Some("README.md"), "{name}");
        assert_eq!(p["license"].as_str(), Some("MIT OR Apache-2.0"), "{name}");
        assert!(
            p["description"].as_str().is_some_and(|d| d.len() > 20),
            "{name}"
        );
        let documentation = p["documentation"].as_str().unwrap_or_default();
        assert_eq!(documentation, format!("https://docs.rs/{name}"), "{name}");
        let keywords = p["keywords"].as_array().expect("keywords");
        assert!((1..=5).contains(&keywords.len()), "{name}: {keywords:?}");
        for k in keywords {
            let k = k.as_str().unwrap_or_default();
            assert!(
                k.len() <= 20
                    && k.chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
                "{name}: {k}"
            );
        }
        assert!(
            !p["categories"].as_array().expect("categories").is_empty(),
            "{name}"
        );
        assert!(
            !p["repository"]
                .as_str()
                .unwrap_or_default()
                .contains("invalid"),
            "{name}: a made-up repository address"
        );
    }
    for expected in [
        "acs-runtime",
        "acs-test-server",
        "dataworks-public",
        "dataworks-cli",
    ] {
        assert!(
            published.iter().any(|p| p == expected),
            "{expected} is published: {published:?}"
        );
    }
    assert!(
        !published.iter().any(|p| p.starts_with("widgets-fixture")),
        "{published:?}"
    );
}
