//! Token exchange end to end in Rust: a trusted issuer's subject token is exchanged for a child's RFC 9068 token
//! that verifies with aoa's JWKS; each bad subject token and each bad request is refused with its reason; and
//! the properties of the scope rule over random requests.
#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "tests fail loudly on what they do not expect"
)]

use aoa_core::access::{ExchangePolicy, ExchangeRequest, OAuthError, act_depth};
use aoa_core::{Format, Manifest};
use aoa_token::{Exchanger, JwkSet, SigningKey, Trust, TrustedIssuer, jwks, sign};
use jsonwebtoken::{DecodingKey, Validation};
use proptest::prelude::*;
use serde_json::{Map, Value, json};

const SERVICE: &str = "https://aoa.example/platform";
const IDP: &str = "https://idp.example";
const NOW: i64 = 1_796_400_000;

const MANIFEST: &str = r#"
apps:
  - name: platform
    roles: {deployer: [deploy, rollback, "read:*"]}
    grants:
      - {subject: "group:sre", role: deployer}
      - {subject: "user:ann", actions: ["read:logs"]}
    deny:
      - {subject: "group:contractors", actions: [rollback]}
  - name: team
    parent: platform
  - name: team/api
    parent: team
    labels: {env: prod}
  - name: team/dev
    parent: team
    labels: {env: dev}
  - name: other
"#;

struct World {
    exchanger: Exchanger,
    idp: SigningKey,
}

fn world() -> World {
    let idp = SigningKey::generate("EdDSA", Some("idp-1")).unwrap();
    let keys: JwkSet = serde_json::from_value(jwks(&[&idp])).unwrap();
    World {
        exchanger: Exchanger {
            manifest: Manifest::from_str(MANIFEST, Format::Yaml).unwrap(),
            key: SigningKey::generate("EdDSA", Some("aoa-1")).unwrap(),
            trust: Trust::new(
                SERVICE,
                vec![TrustedIssuer {
                    issuer: IDP.into(),
                    keys,
                }],
            ),
            policy: ExchangePolicy::new(SERVICE),
        },
        idp,
    }
}

fn subject_claims() -> Value {
    json!({"iss": IDP, "sub": "ann", "aud": SERVICE, "exp": NOW + 600, "iat": NOW - 10,
           "scope": "deploy rollback read:logs", "groups": ["sre"], "client_id": "platform-controller"})
}

fn request<'a>(audience: &'a str, scope: Option<&'a str>) -> ExchangeRequest<'a> {
    ExchangeRequest {
        audience,
        scope,
        client: Some("platform"),
    }
}

fn verify_issued(w: &World, token: &str) -> Map<String, Value> {
    let set: JwkSet = serde_json::from_value(jwks(&[&w.exchanger.key])).unwrap();
    let header = jsonwebtoken::decode_header(token).unwrap();
    assert_eq!(header.typ.as_deref(), Some("at+jwt"));
    let key = DecodingKey::from_jwk(set.find(header.kid.as_deref().unwrap()).unwrap()).unwrap();
    let mut v = Validation::new(jsonwebtoken::Algorithm::EdDSA);
    v.set_audience(&["team/api"]);
    v.validate_exp = false;
    jsonwebtoken::decode::<Map<String, Value>>(token, &key, &v)
        .unwrap()
        .claims
}

#[test]
fn a_good_exchange_gives_an_audience_bound_down_scoped_token() {
    let w = world();
    let subject = sign(&w.idp, &subject_claims()).unwrap();
    let (result, record) =
        w.exchanger
            .exchange(&subject, &request("team/api", Some("deploy")), NOW, "jti-1");
    let issued = result.unwrap();
    let claims = verify_issued(&w, &issued.access_token);
    assert_eq!(claims["aud"], "team/api");
    assert_eq!(claims["sub"], "app:team/api");
    assert_eq!(claims["scope"], "deploy@prod");
    assert_eq!(claims["client_id"], "platform");
    assert_eq!(claims["exp"], NOW + 300);
    assert_eq!(claims["act"], json!({"sub": "user:ann"}));
    assert_eq!(record.outcome, "granted");
    assert_eq!(record.jti.as_deref(), Some("jti-1"));
    assert_eq!(record.token_sha256.as_ref().unwrap().len(), 64);
    assert!(
        !serde_json::to_string(&record)
            .unwrap()
            .contains(&issued.access_token)
    );
    // Without `scope`: the subject token's scopes, as far as granted (read:logs through user:ann, deploy and
    // rollback through group:sre).
    let (result, _) = w
        .exchanger
        .exchange(&subject, &request("team/api", None), NOW, "jti-2");
    assert_eq!(
        result.unwrap().claims.scope,
        "deploy@prod read:logs@prod rollback@prod"
    );
}

#[test]
fn the_token_never_outlives_the_subject_token() {
    let w = world();
    let mut claims = subject_claims();
    claims["exp"] = json!(NOW + 42);
    let subject = sign(&w.idp, &claims).unwrap();
    let (result, _) = w
        .exchanger
        .exchange(&subject, &request("team/api", None), NOW, "j");
    assert_eq!(result.unwrap().claims.exp, NOW + 42);
}

fn refused(w: &World, subject: &str, req: &ExchangeRequest<'_>) -> (OAuthError, String) {
    let (result, record) = w.exchanger.exchange(subject, req, NOW, "j");
    let refusal = result.unwrap_err();
    assert_eq!(record.outcome, refusal.error.as_str());
    assert!(record.token_sha256.is_none());
    (refusal.error, refusal.error_description)
}

#[test]
fn bad_subject_tokens_are_refused_with_a_clear_reason() {
    let w = world();
    let good = sign(&w.idp, &subject_claims()).unwrap();
    let req = request("team/api", Some("deploy"));
    // alg none: an unsigned token with the same claims.
    let b64 = |v: &Value| {
        use base64::Engine;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
    };
    let none = format!(
        "{}.{}.",
        b64(&json!({"alg": "none", "typ": "at+jwt", "kid": "idp-1"})),
        b64(&subject_claims())
    );
    let (code, why) = refused(&w, &none, &req);
    assert_eq!(code, OAuthError::InvalidGrant);
    assert!(why.contains("alg: none"), "{why}");
    // A key nobody trusts, with the trusted key's kid.
    let rogue = SigningKey::generate("EdDSA", Some("idp-1")).unwrap();
    let (_, why) = refused(&w, &sign(&rogue, &subject_claims()).unwrap(), &req);
    assert!(why.contains("signature does not verify"), "{why}");
    // An unknown kid.
    let stranger = SigningKey::generate("EdDSA", Some("idp-9")).unwrap();
    let (_, why) = refused(&w, &sign(&stranger, &subject_claims()).unwrap(), &req);
    assert!(why.contains("not a trusted key"), "{why}");
    // Another algorithm than the key's.
    let es = SigningKey::generate("ES256", Some("idp-1")).unwrap();
    let (_, why) = refused(&w, &sign(&es, &subject_claims()).unwrap(), &req);
    assert!(why.contains("is for EdDSA only"), "{why}");
    // Wrong typ: a plain JWT.
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::EdDSA);
    header.kid = Some("idp-1".into());
    let jwt = jsonwebtoken::encode(&header, &subject_claims(), w.idp.encoding_key()).unwrap();
    let (_, why) = refused(&w, &jwt, &req);
    assert!(why.contains("`typ` is `JWT`"), "{why}");
    for (field, value, needle) in [
        ("exp", json!(NOW - 3600), "expired"),
        ("nbf", json!(NOW + 3600), "not valid before"),
        (
            "aud",
            json!("https://elsewhere.example"),
            "not this token service",
        ),
        ("iss", json!("https://idp.evil"), "`iss`"),
    ] {
        let mut claims = subject_claims();
        claims[field] = value;
        let (code, why) = refused(&w, &sign(&w.idp, &claims).unwrap(), &req);
        assert_eq!(code, OAuthError::InvalidGrant, "{field}");
        assert!(why.contains(needle), "{field}: {why}");
    }
    assert!(refused(&w, "not.a.jwt.at.all", &req).1.contains("three"));
    assert!(!good.is_empty());
}

#[test]
fn bad_requests_are_refused_with_the_rfc_error() {
    let w = world();
    let subject = sign(&w.idp, &subject_claims()).unwrap();
    // Ungranted: the text is `check --explain`'s.
    let mut claims = subject_claims();
    claims["scope"] = json!("deploy write:config");
    let wide = sign(&w.idp, &claims).unwrap();
    let (code, why) = refused(&w, &wide, &request("team/api", Some("write:config")));
    assert_eq!(code, OAuthError::InvalidScope);
    assert!(
        why.starts_with(
            "denied (not granted): `user:ann` (groups: group:sre) `write:config` on `team/api`"
        ),
        "{why}"
    );
    // A deny wins, through a group of the token.
    let mut claims = subject_claims();
    claims["groups"] = json!(["sre", "contractors"]);
    let (_, why) = refused(
        &w,
        &sign(&w.idp, &claims).unwrap(),
        &request("team/api", Some("rollback")),
    );
    assert!(
        why.contains("denied (forbidden)") && why.contains("forbidden by deny"),
        "{why}"
    );
    // Not held by the subject token.
    let (code, why) = refused(&w, &subject, &request("team/api", Some("read:metrics")));
    assert_eq!(code, OAuthError::InvalidScope);
    assert!(why.contains("does not hold scope `read:metrics`"), "{why}");
    // Another env than the child's.
    let (_, why) = refused(&w, &subject, &request("team/api", Some("deploy@dev")));
    assert!(why.contains("env `prod`"), "{why}");
    // Empty result.
    let mut claims = subject_claims();
    claims["scope"] = json!("write:config");
    let (code, why) = refused(
        &w,
        &sign(&w.idp, &claims).unwrap(),
        &request("team/api", None),
    );
    assert_eq!(code, OAuthError::InvalidScope);
    assert!(why.contains("no scope is left"), "{why}");
    assert_eq!(
        refused(&w, &subject, &request("team/apx", None)).0,
        OAuthError::InvalidTarget
    );
    assert_eq!(
        refused(&w, &subject, &request("other", None)).0,
        OAuthError::UnauthorizedClient
    );
    // The delegation chain cap.
    let mut claims = subject_claims();
    claims["act"] =
        json!({"sub": "a", "act": {"sub": "b", "act": {"sub": "c", "act": {"sub": "d"}}}});
    let (code, why) = refused(
        &w,
        &sign(&w.idp, &claims).unwrap(),
        &request("team/api", None),
    );
    assert_eq!(code, OAuthError::InvalidRequest);
    assert!(why.contains("over the cap of 4"), "{why}");
}

#[test]
fn es256_tokens_verify_too() {
    let mut w = world();
    w.exchanger.key = SigningKey::generate("ES256", None).unwrap();
    let subject = sign(&w.idp, &subject_claims()).unwrap();
    let issued = w
        .exchanger
        .exchange(&subject, &request("team/dev", None), NOW, "j")
        .0
        .unwrap();
    let set: JwkSet = serde_json::from_value(jwks(&[&w.exchanger.key])).unwrap();
    let key = DecodingKey::from_jwk(&set.keys[0]).unwrap();
    let mut v = Validation::new(jsonwebtoken::Algorithm::ES256);
    v.set_audience(&["team/dev"]);
    v.validate_exp = false;
    let claims = jsonwebtoken::decode::<Map<String, Value>>(&issued.access_token, &key, &v)
        .unwrap()
        .claims;
    assert_eq!(claims["scope"], "deploy@dev read:logs@dev rollback@dev");
}

const ACTIONS: [&str; 5] = [
    "deploy",
    "rollback",
    "read:logs",
    "write:config",
    "read:metrics",
];
const AUDIENCES: [&str; 3] = ["team/api", "team/dev", "team"];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn issued_scope_is_within_all_three_sets(
        held in prop::collection::vec(0..ACTIONS.len(), 0..5),
        asked in prop::option::of(prop::collection::vec(0..ACTIONS.len(), 0..4)),
        groups in prop::collection::vec(prop::sample::select(vec!["sre", "contractors", "x"]), 0..3),
        audience in 0..AUDIENCES.len(),
        exp in 1i64..900,
        depth in 0usize..6,
    ) {
        let w = world();
        let mut claims = subject_claims();
        claims["scope"] = json!(held.iter().map(|&i| ACTIONS[i]).collect::<Vec<_>>().join(" "));
        claims["groups"] = json!(groups);
        claims["exp"] = json!(NOW + exp);
        let mut act = Value::Null;
        for d in 0..depth {
            act = if act.is_null() { json!({"sub": format!("p{d}")}) } else { json!({"sub": format!("p{d}"), "act": act}) };
        }
        if !act.is_null() { claims["act"] = act; }
        let subject = sign(&w.idp, &claims).unwrap();
        let asked_text = asked.as_ref().map(|a| a.iter().map(|&i| ACTIONS[i]).collect::<Vec<_>>().join(" "));
        let audience = AUDIENCES[audience];
        let (result, _) = w.exchanger.exchange(&subject, &request(audience, asked_text.as_deref()), NOW, "j");
        let Ok(issued) = result else { return Ok(()) };
        let c = &issued.claims;
        prop_assert_eq!(&c.aud, audience);
        prop_assert!(c.exp <= NOW + exp && c.exp <= NOW + 300);
        prop_assert!(act_depth(Some(&c.act)) <= w.exchanger.policy.max_act_depth);
        prop_assert!(!c.scope.is_empty());
        let access = w.exchanger.manifest.access();
        let groups: Vec<String> = groups.iter().map(|g| format!("group:{g}")).collect();
        for s in c.scope.split(' ') {
            let action = s.split('@').next().unwrap();
            prop_assert!(held.iter().any(|&i| ACTIONS[i] == action), "{} not held", s);
            if let Some(asked) = &asked { prop_assert!(asked.iter().any(|&i| ACTIONS[i] == action), "{} not asked", s); }
            prop_assert!(access.check("user:ann", &groups, action, audience).unwrap().allowed, "{} not granted", s);
        }
    }
}
