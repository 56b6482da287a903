//! Sample log generators. `okta` writes a deterministic Okta System Log: a simulated org's
//! users signing in, using apps and being administered, with attacks injected on request and
//! described in a separate truth file.
//!
//! The same configuration always gives the same bytes: all randomness comes from [`rng`]
//! (xoshiro256** seeded by SplitMix64), and nothing depends on hash-map order or the platform.

pub mod catalog;
pub mod json;
pub mod okta;
pub mod org;
pub mod plan;
pub mod rng;

use plan::{AttackKind, Episode, Planner, Truth};
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::io::{self, Write};

/// What to generate.
#[derive(Clone, Debug)]
pub struct OktaConfig {
    /// Number of events, exactly.
    pub events: u64,
    pub seed: u64,
    /// Time of the first event, in milliseconds since the epoch.
    pub start_ms: i64,
    /// Average events per second (at most [`MAX_RATE`]).
    pub rate: f64,
    pub users: usize,
    /// How many attacks of each kind to inject.
    pub attacks: Vec<(AttackKind, u32)>,
}

/// Events get distinct millisecond timestamps, so no more than this many a second.
pub const MAX_RATE: f64 = 1000.0;

impl OktaConfig {
    /// The default number of users for a number of events: one per 250 events, 20 to 5,000.
    pub fn default_users(events: u64) -> usize {
        (events / 250).clamp(20, 5000) as usize
    }
}

/// What was generated.
#[derive(Clone, Debug, Default)]
pub struct Summary {
    pub events: u64,
    pub bytes: u64,
    pub first_ms: i64,
    pub last_ms: i64,
    pub attacks: usize,
}

/// A configuration that cannot be generated, or a failed write.
#[derive(Debug)]
pub enum GenError {
    Config(String),
    Io(io::Error),
}

impl From<io::Error> for GenError {
    fn from(e: io::Error) -> GenError {
        GenError::Io(e)
    }
}

impl std::fmt::Display for GenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            GenError::Config(m) => f.write_str(m),
            GenError::Io(e) => write!(f, "{e}"),
        }
    }
}

/// Writes `config.events` Okta System Log events to `out`, one JSON object a line, in time
/// order, and one JSON line per injected attack to `truth`.
pub fn generate_okta(
    config: &OktaConfig,
    out: &mut dyn Write,
    truth: Option<&mut dyn Write>,
) -> Result<Summary, GenError> {
    if !(config.rate > 0.0 && config.rate <= MAX_RATE) {
        return Err(GenError::Config(format!(
            "the rate must be above 0 and at most {MAX_RATE} events a second"
        )));
    }
    if config.users == 0 {
        return Err(GenError::Config("at least one user is needed".into()));
    }
    let mut org = org::Org::new(config.seed, config.users);
    let mut planner = Planner::new(
        config.seed,
        &mut org,
        config.events,
        config.start_ms,
        config.rate,
        &config.attacks,
    )
    .map_err(|e| GenError::Config(e.0))?;
    let mut renderer = okta::Renderer::new(config.seed);
    // Episodes under way, keyed by their next step's time (then by admission order).
    let mut active: Vec<Option<Episode>> = Vec::new();
    let mut free: Vec<usize> = Vec::new();
    let mut heap: BinaryHeap<Reverse<(i64, u64, usize)>> = BinaryHeap::new();
    let mut admitted = 0u64;
    let mut line = Vec::with_capacity(4096);
    let mut summary = Summary {
        first_ms: config.start_ms,
        last_ms: config.start_ms,
        ..Summary::default()
    };
    let mut last = i64::MIN;
    loop {
        // Admit every episode that starts before the earliest pending step.
        while let Some(start) = planner.peek_start(&mut org) {
            if heap.peek().is_some_and(|Reverse((t, _, _))| start > *t) {
                break;
            }
            let Some(episode) = planner.take(&mut org) else { break };
            let slot = free.pop().unwrap_or_else(|| {
                active.push(None);
                active.len() - 1
            });
            heap.push(Reverse((start, admitted, slot)));
            admitted += 1;
            active[slot] = Some(episode);
        }
        let Some(Reverse((t, order, slot))) = heap.pop() else {
            break;
        };
        let Some(episode) = active[slot].as_mut() else { continue };
        let step = episode.steps[episode.next];
        // Timestamps strictly increase: a step that would share a millisecond moves on by one.
        let at = t.max(last + 1);
        last = at;
        line.clear();
        let uuid = renderer.event(&org, episode, &step, at, &mut line);
        out.write_all(&line)?;
        if summary.events == 0 {
            summary.first_ms = at;
        }
        summary.events += 1;
        summary.bytes += line.len() as u64;
        summary.last_ms = at;
        if let Some(index) = episode.truth {
            if episode.next >= episode.attack_from {
                record(&mut planner.truths[index], at, &uuid);
            }
        }
        episode.next += 1;
        match episode.next_time() {
            Some(next) => heap.push(Reverse((next, order, slot))),
            None => {
                active[slot] = None;
                free.push(slot);
            }
        }
    }
    out.flush()?;
    summary.attacks = planner.truths.len();
    if let Some(truth) = truth {
        let mut truths = planner.truths.clone();
        truths.sort_by_key(|t| t.start);
        for t in &truths {
            line.clear();
            truth_line(&org, t, &mut line);
            truth.write_all(&line)?;
        }
        truth.flush()?;
    }
    Ok(summary)
}

fn record(t: &mut Truth, at: i64, uuid: &[u8; 36]) {
    if t.events.is_empty() {
        t.start = at;
    }
    t.end = at;
    t.events.push(String::from_utf8_lossy(uuid).into_owned());
}

/// One truth line: `{"attack":…,"user":…,"session":…,"dtHash":…,"start":…,"end":…,"events":[…]}`.
fn truth_line(org: &org::Org, t: &Truth, out: &mut Vec<u8>) {
    let user = &org.users[t.user];
    out.extend_from_slice(b"{\"attack\":");
    json::string(out, t.kind.name());
    out.extend_from_slice(b",\"user\":");
    json::string(out, &user.login);
    out.extend_from_slice(b",\"userId\":");
    json::string(out, &user.id);
    out.extend_from_slice(b",\"externalSessionId\":");
    json::string(out, &String::from_utf8_lossy(&t.session));
    out.extend_from_slice(b",\"dtHash\":\"");
    json::hex(out, &t.dt_hash);
    out.extend_from_slice(b"\",\"attackerIp\":\"");
    json::ipv4(out, t.attacker_ip);
    out.extend_from_slice(b"\",\"attackerCity\":");
    let city = |ip| org::network_of(ip).map(|n| catalog::CITIES[catalog::NETWORKS[n].city].name);
    json::opt_string(out, city(t.attacker_ip));
    out.extend_from_slice(b",\"victimIp\":\"");
    json::ipv4(out, t.victim_ip);
    out.extend_from_slice(b"\",\"victimCity\":");
    json::opt_string(out, city(t.victim_ip));
    out.extend_from_slice(b",\"start\":\"");
    json::timestamp(out, t.start);
    out.extend_from_slice(b"\",\"end\":\"");
    json::timestamp(out, t.end);
    out.push(b'"');
    if t.kind != AttackKind::SessionCookie {
        out.extend_from_slice(b",\"pushes\":");
        json::uint(out, u64::from(t.pushes));
        out.extend_from_slice(b",\"rejected\":");
        json::uint(out, u64::from(t.rejected));
        out.extend_from_slice(if t.approved {
            b",\"approved\":true"
        } else {
            b",\"approved\":false"
        });
    }
    out.extend_from_slice(b",\"events\":[");
    for (i, uuid) in t.events.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        json::string(out, uuid);
    }
    out.extend_from_slice(b"]}\n");
}

#[cfg(test)]
mod tests;
