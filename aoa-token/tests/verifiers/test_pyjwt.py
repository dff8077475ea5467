"""Independent verification with PyJWT: aoa's tokens verify against aoa's JWKS (EdDSA and ES256), a subject token
minted by PyJWT with a trusted key is accepted, and bad ones (wrong key, alg none, wrong typ, expired, foreign aud)
are refused with a clear reason. Runs the `aoa` binary (AOA_BIN, default target/debug/aoa)."""

import json
import os
import subprocess
import time
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

ROOT = Path(__file__).resolve().parents[3]
AOA = os.environ.get("AOA_BIN", str(ROOT / "target" / "debug" / "aoa"))
SERVICE = "https://aoa.example/platform"
IDP = "https://idp.example"


def aoa(*args, check=True):
    run = subprocess.run([AOA, *args], cwd=ROOT, capture_output=True, text=True)
    if check and run.returncode != 0:
        raise AssertionError(f"aoa {' '.join(args)}: {run.returncode}\n{run.stdout}\n{run.stderr}")
    return run


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    d = tmp_path_factory.mktemp("tok")
    idp_key = Ed25519PrivateKey.generate()
    jwk = json.loads(jwt.algorithms.OKPAlgorithm.to_jwk(idp_key.public_key()))
    jwk.update(kid="idp-1", alg="EdDSA", use="sig")
    (d / "idp.jwks").write_text(json.dumps({"keys": [jwk]}))
    keys = {}
    for alg in ("EdDSA", "ES256"):
        aoa("token", "keygen", "--alg", alg, "--kid", f"aoa-{alg}", "--out", str(d / f"{alg}.jwk"))
        keys[alg] = d / f"{alg}.jwk"
    return d, idp_key, keys


def subject(idp_key, **over):
    now = int(time.time())
    claims = {"iss": IDP, "sub": "alice", "aud": SERVICE, "iat": now, "exp": now + 600,
              "scope": "deploy rollback read:logs", "groups": ["web-devs"]}
    claims.update(over)
    headers = {"typ": "at+jwt", "kid": "idp-1"}
    headers.update(over.pop("_headers", {}) if "_headers" in over else {})
    return claims, headers


def mint(idp_key, headers_over=None, **over):
    claims, headers = subject(idp_key, **over)
    headers.update(headers_over or {})
    return jwt.encode(claims, idp_key, algorithm="EdDSA", headers=headers)


def exchange(d, key, token, audience="web/storefront", scope="deploy"):
    args = ["token", "exchange", "-m", "examples/platform", "--key", str(key), "--issuer", SERVICE,
            "--trust", f"{IDP}={d / 'idp.jwks'}", "--subject-token", token, "--audience", audience,
            "--client", "team-web"]
    if scope is not None:
        args += ["--scope", scope]
    run = aoa(*args, check=False)
    return run.returncode, json.loads(run.stdout), run.stderr


@pytest.mark.parametrize("alg", ["EdDSA", "ES256"])
def test_aoa_tokens_verify_with_pyjwt_against_aoa_jwks(setup, alg):
    d, idp_key, keys = setup
    code, out, stderr = exchange(d, keys[alg], mint(idp_key))
    assert code == 0, out
    assert out["issued_token_type"] == "urn:ietf:params:oauth:token-type:access_token"
    assert out["token_type"] == "Bearer" and 0 < out["expires_in"] <= 300
    jwks = json.loads(aoa("token", "jwks", "--key", str(keys[alg])).stdout)
    header = jwt.get_unverified_header(out["access_token"])
    assert header["typ"] == "at+jwt" and header["alg"] == alg and header["kid"] == f"aoa-{alg}"
    key = jwt.PyJWKSet.from_dict(jwks)[header["kid"]]
    claims = jwt.decode(out["access_token"], key=key, algorithms=[alg], audience="web/storefront", issuer=SERVICE)
    assert claims["sub"] == "app:web/storefront"
    assert claims["scope"] == "deploy@prod" == out["scope"]
    assert claims["act"] == {"sub": "user:alice"}
    assert claims["client_id"] == "team-web"
    # audience-bound: another app does not accept it
    with pytest.raises(jwt.InvalidAudienceError):
        jwt.decode(out["access_token"], key=key, algorithms=[alg], audience="web/storefront-staging")
    audit = json.loads(stderr.split("audit: ", 1)[1])
    assert audit["outcome"] == "granted" and audit["jti"] == claims["jti"]
    assert out["access_token"] not in stderr


def test_bad_subject_tokens_are_refused(setup):
    d, idp_key, keys = setup
    rogue = Ed25519PrivateKey.generate()
    now = int(time.time())
    good_claims, _ = subject(idp_key)
    cases = {
        "wrong key": (jwt.encode(good_claims, rogue, algorithm="EdDSA", headers={"typ": "at+jwt", "kid": "idp-1"}),
                      "signature does not verify"),
        "alg none": (jwt.encode(good_claims, None, algorithm="none", headers={"typ": "at+jwt", "kid": "idp-1"}),
                     "alg: none"),
        "wrong typ": (mint(idp_key, {"typ": "JWT"}), "`typ` is `JWT`"),
        "expired": (mint(idp_key, exp=now - 3600), "expired"),
        "foreign aud": (mint(idp_key, aud="https://other.example"), "not this token service"),
    }
    for name, (token, needle) in cases.items():
        code, out, _ = exchange(d, keys["EdDSA"], token)
        assert code == 1, name
        assert out["error"] == "invalid_grant", (name, out)
        assert needle in out["error_description"], (name, out)


def test_ungranted_scope_is_refused_with_the_check_explain_reason(setup):
    d, idp_key, keys = setup
    code, out, _ = exchange(d, keys["EdDSA"], mint(idp_key, scope="deploy secrets:read"), scope="secrets:read")
    assert code == 1 and out["error"] == "invalid_scope"
    explain = aoa("check", "user:alice", "secrets:read", "web/storefront", "-g", "group:web-devs", "-m",
                  "examples/platform", "--explain", check=False).stdout.rstrip("\n")
    assert out["error_description"] == explain
