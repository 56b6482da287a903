//! `quarry repl`: an interactive shell over logs held in memory.
//!
//! Logs are read and parsed once (`load`) and kept as compressed lines (`store`); every query
//! parses them again as it runs (`exec`), batch by batch so that Ctrl-C can stop it. The line editor completes names
//! (`complete`), colours and hints what is typed (`highlight`), and waits for more lines
//! while a query is unfinished (`validate`); dot commands (`dot`) load logs, list fields
//! (`catalog`), explain plans (`explain`) and change settings (`session`). Results are tables
//! fitted to the terminal (`crate::fit`), paged when taller than it (`pager`).
//!
//! Without a terminal on stdin the shell reads entries line by line, so a file of queries
//! can be piped in.

pub mod catalog;
pub mod complete;
pub mod dot;
pub mod exec;
pub mod explain;
pub mod helper;
pub mod highlight;
pub mod lex;
pub mod load;
pub mod pager;
pub mod session;
pub mod store;
pub mod validate;

use crate::commands::{EqlFlags, Failure, InputFlags};
use crate::lang::Lang;
use crate::output::Format;
use crate::Exit;
use helper::ReplHelper;
use rustyline::error::ReadlineError;
use rustyline::history::FileHistory;
use rustyline::{Config, Editor};
use session::{Next, Session};
use std::io::BufRead;
use std::path::PathBuf;
use std::sync::atomic::Ordering;

/// Environment variable naming the history file (empty: keep no history).
pub const HISTORY_VAR: &str = "QUARRY_HISTORY";

/// How a session starts.
pub struct Options {
    pub files: Vec<String>,
    pub lang: Option<Lang>,
    pub format: Format,
    pub input: InputFlags,
    pub eql: EqlFlags,
}

/// Where history is kept: `$QUARRY_HISTORY`, else `$XDG_STATE_HOME/quarry/history`, else
/// `~/.local/state/quarry/history`.
pub fn history_path() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os(HISTORY_VAR) {
        return (!path.is_empty()).then(|| PathBuf::from(path));
    }
    let state = std::env::var_os("XDG_STATE_HOME")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".local/state")))?;
    Some(state.join("quarry").join("history"))
}

/// One entry read from the user.
enum Entry {
    Text(String),
    /// Ctrl-C at the prompt.
    Interrupted,
    /// Ctrl-D or the end of input.
    End,
}

/// Reads entries: a line editor on a terminal, plain lines otherwise.
enum Reader {
    Editor {
        editor: Box<Editor<ReplHelper, FileHistory>>,
        history: Option<PathBuf>,
    },
    Plain {
        stdin: std::io::StdinLock<'static>,
    },
}

impl Reader {
    fn new(session: &Session) -> Result<Reader, Failure> {
        if !session.screen.stdin_tty {
            return Ok(Reader::Plain {
                stdin: std::io::stdin().lock(),
            });
        }
        let config = Config::builder()
            .max_history_size(10_000)
            .map_err(|e| Failure::new(Exit::InputError, e.to_string()))?
            .history_ignore_dups(true)
            .map_err(|e| Failure::new(Exit::InputError, e.to_string()))?
            .history_ignore_space(true)
            .auto_add_history(false)
            .completion_type(rustyline::CompletionType::List)
            .build();
        let mut editor: Editor<ReplHelper, FileHistory> =
            Editor::with_config(config).map_err(|e| Failure::new(Exit::InputError, e.to_string()))?;
        editor.set_helper(Some(ReplHelper::new(session.screen.color)));
        let history = history_path();
        if let Some(path) = &history {
            if let Some(dir) = path.parent() {
                let _ = std::fs::create_dir_all(dir);
            }
            if path.exists() {
                if let Err(e) = editor.load_history(path) {
                    eprintln!("quarry: note: history {}: {e}", path.display());
                }
            }
        }
        Ok(Reader::Editor {
            editor: Box::new(editor),
            history,
        })
    }

    /// Tells the editor what completion and colouring need to know now.
    fn refresh(&mut self, session: &Session) {
        if let Reader::Editor { editor, .. } = self {
            if let Some(helper) = editor.helper_mut() {
                helper.vocabulary = session.vocabulary();
                helper.lang = session.lang;
            }
        }
    }

    fn read(&mut self, prompt: &str, lang: Option<Lang>) -> Result<Entry, Failure> {
        match self {
            Reader::Editor { editor, .. } => match editor.readline(prompt) {
                Ok(text) => Ok(Entry::Text(text)),
                Err(ReadlineError::Interrupted) => Ok(Entry::Interrupted),
                Err(ReadlineError::Eof) => Ok(Entry::End),
                Err(e) => Err(Failure::new(Exit::InputError, format!("reading input: {e}"))),
            },
            Reader::Plain { stdin } => {
                let mut text = String::new();
                loop {
                    let mut line = String::new();
                    let n = stdin
                        .read_line(&mut line)
                        .map_err(|e| Failure::new(Exit::InputError, format!("reading input: {e}")))?;
                    if n == 0 {
                        return Ok(if text.trim().is_empty() {
                            Entry::End
                        } else {
                            Entry::Text(text)
                        });
                    }
                    text.push_str(&line);
                    if validate::is_complete(text.trim_end_matches(['\n', '\r']), lang) {
                        return Ok(Entry::Text(text.trim_end_matches(['\n', '\r']).to_string()));
                    }
                }
            }
        }
    }

    fn remember(&mut self, entry: &str) {
        if let Reader::Editor { editor, history } = self {
            if editor.add_history_entry(entry).unwrap_or(false) {
                if let Some(path) = history {
                    if let Err(e) = editor.append_history(path) {
                        eprintln!("quarry: note: history {}: {e}", path.display());
                    }
                }
            }
        }
    }
}

pub fn run(options: Options) -> Result<Exit, Failure> {
    let mut session = Session::new(options.input, options.eql, options.lang, options.format)?;
    let (cancel, busy) = (session.cancel.clone(), session.busy.clone());
    let interactive = session.screen.stdin_tty;
    // Ctrl-C cancels what runs; without a terminal to type at, Ctrl-C between commands ends
    // the session as it would end any other program reading a script.
    let on_interrupt = move || {
        cancel.store(true, Ordering::Relaxed);
        if !interactive && !busy.load(Ordering::Relaxed) {
            std::process::exit(130);
        }
    };
    if let Err(e) = ctrlc::set_handler(on_interrupt) {
        eprintln!("quarry: note: Ctrl-C will not cancel queries: {e}");
    }
    if session.screen.stdin_tty {
        eprintln!(
            "Quarry {} — SPL and EQL over logs in memory. .help lists commands; Ctrl-D leaves.",
            env!("CARGO_PKG_VERSION")
        );
    }
    for file in &options.files {
        session.arm();
        session.load(file, None);
        session.idle();
    }
    let mut reader = Reader::new(&session)?;
    loop {
        reader.refresh(&session);
        let text = match reader.read(&session.prompt(), session.lang)? {
            Entry::Text(text) => text,
            Entry::Interrupted => continue,
            Entry::End => break,
        };
        let entry = text.trim();
        if entry.is_empty() {
            continue;
        }
        reader.remember(text.trim_end());
        session.arm();
        let next = if entry.starts_with('.') {
            dot::run(&mut session, entry)
        } else {
            session.query(entry);
            Next::Continue
        };
        session.idle();
        if next == Next::Quit {
            break;
        }
    }
    if let Some(mut out) = session.output.take() {
        std::io::Write::flush(&mut out.file).ok();
    }
    Ok(Exit::Ok)
}
