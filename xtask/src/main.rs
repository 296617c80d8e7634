//! `cargo xtask <command>`: project automation. See `cargo xtask help`.
#![forbid(unsafe_code)]

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use xtask::workspace::WorkspaceRoot;
use xtask::write::Change;

const USAGE: &str = "\
usage: cargo xtask codegen [--check] [--root DIR] [--spec DIR]...
       cargo xtask import --from FILE (--action NAME... | --all) [--out DIR] [--update]

  codegen           regenerate the models, client and CLI crates from spec/
    --check         change nothing; exit 1 and list the files that are stale
    --root DIR      the workspace to generate into (default: the checkout cargo runs
                    this command in); crate paths in product.yaml and relative --spec
                    folders are taken from it
    --spec DIR      generate from this spec folder only (repeatable)

  import            write spec files from the official API metadata (api-docs.json);
                    see `cargo xtask import --help`
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("codegen") => codegen(&args[1..]),
        Some("import") if args[1..].iter().any(|a| a == "--help" || a == "-h") => {
            print!("{}", xtask::import::USAGE);
            ExitCode::SUCCESS
        }
        Some("import") => xtask::import::command(&args[1..], &xtask::workspace_root()),
        Some("help" | "--help" | "-h") | None => {
            print!("{USAGE}");
            ExitCode::SUCCESS
        }
        Some(other) => {
            eprintln!("error: unknown command `{other}`\n\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

fn codegen(args: &[String]) -> ExitCode {
    let mut root = WorkspaceRoot::locate();
    let mut check = false;
    let mut specs: Vec<PathBuf> = Vec::new();
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        match arg.as_str() {
            "--check" => check = true,
            "--root" => match iter.next() {
                Some(dir) => root = WorkspaceRoot::from_argument(Path::new(dir)),
                None => {
                    eprintln!("error: --root needs a folder\n\n{USAGE}");
                    return ExitCode::from(2);
                }
            },
            "--spec" => match iter.next() {
                Some(dir) => specs.push(PathBuf::from(dir)),
                None => {
                    eprintln!("error: --spec needs a folder\n\n{USAGE}");
                    return ExitCode::from(2);
                }
            },
            other => {
                eprintln!("error: unknown argument `{other}`\n\n{USAGE}");
                return ExitCode::from(2);
            }
        }
    }
    // Say which checkout this run acts on before anything else, and refuse one that does not
    // hold the workspace: a binary shared between checkouts must not touch the wrong tree.
    println!("workspace: {root}");
    if let Err(e) = root.check() {
        eprintln!("error: {e}");
        return ExitCode::FAILURE;
    }
    let root = root.path;
    let mut specs: Vec<PathBuf> = specs
        .into_iter()
        .map(|dir| {
            if dir.is_absolute() {
                dir
            } else {
                root.join(dir)
            }
        })
        .collect();
    if specs.is_empty() {
        specs = match xtask::spec_dirs(&root) {
            Ok(dirs) => dirs,
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::FAILURE;
            }
        };
    }
    match xtask::codegen(&root, &specs, check) {
        Err(e) => {
            eprint!("error: {e}");
            if !e.to_string().ends_with('\n') {
                eprintln!();
            }
            ExitCode::FAILURE
        }
        Ok(changes) if check => {
            if changes.is_empty() {
                println!("generated code is up to date");
                ExitCode::SUCCESS
            } else {
                eprintln!("generated code is stale; run `cargo xtask codegen`:");
                for change in &changes {
                    match change {
                        Change::Written(path) => eprintln!("  stale:    {path}"),
                        Change::Removed(path) => eprintln!("  obsolete: {path}"),
                    }
                }
                ExitCode::FAILURE
            }
        }
        Ok(changes) => {
            if changes.is_empty() {
                println!("generated code is up to date; nothing written");
            }
            for change in &changes {
                match change {
                    Change::Written(path) => println!("wrote   {path}"),
                    Change::Removed(path) => println!("removed {path}"),
                }
            }
            ExitCode::SUCCESS
        }
    }
}
