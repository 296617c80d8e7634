#!/usr/bin/env python3
"""Runs the oracle emulator (shared/oracle/emulator.py, unchanged) with TCP_NODELAY on its
connections.

The emulator's handler writes the response headers and the body in two send() calls
(BaseHTTPRequestHandler.end_headers() flushes, then wfile.write(body)). With Nagle's algorithm
on, the body waits for the ACK of the headers, which the client delays by about 40 ms
(delayed ACK), so every keep-alive call takes ~44 ms whatever the client. Setting
StreamRequestHandler.disable_nagle_algorithm removes that stall; verification and responses
are the emulator's own.

usage: emulator_nodelay.py ORACLE_DIR [emulator.py arguments...]
"""
import sys

oracle_dir = sys.argv[1]
sys.path.insert(0, oracle_dir)
import emulator  # noqa: E402  (the official-SDK-verifying emulator, imported as is)

emulator.Handler.disable_nagle_algorithm = True
sys.exit(emulator.main(sys.argv[2:]))
