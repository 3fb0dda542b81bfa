#!/usr/bin/env bash
# The sign-in burst of issue 14 against the demo (release build, loopback only): 100
# parallel wrong passwords for alice from one address while alice's own browser (with its
# device cookie) keeps signing in. Prints the answers the burst got, alice's sign-in
# latency during it and the panel's resident memory. BURST=N changes the burst's size.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -p lightdeck
dir=$(mktemp -d)
port=${PORT:-18181}
trap 'kill -INT "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$dir"' EXIT
target/release/lightdeck demo --dir "$dir" --listen "127.0.0.1:$port" --json >"$dir/out.json" 2>"$dir/demo.log" &
pid=$!
for _ in $(seq 1 600); do
  if [ -s "$dir/out.json" ] && curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; then break; fi
  sleep 0.5
done
password=$(python3 -c 'import json,sys; u=json.load(open(sys.argv[1]))["users"]; print(next(x["password"] for x in u if x["login"]=="alice"))' "$dir/out.json")
sleep 2  # let the demo's first syncs settle
python3 scripts/bench_sign_in_burst.py "http://127.0.0.1:$port" alice "$password" "$pid" "${BURST:-100}"
