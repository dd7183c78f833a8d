#!/usr/bin/env python3
"""Evaluates the code and records indexes on public code this machine holds.

Code: the Rust sources of the crates under ~/.cargo/registry/src are split
by crate name (every version of a crate on the same side) into an indexed
half and an unrelated half. The indexed half is indexed with
`leakguard index code`; then snippets of 5, 10, 20 and 40 lines of indexed
files are queried verbatim, with every identifier renamed, and reformatted,
and snippets of unrelated files are queried to count false alarms. It
reports detection by length and mutation, the false-alarm rate, the index
size per MB of source, indexing MB/s and query MB/s, and checks that the
index holds no source line. Crates copy each other, so an unrelated
snippet sharing --copy-lines consecutive normalized lines with one indexed
file is a copy of indexed code: the false-alarm rate is reported raw and
without such copies. --diagnose says why each missed 10- and 20-line
snippet is missed.

Records: a generated 5,000-row customer table is indexed with
`leakguard index records`; the index must hold no cell; a prompt quoting
one customer's email must be reported as `record`, an unknown email not;
and scanning with the records index loaded is compared with scanning
without it, in the same run.

Python 3.11 standard library only. Usage:

    cargo build --release [--example code_explain  # for --diagnose]
    python3 bench/code_eval.py [--k 30 --w 8] [--snippets 200] [--seed 1] \
        [--crate-dirs bench/code_eval_crates.txt] [--diagnose]
"""

import argparse
import hashlib
import json
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / "target" / "release" / "leakguard"
EXPLAIN = ROOT / "target" / "release" / "examples" / "code_explain"
LENGTHS = (5, 10, 20, 40)
MUTATIONS = ("verbatim", "renamed", "reformatted")

RUST_KEYWORDS = set(
    """as break const continue crate else enum extern false fn for if impl in
    let loop match mod move mut pub ref return self Self static struct super
    trait true type unsafe use where while async await dyn abstract become box
    do final macro override priv typeof unsized virtual yield try union
    macro_rules""".split()
)
IDENT = re.compile(r"\b[A-Za-z_][A-Za-z0-9_]*\b")


def run(cmd, **kw):
    """Runs a command, returns (seconds, CompletedProcess)."""
    t = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, **kw)
    return time.perf_counter() - t, p


def cpu(cmd):
    """CPU seconds (user + system) a command takes: steadier than wall
    time on a machine others share."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(cmd, capture_output=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def crates(registry, only=None):
    """{crate name: [crate dirs]} over every registry source directory
    (only those named in `only`, when given)."""
    out = {}
    for reg in sorted(Path(registry).iterdir()):
        for d in sorted(reg.iterdir()):
            if d.is_dir() and (only is None or d.name in only):
                name = re.sub(r"-\d[\w.+-]*$", "", d.name)
                out.setdefault(name, []).append(d)
    return out


def rust_files(dirs):
    files = []
    for d in dirs:
        for p in sorted(d.rglob("*.rs")):
            if p.is_file() and p.stat().st_size < 8 << 20:
                files.append(p)
    return files


def is_code_line(line):
    s = line.strip()
    return bool(s) and not s.startswith("//") and not s.startswith("*")


def block_comment_lines(lines):
    """Indexes of the lines that lie wholly inside a `/* */` block
    comment (nested, as in Rust), such as a `/*! ... */` module doc: prose
    and doc examples, which the tokenizer drops like any comment. Strings
    holding `/*` are rare enough to ignore."""
    inside = set()
    depth = 0
    for i, line in enumerate(lines):
        start_depth = depth
        j = 0
        while j < len(line) - 1:
            two = line[j:j + 2]
            if two == "/*":
                depth += 1
                j += 2
            elif two == "*/" and depth > 0:
                depth -= 1
                j += 2
            elif two == "//" and depth == 0:
                break
            else:
                j += 1
        if start_depth > 0 and depth > 0:
            inside.add(i)
    return inside


def snippet(rng, files, n, tries=50):
    """n consecutive lines of a random file, mostly code (at least half of
    the lines neither blank nor comments, `/* */` blocks included), or
    None."""
    for _ in range(tries):
        p = rng.choice(files)
        try:
            lines = p.read_text(encoding="utf-8").splitlines(keepends=True)
        except (UnicodeDecodeError, OSError):
            continue
        if len(lines) < n:
            continue
        i = rng.randrange(0, len(lines) - n + 1)
        chunk = lines[i : i + n]
        inside = block_comment_lines(lines[: i + n]) if any(
            "/*" in l for l in lines[: i + n]) else set()
        code = sum(is_code_line(l) and (i + j) not in inside
                   for j, l in enumerate(chunk))
        if code * 2 >= n:
            snippet.last = p
            return "".join(chunk)
    return None


def norm_lines(text):
    """The non-trivial lines of a text, normalized for the copy check:
    whitespace runs made one space, blank lines, comment lines and lines
    of fewer than 8 non-space characters (`}`, `Ok(())`) left out."""
    out = []
    for line in text.splitlines():
        s = " ".join(line.split())
        if s.startswith(("//", "/*", "*")):
            continue
        if len(s.replace(" ", "")) >= 8:
            out.append(s)
    return out


def copy_windows(files, n):
    """{hash of n consecutive normalized lines: index of a file holding
    them} over `files`: the ground truth for "this text is a copy of
    indexed code", independent of leakguard's tokens and k-grams."""
    out = {}
    for i, p in enumerate(files):
        try:
            lines = norm_lines(p.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, OSError):
            continue
        for j in range(len(lines) - n + 1):
            out.setdefault(hash(tuple(lines[j:j + n])), i)
    return out


def copied_from(text, windows, n):
    """The index of an indexed file sharing n consecutive normalized
    lines with `text`, or None."""
    lines = norm_lines(text)
    for j in range(len(lines) - n + 1):
        f = windows.get(hash(tuple(lines[j:j + n])))
        if f is not None:
            return f
    return None


def rename(text):
    """Every identifier that is not a Rust keyword becomes v0, v1, ...,
    consistently within the snippet (in code, strings and comments alike)."""
    names = {}

    def sub(m):
        w = m.group(0)
        if w in RUST_KEYWORDS:
            return w
        return names.setdefault(w, f"v{len(names)}")

    return IDENT.sub(sub, text)


# Comments, strings and char literals, which a formatter leaves as they are.
PROTECTED = re.compile(
    r"//[^\n]*|/\*.*?\*/"
    r'|b?r(#*)".*?"\1'
    r'|b?"(?:\\.|[^"\\])*"'
    r"|b?'(?:\\(?:u\{[0-9a-fA-F]+\}|x[0-9a-fA-F]{2}|.)|[^'\\\n])'",
    re.S,
)
# Operators a formatter never splits, then single punctuation.
PUNCT = re.compile(
    r"\s*(->|=>|::|==|!=|<=|>=|&&|\|\||<<=|>>=|<<|>>|\+=|-=|\*=|/=|"
    r"\.\.=?|[=+\-*/<>(){},;:])\s*"
)


def reformat(text, rng):
    """Another layout of the same program, as a formatter with other
    settings might write it: indentation changed, every run of spaces
    becomes one or two, spaces around punctuation added or removed, lines
    joined in pairs or split after `{` and `;`. Comments, strings and char
    literals are kept as they are, multi-character operators stay whole,
    and a line ending in a `//` comment is never joined with the next
    (that would comment the next line out)."""
    saved = []

    def protect(m):
        saved.append(m.group(0))
        return f"\x00{len(saved) - 1}\x01"

    def restore(s):
        return re.sub("\x00(\\d+)\x01", lambda m: saved[int(m.group(1))], s)

    def line_comment(s):
        return any(saved[int(i)].startswith("//")
                   for i in re.findall("\x00(\\d+)\x01", s))

    text = PROTECTED.sub(protect, text)
    out = []
    for line in text.splitlines():
        s = line.strip()
        s = re.sub(r"[ \t]+", lambda _: rng.choice((" ", "  ")), s)
        s = PUNCT.sub(lambda m: rng.choice(
            (m.group(1), f" {m.group(1)} ", f"{m.group(1)} ")), s)
        out.append("\t" * rng.randrange(0, 3) + s)
    joined = []
    i = 0
    while i < len(out):
        if i + 1 < len(out) and rng.random() < 0.4 and not line_comment(out[i]):
            joined.append(out[i] + " " + out[i + 1].strip())
            i += 2
        else:
            joined.append(out[i])
            i += 1
    # Split some lines after braces and semicolons (protected text holds
    # neither).
    return restore("\n".join(
        re.sub(r"([{;]) (?=\S)", lambda m: m.group(1) + "\n    "
               if rng.random() < 0.5 else m.group(0), l)
        for l in joined
    ) + "\n")


def code_eval(args, work, registry):
    rng = random.Random(args.seed)
    only = None
    if args.crate_dirs:
        # The registry grows while others build; a list of crate
        # directories keeps one sample over a session.
        f = Path(args.crate_dirs)
        if not f.exists():
            f.write_text("".join(
                f"{d.name}\n" for reg in sorted(Path(registry).iterdir())
                for d in sorted(reg.iterdir()) if d.is_dir()))
        only = set(f.read_text().split())
    by_name = crates(registry, only)
    names = sorted(by_name)
    # A stable split by crate name.
    indexed = [n for n in names if zlib.crc32(n.encode()) % 2 == 0]
    unrelated = [n for n in names if zlib.crc32(n.encode()) % 2 == 1]
    idx_dirs = [d for n in indexed for d in by_name[n]]
    idx_files = rust_files(idx_dirs)
    other_files = rust_files([d for n in unrelated for d in by_name[n]])
    src_bytes = sum(p.stat().st_size for p in idx_files)

    index = work / "code.lgx"
    cmd = [str(BIN), "index", "code", "--out", str(index), "--k",
           str(args.k), "--window", str(args.w), "--max-files",
           str(args.max_files), "--no-ignore"]
    # Index the Rust files only, so that sizes and speeds are per MB of
    # source code; pass them through a directory of hard links.
    tree = work / "src"
    for i, p in enumerate(idx_files):
        q = tree / f"{i:06d}.rs"
        q.parent.mkdir(parents=True, exist_ok=True)
        os.link(p, q) if same_fs(p, work) else q.write_bytes(p.read_bytes())
    secs, p = run(cmd + [str(tree)])
    if p.returncode != 0:
        sys.exit(f"index code failed: {p.stderr.decode()}")
    index_bytes = index.read_bytes()
    mb = src_bytes / 1e6
    print(f"# Code index (k={args.k}, w={args.w}, max-files={args.max_files})")
    print(f"indexed crates: {len(indexed)}, files: {len(idx_files)}, "
          f"source: {mb:.1f} MB; unrelated crates: {len(unrelated)}, "
          f"files: {len(other_files)}")
    print(f"index: {len(index_bytes)} bytes = "
          f"{len(index_bytes) / 1e3 / mb:.1f} KB per MB of source")
    print(f"indexing: {secs:.2f}s = {mb / secs:.1f} MB/s (one thread)")

    # The index holds no source line. A line of printable ASCII in the
    # index would lie inside a run of printable bytes, so each line is
    # checked against those runs (few: the index is random-looking bytes);
    # lines with other bytes are looked for in the whole index.
    runs = re.findall(rb"[\t\x20-\x7e]{8,}", index_bytes)
    longest = max((len(r) for r in runs), default=0)
    lines = set()
    for f in idx_files:
        for l in f.read_bytes().splitlines():
            l = l.strip()
            if len(l) >= 8:
                lines.add(l)
    printable = re.compile(rb"[\t\x20-\x7e]*")
    ascii_lines = [l for l in lines if printable.fullmatch(l)]
    other = sorted(l for l in lines if not printable.fullmatch(l))
    # Lines with other bytes are searched in the whole index, which is
    # slow in Python: a sample of them.
    sample = random.Random(0).sample(other, min(len(other), 2000))
    pieces = {r[i:j] for r in runs for i in range(len(r) - 7)
              for j in range(i + 8, len(r) + 1)}
    in_index = sum(1 for l in ascii_lines if l in pieces) + sum(
        1 for l in sample if l in index_bytes)
    print(f"source lines (>= 8 bytes, distinct): {len(ascii_lines)} ASCII, "
          f"all checked, and {len(sample)} of {len(other)} others; found in "
          f"the index: {in_index}; printable runs of 8+ bytes in the index: "
          f"{len(runs)}, longest {longest} bytes")

    # Snippets.
    qdir = work / "query"
    qdir.mkdir()
    meta = {}
    origin = {}
    n = args.snippets
    for length in LENGTHS:
        for k in range(n):
            s = snippet(rng, idx_files, length)
            if s is None:
                continue
            variants = {
                "verbatim": s,
                "renamed": rename(s),
                "reformatted": reformat(s, rng),
            }
            for m, text in variants.items():
                name = f"{m}-{length}-{k}.txt"
                (qdir / name).write_text(text)
                meta[name] = (m, length)
                origin[name] = snippet.last
            u = snippet(rng, other_files, length)
            if u is not None:
                name = f"unrelated-{length}-{k}.txt"
                (qdir / name).write_text(u)
                meta[name] = ("unrelated", length)
                origin[name] = snippet.last
    qbytes = sum((qdir / f).stat().st_size for f in meta)
    (work / "snippets.json").write_text(json.dumps(
        {n: [*meta[n], str(origin[n])] for n in meta}, indent=0))
    scan = [str(BIN), "--no-builtin", "scan", "--no-baseline", "-q", "-j",
            "1", "--format", "json", "--code-index", str(index)]
    settings = [f"{key} = {val}" for key, val in (
        ("min_tokens", args.min_tokens), ("sure_tokens", args.sure_tokens),
        ("min_share", args.min_share), ("common_tokens", args.common_tokens),
        ("common_share", args.common_share)) if val]
    if settings:
        cfg = work / "leakguard.toml"
        cfg.write_text("[code]\n" + "\n".join(settings) + "\n")
        scan[1:1] = ["--config", str(cfg)]
    secs, p = run(scan + [str(qdir)], cwd=work)
    if p.returncode not in (0, 1):
        sys.exit(f"scan failed: {p.stderr.decode()}")
    findings = json.loads(p.stdout)
    flagged = {Path(f["path"]).name for f in findings
               if f["category"] == "code"}
    # Ground truth for the unrelated snippets, independent of leakguard:
    # a snippet sharing --copy-lines consecutive normalized non-trivial
    # lines with an indexed file is a copy of indexed code (crates vendor
    # and fork each other), so flagging it is no false alarm. Both rates
    # are reported; the raw one counts every flag.
    windows = copy_windows(idx_files, args.copy_lines)
    copy = {name: copied_from((qdir / name).read_text(), windows,
                              args.copy_lines)
            for name, key in meta.items() if key[0] == "unrelated"}
    del windows
    (work / "copies.json").write_text(json.dumps(
        {n: str(idx_files[c]) if c is not None else None
         for n, c in copy.items()}, indent=0))
    by_hash = {
        hashlib.sha256(str(tree / f"{i:06d}.rs").encode()).hexdigest()[:16]:
        p for i, p in enumerate(idx_files)}
    if args.show_false_alarms:
        for f in findings:
            name = Path(f["path"]).name
            if meta.get(name, ("",))[0] == "unrelated":
                # Files are named by a SHA-256 prefix of the path indexed.
                hexes = [x.split("sha256:")[1].rstrip(")")
                         for x in f["code"]["files"]]
                c = copy[name]
                print("false alarm:", meta[name][1], "lines", origin[name],
                      f["code"]["tokens"], "tokens; indexed:",
                      [str(by_hash.get(h)) for h in hexes],
                      f"; copy of {idx_files[c]}" if c is not None else
                      "; not a copy")
    table = {}
    for name, key in meta.items():
        hit, total = table.get(key, (0, 0))
        table[key] = (hit + (name in flagged), total + 1)
        if key[0] == "unrelated" and copy[name] is None:
            key = ("unrelated-nocopy", key[1])
            hit, total = table.get(key, (0, 0))
            table[key] = (hit + (name in flagged), total + 1)
    print()
    print("detection (share of snippets with a `code` finding):")
    print("| lines | " + " | ".join(MUTATIONS) + " | unrelated (raw) | "
          f"unrelated, copies excluded ({args.copy_lines} lines) |")
    print("|---" * (len(MUTATIONS) + 3) + "|")
    for length in LENGTHS:
        cells = []
        for m in MUTATIONS + ("unrelated", "unrelated-nocopy"):
            hit, total = table.get((m, length), (0, 0))
            cells.append(f"{100 * hit / max(total, 1):.1f}% ({hit}/{total})")
        print(f"| {length} | " + " | ".join(cells) + " |")
    for m, what in (("unrelated", "raw"),
                    ("unrelated-nocopy", "copies excluded")):
        fa = [table.get((m, l), (0, 0)) for l in LENGTHS]
        print(f"false alarms overall ({what}): {sum(h for h, _ in fa)}/"
              f"{sum(t for _, t in fa)}")
    ncopy = sum(c is not None for c in copy.values())
    print(f"unrelated snippets that are copies of indexed code "
          f"({args.copy_lines}+ consecutive normalized lines of 8+ "
          f"characters in one indexed file): {ncopy}/{len(copy)}, of them "
          f"flagged {sum(c is not None and n in flagged for n, c in copy.items())}")
    if args.diagnose:
        diagnose(args, work, cmd, tree, meta, origin, flagged, idx_files,
                 by_hash)
    print(f"query: {len(meta)} snippets, {qbytes / 1e6:.2f} MB in "
          f"{secs:.2f}s (process start and index load included)")

    # Query throughput on a larger input: unrelated sources concatenated,
    # with and without the code index, same run.
    big = work / "big.txt"
    with big.open("wb") as out:
        size = 0
        for f in other_files:
            if size > args.big_mb * 1e6:
                break
            b = f.read_bytes()
            out.write(b)
            size += len(b)
    base = [str(BIN), "--no-builtin", "scan", "--no-baseline", "-q", "-j",
            "1", str(big)]
    with_idx = base + ["--code-index", str(index)]
    empty = work / "empty.txt"
    empty.write_text("")
    load = [str(BIN), "--no-builtin", "scan", "--no-baseline", "-q", "-j",
            "1", str(empty), "--code-index", str(index)]
    t0 = min(run(base)[0] for _ in range(3))
    t1 = min(run(with_idx)[0] for _ in range(3))
    print(f"query throughput on {size / 1e6:.1f} MB of unrelated code: "
          f"{size / 1e6 / t1:.1f} MB/s with the code index "
          f"({size / 1e6 / t0:.1f} MB/s without; no rules loaded; best of 3, "
          f"wall clock)")
    c0 = min(cpu(base) for _ in range(3))
    c1 = min(cpu(with_idx) for _ in range(3))
    cl = min(cpu(load) for _ in range(3))
    print(f"CPU time: {c1:.2f}s with the index ({size / 1e6 / c1:.1f} MB/s), "
          f"{c0:.2f}s without ({size / 1e6 / c0:.1f} MB/s); loading the index "
          f"alone {cl:.2f}s, so {size / 1e6 / max(c1 - cl, 1e-9):.1f} MB/s "
          f"once loaded (best of 3)")


def explain(index, queries):
    """code_explain's answers for [(query file, origin path hash)]."""
    p = subprocess.run([str(EXPLAIN), str(index)], capture_output=True,
                       input="".join(f"{q}\t{h}\n" for q, h in queries)
                       .encode())
    if p.returncode != 0:
        sys.exit(f"code_explain failed: {p.stderr.decode()}")
    return [json.loads(l) for l in p.stdout.decode().splitlines()]


def diagnose(args, work, cmd, tree, meta, origin, flagged, idx_files,
             by_hash):
    """Why each missed snippet (10 and 20 lines) is missed: its tokens,
    k-grams, tables, hits, hits in its own file, the longest chain there,
    and the same against an index that keeps boilerplate (--max-files
    0); and what each false alarm matched."""
    full = work / "code-all.lgx"
    c = list(cmd)
    c[c.index("--max-files") + 1] = "0"
    c[c.index("--out") + 1] = str(full)
    _, p = run(c + [str(tree)])
    if p.returncode != 0:
        sys.exit(f"index code failed: {p.stderr.decode()}")
    hash_of = {str(v): h for h, v in by_hash.items()}
    qdir = work / "query"
    names = sorted(n for n, (m, l) in meta.items()
                   if (m != "unrelated" and n not in flagged and l in (10, 20))
                   or (m == "unrelated" and n in flagged))
    queries = [(qdir / n, hash_of.get(str(origin[n]), "")) for n in names]
    a = explain(work / "code.lgx", queries)
    b = explain(full, queries)
    mt = args.min_tokens or 45
    causes = {}
    print()
    print("diagnosis (tok: tokens, kg: k-grams, tab: table k-grams, hit: "
          "k-grams in the index, own: in the snippet's own file, chain: "
          "tokens of the longest chain there, best: best region's tokens/"
          "share; [all]: the same with --max-files 0)")
    for n, x, y in zip(names, a, b):
        m, length = meta[n]
        if m == "unrelated":
            cause = "false alarm"
        elif x["kgrams"] == 0 or x["tokens"] < mt:
            cause = "too few tokens"
        elif x["tables"] * 2 >= x["kgrams"] and x["origin_chain"] < mt:
            cause = "mostly table"
        elif x["origin_chain"] < mt <= y["origin_chain"]:
            cause = "boilerplate dropped"
        elif x["origin_chain"] < mt:
            cause = "short chain"
        else:
            cause = "share/threshold"
        causes[(length, cause)] = causes.get((length, cause), 0) + 1
        print(f"{n}: {cause}; tok {x['tokens']} kg {x['kgrams']} tab "
              f"{x['tables']} hit {x['hits']} own {x['origin_hits']} chain "
              f"{x['origin_chain']} best {x['best_tokens']}/"
              f"{x['best_share']} [all: hit {y['hits']} own "
              f"{y['origin_hits']} chain {y['origin_chain']}] {origin[n]}")
    print("causes:", ", ".join(f"{l} lines {c}: {v}"
                               for (l, c), v in sorted(causes.items())))


def same_fs(a, b):
    try:
        return os.stat(a).st_dev == os.stat(b).st_dev
    except OSError:
        return False


FIRST = "James Mary John Patricia Robert Jennifer Michael Linda William \
Elizabeth David Barbara Richard Susan Joseph Jessica Thomas Sarah Charles \
Karen Wei Fang Min Jing Li Hiroshi Yuki Ana Carlos Sofia".split()
LAST = "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez \
Martinez Hernandez Lopez Gonzalez Wilson Anderson Thomas Taylor Moore \
Jackson Martin Lee Perez Thompson White Harris Wang Chen Tanaka Silva".split()


def customer_prompts(rng, rows, size):
    """Prompt-like lines, 5% of them quoting a customer of `rows`, about
    `size` bytes (at least `size`; bench/records_speed.py cuts it)."""
    parts = []
    n = 0
    while n < size:
        r = rng.choice(rows)
        s = (f"Customer {r['full_name']} wrote from {r['email']} about order "
             f"{rng.randrange(10**6)}; call back on {r['phone']} before "
             f"Friday. The Export Manager said the Quarterly Report is late.\n"
             if rng.random() < 0.05 else
             "Please summarize the meeting notes and list the action items "
             "for the Platform Team; keep it short and polite.\n")
        parts.append(s)
        n += len(s)
    return "".join(parts)


def records_eval(args, work):
    rng = random.Random(args.seed + 7)
    rows = []
    for i in range(5000):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        rows.append({
            "customer_id": f"CUST-{100000 + i}",
            "full_name": f"{first} {last}",
            "email": f"{first}.{last}{i}@example-mail.com".lower(),
            "phone": f"+1 ({rng.randrange(200, 999)}) "
                     f"{rng.randrange(200, 999)}-{rng.randrange(0, 9999):04d}",
            "city": rng.choice(["Springfield", "Riverside", "Fairview"]),
        })
    csv = work / "customers.csv"
    with csv.open("w") as f:
        f.write(",".join(rows[0]) + "\n")
        for r in rows:
            f.write(",".join(r.values()) + "\n")
    key = work / "records.key"
    out = work / "customers.lgr"
    secs, p = run([str(BIN), "index", "records", str(csv), "--out", str(out),
                   "--columns", args.records_columns,
                   "--key-file", str(key)])
    if p.returncode != 0:
        sys.exit(f"index records failed: {p.stderr.decode()}")
    data = out.read_bytes()
    cells = [v for r in rows for v in r.values()]
    forms = set(cells)
    for r in rows:
        forms.add(r["email"].lower())
        forms.add(re.sub(r"\D", "", r["phone"])[-10:])
        forms.add(r["customer_id"].replace("-", ""))
        forms.add(r["full_name"].lower())
    leaked = [c for c in forms if c.encode() in data]
    print()
    print("# Records index")
    print(f"5000 rows, columns {args.records_columns} -> {len(data)} bytes in {secs:.2f}s; "
          f"plaintext cells (and normalized forms) found in it: "
          f"{len(leaked)} of {len(forms)}")

    victim = rows[1234]
    prompt = work / "prompt.txt"
    prompt.write_text(
        "Hi, please draft a reply to this customer complaint. Their address "
        f"is {victim['email']} and they are upset about the invoice.\n")
    unknown = work / "unknown.txt"
    unknown.write_text(
        "Hi, please draft a reply to this customer complaint. Their address "
        "is someone.else4242@example-mail.com and they are upset.\n")
    scan = [str(BIN), "--no-builtin", "scan", "--no-baseline", "-q",
            "--format", "json", "--records-index", str(out),
            "--records-key-file", str(key)]
    for f, want in ((prompt, True), (unknown, False)):
        _, p = run(scan + [str(f)])
        found = [x for x in json.loads(p.stdout) if x["category"] == "record"]
        detail = found[0]["record"] if found else None
        ok = bool(found) == want
        print(f"{f.name}: exit {p.returncode}, record findings: {len(found)}"
              f" {detail or ''} -> {'as expected' if ok else 'WRONG'}")

    # Throughput: prompt-like text with emails, phones and names, scanned
    # with the built-in rules, with and without the records index.
    big = work / "prompts.txt"
    big.write_text(customer_prompts(rng, rows, int(args.big_mb * 1e6)))
    base = [str(BIN), "scan", "--no-baseline", "-q", "-j", "1", str(big)]
    with_idx = base + ["--records-index", str(out), "--records-key-file",
                       str(key)]
    t0 = t1 = c0 = c1 = float("inf")
    for _ in range(5):  # alternate, best of 5 each
        t0 = min(t0, run(base)[0])
        t1 = min(t1, run(with_idx)[0])
        c0 = min(c0, cpu(base))
        c1 = min(c1, cpu(with_idx))
    mb = big.stat().st_size / 1e6
    print(f"scan of {mb:.1f} MB of prompts (built-in rules): "
          f"{mb / t0:.1f} MB/s without, {mb / t1:.1f} MB/s with the records "
          f"index; time ratio with/without = {t1 / t0:.3f} (best of 5, wall "
          f"clock); CPU time {c0:.2f}s without, {c1:.2f}s with, ratio "
          f"{c1 / c0:.3f}")


def main():
    global BIN
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--k", type=int, default=30)
    ap.add_argument("--w", type=int, default=8)
    ap.add_argument("--max-files", type=int, default=20)
    ap.add_argument("--min-tokens", type=int, default=0,
                    help="[code] min_tokens (default: leakguard's)")
    ap.add_argument("--snippets", type=int, default=200,
                    help="snippets per length and mutation")
    ap.add_argument("--big-mb", type=float, default=20)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--registry",
                    default=str(Path.home() / ".cargo/registry/src"))
    ap.add_argument("--crate-dirs", metavar="FILE",
                    help="use only the registry crate directories named in "
                    "FILE (one a line); written from the registry first if "
                    "missing")
    ap.add_argument("--skip-records", action="store_true")
    ap.add_argument("--skip-code", action="store_true")
    ap.add_argument("--sure-tokens", type=int, default=0,
                    help="[code] sure_tokens (default: leakguard's)")
    ap.add_argument("--min-share", type=float, default=0,
                    help="[code] min_share (default: leakguard's)")
    ap.add_argument("--common-tokens", type=int, default=0,
                    help="[code] common_tokens (default: leakguard's)")
    ap.add_argument("--common-share", type=float, default=0,
                    help="[code] common_share (default: leakguard's)")
    ap.add_argument("--copy-lines", type=int, default=4,
                    help="an unrelated snippet sharing this many consecutive "
                    "normalized lines (8+ non-space characters, comments "
                    "left out) with one indexed file is a copy of indexed "
                    "code, counted apart from false alarms")
    ap.add_argument("--show-false-alarms", action="store_true")
    ap.add_argument("--diagnose", action="store_true",
                    help="say why each missed 10- and 20-line snippet is "
                    "missed (needs `cargo build --release --example "
                    "code_explain`)")
    ap.add_argument("--keep", metavar="DIR",
                    help="work in DIR (must not exist) and keep the index "
                    "and the snippets there")
    ap.add_argument("--bin", default=str(BIN),
                    help="the leakguard binary (default: this checkout's "
                    "target/release/leakguard)")
    ap.add_argument("--records-columns",
                    default="customer_id,full_name,email,phone")
    args = ap.parse_args()
    BIN = Path(args.bin).resolve()
    if not BIN.exists():
        sys.exit(f"{BIN} missing: run `cargo build --release` first")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        if args.keep:
            work = Path(args.keep)
            work.mkdir(parents=True)
        if not args.skip_code:
            code_eval(args, work, args.registry)
        if not args.skip_records:
            records_eval(args, work)


if __name__ == "__main__":
    main()
