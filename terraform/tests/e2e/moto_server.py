"""moto server for the Terraform emulator run (terraform/tests/e2e/run.sh).

Starts moto's own server (`moto_server`) after filling the gaps of the emulator
that the AWS provider runs into. Each is an emulator limitation, not a module
problem: AWS behaves as the provider expects, so the modules stay as they are.
Without 1, 2 and the SqsManagedSseEnabled part of 3 the apply never finishes;
without the rest the plan after the apply is never empty.

1. IoT tagging. moto has no iot:ListTagsForResource, TagResource or
   UntagResource ("The list_tags_for_resource action has not been implemented",
   HTTP 500). The provider reads a topic rule's tags after creating it and
   retries the 500 until its timeout, so every aws_iot_topic_rule would hang.
   Added here: an in-memory tag store, filled from CreateTopicRule's
   x-amz-tagging header (how the provider sends tags on create) and from
   TagResource/UntagResource.
2. SQS RedriveAllowPolicy. moto stores the attribute on SetQueueAttributes but
   never returns it from GetQueueAttributes and refuses it as an attribute name,
   so aws_sqs_queue_redrive_allow_policy waits forever for the value it set to
   appear. Added here: the attribute is returned like the others.
3. SQS queue policy. moto clears a queue's Policy on every SetQueueAttributes
   call that does not carry one (AWS keeps it), so setting the DLQ's
   RedriveAllowPolicy dropped the DLQ policy. Fixed here: Policy is only
   changed when the call sets it. moto also returns RedrivePolicy with spaces
   (json.dumps), and SqsManagedSseEnabled "true" on a queue encrypted with a
   KMS key; AWS returns compact JSON and "false" (the two are exclusive), as
   returned here.
4. Lambda LoggingConfig and SnapStart. moto ignores both: it never returns
   LoggingConfig (AWS always does, default {LogFormat: Text, LogGroup:
   /aws/lambda/NAME}) and always returns SnapStart ApplyOn None (the JVM runtime
   sets PublishedVersions). Stored and returned here.
5. Event source mapping on an alias. moto resolves an alias ARN to the version
   ARN in FunctionArn; AWS returns the alias ARN it was given, as returned here.
6. iot:DescribeEndpoint. moto invents a new random endpoint on every call; AWS
   returns one per account and region, as returned here.

1 and 2 are only added when the installed moto lacks the call; 3-6 change moto's
behaviour and were written against the version run.sh pins (MOTO_VERSION).

With E2E_CALL_LOG set, every API call is also appended to that file as one JSON
line: caller (access key and the role it belongs to), account, region, signing
service, operation, the request's parameters (long values cut) and the HTTP
status. terraform/tests/e2e/iam_calls.py turns these into IAM actions on
resources and checks them against the deploy and plan roles' policies (iamlive
would do the recording, but the Go module proxy here does not serve it).

Usage: python moto_server.py HOST PORT
"""

import json
import os
import re
import sys
from urllib.parse import parse_qsl


def add_iot_tagging() -> list[str]:
    from moto.core.responses import ActionResult, EmptyResult
    from moto.iot.responses import IoTResponse

    if hasattr(IoTResponse, "list_tags_for_resource"):
        return []

    tags_by_arn: dict[str, dict[str, str]] = {}

    def rule_arn(response: IoTResponse, rule_name: str) -> str:
        return f"arn:aws:iot:{response.region}:{response.current_account}:rule/{rule_name}"

    original_create = IoTResponse.create_topic_rule
    original_delete = IoTResponse.delete_topic_rule

    def create_topic_rule(self: IoTResponse) -> ActionResult:
        result = original_create(self)
        header = self.headers.get("x-amz-tagging")
        if header:
            tags_by_arn[rule_arn(self, self._get_param("ruleName"))] = dict(parse_qsl(header))
        return result

    def delete_topic_rule(self: IoTResponse) -> ActionResult:
        result = original_delete(self)
        tags_by_arn.pop(rule_arn(self, self._get_param("ruleName")), None)
        return result

    def list_tags_for_resource(self: IoTResponse) -> ActionResult:
        tags = tags_by_arn.get(self._get_param("resourceArn"), {})
        return ActionResult({"tags": [{"Key": k, "Value": v} for k, v in sorted(tags.items())]})

    def tag_resource(self: IoTResponse) -> ActionResult:
        tags = tags_by_arn.setdefault(self._get_param("resourceArn"), {})
        tags.update({t["Key"]: t.get("Value", "") for t in self._get_param("tags") or []})
        return EmptyResult()

    def untag_resource(self: IoTResponse) -> ActionResult:
        tags = tags_by_arn.setdefault(self._get_param("resourceArn"), {})
        keys = self._get_param("tagKeys") or self.querystring.get("tagKeys", [])
        for key in keys:
            tags.pop(key, None)
        return EmptyResult()

    IoTResponse.create_topic_rule = create_topic_rule
    IoTResponse.delete_topic_rule = delete_topic_rule
    IoTResponse.list_tags_for_resource = list_tags_for_resource
    IoTResponse.tag_resource = tag_resource
    IoTResponse.untag_resource = untag_resource
    return ["iot:ListTagsForResource/TagResource/UntagResource (in-memory tags for topic rules)"]


def add_sqs_redrive_allow_policy() -> list[str]:
    from moto.sqs.models import Queue

    if "RedriveAllowPolicy" in Queue.BASE_ATTRIBUTES:
        return []

    Queue.BASE_ATTRIBUTES = [*Queue.BASE_ATTRIBUTES, "RedriveAllowPolicy"]
    Queue.redrive_allow_policy = None  # queues that never had it set
    original_attributes = Queue.attributes.fget

    def attributes(self: Queue) -> dict:
        result = original_attributes(self)
        value = result.get("RedriveAllowPolicy")
        if not value:  # never set, or removed by setting "" (as AWS does)
            result.pop("RedriveAllowPolicy", None)
        elif not isinstance(value, str):
            result["RedriveAllowPolicy"] = json.dumps(value)
        return result

    Queue.attributes = property(attributes)
    return ["sqs:GetQueueAttributes RedriveAllowPolicy (stored by moto, now returned)"]


def keep_sqs_policy_and_compact_redrive_policy() -> list[str]:
    from moto.sqs.models import Queue

    original_set = Queue._set_attributes
    original_attributes = Queue.attributes.fget

    def _set_attributes(self: Queue, attributes: dict, now: float | None = None) -> None:
        kept = getattr(self, "policy", None)
        original_set(self, attributes, now)
        if "Policy" not in attributes:
            self.policy = kept

    def attributes(self: Queue) -> dict:
        result = original_attributes(self)
        if result.get("KmsMasterKeyId"):
            result["SqsManagedSseEnabled"] = "false"
        if isinstance(result.get("RedrivePolicy"), str):
            result["RedrivePolicy"] = json.dumps(json.loads(result["RedrivePolicy"]), separators=(",", ":"))
        return result

    Queue._set_attributes = _set_attributes
    Queue.attributes = property(attributes)
    return ["sqs:SetQueueAttributes keeps Policy; RedrivePolicy compact; SqsManagedSseEnabled false with a KMS key"]


def add_lambda_logging_config_and_snap_start() -> list[str]:
    from moto.awslambda.models import LambdaFunction

    original_init = LambdaFunction.__init__
    original_update = LambdaFunction.update_configuration
    original_get = LambdaFunction.get_configuration

    def __init__(self: LambdaFunction, *args, **kwargs) -> None:
        original_init(self, *args, **kwargs)
        spec = kwargs.get("spec", args[1] if len(args) > 1 else {})
        self.e2e_logging_config = spec.get("LoggingConfig")
        self.e2e_snap_start = spec.get("SnapStart")

    def update_configuration(self: LambdaFunction, config_updates: dict) -> dict:
        if config_updates.get("LoggingConfig"):
            self.e2e_logging_config = config_updates["LoggingConfig"]
        if config_updates.get("SnapStart"):
            self.e2e_snap_start = config_updates["SnapStart"]
        return original_update(self, config_updates)

    def get_configuration(self: LambdaFunction, *args, **kwargs) -> dict:
        config = original_get(self, *args, **kwargs)
        if "LoggingConfig" not in config:
            logging = {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{self.function_name}"}
            logging.update(getattr(self, "e2e_logging_config", None) or {})
            config["LoggingConfig"] = logging
        snap_start = getattr(self, "e2e_snap_start", None)
        if snap_start and snap_start.get("ApplyOn"):
            config["SnapStart"] = {"ApplyOn": snap_start["ApplyOn"], "OptimizationStatus": "Off"}
        return config

    LambdaFunction.__init__ = __init__
    LambdaFunction.update_configuration = update_configuration
    LambdaFunction.get_configuration = get_configuration
    return ["lambda LoggingConfig and SnapStart stored and returned"]


def keep_event_source_mapping_alias() -> list[str]:
    from moto.awslambda.models import LambdaBackend

    original_create = LambdaBackend.create_event_source_mapping
    original_update = LambdaBackend.update_event_source_mapping
    alias_arn = re.compile(r"^arn:[^:]+:lambda:[^:]+:[0-9]{12}:function:[^:]+:[A-Za-z_][A-Za-z0-9_-]*$")

    def create_event_source_mapping(self: LambdaBackend, spec: dict):
        requested = spec.get("FunctionName", "")
        esm = original_create(self, spec)
        if alias_arn.match(requested):
            esm.function_arn = requested
        return esm

    def update_event_source_mapping(self: LambdaBackend, uuid: str, spec: dict):
        requested = spec.get("FunctionName", "")
        esm = original_update(self, uuid, spec)
        if esm is not None and alias_arn.match(requested):
            esm.function_arn = requested
        return esm

    LambdaBackend.create_event_source_mapping = create_event_source_mapping
    LambdaBackend.update_event_source_mapping = update_event_source_mapping
    return ["lambda event source mapping keeps the alias ARN it was given"]


def stable_iot_endpoint() -> list[str]:
    from moto.iot.models import IoTBackend

    original = IoTBackend.describe_endpoint

    def describe_endpoint(self: IoTBackend, endpoint_type: str):
        cache = self.__dict__.setdefault("e2e_endpoints", {})
        if endpoint_type not in cache:
            cache[endpoint_type] = original(self, endpoint_type)
        self.endpoint = cache[endpoint_type]
        return self.endpoint

    IoTBackend.describe_endpoint = describe_endpoint
    return ["iot:DescribeEndpoint returns one endpoint per account and region"]


NOT_PARAMETERS = {"host", "user-agent", "authorization", "accept-encoding", "content-type", "content-length",
                  "accept", "connection", "action", "version"}


def record_calls(path: str) -> list[str]:
    """Append one JSON line per API call to PATH (see the module docstring)."""
    import threading
    from urllib.parse import parse_qs, unquote

    from moto.core.responses import BaseResponse
    from moto.iam.models import iam_backends

    lock = threading.Lock()
    original_call_action = BaseResponse.call_action

    def short(value):
        # function zips and policies travel in the request: keep policies, drop blobs
        if isinstance(value, str) and len(value) > 20000:
            return value[:200] + "...(cut)"
        if isinstance(value, dict):
            return {k: short(v) for k, v in value.items()}
        if isinstance(value, list):
            return [short(v) for v in value]
        return value

    def caller(response: BaseResponse) -> dict:
        auth = response.headers.get("Authorization", "")
        match = re.search(r"Credential=([^/]+)/[^/]+/([^/]+)/([^/]+)/", auth)
        if not match:
            return {"access_key": None, "signing_service": None, "role_arn": None}
        key, _, service = match.groups()
        role_arn = None
        for account in list(iam_backends.values()):
            found = account["aws"].access_keys.get(key)
            if found is not None:
                role_arn = getattr(found, "role_arn", None)
                break
        return {"access_key": key, "signing_service": service, "role_arn": role_arn}

    def params(response: BaseResponse) -> dict:
        found: dict = {}
        for name, values in (response.querystring or {}).items():
            found[name] = values[0] if isinstance(values, list) and len(values) == 1 else values
        body = response.body
        if isinstance(body, bytes):
            body = body.decode("utf-8", "replace")
        if body and body.lstrip().startswith("{"):
            try:
                found.update(json.loads(body))
            except ValueError:
                pass
        elif body and "=" in body and not found:
            found.update({k: v[0] if len(v) == 1 else v for k, v in parse_qs(body).items()})
        uri_match = getattr(response, "uri_match", None)
        if uri_match is not None:
            found.update({k: unquote(v) for k, v in uri_match.groupdict().items() if v is not None})
        # moto copies request headers and the raw JSON body into its querystring: not parameters
        found = {k: v for k, v in found.items() if not k.startswith("{") and k.lower() not in NOT_PARAMETERS
                 and not k.lower().startswith(("x-amz-", "amz-sdk-"))}
        if response.headers.get("x-amz-tagging"):  # tags of iot:CreateTopicRule
            found["x-amz-tagging"] = response.headers["x-amz-tagging"]
        return short(found)

    def mapping_function(response: BaseResponse, record: dict) -> None:
        # Lambda authorizes calls on an event source mapping with the lambda:FunctionArn of
        # the function it invokes, which the request (only the UUID) does not carry.
        uuid = record["params"].get("UUID")
        if not uuid or record["signing_service"] != "lambda":
            return
        from moto.awslambda.models import lambda_backends
        esm = lambda_backends[response.current_account][response.region]._event_source_mappings.get(uuid)
        if esm is not None:
            record["function_arn"] = esm.function_arn

    def call_action(self: BaseResponse):
        try:
            operation = self._get_action()
        except Exception:  # an operation moto cannot name is logged as such
            operation = None
        record = {"account": self.current_account, "region": self.region, "operation": operation,
                  "method": self.method, "path": self.parsed_url.path, **caller(self)}
        record["params"] = params(self)
        mapping_function(self, record)
        result = original_call_action(self)
        record["status"] = result[0] if isinstance(result, tuple) else None
        with lock, open(path, "a", encoding="utf-8") as log:
            log.write(json.dumps(record, default=str) + "\n")
        return result

    BaseResponse.call_action = call_action
    return [f"moto_server.py: every API call is recorded to {path}"]


def main() -> None:
    host, port = sys.argv[1], sys.argv[2]
    added = (
        add_iot_tagging()
        + add_sqs_redrive_allow_policy()
        + keep_sqs_policy_and_compact_redrive_policy()
        + add_lambda_logging_config_and_snap_start()
        + keep_event_source_mapping_alias()
        + stable_iot_endpoint()
    )
    for gap in added:
        print(f"moto_server.py: emulator gap filled: {gap}", flush=True)
    if os.environ.get("E2E_CALL_LOG"):
        print(record_calls(os.environ["E2E_CALL_LOG"])[0], flush=True)

    from moto.server import main as moto_main

    moto_main(["-H", host, "-p", port])


if __name__ == "__main__":
    main()
