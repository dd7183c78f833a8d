#!/usr/bin/env python3
"""Held-out recall and false-alarm benchmark for the built-in rule catalog.

Generates fake values in the real formats (prefix, length, alphabet and the
checksum where the issuer defines one: GitHub's CRC32 tail, Luhn, GB 11643,
GB 32100, ISO 7064 mod 97, HKID and Taiwan ID check characters), plants each
one in many realistic contexts (English and Chinese chat prose, .env, YAML,
JSON, Python, JS, Go, Java properties, shell, curl, Dockerfile, Kubernetes,
an LLM chat body with the value JSON-escaped), plus near-miss negatives
(placeholders, wrong check digits, truncated values, UUIDs, hashes, ordinary
identifiers, documentation examples), and scans them with the release
binary:

    cargo build --release
    python3 bench/recall.py                      # summary per family
    python3 bench/recall.py --misses             # every miss and false alarm
    python3 bench/recall.py --seed 7 --keep /tmp/cases

A positive case is found when a finding's secret span overlaps the planted
value; a negative case is a false alarm when it yields any finding. Cases are
written to a temporary directory (never to the repository) and deleted
unless --keep is given. Nothing here is a live credential: every value is
random, only its shape is real. Python 3.11+, standard library only.
"""

import argparse
import base64
import collections
import json
import os
import random
import shutil
import string
import subprocess
import sys
import tempfile
import zlib

R = random.Random(1)

UP = string.ascii_uppercase
LO = string.ascii_lowercase
DIG = string.digits
AN = UP + LO + DIG
ANU = UP + DIG
ANL = LO + DIG
HEX = "0123456789abcdef"
HEXU = "0123456789ABCDEF"
B32 = UP + "234567"
B64 = AN + "+/"
B64U = AN + "-_"


def rs(alphabet, n):
    return "".join(R.choice(alphabet) for _ in range(n))


def b64(raw):
    return base64.b64encode(raw).decode()


def b64url(raw):
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def uuid4():
    h = rs(HEX, 32)
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{R.choice('89ab')}{h[17:20]}-{h[20:]}"


def base62(n, width):
    a = DIG + UP + LO
    out = []
    for _ in range(width):
        out.append(a[n % 62])
        n //= 62
    return "".join(reversed(out))


def github(prefix):
    body = rs(AN, 30)
    return prefix + body + base62(zlib.crc32(body.encode()), 6)


# --- check digits -----------------------------------------------------------

def luhn_digit(partial):
    total = 0
    for i, ch in enumerate(reversed(partial)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def card(prefix, length):
    body = prefix + rs(DIG, length - len(prefix) - 1)
    return body + luhn_digit(body)


def china_id(valid=True):
    region = R.choice(["110105", "310104", "440305", "330106", "510107",
                       "420106", "320102", "370202"])
    y = R.randint(1950, 2005)
    m = R.randint(1, 12)
    d = R.randint(1, 28)
    body = f"{region}{y}{m:02d}{d:02d}{R.randint(0, 999):03d}"
    w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    s = sum(int(c) * k for c, k in zip(body, w))
    check = "10X98765432"[s % 11]
    if not valid:
        check = "10X98765432"[(s + 3) % 11]
    return body + check


def china_id15():
    region = R.choice(["110105", "310104", "440305", "330106"])
    return (f"{region}{R.randint(50, 99)}{R.randint(1, 12):02d}"
            f"{R.randint(1, 28):02d}{R.randint(0, 999):03d}")


USCC_ALPHA = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def uscc(valid=True):
    body = "91" + R.choice(["110108", "310115", "440300", "330100"])
    body += rs(DIG + "ABCDEFGHJKLMNPQRTUWXY", 9)
    w = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
    s = sum(USCC_ALPHA.index(c) * k for c, k in zip(body, w))
    c = (31 - s % 31) % 31
    if not valid:
        c = (c + 5) % 31
    return body + USCC_ALPHA[c]


def iban(country, bban_len, valid=True):
    bban = rs(DIG, bban_len)
    if country == "GB":
        bban = rs(UP, 4) + rs(DIG, 14)
    num = "".join(str(int(ch, 36)) for ch in bban + country + "00")
    check = 98 - int(num) % 97
    if not valid:
        check = (check + 7) % 97 or 11
    return f"{country}{check:02d}{bban}"


def spaced4(s):
    return " ".join(s[i:i + 4] for i in range(0, len(s), 4))


def hk_id(valid=True):
    letter = R.choice(UP)
    digits = rs(DIG, 6)
    s = 36 * 9 + (ord(letter) - 55) * 8
    s += sum(int(d) * w for d, w in zip(digits, range(7, 1, -1)))
    c = (11 - s % 11) % 11
    ch = "A" if c == 10 else str(c)
    if not valid:
        ch = str((c + 1) % 10)
    return f"{letter}{digits}({ch})"


TW_CODES = dict(zip("ABCDEFGHJKLMNPQRSTUVXYWZIO", range(10, 36)))


def tw_id(valid=True):
    letter = R.choice("ABCDEFGHJKLMNPQRSTUVXYWZIO")
    body = R.choice("12") + rs(DIG, 7)
    n = TW_CODES[letter]
    s = n // 10 + (n % 10) * 9
    s += sum(int(d) * w for d, w in zip(body, range(8, 0, -1)))
    c = (10 - s % 10) % 10
    if not valid:
        c = (c + 3) % 10
    return f"{letter}{body}{c}"


def ssn():
    area = R.choice([i for i in range(1, 900) if i != 666])
    return f"{area:03d}-{R.randint(1, 99):02d}-{R.randint(1, 9999):04d}"


def cn_mobile():
    return R.choice(["138", "139", "150", "186", "177", "199", "135",
                     "158", "187", "191"]) + rs(DIG, 8)


# --- PEM and friends --------------------------------------------------------

def pem(label, nbytes=600, headers=""):
    body = b64(R.randbytes(nbytes))
    lines = [body[i:i + 64] for i in range(0, len(body), 64)]
    text = f"-----BEGIN {label}-----\n{headers}" + "\n".join(lines)
    text += f"\n-----END {label}-----\n"
    return text, lines[1][:32]


def openssh_key():
    raw = b"openssh-key-v1\x00" + R.randbytes(380)
    body = b64(raw)
    lines = [body[i:i + 70] for i in range(0, len(body), 70)]
    text = "-----BEGIN OPENSSH PRIVATE KEY-----\n" + "\n".join(lines)
    return text + "\n-----END OPENSSH PRIVATE KEY-----\n", lines[1][:32]


def pgp_key():
    body = b64(R.randbytes(900))
    lines = [body[i:i + 64] for i in range(0, len(body), 64)]
    text = ("-----BEGIN PGP PRIVATE KEY BLOCK-----\nComment: backup\n\n"
            + "\n".join(lines) + "\n=" + rs(B64, 4)
            + "\n-----END PGP PRIVATE KEY BLOCK-----\n")
    return text, lines[1][:32]


def putty_key():
    pub = b64(R.randbytes(270))
    priv = b64(R.randbytes(650))
    pl = [pub[i:i + 64] for i in range(0, len(pub), 64)]
    vl = [priv[i:i + 64] for i in range(0, len(priv), 64)]
    text = ("PuTTY-User-Key-File-3: ssh-rsa\nEncryption: none\n"
            "Comment: rsa-key-20240101\n"
            f"Public-Lines: {len(pl)}\n" + "\n".join(pl) + "\n"
            f"Private-Lines: {len(vl)}\n" + "\n".join(vl) + "\n"
            f"Private-MAC: {rs(HEX, 64)}\n")
    return text, vl[1][:32]


BECH = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def bech32_polymod(values):
    gen = [0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3]
    chk = 1
    for v in values:
        top = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ v
        for i in range(5):
            chk ^= gen[i] if ((top >> i) & 1) else 0
    return chk


def age_key():
    hrp = "age-secret-key-"
    data = [R.randrange(32) for _ in range(52)]
    exp = [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]
    pm = bech32_polymod(exp + data + [0] * 6) ^ 1
    chk = [(pm >> 5 * (5 - i)) & 31 for i in range(6)]
    return ("AGE-SECRET-KEY-1" + "".join(BECH[d] for d in data + chk)).upper()


def jwt():
    header = b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    payload = b64url(json.dumps({
        "sub": str(R.randint(10**6, 10**9)), "name": "Zhang Wei",
        "iat": 1700000000 + R.randint(0, 10**7)}).encode())
    return f"{header}.{payload}.{b64url(R.randbytes(32))}"


def password():
    return (rs(UP, 1) + rs(LO, 5) + rs(DIG, 3) + R.choice("!@#%^&*")
            + rs(AN, 4))


# --- token kinds ------------------------------------------------------------
# (family, kind, generator, ENV name, provider name, Chinese name,
#  distinctive: the value alone identifies it)

def T(family, kind, gen, env, prov, zh=None, distinctive=True, ph=None):
    return dict(family=family, kind=kind, gen=gen, env=env, prov=prov,
                zh=zh or prov, distinctive=distinctive, prefix=ph)


def openai_new(prefix):
    return lambda: prefix + rs(B64U, 74) + "T3BlbkFJ" + rs(B64U, 74)


TOKENS = [
    # AI providers
    T("ai", "openai-project", openai_new("sk-proj-"), "OPENAI_API_KEY",
      "OpenAI", ph="sk-proj-"),
    T("ai", "openai-svcacct", openai_new("sk-svcacct-"), "OPENAI_API_KEY",
      "OpenAI", ph="sk-svcacct-"),
    T("ai", "openai-admin", openai_new("sk-admin-"), "OPENAI_ADMIN_KEY",
      "OpenAI", ph="sk-admin-"),
    T("ai", "openai-legacy", lambda: "sk-" + rs(AN, 20) + "T3BlbkFJ"
      + rs(AN, 20), "OPENAI_API_KEY", "OpenAI", ph="sk-"),
    T("ai", "anthropic", lambda: "sk-ant-api03-" + rs(B64U, 93) + "AA",
      "ANTHROPIC_API_KEY", "Anthropic", ph="sk-ant-api03-"),
    T("ai", "anthropic-admin", lambda: "sk-ant-admin01-" + rs(B64U, 93)
      + "AA", "ANTHROPIC_ADMIN_KEY", "Anthropic", ph="sk-ant-admin01-"),
    T("ai", "gemini", lambda: "AIza" + rs(B64U, 35), "GEMINI_API_KEY",
      "Gemini", "谷歌 Gemini", ph="AIza"),
    T("ai", "huggingface", lambda: "hf_" + rs(UP + LO, 34), "HF_TOKEN",
      "Hugging Face", ph="hf_"),
    T("ai", "groq", lambda: "gsk_" + rs(AN, 52), "GROQ_API_KEY", "Groq",
      ph="gsk_"),
    T("ai", "mistral", lambda: rs(AN, 32), "MISTRAL_API_KEY", "Mistral",
      distinctive=False),
    T("ai", "cohere", lambda: rs(AN, 40), "COHERE_API_KEY", "Cohere",
      distinctive=False),
    T("ai", "replicate", lambda: "r8_" + rs(AN, 37), "REPLICATE_API_TOKEN",
      "Replicate", ph="r8_"),
    T("ai", "perplexity", lambda: "pplx-" + rs(AN, 48),
      "PERPLEXITY_API_KEY", "Perplexity", ph="pplx-"),
    T("ai", "xai", lambda: "xai-" + rs(AN, 80), "XAI_API_KEY", "xAI Grok",
      ph="xai-"),
    T("ai-cn", "deepseek", lambda: "sk-" + rs(HEX, 32), "DEEPSEEK_API_KEY",
      "DeepSeek", "DeepSeek（深度求索）", ph="sk-"),
    T("ai-cn", "moonshot", lambda: "sk-" + rs(AN, 48), "MOONSHOT_API_KEY",
      "Moonshot Kimi", "月之暗面 Kimi", distinctive=False),
    T("ai-cn", "zhipu", lambda: rs(HEX, 32) + "." + rs(AN, 16),
      "ZHIPUAI_API_KEY", "Zhipu GLM", "智谱清言"),
    T("ai-cn", "dashscope", lambda: "sk-" + rs(HEX, 32), "DASHSCOPE_API_KEY",
      "DashScope Qwen", "通义千问百炼", ph="sk-"),
    T("ai-cn", "qianfan-bearer", lambda: "bce-v3/ALTAK-" + rs(AN, 21) + "/"
      + rs(HEX, 40), "QIANFAN_API_KEY", "Baidu Qianfan", "百度千帆",
      ph="bce-v3/ALTAK-"),
    T("ai-cn", "qianfan-ak", lambda: rs(AN, 24), "QIANFAN_AK",
      "Qianfan", "千帆", distinctive=False),
    T("ai-cn", "qianfan-sk", lambda: rs(AN, 32), "QIANFAN_SK",
      "Qianfan", "千帆", distinctive=False),
    T("ai-cn", "volcengine-ark", uuid4, "ARK_API_KEY",
      "Volcengine Ark", "火山方舟", distinctive=False),
    # clouds
    T("cloud", "aws-key-id", lambda: "AKIA" + rs(B32, 16),
      "AWS_ACCESS_KEY_ID", "AWS", "亚马逊云", ph="AKIA"),
    T("cloud", "aws-secret", lambda: rs(AN + "+/", 40),
      "AWS_SECRET_ACCESS_KEY", "AWS", "AWS", distinctive=False),
    T("cloud", "aws-session", lambda: "IQoJb3JpZ2luX2Vj" + rs(B64, 340),
      "AWS_SESSION_TOKEN", "AWS", "AWS"),
    T("cloud", "gcp-oauth-secret", lambda: "GOCSPX-" + rs(B64U, 28),
      "GOOGLE_CLIENT_SECRET", "Google OAuth", ph="GOCSPX-"),
    T("cloud", "azure-storage-key", lambda: b64(R.randbytes(64)),
      "AZURE_STORAGE_KEY", "Azure Storage", "Azure 存储",
      distinctive=False),
    T("cloud", "azure-ad-secret", lambda: rs(AN, 3) + R.choice(DIG) + "Q~"
      + rs(AN + "_~.-", 34), "AZURE_CLIENT_SECRET", "Azure AD"),
    T("cloud", "alibaba-ak", lambda: "LTAI5t" + rs(AN, 18),
      "ALIBABA_CLOUD_ACCESS_KEY_ID", "Aliyun", "阿里云", ph="LTAI"),
    T("cloud", "alibaba-sk", lambda: rs(AN, 30),
      "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "Aliyun", "阿里云",
      distinctive=False),
    T("cloud", "tencent-id", lambda: "AKID" + rs(AN, 32),
      "TENCENTCLOUD_SECRET_ID", "Tencent Cloud", "腾讯云", ph="AKID"),
    T("cloud", "tencent-key", lambda: rs(AN, 32), "TENCENTCLOUD_SECRET_KEY",
      "Tencent Cloud", "腾讯云", distinctive=False),
    T("cloud", "huawei-ak", lambda: rs(ANU, 20), "HUAWEICLOUD_SDK_AK",
      "Huawei Cloud", "华为云", distinctive=False),
    T("cloud", "huawei-sk", lambda: rs(AN, 40), "HUAWEICLOUD_SDK_SK",
      "Huawei Cloud", "华为云", distinctive=False),
    T("cloud", "baidu-bce-ak", lambda: rs(HEX, 32), "BCE_ACCESS_KEY_ID",
      "Baidu BCE", "百度智能云", distinctive=False),
    T("cloud", "baidu-bce-sk", lambda: rs(HEX, 32), "BCE_SECRET_ACCESS_KEY",
      "Baidu BCE", "百度智能云", distinctive=False),
    T("cloud", "volcengine-ak", lambda: "AKLT" + b64(rs(HEX, 32).encode())
      .rstrip("="), "VOLCENGINE_ACCESS_KEY", "Volcengine", "火山引擎",
      ph="AKLT"),
    T("cloud", "volcengine-sk", lambda: b64(rs(HEX, 32).encode() + b"\n"
      + rs(HEX, 10).encode()), "VOLCENGINE_SECRET_KEY", "Volcengine",
      "火山引擎", distinctive=False),
    T("cloud", "qiniu-ak", lambda: rs(B64U, 40), "QINIU_ACCESS_KEY",
      "Qiniu", "七牛云", distinctive=False),
    T("cloud", "qiniu-sk", lambda: rs(B64U, 40), "QINIU_SECRET_KEY",
      "Qiniu", "七牛云", distinctive=False),
    T("cloud", "ucloud-private", lambda: rs(AN, 40), "UCLOUD_PRIVATE_KEY",
      "UCloud", "优刻得 UCloud", distinctive=False),
    T("cloud", "jdcloud-ak", lambda: "JDC_" + rs(HEXU, 28),
      "JDCLOUD_ACCESS_KEY", "JD Cloud", "京东云", ph="JDC_"),
    T("cloud", "jdcloud-sk", lambda: rs(HEXU, 32), "JDCLOUD_SECRET_KEY",
      "JD Cloud", "京东云", distinctive=False),
    T("cloud", "kingsoft-ak", lambda: "AKLT" + rs(AN, 20),
      "KSYUN_ACCESS_KEY", "Kingsoft Cloud", "金山云", ph="AKLT"),
    T("cloud", "kingsoft-sk", lambda: rs(AN, 40), "KSYUN_SECRET_KEY",
      "Kingsoft Cloud", "金山云", distinctive=False),
    T("cloud", "digitalocean", lambda: "dop_v1_" + rs(HEX, 64),
      "DIGITALOCEAN_TOKEN", "DigitalOcean", ph="dop_v1_"),
    T("cloud", "cloudflare-token", lambda: rs(B64U, 40),
      "CLOUDFLARE_API_TOKEN", "Cloudflare", distinctive=False),
    T("cloud", "cloudflare-global", lambda: rs(HEX, 37),
      "CLOUDFLARE_API_KEY", "Cloudflare", distinctive=False),
    T("cloud", "heroku", lambda: "HRKU-AA" + rs(B64U, 58), "HEROKU_API_KEY",
      "Heroku", ph="HRKU-"),
    T("cloud", "heroku-legacy", uuid4, "HEROKU_API_KEY", "Heroku",
      distinctive=False),
    T("cloud", "vercel", lambda: "vcp_" + rs(AN, 56), "VERCEL_TOKEN",
      "Vercel", ph="vcp_"),
    T("cloud", "vercel-legacy", lambda: rs(AN, 24), "VERCEL_TOKEN",
      "Vercel", distinctive=False),
    T("cloud", "netlify", lambda: "nfp_" + rs(AN, 36), "NETLIFY_AUTH_TOKEN",
      "Netlify", ph="nfp_"),
    T("cloud", "fly", lambda: "FlyV1 fm2_" + rs(B64, 400), "FLY_API_TOKEN",
      "Fly.io", ph="fm2_"),
    T("cloud", "supabase-pat", lambda: "sbp_" + rs(HEX, 40),
      "SUPABASE_ACCESS_TOKEN", "Supabase", ph="sbp_"),
    T("cloud", "supabase-secret", lambda: "sb_secret_" + rs(B64U, 31),
      "SUPABASE_SECRET_KEY", "Supabase", ph="sb_secret_"),
    T("cloud", "firebase-fcm", lambda: "AAAA" + rs(B64U, 7) + ":APA91b"
      + rs(B64U, 134), "FCM_SERVER_KEY", "Firebase", ph="AAAA"),
    # code hosting and CI
    T("vcs", "github-pat", lambda: github("ghp_"), "GITHUB_TOKEN", "GitHub",
      ph="ghp_"),
    T("vcs", "github-oauth", lambda: github("gho_"), "GH_OAUTH_TOKEN",
      "GitHub", ph="gho_"),
    T("vcs", "github-u2s", lambda: github("ghu_"), "GH_USER_TOKEN",
      "GitHub", ph="ghu_"),
    T("vcs", "github-s2s", lambda: github("ghs_"), "GH_APP_TOKEN",
      "GitHub", ph="ghs_"),
    T("vcs", "github-fine", lambda: "github_pat_" + rs(AN, 22) + "_"
      + rs(AN, 59), "GITHUB_PAT", "GitHub", ph="github_pat_"),
    T("vcs", "gitlab-pat", lambda: "glpat-" + rs(B64U, 20), "GITLAB_TOKEN",
      "GitLab", ph="glpat-"),
    T("vcs", "gitlab-pat-routable", lambda: "glpat-" + rs(B64U, 27) + ".01."
      + rs(ANL, 9), "GITLAB_TOKEN", "GitLab", ph="glpat-"),
    T("vcs", "gitlab-deploy", lambda: "gldt-" + rs(B64U, 20),
      "GITLAB_DEPLOY_TOKEN", "GitLab", ph="gldt-"),
    T("vcs", "gitlab-runner", lambda: "glrt-" + rs(B64U, 20),
      "RUNNER_TOKEN", "GitLab", ph="glrt-"),
    T("vcs", "gitlab-trigger", lambda: "glptt-" + rs(HEX, 40),
      "CI_TRIGGER_TOKEN", "GitLab", ph="glptt-"),
    T("vcs", "gitee", lambda: rs(HEX, 32), "GITEE_TOKEN", "Gitee", "码云 Gitee",
      distinctive=False),
    T("vcs", "bitbucket-app", lambda: "ATBB" + rs(AN, 24) + rs(HEXU, 8),
      "BITBUCKET_APP_PASSWORD", "Bitbucket", ph="ATBB"),
    T("vcs", "azure-devops", lambda: rs("abcdefghijklmnopqrstuvwxyz234567",
      52), "AZURE_DEVOPS_PAT", "Azure DevOps", distinctive=False),
    T("vcs", "azure-devops-new", lambda: rs(AN, 76) + "AZDO" + rs(AN, 4),
      "AZURE_DEVOPS_PAT", "Azure DevOps"),
    T("ci", "circleci", lambda: "CCIPAT_" + rs(AN, 22) + "_" + rs(HEX, 40),
      "CIRCLECI_TOKEN", "CircleCI", ph="CCIPAT_"),
    T("ci", "circleci-legacy", lambda: rs(HEX, 40), "CIRCLECI_TOKEN",
      "CircleCI", distinctive=False),
    T("ci", "travis", lambda: rs(B64U, 22), "TRAVIS_API_TOKEN", "Travis CI",
      distinctive=False),
    T("ci", "buildkite", lambda: "bkua_" + rs(HEX, 40), "BUILDKITE_TOKEN",
      "Buildkite", ph="bkua_"),
    T("registry", "npm", lambda: "npm_" + rs(AN, 36), "NPM_TOKEN", "npm",
      ph="npm_"),
    T("registry", "pypi", lambda: "pypi-AgEIcHlwaS5vcmc" + rs(B64U, 160),
      "PYPI_TOKEN", "PyPI", ph="pypi-"),
    T("registry", "crates", lambda: "cio" + rs(AN, 32),
      "CARGO_REGISTRY_TOKEN", "crates.io", ph="cio"),
    T("registry", "rubygems", lambda: "rubygems_" + rs(HEX, 48),
      "GEM_HOST_API_KEY", "RubyGems", ph="rubygems_"),
    T("registry", "nuget", lambda: "oy2" + rs(ANL, 43), "NUGET_API_KEY",
      "NuGet", ph="oy2"),
    T("registry", "dockerhub", lambda: "dckr_pat_" + rs(B64U, 27),
      "DOCKERHUB_TOKEN", "Docker Hub", ph="dckr_pat_"),
    T("registry", "jfrog", lambda: "AKCp" + rs(AN, 69), "ARTIFACTORY_API_KEY",
      "JFrog Artifactory", ph="AKCp"),
    T("registry", "jfrog-ref", lambda: "cmVmdGtu" + rs(AN, 56),
      "JFROG_ACCESS_TOKEN", "JFrog", ph="cmVmdGtu"),
    T("registry", "sonatype-nexus", password, "NEXUS_PASSWORD",
      "Sonatype Nexus", distinctive=False),
    T("infra", "terraform", lambda: rs(AN, 14) + ".atlasv1." + rs(AN, 67),
      "TFE_TOKEN", "Terraform Cloud"),
    T("infra", "vault", lambda: "hvs." + rs(B64U, 90), "VAULT_TOKEN",
      "HashiCorp Vault", ph="hvs."),
    # chat and webhooks
    T("chat", "slack-bot", lambda: f"xoxb-{rs(DIG, 12)}-{rs(DIG, 13)}-"
      + rs(AN, 24), "SLACK_BOT_TOKEN", "Slack", ph="xoxb-"),
    T("chat", "slack-user", lambda: f"xoxp-{rs(DIG, 12)}-{rs(DIG, 12)}-"
      f"{rs(DIG, 13)}-{rs(HEX, 32)}", "SLACK_USER_TOKEN", "Slack",
      ph="xoxp-"),
    T("chat", "slack-webhook", lambda: "https://hooks.slack.com/services/T"
      + rs(ANU, 10) + "/B" + rs(ANU, 10) + "/" + rs(AN, 24),
      "SLACK_WEBHOOK_URL", "Slack"),
    T("chat", "discord-bot", lambda: R.choice("MNO") + rs(AN, 23) + "."
      + rs(B64U, 6) + "." + rs(B64U, 38), "DISCORD_BOT_TOKEN", "Discord"),
    T("chat", "discord-webhook", lambda: "https://discord.com/api/webhooks/"
      + rs(DIG, 19) + "/" + rs(B64U, 68), "DISCORD_WEBHOOK", "Discord"),
    T("chat", "telegram", lambda: rs(DIG, 10) + ":AA" + rs(B64U, 33),
      "TELEGRAM_BOT_TOKEN", "Telegram"),
    T("chat", "teams-webhook", lambda: "https://contoso.webhook.office.com/"
      f"webhookb2/{uuid4()}@{uuid4()}/IncomingWebhook/{rs(HEX, 32)}/"
      f"{uuid4()}", "TEAMS_WEBHOOK_URL", "Microsoft Teams"),
    T("chat-cn", "dingtalk-webhook", lambda: "https://oapi.dingtalk.com/"
      "robot/send?access_token=" + rs(HEX, 64), "DINGTALK_WEBHOOK",
      "DingTalk", "钉钉"),
    T("chat-cn", "dingtalk-sec", lambda: "SEC" + rs(HEX, 64),
      "DINGTALK_SECRET", "DingTalk", "钉钉", ph="SEC"),
    T("chat-cn", "dingtalk-app-secret", lambda: rs(B64U, 64),
      "DINGTALK_APP_SECRET", "DingTalk", "钉钉", distinctive=False),
    T("chat-cn", "feishu-webhook", lambda: "https://open.feishu.cn/"
      "open-apis/bot/v2/hook/" + uuid4(), "FEISHU_WEBHOOK", "Feishu",
      "飞书"),
    T("chat-cn", "lark-webhook", lambda: "https://open.larksuite.com/"
      "open-apis/bot/v2/hook/" + uuid4(), "LARK_WEBHOOK", "Lark", "飞书"),
    T("chat-cn", "feishu-app-secret", lambda: rs(AN, 32),
      "FEISHU_APP_SECRET", "Feishu", "飞书", distinctive=False),
    T("chat-cn", "wecom-webhook", lambda: "https://qyapi.weixin.qq.com/"
      "cgi-bin/webhook/send?key=" + uuid4(), "WECOM_WEBHOOK", "WeCom",
      "企业微信"),
    T("chat-cn", "wecom-corpsecret", lambda: rs(B64U, 43),
      "WECOM_CORP_SECRET", "WeCom", "企业微信", distinctive=False),
    T("chat-cn", "wechat-appsecret", lambda: rs(HEX, 32),
      "WECHAT_APP_SECRET", "WeChat", "微信公众号", distinctive=False),
    T("pay-cn", "wechat-pay-key", lambda: rs(AN, 32), "WECHAT_PAY_API_KEY",
      "WeChat Pay", "微信支付", distinctive=False),
    T("pay-cn", "wechat-pay-v3", lambda: rs(AN, 32), "WECHATPAY_API_V3_KEY",
      "WeChat Pay", "微信支付", distinctive=False),
    # payments and SaaS
    T("saas", "stripe-live", lambda: "sk_live_" + rs(AN, 99),
      "STRIPE_SECRET_KEY", "Stripe", ph="sk_live_"),
    T("saas", "stripe-restricted", lambda: "rk_live_" + rs(AN, 24),
      "STRIPE_RESTRICTED_KEY", "Stripe", ph="rk_live_"),
    T("saas", "stripe-webhook", lambda: "whsec_" + rs(AN, 32),
      "STRIPE_WEBHOOK_SECRET", "Stripe", ph="whsec_"),
    T("saas", "square", lambda: "EAAA" + rs(B64U, 60),
      "SQUARE_ACCESS_TOKEN", "Square", ph="EAAA"),
    T("saas", "square-secret", lambda: "sq0csp-" + rs(B64U, 43),
      "SQUARE_APP_SECRET", "Square", ph="sq0csp-"),
    T("saas", "braintree", lambda: "access_token$production$" + rs(ANL, 16)
      + "$" + rs(HEX, 32), "BRAINTREE_ACCESS_TOKEN", "Braintree"),
    T("saas", "paypal-secret", lambda: "E" + rs(B64U, 79),
      "PAYPAL_CLIENT_SECRET", "PayPal", distinctive=False),
    T("saas", "adyen", lambda: "AQE" + rs(AN, 60) + "-" + rs(B64, 43) + "=",
      "ADYEN_API_KEY", "Adyen", ph="AQE"),
    T("saas", "twilio-key", lambda: "SK" + rs(HEX, 32), "TWILIO_API_KEY",
      "Twilio", distinctive=False),
    T("saas", "twilio-auth", lambda: rs(HEX, 32), "TWILIO_AUTH_TOKEN",
      "Twilio", distinctive=False),
    T("saas", "sendgrid", lambda: "SG." + rs(B64U, 22) + "." + rs(B64U, 43),
      "SENDGRID_API_KEY", "SendGrid", ph="SG."),
    T("saas", "mailgun", lambda: "key-" + rs(HEX, 32), "MAILGUN_API_KEY",
      "Mailgun", ph="key-"),
    T("saas", "mailchimp", lambda: rs(HEX, 32) + "-us" + str(R.randint(1,
      21)), "MAILCHIMP_API_KEY", "Mailchimp"),
    T("saas", "postmark", uuid4, "POSTMARK_SERVER_TOKEN", "Postmark",
      distinctive=False),
    T("saas", "shopify", lambda: "shpat_" + rs(HEX, 32),
      "SHOPIFY_ACCESS_TOKEN", "Shopify", ph="shpat_"),
    T("saas", "atlassian", lambda: "ATATT3xFfGF0" + rs(B64U, 170) + "="
      + rs(HEXU, 8), "JIRA_API_TOKEN", "Atlassian", ph="ATATT3"),
    T("saas", "notion", lambda: "ntn_" + rs(AN, 46), "NOTION_TOKEN",
      "Notion", ph="ntn_"),
    T("saas", "notion-legacy", lambda: "secret_" + rs(AN, 43),
      "NOTION_API_KEY", "Notion", ph="secret_"),
    T("saas", "linear", lambda: "lin_api_" + rs(AN, 40), "LINEAR_API_KEY",
      "Linear", ph="lin_api_"),
    T("saas", "asana", lambda: "2/" + rs(DIG, 16) + "/" + rs(DIG, 16) + ":"
      + rs(HEX, 32), "ASANA_PAT", "Asana"),
    T("saas", "airtable", lambda: "pat" + rs(AN, 14) + "." + rs(HEX, 64),
      "AIRTABLE_API_KEY", "Airtable", ph="pat"),
    T("saas", "datadog-api", lambda: rs(HEX, 32), "DD_API_KEY", "Datadog",
      distinctive=False),
    T("saas", "datadog-app", lambda: rs(HEX, 40), "DD_APP_KEY", "Datadog",
      distinctive=False),
    T("saas", "newrelic", lambda: "NRAK-" + rs(ANU, 27), "NEW_RELIC_API_KEY",
      "New Relic", ph="NRAK-"),
    T("saas", "sentry", lambda: "sntryu_" + rs(HEX, 64), "SENTRY_AUTH_TOKEN",
      "Sentry", ph="sntryu_"),
    T("saas", "pagerduty", lambda: "u+" + rs(B64U, 18), "PAGERDUTY_TOKEN",
      "PagerDuty", distinctive=False),
    T("saas", "grafana", lambda: "glsa_" + rs(AN, 32) + "_" + rs(HEX, 8),
      "GRAFANA_TOKEN", "Grafana", ph="glsa_"),
    T("saas", "okta", lambda: "00" + rs(B64U, 40), "OKTA_API_TOKEN", "Okta",
      distinctive=False),
    T("saas", "auth0", lambda: rs(B64U, 64), "AUTH0_CLIENT_SECRET", "Auth0",
      distinctive=False),
    T("saas", "contentful", lambda: "CFPAT-" + rs(B64U, 43),
      "CONTENTFUL_MANAGEMENT_TOKEN", "Contentful", ph="CFPAT-"),
    T("saas", "algolia", lambda: rs(HEX, 32), "ALGOLIA_ADMIN_API_KEY",
      "Algolia", distinctive=False),
    T("saas", "mapbox", lambda: "sk.eyJ1Ijoi" + rs(B64U, 50) + "." + rs(
      B64U, 22), "MAPBOX_SECRET_TOKEN", "Mapbox", ph="sk.eyJ"),
    T("saas", "segment", lambda: "sgp_" + rs(AN, 64), "SEGMENT_TOKEN",
      "Segment", ph="sgp_"),
    T("saas", "doppler", lambda: "dp.pt." + rs(AN, 43), "DOPPLER_TOKEN",
      "Doppler", ph="dp.pt."),
    T("saas", "1password", lambda: "ops_eyJ" + rs(B64U, 300),
      "OP_SERVICE_ACCOUNT_TOKEN", "1Password", ph="ops_"),
    T("crypto", "jwt", jwt, "AUTH_TOKEN", "JWT", "JWT"),
    T("crypto", "age", age_key, "SOPS_AGE_KEY", "age", "age",
      ph="AGE-SECRET-KEY-1"),
]

# --- contexts ---------------------------------------------------------------


def names(tok):
    env = tok["env"]
    low = env.lower()
    parts = low.split("_")
    camel = parts[0] + "".join(p.title() for p in parts[1:])
    dot = ".".join(parts[:-1]) + "-" + parts[-1] if len(parts) > 1 else low
    prov_l = tok["prov"].split()[0].lower().replace(".", "")
    return dict(ENV=env, env=low, camel=camel, dot=dot, prov=tok["prov"],
                prov_l=prov_l, zh=tok["zh"])


def chat_body(text):
    return json.dumps({"model": "gpt-4o", "messages": [
        {"role": "system", "content": "You are a helpful assistant."},
        {"role": "user", "content": text}]}, ensure_ascii=False)


CONTEXTS = [
    ("en-prose", False,
     "Hi! My {prov} integration keeps failing with 401. I'm passing {v} as "
     "the key, what am I doing wrong?\n"),
    ("en-key-is", False,
     "My {prov} key is {v} - can you tell me why requests return 401?\n"),
    ("en-bare", True, "can you check if this token is still valid? {v}\n"),
    ("zh-prose", False, "这是我的{zh}密钥：{v}，帮我看看为什么调用失败\n"),
    ("zh-prose2", False,
     "我在配置{zh}的时候填的 {ENV} 是 {v}，但是一直报错，怎么办？\n"),
    ("dotenv", False, "# {prov}\n{ENV}={v}\nDEBUG=false\n"),
    ("yaml", False, "{prov_l}:\n  {env}: \"{v}\"\n  timeout: 30\n"),
    ("json", False, "{{\n  \"{camel}\": \"{v}\",\n  \"region\": \"cn-north-1\"\n}}\n"),
    ("python", False,
     "import os\n\n{env} = \"{v}\"\nclient = Client(api_key={env})\n"),
    ("js", False, "const {camel} = '{v}';\nexport default {{ {camel} }};\n"),
    ("go", False, "package main\n\nconst {camel} = \"{v}\"\n"),
    ("properties", False, "{dot}={v}\nserver.port=8080\n"),
    ("shell", False, "export {ENV}=\"{v}\"\n./deploy.sh\n"),
    ("curl", False,
     "curl -s https://api.{prov_l}.com/v1/items -H \"Authorization: Bearer "
     "{v}\"\n"),
    ("dockerfile", False,
     "FROM python:3.12-slim\nENV {ENV}={v}\nCMD [\"python\", \"app.py\"]\n"),
    ("k8s", False,
     "spec:\n  containers:\n    - name: app\n      env:\n        - name: {ENV}"
     "\n          value: \"{v}\"\n"),
    ("chat-json", False, None),
]


def token_cases():
    for tok in TOKENS:
        n = names(tok)
        for ctx, needs_distinct, tpl in CONTEXTS:
            if needs_distinct and not tok["distinctive"]:
                continue
            v = tok["gen"]()
            if tpl is None:
                text = chat_body(
                    f"My {n['prov']} config:\n{n['ENV']}=\"{v}\"\nwhy does it "
                    "fail?")
                mark = json.dumps(v)[1:-1]
            else:
                text = tpl.format(v=v, **n)
                mark = v
            yield tok["family"], tok["kind"], ctx, text, mark


def doc_cases():
    """Multi-line formats: keys, config files, connection strings."""
    out = []

    def add(family, kind, ctx, text, mark):
        out.append((family, kind, ctx, text, mark))

    pems = [("RSA PRIVATE KEY", 1190), ("EC PRIVATE KEY", 121),
            ("DSA PRIVATE KEY", 440), ("PRIVATE KEY", 1218),
            ("ENCRYPTED PRIVATE KEY", 1298)]
    for label, n in pems:
        kind = "pem-" + label.lower().replace(" ", "-")
        for ctx in ["raw", "prose-en", "prose-zh", "json", "python", "yaml",
                    "env-escaped"]:
            text, mark = pem(label, n)
            add("crypto", kind, ctx, wrap_block(ctx, text, "PRIVATE_KEY"),
                mark)
    for kind, fn in [("openssh", openssh_key), ("pgp", pgp_key),
                     ("putty", putty_key)]:
        for ctx in ["raw", "prose-en", "prose-zh", "json", "python", "yaml"]:
            text, mark = fn()
            add("crypto", kind, ctx, wrap_block(ctx, text, "SSH_KEY"), mark)
    for i in range(4):
        # PKCS#8 DER of an RSA-2048 key, base64 on one line, as Alipay's
        # key tool writes it
        der = bytes.fromhex("308204be020100300d06092a864886f70d010101050004"
                            "8204a8308204a40201000282010100") + R.randbytes(1170)
        body1 = b64(der)
        ctx = ["alipay-props", "alipay-zh", "alipay-env", "alipay-json"][i]
        mark = body1[80:112]
        t = {
            "alipay-props": f"alipay.app-id=2021000123456789\n"
                            f"alipay.private-key={body1}\n",
            "alipay-zh": f"支付宝应用私钥：{body1}\n请帮我检查签名为什么失败",
            "alipay-env": f"ALIPAY_APP_ID=2021000123456789\n"
                          f"ALIPAY_PRIVATE_KEY={body1}\n",
            "alipay-json": json.dumps({"appId": "2021000123456789",
                                       "privateKey": body1}),
        }[ctx]
        add("pay-cn", "alipay-private-key", ctx, t, mark)

    # JWT in headers and cookies
    for ctx in ["header", "cookie", "zh"]:
        v = jwt()
        t = {"header": f"GET /api/me HTTP/1.1\nAuthorization: Bearer {v}\n",
             "cookie": f"Cookie: session={v}; theme=dark\n",
             "zh": f"这个 token 为什么过期了：{v}"}[ctx]
        add("crypto", "jwt", ctx, t, v[:30])

    # Kubernetes Secret manifests
    for ctx in ["yaml-data", "yaml-stringdata", "json"]:
        pw = password()
        enc = b64(pw.encode())
        t = {
            "yaml-data": "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n"
                         f"type: Opaque\ndata:\n  username: YWRtaW4=\n"
                         f"  password: {enc}\n",
            "yaml-stringdata": "apiVersion: v1\nkind: Secret\nmetadata:\n"
                               f"  name: db\nstringData:\n  DB_PASSWORD: "
                               f"\"{pw}\"\n",
            "json": json.dumps({"apiVersion": "v1", "kind": "Secret",
                                "metadata": {"name": "db"},
                                "data": {"password": enc}}, indent=2),
        }[ctx]
        add("config", "k8s-secret", ctx, t,
            pw if ctx == "yaml-stringdata" else enc)

    # docker config.json
    for ctx in ["pretty", "compact"]:
        auth = b64(f"deploy:{password()}".encode())
        d = {"auths": {"registry.example.com": {"auth": auth}}}
        t = json.dumps(d, indent=2 if ctx == "pretty" else None)
        add("config", "docker-config", ctx, t, auth)

    # .netrc
    for ctx in ["multi-line", "one-line"]:
        pw = password()
        t = (f"machine api.example.com\n  login deploy\n  password {pw}\n"
             if ctx == "multi-line" else
             f"machine git.example.com login ci password {pw}\n")
        add("config", "netrc", ctx, t, pw)

    # .npmrc / .pypirc / .yarnrc
    v = "npm_" + rs(AN, 36)
    add("config", "npmrc", "npm-token",
        f"//registry.npmjs.org/:_authToken={v}\n", v)
    v = uuid4()
    add("config", "npmrc", "uuid-token",
        f"registry=https://npm.example.com/\n//npm.example.com/:_authToken="
        f"{v}\nalways-auth=true\n", v)
    v = b64(f"ci:{password()}".encode())
    add("config", "npmrc", "auth", f"_auth={v}\nemail=ci@example.com\n", v)
    v = "pypi-AgEIcHlwaS5vcmc" + rs(B64U, 160)
    add("config", "pypirc", "token",
        f"[distutils]\nindex-servers =\n    pypi\n\n[pypi]\nusername = "
        f"__token__\npassword = {v}\n", v)
    pw = password()
    add("config", "pypirc", "password",
        f"[pypi]\nrepository = https://upload.pypi.org/legacy/\nusername = "
        f"alice\npassword = {pw}\n", pw)

    # htpasswd
    v = "$2y$10$" + rs(AN + "./", 53)
    add("config", "htpasswd", "bcrypt", f"admin:{v}\n", v)
    v = "$apr1$" + rs(AN, 8) + "$" + rs(AN + "./", 22)
    add("config", "htpasswd", "apr1", f"alice:{v}\n", v)
    v = "{SHA}" + b64(R.randbytes(20))
    add("config", "htpasswd", "sha1", f"bob:{v}\n", v)

    # JDBC / ODBC / URIs
    for ctx, tpl in [
        ("jdbc-mysql", "spring.datasource.url=jdbc:mysql://db.internal:3306/"
                       "shop?user=app&password={p}&useSSL=true\n"),
        ("jdbc-postgres", "jdbc:postgresql://10.0.3.7:5432/orders?user=svc&"
                          "password={p}\n"),
        ("jdbc-sqlserver", "jdbc:sqlserver://sql01:1433;databaseName=erp;"
                           "user=sa;password={p};encrypt=true\n"),
        ("jdbc-oracle", "url=jdbc:oracle:thin:scott/{p}@//ora01:1521/ORCL\n"),
        ("odbc", "Driver={{ODBC Driver 18 for SQL Server}};Server=tcp:sql01,"
                 "1433;Database=erp;Uid=sa;Pwd={p};Encrypt=yes;\n"),
        ("ado-net", "\"ConnectionStrings\": {{ \"Default\": \"Server=sql01;"
                    "Database=erp;User Id=sa;Password={p};\" }}\n"),
        ("postgres-uri", "DATABASE_URL=postgres://app:{p}@db.internal:5432/"
                         "orders\n"),
        ("mysql-uri", "数据库连接：mysql://root:{p}@192.168.1.20:3306/crm\n"),
        ("mongodb-uri", "MONGO_URL=mongodb+srv://admin:{p}@cluster0.ab1cd."
                        "mongodb.net/prod?retryWrites=true\n"),
        ("redis-uri", "REDIS_URL=redis://default:{p}@cache.internal:6379/0\n"),
        ("amqp-uri", "amqp://guest2:{p}@mq.internal:5672/vhost\n"),
        ("https-url", "git clone https://deploy:{p}@git.example.com/team/app"
                      ".git\n"),
        ("ftp-url", "upload to ftp://backup:{p}@files.example.com/dumps/\n"),
        ("dsn-python", "engine = create_engine(\"postgresql+psycopg2://svc:"
                       "{p}@db:5432/app\")\n"),
    ]:
        pw = password()
        add("conn", ctx, "code", tpl.format(p=pw), pw)

    # generic assignments, English and Chinese
    for ctx, tpl in [
        ("py-password", "DB_PASSWORD = \"{p}\"\n"),
        ("env-password", "MYSQL_PASSWORD={p}\n"),
        ("yaml-password", "database:\n  host: db\n  password: {p}\n"),
        ("json-password", "{{\"username\": \"admin\", \"password\": \"{p}\"}}\n"),
        ("js-secret", "const clientSecret = \"{s}\";\n"),
        ("env-secret", "APP_SECRET={s}\n"),
        ("env-token", "API_TOKEN={s}\n"),
        ("py-apikey", "api_key = \"{s}\"\n"),
        ("toml-secret", "[auth]\nsecret_key = \"{s}\"\n"),
        ("xml-password", "<property name=\"password\" value=\"{p}\"/>\n"),
        ("zh-password", "服务器的root密码是 {p}，帮我写个登录脚本\n"),
        ("zh-password2", "数据库密码：{p}\n"),
        ("zh-secret", "这是我的秘钥：{s}\n"),
        ("zh-account", "账号：admin 密码：{p}\n"),
        ("en-password", "the admin password is {p} - please don't share\n"),
        ("chat-json", None),
    ]:
        pw, sec = password(), rs(AN, 32)
        if tpl is None:
            text = chat_body(f"my .env has\nDB_PASSWORD=\"{pw}\"\nwhy?")
            add("generic", ctx, "chat", text, pw)
            continue
        add("generic", ctx, "code", tpl.format(p=pw, s=sec),
            pw if "{p}" in tpl else sec)

    # GCP service account, Azure connection strings, AWS pair
    key_text, mark = pem("PRIVATE KEY", 1218)
    sa = {"type": "service_account", "project_id": "shop-prod",
          "private_key_id": rs(HEX, 40), "private_key": key_text,
          "client_email": "ci@shop-prod.iam.gserviceaccount.com",
          "client_id": rs(DIG, 21)}
    add("cloud", "gcp-service-account", "json", json.dumps(sa, indent=2),
        mark)
    k = b64(R.randbytes(64))
    add("cloud", "azure-storage-conn", "env",
        "AZURE_STORAGE_CONNECTION_STRING=DefaultEndpointsProtocol=https;"
        f"AccountName=shopdata;AccountKey={k};EndpointSuffix=core.windows.net"
        "\n", k)
    sig = b64(R.randbytes(32)).replace("+", "%2B").replace("/", "%2F"
                                                           ).replace("=", "%3D")
    add("cloud", "azure-sas", "url",
        "https://shopdata.blob.core.windows.net/exports/a.csv?sv=2022-11-02&"
        "ss=b&srt=o&sp=r&se=2025-12-31T00:00:00Z&st=2025-01-01T00:00:00Z&"
        f"spr=https&sig={sig}\n", sig)
    kid, sk = "AKIA" + rs(B32, 16), rs(AN + "+/", 40)
    add("cloud", "aws-credentials", "ini",
        f"[default]\naws_access_key_id = {kid}\naws_secret_access_key = {sk}"
        "\n", sk)
    add("cloud", "aws-credentials", "zh",
        f"AK 是 {kid}，SK 是 {sk}，帮我配置 boto3\n", sk)
    kid, sk = "LTAI5t" + rs(AN, 18), rs(AN, 30)
    add("cloud", "alibaba-pair", "zh",
        f"阿里云 AccessKey ID：{kid}\nAccessKey Secret：{sk}\n", sk)
    add("cloud", "alibaba-pair", "cli",
        f"aliyun configure set --access-key-id {kid} --access-key-secret {sk}"
        " --region cn-hangzhou\n", sk)
    kid, sk = "AKID" + rs(AN, 32), rs(AN, 32)
    add("cloud", "tencent-pair", "py",
        f"cred = credential.Credential(\"{kid}\", \"{sk}\")\n", sk)
    ak, sk = rs(ANU, 20), rs(AN, 40)
    add("cloud", "huawei-pair", "py",
        f"ak = \"{ak}\"\nsk = \"{sk}\"\n# huaweicloudsdkcore BasicCredentials"
        "\ncredentials = BasicCredentials(ak, sk)\n", sk)
    ak, sk = rs(B64U, 40), rs(B64U, 40)
    add("cloud", "qiniu-pair", "py",
        f"from qiniu import Auth\nq = Auth('{ak}', '{sk}')\n", sk)
    add("cloud", "ucloud-pair", "zh",
        f"UCloud 公钥：{rs(AN, 32)}\nUCloud 私钥：{(s := rs(AN, 40))}\n", s)
    add("chat-cn", "wecom-corpsecret", "url",
        "https://qyapi.weixin.qq.com/cgi-bin/gettoken?corpid=ww"
        f"{rs(HEX, 16)}&corpsecret={(s := rs(B64U, 43))}\n", s)
    add("chat-cn", "wechat-appsecret", "url",
        "https://api.weixin.qq.com/cgi-bin/token?grant_type=client_credential"
        f"&appid=wx{rs(HEX, 16)}&secret={(s := rs(HEX, 32))}\n", s)
    add("chat-cn", "feishu-app-secret", "json",
        json.dumps({"app_id": "cli_" + rs(HEX, 16),
                    "app_secret": (s := rs(AN, 32))}), s)
    add("chat-cn", "dingtalk-app-secret", "json",
        json.dumps({"appKey": "ding" + rs(ANL, 16),
                    "appSecret": (s := rs(B64U, 64))}), s)
    return out


def wrap_block(ctx, text, name):
    if ctx == "raw":
        return text
    if ctx == "prose-en":
        return f"Here's the key from the server, why won't ssh accept it?\n\n{text}"
    if ctx == "prose-zh":
        return f"这是服务器上的私钥，帮我看看格式对不对：\n{text}"
    if ctx == "json":
        return json.dumps({"name": name, "key": text})
    if ctx == "python":
        return f'{name} = """{text}"""\n'
    if ctx == "yaml":
        ind = "".join("    " + ln + "\n" for ln in text.splitlines())
        return f"tls:\n  {name.lower()}: |\n{ind}"
    if ctx == "env-escaped":
        return f'{name}="{text.replace(chr(10), chr(92) + "n")}"\n'
    raise ValueError(ctx)


# --- customer data ----------------------------------------------------------

PII_CONTEXTS = {
    "en": "Customer record: {label} {v}, please update the CRM.\n",
    "zh": "客户{zh}：{v}，请帮我核对一下\n",
    "json": "{{\"name\": \"张伟\", \"{key}\": \"{v}\", \"city\": \"北京\"}}\n",
    "csv": "name,{key},city\n张伟,{v},上海\n",
    "py": "customer = {{\"name\": \"Li Na\", \"{key}\": \"{v}\"}}\n",
}


def pii_kinds():
    return [
        ("visa", lambda: card("4", 16), "card number", "银行卡号", "card_no"),
        ("mastercard", lambda: card(R.choice(["51", "53", "55"]), 16),
         "card number", "信用卡号", "card_number"),
        ("mastercard-2", lambda: card(str(R.randint(2221, 2720)), 16),
         "card number", "信用卡号", "card_number"),
        ("amex", lambda: card(R.choice(["34", "37"]), 15), "Amex card",
         "信用卡号", "card"),
        ("unionpay", lambda: card("62" + rs(DIG, 4), R.choice([16, 19])),
         "bank card", "银行卡号", "bank_card"),
        ("card-spaced", lambda: spaced4(card("4", 16)), "card", "银行卡号",
         "card_no"),
        ("iban-de", lambda: iban("DE", 18), "IBAN", "IBAN 账号", "iban"),
        ("iban-gb-spaced", lambda: spaced4(iban("GB", 0)), "IBAN",
         "IBAN 账号", "iban"),
        ("iban-fr", lambda: iban("FR", 23), "IBAN", "收款账号 IBAN", "iban"),
        ("china-id", china_id, "ID card", "身份证号", "id_card"),
        ("china-id15", china_id15, "ID card no.", "身份证号", "id_card"),
        ("uscc", uscc, "USCC", "统一社会信用代码", "credit_code"),
        ("china-mobile", cn_mobile, "mobile", "手机号", "phone"),
        ("china-mobile-86", lambda: "+86 " + cn_mobile(), "phone", "联系电话",
         "mobile"),
        ("china-passport", lambda: "E" + rs(DIG, 8), "passport", "护照号码",
         "passport_no"),
        ("china-bank-card", lambda: card("622202", 19), "bank account",
         "银行卡号", "bank_card"),
        ("hk-id", hk_id, "HKID", "香港身份证", "hkid"),
        ("tw-id", tw_id, "Taiwan ID", "台湾身份证", "tw_id"),
        ("us-ssn", ssn, "SSN", "社会安全号 SSN", "ssn"),
        ("e164", lambda: "+1415" + rs(DIG, 7), "phone", "电话", "phone"),
        ("e164-uk", lambda: "+4477" + rs(DIG, 8), "mobile", "手机",
         "mobile"),
        ("email", lambda: f"{rs(LO, 6)}.{rs(LO, 5)}@{rs(LO, 7)}.com",
         "email", "邮箱", "email"),
        ("ipv4-private", lambda: f"10.{R.randint(0, 255)}."
         f"{R.randint(0, 255)}.{R.randint(1, 254)}", "host", "内网地址",
         "host"),
        ("ipv4-192", lambda: f"192.168.{R.randint(0, 255)}."
         f"{R.randint(1, 254)}", "server", "服务器IP", "server_ip"),
        ("ipv6-ula", lambda: f"fd{rs(HEX, 2)}:{rs(HEX, 4)}:{rs(HEX, 4)}::"
         f"{rs(HEX, 3)}", "ipv6", "内网IPv6", "addr"),
        ("mac", lambda: ":".join(rs(HEX, 2) for _ in range(6)),
         "MAC address", "MAC地址", "mac_address"),
    ]


def pii_cases():
    for kind, gen, label, zh, key in pii_kinds():
        for ctx, tpl in PII_CONTEXTS.items():
            v = gen()
            yield "pii", kind, ctx, tpl.format(v=v, label=label, zh=zh,
                                               key=key), v


# --- negatives --------------------------------------------------------------

def negative_cases():
    out = []

    def add(kind, text):
        out.append(("neg", kind, "near-miss", text, None))

    for tok in TOKENS:
        n = names(tok)
        ph = tok["prefix"] or ""
        v = tok["gen"]()
        for kind, val in [
            ("placeholder-your", f"your-{n['prov_l']}-api-key-here"),
            ("placeholder-angle", f"<{n['ENV']}>"),
            ("placeholder-var", "${" + n["ENV"] + "}"),
            ("placeholder-x", ph + "x" * max(8, len(v) - len(ph))),
            ("truncated", (ph + v[len(ph):len(ph) + 6] + "...")),
        ]:
            ctx = R.choice(["dotenv", "python", "yaml", "zh-prose2"])
            tpl = [c for c in CONTEXTS if c[0] == ctx][0][2]
            add(kind, tpl.format(v=val, **n))
        add("env-lookup", f"{n['env']} = os.environ[\"{n['ENV']}\"]\n")
        add("docs-prose", f"Set {n['ENV']} to the key from your {n['prov']} "
                          "dashboard before running the examples.\n")
    add("aws-example", "aws_access_key_id = AKIAIOSFODNN7EXAMPLE\n"
                       "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/"
                       "bPxRfiCYEXAMPLEKEY\n")
    add("aws-example-zh", "文档里的示例密钥 AKIAIOSFODNN7EXAMPLE 能直接用吗？\n")
    add("github-example", "GITHUB_TOKEN=ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n")
    add("openai-example", "OPENAI_API_KEY=sk-...\n")
    add("stripe-example", "stripe.api_key = \"sk_test_...\"\n")
    add("pem-public", "-----BEGIN PUBLIC KEY-----\n" + "\n".join(
        b64(R.randbytes(48)) for _ in range(5)) + "\n-----END PUBLIC KEY-----\n")
    add("pem-cert", "-----BEGIN CERTIFICATE-----\n" + "\n".join(
        b64(R.randbytes(48)) for _ in range(8)) + "\n-----END CERTIFICATE-----\n")
    add("pem-placeholder", "-----BEGIN RSA PRIVATE KEY-----\n...\n"
                           "-----END RSA PRIVATE KEY-----\n")
    add("ssh-public", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI" + rs(B64, 43)
        + " alice@laptop\n")
    for i in range(6):
        add("uuid", f"{{\"request_id\": \"{uuid4()}\", \"status\": 200}}\n")
        add("uuid-zh", f"订单ID：{uuid4()}，请帮我查一下状态\n")
        add("git-sha", f"commit {rs(HEX, 40)}\nAuthor: Li Na <li@example.com>"
                       "\n" if False else f"commit {rs(HEX, 40)}\nMerge fix\n")
        add("sha256", f"sha256:{rs(HEX, 64)}  app.tar.gz\n")
        add("integrity", f"\"integrity\": \"sha512-{b64(R.randbytes(64))}\",\n")
        add("docker-digest", f"image: nginx@sha256:{rs(HEX, 64)}\n")
        add("md5-etag", f"ETag: \"{rs(HEX, 32)}\"\n")
        add("base64-image", f"<img src=\"data:image/png;base64,"
                            f"{b64(R.randbytes(120))}\">\n")
        add("identifier", R.choice([
            "token = request.headers.get('Authorization')\n",
            "PASSWORD_MIN_LENGTH = 12\n",
            "password: str = Field(..., min_length=8)\n",
            "secret_key = settings.SECRET_KEY\n",
            "api_key = None  # set via env\n",
            "const accessToken = await getAccessTokenFromCache(userId);\n",
            "if (!this.secretKeyProvider.isConfigured()) return;\n",
            "private_key_path = \"/etc/ssl/private/server.key\"\n",
            "密码长度至少为 8 位，且包含大小写字母和数字。\n",
            "请输入您的账号和密码登录系统。\n",
        ]))
        # PII near misses
        bad_card = card("4", 16)
        bad_card = bad_card[:-1] + str((int(bad_card[-1]) + 1) % 10)
        add("card-bad-luhn", f"card number {bad_card}\n")
        add("china-id-bad-check", f"身份证号：{china_id(valid=False)}\n")
        add("uscc-bad-check", f"统一社会信用代码：{uscc(valid=False)}\n")
        add("iban-bad-check", f"IBAN: {iban('DE', 18, valid=False)}\n")
        add("hkid-bad-check", f"HKID: {hk_id(valid=False)}\n")
        add("twid-bad-check", f"身分證字號：{tw_id(valid=False)}\n")
        add("order-number", f"订单号：{R.randint(2023, 2025)}{rs(DIG, 14)}\n")
        add("timestamp", f"\"created_at\": {R.randint(1600000000000, 1800000000000)}\n")
        add("not-mobile", f"编号 12{rs(DIG, 9)} 的工单已关闭\n")
        add("ssn-invalid", f"SSN: {R.choice(['000', '666'])}-"
                           f"{R.randint(10, 99)}-{rs(DIG, 4)}\n")
        add("version", f"upgraded to v{R.randint(1, 9)}.{R.randint(0, 20)}."
                       f"{R.randint(0, 99)}.{R.randint(0, 999)}\n")
        add("public-ip", f"DNS server 8.8.{R.randint(0, 8)}.{R.randint(1, 9)}\n")
        add("china-id-truncated", f"身份证前六位 {china_id()[:6]}，生日 19900101\n")
        add("phone-short", f"分机号 {rs(DIG, 4)}，手机尾号 {rs(DIG, 4)}\n")
    return out


# --- runner -----------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bin", default="target/release/leakguard")
    ap.add_argument("--seed", type=int, default=20240611)
    ap.add_argument("--keep", help="write cases here and keep them")
    ap.add_argument("--misses", action="store_true",
                    help="print every miss and false alarm")
    ap.add_argument("--json", action="store_true", help="machine summary")
    args = ap.parse_args()
    R.seed(args.seed)

    cases = list(token_cases()) + doc_cases() + list(pii_cases())
    negs = negative_cases()
    root = args.keep or tempfile.mkdtemp(prefix="leakguard-recall-")
    if args.keep:
        shutil.rmtree(root, ignore_errors=True)
        os.makedirs(root)
    meta = {}
    for i, (fam, kind, ctx, text, mark) in enumerate(cases + negs):
        name = f"{'n' if mark is None else 'p'}{i:05d}.txt"
        data = text.encode()
        span = None
        if mark is not None:
            s = data.find(mark.encode())
            if s < 0:
                sys.exit(f"mark not in text: {fam}/{kind}/{ctx}")
            span = (s, s + len(mark.encode()))
        with open(os.path.join(root, name), "wb") as f:
            f.write(data)
        meta[name] = (fam, kind, ctx, span, text)
    proc = subprocess.run([args.bin, "scan", "--format", "json", "-q",
                           "--no-ignore", root], capture_output=True)
    if proc.returncode not in (0, 1):
        sys.exit(proc.stderr.decode())
    findings = collections.defaultdict(list)
    for f in json.loads(proc.stdout):
        findings[os.path.basename(f["path"])].append(f)

    fam_tot = collections.Counter()
    fam_hit = collections.Counter()
    misses, alarms = [], []
    neg_tot = neg_fa = 0
    for name, (fam, kind, ctx, span, text) in sorted(meta.items()):
        got = findings.get(name, [])
        if span is None:
            neg_tot += 1
            if got:
                neg_fa += 1
                alarms.append((kind, sorted({g["rule"] for g in got}), text))
            continue
        fam_tot[fam] += 1
        if any(g["start"] < span[1] and span[0] < g["end"] for g in got):
            fam_hit[fam] += 1
        else:
            misses.append((fam, kind, ctx, sorted({g["rule"] for g in got}),
                           text))
    total = sum(fam_tot.values())
    hits = sum(fam_hit.values())
    summary = {
        "recall": round(hits / total, 4), "positives": total,
        "families": {f: [fam_hit[f], fam_tot[f]] for f in sorted(fam_tot)},
        "negatives": neg_tot, "false_alarms": neg_fa,
        "false_alarm_rate": round(neg_fa / neg_tot, 4),
    }
    if args.misses:
        for fam, kind, ctx, rules, text in misses:
            print(f"MISS {fam}/{kind}/{ctx} other={rules}\n  {text[:300]!r}")
        for kind, rules, text in alarms:
            print(f"FALSE ALARM {kind} {rules}\n  {text[:300]!r}")
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        for f in sorted(fam_tot):
            print(f"{f:10s} {fam_hit[f]:5d}/{fam_tot[f]:<5d} "
                  f"{fam_hit[f] / fam_tot[f]:.3f}")
        print(f"{'overall':10s} {hits:5d}/{total:<5d} {hits / total:.3f}")
        print(f"false alarms {neg_fa}/{neg_tot} = {neg_fa / neg_tot:.3f}")
    if not args.keep:
        shutil.rmtree(root)


if __name__ == "__main__":
    main()
