"""Draws docs/benchmarks.png from a results file: throughput and CPU per message per batch size,
and cold start, per competitor (ratios against concurrent Python are in docs/benchmarks.md).

usage: harness/.venv/bin/python harness/chart.py harness/results/latest.json docs/benchmarks.png
"""
import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

BATCH_COLORS = ["#4c72b0", "#dd8452", "#55a868", "#c44e52"]


def num(v):
    return v if isinstance(v, (int, float)) and v == v else 0


def short(label):
    return label.replace(" (", "\n(").replace(" before", "\nbefore").replace(", ", ",\n")


def grouped(ax, rows, key, batches, fmt, title, ylabel):
    ids = []
    for r in rows:
        if r["id"] not in ids:
            ids.append(r["id"])
    labels = {r["id"]: short(r["label"]) for r in rows}
    width = 0.8 / max(1, len(batches))
    top = 1
    for k, b in enumerate(batches):
        xs, vals = [], []
        for i, cid in enumerate(ids):
            r = next((r for r in rows if r["id"] == cid and r.get("batchSize", batches[0]) == b), None)
            if r is None:
                continue
            xs.append(i - 0.4 + width * (k + 0.5))
            vals.append(num(r.get(key)))
        bars = ax.bar(xs, vals, width, label=f"batch {b}", color=BATCH_COLORS[k % len(BATCH_COLORS)])
        for bar, v in zip(bars, vals):
            ax.annotate(fmt.format(v), (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                        ha="center", va="bottom", fontsize=7)
        top = max([top] + vals)
    ax.set_xticks(range(len(ids)), [labels[i] for i in ids], fontsize=7)
    ax.set_ylim(0, top * 1.2)
    ax.set_title(title, fontsize=9)
    ax.set_ylabel(ylabel)
    ax.legend(fontsize=7)


def main(src, dst):
    with open(src) as f:
        res = json.load(f)
    meta = res.get("meta", {})
    batches = meta.get("batchSizes") or [meta.get("batchSize", 10)]
    tp = [r for r in res.get("throughput", []) if "error" not in r]
    cs = [r for r in res.get("coldStart", []) if r.get("starts")]
    cpu = meta.get("limits") or meta.get("cpuLimit", {})  # cpuLimit: results from before the memory limit
    limit = (f"{cpu.get('memoryMb')} MB CPU share ({cpu.get('vcpu')} vCPU, {cpu.get('method')})"
             if cpu.get("method") not in (None, "none") else "no CPU limit")
    transport = "HTTPS" if meta.get("iotDataTls", False) else "plain HTTP"
    fig, (a1, a2, a3) = plt.subplots(1, 3, figsize=(17, 5))

    grouped(a1, tp, "throughput", batches, "{:.0f}",
            f"Throughput, one instance (delivered msg/s)\niot-data over {transport}, {limit}", "delivered messages / s")
    grouped(a2, tp, "cpuMsPerMsg", batches, "{:.2f}",
            "CPU per delivered message (ms, user+sys after init)", "ms / message")

    labels = [short(r["label"]) for r in cs]
    x = range(len(cs))
    init = [num(r.get("initMedianMs")) for r in cs]
    first = [num(r.get("firstBatchMedianMs")) for r in cs]
    w = 0.38
    b1 = a3.bar([i - w / 2 for i in x], init, w, label="init: start → ready (first /next)", color="#4c72b0")
    b2 = a3.bar([i + w / 2 for i in x], first, w, label="start → first batch done", color="#dd8452")
    for bars in (b1, b2):
        for b in bars:
            a3.annotate(f"{b.get_height():.0f}", (b.get_x() + b.get_width() / 2, b.get_height()),
                        ha="center", va="bottom", fontsize=7)
    a3.set_xticks(list(x), labels, fontsize=7)
    a3.set_ylabel("ms (median)")
    a3.set_title(f"Cold start, median of {meta.get('coldStarts')} fresh process starts\n{limit}", fontsize=9)
    a3.set_ylim(0, max(init + first + [1]) * 1.2)
    a3.legend(fontsize=7, loc="upper left")

    load = meta.get("loadAtStart", {}).get("loadavg", "?").split(" ")[0]
    # the native bars are only as good as what built them: the builder goes with them
    built = f"\nnative built by: {meta['nativeBuilder']}" if meta.get("nativeBuilder") else ""
    fig.suptitle(f"iot-cross-account-bridge vs Python handlers — {meta.get('date', '')}, "
                 f"{meta.get('machine', {}).get('nproc', '?')} CPUs shared (load {load} at start){built}", fontsize=11)
    fig.tight_layout()
    fig.savefig(dst, dpi=100)
    print(f"bench: chart {dst}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
