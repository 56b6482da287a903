//! The screen: how wide and tall it is, whether it takes colour, and showing output taller
//! than it through a pager (`$PAGER`, else `less -SR`).

use std::io::{self, IsTerminal, Write};
use std::process::{Command, Stdio};

/// What the terminal is, if there is one.
#[derive(Clone, Copy, Debug)]
pub struct Screen {
    pub stdin_tty: bool,
    pub stdout_tty: bool,
    pub stderr_tty: bool,
    /// Colour for what is typed: stdout is a terminal and `NO_COLOR` is not set.
    pub color: bool,
}

impl Screen {
    pub fn detect() -> Screen {
        let stdout_tty = io::stdout().is_terminal();
        Screen {
            stdin_tty: io::stdin().is_terminal(),
            stdout_tty,
            stderr_tty: io::stderr().is_terminal(),
            color: stdout_tty && std::env::var_os("NO_COLOR").is_none(),
        }
    }

    /// Columns: `$COLUMNS`, else the terminal's, else 120.
    pub fn width(&self) -> usize {
        env_number("COLUMNS")
            .or_else(|| terminal_size::terminal_size().map(|(w, _)| w.0 as usize))
            .unwrap_or(120)
    }

    /// Rows: `$LINES`, else the terminal's, else 40.
    pub fn height(&self) -> usize {
        env_number("LINES")
            .or_else(|| terminal_size::terminal_size().map(|(_, h)| h.0 as usize))
            .unwrap_or(40)
    }
}

fn env_number(name: &str) -> Option<usize> {
    std::env::var(name).ok()?.trim().parse().ok().filter(|n| *n > 0)
}

/// The pager command: `$PAGER`, else `less -SR` (long lines scroll sideways instead of
/// wrapping).
fn pager_command() -> String {
    std::env::var("PAGER")
        .ok()
        .filter(|p| !p.trim().is_empty())
        .unwrap_or_else(|| "less -SR".to_string())
}

/// Shows `text` on stdout; through the pager when stdout is a terminal and the text is
/// taller than the screen (the prompt and a status line need two rows).
pub fn show(text: &str, screen: &Screen) -> io::Result<()> {
    let tall = text.lines().count() + 2 > screen.height();
    if screen.stdout_tty && tall && page(text).is_ok() {
        return Ok(());
    }
    let mut out = io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()
}

fn page(text: &str) -> io::Result<()> {
    let mut command = Command::new("sh");
    command.arg("-c").arg(pager_command()).stdin(Stdio::piped());
    if std::env::var_os("LESSCHARSET").is_none() {
        command.env("LESSCHARSET", "utf-8");
    }
    let mut child = command.spawn()?;
    if let Some(mut stdin) = child.stdin.take() {
        // The reader may quit before reading everything.
        match stdin.write_all(text.as_bytes()) {
            Err(e) if e.kind() != io::ErrorKind::BrokenPipe => return Err(e),
            _ => {}
        }
    }
    let status = child.wait()?;
    if status.code() == Some(127) {
        // The shell could not find the pager: show the text as it is.
        return Err(io::Error::new(io::ErrorKind::NotFound, "no pager"));
    }
    Ok(())
}
