#!/usr/bin/env bash
# Python-vs-Rust benchmark: N sequential GetDeployment calls with the OFFICIAL Python SDK
# (alibabacloud_dataworks_public20200518.Client, default V3 signing) and with the generated
# Rust client (dataworks_public::Client, default V3), against the SAME loopback server, in one
# run, interleaved in rounds. Two servers, one after the other:
#   fast      acs-test-server as a process (pvr-server; Rust, verifies signatures)
#   emulator  the oracle emulator (shared/oracle/emulator.py; verifies signatures with the
#             official Python SDK functions; slow)
#   emulator-nodelay  the same emulator with TCP_NODELAY on its sockets (emulator_nodelay.py):
#             as is, the emulator sends headers and body in two writes and Nagle + the
#             client's delayed ACK add ~40 ms to every call, for both clients alike
# Prints per-call wall times, client CPU per call, server CPU per call and the Python/Rust
# ratios (per round and the median over rounds). Not part of `cargo test`.
#
# usage: benches/python_vs_rust/run.sh [N]        (default N=1000 calls per client per round)
# env:   ROUNDS (3)  WARMUP (20)  SERVERS ("fast emulator-nodelay emulator")
#        N_SLOW (50): calls per client per round against the as-is emulator (~44 ms each)
#        FLAVOR (multi|current): the Rust client's tokio runtime (multi = the README quickstart's)
#        PY      python with the pinned official SDKs (default /work/.acs-sign-venv/bin/python,
#                else built by shared/oracle/venv.sh)
#        ORACLE  oracle folder (default: <repo>/../shared/oracle)
#        CARGO_TARGET_DIR (default: benches/python_vs_rust/target)
#        JSON_OUT  also write the summary as JSON to this file
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
N="${1:-1000}"
ROUNDS="${ROUNDS:-3}"
WARMUP="${WARMUP:-20}"
SERVERS="${SERVERS:-fast emulator-nodelay emulator}"
N_SLOW="${N_SLOW:-50}"
FLAVOR="${FLAVOR:-multi}"
ORACLE="${ORACLE:-$REPO/../shared/oracle}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HERE/target}"
AK="LTAI5tFakeAccessKeyId"
SECRET="bench-secret-$RANDOM$RANDOM"

for v in "$N" "$N_SLOW" "$ROUNDS"; do
  case "$v" in '' | *[!0-9]* | 0) echo "run.sh: N, N_SLOW and ROUNDS must be positive integers" >&2; exit 2 ;; esac
done

if [ -z "${PY:-}" ]; then
  if [ -x /work/.acs-sign-venv/bin/python ]; then
    PY=/work/.acs-sign-venv/bin/python
  else
    PY="$("$ORACLE/venv.sh")"
  fi
fi
"$PY" -c 'import alibabacloud_dataworks_public20200518' 2>/dev/null || {
  echo "run.sh: $PY lacks the official SDK (run $ORACLE/venv.sh)" >&2; exit 2; }

echo "== building the Rust client and the fast server (release)" >&2
(cd "$HERE" && cargo build --release --quiet)
RUST_CLIENT="$CARGO_TARGET_DIR/release/pvr-rust-client"
FAST_SERVER="$CARGO_TARGET_DIR/release/pvr-server"

WORK="$(mktemp -d)"
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

# CPU time of a process in microseconds: "<schedstat sum over live threads> <utime+stime from stat>".
# schedstat is ns-precise but forgets exited threads; stat keeps them but counts 10 ms ticks.
proc_cpu() {
  local pid=$1 sched=0 f v
  for f in /proc/"$pid"/task/*/schedstat; do
    read -r v _ < "$f" 2>/dev/null || continue
    sched=$((sched + v))
  done
  local stat
  stat=$(sed 's/^.*) //' /proc/"$pid"/stat)
  # fields after the comm: state(1) ... utime(12) stime(13)
  local ticks
  ticks=$(echo "$stat" | awk '{print $12 + $13}')
  echo "$((sched / 1000)) $((ticks * 1000000 / $(getconf CLK_TCK)))"
}

start_server() {
  local kind=$1
  rm -f "$WORK/port"
  case "$kind" in
    fast)
      "$FAST_SERVER" --port-file "$WORK/port" --ak "$AK" --secret "$SECRET" --lifetime 1800 \
        > "$WORK/server.log" 2>&1 &
      ;;
    emulator)
      "$PY" "$ORACLE/emulator.py" --secret "$SECRET" --access-key-id "$AK" \
        --port 0 --port-file "$WORK/port" --max-seconds 1800 > "$WORK/server.log" 2>&1 &
      ;;
    emulator-nodelay)
      "$PY" "$HERE/emulator_nodelay.py" "$ORACLE" --secret "$SECRET" --access-key-id "$AK" \
        --port 0 --port-file "$WORK/port" --max-seconds 1800 > "$WORK/server.log" 2>&1 &
      ;;
    *) echo "run.sh: unknown server $kind" >&2; exit 2 ;;
  esac
  SERVER_PID=$!
  for _ in $(seq 1 200); do
    [ -s "$WORK/port" ] && break
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/server.log" >&2; exit 1; }
    sleep 0.05
  done
  [ -s "$WORK/port" ] || { echo "run.sh: $kind server did not start" >&2; cat "$WORK/server.log" >&2; exit 1; }
  PORT=$(cat "$WORK/port")
}

stop_server() {
  kill "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
}

# One client run: appends {"server","round","client": <client JSON>, "server_cpu_before/after"} to results.
run_client() {
  local server=$1 round=$2 impl=$3 n=$4 before after out
  before=$(proc_cpu "$SERVER_PID")
  if [ "$impl" = python ]; then
    out=$("$PY" "$HERE/python_client.py" --port "$PORT" --n "$n" --warmup "$WARMUP" --ak "$AK" --secret "$SECRET")
  else
    out=$("$RUST_CLIENT" --endpoint "http://127.0.0.1:$PORT" --n "$n" --warmup "$WARMUP" \
      --ak "$AK" --secret "$SECRET" --flavor "$FLAVOR")
  fi
  after=$(proc_cpu "$SERVER_PID")
  printf '{"server":"%s","round":%d,"server_cpu_before":[%s],"server_cpu_after":[%s],"client":%s}\n' \
    "$server" "$round" "${before// /,}" "${after// /,}" "$out" >> "$WORK/results.jsonl"
}

LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
for server in $SERVERS; do
  n=$N
  [ "$server" = emulator ] && n=$N_SLOW
  echo "== $server server: $ROUNDS rounds x (python, rust) x $n calls (+$WARMUP warm-up)" >&2
  start_server "$server"
  for round in $(seq 1 "$ROUNDS"); do
    # alternate the order so that neither client always runs first
    if [ $((round % 2)) -eq 1 ]; then
      run_client "$server" "$round" python "$n"; run_client "$server" "$round" rust "$n"
    else
      run_client "$server" "$round" rust "$n"; run_client "$server" "$round" python "$n"
    fi
  done
  stop_server
done
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)

"$PY" - "$WORK/results.jsonl" "$N" "$ROUNDS" "$FLAVOR" "$LOAD_START" "$LOAD_END" "${JSON_OUT:-}" <<'PYEOF'
import json, os, statistics, sys

path, n, rounds, flavor, load_start, load_end, json_out = sys.argv[1:8]
rows = [json.loads(l) for l in open(path)]

def q(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(p * (len(xs) - 1) + 0.5))]

def cpu_model():
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return "?"

print(f"machine: nproc={os.cpu_count()}  cpu={cpu_model()}  loadavg start={load_start} end={load_end}")
print(f"N={n} calls per client per round (the as-is emulator: N_SLOW), {rounds} rounds, Rust tokio runtime={flavor}, both clients sign V3 (ACS3-HMAC-SHA256), JSON")
summary = {"n": int(n), "rounds": int(rounds), "flavor": flavor, "load_start": load_start,
           "load_end": load_end, "nproc": os.cpu_count(), "cpu": cpu_model(), "servers": {}}
for server in dict.fromkeys(r["server"] for r in rows):
    print(f"\n== server: {server}  ({rows[[r['server'] for r in rows].index(server)]['client']['n']} calls per client per round)")
    print(f"{'round':>5} {'client':>6} {'median':>9} {'mean':>9} {'p10':>9} {'p90':>9} {'min':>9} {'clientCPU':>10} {'serverCPU':>10}   (us per call)")
    per_round = {}
    stats = {}
    for r in [r for r in rows if r["server"] == server]:
        c = r["client"]
        xs = c["per_call_us"]
        # live-thread schedstat for the Rust server (threads persist); stat ticks for the
        # emulator (a thread per connection that exits)
        idx = 0 if server == "fast" else 1
        scpu = (r["server_cpu_after"][idx] - r["server_cpu_before"][idx]) / len(xs)
        # the server also served the warm-up calls
        scpu = scpu * len(xs) / (len(xs) + c["warmup"])
        ccpu = (c["cpu_us_total"] / len(xs)) if c.get("cpu_us_total") is not None else float("nan")
        s = dict(median=statistics.median(xs), mean=statistics.fmean(xs), p10=q(xs, 0.1), p90=q(xs, 0.9),
                 min=min(xs), client_cpu=ccpu, server_cpu=scpu)
        per_round.setdefault(r["round"], {})[c["impl"]] = s
        stats.setdefault(c["impl"], []).append(s)
        print(f"{r['round']:>5} {c['impl']:>6} {s['median']:>9.1f} {s['mean']:>9.1f} {s['p10']:>9.1f} {s['p90']:>9.1f} {s['min']:>9.1f} {ccpu:>10.1f} {scpu:>10.1f}")
    ratios = {"median": [], "mean": [], "client_cpu": []}
    for rd, d in sorted(per_round.items()):
        if "python" in d and "rust" in d:
            for k in ratios:
                ratios[k].append(d["python"][k] / d["rust"][k])
    print("python/rust ratio per round:")
    for k, v in ratios.items():
        print(f"  {k:>10}: " + "  ".join(f"{x:.2f}x" for x in v) + f"   median over rounds {statistics.median(v):.2f}x")
    med = {impl: {k: statistics.median(s[k] for s in ss) for k in ss[0]} for impl, ss in stats.items()}
    print("median over rounds (us per call): " + "; ".join(
        f"{impl}: wall median {m['median']:.1f}, mean {m['mean']:.1f}, client CPU {m['client_cpu']:.1f}, server CPU {m['server_cpu']:.1f}"
        for impl, m in med.items()))
    summary["servers"][server] = {"per_impl": med, "ratios_per_round": ratios,
                                  "ratio_median": {k: statistics.median(v) for k, v in ratios.items()}}
if json_out:
    with open(json_out, "w") as f:
        json.dump(summary, f, indent=1)
PYEOF
