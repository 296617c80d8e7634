#!/usr/bin/env python3
"""Python-vs-Rust benchmark, Python side: N sequential GetDeployment calls with the OFFICIAL
Python SDK (alibabacloud_dataworks_public20200518.Client, endpoint 127.0.0.1:PORT, protocol
http, default V3 signing unless --signature v1) against a loopback server, each call timed.

usage: python_client.py --port PORT [--n 200] [--warmup 5] [--ak AK] [--secret S] [--signature v3|v1]

Prints one JSON line {"impl": "python", ..., "cpu_us_total": .., "per_call_us": [...]}
(microseconds; cpu_us_total is this process's CPU time over the timed calls). Every call must return
HTTP 200 with Data.Deployment.Name; otherwise exits 1.
"""
from __future__ import annotations

import argparse
import json
import sys
import time

from alibabacloud_dataworks_public20200518 import models as dw_models
from alibabacloud_dataworks_public20200518.client import Client as DataWorksClient
from alibabacloud_tea_openapi import utils_models as open_api_models


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--n", type=int, default=200)
    p.add_argument("--warmup", type=int, default=5)
    p.add_argument("--ak", default="LTAI5tFakeAccessKeyId")
    p.add_argument("--secret", default="bench-secret")
    p.add_argument("--signature", choices=["v3", "v1"], default="v3")
    a = p.parse_args()
    if a.n < 1:
        p.error("--n must be at least 1")

    started = time.perf_counter_ns()
    cfg = open_api_models.Config(
        access_key_id=a.ak,
        access_key_secret=a.secret,
        region_id="cn-shanghai",
        endpoint=f"127.0.0.1:{a.port}",
        protocol="http",
        # None = the SDK default (V3, ACS3-HMAC-SHA256); "v2" selects the RPC v1 HMAC-SHA1 path.
        signature_algorithm=None if a.signature == "v3" else "v2",
    )
    client = DataWorksClient(cfg)
    setup_us = (time.perf_counter_ns() - started) / 1000

    def one_call():
        req = dw_models.GetDeploymentRequest(project_id=10000, deployment_id=3000001)
        resp = client.get_deployment(req)
        b = resp.body
        if resp.status_code != 200 or not (b.data and b.data.deployment and b.data.deployment.name):
            raise SystemExit(f"python_client: unexpected response {resp.status_code}: {b.to_map()}")

    for _ in range(a.warmup):
        one_call()
    per_call = []
    cpu_before = time.process_time_ns()
    for _ in range(a.n):
        t = time.perf_counter_ns()
        one_call()
        per_call.append((time.perf_counter_ns() - t) / 1000)
    cpu_us_total = (time.process_time_ns() - cpu_before) / 1000
    print(json.dumps({
        "impl": "python",
        "signature": a.signature,
        "n": a.n,
        "warmup": a.warmup,
        "setup_us": round(setup_us, 1),
        "python": sys.version.split()[0],
        "cpu_us_total": round(cpu_us_total, 1),
        "per_call_us": [round(x, 1) for x in per_call],
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
