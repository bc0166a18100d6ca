"""docs/capacity.png: the local load run against the model. Left: delivered against offered msg/s
per instance count, with the model's capacity for that count and its tolerance band. Right: p50 and
p99 of the steps that kept up against the model's latency curves over the offered rate. Needs matplotlib (harness/.venv, harness/setup.sh).
"""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

COLORS = ["#4c72b0", "#dd8452", "#55a868", "#c44e52", "#8172b3", "#937860"]


def draw(data, dst, curves):
    steps, points = data["steps"], data["model"]["points"]
    counts = sorted({s["instances"] for s in steps})
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(14, 5.5))
    top = max(max(s["offeredMsgPerSecond"], s["deliveredMsgPerSecond"]) for s in steps)
    for k, n in enumerate(counts):
        color = COLORS[k % len(COLORS)]
        mine = [(s, p) for s, p in zip(steps, points) if s["instances"] == n]
        pred, tol = mine[0][1]["predictedMsgPerSecond"], mine[0][1]["tolerance"]
        top = max(top, pred * (1 + tol))
        a1.axhline(pred, color=color, lw=1, ls="--", label=f"{n}: model {pred:.0f} msg/s ±{tol:.0%}")
        a1.axhspan(pred * (1 - tol), pred * (1 + tol), color=color, alpha=0.08)
        for machine in (False, True):
            xs = [s["offeredMsgPerSecond"] for s, p in mine if bool(s.get("machineLimited")) == machine]
            ys = [s["deliveredMsgPerSecond"] for s, p in mine if bool(s.get("machineLimited")) == machine]
            if xs:
                a1.plot(xs, ys, "o" if not machine else "x", color=color, ms=7,
                        label=f"{n} instance{'s' if n > 1 else ''}, measured" + (" (machine was the limit)" if machine else ""))
        kept = [s for s, _ in mine if s.get("keepsUp") and s.get("p99Ms") is not None]
        if kept:
            xs = [s["offeredMsgPerSecond"] for s in kept]
            a2.plot(xs, [s["p50Ms"] for s in kept], "o", color=color, label=f"{n}: p50 measured")
            a2.plot(xs, [s["p99Ms"] for s in kept], "s", color=color, mfc="none", label=f"{n}: p99 measured")
        c = curves.get(n)
        if c:
            # the tolerance is per utilisation band (docs/capacity.md), in the table, not drawn
            xs = [r for r, _, _ in c["curve"]]
            a2.plot(xs, [row[1] for row in c["curve"]], "--", color=color, lw=1.2, label=f"{n}: model p50")
            a2.plot(xs, [row[2] for row in c["curve"]], ":", color=color, lw=1.2, label=f"{n}: model p99")
    a1.plot([0, top * 1.1], [0, top * 1.1], color="#999", lw=0.8, label="delivered = offered")
    a1.set_xlim(0, top * 1.1)
    a1.set_ylim(0, top * 1.1)
    a1.set_xlabel("offered msg/s")
    a1.set_ylabel("delivered msg/s")
    a1.set_title("Throughput: measured, model capacity per instance count (band = tolerance)", fontsize=9)
    a1.legend(fontsize=7, loc="upper left")
    a2.set_yscale("log")
    a2.set_xlim(0, top * 1.1)
    a2.set_xlabel("offered msg/s (steps that kept up)")
    a2.set_ylabel("end-to-end latency, ms (log)")
    a2.set_title("Latency of the steps that kept up: measured against the model's curves", fontsize=9)
    a2.legend(fontsize=7)
    meta = data.get("meta", {})
    fig.suptitle(f"Capacity model vs local load run — {meta.get('date', '')}, {meta.get('function', '?')} build, "
                 f"batch {meta.get('batchSize')}, {meta.get('memoryMb')} MB CPU share per instance, "
                 f"{(meta.get('machine') or {}).get('nproc', '?')} CPUs shared", fontsize=10)
    fig.tight_layout()
    fig.savefig(dst, dpi=100)
    plt.close(fig)
