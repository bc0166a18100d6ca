"""The generated parts of docs/capacity.md (`make capacity-report`): the model's inputs with their
sources, the plans for 10,000 msg/s, and the model against the local load run
(harness/results/load/latest.json, written by `make load`). Each part sits between
<!-- BEGIN capacity-report: NAME --> and <!-- END capacity-report: NAME --> and is replaced whole;
the prose around them is kept.
"""
import json
import re
from pathlib import Path

import aws
import model
import plan
import prices
import results

DOC = results.REPO / "docs" / "capacity.md"
LOAD = results.RESULTS_DIR / "load" / "latest.json"
CHART = results.REPO / "docs" / "capacity.png"
PLAN_RATE = 10000


class ReportError(Exception):
    """The doc or the load results are not what the report expects (the message says which)."""


def table(header, rows):
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


def replace_part(doc_text, name, body):
    begin, end = f"<!-- BEGIN capacity-report: {name} -->", f"<!-- END capacity-report: {name} -->"
    pattern = re.compile(re.escape(begin) + r".*?" + re.escape(end), re.S)
    if not pattern.search(doc_text):
        raise ReportError(f"the doc has no '{begin}' ... '{end}' part: put the two markers where it goes")
    return pattern.sub(lambda _: f"{begin}\n{body.strip()}\n{end}", doc_text, count=1)


def inputs_part():
    one = model.predict(1, 10, 512, model.BENCH_PAYLOAD_BYTES)
    ref = one.sources["perInstance"]
    bench_rows = [
        ("per-instance throughput, native, envelope v1, batch 10, 512 MB", f"{one.per_instance:.1f} msg/s", f"`{ref}`"),
        ("end-to-end p50 / p99 at 200 msg/s, batch 10", f"{one.latency_p50_ms:.1f} / {one.latency_p99_ms:.1f} ms",
         f"`{ref}`"),
        ("run-to-run noise (the tolerance)", f"±{one.tolerance:.0%}",
         ", ".join(f"`{r}`" for r in one.sources["tolerance"])),
        ("log bytes per message, record_log = failures", f"{plan.log_bytes_per_message()[0]:.1f}",
         f"`{plan.log_bytes_per_message()[1]}`"),
        ("bench payload", f"{model.BENCH_PAYLOAD_BYTES} bytes", f"`{model.BENCH_PAYLOAD_SOURCE}`"),
    ]
    facts = [v for v in vars(aws).values() if isinstance(v, aws.Fact)]
    aws_rows = []
    for f in facts:
        value = "not read here" if not f.value else (f"{f.value:,}" if isinstance(f.value, int) else f"{f.value:g}")
        what = f.what + (f" (quota: {f.quota})" if f.quota else "")
        aws_rows.append((what, value, f.url + (f" — {f.how}" if f.how else "")))
    pr = prices.load()
    price_rows = [(p.item, p.text, f"`docs/cost.md` ({p.source}; {p.checked})") for p in pr.values()]
    return "\n\n".join([
        "**Measured on this machine** (committed bench results):\n\n" + table(["figure", "value", "source"], bench_rows),
        f"**From AWS documentation** (checked {aws.CHECKED}; `harness/capacity/aws.py`):\n\n"
        + table(["figure", "value", "source"], aws_rows),
        "**Prices** (read from `docs/cost.md`, written by `make bench`):\n\n" + table(["item", "price", "source"], price_rows),
    ])


def plans_part():
    standard = plan.render(plan.make(PLAN_RATE))
    provisioned = plan.render(plan.make(PLAN_RATE, mode="provisioned"))
    return (f"`make capacity RATE={PLAN_RATE}`:\n\n```\n{standard}\n```\n\n"
            f"<details><summary><code>make capacity RATE={PLAN_RATE} MODE=provisioned</code></summary>\n\n"
            f"```\n{provisioned}\n```\n</details>")


def load_run(path=LOAD):
    try:
        data = json.loads(Path(path).read_text())
    except (OSError, ValueError) as e:
        raise ReportError(f"cannot read the load run {path}: {e} (it is written by `make load`)") from e
    if not data.get("steps") or not (data.get("model") or {}).get("points"):
        raise ReportError(f"{path} has no steps or no model comparison (model.points): "
                          f"run `make load` with harness/capacity in the tree")
    return data


def verdict(point):
    if point.get("machineLimited"):
        return "machine was the limit (not judged)"
    if point.get("withinTolerance") is None:
        return "not judged"
    return "within tolerance" if point["withinTolerance"] else "**outside tolerance**"


def measured_part(data, path, chart_name=None):
    meta, steps, points = data.get("meta", {}), data["steps"], data["model"]["points"]
    if len(steps) != len(points):
        raise ReportError(f"{path}: {len(steps)} steps but {len(points)} model points")
    # per-instance msg/s the step's own CPU time per message projects under the CPU share (make load)
    projected = any("cpuProjectedPerInstanceMsgPerSecond" in p for p in points)
    rows = []
    for s, p in zip(steps, points):
        keeps = bool(s.get("keepsUp"))
        lat = (f"{s.get('p50Ms')} / {p.get('predictedP50Ms')}", f"{s.get('p99Ms')} / {p.get('predictedP99Ms')}") if keeps else ("–", "–")
        row = [s.get("instances"), f"{s.get('offeredMsgPerSecond')}", f"{s.get('deliveredMsgPerSecond')}",
               "yes" if keeps else "no", f"{p.get('predictedMsgPerSecond')}", f"{p.get('ratio')}", *lat]
        if projected:
            row.append(f"{p.get('cpuProjectedPerInstanceMsgPerSecond', '–')} / {p.get('predictedPerInstanceMsgPerSecond')}"
                       if "cpuProjectedPerInstanceMsgPerSecond" in p else "–")
        row += [s.get("lost"), f"{s.get('machineBusyPercent')}", s.get("limit", ""), verdict(p)]
        rows.append(row)
    judged, within = data["model"].get("judged"), data["model"].get("withinTolerance")
    tol = points[0].get("tolerance")
    head = (f"From `{path}` ({meta.get('date', '?')}, `{meta.get('command', 'make load')}`; {meta.get('function', '?')} build, "
            f"batch size {meta.get('batchSize')}, {meta.get('memoryMb')} MB CPU share per instance, payload "
            f"{meta.get('payloadBytes')} bytes); the model's figures from `{data['model'].get('command')}`. "
            f"A step that keeps up shows offered / predicted capacity (at most 1 + tolerance) and its latencies; a step "
            f"that falls behind measured the capacity itself, delivered / predicted. Tolerance ±{tol:.0%}; "
            f"{within} of {judged} judged steps within it.")
    if projected:
        head += (f" The per-instance rate projected from each step's own CPU time per message under the CPU share "
                 f"(what an instance would carry were the machine not shared) is within the tolerance of the model in "
                 f"{data['model'].get('cpuProjectedWithinTolerance')} of {data['model'].get('cpuProjectedJudged')} steps.")
    cols = ["instances", "offered msg/s", "delivered msg/s", "keeps up", "predicted msg/s", "ratio",
            "p50 ms measured / model", "p99 ms measured / model"]
    if projected:
        cols.append("per instance from CPU / model")
    cols += ["lost", "machine busy %", "what limited", "verdict"]
    parts = [head, table(cols, rows)]
    if chart_name:
        parts.append(f"![model vs measured]({chart_name})")
    bp = data.get("backPressure")
    if bp:
        keys = [("instances", "instances"), ("iotDataQuotaPerSecond", "iot-data quota /s"),
                ("offeredMsgPerSecond", "offered msg/s"), ("deliveredMsgPerSecond", "delivered msg/s"),
                ("throttled429", "429 answers"), ("lost", "lost"), ("drainSeconds", "drained in s"),
                ("p99Ms", "p99 ms"), ("machineBusyPercent", "machine busy %")]
        outcome = ("nothing was lost" if bp.get("lost") == 0 else f"**{bp.get('lost')} messages were lost**")
        parts.append("Back-pressure step: the local iot-data endpoint holds a publish quota and answers 429 above it; "
                     f"the bridge retries, and in this run {outcome}.\n\n"
                     + table([h for _, h in keys], [[bp.get(k, "–") for k, _ in keys]]))
    return "\n\n".join(parts)


def write(doc=DOC, load=LOAD, chart=None):
    """Rewrite the doc's generated parts; returns what it did, one line per part."""
    text = Path(doc).read_text()
    done = []
    shown_doc = Path(doc).resolve()
    doc = shown_doc.relative_to(results.REPO) if shown_doc.is_relative_to(results.REPO) else shown_doc
    text = replace_part(text, "inputs", inputs_part())
    text = replace_part(text, "plan", plans_part())
    done.append(f"{doc}: inputs and plans for {PLAN_RATE:,} msg/s")
    if Path(load).exists():
        data = load_run(load)
        name = None
        if chart is not None:
            chart(data, CHART)
            name = CHART.name
        shown = Path(load).resolve()
        shown = shown.relative_to(results.REPO) if shown.is_relative_to(results.REPO) else shown
        text = replace_part(text, "measured", measured_part(data, shown, name))
        done.append(f"{doc}: model vs measured from {shown}" + (f", chart {CHART}" if name else ""))
    else:
        missing = Path(load).resolve()
        missing = missing.relative_to(results.REPO) if missing.is_relative_to(results.REPO) else missing
        text = replace_part(text, "measured", f"No load run yet: `{missing}` does not exist (`make load` writes it).")
        done.append(f"{doc}: no load run at {missing}")
    shown_doc.write_text(text)
    return done
