//! The simulated Okta org: its users with their homes, laptops and phones, its applications,
//! service integrations and policies. Built once from the seed; every event refers back to it.

use super::catalog::{self, OsFamily, Use, AGENTS, APPS, CITIES, NETWORKS, PHONES};
use super::rng::Rng;

const BASE62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// The org's objects and the identifiers Okta gave them.
pub struct Org {
    /// The users' e-mail domain.
    pub domain: String,
    /// The three characters every Okta id of this org ends with.
    suffix: [u8; 3],
    pub users: Vec<User>,
    pub apps: Vec<AppIds>,
    pub services: Vec<Service>,
    /// Groups admins add users to: (name, id).
    pub groups: Vec<(String, String)>,
    /// Global session policy and its rules (id, rule ids).
    pub session_policy: String,
    pub session_rules: [String; 2],
    /// The authentication policy apps use, and its catch-all rule.
    pub app_policy: String,
    pub app_rule: String,
    /// Okta's system principal.
    pub system_id: String,
}

/// One user.
pub struct User {
    pub id: String,
    pub login: String,
    pub name: String,
    pub admin: bool,
    /// Signs in through the Classic authentication API (`/api/v1/authn`).
    pub classic: bool,
    pub home_net: usize,
    pub home_ip: [u8; 4],
    pub office: Option<(usize, [u8; 4])>,
    pub laptop: Laptop,
    pub phone: PhoneDevice,
    /// Okta Verify enrollment (Identity Engine authenticator enrollment) and Classic factor ids.
    pub enrollment_id: String,
    pub factor_id: String,
    /// Addresses and cities this user has signed in from, for Okta's behaviour flags.
    pub seen_ips: Vec<[u8; 4]>,
    pub seen_cities: Vec<usize>,
    /// Time of this user's last denied push (benign denials are kept an hour apart).
    pub last_deny: i64,
    /// Targeted by an injected attack: benign traffic never denies a push for this user.
    pub victim: bool,
    /// The planned-event count at which this user's attack is due, until it is planned.
    pub attack_at: Option<u64>,
    /// No benign episode for this user starts before this time (the attack's aftermath).
    pub quiet_until: i64,
}

/// A user's computer and its browser.
pub struct Laptop {
    pub agent: usize,
    pub dt_hash: [u8; 32],
    pub fingerprint: [u8; 16],
    /// Registered with Okta Verify (FastPass): events then carry its `device` record.
    pub device: Option<DeviceRecord>,
}

/// A user's phone with Okta Verify.
pub struct PhoneDevice {
    pub model: usize,
    pub user_agent: String,
    pub record: DeviceRecord,
}

/// Okta's `device` object for a registered device.
pub struct DeviceRecord {
    pub id: String,
    pub name: String,
    pub os_platform: &'static str,
    pub os_version: &'static str,
    pub managed: bool,
    pub disk_encryption: &'static str,
    pub screen_lock: &'static str,
    /// `jailbreak` is reported for phones only (null on computers).
    pub mobile: bool,
}

/// Identifiers of one application instance.
pub struct AppIds {
    pub id: String,
    /// The id in SAML URLs (`exk...`) or the OIDC client id.
    pub key: String,
}

/// A service integration using OAuth 2.0 client credentials.
pub struct Service {
    pub id: String,
    pub name: &'static str,
    pub scopes: &'static str,
    pub agent: &'static str,
    pub ip: [u8; 4],
    pub net: usize,
}

impl Org {
    pub fn new(seed: u64, users: usize) -> Org {
        let mut rng = Rng::derive(seed, 0x006f_7267);
        let mut suffix = [0u8; 3];
        suffix[0] = b'1' + rng.below(9) as u8;
        suffix[1] = b"abcdefghijkmnpqrstuvwxyz"[rng.index(24)];
        suffix[2] = b'1' + rng.below(9) as u8;
        let mut org = Org {
            domain: "example.com".into(),
            suffix,
            users: Vec::with_capacity(users),
            apps: Vec::new(),
            services: Vec::new(),
            groups: Vec::new(),
            session_policy: String::new(),
            session_rules: [String::new(), String::new()],
            app_policy: String::new(),
            app_rule: String::new(),
            system_id: String::new(),
        };
        org.session_policy = org.id(&mut rng, "00p");
        org.session_rules = [org.id(&mut rng, "0pr"), org.id(&mut rng, "0pr")];
        org.app_policy = org.id(&mut rng, "rst");
        org.app_rule = org.id(&mut rng, "rul");
        org.system_id = org.id(&mut rng, "spr");
        for name in catalog::GROUPS {
            let id = org.id(&mut rng, "00g");
            org.groups.push((name.to_string(), id));
        }
        for app in APPS {
            let id = org.id(&mut rng, "0oa");
            let key = if app.oidc {
                org.id(&mut rng, "0oa")
            } else {
                org.id(&mut rng, "exk")
            };
            org.apps.push(AppIds { id, key });
        }
        let cloud: Vec<usize> = (0..NETWORKS.len())
            .filter(|&n| NETWORKS[n].usage == Use::Cloud)
            .collect();
        for (i, (name, scopes)) in catalog::SERVICES.iter().enumerate() {
            let net = cloud[i % cloud.len()];
            let service = Service {
                id: org.id(&mut rng, "0oa"),
                name,
                scopes,
                agent: catalog::SERVICE_AGENTS[i % catalog::SERVICE_AGENTS.len()],
                ip: address(&mut rng, net),
                net,
            };
            org.services.push(service);
        }
        let names = name_order(&mut rng, users);
        for (i, (first, last)) in names.into_iter().enumerate() {
            let mut urng = Rng::derive(seed, 0x7573_6572_0000_0000 | i as u64);
            let user = org.user(&mut urng, i, first, last, users);
            org.users.push(user);
        }
        org
    }

    /// A 20-character Okta id: a 3-character type prefix, random characters, the org suffix.
    pub fn id(&self, rng: &mut Rng, prefix: &str) -> String {
        let mut bytes = [0u8; 20];
        bytes[..3].copy_from_slice(&prefix.as_bytes()[..3]);
        rng.fill_from(BASE62, &mut bytes[3..17]);
        bytes[17..].copy_from_slice(&self.suffix);
        String::from_utf8_lossy(&bytes).into_owned()
    }

    fn user(&self, rng: &mut Rng, index: usize, first: &str, last: &str, total: usize) -> User {
        let city = rng.weighted(catalog::HOME_CITY_WEIGHTS);
        let homes: Vec<usize> = (0..NETWORKS.len())
            .filter(|&n| NETWORKS[n].usage == Use::Home && NETWORKS[n].city == city)
            .collect();
        let home_net = *rng.pick(&homes);
        let home_ip = address(rng, home_net);
        let office = catalog::office_for(city)
            .filter(|_| rng.chance(700))
            .map(|net| (net, address(rng, net)));
        let agent = rng.weighted(catalog::AGENT_WEIGHTS);
        let mut dt_hash = [0u8; 32];
        let mut fingerprint = [0u8; 16];
        for b in dt_hash.iter_mut().chain(fingerprint.iter_mut()) {
            *b = rng.below(256) as u8;
        }
        let registered = AGENTS[agent].family != OsFamily::Linux && rng.chance(350);
        let laptop_device = registered.then(|| self.computer_record(rng, AGENTS[agent].family));
        let model = rng.index(PHONES.len());
        let phone = &PHONES[model];
        let device_uuid = uuid_upper(rng);
        let ov = if phone.ios { "9.10.0" } else { "9.9.1" };
        let user_agent = if phone.ios {
            format!(
                "B7F62B65BN.com.okta.mobile/{ov} OktaVerify/{ov} iOS/{} {}/{} {device_uuid}",
                phone.os_version, phone.maker, phone.model
            )
        } else {
            format!(
                "com.okta.android.auth/{ov} OktaVerify/{ov} Android/{} {}/{} {device_uuid}",
                phone.os_version, phone.maker, phone.model
            )
        };
        let phone_record = DeviceRecord {
            id: self.id(rng, "guo"),
            name: phone.model.to_string(),
            os_platform: phone.platform,
            os_version: phone.os_version,
            managed: false,
            disk_encryption: "FULL",
            screen_lock: "BIOMETRIC",
            mobile: true,
        };
        // One admin per 40 users (at least one), at the start of the list.
        let admins = (total / 40).max(1);
        let (login, name) = login_for(first, last, index, &self.domain);
        User {
            id: self.id(rng, "00u"),
            login,
            name,
            admin: index < admins,
            classic: rng.chance(250),
            home_net,
            home_ip,
            office,
            laptop: Laptop {
                agent,
                dt_hash,
                fingerprint,
                device: laptop_device,
            },
            phone: PhoneDevice {
                model,
                user_agent,
                record: phone_record,
            },
            enrollment_id: self.id(rng, "pfd"),
            factor_id: self.id(rng, "opf"),
            seen_ips: vec![home_ip],
            seen_cities: vec![city],
            last_deny: i64::MIN / 2,
            victim: false,
            attack_at: None,
            quiet_until: i64::MIN,
        }
    }

    fn computer_record(&self, rng: &mut Rng, family: OsFamily) -> DeviceRecord {
        let (name, platform, version) = match family {
            OsFamily::Mac => {
                let models = [
                    "MacBookPro18,2",
                    "MacBookPro18,3",
                    "MacBookAir10,1",
                    "Mac14,2",
                    "Mac15,6",
                ];
                (rng.pick(&models).to_string(), "OSX", "14.3.1")
            }
            _ => {
                let mut tag = [0u8; 7];
                rng.fill_from(b"0123456789ABCDEFGHJKLMNPQRSTUVWXYZ", &mut tag);
                (
                    format!("LAPTOP-{}", String::from_utf8_lossy(&tag)),
                    "WINDOWS",
                    "10.0.22631",
                )
            }
        };
        DeviceRecord {
            id: self.id(rng, "guo"),
            name,
            os_platform: platform,
            os_version: version,
            managed: rng.chance(700),
            disk_encryption: "ALL_INTERNAL_VOLUMES",
            screen_lock: if platform == "OSX" { "BIOMETRIC" } else { "PASSCODE" },
            mobile: false,
        }
    }

    /// The AppUser id of `user` in application `app` (stable, without storing it).
    pub fn app_user_id(&self, seed: u64, user: usize, app: usize) -> String {
        let mut rng = Rng::derive(seed, 0x6170_7075_0000_0000 ^ ((user as u64) << 8) ^ app as u64);
        self.id(&mut rng, "0ua")
    }
}

/// A random address inside network `net`, avoiding the first and last of each /24.
pub fn address(rng: &mut Rng, net: usize) -> [u8; 4] {
    let n = &NETWORKS[net];
    let base = u32::from_be_bytes(n.prefix);
    let host_bits = 32 - u32::from(n.bits);
    loop {
        let host = rng.below(1u64 << host_bits) as u32;
        let ip = (base | host).to_be_bytes();
        if ip[3] != 0 && ip[3] != 255 {
            return ip;
        }
    }
}

/// The network an address belongs to (the generator only uses its own addresses).
pub fn network_of(ip: [u8; 4]) -> Option<usize> {
    let v = u32::from_be_bytes(ip);
    NETWORKS.iter().position(|n| {
        let mask = u32::MAX << (32 - u32::from(n.bits));
        u32::from_be_bytes(n.prefix) & mask == v & mask
    })
}

/// A random upper-case UUID, as Okta Verify puts in its user agent.
fn uuid_upper(rng: &mut Rng) -> String {
    let a = rng.next_u64();
    let b = rng.next_u64();
    format!(
        "{:08X}-{:04X}-4{:03X}-{:04X}-{:012X}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xfff,
        0x8000 | (b >> 48) & 0x3fff,
        b & 0xffff_ffff_ffff
    )
}

/// Distinct (first, last) name pairs in a seeded order; past the number of pairs, names repeat
/// and logins get a number.
fn name_order(rng: &mut Rng, users: usize) -> Vec<(&'static str, &'static str)> {
    let pairs = catalog::FIRST_NAMES.len() * catalog::LAST_NAMES.len();
    let mut order: Vec<usize> = (0..pairs).collect();
    for i in (1..order.len()).rev() {
        let j = rng.index(i + 1);
        order.swap(i, j);
    }
    (0..users)
        .map(|i| {
            let p = order[i % pairs];
            (
                catalog::FIRST_NAMES[p / catalog::LAST_NAMES.len()],
                catalog::LAST_NAMES[p % catalog::LAST_NAMES.len()],
            )
        })
        .collect()
}

fn login_for(first: &str, last: &str, index: usize, domain: &str) -> (String, String) {
    let pairs = catalog::FIRST_NAMES.len() * catalog::LAST_NAMES.len();
    let round = index / pairs;
    let local = format!("{}.{}", first.to_lowercase(), last.to_lowercase());
    let login = if round == 0 {
        format!("{local}@{domain}")
    } else {
        format!("{local}{}@{domain}", round + 1)
    };
    (login, format!("{first} {last}"))
}

/// Picks a desktop browser on a different operating system than `agent`.
pub fn other_os_agent(rng: &mut Rng, agent: usize) -> usize {
    let family = AGENTS[agent].family;
    let others: Vec<usize> = (0..AGENTS.len()).filter(|&a| AGENTS[a].family != family).collect();
    *rng.pick(&others)
}

/// Whether two cities are in different states or countries (for Okta's behaviour flags).
pub fn same_state(a: usize, b: usize) -> bool {
    CITIES[a].state == CITIES[b].state && CITIES[a].country == CITIES[b].country
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_look_like_okta_ids() {
        let org = Org::new(1, 10);
        for u in &org.users {
            assert_eq!(u.id.len(), 20);
            assert!(u.id.starts_with("00u"));
            assert_eq!(&u.id[17..], std::str::from_utf8(&org.suffix).unwrap());
            assert!(u.login.ends_with("@example.com"));
            assert_eq!(network_of(u.home_ip), Some(u.home_net));
        }
        let logins: std::collections::BTreeSet<_> = org.users.iter().map(|u| &u.login).collect();
        assert_eq!(logins.len(), 10);
        assert!(org.users[0].admin);
    }

    #[test]
    fn logins_stay_unique_past_the_name_pairs() {
        let pairs = catalog::FIRST_NAMES.len() * catalog::LAST_NAMES.len();
        let org = Org::new(3, pairs + 5);
        let logins: std::collections::BTreeSet<_> = org.users.iter().map(|u| &u.login).collect();
        assert_eq!(logins.len(), pairs + 5);
    }
}
