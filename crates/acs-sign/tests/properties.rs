//! Property tests for percent-encoding, RPC v1 ordering/sensitivity and V3 canonicalisation.

use acs_sign::encode::{encoded_len, is_unreserved, percent_encode, percent_encode_into};
use acs_sign::{v1, v3};
use proptest::prelude::*;

/// Minimal strict percent-decoder: `%XX` (either case) to a byte, other bytes verbatim.
fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Byte-by-byte reference encoder, written independently of the crate's table.
fn reference_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The `k=v` pairs of a v1 string-to-sign, decoded back to raw keys and values.
fn decode_sts(sts: &str) -> (String, Vec<(String, String)>) {
    let (method, rest) = sts.split_once("&%2F&").expect("separator");
    let canonical = percent_decode(rest).expect("outer encoding");
    let pairs = if canonical.is_empty() {
        Vec::new()
    } else {
        canonical
            .split('&')
            .map(|kv| {
                let (k, v) = kv.split_once('=').expect("k=v");
                (
                    percent_decode(k).expect("key"),
                    percent_decode(v).expect("value"),
                )
            })
            .collect()
    };
    (method.to_owned(), pairs)
}

fn params_strategy() -> impl Strategy<Value = Vec<(String, String)>> {
    // Unique keys (a map), mixing ASCII, reserved characters and non-ASCII.
    prop::collection::btree_map("[a-zA-Z0-9._~*/ =&%+é中😀-]{0,8}", ".{0,12}", 0..10)
        .prop_map(|m| m.into_iter().collect())
}

/// Up to 45 parameters with possibly repeated keys (exercises the heap sort path and stability).
fn many_params_strategy() -> impl Strategy<Value = Vec<(String, String)>> {
    prop::collection::vec(("[a-dA-D._~*%]{0,3}", ".{0,6}"), 0..45)
}

/// Python-like reference for the V3 canonical headers and signed headers.
fn reference_headers(headers: &[(String, String)]) -> (String, String) {
    let py_space = |c: char| c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c);
    let mut grouped: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for (k, v) in headers {
        grouped
            .entry(k.to_ascii_lowercase())
            .or_default()
            .push(v.trim_matches(py_space).to_owned());
    }
    let mut canonical = String::new();
    for (k, vs) in &mut grouped {
        vs.sort();
        canonical.push_str(&format!("{k}:{}\n", vs.join(",")));
    }
    let signed: Vec<&str> = grouped.keys().map(String::as_str).collect();
    (canonical, signed.join(";"))
}

fn as_refs(p: &[(String, String)]) -> Vec<(&str, &str)> {
    p.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn percent_encode_round_trips(s in any::<String>()) {
        let enc = percent_encode(&s);
        prop_assert_eq!(percent_decode(&enc), Some(s.clone()));
        prop_assert_eq!(enc.len(), encoded_len(&s));
    }

    #[test]
    fn percent_encode_is_injective(a in any::<String>(), b in any::<String>()) {
        prop_assume!(a != b);
        prop_assert_ne!(percent_encode(&a), percent_encode(&b));
    }

    #[test]
    fn percent_encode_output_alphabet(s in any::<String>()) {
        let enc = percent_encode(&s);
        prop_assert_eq!(&enc, &reference_encode(&s));
        let bytes = enc.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'%' {
                prop_assert!(i + 2 < bytes.len());
                for &h in &bytes[i + 1..i + 3] {
                    prop_assert!(h.is_ascii_digit() || (b'A'..=b'F').contains(&h), "bad hex in {}", enc);
                }
                i += 3;
            } else {
                prop_assert!(is_unreserved(bytes[i]), "{:?} unescaped in {}", bytes[i] as char, enc);
                i += 1;
            }
        }
        // Every unreserved input byte passes through: count of literal bytes is equal.
        let literal_in = s.bytes().filter(|&b| is_unreserved(b)).count();
        let literal_out = enc.len() - 3 * enc.matches('%').count();
        prop_assert_eq!(literal_in, literal_out);
    }

    #[test]
    fn percent_encode_into_appends(prefix in ".{0,8}", s in any::<String>()) {
        let mut out = prefix.clone();
        percent_encode_into(&s, &mut out);
        prop_assert_eq!(out, format!("{prefix}{}", percent_encode(&s)));
    }

    #[test]
    fn v1_is_shuffle_invariant_and_sorted_by_raw_key_bytes(
        (params, shuffled) in params_strategy().prop_flat_map(|p| (Just(p.clone()), Just(p).prop_shuffle()))
    ) {
        let a = v1::string_to_sign("POST", &as_refs(&params));
        let b = v1::string_to_sign("POST", &as_refs(&shuffled));
        prop_assert_eq!(&a, &b);
        let (method, decoded) = decode_sts(&a);
        prop_assert_eq!(method, "POST");
        let mut expected = params.clone();
        expected.sort_by(|x, y| x.0.as_bytes().cmp(y.0.as_bytes()));
        prop_assert_eq!(decoded, expected);
    }

    #[test]
    fn v1_equal_keys_keep_input_order(values in prop::collection::vec(".{0,6}", 1..6), other in ".{0,6}") {
        let mut params: Vec<(&str, &str)> = values.iter().map(|v| ("dup", v.as_str())).collect();
        params.insert(0, ("zzz", other.as_str()));
        let (_, decoded) = decode_sts(&v1::string_to_sign("GET", &params));
        let dup_values: Vec<String> = decoded.iter().filter(|(k, _)| k == "dup").map(|(_, v)| v.clone()).collect();
        prop_assert_eq!(dup_values, values);
    }

    #[test]
    fn v1_signature_changes_with_any_input(
        params in params_strategy().prop_filter("non-empty", |p| !p.is_empty()),
        pick in any::<prop::sample::Index>(),
        method in "[A-Z]{0,7}",
        secret in ".{0,70}",
        extra in "[a-zA-Z0-9é~*]{1,3}",
    ) {
        let base = v1::signature(&secret, &v1::string_to_sign(&method, &as_refs(&params)));
        let i = pick.index(params.len());

        let mut changed_key = params.clone();
        changed_key[i].0.push_str(&extra);
        prop_assert_ne!(&base, &v1::signature(&secret, &v1::string_to_sign(&method, &as_refs(&changed_key))));

        let mut changed_value = params.clone();
        changed_value[i].1.push_str(&extra);
        prop_assert_ne!(&base, &v1::signature(&secret, &v1::string_to_sign(&method, &as_refs(&changed_value))));

        let other_method = format!("{method}{extra}");
        prop_assert_ne!(&base, &v1::signature(&secret, &v1::string_to_sign(&other_method, &as_refs(&params))));

        let other_secret = format!("{secret}{extra}");
        prop_assert_ne!(&base, &v1::signature(&other_secret, &v1::string_to_sign(&method, &as_refs(&params))));
    }

    #[test]
    fn v1_string_to_sign_equals_the_two_step_definition(params in params_strategy(), method in "[A-Z]{0,6}") {
        let mut sorted = params.clone();
        sorted.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
        let canonical: Vec<String> = sorted
            .iter()
            .map(|(k, v)| format!("{}={}", percent_encode(k), percent_encode(v)))
            .collect();
        let expected = format!("{method}&%2F&{}", percent_encode(&canonical.join("&")));
        prop_assert_eq!(v1::string_to_sign(&method, &as_refs(&params)), expected);
    }

    #[test]
    fn v3_headers_are_order_and_case_insensitive(
        (headers, shuffled) in prop::collection::btree_map("[a-z][a-z0-9-]{0,10}", "[ -~]{0,12}", 0..8)
            .prop_map(|m| m.into_iter().collect::<Vec<_>>())
            .prop_flat_map(|h| (Just(h.clone()), Just(h).prop_shuffle())),
        upper_mask in any::<u64>(),
    ) {
        let upper: Vec<(String, String)> = shuffled
            .iter()
            .enumerate()
            .map(|(i, (k, v))| if upper_mask >> (i % 64) & 1 == 1 { (k.to_ascii_uppercase(), v.clone()) } else { (k.clone(), v.clone()) })
            .collect();
        let a = v3::canonical_request("POST", "/", &[], &as_refs(&headers), v3::EMPTY_PAYLOAD_SHA256);
        let b = v3::canonical_request("POST", "/", &[], &as_refs(&upper), v3::EMPTY_PAYLOAD_SHA256);
        prop_assert_eq!(&a, &b);
        let signed = v3::signed_headers(&as_refs(&upper));
        let names: Vec<&str> = headers.iter().map(|(k, _)| k.as_str()).collect();
        prop_assert_eq!(&signed, &names.join(";"));
        // The canonical request embeds the signed-headers line and the trimmed values.
        let lines: Vec<&str> = a.split('\n').collect();
        prop_assert_eq!(lines[lines.len() - 2], signed.as_str());
        for (k, v) in &headers {
            let line = format!("{k}:{}", v.trim());
            prop_assert!(lines.contains(&line.as_str()), "{} missing", line);
        }
    }

    #[test]
    fn long_strings_encode_like_the_reference(s in ".{0,300}") {
        prop_assert_eq!(percent_encode(&s), reference_encode(&s));
        let mut out = String::new();
        percent_encode_into(&s, &mut out);
        prop_assert_eq!(out, reference_encode(&s));
    }

    #[test]
    fn v1_many_params_match_the_definition(
        (params, shuffled) in many_params_strategy().prop_flat_map(|p| (Just(p.clone()), Just(p).prop_shuffle()))
    ) {
        let mut sorted = params.clone();
        sorted.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
        let canonical: Vec<String> = sorted
            .iter()
            .map(|(k, v)| format!("{}={}", percent_encode(k), percent_encode(v)))
            .collect();
        let expected = format!("GET&%2F&{}", percent_encode(&canonical.join("&")));
        prop_assert_eq!(v1::string_to_sign("GET", &as_refs(&params)), expected);
        // With unique keys the order of the input does not matter.
        let mut keys: Vec<&String> = params.iter().map(|(k, _)| k).collect();
        keys.sort();
        keys.dedup();
        if keys.len() == params.len() {
            prop_assert_eq!(
                v1::string_to_sign("GET", &as_refs(&params)),
                v1::string_to_sign("GET", &as_refs(&shuffled))
            );
        }
    }

    #[test]
    fn v3_canonical_headers_match_a_python_like_reference(
        headers in prop::collection::vec(("[a-cA-C][a-cA-C-]{0,3}", "[ \t\u{1c}\u{a0}]{0,2}[ -~é\u{a0}]{0,8}[ \t\u{2028}]{0,2}"), 0..10)
    ) {
        let (canonical, signed) = reference_headers(&headers);
        let cr = v3::canonical_request("GET", "/p", &[], &as_refs(&headers), "h");
        prop_assert_eq!(cr, format!("GET\n/p\n\n{canonical}\n{signed}\nh"));
        prop_assert_eq!(v3::signed_headers(&as_refs(&headers)), signed);
    }

    #[test]
    fn v3_sign_request_equals_the_manual_composition(
        extra in prop::collection::vec(("[a-z]{1,6}", "[ -~]{0,10}"), 0..4),
        body in prop::collection::vec(any::<u8>(), 0..100),
        query in params_strategy(),
        token in proptest::option::of("[A-Za-z0-9+/=]{1,20}"),
    ) {
        let query = as_refs(&query);
        let req = v3::V3Request {
            method: "POST", pathname: "/", host: "example.com:8443", query: &query,
            content_type: Some("application/x-www-form-urlencoded"), body: &body,
            action: "GetDeployment", version: "2020-05-18",
            timestamp: "2024-01-02T03:04:05Z", nonce: "0123456789abcdef0123456789abcdef",
        };
        let mut creds = acs_sign::Credentials::new("AK", "secret");
        if let Some(t) = &token {
            creds = creds.with_security_token(t.clone());
        }
        let extra = as_refs(&extra);
        let out = v3::sign_request_with_headers(&req, &extra, &creds);
        let (name, auth) = out.last().expect("authorization");
        prop_assert_eq!(*name, "authorization");
        let mut signed: Vec<(&str, &str)> = out[..out.len() - 1].iter().map(|(k, v)| (*k, v.as_str())).collect();
        signed.extend_from_slice(&extra);
        let cr = v3::canonical_request("POST", "/", &query, &signed, &v3::hex_sha256(&body));
        let expected = v3::authorization(
            "AK",
            &v3::signed_headers(&signed),
            &v3::signature("secret", &v3::string_to_sign(&cr)),
        );
        prop_assert_eq!(auth, &expected);
        prop_assert_eq!(
            out.iter().any(|(k, _)| *k == "x-acs-security-token"),
            token.is_some()
        );
    }

    #[test]
    fn v3_query_is_shuffle_invariant(
        (query, shuffled) in params_strategy().prop_flat_map(|p| (Just(p.clone()), Just(p).prop_shuffle()))
    ) {
        prop_assert_eq!(
            v3::canonical_query_string(&as_refs(&query)),
            v3::canonical_query_string(&as_refs(&shuffled))
        );
    }
}

#[test]
fn every_ascii_byte_is_kept_or_escaped_exactly() {
    for b in 0u8..0x80 {
        let s = (b as char).to_string();
        let expected = if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            s.clone()
        } else {
            format!("%{b:02X}")
        };
        assert_eq!(percent_encode(&s), expected, "byte {b:#04x}");
    }
    assert_eq!(percent_encode(" "), "%20");
    assert_eq!(percent_encode("*"), "%2A");
    assert_eq!(percent_encode("~"), "~");
    assert_eq!(percent_encode("\u{80}"), "%C2%80");
    assert_eq!(percent_encode("😀"), "%F0%9F%98%80");
}
