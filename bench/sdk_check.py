#!/usr/bin/env python3
"""The official OpenAI and Anthropic Python SDKs through `leakguard proxy`,
against the stand-in upstream on loopback, as a new user would run them.

    pip install openai anthropic
    cargo build --release --bin leakguard --example standin
    python3 bench/sdk_check.py

Checks: secrets and customer data in system prompts, user messages, tool
results and tool-call arguments never reach the upstream, and what arrives
is valid JSON; with --restore the SDKs read the original values back, plain
and streamed (placeholders split across SSE events); a blocking policy
raises the SDKs' PermissionDeniedError (403 in the provider's shape) and
forwards nothing; the audit log holds no secret and no API key. Exits 1 on
the first failed check. Not run by `cargo test` (it needs pip).
"""
import json
import os
import random
import socket
import string
import subprocess
import sys
import tempfile
import time

import anthropic
import openai

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LEAKGUARD = os.path.join(ROOT, "target/release/leakguard")
STANDIN = os.path.join(ROOT, "target/release/examples/standin")

rng = random.Random(os.getpid())
B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
AWS = "AKIA" + "".join(rng.choice(B32) for _ in range(16))
PG_PASS = "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(14))
PG = f"postgres://app:{PG_PASS}@db.internal:5432/orders"
PHONE = "138" + "".join(rng.choice(string.digits) for _ in range(8))
EMAIL = "li.wei" + str(rng.randrange(1000, 9999)) + "@kunlun-logistics.cn"
API_KEY = "sk-proj-" + "".join(rng.choice(string.ascii_letters) for _ in range(40))
SECRETS = {"aws": AWS, "postgres password": PG_PASS, "phone": PHONE, "email": EMAIL}

failed = False


def check(ok, what):
    global failed
    print(("PASS " if ok else "FAIL ") + what)
    failed |= not ok


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_port(port):
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"nothing listens on {port}")


tmp = tempfile.mkdtemp(prefix="leakguard-sdk-")
record = os.path.join(tmp, "upstream.jsonl")
audit = os.path.join(tmp, "audit.jsonl")
up, px, strict = free_port(), free_port(), free_port()
env = dict(os.environ, LEAKGUARD_KEY_FILE=os.path.join(tmp, "key"))
procs = [
    subprocess.Popen([STANDIN, f"127.0.0.1:{up}", record], stderr=subprocess.DEVNULL),
    subprocess.Popen(
        [LEAKGUARD, "proxy", "--listen", f"127.0.0.1:{px}", "--upstream",
         f"http://127.0.0.1:{up}", "--restore", "--audit-log", audit],
        env=env, cwd=tmp, stderr=subprocess.DEVNULL),
    subprocess.Popen(
        [LEAKGUARD, "proxy", "--listen", f"127.0.0.1:{strict}", "--upstream",
         f"http://127.0.0.1:{up}", "--block", "pii", "--block", "secret"],
        env=env, cwd=tmp, stderr=subprocess.DEVNULL),
]
try:
    for p in (up, px, strict):
        wait_port(p)

    oai = openai.OpenAI(base_url=f"http://127.0.0.1:{px}/v1", api_key=API_KEY,
                        default_headers={"x-echo": "1"}, max_retries=0)
    prompt = f"why does {AWS} fail against {PG}?"
    messages = [
        {"role": "system", "content": f"Support bot. Escalation phone {PHONE}."},
        {"role": "assistant", "content": None, "tool_calls": [{
            "id": "call_1", "type": "function", "function": {
                "name": "lookup", "arguments": json.dumps({"email": EMAIL})}}]},
        {"role": "tool", "tool_call_id": "call_1", "content": f"customer {EMAIL} dsn {PG}"},
        {"role": "user", "content": prompt},
    ]
    r = oai.chat.completions.create(model="gpt-4o", messages=messages)
    check(r.choices[0].message.content == prompt,
          "openai chat: the answer echoes the prompt with originals restored")
    stream = oai.chat.completions.create(model="gpt-4o", messages=messages, stream=True)
    text = "".join(c.choices[0].delta.content or "" for c in stream if c.choices)
    check(text == prompt,
          "openai chat stream: deltas (placeholders split across events) restored")

    ant = anthropic.Anthropic(base_url=f"http://127.0.0.1:{px}", api_key=API_KEY,
                              default_headers={"x-echo": "1"}, max_retries=0)
    m = ant.messages.create(model="claude-x", max_tokens=64, system=f"Call {PHONE}.",
                            messages=[{"role": "user", "content": prompt}])
    check(m.content[0].text == prompt, "anthropic messages: originals restored")
    with ant.messages.stream(model="claude-x", max_tokens=64,
                             messages=[{"role": "user", "content": prompt}]) as s:
        text = "".join(s.text_stream)
    check(text == prompt, "anthropic messages stream: originals restored")

    bodies = [line for line in open(record, "rb").read().splitlines() if line]
    check(len(bodies) == 4, f"upstream received 4 requests ({len(bodies)})")
    valid = all(isinstance(json.loads(b), dict) for b in bodies)
    check(valid, "every body the upstream received is valid JSON")
    upstream_text = b"\n".join(bodies).decode()
    for name, value in SECRETS.items():
        check(value not in upstream_text, f"the {name} never reached the upstream")
    check("[REDACTED:aws-access-key-id:1]" in upstream_text,
          "the upstream saw placeholders instead")

    blocked = openai.OpenAI(base_url=f"http://127.0.0.1:{strict}/v1", api_key=API_KEY,
                            max_retries=0)
    try:
        blocked.chat.completions.create(model="gpt-4o", messages=messages)
        check(False, "openai: a blocking policy raises")
    except openai.PermissionDeniedError as e:
        body = e.body if isinstance(e.body, dict) else {}
        check(e.status_code == 403 and body.get("code") == "leakguard_blocked",
              f"openai: blocked with 403 PermissionDeniedError: {body.get('message')}")
        check(not any(v in str(e) for v in SECRETS.values()), "the error shows no secret")
        check(e.response.headers.get("x-leakguard-blocked") is not None,
              f"x-leakguard-blocked: {e.response.headers.get('x-leakguard-blocked')}")
    ablocked = anthropic.Anthropic(base_url=f"http://127.0.0.1:{strict}",
                                   api_key=API_KEY, max_retries=0)
    try:
        ablocked.messages.create(model="claude-x", max_tokens=8,
                                 messages=[{"role": "user", "content": prompt}])
        check(False, "anthropic: a blocking policy raises")
    except anthropic.PermissionDeniedError as e:
        check(e.status_code == 403, f"anthropic: blocked with 403 PermissionDeniedError: {e.message}")
    after = [line for line in open(record, "rb").read().splitlines() if line]
    check(len(after) == len(bodies), "blocked requests forwarded nothing")

    log = open(audit).read()
    lines = [json.loads(line) for line in log.splitlines()]
    check(len(lines) == 4 and all(line["outcome"] == "redacted" for line in lines),
          f"audit log: {len(lines)} lines, rules "
          f"{sorted({f['rule'] for line in lines for f in line['findings']})}")
    check(API_KEY not in log and not any(v in log for v in SECRETS.values()),
          "the audit log holds no secret and no API key")
finally:
    for p in procs:
        p.terminate()
    for p in procs:
        p.wait(timeout=10)
print("FAILED" if failed else "all SDK checks passed")
sys.exit(1 if failed else 0)
