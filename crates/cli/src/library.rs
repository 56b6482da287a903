//! The shipped library that every `quarry` knows without being told: the macros and source
//! profiles of `queries/`, compiled into the binary. Files given on the command line add to
//! them (and replace definitions of the same name).

use quarry_engine::profile::{Profile, ProfileSet};
use quarry_syntax::spl::macros::MacroLibrary;
use quarry_syntax::Diagnostic;
use std::path::Path;

const MACROS_CONF: &str = include_str!("../../../queries/macros.conf");
const PROFILES: &[(&str, &str)] = &[
    (
        "queries/profiles/okta_im2.toml",
        include_str!("../../../queries/profiles/okta_im2.toml"),
    ),
    (
        "queries/profiles/sysmon_json.toml",
        include_str!("../../../queries/profiles/sysmon_json.toml"),
    ),
];

/// The shipped macros.
pub fn builtin_macros() -> MacroLibrary {
    let mut lib = MacroLibrary::new();
    // The shipped file is checked by the test suite; a failure here is a build defect.
    if let Err(e) = lib.load_conf(MACROS_CONF, "queries/macros.conf") {
        eprintln!("quarry: built-in macros: {e}");
    }
    lib
}

/// The shipped source profiles.
pub fn builtin_profiles() -> Result<ProfileSet, Diagnostic> {
    let mut set = ProfileSet::new();
    for (origin, text) in PROFILES {
        set.insert(Profile::parse(text, origin)?);
    }
    Ok(set)
}

/// Adds macro definitions from a file or directory: `macros.conf` files, security_content's
/// `macros/*.yml`, JSON lines of `{name, definition, arguments}`, or a directory of them.
pub fn load_macros(lib: &mut MacroLibrary, path: &Path) -> Result<usize, Diagnostic> {
    let io_error =
        |e: std::io::Error| Diagnostic::error(quarry_syntax::Code::Input, format!("{}: {}", path.display(), e));
    if path.is_dir() {
        let mut entries: Vec<_> = std::fs::read_dir(path)
            .map_err(io_error)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        entries.sort();
        let mut count = 0;
        for entry in entries {
            let ext = entry.extension().and_then(|e| e.to_str()).unwrap_or("");
            if matches!(ext, "yml" | "yaml" | "conf") {
                count += load_macros(lib, &entry)?;
            }
        }
        return Ok(count);
    }
    let text = std::fs::read_to_string(path).map_err(io_error)?;
    let name = path.display().to_string();
    match path.extension().and_then(|e| e.to_str()) {
        Some("yml" | "yaml") => lib.load_yaml(&text, &name).map(|_| 1),
        Some("jsonl" | "ndjson") => lib.load_json_lines(&text, &name),
        _ => lib.load_conf(&text, &name),
    }
}

/// Macro definitions kept next to rules in `dir`: `macros.conf`, a security_content
/// `macros/` directory, an app's `default/macros.conf`, in `dir` and its parents (nearest
/// last, so it wins). See [`crate::upstream::definitions_near`].
pub fn macros_near(dir: &Path) -> Vec<std::path::PathBuf> {
    crate::upstream::definitions_near(&dir.join("rule")).macros
}
