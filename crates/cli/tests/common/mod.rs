//! Helpers shared by the command-line suites: run the `quarry` binary from the workspace root,
//! read its output as text, and scratch files and directories removed afterwards.
#![allow(dead_code, clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The workspace root (where `queries/` and `tests/fixtures/` are).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The `quarry` binary, run from the workspace root, without colour and without a GeoIP
/// database from the environment.
pub fn command() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_quarry"));
    command
        .current_dir(root())
        .env("NO_COLOR", "1")
        .env_remove("QUARRY_GEOIP");
    command
}

/// Runs `quarry` with `args` and waits for it.
pub fn quarry(args: &[&str]) -> Output {
    command().args(args).output().expect("quarry runs")
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The directory of this test binary's scratch files.
fn scratch_dir() -> PathBuf {
    let suite = std::env::current_exe()
        .ok()
        .and_then(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .unwrap_or_default();
    std::env::temp_dir().join(format!("quarry-cli-{suite}-{}", std::process::id()))
}

/// A scratch file that is removed afterwards.
pub struct Scratch(PathBuf);

impl Scratch {
    /// Where a scratch file named `name` goes (its directory is made).
    pub fn path_for(name: &str) -> PathBuf {
        let dir = scratch_dir();
        std::fs::create_dir_all(&dir).unwrap();
        dir.join(name)
    }

    pub fn new(name: &str, content: impl AsRef<[u8]>) -> Scratch {
        let path = Scratch::path_for(name);
        std::fs::write(&path, content).unwrap();
        Scratch(path)
    }

    /// Takes charge of a file made elsewhere (a sparse file, say).
    pub fn adopt(path: PathBuf) -> Scratch {
        Scratch(path)
    }

    pub fn path(&self) -> &str {
        self.0.to_str().unwrap()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        std::fs::remove_file(&self.0).ok();
    }
}

/// A scratch directory that is removed afterwards.
pub struct ScratchDir(PathBuf);

impl ScratchDir {
    pub fn new(name: &str) -> ScratchDir {
        let dir = scratch_dir().join(name);
        std::fs::create_dir_all(&dir).unwrap();
        ScratchDir(dir)
    }

    pub fn file(&self, name: &str) -> String {
        self.0.join(name).display().to_string()
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        std::fs::remove_dir_all(&self.0).ok();
    }
}
