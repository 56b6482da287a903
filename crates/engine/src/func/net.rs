//! Network functions: cidrmatch.

use super::Prepared;
use crate::value::Value;
use ipnet::IpNet;
use std::net::IpAddr;

pub fn parse_cidr(text: &str) -> Option<IpNet> {
    let t = text.trim();
    t.parse::<IpNet>()
        .ok()
        .or_else(|| t.parse::<IpAddr>().ok().map(IpNet::from))
}

/// `cidrmatch(cidr, ip)`: true when the address is in the block (any value of a multivalue).
pub fn cidrmatch(cidr: &Value, ip: &Value, prepared: &Prepared) -> Value {
    let owned;
    let net = match prepared {
        Prepared::Cidr(n) => n,
        _ => match cidr.as_text().and_then(|t| parse_cidr(&t)) {
            Some(n) => {
                owned = n;
                &owned
            }
            None => return Value::Null,
        },
    };
    if ip.is_null() {
        return Value::Null;
    }
    Value::Bool(ip.iter().any(|v| {
        v.as_text()
            .and_then(|t| t.trim().parse::<IpAddr>().ok())
            .is_some_and(|addr| net.contains(&addr))
    }))
}
