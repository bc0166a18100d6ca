"""End-to-end latency as a function of the offered rate: the model's parameters come from the latency
sweep (`make latency-sweep`, sweep.py: the bench's end-to-end scenario on one instance at several
rates), never from the load run, which is what checks it.

A message's time from the device's publish to the destination subscriber, at percentile p, is

    T_p(λ, c) = F_p + S(k) + H_p · S(k) · busy(u) + Z_p(λ, c) + V_p · Q_p(ρ, c)

- F_p, the fixed path: MQTT publish, the rules engine, SQS send and receive, the iot-data request
  beyond the function, delivery to the subscriber; what is left at an idle instance besides S(1).
- S(k) = a + b·k, the measured time of one invocation carrying k records (the sweep's mean batch and
  mean invocation time at each rate, least squares). The instance's capacity on this path is
  μ = B / S(B) for batch size B: what a backlog of full batches drains at.
- The batching wait, H_p·S(k)·busy(u): with no batching window (batch size ≤ 10) the mapping hands
  over whatever has arrived, so while an instance works on one batch the next fills; at a per-instance
  rate λ/c the batch size settles where arrivals during one invocation fill the next, k = λ/c · S(k),
  i.e. k = (λ/c)·a / (1 − (λ/c)·b), between 1 and B. u = (λ/c)·S(k)/k is the share of the time the
  instance is invoking. Messages come evenly spaced (the load generator and the bench publish on a
  fixed schedule), so a message finds its instance busy never while u < 1 (one record's invocation
  ends before the next record arrives) and always once batches form (u = 1): busy(u) (finds_busy).
  It then waits for the rest of the batch in progress and (the local mapping receiving one batch
  ahead) the batch already received; H_p is the p-th percentile of that wait, in invocations.
- Z_p, the wait of instances sharing one queue below the knee (busy = 0, c ≥ 2): each message goes to
  an instance taken at random, so it may find that instance still invoking the j-th message before
  it (chance (1/c)(1 − 1/c)^(j−1) when j arrival intervals are shorter than S(1)), for the rest of
  that invocation (shared_queue_wait_ms, no parameter). One instance alone sees evenly spaced
  messages: Z = 0.
- The queueing wait once batches are full: c instances, each a server of μ messages per second, at
  utilisation ρ = λ / (c·μ). Its mean is the Allen–Cunneen approximation for G/G/c,
  W = C(c, cρ) / (c·μ·(1 − ρ)) · (ca² + cs²)/2, with C the Erlang C probability of waiting
  (A. O. Allen, "Probability, Statistics, and Queueing Theory", 2nd ed., 1990, §6; for c = 1 it is
  Kingman's G/G/1 formula), and its distribution the exponential tail of Kingman's heavy-traffic
  approximation (J. F. C. Kingman, "The single server queue in heavy traffic", Proc. Cambridge Phil.
  Soc. 57, 1961): P(wait > t) = C·exp(−t/θ), θ = W/C, so Q_p = θ · ln(C / (1 − p)) when C > 1 − p,
  else 0. V_p = (ca² + cs²)/2 is not assumed: it is fitted.
- F_p, H_p and V_p (p = 50, 99) are fitted, non-negative, by least squares on the sweep's runs below
  capacity (ρ < RHO_FIT_MAX) measured in a steady state (Point.steady), p50's first and p99's as
  p50's plus a non-negative excess each, so that p99 ≥ p50 at every rate; a percentile of a sum is
  taken as the sum of the parts' percentiles (an upper bound at p99 when the parts vary independently).

Limits: as ρ → 0, T_p → F_p + S(1) (an idle instance takes a message at once); as ρ → 1, T_p grows
without bound as 1/(1 − ρ); at ρ ≥ 1 there is no steady state (a backlog grows) and the model
returns None.

Where it is judged, and the tolerance: only at utilisations up to RHO_JUDGE_MAX. Past it the
queueing term's 1/(1 − ρ) turns a capacity a few % off into a latency off by a factor (at ρ = 0.98
a capacity 2 % lower is no steady state at all), so a comparison there tests the capacity, which
the throughput comparison already does. Below it, the run-to-run spread of a percentile grows with
ρ (near capacity one stall of the machine delays every message behind it until the backlog
drains), so the tolerance is per utilisation band and per percentile: each sweep rate at or below
RHO_JUDGE_MAX closes a band (ρ of the previous rate, ρ of this one]; the band's tolerance for p50
and for p99 is the largest relative difference between that rate's repeats, rounded up to a
multiple of 0.05 (the throughput tolerance's rule, model.tolerance), at least 0.05, plus the model's
allowance (MODEL_ALLOWANCE: 0.10 at p50, 0.25 at p99, for what it leaves out). A point is judged
with the band its ρ falls in (the lowest band below it); past the highest band, or past
RHO_JUDGE_MAX, it is not judged.
"""
import itertools
import math
from dataclasses import dataclass, field

import results
import sweep

PERCENTILES = (50, 99)
RHO_FIT_MAX = 0.97
RHO_JUDGE_MAX = 0.85
# What the model leaves out, added to the run-to-run spread in the tolerance: the load run is another
# harness than the sweep (its fixed path differs by a few ms, and its runs differ from each other
# more than the sweep's repeats), and which instance of several a message goes to is taken as
# random (shared_queue_wait_ms), which it is not exactly. Stated here, as the accuracy the model
# claims; the report also counts the steps within the spread alone.
MODEL_ALLOWANCE = {50: 0.10, 99: 0.25}
# The sweep row of each message shape (harness Bench.java competitors; sweep.py runs the native build).
# The curve is fitted to the deployed shape's rows; the legacy rows come with them (the bench runs both).
ROW_IDS = {"envelope-v1": "native-envelope", "legacy": "native"}
SHAPE = "envelope-v1"


class LatencyError(Exception):
    """The sweep cannot give the latency model's parameters (the message names the fix)."""


def erlang_c(c, a):
    """Erlang C: the probability that an arrival waits, c servers, offered load a = λ/μ (< c).
    Erlang B by its recursion (stable for large c), then C from B."""
    if a <= 0:
        return 0.0
    b = 1.0
    for k in range(1, c + 1):
        b = a * b / (k + a * b)
    rho = a / c
    return b / (1 - rho + rho * b)


def queue_wait_ms(rho, c, mu, p, v=1.0):
    """The p-th percentile of the queueing wait (ms), Allen–Cunneen mean with Kingman's exponential
    tail, for c servers of mu msg/s each at utilisation rho; v = (ca² + cs²)/2."""
    if rho <= 0:
        return 0.0
    if rho >= 1:
        return math.inf
    cw = erlang_c(c, rho * c)
    q = 1 - p / 100
    if cw <= q:
        return 0.0
    theta = v * 1000.0 / (c * mu * (1 - rho))
    return theta * math.log(cw / q)


def finds_busy(u):
    """Whether a message finds its instance invoking, for evenly spaced arrivals (the load generator
    and the bench publish on a fixed schedule): not while the instance is idle between them (u < 1:
    one record's invocation ends before the next record comes), always once batches form (u = 1)."""
    return 1.0 if u >= 1 - 1e-9 else 0.0


def shared_queue_wait_ms(rate, instances, s1, p):
    """The p-th percentile of the wait below the knee (batches of one) when `instances` instances poll
    one queue that receives `rate` evenly spaced messages a second: each message goes to an instance
    taken at random, so it finds that instance still invoking (s1 ms per record) the j-th message
    before it when the j − 1 messages between went elsewhere and j arrival intervals T are shorter
    than s1: chance (1/c)·(1 − 1/c)^(j−1), wait s1 − j·T. With one instance, or T ≥ s1, no wait."""
    if rate <= 0 or instances < 2:
        return 0.0
    t = 1000.0 / rate
    waits = []                                       # (wait ms, chance)
    j = 1
    while j * t < s1:
        waits.append((s1 - j * t, (1 / instances) * (1 - 1 / instances) ** (j - 1)))
        j += 1
    cumulative = 1 - sum(c for _, c in waits)        # the messages that find their instance idle
    if cumulative >= p / 100:
        return 0.0
    for wait, chance in sorted(waits):
        cumulative += chance
        if cumulative >= p / 100 - 1e-12:
            return wait
    return max(w for w, _ in waits)


def lstsq(rows, ys):
    """Least squares for a few unknowns (normal equations, Gauss–Jordan); None when singular."""
    n = len(rows[0])
    m = [[sum(r[i] * r[j] for r in rows) for j in range(n)] + [sum(r[i] * y for r, y in zip(rows, ys))]
         for i in range(n)]
    for i in range(n):
        piv = max(range(i, n), key=lambda k: abs(m[k][i]))
        if abs(m[piv][i]) < 1e-12:
            return None
        m[i], m[piv] = m[piv], m[i]
        for k in range(n):
            if k != i:
                f = m[k][i] / m[i][i]
                m[k] = [x - f * y for x, y in zip(m[k], m[i])]
    return [m[i][n] / m[i][i] for i in range(n)]


def nnls(rows, ys):
    """Non-negative least squares by trying every subset of the unknowns (there are three)."""
    n = len(rows[0])
    best = None
    for size in range(n, 0, -1):
        for keep in itertools.combinations(range(n), size):
            sol = lstsq([[r[i] for i in keep] for r in rows], ys)
            if sol is None or any(x < 0 for x in sol):
                continue
            full = [0.0] * n
            for i, x in zip(keep, sol):
                full[i] = x
            err = sum((y - sum(c * x for c, x in zip(r, full))) ** 2 for r, y in zip(rows, ys))
            if best is None or err < best[0] - 1e-12:
                best = (err, full)
    return best[1] if best else [0.0] * n


@dataclass(frozen=True)
class Point:
    """One run of the sweep, reduced to what the fit uses."""
    rate: float
    repeat: int
    p50: float
    p99: float
    batch: float
    invocation_ms: float
    backlog: float = 0.0     # queued when the measured part began

    @property
    def steady(self):
        """Measured in a steady state: less than a second's messages queued when the measurement began
        (the load run's rule for a step that keeps up); otherwise its latency is the warm-up's backlog."""
        return self.backlog <= self.rate


@dataclass(frozen=True)
class Band:
    """Utilisations up to `rho` (that of the sweep rate `rate`) and the latency tolerance there."""
    rho: float
    rate: float
    repeats: dict               # {50: [ms, ...], 99: [ms, ...]}: the rate's repeats, sorted

    def spread(self, p):
        xs = self.repeats[p]
        return xs[-1] / xs[0] - 1 if xs[0] > 0 else math.inf

    @property
    def noise(self):
        """The repeats' spread rounded up to a multiple of 0.05, at least 0.05."""
        return {p: max(0.05, results.tolerance_step(self.spread(p))) for p in PERCENTILES}

    @property
    def basis(self):
        return {p: (f"p{p} {', '.join(f'{x:.1f}' for x in self.repeats[p])} ms in {len(self.repeats[p])} repeats at "
                    f"{self.rate:g} msg/s (ρ {self.rho:.2f}): {self.spread(p):.1%} apart") for p in PERCENTILES}

    @property
    def tolerance(self):
        return {p: round(self.noise[p] + MODEL_ALLOWANCE[p], 2) for p in PERCENTILES}

    def as_json(self):
        return {"upToUtilisation": round(self.rho, 3), "sweepRate": self.rate,
                **{f"p{p}": self.tolerance[p] for p in PERCENTILES},
                **{f"p{p}Noise": self.noise[p] for p in PERCENTILES},
                **{f"p{p}Basis": self.basis[p] for p in PERCENTILES}}


@dataclass
class Curve:
    batch_size: int
    a_ms: float                 # S(k) = a + b·k
    b_ms: float
    fixed_ms: dict              # F_p
    hold: dict                  # H_p
    variability: dict           # V_p
    bands: list                 # [Band], by utilisation
    source: str
    points: list = field(default_factory=list)
    fitted: list = field(default_factory=list)   # the points below capacity the fit used
    notes: list = field(default_factory=list)

    def service_ms(self, k):
        return self.a_ms + self.b_ms * k

    @property
    def capacity(self):
        """One instance's msg/s on the whole path with full batches: B / S(B)."""
        return self.batch_size * 1000.0 / self.service_ms(self.batch_size)

    def batch_at(self, per_instance_rate):
        """k where the arrivals during one invocation fill the next batch, between 1 and B."""
        x = per_instance_rate / 1000.0
        if x * self.b_ms >= 1:
            return float(self.batch_size)
        return min(float(self.batch_size), max(1.0, x * self.a_ms / (1 - x * self.b_ms)))

    def parts(self, rate, instances):
        """The model's terms at `rate` msg/s offered to `instances` instances (ms; None past capacity)."""
        lam = rate / instances
        k = self.batch_at(lam)
        s = self.service_ms(k)
        u = min(1.0, lam * s / 1000.0 / k)
        rho = self.utilisation(rate, instances)
        out = {"utilisation": rho, "batch": k, "invocationMs": s, "busy": u}
        busy = finds_busy(u)
        for p in PERCENTILES:
            q = queue_wait_ms(rho, instances, self.capacity, p, self.variability[p])
            out[p] = {"fixed": self.fixed_ms[p], "invocation": s, "batching": self.hold[p] * s * busy,
                      "sharing": 0.0 if busy else shared_queue_wait_ms(rate, instances, self.service_ms(1), p),
                      "queueing": q}
        return out

    def utilisation(self, rate, instances=1):
        return rate / (instances * self.capacity)

    def tolerance_at(self, rate, instances=1):
        """({"p50": x, "p99": y}, why) for `rate` msg/s over `instances` instances: the tolerance of the
        band its utilisation falls in; (None, why) where the curve is not judged."""
        rho = self.utilisation(rate, instances)
        if rho > RHO_JUDGE_MAX:
            return None, (f"no tolerance at ρ {rho:.2f}: past {RHO_JUDGE_MAX:.2f} the tail depends on a capacity "
                          f"known to a few %, which the throughput comparison tests")
        band = next((b for b in self.bands if rho <= b.rho + 1e-9), None)
        if band is None:
            return None, (f"no tolerance at ρ {rho:.2f}: past the sweep's highest repeated rate below "
                          f"{RHO_JUDGE_MAX:.2f} (ρ {self.bands[-1].rho:.2f})")
        return ({**{f"p{p}": band.tolerance[p] for p in PERCENTILES},
                 **{f"p{p}Noise": band.noise[p] for p in PERCENTILES}},
                f"the band up to ρ {band.rho:.2f}: {band.basis[50]}; {band.basis[99]}; plus the model's allowance "
                + ", ".join(f"{MODEL_ALLOWANCE[p]:.2f} (p{p})" for p in PERCENTILES))

    def at(self, rate, instances=1):
        """(p50, p99) in ms at `rate` msg/s over `instances` instances; (None, None) at or past capacity."""
        t = self.parts(rate, instances)
        if t["utilisation"] >= 1:
            return None, None
        return tuple(sum(t[p].values()) for p in PERCENTILES)

    def as_json(self):
        return {
            "source": self.source,
            "batchSize": self.batch_size,
            "invocationMs": {"a": round(self.a_ms, 3), "bPerRecord": round(self.b_ms, 3)},
            "pathCapacityPerInstanceMsgPerSecond": round(self.capacity, 1),
            "fixedMs": {f"p{p}": round(self.fixed_ms[p], 2) for p in PERCENTILES},
            "batchingHold": {f"p{p}": round(self.hold[p], 3) for p in PERCENTILES},
            "queueVariability": {f"p{p}": round(self.variability[p], 3) for p in PERCENTILES},
            "judgedUpToUtilisation": RHO_JUDGE_MAX,
            "toleranceBands": [b.as_json() for b in self.bands],
            "notes": self.notes,
        }


def points_of(data, shape):
    rid = ROW_IDS.get(shape)
    if rid is None:
        raise LatencyError(f"unknown message shape {shape!r}: one of {', '.join(ROW_IDS)}")
    pts = []
    for r in data["runs"]:
        row = (r.get("rows") or {}).get(rid)
        if not row:
            continue
        try:
            pts.append(Point(float(r["rate"]), int(r.get("repeat", 1)), float(row["p50Ms"]), float(row["p99Ms"]),
                             float(row["meanBatch"]), float(row["meanInvocationMs"]), float(row.get("backlogAfterWarmup") or 0)))
        except (KeyError, TypeError, ValueError) as e:
            raise LatencyError(f"a {rid} row at {r.get('rate')} msg/s lacks {e}: run `make latency-sweep` again") from e
    return pts


def fit_service(pts, batch_size):
    xs, ys = [p.batch for p in pts], [p.invocation_ms for p in pts]
    if max(xs) - min(xs) < 1:
        raise LatencyError(f"the sweep's mean batch sizes ({min(xs):.1f} to {max(xs):.1f}) do not vary enough to tell "
                           f"the per-invocation from the per-record time: sweep from a few % to above 70 % of capacity "
                           f"(make latency-sweep SWEEP_ARGS=\"--fractions 0.05,0.3,0.5,0.7,0.85\")")
    # non-negative like the other parameters: a noisy sweep must not give an invocation that gets
    # shorter with more records
    a, b = nnls([[1.0, x] for x in xs], ys)
    if a <= 0:
        raise LatencyError(f"the invocation time does not fit a + b·k with a > 0 (fitted a = {a:.2f} ms, b = {b:.2f} ms): "
                           f"the sweep's runs are too noisy; run it again on a quieter machine")
    return a, b


def within(measured, modelled, tolerance):
    """{"p50": bool, "p99": bool, "within": bool} of measured against modelled (ms, by percentile)
    within a tolerance from tolerance_at; None where not judged (no tolerance, or no steady state)."""
    if tolerance is None or any(m is None or m <= 0 for m in modelled.values()):
        return None
    ok = {k: abs(measured[k] / modelled[k] - 1) <= tolerance[k] + 1e-9 for k in modelled}   # p50, p99
    return {**ok, "within": all(ok.values())}


def bands_of(pts, capacity):
    """The tolerance bands: one per sweep rate at or below RHO_JUDGE_MAX with repeats in a steady state."""
    by_rate = {}
    for p in pts:
        by_rate.setdefault(p.rate, []).append(p)
    bands = []
    for rate, group in sorted(by_rate.items()):
        rho = rate / capacity
        if rho > RHO_JUDGE_MAX or len(group) < 2:
            continue
        bands.append(Band(rho, rate, {p: sorted(getattr(g, f"p{p}") for g in group) for p in PERCENTILES}))
    if not bands:
        raise LatencyError(f"the sweep repeats no rate in a steady state at or below {RHO_JUDGE_MAX:.0%} of the path's "
                           f"capacity ({capacity:.0f} msg/s), so the run-to-run spread (the latency tolerance) is unknown: "
                           f"run `make latency-sweep` (--repeats 2 or more)")
    return bands


def fit(data, name, shape=SHAPE):
    """The latency curve from a sweep file's data."""
    meta = data["meta"]
    batch_size = int(meta.get("batch") or 10)
    pts = points_of(data, shape)
    if len(pts) < 3:
        raise LatencyError(f"{name} has {len(pts)} runs with {ROW_IDS[shape]} rows, at least 3 are needed: "
                           f"run `make latency-sweep`")
    a, b = fit_service(pts, batch_size)
    curve = Curve(batch_size, a, b, {}, {}, {}, [], name, points=pts)
    if b == 0:
        curve.notes.append("the invocation time did not grow with the batch size in this sweep (its least-squares slope "
                           "was negative, bounded at 0): the per-record time is lost in the run-to-run noise")
    below = [p for p in pts if p.rate / curve.capacity < RHO_FIT_MAX and p.steady]
    if len({p.rate for p in below}) < 3:
        raise LatencyError(f"{name}: fewer than 3 rates in a steady state below {RHO_FIT_MAX:.0%} of the path's capacity "
                           f"({curve.capacity:.0f} msg/s from the invocation times), too few to fit: sweep lower rates, "
                           f"on a quieter machine")
    curve.fitted = below
    # with unit coefficients the terms are the regressors (each term is linear in its parameter)
    curve.fixed_ms, curve.hold, curve.variability = ({p: x for p in PERCENTILES} for x in (0.0, 1.0, 1.0))
    unit = [curve.parts(pt.rate, 1) for pt in below]
    # each percentile is the one below it plus a non-negative excess in every parameter, so that the
    # curves cannot cross (fitted apart, a noisy p99 could come out below p50 between the sweep's rates)
    fitted, base = {}, [0.0, 0.0, 0.0]
    for p in PERCENTILES:
        rows = [[1.0, t[p]["batching"], t[p]["queueing"]] for t in unit]
        ys = [getattr(pt, f"p{p}") - t["invocationMs"] - t[p]["sharing"] - sum(x * r for x, r in zip(base, row))
              for pt, t, row in zip(below, unit, rows)]
        fitted[p] = base = [x + e for x, e in zip(base, nnls(rows, ys))]
    curve.fixed_ms, curve.hold, curve.variability = ({p: fitted[p][i] for p in PERCENTILES} for i in range(3))
    over = sorted({p.rate for p in pts if p.rate / curve.capacity >= RHO_FIT_MAX})
    if over:
        curve.notes.append(f"runs at {', '.join(f'{r:g}' for r in over)} msg/s are at or past {RHO_FIT_MAX:.0%} of the "
                           f"path's capacity: they give the invocation time of full batches, not a steady-state latency")
    unsteady = [p for p in pts if p.rate / curve.capacity < RHO_FIT_MAX and not p.steady]
    if unsteady:
        curve.notes.append("runs not in a steady state (more than a second's messages queued when the measurement "
                           "began), left out of the latency fit: " + ", ".join(
                               f"{p.rate:g} msg/s repeat {p.repeat} ({p.backlog:.0f} queued)" for p in unsteady))
    curve.bands = bands_of(below, curve.capacity)
    return curve


_cache = {}


def curve(path=None, shape=SHAPE):
    """The latency curve of the sweep file (default: the one latency-sweep-latest.json points at)."""
    resolved = sweep.resolve(path).resolve()
    key = (resolved, shape)
    if key not in _cache:
        real, data = sweep.load(resolved)
        _cache[key] = fit(data, results.relative(real), shape)
    return _cache[key]
