"""Checks of the emulator run (terraform/tests/e2e/run.sh), through the emulator's AWS API.

  check.py wiring CONTEXT_JSON   after apply: the two accounts are wired as the modules promise
  check.py empty  CONTEXT_JSON   after destroy: nothing of the bridge is left in either account

CONTEXT_JSON (written by run.sh) holds the endpoint, both accounts' regions and
credentials, the routes given to Terraform and `terraform output -json`.
Expected values come from the inputs (routes with the documented defaults), not
from Terraform's own rendering, so a wrong module fails here.
Exit status 0 when every check passes; every check prints one line.
"""

import json
import sys
from typing import Any, Callable

import boto3

ROUTE_DEFAULTS = {"condition": "", "strip_prefix": "", "add_prefix": "", "qos": 1, "retain": False}


class Checks:
    def __init__(self) -> None:
        self.failed = 0
        self.passed = 0

    def check(self, name: str, ok: bool, detail: Any = "") -> None:
        if ok:
            self.passed += 1
            print(f"  ok    {name}")
        else:
            self.failed += 1
            print(f"  FAIL  {name}: {detail}")


class Accounts:
    """boto3 clients for the source account (plain credentials) and the destination
    account (credentials of the role assumed through the emulator's STS)."""

    def __init__(self, ctx: dict) -> None:
        self.endpoint = ctx["endpoint_url"]
        self.source_region = ctx["source"]["region"]
        self.destination_region = ctx["destination"]["region"]
        self.source_keys = {
            "aws_access_key_id": ctx["source"]["access_key"],
            "aws_secret_access_key": ctx["source"]["secret_key"],
        }
        sts = boto3.client("sts", region_name=self.destination_region, endpoint_url=self.endpoint,
                           aws_access_key_id=ctx["destination"]["access_key"],
                           aws_secret_access_key=ctx["destination"]["secret_key"])
        creds = sts.assume_role(RoleArn=ctx["destination"]["assume_role_arn"],
                                RoleSessionName="iot-bridge-e2e-check")["Credentials"]
        self.destination_keys = {
            "aws_access_key_id": creds["AccessKeyId"],
            "aws_secret_access_key": creds["SecretAccessKey"],
            "aws_session_token": creds["SessionToken"],
        }

    def source(self, service: str) -> Any:
        return boto3.client(service, region_name=self.source_region, endpoint_url=self.endpoint, **self.source_keys)

    def destination(self, service: str) -> Any:
        return boto3.client(service, region_name=self.destination_region, endpoint_url=self.endpoint,
                            **self.destination_keys)


def output(ctx: dict, name: str) -> Any:
    return ctx["outputs"][name]["value"]


def as_list(value: Any) -> list:
    return value if isinstance(value, list) else [value]


def statements(policy_json: str) -> list[dict]:
    return as_list(json.loads(policy_json)["Statement"])


def check_wiring(ctx: dict, c: Checks) -> None:
    acc = Accounts(ctx)
    source_account = acc.source("sts").get_caller_identity()["Account"]
    destination_account = acc.destination("sts").get_caller_identity()["Account"]
    c.check("two accounts (source %s, destination %s assumed by role)" % (source_account, destination_account),
            source_account != destination_account and destination_account == ctx["destination"]["account_id"],
            (source_account, destination_account))
    c.check("two regions (source %s, destination %s)" % (acc.source_region, acc.destination_region),
            acc.source_region != acc.destination_region)

    queue_url = output(ctx, "queue_url")
    queue_arn = output(ctx, "queue_arn")
    rule_role_arn = output(ctx, "rule_role_arn")
    c.check("queue is in the destination account and region",
            queue_arn == f"arn:aws:sqs:{acc.destination_region}:{destination_account}:{queue_url.rsplit('/', 1)[1]}",
            queue_arn)

    # The rule role exists in the source account under the ARN the queue policy admits.
    iam = acc.source("iam")
    role_name = rule_role_arn.rsplit("/", 1)[1]
    role = iam.get_role(RoleName=role_name)["Role"]
    c.check("rule role exists in the source account", role["Arn"] == rule_role_arn
            and f":{source_account}:" in rule_role_arn, role["Arn"])
    role_policy = iam.get_role_policy(RoleName=role_name, PolicyName="send-to-bridge-queue")["PolicyDocument"]
    if isinstance(role_policy, str):
        role_policy = json.loads(role_policy)
    send = [s for s in as_list(role_policy["Statement"]) if "sqs:SendMessage" in as_list(s["Action"])]
    c.check("rule role may sqs:SendMessage to the queue", any(queue_arn in as_list(s["Resource"]) for s in send),
            role_policy)

    # Queue policy (destination) admits the source rule role.
    sqs = acc.destination("sqs")
    attrs = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["All"])["Attributes"]
    admits = [
        s for s in statements(attrs.get("Policy", '{"Statement": []}'))
        if s["Effect"] == "Allow" and "sqs:SendMessage" in as_list(s["Action"])
        and f"arn:aws:iam::{source_account}:root" in as_list(s["Principal"]["AWS"])
        and rule_role_arn in as_list(s.get("Condition", {}).get("ArnEquals", {}).get("aws:PrincipalArn", []))
    ]
    c.check("queue policy admits the source rule role (account root + aws:PrincipalArn)", len(admits) == 1,
            attrs.get("Policy"))

    dlq_url = output(ctx, "dlq_url")
    dlq_attrs = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["All"])["Attributes"]
    redrive = json.loads(attrs.get("RedrivePolicy", "{}"))
    c.check("queue redrives to the DLQ", redrive.get("deadLetterTargetArn") == dlq_attrs["QueueArn"], redrive)
    allow = json.loads(dlq_attrs.get("RedriveAllowPolicy", "{}"))
    c.check("DLQ admits only the queue as redrive source",
            allow.get("redrivePermission") == "byQueue" and allow.get("sourceQueueArns") == [queue_arn], allow)

    # Customer managed key (create_kms_key in e2e.tfvars.json): both queues use it,
    # and its policy admits the rule role through SQS only.
    if ctx.get("create_kms_key"):
        key_arn = attrs.get("KmsMasterKeyId", "")
        c.check("queue encrypted with a customer managed key of the destination account",
                key_arn.startswith(f"arn:aws:kms:{acc.destination_region}:{destination_account}:key/")
                and dlq_attrs.get("KmsMasterKeyId") == key_arn, (key_arn, dlq_attrs.get("KmsMasterKeyId")))
        if key_arn:
            key_policy = acc.destination("kms").get_key_policy(KeyId=key_arn, PolicyName="default")["Policy"]
            via_sqs = [
                s for s in statements(key_policy)
                if rule_role_arn in as_list(s.get("Condition", {}).get("ArnEquals", {}).get("aws:PrincipalArn", []))
                and s.get("Condition", {}).get("StringEquals", {}).get("kms:ViaService")
                == f"sqs.{acc.destination_region}.amazonaws.com"
            ]
            c.check("key policy admits the rule role, through SQS only", len(via_sqs) == 1, key_policy)
            kms_grant = [s for s in as_list(role_policy["Statement"]) if key_arn in as_list(s["Resource"])]
            c.check("rule role may use the queue's key", len(kms_grant) == 1, role_policy)

    # Topic rules (source account): each route's SQS action targets the destination queue.
    iot = acc.source("iot")
    routes = [{**ROUTE_DEFAULTS, **r} for r in ctx["routes"]]
    rule_names = output(ctx, "rule_names")
    c.check("one topic rule per route", sorted(rule_names) == sorted(r["name"] for r in routes), rule_names)
    for route in routes:
        rule = iot.get_topic_rule(ruleName=rule_names[route["name"]])["rule"]
        sqs_actions = [a["sqs"] for a in rule["actions"] if "sqs" in a]
        c.check(f"rule {rule['ruleName']}: SQS action -> destination queue with the rule role",
                len(sqs_actions) == 1 and sqs_actions[0]["queueUrl"] == queue_url
                and sqs_actions[0]["roleArn"] == rule_role_arn and not sqs_actions[0].get("useBase64", False),
                sqs_actions)
        c.check(f"rule {rule['ruleName']}: FROM '{route['source_filter']}', error action to CloudWatch Logs",
                f"FROM '{route['source_filter']}'" in rule["sql"] and "cloudwatchLogs" in rule.get("errorAction", {}),
                rule)

    # Function (destination account): BRIDGE_ROUTES equals the routes.
    lam = acc.destination("lambda")
    function_name = output(ctx, "function_name")
    env = lam.get_function_configuration(FunctionName=function_name)["Environment"]["Variables"]
    c.check("function BRIDGE_ROUTES equals the routes (defaults applied)",
            json.loads(env["BRIDGE_ROUTES"]) == routes, env["BRIDGE_ROUTES"])
    c.check("function BRIDGE_DLQ_URL is the DLQ", env.get("BRIDGE_DLQ_URL") == dlq_url, env.get("BRIDGE_DLQ_URL"))

    mappings = [m for m in lam.list_event_source_mappings()["EventSourceMappings"]
                if m["EventSourceArn"] == queue_arn]
    c.check("one event source mapping from the queue", len(mappings) == 1, mappings)
    for m in mappings:
        c.check("event source mapping reports batch item failures",
                "ReportBatchItemFailures" in m.get("FunctionResponseTypes", []), m.get("FunctionResponseTypes"))
        c.check("event source mapping invokes the function's alias 'live'",
                m["FunctionArn"].endswith(f":function:{function_name}:live"), m["FunctionArn"])


def check_empty(ctx: dict, c: Checks) -> None:
    acc = Accounts(ctx)
    for side, client in (("source", acc.source), ("destination", acc.destination)):
        def left(name: str, items: Callable[[], list]) -> None:
            found = items()
            c.check(f"{side}: no {name} left", not found, found)

        left("queues", lambda: client("sqs").list_queues().get("QueueUrls", []))
        left("functions", lambda: [f["FunctionName"] for f in client("lambda").list_functions()["Functions"]])
        left("event source mappings",
             lambda: [m["UUID"] for m in client("lambda").list_event_source_mappings()["EventSourceMappings"]])
        left("topic rules", lambda: [r["ruleName"] for r in client("iot").list_topic_rules()["rules"]])
        # The bootstrap's roles stay: they are set up once per pair of accounts, not by the root.
        kept = set(ctx.get("kept_roles", []))
        left("IAM roles", lambda: [r["RoleName"] for r in client("iam").list_roles()["Roles"]
                                   if not r["Path"].startswith("/aws-service-role/") and r["Arn"] not in kept])
        left("log groups", lambda: [g["logGroupName"] for g in client("logs").describe_log_groups()["logGroups"]])
        left("alarms", lambda: [a["AlarmName"] for a in client("cloudwatch").describe_alarms()["MetricAlarms"]])
        # AWS (and the emulator) keep a deleted key for its deletion window: a key
        # scheduled for deletion counts as gone, as do the keys AWS manages.
        left("usable KMS keys", lambda: [
            k["KeyId"] for k in client("kms").list_keys()["Keys"]
            if (meta := client("kms").describe_key(KeyId=k["KeyId"])["KeyMetadata"])["KeyState"] != "PendingDeletion"
            and meta.get("KeyManager") != "AWS"
        ])
        left("KMS aliases", lambda: [a["AliasName"] for a in client("kms").list_aliases()["Aliases"]
                                     if not a["AliasName"].startswith("alias/aws/")])


def main() -> int:
    mode, path = sys.argv[1], sys.argv[2]
    with open(path, encoding="utf-8") as f:
        ctx = json.load(f)
    c = Checks()
    {"wiring": check_wiring, "empty": check_empty}[mode](ctx, c)
    print(f"{mode}: {c.passed} passed, {c.failed} failed")
    return 1 if c.failed else 0


if __name__ == "__main__":
    sys.exit(main())
