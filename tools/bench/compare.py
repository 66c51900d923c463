#!/usr/bin/python3
"""Turn one `make bench` run into its results file: every comparison of a post's bench spec
(experiments/POST/bench-spec.json), each with a verdict from a confidence interval.

    compare.py SPEC WORKDIR OUT

WORKDIR holds what tools/bench/run.sh measured: per group, slice and round, `jmh-<g>-<s>-<r>.json`
(JMH's JSON results, one fork each) and `peer-<g>-<s>-<r>.json` (one run of
tools/bench/torch_peer.py, a separate process like a JMH fork), and `meta.json` (provenance
gathered by run.sh). A benchmark's forks from all rounds are one sample, in round order; so are
the peer's runs. (Runs before the rounds wrote `jmh-<g>.json` and `peer-<g>-<r>.json`: read too.)

Where the peer took turns with our iterations (run.sh --turns iterations, the default: the JMH
profiler unboxed.kit.bench.PeerTurns ran one peer iteration of the same work next to each of
ours and recorded its time as our benchmark's secondary result "peer"), each measured iteration
is a pair taken a second apart, and the speed ratio is the geometric mean of the pairs' ratios
(peer time over ours, > 1: ours is faster), its 99% interval from Student's t on their logarithms:
the machine's drift, common to both sides of a pair, cancels in each ratio.

Otherwise (the peer in its own processes, or the in-JVM DJL peer in its own forks): every
measured iteration of each side (all forks, all peer runs) gives a mean and its 99% confidence
interval (Student's t). The speed ratio is the peer's mean time over ours (> 1: ours is faster);
its interval is bounded by the extremes of the two intervals:
  low  = (peer mean - peer half-width) / (our mean + our half-width)
  high = (peer mean + peer half-width) / (our mean - our half-width)
A target is "met" only when low >= target, "missed" when high < target, and "not settled" when
the interval straddles it: the point ratio alone never decides.
"""
import json
import math
import os
import re
import statistics
import sys

# two-sided 99% Student t quantiles t_{0.995, df}
T995 = {1: 63.657, 2: 9.925, 3: 5.841, 4: 4.604, 5: 4.032, 6: 3.707, 7: 3.499, 8: 3.355, 9: 3.250,
        10: 3.169, 11: 3.106, 12: 3.055, 13: 3.012, 14: 2.977, 15: 2.947, 16: 2.921, 17: 2.898,
        18: 2.878, 19: 2.861, 20: 2.845, 25: 2.787, 30: 2.750, 40: 2.704, 60: 2.660, 120: 2.617}


def t995(df):
    if df <= 0:
        return float("inf")
    for k in sorted(T995):
        if df <= k:
            return T995[k]
    return 2.576


def finite(value):
    """The value with every infinite or NaN float replaced by None (JSON null)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [finite(v) for v in value]
    return value


def stats(samples):
    """Mean, median and the 99% confidence half-width of the mean of the given iterations."""
    n = len(samples)
    mean = statistics.fmean(samples)
    sd = statistics.stdev(samples) if n > 1 else float("inf")
    half = t995(n - 1) * sd / math.sqrt(n) if n > 1 else float("inf")
    return {"n": n, "mean": mean, "median": statistics.median(samples), "ci99_half_width": half,
            "ci99": [mean - half, mean + half], "iterations": samples}


def jmh_entries(paths):
    """One entry per benchmark and parameters, its forks gathered from every file in order."""
    merged, order = {}, []
    for path in paths:
        for r in json.load(open(path)):
            key = (r["benchmark"], json.dumps(r.get("params", {}), sort_keys=True))
            if key not in merged:
                merged[key] = {"first": r, "raw": [], "secondary": {}}
                order.append(key)
            m = merged[key]
            m["raw"].extend(r["primaryMetric"].get("rawData", []))
            for name, metric in (r.get("secondaryMetrics") or {}).items():
                m["secondary"].setdefault(name, []).extend(metric.get("rawData", []))
    out = []
    for key in order:
        m = merged[key]
        r, pm = m["first"], m["first"]["primaryMetric"]
        raw = [x for fork in m["raw"] for x in fork]
        st = stats(raw) if raw else None
        entry = {"benchmark": r["benchmark"].rsplit(".", 2)[-2] + "." + r["benchmark"].rsplit(".", 1)[-1],
                 "params": r.get("params", {}), "mode": r["mode"], "forks": len(m["raw"]),
                 "threads": r.get("threads"), "warmup_iterations": r.get("warmupIterations"),
                 "measurement_iterations": r.get("measurementIterations"), "jvm_args": r.get("jvmArgs"),
                 # over every file's forks: the mean and the 99% half-width of stats (JMH's own are per file)
                 "score": st["mean"] if st else pm["score"],
                 "error": st["ci99_half_width"] if st and len(raw) > 1 else pm["scoreError"],
                 "units": pm["scoreUnit"], "stats": st}
        for name, forks in m["secondary"].items():
            values = [x for fork in forks for x in fork]
            if values:
                entry.setdefault("secondary", {})[name] = {"median": statistics.median(values), "iterations": values}
        out.append(entry)
    return out


def numbered(work, pattern):
    """The files of WORKDIR whose names match pattern, in the order of the numbers in them,
    the round first: rounds alternate in time, slices within a round do not matter here."""
    found = []
    for f in os.listdir(work):
        m = re.fullmatch(pattern, f)
        if m:
            nums = [int(x) for x in m.groups() if x is not None]
            found.append(((nums[-1], nums[:-1]) if nums else (0, []), f))
    return [os.path.join(work, f) for _, f in sorted(found)]


def paired_samples(ours_e):
    """The peer's iterations taken in turns with ours (secondary result "peer" of our benchmark,
    one per measured iteration, in the same order) and its CPU over wall time; None if absent."""
    if not str(ours_e.get("units", "")).startswith("ms"):
        return None             # the peer answers in milliseconds: pairs need ours in them too
    sec = ours_e.get("secondary", {})
    peer = sec.get("peer", {}).get("iterations")
    if not peer or len(peer) != len(ours_e["stats"]["iterations"]) or not all(
            isinstance(x, (int, float)) and math.isfinite(x) and x > 0 for x in peer):
        return None
    return peer, sec.get("peerCpuOverWall", {}).get("iterations")


def paired_ratio(ours, peer):
    """Speed ratio from pairs of iterations taken a second apart: the geometric mean of
    peer_i / ours_i, with the 99% interval of Student's t on their logarithms (the drift of a
    shared machine, common to both sides of a pair, cancels in each ratio)."""
    logs = [math.log(p / o) for o, p in zip(ours, peer)]
    n = len(logs)
    mean = statistics.fmean(logs)
    half = t995(n - 1) * statistics.stdev(logs) / math.sqrt(n) if n > 1 else float("inf")
    return math.exp(mean), math.exp(mean - half), (math.exp(mean + half) if math.isfinite(half) else float("inf"))


def find_jmh(entries, name, params):
    for e in entries:
        if e["benchmark"] == name and all(e["params"].get(k) == v for k, v in (params or {}).items()):
            return e
    return None


def main():
    spec_path, work, out_path = sys.argv[1:4]
    spec = json.load(open(spec_path))
    meta = json.load(open(os.path.join(work, "meta.json")))
    jmh, peers = [], {}
    for g, group in enumerate(spec["groups"]):
        for e in jmh_entries(numbered(work, rf"jmh-{g}(?:-(\d+)-(\d+))?\.json")):
            e["group"] = group["name"]
            jmh.append(e)
        runs = numbered(work, rf"peer-{g}-(\d+)(?:-(\d+))?\.json")
        peers[group["name"]] = [json.load(open(f)) for f in runs]

    comparisons = []
    for c in spec["comparisons"]:
        ours_e = find_jmh(jmh, c["ours"]["benchmark"], c["ours"].get("params"))
        peer = c["peer"]
        paired = None
        if peer["side"] == "torch" and ours_e and ours_e["stats"]:
            paired = paired_samples(ours_e)
        if paired:
            # the peer took turns with our iterations inside our forks (unboxed.kit.bench.PeerTurns)
            samples, cpu = paired
            runs = [r for r in peers.get(peer["group"], []) if peer["result"] in r["results"]]
            peer_stats = stats(samples)
            peer_extra = {"runs": ours_e["forks"], "cpu_over_wall": cpu,
                          "openblas_corename": runs[0]["blas"].get("openblas_corename") if runs else None,
                          "threads": runs[0]["threads"] if runs else None}
        elif peer["side"] == "torch":
            runs = [r for r in peers.get(peer["group"], []) if peer["result"] in r["results"]]
            samples = [x for r in runs for x in r["results"][peer["result"]].get("iterations", [])]
            cpu = [r["results"][peer["result"]].get("cpu_over_wall") for r in runs]
            peer_stats = stats(samples) if samples else None
            peer_extra = {"runs": len(runs), "cpu_over_wall": cpu,
                          "openblas_corename": runs[0]["blas"].get("openblas_corename") if runs else None,
                          "threads": runs[0]["threads"] if runs else None}
        else:
            pe = find_jmh(jmh, peer["benchmark"], peer.get("params"))
            peer_stats = pe["stats"] if pe else None
            peer_extra = {"cpu_over_wall": (pe or {}).get("secondary", {}).get("cpuOverWall", {}).get("iterations")}
        if not ours_e or not ours_e["stats"] or not peer_stats:
            comparisons.append({"id": c["id"], "workload": c["workload"], "missing": True,
                                "verdict": "not measured"})
            continue
        o, p = ours_e["stats"], peer_stats
        if paired:
            ratio, low, high = paired_ratio(o["iterations"], p["iterations"])
        else:
            ratio = p["mean"] / o["mean"]
            low = (p["mean"] - p["ci99_half_width"]) / (o["mean"] + o["ci99_half_width"])
            high_den = o["mean"] - o["ci99_half_width"]
            high = (p["mean"] + p["ci99_half_width"]) / high_den if high_den > 0 else float("inf")
        target = c.get("target")
        if target is None:
            verdict = "no target"
        elif low >= target:
            verdict = "met"
        elif high < target:
            verdict = "missed"
        else:
            verdict = "not settled"
        entry = {"id": c["id"], "workload": c["workload"], "units": ours_e["units"],
                 "ours": {"benchmark": c["ours"]["benchmark"], "params": c["ours"].get("params", {}),
                          "cpu_over_wall": ours_e.get("secondary", {}).get("cpuOverWall", {}).get("iterations"),
                          **o},
                 "peer": {"label": peer["label"], **peer_extra, **p},
                 "speed_ratio": ratio, "speed_ratio_ci99": [low, high], "target": target, "verdict": verdict,
                 "paired": bool(paired)}
        if c.get("flops"):
            scale = 1e3 if ours_e["units"].startswith("ms") else 1.0
            entry["gflops_ours"] = c["flops"] / (o["mean"] / scale) / 1e9
            entry["gflops_peer"] = c["flops"] / (p["mean"] / scale) / 1e9
        comparisons.append(entry)

    result = {
        "format": "unboxed-results/1",
        "post": meta["post"],
        "name": meta["name"],
        "provenance": meta["provenance"],
        "results": {
            "kind": meta["kind"],
            "quick": meta["quick"],
            "comparisons": comparisons,
            "work_parity": spec.get("work_parity", []),
            "jmh": jmh,
            "peer": {name: runs for name, runs in peers.items()},
            "ratio_rule": "where the peer took turns with our iterations (paired): speed ratio = the geometric "
                          "mean of the pairs' peer time / our time, 99% interval from Student's t on their "
                          "logarithms; otherwise: speed ratio = peer's mean time / ours, 99% interval bounded by "
                          "the extremes of each side's interval (Student's t on every measured iteration); met if "
                          "its low end >= target, missed if its high end < target, otherwise not settled",
        },
    }
    tmp = out_path + ".tmp"
    with open(tmp, "w") as f:
        # strict JSON: an unbounded interval end (too few iterations) is written as null, not Infinity
        json.dump(finite(result), f, indent=2, allow_nan=False)
        f.write("\n")
    os.replace(tmp, out_path)
    for c in comparisons:
        if c.get("missing"):
            print(f"{c['id']}: not measured", file=sys.stderr)
        else:
            lo, hi = c["speed_ratio_ci99"]
            print(f"{c['id']}: ours/peer speed {c['speed_ratio']:.3f} (99% CI {lo:.3f}..{hi:.3f}), "
                  f"target {c['target']}: {c['verdict']}", file=sys.stderr)


if __name__ == "__main__":
    main()
