//! `quarry repl` keeps a loaded log as compressed lines and parses them again for each query:
//! its answers are those of `quarry query` over the file, for searches, aggregations,
//! subsearches, time-ordered EQL over several logs, and logs with bad lines.
#![allow(clippy::unwrap_used)] // tests fail loudly by design

mod common;

use common::ScratchDir as Scratch;

use std::process::{Command, Stdio};

fn quarry() -> Command {
    let mut command = common::command();
    command.env_remove("QUARRY_REPL_PAUSE_MS");
    command
}

/// A generated Okta log of `events` events.
fn okta(scratch: &Scratch, name: &str, events: u32, seed: u32) -> String {
    let path = scratch.file(name);
    let status = quarry()
        .args([
            "gen",
            "okta",
            "--events",
            &events.to_string(),
            "--seed",
            &seed.to_string(),
        ])
        .args(["--output", &path])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    path
}

/// What `quarry query` prints as JSON lines.
fn query(text: &str, files: &[&str]) -> String {
    let output = quarry()
        .args([
            "query",
            "--quiet",
            "--format",
            "json",
            "--sourcetype",
            "OktaIM2:log",
            text,
        ])
        .args(files)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap()
}

/// What the shell prints for each query of a script, as JSON lines, and its messages.
fn repl(queries: &[&str], files: &[&str]) -> (String, String) {
    let mut child = quarry()
        .args(["repl", "--format", "json", "--sourcetype", "OktaIM2:log"])
        .args(files)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let script: String = queries.iter().map(|q| format!("{q}\n")).collect();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), script.as_bytes()).unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    (
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

fn lines(text: &str) -> usize {
    text.lines().count()
}

#[test]
fn queries_over_the_loaded_log_answer_as_over_the_file() {
    let scratch = Scratch::new("same");
    let log = okta(&scratch, "okta.ndjson", 3000, 7);
    let queries = [
        "| stats count by eventType | sort eventType",
        "eventType=user.session.start outcome.result=FAILURE | table _time actor.alternateId client.ipAddress",
        "| stats dc(client.ipAddress) as ips values(outcome.result) as results by actor.alternateId | sort actor.alternateId",
        "| head 5 | table _raw",
        "[search eventType=user.account.lock | head 3 | fields actor.alternateId] | stats count by eventType | sort eventType",
    ];
    let expected: Vec<String> = queries.iter().map(|q| query(q, &[&log])).collect();
    for (q, answer) in queries.iter().zip(&expected) {
        assert!(lines(answer) > 0, "{q} gave nothing");
        let (got, _) = repl(&[q], &[&log]);
        assert_eq!(&got, answer, "{q}");
    }
}

#[test]
fn eql_over_several_loaded_logs_merges_them_by_time_as_over_the_files() {
    let scratch = Scratch::new("eql");
    let a = okta(&scratch, "a.ndjson", 1500, 3);
    let b = okta(&scratch, "b.ndjson", 1500, 4);
    let eql = "sequence by actor.alternateId [any where eventType == \"user.session.start\"] [any where eventType == \"user.session.start\"]";
    let expected = query(eql, &[&a, &b]);
    assert!(lines(&expected) > 0);
    let (got, _) = repl(&[eql], &[&a, &b]);
    assert_eq!(got, expected);
}

#[test]
fn bad_lines_are_reported_once_and_events_keep_their_lines() {
    let scratch = Scratch::new("bad");
    let log = scratch.file("bad.ndjson");
    let text = "{\"_time\":\"2024-01-01T00:00:01Z\",\"n\":1}\nnot json\n\n{\"_time\":\"2024-01-01T00:00:02Z\",\"n\":2}\n[1]\n{\"_time\":\"2024-01-01T00:00:03Z\",\"n\":3}\n";
    std::fs::write(&log, text).unwrap();
    let q = "| stats count sum(n) as total";
    let expected = query(q, &[&log]);
    let (got, messages) = repl(&[q, q], &[&log]);
    assert_eq!(got, format!("{expected}{expected}"));
    assert_eq!(messages.matches("bad.ndjson:2:").count(), 1, "{messages}");
    assert_eq!(messages.matches("bad.ndjson:5:").count(), 1, "{messages}");
    assert!(messages.contains("3 events, 2 bad line(s)"), "{messages}");
}

#[test]
fn the_loaded_form_is_much_smaller_than_the_log() {
    let scratch = Scratch::new("size");
    let log = okta(&scratch, "okta.ndjson", 5000, 11);
    let size = std::fs::metadata(&log).unwrap().len();
    let (_, messages) = repl(&[".sources"], &[&log]);
    // `loaded …: … kept in 1.2 MB (11% of its size)`
    let share: f64 = messages
        .split("kept in ")
        .nth(1)
        .and_then(|rest| rest.split('(').nth(1))
        .and_then(|rest| rest.split('%').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no size in {messages}"));
    assert!(share < 25.0, "{share}% of a {size} byte log: {messages}");
    // `.sources` says what the logs are kept in.
    let total = messages
        .lines()
        .find(|l| l.starts_with("1 source(s)"))
        .unwrap_or_default();
    assert!(total.contains("5,000 events, kept in "), "{messages}");
}

#[test]
fn a_gzip_log_is_kept_as_its_lines() {
    use std::io::Write;
    let scratch = Scratch::new("gzip");
    let log = okta(&scratch, "okta.ndjson", 2000, 5);
    let gz = scratch.file("okta.ndjson.gz");
    let mut encoder = flate2::write::GzEncoder::new(std::fs::File::create(&gz).unwrap(), flate2::Compression::fast());
    encoder.write_all(&std::fs::read(&log).unwrap()).unwrap();
    encoder.finish().unwrap();
    let q = "| stats count by outcome.result | sort outcome.result";
    let expected = query(q, &[&log]);
    assert!(lines(&expected) > 1);
    let (got, _) = repl(&[q], &[&gz]);
    assert_eq!(got, expected);
}
