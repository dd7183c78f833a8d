#!/usr/bin/env bash
# Hostile inputs at full size through the release binary: each must end
# with a clear exit code, in bounded time, under 128 MiB of peak RSS.
# Prints one table row per case (input, command, exit, seconds, peak RSS).
#
#   bench/adversarial.sh                 # builds target/release/leakguard
#   LEAKGUARD=path/to/leakguard bench/adversarial.sh
#   SIZE_MIB=256 bench/adversarial.sh    # a smaller "huge line" (default 1024)
#
# Needs GNU time (/usr/bin/time, Debian package `time`) and python3.
# tests/adversarial.rs runs the same kinds at test size in `cargo test`.
set -euo pipefail
cd "$(dirname "$0")/.."

SIZE_MIB=${SIZE_MIB:-1024}
LIMIT_KIB=$((128 << 10))
if [ -z "${LEAKGUARD:-}" ]; then
    cargo build --release --quiet
    LEAKGUARD=target/release/leakguard
fi
LG=$(realpath "$LEAKGUARD")
REPO=$(pwd)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export LEAKGUARD_KEY_FILE=$WORK/key
cd "$WORK"

# A fake AWS key id: AKIA and 16 base-32 characters, made per run.
KEY=$(python3 -c 'import random,string; r=random.SystemRandom(); print("AKIA"+"".join(r.choice(string.ascii_uppercase+"234567") for _ in range(16)))')

python3 - "$SIZE_MIB" "$KEY" <<'EOF'
import random, sys
size, key = int(sys.argv[1]) << 20, sys.argv[2].encode()
r = random.Random(7)
words = bytearray()
while len(words) < 1 << 20:
    words += bytes(r.choice(b"abcdefghijklmnopqrstuvwxyz") for _ in range(r.randint(2, 10))) + b" "
words = bytes(words[: 1 << 20])
with open("line.txt", "wb") as f:        # one line, two keys, no newline
    written = 0
    for i in range(size >> 20):
        f.write(words)
        if i in (1, (size >> 20) - 2):
            f.write(b" " + key + b" ")
with open("aaaa.txt", "wb") as f:        # a keyword hit at every byte
    f.write(b"a" * (256 << 20))
with open("deep.json", "wb") as f:       # 1,000,000-deep nesting
    f.write(b"[" * 1_000_000 + b'"' + key + b'"' + b"]" * 1_000_000)
with open("open.json", "wb") as f:       # and unclosed
    f.write(b"[" * 1_000_000 + b'"' + key)
with open("trunc.json", "wb") as f:      # a truncated escape
    f.write(b'{"messages":[{"content":"' + key + b' \\u00')
with open("bytes.bin", "wb") as f:       # invalid UTF-8 and NUL bytes
    for i in range(64):
        f.write(bytes(r.getrandbits(8) for _ in range(1 << 16)))
        f.write(b"\x00\xff " + key + b" \xc3\x28\n")
with open("utf16.txt", "wb") as f:       # UTF-16LE with a BOM
    f.write(("aws_access_key_id = " + key.decode() + "\n").encode("utf-16"))
with open("dense.txt", "wb") as f:       # 10 MB of keywords
    unit = b"password=key token secret api_key "
    f.write(unit * (10_000_000 // len(unit)))
with open("big.json", "wb") as f:       # 15 MiB JSON string of keywords
    unit = b"password=key token secret api_key "
    f.write(b'{"messages":[{"role":"user","content":"' + unit * ((15 << 20) // len(unit)) + b'"}]}')
with open("bt.txt", "wb") as f:          # for the backtracking rules
    f.write(b"a" * (4 << 20) + b"!" + b"x" * (4 << 20))
with open("bad.toml", "w") as f:         # three bad rules
    f.write('''
[[rule]]
id = "bad-regex"
name = "x"
category = "secret"
severity = "high"
keywords = ["abc"]
pattern = \'\'\'abc((\'\'\'
examples = ["abc"]
negatives = ["xyz"]

[[rule]]
id = "bad-category"
name = "y"
category = "nonsense"
severity = "high"
keywords = ["def"]
pattern = \'\'\'def[0-9]+\'\'\'
examples = ["def12"]
negatives = ["def"]

[[rule]]
id = "empty-match"
name = "z"
category = "secret"
severity = "high"
keywords = ["ghi"]
pattern = \'\'\'(?:ghi)?\'\'\'
examples = ["ghi"]
negatives = ["xyz"]
''')
EOF
cp "$REPO/tests/data/backtracking-rules.toml" bt.toml

fail=0
printf '| input | command | exit | result | s | peak RSS MiB |\n|---|---|---:|---|---:|---:|\n'
# case NAME STDIN|- CHECK COMMAND...: CHECK is a shell test on $out/$err.
case_() {
    local name=$1 stdin=$2 check=$3
    shift 3
    local in=/dev/null
    [ "$stdin" != - ] && in=$stdin
    set +e
    /usr/bin/time -f '%e %M' -o time.txt "$LG" "$@" <"$in" >out.bin 2>err.txt
    local code=$?
    set -e
    read -r secs kib < <(tail -1 time.txt)
    local result=ok
    if ! (out=out.bin err=err.txt code=$code KEY=$KEY; eval "$check"); then
        result="UNEXPECTED"
        fail=1
    fi
    if [ "$kib" -gt "$LIMIT_KIB" ]; then
        result="$result, OVER 128 MiB"
        fail=1
    fi
    if grep -q panicked err.txt; then
        result="$result, PANIC"
        fail=1
    fi
    printf '| %s | `leakguard %s` | %s | %s | %s | %.1f |\n' \
        "$name" "$*" "$code" "$result" "$secs" "$(echo "$kib / 1024" | bc -l)"
}
no_key='! grep -q "$KEY" $out'
redacted='grep -q "REDACTED:aws-access-key-id" $out'

case_ "${SIZE_MIB} MiB single line" line.txt "[ \$code = 0 ] && $no_key && $redacted" filter
case_ "${SIZE_MIB} MiB single line" - "[ \$code = 1 ] && [ \$(grep -c aws-access-key-id \$out) = 2 ]" scan --format jsonl line.txt
case_ "256 MiB of 'a'" aaaa.txt '[ $code = 0 ]' filter
case_ "256 MiB of 'a'" - '[ $code = 0 ]' scan aaaa.txt
case_ "1,000,000-deep JSON" deep.json "[ \$code = 0 ] && $no_key && $redacted" filter --format json
case_ "1,000,000-deep JSON, unclosed" open.json "[ \$code = 0 ] && $no_key" filter --format json
case_ "truncated \\\\u escape" trunc.json "[ \$code = 0 ] && $no_key" filter --format json
case_ "4 MiB random bytes + NUL" bytes.bin "[ \$code = 0 ] && $no_key" filter
case_ "4 MiB random bytes + NUL" - '[ $code = 0 ] && grep -q "skipped 1 binary" $err' scan bytes.bin
case_ "UTF-16LE text (not decoded)" utf16.txt '[ $code = 0 ] && cmp -s $out utf16.txt' filter
case_ "UTF-16LE text (not decoded)" - '[ $code = 0 ] && grep -q "skipped 1 binary" $err' scan utf16.txt
case_ "10 MB of keywords" dense.txt '[ $code = 0 ]' filter
case_ "10 MB of keywords" - '[ $code = 0 ] || [ $code = 1 ]' scan dense.txt
case_ "15 MiB JSON string of keywords" big.json '[ $code = 0 ] && python3 -c "import json,sys; json.load(open(sys.argv[1]))" $out' filter --format json
case_ "backtracking rules, 8 MiB" bt.txt '[ $code = 0 ]' --no-builtin --rules bt.toml filter --report /dev/null
case_ "backtracking rules, 8 MiB" - '[ $code = 2 ] && grep -q "more findings not reported" $err' --no-builtin --rules bt.toml scan bt.txt
case_ "3 bad rules" - '[ $code = 2 ] && grep -q bad-regex $err && grep -q bad-category $err && grep -q empty-match $err' --rules bad.toml filter
exit $fail
