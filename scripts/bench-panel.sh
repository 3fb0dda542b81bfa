#!/usr/bin/env bash
# Load benchmark of the panel, measured side by side in one run:
#   (a) the instances page of a team with 1,000 instances (50 per page), signed in;
#   (b) /bench/fortunes, a TechEmpower "Fortunes"-style page served by the same binary
#       (built with `--features bench`, run with `serve --bench-routes`): one SELECT of 12
#       rows, one row added, sort, askama render;
#   (c) one instance's page (unless BENCH_INSTANCE_PAGE=0), for an instance given a history
#       through the panel's own forms first: 50 renewals (orders, 3 audit events each) and
#       a few soft reboots, about 200 audit events in all.
# Also: cloudsim's request count during the load (pages must make no cloud calls) and the
# resident memory of `lightdeck serve` idle and under load.
#
# Needs: Rust, the PostgreSQL server package, wrk, curl, jq. Everything listens on loopback
# and is removed at the end. Tunables: BENCH_DURATION (15s), BENCH_CONNECTIONS (64),
# BENCH_THREADS (2), BENCH_INSTANCES (1000), BENCH_PORT (18080), BENCH_PROFILE (release; `profiling`
# adds line tables for perf), BENCH_INSTANCE_PAGE (1; 0 skips the history and the instance
# page), BENCH_RENEWALS (50), BENCH_REBOOTS (17), BENCH_ORDER_SECONDS (0: how long cloudsim
# keeps a paid order processing; the default 5 s would make the renewals take minutes);
# for investigations BENCH_PG_OPTS (extra postgres settings, e.g. "-c shared_preload_libraries=
# pg_stat_statements") and BENCH_HOLD=SECONDS (set everything up, print how to reach it, wait).
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${BENCH_DURATION:-15s}
CONNECTIONS=${BENCH_CONNECTIONS:-64}
THREADS=${BENCH_THREADS:-2}
INSTANCES=${BENCH_INSTANCES:-1000}
PORT=${BENCH_PORT:-18080}
PROFILE=${BENCH_PROFILE:-release}
INSTANCE_PAGE=${BENCH_INSTANCE_PAGE:-1}
RENEWALS=${BENCH_RENEWALS:-50}
REBOOTS=${BENCH_REBOOTS:-17}
ORDER_SECONDS=${BENCH_ORDER_SECONDS:-0}
BASE="http://127.0.0.1:$PORT"

for tool in wrk curl jq; do
  command -v "$tool" >/dev/null || { echo "bench-panel: $tool is needed (apt-get install $tool)" >&2; exit 2; }
done
PGBIN=$(dirname "$(command -v initdb 2>/dev/null || ls -d /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -1)")
[ -x "$PGBIN/initdb" ] || { echo "bench-panel: PostgreSQL server programs not found (apt-get install postgresql)" >&2; exit 2; }

step() { printf '\n== %s ==\n' "$*" >&2; }

step "building ($PROFILE)"
# The benchmark page is only in a build with the `bench` feature.
cargo build --profile "$PROFILE" -p lightdeck --features bench >&2
if [ "$PROFILE" = dev ]; then BIN=target/debug/lightdeck; else BIN=target/$PROFILE/lightdeck; fi

WORK=$(mktemp -d /tmp/ld-bench.XXXXXX)
chmod 711 "$WORK"
SIM_PID="" SERVE_PID="" PG_STARTED=""
# PostgreSQL refuses to run as root: run it as the postgres user then.
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
  [ -n "$SERVE_PID" ] && kill "$SERVE_PID" 2>/dev/null && wait "$SERVE_PID" 2>/dev/null
  [ -n "$SIM_PID" ] && kill "$SIM_PID" 2>/dev/null && wait "$SIM_PID" 2>/dev/null
  [ -n "$PG_STARTED" ] && as_pg "$PGBIN/pg_ctl" -D "$WORK/pg" -m fast -w stop >/dev/null 2>&1
  rm -rf "$WORK"
}
trap cleanup EXIT

step "private PostgreSQL in $WORK/pg"
mkdir "$WORK/pg"
[ "$(id -u)" = 0 ] && chown postgres "$WORK/pg"
as_pg "$PGBIN/initdb" -D "$WORK/pg" -U postgres -A trust -E UTF8 --no-locale >/dev/null
as_pg "$PGBIN/pg_ctl" -D "$WORK/pg" -l "$WORK/pg/server.log" -w \
  -o "-c listen_addresses= -c unix_socket_directories=$WORK/pg ${BENCH_PG_OPTS:-}" start >/dev/null
PG_STARTED=1
PSQL=(psql -X -q -At -h "$WORK/pg" -U postgres)
"${PSQL[@]}" -d postgres -c "create database lightdeck"
export DATABASE_URL="postgres://postgres@$(jq -rn --arg s "$WORK/pg" '$s|@uri'):5432/lightdeck"
export LIGHTDECK_MASTER_KEY
LIGHTDECK_MASTER_KEY=$(head -c 32 /dev/urandom | base64)

step "cloudsim with $INSTANCES instances in one account"
# For the instance's history: short orders and jobs, so 50 renewals take seconds, not minutes.
SIM_TIMINGS=()
[ "$INSTANCE_PAGE" = 1 ] && SIM_TIMINGS=(--order-seconds "$ORDER_SECONDS" --job-seconds 1)
"$BIN" sim --listen 127.0.0.1:0 --accounts 1 --instances "$INSTANCES" "${SIM_TIMINGS[@]}" --json \
  >"$WORK/sim.json" 2>"$WORK/sim.log" &
SIM_PID=$!
for _ in $(seq 100); do [ -s "$WORK/sim.json" ] && break; sleep 0.1; done
SIM=$(jq -r .url "$WORK/sim.json")
AK=$(jq -r '.accounts[0].ak' "$WORK/sim.json")
export LIGHTDECK_HUAWEI_ENDPOINT="$SIM"

step "panel data: user, team, account"
"$BIN" migrate
PASSWORD=$(head -c 18 /dev/urandom | base64 | tr -d '+/=')
printf '%s\n' "$PASSWORD" | "$BIN" user add bench --password-stdin >/dev/null
"$BIN" team add Bench --owner bench >/dev/null
jq -r '.accounts[0].sk' "$WORK/sim.json" |
  "$BIN" account add --team Bench --name bench --ak "$AK" --sk-stdin \
    --regions cn-north-4,ap-southeast-1 >/dev/null
TEAM=$("${PSQL[@]}" -d lightdeck -c "select id from teams where name = 'Bench'")

step "lightdeck serve --bench-routes on $BASE"
LIGHTDECK_LISTEN="127.0.0.1:$PORT" "$BIN" serve --bench-routes 2>"$WORK/serve.log" &
SERVE_PID=$!
for _ in $(seq 100); do curl -fs "$BASE/healthz" >/dev/null && break; sleep 0.1; done
# The workers sync the inventory at start-up; wait until it is complete.
for _ in $(seq 600); do
  n=$("${PSQL[@]}" -d lightdeck -c "select count(*) from instances")
  [ "$n" -ge "$INSTANCES" ] && break
  sleep 0.1
done
echo "inventory: $n instances" >&2
sleep 2 # let the start-up sync finish its last calls
# Autovacuum analyzes the freshly filled table only after a minute or so; until then the
# planner has no statistics and sorts every row of the team instead of walking the
# (team_id, lower(name), id) index. Measure the steady state.
"${PSQL[@]}" -d lightdeck -c "analyze"

mem() { awk '/^(VmRSS|RssAnon|RssFile)/ {printf "%s %s kB  ", $1, $2}' "/proc/$SERVE_PID/status"; }
rss() { awk '/^VmRSS/ {print $2}' "/proc/$SERVE_PID/status"; }
MEM_STARTED=$(mem)

step "signing in"
JAR="$WORK/cookies"
CSRF=$(curl -fs -c "$JAR" "$BASE/login" | grep -o 'name="csrf" value="[^"]*"' | head -1 | sed 's/.*value="//; s/"$//')
code=$(curl -s -o /dev/null -w '%{http_code}' -b "$JAR" -c "$JAR" "$BASE/login" \
  --data-urlencode "csrf=$CSRF" --data-urlencode "login=bench" \
  --data-urlencode "password=$PASSWORD" --data-urlencode "next=/")
[ "$code" = 303 ] || { echo "sign-in failed: HTTP $code" >&2; exit 1; }
COOKIE="lightdeck_session=$(awk '$6 == "lightdeck_session" {print $7}' "$JAR")"
PAGE="$BASE/teams/$TEAM/instances"
FORTUNES="$BASE/bench/fortunes"
rows=$(curl -fs -H "Cookie: $COOKIE" "$PAGE" | grep -c "<tr" || true)
fortune_rows=$(curl -fs "$FORTUNES" | grep -c "<tr" || true)
echo "instances page: $rows <tr> (50 instances + header); fortunes: $fortune_rows <tr> (13 + header)" >&2
RSS_IDLE=$(rss)
MEM_IDLE=$(mem)
MEM_HISTORY=""

# One instance's history, made as a person would make it: the renewal and reboot forms,
# signed in as the team's owner (`team add --owner`), with the session's CSRF token.
INSTANCE="" DETAIL=""
if [ "$INSTANCE_PAGE" = 1 ]; then
  step "history of one instance: $RENEWALS renewals, $REBOOTS soft reboots"
  seed_started=$(date +%s.%N)
  # Running, not auto-renewing, and expiring within 9 months: BSS refuses a renewal that
  # would put the expiry more than 60 months ahead (CBC.99003154).
  INSTANCE=$("${PSQL[@]}" -d lightdeck -c "select instance_id from instances
    where team_id = '$TEAM' and gone_at is null and state = 'running' and not auto_renew
      and expires_at > now() + interval '1 day'
      and expires_at < now() + interval '60 months' - interval '$RENEWALS months' - interval '1 month'
    order by instance_id limit 1")
  [ -n "$INSTANCE" ] || { echo "no instance fit for $RENEWALS renewals" >&2; exit 1; }
  DETAIL="$PAGE/$INSTANCE"
  # sign-in rotated the token: take the session's from a page
  TOKEN=$(curl -fs -H "Cookie: $COOKIE" "$DETAIL" | grep -o 'name="csrf" value="[^"]*"' | head -1 |
    sed 's/.*value="//; s/"$//')
  [ -n "$TOKEN" ] || { echo "no CSRF token on $DETAIL" >&2; exit 1; }
  # POSTs a form to the panel; prints "HTTP-status batch-id" (the id from the redirect).
  post() {
    local path=$1; shift
    local out
    out=$(curl -s -o "$WORK/post.html" -w '%{http_code} %{redirect_url}' -H "Cookie: $COOKIE" \
      -H "X-CSRF-Token: $TOKEN" "$BASE$path" --data-urlencode "instance=$INSTANCE" \
      --data-urlencode "idempotency_key=$(cat /proc/sys/kernel/random/uuid)" "$@")
    case $out in
      "303 "*/batches/*) echo "303 ${out##*/batches/}" ;;
      404*) echo "POST $path: 404: is the binary older than the sources? (rebuild)" >&2; echo 404 ;;
      *) echo "POST $path: HTTP $out" >&2; sed 's/<[^>]*>//g' "$WORK/post.html" | grep -v '^\s*$' | head -20 >&2
         echo "${out%% *}" ;;
    esac
  }
  # The panel's view of a batch: "state error-code" of its action.
  batch_state() {
    "${PSQL[@]}" -d lightdeck -c "select state || ' ' || coalesce(error_code, '') from actions
      where batch_id = '$1'" | tr '\n' ';'
  }
  # Waits until the panel has followed every action on the instance to its end (its
  # poller looks at orders and jobs every 2 s).
  settle() {
    local left
    for _ in $(seq 900); do
      left=$("${PSQL[@]}" -d lightdeck -c "select count(*) from actions
        where team_id = '$TEAM' and '$INSTANCE' = any(instance_ids)
          and state in ('requested', 'accepted')")
      [ "$left" = 0 ] && return 0
      sleep 0.2
    done
    echo "actions on $INSTANCE still in flight after 180 s" >&2; exit 1
  }
  renewed=0 refused=0
  while [ "$renewed" -lt "$RENEWALS" ]; do
    read -r code batch < <(post "/teams/$TEAM/renewals" --data-urlencode "period=1m" \
      --data-urlencode "auto_pay=yes" --data-urlencode "step=confirm")
    [ "$code" = 303 ] || exit 1
    state=$(batch_state "$batch")
    case $state in
      *CBC.99003144*) # another order in progress: wait for it, then renew again
        refused=$((refused + 1))
        [ "$refused" -le 5 ] || { echo "renewals keep being refused: $state" >&2; exit 1; }
        settle; continue ;;
      failed*|unknown*) echo "renewal $((renewed + 1)) failed: $state" >&2; exit 1 ;;
    esac
    renewed=$((renewed + 1))
    # With orders that take time, BSS refuses the next renewal until this one completes.
    [ "$ORDER_SECONDS" = 0 ] || settle
  done
  settle
  for i in $(seq "$REBOOTS"); do
    read -r code batch < <(post "/teams/$TEAM/actions" --data-urlencode "action=reboot" \
      --data-urlencode "type=soft")
    [ "$code" = 303 ] || exit 1
    settle # a server that is rebooting cannot be rebooted again
    state=$(batch_state "$batch")
    case $state in succeeded*) ;; *) echo "reboot $i ended $state" >&2; exit 1 ;; esac
  done
  "${PSQL[@]}" -d lightdeck -c "select kind || ' ' || state || ': ' || count(*) from actions
    where '$INSTANCE' = any(instance_ids) group by kind, state order by 1" >&2
  events=$("${PSQL[@]}" -d lightdeck -c "select count(*) from audit_events
    where team_id = '$TEAM' and '$INSTANCE' = any(target_ids)")
  echo "instance $INSTANCE: $events audit events; $refused renewals refused (order in progress);" \
    "history made in $(awk -v a="$seed_started" -v b="$(date +%s.%N)" 'BEGIN {printf "%.1f", b - a}') s" >&2
  "${PSQL[@]}" -d lightdeck -c "analyze"
  detail_rows=$(curl -fs -H "Cookie: $COOKIE" "$DETAIL" | grep -c "<tr" || true)
  echo "instance page: $detail_rows <tr>" >&2
  MEM_HISTORY=$(mem)
fi

if [ -n "${BENCH_HOLD:-}" ]; then
  {
    echo "PAGE=$PAGE"; echo "FORTUNES=$FORTUNES"; echo "COOKIE='$COOKIE'"; echo "SIM=$SIM"
    if [ -n "$DETAIL" ]; then echo "DETAIL=$DETAIL"; fi
    echo "SERVE_PID=$SERVE_PID"; echo "PSQL='${PSQL[*]} -d lightdeck'"
  } | tee "/tmp/ld-bench-hold.env" >&2
  sleep "$BENCH_HOLD"
  exit 0
fi

# CPU time (clock ticks) of lightdeck serve, and of every postgres process: per request it
# is a figure that other load on the machine does not distort much, unlike requests/s.
ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
PG_PID=$(head -1 "$WORK/pg/postmaster.pid")
pg_ticks() { for p in "$PG_PID" $(pgrep -P "$PG_PID" || true); do ticks "$p"; done | awk '{s += $1} END {print s + 0}'; }
HZ=$(getconf CLK_TCK)
sim_requests() { curl -fs "$SIM/_sim/requests" | jq .count; }
PEAK=0
# Runs wrk against $2 (label $1) with extra args; records rps, p99, RSS peak, sim calls.
run() {
  local label=$1 url=$2; shift 2
  local before after out sampler bytes
  # body size of one response (wrk, like curl here, asks for no compression)
  bytes=$(curl -s -o /dev/null -w '%{size_download}' "$@" "$url")
  before=$(sim_requests)
  local t0 p0; t0=$(ticks "$SERVE_PID"); p0=$(pg_ticks)
  (while :; do rss; sleep 0.5; done) >"$WORK/rss.$label" &
  sampler=$!
  out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$@" "$url")
  kill "$sampler"; wait "$sampler" 2>/dev/null || true
  after=$(sim_requests)
  local t1 p1 reqs; t1=$(ticks "$SERVE_PID"); p1=$(pg_ticks)
  reqs=$(awk '/requests in/ {print $1}' <<<"$out")
  local cpu_app cpu_pg
  cpu_app=$(awk -v t=$((t1 - t0)) -v n="$reqs" -v hz="$HZ" 'BEGIN {printf "%.3f", t * 1000 / hz / n}')
  cpu_pg=$(awk -v t=$((p1 - p0)) -v n="$reqs" -v hz="$HZ" 'BEGIN {printf "%.3f", t * 1000 / hz / n}')
  echo "$out" >"$WORK/wrk.$label"
  printf '\n--- %s (%s) ---\n%s\n' "$label" "$url" "$out" >&2
  local rps p50 p99 non2xx peak
  rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  non2xx=$(awk '/Non-2xx/ {print $5}' <<<"$out")
  peak=$(sort -n "$WORK/rss.$label" | tail -1)
  [ "$peak" -gt "$PEAK" ] && PEAK=$peak
  local calls=$((after - before))
  if [ "$calls" -gt 0 ]; then
    echo "cloudsim calls during $label:" >&2
    curl -fs "$SIM/_sim/requests" | jq -r --argjson n "$before" '.requests[$n:][] | .operation' | sort | uniq -c >&2
  fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$label" "$rps" "$p99" "${non2xx:-0}" "$calls" \
    "$peak" "$cpu_app" "$cpu_pg" "$p50" "$bytes" >>"$WORK/results"
}

step "wrk: $THREADS threads, $CONNECTIONS connections, $DURATION each"
run instances "$PAGE" -H "Cookie: $COOKIE"
[ -n "$DETAIL" ] && run instance-page "$DETAIL" -H "Cookie: $COOKIE"
run fortunes "$FORTUNES"
run fortunes+session "$FORTUNES" -H "Cookie: $COOKIE"

step "results"
printf '%-17s %11s %9s %8s %12s %12s %13s %12s %9s %11s\n' page "requests/s" p99 non-2xx \
  "cloud calls" "peak RSS kB" "app CPU ms/req" "pg CPU ms/req" p50 "bytes/resp"
while IFS=$'\t' read -r label rps p99 non2xx calls peak cpu_app cpu_pg p50 bytes; do
  printf '%-17s %11s %9s %8s %12s %12s %13s %12s %9s %11s\n' "$label" "$rps" "$p99" "$non2xx" \
    "$calls" "$peak" "$cpu_app" "$cpu_pg" "$p50" "$bytes"
done <"$WORK/results"
inst=$(awk -F'\t' '$1 == "instances" {print $2}' "$WORK/results")
fort=$(awk -F'\t' '$1 == "fortunes" {print $2}' "$WORK/results")
echo
echo "throughput ratio instances/fortunes: $(awk -v a="$inst" -v b="$fort" 'BEGIN {printf "%.2f", a / b}') (target >= 0.6)"
echo "lightdeck serve RSS: idle ${RSS_IDLE} kB, peak under load ${PEAK} kB"
echo "  after start-up and sync: $MEM_STARTED"
echo "  after one sign-in:       $MEM_IDLE"
if [ -n "$MEM_HISTORY" ]; then echo "  after the history:       $MEM_HISTORY"; fi
echo "  after the load:          $(mem)"
echo "inventory: $n instances; cloudsim requests in total: $(sim_requests)"
echo "machine: $(nproc) CPUs; load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
