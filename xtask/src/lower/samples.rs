//! Documented response samples (`file:` beside the spec, or an inline `body:`).

use super::Ctx;
use crate::model::{Product, Sample, SampleBody, SampleFormat};
use crate::spec;
use std::collections::BTreeSet;
use std::path::Path;

/// Every valid sample, with file paths resolved against the spec folder.
pub(super) fn lower_samples(
    cx: &mut Ctx<'_>,
    product: &Product,
    raw: &[spec::Sample],
    spec_dir: &Path,
    exists: &dyn Fn(&Path) -> bool,
) -> Vec<Sample> {
    let mut samples = Vec::new();
    let mut sample_names = BTreeSet::new();
    for (i, s) in raw.iter().enumerate() {
        let path = format!("samples[{i}]");
        if !sample_names.insert(s.name.value.clone()) {
            cx.error(
                &format!("{path}.name"),
                s.name.referenced,
                format!("duplicate sample name `{}`", s.name.value),
            );
        }
        let format = match s.format.value.as_str() {
            "json" => SampleFormat::Json,
            "xml" => SampleFormat::Xml,
            other => {
                cx.error(
                    &format!("{path}.format"),
                    s.format.referenced,
                    format!("unknown sample format `{other}` (expected json or xml)"),
                );
                continue;
            }
        };
        let body = match (&s.file, &s.body) {
            (Some(f), None) => {
                let resolved = spec_dir.join(&f.value);
                if !exists(&resolved) {
                    cx.error(
                        &format!("{path}.file"),
                        f.referenced,
                        format!("sample file `{}` does not exist", resolved.display()),
                    );
                    continue;
                }
                if product.publish && product.actions_test_in_models_crate() {
                    // A published package holds only its own folder.
                    cx.error(
                        &format!("{path}.file"),
                        f.referenced,
                        format!(
                            "the generated test would read sample file `{}` from outside the \
                             published models crate `{}`; name a file of an unpublished test \
                             crate in product.yaml `tests.file`",
                            f.value, product.models_crate.name
                        ),
                    );
                    continue;
                }
                // The spec file's folder as shown (relative to the workspace root).
                let shown = cx
                    .file
                    .parent()
                    .map(|d| d.join(&f.value))
                    .unwrap_or_else(|| resolved.clone());
                let shown = shown.to_string_lossy().replace('\\', "/");
                SampleBody::File(resolved, shown)
            }
            (None, Some(b)) => SampleBody::Inline(b.clone()),
            _ => {
                cx.error(
                    &path,
                    s.name.referenced,
                    "a sample needs exactly one of `file` and `body`",
                );
                continue;
            }
        };
        if s.differs_at.is_some() && s.known_issue.is_none() {
            cx.error(
                &format!("{path}.differsAt"),
                s.name.referenced,
                "`differsAt` needs `knownIssue` (why the documented samples differ)",
            );
        }
        samples.push(Sample {
            name: s.name.value.clone(),
            format,
            http_status: s.http_status.unwrap_or(200),
            body,
            source: s.source.clone(),
            known_issue: s.known_issue.clone(),
            differs_at: s.differs_at.clone().unwrap_or_default(),
        });
    }
    samples
}
