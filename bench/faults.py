#!/usr/bin/env python3
"""`leakguard proxy` under sustained load while its upstream misbehaves and
its clients attack it, all on loopback.

    apt-get install wrk
    cargo build --release --bin leakguard --example standin
    python3 bench/faults.py [--duration 60]

wrk keeps 64 connections busy with a mix of requests: good ones (OpenAI
and Anthropic), and ones whose upstream is slow (answers after 3 s, past
the proxy's 2 s timeout), drops the connection, answers 500, stalls an SSE
answer after one event, or is down (a route to a closed port). Every body
carries a fake AWS key, so every forwarded request must arrive redacted.
Beside wrk, threads keep up slow clients (slowloris: headers one byte at a
time), malformed HTTP, oversize bodies, clients that hang up mid-stream,
and a checker that sends each kind of request and checks the answer: the
status, the provider's error shape, and no key in it.

Printed: requests held by the proxy, answers by kind, the proxy's own
outcome counters, RSS over time (peak and drift) and the verdicts:
the proxy stayed up, nothing arrived at the upstream unredacted, every
failure answered in the provider's shape, no answer carried the key.
"""

import argparse
import http.client
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
UP, PX = ("127.0.0.1", 9921), ("127.0.0.1", 9922)
B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
random.seed(8)
KEY = "AKIA" + "".join(random.choice(B32) for _ in range(16))
MAX_BODY = 1 << 20
NL = b"\n"

lock = threading.Lock()
answers = Counter()  # (client, kind, status) -> n
problems = []  # what broke a verdict
stop = threading.Event()


def note(client, kind, status):
    with lock:
        answers[(client, kind, status)] += 1


def problem(text):
    with lock:
        if len(problems) < 50:
            problems.append(text)


def body(anthropic, stream=False, size=2048):
    text = f"deploy fails, aws_access_key_id={KEY} in .env; why?\n"
    text += "The retry loop in fetch_orders() times out. " * (size // 45)
    b = {"model": "m", "max_tokens": 50, "stream": stream,
         "messages": [{"role": "user", "content": text}]}
    if not anthropic:
        del b["max_tokens"]
    return json.dumps(b)


# kind -> (path, extra headers, host, expected statuses)
KINDS = {
    "ok": ("/v1/chat/completions", {}, None, {200}),
    "ok-anthropic": ("/v1/messages", {}, None, {200}),
    "slow": ("/v1/chat/completions", {"x-fault": "slow"}, None, {504}),
    "drop": ("/v1/messages", {"x-fault": "drop"}, None, {502}),
    "error": ("/v1/chat/completions", {"x-fault": "error"}, None, {500}),
    "stall": ("/v1/chat/completions", {"x-fault": "stall"}, None, {200}),
    "down": ("/v1/messages", {}, "down.internal", {502}),
}


def wrk_script(path):
    reqs = []
    for kind, (p, extra, host, _) in KINDS.items():
        h = {"Content-Type": "application/json", "Authorization": "Bearer sk-x"}
        h.update(extra)
        if host:
            h["Host"] = host
        b = body(p == "/v1/messages", stream=(kind == "stall"))
        reqs.append((p, h, b))
    lua = ["local reqs = {}"]
    for p, h, b in reqs:
        hs = ", ".join(f'["{k}"] = {json.dumps(v)}' for k, v in h.items())
        lua.append(f'table.insert(reqs, wrk.format("POST", {json.dumps(p)}, '
                   f'{{{hs}}}, {json.dumps(b)}))')
    lua.append("local i = 0")
    lua.append("request = function() i = i + 1; "
               "return reqs[(i % #reqs) + 1] end")
    open(path, "w").write("\n".join(lua) + "\n")


def error_shape_ok(path, data):
    try:
        v = json.loads(data)
    except ValueError:
        return False
    if path == "/v1/messages":
        return v.get("type") == "error" and isinstance(
            v.get("error", {}).get("message"), str)
    return isinstance(v.get("error", {}).get("message"), str)


def checker():
    """One request of each kind at a time; checks every answer."""
    while not stop.is_set():
        for kind, (path, extra, host, want) in KINDS.items():
            if stop.is_set():
                return
            c = http.client.HTTPConnection(*PX, timeout=10)
            h = {"Content-Type": "application/json", "Authorization": "Bearer sk-x"}
            h.update(extra)
            if host:
                h["Host"] = host
            try:
                c.request("POST", path, body(path == "/v1/messages",
                          stream=(kind == "stall")), h)
                r = c.getresponse()
                data = b""
                try:
                    data = r.read()
                except (http.client.IncompleteRead, OSError) as e:
                    data = getattr(e, "partial", b"")
                note("checker", kind, r.status)
                if r.status not in want:
                    problem(f"{kind}: status {r.status}")
                if r.status >= 400 and not error_shape_ok(path, data):
                    problem(f"{kind}: {r.status} not in the provider's shape: {data[:200]!r}")
                if KEY.encode() in data or any(KEY in v for v in r.headers.values()):
                    problem(f"{kind}: the key came back")
            except OSError as e:
                note("checker", kind, type(e).__name__)
                problem(f"{kind}: {type(e).__name__}")
            finally:
                c.close()


def slowloris(n):
    """n connections that send a header byte every 5 s; how long the proxy
    keeps each open (it should close them at its header timeout)."""
    socks = []
    for _ in range(n):
        try:
            s = socket.create_connection(PX, timeout=5)
            s.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nX-a: ")
            socks.append((s, time.time()))
        except OSError:
            note("slowloris", "connect", "refused")
    closed = []
    while socks and not stop.is_set():
        time.sleep(5)
        alive = []
        for s, t0 in socks:
            try:
                s.sendall(b"a")
                s.settimeout(0.01)
                try:
                    got = s.recv(4096)
                    if got == b"" or got.startswith(b"HTTP/1.1 408"):
                        raise ConnectionResetError
                    if got:
                        note("slowloris", "answer", got.split(b"\r\n")[0].decode(errors="replace"))
                        raise ConnectionResetError
                except socket.timeout:
                    pass
                alive.append((s, t0))
            except OSError:
                closed.append(time.time() - t0)
                s.close()
        socks = alive
    for s, _ in socks:
        s.close()
    note("slowloris", "held open to the end", len(socks))
    note("slowloris", "closed by proxy", len(closed))
    if closed:
        note("slowloris", "closed after (s, max)", round(max(closed)))


def raw_exchange(payload, read=True):
    s = socket.create_connection(PX, timeout=10)
    try:
        s.sendall(payload)
        if not read:
            return b""
        out = b""
        while True:
            try:
                got = s.recv(65536)
            except socket.timeout:
                break
            if not got:
                break
            out += got
            if b"\r\n\r\n" in out and len(out) > 200:
                break
        return out
    finally:
        s.close()


def malformed():
    junk = [b"GARBAGE\r\n\r\n", b"POST / HTTP/9.9\r\n\r\n",
            b"\x00\xff\xfe" * 100 + b"\r\n\r\n",
            b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n"
            b"Content-Length: -5\r\n\r\n",
            b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n"
            b"Transfer-Encoding: chunked\r\n\r\nzz\r\n"]
    while not stop.is_set():
        j = random.choice(junk)
        try:
            out = raw_exchange(j)
            status = out.split(b"\r\n")[0].decode(errors="replace") or "closed"
            note("malformed", "answer", status[:24])
        except OSError as e:
            note("malformed", "answer", type(e).__name__)
        time.sleep(0.1)


def oversize():
    big = body(False, size=2 * MAX_BODY)
    while not stop.is_set():
        c = http.client.HTTPConnection(*PX, timeout=10)
        try:
            c.request("POST", "/v1/chat/completions", big,
                      {"Content-Type": "application/json"})
            r = c.getresponse()
            data = r.read()
            note("oversize", "2 MiB body", r.status)
            if r.status != 413 or not error_shape_ok("/v1/chat/completions", data):
                problem(f"oversize: {r.status} {data[:120]!r}")
        except OSError as e:
            note("oversize", "2 MiB body", type(e).__name__)
        finally:
            c.close()
        time.sleep(0.5)


def hangup():
    """Streaming requests whose client leaves after the first bytes."""
    b = body(False, stream=True).encode()
    req = (b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n"
           b"Content-Type: application/json\r\nx-echo: 1\r\n"
           b"Content-Length: " + str(len(b)).encode() + b"\r\n\r\n" + b)
    while not stop.is_set():
        try:
            s = socket.create_connection(PX, timeout=10)
            s.sendall(req)
            first = s.recv(64)
            s.close()
            note("hangup", "left after", first.split(b"\r\n")[0].decode(errors="replace"))
        except OSError as e:
            note("hangup", "left after", type(e).__name__)
        time.sleep(0.05)


def health():
    while not stop.is_set():
        c = http.client.HTTPConnection(*PX, timeout=5)
        try:
            c.request("GET", "/healthz")
            note("health", "/healthz", c.getresponse().status)
        except OSError as e:
            note("health", "/healthz", type(e).__name__)
            problem(f"healthz: {type(e).__name__}")
        finally:
            c.close()
        time.sleep(1)


def rss_of(pid):
    fields = {}
    for line in open(f"/proc/{pid}/status"):
        k, _, v = line.partition(":")
        fields[k] = v.strip()
    kb = lambda k: int(fields[k].split()[0]) // 1024
    return kb("VmRSS"), kb("VmHWM")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--duration", type=int, default=60)
    ap.add_argument("--connections", type=int, default=64)
    ap.add_argument("--slowloris", type=int, default=300)
    a = ap.parse_args()
    tmp = tempfile.mkdtemp()
    record = os.path.join(tmp, "upstream.log")
    audit = os.path.join(tmp, "audit.jsonl")
    cfg = os.path.join(tmp, "leakguard.toml")
    open(cfg, "w").write(
        '[[proxy.route]]\nname = "down"\nhost = "down.internal"\n'
        'upstream = "http://127.0.0.1:9"\n')
    lua = os.path.join(tmp, "mix.lua")
    wrk_script(lua)
    rel = os.path.join(ROOT, "target", "release")
    procs = []
    try:
        procs.append(subprocess.Popen(
            [os.path.join(rel, "examples", "standin"), f"{UP[0]}:{UP[1]}", record],
            stderr=subprocess.DEVNULL))
        env = dict(os.environ, LEAKGUARD_KEY_FILE=os.path.join(tmp, "key"))
        px = subprocess.Popen(
            [os.path.join(rel, "leakguard"), "--config", cfg, "proxy",
             "--listen", f"{PX[0]}:{PX[1]}", "--upstream", f"http://{UP[0]}:{UP[1]}",
             "--threads", "2", "--timeout", "2",
             "--max-body-bytes", str(MAX_BODY), "--audit-log", audit],
            stderr=subprocess.PIPE, env=env)
        procs.append(px)
        for _ in range(100):
            try:
                socket.create_connection(PX, timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        rss = [(0.0,) + rss_of(px.pid)]
        threads = [threading.Thread(target=f, args=args, daemon=True) for f, args in
                   [(checker, ()), (slowloris, (a.slowloris,)), (malformed, ()),
                    (oversize, ()), (hangup, ()), (health, ())]]
        t0 = time.time()
        wrk = subprocess.Popen(
            ["wrk", "-t2", f"-c{a.connections}", f"-d{a.duration}s", "--timeout", "10s",
             "-s", lua, f"http://{PX[0]}:{PX[1]}"],
            stdout=subprocess.PIPE, text=True)
        for t in threads:
            t.start()
        while wrk.poll() is None:
            time.sleep(0.5)
            rss.append((time.time() - t0,) + rss_of(px.pid))
        stop.set()
        wrk_out = wrk.stdout.read()
        for t in threads:
            t.join(timeout=15)
        alive = px.poll() is None
        metrics = ""
        if alive:
            c = http.client.HTTPConnection(*PX, timeout=5)
            c.request("GET", "/metrics")
            metrics = c.getresponse().read().decode()
        rss.append((time.time() - t0,) + rss_of(px.pid))
        px.send_signal(signal.SIGTERM)
        try:
            px.wait(timeout=40)
        except subprocess.TimeoutExpired:
            problem("proxy did not stop on SIGTERM")
        err = px.stderr.read().decode(errors="replace")
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()

    print(f"duration {a.duration} s, wrk {a.connections} connections, "
          f"{a.slowloris} slowloris connections")
    m = re.search(r"(\d+) requests in", wrk_out)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", wrk_out)
    sockerr = re.search(r"Socket errors: (.*)", wrk_out)
    rps = re.search(r"Requests/sec:\s+([\d.]+)", wrk_out)
    print(f"wrk: {m.group(1) if m else '?'} requests, {rps.group(1) if rps else '?'} req/s, "
          f"non-2xx {non2xx.group(1) if non2xx else 0}, "
          f"socket errors: {sockerr.group(1) if sockerr else 'none'}")
    print("proxy outcomes (/metrics leakguard_requests_total):")
    for line in metrics.splitlines():
        if line.startswith("leakguard_requests_total"):
            print("   ", line.split("{", 1)[1].replace("}", " ="))
    print("answers seen by the side clients:")
    for (client, kind, status), n in sorted(answers.items(), key=str):
        print(f"    {client:9} {kind:22} {status!s:28} {n}")
    peak = max(r[2] for r in rss)
    warm = [r[1] for r in rss if r[0] >= a.duration * 0.25]
    quarter = warm[0] if warm else rss[0][1]
    print(f"proxy RSS: start {rss[0][1]} MiB, at 25% {quarter} MiB, "
          f"end {rss[-1][1]} MiB, peak (VmHWM) {peak} MiB")
    leaked = sum(1 for line in open(record, "rb") if KEY.encode() in line) \
        if os.path.exists(record) else 0
    arrived = sum(1 for _ in open(record, "rb")) if os.path.exists(record) else 0
    audit_text = open(audit, "rb").read() if os.path.exists(audit) else b""
    print(f"upstream received {arrived} bodies, {leaked} with the key; "
          f"audit log {audit_text.count(NL)} lines, "
          f"key in it: {KEY.encode() in audit_text}; key on stderr: {KEY in err}")
    ok = alive and leaked == 0 and not problems and KEY.encode() not in audit_text \
        and KEY not in err and KEY not in metrics
    for p in problems:
        print("PROBLEM:", p)
    print("verdict:", "proxy stayed up, nothing unredacted reached the upstream, "
          "every failure in the provider's shape" if ok else "FAILED")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
