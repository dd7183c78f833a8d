#!/usr/bin/env python3
"""Measures what a customer-records index adds to a scan, in CPU time.

A 5,000-row customer table (customer_id, full_name, email, phone; the
generator of bench/code_eval.py) is indexed with `leakguard index
records`. Three inputs are scanned with the built-in rules by the release
binary, one thread, with and without the index, alternating, and the best
CPU time (user + system) of each is kept:

- `prompts`: code_eval's prompt-like text (5% of lines quote a customer of
  the table: name, email, phone; the rest is a capitalized filler line);
- `strangers`: the same text, but the quoted people are not in the table
  (the look-ups all miss, as in most real prompts);
- `code`: Rust source of the crates under ~/.cargo/registry/src, sorted
  by path, cut at the same size.

With --chinese, a Chinese table instead (客户编号, 姓名, 手机, 邮箱; names of
two to four Han characters from about a hundred surnames and sixty given
characters) and Chinese text:

- `zh-prompts`: Chinese request lines, 5% of them quoting a customer of
  the table (name and phone) with no space around the name;
- `zh-strangers`: the same, with names drawn from the same characters
  (many of which are in the table by chance, as common names are).

Python 3.11 standard library only. Usage:

    cargo build --release
    python3 bench/records_speed.py [--mb 20] [--runs 7] [--work DIR]
                                   [--only prompts,code] [--no-rules]
                                   [--chinese]

With --work, the inputs and the index are kept in DIR and reused when they
are there, so runs before and after a change scan the same bytes (the
index is rebuilt each time: its format may have changed).
"""

import argparse
import random
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import code_eval  # noqa: E402
from code_eval import BIN, FIRST, LAST  # noqa: E402


def cpu(cmd):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    p = subprocess.run(cmd, capture_output=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    # 2 with a note only for findings past the CLI's per-file cap (the
    # customer lines of `prompts` make more than 10,000): still scanned.
    capped = p.returncode == 2 and b"not reported" in p.stderr
    if p.returncode not in (0, 1) and not capped:
        sys.exit(f"{cmd} failed: {p.stderr.decode()}")
    return (after.ru_utime - before.ru_utime) + (
        after.ru_stime - before.ru_stime)


def people(rng, n, offset=0):
    rows = []
    for i in range(n):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        rows.append({
            "customer_id": f"CUST-{100000 + offset + i}",
            "full_name": f"{first} {last}",
            "email": f"{first}.{last}{offset + i}@example-mail.com".lower(),
            "phone": f"+1 ({rng.randrange(200, 999)}) "
                     f"{rng.randrange(200, 999)}-{rng.randrange(0, 9999):04d}",
        })
    return rows


SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾"
                "肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾"
                "夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃"
                "武戴莫孔向汤") + ["欧阳", "司马", "诸葛", "上官"]
GIVEN = list("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华玉萍红娥玲芬燕"
             "彬鹏辉斌宇浩凯健俊帆帅旭宁龙林欣瑶雪晨晓峰")
ZH_FILLER = [
    "请帮我总结一下这次会议的要点，并列出下一步的行动项。",
    "这个函数在处理空输入时会崩溃，能帮我看看原因吗？",
    "把下面的需求翻译成英文，语气要正式一些。",
    "我们的平台团队下周要上线新版本，测试报告还没写完。",
    "请检查这段配置文件，看看超时时间是不是设置得太短了。",
    "产品经理说季度报告延迟了，市场部希望尽快拿到数据。",
]


def zh_name(rng):
    return rng.choice(SURNAMES) + "".join(
        rng.choice(GIVEN) for _ in range(rng.choice([1, 2, 2])))


def zh_people(rng, n):
    rows, seen = [], set()
    while len(rows) < n:
        name = zh_name(rng)
        if name in seen:
            continue
        seen.add(name)
        i = len(rows)
        rows.append({
            "客户编号": f"C{200000 + i}",
            "姓名": name,
            "手机": f"1{rng.choice('358')}{rng.randrange(10**9):09d}",
            "邮箱": f"u{i}@example.cn",
        })
    return rows


def zh_prompts(rng, rows, size):
    out, n = [], 0
    while n < size:
        if rng.random() < 0.05:
            if rows:
                r = rng.choice(rows)
                name, tail = r["姓名"], f"请回电{r['手机']}。"
            else:
                name, tail = zh_name(rng), "请尽快处理。"
            line = (f"客户{name}来电说订单{rng.randrange(10**6):06d}"
                    f"还没发货，{tail}")
        else:
            line = rng.choice(ZH_FILLER)
        out.append(line)
        n += len(line.encode()) + 1
    return ("\n".join(out) + "\n").encode()[:size].decode(errors="ignore")


def prompts(rng, rows, size):
    return code_eval.customer_prompts(rng, rows, size)[:size]


def code(size):
    root = Path.home() / ".cargo/registry/src"
    out = []
    n = 0
    for p in sorted(root.rglob("*.rs")):
        try:
            t = p.read_text()
        except (UnicodeDecodeError, OSError):
            continue
        out.append(t)
        n += len(t)
        if n >= size:
            break
    return "".join(out)[:size]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mb", type=float, default=20)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--work", help="keep inputs here and reuse them")
    ap.add_argument("--only", help="comma-separated input names")
    ap.add_argument("--chinese", action="store_true",
                    help="a Chinese table and Chinese text instead")
    ap.add_argument("--no-rules", action="store_true",
                    help="scan without the built-in rules, so the time "
                    "with the index is mostly the records look-up's")
    args = ap.parse_args()
    if not BIN.exists():
        sys.exit(f"{BIN} missing: run `cargo build --release` first")
    tmp = tempfile.TemporaryDirectory()
    work = Path(args.work or tmp.name)
    work.mkdir(parents=True, exist_ok=True)
    size = int(args.mb * 1e6)
    rng = random.Random(8)
    if args.chinese:
        rows = zh_people(rng, 5000)
        csv = work / "customers-zh.csv"
        inputs = {
            "zh-prompts": lambda: zh_prompts(random.Random(1), rows, size),
            "zh-strangers": lambda: zh_prompts(random.Random(1), [], size),
        }
    else:
        rows = people(rng, 5000)
        strangers = people(rng, 5000, offset=5000)
        csv = work / "customers.csv"
        inputs = {
            "prompts": lambda: prompts(random.Random(1), rows, size),
            "strangers": lambda: prompts(random.Random(1), strangers, size),
            "code": lambda: code(size),
        }
    if not csv.exists():
        with csv.open("w") as f:
            f.write(",".join(rows[0]) + "\n")
            for r in rows:
                f.write(",".join(r.values()) + "\n")
    if args.only:
        inputs = {k: v for k, v in inputs.items() if k in args.only.split(",")}
    for name, make in inputs.items():
        path = work / f"{name}.txt"
        if not path.exists():
            path.write_text(make())
    key = work / "records.key"
    index = csv.with_suffix(".lgr")
    p = subprocess.run([str(BIN), "index", "records", str(csv), "--out",
                        str(index), "--key-file", str(key), "--columns",
                        ",".join(rows[0])],
                       capture_output=True)
    if p.returncode != 0:
        sys.exit(f"index records failed: {p.stderr.decode()}")
    print(f"index: 5000 rows, {index.stat().st_size} bytes")
    for name in inputs:
        path = work / f"{name}.txt"
        mb = path.stat().st_size / 1e6
        rules = ["--no-builtin"] if args.no_rules else []
        base = [str(BIN), *rules, "scan", "--no-baseline", "-q", "-j", "1",
                str(path)]
        with_idx = base + ["--records-index", str(index),
                           "--records-key-file", str(key)]
        c0 = c1 = float("inf")
        for _ in range(args.runs):
            c0 = min(c0, cpu(base))
            c1 = min(c1, cpu(with_idx))
        print(f"{name} ({mb:.1f} MB): CPU {c0:.3f}s without, {c1:.3f}s "
              f"with the records index (best of {args.runs}); ratio "
              f"{c1 / c0:.3f}; records add {(c1 - c0) * 1e3 / mb:.2f} ms/MB")


if __name__ == "__main__":
    main()
