"""Which IAM actions on which resources Terraform's calls needed, and whether the roles allow them.

  iam_calls.py check CALL_LOG BOOTSTRAP_OUTPUTS_JSON RECORDED_DIR [--write]
  iam_calls.py selftest     the evaluation refuses what it must (run.sh runs it first)

CALL_LOG is the JSON-lines file moto_server.py writes with E2E_CALL_LOG (one line per API
call, with the caller's role). BOOTSTRAP_OUTPUTS_JSON is `terraform output -json` of
terraform/bootstrap: the role ARNs and their policies. For every call made by one of the
four roles, the authorizations AWS checks for it are derived (the action of the API
operation on the resource it names, plus the actions AWS documents as also required:
iam:PassRole when a role is handed to Lambda or IoT, the service's tagging action when a
resource is created with tags) and evaluated against that role's policy:

  - a needed authorization the policy does not allow fails the check (exit status 1);
  - the policy's Allow statements no recorded call needed are listed (not a failure: the
    run uses local state, so the S3 state statements are expected there).

The authorizations per role, with account ids and generated ids replaced by placeholders,
are compared with RECORDED_DIR/<role>.json, the committed record of what the AWS provider
calls; --write rewrites those files (make e2e-terraform E2E_RECORD=1).

The mapping of operations to resources follows the Service Authorization Reference for the
operations the provider calls here; an operation of a checked role that it does not know
fails the check, so a provider upgrade that calls something new is noticed.
"""

import json
import re
import sys
from pathlib import Path
from urllib.parse import unquote

# Signing names that differ from the IAM service prefix.
IAM_PREFIX = {"monitoring": "cloudwatch"}

# Calls AWS authorizes without any permission, or that the provider makes and tolerates
# being denied (iam:GetUser is its first way to learn the account id; a role session is
# refused it on AWS and the provider falls back to sts:GetCallerIdentity).
NO_PERMISSION_NEEDED = {"sts:GetCallerIdentity"}
TOLERATED_DENIALS = {"iam:GetUser"}

ROLES = ("destination_deploy", "source_deploy", "destination_plan", "source_plan")
ROLE_OUTPUTS = {role: f"{role}_role_arn" for role in ROLES}


class Unknown(Exception):
    pass


# ----------------------------------------------------------------- resources ---

def arn(partition: str, service: str, region: str, account: str, resource: str) -> str:
    return f"arn:{partition}:{service}:{region}:{account}:{resource}"


def function_arn(call: dict, name: str) -> str:
    """A function name, partial ARN or ARN (optionally qualified) as a full ARN."""
    name = unquote(name)
    if name.startswith("arn:"):
        return name
    parts = name.split(":")
    if len(parts) >= 3 and parts[1] == "function":  # ACCOUNT:function:NAME[:QUALIFIER]
        return arn("aws", "lambda", call["region"], parts[0], ":".join(parts[1:]))
    return arn("aws", "lambda", call["region"], call["account"], "function:" + name)


def queue_arn(call: dict, url_or_name: str) -> str:
    parts = url_or_name.rstrip("/").split("/")
    account = parts[-2] if len(parts) >= 2 and parts[-2].isdigit() else call["account"]
    return arn("aws", "sqs", call["region"], account, parts[-1])


def members(params: dict, prefix: str) -> list[str]:
    """Query-protocol list members (Name.member.1, Name.member.2...) in order."""
    found = sorted((int(k.rsplit(".", 1)[1]), v) for k, v in params.items()
                   if re.fullmatch(re.escape(prefix) + r"\.member\.\d+", k))
    return [v for _, v in found]


def has_tags(params: dict, *names: str) -> bool:
    """Whether the request carries tags under one of these names (JSON map or list, or
    query-protocol members Name.member.N...)."""
    for name in names:
        value = params.get(name)
        if value and value not in ("{}", "[]"):
            return True
        if any(k.startswith(name + ".member.") for k in params):
            return True
    return False


def kms_key_arn(call: dict, key_id: str) -> str:
    if key_id.startswith("arn:"):
        return key_id
    if key_id.startswith("alias/"):
        return arn("aws", "kms", call["region"], call["account"], key_id)
    return arn("aws", "kms", call["region"], call["account"], "key/" + key_id)


def iot_role_arns(params: dict) -> list[str]:
    """roleArn of every action and of the error action of a topic rule payload."""
    text = json.dumps(params)
    return sorted(set(re.findall(r"arn:aws[a-z-]*:iam::\d{12}:role/[A-Za-z0-9+=,.@_/-]+", text)))


def authorizations(call: dict) -> list[tuple[str, str, dict]]:
    """(action, resource, condition context) that AWS authorizes for one recorded call."""
    prefix = IAM_PREFIX.get(call["signing_service"], call["signing_service"])
    op = call["operation"]
    p = call["params"]
    action = f"{prefix}:{op}"
    region, account = call["region"], call["account"]
    iam_arn = f"arn:aws:iam::{account}"

    if prefix == "sts":
        if op == "AssumeRole":
            return [(action, p["RoleArn"], {})]
        if op == "GetCallerIdentity":
            return [(action, "*", {})]
    if prefix == "iam":
        if op in ("GetUser", "ListRoles"):
            return [(action, "*", {})]
        if "RoleName" in p:
            role = f"{iam_arn}:role/{p['RoleName']}"
            context = {}
            if op in ("CreateRole", "PutRolePermissionsBoundary"):
                context["iam:PermissionsBoundary"] = p.get("PermissionsBoundary")
            needed = [(action, role, context)]
            if op == "CreateRole" and has_tags(p, "Tags"):
                needed.append(("iam:TagRole", role, {}))
            return needed
    if prefix == "sqs":
        if op == "ListQueues":
            return [(action, "*", {})]
        if op == "CreateQueue":
            queue = arn("aws", "sqs", region, account, p["QueueName"])
            return [(action, queue, {})] + ([("sqs:TagQueue", queue, {})] if has_tags(p, "tags", "Tag") else [])
        if "QueueUrl" in p:
            return [(action, queue_arn(call, p["QueueUrl"]), {})]
    if prefix == "lambda":
        if op in ("ListEventSourceMappings", "ListFunctions"):
            return [(action, "*", {})]
        if op == "CreateEventSourceMapping":
            context = {"lambda:FunctionArn": function_arn(call, p["FunctionName"])}
            needed = [(action, "*", context)]
            if has_tags(p, "Tags"):  # tagged on create through the mapping's own ARN
                needed.append(("lambda:TagResource", arn("aws", "lambda", region, account, "event-source-mapping:(new)"), {}))
            return needed
        if "UUID" in p:
            return [(action, arn("aws", "lambda", region, account, "event-source-mapping:" + p["UUID"]),
                     {"lambda:FunctionArn": call.get("function_arn")})]
        if op in ("ListTags", "TagResource", "UntagResource"):
            return [(action, unquote(p.get("Resource") or p.get("ARN")), {})]
        if "FunctionName" in p:
            fn = function_arn(call, p["FunctionName"])
            if p.get("Qualifier") and not fn.count(":") > 6:
                fn += ":" + p["Qualifier"]
            needed = [(action, fn, {})]
            if op in ("CreateFunction", "UpdateFunctionConfiguration") and p.get("Role"):
                needed.append(("iam:PassRole", p["Role"], {"iam:PassedToService": "lambda.amazonaws.com"}))
            if op == "CreateFunction" and has_tags(p, "Tags"):
                needed.append(("lambda:TagResource", fn, {}))
            return needed
    if prefix == "logs":
        if op == "DescribeLogGroups":
            return [(action, arn("aws", "logs", region, account, "log-group:*"), {})]
        if op in ("ListTagsForResource", "TagResource", "UntagResource"):
            return [(action, p["resourceArn"], {})]
        if "logGroupName" in p:
            group = arn("aws", "logs", region, account, "log-group:" + p["logGroupName"])
            needed = [(action, group, {})]
            if op == "CreateLogGroup" and has_tags(p, "tags"):
                needed.append(("logs:TagResource", group, {}))
            return needed
    if prefix == "cloudwatch":
        alarm = lambda name: arn("aws", "cloudwatch", region, account, "alarm:" + name)  # noqa: E731
        if op == "PutMetricAlarm":
            needed = [(action, alarm(p["AlarmName"]), {})]
            if has_tags(p, "Tags"):
                needed.append(("cloudwatch:TagResource", alarm(p["AlarmName"]), {}))
            return needed
        if op in ("DescribeAlarms", "DeleteAlarms"):
            names = members(p, "AlarmNames")
            return [(action, alarm(n), {}) for n in names] or [(action, alarm("*"), {})]
        if op in ("ListTagsForResource", "TagResource", "UntagResource"):
            return [(action, p["ResourceARN"], {})]
    if prefix == "iot":
        if op in ("DescribeEndpoint", "ListTopicRules"):
            return [(action, "*", {})]
        if op in ("ListTagsForResource", "TagResource", "UntagResource"):
            return [(action, p["resourceArn"], {})]
        if "ruleName" in p:
            rule = arn("aws", "iot", region, account, "rule/" + p["ruleName"])
            needed = [(action, rule, {})]
            if op in ("CreateTopicRule", "ReplaceTopicRule"):
                needed += [("iam:PassRole", role, {"iam:PassedToService": "iot.amazonaws.com"})
                           for role in iot_role_arns(p)]
            if op == "CreateTopicRule" and p.get("x-amz-tagging"):
                needed.append(("iot:TagResource", rule, {}))
            return needed
    if prefix == "kms":
        if op in ("ListAliases", "ListKeys"):
            return [(action, "*", {})]
        if op == "CreateKey":
            needed = [(action, "*", {})]
            if has_tags(p, "Tags"):
                needed.append(("kms:TagResource", "*", {}))
            return needed
        if op in ("CreateAlias", "UpdateAlias"):  # on the alias and on the key it points to
            return [(action, kms_key_arn(call, p["AliasName"]), {}), (action, kms_key_arn(call, p["TargetKeyId"]), {})]
        if op == "DeleteAlias":
            return [(action, kms_key_arn(call, p["AliasName"]), {})]
        if "KeyId" in p:
            return [(action, kms_key_arn(call, p["KeyId"]), {})]
    raise Unknown(f"{action}: no resource mapping for this operation (params {sorted(p)}); add it to iam_calls.py")


# ----------------------------------------------------------------- policies ---

def as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def wildcard(pattern: str, value: str, case: bool = True) -> bool:
    # IAM: '*' any run of characters (including ':' and '/'), '?' one character
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, 0 if case else re.IGNORECASE) is not None


CONDITIONS = {
    "StringEquals": lambda want, have: have == want,
    "StringNotEquals": lambda want, have: have != want,
    "StringLike": lambda want, have: wildcard(want, have),
    "StringNotLike": lambda want, have: not wildcard(want, have),
    "ArnEquals": lambda want, have: have == want,
    "ArnLike": lambda want, have: wildcard(want, have),
}


def condition_holds(condition: dict, context: dict) -> bool:
    for operator, keys in condition.items():
        if operator not in CONDITIONS:
            raise Unknown(f"condition operator {operator} is not evaluated by iam_calls.py")
        test = CONDITIONS[operator]
        negated = "Not" in operator
        for key, wanted in keys.items():
            have = context.get(key)
            if have is None:  # a missing key fails a positive operator, passes a negated one
                if not negated:
                    return False
                continue
            results = [test(w, have) for w in as_list(wanted)]
            if not (all(results) if negated else any(results)):
                return False
    return True


def statement_matches(statement: dict, action: str, resource: str, context: dict) -> bool:
    if "Action" in statement:
        if not any(wildcard(a, action, case=False) for a in as_list(statement["Action"])):
            return False
    elif any(wildcard(a, action, case=False) for a in as_list(statement["NotAction"])):
        return False
    if "Resource" in statement:
        if not any(wildcard(r, resource) for r in as_list(statement["Resource"])):
            return False
    elif any(wildcard(r, resource) for r in as_list(statement["NotResource"])):
        return False
    return condition_holds(statement.get("Condition", {}), context)


def evaluate(policy: dict, action: str, resource: str, context: dict) -> tuple[str, list[str]]:
    """('allow' | 'deny' | 'implicit deny', Sids of the Allow statements that matched)."""
    allowed = []
    for i, statement in enumerate(as_list(policy["Statement"])):
        if statement_matches(statement, action, resource, context):
            if statement["Effect"] == "Deny":
                return "deny", [statement.get("Sid", f"#{i}")]
            allowed.append(statement.get("Sid", f"#{i}"))
    return ("allow" if allowed else "implicit deny"), allowed


# --------------------------------------------------------------------- check ---

def placeholders(text: str, accounts: dict[str, str]) -> str:
    for account, name in accounts.items():
        text = text.replace(account, name)
    text = re.sub(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "<id>", text)
    return text


def check(call_log: str, bootstrap_outputs: str, recorded_dir: str, write: bool) -> int:
    outputs = {k: v["value"] for k, v in json.loads(Path(bootstrap_outputs).read_text()).items()}
    roles = {outputs[ROLE_OUTPUTS[role]]: role for role in ROLES}
    policies = {role: json.loads(outputs["policies"][role]) for role in ROLES}
    accounts = {outputs["destination_deploy_role_arn"].split(":")[4]: "DESTINATION_ACCOUNT",
                outputs["source_deploy_role_arn"].split(":")[4]: "SOURCE_ACCOUNT"}

    failures: list[str] = []
    needed: dict[str, set] = {role: set() for role in ROLES}
    used: dict[str, set] = {role: set() for role in ROLES}
    used_actions: dict[str, set] = {role: set() for role in ROLES}
    calls = 0
    for line in Path(call_log).read_text().splitlines():
        call = json.loads(line)
        role = roles.get(call.get("role_arn"))
        if role is None:
            continue  # the administrator of the bootstrap apply, the test's own checks
        calls += 1
        try:
            wanted = authorizations(call)
        except (Unknown, KeyError) as e:
            failures.append(f"{role}: {call['signing_service']} {call['operation']}: {e}")
            continue
        for action, resource, context in wanted:
            if action in NO_PERMISSION_NEEDED:
                continue
            try:
                decision, sids = evaluate(policies[role], action, resource, context)
            except Unknown as e:
                failures.append(f"{role}: {action} on {resource}: {e}")
                continue
            shown_context = {k: v for k, v in context.items() if v is not None}
            needed[role].add(json.dumps([action, resource, shown_context], sort_keys=True))
            used[role].update(sids)
            used_actions[role].update((sid, action) for sid in sids)
            if decision != "allow" and action not in TOLERATED_DENIALS:
                failures.append(f"{role}: {action} on {resource} {shown_context or ''} is {decision} "
                                f"(call {call['operation']}, HTTP {call.get('status')})")

    print(f"  {calls} calls by the deploy and plan roles")
    status = 0
    for role in ROLES:
        rows = sorted({placeholders(n, accounts) for n in needed[role]})
        print(f"  {role}: {len(rows)} distinct authorizations needed")
        unused = [s.get("Sid") for s in as_list(policies[role]["Statement"])
                  if s["Effect"] == "Allow" and s.get("Sid") not in used[role]]
        if unused:
            print(f"    statements no recorded call needed: {', '.join(unused)}")
        # Actions of the needed statements this run never exercised (e.g. updates, which a
        # create-and-destroy run does not make): what the policy grants beyond the record.
        idle = [f"{s['Sid']}: " + ", ".join(a for a in as_list(s["Action"]) if not any(
                    sid == s["Sid"] and wildcard(a, done, case=False) for sid, done in used_actions[role]))
                for s in as_list(policies[role]["Statement"])
                if s["Effect"] == "Allow" and s.get("Sid") in used[role] and "Action" in s]
        idle = [line for line in idle if not line.endswith(": ")]
        if idle:
            print("    actions not exercised in this run: " + "; ".join(idle))
        path = Path(recorded_dir) / f"{role}.json"
        text = "[\n" + ",\n".join(rows) + "\n]\n"  # one authorization per line: readable diffs
        if write:
            path.write_text(text)
            print(f"    written {path}")
        elif not path.exists() or path.read_text() != text:
            old = {json.dumps(r, sort_keys=True) for r in json.loads(path.read_text())} if path.exists() else set()
            rows_set = {json.dumps(json.loads(r), sort_keys=True) for r in rows}
            for row in sorted(rows_set - old):
                print(f"    new:  {row}")
            for row in sorted(old - rows_set):
                print(f"    gone: {row}")
            print(f"  FAIL  {path} differs from this run's calls (refresh: make e2e-terraform E2E_RECORD=1)")
            status = 1
    if not any(needed.values()):
        failures.append("no call of any deploy or plan role was recorded: the recorder or the role sessions are broken")
    for failure in failures:
        print(f"  FAIL  {failure}")
    if failures:
        status = 1
    else:
        print("  ok    every recorded call is allowed by its role's policy")
    return status


def selftest() -> int:
    """The checker must refuse what the roles must not do; run before it is trusted."""
    boundary = "arn:aws:iam::222222222222:policy/b"
    policy = {"Statement": [
        {"Sid": "Create", "Effect": "Allow", "Action": "iam:CreateRole", "Resource": "arn:aws:iam::222222222222:role/iot-bridge-*",
         "Condition": {"StringEquals": {"iam:PermissionsBoundary": boundary}}},
        {"Sid": "Pass", "Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:aws:iam::222222222222:role/iot-bridge-*",
         "Condition": {"StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}}},
        {"Sid": "Fn", "Effect": "Allow", "Action": ["lambda:CreateFunction", "lambda:TagResource"],
         "Resource": "arn:aws:lambda:eu-central-1:222222222222:function:iot-bridge-publisher"},
        {"Sid": "Guard", "Effect": "Deny", "Action": "iam:*", "Resource": "arn:aws:iam::222222222222:role/iot-bridge-admin"},
    ]}
    call = {"signing_service": "lambda", "operation": "CreateFunction", "region": "eu-central-1", "account": "222222222222",
            "params": {"FunctionName": "iot-bridge-publisher", "Role": "arn:aws:iam::222222222222:role/iot-bridge-publisher",
                       "Tags": {"Project": "x"}}}
    role = "arn:aws:iam::222222222222:role/iot-bridge-publisher"
    cases = [
        ("CreateRole without the boundary is refused",
         evaluate(policy, "iam:CreateRole", role, {"iam:PermissionsBoundary": None})[0] == "implicit deny"),
        ("CreateRole with another boundary is refused",
         evaluate(policy, "iam:CreateRole", role, {"iam:PermissionsBoundary": boundary + "x"})[0] == "implicit deny"),
        ("CreateRole with the boundary is allowed",
         evaluate(policy, "iam:CreateRole", role, {"iam:PermissionsBoundary": boundary})[0] == "allow"),
        ("PassRole to another service is refused",
         evaluate(policy, "iam:PassRole", role, {"iam:PassedToService": "ec2.amazonaws.com"})[0] == "implicit deny"),
        ("an explicit Deny wins over an Allow",
         evaluate(policy, "iam:CreateRole", "arn:aws:iam::222222222222:role/iot-bridge-admin",
                  {"iam:PermissionsBoundary": boundary})[0] == "deny"),
        ("another function is refused",
         evaluate(policy, "lambda:CreateFunction", "arn:aws:lambda:eu-central-1:222222222222:function:other", {})[0]
         == "implicit deny"),
        ("CreateFunction needs PassRole to Lambda and TagResource",
         [a for a, _, _ in authorizations(call)] == ["lambda:CreateFunction", "iam:PassRole", "lambda:TagResource"]),
    ]
    try:
        authorizations({**call, "signing_service": "ec2", "operation": "RunInstances"})
        cases.append(("an operation of a service without a mapping is an error", False))
    except Unknown:
        cases.append(("an operation of a service without a mapping is an error", True))
    for name, ok in cases:
        print(f"  {'ok  ' if ok else 'FAIL'}  selftest: {name}")
    return 0 if all(ok for _, ok in cases) else 1


def main() -> int:
    if sys.argv[1:] == ["selftest"]:
        return selftest()
    args = [a for a in sys.argv[1:] if a != "--write"]
    if len(args) != 4 or args[0] != "check":
        print(__doc__, file=sys.stderr)
        return 2
    return check(args[1], args[2], args[3], write="--write" in sys.argv)


if __name__ == "__main__":
    sys.exit(main())
