"""`iot-bridge redrive` against the real local stack's ElasticMQ: the bridge queue and its DLQ with
the stack's redrive policy (maxReceiveCount 5). The DLQ is filled the two ways records reach it:
quarantined by the function (SendMessage with the Bridge* attributes SqsQuarantine writes) and
moved by the queue's redrive policy (no attributes). The event source mapping is disabled for
these tests, so that what redrive moves back stays on the queue to be looked at. Every test checks
the queues' real contents afterwards, not the tool's output alone."""
import json
import re
import time

import pytest

from support import iot_bridge

BLOB = bytes([0, 1, 2, 255])


def unknown_route(i):
    """What an UNKNOWN_ROUTE record holds: an envelope (docs/envelope.md) naming a route the function does not have."""
    return json.dumps({"v": 1, "route": "air", "topic": f"AIR/v1/unknown-{i}", "payload": "eyJ0IjoyMS41fQ==",
                       "ts": 1767225600123, "clientId": "sensor-7"})


@pytest.fixture(scope="module")
def paused(stack):
    """The stack with its event source mapping disabled (the function reads nothing); restored after."""
    lam = stack.client("lambda")
    uuid = stack.event_source_mapping()
    lam.update_event_source_mapping(UUID=uuid, Enabled=False)
    yield stack
    sqs = stack.elasticmq()
    for url in queues(stack):
        sqs.purge_queue(QueueUrl=url)
    lam.update_event_source_mapping(UUID=uuid, Enabled=True)


class Dlq:
    """The two queues of the paused stack, the DLQ filled with 8 records; `content` is body -> code."""

    def __init__(self, stack):
        self.stack = stack
        self.sqs = stack.elasticmq()
        self.queue_url, self.dlq_url = queues(stack)
        self.content = {}

    def fill(self):
        for url in (self.queue_url, self.dlq_url):
            self.sqs.purge_queue(QueueUrl=url)
        for i in (1, 2, 3):
            self.quarantine(unknown_route(i), "UNKNOWN_ROUTE")
        for body in ("outside-1", "outside-2"):
            self.quarantine(body, "TOPIC_OUTSIDE_ROUTE")
        self.quarantine("rejected-1", "PUBLISH_REJECTED", {
            "trace": {"DataType": "String", "StringValue": "t-1"},
            "blob": {"DataType": "Binary", "BinaryValue": BLOB}})
        self.redriven_by_the_policy("slow-1")
        self.redriven_by_the_policy("slow-2")
        assert self.count(self.dlq_url) == (8, 0), "the DLQ holds the 8 records, all visible"
        assert self.count(self.queue_url) == (0, 0), "the queue is empty"

    def quarantine(self, body, code, extra=None):
        """As SqsQuarantine does: the original body, String attributes BridgeErrorCode/Detail/SourceMessageId/Route."""
        attributes = {**(extra or {}), "BridgeErrorCode": string(code), "BridgeErrorDetail": string(f"detail of {body}"),
                      "BridgeSourceMessageId": string(f"src-{body}"), "BridgeRoute": string("ground")}
        self.sqs.send_message(QueueUrl=self.dlq_url, MessageBody=body, MessageAttributes=attributes)
        self.content[body] = code

    def redriven_by_the_policy(self, body):
        """Received maxReceiveCount times without being deleted: the next receive moves it to the DLQ."""
        message_id = self.sqs.send_message(QueueUrl=self.queue_url, MessageBody=body)["MessageId"]
        deadline = time.monotonic() + 60
        received = False
        while self.count(self.queue_url)[0] > 0 or not received:
            if time.monotonic() > deadline:
                pytest.fail(f"record {body} did not reach the DLQ through the redrive policy")
            got = self.sqs.receive_message(QueueUrl=self.queue_url, VisibilityTimeout=0, MaxNumberOfMessages=10,
                                           WaitTimeSeconds=1).get("Messages", [])
            received |= any(m["MessageId"] == message_id for m in got)
        self.content[body] = "REDRIVEN"

    def count(self, url):
        """(visible, in flight) messages of a queue."""
        a = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=[
            "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])["Attributes"]
        return int(a["ApproximateNumberOfMessages"]), int(a["ApproximateNumberOfMessagesNotVisible"])

    def receive_all(self, url):
        """Receives (and deletes) everything on a queue."""
        everything, empty = [], 0
        while empty < 3:
            got = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1,
                                           MessageAttributeNames=["All"]).get("Messages", [])
            if not got:
                empty += 1
                continue
            empty = 0
            everything += got
            for m in got:
                self.sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        return everything

    def content_of(self, url):
        """body -> BridgeErrorCode (REDRIVEN without one) of what a queue holds (received and deleted)."""
        return {m["Body"]: m.get("MessageAttributes", {}).get("BridgeErrorCode", {}).get("StringValue", "REDRIVEN")
                for m in self.receive_all(url)}


def queues(stack):
    return stack.outputs["destination"]["queue_url"], stack.outputs["destination"]["dlq_url"]


def string(value):
    return {"DataType": "String", "StringValue": value}


@pytest.fixture
def dlq(paused):
    d = Dlq(paused)
    d.fill()
    return d


def redrive(dlq, *args):
    """The command as `make redrive ARGS=...` runs it against the stack's outputs (what --local reads)."""
    return iot_bridge("redrive", "--outputs", dlq.stack.outputs_file, "--visibility-timeout", "120", *args)


def listed(out, code, records):
    """True when the listing's table has the line `code  records  [detail]`."""
    return re.search(rf"^{code}\s+{records}(  |$)", out, re.M) is not None


def test_listing_and_dry_runs_move_nothing_and_hide_nothing(dlq):
    listing = redrive(dlq, "--verbose")
    print(listing.out)  # shown with pytest -s: a real listing
    assert listing.exit == 0, listing.err
    for code, records in (("UNKNOWN_ROUTE", 3), ("TOPIC_OUTSIDE_ROUTE", 2), ("PUBLISH_REJECTED", 1), ("REDRIVEN", 2),
                          ("total", 8)):
        assert listed(listing.out, code, records), f"{code} {records}:\n{listing.out}"
    assert len(re.findall(r"^[0-9a-f-]{36}  ", listing.out, re.M)) == 8, "--verbose: one line per record"

    some = redrive(dlq, "--codes", "UNKNOWN_ROUTE,REDRIVEN")
    assert some.exit == 0, some.err
    assert "dry run: would move 5 record(s) (REDRIVEN 2, UNKNOWN_ROUTE 3)" in some.out, some.out

    everything = redrive(dlq, "--all")
    assert everything.exit == 0, everything.err
    assert "dry run: would start an SQS message move task for all 8" in everything.out, everything.out

    assert dlq.count(dlq.queue_url) == (0, 0), "a dry run sends nothing to the queue"
    assert dlq.count(dlq.dlq_url) == (8, 0), "a dry run leaves every record in the DLQ, visible at once"
    assert dlq.content_of(dlq.dlq_url) == dlq.content


def test_chosen_codes_move_and_everything_else_stays(dlq):
    run = redrive(dlq, "--codes", "UNKNOWN_ROUTE,PUBLISH_REJECTED,REDRIVEN", "--apply")
    assert run.exit == 0, run.err
    assert "moved 6 record(s) (PUBLISH_REJECTED 1, REDRIVEN 2, UNKNOWN_ROUTE 3)" in run.out, run.out

    moved = dlq.receive_all(dlq.queue_url)
    chosen = sorted(b for b, c in dlq.content.items() if c in ("UNKNOWN_ROUTE", "PUBLISH_REJECTED", "REDRIVEN"))
    assert len(chosen) == 6
    assert sorted(m["Body"] for m in moved) == chosen, "exactly the chosen records, bodies unchanged"
    for m in moved:
        names = set(m.get("MessageAttributes", {}))
        assert not any(n.startswith("Bridge") for n in names), f"the quarantine attributes are dropped: {names}"
    rejected = next(m for m in moved if m["Body"] == "rejected-1")["MessageAttributes"]
    assert rejected["trace"]["StringValue"] == "t-1", "other attributes are kept"
    assert rejected["blob"]["BinaryValue"] == BLOB, "binary attributes are kept byte for byte"

    assert dlq.content_of(dlq.dlq_url) == {"outside-1": "TOPIC_OUTSIDE_ROUTE", "outside-2": "TOPIC_OUTSIDE_ROUTE"}, \
        "the other codes stay in the DLQ with their attributes"
    assert "warning" not in run.out, f"no security code was chosen: {run.out}"


def test_max_bounds_a_selective_move_of_queues_named_directly(dlq):
    url = dlq.queue_url.split("/")
    run = iot_bridge("redrive", "--queue-url", dlq.queue_url, "--dlq-url", dlq.dlq_url,
                     "--endpoint-url", "/".join(url[:3]), "--region", dlq.stack.region, "--visibility-timeout", "120",
                     "--codes", "TOPIC_OUTSIDE_ROUTE", "--max", "1", "--apply")
    assert run.exit == 0, run.err
    assert "warning: TOPIC_OUTSIDE_ROUTE" in run.out, f"a security code is flagged: {run.out}"
    assert len(dlq.receive_all(dlq.queue_url)) == 1
    assert dlq.count(dlq.dlq_url) == (7, 0)


def test_all_moves_every_record_with_a_message_move_task(dlq):
    run = redrive(dlq, "--all", "--apply")
    assert run.exit == 0, run.err
    assert "started message move task" in run.out, run.out
    assert "move task COMPLETED" in run.out, run.out
    assert dlq.count(dlq.dlq_url) == (0, 0), "the DLQ is empty"
    assert dlq.content_of(dlq.queue_url) == dlq.content, "every record, as SQS moves it (attributes included)"


def test_a_record_the_function_fails_again_is_moved_once(dlq):
    """With the function reading the queue (as on AWS), a moved record that fails again is back in the
    DLQ within a second as a new message: the scan must not take it for one more record to move."""
    lam = dlq.stack.client("lambda")
    uuid = dlq.stack.event_source_mapping()
    lam.update_event_source_mapping(UUID=uuid, Enabled=True)
    try:
        run = iot_bridge("redrive", "--outputs", dlq.stack.outputs_file, "--codes", "UNKNOWN_ROUTE", "--apply", timeout=120)
        print(run.out)  # shown with pytest -s
        assert run.exit == 0, run.err
        assert "moved 3 record(s) (UNKNOWN_ROUTE 3)" in run.out, run.out
        deadline = time.monotonic() + 60
        while dlq.count(dlq.dlq_url) != (8, 0) and time.monotonic() < deadline:
            time.sleep(0.5)
    finally:
        lam.update_event_source_mapping(UUID=uuid, Enabled=False)
    assert dlq.content_of(dlq.dlq_url) == dlq.content, "each chosen record moved once, failed once, back once"
    assert dlq.count(dlq.queue_url) == (0, 0)


def test_bad_usage_is_refused_with_the_option_to_fix(dlq):
    both = redrive(dlq, "--codes", "UNKNOWN_ROUTE", "--all")
    assert both.exit == 2
    assert "not allowed with argument" in both.err, both.err
    no_dlq = iot_bridge("redrive", "--queue-url", dlq.queue_url)
    assert no_dlq.exit == 2
    assert "--queue-url and --dlq-url go together" in no_dlq.err, no_dlq.err
    two_targets = redrive(dlq, "--queue-url", dlq.queue_url, "--dlq-url", dlq.dlq_url)
    assert two_targets.exit == 2
    assert "--queue-url/--dlq-url name the queues themselves" in two_targets.err, two_targets.err
    rate = redrive(dlq, "--all", "--rate", "0")
    assert rate.exit == 2
    assert "argument --rate: must be between 1 and 500" in rate.err, rate.err
    assert dlq.count(dlq.dlq_url) == (8, 0), "nothing was touched"
