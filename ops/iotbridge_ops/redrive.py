"""iot-bridge redrive: list the bridge's dead-letter queue by BridgeErrorCode and move chosen records back.

Dry run by default: it lists what is in the DLQ and says what it would move; nothing changes
until --apply. Two ways to move, chosen by what is selected:

  --codes A,B   only the records with those BridgeErrorCode values (REDRIVEN = records without
                one, moved by the queue's redrive policy). SQS's message move task cannot filter,
                so each chosen record is received, SENT to the bridge queue, and deleted from the
                DLQ only after that send succeeded. The body and every message attribute are kept
                except the function's Bridge* quarantine attributes (they describe the failure
                that put it there; if it fails again the function writes fresh ones).
  --all         every record: one SQS StartMessageMoveTask (DLQ -> bridge queue), then its
                progress is followed with ListMessageMoveTasks until it ends. SQS moves each
                message as it is, Bridge* attributes included (the function ignores incoming
                message attributes).

A record is never deleted unless its copy was accepted by SendMessage first. Records that are
listed but not chosen are made visible again at the end (also on an error or Ctrl-C).

Queues: the bridge queue and DLQ of the deployment the target flags name (the `doctor` output of
terraform/, --outputs FILE, or --local), or --queue-url and --dlq-url. Credentials and region:
what Terraform was given for the destination account, else the AWS chain; --profile, --role-arn,
--region and --endpoint-url override them.

Exit status: 0 done (or dry run), 1 some record could not be moved (it is still in the DLQ),
2 bad usage or the queues cannot be reached.
"""
import argparse
import json
import sys
import time
from collections import Counter, OrderedDict

from botocore.exceptions import BotoCoreError, ClientError

from . import target

CODE_ATTRIBUTE = "BridgeErrorCode"
DETAIL_ATTRIBUTE = "BridgeErrorDetail"
ROUTE_ATTRIBUTE = "BridgeRoute"
SOURCE_ID_ATTRIBUTE = "BridgeSourceMessageId"  # the bridge queue's MessageId of the record the function quarantined
# Every attribute the function's quarantine writes starts with this (function/.../aws/SqsQuarantine.java).
QUARANTINE_PREFIX = "Bridge"
NO_CODE = "REDRIVEN"
# Codes docs/reliability.md says never to redrive: forged or misrouted input, loops.
SECURITY_CODES = {"TOPIC_OUTSIDE_ROUTE", "TOPIC_RESERVED", "TOPIC_WILDCARD", "TOPIC_EMPTY",
                  "TOPIC_INVALID_CHARACTER", "LOOP_DETECTED"}
TASK_DONE = {"COMPLETED", "CANCELLED", "FAILED"}
EXAMPLES = """examples:
  ops/iot-bridge redrive                                   # list the DLQ of terraform/'s deployment
  ops/iot-bridge redrive --codes UNKNOWN_ROUTE             # what would move (dry run)
  ops/iot-bridge redrive --codes UNKNOWN_ROUTE --apply     # move those, leave the rest
  ops/iot-bridge redrive --all --apply --rate 50           # everything, with SQS StartMessageMoveTask
  ops/iot-bridge redrive --local --codes REDRIVEN --apply  # the local stack of `make up`
"""


def bounded(low, high, what):
    """An argparse type: an int in [low, high], else an error naming the bounds."""
    def parse(text):
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be between {low} and {high} ({what}), not {value}")
        return value
    return parse


def add_parser(subcommands):
    p = subcommands.add_parser(
        "redrive", help="list the DLQ by BridgeErrorCode; move chosen records back (dry run unless --apply)",
        description="List the bridge DLQ by BridgeErrorCode; move chosen records back to the bridge queue "
                    "(dry run unless --apply). From the repository root: make redrive ARGS=\"...\".",
        formatter_class=argparse.RawDescriptionHelpFormatter, epilog=EXAMPLES)
    target.add_arguments(p, accounts=("destination",), short_flags_for="destination")
    queues = p.add_argument_group("queues named directly (instead of a target)")
    queues.add_argument("--queue-url", metavar="URL", help="the bridge queue (destination of the move)")
    queues.add_argument("--dlq-url", metavar="URL", help="its dead-letter queue (source of the move)")
    what = p.add_argument_group("what to move")
    sel = what.add_mutually_exclusive_group()
    sel.add_argument("--codes", metavar="CODE[,CODE]", help="comma-separated BridgeErrorCode values; REDRIVEN = records without one")
    sel.add_argument("--all", action="store_true", help="every record, with SQS StartMessageMoveTask")
    what.add_argument("--apply", action="store_true", help="really move (default: dry run, nothing changes)")
    what.add_argument("--max", metavar="N", type=bounded(0, 10**9, "0 = no limit"), default=0,
                      help="--codes: move at most this many records (default: all chosen)")
    what.add_argument("--rate", metavar="N", type=bounded(1, 500, "the SQS limit, messages per second"),
                      help="--all: MaxNumberOfMessagesPerSecond of the move task (default: SQS decides)")
    what.add_argument("--no-wait", action="store_true", help="--all: start the move task and return")
    what.add_argument("--status", action="store_true", help="show the DLQ's recent message move tasks and exit")
    out = p.add_argument_group("listing")
    out.add_argument("--verbose", "-v", action="store_true", help="one line per record")
    out.add_argument("--visibility-timeout", metavar="SECONDS", type=bounded(1, 43200, "the SQS limit, seconds"), default=300,
                     help="seconds a listed record stays hidden while the DLQ is scanned (default: %(default)s)")
    p.set_defaults(run=run)


def queues_of(a):
    """(queue_url, dlq_url, destination Account) of the named queues or of the target's outputs."""
    if a.queue_url or a.dlq_url:
        if not (a.queue_url and a.dlq_url):
            raise target.InputError("--queue-url and --dlq-url go together (or name a target: --local, --outputs, "
                                    "--terraform-dir)")
        if target.named_target(a):
            raise target.InputError("--queue-url/--dlq-url name the queues themselves: drop --local, --outputs "
                                    "and --terraform-dir, or the queue URLs")
        outputs = {"destination": {"region": target.region_of(a.queue_url)}}
        queue_url, dlq_url = a.queue_url, a.dlq_url
    else:
        outputs = target.load_outputs(a)
        queue_url, dlq_url = outputs["destination"]["queue_url"], outputs["destination"]["dlq_url"]
    return queue_url, dlq_url, target.account("destination", outputs, a)


def code_of(message):
    attr = message.get("MessageAttributes", {}).get(CODE_ATTRIBUTE)
    return attr.get("StringValue") if attr else NO_CODE


def attribute_of(message, name):
    attr = message.get("MessageAttributes", {}).get(name)
    return attr.get("StringValue", "") if attr else ""


def kept_attributes(message):
    """Message attributes for the re-sent copy: all but the function's Bridge* quarantine attributes."""
    kept = {}
    for name, attr in message.get("MessageAttributes", {}).items():
        if name.startswith(QUARANTINE_PREFIX):
            continue
        value = {"DataType": attr["DataType"]}
        if "StringValue" in attr:
            value["StringValue"] = attr["StringValue"]
        if "BinaryValue" in attr:
            value["BinaryValue"] = attr["BinaryValue"]
        kept[name] = value
    return kept


def topic_of(body):
    try:
        topic = json.loads(body).get("topic")
        return topic if isinstance(topic, str) else ""
    except (ValueError, AttributeError):
        return ""


class Redrive:
    """One pass over the DLQ: list everything, move the chosen records (apply) or say what would move."""

    def __init__(self, sqs, queue_url, dlq_url, a):
        self.sqs, self.queue_url, self.dlq_url, self.a = sqs, queue_url, dlq_url, a
        self.codes = {c.strip() for c in a.codes.split(",") if c.strip()} if a.codes else set()
        self.seen = OrderedDict()      # DLQ MessageId -> (code, detail, route, topic, receive count)
        self.held = {}                 # DLQ MessageId -> receipt handle, released at the end
        self.moved = Counter()         # code -> records re-sent AND deleted
        self.would_move = Counter()    # code -> records chosen (dry run)
        self.sent_not_deleted = []     # re-sent, but the DLQ delete failed: duplicates on the next run
        self.send_failed = []          # (MessageId, reason): still in the DLQ, untouched
        self.taken = 0                 # records chosen so far (--max)
        self.copies = set()            # bridge-queue MessageIds of the copies this run sent
        self.came_back = {}            # DLQ MessageId -> code: a copy this run sent, back in the DLQ already

    def choose(self, code):
        """True when this record is to be moved (its code is chosen and --max is not reached yet)."""
        if code not in self.codes or (self.a.max and self.taken >= self.a.max):
            return False
        self.taken += 1
        return True

    def known(self, message):
        """True when this scan has received the record before."""
        return message["MessageId"] in self.seen or message["MessageId"] in self.came_back

    def scan(self):
        """Receives the whole DLQ once (each record hidden for --visibility-timeout), moving chosen records."""
        empty = 0
        while empty < 2:
            resp = self.sqs.receive_message(QueueUrl=self.dlq_url, MaxNumberOfMessages=10, WaitTimeSeconds=1,
                                            VisibilityTimeout=self.a.visibility_timeout,
                                            MessageAttributeNames=["All"], AttributeNames=["All"])
            messages = resp.get("Messages", [])
            if not messages:
                empty += 1
                continue
            empty = 0
            fresh = [m for m in messages if not self.known(m)]
            for m in messages:
                if self.known(m) and m["MessageId"] in self.held:
                    self.held[m["MessageId"]] = m["ReceiptHandle"]  # seen again: only the newest handle is valid
            if not fresh:
                break  # the scan outlived the visibility timeout and came round again: everything is listed
            to_move = []
            for m in fresh:
                code = code_of(m)
                if m["MessageId"] in self.copies or attribute_of(m, SOURCE_ID_ATTRIBUTE) in self.copies:
                    # While the function reads the queue, a moved record that fails again is back in the
                    # DLQ within seconds, as a new message: moving it again would go round for ever.
                    self.came_back[m["MessageId"]] = code
                    self.held[m["MessageId"]] = m["ReceiptHandle"]
                    continue
                self.seen[m["MessageId"]] = (code, attribute_of(m, DETAIL_ATTRIBUTE), attribute_of(m, ROUTE_ATTRIBUTE),
                                             topic_of(m.get("Body", "")),
                                             m.get("Attributes", {}).get("ApproximateReceiveCount", "?"))
                if self.choose(code):
                    if self.a.apply:
                        to_move.append(m)
                        continue
                    self.would_move[code] += 1
                self.held[m["MessageId"]] = m["ReceiptHandle"]
            if to_move:
                self.move(to_move)

    def move(self, messages):
        """Send first; delete from the DLQ only what SendMessageBatch accepted."""
        entries = [{"Id": str(i), "MessageBody": m["Body"], "MessageAttributes": kept_attributes(m)}
                   for i, m in enumerate(messages)]
        for e in entries:
            if not e["MessageAttributes"]:
                del e["MessageAttributes"]
        try:
            resp = self.sqs.send_message_batch(QueueUrl=self.queue_url, Entries=entries)
        except (ClientError, BotoCoreError) as e:
            for m in messages:
                self.send_failed.append((m["MessageId"], str(e)))
                self.held[m["MessageId"]] = m["ReceiptHandle"]
            return
        sent = {s["Id"] for s in resp.get("Successful", [])}
        self.copies.update(s["MessageId"] for s in resp.get("Successful", []))
        for f in resp.get("Failed", []):
            m = messages[int(f["Id"])]
            self.send_failed.append((m["MessageId"], f"{f.get('Code')}: {f.get('Message', '')}"))
            self.held[m["MessageId"]] = m["ReceiptHandle"]
        to_delete = [(str(i), m) for i, m in enumerate(messages) if str(i) in sent]
        if not to_delete:
            return
        try:
            dresp = self.sqs.delete_message_batch(QueueUrl=self.dlq_url, Entries=[
                {"Id": i, "ReceiptHandle": m["ReceiptHandle"]} for i, m in to_delete])
            not_deleted = {f["Id"] for f in dresp.get("Failed", [])}
        except (ClientError, BotoCoreError):
            not_deleted = {i for i, _ in to_delete}
        for i, m in to_delete:
            if i in not_deleted:
                self.sent_not_deleted.append(m["MessageId"])
                self.held[m["MessageId"]] = m["ReceiptHandle"]
            else:
                self.moved[code_of(m)] += 1

    def release(self):
        """Makes every listed-but-not-moved record visible again at once (instead of after the timeout)."""
        handles = list(self.held.items())
        self.held = {}
        for start in range(0, len(handles), 10):
            chunk = handles[start:start + 10]
            try:
                self.sqs.change_message_visibility_batch(QueueUrl=self.dlq_url, Entries=[
                    {"Id": str(i), "ReceiptHandle": h, "VisibilityTimeout": 0} for i, (_, h) in enumerate(chunk)])
            except (ClientError, BotoCoreError) as e:
                print(f"note: {len(chunk)} listed record(s) stay hidden until the visibility timeout "
                      f"({self.a.visibility_timeout} s): {e}", file=sys.stderr)


def print_listing(r, a):
    by_code = Counter(v[0] for v in r.seen.values())
    example = {}
    for code, detail, *_ in r.seen.values():
        example.setdefault(code, detail)
    print(f"DLQ    {r.dlq_url}")
    print(f"queue  {r.queue_url}")
    if not by_code:
        print("the DLQ is empty")
        return
    width = max(len("BridgeErrorCode"), *(len(c) for c in by_code))
    print(f"\n{'BridgeErrorCode':<{width}}  {'records':>7}  example detail")
    for code, n in sorted(by_code.items(), key=lambda kv: (-kv[1], kv[0])):
        detail = example[code] or ("no Bridge* attributes: moved by the queue's redrive policy" if code == NO_CODE else "")
        print(f"{code:<{width}}  {n:>7}  {detail[:100]}")
    print(f"{'total':<{width}}  {sum(by_code.values()):>7}")
    if a.verbose:
        print(f"\n{'DLQ MessageId':<36}  {'BridgeErrorCode':<{width}}  receives  route / source topic")
        for mid, (code, _, route, topic, receives) in r.seen.items():
            print(f"{mid:<36}  {code:<{width}}  {receives:>8}  {route or '-'} {topic}")


def status(sqs, dlq_arn):
    tasks = sqs.list_message_move_tasks(SourceArn=dlq_arn, MaxResults=10).get("Results", [])
    if not tasks:
        print("no message move task for this DLQ")
    for t in tasks:
        print(f"{t.get('Status', '?'):<10} moved {t.get('ApproximateNumberOfMessagesMoved', 0)}"
              f" of {t.get('ApproximateNumberOfMessagesToMove', '?')}"
              f" -> {t.get('DestinationArn') or '(original source queues)'}"
              f"{'  ' + t['FailureReason'] if t.get('FailureReason') else ''}")
    return tasks


def move_all(sqs, dlq_url, queue_url, a):
    dlq_arn = queue_arn(sqs, dlq_url)
    dest_arn = queue_arn(sqs, queue_url)
    running = [t for t in sqs.list_message_move_tasks(SourceArn=dlq_arn, MaxResults=10).get("Results", [])
               if t.get("Status") == "RUNNING"]
    if running:
        raise target.InputError("a message move task is already running for this DLQ (SQS allows one): "
                         "wait for it (--status) or cancel it: aws sqs cancel-message-move-task --task-handle "
                         + running[0].get("TaskHandle", "<handle>"))
    # DestinationArn always: quarantined records were sent to the DLQ by the function, not moved
    # there by a redrive policy, so SQS knows no "original source queue" for them.
    req = {"SourceArn": dlq_arn, "DestinationArn": dest_arn}
    if a.rate:
        req["MaxNumberOfMessagesPerSecond"] = a.rate
    handle = sqs.start_message_move_task(**req)["TaskHandle"]
    print(f"started message move task {dlq_arn} -> {dest_arn}")
    if a.no_wait:
        print(f"not waiting (--no-wait); follow it with --status, cancel it with "
              f"aws sqs cancel-message-move-task --task-handle {handle}")
        return 0
    while True:
        tasks = sqs.list_message_move_tasks(SourceArn=dlq_arn, MaxResults=1).get("Results", [])
        t = tasks[0] if tasks else {}
        if t.get("Status") in TASK_DONE:
            print(f"move task {t['Status']}: moved {t.get('ApproximateNumberOfMessagesMoved', 0)}"
                  f" of {t.get('ApproximateNumberOfMessagesToMove', '?')}"
                  f"{' (' + t['FailureReason'] + ')' if t.get('FailureReason') else ''}")
            return 0 if t["Status"] == "COMPLETED" else 1
        time.sleep(2)


def queue_arn(sqs, url):
    return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def failed(context, error):
    """Prints a failure the one way this command does (exit code 2)."""
    print(f"iot-bridge redrive: {context}{error}", file=sys.stderr)
    return 2


def run(a):
    queue_url, dlq_url, destination = queues_of(a)
    sqs = destination.client("sqs")
    try:
        if a.status:
            status(sqs, queue_arn(sqs, dlq_url))
            return 0
        r = Redrive(sqs, queue_url, dlq_url, a)
        try:
            r.scan()
        finally:
            r.release()
    except (ClientError, BotoCoreError) as e:
        return failed("SQS: ", e)

    print_listing(r, a)
    risky = sorted(SECURITY_CODES & (r.codes or (set(v[0] for v in r.seen.values()) if a.all else set())))
    if risky:
        print(f"\nwarning: {', '.join(risky)} mark forged or looping input; the function will quarantine them "
              "again unless the cause changed (docs/reliability.md: never redrive these)")
    unknown = sorted(r.codes - {v[0] for v in r.seen.values()})
    if unknown:
        print(f"\nnote: no record in the DLQ has {', '.join(unknown)}")

    if a.all:
        if not a.apply:
            print(f"\ndry run: would start an SQS message move task for all {len(r.seen)} listed record(s) "
                  "(and any that arrive meanwhile) to the queue. Add --apply to do it.")
            return 0
        try:
            return move_all(sqs, dlq_url, queue_url, a)
        except (ClientError, BotoCoreError) as e:
            return failed("SQS message move task: ", e)
    if not r.codes:
        print("\nnothing chosen: --codes CODE[,CODE] to move some records, --all for every one (dry run until --apply)")
        return 0
    if not a.apply:
        n = sum(r.would_move.values())
        detail = ", ".join(f"{c} {k}" for c, k in sorted(r.would_move.items()))
        print(f"\ndry run: would move {n} record(s) ({detail or 'none'}) to the queue: send each, then delete it "
              "from the DLQ. Add --apply to do it.")
        return 0
    n = sum(r.moved.values())
    detail = ", ".join(f"{c} {k}" for c, k in sorted(r.moved.items()) if k)
    print(f"\nmoved {n} record(s) ({detail or 'none'}) to the queue; {len(r.seen) - n} left in the DLQ")
    if r.came_back:
        back = ", ".join(f"{c} {k}" for c, k in sorted(Counter(r.came_back.values()).items()))
        print(f"note: {len(r.came_back)} of them came back to the DLQ while this ran ({back}): the function failed "
              "them again, so their cause is not fixed yet; they stay in the DLQ")
    for mid, why in r.send_failed:
        print(f"not moved (send failed, still in the DLQ): {mid}: {why}", file=sys.stderr)
    for mid in r.sent_not_deleted:
        print(f"sent but not deleted from the DLQ (a later run sends it again): {mid}", file=sys.stderr)
    return 1 if r.send_failed or r.sent_not_deleted else 0

