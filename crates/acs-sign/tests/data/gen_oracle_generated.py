#!/usr/bin/env python3
"""Regenerates oracle_generated.json: extra RPC v1 and ACS3 (V3) vectors computed by the
official Alibaba Cloud Python SDK through /work/shared/oracle/sign_oracle.py.

Usage (from this directory):
    PY=$(/work/shared/oracle/venv.sh)
    $PY gen_oracle_generated.py /work/shared/oracle/sign_oracle.py > oracle_generated.json

The Rust tests only read the JSON; Python is not needed to run them.
"""
import datetime
import importlib.metadata as md
import json
import subprocess
import sys

ORACLE = sys.argv[1]
PACKAGES = ["alibabacloud-openapi-util", "alibabacloud-tea-openapi", "aliyun-python-sdk-core",
            "alibabacloud-tea-util", "darabonba-core"]

GD = {  # the common + business params of a GetDeployment call (Tea RPC v1 path sends Format=json)
    "Action": "GetDeployment", "Version": "2020-05-18", "Format": "json",
    "AccessKeyId": "LTAI5tTestAccessKeyId01", "SignatureMethod": "HMAC-SHA1",
    "SignatureVersion": "1.0", "SignatureNonce": "a3c4e5f60718293a4b5c6d7e8f901a2b",
    "Timestamp": "2024-05-18T10:22:32Z",
    "DeploymentId": "3000001", "ProjectId": "10000", "ProjectIdentifier": "dw_project",
}
ALL_ASCII = "".join(chr(c) for c in range(0x20, 0x7F))

RPC = [
    ("rpc/GetDeployment/tea-json", "GetDeployment as the Tea SDK signs it (POST, Format=json)", "POST", GD, "testAccessKeySecretValue1234567"),
    ("rpc/GetDeployment/sts", "STS: SecurityToken with + / = characters", "POST",
     {**GD, "SecurityToken": "CAIS+8wBq/Test+Token==/abc"}, "stsSecret"),
    ("rpc/GetDeployment/core-get", "aliyun-python-sdk-core style: GET, Format=JSON, SignatureType='' and RegionId",
     "GET", {**GD, "Format": "JSON", "SignatureType": "", "RegionId": "cn-shanghai"}, "testsecret"),
    ("rpc/unicode-values", "CJK, accented Latin, emoji (4-byte UTF-8) values", "POST",
     {"Name": "中文名称", "Desc": "café ü", "Emoji": "😀🚀"}, "s"),
    ("rpc/unicode-keys", "non-ASCII keys sort after ASCII (byte order of raw keys)", "POST",
     {"é": "1", "z": "2", "Z": "3", "中": "4", "a": "5"}, "s"),
    ("rpc/spaces", "spaces in keys and values are %20 (double-encoded %2520), never +", "POST",
     {"key with space": "value with  two spaces", " lead": "trail "}, "secret"),
    ("rpc/star-tilde", "* is %2A, ~ stays literal, in keys and values", "GET",
     {"a*b": "x*y", "~k": "~v~", "k~": "*"}, "secret"),
    ("rpc/empty-values", "empty values are kept as k=", "GET",
     {"Empty1": "", "Empty2": "", "NonEmpty": "x"}, "secret"),
    ("rpc/absent-value", "a null (absent) value is skipped", "GET", {"Present": "1", "Absent": None}, "secret"),
    ("rpc/all-printable-ascii", "every printable ASCII character in one value", "POST", {"All": ALL_ASCII}, "secret"),
    ("rpc/control-chars", "tab, newline, NUL and DEL are encoded", "POST", {"Ctl": "a\tb\nc\u0000d\u007f"}, "secret"),
    ("rpc/percent-in-value", "already-encoded looking text is encoded again", "GET",
     {"Url": "http://x/?a=%41&b=%2F", "Pct": "100%"}, "secret"),
    ("rpc/sort-prefix-case", "prefix keys and case: byte order of raw keys", "GET",
     {"a": "1", "a.": "2", "a.b": "3", "a/": "4", "A": "5", "B": "6", "_": "7", "aa": "8", "a-": "9"}, "secret"),
    ("rpc/secret-63", "secret of 63 bytes: secret+& is exactly one HMAC block", "POST", {"k": "v"}, "x" * 63),
    ("rpc/secret-64", "secret of 64 bytes: secret+& exceeds a block and is hashed", "POST", {"k": "v"}, "y" * 64),
    ("rpc/secret-long-unicode", "long non-ASCII secret", "POST", {"k": "v"}, "秘密" * 20 + "&=+/"),
    ("rpc/empty-secret", "empty secret: key is just &", "GET", {"k": "v"}, ""),
    ("rpc/method-delete", "method used verbatim", "DELETE", {"Action": "DeleteX", "Id": "1"}, "secret"),
    ("rpc/tag-list", "flattened list/map parameters (Tag.1.Key)", "POST",
     {"Tag.1.Key": "env", "Tag.1.Value": "prod/blue", "Tag.2.Key": "team", "Tag.2.Value": "data & ai", "Tag.10.Key": "z"}, "secret"),
]

SIGN_REQ = [
    ("acs3/GetDeployment/sign_request", "what acs_sign::v3::sign_request signs for GetDeployment (content-type, host, x-acs-*)",
     dict(method="POST", pathname="/", host="dataworks.cn-shanghai.aliyuncs.com", query=[],
          content_type="application/x-www-form-urlencoded",
          body="DeploymentId=3000001&ProjectId=10000&ProjectIdentifier=dw_project",
          action="GetDeployment", version="2020-05-18", timestamp="2024-05-18T10:22:32Z",
          nonce="3156853299f313e23d1673dc12e1703d", access_key_id="LTAI5tTestAccessKeyId01",
          secret="testAccessKeySecretValue1234567", security_token=None)),
    ("acs3/GetDeployment/sign_request-sts", "sign_request with an STS token (x-acs-security-token signed)",
     dict(method="POST", pathname="/", host="dataworks.cn-hangzhou.aliyuncs.com", query=[],
          content_type="application/x-www-form-urlencoded", body="DeploymentId=1",
          action="GetDeployment", version="2020-05-18", timestamp="2024-02-29T23:59:59Z",
          nonce="00000000000000000000000000000001", access_key_id="STS.NTestId",
          secret="stsSecret", security_token="CAIS+token/with==")),
    ("acs3/sign_request/query-unicode", "sign_request with a unicode/space/*/~ query, no content-type, empty body",
     dict(method="GET", pathname="/", host="127.0.0.1:8080",
          query=[("Name", "中文 a*b~c"), ("Empty", ""), ("Tag.1.Key", "k/v")],
          content_type=None, body="", action="ListThings", version="2020-05-18",
          timestamp="1999-12-31T23:59:59Z", nonce="ffffffffffffffffffffffffffffffff",
          access_key_id="AK", secret="s" * 80, security_token=None)),
]

HEADERS_PY = {  # what the official Python Tea SDK signs for GetDeployment (FINDINGS 2b)
    "host": "dataworks.cn-shanghai.aliyuncs.com",
    "x-acs-version": "2020-05-18", "x-acs-action": "GetDeployment",
    "user-agent": "AlibabaCloud (Linux; x86_64) Python/3.11.7 Core/0.4.3 TeaDSL/2",
    "x-acs-date": "2024-05-18T10:22:32Z", "x-acs-signature-nonce": "3156853299f313e23d1673dc12e1703d",
    "accept": "application/json", "content-type": "application/x-www-form-urlencoded",
    "x-acs-content-sha256": "",  # filled below
    "x-acs-credentials-provider": "static_ak",
}
BODY = "DeploymentId=3000001&ProjectId=10000&ProjectIdentifier=dw_project"

ACS3 = [
    ("acs3/GetDeployment/python-signed-set", "the full header set the official Python Tea SDK signs",
     dict(method="POST", pathname="/", query={}, headers=HEADERS_PY, body=BODY)),
    ("acs3/headers-trim-case-dup", "mixed-case names, values trimmed, duplicate names merged with sorted values",
     dict(method="POST", pathname="/", query={"a": "1"},
          headers={"Host": " example.com ", "X-Acs-Meta": "b", "x-acs-META": "  a", "x-acs-date": "2024-01-01T00:00:00Z\t"},
          body="")),
    ("acs3/header-inner-spaces", "inner whitespace in values is kept", "",),
    ("acs3/pathname", "non-root pathname used verbatim",
     dict(method="PUT", pathname="/api/v1/things/42", query={"x": "y z"}, headers={"host": "h", "x-acs-action": "A"},
          body="{\"k\":\"中文\"}")),
    ("acs3/query-special", "query values encoded, keys raw, sorted by raw key",
     dict(method="GET", pathname="/", query={"b": "~*+/=&%", "a": "", "A": "é", "_x": " "},
          headers={"x-acs-action": "A"}, payload_hash="e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")),
    ("acs3/long-secret", "secret longer than the HMAC-SHA256 block",
     dict(method="POST", pathname="/", query={}, headers={"host": "h"}, body="x", secret="L" * 65)),
    ("acs3/unicode-secret", "non-ASCII secret",
     dict(method="POST", pathname="/", query={}, headers={"host": "h"}, body="", secret="ключ")),
    ("acs3/unicode-whitespace-trim", "Python str.strip() whitespace: NBSP, U+2028, U+001C..U+001F, tab are trimmed; inner kept",
     dict(method="POST", pathname="/", query={},
          headers={"x-acs-a": "\u00a0v a\u2028", "x-acs-b": "\u001c\u001fv\u001e", "x-acs-c": "\t\u3000v\u0085", "host": "h"},
          body="")),
    ("acs3/no-headers", "no signed headers at all",
     dict(method="GET", pathname="/", query={}, headers={}, body="")),
]
ACS3[2] = ("acs3/header-inner-spaces", "inner whitespace in values is kept",
           dict(method="POST", pathname="/", query={}, headers={"x-acs-a": "a  b\t c", "host": "h"}, body="b"))


def run(lines):
    text = "".join(json.dumps(l, ensure_ascii=False) + "\n" for l in lines)
    res = subprocess.run([sys.executable, ORACLE], input=text.encode(), capture_output=True, check=False)
    if res.returncode != 0:
        sys.exit(f"oracle failed ({res.returncode}): {res.stdout.decode()} {res.stderr.decode()}")
    outs = [json.loads(l) for l in res.stdout.decode().splitlines() if l.strip()]
    assert len(outs) == len(lines)
    for o in outs:
        assert o["agree"], o
        o.pop("impls")
        o.pop("agree")
    return outs


def main():
    vectors = []
    rpc_in = [{"method": m, "params": p, "secret": s} for (_, _, m, p, s) in RPC]
    for (vid, note, *_), inp, out in zip(RPC, rpc_in, run(rpc_in)):
        vectors.append({"id": vid, "kind": "rpc_v1", "note": note, "oracle_input": inp, "oracle": out})

    import hashlib
    HEADERS_PY["x-acs-content-sha256"] = hashlib.sha256(BODY.encode()).hexdigest()
    acs_in = []
    for vid, note, spec in ACS3:
        line = {"mode": "acs3", "algorithm": "ACS3-HMAC-SHA256", "access_key_id": "AKID", "secret": "sec"}
        line.update(spec)
        acs_in.append(line)
    for (vid, note, _), inp, out in zip(ACS3, acs_in, run(acs_in)):
        vectors.append({"id": vid, "kind": "acs3", "note": note, "oracle_input": inp, "oracle": out})

    sr_in = []
    for vid, note, r in SIGN_REQ:
        body = r["body"].encode()
        headers = {"host": r["host"], "x-acs-action": r["action"], "x-acs-version": r["version"],
                   "x-acs-date": r["timestamp"], "x-acs-signature-nonce": r["nonce"],
                   "x-acs-content-sha256": hashlib.sha256(body).hexdigest()}
        if r["security_token"] is not None:
            headers["x-acs-security-token"] = r["security_token"]
        if r["content_type"] is not None:
            headers["content-type"] = r["content_type"]
        sr_in.append({"mode": "acs3", "algorithm": "ACS3-HMAC-SHA256", "method": r["method"],
                      "pathname": r["pathname"], "query": dict(r["query"]), "headers": headers,
                      "body": r["body"], "access_key_id": r["access_key_id"], "secret": r["secret"]})
    for (vid, note, r), inp, out in zip(SIGN_REQ, sr_in, run(sr_in)):
        r = dict(r)
        r["query"] = [list(kv) for kv in r["query"]]
        vectors.append({"id": vid, "kind": "acs3_sign_request", "note": note, "sign_request": r,
                        "oracle_input": inp, "oracle": out})

    doc = {
        "provenance": {
            "summary": "Extra vectors computed by the official Alibaba Cloud Python SDK via sign_oracle.py "
                       "(every implementation inside agreed: alibabacloud-openapi-util, alibabacloud-tea-openapi, "
                       "and for rpc_v1 also aliyun-python-sdk-core)",
            "command": "PY=$(/work/shared/oracle/venv.sh); $PY gen_oracle_generated.py /work/shared/oracle/sign_oracle.py > oracle_generated.json",
            "generator": "crates/acs-sign/tests/data/gen_oracle_generated.py",
            "packages": {p: md.version(p) for p in PACKAGES},
            "python": sys.version.split()[0],
            "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "kinds": {
                "rpc_v1": "oracle_input = sign_oracle.py RPC line (null value = absent); oracle = string_to_sign + signature",
                "acs3": "oracle_input = sign_oracle.py acs3 line (headers = exactly the signed headers; body or payload_hash); oracle = canonical_request, string_to_sign, hashed_payload, signature, authorization",
                "acs3_sign_request": "sign_request = acs_sign::v3::V3Request fields + credentials; oracle_input = the same request as the headers sign_request signs",
            },
        },
        "vectors": vectors,
    }
    json.dump(doc, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
