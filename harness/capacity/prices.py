"""The prices of docs/cost.md ("Prices used", written by `make bench` from
harness/src/main/java/dev/iotbridge/harness/bench/Cost.java), read from that page so that the capacity plan
and the cost page never disagree; and the per-message charges built from them.
"""
import math
import re
from dataclasses import dataclass
from pathlib import Path

import aws
import results

COST_MD = results.REPO / "docs" / "cost.md"

# The row of docs/cost.md's price table each price is read from (the start of its "item" cell).
ITEMS = {
    "lambda_x86": "Lambda duration, x86_64",
    "lambda_arm": "Lambda duration, arm64",
    "lambda_requests": "Lambda requests",
    "sqs_requests": "SQS standard queue requests",
    "iot_messages": "IoT Core messaging",
    "iot_retained": "IoT Core: a publish with retain",
    "iot_rules": "IoT Core rules engine",
    "logs": "CloudWatch Logs ingestion",
}

# Metering units: an HTTP Publish (and its retained copy) is metered per 5 KB of body, an SQS request
# per 64 KB chunk (docs/cost.md's price table, items above).
IOT_METER_BYTES = 5 * 1024
SQS_CHUNK_BYTES = 64 * 1024
SQS_RECEIVE_MAX = aws.SQS_RECEIVE_MAX.value


class PriceError(Exception):
    """docs/cost.md no longer has a price the plan needs."""


@dataclass(frozen=True)
class Price:
    usd: float
    per: str
    text: str
    item: str
    source: str
    checked: str


def load(path=COST_MD):
    try:
        text = Path(path).read_text()
    except OSError as e:
        raise PriceError(f"cannot read {path}: {e}; it is written by `make bench`") from e
    table = text.split("### Prices used", 1)
    if len(table) < 2:
        raise PriceError(f"{path} has no '### Prices used' table: regenerate it with `make bench`")
    rows = []
    for line in table[1].splitlines():
        if not line.startswith("|"):
            if rows:
                break
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 4 and not set(cells[0]) <= {"-", ":"} and cells[0] != "item":
            rows.append(cells)
    prices = {}
    for key, item in ITEMS.items():
        row = next((r for r in rows if r[0].startswith(item)), None)
        if row is None:
            raise PriceError(f"{path}'s price table has no row '{item}...': regenerate it with `make bench`")
        m = re.fullmatch(r"\$([0-9.]+) per (.+)", row[1])
        if not m:
            raise PriceError(f"{path}: price '{row[1]}' of '{item}' is not '$N per UNIT'")
        prices[key] = Price(float(m.group(1)), m.group(2), row[1], row[0], row[2], row[3])
    return prices


def sqs_requests_per_message(batch, body_bytes):
    """The rule's SendMessage, and the poller's receives (each 64 KB of what it returns is a request)
    and deletes, per message; the same rule as Cost.sqsRequestsPerMessage for bodies under 6.4 KB."""
    send = math.ceil(body_bytes / SQS_CHUNK_BYTES)
    calls = math.ceil(batch / SQS_RECEIVE_MAX)
    receive = math.ceil(min(batch, SQS_RECEIVE_MAX) * body_bytes / SQS_CHUNK_BYTES)
    return send + calls * (receive + 1) / batch


def iot_meters(payload_bytes):
    return max(1, math.ceil(payload_bytes / IOT_METER_BYTES))


def fixed_per_million(prices, batch, payload_bytes, body_bytes, retained):
    """Charges per million messages that do not depend on the function: SQS, rule, Publish, retained."""
    parts = {
        "SQS requests": sqs_requests_per_message(batch, body_bytes) * prices["sqs_requests"].usd,
        "rule + SQS action": prices["iot_rules"].usd,
        "iot-data Publish": iot_meters(payload_bytes) * prices["iot_messages"].usd,
    }
    if retained:
        parts["retained publish"] = iot_meters(payload_bytes) * prices["iot_retained"].usd
    return parts
