//! `quarry gen`: sample logs for demos, rule tests and benchmarks.

use crate::gen::plan::AttackKind;
use crate::gen::{generate_okta, GenError, OktaConfig, MAX_RATE};
use crate::Exit;
use clap::{Args, Subcommand};
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::time::Instant;

use super::Failure;

#[derive(Args, Debug)]
pub struct GenArgs {
    #[command(subcommand)]
    pub source: Source,
}

#[derive(Subcommand, Debug)]
pub enum Source {
    /// Okta System Log events (the LogEvent objects of /api/v1/logs), one JSON object a line.
    #[command(
        long_about = "Writes Okta System Log events (LogEvent objects as Okta's API returns \
them), one compact JSON object a line, in time order: a simulated org's users signing in \
(Identity Engine and Classic), answering Okta Verify pushes, opening apps, signing out; service \
integrations requesting tokens; admins changing groups. The same arguments always give the same \
bytes.\n\nAttacks are injected with --attacks and described, one JSON line each (kind, user, \
session, dtHash, addresses, time range, event uuids), in --truth:\n  push-fatigue          \
Identity Engine MFA bombing: pushes from the attacker, rejections from the victim's phone\n  \
classic-push-fatigue  two or more user.mfa.okta_verify.deny_push, then a single sign-on\n  \
session-cookie        a stolen session replayed: same dtHash from another IP and OS"
    )]
    Okta(OktaArgs),
}

#[derive(Args, Debug)]
pub struct OktaArgs {
    /// Number of events to write (exactly).
    #[arg(long, short = 'n', value_name = "N", default_value_t = 10_000)]
    pub events: u64,
    /// Seed of the random choices; the same seed gives the same log.
    #[arg(long, value_name = "S", default_value_t = 1)]
    pub seed: u64,
    /// Time of the first event (ISO 8601).
    #[arg(long, value_name = "TIME", default_value = "2024-03-04T00:00:00Z")]
    pub start: String,
    /// Average events per second (at most 1000) [default: 10].
    #[arg(long, value_name = "EVENTS_PER_SEC", conflicts_with = "span")]
    pub rate: Option<f64>,
    /// About how long the log covers, instead of a rate (the rate becomes events / span):
    /// e.g. 90m, 24h, 7d.
    #[arg(long, value_name = "DURATION")]
    pub span: Option<String>,
    /// Users in the org [default: one per 250 events, 20 to 5000].
    #[arg(long, value_name = "N")]
    pub users: Option<usize>,
    /// Write the events to FILE instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Write one JSON line per injected attack to FILE.
    #[arg(long, value_name = "FILE")]
    pub truth: Option<PathBuf>,
    /// Attacks to inject: KIND=COUNT,... with KIND push-fatigue, classic-push-fatigue or
    /// session-cookie (e.g. push-fatigue=2,session-cookie=1).
    #[arg(long, value_name = "LIST", value_parser = parse_attacks)]
    pub attacks: Option<Attacks>,
    /// Do not print the summary on stderr.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Attack kinds and counts, in the order given.
#[derive(Clone, Debug, Default)]
pub struct Attacks(pub Vec<(AttackKind, u32)>);

fn parse_attacks(text: &str) -> Result<Attacks, String> {
    let mut list = Vec::new();
    for item in text.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let (name, count) = item.split_once('=').unwrap_or((item, "1"));
        let kind = AttackKind::parse(name.trim()).ok_or_else(|| {
            let known: Vec<&str> = AttackKind::ALL.iter().map(|k| k.name()).collect();
            format!("unknown attack `{name}` (known: {})", known.join(", "))
        })?;
        let count: u32 = count
            .trim()
            .parse()
            .map_err(|_| format!("bad count `{count}` for `{name}`"))?;
        list.push((kind, count));
    }
    Ok(Attacks(list))
}

/// Milliseconds in a duration such as `90m`, `24h`, `7d`, `3600s` or `3600`.
fn parse_span(text: &str) -> Option<f64> {
    let digits = text
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(text.len());
    let n: f64 = text[..digits].parse().ok()?;
    let unit = match &text[digits..] {
        "" | "s" => 1_000.0,
        "ms" => 1.0,
        "m" => 60_000.0,
        "h" => 3_600_000.0,
        "d" => 86_400_000.0,
        _ => return None,
    };
    Some(n * unit).filter(|ms| *ms > 0.0)
}

pub fn run(args: GenArgs) -> Result<Exit, Failure> {
    match args.source {
        Source::Okta(args) => okta(args),
    }
}

fn okta(args: OktaArgs) -> Result<Exit, Failure> {
    let usage = |m: String| Failure::new(Exit::QueryError, m);
    let start_ns = quarry_engine::time::parse_iso8601_nanos(&args.start)
        .ok_or_else(|| usage(format!("--start: `{}` is not an ISO 8601 time", args.start)))?;
    let rate = match (&args.rate, &args.span) {
        (Some(rate), _) => *rate,
        (None, Some(span)) => {
            let ms =
                parse_span(span).ok_or_else(|| usage(format!("--span: bad duration `{span}` (e.g. 90m, 24h, 7d)")))?;
            args.events as f64 / (ms / 1000.0)
        }
        (None, None) => 10.0,
    };
    if !(rate > 0.0 && rate <= MAX_RATE) {
        return Err(usage(format!(
            "{rate:.1} events a second is out of range: at most {MAX_RATE} (events get distinct milliseconds)"
        )));
    }
    let config = OktaConfig {
        events: args.events,
        seed: args.seed,
        start_ms: start_ns.div_euclid(1_000_000),
        rate,
        users: args.users.unwrap_or_else(|| OktaConfig::default_users(args.events)),
        attacks: args.attacks.map(|a| a.0).unwrap_or_default(),
    };
    let create = |path: &PathBuf| {
        std::fs::File::create(path)
            .map(|f| BufWriter::with_capacity(1 << 20, f))
            .map_err(|e| Failure::new(Exit::InputError, format!("{}: {e}", path.display())))
    };
    let mut truth = args.truth.as_ref().map(create).transpose()?;
    let began = Instant::now();
    let result = match &args.output {
        Some(path) => {
            let mut file = create(path)?;
            generate_okta(&config, &mut file, truth.as_mut().map(|t| t as &mut dyn Write))
        }
        None => {
            let stdout = std::io::stdout();
            let mut out = BufWriter::with_capacity(1 << 20, stdout.lock());
            generate_okta(&config, &mut out, truth.as_mut().map(|t| t as &mut dyn Write))
        }
    };
    let summary = match result {
        Ok(summary) => summary,
        Err(GenError::Io(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => return Ok(Exit::Ok),
        Err(GenError::Io(e)) => return Err(Failure::new(Exit::InputError, format!("writing events: {e}"))),
        Err(GenError::Config(m)) => return Err(usage(m)),
    };
    if !args.quiet {
        let secs = began.elapsed().as_secs_f64().max(1e-9);
        eprintln!(
            "quarry: {} event(s), {:.1} MB, {} to {}, {} attack(s); {:.0} events/s",
            summary.events,
            summary.bytes as f64 / 1e6,
            crate::gen::json::timestamp_string(summary.first_ms),
            crate::gen::json::timestamp_string(summary.last_ms),
            summary.attacks,
            summary.events as f64 / secs
        );
    }
    Ok(Exit::Ok)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attack_lists_and_spans_parse() {
        let a = parse_attacks("push-fatigue=2, session-cookie").unwrap().0;
        assert_eq!(a, [(AttackKind::PushFatigue, 2), (AttackKind::SessionCookie, 1)]);
        assert!(parse_attacks("").unwrap().0.is_empty());
        assert!(parse_attacks("mfa-bomb=1").unwrap_err().contains("known: push-fatigue"));
        assert!(parse_attacks("push-fatigue=x").is_err());
        assert_eq!(parse_span("90m"), Some(5_400_000.0));
        assert_eq!(parse_span("2d"), Some(172_800_000.0));
        assert_eq!(parse_span("1.5h"), Some(5_400_000.0));
        assert_eq!(parse_span("0"), None);
        assert_eq!(parse_span("3w"), None);
    }
}
