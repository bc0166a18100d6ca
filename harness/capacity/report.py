"""The generated parts of docs/capacity.md (`make capacity-report`): the model's inputs with their
sources, the latency sweep and the curve fitted to it, the plans for 10,000 msg/s, and the model
against the local load run
(harness/results/load/latest.json, written by `make load`). Each part sits between
<!-- BEGIN capacity-report: NAME --> and <!-- END capacity-report: NAME --> and is replaced whole;
the prose around them is kept.
"""
import json
import re
from pathlib import Path

import aws
import latency
import model
import plan
import prices
import results
import sweep

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
        (f"end-to-end p50 / p99 on one instance at {one.latency_rate:.0f} msg/s ({one.utilisation:.0%} of its capacity on "
         f"the local path), batch 10", f"{one.latency_p50_ms:.1f} / {one.latency_p99_ms:.1f} ms", f"`{one.latency_model['source']}`"),
        ("one instance's capacity on the whole local path (latency sweep's invocation times)",
         f"{one.path_per_instance:.1f} msg/s", f"`{one.latency_model['source']}`"),
        (f"latency tolerance at {one.utilisation:.0%} of capacity (the sweep's repeats' spread there, plus the model's allowance)",
         one.latency_tolerance_text, f"`{one.latency_model['source']}` (repeats)"),
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
    """The throughput verdict of a point as `make load` judged it (offered within the model's capacity, or
    delivered within tolerance of it); the latency is judged apart (latency_verdicts)."""
    if point.get("machineLimited"):
        return "machine was the limit (not judged)"
    ok = point.get("rateWithinModel", point.get("withinTolerance"))
    if ok is None:
        return "not judged"
    return "within tolerance" if ok else "**outside tolerance**"


def latency_verdicts(data, sweep_path=None):
    """Per step: the model's p50/p99 at the step's offered rate over its instances, and whether both
    measured figures are within the latency tolerance of the step's utilisation band. Steps that fell
    behind have no steady-state latency; steps where the machine was the limit, or past the judged
    utilisations, are not judged."""
    meta = data.get("meta", {})
    out = []
    for s in data["steps"]:
        p = model.predict(s["instances"], meta.get("batchSize") or 10, meta.get("memoryMb") or 512,
                          meta.get("payloadBytes") or model.BENCH_PAYLOAD_BYTES, build=meta.get("function") or "native",
                          rate=s["offeredMsgPerSecond"], sweep_path=sweep_path)
        v = {"p50": p.latency_p50_ms, "p99": p.latency_p99_ms, "utilisation": p.utilisation,
             "tolerance": p.latency_tolerance, "pathPerInstance": p.path_per_instance, "source": p.latency_model["source"],
             "toleranceBasis": p.sources["latencyToleranceBasis"]}
        if not s.get("keepsUp") or s.get("p50Ms") is None:
            v["verdict"] = None
            v["text"] = "– (fell behind: no steady state)"
        elif s.get("machineLimited"):
            v["verdict"] = None
            v["text"] = "machine was the limit (not judged)"
        else:
            w = latency.within({"p50": s["p50Ms"], "p99": s["p99Ms"]},
                               {"p50": p.latency_p50_ms, "p99": p.latency_p99_ms}, p.latency_tolerance)
            v["verdict"] = None if w is None else w["within"]
            if w is not None:   # against the run-to-run spread alone, without the model's allowance
                v["withinNoise"] = latency.within(
                    {"p50": s["p50Ms"], "p99": s["p99Ms"]}, {"p50": p.latency_p50_ms, "p99": p.latency_p99_ms},
                    {k: p.latency_tolerance[f"{k}Noise"] for k in ("p50", "p99")})["within"]
            v["text"] = (f"not judged ({p.sources['latencyToleranceBasis'].split(':')[0]})" if w is None
                         else "within tolerance" if w["within"]
                         else "**outside tolerance: " + ", ".join(k for k in ("p50", "p99") if not w[k]) + "**")
        out.append(v)
    return out


def fmt(x):
    return "∞" if x is None else f"{x:.1f}"


def measured_part(data, path, chart_name=None, sweep_path=None):
    meta, steps, points = data.get("meta", {}), data["steps"], data["model"]["points"]
    if len(steps) != len(points):
        raise ReportError(f"{path}: {len(steps)} steps but {len(points)} model points")
    lat = latency_verdicts(data, sweep_path)
    # per-instance msg/s the step's own CPU time per message projects under the CPU share (make load)
    projected = any("cpuProjectedPerInstanceMsgPerSecond" in p for p in points)
    rows = []
    for s, p, v in zip(steps, points, lat):
        keeps = bool(s.get("keepsUp"))
        pair = ((f"{s.get('p50Ms')} / {fmt(v['p50'])}", f"{s.get('p99Ms')} / {fmt(v['p99'])}") if keeps
                else ("–", "–"))
        row = [s.get("instances"), f"{s.get('offeredMsgPerSecond')}", f"{s.get('deliveredMsgPerSecond')}",
               "yes" if keeps else "no", f"{p.get('predictedMsgPerSecond')}", f"{p.get('ratio')}",
               f"{v['utilisation']:.2f}", *pair,
               "–" if not keeps or v["tolerance"] is None else f"±{v['tolerance']['p50']:.0%} / ±{v['tolerance']['p99']:.0%}"]
        if projected:
            row.append(f"{p.get('cpuProjectedPerInstanceMsgPerSecond', '–')} / {p.get('predictedPerInstanceMsgPerSecond')}"
                       if "cpuProjectedPerInstanceMsgPerSecond" in p else "–")
        row += [s.get("lost"), f"{s.get('machineBusyPercent')}", s.get("limit", ""), verdict(p), v["text"]]
        rows.append(row)
    rate_judged = [p for p in points if not p.get("machineLimited") and verdict(p) != "not judged"]
    rate_within = sum(1 for p in rate_judged if verdict(p) == "within tolerance")
    lat_judged = [v for v in lat if v["verdict"] is not None]
    lat_within = sum(1 for v in lat_judged if v["verdict"])
    lat_noise = sum(1 for v in lat_judged if v.get("withinNoise"))
    tol = points[0].get("tolerance")
    behind = [(s, v) for s, v in zip(steps, lat) if not s.get("keepsUp") and not s.get("machineLimited")]
    head = (f"From `{path}` ({meta.get('date', '?')}, `{meta.get('command', 'make load')}`; {meta.get('function', '?')} build, "
            f"batch size {meta.get('batchSize')}, {meta.get('memoryMb')} MB CPU share per instance, payload "
            f"{meta.get('payloadBytes')} bytes); the throughput from `{data['model'].get('command')}`, the latency from "
            f"`capacity.py predict --instances N --rate OFFERED` (the latency curve of `{lat[0]['source']}`). "
            f"Throughput: a step that keeps up shows offered / predicted capacity (at most 1 + tolerance); a step "
            f"that falls behind measured the capacity itself, delivered / predicted; tolerance ±{tol:.0%} "
            f"(bench repeats): {rate_within} of {len(rate_judged)} judged steps within it. Latency: p50 and p99 of a step "
            f"that keeps up against the model at its utilisation ρ = offered / (N × {lat[0]['pathPerInstance']:.0f} msg/s, "
            f"one instance's capacity on the local path from the sweep's invocation times), judged up to ρ "
            f"{latency.RHO_JUDGE_MAX:.2f} with the tolerance of the step's utilisation band (the spread between the "
            f"sweep's repeats, per percentile, plus the model's allowance of ±{latency.MODEL_ALLOWANCE[50]:.0%} at p50 and "
            f"±{latency.MODEL_ALLOWANCE[99]:.0%} at p99; see the sweep below): {lat_within} of {len(lat_judged)} judged "
            f"steps within it ({lat_noise} within the repeats' spread alone).")
    if meta.get("note"):
        head += f" **Note recorded with the run: {meta['note']}.**"
    if behind:
        head += (" Steps that fell behind against the path's capacity: "
                 + ", ".join(f"N={s['instances']} delivered {s['deliveredMsgPerSecond']} of "
                             f"{s['instances'] * v['pathPerInstance']:.0f} msg/s ({s['deliveredMsgPerSecond'] / (s['instances'] * v['pathPerInstance']):.2f})"
                             for s, v in behind) + ".")
    if projected:
        head += (f" The per-instance rate projected from each step's own CPU time per message under the CPU share "
                 f"(what an instance would carry were the machine not shared) is within the tolerance of the model in "
                 f"{data['model'].get('cpuProjectedWithinTolerance')} of {data['model'].get('cpuProjectedJudged')} steps.")
    cols = ["instances", "offered msg/s", "delivered msg/s", "keeps up", "predicted msg/s", "ratio", "ρ on the path",
            "p50 ms measured / model", "p99 ms measured / model", "latency tolerance p50 / p99"]
    if projected:
        cols.append("per instance from CPU / model")
    cols += ["lost", "machine busy %", "what limited", "throughput", "latency"]
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


def latency_curves(data, sweep_path=None, points=40):
    """The model's p50/p99 against the offered rate, per instance count of the run (for the chart)."""
    meta, out = data.get("meta", {}), {}
    for n in sorted({s["instances"] for s in data["steps"]}):
        cap = model.predict(n, meta.get("batchSize") or 10, meta.get("memoryMb") or 512,
                            meta.get("payloadBytes") or model.BENCH_PAYLOAD_BYTES, build=meta.get("function") or "native",
                            sweep_path=sweep_path)
        top = n * cap.path_per_instance
        curve = []
        for i in range(1, points + 1):
            rate = top * 0.985 * i / points
            p = model.predict(n, meta.get("batchSize") or 10, meta.get("memoryMb") or 512,
                              meta.get("payloadBytes") or model.BENCH_PAYLOAD_BYTES, build=meta.get("function") or "native",
                              rate=rate, sweep_path=sweep_path)
            curve.append((rate, p.latency_p50_ms, p.latency_p99_ms))
        out[n] = {"curve": curve, "capacity": top}
    return out


def sweep_part(sweep_path=None):
    """The latency sweep the model's latency comes from: its runs and the fitted parameters."""
    c = latency.curve(sweep_path)
    real, data = sweep.load(sweep_path)
    meta = data["meta"]
    fitted = {(p.rate, p.repeat) for p in c.fitted}
    rows = []
    for p in sorted(c.points, key=lambda x: (x.rate, x.repeat)):
        m50, m99 = c.at(p.rate, 1)
        rows.append([f"{p.rate:g}", f"{p.rate / c.capacity:.2f}", p.repeat, p.batch, p.invocation_ms, p.p50, fmt(m50),
                     p.p99, fmt(m99), "yes" if (p.rate, p.repeat) in fitted else
                     "no (at capacity)" if p.rate / c.capacity >= latency.RHO_FIT_MAX else "no (not steady)"])
    j = c.as_json()
    conditions = (f"`{c.source}` (`{meta.get('command')}`, {meta.get('date')}, {meta.get('minutes')} min; "
                  f"{len(c.points)} runs: {meta.get('e2eWarmupSeconds')} s warm-up + {meta.get('e2eSeconds')} s measured "
                  f"each, batch size {meta.get('batch')}, {meta.get('memoryMb')} MB CPU share, iot-data round trip "
                  f"{meta.get('iotDataLatencyMs')} ms; load average at start `{(meta.get('loadAtStart') or {}).get('loadavg')}`, "
                  f"at end `{(meta.get('loadAtEnd') or {}).get('loadavg')}`).")
    if meta.get("note"):
        conditions += f" **Note recorded with the sweep: {meta['note']}.**"
    params = table(["parameter", "p50", "p99"], [
        ["F, fixed path, ms", j["fixedMs"]["p50"], j["fixedMs"]["p99"]],
        ["H, the wait when a message finds its instance busy, in invocations (its percentile)", j["batchingHold"]["p50"], j["batchingHold"]["p99"]],
        ["V = (ca² + cs²)/2, queueing variability", j["queueVariability"]["p50"], j["queueVariability"]["p99"]],
    ])
    return "\n\n".join([
        "From " + conditions,
        (f"Invocation time S(k) = {c.a_ms:.2f} + {c.b_ms:.3f}·k ms for k records (non-negative least squares over every "
         f"run), so one "
         f"instance carries μ = {c.batch_size} / S({c.batch_size}) = **{c.capacity:.0f} msg/s on the whole local path**, "
         f"against {model.predict(1, c.batch_size, 512, model.BENCH_PAYLOAD_BYTES).per_instance:.0f} msg/s in the bench's "
         f"throughput scenario (a preloaded queue, no rules engine or brokers working beside it). "
         f"The latency is judged up to ρ = {latency.RHO_JUDGE_MAX:.2f}, with the tolerance of the band the "
         f"utilisation falls in: the spread between the repeats of the sweep rate that closes it, rounded up, plus the "
         f"model's allowance (±{latency.MODEL_ALLOWANCE[50]:.0%} at p50, ±{latency.MODEL_ALLOWANCE[99]:.0%} at p99):"),
        table(["band: ρ up to", "sweep rate msg/s", "p50 spread → tolerance", "p99 spread → tolerance", "p50 repeats",
               "p99 repeats"],
              [[f"{b.rho:.2f}", f"{b.rate:g}", f"±{b.noise[50]:.0%} → ±{b.tolerance[50]:.0%}",
                f"±{b.noise[99]:.0%} → ±{b.tolerance[99]:.0%}",
                *(", ".join(f"{x:.1f}" for x in b.repeats[p]) + " ms" for p in latency.PERCENTILES)]
               for b in c.bands]),
        params,
        table(["offered msg/s", "ρ", "repeat", "mean batch", "invocation ms", "p50 ms", "model p50", "p99 ms", "model p99",
               "in the fit"], rows),
        *(["\n".join(f"- {n}" for n in c.notes)] if c.notes else []),
    ])


def write(doc=DOC, load=LOAD, chart=None, sweep_path=None):
    """Rewrite the doc's generated parts; returns what it did, one line per part."""
    text = Path(doc).read_text()
    done = []
    shown_doc = Path(doc).resolve()
    doc = results.relative(shown_doc)
    text = replace_part(text, "inputs", inputs_part())
    text = replace_part(text, "plan", plans_part())
    text = replace_part(text, "sweep", sweep_part(sweep_path))
    done.append(f"{doc}: inputs, the latency sweep and plans for {PLAN_RATE:,} msg/s")
    if Path(load).exists():
        data = load_run(load)
        name = None
        if chart is not None:
            chart(data, CHART, latency_curves(data, sweep_path))
            name = CHART.name
        shown = results.relative(load)
        text = replace_part(text, "measured", measured_part(data, shown, name, sweep_path))
        done.append(f"{doc}: model vs measured from {shown}" + (f", chart {CHART}" if name else ""))
    else:
        missing = results.relative(load)
        text = replace_part(text, "measured", f"No load run yet: `{missing}` does not exist (`make load` writes it).")
        done.append(f"{doc}: no load run at {missing}")
    shown_doc.write_text(text)
    return done
