//! What happens, and when: episodes (one sign-in and what the user does in that session, a
//! service's token requests, an admin's changes, an attack) as timed steps, planned in order of
//! their start so that an exact number of events comes out.

use super::catalog::{Use, APPS, CITIES, NETWORKS};
use super::org::{self, Org};
use super::rng::Rng;
use std::collections::VecDeque;

/// The kinds of event an episode can hold. The numbers are indexes into the org's tables.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `policy.evaluate_sign_on` for the global session policy.
    PolicySignOn,
    /// `policy.evaluate_sign_on` for an application's authentication policy.
    PolicyApp(u8),
    /// `user.authentication.auth_via_mfa` with the password (Identity Engine).
    Password,
    /// `user.authentication.verify` (Classic).
    Verify,
    /// `system.push.send_factor_verify_push`.
    PushSend,
    /// `user.authentication.auth_via_mfa` answering an Okta Verify push.
    PushAnswer,
    /// `user.mfa.okta_verify.deny_push` (Classic).
    DenyPush,
    SessionStart,
    SessionEnd,
    Sso(u8),
    OAuthCode(u8),
    OAuthAccess(u8),
    OAuthId(u8),
    UpdatePassword,
    Lock,
    /// A service's client-credentials token grant.
    ClientCredentials(u8),
    GroupAdd {
        user: u32,
        group: u8,
    },
    AppAssign {
        user: u32,
        app: u8,
    },
    ResetFactors {
        user: u32,
    },
}

/// `outcome.result` (and the reason of failures).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Success,
    InvalidCredentials,
    LockedOut,
    Allow,
    Challenge,
}

/// Whose client sends the request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Who {
    /// The user's own browser.
    User,
    /// The user's phone (Okta Verify).
    Phone,
    /// The attacker's browser.
    Attacker,
    /// A service integration.
    Service,
}

#[derive(Clone, Copy, Debug)]
pub struct Step {
    pub at: i64,
    pub kind: Kind,
    pub who: Who,
    pub outcome: Outcome,
}

/// Okta's behaviour flags, one bit each, in the order Okta prints them.
pub mod behavior {
    pub const NEW_GEO: u8 = 1;
    pub const NEW_DEVICE: u8 = 2;
    pub const NEW_IP: u8 = 4;
    pub const NEW_STATE: u8 = 8;
    pub const NEW_COUNTRY: u8 = 16;
    pub const VELOCITY: u8 = 32;
    pub const NEW_CITY: u8 = 64;
    pub const NAMES: [(&str, u8); 7] = [
        ("New Geo-Location", NEW_GEO),
        ("New Device", NEW_DEVICE),
        ("New IP", NEW_IP),
        ("New State", NEW_STATE),
        ("New Country", NEW_COUNTRY),
        ("Velocity", VELOCITY),
        ("New City", NEW_CITY),
    ];
}

/// A browser somewhere: address, user agent, device token.
#[derive(Clone, Debug)]
pub struct Client {
    pub ip: [u8; 4],
    pub net: usize,
    pub agent: usize,
    pub dt_hash: [u8; 32],
    pub fingerprint: [u8; 16],
    pub behaviors: u8,
    /// The user's registered laptop (its `device` record goes into events).
    pub registered: bool,
}

/// The kinds of injected attack.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum AttackKind {
    /// Identity Engine push fatigue: pushes from the attacker, rejections from the victim's phone.
    PushFatigue,
    /// Classic push fatigue: `deny_push` events, then a sign-in to an app.
    ClassicPushFatigue,
    /// A stolen session cookie replayed from another address and operating system.
    SessionCookie,
}

impl AttackKind {
    pub const ALL: [AttackKind; 3] = [
        AttackKind::PushFatigue,
        AttackKind::ClassicPushFatigue,
        AttackKind::SessionCookie,
    ];

    pub fn name(self) -> &'static str {
        match self {
            AttackKind::PushFatigue => "push-fatigue",
            AttackKind::ClassicPushFatigue => "classic-push-fatigue",
            AttackKind::SessionCookie => "session-cookie",
        }
    }

    pub fn parse(text: &str) -> Option<AttackKind> {
        AttackKind::ALL.into_iter().find(|k| k.name() == text)
    }
}

/// What the truth file says about one injected attack.
#[derive(Clone, Debug)]
pub struct Truth {
    pub kind: AttackKind,
    pub user: usize,
    pub session: [u8; 25],
    pub dt_hash: [u8; 32],
    pub attacker_ip: [u8; 4],
    pub victim_ip: [u8; 4],
    pub pushes: u32,
    pub rejected: u32,
    pub approved: bool,
    /// First and last event time (filled in as the events are written).
    pub start: i64,
    pub end: i64,
    /// The attacker's events and the victim's answers to them.
    pub events: Vec<String>,
}

/// One episode: a session (or service run) and its steps in time order.
pub struct Episode {
    pub user: usize,
    /// `externalSessionId`; `None` for service integrations.
    pub session: Option<[u8; 25]>,
    pub classic: bool,
    pub browser: Client,
    pub attacker: Option<Client>,
    pub phone_ip: [u8; 4],
    pub phone_net: usize,
    pub service: usize,
    pub steps: Vec<Step>,
    pub next: usize,
    pub truth: Option<usize>,
    /// Steps before this index are the victim's own (not part of the attack in the truth).
    pub attack_from: usize,
}

impl Episode {
    pub fn next_time(&self) -> Option<i64> {
        self.steps.get(self.next).map(|s| s.at)
    }
}

/// Steps with times relative to the episode start.
struct Script {
    t: i64,
    steps: Vec<Step>,
}

impl Script {
    fn new() -> Script {
        Script {
            t: 0,
            steps: Vec::with_capacity(16),
        }
    }

    fn after(&mut self, delay: i64, kind: Kind, who: Who, outcome: Outcome) {
        self.t += delay;
        self.steps.push(Step {
            at: self.t,
            kind,
            who,
            outcome,
        });
    }
}

const SECOND: i64 = 1000;
const MINUTE: i64 = 60 * SECOND;
const HOUR: i64 = 60 * MINUTE;

/// Produces episodes in order of start time, exactly `total` events in all.
pub struct Planner {
    rng: Rng,
    /// Events per millisecond.
    rate: f64,
    next_start: f64,
    planned: u64,
    benign_budget: u64,
    pending: VecDeque<(u64, Episode)>,
    pub truths: Vec<Truth>,
    peeked: Option<Episode>,
}

/// Why the requested log cannot be made.
#[derive(Debug)]
pub struct PlanError(pub String);

impl Planner {
    /// `attacks` lists how many of each kind to inject.
    pub fn new(
        seed: u64,
        org: &mut Org,
        total: u64,
        start_ms: i64,
        rate_per_sec: f64,
        attacks: &[(AttackKind, u32)],
    ) -> Result<Planner, PlanError> {
        let mut rng = Rng::derive(seed, 0x706c_616e);
        let count: u32 = attacks.iter().map(|a| a.1).sum();
        let eligible: Vec<usize> = (0..org.users.len()).filter(|&u| !org.users[u].admin).collect();
        if count as usize > eligible.len() {
            return Err(PlanError(format!(
                "{count} attack(s) need as many users who are not admins; --users gives {}",
                eligible.len()
            )));
        }
        // Distinct victims, in a seeded order.
        let mut victims = eligible;
        for i in (1..victims.len()).rev() {
            let j = rng.index(i + 1);
            victims.swap(i, j);
        }
        let mut planner = Planner {
            rng,
            rate: rate_per_sec / 1000.0,
            next_start: start_ms as f64,
            planned: 0,
            benign_budget: 0,
            pending: VecDeque::new(),
            truths: Vec::new(),
            peeked: None,
        };
        let mut scripted = Vec::new();
        let mut attack_events = 0u64;
        let mut victim = victims.into_iter();
        for &(kind, n) in attacks {
            for _ in 0..n {
                let Some(user) = victim.next() else { break };
                org.users[user].victim = true;
                let episode = planner.attack(org, kind, user);
                attack_events += episode.steps.len() as u64;
                scripted.push(episode);
            }
        }
        if attack_events > total {
            return Err(PlanError(format!(
                "the requested attacks take {attack_events} events; --events is {total}"
            )));
        }
        planner.benign_budget = total - attack_events;
        // Spread the attacks over the middle of the log, in a seeded order.
        let mut at: Vec<u64> = scripted
            .iter()
            .map(|_| {
                let lo = total / 20;
                let hi = (total * 4 / 5).max(lo + 1);
                lo + planner.rng.below(hi - lo)
            })
            .collect();
        at.sort_unstable();
        for i in (1..scripted.len()).rev() {
            let j = planner.rng.index(i + 1);
            scripted.swap(i, j);
        }
        for (at, episode) in at.iter().zip(&scripted) {
            org.users[episode.user].attack_at = Some(*at);
        }
        planner.pending = at.into_iter().zip(scripted).collect();
        Ok(planner)
    }

    /// Start time of the next episode, without taking it.
    pub fn peek_start(&mut self, org: &mut Org) -> Option<i64> {
        if self.peeked.is_none() {
            self.peeked = self.plan_next(org);
        }
        self.peeked.as_ref().and_then(Episode::next_time)
    }

    pub fn take(&mut self, org: &mut Org) -> Option<Episode> {
        self.peek_start(org);
        self.peeked.take()
    }

    fn plan_next(&mut self, org: &mut Org) -> Option<Episode> {
        let start = self.next_start as i64;
        let attack_due = self
            .pending
            .front()
            .is_some_and(|(at, _)| *at <= self.planned || self.benign_budget == 0);
        let mut episode = if attack_due {
            let e = self.pending.pop_front()?.1;
            // The victim's own traffic stays clear of the attack, so that what a rule finds
            // there is the attack alone.
            let length = e.steps.last().map_or(0, |s| s.at);
            let victim = &mut org.users[e.user];
            victim.attack_at = None;
            victim.quiet_until = start + length + 20 * MINUTE;
            e
        } else if self.benign_budget > 0 {
            let mut e = self.benign(org, start);
            let budget = usize::try_from(self.benign_budget).unwrap_or(usize::MAX);
            e.steps.truncate(budget);
            self.benign_budget -= e.steps.len() as u64;
            e
        } else {
            return None;
        };
        for step in &mut episode.steps {
            step.at += start;
        }
        episode.next = 0;
        let n = episode.steps.len() as f64;
        self.planned += episode.steps.len() as u64;
        // Pace starts so that, on average, `rate` events a second come out.
        self.next_start += n / self.rate * (0.5 + self.rng.unit());
        Some(episode)
    }

    fn session_id(&mut self) -> [u8; 25] {
        let mut id = [0u8; 25];
        id[..3].copy_from_slice(b"102");
        self.rng.fill_from(
            b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_",
            &mut id[3..],
        );
        id
    }

    fn empty_episode(&mut self, org: &Org, user: usize) -> Episode {
        let u = &org.users[user];
        Episode {
            user,
            session: Some(self.session_id()),
            classic: u.classic,
            browser: Client {
                ip: u.home_ip,
                net: u.home_net,
                agent: u.laptop.agent,
                dt_hash: u.laptop.dt_hash,
                fingerprint: u.laptop.fingerprint,
                behaviors: 0,
                registered: u.laptop.device.is_some(),
            },
            attacker: None,
            phone_ip: u.home_ip,
            phone_net: u.home_net,
            service: 0,
            steps: Vec::new(),
            next: 0,
            truth: None,
            attack_from: 0,
        }
    }

    /// Where a user signs in from this time, and what Okta's behaviour engine makes of it.
    fn locate(&mut self, org: &mut Org, user: usize) -> ([u8; 4], usize, u8) {
        let u = &org.users[user];
        let (ip, net) = match u.office {
            _ if self.rng.chance(15) => {
                // Travelling: a hotel or a friend's broadband in another city.
                let homes: Vec<usize> = (0..NETWORKS.len())
                    .filter(|&n| NETWORKS[n].usage == Use::Home && NETWORKS[n].city != NETWORKS[u.home_net].city)
                    .collect();
                let net = *self.rng.pick(&homes);
                (org::address(&mut self.rng, net), net)
            }
            Some((net, ip)) if self.rng.chance(500) => (ip, net),
            _ => (u.home_ip, u.home_net),
        };
        let city = NETWORKS[net].city;
        let u = &mut org.users[user];
        let mut flags = 0;
        if !u.seen_ips.contains(&ip) {
            flags |= behavior::NEW_IP;
            u.seen_ips.push(ip);
        }
        if !u.seen_cities.contains(&city) {
            flags |= behavior::NEW_CITY | behavior::NEW_GEO;
            if !u.seen_cities.iter().any(|&c| org::same_state(c, city)) {
                flags |= behavior::NEW_STATE;
            }
            if !u.seen_cities.iter().any(|&c| CITIES[c].country == CITIES[city].country) {
                flags |= behavior::NEW_COUNTRY;
            }
            u.seen_cities.push(city);
        }
        (ip, net, flags)
    }

    /// A user for a benign episode starting at `start`: not one whose attack is due within the
    /// next three hours (longer than any benign episode lasts), nor one in an attack's aftermath.
    fn pick_user(&mut self, org: &Org, start: i64) -> usize {
        let guard = self.planned + (self.rate * (3 * HOUR) as f64) as u64;
        let free = |u: &org::User| u.attack_at.is_none_or(|at| at > guard) && start >= u.quiet_until;
        let n = org.users.len();
        let first = self.rng.index(n);
        if free(&org.users[first]) {
            return first;
        }
        (1..n)
            .map(|i| (first + i) % n)
            .find(|&u| free(&org.users[u]))
            .unwrap_or(first)
    }

    fn benign(&mut self, org: &mut Org, start: i64) -> Episode {
        match self.rng.weighted(&[85, 11, 3, 1]) {
            0 => self.sign_in_episode(org, start),
            1 => self.service_episode(org),
            2 => self.admin_episode(org),
            _ => self.lockout_episode(org, start),
        }
    }

    fn sign_in_episode(&mut self, org: &mut Org, start: i64) -> Episode {
        let user = self.pick_user(org, start);
        let mut e = self.empty_episode(org, user);
        let (ip, net, flags) = self.locate(org, user);
        e.browser.ip = ip;
        e.browser.net = net;
        e.browser.behaviors = flags;
        // The phone answers over the same network as the browser.
        e.phone_ip = ip;
        e.phone_net = net;
        let mfa = flags != 0 || self.rng.chance(550);
        let u = &org.users[user];
        // A benign user sometimes rejects one push, never two within the hour.
        let deny = mfa && !u.victim && start - u.last_deny > 2 * HOUR && self.rng.chance(40);
        if deny {
            org.users[user].last_deny = start;
        }
        let mut s = Script::new();
        let fail = self.rng.chance(30);
        self.sign_in(&mut s, e.classic, mfa, deny, fail);
        let visits = 1 + self.rng.below(4);
        for i in 0..visits {
            let gap = if i == 0 {
                self.rng.range(2 * SECOND, 12 * SECOND)
            } else {
                self.rng.range(30 * SECOND, 25 * MINUTE)
            };
            self.app_visit(&mut s, gap, !e.classic, Who::User);
        }
        if self.rng.chance(20) {
            s.after(
                self.rng.range(MINUTE, 10 * MINUTE),
                Kind::UpdatePassword,
                Who::User,
                Outcome::Success,
            );
        }
        if self.rng.chance(300) {
            s.after(
                self.rng.range(5 * MINUTE, 50 * MINUTE),
                Kind::SessionEnd,
                Who::User,
                Outcome::Success,
            );
        }
        e.steps = s.steps;
        e
    }

    /// The steps of signing in: policy, password, push, session.
    fn sign_in(&mut self, s: &mut Script, classic: bool, mfa: bool, deny: bool, fail: bool) {
        let r = &mut self.rng;
        if fail {
            if classic {
                s.after(0, Kind::SessionStart, Who::User, Outcome::InvalidCredentials);
            } else {
                s.after(0, Kind::PolicySignOn, Who::User, Outcome::Challenge);
                s.after(
                    r.range(2 * SECOND, 9 * SECOND),
                    Kind::Password,
                    Who::User,
                    Outcome::InvalidCredentials,
                );
                s.after(
                    r.range(20, 200),
                    Kind::SessionStart,
                    Who::User,
                    Outcome::InvalidCredentials,
                );
            }
            s.t += r.range(5 * SECOND, 30 * SECOND);
        }
        let policy = if mfa { Outcome::Challenge } else { Outcome::Allow };
        s.after(0, Kind::PolicySignOn, Who::User, policy);
        if classic {
            s.after(r.range(300, 1500), Kind::Verify, Who::User, Outcome::Success);
        } else {
            s.after(
                r.range(2 * SECOND, 9 * SECOND),
                Kind::Password,
                Who::User,
                Outcome::Success,
            );
        }
        if mfa {
            s.after(r.range(300, 1500), Kind::PushSend, Who::User, Outcome::Success);
            if deny {
                if classic {
                    s.after(
                        r.range(3 * SECOND, 15 * SECOND),
                        Kind::DenyPush,
                        Who::Phone,
                        Outcome::Success,
                    );
                } else {
                    s.after(
                        r.range(3 * SECOND, 15 * SECOND),
                        Kind::PushAnswer,
                        Who::Phone,
                        Outcome::InvalidCredentials,
                    );
                }
                s.after(
                    r.range(10 * SECOND, 40 * SECOND),
                    Kind::PushSend,
                    Who::User,
                    Outcome::Success,
                );
            }
            let who = if classic { Who::User } else { Who::Phone };
            s.after(
                r.range(3 * SECOND, 20 * SECOND),
                Kind::PushAnswer,
                who,
                Outcome::Success,
            );
        }
        s.after(r.range(200, 1500), Kind::SessionStart, Who::User, Outcome::Success);
    }

    /// Opening one application: SAML or WS-Fed sign-on, or an OpenID Connect code flow.
    fn app_visit(&mut self, s: &mut Script, gap: i64, policy: bool, who: Who) {
        let weights: Vec<u32> = APPS.iter().map(|a| a.weight).collect();
        let app = self.rng.weighted(&weights) as u8;
        s.t += gap;
        if policy && self.rng.chance(500) {
            s.after(0, Kind::PolicyApp(app), who, Outcome::Allow);
            s.t += self.rng.range(50, 400);
        }
        if APPS[usize::from(app)].oidc {
            s.after(0, Kind::OAuthCode(app), who, Outcome::Success);
            s.after(self.rng.range(150, 900), Kind::OAuthAccess(app), who, Outcome::Success);
            s.after(self.rng.range(1, 30), Kind::OAuthId(app), who, Outcome::Success);
        } else {
            s.after(0, Kind::Sso(app), who, Outcome::Success);
        }
    }

    fn service_episode(&mut self, org: &Org) -> Episode {
        let service = self.rng.index(org.services.len());
        let mut e = self.empty_episode(org, 0);
        let svc = &org.services[service];
        e.session = None;
        e.service = service;
        e.browser.ip = svc.ip;
        e.browser.net = svc.net;
        let mut s = Script::new();
        for i in 0..1 + self.rng.below(3) {
            let gap = if i == 0 { 0 } else { self.rng.range(SECOND, 60 * SECOND) };
            s.after(
                gap,
                Kind::ClientCredentials(service as u8),
                Who::Service,
                Outcome::Success,
            );
        }
        e.steps = s.steps;
        e
    }

    fn admin_episode(&mut self, org: &mut Org) -> Episode {
        let admins: Vec<usize> = (0..org.users.len()).filter(|&u| org.users[u].admin).collect();
        let admin = *self.rng.pick(&admins);
        let mut e = self.empty_episode(org, admin);
        let (ip, net, flags) = self.locate(org, admin);
        e.browser.ip = ip;
        e.browser.net = net;
        e.browser.behaviors = flags;
        let mut s = Script::new();
        for i in 0..1 + self.rng.below(4) {
            let gap = if i == 0 {
                0
            } else {
                self.rng.range(10 * SECOND, 3 * MINUTE)
            };
            let user = self.rng.index(org.users.len()) as u32;
            let kind = match self.rng.weighted(&[6, 3, 1]) {
                0 => Kind::GroupAdd {
                    user,
                    group: self.rng.index(org.groups.len()) as u8,
                },
                1 => Kind::AppAssign {
                    user,
                    app: self.rng.index(APPS.len()) as u8,
                },
                _ => Kind::ResetFactors { user },
            };
            s.after(gap, kind, Who::User, Outcome::Success);
        }
        e.steps = s.steps;
        e
    }

    fn lockout_episode(&mut self, org: &mut Org, start: i64) -> Episode {
        let user = self.pick_user(org, start);
        let mut e = self.empty_episode(org, user);
        let mut s = Script::new();
        for i in 0..self.rng.range(4, 6) {
            let gap = if i == 0 {
                0
            } else {
                self.rng.range(4 * SECOND, 25 * SECOND)
            };
            if e.classic {
                s.after(gap, Kind::SessionStart, Who::User, Outcome::InvalidCredentials);
            } else {
                s.after(gap, Kind::Password, Who::User, Outcome::InvalidCredentials);
            }
        }
        s.after(self.rng.range(20, 300), Kind::Lock, Who::User, Outcome::LockedOut);
        e.steps = s.steps;
        e
    }

    /// An attacker's browser: a hosting or VPN address, a browser on another operating system
    /// than the victim's laptop.
    fn attacker_client(&mut self, org: &Org, user: usize, dt_hash: Option<[u8; 32]>) -> Client {
        let nets: Vec<usize> = (0..NETWORKS.len())
            .filter(|&n| NETWORKS[n].usage == Use::Attacker)
            .collect();
        let net = *self.rng.pick(&nets);
        let ip = org::address(&mut self.rng, net);
        let u = &org.users[user];
        let home = NETWORKS[u.home_net].city;
        let city = NETWORKS[net].city;
        let mut flags = behavior::NEW_IP | behavior::NEW_GEO | behavior::NEW_CITY | behavior::VELOCITY;
        if !org::same_state(home, city) {
            flags |= behavior::NEW_STATE;
        }
        if CITIES[home].country != CITIES[city].country {
            flags |= behavior::NEW_COUNTRY;
        }
        let mut fingerprint = [0u8; 16];
        let mut fresh = [0u8; 32];
        for b in fingerprint.iter_mut().chain(fresh.iter_mut()) {
            *b = self.rng.below(256) as u8;
        }
        // A replayed cookie carries the victim's device token, so Okta sees a known device.
        if dt_hash.is_none() {
            flags |= behavior::NEW_DEVICE;
        }
        Client {
            ip,
            net,
            agent: org::other_os_agent(&mut self.rng, u.laptop.agent),
            dt_hash: dt_hash.unwrap_or(fresh),
            fingerprint,
            behaviors: flags,
            registered: false,
        }
    }

    /// An attack episode with times relative to its start, and its truth record.
    fn attack(&mut self, org: &Org, kind: AttackKind, user: usize) -> Episode {
        let mut e = self.empty_episode(org, user);
        let mut s = Script::new();
        let mut truth = Truth {
            kind,
            user,
            session: e.session.unwrap_or([b'0'; 25]),
            dt_hash: [0; 32],
            attacker_ip: [0; 4],
            victim_ip: org.users[user].home_ip,
            pushes: 0,
            rejected: 0,
            approved: false,
            start: 0,
            end: 0,
            events: Vec::new(),
        };
        match kind {
            AttackKind::PushFatigue | AttackKind::ClassicPushFatigue => {
                let classic = kind == AttackKind::ClassicPushFatigue;
                e.classic = classic;
                let attacker = self.attacker_client(org, user, None);
                truth.dt_hash = attacker.dt_hash;
                truth.attacker_ip = attacker.ip;
                e.attacker = Some(attacker);
                let r = &mut self.rng;
                s.after(0, Kind::PolicySignOn, Who::Attacker, Outcome::Challenge);
                if classic {
                    s.after(r.range(300, 1500), Kind::Verify, Who::Attacker, Outcome::Success);
                } else {
                    s.after(
                        r.range(2 * SECOND, 6 * SECOND),
                        Kind::Password,
                        Who::Attacker,
                        Outcome::Success,
                    );
                }
                // Classic: at most four rounds of a minute, so the sign-in that follows lands
                // well within ten minutes of the first rejection.
                let rejections = if classic { r.range(2, 4) } else { r.range(3, 7) };
                for i in 0..rejections {
                    let gap = if i == 0 {
                        r.range(300, 1500)
                    } else {
                        r.range(15 * SECOND, 45 * SECOND)
                    };
                    s.after(gap, Kind::PushSend, Who::Attacker, Outcome::Success);
                    if classic {
                        s.after(
                            r.range(5 * SECOND, 25 * SECOND),
                            Kind::DenyPush,
                            Who::Phone,
                            Outcome::Success,
                        );
                    } else {
                        s.after(
                            r.range(4 * SECOND, 25 * SECOND),
                            Kind::PushAnswer,
                            Who::Phone,
                            Outcome::InvalidCredentials,
                        );
                    }
                }
                truth.pushes = rejections as u32;
                truth.rejected = rejections as u32;
                // Classic push fatigue ends in a sign-in; on Identity Engine the victim may hold out.
                if classic || r.chance(500) {
                    truth.pushes += 1;
                    truth.approved = true;
                    s.after(
                        r.range(15 * SECOND, 45 * SECOND),
                        Kind::PushSend,
                        Who::Attacker,
                        Outcome::Success,
                    );
                    let who = if classic { Who::Attacker } else { Who::Phone };
                    s.after(
                        r.range(5 * SECOND, 20 * SECOND),
                        Kind::PushAnswer,
                        who,
                        Outcome::Success,
                    );
                    s.after(r.range(200, 1500), Kind::SessionStart, Who::Attacker, Outcome::Success);
                    for _ in 0..1 + r.below(2) {
                        let gap = self.rng.range(3 * SECOND, 40 * SECOND);
                        self.app_visit(&mut s, gap, !classic, Who::Attacker);
                    }
                }
            }
            AttackKind::SessionCookie => {
                // The victim signs in from home on a remembered device...
                self.sign_in(&mut s, false, false, false, false);
                let gap = self.rng.range(2 * SECOND, 12 * SECOND);
                self.app_visit(&mut s, gap, true, Who::User);
                e.attack_from = s.steps.len();
                // ...and the stolen session cookie is replayed elsewhere.
                let attacker = self.attacker_client(org, user, Some(e.browser.dt_hash));
                truth.dt_hash = attacker.dt_hash;
                truth.attacker_ip = attacker.ip;
                e.attacker = Some(attacker);
                s.t += self.rng.range(10 * MINUTE, 90 * MINUTE);
                s.after(0, Kind::PolicySignOn, Who::Attacker, Outcome::Allow);
                for _ in 0..1 + self.rng.below(3) {
                    let gap = self.rng.range(5 * SECOND, 3 * MINUTE);
                    self.app_visit(&mut s, gap, true, Who::Attacker);
                }
            }
        }
        e.classic = e.classic && kind != AttackKind::SessionCookie;
        e.steps = s.steps;
        e.truth = Some(self.truths.len());
        self.truths.push(truth);
        e
    }
}
