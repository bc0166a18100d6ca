"""One table of checks: each ok / warn / fail / skip with what was seen and, when not ok, the fix."""
import json
from dataclasses import asdict, dataclass

OK, WARN, FAIL, SKIP = "ok", "warn", "fail", "skip"


@dataclass
class Result:
    check: str
    status: str
    detail: str
    fix: str = ""


def summary(results):
    counts = {s: sum(1 for r in results if r.status == s) for s in (OK, WARN, FAIL, SKIP)}
    return counts


def as_json(title, results):
    return json.dumps({"target": title, "checks": [asdict(r) for r in results], "summary": summary(results)}, indent=2)


def as_table(title, results):
    width = max([len(r.check) for r in results] + [5])
    lines = [title, "", f"{'STATUS':<6}  {'CHECK':<{width}}  DETAIL"]
    for r in results:
        lines.append(f"{r.status:<6}  {r.check:<{width}}  {r.detail}")
        if r.fix and r.status in (WARN, FAIL):
            lines.append(f"{'':<6}  {'':<{width}}  fix: {r.fix}")
    c = summary(results)
    lines += ["", f"{c[OK]} ok, {c[WARN]} warn, {c[FAIL]} fail, {c[SKIP]} skipped"
              + (" — FAILED" if c[FAIL] else "")]
    return "\n".join(lines)
