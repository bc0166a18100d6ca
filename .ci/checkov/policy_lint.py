#!/usr/bin/env python3
"""Static policy checks over terraform/**/*.tf (the security checks of `make lint`).

Needs only the standard library, so it runs where Terraform is absent. The exact,
rendered checks live in terraform/tests/security.tftest.hcl (run by lint.sh when
Terraform is available).

Rules, for every policy statement written as an HCL object with a Sid:
  1. an Allow statement has no wildcard ('*') in its actions;
  2. an Allow statement has no Resource "*";
  unless its Sid is in iam_allowlist.json (with the reason AWS requires it);
  3. every aws_sqs_queue_policy's policy denies non-TLS access
     (aws:SecureTransport = "false"), in the policy's own text or in a statement it takes
     from another local (local.NAME.KEY, read where NAME is defined);
  4. the Allow statement of the bridge queue policy grants only sqs:SendMessage and is
     narrowed by an aws:PrincipalArn condition (only the configured rule roles).
Added after a review found these gaps:
  5. every Allow statement has a Sid (a statement without one would escape rules 1-2);
  6. no Allow statement uses NotAction / NotResource / NotPrincipal (an inverted wildcard);
  7. the queue policy's Allow names its principals (no Principal "*" / AWS = "*") and its
     aws:PrincipalArn condition is ArnEquals/StringEquals over configured values, with no
     literal wildcard ("*" or "?") in it;
  8. no managed policy is attached (aws_iam_role_policy_attachment, aws_iam_policy_attachment,
     managed_policy_arns): AWS managed policies carry wildcards this lint cannot see;
  9. data "aws_iam_policy_document" statements obey rules 1-2 too (actions / resources).
The checker tests itself first on embedded bad snippets (each must be caught), so a
regression in the checker fails `make lint` as well.
Usage: policy_lint.py [TERRAFORM_DIR]   (default: terraform/)
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


def check_dir(tf_dir):
    passed, failed = 0, 0
    findings = []
    files = sorted(p for p in tf_dir.rglob("*.tf") if ".terraform" not in p.parts)
    for path in files:
        text = strip_comments(path.read_text())
        try:
            rel = path.relative_to(ROOT)
        except ValueError:
            rel = path
        # 5, 6: every Allow statement has a Sid and no Not* element
        for m in re.finditer(r'\bEffect\s*=\s*"Allow"', text):
            own = top_level(enclosing_object(text, m.start()))
            problems = []
            if not re.search(r'\bSid\s*=', own):
                problems.append("Allow statement without a Sid (rules 1-2 could not check it)")
            for key in ("NotAction", "NotResource", "NotPrincipal"):
                if re.search(r"\b" + key + r"\s*=", enclosing_object(text, m.start())):
                    problems.append(f"Allow with {key} (an inverted wildcard)")
            if problems:
                failed += 1
                findings.append(f"FAIL {rel}: line {text.count(chr(10), 0, m.start()) + 1}: " + ", ".join(problems))
            else:
                passed += 1
        # 8: no managed policy attachments
        for m in re.finditer(r'resource\s+"(aws_iam_role_policy_attachment|aws_iam_policy_attachment|aws_iam_user_policy_attachment|aws_iam_group_policy_attachment)"\s+"([^"]+)"|\bmanaged_policy_arns\s*=', text):
            what = f"{m.group(1)}.{m.group(2)}" if m.group(1) else "managed_policy_arns"
            failed += 1
            findings.append(f"FAIL {rel}: {what}: managed policies are not allowed (inline policies only, checked here)")
        # 9: aws_iam_policy_document statements
        for m in re.finditer(r'data\s+"aws_iam_policy_document"\s+"([^"]+)"', text):
            doc = enclosing_object(text, text.index("{", m.end()) + 1)
            for st in re.finditer(r"\bstatement\s*\{", doc):
                obj = enclosing_object(doc, st.end())
                own = top_level(obj)
                if (attr(own, "effect") or '"Allow"').strip('"') != "Allow":
                    continue
                sid = (attr(own, "sid") or "").strip('"')
                actions = attr(own, "actions") or ""
                resources = attr(own, "resources") or ""
                problems = []
                if not sid:
                    problems.append("Allow statement without a sid")
                if "*" in actions and sid not in ALLOW:
                    problems.append(f"wildcard action {actions}")
                if re.search(r'(^|[\[,\s])"\*"', resources) and sid not in ALLOW:
                    problems.append('resources "*"')
                if re.search(r"\b(not_actions|not_resources|not_principals)\s*=", obj):
                    problems.append("not_actions/not_resources/not_principals")
                if problems:
                    failed += 1
                    findings.append(f"FAIL {rel}: aws_iam_policy_document.{m.group(1)}: " + ", ".join(problems))
                else:
                    passed += 1
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
            # A statement the policy takes from another local (e.g. local.deny_non_tls.main, written
            # once for several queues) is read where that local is defined: its text up to the
            # next blank line.
            for ref in sorted(set(re.findall(r"\blocal\.(\w+)\.\w+", body))):
                rm = re.search(r"\n  " + ref + r"\s*=", text)
                if rm:
                    chunk = text[rm.start():]
                    blank = chunk.find("\n\n")
                    body += chunk[: blank if blank > 0 else len(chunk)]
            ok_tls = bool(re.search(r'"aws:SecureTransport"\s*=\s*"false"', body)) and 'Effect    = "Deny"' in body
            allows = [s for s in re.findall(r'Effect\s*=\s*"Allow"', body)]
            ok_allow = (not allows) or (
                re.search(r'Action\s*=\s*"sqs:SendMessage"', body) is not None
                and '"aws:PrincipalArn"' in body
                and len(allows) == 1
            )
            # 7: named principals, exact PrincipalArn match over configured values
            ok_principal = True
            if allows:
                am = re.search(r'Effect\s*=\s*"Allow"', body)
                allow_obj = enclosing_object(body, am.start())
                if re.search(r'Principal\s*=\s*"\*"|AWS\s*=\s*"\*"|AWS\s*=\s*\[\s*"\*"', allow_obj):
                    ok_principal = False
                pa = re.search(r'(\w+)\s*=\s*\{\s*"aws:PrincipalArn"\s*=\s*([^}\n]+)', allow_obj)
                if not pa or pa.group(1) not in ("ArnEquals", "StringEquals") or re.search(r'"[^"]*[*?][^"]*"', pa.group(2)):
                    ok_principal = False
            if ok_tls and ok_allow and ok_principal:
                passed += 1
            else:
                failed += 1
                findings.append(
                    f"FAIL {rel}: aws_sqs_queue_policy.{name}: "
                    + ("" if ok_tls else "no Deny on aws:SecureTransport=false; ")
                    + ("" if ok_allow else "Allow must be one sqs:SendMessage statement with an aws:PrincipalArn condition; ")
                    + ("" if ok_principal else "the Allow must name its principals and match aws:PrincipalArn exactly "
                       "(ArnEquals/StringEquals over configured role ARNs, no wildcard)")
                )
    return passed, failed, findings


# Each snippet must produce at least one finding (the checker's own regression test).
BAD_SNIPPETS = {
    "wildcard action": 'locals {\n  p = jsonencode({ Statement = [{\n    Sid = "X"\n    Effect = "Allow"\n    Action = "sqs:*"\n    Resource = "arn:aws:sqs:eu-west-1:1:q"\n  }] })\n}\n',
    "resource star": 'locals {\n  p = jsonencode({ Statement = [{\n    Sid = "X"\n    Effect = "Allow"\n    Action = "iot:Publish"\n    Resource = "*"\n  }] })\n}\n',
    "allow without sid": 'locals {\n  p = jsonencode({ Statement = [{\n    Effect = "Allow"\n    Action = "*"\n    Resource = "*"\n  }] })\n}\n',
    "not action": 'locals {\n  p = jsonencode({ Statement = [{\n    Sid = "X"\n    Effect = "Allow"\n    NotAction = "iam:*"\n    Resource = "arn:aws:sqs:eu-west-1:1:q"\n  }] })\n}\n',
    "managed policy": 'resource "aws_iam_role_policy_attachment" "x" {\n  role = "r"\n  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"\n}\n',
    "policy document": 'data "aws_iam_policy_document" "d" {\n  statement {\n    sid = "X"\n    actions = ["s3:*"]\n    resources = ["*"]\n  }\n}\n',
    "queue without TLS deny": 'resource "aws_sqs_queue_policy" "main" {\n  queue_url = "u"\n  policy    = local.qp\n}\nlocals {\n  qp = jsonencode({\n    Statement = [{\n      Sid = "A"\n      Effect    = "Allow"\n      Principal = { AWS = local.roots }\n      Action    = "sqs:SendMessage"\n      Resource  = "arn"\n      Condition = { ArnEquals = { "aws:PrincipalArn" = local.roles } }\n    }]\n  })\n}\n',
    "queue whose shared statement is no TLS deny": 'resource "aws_sqs_queue_policy" "dlq" {\n  queue_url = "u"\n  policy    = local.qp\n}\nlocals {\n  shared = { for n, a in { dlq = "arn" } : n => {\n    Sid       = "DenyNothing"\n    Effect    = "Deny"\n    Principal = "*"\n    Action    = "sqs:*"\n    Resource  = a\n  } }\n\n  qp = jsonencode({\n    Statement = [local.shared.dlq]\n  })\n}\n',
    "queue open to everyone": 'resource "aws_sqs_queue_policy" "main" {\n  queue_url = "u"\n  policy    = local.qp\n}\nlocals {\n  qp = jsonencode({\n    Statement = [{\n      Sid = "A"\n      Effect    = "Allow"\n      Principal = "*"\n      Action    = "sqs:SendMessage"\n      Resource  = "arn"\n      Condition = { ArnLike = { "aws:PrincipalArn" = "arn:aws:iam::*:role/*" } }\n    },\n    {\n      Sid       = "DenyNonTLS"\n      Effect    = "Deny"\n      Principal = "*"\n      Action    = "sqs:*"\n      Resource  = "arn"\n      Condition = { Bool = { "aws:SecureTransport" = "false" } }\n    }]\n  })\n}\n',
}


def self_test():
    import tempfile
    missed = []
    for name, snippet in BAD_SNIPPETS.items():
        with tempfile.TemporaryDirectory() as d:
            pathlib.Path(d, "main.tf").write_text(snippet)
            _, failed, _ = check_dir(pathlib.Path(d))
            if failed == 0:
                missed.append(name)
    return missed


def main():
    missed = self_test()
    for name in missed:
        print(f"FAIL policy_lint self-test: the checker did not catch '{name}'")
    tf_dir = pathlib.Path(sys.argv[1]).resolve() if len(sys.argv) > 1 else TF_DIR
    passed, failed, findings = check_dir(tf_dir)
    for f in findings:
        print(f)
    print(f"policy checks: {passed} passed, {failed} failed; self-test: {len(BAD_SNIPPETS) - len(missed)}/{len(BAD_SNIPPETS)} bad snippets caught")
    return 1 if failed or missed else 0


if __name__ == "__main__":
    sys.exit(main())
