//! Value-level primitives both matchers agree on by definition: how numbers
//! compare (AWS's six-decimal comparable form), what counts as an IP address,
//! and CIDR blocks.

/// Numbers AWS can compare numerically lie in [-5e9, 5e9].
pub const NUMERIC_LIMIT: f64 = 5e9;

/// A number's comparable form: `(value + 5e9) * 1e6`, truncated, as AWS's
/// matcher builds it (so comparisons are exact to six decimal places).
/// `None` outside [-5e9, 5e9].
pub fn comparable(f: f64) -> Option<i64> {
    (f.is_finite() && (-NUMERIC_LIMIT..=NUMERIC_LIMIT).contains(&f))
        .then_some(((f + NUMERIC_LIMIT) * 1e6) as i64)
}

/// An IP address as a number and its family (`true` for IPv6).
pub type Ip = (u128, bool);

/// Parses an IPv4 dotted quad (decimal octets, leading zeros allowed) or an
/// IPv6 literal; `None` for anything else (host names included).
pub fn parse_ip(text: &str) -> Option<Ip> {
    if let Some(v4) = parse_v4(text) {
        return Some((v4 as u128, false));
    }
    let looks_v6 = text.contains(':')
        && text
            .chars()
            .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.');
    if looks_v6 {
        return text
            .parse::<std::net::Ipv6Addr>()
            .ok()
            .map(|a| (u128::from(a), true));
    }
    None
}

fn parse_v4(text: &str) -> Option<u32> {
    let mut out = 0u32;
    let mut parts = 0;
    for octet in text.split('.') {
        parts += 1;
        if octet.is_empty() || octet.len() > 3 || !octet.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let v: u32 = octet.parse().ok()?;
        if v > 255 {
            return None;
        }
        out = (out << 8) | v;
    }
    (parts == 4).then_some(out)
}

/// A CIDR block: the lowest and highest address and the family.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cidr {
    pub low: u128,
    pub high: u128,
    pub v6: bool,
}

impl Cidr {
    /// Parses `10.0.0.0/24` or `2001:db8::/32`, with AWS's messages.
    pub fn parse(text: &str) -> Result<Cidr, String> {
        let parts: Vec<&str> = text.split('/').collect();
        if parts.len() != 2 || parts[1].is_empty() {
            return Err("Malformed CIDR, one '/' required".into());
        }
        let mask: i64 = parts[1]
            .parse()
            .ok()
            .filter(|m: &i64| (i32::MIN as i64..=i32::MAX as i64).contains(m))
            .ok_or_else(|| "Malformed CIDR, mask bits must be an integer".to_string())?;
        if mask < 0 {
            return Err("Malformed CIDR, mask bits must not be negative".into());
        }
        let (addr, v6) =
            parse_ip(parts[0]).ok_or_else(|| format!("Nonstandard IP address: {}", parts[0]))?;
        let width: u32 = if v6 { 128 } else { 32 };
        if !v6 && mask > 31 {
            return Err("IPv4 mask bits must be < 32".into());
        }
        if v6 && mask > 127 {
            return Err("IPv6 mask bits must be < 128".into());
        }
        let host_bits = width - mask as u32;
        let host_mask: u128 = if host_bits >= 128 {
            u128::MAX
        } else {
            (1u128 << host_bits) - 1
        };
        Ok(Cidr {
            low: addr & !host_mask,
            high: addr | host_mask,
            v6,
        })
    }

    /// True when `ip` lies in the block (same family only).
    pub fn contains(&self, ip: Ip) -> bool {
        ip.1 == self.v6 && (self.low..=self.high).contains(&ip.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comparable_numbers_keep_six_decimals() {
        assert_eq!(comparable(5.0), comparable(5.0000001));
        assert!(comparable(5.0) < comparable(5.000001));
        assert!(comparable(-1.0) < comparable(0.0));
        assert_eq!(comparable(5e9 + 1.0), None);
        assert!(comparable(-5e9).is_some());
        assert_eq!(comparable(f64::NAN), None);
    }

    #[test]
    fn ips_and_blocks() {
        assert_eq!(parse_ip("10.0.0.1"), Some((0x0a00_0001, false)));
        assert_eq!(parse_ip("010.0.0.1"), parse_ip("10.0.0.1"));
        assert_eq!(parse_ip("256.0.0.1"), None);
        assert_eq!(parse_ip("example.com"), None);
        assert_eq!(parse_ip("::1"), Some((1, true)));
        let net = Cidr::parse("10.0.0.0/24").unwrap();
        assert!(net.contains(parse_ip("10.0.0.255").unwrap()));
        assert!(!net.contains(parse_ip("10.0.1.0").unwrap()));
        assert!(!net.contains(parse_ip("::1").unwrap()));
        let floored = Cidr::parse("10.0.0.7/24").unwrap();
        assert_eq!(floored, net);
        assert!(
            Cidr::parse("2001:db8::/32")
                .unwrap()
                .contains(parse_ip("2001:db8::5").unwrap())
        );
        assert_eq!(
            Cidr::parse("10.0.0.0").unwrap_err(),
            "Malformed CIDR, one '/' required"
        );
        assert_eq!(
            Cidr::parse("10.0.0.0/x").unwrap_err(),
            "Malformed CIDR, mask bits must be an integer"
        );
        assert_eq!(
            Cidr::parse("10.0.0.0/-1").unwrap_err(),
            "Malformed CIDR, mask bits must not be negative"
        );
        assert_eq!(
            Cidr::parse("10.0.0.0/32").unwrap_err(),
            "IPv4 mask bits must be < 32"
        );
        assert_eq!(
            Cidr::parse("nope/8").unwrap_err(),
            "Nonstandard IP address: nope"
        );
    }
}
