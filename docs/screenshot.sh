#!/usr/bin/env bash
# Regenerates docs/instances.png, the README's screenshot, and docs/instances-phone.png, the
# same page on a phone: runs `lightdeck demo` in a temporary folder, signs in as alice in
# headless Chromium (through chromedriver's WebDriver API, driven with curl), opens the Demo
# team's instances page and saves what it shows, first in a desktop window, then on a 390 px
# phone screen. Needs: chromium, chromedriver (Debian: chromium chromium-driver), curl, jq.
set -euo pipefail
cd "$(dirname "$0")/.."

WIDTH=${SCREENSHOT_WIDTH:-1440}
HEIGHT=${SCREENSHOT_HEIGHT:-1500}
OUT=${SCREENSHOT_OUT:-docs/instances.png}
# Headless Chromium keeps a window at least 500 px wide, so the phone is emulated instead.
PHONE_WIDTH=${SCREENSHOT_PHONE_WIDTH:-390}
PHONE_HEIGHT=${SCREENSHOT_PHONE_HEIGHT:-844}
PHONE_OUT=${SCREENSHOT_PHONE_OUT:-docs/instances-phone.png}
DRIVER_PORT=${CHROMEDRIVER_PORT:-9515}

cargo build -p lightdeck >&2
WORK=$(mktemp -d /tmp/ld-shot.XXXXXX)
chmod 711 "$WORK"
DEMO_PID="" DRIVER_PID=""
cleanup() {
  [ -n "$DRIVER_PID" ] && kill "$DRIVER_PID" 2>/dev/null
  if [ -n "$DEMO_PID" ]; then kill -INT "$DEMO_PID" 2>/dev/null; wait "$DEMO_PID" 2>/dev/null; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

target/debug/lightdeck demo --listen 127.0.0.1:0 --json --dir "$WORK/demo" >"$WORK/demo.json" 2>"$WORK/demo.log" &
DEMO_PID=$!
for _ in $(seq 600); do [ -s "$WORK/demo.json" ] && break; sleep 0.1; done
URL=$(jq -r .url "$WORK/demo.json")
PASSWORD=$(jq -r '.users[] | select(.login == "alice") | .password' "$WORK/demo.json")

chromedriver --port="$DRIVER_PORT" >"$WORK/driver.log" 2>&1 &
DRIVER_PID=$!
WD="http://127.0.0.1:$DRIVER_PORT"
for _ in $(seq 100); do curl -fs "$WD/status" >/dev/null && break; sleep 0.1; done

wd() { # METHOD PATH [JSON]; stops with WebDriver's message on an error
  local reply
  reply=$(curl -sS -X "$1" -H 'Content-Type: application/json' "$WD$2" ${3:+--data "$3"})
  if jq -e '.value | objects | has("error")' <<<"$reply" >/dev/null; then
    echo "WebDriver $1 $2: $(jq -r '.value.error + ": " + .value.message' <<<"$reply" | head -3)" >&2
    exit 1
  fi
  printf '%s' "$reply"
}
SESSION=$(wd POST /session "$(jq -n --arg w "--window-size=$WIDTH,$HEIGHT" '{capabilities: {alwaysMatch: {
  browserName: "chrome",
  "goog:chromeOptions": {binary: "/usr/bin/chromium",
    args: ["--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", $w, "--lang=en-US"]}}}}')" |
  jq -r .value.sessionId)
S="/session/$SESSION"
element() { wd POST "$S/element" "$(jq -n --arg c "$1" '{using: "css selector", value: $c}')" |
  jq -r '.value | to_entries[0].value'; }
type_into() { wd POST "$S/element/$(element "$1")/value" "$(jq -n --arg t "$2" '{text: $t}')" >/dev/null; }

wd POST "$S/url" "$(jq -n --arg u "$URL/login" '{url: $u}')" >/dev/null
type_into 'input[name=login]' alice
type_into 'input[name=password]' "$PASSWORD"
wd POST "$S/element/$(element 'form[action="/login"] button[type=submit]')/click" '{}' >/dev/null
# The click returns before the dashboard has loaded: wait for its link to the instances.
find_quietly() { curl -sS -X POST -H 'Content-Type: application/json' "$WD$S/element" \
  --data "$(jq -n --arg c "$1" '{using: "css selector", value: $c}')" |
  jq -r '.value | to_entries[0].value | select(type == "string" and (test(" ") | not))'; }
LINK=""
for _ in $(seq 100); do LINK=$(find_quietly 'a[href$="/instances"]') && [ -n "$LINK" ] && break; sleep 0.1; done
[ -n "$LINK" ] || { echo "the dashboard did not appear after signing in:" >&2; wd GET "$S/source" | jq -r .value | sed -n "/<main/,/<\/main>/p" >&2; wd GET "$S/url" >&2; exit 1; }
LIST=$(wd GET "$S/element/$LINK/attribute/href" | jq -r .value)
case "$LIST" in http*) ;; *) LIST="$URL$LIST" ;; esac
wd POST "$S/url" "$(jq -n --arg u "$LIST" '{url: $u}')" >/dev/null
wd GET "$S/screenshot" | jq -r .value | base64 -d >"$OUT"
echo "saved $OUT ($(wc -c <"$OUT") bytes) from $LIST" >&2

wd POST "$S/goog/cdp/execute" "$(jq -n --argjson w "$PHONE_WIDTH" --argjson h "$PHONE_HEIGHT" \
  '{cmd: "Emulation.setDeviceMetricsOverride",
    params: {width: $w, height: $h, deviceScaleFactor: 1, mobile: true}}')" >/dev/null
wd POST "$S/url" "$(jq -n --arg u "$LIST" '{url: $u}')" >/dev/null
WIDE=$(wd POST "$S/execute/sync" '{"script": "return document.documentElement.scrollWidth", "args": []}' | jq -r .value)
[ "$WIDE" -le "$PHONE_WIDTH" ] || echo "warning: the page is $WIDE px wide on a $PHONE_WIDTH px phone" >&2
wd GET "$S/screenshot" | jq -r .value | base64 -d >"$PHONE_OUT"
echo "saved $PHONE_OUT ($(wc -c <"$PHONE_OUT") bytes) at ${PHONE_WIDTH}x$PHONE_HEIGHT" >&2
wd DELETE "$S" >/dev/null
