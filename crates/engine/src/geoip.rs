//! IP geolocation for `iplocation`: reads MaxMind-format databases (GeoLite2-City, DB-IP
//! City Lite), and writes tiny ones for tests and demos.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::net::IpAddr;
use std::path::Path;

pub struct GeoIp {
    reader: maxminddb::Reader<Vec<u8>>,
    pub path: String,
}

impl std::fmt::Debug for GeoIp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "GeoIp({})", self.path)
    }
}

/// What `iplocation` reports for one address (English names).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Location {
    pub city: Option<String>,
    pub region: Option<String>,
    pub country: Option<String>,
    pub continent: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub metro_code: Option<u64>,
    pub timezone: Option<String>,
}

#[derive(Deserialize)]
struct Names {
    #[serde(default)]
    names: BTreeMap<String, String>,
}

#[derive(Deserialize)]
struct LocationRecord {
    #[serde(default)]
    latitude: Option<f64>,
    #[serde(default)]
    longitude: Option<f64>,
    #[serde(default)]
    metro_code: Option<u64>,
    #[serde(default)]
    time_zone: Option<String>,
}

#[derive(Deserialize)]
struct CityRecord {
    #[serde(default)]
    city: Option<Names>,
    #[serde(default)]
    country: Option<Names>,
    #[serde(default)]
    continent: Option<Names>,
    #[serde(default)]
    subdivisions: Option<Vec<Names>>,
    #[serde(default)]
    location: Option<LocationRecord>,
}

fn english(names: Option<&Names>) -> Option<String> {
    names.and_then(|n| n.names.get("en").cloned())
}

impl GeoIp {
    pub fn open(path: &Path) -> Result<GeoIp, String> {
        let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
        GeoIp::from_bytes(bytes, &path.display().to_string())
    }

    pub fn from_bytes(bytes: Vec<u8>, name: &str) -> Result<GeoIp, String> {
        let reader =
            maxminddb::Reader::from_source(bytes).map_err(|e| format!("{name}: not a MaxMind database: {e}"))?;
        Ok(GeoIp {
            reader,
            path: name.to_string(),
        })
    }

    /// The location of an address, or `None` when it is not in the database (private
    /// addresses, unknown ranges) or is not an address.
    pub fn lookup(&self, ip: &str) -> Option<Location> {
        let addr: IpAddr = ip.trim().parse().ok()?;
        let record: CityRecord = self.reader.lookup(addr).ok()?;
        let location = record.location.as_ref();
        Some(Location {
            city: english(record.city.as_ref()),
            region: english(record.subdivisions.as_ref().and_then(|s| s.first())),
            country: english(record.country.as_ref()),
            continent: english(record.continent.as_ref()),
            lat: location.and_then(|l| l.latitude),
            lon: location.and_then(|l| l.longitude),
            metro_code: location.and_then(|l| l.metro_code),
            timezone: location.and_then(|l| l.time_zone.clone()),
        })
    }
}

/// One network of a database written by [`MmdbWriter`].
#[derive(Clone, Debug, Default)]
pub struct GeoEntry {
    pub city: String,
    pub region: String,
    pub country: String,
    pub continent: String,
    pub lat: f64,
    pub lon: f64,
    pub timezone: String,
}

/// Writes a small IPv4 MaxMind DB (format 2.0, 24-bit records) in the GeoIP2-City layout.
#[derive(Default)]
pub struct MmdbWriter {
    entries: Vec<(u32, u8, GeoEntry)>,
}

#[derive(Clone, Copy)]
enum Record {
    Empty,
    Node(usize),
    Data(usize),
}

impl MmdbWriter {
    pub fn new() -> MmdbWriter {
        MmdbWriter::default()
    }

    /// Adds an IPv4 network (`"203.0.113.0/24"`); networks must not overlap.
    pub fn insert(&mut self, network: &str, entry: GeoEntry) -> Result<(), String> {
        let net: ipnet::Ipv4Net = network.parse().map_err(|e| format!("{network}: {e}"))?;
        self.entries.push((u32::from(net.network()), net.prefix_len(), entry));
        Ok(())
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut data = Vec::new();
        let mut nodes: Vec<[Record; 2]> = vec![[Record::Empty, Record::Empty]];
        for (addr, prefix, entry) in &self.entries {
            let offset = data.len();
            encode_entry(entry, &mut data);
            let mut node = 0;
            for bit in 0..*prefix {
                let side = ((addr >> (31 - bit)) & 1) as usize;
                if bit + 1 == *prefix {
                    nodes[node][side] = Record::Data(offset);
                    break;
                }
                node = match nodes[node][side] {
                    Record::Node(n) => n,
                    _ => {
                        nodes.push([Record::Empty, Record::Empty]);
                        let n = nodes.len() - 1;
                        nodes[node][side] = Record::Node(n);
                        n
                    }
                };
            }
        }
        let count = nodes.len();
        let mut out = Vec::new();
        for node in &nodes {
            for record in node {
                let value = match record {
                    Record::Empty => count,
                    Record::Node(n) => *n,
                    Record::Data(offset) => count + 16 + offset,
                } as u32;
                out.extend_from_slice(&value.to_be_bytes()[1..]);
            }
        }
        out.extend_from_slice(&[0u8; 16]);
        out.extend_from_slice(&data);
        out.extend_from_slice(b"\xAB\xCD\xEFMaxMind.com");
        let mut meta = Vec::new();
        encode_map_header(9, &mut meta);
        encode_str("node_count", &mut meta);
        encode_uint(6, count as u64, &mut meta);
        encode_str("record_size", &mut meta);
        encode_uint(5, 24, &mut meta);
        encode_str("ip_version", &mut meta);
        encode_uint(5, 4, &mut meta);
        encode_str("database_type", &mut meta);
        encode_str("GeoIP2-City", &mut meta);
        encode_str("languages", &mut meta);
        encode_array_header(1, &mut meta);
        encode_str("en", &mut meta);
        encode_str("binary_format_major_version", &mut meta);
        encode_uint(5, 2, &mut meta);
        encode_str("binary_format_minor_version", &mut meta);
        encode_uint(5, 0, &mut meta);
        encode_str("build_epoch", &mut meta);
        encode_uint(9, 0, &mut meta);
        encode_str("description", &mut meta);
        encode_map_header(1, &mut meta);
        encode_str("en", &mut meta);
        encode_str("Quarry test database", &mut meta);
        out.extend_from_slice(&meta);
        out
    }
}

fn encode_entry(e: &GeoEntry, out: &mut Vec<u8>) {
    let names = |name: &str, out: &mut Vec<u8>| {
        encode_map_header(1, out);
        encode_str("names", out);
        encode_map_header(1, out);
        encode_str("en", out);
        encode_str(name, out);
    };
    encode_map_header(5, out);
    encode_str("city", out);
    names(&e.city, out);
    encode_str("country", out);
    names(&e.country, out);
    encode_str("continent", out);
    names(&e.continent, out);
    encode_str("subdivisions", out);
    encode_array_header(1, out);
    names(&e.region, out);
    encode_str("location", out);
    encode_map_header(3, out);
    encode_str("latitude", out);
    encode_double(e.lat, out);
    encode_str("longitude", out);
    encode_double(e.lon, out);
    encode_str("time_zone", out);
    encode_str(&e.timezone, out);
}

/// Control byte(s) for a value of `kind` (1-15) and `size`.
fn control(kind: u8, size: usize, out: &mut Vec<u8>) {
    let (size_bits, extra): (u8, Vec<u8>) = if size < 29 {
        (size as u8, vec![])
    } else if size < 285 {
        (29, vec![(size - 29) as u8])
    } else if size < 65_821 {
        (30, ((size - 285) as u16).to_be_bytes().to_vec())
    } else {
        (31, ((size - 65_821) as u32).to_be_bytes()[1..].to_vec())
    };
    if kind <= 7 {
        out.push((kind << 5) | size_bits);
    } else {
        out.push(size_bits);
        out.push(kind - 7);
    }
    out.extend_from_slice(&extra);
}

fn encode_str(s: &str, out: &mut Vec<u8>) {
    control(2, s.len(), out);
    out.extend_from_slice(s.as_bytes());
}

fn encode_double(f: f64, out: &mut Vec<u8>) {
    control(3, 8, out);
    out.extend_from_slice(&f.to_be_bytes());
}

fn encode_uint(kind: u8, n: u64, out: &mut Vec<u8>) {
    let bytes = n.to_be_bytes();
    let skip = bytes.iter().take_while(|b| **b == 0).count();
    control(kind, 8 - skip, out);
    out.extend_from_slice(&bytes[skip..]);
}

fn encode_map_header(pairs: usize, out: &mut Vec<u8>) {
    control(7, pairs, out);
}

fn encode_array_header(items: usize, out: &mut Vec<u8>) {
    control(11, items, out);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_written_database_reads_back() {
        let mut w = MmdbWriter::new();
        w.insert(
            "203.0.113.0/24",
            GeoEntry {
                city: "Sydney".into(),
                region: "New South Wales".into(),
                country: "Australia".into(),
                continent: "Oceania".into(),
                lat: -33.87,
                lon: 151.21,
                timezone: "Australia/Sydney".into(),
            },
        )
        .unwrap();
        w.insert(
            "198.51.100.7/32",
            GeoEntry {
                city: "Lagos".into(),
                ..Default::default()
            },
        )
        .unwrap();
        let db = GeoIp::from_bytes(w.to_bytes(), "test").unwrap();
        let sydney = db.lookup("203.0.113.9").unwrap();
        assert_eq!(sydney.city.as_deref(), Some("Sydney"));
        assert_eq!(sydney.region.as_deref(), Some("New South Wales"));
        assert_eq!(sydney.lat, Some(-33.87));
        assert_eq!(db.lookup("198.51.100.7").unwrap().city.as_deref(), Some("Lagos"));
        assert!(db.lookup("10.0.0.1").is_none());
        assert!(db.lookup("not-an-ip").is_none());
    }
}
