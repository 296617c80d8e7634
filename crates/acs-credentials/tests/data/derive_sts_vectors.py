#!/usr/bin/env python3
"""Derives tests/data/sts_vectors.json from the OFFICIAL Python packages (the oracle venv).

usage (from the workspace root):
    PY=$(../shared/oracle/venv.sh)   # or /work/shared/oracle/venv.sh
    $PY crates/acs-credentials/tests/data/derive_sts_vectors.py \
        --oracle /work/shared/oracle > crates/acs-credentials/tests/data/sts_vectors.json

Two parts:
1. "signatures": RPC v1 string-to-sign and signature of AssumeRole / GetCallerIdentity
   parameter sets (fixed Timestamp and SignatureNonce, a Policy with spaces and JSON
   punctuation, an STS source with a SecurityToken), computed by the oracle's
   sign_oracle.py, i.e. by alibabacloud_openapi_util.Client.get_rpcsignature,
   alibabacloud_tea_openapi.utils.Utils.get_rpcsignature and aliyun-python-sdk-core (which
   must agree): what STS verifies.
2. "official_requests": the query parameters alibabacloud_credentials 1.0.12 sends for
   RamRoleArnCredentialsProvider (AssumeRole) and OIDCRoleArnCredentialsProvider
   (AssumeRoleWithOIDC), captured by replacing TeaCore.do_action with a recorder (nothing is
   sent), with the library's own signature next to the oracle's (they differ when a value
   has a space: the library's compose_string_to_sign uses quote_plus).
"""
import argparse
import json
import os
import subprocess
import sys

ap = argparse.ArgumentParser()
ap.add_argument("--oracle", required=True)
args = ap.parse_args()

SECRET = "source-secret-Zq9+/="
TS = "2026-01-02T03:04:05Z"
NONCE = "5f1e0c2a-7d3b-4c4e-9a10-2b3c4d5e6f70"
POLICY = '{"Statement": [{"Action": ["dataworks:*"], "Effect": "Allow", "Resource": ["*"]}], "Version": "1"}'

def common(action, extra=None):
    p = {
        "Action": action, "Version": "2015-04-01", "Format": "JSON",
        "AccessKeyId": "LTAI5tSourceKeyId", "SignatureMethod": "HMAC-SHA1",
        "SignatureVersion": "1.0", "SignatureNonce": NONCE, "Timestamp": TS,
    }
    p.update(extra or {})
    return p

cases = [
    ("assume_role_defaults", "POST", common("AssumeRole", {
        "RoleArn": "acs:ram::1234567890123456:role/deployer",
        "RoleSessionName": "dataworks-rust-1767323045", "DurationSeconds": "3600"})),
    ("assume_role_policy_external_id", "POST", common("AssumeRole", {
        "RoleArn": "acs:ram::1234567890123456:role/deployer",
        "RoleSessionName": "ci-session", "DurationSeconds": "900",
        "Policy": POLICY, "ExternalId": "abcd1234"})),
    ("assume_role_chained_sts_source", "POST", common("AssumeRole", {
        "AccessKeyId": "STS.RoleKeyId", "SecurityToken": "CAIS/role+token==",
        "RoleArn": "acs:ram::1234567890123456:role/second",
        "RoleSessionName": "dataworks-rust-1767323045", "DurationSeconds": "3600"})),
    ("assume_role_get", "GET", common("AssumeRole", {
        "RoleArn": "acs:ram::1234567890123456:role/deployer",
        "RoleSessionName": "s", "DurationSeconds": "3600"})),
    ("get_caller_identity_sts", "POST", common("GetCallerIdentity", {
        "AccessKeyId": "STS.RoleKeyId", "SecurityToken": "CAIS/role+token=="})),
]
lines = "".join(json.dumps({"method": m, "params": p, "secret": SECRET}) + "\n" for _, m, p in cases)
out = subprocess.run([sys.executable, os.path.join(args.oracle, "sign_oracle.py")],
                     input=lines, capture_output=True, text=True, check=True).stdout.splitlines()
signatures = []
for (name, method, params), line in zip(cases, out):
    r = json.loads(line)
    assert r["agree"], r
    signatures.append({"name": name, "method": method, "params": params, "secret": SECRET,
                       "string_to_sign": r["string_to_sign"], "signature": r["signature"]})

# Part 2: what alibabacloud_credentials sends.
import Tea.core
from alibabacloud_credentials.provider import RamRoleArnCredentialsProvider, OIDCRoleArnCredentialsProvider
from alibabacloud_credentials.utils import parameter_helper as ph
import alibabacloud_credentials

captured = []
class _Resp:
    status_code = 200
    body = json.dumps({"RequestId": "r", "Credentials": {"AccessKeyId": "STS.x", "AccessKeySecret": "y",
                       "SecurityToken": "z", "Expiration": "2099-01-01T00:00:00Z"}}).encode()
def _record(request, runtime=None):
    captured.append({"method": request.method, "protocol": request.protocol,
                     "host": request.headers.get("host"), "query": dict(request.query),
                     "body": request.body})
    return _Resp()
Tea.core.TeaCore.do_action = staticmethod(_record)
ph.get_iso_8061_date = lambda: TS
ph.get_uuid = lambda: NONCE
for var in ["ALIBABA_CLOUD_STS_REGION", "ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED", "ALIBABA_CLOUD_ROLE_SESSION_NAME"]:
    os.environ.pop(var, None)

RamRoleArnCredentialsProvider(
    access_key_id="LTAI5tSourceKeyId", access_key_secret=SECRET,
    role_arn="acs:ram::1234567890123456:role/deployer", role_session_name="ci-session",
    policy=POLICY, external_id="abcd1234", duration_seconds=900).get_credentials()
ram = captured[-1]
sent_sig = ram["query"]["Signature"]
unsigned = {k: v for k, v in ram["query"].items() if k != "Signature"}
oracle = json.loads(subprocess.run([sys.executable, os.path.join(args.oracle, "sign_oracle.py")],
                     input=json.dumps({"method": "GET", "params": unsigned, "secret": SECRET}) + "\n",
                     capture_output=True, text=True, check=True).stdout)

token_file = os.path.join(os.environ.get("TMPDIR", "/tmp"), "derive-sts-oidc-token")
with open(token_file, "w") as f:
    f.write("eyJhbGciOiJSUzI1NiJ9.oidc-token-payload.sig")
OIDCRoleArnCredentialsProvider(
    role_arn="acs:ram::1234567890123456:role/deployer",
    oidc_provider_arn="acs:ram::1234567890123456:oidc-provider/ack-rrsa",
    oidc_token_file_path=token_file, role_session_name="ack-pod").get_credentials()
oidc = captured[-1]
os.remove(token_file)

json.dump({
    "provenance": {
        "generator": "crates/acs-credentials/tests/data/derive_sts_vectors.py",
        "oracle": "shared/oracle/sign_oracle.py (alibabacloud-openapi-util 0.2.4, alibabacloud-tea-openapi 0.4.6, aliyun-python-sdk-core 2.16.1)",
        "credentials_library": "alibabacloud_credentials " + alibabacloud_credentials.__version__,
    },
    "signatures": signatures,
    "official_requests": {
        "ram_role_arn": {"method": ram["method"], "protocol": ram["protocol"], "host": ram["host"],
                          "query": ram["query"], "library_signature": sent_sig,
                          "oracle_signature_of_the_same_params": oracle["signature"],
                          "oracle_string_to_sign": oracle["string_to_sign"]},
        "oidc_role_arn": {"method": oidc["method"], "protocol": oidc["protocol"], "host": oidc["host"],
                          "query": oidc["query"], "body": oidc["body"]},
    },
}, sys.stdout, indent=2, sort_keys=True, ensure_ascii=False)
print()
