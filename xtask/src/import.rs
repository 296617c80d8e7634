//! `cargo xtask import`: writes spec files from Alibaba Cloud's official API metadata.
//!
//! The official metadata (`api-docs.json`, `apis.<Action>`) is converted into one
//! `<Action>.yaml` per action in the spec format of `spec.rs`, written the way the
//! hand-written specs are (see `spec/dataworks-public/GetDeployment.yaml`): texts as
//! `{ zh: ... }` (the metadata is Chinese), parameters with `in`, `style`, type, format,
//! required flag, description and example, the response tree with `$ref`s resolved inline,
//! inline `enum` lists, error codes, and the response demos as sample files
//! (`samples/<Action>.json|xml`, referenced with `file:`).
//!
//! What the spec format cannot hold is listed in the action's `unsupported` key and in the
//! report, with the reason. Left out without a note, because it carries nothing for the
//! spec or the generator: the documentation portal's catalogue tags
//! (`systemTags.abilityTreeCode`, `abilityTreeNodes`, `operationType`, `riskType: none`,
//! `chargeType: free`), `security` when it is AccessKey only (when it lists only token
//! schemes, such as AssumeRoleWithOIDC's `ARS_OIDC`, the action gets `auth: anonymous`
//! and is sent unsigned), `docRequired` when it equals
//! `required`, blank texts and examples, empty `enumValueTitles` and `staticInfo`, and
//! flags at their default (`isFileTransferUrl`, `allowEmptyValue`, `exclusiveMinimum`,
//! `exclusiveMaximum` when false). Texts are trimmed (no trailing spaces, no surrounding
//! blank lines); everything else is copied as it is.
//!
//! `idempotent` comes from `operationType` and `systemTags.operationType` (only `read` with
//! `get`/`list` is idempotent, see [`convert::idempotent_by_metadata`]) and `clientToken` from
//! a `ClientToken` parameter. `idempotent` is written only when the file has none: a value a
//! person set stays, and is not reported as a difference.
//!
//! An action whose file exists is never overwritten blindly: without `--update` the
//! differences in what the metadata owns are printed and nothing is written; with
//! `--update` the file is rewritten from the metadata and every hand-added key (`en`
//! texts, `enums`, `enumRef`, `typeName`, `rules`, `waiters`, samples, comments, ...) is
//! carried over by key path (see [`merge`]). Nothing is written unless every selected
//! action converts.
//!
//! ```no_run
//! use xtask::import::{run, ImportOptions, Selection};
//! let report = run(&ImportOptions {
//!     from: "api-docs.json".into(),
//!     selection: Selection::Actions(vec!["GetDeployment".into()]),
//!     out_dir: "spec/dataworks-public".into(),
//!     update: false,
//!     rejected_list: None,
//! })?;
//! print!("{report}");
//! # Ok::<(), xtask::import::ImportError>(())
//! ```

pub mod convert;
pub mod merge;
pub mod pins;
pub mod product;

use crate::diag::Diagnostic;
use crate::yaml::{self, Node};
use crate::{load, spec};
use convert::{Converted, ShapeError, SAMPLE_SOURCE};
use merge::{Change, ChangeKind, Dropped};
use std::fmt;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Which actions to import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    /// Every action of the metadata.
    All,
    /// These actions, by name.
    Actions(Vec<String>),
}

/// What `cargo xtask import` was asked to do.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// The official metadata file (api-docs.json).
    pub from: PathBuf,
    /// The actions to import.
    pub selection: Selection,
    /// The spec folder to write into (created if missing).
    pub out_dir: PathBuf,
    /// Rewrite existing files from the metadata, keeping hand-added keys.
    pub update: bool,
    /// Where to write the names of the actions the generator rejects (one per line).
    pub rejected_list: Option<PathBuf>,
}

/// Why an import stopped. Nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The metadata file cannot be read.
    #[error("cannot read the metadata file {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The metadata file is not JSON.
    #[error("{} is not JSON: {message}", path.display())]
    NotJson {
        /// The file.
        path: PathBuf,
        /// The parser's message with line and column.
        message: String,
    },
    /// The file is JSON but not shaped like the official metadata.
    #[error("{} is not Alibaba Cloud OpenAPI metadata (api-docs.json): {}{}", path.display(), if at.is_empty() { String::new() } else { format!("at `{at}`: ") }, message)]
    Shape {
        /// The file.
        path: PathBuf,
        /// Key path in the metadata.
        at: String,
        /// What is wrong there.
        message: String,
    },
    /// Some requested actions are not in the metadata.
    #[error("{}", unknown_message(path, unknown))]
    UnknownActions {
        /// The metadata file.
        path: PathBuf,
        /// Each unknown name with the closest known names.
        unknown: Vec<(String, Vec<String>)>,
    },
    /// Neither `--action` nor `--all` selected anything.
    #[error("no action selected: give --action NAME or --all")]
    NoActions,
    /// An existing spec file cannot be read or is not YAML.
    #[error("cannot use the existing spec file {}: {message}; fix or remove it first", path.display())]
    Existing {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// Writing a file failed (files written before it stay).
    #[error("cannot write {}: {source}", path.display())]
    Write {
        /// The file or folder.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
}

fn unknown_message(path: &Path, unknown: &[(String, Vec<String>)]) -> String {
    let mut out = String::new();
    for (i, (name, close)) in unknown.iter().enumerate() {
        if i > 0 {
            out.push_str("; ");
        }
        out.push_str(&format!("no action `{name}` in {}", path.display()));
        if !close.is_empty() {
            out.push_str(&format!(" (did you mean {}?)", close.join(", ")));
        }
    }
    out
}

/// What happened to one action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The spec file did not exist and was written.
    Created,
    /// The spec file existed and was rewritten (`--update`).
    Updated,
    /// The existing files already say what the metadata says; nothing written.
    Unchanged,
    /// The existing spec file differs from the metadata; nothing written (no `--update`).
    Differs,
    /// Not written: a sample file that the import would write exists with other contents
    /// and no spec file refers to it (no `--update`), or `--update` would drop a hand-added
    /// key, or the updated file would fail validation.
    Conflict,
    /// A new action the generator cannot represent: not written into the spec folder.
    Rejected,
}

/// The report of one action.
#[derive(Debug, Clone)]
pub struct ActionReport {
    /// The action name.
    pub name: String,
    /// What happened.
    pub outcome: Outcome,
    /// The spec file.
    pub spec_file: PathBuf,
    /// Files written for the action.
    pub written: Vec<PathBuf>,
    /// Differences between the metadata and the existing file (owned keys only).
    pub changes: Vec<Change>,
    /// What the spec format cannot represent (also in the file's `unsupported`).
    pub unsupported: Vec<String>,
    /// Hand-added keys `--update` could not keep.
    pub dropped: Vec<Dropped>,
    /// Other things worth knowing (samples not written, conflicts, pins that no longer
    /// hold, the generator's messages for a rejected action).
    pub notes: Vec<String>,
    /// Texts whose Chinese changed under a kept English translation (key paths).
    pub review: Vec<String>,
    /// Whether the action's spec (as written or kept) has no English text for the action or
    /// for a parameter.
    pub lacks_english: bool,
}

/// Whether the written specs load, checked when the output folder has a `product.yaml`.
#[derive(Debug, Clone)]
pub enum Validation {
    /// There is no `product.yaml` in the output folder; nothing was checked.
    NoProduct,
    /// `product.yaml` itself is invalid.
    ProductInvalid(Vec<Diagnostic>),
    /// Each selected action that has a spec file was validated as `cargo xtask codegen`
    /// would; these are the ones that failed, with the generator's messages.
    Checked {
        /// How many actions were checked.
        checked: usize,
        /// Actions the generator rejects.
        failures: Vec<(String, Vec<Diagnostic>)>,
    },
}

/// The report of a whole import.
#[derive(Debug, Clone)]
pub struct ImportReport {
    /// The output folder.
    pub out_dir: PathBuf,
    /// What happened to `product.yaml` (its API groups), when there is one.
    pub product: Option<product::ProductReport>,
    /// One report per selected action, by name.
    pub actions: Vec<ActionReport>,
    /// Whether the written specs load.
    pub validation: Validation,
}

impl ImportReport {
    /// Whether every action was written or already up to date and every checked spec
    /// loads (the exit status of `cargo xtask import`).
    pub fn is_clean(&self) -> bool {
        let written =
            |o: Outcome| matches!(o, Outcome::Created | Outcome::Updated | Outcome::Unchanged);
        self.actions.iter().all(|a| written(a.outcome))
            && self.product.as_ref().is_none_or(|p| written(p.outcome))
            && match &self.validation {
                Validation::NoProduct => true,
                Validation::ProductInvalid(_) => false,
                Validation::Checked { failures, .. } => failures.is_empty(),
            }
    }

    /// How many actions had each outcome.
    pub fn count(&self, outcome: Outcome) -> usize {
        self.actions.iter().filter(|a| a.outcome == outcome).count()
    }
}

impl fmt::Display for ImportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(p) = &self.product {
            let file = p.path.display();
            match p.outcome {
                Outcome::Unchanged => writeln!(f, "{file}: the groups are up to date with the metadata")?,
                Outcome::Differs => writeln!(f, "{file}: the groups differ from the metadata's directories; nothing written (run with --update):")?,
                Outcome::Updated => writeln!(f, "{file}: groups updated from the metadata, hand-added keys kept:")?,
                _ => writeln!(f, "{file}: not written:")?,
            }
            for change in &p.changes {
                writeln!(f, "    {change}")?;
            }
            for note in &p.notes {
                writeln!(f, "    conflict: {note}")?;
            }
        }
        for a in &self.actions {
            let file = a.spec_file.display();
            match a.outcome {
                Outcome::Created => writeln!(f, "{}: created {file}", a.name)?,
                Outcome::Updated => writeln!(f, "{}: updated {file} from the metadata, hand-added keys kept", a.name)?,
                Outcome::Unchanged => writeln!(f, "{}: {file} is up to date with the metadata; nothing written", a.name)?,
                Outcome::Differs => writeln!(
                    f,
                    "{}: {file} differs from the official metadata; nothing written (run with --update to rewrite it, keeping hand-added keys):",
                    a.name
                )?,
                Outcome::Conflict => writeln!(f, "{}: not written (conflict):", a.name)?,
                Outcome::Rejected => writeln!(f, "{}: not written: the generator cannot represent it:", a.name)?,
            }
            if matches!(a.outcome, Outcome::Differs | Outcome::Updated) {
                for change in &a.changes {
                    writeln!(f, "    {change}")?;
                }
            }
            for path in a.written.iter().filter(|p| **p != a.spec_file) {
                writeln!(f, "    wrote {}", path.display())?;
            }
            for note in &a.notes {
                writeln!(f, "    note: {note}")?;
            }
            for dropped in &a.dropped {
                writeln!(f, "    would drop: {dropped}")?;
            }
            for path in &a.review {
                writeln!(f, "    review: {path}: the Chinese text changed in the metadata; check the English kept beside it")?;
            }
            if !a.unsupported.is_empty() {
                writeln!(
                    f,
                    "    unsupported ({}), recorded under `unsupported:`:",
                    a.unsupported.len()
                )?;
                for note in &a.unsupported {
                    writeln!(f, "      - {note}")?;
                }
            }
        }
        let with_unsupported = self
            .actions
            .iter()
            .filter(|a| !a.unsupported.is_empty())
            .count();
        writeln!(
            f,
            "{} action(s): {} created, {} updated, {} unchanged, {} differ (not written), {} conflict(s), {} rejected; {} with unsupported metadata",
            self.actions.len(),
            self.count(Outcome::Created),
            self.count(Outcome::Updated),
            self.count(Outcome::Unchanged),
            self.count(Outcome::Differs),
            self.count(Outcome::Conflict),
            self.count(Outcome::Rejected),
            with_unsupported
        )?;
        let english: Vec<&str> = self
            .actions
            .iter()
            .filter(|a| a.lacks_english && a.outcome != Outcome::Rejected)
            .map(|a| a.name.as_str())
            .collect();
        if !english.is_empty() {
            writeln!(
                f,
                "{} action(s) lack English texts (add `en:` beside `zh:` for the action and its parameters): {}",
                english.len(),
                english.join(", ")
            )?;
        }
        match &self.validation {
            Validation::NoProduct => writeln!(
                f,
                "no {} in {}: the specs were not validated",
                load::PRODUCT_FILE,
                self.out_dir.display()
            )?,
            Validation::ProductInvalid(diagnostics) => {
                writeln!(
                    f,
                    "{} is invalid; the specs were not validated:",
                    load::PRODUCT_FILE
                )?;
                for d in diagnostics {
                    writeln!(f, "  error: {d}")?;
                }
            }
            Validation::Checked { checked, failures } => {
                writeln!(
                    f,
                    "validation: {} of {checked} spec(s) load cleanly",
                    checked - failures.len()
                )?;
                for (name, diagnostics) in failures {
                    writeln!(f, "  {name}: the generator rejects it:")?;
                    for d in diagnostics {
                        writeln!(f, "    error: {d}")?;
                    }
                }
            }
        }
        Ok(())
    }
}

/// Reads and checks a metadata file.
pub fn read_metadata(path: &Path) -> Result<Node, ImportError> {
    let text = std::fs::read_to_string(path).map_err(|source| ImportError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let root: Node = serde_json::from_str(&text).map_err(|e| ImportError::NotJson {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    convert::apis(&root).map_err(|e| shape_error(path, e))?;
    Ok(root)
}

fn shape_error(path: &Path, e: ShapeError) -> ImportError {
    ImportError::Shape {
        path: path.to_path_buf(),
        at: e.at,
        message: e.message,
    }
}

/// Converts one action of a metadata document (from [`read_metadata`]) without writing
/// anything.
pub fn convert_action(metadata: &Node, name: &str) -> Result<Converted, ShapeError> {
    convert::convert_action(metadata, name)
}

/// Renders a converted action as the text of its spec file.
pub fn render_action(converted: &Converted) -> String {
    yaml::writer::render(&converted.doc)
}

/// Known names closest to `name` (edit distance, case-insensitive), best first.
pub fn suggestions(name: &str, known: &[&str]) -> Vec<String> {
    let wanted = name.to_ascii_lowercase();
    let limit = (wanted.chars().count() / 3).max(2);
    let mut scored: Vec<(usize, &str)> = known
        .iter()
        .filter_map(|k| {
            let lower = k.to_ascii_lowercase();
            let d = edit_distance(&wanted, &lower);
            let contains =
                wanted.len() >= 4 && (lower.contains(&wanted) || wanted.contains(&lower));
            (d <= limit || contains).then_some((if contains { d.min(limit) } else { d }, *k))
        })
        .collect();
    scored.sort();
    scored
        .into_iter()
        .take(3)
        .map(|(_, k)| k.to_string())
        .collect()
}

fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            let next = (prev + cost).min(row[j] + 1).min(row[j + 1] + 1);
            prev = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

/// A file to write.
struct PlannedFile {
    path: PathBuf,
    contents: String,
}

/// Imports the selected actions. Everything is converted and compared first; files are
/// written only when that succeeded for every action.
pub fn run(options: &ImportOptions) -> Result<ImportReport, ImportError> {
    let metadata = read_metadata(&options.from)?;
    let apis = convert::apis(&metadata).map_err(|e| shape_error(&options.from, e))?;
    let known: Vec<&str> = apis.iter().map(|(k, _)| k.as_str()).collect();
    let names: Vec<String> = match &options.selection {
        Selection::All => {
            let mut all: Vec<String> = known.iter().map(|s| s.to_string()).collect();
            all.sort();
            all
        }
        Selection::Actions(names) => {
            let mut unique: Vec<String> = Vec::new();
            for n in names {
                if !unique.contains(n) {
                    unique.push(n.clone());
                }
            }
            let unknown: Vec<(String, Vec<String>)> = unique
                .iter()
                .filter(|n| !known.contains(&n.as_str()))
                .map(|n| (n.clone(), suggestions(n, &known)))
                .collect();
            if !unknown.is_empty() {
                return Err(ImportError::UnknownActions {
                    path: options.from.clone(),
                    unknown,
                });
            }
            unique
        }
    };
    if names.is_empty() {
        return Err(ImportError::NoActions);
    }
    let product_plan = product::plan(&metadata, &options.out_dir, options.update)?;
    let mut reports = Vec::new();
    let mut files: Vec<PlannedFile> = Vec::new();
    if let Some((path, contents)) = &product_plan.write {
        files.push(PlannedFile {
            path: path.clone(),
            contents: contents.clone(),
        });
    }
    for name in &names {
        let converted =
            convert::convert_action(&metadata, name).map_err(|e| shape_error(&options.from, e))?;
        let (report, planned) = plan(&converted, options, product_plan.product.as_ref())?;
        reports.push(report);
        files.extend(planned);
    }
    for file in &files {
        if let Some(parent) = file.path.parent() {
            std::fs::create_dir_all(parent).map_err(|source| ImportError::Write {
                path: parent.to_path_buf(),
                source,
            })?;
        }
        std::fs::write(&file.path, &file.contents).map_err(|source| ImportError::Write {
            path: file.path.clone(),
            source,
        })?;
    }
    if let Some(list) = &options.rejected_list {
        let rejected: String = reports
            .iter()
            .filter(|r| r.outcome == Outcome::Rejected)
            .map(|r| format!("{}\n", r.name))
            .collect();
        std::fs::write(list, rejected).map_err(|source| ImportError::Write {
            path: list.clone(),
            source,
        })?;
    }
    let present: Vec<String> = reports
        .iter()
        .filter(|r| r.spec_file.is_file())
        .map(|r| r.name.clone())
        .collect();
    let validation = validate(&options.out_dir, &present);
    Ok(ImportReport {
        out_dir: options.out_dir.clone(),
        product: product_plan.report,
        actions: reports,
        validation,
    })
}

/// Whether a spec (as a YAML tree) has no English text for the action or a parameter.
fn lacks_english(doc: &Node) -> bool {
    let has_en = |text: Option<&Node>| text.and_then(|t| t.get("en")).is_some();
    let action = has_en(doc.get("summary")) || has_en(doc.get("title"));
    let params = doc
        .get("parameters")
        .and_then(Node::as_seq)
        .unwrap_or_default()
        .iter()
        .all(|p| {
            has_en(p.get("schema").and_then(|s| s.get("description")))
                || p.get("schema").and_then(|s| s.get("description")).is_none()
        });
    !(action && params)
}

/// Checks the text of a spec file before it is written: parsed and lowered as `cargo xtask
/// codegen` would, against `product`, with `planned` sample files counted as present.
fn check_before_writing(
    spec_file: &Path,
    text: &str,
    spec_dir: &Path,
    product: &crate::model::Product,
    planned: &[PlannedFile],
) -> Vec<String> {
    let raw = match load::parse_str::<spec::ActionFile>(text) {
        Ok(raw) => raw,
        Err((message, _)) => return vec![message],
    };
    let mut diagnostics = Vec::new();
    let exists = |p: &Path| p.is_file() || planned.iter().any(|f| f.path == p);
    crate::lower::lower_operation_with(
        spec_file,
        spec_dir,
        product,
        &raw,
        &mut diagnostics,
        &exists,
    );
    diagnostics.iter().map(ToString::to_string).collect()
}

/// Decides what to write for one action (`product`: the product file the spec must load with,
/// when the folder has one).
fn plan(
    converted: &Converted,
    options: &ImportOptions,
    product: Option<&crate::model::Product>,
) -> Result<(ActionReport, Vec<PlannedFile>), ImportError> {
    let spec_file = options.out_dir.join(format!("{}.yaml", converted.name));
    let mut report = ActionReport {
        name: converted.name.clone(),
        outcome: Outcome::Created,
        spec_file: spec_file.clone(),
        written: Vec::new(),
        changes: Vec::new(),
        unsupported: converted.unsupported.clone(),
        dropped: Vec::new(),
        notes: Vec::new(),
        review: Vec::new(),
        lacks_english: lacks_english(&converted.doc),
    };
    let mut planned = Vec::new();
    let existing = match std::fs::read_to_string(&spec_file) {
        Ok(text) => Some(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => {
            return Err(ImportError::Existing {
                path: spec_file,
                message: e.to_string(),
            })
        }
    };
    let Some(text) = existing else {
        // A new action: its sample files must not clobber someone's files.
        let mut conflicts = Vec::new();
        for sample in &converted.samples {
            let path = options.out_dir.join(&sample.rel_path);
            match std::fs::read_to_string(&path) {
                Ok(current) if current == sample.body => {}
                Ok(_) if !options.update => conflicts.push(format!(
                    "{} exists with other contents and would be overwritten (run with --update to overwrite it)",
                    path.display()
                )),
                _ => {
                    planned.push(PlannedFile {
                        path: path.clone(),
                        contents: sample.body.clone(),
                    });
                }
            }
        }
        if !conflicts.is_empty() {
            report.outcome = Outcome::Conflict;
            report.notes = conflicts;
            return Ok((report, Vec::new()));
        }
        let rendered = render_action(converted);
        if let Some(product) = product {
            let problems =
                check_before_writing(&spec_file, &rendered, &options.out_dir, product, &planned);
            if !problems.is_empty() {
                report.outcome = Outcome::Rejected;
                report.notes = problems;
                return Ok((report, Vec::new()));
            }
        }
        planned.push(PlannedFile {
            path: spec_file.clone(),
            contents: rendered,
        });
        report.written = planned.iter().map(|p| p.path.clone()).collect();
        return Ok((report, planned));
    };

    let old = yaml::parse(&text).map_err(|message| ImportError::Existing {
        path: spec_file.clone(),
        message: format!("not valid YAML: {message}"),
    })?;
    if old.as_map().is_none() {
        return Err(ImportError::Existing {
            path: spec_file,
            message: "the file is not a YAML mapping".into(),
        });
    }
    let mut fresh = converted.doc.clone();
    let pin_notes = pins::apply(&mut fresh, &old);
    let merged = merge::merge(&fresh, &old);
    report.lacks_english = lacks_english(&merged.doc);
    report.changes = merge::diff(&merged.doc, &old);
    report.notes.extend(pin_notes);
    report.notes.extend(merged.skipped_samples.iter().cloned());
    report.review = merged.review.clone();
    // Sample files the merged spec refers to as the metadata's.
    let mut sample_writes = Vec::new();
    let merged_samples: Vec<&Node> = merged
        .doc
        .get("samples")
        .and_then(Node::as_seq)
        .unwrap_or_default()
        .iter()
        .filter(|s| s.get("source").and_then(Node::as_str) == Some(SAMPLE_SOURCE))
        .collect();
    let old_samples: Vec<&Node> = old
        .get("samples")
        .and_then(Node::as_seq)
        .unwrap_or_default()
        .iter()
        .collect();
    for sample in &converted.samples {
        let kept = merged_samples
            .iter()
            .any(|s| s.get("name").and_then(Node::as_str) == Some(sample.name.as_str()));
        if !kept {
            continue;
        }
        let path = options.out_dir.join(&sample.rel_path);
        let current = std::fs::read_to_string(&path).ok();
        if current.as_deref() == Some(sample.body.as_str()) {
            continue;
        }
        let listed = old_samples.iter().any(|s| {
            s.get("name").and_then(Node::as_str) == Some(sample.name.as_str())
                && s.get("file").and_then(Node::as_str) == Some(sample.rel_path.as_str())
        });
        if listed {
            report.changes.push(Change {
                kind: ChangeKind::Changed,
                path: format!("samples[{}]", sample.name),
                detail: format!(
                    "{} {} the metadata's demo",
                    sample.rel_path,
                    if current.is_some() {
                        "differs from"
                    } else {
                        "is missing; it holds"
                    }
                ),
            });
        }
        sample_writes.push(PlannedFile {
            path,
            contents: sample.body.clone(),
        });
    }
    if !options.update {
        report.outcome = if report.changes.is_empty() {
            Outcome::Unchanged
        } else {
            Outcome::Differs
        };
        report.notes.retain(|n| n.starts_with("pinned"));
        return Ok((report, Vec::new()));
    }
    if !merged.dropped.is_empty() {
        // Dropping what a person added is never silent: the file stays as it is.
        report.outcome = Outcome::Conflict;
        report.dropped = merged.dropped;
        return Ok((report, Vec::new()));
    }
    let layout = yaml::layout::scan(&text, &old);
    let rendered = yaml::writer::render_with_layout(&merged.doc, &layout);
    if let Some(product) = product {
        let problems = check_before_writing(
            &spec_file,
            &rendered,
            &options.out_dir,
            product,
            &sample_writes,
        );
        if !problems.is_empty() {
            report.outcome = Outcome::Conflict;
            report
                .notes
                .push("the updated spec would not load; nothing written:".into());
            report.notes.extend(problems);
            return Ok((report, Vec::new()));
        }
    }
    if rendered != text {
        planned.push(PlannedFile {
            path: spec_file,
            contents: rendered,
        });
    }
    planned.extend(sample_writes);
    report.outcome = if planned.is_empty() {
        Outcome::Unchanged
    } else {
        Outcome::Updated
    };
    report.written = planned.iter().map(|p| p.path.clone()).collect();
    Ok((report, planned))
}

/// Validates the spec files of `names` in `spec_dir` as `cargo xtask codegen` would
/// (each action on its own, against the folder's `product.yaml`).
pub fn validate(spec_dir: &Path, names: &[String]) -> Validation {
    let product_path = spec_dir.join(load::PRODUCT_FILE);
    let Ok(product_text) = std::fs::read_to_string(&product_path) else {
        return Validation::NoProduct;
    };
    let mut diagnostics = Vec::new();
    let product = match load::parse_str::<spec::ProductFile>(&product_text) {
        Ok(raw) => crate::lower::lower_product(&product_path, &raw, &mut diagnostics),
        Err((message, position)) => {
            diagnostics.push(Diagnostic {
                file: product_path.clone(),
                key_path: String::new(),
                position,
                message,
            });
            None
        }
    };
    let Some(product) = product else {
        return Validation::ProductInvalid(diagnostics);
    };
    let mut failures = Vec::new();
    for name in names {
        let file = spec_dir.join(format!("{name}.yaml"));
        let mut diagnostics = Vec::new();
        match std::fs::read_to_string(&file) {
            Err(e) => diagnostics.push(Diagnostic::file(
                &file,
                "",
                format!("cannot read the file: {e}"),
            )),
            Ok(text) => match load::parse_str::<spec::ActionFile>(&text) {
                Ok(raw) => {
                    crate::lower::lower_operation(
                        &file,
                        spec_dir,
                        &product,
                        &raw,
                        &mut diagnostics,
                    );
                }
                Err((message, position)) => diagnostics.push(Diagnostic {
                    file: file.clone(),
                    key_path: position
                        .map(|(line, _)| crate::diag::key_path_at_line(&text, line))
                        .unwrap_or_default(),
                    position,
                    message,
                }),
            },
        }
        if !diagnostics.is_empty() {
            failures.push((name.clone(), diagnostics));
        }
    }
    Validation::Checked {
        checked: names.len(),
        failures,
    }
}

/// Usage of `cargo xtask import`.
pub const USAGE: &str = "\
usage: cargo xtask import --from FILE (--action NAME... | --all) [--out DIR] [--update]
                          [--rejected-list FILE]

  import            write spec files from the official API metadata (api-docs.json)
    --from FILE     the metadata file
    --action NAME   import this action (repeatable; several names may follow one --action)
    --all           import every action of the metadata
    --out DIR       the spec folder to write (default: spec/dataworks-public)
    --update        rewrite existing spec files from the metadata, keeping hand-added keys;
                    without it an existing file is only compared and left as it is
    --rejected-list FILE
                    write the names of the actions the generator cannot represent (and
                    that were therefore not written) to FILE, one per line
  The API groups of the metadata (`directories`) go into the `groups` of the folder's
  product.yaml (kept: each group's `name`, its Cargo feature, and other hand-added keys).
  Nothing that fails validation is written: a new action the generator cannot represent is
  rejected, an update that would not load or would drop a hand-added key is a conflict.
  Values pinned in a spec's `pinned` list are kept while the metadata says what the pin
  records. Relative paths are taken from the workspace root. Exit status: 0 when every
  action (and product.yaml) was written or is up to date and validates, 1 when one differs,
  conflicts, is rejected or fails validation, 2 on bad arguments or input.
";

/// Runs `cargo xtask import` with its arguments (after `import`); prints the report.
pub fn command(args: &[String], root: &Path) -> ExitCode {
    let options = match parse_args(args, root) {
        Ok(o) => o,
        Err(message) => {
            eprintln!("error: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(&options) {
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
        Ok(report) => {
            print!("{report}");
            if report.is_clean() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
    }
}

/// Parses the arguments of `cargo xtask import` (relative paths are taken from `root`).
pub fn parse_args(args: &[String], root: &Path) -> Result<ImportOptions, String> {
    let mut from: Option<PathBuf> = None;
    let mut out_dir: Option<PathBuf> = None;
    let mut actions: Vec<String> = Vec::new();
    let mut all = false;
    let mut update = false;
    let mut rejected_list: Option<PathBuf> = None;
    let mut iter = args.iter().peekable();
    while let Some(arg) = iter.next() {
        match arg.as_str() {
            "--from" => match iter.next() {
                Some(f) if !f.starts_with("--") => from = Some(root.join(f)),
                _ => return Err("--from needs the metadata file".into()),
            },
            "--out" => match iter.next() {
                Some(d) if !d.starts_with("--") => out_dir = Some(root.join(d)),
                _ => return Err("--out needs a folder".into()),
            },
            "--action" => {
                let before = actions.len();
                while let Some(name) = iter.next_if(|a| !a.starts_with("--")) {
                    actions.extend(
                        name.split(',')
                            .filter(|n| !n.is_empty())
                            .map(str::to_string),
                    );
                }
                if actions.len() == before {
                    return Err("--action needs at least one action name".into());
                }
            }
            "--all" => all = true,
            "--rejected-list" => match iter.next() {
                Some(f) if !f.starts_with("--") => rejected_list = Some(root.join(f)),
                _ => return Err("--rejected-list needs a file".into()),
            },
            "--update" => update = true,
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    let from = from.ok_or("--from FILE is required")?;
    let selection = match (all, actions.is_empty()) {
        (true, false) => return Err("give either --action or --all, not both".into()),
        (true, true) => Selection::All,
        (false, false) => Selection::Actions(actions),
        (false, true) => return Err("give --action NAME... or --all".into()),
    };
    Ok(ImportOptions {
        from,
        selection,
        out_dir: out_dir.unwrap_or_else(|| root.join("spec").join("dataworks-public")),
        update,
        rejected_list,
    })
}
