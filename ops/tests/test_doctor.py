"""`iot-bridge doctor` end to end against the real local stack: a healthy stack passes, then one link
at a time is broken through the control-plane APIs an operator would use, and doctor must name it,
in its check and in the canary's hop. Each test leaves the stack healthy again (and checks it)."""
import json

import pytest

from support import iot_bridge

BROKEN_CANARY_TIMEOUT = "10"


def doctor(stack, *extra):
    run = iot_bridge("doctor", "--outputs", stack.outputs_file, "--json", *extra)
    try:
        report = json.loads(run.out)
    except json.JSONDecodeError:
        pytest.fail(f"doctor printed no JSON (exit {run.exit}):\n{run.out}\n{run.err}")
    return run.exit, {c["check"]: c for c in report["checks"]}


def assert_healthy(stack):
    code, checks = doctor(stack)
    failed = {k: v["detail"] for k, v in checks.items() if v["status"] == "fail"}
    assert (code, failed) == (0, {})
    assert checks["canary"]["status"] == "ok", checks["canary"]
    return checks


def assert_named(stack, check, detail_part, hop):
    code, checks = doctor(stack, "--canary-timeout", BROKEN_CANARY_TIMEOUT)
    assert code == 1
    assert checks[check]["status"] == "fail", checks.get(check)
    assert detail_part in checks[check]["detail"]
    assert checks[check]["fix"], "a failed check says how to fix it"
    others = sorted(k for k, v in checks.items() if v["status"] == "fail" and k not in (check, "canary"))
    assert others == [], "only the broken link fails"
    assert checks["canary"]["status"] == "fail"
    assert f"look at the {hop}:" in checks["canary"]["detail"]


def test_healthy_stack_passes_with_a_canary(stack):
    checks = assert_healthy(stack)
    assert "same" in checks["canary"]["detail"]
    assert checks["canary clean-up"]["status"] == "ok", checks["canary clean-up"]
    reader = stack.client("iot-data")
    with pytest.raises(reader.exceptions.ResourceNotFoundException):  # the canary does not stay retained
        reader.get_retained_message(topic=stack.outputs["canary"]["destination_topic"])
    assert checks["function may publish (ground)"]["status"] == "skip", "no IAM locally: said, not pretended"


def assert_named_while_broken(stack, break_it, repair, check, detail_part, hop):
    """Breaks one link, checks that doctor names it, repairs it and checks that the stack passes again."""
    break_it()
    try:
        assert_named(stack, check, detail_part, hop)
    finally:
        repair()
    assert_healthy(stack)


def test_disabled_rule_is_named(stack):
    iot = stack.client("iot", side="source")
    rule = stack.outputs["source"]["rule_names"]["canary"]
    assert_named_while_broken(stack, lambda: iot.disable_topic_rule(ruleName=rule),
                              lambda: iot.enable_topic_rule(ruleName=rule),
                              "rule canary enabled", "is disabled", "rule")


def test_queue_policy_without_the_rule_role_is_named(stack):
    sqs = stack.client("sqs")
    url = stack.outputs["destination"]["queue_url"]
    policy = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"])["Attributes"]["Policy"]
    other = json.loads(policy)
    other["Statement"][0]["Condition"]["ArnEquals"]["aws:PrincipalArn"] = ["arn:aws:iam::111111111111:role/someone-else"]
    assert_named_while_broken(stack, lambda: sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps(other)}),
                              lambda: sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": policy}),
                              "queue policy admits rule role", "no statement allows sqs:SendMessage", "queue policy")


def test_wrong_routes_in_the_function_are_named(stack):
    lam = stack.client("lambda")
    name = stack.outputs["destination"]["function_name"]
    variables = lam.get_function_configuration(FunctionName=name)["Environment"]["Variables"]
    wrong = [r for r in json.loads(variables["BRIDGE_ROUTES"]) if r["name"] != "canary"]
    assert_named_while_broken(
        stack, lambda: lam.update_function_configuration(
            FunctionName=name, Environment={"Variables": {**variables, "BRIDGE_ROUTES": json.dumps(wrong)}}),
        lambda: lam.update_function_configuration(FunctionName=name, Environment={"Variables": variables}),
        "function BRIDGE_ROUTES", "missing canary", "function routes")


def test_disabled_event_source_mapping_is_named(stack):
    lam = stack.client("lambda")
    uuid = stack.event_source_mapping()
    assert_named_while_broken(stack, lambda: lam.update_event_source_mapping(UUID=uuid, Enabled=False),
                              lambda: lam.update_event_source_mapping(UUID=uuid, Enabled=True),
                              "event source mapping", "state Disabled", "event source mapping")


def test_bad_input_names_the_flag_and_the_fix(tmp_path):
    missing = iot_bridge("doctor", "--outputs", tmp_path / "none.json")
    assert missing.exit == 2
    assert f"--outputs: {tmp_path / 'none.json'} does not exist: write it with `terraform output -json" in missing.err
    (tmp_path / "other.json").write_text('{"queue_url": {"value": "x"}}')
    no_doctor = iot_bridge("doctor", "--outputs", tmp_path / "other.json")
    assert no_doctor.exit == 2
    assert "no `doctor` output (version 1)" in no_doctor.err
    no_terraform = iot_bridge("doctor", "--terraform", tmp_path / "no-such-terraform")
    assert no_terraform.exit == 2
    assert "not installed; install Terraform, or pass --outputs FILE" in no_terraform.err
    both = iot_bridge("doctor", "--local", "--outputs", tmp_path / "other.json")
    assert both.exit == 2
    assert "not allowed with argument" in both.err
