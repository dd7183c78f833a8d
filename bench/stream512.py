#!/usr/bin/env python3
"""512 MiB of prompt-like text with one fake AWS access key id every
100,003 bytes, for the bounded-memory check of `leakguard filter`:

    python3 bench/stream512.py /tmp/keys.txt > /tmp/in.txt
    /usr/bin/time -v leakguard filter -q < /tmp/in.txt > /tmp/out.txt
    grep -c -F -f /tmp/keys.txt /tmp/out.txt   # 0: no key survived

The planted keys (fake: random base32 after AKIA) go to argv[1].
"""
import random
import sys

random.seed(7)
B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
FILLER = ("The quick brown fox reviews the retry logic; 客户反馈登录慢. "
          "fn main() { println!(\"{}\", 42); } port=8080 id=123456\n")
TOTAL = 512 << 20
PERIOD = 100_003

out = sys.stdout.buffer
keys = open(sys.argv[1], "w")
block = (FILLER * (PERIOD // len(FILLER.encode()) + 1)).encode()
written = 0
while written < TOTAL:
    key = "AKIA" + "".join(random.choice(B32) for _ in range(16))
    keys.write(key + "\n")
    chunk = block[: PERIOD - 24] + b" k=" + key.encode() + b"\n"
    out.write(chunk)
    written += len(chunk)
