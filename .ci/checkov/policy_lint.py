#!/usr/bin/env python3
"""Static policy checks over terraform/**/*.tf (issue 7 "Security checks").

Needs only the standard library, so it runs where Terraform is absent. The exact,
rendered checks live in terraform/tests/security.tftest.hcl (run by lint.sh when
Terraform is available).

Rules, for every policy statement written as an HCL object with a Sid:
  1. an Allow statement has no wildcard ('*') in its actions;
  2. an Allow statement has no Resource "*";
  unless its Sid is in iam_allowlist.json (with the reason AWS requires it);
  3. every aws_sqs_queue_policy's policy denies non-TLS access
     (aws:SecureTransport = "false");
  4. the Allow statement of the bridge queue policy grants only sqs:SendMessage and is
     narrowed by an aws:PrincipalArn condition (only the configured rule roles).
Prints one line per finding and a closing 'N passed, M failed' line.
"""
import json
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
TF_DIR = ROOT / "terraform"
ALLOW = {k for k in json.loads((pathlib.Path(__file__).parent / "iam_allowlist.json").read_text()) if not k.startswith("_")}


def strip_comments(text):
    out = []
    for line in text.splitlines():
        # drop '#' and '//' comments that are not inside a string (good enough for our style)
        in_str = False
        cut = len(line)
        i = 0
        while i < len(line):
            c = line[i]
            if c == '"' and (i == 0 or line[i - 1] != "\\"):
                in_str = not in_str
            elif not in_str and (c == "#" or line.startswith("//", i)):
                cut = i
                break
            i += 1
        out.append(line[:cut])
    return "\n".join(out)


def enclosing_object(text, pos):
    """Return the text of the innermost {...} that contains pos."""
    depth = 0
    i = pos
    while i >= 0:
        if text[i] == "}":
            depth += 1
        elif text[i] == "{":
            if depth == 0:
                break
            depth -= 1
        i -= 1
    start = i
    depth = 0
    j = start
    while j < len(text):
        if text[j] == "{":
            depth += 1
        elif text[j] == "}":
            depth -= 1
            if depth == 0:
                return text[start : j + 1]
        j += 1
    return text[start:]


def attr(obj, name):
    m = re.search(r"\b" + name + r"\s*=\s*(\[[^\]]*\]|\"[^\"]*\"|[^\n]+)", obj)
    return m.group(1).strip() if m else None


def top_level(obj):
    """The object's own lines, without nested objects (Condition, Principal)."""
    out, depth = [], 0
    for c in obj[1:-1]:
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
        elif depth == 0:
            out.append(c)
    return "".join(out)


def main():
    passed, failed = 0, 0
    findings = []
    files = sorted(p for p in TF_DIR.rglob("*.tf") if ".terraform" not in p.parts)
    for path in files:
        text = strip_comments(path.read_text())
        rel = path.relative_to(ROOT)
        for m in re.finditer(r'\bSid\s*=\s*"([^"]+)"', text):
            sid = m.group(1)
            obj = enclosing_object(text, m.start())
            own = top_level(obj)
            effect = (attr(own, "Effect") or "").strip('"')
            action = attr(own, "Action") or ""
            resource = attr(own, "Resource") or ""
            problems = []
            if effect == "Allow" and "*" in action and sid not in ALLOW:
                problems.append(f"wildcard action {action}")
            if effect == "Allow" and re.search(r'(^|[\[,\s])"\*"', resource) and sid not in ALLOW:
                problems.append('Resource "*"')
            if problems:
                failed += 1
                findings.append(f"FAIL {rel}: statement {sid}: " + ", ".join(problems))
            else:
                passed += 1

        # queue policies: deny non-TLS, allow only SendMessage narrowed by PrincipalArn
        for m in re.finditer(r'resource\s+"aws_sqs_queue_policy"\s+"([^"]+)"\s*\{[^}]*?policy\s*=\s*local\.(\w+)', text):
            name, local_name = m.group(1), m.group(2)
            lm = re.search(r"\b" + local_name + r"\s*=\s*jsonencode\(", text)
            body = text[lm.start():] if lm else ""
            end = body.find("\n  })")
            body = body[: end if end > 0 else len(body)]
            ok_tls = bool(re.search(r'"aws:SecureTransport"\s*=\s*"false"', body)) and 'Effect    = "Deny"' in body
            allows = [s for s in re.findall(r'Effect\s*=\s*"Allow"', body)]
            ok_allow = (not allows) or (
                re.search(r'Action\s*=\s*"sqs:SendMessage"', body) is not None
                and '"aws:PrincipalArn"' in body
                and len(allows) == 1
            )
            if ok_tls and ok_allow:
                passed += 1
            else:
                failed += 1
                findings.append(
                    f"FAIL {rel}: aws_sqs_queue_policy.{name}: "
                    + ("" if ok_tls else "no Deny on aws:SecureTransport=false; ")
                    + ("" if ok_allow else "Allow must be one sqs:SendMessage statement with an aws:PrincipalArn condition")
                )
    for f in findings:
        print(f)
    print(f"policy checks: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
