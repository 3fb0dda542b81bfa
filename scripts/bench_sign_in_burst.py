#!/usr/bin/env python3
"""The sign-in burst of issue 14, against a running panel on loopback.

BURST parallel wrong passwords for one login from one address (no device cookie), while the
real user, whose browser holds a device cookie from an earlier sign-in, keeps signing in.
Prints what the burst's attempts got (401 = the password was checked, 429 = throttled before
any check, 503 = "busy", refused at once), the real user's sign-in latency during the burst,
and the panel process's resident memory (sampled every 5 ms, and the kernel's high-water
mark) before and during the burst.

Usage: bench_sign_in_burst.py URL LOGIN PASSWORD PID [BURST]
Standard library only, so it runs wherever the panel does.
"""

import http.client
import re
import sys
import threading
import time
import urllib.parse

CSRF_FIELD = re.compile(r'name="csrf" value="([^"]+)"')


class Browser:
    """One browser: its own cookies, one connection."""

    def __init__(self, host, port):
        self.host, self.port = host, port
        self.cookies = {}

    def _headers(self, extra=None):
        h = {
            "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) bench_sign_in_burst",
            "Accept": "text/html,application/xhtml+xml",
            # Browsers add br; Python has no brotli decoder, and gzip takes the same path.
            "Accept-Encoding": "gzip",
            "Accept-Language": "en",
        }
        if self.cookies:
            h["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        h.update(extra or {})
        return h

    def _keep_cookies(self, resp):
        for name, value in resp.getheaders():
            if name.lower() == "set-cookie":
                pair = value.split(";", 1)[0]
                k, _, v = pair.partition("=")
                if v:
                    self.cookies[k.strip()] = v.strip()
                else:
                    self.cookies.pop(k.strip(), None)

    def request(self, method, path, body=None, extra=None):
        conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
        try:
            conn.request(method, path, body=body, headers=self._headers(extra))
            resp = conn.getresponse()
            data = resp.read()
            self._keep_cookies(resp)
            return resp.status, data
        finally:
            conn.close()

    def sign_in(self, login, password):
        """GET /login for its token, then POST it; (status, seconds the POST took)."""
        status, page = self.request("GET", "/login")
        assert status == 200, status
        # The page is compressed only when asked to; this client asks, so decode.
        text = decode(page)
        token = CSRF_FIELD.search(text).group(1)
        body = urllib.parse.urlencode({"csrf": token, "login": login, "password": password})
        started = time.perf_counter()
        status, _ = self.request(
            "POST",
            "/login",
            body=body,
            extra={
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": f"http://{self.host}:{self.port}",
            },
        )
        return status, time.perf_counter() - started


def decode(data):
    if data[:2] == b"\x1f\x8b":
        import gzip

        return gzip.decompress(data).decode()
    return data.decode()


def memory(pid):
    fields = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in ("VmRSS", "VmHWM"):
                fields[k] = int(v.split()[0]) / 1024
    return fields


def percentile(samples, p):
    s = sorted(samples)
    return s[min(len(s) - 1, int(len(s) * p))]


def main():
    url, login, password, pid = sys.argv[1:5]
    burst = int(sys.argv[5]) if len(sys.argv) > 5 else 100
    parsed = urllib.parse.urlparse(url)
    host, port = parsed.hostname, parsed.port or 80

    real = Browser(host, port)
    status, _ = real.sign_in(login, password)
    assert status == 303, f"the real user's first sign-in: {status}"
    assert any("device" in k for k in real.cookies), f"no device cookie: {list(real.cookies)}"
    # Signed in once; sign out so every later attempt is a real password check.
    real.cookies = {k: v for k, v in real.cookies.items() if "device" in k}

    before = memory(pid)
    peak = [before["VmRSS"]]
    stop = threading.Event()

    def sample():
        while not stop.is_set():
            peak[0] = max(peak[0], memory(pid)["VmRSS"])
            time.sleep(0.005)

    results, latencies = [], []
    lock = threading.Lock()
    gate = threading.Barrier(burst + 1)

    def attacker():
        b = Browser(host, port)
        status, page = b.request("GET", "/login")
        token = CSRF_FIELD.search(decode(page)).group(1)
        body = urllib.parse.urlencode({"csrf": token, "login": login, "password": "wrong-" + token[:8]})
        gate.wait()
        status, _ = b.request(
            "POST",
            "/login",
            body=body,
            extra={
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": f"http://{host}:{port}",
            },
        )
        with lock:
            results.append(status)

    def user():
        gate.wait()
        while not done.is_set():
            b = Browser(host, port)
            b.cookies = dict(real.cookies)
            status, took = b.sign_in(login, password)
            with lock:
                latencies.append((status, took))

    done = threading.Event()
    threads = [threading.Thread(target=attacker) for _ in range(burst)]
    sampler = threading.Thread(target=sample)
    sampler.start()
    for t in threads:
        t.start()
    u = threading.Thread(target=user)
    u.start()
    started = time.perf_counter()
    for t in threads:
        t.join()
    burst_took = time.perf_counter() - started
    # The user goes on a little after the burst has been answered, as a person would.
    time.sleep(0.5)
    done.set()
    u.join()
    stop.set()
    sampler.join()
    after = memory(pid)

    counts = {}
    for s in results:
        counts[s] = counts.get(s, 0) + 1
    print(f"burst: {burst} wrong passwords for {login!r} from one address, answered in {burst_took:.2f} s")
    for s in sorted(counts):
        what = {401: "checked (wrong password)", 429: "throttled, not checked", 503: "busy, refused at once"}.get(s, "other")
        print(f"  HTTP {s}: {counts[s]:4d}  {what}")
    ok = [t for s, t in latencies if s == 303]
    refused = [s for s, _ in latencies if s != 303]
    print(
        f"real user (device cookie): {len(latencies)} sign-ins during the burst, {len(ok)} succeeded"
        + (f", refused with {sorted(set(refused))}" if refused else "")
    )
    if ok:
        print(
            f"  POST /login latency: p50 {percentile(ok, 0.5) * 1000:.0f} ms, "
            f"p99 {percentile(ok, 0.99) * 1000:.0f} ms, max {max(ok) * 1000:.0f} ms"
        )
    print(
        f"panel resident memory: {before['VmRSS']:.0f} MB before, peak {peak[0]:.0f} MB during "
        f"(sampled), {after['VmRSS']:.0f} MB after; kernel high-water mark "
        f"{before['VmHWM']:.0f} -> {after['VmHWM']:.0f} MB"
    )


if __name__ == "__main__":
    main()
