"""Configuration checks: is every link between the two accounts what Terraform says it is?

Each check returns Results and never raises: an API error becomes a failed (or, where the API
itself is missing, warned) check naming the call, so one broken link does not hide the others.
"""
import json
from datetime import datetime, timedelta, timezone

from botocore.exceptions import BotoCoreError, ClientError

from . import queue_policy
from .report import FAIL, OK, SKIP, WARN, Result

SQL_VERSION = "2016-03-23"
ROUTE_DEFAULTS = {"condition": "", "strip_prefix": "", "add_prefix": "", "qos": 1, "retain": False}
NOT_IMPLEMENTED = ("NotImplemented", "NotImplementedException", "UnknownOperationException", "InvalidAction")


def normalised_routes(routes):
    """Routes with the defaults Terraform and the function apply, sorted by name (comparable)."""
    out = []
    for r in routes:
        full = {**ROUTE_DEFAULTS, **{k: v for k, v in r.items() if v is not None}}
        full["qos"] = int(full["qos"])
        out.append({k: full[k] for k in ["name", "source_filter", *ROUTE_DEFAULTS]})
    return sorted(out, key=lambda r: r["name"])


def destination_topic(route, source_topic):
    """docs/interfaces.md#routes: add_prefix + (source topic without strip_prefix)."""
    return route["add_prefix"] + source_topic[len(route["strip_prefix"]):]


def sample_topic(source_filter):
    """A concrete topic the filter matches ('+' → 'x', '#' → 'doctor'), to ask IAM about."""
    levels = ["x" if lv == "+" else "doctor" if lv == "#" else lv for lv in source_filter.split("/")]
    return "/".join(levels)


def api_error(e):
    if isinstance(e, ClientError):
        err = e.response.get("Error", {})
        return err.get("Code", "?"), err.get("Message", str(e))
    return type(e).__name__, str(e)


def failed_call(check, call, e, fix=""):
    code, msg = api_error(e)
    if code in ("AccessDenied", "AccessDeniedException", "UnauthorizedOperation"):
        fix = fix or f"allow {call} to the credentials doctor uses for this account"
    return Result(check, FAIL, f"{call}: {code}: {msg}", fix)


def diff_line(expected, actual):
    """The first line where two texts differ, for a short report."""
    e, a = expected.splitlines(), actual.splitlines()
    for i in range(max(len(e), len(a))):
        el = e[i] if i < len(e) else "<end>"
        al = a[i] if i < len(a) else "<end>"
        if el.strip() != al.strip() or (i >= len(e)) != (i >= len(a)):
            return f"line {i + 1}: deployed {al.strip()!r}, template renders {el.strip()!r}"
    return "whitespace differs"


def guarded(check, run):
    """Runs one check; an unexpected error fails that check instead of stopping doctor."""
    try:
        return run()
    except Exception as e:  # noqa: BLE001 - reported, with its type, as the check's failure
        first = (str(e).splitlines() or [""])[0][:200]
        return [Result(check, FAIL, f"could not be checked: {type(e).__name__}: {first}",
                       "see the error; the endpoint may not be an AWS API (--endpoint-url) or may be overloaded")]


class ConfigChecks:
    """The configuration checks of one deployment. `facts` collects what the canary diagnosis reuses."""

    def __init__(self, outputs, source, destination):
        self.o = outputs
        self.src = source
        self.dst = destination
        self.routes = normalised_routes(outputs["routes"])
        self.facts = {"rules": {}}

    def run(self):
        results = []
        results += guarded("credentials", self.identities)
        for route in self.routes:
            results += guarded(f"rule {route['name']}", lambda r=route: self.rule(r))
        results += guarded("rule role may send", self.rule_role_may_send)
        results += guarded("queue policy admits rule role", self.queue_policy)
        mapping = guarded("event source mapping", lambda: self.event_source_mapping()[0])
        qualifier = self.facts.get("qualifier")
        results += mapping
        config = {}
        results += guarded("function BRIDGE_ROUTES", lambda: self.remember_config(config, *self.function_routes(qualifier)))
        results += guarded("function may publish", lambda: self.function_may_publish(config.get("value")))
        results += guarded("queues", self.queue_depths)
        return results

    @staticmethod
    def remember_config(holder, results, config):
        holder["value"] = config
        return results

    # ---------------------------------------------------------- identities

    def identities(self):
        out = []
        for acct in (self.src, self.dst):
            check = f"{acct.name} credentials"
            if acct.lacks("sts"):
                out.append(Result(check, SKIP, f"skipped: {acct.lacks('sts')}"))
                continue
            expected = self.o[acct.name].get("account_id")
            try:
                ident = acct.client("sts").get_caller_identity()
            except (ClientError, BotoCoreError) as e:
                out.append(failed_call(check, "sts:GetCallerIdentity", e,
                                       f"give doctor credentials for the {acct.name} account "
                                       f"(--{acct.name}-profile or --{acct.name}-role-arn)"))
                continue
            if expected and ident["Account"] != expected:
                out.append(Result(check, FAIL, f"{ident['Arn']} is in account {ident['Account']}, but the "
                                  f"{acct.name} side was deployed to {expected}",
                                  f"pass --{acct.name}-profile/--{acct.name}-role-arn of account {expected}"))
            else:
                out.append(Result(check, OK, f"{ident['Arn']} ({acct.region})"))
        return out

    # ---------------------------------------------------------------- rules

    def rule(self, route):
        name = route["name"]
        rule_name = self.o["source"]["rule_names"].get(name)
        if rule_name is None:
            return [Result(f"rule {name}", FAIL, "the Terraform outputs name no rule for this route",
                           "terraform apply (the outputs are older than the routes)")]
        try:
            rule = self.src.client("iot").get_topic_rule(ruleName=rule_name)["rule"]
        except ClientError as e:
            code, _ = api_error(e)
            self.facts["rules"][name] = "missing"
            if code in ("UnauthorizedException", "ResourceNotFoundException"):
                return [Result(f"rule {name}", FAIL, f"topic rule {rule_name} does not exist in the source account "
                               "(IoT answers UnauthorizedException also when these credentials may not read it)",
                               "terraform apply; or allow iot:GetTopicRule to doctor's source credentials")]
            return [failed_call(f"rule {name}", "iot:GetTopicRule", e)]
        except BotoCoreError as e:
            return [failed_call(f"rule {name}", "iot:GetTopicRule", e)]
        out = []
        if rule.get("ruleDisabled"):
            self.facts["rules"][name] = "disabled"
            out.append(Result(f"rule {name} enabled", FAIL, f"topic rule {rule_name} is disabled: nothing crosses",
                              f"aws iot enable-topic-rule --rule-name {rule_name} (source account), or terraform apply"))
        else:
            self.facts["rules"][name] = "enabled"
            out.append(Result(f"rule {name} enabled", OK, rule_name))
        expected = self.o["source"]["rule_sql"].get(name, "")
        actual = rule.get("sql", "")
        version = rule.get("awsIotSqlVersion")
        if actual.strip() != expected.strip():
            out.append(Result(f"rule {name} SQL", FAIL, "differs from the rendered template: " + diff_line(expected, actual),
                              "terraform apply (someone edited the rule, or the outputs are from another version)"))
        elif version != SQL_VERSION:
            out.append(Result(f"rule {name} SQL", FAIL, f"SQL version {version}, the template needs {SQL_VERSION}",
                              "terraform apply"))
        else:
            out.append(Result(f"rule {name} SQL", OK, f"equals the rendered template ({len(expected.splitlines())} lines, "
                                                       f"SQL {SQL_VERSION})"))
        out.append(self.rule_action(name, rule))
        return out

    def rule_action(self, name, rule):
        queue_url, role = self.o["destination"]["queue_url"], self.o["source"]["rule_role_arn"]
        sqs = [a["sqs"] for a in rule.get("actions", []) if "sqs" in a]
        check = f"rule {name} SQS action"
        if not sqs:
            return Result(check, FAIL, "the rule has no SQS action", "terraform apply")
        a = sqs[0]
        problems = []
        if a.get("queueUrl") != queue_url:
            problems.append(f"sends to {a.get('queueUrl')}, not the bridge queue {queue_url}")
        if a.get("roleArn") != role:
            problems.append(f"uses role {a.get('roleArn')}, not the rule role {role}")
        if a.get("useBase64"):
            problems.append("useBase64 is on: the function expects the JSON envelope")
        if problems:
            return Result(check, FAIL, "; ".join(problems), "terraform apply")
        detail = f"→ {queue_url} as {role.split('/')[-1]}"
        if not rule.get("errorAction") and not self.src.lacks("logs"):
            return Result(check, WARN, detail + "; no error action: failed sends leave no trace",
                          "terraform apply (the source module adds a CloudWatch Logs error action)")
        return Result(check, OK, detail)

    def rule_role_may_send(self):
        check = "rule role may send"
        role, queue_arn = self.o["source"]["rule_role_arn"], self.o["destination"]["queue_arn"]
        return [self.simulate(self.src, check, role, ["sqs:SendMessage"], [queue_arn],
                              "terraform apply (source module: the rule role's policy allows sqs:SendMessage on the queue)")]

    # ----------------------------------------------------------- the queue

    def queue_policy(self):
        check = "queue policy admits rule role"
        d = self.o["destination"]
        try:
            attrs = self.dst.client("sqs").get_queue_attributes(QueueUrl=d["queue_url"], AttributeNames=["Policy"])
        except (ClientError, BotoCoreError) as e:
            self.facts["queue_policy"] = "unknown"
            return [failed_call(check, "sqs:GetQueueAttributes", e)]
        role = self.o["source"]["rule_role_arn"]
        reason = queue_policy.send_denied_reason(attrs.get("Attributes", {}).get("Policy"), role, d["queue_arn"])
        if reason:
            self.facts["queue_policy"] = reason
            return [Result(check, FAIL, f"{reason}: the rules' SendMessage is refused",
                           f"terraform apply (destination module: `sources` must list the rule role {role})")]
        self.facts["queue_policy"] = "ok"
        return [Result(check, OK, f"sqs:SendMessage allowed for {role}")]

    # ------------------------------------------------------------ Lambda

    def event_source_mapping(self):
        check = "event source mapping"
        d = self.o["destination"]
        try:
            mappings = self.dst.client("lambda").list_event_source_mappings(EventSourceArn=d["queue_arn"])["EventSourceMappings"]
        except (ClientError, BotoCoreError) as e:
            return [failed_call(check, "lambda:ListEventSourceMappings", e)], None, None
        ours = [m for m in mappings if m.get("FunctionArn", "").split(":function:")[-1].split(":")[0] == d["function_name"]]
        if not ours:
            self.facts["mapping"] = "missing"
            return [Result(check, FAIL, f"no event source mapping from the queue to {d['function_name']}",
                           "terraform apply")], None, None
        m = ours[0]
        arn_parts = m["FunctionArn"].split(":function:")[-1].split(":")
        qualifier = arn_parts[1] if len(arn_parts) > 1 else None
        self.facts["qualifier"] = qualifier
        problems = []
        if m.get("State") not in ("Enabled", "Enabling", "Updating"):
            problems.append(f"state {m.get('State')}: the queue is not read")
        if "ReportBatchItemFailures" not in (m.get("FunctionResponseTypes") or []):
            problems.append("without ReportBatchItemFailures: a partial failure retries (duplicates) the whole batch")
        self.facts["mapping"] = "; ".join(problems) or "ok"
        if problems:
            fix = (f"aws lambda update-event-source-mapping --uuid {m['UUID']} --enabled "
                   "--function-response-types ReportBatchItemFailures (destination account), or terraform apply")
            return [Result(check, FAIL, "; ".join(problems), fix)], m, qualifier
        target = d["function_name"] + (f":{qualifier}" if qualifier else "")
        return [Result(check, OK, f"{m.get('State')}, ReportBatchItemFailures, batch {m.get('BatchSize')} → {target}")], m, qualifier

    def function_routes(self, qualifier):
        check = "function BRIDGE_ROUTES"
        name = self.o["destination"]["function_name"]
        args = {"FunctionName": name, **({"Qualifier": qualifier} if qualifier else {})}
        try:
            config = self.dst.client("lambda").get_function_configuration(**args)
        except (ClientError, BotoCoreError) as e:
            return [failed_call(check, "lambda:GetFunctionConfiguration", e)], None
        raw = ((config.get("Environment") or {}).get("Variables") or {}).get("BRIDGE_ROUTES")
        where = f"{name}" + (f":{qualifier} (the version the mapping invokes)" if qualifier else "")
        if raw is None:
            self.facts["function_routes"] = "missing"
            return [Result(check, FAIL, f"{where} has no BRIDGE_ROUTES", "terraform apply")], config
        try:
            deployed = normalised_routes(json.loads(raw))
        except (ValueError, TypeError, AttributeError, KeyError) as e:
            self.facts["function_routes"] = "invalid"
            return [Result(check, FAIL, f"{where}: BRIDGE_ROUTES is not a route list: {e}", "terraform apply")], config
        if deployed == self.routes:
            self.facts["function_routes"] = "ok"
            return [Result(check, OK, f"{where}: the {len(deployed)} route(s) of the outputs "
                                      f"({', '.join(r['name'] for r in deployed)})")], config
        want = {r["name"]: r for r in self.routes}
        have = {r["name"]: r for r in deployed}
        problems = [f"missing {n}" for n in want if n not in have]
        problems += [f"extra {n}" for n in have if n not in want]
        for n in want.keys() & have.keys():
            changed = [k for k in want[n] if want[n][k] != have[n][k]]
            if changed:
                problems.append(f"{n} differs in " + ", ".join(f"{k} ({have[n][k]!r} ≠ {want[n][k]!r})" for k in changed))
        self.facts["function_routes"] = "; ".join(problems)
        return [Result(check, FAIL, f"{where}: " + "; ".join(problems),
                       "terraform apply (the function's routes must equal the rules' routes)")], config

    def function_may_publish(self, config):
        check = "function may publish"
        if config is None:
            return [Result(check, SKIP, "skipped: the function's configuration could not be read")]
        role = config.get("Role")
        account = config.get("FunctionArn", "").split(":")[4] if config.get("FunctionArn") else ""
        prefix = f"arn:aws:iot:{self.dst.region}:{account}:topic/"
        results = []
        for route in self.routes:
            topic = destination_topic(route, sample_topic(route["source_filter"]))
            actions = ["iot:Publish"] + (["iot:RetainPublish"] if route["retain"] else [])
            results.append(self.simulate(self.dst, f"{check} ({route['name']})", role, actions, [prefix + topic],
                                         "terraform apply (destination module: the function role may publish the "
                                         "routes' destination topics)", topic))
        return results

    def simulate(self, acct, check, principal, actions, resources, fix, label=None):
        """IAM policy simulation of a role; a warning where the API is missing, never a guess."""
        if acct.lacks("iam"):
            return Result(check, SKIP, f"skipped: {acct.lacks('iam')}")
        try:
            res = acct.client("iam").simulate_principal_policy(
                PolicySourceArn=principal, ActionNames=actions, ResourceArns=resources)["EvaluationResults"]
        except ClientError as e:
            code, msg = api_error(e)
            if code in NOT_IMPLEMENTED or "not yet implemented" in msg.lower():
                return Result(check, WARN, f"not checked: iam:SimulatePrincipalPolicy is not available here ({code})")
            return Result(check, WARN, f"not checked: iam:SimulatePrincipalPolicy: {code}: {msg}",
                          "allow iam:SimulatePrincipalPolicy to doctor's credentials to check this")
        except Exception as e:  # an emulator without the API answers e.g. an HTML 500 (botocore ResponseParserError)
            return Result(check, WARN, f"not checked: iam:SimulatePrincipalPolicy is not available here ({type(e).__name__})")
        denied = [f"{r['EvalActionName']} {r['EvalDecision']}" for r in res if r.get("EvalDecision") != "allowed"]
        what = label or ", ".join(r.split(":", 5)[-1] for r in resources)
        if denied:
            return Result(check, FAIL, f"{principal.split('/')[-1]} on {what}: " + ", ".join(denied), fix)
        return Result(check, OK, f"{principal.split('/')[-1]}: {', '.join(actions)} on {what} allowed")

    # ---------------------------------------------------------- depths

    def queue_depths(self):
        d = self.o["destination"]
        out = []
        for check, url in (("bridge queue", d["queue_url"]), ("DLQ", d["dlq_url"])):
            try:
                a = self.dst.client("sqs").get_queue_attributes(
                    QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])["Attributes"]
            except (ClientError, BotoCoreError) as e:
                out.append(failed_call(check, "sqs:GetQueueAttributes", e))
                continue
            visible = int(a.get("ApproximateNumberOfMessages", 0))
            in_flight = int(a.get("ApproximateNumberOfMessagesNotVisible", 0))
            self.facts[check] = visible + in_flight
            age, age_text = self.oldest_age(url)
            detail = f"{visible} waiting, {in_flight} in flight; oldest message {age_text}"
            if check == "DLQ" and visible + in_flight > 0:
                out.append(Result(check, WARN, detail, "list it by BridgeErrorCode (make redrive), fix the cause, then "
                                  "move those codes back (make redrive ARGS=\"--codes CODE --apply\")"))
            elif check == "bridge queue" and age is not None and age > 300:
                out.append(Result(check, WARN, detail, "the function is failing, throttled or too slow: see its "
                                  "log group and the event source mapping"))
            else:
                out.append(Result(check, OK, detail))
        return out

    def oldest_age(self, url):
        """ApproximateAgeOfOldestMessage (CloudWatch, last 15 min) in seconds, and how to print it."""
        if self.dst.lacks("cloudwatch"):
            return None, "age unknown (no CloudWatch metrics here)"
        now = datetime.now(timezone.utc)
        try:
            points = self.dst.client("cloudwatch").get_metric_statistics(
                Namespace="AWS/SQS", MetricName="ApproximateAgeOfOldestMessage",
                Dimensions=[{"Name": "QueueName", "Value": url.rstrip("/").split("/")[-1]}],
                StartTime=now - timedelta(minutes=15), EndTime=now, Period=300, Statistics=["Maximum"])["Datapoints"]
        except (ClientError, BotoCoreError) as e:
            return None, f"age unknown (cloudwatch:GetMetricStatistics: {api_error(e)[0]})"
        if not points:
            return None, "age: no datapoint in the last 15 min"
        age = max(points, key=lambda p: p["Timestamp"])["Maximum"]
        return age, f"{age:.0f} s old (CloudWatch, 5-min maximum)"

