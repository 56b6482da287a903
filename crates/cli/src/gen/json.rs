//! Writing JSON text by hand, and Okta's timestamp format. Events are written straight into a
//! byte buffer: no intermediate JSON tree, and key order is exactly the order of the calls.

/// Appends `s` as a JSON string literal.
pub fn string(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let escape: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0..=0x1f => b"",
            _ => continue,
        };
        out.extend_from_slice(&bytes[start..i]);
        if escape.is_empty() {
            out.extend_from_slice(format!("\\u{b:04x}").as_bytes());
        } else {
            out.extend_from_slice(escape);
        }
        start = i + 1;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

/// Appends a string literal, or `null`.
pub fn opt_string(out: &mut Vec<u8>, s: Option<&str>) {
    match s {
        Some(s) => string(out, s),
        None => out.extend_from_slice(b"null"),
    }
}

/// Appends an unsigned integer.
pub fn uint(out: &mut Vec<u8>, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[i..]);
}

/// Appends a dotted IPv4 address (no quotes).
pub fn ipv4(out: &mut Vec<u8>, ip: [u8; 4]) {
    for (i, octet) in ip.iter().enumerate() {
        if i > 0 {
            out.push(b'.');
        }
        uint(out, u64::from(*octet));
    }
}

/// Appends lower-case hex digits of `bytes`.
pub fn hex(out: &mut Vec<u8>, bytes: &[u8]) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    for b in bytes {
        out.push(DIGITS[usize::from(b >> 4)]);
        out.push(DIGITS[usize::from(b & 15)]);
    }
}

/// Days since 1970-01-01 to a (year, month, day) civil date (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn two(out: &mut Vec<u8>, n: u32) {
    out.push(b'0' + (n / 10 % 10) as u8);
    out.push(b'0' + (n % 10) as u8);
}

/// Appends epoch milliseconds as Okta prints `published`: `2024-03-04T09:58:41.112Z`
/// (no quotes). Years are 0000 to 9999.
pub fn timestamp(out: &mut Vec<u8>, ms: i64) {
    let secs = ms.div_euclid(1000);
    let milli = ms.rem_euclid(1000) as u32;
    let (y, mo, d) = civil_from_days(secs.div_euclid(86_400));
    let sod = secs.rem_euclid(86_400) as u32;
    let y = y.clamp(0, 9999) as u32;
    two(out, y / 100);
    two(out, y % 100);
    out.push(b'-');
    two(out, mo);
    out.push(b'-');
    two(out, d);
    out.push(b'T');
    two(out, sod / 3600);
    out.push(b':');
    two(out, sod / 60 % 60);
    out.push(b':');
    two(out, sod % 60);
    out.push(b'.');
    out.push(b'0' + (milli / 100) as u8);
    two(out, milli % 100);
    out.push(b'Z');
}

/// A timestamp as a `String`.
pub fn timestamp_string(ms: i64) -> String {
    let mut out = Vec::with_capacity(24);
    timestamp(&mut out, ms);
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(f: impl FnOnce(&mut Vec<u8>)) -> String {
        let mut out = Vec::new();
        f(&mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn strings_are_escaped_as_json() {
        let s = "a\"b\\c\nd\u{1}é";
        let written = text(|o| string(o, s));
        assert_eq!(written, r#""a\"b\\c\nd\u0001é""#);
        assert_eq!(serde_json::from_str::<String>(&written).unwrap(), s);
    }

    #[test]
    fn numbers_and_addresses() {
        assert_eq!(text(|o| uint(o, 0)), "0");
        assert_eq!(text(|o| uint(o, 18_446_744_073_709_551_615)), "18446744073709551615");
        assert_eq!(text(|o| ipv4(o, [198, 51, 100, 7])), "198.51.100.7");
        assert_eq!(text(|o| hex(o, &[0, 0xab, 0x3f])), "00ab3f");
    }

    #[test]
    fn timestamps_match_iso_8601() {
        assert_eq!(timestamp_string(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(timestamp_string(1_709_546_321_112), "2024-03-04T09:58:41.112Z");
        // A leap day and the end of a leap year.
        assert_eq!(timestamp_string(1_709_164_800_005), "2024-02-29T00:00:00.005Z");
        assert_eq!(timestamp_string(1_735_689_599_999), "2024-12-31T23:59:59.999Z");
        for ms in [0i64, 951_782_400_000, 1_709_546_321_112, 4_102_444_800_000] {
            let back = quarry_engine::time::parse_iso8601_nanos(&timestamp_string(ms)).unwrap();
            assert_eq!(back, ms * 1_000_000);
        }
    }
}
