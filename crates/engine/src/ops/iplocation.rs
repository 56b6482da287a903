//! `iplocation`: adds `City`, `Country`, `Region`, `lat`, `lon` (and with `allfields=true`
//! `Continent`, `MetroCode`, `Timezone`) for the IP address in a field, from a MaxMind-format
//! database. Without a database the fields are added empty, and the run says so once.

use super::{Accounting, Flow, Operator, RunContext};
use crate::event::{Event, Name};
use crate::plan::IpLocationSpec;
use crate::value::Value;

pub struct IpLocation {
    spec: IpLocationSpec,
    names: Vec<Name>,
    missing_db: bool,
}

const BASIC: &[&str] = &["City", "Country", "Region", "lat", "lon"];
const EXTRA: &[&str] = &["Continent", "MetroCode", "Timezone"];

impl IpLocation {
    pub fn new(spec: IpLocationSpec) -> IpLocation {
        let mut names: Vec<Name> = BASIC
            .iter()
            .map(|n| Name::from(format!("{}{n}", spec.prefix)))
            .collect();
        if spec.all_fields {
            names.extend(EXTRA.iter().map(|n| Name::from(format!("{}{n}", spec.prefix))));
        }
        IpLocation {
            spec,
            names,
            missing_db: false,
        }
    }
}

impl Operator for IpLocation {
    fn push(&mut self, batch: &mut Vec<Event>, ctx: &RunContext) -> Flow {
        let Some(db) = &ctx.geoip else {
            self.missing_db = true;
            for event in batch.iter_mut() {
                if event.has(&self.spec.field) {
                    for name in &self.names {
                        event.set(name.clone(), Value::str(""));
                    }
                }
            }
            return Flow::Continue;
        };
        for event in batch.iter_mut() {
            let ip = event.get(&self.spec.field);
            let Some(text) = ip.iter().next().and_then(|v| v.as_text().map(|t| t.into_owned())) else {
                continue;
            };
            let location = db.lookup(&text).unwrap_or_default();
            let text = |v: Option<String>| Value::from(v.unwrap_or_default());
            let number = |v: Option<f64>| v.map(Value::Float).unwrap_or_else(|| Value::str(""));
            let mut values = vec![
                text(location.city),
                text(location.country),
                text(location.region),
                number(location.lat),
                number(location.lon),
            ];
            if self.spec.all_fields {
                values.push(text(location.continent));
                values.push(
                    location
                        .metro_code
                        .map(|m| Value::Int(m as i64))
                        .unwrap_or_else(|| Value::str("")),
                );
                values.push(text(location.timezone));
            }
            for (name, value) in self.names.iter().zip(values) {
                event.set(name.clone(), value);
            }
        }
        Flow::Continue
    }

    fn account(&self, acc: &mut Accounting) {
        if self.missing_db {
            acc.note(
                "iplocation: no GeoIP database (give --geoip FILE or set QUARRY_GEOIP); location fields are empty",
            );
        }
    }
}
