"""doctor end to end against a real local stack (make up's LocalStackMain on free ports, the real
function.zip): a healthy stack passes, then one link at a time is broken through the control-plane
APIs an operator would use, and doctor must name it — in its check and in the canary's hop.

Needs function/target/function.zip and local/target/classes + classpath.txt (`make doctor-test`
builds them). Run: make doctor-test
"""
import json
import os
import pathlib
import signal
import subprocess
import sys
import tempfile
import time
import unittest

import boto3

ROOT = pathlib.Path(__file__).resolve().parents[2]
BROKEN_CANARY_TIMEOUT = "10"


def stack_command(outputs):
    java = os.environ.get("DOCTOR_TEST_JAVA", "java")
    cp_file = ROOT / "local/target/classpath.txt"
    zip_file = ROOT / "function/target/function.zip"
    for f, how in ((cp_file, "make doctor-test (or ./mvnw -pl local install + dependency:build-classpath)"),
                   (zip_file, "make package")):
        if not f.exists():
            raise AssertionError(f"{f} is missing: run {how}")
    cp = f"{ROOT / 'local/target/classes'}:{cp_file.read_text().strip()}"
    ports = [f"--{p}=0" for p in ("sourceMqttPort", "destinationMqttPort", "sqsPort", "runtimeApiPort", "iotDataPort",
                                  "sourceIotDataPort", "controlPort")]
    return [java, f"-Dbridge.root={ROOT}", "-cp", cp, "dev.iotbridge.local.LocalStackMain",
            "--config", str(ROOT / "local/bridge.local.json"), "--function", str(zip_file), "--outputs", str(outputs), *ports]


def doctor(outputs, *extra):
    run = subprocess.run([sys.executable, "-m", "iotbridge_doctor", "--outputs", str(outputs), "--json", *extra],
                         cwd=ROOT / "doctor", capture_output=True, text=True, timeout=300,
                         env={**os.environ, "PYTHONPATH": str(ROOT / "doctor")})
    try:
        report = json.loads(run.stdout)
    except json.JSONDecodeError:
        raise AssertionError(f"doctor printed no JSON (exit {run.returncode}):\n{run.stdout}\n{run.stderr}") from None
    return run.returncode, {c["check"]: c for c in report["checks"]}


class DoctorAgainstLocalStack(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="iot-bridge-doctor-")
        cls.outputs = pathlib.Path(cls.tmp.name) / "outputs.json"
        cls.log = open(pathlib.Path(cls.tmp.name) / "stack.log", "w")
        cls.stack = subprocess.Popen(stack_command(cls.outputs), cwd=cls.tmp.name, stdout=cls.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 240
        while not cls.outputs.exists():
            if cls.stack.poll() is not None or time.monotonic() > deadline:
                cls.tearDownClass()
                raise AssertionError("the local stack did not start:\n" + cls.stack_log())
            time.sleep(1)
        o = json.loads(cls.outputs.read_text())["doctor"]["value"]
        cls.o = o
        session = boto3.Session(aws_access_key_id="local", aws_secret_access_key="local", region_name=o["source"]["region"])
        cls.iot = session.client("iot", endpoint_url=o["endpoints"]["source"]["iot"])
        cls.sqs = session.client("sqs", endpoint_url=o["endpoints"]["destination"]["sqs"])
        cls.lam = session.client("lambda", endpoint_url=o["endpoints"]["destination"]["lambda"])

    @classmethod
    def tearDownClass(cls):
        if cls.stack.poll() is None:
            cls.stack.send_signal(signal.SIGTERM)
            try:
                cls.stack.wait(60)
            except subprocess.TimeoutExpired:
                cls.stack.kill()
        cls.log.close()
        cls.tmp.cleanup()

    @classmethod
    def stack_log(cls):
        cls.log.flush()
        return (pathlib.Path(cls.tmp.name) / "stack.log").read_text()[-4000:]

    def assert_healthy(self):
        code, checks = doctor(self.outputs)
        failed = {k: v["detail"] for k, v in checks.items() if v["status"] == "fail"}
        self.assertEqual((0, {}), (code, failed))
        self.assertEqual("ok", checks["canary"]["status"], checks["canary"])
        return checks

    def assert_named(self, check, detail_part, hop):
        code, checks = doctor(self.outputs, "--canary-timeout", BROKEN_CANARY_TIMEOUT)
        self.assertEqual(1, code)
        self.assertEqual("fail", checks[check]["status"], checks.get(check))
        self.assertIn(detail_part, checks[check]["detail"])
        self.assertTrue(checks[check]["fix"], "a failed check says how to fix it")
        others = sorted(k for k, v in checks.items() if v["status"] == "fail" and k not in (check, "canary"))
        self.assertEqual([], others, "only the broken link fails")
        self.assertEqual("fail", checks["canary"]["status"])
        self.assertIn(f"look at the {hop}:", checks["canary"]["detail"])

    # unittest runs tests in name order; each one leaves the stack healthy again
    def test_0_healthy_stack_passes_with_a_canary(self):
        checks = self.assert_healthy()
        self.assertIn("same", checks["canary"]["detail"])
        self.assertEqual("ok", checks["canary clean-up"]["status"], checks["canary clean-up"])
        c = self.o["canary"]
        reader = boto3.Session(aws_access_key_id="local", aws_secret_access_key="local",
                               region_name=self.o["destination"]["region"]).client(
            "iot-data", endpoint_url=self.o["endpoints"]["destination"]["iot-data"])
        with self.assertRaises(reader.exceptions.ResourceNotFoundException, msg="the canary stays retained"):
            reader.get_retained_message(topic=c["destination_topic"])
        self.assertEqual("skip", checks["function may publish (ground)"]["status"], "no IAM locally: said, not pretended")

    def test_1_disabled_rule_is_named(self):
        rule = self.o["source"]["rule_names"]["canary"]
        self.iot.disable_topic_rule(ruleName=rule)
        try:
            self.assert_named("rule canary enabled", "is disabled", "rule")
        finally:
            self.iot.enable_topic_rule(ruleName=rule)
        self.assert_healthy()

    def test_2_queue_policy_without_the_rule_role_is_named(self):
        url = self.o["destination"]["queue_url"]
        policy = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"])["Attributes"]["Policy"]
        other = json.loads(policy)
        other["Statement"][0]["Condition"]["ArnEquals"]["aws:PrincipalArn"] = ["arn:aws:iam::111111111111:role/someone-else"]
        self.sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps(other)})
        try:
            self.assert_named("queue policy admits rule role", "no statement allows sqs:SendMessage", "queue policy")
        finally:
            self.sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": policy})
        self.assert_healthy()

    def test_3_wrong_routes_in_the_function_are_named(self):
        name = self.o["destination"]["function_name"]
        variables = self.lam.get_function_configuration(FunctionName=name)["Environment"]["Variables"]
        wrong = [r for r in json.loads(variables["BRIDGE_ROUTES"]) if r["name"] != "canary"]
        self.lam.update_function_configuration(
            FunctionName=name, Environment={"Variables": {**variables, "BRIDGE_ROUTES": json.dumps(wrong)}})
        try:
            self.assert_named("function BRIDGE_ROUTES", "missing canary", "function routes")
        finally:
            self.lam.update_function_configuration(FunctionName=name, Environment={"Variables": variables})
        self.assert_healthy()

    def test_4_disabled_event_source_mapping_is_named(self):
        uuid = self.lam.list_event_source_mappings(EventSourceArn=self.o["destination"]["queue_arn"])["EventSourceMappings"][0]["UUID"]
        self.lam.update_event_source_mapping(UUID=uuid, Enabled=False)
        try:
            self.assert_named("event source mapping", "state Disabled", "event source mapping")
        finally:
            self.lam.update_event_source_mapping(UUID=uuid, Enabled=True)
        self.assert_healthy()


if __name__ == "__main__":
    unittest.main()
