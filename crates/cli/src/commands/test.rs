//! `quarry test`: runs the test cases rule files declare — a log and the alerts the rule must
//! give on it, true positives and false positives — and shows a diff for each failure.

use super::run::{alert_json, result_field, run_prepared, Preparer};
use super::{EqlFlags, Failure, InputFlags};
use crate::output::show;
use crate::rules::{collect, Rule, RuleTest, TestKind};
use crate::Exit;
use clap::Args;
use quarry_engine::event::Event;
use quarry_engine::value::Value;
use std::fmt::Write as _;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct TestArgs {
    /// Rule files, or directories searched for them.
    #[arg(default_value = "queries")]
    pub rules: Vec<PathBuf>,
    /// Only run tests whose rule or test name contains this text.
    #[arg(long, value_name = "TEXT")]
    pub filter: Option<String>,
    #[command(flatten)]
    pub input: InputFlags,
    #[command(flatten)]
    pub eql: EqlFlags,
}

/// The outcome of one test case.
pub struct CaseResult {
    pub rule: String,
    pub test: String,
    pub kind: TestKind,
    /// Empty when the case passed; otherwise what differed, a line each.
    pub problems: Vec<String>,
}

impl CaseResult {
    pub fn passed(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Everything `quarry test` found.
#[derive(Default)]
pub struct TestReport {
    pub cases: Vec<CaseResult>,
    /// Rule files that could not be loaded, and test cases that could not run: what, and why.
    pub broken: Vec<(String, String)>,
    /// Rules lacking a true-positive or a false-positive case.
    pub incomplete: Vec<String>,
}

impl TestReport {
    pub fn passed(&self) -> usize {
        self.cases.iter().filter(|c| c.passed()).count()
    }

    pub fn failed(&self) -> usize {
        self.cases.len() - self.passed() + self.broken.len()
    }
}

/// Runs the test cases of every rule under `paths`.
pub fn run_tests(
    paths: &[PathBuf],
    flags: &InputFlags,
    eql: &EqlFlags,
    filter: Option<&str>,
) -> Result<TestReport, Failure> {
    let files = collect(paths).map_err(|d| Failure::new(Exit::InputError, d.message))?;
    let mut report = TestReport::default();
    let quiet = InputFlags {
        quiet: true,
        ..flags.clone()
    };
    let mut preparer = Preparer::new(&quiet, eql);
    for path in files {
        let rule = match Rule::load(&path) {
            Ok(rule) => rule,
            Err(d) => {
                report.broken.push((path.display().to_string(), d.message));
                continue;
            }
        };
        let kinds = |k: TestKind| rule.file.tests.iter().any(|t| t.kind == k);
        let attack = kinds(TestKind::TruePositive) || kinds(TestKind::FalseNegative);
        if !attack || !kinds(TestKind::FalsePositive) {
            report.incomplete.push(rule.file.name.clone());
        }
        for test in &rule.file.tests {
            let selected = filter.is_none_or(|f| rule.file.name.contains(f) || test.name.contains(f));
            if !selected {
                continue;
            }
            match run_case(&mut preparer, &rule, test, &quiet) {
                Ok(case) => report.cases.push(case),
                Err(failure) => report
                    .broken
                    .push((format!("{} › {}", rule.file.name, test.name), failure.message)),
            }
        }
    }
    Ok(report)
}

fn run_case(preparer: &mut Preparer, rule: &Rule, test: &RuleTest, flags: &InputFlags) -> Result<CaseResult, Failure> {
    let prepared = preparer.prepare(rule.clone(), &test.parameters, test.sourcetype.as_deref())?;
    // The rule as it ran: its message has the test's parameters filled in.
    let ran = prepared.rule.clone();
    let inputs: Vec<String> = rule.test_inputs(test).iter().map(|p| p.display().to_string()).collect();
    let mut alerts: Vec<Event> = Vec::new();
    let passes = run_prepared(vec![prepared], &inputs, flags, preparer.geoip(), &mut |_, event| {
        alerts.push(event)
    });
    let mut problems = Vec::new();
    for pass in &passes {
        for e in &pass.read.errors {
            problems.push(format!("input {e}"));
        }
        if pass.read.bad_lines > 0 {
            problems.push(format!("the test log has {} bad line(s)", pass.read.bad_lines));
        }
    }
    alerts.sort_by(|a, b| {
        let time = |e: &Event| result_field(e, "_time").as_number().unwrap_or(f64::INFINITY);
        time(a).total_cmp(&time(b))
    });
    if alerts.len() != test.alerts {
        problems.push(format!("expected {} alert(s), got {}", test.alerts, alerts.len()));
        for (k, alert) in alerts.iter().enumerate() {
            problems.push(format!("  got alert {}: {}", k + 1, summary(&ran, alert)));
        }
    }
    for (k, (expected, alert)) in test.expect.iter().zip(&alerts).enumerate() {
        for (field, want) in expected {
            let got = alert_value(&ran, alert, field);
            if !same(want, &got) {
                problems.push(format!(
                    "alert {}: {field}: expected {}, got {}",
                    k + 1,
                    toml_text(want),
                    value_text(&got)
                ));
            }
        }
    }
    Ok(CaseResult {
        rule: rule.file.name.clone(),
        test: test.name.clone(),
        kind: test.kind,
        problems,
    })
}

/// A key field of an alert: a field of the result, or the alert's own `message`.
fn alert_value(rule: &Rule, alert: &Event, field: &str) -> Value {
    if field == "message" {
        return Value::from(rule.message_for(&|n| result_field(alert, n)));
    }
    show(field, &result_field(alert, field))
}

fn summary(rule: &Rule, alert: &Event) -> String {
    let json = alert_json(rule, alert);
    let message = json["message"].as_str().unwrap_or_default();
    match show("_time", &result_field(alert, "_time")) {
        Value::Null => message.to_string(),
        time => format!("{} {message}", time.display_text()),
    }
}

/// Does an expected TOML value describe this field value? Text compares exactly, numbers
/// numerically, arrays as multivalue fields in order.
fn same(want: &toml::Value, got: &Value) -> bool {
    match want {
        toml::Value::Array(items) => {
            let values: Vec<Value> = got.iter().cloned().collect();
            items.len() == values.len() && items.iter().zip(&values).all(|(w, g)| same(w, g))
        }
        toml::Value::Integer(n) => got.as_number() == Some(*n as f64),
        toml::Value::Float(f) => got.as_number() == Some(*f),
        toml::Value::Boolean(b) => got.display_text() == b.to_string(),
        toml::Value::String(s) => !got.is_null() && got.display_text() == *s,
        _ => false,
    }
}

fn toml_text(value: &toml::Value) -> String {
    value.to_string()
}

fn value_text(value: &Value) -> String {
    match value {
        Value::Null => "nothing".into(),
        Value::Multi(items) => format!("[{}]", items.iter().map(value_text).collect::<Vec<_>>().join(", ")),
        other => match other.as_number() {
            Some(_) if !matches!(other, Value::Str(_)) => other.display_text(),
            _ => format!("{:?}", other.display_text()),
        },
    }
}

fn kind_text(kind: TestKind) -> &'static str {
    match kind {
        TestKind::TruePositive => "true positive",
        TestKind::FalsePositive => "false positive",
        TestKind::FalseNegative => "false negative",
    }
}

/// The report as people read it: a line per case, the differences under each failure, and
/// the count.
pub fn render(report: &TestReport) -> String {
    let mut out = String::new();
    for case in &report.cases {
        let status = if case.passed() { "ok  " } else { "FAIL" };
        let _ = writeln!(out, "{status} {} › {} ({})", case.rule, case.test, kind_text(case.kind));
        for problem in &case.problems {
            let _ = writeln!(out, "       {problem}");
        }
    }
    let mut shown: Vec<&str> = Vec::new();
    for (what, why) in &report.broken {
        // A rule that does not compile fails every case the same way: say why once.
        if shown.contains(&why.as_str()) {
            let _ = writeln!(out, "FAIL {what}: as above");
        } else {
            let _ = writeln!(out, "FAIL {what}:\n{why}");
            shown.push(why);
        }
    }
    for rule in &report.incomplete {
        let _ = writeln!(
            out,
            "warning: {rule} lacks an attack (true- or false-negative) or a false-positive test"
        );
    }
    let _ = writeln!(out, "{} passed, {} failed", report.passed(), report.failed());
    out
}

pub fn run(args: TestArgs) -> Result<Exit, Failure> {
    let report = run_tests(&args.rules, &args.input, &args.eql, args.filter.as_deref())?;
    print!("{}", render(&report));
    if report.cases.is_empty() && report.broken.is_empty() {
        eprintln!("quarry: no tests found");
        return Ok(Exit::QueryError);
    }
    Ok(if report.failed() > 0 {
        Exit::QueryError
    } else {
        Exit::Ok
    })
}
