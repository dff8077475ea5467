//! `application/x-www-form-urlencoded` bodies: each parameter at most once (RFC 6749 §3.2).

/// Percent-decodes one form component (`+` is a space); `None` for a bad escape or text that is not UTF-8.
pub(crate) fn decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

/// The parameters of a form body, or why it is not one (a bad escape, a repeated parameter).
pub(crate) fn parse(body: &str) -> Result<Vec<(String, String)>, String> {
    let mut out: Vec<(String, String)> = Vec::new();
    for pair in body.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let (Some(k), Some(v)) = (decode(k), decode(v)) else {
            return Err("the body is not form-urlencoded UTF-8".into());
        };
        if out.iter().any(|(seen, _)| *seen == k) {
            return Err(format!("parameter `{k}` is given more than once"));
        }
        out.push((k, v));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms() {
        assert_eq!(decode("a+b%2Fc%40d").as_deref(), Some("a b/c@d"));
        assert_eq!(decode("%zz"), None);
        assert_eq!(decode("%4"), None);
        assert_eq!(
            parse("a=1&b=x+y").unwrap(),
            [("a".into(), "1".into()), ("b".into(), "x y".into())]
        );
        assert!(parse("a=1&a=2").unwrap_err().contains("more than once"));
    }
}
