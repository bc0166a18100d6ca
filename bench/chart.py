"""Draws docs/benchmarks.png from a results file: throughput and cold start per competitor.

usage: bench/.venv/bin/python bench/chart.py bench/results/latest.json docs/benchmarks.png
"""
import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

COLORS = {"sample": "#b0b0b0", "corrected": "#4c72b0", "jvm": "#dd8452", "jvm-envelope": "#c44e52",
          "native": "#55a868", "native-envelope": "#2d7a44"}


def num(v):
    return v if isinstance(v, (int, float)) and v == v else 0


def main(src, dst):
    with open(src) as f:
        res = json.load(f)
    meta = res.get("meta", {})
    tp = [r for r in res.get("throughput", []) if "error" not in r]
    cs = [r for r in res.get("coldStart", []) if r.get("starts")]
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(12, 4.6))

    labels = [r["label"].replace(" (", "\n(").replace(", ", ",\n") for r in tp]
    vals = [num(r.get("throughput")) for r in tp]
    bars = a1.bar(labels, vals, color=[COLORS.get(r["id"], "#888") for r in tp])
    for b, r in zip(bars, tp):
        a1.annotate(f"{num(r.get('throughput')):.0f} msg/s\ndelivered {num(r.get('deliveredRatio')):.0%}",
                    (b.get_x() + b.get_width() / 2, b.get_height()), ha="center", va="bottom", fontsize=8)
    a1.set_title(f"Throughput, one instance (delivered msg/s)\n{meta.get('messages')} msgs, batches of "
                 f"{meta.get('batchSize')}, iot-data latency {meta.get('iotDataLatencyMs')} ms", fontsize=10)
    a1.set_ylabel("delivered messages / s")
    a1.set_ylim(0, max(vals + [1]) * 1.25)
    a1.tick_params(axis="x", labelsize=8)

    labels = [r["label"].replace(" (", "\n(") for r in cs]
    x = range(len(cs))
    init = [num(r.get("initMedianMs")) for r in cs]
    first = [num(r.get("firstBatchMedianMs")) for r in cs]
    w = 0.38
    b1 = a2.bar([i - w / 2 for i in x], init, w, label="init: start → ready (first /next)", color="#4c72b0")
    b2 = a2.bar([i + w / 2 for i in x], first, w, label="start → first batch done", color="#dd8452")
    for bars in (b1, b2):
        for b in bars:
            a2.annotate(f"{b.get_height():.0f}", (b.get_x() + b.get_width() / 2, b.get_height()),
                        ha="center", va="bottom", fontsize=8)
    a2.set_xticks(list(x), labels, fontsize=8)
    a2.set_ylabel("ms (median)")
    a2.set_title(f"Cold start, median of {meta.get('coldStarts')} fresh process starts", fontsize=10)
    a2.set_ylim(0, max(init + first + [1]) * 1.2)
    a2.axhline(1000, color="#c44e52", linestyle="--", linewidth=1)
    a2.annotate("target: JVM init ≤ 1.0 s", (-0.45, 1010), ha="left", va="bottom", fontsize=8, color="#c44e52")
    a2.set_ylim(0, max(init + first + [1100]) * 1.2)
    a2.legend(fontsize=8, loc="upper center")

    fig.suptitle(f"iot-cross-account-bridge vs the Python handler — {meta.get('date', '')}, "
                 f"{meta.get('machine', {}).get('nproc', '?')} CPUs", fontsize=11)
    fig.tight_layout()
    fig.savefig(dst, dpi=110)
    print(f"bench: chart {dst}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
