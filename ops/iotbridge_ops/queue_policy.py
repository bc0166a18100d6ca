"""Does the bridge queue's resource policy let the rule role send to it?

Reads what the destination module writes and what hand edits typically do: Effect, Principal ("*"
or {"AWS": ...} naming the role, its account root or account id), Action and Resource with "*"/"?"
wildcards, and the conditions ArnEquals/ArnLike/StringEquals/StringLike on aws:PrincipalArn or
aws:PrincipalAccount and Bool on aws:SecureTransport (the rules engine always uses TLS). A statement
with anything else never counts as allowing, so an unusual policy is reported rather than trusted.
An explicit Deny wins. (The local stack enforces the same reading: local/.../control/QueuePolicy.java.)
"""
import json
import re


def _list(v):
    if v is None:
        return []
    return v if isinstance(v, list) else [v]


def _glob(pattern, value, ignore_case=False):
    """IAM wildcards: '*' any run of characters, '?' one character, nothing else special."""
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in str(pattern))
    return re.fullmatch(regex, value, re.IGNORECASE if ignore_case else 0) is not None


def _account(arn):
    parts = arn.split(":")
    return parts[4] if len(parts) > 4 else ""


def _principal(p, principal_arn):
    if p == "*":
        return True
    if not isinstance(p, dict):
        return False
    account = _account(principal_arn)
    return any(v in ("*", principal_arn, account, f"arn:aws:iam::{account}:root") for v in _list(p.get("AWS")))


def _conditions(cond, principal_arn):
    for op, keys in (cond or {}).items():
        for key, expected in keys.items():
            actual = {"aws:principalarn": principal_arn, "aws:principalaccount": _account(principal_arn),
                      "aws:securetransport": "true"}.get(key.lower())
            if actual is None:
                return False
            values = [str(v).lower() if op == "Bool" else str(v) for v in _list(expected)]
            if op in ("ArnEquals", "StringEquals", "Bool"):
                ok = actual in values
            elif op in ("ArnLike", "StringLike"):
                ok = any(_glob(v, actual) for v in values)
            else:
                ok = False
            if not ok:
                return False
    return True


def _applies(st, principal_arn, queue_arn):
    if any(k in st for k in ("NotPrincipal", "NotAction", "NotResource")):
        return False
    return (_principal(st.get("Principal"), principal_arn)
            and any(_glob(a, "sqs:SendMessage", ignore_case=True) for a in _list(st.get("Action")))
            and ("Resource" not in st or any(_glob(r, queue_arn) for r in _list(st.get("Resource"))))
            and _conditions(st.get("Condition"), principal_arn))


def send_denied_reason(policy_json, principal_arn, queue_arn):
    """None when the policy admits principal_arn to sqs:SendMessage on queue_arn, else why not."""
    if not policy_json:
        return "the queue has no policy, so no other account may send to it"
    try:
        policy = json.loads(policy_json)
    except json.JSONDecodeError as e:
        return f"the queue policy is not valid JSON: {e}"
    allowed = False
    for st in _list(policy.get("Statement")):
        if not _applies(st, principal_arn, queue_arn):
            continue
        if st.get("Effect") == "Deny":
            return f"statement {st.get('Sid', '(no Sid)')} denies it"
        if st.get("Effect") == "Allow":
            allowed = True
    return None if allowed else f"no statement allows sqs:SendMessage for {principal_arn}"
