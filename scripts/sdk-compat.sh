#!/usr/bin/env bash
# Runs Huawei's official Python SDK (pinned in scripts/requirements-sdk.txt) against
# `lightdeck sim`, as a second client that shares no code with ours: if cloudsim drifts from
# what the real SDK sends and expects, this is where it shows.
#
#   bash scripts/sdk-compat.sh [extra pytest args]
#
# Environment (all optional):
#   SDK_COMPAT_PROFILE  cargo profile used to build the sim: release (default) or dev
#   LIGHTDECK_BIN       use this prebuilt lightdeck binary instead of building one
#   SDK_COMPAT_PYTHON   python interpreter used to create the venv (default: python3)
#   SIM_START_TIMEOUT   seconds to wait for the sim's JSON line (default: 60)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

step() { printf '\n== %s ==\n' "$*" >&2; }
die() { printf 'sdk-compat: %s\n' "$*" >&2; exit 1; }

python_bin="${SDK_COMPAT_PYTHON:-python3}"
requirements="$root/scripts/requirements-sdk.txt"
venv="$root/target/sdk-venv"
profile="${SDK_COMPAT_PROFILE:-release}"
start_timeout="${SIM_START_TIMEOUT:-60}"

command -v "$python_bin" >/dev/null 2>&1 || die "$python_bin not found; install Python 3.8+ (Debian: apt-get install python3 python3-venv)"

# --- 1. venv, reused while it matches the requirements file ---------------------------------
step "python venv ($venv)"
req_hash="$("$python_bin" -c 'import hashlib,sys; print(hashlib.sha256(open(sys.argv[1],"rb").read()).hexdigest())' "$requirements")"
stamp="$venv/.requirements.sha256"
if [ -x "$venv/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$req_hash" ]; then
  echo "reusing venv (requirements unchanged)" >&2
else
  rm -rf "$venv"
  if ! "$python_bin" -m venv "$venv" 2>/dev/null; then
    rm -rf "$venv"
    # Debian/Ubuntu ship venv separately; a root CI machine can add it, a developer is told how.
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
      echo "installing python3-venv" >&2
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-venv >&2
      "$python_bin" -m venv "$venv"
    else
      die "'$python_bin -m venv' failed; install the venv module (Debian: apt-get install python3-venv)"
    fi
  fi
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements"
  printf '%s\n' "$req_hash" >"$stamp"
fi

# --- 2. build and start the sim --------------------------------------------------------------
if [ -n "${LIGHTDECK_BIN:-}" ]; then
  bin="$LIGHTDECK_BIN"
  [ -x "$bin" ] || die "LIGHTDECK_BIN=$bin is not an executable"
else
  step "cargo build -p lightdeck (profile $profile)"
  case "$profile" in
    release) cargo build --release -p lightdeck; bin="$root/target/release/lightdeck" ;;
    dev | debug) cargo build -p lightdeck; bin="$root/target/debug/lightdeck" ;;
    *) die "SDK_COMPAT_PROFILE must be release or dev, got '$profile'" ;;
  esac
  # honour a relocated target dir
  if [ -n "${CARGO_TARGET_DIR:-}" ]; then
    case "$profile" in release) bin="$CARGO_TARGET_DIR/release/lightdeck" ;; *) bin="$CARGO_TARGET_DIR/debug/lightdeck" ;; esac
  fi
  [ -x "$bin" ] || die "build finished but $bin does not exist"
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/sdk-compat.XXXXXX")"
sim_pid=""
cleanup() {
  local status=$?
  if [ -n "$sim_pid" ] && kill -0 "$sim_pid" 2>/dev/null; then
    kill "$sim_pid" 2>/dev/null || true
    for _ in 1 2 3 4 5 6 7 8 9 10; do
      kill -0 "$sim_pid" 2>/dev/null || break
      sleep 0.2
    done
    kill -9 "$sim_pid" 2>/dev/null || true
    wait "$sim_pid" 2>/dev/null || true
  fi
  if [ "$status" != 0 ] && [ -s "$work/sim.stderr" ]; then
    echo "--- sim stderr (last 40 lines) ---" >&2
    tail -n 40 "$work/sim.stderr" >&2
  fi
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

step "starting lightdeck sim"
# The sim runs on the system clock (the SDK signs with the real time), so jobs and orders are
# shortened to keep the run quick; payment stays slow enough to observe a pending order.
accounts=2
instances=12 # per account
"$bin" sim --json --listen 127.0.0.1:0 --accounts "$accounts" --instances "$instances" --seed 7 \
  --job-seconds 1 --order-seconds 1 --unsubscribe-seconds 2 --payment-seconds 30 \
  >"$work/sim.stdout" 2>"$work/sim.stderr" &
sim_pid=$!

deadline=$((SECONDS + start_timeout))
until [ "$(wc -l <"$work/sim.stdout")" -ge 1 ]; do
  kill -0 "$sim_pid" 2>/dev/null || die "lightdeck sim exited before printing its JSON line"
  [ "$SECONDS" -lt "$deadline" ] || die "lightdeck sim printed no JSON line within ${start_timeout}s"
  sleep 0.1
done
# The sim promises exactly one JSON line on stdout; validate it before handing it to pytest.
head -n 1 "$work/sim.stdout" >"$work/sim.json"
"$venv/bin/python" - "$work/sim.json" "$accounts" <<'PY' || die "the sim's first stdout line is not the documented JSON"
import json, sys
info = json.load(open(sys.argv[1]))
assert isinstance(info.get("url"), str) and info["url"].startswith("http"), "url"
assert isinstance(info.get("accounts"), list) and len(info["accounts"]) == int(sys.argv[2]), "accounts count"
for a in info["accounts"]:
    for k in ("name", "domain_id", "ak", "sk", "iam_user", "iam_password", "projects"):
        assert k in a, "accounts[].%s missing" % k
print("sim at %s, %d accounts" % (info["url"], len(info["accounts"])), file=sys.stderr)
PY

# --- 3. pytest -------------------------------------------------------------------------------
step "pytest scripts/sdk_compat"
set +e
# HOME is redirected so the SDK's user-agent code writes its application id into the
# scratch dir, not into the caller's home.
LIGHTDECK_SIM_INFO="$work/sim.json" SDK_COMPAT_INSTANCES_PER_ACCOUNT="$instances" HOME="$work" PYTHONDONTWRITEBYTECODE=1 \
  "$venv/bin/python" -m pytest -p no:cacheprovider -q "$root/scripts/sdk_compat" "$@"
status=$?
set -e
if [ "$status" = 5 ]; then
  echo "sdk-compat: pytest collected no tests; treating that as a failure" >&2
  status=1
fi
exit "$status"
