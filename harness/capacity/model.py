"""The per-instance model: how many messages per second one function instance (one concurrent
Lambda execution environment) bridges, for a batch size and memory size, from what `make bench`
measured; end-to-end latency as a function of the offered rate from the latency sweep (latency.py);
and the tolerance of each, from the spread between runs made under the same conditions.

Why this shape: under Lambda's CPU share the bench's instance is CPU-bound (docs/benchmarks.md:
"throughput ≈ CPU share ÷ CPU per message"), except that a batch cannot finish faster than its
iot-data publishes, which run `concurrency` at a time. So one batch takes

    t(B, M) = max(B · cpu(B) / vcpu(M),  L · ceil(B / concurrency)) + r

with cpu(B) the measured CPU time per message, vcpu(M) = M / 1769 (Lambda's CPU share), L the
iot-data round trip of the measurement and r the measured remainder (time per batch not explained
by either: the event source mapping's hand-off, overlap). At a measured batch and memory size the
model returns the measured throughput itself; elsewhere every step it takes is listed as an
assumption in its answer.
"""
import dataclasses
import math
from dataclasses import dataclass, field

import aws
import latency
import results
import sweep

CPU_SHARE_URL = aws.MB_PER_VCPU.url
MB_PER_VCPU = aws.MB_PER_VCPU.value
MEMORY_RANGE_MB = (aws.MEMORY_MIN_MB.value, aws.MEMORY_MAX_MB.value)
BATCH_RANGE = (1, aws.BATCH_MAX.value)
MAX_PAYLOAD_BYTES = aws.IOT_PAYLOAD_BYTES.value
# The bench's payload: {"message":"IoT message from account1","seq":N}, N < 5000.
BENCH_PAYLOAD_SOURCE = "harness/src/main/java/dev/iotbridge/harness/Tracker.java (SEQ)"
BENCH_PAYLOAD_BYTES = len('{"message":"IoT message from account1","seq":2500}')
# harness/run.sh sets the function's BRIDGE_MAX_CONCURRENCY to the batch size (docs/benchmarks.md, "What runs").
CONCURRENCY_RANGE = (1, 1000)


class ModelError(Exception):
    """Bad input or a question the committed results cannot answer; the message names the fix."""


@dataclass
class Prediction:
    instances: int
    batch: int
    memory_mb: int
    payload_bytes: int
    build: str
    shape: str
    concurrency: int
    window_s: float
    per_instance: float
    latency_p50_ms: float
    latency_p99_ms: float
    tolerance: float
    batch_ms: float
    latency_rate: float = None          # the offered msg/s the latency is for (over all instances)
    utilisation: float = None           # latency_rate / (instances x path_per_instance)
    latency_tolerance: dict = None      # {"p50", "p99"} of the latency sweep's band at this rate; None: not judged there
    path_per_instance: float = None     # msg/s of one instance on the whole local path (latency sweep)
    latency_model: dict = field(default_factory=dict)
    sources: dict = field(default_factory=dict)
    assumptions: list = field(default_factory=list)

    @property
    def latency_tolerance_text(self):
        """"±20 % (p50), ±45 % (p99)", or why the latency is not judged at this rate."""
        if self.latency_tolerance is None:
            return self.sources.get("latencyToleranceBasis")
        return ", ".join(f"±{self.latency_tolerance[k]:.0%} ({k})" for k in ("p50", "p99"))

    @property
    def msg_per_second(self):
        return self.instances * self.per_instance

    def as_json(self):
        return {
            "msgPerSecond": round(self.msg_per_second, 1),
            "perInstanceMsgPerSecond": round(self.per_instance, 1),
            "latencyP50Ms": None if self.latency_p50_ms is None else round(self.latency_p50_ms, 1),
            "latencyP99Ms": None if self.latency_p99_ms is None else round(self.latency_p99_ms, 1),
            "tolerance": self.tolerance,
            "latencyTolerance": self.latency_tolerance,
            "latencyJudged": self.latency_tolerance is not None,
            "latencyRateMsgPerSecond": round(self.latency_rate, 1),
            "utilisation": round(self.utilisation, 3),
            "pathPerInstanceMsgPerSecond": round(self.path_per_instance, 1),
            "latencyModel": self.latency_model,
            "instances": self.instances,
            "batch": self.batch,
            "memoryMb": self.memory_mb,
            "payloadBytes": self.payload_bytes,
            "build": self.build,
            "shape": self.shape,
            "concurrency": self.concurrency,
            "batchingWindowSeconds": self.window_s,
            "batchMs": round(self.batch_ms, 2),
            "sources": self.sources,
            "assumptions": self.assumptions,
        }


def check_range(name, value, lo, hi, why):
    if not lo <= value <= hi:
        raise ModelError(f"{name} must be between {lo} and {hi} ({why}), got {value}")


def vcpu(memory_mb):
    return memory_mb / MB_PER_VCPU


@dataclass(frozen=True)
class Measured:
    """One throughput row of the reference run, reduced to what the model uses."""
    batch: int
    concurrency: int
    msg_per_s: float
    cpu_ms_per_msg: float

    @property
    def batch_ms(self):
        return self.batch / self.msg_per_s * 1000.0


def measured_points(run, build, shape):
    points = {}
    for b, r in results.throughput_rows(run, build, shape).items():
        if isinstance(r.get("throughput"), (int, float)) and isinstance(r.get("cpuMsPerMsg"), (int, float)):
            points[b] = Measured(b, int(r.get("concurrency", b)), float(r["throughput"]), float(r["cpuMsPerMsg"]))
    return points


def fit_cpu(points):
    """cpu(B) = a + b / B by least squares: a per message, b per invocation (event, response)."""
    xs = [1.0 / p.batch for p in points]
    ys = [p.cpu_ms_per_msg for p in points]
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    b = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx
    return my - b * mx, b


def cpu_per_message(run, build, shape, batch, assumptions):
    """Measured CPU ms per message at this batch size, or the fit a + b/B through the measured ones."""
    own = measured_points(run, build, shape)
    if batch in own:
        return own[batch].cpu_ms_per_msg
    sizes = ", ".join(str(b) for b in sorted(own)) or "none"
    if len(own) >= 2:
        a, b = fit_cpu(list(own.values()))
        assumptions.append(
            f"batch size {batch} not measured ({build}, {shape}: batch sizes {sizes}): CPU per message "
            f"= {a:.3f} + {b:.3f}/B ms, fitted through the measured batch sizes (a per-message and a per-invocation part)")
        return a + b / batch
    other_shape = next(s for s in results.SHAPES if s != shape)
    other = measured_points(run, build, other_shape)
    if len(own) == 1 and len(other) >= 2:
        (p,) = own.values()
        _, b = fit_cpu(list(other.values()))
        a = p.cpu_ms_per_msg - b / p.batch
        assumptions.append(
            f"batch size {batch} not measured ({build}, {shape}: batch size {p.batch} only): CPU per message "
            f"= {a:.3f} + {b:.3f}/B ms, the per-invocation part {b:.3f} ms fitted on the {other_shape} rows "
            f"(batch sizes {', '.join(str(x) for x in sorted(other))}), the per-message part from {shape} at batch size {p.batch}")
        return a + b / batch
    if own:
        (p,) = own.values()
        assumptions.append(f"batch size {batch} not measured ({build}, {shape}: batch size {p.batch} only): "
                           f"CPU per message taken as at batch size {p.batch}")
        return p.cpu_ms_per_msg
    raise ModelError(f"{run.name} has no throughput rows of the {build} build with {shape} messages: "
                     f"run `make bench` (the native build needs `make native-build` first), or pass --build/--shape")


def nearest(points, batch):
    return min(points.values(), key=lambda p: (abs(math.log(p.batch / batch)), p.batch))


def per_instance(run, build, shape, batch, memory_mb, concurrency, assumptions):
    """(messages per second of one instance, milliseconds per batch)."""
    meta = run.meta
    limits = meta.get("limits") or {}
    if not isinstance(limits.get("memoryMb"), (int, float)) or limits.get("method", "none") == "none":
        raise ModelError(f"{run.name} was not measured under Lambda's CPU share (meta.limits): "
                         f"its throughput is the whole machine's; run `make bench` where cgroups can be written (root)")
    mem0 = limits["memoryMb"]
    round_trip = float(meta.get("iotDataLatencyMs", 15))
    own = measured_points(run, build, shape)
    basis = own or measured_points(run, build, next(s for s in results.SHAPES if s != shape))
    if not basis:
        raise ModelError(f"{run.name} has no throughput rows of the {build} build: "
                         f"run `make bench` (the native build needs `make native-build` first)")
    ref = nearest(basis, batch)
    if not own:
        assumptions.append(f"no {shape} rows for the {build} build: the time per batch not explained by CPU or "
                           f"publishes is taken from its other message shape")
    if ref.batch == batch and ref.concurrency == concurrency and memory_mb == mem0 and own:
        return ref.msg_per_s, ref.batch_ms

    def batch_ms(b, cpu, v, conc):
        return max(b * cpu / v, round_trip * math.ceil(b / conc))

    remainder = ref.batch_ms - batch_ms(ref.batch, ref.cpu_ms_per_msg, vcpu(mem0), ref.concurrency)
    cpu = cpu_per_message(run, build, shape, batch, assumptions)
    t = batch_ms(batch, cpu, vcpu(memory_mb), concurrency) + remainder
    if memory_mb != mem0:
        assumptions.append(
            f"memory {memory_mb} MB not measured (the bench ran at {mem0} MB): the CPU share scales linearly with "
            f"memory ({memory_mb}/{MB_PER_VCPU:.0f} = {vcpu(memory_mb):.3f} vCPU, {CPU_SHARE_URL}) and the CPU time per "
            f"message stays as measured at {mem0} MB (linear CPU-share scaling)")
    if concurrency != batch:
        assumptions.append(f"publishes in flight per batch (BRIDGE_MAX_CONCURRENCY) {concurrency}, the bench ran it "
                           f"equal to the batch size: a batch takes at least {round_trip:.0f} ms per "
                           f"{concurrency} publishes (the bench's iot-data round trip)")
    if memory_mb != mem0 or batch != ref.batch:
        assumptions.append(f"a batch takes at least its publishes' round trips ({round_trip:.0f} ms in the bench, "
                           f"meta.iotDataLatencyMs; on AWS the iot-data round trip was not measured) plus "
                           f"{remainder:+.2f} ms measured at batch size {ref.batch} beyond CPU and publishes")
    return batch / t * 1000.0, t


def tolerance(ref, build, results_dir=results.RESULTS_DIR):
    """The largest relative difference from the reference run, over the committed runs made under the
    same conditions, of this build's throughput (every shape and batch size) and end-to-end p50/p99;
    rounded up to a multiple of 0.05. Returns (tolerance, [cited runs], text)."""
    runs = [r for r in results.comparable_runs(ref, results_dir) if r.path != ref.path]
    worst, worst_what, cited = 0.0, "", []
    for run in runs:
        used = False
        for shape in results.SHAPES:
            mine, theirs = results.throughput_rows(ref, build, shape), results.throughput_rows(run, build, shape)
            for b in mine.keys() & theirs.keys():
                x0, x = mine[b].get("throughput"), theirs[b].get("throughput")
                if x0 and x:
                    used = True
                    d = abs(x / x0 - 1)
                    if d > worst:
                        worst, worst_what = d, f"{shape} batch {b} throughput {x} against {x0} msg/s in {run.name}"
            e0, e = results.e2e_row(ref, build, shape), results.e2e_row(run, build, shape)
            if e0 and e:
                for k in ("p50Ms", "p99Ms"):
                    if e0.get(k) and e.get(k):
                        used = True
                        d = abs(e[k] / e0[k] - 1)
                        if d > worst:
                            worst, worst_what = d, f"{shape} end-to-end {k[:3]} {e[k]} against {e0[k]} ms in {run.name}"
        if used:
            cited.append(run.name)
    if not cited:
        raise ModelError(f"no committed run repeats {ref.name}'s conditions for the {build} build: the run-to-run "
                         f"noise, hence the tolerance, is unknown; commit a second `make bench` run")
    tol = results.tolerance_step(worst)
    text = (f"{tol:.2f}: the largest difference from {ref.name} among {len(cited)} committed runs under the same "
            f"conditions was {worst:.1%} ({worst_what}), rounded up to a multiple of 0.05")
    return tol, cited, text


def latency_at(build, shape, batch, slower_ms, window_s, rate, instances, assumptions, sweep_path=None):
    """End-to-end p50/p99 at `rate` msg/s offered to `instances` instances, from the latency sweep's curve
    (latency.py); None when the rate is at or past the path's capacity. Returns (p50, p99, curve, rate, utilisation)."""
    try:
        c = latency.curve(sweep_path)
    except sweep.SweepError as e:
        raise ModelError(str(e)) from e
    except latency.LatencyError as e:
        raise ModelError(f"the latency sweep cannot give the latency model: {e}") from e
    if rate is None:
        # no rate asked: half of what the instances carry on the path, a moderate utilisation
        rate = 0.5 * instances * c.capacity
        assumptions.append(f"no --rate: end-to-end latency at half the {instances} instance(s)' capacity on the local "
                           f"path ({rate:.0f} msg/s)")
    check_range("--rate", rate, 1e-9, 1e9, "messages per second offered")
    if build != "native":
        assumptions.append(f"latency of the native build (the sweep runs it; {build} not swept)")
    if shape != latency.SHAPE:
        assumptions.append(f"latency of {latency.SHAPE} messages (the curve is fitted to those; the sweep's {shape} runs "
                           f"are recorded beside them)")
    if batch != c.batch_size:
        assumptions.append(f"batch size {batch}: the latency curve was swept at batch size {c.batch_size}; its "
                           f"invocation time is taken as a + b·k with the sweep's a and b up to batch size {batch}")
        c = dataclasses.replace(c, batch_size=batch)
    p50, p99 = c.at(rate, instances)
    rho = rate / (instances * c.capacity)
    extra = slower_ms
    if extra > 0:
        assumptions.append(f"a batch takes {extra:.1f} ms longer at this memory size than at the bench's: the "
                           f"end-to-end latency grows by the difference")
    if window_s > 0:
        assumptions.append(f"the batching window ({window_s:g} s) is added in full: an upper bound, batches fill "
                           f"before it closes when the rate per poller is high")
        extra += window_s * 1000.0
    if p50 is None:
        assumptions.append(f"{rate:.0f} msg/s is {rho:.0%} of the {instances} instance(s)' capacity on the local path "
                           f"({instances} x {c.capacity:.0f} msg/s): a backlog grows, the latency has no steady state")
        return None, None, c, rate, rho
    return p50 + extra, p99 + extra, c, rate, rho


def predict(instances, batch, memory_mb, payload_bytes, build="native", shape="envelope-v1", concurrency=None,
            window_s=None, results_dir=results.RESULTS_DIR, ref=None, rate=None, sweep_path=None):
    check_range("--instances", instances, 1, 1_000_000, "concurrent function instances")
    check_range("--batch", batch, *BATCH_RANGE, f"an SQS event source mapping's batch size, {aws.BATCH_MAX.url}")
    check_range("--memory", memory_mb, *MEMORY_RANGE_MB, f"Lambda's memory size in MB, {CPU_SHARE_URL}")
    check_range("--payload", payload_bytes, 0, MAX_PAYLOAD_BYTES, f"AWS IoT Core's message payload limit, {aws.IOT_PAYLOAD_BYTES.url}")
    concurrency = batch if concurrency is None else concurrency
    check_range("--concurrency", concurrency, *CONCURRENCY_RANGE, "BRIDGE_MAX_CONCURRENCY")
    window_s = (0.0 if batch <= 10 else 1.0) if window_s is None else float(window_s)
    check_range("--window", window_s, 0, aws.WINDOW_MAX_S.value, f"an SQS event source mapping's MaximumBatchingWindowInSeconds, {aws.WINDOW_MAX_S.url}")
    if batch > 10 and window_s < 1:
        raise ModelError(f"--window must be at least 1 s when --batch is above 10 (an SQS event source mapping "
                         f"requires it, {aws.BATCH_MAX.url}), got {window_s:g}")
    ref = ref or results.reference_run(results_dir)
    assumptions = []
    per_instance_rate, batch_ms = per_instance(ref, build, shape, batch, memory_mb, concurrency, assumptions)
    if payload_bytes > BENCH_PAYLOAD_BYTES:
        assumptions.append(f"payload {payload_bytes} bytes not measured (the bench publishes {BENCH_PAYLOAD_BYTES} "
                           f"bytes, {BENCH_PAYLOAD_SOURCE}): per-message CPU taken as independent of payload size; "
                           f"larger payloads cost more TLS and base64 work, so expect less")
    mem0 = ref.meta["limits"]["memoryMb"]
    slower = 0.0 if memory_mb == mem0 else max(0.0, batch_ms - per_instance(ref, build, shape, batch, mem0, concurrency, [])[1])
    p50, p99, curve, at_rate, rho = latency_at(build, shape, batch, slower, window_s, rate, instances, assumptions,
                                                sweep_path)
    tol, cited, tol_text = tolerance(ref, build, results_dir)
    lat_tol, lat_tol_why = curve.tolerance_at(at_rate, instances)
    return Prediction(
        instances=instances, batch=batch, memory_mb=memory_mb, payload_bytes=payload_bytes, build=build, shape=shape,
        concurrency=concurrency, window_s=window_s, per_instance=per_instance_rate, latency_p50_ms=p50, latency_p99_ms=p99,
        tolerance=tol, batch_ms=batch_ms, latency_rate=at_rate, utilisation=rho, latency_tolerance=lat_tol,
        path_per_instance=curve.capacity, latency_model=curve.as_json(),
        sources={
            "perInstance": ref.name,
            "latency": (f"{curve.source} (end to end on one instance at several rates, make latency-sweep), "
                        f"at {at_rate:.0f} msg/s over {instances} instance(s): {rho:.0%} of their capacity on the local path"),
            "latencyToleranceBasis": lat_tol_why,
            "tolerance": cited,
            "toleranceBasis": tol_text,
            "cpuShare": CPU_SHARE_URL,
        },
        assumptions=assumptions)
