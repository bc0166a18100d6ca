"""The capacity plan for a target rate: instances (from the per-instance model), the event source
mapping's mode and settings, scaling from idle, the quotas the rate approaches, latency, and the
cost per million messages. Every figure keeps the source it came from.
"""
import math
from dataclasses import dataclass, field

import aws
import model
import prices
import results

MODES = ("standard", "provisioned")
# What the function writes to CloudWatch Logs per message with BRIDGE_RECORD_LOG=failures (the
# module's default): start-up lines only when nothing fails.
LOG_BYTES_RUN = results.RESULTS_DIR / "analysis" / "log-bytes-batch10-record-log-failures.json"
# Envelope v1 around the base64 payload: v, route, topic, ts, clientId and the MQTT 5 properties
# present (docs/envelope.md); 300 bytes holds a 100-character topic and route name.
ENVELOPE_OVERHEAD_BYTES = 300
HOURS_PER_MONTH = 730


@dataclass
class Figure:
    """A number of the plan with where it comes from (a results file, an AWS page, or 'model')."""
    value: float
    unit: str
    source: str
    note: str = ""


@dataclass
class Plan:
    rate: float
    mode: str
    one: model.Prediction  # batch, memory, payload, build, shape, window and concurrency are its
    drain_rate: float
    settings: dict = field(default_factory=dict)
    scaling: list = field(default_factory=list)
    quotas: list = field(default_factory=list)
    cost: dict = field(default_factory=dict)
    cost_notes: list = field(default_factory=list)
    inputs: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    poller_basis: dict = field(default_factory=dict)
    at_rate: model.Prediction = None  # the latency at the rate over `instances`

    @property
    def per_instance_low(self):
        """The per-instance figure at the low end of its tolerance: what the plan sizes with."""
        return self.one.per_instance * (1 - self.one.tolerance)

    @property
    def instances(self):
        return math.ceil(self.rate / self.per_instance_low)

    @property
    def reserved(self):
        """Reserved concurrency: enough instances to drain a backlog at the drain rate."""
        return max(aws.RESERVED_MIN_FOR_SQS.value, math.ceil(self.drain_rate / self.per_instance_low))

    @property
    def body_bytes(self):
        return body_bytes(self.one.payload_bytes, self.one.shape)


def body_bytes(payload, shape):
    if shape == "envelope-v1":
        return 4 * math.ceil(payload / 3) + ENVELOPE_OVERHEAD_BYTES
    return payload + 100  # the legacy shape adds the topic to the JSON payload


def pollers_for(rate, batch, body, per_instance):
    """Event pollers a provisioned-mode mapping needs for a rate: the most of its three per-poller limits."""
    calls = rate * math.ceil(batch / aws.SQS_RECEIVE_MAX.value) / batch
    need = {
        "polling calls": math.ceil(calls / aws.POLLER_CALLS_PER_S.value),
        "bytes": math.ceil(rate * body / aws.POLLER_BYTES_PER_S.value),
        "concurrent invokes": math.ceil(math.ceil(rate / per_instance) / aws.POLLER_INVOKES.value),
    }
    return max(aws.POLLERS_MIN_RANGE[0].value, *need.values()), need


def log_bytes_per_message():
    run = results.load(LOG_BYTES_RUN)
    rows = [r for r in run.rows("throughput") if isinstance(r.get("logBytesPerMsg"), (int, float))]
    if not rows:
        raise model.ModelError(f"{run.name} has no logBytesPerMsg: it is the measurement of BRIDGE_RECORD_LOG=failures")
    return rows[0]["logBytesPerMsg"], run.name


def billed_ms_per_message(run, one):
    """Lambda's billed duration per message: measured at the bench's point, else each batch's modeled
    time rounded up to 1 ms (as Lambda bills it) over the batch."""
    row = results.throughput_rows(run, one.build, one.shape).get(one.batch)
    measured_memory = (run.meta.get("limits") or {}).get("memoryMb")
    if (row and one.memory_mb == measured_memory and one.concurrency == one.batch
            and isinstance(row.get("billedMsPerMsg"), (int, float))):
        return row["billedMsPerMsg"], f"{run.name} (billedMsPerMsg)"
    return math.ceil(one.batch_ms) / one.batch, "model: the modeled batch time rounded up to 1 ms, over the batch"


def make(rate, payload=model.BENCH_PAYLOAD_BYTES, batch=10, memory=512, mode="standard", build="native",
         shape="envelope-v1", concurrency=None, window_s=None, drain_rate=None,
         results_dir=results.RESULTS_DIR, cost_md=prices.COST_MD):
    model.check_range("RATE", rate, 1, 10_000_000, "messages per second")
    if mode not in MODES:
        raise model.ModelError(f"MODE must be one of {', '.join(MODES)}, got {mode!r}")
    ref = results.reference_run(results_dir)
    one = model.predict(1, batch, memory, payload, build=build, shape=shape, concurrency=concurrency,
                        window_s=window_s, results_dir=results_dir, ref=ref)
    # a backlog drains at twice the rate, unless that passes the destination's inbound publish quota
    drain = drain_rate if drain_rate is not None else max(rate, min(2 * rate, aws.IOT_INBOUND.value))
    model.check_range("DRAIN", drain, rate, 10_000_000, "the rate a backlog drains at: at least RATE")
    p = Plan(rate=rate, mode=mode, one=one, drain_rate=drain)
    # the latency at the rate over the plan's instances: their utilisation decides the queueing
    p.at_rate = model.predict(p.instances, batch, memory, payload, build=build, shape=shape, concurrency=concurrency,
                              window_s=window_s, results_dir=results_dir, ref=ref, rate=rate)
    p.inputs = [
        ("per-instance throughput", f"{one.per_instance:.1f} msg/s", one.sources["perInstance"]),
        ("tolerance (run-to-run noise)", f"±{one.tolerance:.0%}", one.sources["toleranceBasis"]),
        ("end-to-end latency model", f"one instance carries {one.path_per_instance:.0f} msg/s on the local path; "
         f"latency {one.latency_tolerance_text}", one.latency_model["source"]),
        ("CPU share", f"{memory} MB / {aws.MB_PER_VCPU.value:.0f} MB per vCPU = {memory / aws.MB_PER_VCPU.value:.3f} vCPU", aws.MB_PER_VCPU.url),
    ]
    _settings(p)
    _scaling(p, ref)
    _quotas(p)
    for q in p.quotas:
        if q["percent"] is not None and q["percent"] > 100:
            p.warnings.append(f"{q['quota']} ({q['account']} account): {q['atPlan']:,.0f} against {q['default']:,.0f}"
                              + (": request an increase in Service Quotas" if q["quota"].startswith("AWS ") else ""))
    _cost(p, ref, cost_md)
    return p


def _settings(p):
    s = {
        "memory_size": p.one.memory_mb,
        "batch_size": p.one.batch,
        "maximum_batching_window_in_seconds": p.one.window_s,
        "max_publish_concurrency": p.one.concurrency,
        "record_log": "failures",
        "reserved_concurrency": p.reserved,
    }
    if p.mode == "standard":
        if p.instances > aws.STANDARD_MAX.value:
            p.warnings.append(f"{p.instances} instances exceed a standard-mode mapping's {aws.STANDARD_MAX.value:,.0f} "
                              f"concurrent invokes ({aws.STANDARD_MAX.url}): use MODE=provisioned")
        # maximum_concurrency caps the mapping at the reservation (AWS: keep it at most the reserved
        # concurrency, or the mapping's invokes are throttled); the API allows 2 to 1,000.
        s["maximum_concurrency"] = min(p.reserved, 1000)
        s["provisioned_pollers"] = None
    else:
        minimum, need = pollers_for(p.rate, p.one.batch, p.body_bytes, p.per_instance_low)
        maximum, _ = pollers_for(p.drain_rate, p.one.batch, p.body_bytes, p.per_instance_low)
        lo_max = aws.POLLERS_MIN_RANGE[1].value
        hi_max = aws.POLLERS_MAX_RANGE[1].value
        if minimum > lo_max:
            p.warnings.append(f"{minimum} pollers needed at the target rate, minimum pollers is at most {lo_max:.0f} "
                              f"({aws.POLLERS_MIN_RANGE[1].url}): the rest is added by scaling")
        if maximum > hi_max:
            p.warnings.append(f"{maximum} pollers needed to drain at {p.drain_rate:,.0f} msg/s, maximum pollers is at "
                              f"most {hi_max:.0f} ({aws.POLLERS_MAX_RANGE[1].url})")
        s["maximum_concurrency"] = None  # AWS: cannot be combined with provisioned mode
        s["provisioned_pollers"] = {"minimum": min(minimum, lo_max), "maximum": min(max(maximum, minimum), hi_max)}
        p.poller_basis = need
    p.settings = s


def _scaling(p, ref):
    init = next((c for c in ref.rows("coldStart") if c.get("id") == p.one.build), None)
    if p.mode == "standard":
        start, step = aws.STANDARD_START.value, aws.STANDARD_STEP_PER_MIN.value
        ramp_s = max(0, p.instances - start) / step * 60
        p.scaling.append(Figure(ramp_s, "s", aws.STANDARD_STEP_PER_MIN.url,
                                f"from idle: {start:.0f} concurrent invokes, then up to {step:.0f} more per minute, "
                                f"to {p.instances} instances"))
        # capacity grows linearly over the ramp: the backlog is the area between the rate and it
        capacity0 = min(p.rate, start * p.per_instance_low)
        backlog = (p.rate - capacity0) * ramp_s / 2
    else:
        minimum = p.settings["provisioned_pollers"]["minimum"]
        ready = minimum * aws.POLLER_INVOKES.value
        ramp_s = max(0, p.instances - ready) / aws.PROVISIONED_STEP_PER_MIN.value * 60
        p.scaling.append(Figure(ramp_s, "s", aws.POLLER_INVOKES.url,
                                f"from idle: {minimum} minimum pollers stay provisioned ({ready:.0f} concurrent invokes "
                                f"at 10 each); beyond, up to {aws.PROVISIONED_STEP_PER_MIN.value:,.0f} more per minute"))
        backlog = (p.rate * ramp_s / 2) if ramp_s else 0.0
    p.scaling.append(Figure(backlog, "messages", "model",
                            f"backlog built while scaling (rate minus capacity over the ramp); drains at "
                            f"up to {p.drain_rate - p.rate:,.0f} msg/s of spare capacity (reserved {p.reserved} instances)"))
    if init:
        p.scaling.append(Figure(init["initMedianMs"], "ms", f"{ref.name} (coldStart initMedianMs)",
                                f"init of each new instance measured locally ({init['label']}); on Lambda add the "
                                f"sandbox start, not measured here"))


def _quota(p, fact, used, who, note=""):
    pct = 100 * used / fact.value if fact.value else None
    p.quotas.append({"quota": fact.quota or fact.what, "account": who, "default": fact.value, "atPlan": used,
                     "percent": pct, "url": fact.url, "how": fact.how, "note": note})


def _quota_note(p, fact, who, note):
    p.quotas.append({"quota": fact.quota or fact.what, "account": who, "default": fact.value or None, "atPlan": None,
                     "percent": None, "url": fact.url, "how": fact.how, "note": note})


def _quotas(p):
    kept = aws.LAMBDA_UNRESERVED_KEPT.value
    _quota(p, aws.LAMBDA_CONCURRENCY, p.reserved + kept, "destination",
           f"reserved {p.reserved} (steady {p.instances}) + the {kept:.0f} AWS keeps unreserved "
           f"({aws.LAMBDA_UNRESERVED_KEPT.url}); new accounts start lower")
    if p.mode == "standard":
        _quota(p, aws.STANDARD_MAX, p.reserved, "destination", "per event source mapping, not adjustable")
    else:
        pollers = p.settings["provisioned_pollers"]["maximum"]
        _quota(p, aws.PROVISIONED_MAX, pollers * aws.POLLER_INVOKES.value, "destination",
               f"{pollers} maximum pollers x {aws.POLLER_INVOKES.value:.0f} invokes")
    _quota(p, aws.IOT_INBOUND, p.rate, "source", "the devices' publishes")
    _quota(p, aws.IOT_RULES, p.rate, "source", "one evaluation per message and matching route rule")
    _quota(p, aws.IOT_INBOUND, p.drain_rate, "destination",
           f"the function's iot-data Publish at the drain rate (steady {p.rate:,.0f}); at the quota iot-data "
           f"answers 429 and the bridge retries (back-pressure)")
    _quota(p, aws.IOT_OUTBOUND, p.rate, "destination", "one per matching subscription per message: multiply by subscribers")
    _quota_note(p, aws.IOT_PER_CONNECTION, "destination",
                f"a subscriber taking the whole stream on one connection gets at most {aws.IOT_PER_CONNECTION.value:.0f} msg/s: "
                f"spread it over connections (shared subscriptions) or consume it with a rule")
    _quota(p, aws.IOT_PAYLOAD_BYTES, p.one.payload_bytes, "both", "per message")
    _quota_note(p, aws.IOT_RETAINED_PER_TOPIC, "destination",
                "routes with retain = true: every publish to one topic counts; raise it for hot topics")
    in_flight = p.reserved * p.one.batch
    _quota(p, aws.SQS_IN_FLIGHT, in_flight, "destination", f"at most reserved x batch = {in_flight:,} received, not yet deleted")
    _quota(p, aws.INVOKE_PAYLOAD_BYTES, p.one.batch * p.body_bytes, "destination",
           f"batch x SQS body ({p.body_bytes:,} bytes estimated)")
    if p.one.batch * p.body_bytes > aws.INVOKE_PAYLOAD_BYTES.value:
        p.warnings.append(f"a batch of {p.one.batch} bodies of {p.body_bytes:,} bytes exceeds the {aws.INVOKE_PAYLOAD_BYTES.value / 2**20:.0f} MB "
                          f"invocation payload: Lambda sends fewer records per batch ({aws.INVOKE_PAYLOAD_BYTES.url})")


def _cost(p, ref, cost_md):
    pr = prices.load(cost_md)
    billed, billed_src = billed_ms_per_message(ref, p.one)
    gb = p.one.memory_mb / 1024
    c = {
        "Lambda duration (x86_64)": billed / 1000 * gb * pr["lambda_x86"].usd * 1e6,
        "Lambda duration (arm64)": billed / 1000 * gb * pr["lambda_arm"].usd * 1e6,
        "Lambda requests": pr["lambda_requests"].usd / p.one.batch,
    }
    log_bytes, log_src = log_bytes_per_message()
    c["CloudWatch Logs (record_log = failures)"] = log_bytes * 1e6 / 1e9 * pr["logs"].usd
    fixed = prices.fixed_per_million(pr, p.one.batch, p.one.payload_bytes, p.body_bytes, retained=True)
    c.update(fixed)
    epu = 0.0
    if p.mode == "provisioned":
        minimum = p.settings["provisioned_pollers"]["minimum"]
        epu = minimum * aws.EPU_HOUR_USD.value / (p.rate * 3600 / 1e6)
        c["provisioned pollers (EPU)"] = epu
        p.cost_notes.append(f"provisioned pollers: {minimum} x ${aws.EPU_HOUR_USD.value} per EPU-hour = "
                            f"${minimum * aws.EPU_HOUR_USD.value * HOURS_PER_MONTH:,.0f} a month at the minimum, "
                            f"whatever the traffic ({aws.EPU_HOUR_USD.url}; {aws.EPU_HOUR_USD.how})")
    common = (c["Lambda requests"] + c["CloudWatch Logs (record_log = failures)"] + sum(fixed.values()) + epu)
    c["total x86_64, retained route"] = c["Lambda duration (x86_64)"] + common
    c["total x86_64, route without retain"] = c["total x86_64, retained route"] - fixed["retained publish"]
    c["total arm64, retained route"] = c["Lambda duration (arm64)"] + common
    p.cost = c
    month = p.rate * 3600 * HOURS_PER_MONTH / 1e6
    p.cost_notes[:0] = [
        f"billed duration {billed:.3f} ms per message at {p.one.memory_mb} MB: {billed_src}",
        f"log bytes {log_bytes:.1f} per message: {log_src} (the JVM build's run; the log lines are the function's own, the same in both builds)",
        f"prices: {results.relative(cost_md)} (US East, first tier; "
        f"each price's source and how it was checked are listed there)",
        f"SQS requests {prices.sqs_requests_per_message(p.one.batch, p.body_bytes):.2f} per message (SendMessage + "
        f"receive and delete per 10), Publish metered per 5 KB: {prices.iot_meters(p.one.payload_bytes)} per message",
        f"at {p.rate:,.0f} msg/s a month ({HOURS_PER_MONTH} h) is {month:,.0f} million messages: "
        f"${c['total x86_64, retained route'] * month:,.0f} (retained route, x86_64)",
        "not included: the devices' own publishes in the source account, deliveries to destination subscribers, "
        "data transfer, Lambda's START/END/REPORT log lines (as docs/cost.md)",
    ]


def _fmt(v):
    if v is None:
        return "-"
    if isinstance(v, float) and not v.is_integer():
        return f"{v:,.2f}" if v < 100 else f"{v:,.0f}"
    return f"{v:,.0f}"


def render(p):
    one = p.one
    out = [f"Capacity plan: {p.rate:,.0f} msg/s, payload {p.one.payload_bytes:,} bytes, batch size {p.one.batch}, {p.one.memory_mb} MB, "
           f"{p.mode} event source mapping, {p.one.build} build, {p.one.shape} messages", ""]
    out.append("Inputs")
    for what, value, src in p.inputs:
        out.append(f"  {what}: {value}  [{src}]")
    for a in one.assumptions:
        out.append(f"  assumption: {a}")
    out += ["", "Instances"]
    out.append(f"  {p.instances} concurrent instances: {p.rate:,.0f} / ({one.per_instance:.1f} x (1 - {one.tolerance:.2f})) msg/s, "
               f"sized at the low end of the tolerance ({p.rate / one.per_instance:.1f} at the measured figure)")
    out.append(f"  reserved concurrency {p.reserved}: drains a backlog at {p.drain_rate:,.0f} msg/s "
               f"(twice the rate, at most the destination's inbound publish quota); at least "
               f"{aws.RESERVED_MIN_FOR_SQS.value:.0f}  [{aws.RESERVED_MIN_FOR_SQS.url}]")
    out += ["", f"Event source mapping: {p.mode} mode"]
    if p.mode == "standard":
        out.append(f"  starts at {aws.STANDARD_START.value:.0f} concurrent invokes, adds up to {aws.STANDARD_STEP_PER_MIN.value:.0f} "
                   f"a minute, at most {aws.STANDARD_MAX.value:,.0f}  [{aws.STANDARD_MAX.url}]")
        out.append(f"  maximum_concurrency = {p.settings['maximum_concurrency']} (the reservation; AWS allows 2-1,000, "
                   f"and not with provisioned mode)")
    else:
        pp = p.settings["provisioned_pollers"]
        basis = ", ".join(f"{k} {v}" for k, v in p.poller_basis.items())
        out.append(f"  provisioned_pollers = {{ minimum = {pp['minimum']}, maximum = {pp['maximum']} }}: per poller "
                   f"{aws.POLLER_CALLS_PER_S.value:.0f} polling calls/s, 1 MB/s, {aws.POLLER_INVOKES.value:.0f} concurrent "
                   f"invokes; pollers needed at the rate by each limit: {basis}  [{aws.POLLER_CALLS_PER_S.url}]")
        out.append(f"  maximum from the drain rate {p.drain_rate:,.0f} msg/s; minimum {aws.POLLERS_MIN_RANGE[0].value:.0f}-"
                   f"{aws.POLLERS_MIN_RANGE[1].value:.0f}, maximum {aws.POLLERS_MAX_RANGE[0].value:.0f}-"
                   f"{aws.POLLERS_MAX_RANGE[1].value:,.0f}; scaling up to {aws.PROVISIONED_STEP_PER_MIN.value:,.0f} "
                   f"concurrent invokes a minute, at most {aws.PROVISIONED_MAX.value:,.0f}  [{aws.PROVISIONED_MAX.url}]")
        out.append("  maximum_concurrency = null (AWS: cannot be combined with provisioned mode)")
    out += ["", "Scaling from idle"]
    for f in p.scaling:
        out.append(f"  {_fmt(f.value)} {f.unit}: {f.note}  [{f.source}]")
    notes = {}

    def ref(url, how=""):
        return notes.setdefault((url, how), len(notes) + 1)

    out += ["", "Quotas: default / at this plan / share  [source]"]
    for q in p.quotas:
        share = f"{q['percent']:.0f} %" if q["percent"] is not None else "-"
        out.append(f"  {q['quota']} ({q['account']}): {_fmt(q['default'])} / {_fmt(q['atPlan'])} / {share}  "
                   f"[{ref(q['url'], q['how'])}]  {q['note']}")
    for (url, how), n in notes.items():
        out.append(f"  [{n}] {url}" + (f" ({how})" if how else ""))
    at = p.at_rate
    out += ["", f"End-to-end latency at {p.rate:,.0f} msg/s over {p.instances} instances"]
    if at.latency_p50_ms is None:
        out.append(f"  no steady state: {at.utilisation:.0%} of what {p.instances} instances carry on the local path "
                   f"({at.path_per_instance:.0f} msg/s each)  [{at.sources['latency']}]")
    else:
        out.append(f"  p50 {at.latency_p50_ms:.1f} ms, p99 {at.latency_p99_ms:.1f} ms ({at.latency_tolerance_text}) at "
                   f"{at.utilisation:.0%} utilisation  [{at.sources['latency']}]")
    out.append("  the local path's round trips (15 ms iot-data, local brokers, rules engine, ElasticMQ); on AWS the real "
               "iot-data and SQS round trips replace them")
    out += ["", "Cost per million messages (USD)"]
    for k, v in p.cost.items():
        out.append(f"  {k}: ${v:.4f}" if v < 0.1 else f"  {k}: ${v:.2f}")
    for n in p.cost_notes:
        out.append(f"  {n}")
    out += ["", "Terraform inputs of the destination module"]
    for k, v in p.settings.items():
        if isinstance(v, dict):
            v = "{ " + ", ".join(f"{a} = {b}" for a, b in v.items()) + " }"
        elif v is None:
            v = "null"
        elif isinstance(v, str):
            v = f'"{v}"'
        elif isinstance(v, float) and v.is_integer():
            v = int(v)
        out.append(f"  {k} = {v}")
    if p.warnings:
        out += ["", "Warnings"] + [f"  {w}" for w in p.warnings]
    return "\n".join(out)


def as_json(p):
    return {
        "rate": p.rate, "payloadBytes": p.one.payload_bytes, "batch": p.one.batch, "memoryMb": p.one.memory_mb, "mode": p.mode,
        "build": p.one.build, "shape": p.one.shape, "instances": p.instances, "reservedConcurrency": p.reserved,
        "drainRate": p.drain_rate, "prediction": p.one.as_json(), "atRate": p.at_rate.as_json(), "terraform": p.settings,
        "pollerBasis": p.poller_basis,
        "scaling": [vars(f) for f in p.scaling], "quotas": p.quotas, "costPerMillionUsd": p.cost,
        "costNotes": p.cost_notes, "warnings": p.warnings,
        "inputs": [{"what": w, "value": v, "source": s} for w, v, s in p.inputs],
    }
