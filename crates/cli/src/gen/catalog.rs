//! Fixed tables the generator draws from: places, networks, user agents, phones, applications
//! and names. Everything here is static, so it cannot change between runs.

/// A place as Okta's geolocation reports it (`client.geographicalContext`).
pub struct City {
    pub name: &'static str,
    pub state: &'static str,
    pub country: &'static str,
    pub postal: &'static str,
    /// Latitude and longitude as Okta prints them (JSON numbers, kept as text).
    pub lat: &'static str,
    pub lon: &'static str,
}

const fn city(
    name: &'static str,
    state: &'static str,
    country: &'static str,
    postal: &'static str,
    lat: &'static str,
    lon: &'static str,
) -> City {
    City {
        name,
        state,
        country,
        postal,
        lat,
        lon,
    }
}

pub const CITIES: &[City] = &[
    city("New York", "New York", "United States", "10001", "40.7506", "-73.9971"),
    city("Brooklyn", "New York", "United States", "11201", "40.6943", "-73.9903"),
    city(
        "San Francisco",
        "California",
        "United States",
        "94103",
        "37.7725",
        "-122.4091",
    ),
    city(
        "Oakland",
        "California",
        "United States",
        "94612",
        "37.8079",
        "-122.2708",
    ),
    city("Chicago", "Illinois", "United States", "60601", "41.8853", "-87.6216"),
    city("Austin", "Texas", "United States", "78701", "30.2713", "-97.7426"),
    city(
        "Seattle",
        "Washington",
        "United States",
        "98101",
        "47.6101",
        "-122.3343",
    ),
    city(
        "Boston",
        "Massachusetts",
        "United States",
        "02108",
        "42.3581",
        "-71.0636",
    ),
    city("Denver", "Colorado", "United States", "80202", "39.7525", "-104.9995"),
    city("Atlanta", "Georgia", "United States", "30303", "33.7525", "-84.3888"),
    city(
        "Los Angeles",
        "California",
        "United States",
        "90012",
        "34.0614",
        "-118.2385",
    ),
    city("Toronto", "Ontario", "Canada", "M5H", "43.6511", "-79.3839"),
    city("London", "England", "United Kingdom", "EC2V", "51.5142", "-0.0931"),
    city("Manchester", "England", "United Kingdom", "M1", "53.4808", "-2.2426"),
    city("Dublin", "Leinster", "Ireland", "D02", "53.3382", "-6.2591"),
    city("Paris", "Ile-de-France", "France", "75001", "48.8607", "2.3413"),
    city("Berlin", "Land Berlin", "Germany", "10115", "52.5323", "13.3846"),
    city("Amsterdam", "North Holland", "Netherlands", "1012", "52.374", "4.8897"),
    city("Madrid", "Madrid", "Spain", "28013", "40.4165", "-3.7026"),
    city(
        "Stockholm",
        "Stockholm County",
        "Sweden",
        "111 20",
        "59.3294",
        "18.0686",
    ),
    city("Bengaluru", "Karnataka", "India", "560001", "12.9719", "77.5937"),
    city("Tokyo", "Tokyo", "Japan", "100-0005", "35.6814", "139.767"),
    city("Sydney", "New South Wales", "Australia", "2000", "-33.8688", "151.2093"),
    city("São Paulo", "Sao Paulo", "Brazil", "01310", "-23.5614", "-46.6559"),
    // Data-centre and attacker locations.
    city("Ashburn", "Virginia", "United States", "20149", "39.0438", "-77.4874"),
    city("Frankfurt am Main", "Hesse", "Germany", "60313", "50.1188", "8.6843"),
    city("Bucharest", "Bucuresti", "Romania", "030167", "44.4354", "26.1029"),
    city("Lagos", "Lagos", "Nigeria", "100001", "6.4541", "3.3947"),
    city(
        "Singapore",
        "Central Singapore",
        "Singapore",
        "048583",
        "1.2868",
        "103.8503",
    ),
    city("Moscow", "Moscow", "Russia", "101000", "55.7522", "37.6156"),
];

/// An autonomous system as `securityContext` reports it.
pub struct Isp {
    pub as_number: u32,
    pub as_org: &'static str,
    pub isp: &'static str,
    pub domain: &'static str,
    pub proxy: bool,
}

const fn isp(as_number: u32, as_org: &'static str, isp: &'static str, domain: &'static str, proxy: bool) -> Isp {
    Isp {
        as_number,
        as_org,
        isp,
        domain,
        proxy,
    }
}

pub const ISPS: &[Isp] = &[
    isp(
        7922,
        "comcast",
        "comcast cable communications llc",
        "comcast.net",
        false,
    ),
    isp(701, "verizon", "verizon business", "verizon.net", false),
    isp(7018, "at&t corp.", "at&t services inc.", "sbcglobal.net", false),
    isp(
        20115,
        "charter communications",
        "charter communications inc",
        "spectrum.com",
        false,
    ),
    isp(
        812,
        "rogers communications canada inc.",
        "rogers communications canada inc.",
        "rogers.com",
        false,
    ),
    isp(
        2856,
        "british telecommunications plc",
        "british telecommunications plc",
        "bt.com",
        false,
    ),
    isp(5089, "virgin media limited", "virgin media", "virginm.net", false),
    isp(5466, "eircom limited", "eir", "eircom.net", false),
    isp(3215, "orange s.a.", "orange", "orange.fr", false),
    isp(
        3320,
        "deutsche telekom ag",
        "deutsche telekom ag",
        "t-ipconnect.de",
        false,
    ),
    isp(1136, "kpn b.v.", "kpn b.v.", "kpn.net", false),
    isp(
        3352,
        "telefonica de espana s.a.u.",
        "telefonica de espana",
        "rima-tde.net",
        false,
    ),
    isp(3301, "telia company ab", "telia company", "telia.com", false),
    isp(
        24560,
        "bharti airtel ltd., telemedia services",
        "bharti airtel",
        "airtelbroadband.in",
        false,
    ),
    isp(
        4713,
        "ntt communications corporation",
        "ntt communications corporation",
        "ocn.ne.jp",
        false,
    ),
    isp(
        1221,
        "telstra corporation ltd",
        "telstra internet",
        "bigpond.net.au",
        false,
    ),
    isp(27699, "telefonica brasil s.a", "vivo", "telesp.net.br", false),
    isp(
        174,
        "cogent communications",
        "cogent communications",
        "cogentco.com",
        false,
    ),
    isp(14061, "digitalocean", "digitalocean  llc", "digitalocean.com", false),
    isp(9009, "m247 europe srl", "m247 ltd", "m247.com", true),
    isp(16276, "ovh sas", "ovh sas", "ovh.net", false),
    isp(
        14618,
        "amazon data services nova",
        "amazon.com  inc.",
        "amazonaws.com",
        false,
    ),
    isp(
        20473,
        "the constant company  llc",
        "vultr holdings  llc",
        "vultr.com",
        false,
    ),
    isp(
        29465,
        "mtn nigeria communication limited",
        "mtn nigeria",
        "mtnnigeria.net",
        false,
    ),
    isp(12389, "rostelecom", "rostelecom", "rt.ru", false),
];

/// What a network is used for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Use {
    /// Home broadband: users' home IPs, and hotels when they travel.
    Home,
    /// A company office's egress (Okta's default `LegacyIpZone`).
    Office,
    /// Cloud hosts running service integrations.
    Cloud,
    /// Hosting and VPN exits attackers sign in from.
    Attacker,
}

/// An address block: every address in it geolocates to one city and one ISP, so the same IP
/// always carries the same geography.
pub struct Network {
    pub prefix: [u8; 4],
    /// Prefix length: 16, 24, 25 or 26.
    pub bits: u8,
    pub city: usize,
    pub isp: usize,
    pub usage: Use,
}

const fn net(prefix: [u8; 4], bits: u8, city: usize, isp: usize, usage: Use) -> Network {
    Network {
        prefix,
        bits,
        city,
        isp,
        usage,
    }
}

use Use::{Attacker, Cloud, Home, Office};

pub const NETWORKS: &[Network] = &[
    net([71, 190, 0, 0], 16, 0, 1, Home),
    net([24, 193, 0, 0], 16, 0, 3, Home),
    net([72, 229, 0, 0], 16, 1, 1, Home),
    net([73, 158, 0, 0], 16, 2, 0, Home),
    net([107, 3, 0, 0], 16, 2, 2, Home),
    net([73, 189, 0, 0], 16, 3, 0, Home),
    net([73, 45, 0, 0], 16, 4, 0, Home),
    net([99, 62, 0, 0], 16, 4, 2, Home),
    net([70, 114, 0, 0], 16, 5, 2, Home),
    net([24, 27, 0, 0], 16, 5, 3, Home),
    net([73, 97, 0, 0], 16, 6, 0, Home),
    net([73, 60, 0, 0], 16, 7, 0, Home),
    net([108, 20, 0, 0], 16, 7, 1, Home),
    net([73, 14, 0, 0], 16, 8, 0, Home),
    net([73, 137, 0, 0], 16, 9, 0, Home),
    net([99, 96, 0, 0], 16, 9, 2, Home),
    net([76, 91, 0, 0], 16, 10, 3, Home),
    net([107, 184, 0, 0], 16, 10, 2, Home),
    net([99, 230, 0, 0], 16, 11, 4, Home),
    net([86, 140, 0, 0], 16, 12, 5, Home),
    net([82, 132, 0, 0], 16, 12, 6, Home),
    net([86, 159, 0, 0], 16, 13, 5, Home),
    net([82, 41, 0, 0], 16, 13, 6, Home),
    net([86, 44, 0, 0], 16, 14, 7, Home),
    net([90, 66, 0, 0], 16, 15, 8, Home),
    net([87, 123, 0, 0], 16, 16, 9, Home),
    net([77, 160, 0, 0], 16, 17, 10, Home),
    net([83, 44, 0, 0], 16, 18, 11, Home),
    net([81, 226, 0, 0], 16, 19, 12, Home),
    net([122, 171, 0, 0], 16, 20, 13, Home),
    net([153, 240, 0, 0], 16, 21, 14, Home),
    net([101, 160, 0, 0], 16, 22, 15, Home),
    net([177, 139, 0, 0], 16, 23, 16, Home),
    // Office egress, in the 192.0.2.0/24 documentation range.
    net([192, 0, 2, 0], 26, 0, 17, Office),
    net([192, 0, 2, 64], 26, 2, 17, Office),
    net([192, 0, 2, 128], 26, 12, 17, Office),
    net([192, 0, 2, 192], 26, 20, 17, Office),
    net([54, 152, 0, 0], 16, 24, 21, Cloud),
    // Attacker infrastructure, in the 198.51.100.0/24 and 203.0.113.0/24 documentation ranges.
    net([198, 51, 100, 0], 26, 25, 20, Attacker),
    net([198, 51, 100, 64], 26, 26, 19, Attacker),
    net([198, 51, 100, 128], 26, 24, 18, Attacker),
    net([198, 51, 100, 192], 26, 28, 22, Attacker),
    net([203, 0, 113, 0], 26, 27, 23, Attacker),
    net([203, 0, 113, 64], 26, 29, 24, Attacker),
    net([203, 0, 113, 128], 25, 24, 22, Attacker),
];

/// Relative weight of each home city (index into [`CITIES`]) for where users live.
pub const HOME_CITY_WEIGHTS: &[u32] = &[14, 6, 12, 4, 8, 6, 7, 6, 4, 4, 7, 4, 8, 3, 3, 3, 3, 3, 2, 2, 5, 2, 2, 2];

/// The office network (index into [`NETWORKS`]) people living in a home city commute to.
pub fn office_for(city: usize) -> Option<usize> {
    let office_city = match city {
        0 | 1 | 7 => 0,
        2 | 3 | 10 => 2,
        12..=14 => 12,
        20 => 20,
        _ => return None,
    };
    NETWORKS
        .iter()
        .position(|n| n.usage == Use::Office && n.city == office_city)
}

/// A desktop browser.
pub struct Agent {
    pub raw: &'static str,
    pub os: &'static str,
    pub browser: &'static str,
    pub family: OsFamily,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OsFamily {
    Windows,
    Mac,
    Linux,
}

const fn agent(raw: &'static str, os: &'static str, browser: &'static str, family: OsFamily) -> Agent {
    Agent {
        raw,
        os,
        browser,
        family,
    }
}

pub const AGENTS: &[Agent] = &[
    agent(
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36",
        "Windows 10",
        "CHROME",
        OsFamily::Windows,
    ),
    agent(
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36 Edg/122.0.2365.66",
        "Windows 10",
        "EDGE_CHROMIUM",
        OsFamily::Windows,
    ),
    agent(
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:123.0) Gecko/20100101 Firefox/123.0",
        "Windows 10",
        "FIREFOX",
        OsFamily::Windows,
    ),
    agent(
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36",
        "Mac OS X",
        "CHROME",
        OsFamily::Mac,
    ),
    agent(
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.3.1 Safari/605.1.15",
        "Mac OS X",
        "SAFARI",
        OsFamily::Mac,
    ),
    agent(
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:123.0) Gecko/20100101 Firefox/123.0",
        "Mac OS X",
        "FIREFOX",
        OsFamily::Mac,
    ),
    agent(
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36",
        "Linux",
        "CHROME",
        OsFamily::Linux,
    ),
    agent(
        "Mozilla/5.0 (X11; Linux x86_64; rv:123.0) Gecko/20100101 Firefox/123.0",
        "Linux",
        "FIREFOX",
        OsFamily::Linux,
    ),
];

/// How often users' laptops run each browser of [`AGENTS`].
pub const AGENT_WEIGHTS: &[u32] = &[30, 12, 4, 28, 12, 4, 6, 4];

/// Clients of service integrations (OAuth 2.0 client credentials).
pub const SERVICE_AGENTS: &[&str] = &[
    "okta-sdk-java/8.2.5 java/17.0.10 Linux/5.10.210-201.852.amzn2.x86_64",
    "okta-sdk-python/2.9.5 python/3.11.8 Linux/5.10.210-201.852.amzn2.x86_64",
    "Apache-HttpClient/4.5.14 (Java/17.0.10)",
    "Go-http-client/2.0",
];

/// A phone model running Okta Verify.
pub struct Phone {
    pub maker: &'static str,
    pub model: &'static str,
    /// `client.userAgent.os`.
    pub os: &'static str,
    pub os_version: &'static str,
    /// `device.os_platform`.
    pub platform: &'static str,
    pub ios: bool,
}

const fn phone(
    maker: &'static str,
    model: &'static str,
    os: &'static str,
    os_version: &'static str,
    platform: &'static str,
    ios: bool,
) -> Phone {
    Phone {
        maker,
        model,
        os,
        os_version,
        platform,
        ios,
    }
}

pub const PHONES: &[Phone] = &[
    phone("Apple", "iPhone15,2", "iOS", "17.3.1", "IOS", true),
    phone("Apple", "iPhone14,5", "iOS", "17.2.1", "IOS", true),
    phone("Apple", "iPhone16,1", "iOS", "17.4", "IOS", true),
    phone("Apple", "iPhone13,2", "iOS", "16.7.5", "IOS", true),
    phone("Google", "Pixel 8", "Android", "14", "ANDROID", false),
    phone("samsung", "SM-S918B", "Android", "14", "ANDROID", false),
    phone("samsung", "SM-A546B", "Android", "13", "ANDROID", false),
];

/// An application users sign in to.
pub struct App {
    pub label: &'static str,
    /// The app's name in Okta (`/app/<name>/...`).
    pub name: &'static str,
    pub sign_on: &'static str,
    /// OpenID Connect apps log `app.oauth2.*` events instead of `user.authentication.sso`.
    pub oidc: bool,
    pub weight: u32,
}

const fn app(label: &'static str, name: &'static str, sign_on: &'static str, oidc: bool, weight: u32) -> App {
    App {
        label,
        name,
        sign_on,
        oidc,
        weight,
    }
}

pub const APPS: &[App] = &[
    app("Slack", "slack", "SAML_2_0", false, 20),
    app("Google Workspace", "google", "SAML_2_0", false, 16),
    app("Microsoft Office 365", "office365", "WS_FEDERATION", false, 14),
    app("Salesforce.com", "salesforce", "SAML_2_0", false, 8),
    app("Zoom", "zoomus", "SAML_2_0", false, 8),
    app("Atlassian Cloud", "atlassian", "SAML_2_0", false, 9),
    app(
        "GitHub Enterprise Cloud - Organization",
        "githubcloud",
        "SAML_2_0",
        false,
        6,
    ),
    app("Workday", "workday", "SAML_2_0", false, 4),
    app("AWS IAM Identity Center", "amazon_aws_sso", "SAML_2_0", false, 4),
    app("Box", "boxnet", "SAML_2_0", false, 3),
    app("ServiceNow UD", "servicenow_ud", "SAML_2_0", false, 3),
    app("Expense Portal", "oidc_client", "OPENID_CONNECT", true, 4),
    app("Internal Wiki", "oidc_client", "OPENID_CONNECT", true, 4),
];

/// Service integrations that call Okta with client credentials.
pub const SERVICES: &[(&str, &str)] = &[
    ("SIEM Log Collector", "okta.logs.read"),
    ("HR Provisioning Sync", "okta.users.manage okta.groups.manage"),
    ("Device Inventory", "okta.devices.read"),
];

/// Groups admins add users to.
pub const GROUPS: &[&str] = &[
    "Engineering",
    "Sales",
    "Finance",
    "Support",
    "Contractors",
    "VPN Users",
    "GitHub Users",
    "AWS Developers",
];

pub const FIRST_NAMES: &[&str] = &[
    "James",
    "Mary",
    "Robert",
    "Patricia",
    "John",
    "Jennifer",
    "Michael",
    "Linda",
    "David",
    "Elizabeth",
    "William",
    "Barbara",
    "Richard",
    "Susan",
    "Joseph",
    "Jessica",
    "Thomas",
    "Sarah",
    "Charles",
    "Karen",
    "Daniel",
    "Lisa",
    "Matthew",
    "Nancy",
    "Anthony",
    "Sandra",
    "Mark",
    "Ashley",
    "Steven",
    "Emily",
    "Andrew",
    "Michelle",
    "Joshua",
    "Amanda",
    "Kevin",
    "Melissa",
    "Brian",
    "Stephanie",
    "Priya",
    "Rahul",
    "Aisha",
    "Omar",
    "Mei",
    "Hiroshi",
    "Yuki",
    "Lucas",
    "Sofia",
    "Mateo",
    "Camila",
    "Liam",
    "Emma",
    "Noah",
    "Olivia",
    "Elena",
    "Marco",
    "Chloe",
    "Hannah",
    "Felix",
    "Lena",
    "Jonas",
    "Ingrid",
    "Sean",
    "Siobhan",
    "Aarav",
    "Ananya",
];

pub const LAST_NAMES: &[&str] = &[
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Gonzalez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Perez",
    "Thompson",
    "White",
    "Harris",
    "Sanchez",
    "Clark",
    "Ramirez",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "Scott",
    "Torres",
    "Nguyen",
    "Hill",
    "Flores",
    "Green",
    "Adams",
    "Nelson",
    "Baker",
    "Hall",
    "Rivera",
    "Campbell",
    "Mitchell",
    "Patel",
    "Sharma",
    "Khan",
    "Chen",
    "Wang",
    "Tanaka",
    "Sato",
    "Muller",
    "Schmidt",
    "Dubois",
    "Rossi",
    "Silva",
    "Murphy",
    "Kelly",
    "Johansson",
    "Novak",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_consistent() {
        assert_eq!(HOME_CITY_WEIGHTS.len(), 24);
        assert_eq!(AGENT_WEIGHTS.len(), AGENTS.len());
        for n in NETWORKS {
            assert!(n.city < CITIES.len() && n.isp < ISPS.len());
            assert!(matches!(n.bits, 16 | 24 | 25 | 26));
        }
        // Every home city has broadband; offices are office networks.
        for c in 0..HOME_CITY_WEIGHTS.len() {
            assert!(NETWORKS.iter().any(|n| n.city == c && n.usage == Use::Home), "{c}");
            if let Some(o) = office_for(c) {
                assert_eq!(NETWORKS[o].usage, Use::Office);
            }
        }
        // Attackers never sign in from a city users live in.
        for n in NETWORKS.iter().filter(|n| n.usage == Use::Attacker) {
            assert!(n.city >= HOME_CITY_WEIGHTS.len());
        }
    }

    #[test]
    fn networks_do_not_overlap() {
        let contains = |n: &Network, ip: [u8; 4]| {
            let a = u32::from_be_bytes(n.prefix);
            let b = u32::from_be_bytes(ip);
            let mask = u32::MAX << (32 - u32::from(n.bits));
            a & mask == b & mask
        };
        for (i, a) in NETWORKS.iter().enumerate() {
            for b in &NETWORKS[i + 1..] {
                assert!(!contains(a, b.prefix) && !contains(b, a.prefix));
            }
        }
    }
}
