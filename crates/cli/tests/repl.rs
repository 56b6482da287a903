//! `quarry repl` driven through a pseudo-terminal, as a person would: queries, completion,
//! errors, Ctrl-C, history and Ctrl-D. Colours are off (`NO_COLOR`), the width is fixed
//! (`COLUMNS`), and the pager is `cat`.
#![allow(clippy::unwrap_used)] // tests fail loudly by design

use expectrl::{ControlCode, Eof, Session, WaitStatus};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

const OKTA: &str = "tests/fixtures/okta";

/// A history file of this test's own.
fn history(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("quarry-repl-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::remove_file(&path).ok();
    path
}

fn command(args: &[&str], history: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_quarry"));
    command
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .env("COLUMNS", "120")
        .env("LINES", "500")
        .env("TERM", "xterm")
        .env("PAGER", "cat")
        .env("QUARRY_HISTORY", history)
        .env_remove("QUARRY_REPL_PAUSE_MS")
        .env_remove("QUARRY_GEOIP");
    command
}

/// A shell at its first prompt.
fn start(command: Command) -> Session {
    let mut session = Session::spawn(command).unwrap();
    session.set_expect_timeout(Some(Duration::from_secs(60)));
    session.expect("quarry> ").unwrap();
    session
}

fn repl(files: &[&str], history_name: &str) -> Session {
    let mut args = vec!["repl", "--sourcetype", "OktaIM2:log"];
    let paths: Vec<String> = files.iter().map(|f| format!("{OKTA}/{f}")).collect();
    args.extend(paths.iter().map(String::as_str));
    start(command(&args, &history(history_name)))
}

/// Waits for `text`, returning everything up to it.
fn until(session: &mut Session, text: &str) -> String {
    let found = session
        .expect(text)
        .unwrap_or_else(|e| panic!("waiting for {text:?}: {e}"));
    String::from_utf8_lossy(found.before()).into_owned()
}

/// Leaves with Ctrl-D and checks the exit status. A Ctrl-D that arrives before the editor
/// reads the terminal is lost, so it is sent again until the shell ends.
fn leave(mut session: Session) {
    session.set_expect_timeout(Some(Duration::from_secs(3)));
    let mut ended = false;
    for _ in 0..20 {
        session.send(ControlCode::EndOfTransmission).unwrap();
        if session.expect(Eof).is_ok() {
            ended = true;
            break;
        }
    }
    assert!(ended, "the shell did not end on Ctrl-D");
    let status = session.get_process().wait().unwrap();
    assert!(matches!(status, WaitStatus::Exited(_, 0)), "{status:?}");
}

#[test]
fn a_query_shows_a_table_then_the_count() {
    let mut s = repl(&["benign.ndjson"], "table");
    s.send_line("eventType=user.session.start | stats count by user")
        .unwrap();
    let table = until(&mut s, "3 results in");
    assert!(table.contains("user               count"), "{table}");
    assert!(table.contains("alice@example.com  1"), "{table}");
    assert!(table.contains("dave@example.com   1"), "{table}");
    until(&mut s, "quarry> ");
    leave(s);
}

#[test]
fn an_eql_sequence_finds_push_fatigue() {
    let mut s = repl(&["push_fatigue_classic.ndjson"], "eql");
    s.send_line(
        "sequence by user.email with maxspan=10m \
         [any where event.action == \"user.mfa.okta_verify.deny_push\"] \
         [any where event.action == \"user.mfa.okta_verify.deny_push\"] \
         [any where event.action == \"user.authentication.sso\"]",
    )
    .unwrap();
    let table = until(&mut s, "2 results in");
    assert!(table.contains("join_keys"), "{table}");
    assert!(table.contains("erin@example.com"), "{table}");
    assert!(table.contains("judy@example.com"), "{table}");
    until(&mut s, "quarry> ");
    leave(s);
}

#[test]
fn tab_completes_a_nested_field_name() {
    let mut s = repl(&["benign.ndjson"], "complete");
    s.send("eventType=user.session.start | stats count by client.geographicalContext.ci")
        .unwrap();
    s.send("\t").unwrap();
    until(&mut s, "city");
    s.send("\r").unwrap();
    let table = until(&mut s, "results in");
    assert!(table.contains("client.geographicalContext.city  count"), "{table}");
    assert!(table.contains("Denver"), "{table}");
    leave(s);
}

#[test]
fn the_field_catalog_lists_fields_with_coverage_and_top_values() {
    let mut s = repl(&["benign.ndjson"], "fields");
    s.send_line(".fields geographicalContext.c").unwrap();
    let listing = until(&mut s, "field(s) over 18 events");
    assert!(listing.contains("top values"), "{listing}");
    let city = listing
        .lines()
        .find(|l| l.starts_with("client.geographicalContext.city "))
        .unwrap_or_else(|| panic!("{listing}"));
    assert!(city.contains("string"), "{city}");
    assert!(city.contains("100.0%"), "{city}");
    assert!(city.contains("Denver ("), "{city}");
    leave(s);
}

#[test]
fn a_bad_query_shows_a_caret_and_the_session_goes_on() {
    let mut s = repl(&["benign.ndjson"], "errors");
    s.send_line("| stats count by").unwrap();
    until(&mut s, "expected a field name");
    let error = until(&mut s, "^");
    assert!(error.contains("1 | | stats count by"), "{error}");
    s.send_line("| stats count").unwrap();
    let table = until(&mut s, "1 result in");
    assert!(table.contains("18"), "{table}");
    leave(s);
}

#[test]
fn a_query_continues_after_a_trailing_pipe() {
    let mut s = repl(&["benign.ndjson"], "multiline");
    s.send_line("eventType=user.session.start |").unwrap();
    s.send_line("stats count by user").unwrap();
    let table = until(&mut s, "3 results in");
    assert!(table.contains("carol@example.com"), "{table}");
    leave(s);
}

#[test]
fn ctrl_c_cancels_a_running_query_and_keeps_the_session() {
    let mut command = command(
        &["repl", "--sourcetype", "OktaIM2:log", &format!("{OKTA}/benign.ndjson")],
        &history("cancel"),
    );
    // One event a second: the query runs long enough to be interrupted.
    command.env("QUARRY_REPL_PAUSE_MS", "1000");
    let mut s = start(command);
    s.send_line("| stats count by eventType").unwrap();
    until(&mut s, "Ctrl-C cancels");
    s.send(ControlCode::EndOfText).unwrap();
    let said = until(&mut s, "quarry> ");
    assert!(said.contains("cancelled after"), "{said}");
    assert!(said.contains("of 18 events"), "{said}");
    s.send_line(".sources").unwrap();
    let listing = until(&mut s, "1 source(s), 18 events");
    assert!(listing.contains("benign.ndjson"), "{listing}");
    leave(s);
}

#[test]
fn ctrl_c_at_the_prompt_clears_the_line() {
    let mut s = repl(&["benign.ndjson"], "clear");
    s.send("this is not a query").unwrap();
    s.send(ControlCode::EndOfText).unwrap();
    until(&mut s, "quarry> ");
    s.send_line("| stats count").unwrap();
    let table = until(&mut s, "1 result in");
    assert!(table.contains("18"), "{table}");
    leave(s);
}

#[test]
fn history_is_kept_and_the_up_arrow_recalls_it() {
    let path = history("recall");
    let args = [
        "repl",
        "--sourcetype",
        "OktaIM2:log",
        "tests/fixtures/okta/benign.ndjson",
    ];
    let mut s = start(command(&args, &path));
    s.send_line("eventType=user.session.start | stats count").unwrap();
    until(&mut s, "1 result in");
    until(&mut s, "quarry> ");
    leave(s);
    let saved = std::fs::read_to_string(&path).unwrap();
    assert!(saved.contains("eventType=user.session.start | stats count"), "{saved}");

    // A new session recalls it.
    let mut s = start(command(&args, &path));
    s.send("\x1b[A").unwrap();
    until(&mut s, "eventType=user.session.start | stats count");
    s.send("\r").unwrap();
    let table = until(&mut s, "1 result in");
    assert!(table.contains("count"), "{table}");
    leave(s);
}

#[test]
fn plain_quarry_at_a_terminal_starts_the_shell() {
    let mut s = start(command(&[], &history("plain")));
    s.send_line(".help").unwrap();
    let help = until(&mut s, "Keys:");
    assert!(help.contains(".load FILE [--sourcetype NAME]"), "{help}");
    s.send_line(".quit").unwrap();
    s.expect(Eof).unwrap();
    let status = s.get_process().wait().unwrap();
    assert!(matches!(status, WaitStatus::Exited(_, 0)), "{status:?}");
}

#[test]
fn plain_quarry_without_a_terminal_prints_usage() {
    let output = command(&[], &history("usage"))
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("Usage: quarry <COMMAND>"), "{stderr}");
}

#[test]
fn queries_can_be_piped_in() {
    let mut child = command(
        &["repl", "--sourcetype", "OktaIM2:log", &format!("{OKTA}/benign.ndjson")],
        &history("piped"),
    )
    .stdin(std::process::Stdio::piped())
    .stdout(std::process::Stdio::piped())
    .stderr(std::process::Stdio::piped())
    .spawn()
    .unwrap();
    let input = ".format csv\neventType=user.session.start |\n  stats count by user\n.explain | stats count\n";
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), input.as_bytes()).unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success());
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.starts_with("user,count\nalice@example.com,1\n"), "{stdout}");
    assert!(stdout.contains("Aggregate: 1 aggregation(s)"), "{stdout}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("3 results in"), "{stderr}");
}

#[test]
fn ctrl_c_ends_a_session_that_reads_a_script() {
    use std::io::BufRead;
    let mut child = command(
        &["repl", "--sourcetype", "OktaIM2:log", &format!("{OKTA}/benign.ndjson")],
        &history("script-interrupt"),
    )
    .stdin(std::process::Stdio::piped())
    .stdout(std::process::Stdio::null())
    .stderr(std::process::Stdio::piped())
    .spawn()
    .unwrap();
    // Loaded, and waiting for the next line of the script.
    let mut stderr = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    while !line.starts_with("loaded ") {
        line.clear();
        assert!(stderr.read_line(&mut line).unwrap() > 0, "no load line");
    }
    // The load line comes just before the session starts waiting: interrupt until it ends.
    let mut status = None;
    for _ in 0..50 {
        let killed = Command::new("kill")
            .args(["-INT", &child.id().to_string()])
            .status()
            .unwrap();
        assert!(killed.success());
        std::thread::sleep(Duration::from_millis(200));
        status = child.try_wait().unwrap();
        if status.is_some() {
            break;
        }
    }
    assert_eq!(status.and_then(|s| s.code()), Some(130));
    drop(child.stdin.take());
}
