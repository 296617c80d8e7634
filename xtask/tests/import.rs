//! `cargo xtask import`: official metadata → spec YAML, and what happens to existing files.
//!
//! The metadata is the official `api-docs.json` of dataworks-public 2020-05-18, vendored in
//! `tests/fixtures/` so that these tests run offline and anywhere.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use xtask::import::convert::SAMPLE_SOURCE;
use xtask::import::merge::ChangeKind;
use xtask::import::{run, ImportError, ImportOptions, Outcome, Selection, Validation};
use xtask::yaml::{self, Node};

fn metadata_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/dataworks-public-2020-05-18.api-docs.json")
}

fn spec_dir() -> PathBuf {
    xtask::workspace_root().join("spec/dataworks-public")
}

/// A fresh folder under the system temp dir, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(label: &str) -> TempDir {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let path =
            std::env::temp_dir().join(format!("xtask-import-{label}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("create temp dir");
        TempDir(path)
    }

    /// A temp spec folder with a copy of the real `product.yaml`.
    fn with_product(label: &str) -> TempDir {
        let dir = TempDir::new(label);
        std::fs::copy(spec_dir().join("product.yaml"), dir.0.join("product.yaml"))
            .expect("copy product.yaml");
        dir
    }

    /// A temp copy of the real spec folder: product.yaml, GetDeployment.yaml, its samples.
    fn with_real_spec(label: &str) -> TempDir {
        let dir = TempDir::with_product(label);
        std::fs::copy(
            spec_dir().join("GetDeployment.yaml"),
            dir.0.join("GetDeployment.yaml"),
        )
        .expect("copy spec");
        std::fs::create_dir_all(dir.0.join("samples")).expect("samples dir");
        for ext in ["json", "xml"] {
            let name = format!("samples/GetDeployment.{ext}");
            std::fs::copy(spec_dir().join(&name), dir.0.join(&name)).expect("copy sample");
        }
        dir
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn options(out: &Path, actions: &[&str], update: bool) -> ImportOptions {
    ImportOptions {
        from: metadata_path(),
        selection: Selection::Actions(actions.iter().map(|s| s.to_string()).collect()),
        out_dir: out.to_path_buf(),
        update,
        rejected_list: None,
    }
}

fn read_yaml(path: &Path) -> Node {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    yaml::parse(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every file under `dir`, with its contents.
fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("read dir").flatten() {
            let p = entry.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push((p.clone(), std::fs::read(&p).expect("read file")));
            }
        }
    }
    out.sort();
    out
}

// ---------------------------------------------------------------------------------------
// GetDeployment against the hand-written spec.

/// Keys a person added to GetDeployment.yaml that the metadata does not have.
const HAND_KEYS: &[&str] = &[
    "enumRef",
    "typeName",
    "rules",
    "enums",
    "samples",
    "waiters",
    "paginator",
    "wait",
    "unsupported",
];

/// Removes hand-added keys (and `en` texts, and error code descriptions, which the page
/// has and the metadata does not). `zh` texts stay verbatim: import reports a changed
/// Chinese text under a kept English one, so the hand-written file carries the metadata's.
fn strip_hand_keys(node: &mut Node) {
    match node {
        Node::Map(entries) => {
            entries.retain(|(k, _)| !HAND_KEYS.contains(&k.as_str()) && k != "en");
            let is_error = entries.iter().any(|(k, _)| k == "errorCode");
            if is_error {
                entries.retain(|(k, _)| k != "description");
            }
            for (_, v) in entries.iter_mut() {
                strip_hand_keys(v);
            }
        }
        Node::Seq(items) => {
            for item in items {
                strip_hand_keys(item);
            }
        }
        _ => {}
    }
}

#[test]
fn get_deployment_import_matches_the_hand_written_spec_but_for_hand_added_keys() {
    let out = TempDir::with_product("getdeployment");
    let report = run(&options(out.path(), &["GetDeployment"], false)).expect("import");
    assert_eq!(report.actions[0].outcome, Outcome::Created);
    assert!(
        report.actions[0].unsupported.is_empty(),
        "{:?}",
        report.actions[0].unsupported
    );

    let mut imported = read_yaml(&out.path().join("GetDeployment.yaml"));
    let mut hand = read_yaml(&spec_dir().join("GetDeployment.yaml"));

    // The import has what the hand-written file adds on top of the metadata only where
    // the metadata has it: no en texts, no named enums, no type names, no rules, no waiters.
    for key in ["enums", "rules", "waiters"] {
        assert!(imported.get(key).is_none(), "imported file has `{key}`");
        assert!(hand.get(key).is_some(), "hand-written file lost `{key}`");
    }
    let imported_text =
        std::fs::read_to_string(out.path().join("GetDeployment.yaml")).expect("read");
    for word in ["en:", "enumRef", "typeName"] {
        assert!(!imported_text.contains(word), "imported file has `{word}`");
    }
    // Samples: the metadata's demos, as files beside the spec.
    let samples = imported
        .get("samples")
        .and_then(Node::as_seq)
        .expect("samples");
    assert_eq!(samples.len(), 2);
    for (sample, ext) in samples.iter().zip(["json", "xml"]) {
        assert_eq!(sample.get("format").and_then(Node::as_str), Some(ext));
        assert_eq!(sample.get("httpStatus"), Some(&Node::Int(200)));
        assert_eq!(
            sample.get("source").and_then(Node::as_str),
            Some(SAMPLE_SOURCE)
        );
        let file = sample.get("file").and_then(Node::as_str).expect("file");
        assert_eq!(file, format!("samples/GetDeployment.{ext}"));
        assert!(out.path().join(file).is_file());
    }

    strip_hand_keys(&mut imported);
    strip_hand_keys(&mut hand);

    // Everything agrees: parameters (names, locations, types, formats, required
    // flags, examples, zh descriptions byte for byte, links and value lists included),
    // the response tree, the error codes.
    assert_eq!(imported, hand, "import and hand-written spec disagree");
}

// ---------------------------------------------------------------------------------------
// Unusual shapes through the whole generator.

/// Real actions with unusual shapes: style json objects and arrays of objects (nested),
/// repeatList arrays of objects, string and integer enums, `$ref` to components in
/// parameters, array items and responses, additionalProperties (maps of strings, of
/// arrays, of `any`), `type: any`, objects without properties, nested arrays of objects
/// in responses, floats.
const UNUSUAL: &[&str] = &[
    "CreateDIAlarmRule",
    "UpdateDIJob",
    "CreateBaseline",
    "CreateTable",
    "TestDataServiceApi",
    "CreateFile",
    "UpdateNodeRunMode",
    "ListMetaCollections",
    "RegisterLineageRelation",
    "SetEntityTags",
    "ListEntitiesByTags",
    "GetDIJob",
    "DsgQueryDefaultTemplates",
    "DsgDesensPlanAddOrUpdate",
    "ListQualityResultsByEntity",
    "QueryDefaultTemplate",
    "ListCalcEngines",
    "CreateImportMigration",
];

#[test]
fn unusual_actions_round_trip_through_load_api_and_generate() {
    let out = TempDir::with_product("unusual");
    let report = run(&options(out.path(), UNUSUAL, false)).expect("import");
    assert_eq!(report.count(Outcome::Created), UNUSUAL.len());
    match &report.validation {
        Validation::Checked { checked, failures } => {
            assert_eq!(*checked, UNUSUAL.len());
            assert!(failures.is_empty(), "{report}");
        }
        other => panic!("not validated: {other:?}"),
    }
    let api = xtask::load::load_api(out.path(), out.path()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(api.operations.len(), UNUSUAL.len());
    let files = xtask::generate_from_model(&api).unwrap_or_else(|e| panic!("{e}"));
    for name in UNUSUAL {
        let snake = xtask::names::snake_case(name);
        assert!(
            files
                .iter()
                .any(|f| f.path.ends_with(&format!("/{snake}.rs"))),
            "no generated module for {name}"
        );
    }

    let op = |name: &str| {
        api.operations
            .iter()
            .find(|o| o.name == name)
            .unwrap_or_else(|| panic!("{name} not loaded"))
    };
    let param = |action: &str, wire: &str| {
        op(action)
            .input
            .params
            .iter()
            .find(|p| p.wire == wire)
            .unwrap_or_else(|| panic!("{action}.{wire} not loaded"))
            .clone()
    };
    use xtask::model::{ParamStyle, Role, Type};
    // style json object and array parameters.
    // Their objects are typed request structs, not `any`, down to nested arrays.
    let alarm = op("CreateDIAlarmRule");
    let fields_of = |ty: &Type| -> Vec<(String, Type)> {
        let id = match ty {
            Type::Struct(id) => *id,
            Type::List(item) => match **item {
                Type::Struct(id) => id,
                ref other => panic!("not a list of objects: {other:?}"),
            },
            other => panic!("not an object: {other:?}"),
        };
        let object = alarm.structure(id);
        assert_eq!(object.role, Role::Request, "{}", object.name);
        object
            .fields
            .iter()
            .map(|f| (f.wire.clone(), f.ty.clone()))
            .collect()
    };
    let wires = |fields: &[(String, Type)]| -> Vec<String> {
        fields.iter().map(|(w, _)| w.clone()).collect()
    };
    let triggers = param("CreateDIAlarmRule", "TriggerConditions");
    assert_eq!(triggers.style, ParamStyle::Json);
    assert!(triggers.required);
    assert!(matches!(&triggers.ty, Type::List(item) if matches!(**item, Type::Struct(_))));
    let condition = fields_of(&triggers.ty);
    assert_eq!(wires(&condition), ["Severity", "Duration", "Threshold"]);
    // `enumValueTitles` without an `enum` list stays a string (the titles are noted as
    // unsupported metadata, below).
    let types = |fields: &[(String, Type)]| -> Vec<Type> {
        fields.iter().map(|(_, t)| t.clone()).collect()
    };
    assert_eq!(types(&condition), [Type::String, Type::I64, Type::I64]);
    let settings = param("CreateDIAlarmRule", "NotificationSettings");
    assert_eq!(settings.style, ParamStyle::Json);
    assert!(matches!(settings.ty, Type::Struct(_)), "{:?}", settings.ty);
    let notification = fields_of(&settings.ty);
    assert_eq!(
        wires(&notification),
        [
            "NotificationChannels",
            "NotificationReceivers",
            "InhibitionInterval"
        ]
    );
    let channel = fields_of(&notification[0].1);
    assert_eq!(wires(&channel), ["Severity", "Channels"]);
    assert_eq!(
        types(&channel),
        [Type::String, Type::List(Box::new(Type::String))]
    );
    let receiver = fields_of(&notification[1].1);
    assert_eq!(wires(&receiver), ["ReceiverType", "ReceiverValues"]);
    assert_eq!(receiver[1].1, Type::List(Box::new(Type::String)));
    // repeatList of objects.
    let overtime = param("CreateBaseline", "OvertimeSettings");
    assert_eq!(overtime.style, ParamStyle::RepeatList);
    assert!(matches!(overtime.ty, Type::List(_)), "{:?}", overtime.ty);
    // Integer enum values are integers in the file.
    let run_mode = read_yaml(&out.path().join("UpdateNodeRunMode.yaml"));
    let scheduler = run_mode
        .get("parameters")
        .and_then(Node::as_seq)
        .and_then(|ps| {
            ps.iter()
                .find(|p| p.get("name").and_then(Node::as_str) == Some("SchedulerType"))
        })
        .and_then(|p| p.get("schema"))
        .and_then(|s| s.get("enum"))
        .expect("SchedulerType enum");
    assert_eq!(scheduler, &Node::Seq(vec![Node::Int(0), Node::Int(2)]));
    // String enums stay strings.
    let create_file = std::fs::read_to_string(out.path().join("CreateFile.yaml")).expect("read");
    assert!(create_file.contains("enum: [ALL_ALLOWED, FAILURE_ALLOWED, ALL_DENIED]"));
    // $ref resolved inline: the component's fields appear in the response struct.
    let collections = op("ListMetaCollections");
    assert!(
        collections
            .structs
            .iter()
            .any(|s| s.fields.iter().any(|f| f.wire == "QualifiedName")),
        "Collection's fields were not resolved"
    );
    // additionalProperties: a map.
    let di_job = op("GetDIJob");
    assert!(
        di_job
            .structs
            .iter()
            .flat_map(|s| &s.fields)
            .any(|f| f.wire == "DataSourceProperties" && matches!(f.ty, Type::Map(_))),
        "GetDIJob's DataSourceProperties is not a map"
    );
    // minItems and maxItems are spec keys now, checked by `validate()`: nothing of
    // CreateBaseline is left unsupported.
    assert_eq!(
        (
            overtime.constraints.min_items,
            overtime.constraints.max_items
        ),
        (Some(1), Some(24))
    );
    let notes = |name: &str| {
        &report
            .actions
            .iter()
            .find(|a| a.name == name)
            .unwrap_or_else(|| panic!("{name} not in the report"))
            .unsupported
    };
    assert!(
        notes("CreateBaseline").is_empty(),
        "{:?}",
        notes("CreateBaseline")
    );
    let baseline_file = read_yaml(&out.path().join("CreateBaseline.yaml"));
    assert!(baseline_file.get("unsupported").is_none());
    // Unsupported metadata is recorded in the file and in the report, by key path:
    // CreateDIAlarmRule's value titles (no `enum` list beside them).
    let alarm_notes = notes("CreateDIAlarmRule");
    assert_eq!(alarm_notes.len(), 5, "{alarm_notes:?}");
    assert!(
        alarm_notes.iter().any(|n| n.starts_with(
            "parameters[NotificationSettings].schema.properties.NotificationChannels.items.properties.Channels.items: enumValueTitles {Mail: 邮件,"
        )),
        "{alarm_notes:?}"
    );
    let alarm_file = read_yaml(&out.path().join("CreateDIAlarmRule.yaml"));
    let recorded: Vec<&str> = alarm_file
        .get("unsupported")
        .and_then(Node::as_seq)
        .expect("unsupported list")
        .iter()
        .map(|n| n.as_str().expect("a string"))
        .collect();
    assert_eq!(
        recorded,
        alarm_notes.iter().map(String::as_str).collect::<Vec<_>>()
    );
}

#[test]
fn every_action_renders_deterministically_and_reads_back_as_written() {
    let metadata = xtask::import::read_metadata(&metadata_path()).expect("metadata");
    let apis = xtask::import::convert::apis(&metadata).expect("apis");
    assert_eq!(apis.len(), 306);
    for (name, _) in apis {
        let converted = xtask::import::convert_action(&metadata, name)
            .unwrap_or_else(|e| panic!("{name}: {e:?}"));
        let text = xtask::import::render_action(&converted);
        assert_eq!(
            text,
            xtask::import::render_action(&converted),
            "{name}: not deterministic"
        );
        // Every string (examples that look like numbers included) reads back as written.
        let back = yaml::parse(&text).unwrap_or_else(|e| panic!("{name}: {e}\n{text}"));
        assert_eq!(
            back, converted.doc,
            "{name}: the YAML does not read back as written"
        );
        // And the spec format's own types accept it.
        xtask::load::parse_str::<xtask::spec::ActionFile>(&text)
            .unwrap_or_else(|(m, p)| panic!("{name}: {m} at {p:?}"));
        // Top-level keys in the documented order.
        let order = [
            "name",
            "title",
            "summary",
            "description",
            "methods",
            "schemes",
            "operationType",
            "deprecated",
            "idempotent",
            "clientToken",
            "parameters",
            "responses",
            "errorCodes",
            "samples",
            "unsupported",
        ];
        let keys: Vec<&str> = converted
            .doc
            .as_map()
            .expect("a mapping")
            .iter()
            .map(|(k, _)| k.as_str())
            .collect();
        let mut positions = keys.iter().map(|k| order.iter().position(|o| o == k));
        assert!(
            positions.clone().all(|p| p.is_some()),
            "{name}: unexpected key in {keys:?}"
        );
        let first = positions.next().flatten();
        assert!(
            positions
                .try_fold(first, |prev, p| (p > prev).then_some(p))
                .is_some(),
            "{name}: keys out of order: {keys:?}"
        );
    }
}

/// Failure classes of the generator on the official metadata at the time of writing
/// (model.rs is not the importer's to change); anything else is a regression.
const KNOWN_REJECTIONS: &[&str] = &[
    "unsupported HTTP method",
    "must be an integer",
    "must be a boolean",
];

#[test]
fn import_all_writes_every_action_and_validates_them() {
    let out = TempDir::with_product("all");
    let report = run(&ImportOptions {
        from: metadata_path(),
        selection: Selection::All,
        out_dir: out.path().to_path_buf(),
        update: false,
        rejected_list: None,
    })
    .expect("import --all");
    assert_eq!(report.actions.len(), 306);
    assert_eq!(report.count(Outcome::Created), 306);
    for action in &report.actions {
        assert!(action.spec_file.is_file(), "{} not written", action.name);
    }
    let Validation::Checked { checked, failures } = &report.validation else {
        panic!("not validated: {:?}", report.validation);
    };
    assert_eq!(*checked, 306);
    let mut unexpected = Vec::new();
    for (name, diagnostics) in failures {
        for d in diagnostics {
            if !KNOWN_REJECTIONS.iter().any(|k| d.message.contains(k)) {
                unexpected.push(format!("{name}: {d}"));
            }
        }
    }
    assert!(
        unexpected.is_empty(),
        "new kinds of rejection:\n{}",
        unexpected.join("\n")
    );
    eprintln!(
        "import --all: {} imported, {} load cleanly, {} rejected by the generator, {} with unsupported metadata",
        report.actions.len(),
        checked - failures.len(),
        failures.len(),
        report.actions.iter().filter(|a| !a.unsupported.is_empty()).count()
    );
    // A second run finds every file up to date and writes nothing.
    let before = snapshot(out.path());
    let again = run(&ImportOptions {
        from: metadata_path(),
        selection: Selection::All,
        out_dir: out.path().to_path_buf(),
        update: true,
        rejected_list: None,
    })
    .expect("second import");
    assert_eq!(again.count(Outcome::Unchanged), 306, "{again}");
    assert_eq!(snapshot(out.path()), before);
}

// ---------------------------------------------------------------------------------------
// Existing files.

/// The Chinese texts of GetDeployment as a person might clean them (links and the value
/// list removed), in place of the metadata's, which the committed spec carries.
const CLEANED_ZH: [(&str, &str); 2] = [
    (
        "        zh: 发布包的ID。执行[SubmitFile](~~173944~~) 和[DeployFile](~~173956~~)时，都会生成一个对应的发布包ID。\n",
        "        zh: 发布包的ID。执行SubmitFile和DeployFile时，都会生成一个对应的发布包ID。\n",
    ),
    (
        "                    description:\n                      zh: |-\n                        * UNPUBLISHED(0): 未发布\n                        * SUCCESS(1): 发布成功\n                        * ERROR(2): 发布失败\n                        * CLONED(3): 克隆成功\n                        * DEPLOY_ERROR(4): 发布失败\n                        * CLONING(5): 克隆中\n                        * REJECT(6): 发布驳回\n                      en: The status of the deployed item.\n",
        "                    description: { zh: 发布项的状态。, en: The status of the deployed item. }\n",
    ),
];

/// Rewrites the temp copy of GetDeployment.yaml with [`CLEANED_ZH`]; returns its text.
fn clean_chinese_texts(dir: &Path) -> String {
    let file = dir.join("GetDeployment.yaml");
    let mut text = std::fs::read_to_string(&file).expect("read");
    for (metadata, cleaned) in CLEANED_ZH {
        assert!(
            text.contains(metadata),
            "the hand-written spec changed; update this test"
        );
        text = text.replace(metadata, cleaned);
    }
    std::fs::write(&file, &text).expect("write");
    text
}

/// The key paths of the two texts of [`CLEANED_ZH`].
const DEPLOYMENT_ID_TEXT: &str = "parameters[DeploymentId].schema.description";
const ITEM_STATUS_TEXT: &str =
    "responses.200.schema.properties.Data.properties.DeployedItems.items.properties.Status.description";

fn run_import_command(dir: &Path) -> (Option<i32>, String) {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["import", "--from"])
        .arg(metadata_path())
        .args(["--action", "GetDeployment", "--out"])
        .arg(dir)
        .output()
        .expect("run xtask");
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
    )
}

#[test]
fn without_update_an_existing_file_is_compared_and_left_alone() {
    let dir = TempDir::with_real_spec("noupdate");
    // The committed spec agrees with the metadata: nothing to do, exit 0.
    let before = snapshot(dir.path());
    let report = run(&options(dir.path(), &["GetDeployment"], false)).expect("import");
    let action = &report.actions[0];
    assert_eq!(action.outcome, Outcome::Unchanged, "{report}");
    assert!(action.written.is_empty());
    assert!(action.changes.is_empty(), "{:#?}", action.changes);
    assert!(action.review.is_empty(), "{:?}", action.review);
    assert!(report.is_clean(), "{report}");
    let (status, stdout) = run_import_command(dir.path());
    assert_eq!(status, Some(0), "{stdout}");
    assert!(
        stdout.contains("is up to date with the metadata; nothing written"),
        "{stdout}"
    );
    assert_eq!(snapshot(dir.path()), before);

    // A person cleaned two Chinese texts: they differ, nothing is written, exit 1.
    clean_chinese_texts(dir.path());
    let before = snapshot(dir.path());
    let report = run(&options(dir.path(), &["GetDeployment"], false)).expect("import");
    let action = &report.actions[0];
    assert_eq!(action.outcome, Outcome::Differs, "{report}");
    assert!(action.written.is_empty());
    assert_eq!(
        snapshot(dir.path()),
        before,
        "files changed without --update"
    );
    let changes: Vec<String> = action.changes.iter().map(ToString::to_string).collect();
    // Nothing else the metadata owns differs.
    assert_eq!(changes.len(), 2, "{changes:#?}");
    assert!(changes[0].starts_with(&format!("changed  {DEPLOYMENT_ID_TEXT}.zh:")));
    assert!(changes[1].starts_with(&format!("changed  {ITEM_STATUS_TEXT}.zh:")));
    // Both keep an English text written for the old Chinese one.
    assert_eq!(action.review, [DEPLOYMENT_ID_TEXT, ITEM_STATUS_TEXT]);
    assert!(!report.is_clean());

    // The command prints the differences and exits with 1.
    let (status, stdout) = run_import_command(dir.path());
    assert_eq!(status, Some(1), "{stdout}");
    assert!(
        stdout.contains("differs from the official metadata; nothing written"),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("{DEPLOYMENT_ID_TEXT}.zh")),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!(
            "review: {ITEM_STATUS_TEXT}: the Chinese text changed in the metadata"
        )),
        "{stdout}"
    );
    assert_eq!(snapshot(dir.path()), before);
}

#[test]
fn update_keeps_hand_added_keys_and_comments() {
    let dir = TempDir::with_real_spec("update");
    let hand_text = std::fs::read_to_string(dir.path().join("GetDeployment.yaml")).expect("read");
    let hand = yaml::parse(&hand_text).expect("parse");
    // The committed spec is up to date: --update has nothing to write.
    let before = snapshot(dir.path());
    let report = run(&options(dir.path(), &["GetDeployment"], true)).expect("import");
    assert_eq!(report.actions[0].outcome, Outcome::Unchanged, "{report}");
    assert_eq!(snapshot(dir.path()), before);
    // With two Chinese texts cleaned by hand, --update brings back the metadata's.
    let cleaned = clean_chinese_texts(dir.path());
    let report = run(&options(dir.path(), &["GetDeployment"], true)).expect("import");
    let action = &report.actions[0];
    assert_eq!(action.outcome, Outcome::Updated, "{report}");
    assert!(action.dropped.is_empty(), "{:?}", action.dropped);
    assert_eq!(action.review, [DEPLOYMENT_ID_TEXT, ITEM_STATUS_TEXT]);
    // The hand-written samples use the files the metadata's demos would go to.
    assert_eq!(action.notes.len(), 2, "{:?}", action.notes);
    assert!(
        matches!(report.validation, Validation::Checked { ref failures, .. } if failures.is_empty()),
        "{report}"
    );

    let text = std::fs::read_to_string(dir.path().join("GetDeployment.yaml")).expect("read");
    let merged = yaml::parse(&text).expect("parse");
    // Whole hand-added sections are as they were.
    for key in ["rules", "enums", "samples", "waiters"] {
        assert_eq!(merged.get(key), hand.get(key), "`{key}` changed");
    }
    // The sample files are the hand-written ones, untouched.
    for ext in ["json", "xml"] {
        let name = format!("samples/GetDeployment.{ext}");
        assert_eq!(
            std::fs::read(dir.path().join(&name)).expect("read"),
            std::fs::read(spec_dir().join(&name)).expect("read")
        );
    }
    // Hand-added keys inside metadata-owned nodes are kept at their paths.
    let lookup = |doc: &Node, path: &[&str]| -> Option<Node> {
        let mut node = doc;
        for key in path {
            node = match (node, key.parse::<usize>()) {
                (Node::Seq(items), Ok(i)) => items.get(i)?,
                (_, _) => node.get(key)?,
            };
        }
        Some(node.clone())
    };
    for path in [
        &["title", "en"][..],
        &["summary", "en"],
        &["parameters", "0", "schema", "description", "en"],
        &["responses", "200", "schema", "typeName"],
        &[
            "responses",
            "200",
            "schema",
            "properties",
            "Data",
            "typeName",
        ],
        &[
            "responses",
            "200",
            "schema",
            "properties",
            "Data",
            "properties",
            "Deployment",
            "properties",
            "Status",
            "enumRef",
        ],
        &[
            "responses",
            "200",
            "schema",
            "properties",
            "Data",
            "properties",
            "DeployedItems",
            "items",
            "typeName",
        ],
        &["errorCodes", "429", "0", "description"],
    ] {
        let kept = lookup(&merged, path);
        assert!(kept.is_some(), "{path:?} was dropped");
        assert_eq!(kept, lookup(&hand, path), "{path:?} changed");
    }
    // The metadata wins for what it owns.
    assert_eq!(
        lookup(&merged, &["parameters", "2", "schema", "description", "zh"]),
        Some(Node::Str(
            "发布包的ID。执行[SubmitFile](~~173944~~) 和[DeployFile](~~173956~~)时，都会生成一个对应的发布包ID。".into()
        ))
    );
    // The layout is the person's: the file changes exactly where the metadata differs,
    // which gives back the committed file byte for byte (the status text in block style
    // as the metadata's several lines need).
    assert_ne!(cleaned, hand_text);
    assert_eq!(text, hand_text);
    // Comments stay where they were.
    for comment in hand_text
        .lines()
        .filter(|l| l.trim_start().starts_with('#'))
    {
        assert!(text.contains(comment), "comment lost: {comment}");
    }
    assert!(text.starts_with("# GetDeployment: modelled on apis.GetDeployment"));

    // The result loads and generates code.
    std::fs::remove_file(dir.path().join("product.yaml")).ok();
    std::fs::copy(
        spec_dir().join("product.yaml"),
        dir.path().join("product.yaml"),
    )
    .expect("copy");
    let api = xtask::load::load_api(dir.path(), dir.path()).unwrap_or_else(|e| panic!("{e}"));
    xtask::generate_from_model(&api).unwrap_or_else(|e| panic!("{e}"));

    // Updating again changes nothing.
    let before = snapshot(dir.path());
    let again = run(&options(dir.path(), &["GetDeployment"], true)).expect("import");
    assert_eq!(again.actions[0].outcome, Outcome::Unchanged, "{again}");
    assert_eq!(snapshot(dir.path()), before);
}

/// A copy of the metadata where GetDeployment changed: DeploymentId is now a string, a
/// parameter is added, a response field is removed and another added.
fn changed_metadata(dir: &Path) -> PathBuf {
    let text = std::fs::read_to_string(metadata_path()).expect("read metadata");
    let mut doc: serde_json::Value = serde_json::from_str(&text).expect("json");
    let api = &mut doc["apis"]["GetDeployment"];
    let params = api["parameters"].as_array_mut().expect("parameters");
    params[2]["schema"]["type"] = "string".into();
    params[2]["schema"]
        .as_object_mut()
        .expect("schema")
        .remove("format");
    params.push(serde_json::json!({
        "name": "Verbose",
        "in": "query",
        "schema": {"type": "boolean", "required": false, "description": "是否返回详情。", "example": "true"}
    }));
    let deployment = &mut api["responses"]["200"]["schema"]["properties"]["Data"]["properties"]
        ["Deployment"]["properties"];
    let fields = deployment.as_object_mut().expect("fields");
    fields.remove("Status");
    fields.insert(
        "Owner".into(),
        serde_json::json!({"type": "string", "description": "负责人。"}),
    );
    let path = dir.join("changed-api-docs.json");
    std::fs::write(&path, serde_json::to_string(&doc).expect("json")).expect("write");
    path
}

#[test]
fn metadata_changes_are_reported_by_key_path_and_orphaned_hand_keys_listed() {
    let dir = TempDir::with_real_spec("changed");
    let scratch = TempDir::new("changed-metadata");
    let from = changed_metadata(scratch.path());
    let mut opts = options(dir.path(), &["GetDeployment"], false);
    opts.from = from;
    let before = snapshot(dir.path());
    let report = run(&opts).expect("import");
    assert_eq!(snapshot(dir.path()), before);
    let action = &report.actions[0];
    assert_eq!(action.outcome, Outcome::Differs);
    let find = |kind: ChangeKind, path: &str| {
        action
            .changes
            .iter()
            .find(|c| c.kind == kind && c.path == path)
            .unwrap_or_else(|| panic!("no {kind:?} {path} in {:#?}", action.changes))
    };
    assert_eq!(
        find(ChangeKind::Retyped, "parameters[DeploymentId].schema").detail,
        "integer/int64 -> string"
    );
    assert_eq!(
        find(ChangeKind::Added, "parameters[Verbose]").detail,
        "boolean in query"
    );
    let deployment = "responses.200.schema.properties.Data.properties.Deployment.properties";
    assert_eq!(
        find(ChangeKind::Removed, &format!("{deployment}.Status")).detail,
        "integer/int32"
    );
    assert_eq!(
        find(ChangeKind::Added, &format!("{deployment}.Owner")).detail,
        "string"
    );

    // --update would drop the hand-added keys of the removed field: that is a conflict,
    // the keys are listed and nothing is written (the waiter that reads the field stays
    // valid because the file stays as it was).
    opts.update = true;
    let report = run(&opts).expect("import --update");
    assert_eq!(snapshot(dir.path()), before, "written despite the conflict");
    let action = &report.actions[0];
    assert_eq!(action.outcome, Outcome::Conflict, "{report}");
    assert!(action.written.is_empty());
    let dropped: Vec<&str> = action.dropped.iter().map(|d| d.path.as_str()).collect();
    assert_eq!(
        dropped,
        vec![
            format!("{deployment}.Status.description.en").as_str(),
            format!("{deployment}.Status.enumRef").as_str(),
        ]
    );
    let Validation::Checked { failures, .. } = &report.validation else {
        panic!("not validated: {report}");
    };
    assert!(failures.is_empty(), "{report}");
    assert!(!report.is_clean());
    let printed = report.to_string();
    assert!(
        printed.contains("GetDeployment: not written (conflict):"),
        "{printed}"
    );
    assert!(
        printed.contains(&format!("    would drop: {deployment}.Status.enumRef")),
        "{printed}"
    );
    assert!(printed.contains(", 1 conflict(s), "), "{printed}");

    // Once the person removes the field with its hand-added keys, nothing would be
    // dropped, but the waiter still reads the field: the updated spec would not load, so
    // that is a conflict too, naming the waiter, and nothing is written.
    let file = dir.path().join("GetDeployment.yaml");
    let mut doc = read_yaml(&file);
    let path = [
        "responses",
        "200",
        "schema",
        "properties",
        "Data",
        "properties",
        "Deployment",
        "properties",
    ];
    let fields = path.iter().fold(&mut doc, |node, key| {
        node.get_mut(key)
            .unwrap_or_else(|| panic!("no `{key}` in GetDeployment.yaml"))
    });
    let Node::Map(entries) = fields else {
        panic!("Deployment's properties are not a mapping");
    };
    entries.retain(|(k, _)| k != "Status");
    std::fs::write(&file, yaml::writer::render(&doc)).expect("write");
    let before = snapshot(dir.path());
    let report = run(&opts).expect("import --update");
    assert_eq!(snapshot(dir.path()), before, "an invalid spec was written");
    let action = &report.actions[0];
    assert_eq!(action.outcome, Outcome::Conflict, "{report}");
    assert!(action.dropped.is_empty(), "{:?}", action.dropped);
    let not_loading = action
        .notes
        .iter()
        .position(|n| n == "the updated spec would not load; nothing written:")
        .unwrap_or_else(|| panic!("{report}"));
    let problems = &action.notes[not_loading + 1..];
    assert_eq!(problems.len(), 2, "{problems:?}");
    for (problem, acceptor) in problems.iter().zip([1, 2]) {
        assert!(
            problem.contains(&format!(
                "at `waiters.DeploymentFinished.acceptors[{acceptor}].path`: `Data.Deployment.Status` does not name a scalar field of the response"
            )),
            "{problem}"
        );
    }
    assert!(!report.is_clean());
}

#[test]
fn a_new_action_does_not_overwrite_a_foreign_sample_file() {
    let dir = TempDir::new("conflict");
    std::fs::create_dir_all(dir.path().join("samples")).expect("mkdir");
    let foreign = dir.path().join("samples/GetDeployment.json");
    std::fs::write(&foreign, "{\"mine\": true}").expect("write");
    let report = run(&options(dir.path(), &["GetDeployment"], false)).expect("import");
    assert_eq!(report.actions[0].outcome, Outcome::Conflict);
    assert!(report.actions[0].notes[0].contains("exists with other contents"));
    assert!(!dir.path().join("GetDeployment.yaml").exists());
    assert_eq!(
        std::fs::read_to_string(&foreign).expect("read"),
        "{\"mine\": true}"
    );
    assert!(matches!(report.validation, Validation::NoProduct));
}

// ---------------------------------------------------------------------------------------
// Bad input.

fn expect_error(from: &Path, actions: &[&str]) -> (ImportError, Vec<(PathBuf, Vec<u8>)>) {
    let out = TempDir::new("bad-out");
    let mut opts = options(out.path(), actions, false);
    opts.from = from.to_path_buf();
    let err = run(&opts).expect_err("bad input must fail");
    (err, snapshot(out.path()))
}

#[test]
fn bad_input_gives_a_clear_error_and_writes_nothing() {
    let scratch = TempDir::new("bad");

    let (err, written) = expect_error(&scratch.path().join("missing.json"), &["GetDeployment"]);
    assert!(matches!(err, ImportError::Read { .. }), "{err:?}");
    assert!(
        err.to_string().starts_with("cannot read the metadata file"),
        "{err}"
    );
    assert!(err.to_string().contains("missing.json"), "{err}");
    assert!(written.is_empty());

    let not_json = scratch.path().join("not.json");
    std::fs::write(&not_json, "apis: {}\n").expect("write");
    let (err, written) = expect_error(&not_json, &["GetDeployment"]);
    assert!(matches!(err, ImportError::NotJson { .. }), "{err:?}");
    assert!(err.to_string().contains("is not JSON"), "{err}");
    assert!(err.to_string().contains("line 1"), "{err}");
    assert!(written.is_empty());

    let other = scratch.path().join("other.json");
    std::fs::write(&other, r#"{"openapi": "3.0.0", "paths": {}}"#).expect("write");
    let (err, _) = expect_error(&other, &["GetDeployment"]);
    assert_eq!(
        err.to_string(),
        format!(
            "{} is not Alibaba Cloud OpenAPI metadata (api-docs.json): there is no `apis` object at the top level",
            other.display()
        )
    );

    let bad_action = scratch.path().join("bad-action.json");
    std::fs::write(
        &bad_action,
        r#"{"apis": {"GetDeployment": {"parameters": {"name": "x"}, "responses": {}}}}"#,
    )
    .expect("write");
    let (err, written) = expect_error(&bad_action, &["GetDeployment"]);
    assert!(matches!(err, ImportError::Shape { .. }), "{err:?}");
    assert!(
        err.to_string()
            .contains("at `apis.GetDeployment.parameters`: `parameters` is not a list"),
        "{err}"
    );
    assert!(written.is_empty());

    let (err, written) = expect_error(&metadata_path(), &["GetDeploymnt", "ListProject"]);
    let message = err.to_string();
    assert!(matches!(err, ImportError::UnknownActions { .. }), "{err:?}");
    assert!(message.contains("no action `GetDeploymnt`"), "{message}");
    assert!(message.contains("did you mean GetDeployment"), "{message}");
    assert!(message.contains("no action `ListProject`"), "{message}");
    assert!(message.contains("ListProjects"), "{message}");
    assert!(written.is_empty());

    // An existing spec file that is not YAML stops the import before anything is written.
    let out = TempDir::new("bad-existing");
    std::fs::write(out.path().join("GetDeployment.yaml"), "name: [unclosed\n").expect("write");
    let err = run(&options(
        out.path(),
        &["ListProjects", "GetDeployment"],
        false,
    ))
    .expect_err("bad existing file");
    assert!(matches!(err, ImportError::Existing { .. }), "{err:?}");
    assert!(!out.path().join("ListProjects.yaml").exists());
}

#[test]
fn command_line_errors_exit_with_2_and_show_the_usage() {
    let cases: &[&[&str]] = &[
        &["import"],
        &["import", "--from"],
        &["import", "--from", "x.json"],
        &["import", "--from", "x.json", "--all", "--action", "A"],
        &["import", "--from", "x.json", "--action"],
        &["import", "--from", "x.json", "--all", "--bogus"],
    ];
    for args in cases {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_xtask"))
            .args(*args)
            .output()
            .expect("run xtask");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.starts_with("error: "), "{args:?}: {stderr}");
        assert!(
            stderr.contains("usage: cargo xtask import"),
            "{args:?}: {stderr}"
        );
    }
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["import", "--from", "/nonexistent/api-docs.json", "--all"])
        .output()
        .expect("run xtask");
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("cannot read the metadata file"));
}

#[test]
fn several_names_may_follow_one_action_flag() {
    let root = Path::new("/ws");
    let opts = xtask::import::parse_args(
        &["--from", "m.json", "--action", "A", "B,C", "--update"].map(String::from),
        root,
    )
    .expect("valid arguments");
    assert_eq!(
        opts.selection,
        Selection::Actions(vec!["A".into(), "B".into(), "C".into()])
    );
    assert!(opts.update);
    assert_eq!(opts.from, root.join("m.json"));
    assert_eq!(opts.out_dir, root.join("spec/dataworks-public"));
}

#[test]
fn update_over_every_hand_written_spec_keeps_them_loading() {
    let dir = TempDir::new("all-hand-written");
    let mut names = Vec::new();
    let mut stack = vec![spec_dir()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("read spec dir").flatten() {
            let p = entry.path();
            let rel = p.strip_prefix(spec_dir()).expect("inside").to_path_buf();
            if p.is_dir() {
                std::fs::create_dir_all(dir.path().join(&rel)).expect("mkdir");
                stack.push(p);
            } else {
                std::fs::copy(&p, dir.path().join(&rel)).expect("copy");
                let is_action = rel.parent() == Some(Path::new(""))
                    && p.extension().is_some_and(|e| e == "yaml")
                    && rel != Path::new("product.yaml");
                if is_action {
                    let stem = p.file_stem().and_then(|s| s.to_str()).expect("name");
                    names.push(stem.to_string());
                }
            }
        }
    }
    names.sort();
    assert!(!names.is_empty());
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let report = run(&options(dir.path(), &refs, true)).expect("import --update");
    for action in &report.actions {
        assert!(
            action.dropped.is_empty(),
            "{}: {:?}",
            action.name,
            action.dropped
        );
        let before = read_yaml(&spec_dir().join(format!("{}.yaml", action.name)));
        let after = read_yaml(&action.spec_file);
        for (key, value) in before.as_map().expect("mapping") {
            let owned = [
                "name",
                "title",
                "summary",
                "description",
                "methods",
                "schemes",
                "operationType",
                "deprecated",
                "parameters",
                "responses",
                "errorCodes",
                "samples",
                "unsupported",
            ];
            if !owned.contains(&key.as_str()) {
                assert_eq!(
                    after.get(key),
                    Some(value),
                    "{}: `{key}` changed",
                    action.name
                );
            }
        }
    }
    // Cross-action bindings (waiters used by other actions, paginators) still resolve.
    let api = xtask::load::load_api(dir.path(), dir.path()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(api.operations.len(), names.len());
    xtask::generate_from_model(&api).unwrap_or_else(|e| panic!("{e}"));
}

/// A minimal STS-like metadata: AssumeRoleWithOIDC authenticates by its token only.
fn sts_metadata(dir: &Path, extra_param: bool) -> PathBuf {
    let mut oidc_params = vec![
        serde_json::json!({"name": "OIDCToken", "in": "query", "schema": {"type": "string", "required": true, "description": "OIDC令牌。"}}),
        serde_json::json!({"name": "RoleArn", "in": "query", "schema": {"type": "string", "required": true, "description": "角色ARN。"}}),
    ];
    if extra_param {
        oidc_params.push(serde_json::json!({"name": "Policy", "in": "query", "schema": {"type": "string", "required": false, "description": "权限策略。"}}));
    }
    let response = serde_json::json!({"200": {"schema": {"type": "object", "properties": {
        "RequestId": {"type": "string", "description": "请求ID。"},
        "Credentials": {"type": "object", "properties": {"AccessKeySecret": {"type": "string", "description": "密钥。"}}}
    }}}});
    let doc = serde_json::json!({
        "version": "1.0",
        "info": {"style": "RPC", "product": "Sts", "version": "2015-04-01"},
        "apis": {
            "AssumeRoleWithOIDC": {"methods": ["post"], "schemes": ["https"], "security": [{"ARS_OIDC": []}],
                                   "parameters": oidc_params, "responses": response},
            "AssumeRole": {"methods": ["post"], "schemes": ["https"], "security": [{"AK": []}],
                           "parameters": [], "responses": response},
            "Mixed": {"methods": ["post"], "security": [{"AK": []}, {"BearerToken": []}],
                      "parameters": [], "responses": response},
        }
    });
    let path = dir.join(format!("sts-{extra_param}.json"));
    std::fs::write(&path, serde_json::to_string(&doc).expect("json")).expect("write");
    path
}

#[test]
fn token_only_security_imports_as_anonymous_and_update_keeps_hand_keys() {
    let dir = TempDir::new("sts");
    let from = sts_metadata(dir.path(), false);
    let out = dir.path().join("spec");
    let opts = |from: &Path, update: bool| ImportOptions {
        from: from.to_path_buf(),
        selection: Selection::Actions(vec![
            "AssumeRoleWithOIDC".into(),
            "AssumeRole".into(),
            "Mixed".into(),
        ]),
        out_dir: out.clone(),
        update,
        rejected_list: None,
    };
    run(&opts(&from, false)).expect("import");
    let oidc_path = out.join("AssumeRoleWithOIDC.yaml");
    let oidc = std::fs::read_to_string(&oidc_path).expect("read");
    assert!(oidc.contains("\nauth: anonymous\n"), "{oidc}");
    assert!(!oidc.contains("unsupported"), "{oidc}");
    let plain = std::fs::read_to_string(out.join("AssumeRole.yaml")).expect("read");
    assert!(!plain.contains("auth:"), "{plain}");
    let mixed = std::fs::read_to_string(out.join("Mixed.yaml")).expect("read");
    assert!(
        !mixed.contains("auth:") && mixed.contains("BearerToken"),
        "{mixed}"
    );

    // Hand-added: a pinned signature on AssumeRole and a sensitive token and field.
    let role_path = out.join("AssumeRole.yaml");
    let role = std::fs::read_to_string(&role_path).expect("read");
    let role = role.replacen(
        "schemes: [https]\n",
        "schemes: [https]\nsignatureVersion: v1\n",
        1,
    );
    std::fs::write(&role_path, &role).expect("write");
    let oidc = oidc
        .replacen(
            "  - name: OIDCToken\n    in: query\n    schema:\n      type: string\n",
            "  - name: OIDCToken\n    in: query\n    schema:\n      type: string\n      sensitive: true\n",
            1,
        );
    assert!(oidc.contains("sensitive: true"), "{oidc}");
    std::fs::write(&oidc_path, &oidc).expect("write");

    // The metadata grows a parameter: --update takes it and keeps the hand keys.
    let changed = sts_metadata(dir.path(), true);
    run(&opts(&changed, true)).expect("update");
    let oidc = std::fs::read_to_string(&oidc_path).expect("read");
    assert!(oidc.contains("name: Policy"), "{oidc}");
    assert!(
        oidc.contains("\nauth: anonymous\n") && oidc.contains("sensitive: true"),
        "{oidc}"
    );
    let role = std::fs::read_to_string(&role_path).expect("read");
    assert!(role.contains("signatureVersion: v1"), "{role}");
}

// ---------------------------------------------------------------------------------------
// Idempotency: `idempotent` and `clientToken` from the metadata, hand overrides kept.

/// The import's rule is a pure function of `apis.<Action>`: only `read` with `get`/`list`
/// is idempotent, and a `ClientToken` parameter becomes `clientToken`.
#[test]
fn idempotency_comes_from_the_metadata_action_alone() {
    let metadata = xtask::import::read_metadata(&metadata_path()).expect("metadata");
    let apis = xtask::import::convert::apis(&metadata).expect("apis");
    let api = |name: &str| {
        &apis
            .iter()
            .find(|(k, _)| k == name)
            .unwrap_or_else(|| panic!("{name} in the metadata"))
            .1
    };
    let cases: &[(&str, bool, Option<&str>)] = &[
        // The five actions of the spec (ListDeployments has no operationType: unsafe by the
        // rule; its spec sets `idempotent: true` by hand).
        ("GetDeployment", true, None),
        ("GetFile", true, None),
        ("ListDeployments", false, None),
        ("SubmitFile", false, None),
        ("DeployFile", false, None),
        // readAndWrite/get, but it starts runs.
        ("RunCycleDagNodes", false, None),
        ("ListProjects", true, None),
        ("CreateTable", false, Some("ClientToken")),
        (
            "GenerateDISyncTaskConfigForCreating",
            false,
            Some("ClientToken"),
        ),
    ];
    for (name, idempotent, token) in cases {
        let a = api(name);
        assert_eq!(
            xtask::import::convert::idempotent_by_metadata(a),
            *idempotent,
            "{name}"
        );
        assert_eq!(
            xtask::import::convert::client_token_param(a).as_deref(),
            *token,
            "{name}"
        );
        // The converted spec says the same.
        let doc = xtask::import::convert_action(&metadata, name)
            .expect("converts")
            .doc;
        assert_eq!(
            doc.get("idempotent"),
            Some(&Node::Bool(*idempotent)),
            "{name}"
        );
        assert_eq!(
            doc.get("clientToken").and_then(Node::as_str),
            *token,
            "{name}"
        );
    }
    // The whole product: how many actions are retried after an uncertain failure.
    let safe = apis
        .iter()
        .filter(|(_, a)| xtask::import::convert::idempotent_by_metadata(a))
        .count();
    let tokens: Vec<&str> = apis
        .iter()
        .filter(|(_, a)| xtask::import::convert::client_token_param(a).is_some())
        .map(|(k, _)| k.as_str())
        .collect();
    println!(
        "{} actions: {safe} idempotent, {} not, {} with a client token: {tokens:?}",
        apis.len(),
        apis.len() - safe,
        tokens.len()
    );
    assert_eq!((apis.len(), safe, tokens.len()), (306, 143, 7));
}

#[test]
fn a_hand_set_idempotent_survives_update_and_client_tokens_validate() {
    let dir = TempDir::with_product("idempotent");
    let report = run(&options(
        dir.path(),
        &["ListDeployments", "CreateTable"],
        false,
    ))
    .expect("import");
    assert!(report.is_clean(), "{report}");
    let file = dir.path().join("ListDeployments.yaml");
    assert_eq!(read_yaml(&file).get("idempotent"), Some(&Node::Bool(false)));
    let create = read_yaml(&dir.path().join("CreateTable.yaml"));
    assert_eq!(
        create.get("clientToken").and_then(Node::as_str),
        Some("ClientToken")
    );
    assert_eq!(create.get("idempotent"), Some(&Node::Bool(false)));

    // A person decides that listing is safe.
    let text = std::fs::read_to_string(&file).expect("read");
    let edited = text.replacen(
        "idempotent: false\n",
        "# Listing changes nothing.\nidempotent: true\n",
        1,
    );
    assert_ne!(edited, text);
    std::fs::write(&file, &edited).expect("write");

    // Not a difference from the metadata, and kept by --update.
    let report = run(&options(dir.path(), &["ListDeployments"], false)).expect("import");
    assert_eq!(report.actions[0].outcome, Outcome::Unchanged, "{report}");
    let report = run(&options(dir.path(), &["ListDeployments"], true)).expect("import");
    assert!(report.is_clean(), "{report}");
    let after = std::fs::read_to_string(&file).expect("read");
    assert!(
        after.contains("# Listing changes nothing.\nidempotent: true\n"),
        "{after}"
    );

    // A file without the key gets the metadata's value.
    let stripped = after.replacen("# Listing changes nothing.\nidempotent: true\n", "", 1);
    std::fs::write(&file, &stripped).expect("write");
    let report = run(&options(dir.path(), &["ListDeployments"], false)).expect("import");
    assert_eq!(report.actions[0].outcome, Outcome::Differs, "{report}");
    assert!(
        report.actions[0]
            .changes
            .iter()
            .any(|c| c.kind == ChangeKind::Added && c.path == "idempotent"),
        "{report}"
    );
}
