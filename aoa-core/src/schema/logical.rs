//! Conversions between the JSON representation of some values and their
//! Avro bytes: ISO-8859-1 strings for `bytes`/`fixed`, decimal strings for
//! `decimal`, canonical UUID strings for `uuid` on `bytes`/`fixed`.

#![expect(
    clippy::cast_possible_truncation,
    reason = "each digit or nibble is below 16 (or 256 for a carry byte) before it is narrowed"
)]

/// The bytes of an ISO-8859-1 string (every char at most U+00FF).
pub(crate) fn latin1_to_bytes(s: &str) -> Option<Vec<u8>> {
    s.chars().map(|c| u8::try_from(u32::from(c)).ok()).collect()
}

/// The ISO-8859-1 string of `bytes`.
pub(crate) fn latin1_from_bytes(bytes: &[u8]) -> String {
    bytes.iter().map(|b| char::from(*b)).collect()
}

/// Whether `s` is an ISO-8859-1 string of exactly `size` characters.
pub(crate) fn is_latin1_of_size(s: &str, size: usize) -> bool {
    s.chars().all(|c| u32::from(c) <= 0xff) && s.chars().count() == size
}

/// The 16 bytes of a canonical UUID string (`8-4-4-4-12` hex digits).
pub(crate) fn uuid_to_bytes(s: &str) -> Option<[u8; 16]> {
    let bytes = s.as_bytes();
    if bytes.len() != 36 {
        return None;
    }
    let mut out = [0u8; 16];
    let mut nibbles = 0;
    for (i, c) in bytes.iter().enumerate() {
        if matches!(i, 8 | 13 | 18 | 23) {
            if *c != b'-' {
                return None;
            }
            continue;
        }
        let v = (*c as char).to_digit(16)?;
        let slot = out.get_mut(nibbles / 2)?;
        *slot = (*slot << 4) | v as u8;
        nibbles += 1;
    }
    Some(out)
}

/// The canonical lowercase UUID string of 16 bytes.
pub(crate) fn uuid_from_bytes(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(36);
    for (i, b) in bytes.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            out.push('-');
        }
        out.push_str(&format!("{b:02x}"));
    }
    out
}

/// A decimal string checked against a precision and scale: its sign and
/// its unscaled digits (scaled to exactly `scale` fractional digits).
pub(crate) fn decimal_digits(
    s: &str,
    precision: usize,
    scale: usize,
) -> Result<(bool, Vec<u8>), String> {
    let (negative, unsigned) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let (int_part, frac_part) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let all_digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
    if int_part.is_empty()
        || !all_digits(int_part)
        || !all_digits(frac_part)
        || (unsigned.contains('.') && frac_part.is_empty())
    {
        return Err(format!("`{s}` is not a decimal number such as `-12.34`"));
    }
    if frac_part.len() > scale {
        return Err(format!(
            "`{s}` has {} fractional digits, more than the scale {scale}",
            frac_part.len()
        ));
    }
    let significant = int_part.trim_start_matches('0');
    if significant.len() + scale > precision {
        return Err(format!(
            "`{s}` has more than {} integer digits allowed by precision {precision} and scale {scale}",
            precision.saturating_sub(scale)
        ));
    }
    let mut digits: Vec<u8> = significant.bytes().map(|b| b - b'0').collect();
    digits.extend(frac_part.bytes().map(|b| b - b'0'));
    digits.extend(std::iter::repeat_n(0, scale - frac_part.len()));
    Ok((negative, digits))
}

/// Minimal big-endian two's complement bytes of a decimal string's
/// unscaled value.
pub(crate) fn decimal_to_bytes(s: &str, precision: usize, scale: usize) -> Result<Vec<u8>, String> {
    let (negative, digits) = decimal_digits(s, precision, scale)?;
    // Base-256 magnitude, least significant byte first.
    let mut magnitude: Vec<u8> = Vec::new();
    for digit in digits {
        let mut carry = u32::from(digit);
        for byte in magnitude.iter_mut() {
            let v = u32::from(*byte) * 10 + carry;
            *byte = (v & 0xff) as u8;
            carry = v >> 8;
        }
        if carry > 0 {
            magnitude.push(carry as u8);
        }
    }
    magnitude.push(0); // room for the sign bit
    if negative {
        let mut carry = 1u16;
        for byte in magnitude.iter_mut() {
            let v = u16::from(!*byte) + carry;
            *byte = (v & 0xff) as u8;
            carry = v >> 8;
        }
    }
    magnitude.reverse();
    Ok(minimal(magnitude))
}

/// Drops redundant sign-extension bytes.
fn minimal(mut bytes: Vec<u8>) -> Vec<u8> {
    let redundant = bytes
        .windows(2)
        .take_while(|w| (w[0] == 0 && w[1] < 0x80) || (w[0] == 0xff && w[1] >= 0x80))
        .count();
    bytes.drain(..redundant);
    bytes
}

/// Sign-extends two's complement `bytes` to exactly `size` bytes.
pub(crate) fn sign_extend(bytes: &[u8], size: usize) -> Option<Vec<u8>> {
    let pad = size.checked_sub(bytes.len())?;
    let fill = if bytes.first().is_some_and(|b| *b >= 0x80) {
        0xff
    } else {
        0
    };
    let mut out = vec![fill; pad];
    out.extend_from_slice(bytes);
    Some(out)
}

/// The decimal string of big-endian two's complement `bytes` with `scale`
/// fractional digits.
pub(crate) fn decimal_from_bytes(bytes: &[u8], scale: usize) -> String {
    let negative = bytes.first().is_some_and(|b| *b >= 0x80);
    // Magnitude, most significant byte first.
    let mut magnitude: Vec<u8> = bytes.to_vec();
    if negative {
        let mut carry = 1u16;
        for byte in magnitude.iter_mut().rev() {
            let v = u16::from(!*byte) + carry;
            *byte = (v & 0xff) as u8;
            carry = v >> 8;
        }
    }
    let mut digits = Vec::new();
    while magnitude.iter().any(|b| *b != 0) {
        let mut remainder = 0u32;
        for byte in magnitude.iter_mut() {
            let v = (remainder << 8) | u32::from(*byte);
            *byte = (v / 10) as u8;
            remainder = v % 10;
        }
        digits.push(b'0' + remainder as u8);
    }
    while digits.len() <= scale {
        digits.push(b'0');
    }
    digits.reverse();
    let (int_part, frac_part) = digits.split_at(digits.len() - scale);
    let mut out = String::new();
    if negative {
        out.push('-');
    }
    out.push_str(&String::from_utf8_lossy(int_part));
    if scale > 0 {
        out.push('.');
        out.push_str(&String::from_utf8_lossy(frac_part));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_round_trips() {
        for (s, bytes) in [
            ("0.00", vec![0u8]),
            ("1.27", vec![0x7f]),
            ("1.28", vec![0x00, 0x80]),
            ("-1.28", vec![0x80]),
            ("-1.29", vec![0xff, 0x7f]),
            ("-0.01", vec![0xff]),
        ] {
            assert_eq!(decimal_to_bytes(s, 10, 2).unwrap(), bytes, "{s}");
            assert_eq!(decimal_from_bytes(&bytes, 2), s);
        }
        assert_eq!(decimal_from_bytes(&[0x01], 0), "1");
        assert_eq!(decimal_to_bytes("12.5", 4, 2).unwrap(), vec![0x04, 0xe2]);
    }

    #[test]
    fn decimal_rejects_bad_input() {
        assert!(decimal_digits("1.234", 10, 2).is_err());
        assert!(decimal_digits("123", 4, 2).is_err());
        assert!(decimal_digits("1e3", 10, 2).is_err());
        assert!(decimal_digits("1.", 10, 2).is_err());
        assert!(decimal_digits("", 10, 2).is_err());
        assert!(decimal_digits("0012.3", 4, 2).is_ok());
    }

    #[test]
    fn uuid_round_trips() {
        let s = "123e4567-e89b-12d3-a456-426614174000";
        let bytes = uuid_to_bytes(s).unwrap();
        assert_eq!(uuid_from_bytes(&bytes), s);
        assert!(uuid_to_bytes("123e4567e89b12d3a456426614174000").is_none());
        assert!(uuid_to_bytes("123e4567-e89b-12d3-a456-42661417400g").is_none());
    }
}
