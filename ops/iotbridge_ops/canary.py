"""The canary: one message with a unique id published in the source account on the canary route,
read back in the destination account with GetRetainedMessage (the route retains it), compared
byte for byte, then cleared (an empty retained publish) so that nothing stays behind. A canary
that does not arrive names the hop to look at."""
import json
import time
import uuid

from botocore.exceptions import BotoCoreError, ClientError

from .checks import api_error
from .report import FAIL, OK, SKIP, WARN, Result

CANARY_PROPERTY = "iot-bridge-canary"
HOP_PROPERTY = "iot-bridge-hop"


def iot_data(acct):
    """The account's iot-data client: the endpoint override, else its iot:Data-ATS endpoint."""
    if "iot-data" not in acct.endpoints:
        host = acct.client("iot").describe_endpoint(endpointType="iot:Data-ATS")["endpointAddress"]
        acct.endpoints["iot-data"] = f"https://{host}"
    return acct.client("iot-data")


class Canary:
    # every GetRetainedMessage call is metered: poll once a second, not faster
    def __init__(self, outputs, source, destination, facts, timeout=60.0, poll=1.0):
        self.o = outputs
        self.src = source
        self.dst = destination
        self.facts = facts
        self.timeout = timeout
        self.poll = poll

    def run(self):
        c = self.o.get("canary")
        if not c:
            return [Result("canary", WARN, "not run: the deployment has no canary route",
                           "set canary = true in terraform.tfvars and terraform apply (adds the retained QoS 1 route "
                           "of terraform/canary-route.json)")]
        route = next((r for r in self.o["routes"] if r["name"] == c["route"]), None)
        run_id = uuid.uuid4().hex
        sent_at = int(time.time() * 1000)
        payload = json.dumps({"canary": run_id, "sentAt": sent_at, "from": "iot-bridge doctor"}).encode()
        props = [{CANARY_PROPERTY: run_id}]
        try:
            pub = iot_data(self.src)
            t0 = time.monotonic()
            pub.publish(topic=c["source_topic"], qos=1, retain=False, payload=payload,
                        userProperties=props)  # botocore JSON- and base64-encodes this header value
        except (ClientError, BotoCoreError) as e:
            code, msg = api_error(e)
            return [Result("canary publish", FAIL, f"iot-data Publish on {c['source_topic']} (source): {code}: {msg}",
                           "allow iot:Publish on the canary topic to doctor's source credentials")]
        reader = iot_data(self.dst)
        seen, last_error = None, None
        while time.monotonic() - t0 < self.timeout:
            try:
                got = reader.get_retained_message(topic=c["destination_topic"])
                if run_id.encode() in got["payload"]:
                    seen = (got, time.monotonic())
                    break
            except ClientError as e:
                code, msg = api_error(e)
                if code != "ResourceNotFoundException":
                    last_error = f"{code}: {msg}"
            except BotoCoreError as e:
                last_error = str(e)
            time.sleep(self.poll)
        if seen is None:
            return [self.lost(c, last_error, sent_at)]
        got, t1 = seen
        return [self.arrived(c, route, got, payload, run_id, sent_at, (t1 - t0) * 1000), self.clear(reader, c)]

    def clear(self, reader, c):
        """Deletes the retained canary: a retained publish with an empty payload (Publish API, `retain`)."""
        try:
            reader.publish(topic=c["destination_topic"], qos=1, retain=True, payload=b"")
        except (ClientError, BotoCoreError) as e:
            code, msg = api_error(e)
            return Result("canary clean-up", WARN, f"the retained canary on {c['destination_topic']} was not cleared: "
                                                   f"{code}: {msg}",
                          "allow iot:Publish and iot:RetainPublish on the canary topic to doctor's destination "
                          "credentials, or clear it: aws iot-data publish --retain --topic " + c["destination_topic"])
        return Result("canary clean-up", OK, f"retained canary on {c['destination_topic']} cleared (empty retained publish)")

    def arrived(self, c, route, got, payload, run_id, sent_at, polled_ms):
        problems = []
        if got["payload"] != payload:
            problems.append(f"payload differs ({len(got['payload'])} bytes arrived, {len(payload)} sent)")
        props = json.loads(got.get("userProperties") or b"[]")
        flat = [(k, v) for p in props for k, v in p.items()]
        if (CANARY_PROPERTY, run_id) not in flat:
            problems.append(f"user property {CANARY_PROPERTY} lost")
        if (HOP_PROPERTY, c["route"]) not in flat:
            problems.append(f"no {HOP_PROPERTY}={c['route']} user property (loop prevention)")
        if route and got.get("qos") != route.get("qos", 1):
            problems.append(f"qos {got.get('qos')}, the route says {route.get('qos', 1)}")
        modified = got.get("lastModifiedTime")
        latency = f"{polled_ms:.0f} ms to seen by GetRetainedMessage (poll every {self.poll:g} s)"
        if modified and modified >= sent_at - 5000:
            latency = f"{modified - sent_at} ms publish → stored in the destination (lastModifiedTime); " + latency
        if problems:
            return Result("canary", FAIL, f"{c['source_topic']} → {c['destination_topic']} arrived but " + "; ".join(problems),
                          "compare the function's BRIDGE_ROUTES and version with this repository's")
        return Result("canary", OK, f"{c['source_topic']} → {c['destination_topic']}: same {len(payload)} bytes, user "
                                    f"properties {CANARY_PROPERTY} and {HOP_PROPERTY}; {latency}")

    def lost(self, c, last_error, sent_at):
        """Names the first hop with evidence of the loss."""
        hop, evidence = self.diagnose(c, sent_at)
        detail = f"{c['source_topic']} → {c['destination_topic']} did not arrive within {self.timeout:g} s"
        if last_error:
            detail += f" (GetRetainedMessage: {last_error})"
        return Result("canary", FAIL, f"{detail}; look at the {hop}: {evidence}", FIX[hop])

    def diagnose(self, c, sent_at):
        f = self.facts
        rule_state = f.get("rules", {}).get(c["route"])
        if rule_state in ("missing", "disabled"):
            return "rule", f"topic rule of route {c['route']} is {rule_state}"
        if f.get("queue_policy") not in (None, "ok", "unknown"):
            return "queue policy", f["queue_policy"]
        errors = self.log_events(self.src, self.o["source"].get("error_log_group"), sent_at)
        if errors:
            return "rule error log", f"{len(errors)} entr{'y' if len(errors) == 1 else 'ies'} since the publish, first: {errors[0][:300]}"
        depth = self.depth(self.o["destination"]["queue_url"])
        if f.get("mapping") not in (None, "ok"):
            return "event source mapping", f"{f['mapping']}; {depth} message(s) in the bridge queue"
        if f.get("function_routes") not in (None, "ok"):
            return "function routes", f"BRIDGE_ROUTES {f['function_routes']}"
        if depth:
            return "function", f"{depth} message(s) still in the bridge queue: the function is not consuming or keeps failing"
        codes = self.dlq_codes(sent_at)
        if codes:
            return "DLQ", "quarantined since the publish: " + ", ".join(codes)
        errors = self.log_events(self.dst, self.o["destination"].get("function_log_group"), sent_at, '"canary"')
        if errors:
            return "function log", errors[-1][:300]
        return "function log", ("nothing in the queue or DLQ: the rule may not have matched (publish topic, WHERE), "
                                "or the function published elsewhere; " + (self.dst.lacks("logs") or "read the function log"))

    def depth(self, url):
        try:
            a = self.dst.client("sqs").get_queue_attributes(
                QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])["Attributes"]
            return int(a.get("ApproximateNumberOfMessages", 0)) + int(a.get("ApproximateNumberOfMessagesNotVisible", 0))
        except (ClientError, BotoCoreError):
            return 0

    def dlq_codes(self, sent_at):
        """BridgeErrorCode of DLQ messages sent since the canary (a peek: visibility timeout 0)."""
        try:
            msgs = self.dst.client("sqs").receive_message(
                QueueUrl=self.o["destination"]["dlq_url"], MaxNumberOfMessages=10, VisibilityTimeout=0, WaitTimeSeconds=0,
                MessageAttributeNames=["All"], MessageSystemAttributeNames=["SentTimestamp"]).get("Messages", [])
        except (ClientError, BotoCoreError):
            return []
        codes = []
        for m in msgs:
            if int(m.get("Attributes", {}).get("SentTimestamp", 0)) < sent_at - 5000:
                continue
            attr = m.get("MessageAttributes", {}).get("BridgeErrorCode", {})
            codes.append(attr.get("StringValue", "(no code: redriven after maxReceiveCount)"))
        return codes

    def log_events(self, acct, group, since_ms, pattern=""):
        if not group or acct.lacks("logs"):
            return []
        try:
            events = acct.client("logs").filter_log_events(
                logGroupName=group, startTime=since_ms - 5000, filterPattern=pattern, limit=20).get("events", [])
        except (ClientError, BotoCoreError):
            return []
        return [e["message"].strip() for e in events]


FIX = {
    "rule": "enable or create the canary route's topic rule: terraform apply",
    "queue policy": "terraform apply (the queue policy must admit the rule role)",
    "rule error log": "the rule could not send to the queue: check the queue policy, the rule role and the KMS key",
    "event source mapping": "enable the event source mapping with ReportBatchItemFailures: terraform apply",
    "function routes": "terraform apply (the function's BRIDGE_ROUTES must include the canary route)",
    "function": "read the function log group and its Errors/Throttles metrics",
    "DLQ": "read BridgeErrorCode/BridgeErrorDetail of the DLQ messages (make redrive ARGS=-v lists them)",
    "function log": "read the function log: outcome and errorCode of the canary record",
}


def skipped(reason):
    return Result("canary", SKIP, f"skipped: {reason}")
