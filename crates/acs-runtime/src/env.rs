//! Access to environment variables, files and the home directory, injectable for tests.

use std::collections::HashMap;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

/// Where configuration and credentials are read from.
///
/// [`SystemEnv`] reads the process environment and file system; [`MemoryEnv`] serves fixed
/// values (tests, embedding).
pub trait Env: Send + Sync + fmt::Debug {
    /// The value of an environment variable, `None` when unset or not valid UTF-8.
    fn var(&self, name: &str) -> Option<String>;
    /// The whole content of a text file.
    fn read_file(&self, path: &Path) -> io::Result<String>;
    /// The user's home directory.
    fn home_dir(&self) -> Option<PathBuf>;

    /// True for an in-memory environment ([`MemoryEnv`]): providers that discover a
    /// service by a fixed network address (the ECS metadata service at
    /// `100.100.100.200`) use it only when the environment names its endpoint, so that a
    /// test built on such an environment never reaches a real host.
    fn is_sandbox(&self) -> bool {
        false
    }
}

/// The real process environment and file system.
///
/// The home directory is `HOME`, else `USERPROFILE` (Windows).
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemEnv;

impl Env for SystemEnv {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok()
    }

    fn read_file(&self, path: &Path) -> io::Result<String> {
        std::fs::read_to_string(path)
    }

    fn home_dir(&self) -> Option<PathBuf> {
        ["HOME", "USERPROFILE"]
            .iter()
            .filter_map(std::env::var_os)
            .find(|v| !v.is_empty())
            .map(PathBuf::from)
    }
}

/// A fixed, in-memory environment.
///
/// Its `Debug` output lists variable names and file paths only, never values or contents.
///
/// ```
/// use acs_runtime::env::{Env, MemoryEnv};
/// let env = MemoryEnv::new()
///     .with_var("ALIBABA_CLOUD_REGION_ID", "cn-shanghai")
///     .with_home("/home/me")
///     .with_file("/home/me/.alibabacloud/credentials.ini", "[default]\n");
/// assert_eq!(env.var("ALIBABA_CLOUD_REGION_ID").as_deref(), Some("cn-shanghai"));
/// assert!(env.read_file("/nope".as_ref()).is_err());
/// ```
#[derive(Clone, Default)]
pub struct MemoryEnv {
    vars: HashMap<String, String>,
    files: HashMap<PathBuf, String>,
    home: Option<PathBuf>,
}

impl MemoryEnv {
    /// An empty environment: no variables, no files, no home directory.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets an environment variable.
    pub fn with_var(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.vars.insert(name.into(), value.into());
        self
    }

    /// Adds a file.
    pub fn with_file(mut self, path: impl Into<PathBuf>, content: impl Into<String>) -> Self {
        self.files.insert(path.into(), content.into());
        self
    }

    /// Sets the home directory.
    pub fn with_home(mut self, home: impl Into<PathBuf>) -> Self {
        self.home = Some(home.into());
        self
    }
}

impl fmt::Debug for MemoryEnv {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut vars: Vec<&String> = self.vars.keys().collect();
        vars.sort();
        let mut files: Vec<&PathBuf> = self.files.keys().collect();
        files.sort();
        f.debug_struct("MemoryEnv")
            .field("vars", &vars)
            .field("files", &files)
            .field("home", &self.home)
            .finish()
    }
}

impl Env for MemoryEnv {
    fn var(&self, name: &str) -> Option<String> {
        self.vars.get(name).cloned()
    }

    fn read_file(&self, path: &Path) -> io::Result<String> {
        self.files.get(path).cloned().ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::NotFound,
                format!("{} does not exist", path.display()),
            )
        })
    }

    fn home_dir(&self) -> Option<PathBuf> {
        self.home.clone()
    }

    fn is_sandbox(&self) -> bool {
        true
    }
}
