#!/usr/bin/env bash
# JMH benchmarks of one post, with the PyTorch peer, side by side in one run on one machine.
#
#   tools/bench/run.sh POST [--quick]        e.g. tools/bench/run.sh 01-basics
#
# 1. builds the post's benchmarks jar:  mvn -q -Pbench -pl experiments/POST -am package -DskipTests
# 2. runs every benchmark in that jar (any class: adding one needs no change here), JSON results
# 3. runs the PyTorch peer (tools/bench/torch_peer.py, one thread), after JMH, never beside it
# 4. writes data/results/POST/bench.json atomically (temp file in the same folder, then mv):
#    the JMH results, the peer's, the ratios derived from both, and provenance.
#
# --quick: 1 warm-up and 2 measured iterations of 1 s per benchmark (JMH and peer alike), for a
# smoke test; the pinned results come from a full run (the benchmarks' own annotations).
#
# The in-JVM peer, libtorch through DJL (the post's DjlPeerBench, when it has one), runs inside
# JMH; OMP_NUM_THREADS=1 and MKL_NUM_THREADS=1 are exported for it before JMH starts (the engine
# ignores both, and the Python peer sets the same values itself).
#
# Environment: JMH_ARGS adds options to JMH (e.g. JMH_ARGS='MatmulBench' to run one class);
# BENCH_OUT replaces the output file (default data/results/POST/bench.json).
set -euo pipefail

usage() { echo "usage: tools/bench/run.sh POST [--quick]   (POST is a folder under experiments/, e.g. 01-basics)" >&2; exit 2; }
[ $# -ge 1 ] || usage
command_line="tools/bench/run.sh $*"
post="$1"; shift
quick=0
for arg in "$@"; do
  case "$arg" in
    --quick) quick=1 ;;
    *) usage ;;
  esac
done

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
if [ ! -f "experiments/$post/pom.xml" ]; then
  echo "tools/bench/run.sh: no post '$post' (expected experiments/$post/pom.xml)" >&2
  exit 2
fi
if [ ! -d "experiments/$post/src/jmh/java" ]; then
  echo "tools/bench/run.sh: post '$post' has no benchmarks (experiments/$post/src/jmh/java)" >&2
  exit 2
fi
python=/usr/bin/python3
if ! "$python" -c 'import torch' 2>/dev/null; then
  echo "tools/bench/run.sh: $python cannot import torch; install Debian's python3-torch (apt-get install python3-torch)" >&2
  exit 2
fi

# the tree as it is before this script writes anything (its own temporary files would count as changes)
commit="$(git rev-parse HEAD 2>/dev/null || echo "")"
dirty="$([ -n "$(git status --porcelain 2>/dev/null)" ] && echo true || echo false)"
started_iso="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
started_s="$(date +%s.%N)"
loadavg_start="$(cut -d' ' -f1-3 /proc/loadavg)"
work="$(mktemp -d "${TMPDIR:-/tmp}/bench-$post.XXXXXX")"
tmp=""
trap 'rm -rf "$work"; [ -z "$tmp" ] || rm -f "$tmp"' EXIT

echo "== building experiments/$post benchmarks" >&2
mvn -q -B -Dstyle.color=never -Pbench -pl "experiments/$post" -am package -DskipTests >&2
jar="experiments/$post/target/benchmarks.jar"
[ -f "$jar" ] || { echo "tools/bench/run.sh: $jar was not built (does the post's pom have the 'bench' profile?)" >&2; exit 1; }

jmh_opts=()
if [ $quick = 1 ]; then
  jmh_opts=(-wi 1 -i 2 -w 1s -r 1s -f 1)
fi
# shellcheck disable=SC2206
extra=(${JMH_ARGS:-})
java_cmd=(java --add-modules jdk.incubator.vector -Dunboxed.root="$root" -jar "$jar"
          -rf json -rff "$work/jmh.json" "${jmh_opts[@]}" "${extra[@]}")
echo "== JMH: ${java_cmd[*]}" >&2
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
"${java_cmd[@]}" >&2

# the peer repeats the protocol JMH actually ran (iterations and their length, read back from its
# results), so that changing a benchmark's annotations or passing -i / -r changes both sides
protocol="$("$python" - "$work/jmh.json" <<'PY'
import json, re, sys
out = {}
for r in json.load(open(sys.argv[1])):
    name = r["benchmark"]
    if re.search(r"MatmulBench\.sgemm_\d+$", name) and "matmul" not in out:
        secs = re.match(r"([\d.]+) s$", r.get("measurementTime", ""))
        out["matmul"] = {"warmup": r["warmupIterations"], "iterations": r["measurementIterations"]}
        if secs:
            out["matmul"]["seconds"] = float(secs.group(1))
    if re.search(r"EpochBench\.", name) and "mlp_epoch" not in out:
        out["mlp_epoch"] = {"warmup": r["warmupIterations"], "iterations": r["measurementIterations"]}
print(json.dumps(out))
PY
)"
peer_cmd=("$python" tools/bench/torch_peer.py --out "$work/peer.json" --protocol "$protocol")
[ $quick = 1 ] && peer_cmd+=(--quick)
echo "== peer: ${peer_cmd[*]}" >&2
"${peer_cmd[@]}"

loadavg_end="$(cut -d' ' -f1-3 /proc/loadavg)"
out="${BENCH_OUT:-data/results/$post/bench.json}"
mkdir -p "$(dirname "$out")"
tmp="$(mktemp "$(dirname "$out")/.bench.json.XXXXXX")"

jdk="$(java -version 2>&1 | tr '\n' ' ' | sed 's/ *$//')"

POST="$post" COMMAND_LINE="$command_line" JMH_COMMAND="${java_cmd[*]}" PEER_COMMAND="${peer_cmd[*]}" \
STARTED="$started_iso" STARTED_S="$started_s" COMMIT="$commit" DIRTY="$dirty" JDK="$jdk" QUICK="$quick" \
LOAD_START="$loadavg_start" LOAD_END="$loadavg_end" JAR="$jar" \
"$python" - "$work/jmh.json" "$work/peer.json" "$tmp" <<'PY'
import json, os, platform, re, statistics, sys, time, zipfile

ARCH = {"x86_64": "amd64", "aarch64": "aarch64"}  # as Java's os.arch names them

jmh_path, peer_path, out_path = sys.argv[1:4]
env = os.environ
jmh = json.load(open(jmh_path))
peer = json.load(open(peer_path))


def cpu_info():
    """The first processor's entry of /proc/cpuinfo, the SIMD flags, and the cache sizes."""
    fields = {}
    with open("/proc/cpuinfo") as f:
        for line in f:
            if not line.strip():
                break
            key, _, value = line.partition(":")
            fields[key.strip()] = value.strip()
    flags = set(fields.get("flags", "").split())
    caches = {}
    base = "/sys/devices/system/cpu/cpu0/cache"
    for index in sorted(os.listdir(base)) if os.path.isdir(base) else []:
        try:
            read = lambda name: open(os.path.join(base, index, name)).read().strip()
            caches[f"L{read('level')} {read('type')}"] = read("size")
        except OSError:
            pass
    return {
        "model_name": fields.get("model name"),
        "vendor": fields.get("vendor_id"),
        "family": fields.get("cpu family"),
        "model": fields.get("model"),
        "stepping": fields.get("stepping"),
        "mhz": fields.get("cpu MHz"),
        "simd_flags": sorted(f for f in flags if f in ("sse4_2", "avx", "avx2", "fma") or f.startswith("avx512")),
        "caches_per_cpu0": caches,
    }


def cube_size(name):
    """MatmulBench's naming: a benchmark ending in _<n> times one n x n x n product."""
    m = re.search(r"_(\d+)$", name)
    return int(m.group(1)) if m else None


benchmarks = []
for r in jmh:
    pm = r["primaryMetric"]
    raw = [x for fork in pm.get("rawData", []) for x in fork]
    entry = {
        "benchmark": r["benchmark"],
        "mode": r["mode"],
        "threads": r.get("threads"),
        "forks": r.get("forks"),
        "warmup_iterations": r.get("warmupIterations"),
        "measurement_iterations": r.get("measurementIterations"),
        "params": r.get("params", {}),
        "score": pm["score"],
        "error": pm["scoreError"],
        "units": pm["scoreUnit"],
        "iterations": raw,
        "median": statistics.median(raw) if raw else pm["score"],
    }
    # JMH secondary metrics (DjlPeerBench's thread-pin counters): every iteration and the median
    # (JMH's own "score" of such a counter is the sum over iterations, not a typical value)
    secondary = {}
    for key, metric in (r.get("secondaryMetrics") or {}).items():
        values = [x for fork in metric.get("rawData", []) for x in fork]
        if values:
            secondary[key] = {"iterations": values, "median": statistics.median(values),
                              "units": metric.get("scoreUnit")}
    if secondary:
        entry["secondary"] = secondary
    n = cube_size(r["benchmark"].rsplit(".", 1)[-1])
    if n and pm["scoreUnit"] == "ms/op":
        entry["n"] = n
        entry["gflops_median"] = 2.0 * n ** 3 / (entry["median"] * 1e6)
        entry["gflops_iterations"] = [2.0 * n ** 3 / (x * 1e6) for x in raw]
    benchmarks.append(entry)


def find(pattern):
    for b in benchmarks:
        if re.search(pattern, b["benchmark"]):
            return b
    return None


ratios, definitions = {}, {}
results = peer.get("results", {})
for b in benchmarks:
    name = b["benchmark"].rsplit(".", 1)[-1]
    torch_mm = results.get(f"matmul_{b.get('n')}")
    if name.startswith("sgemm_") and torch_mm:
        key = f"sgemm_{b['n']}_ours_over_openblas"
        ratios[key] = b["gflops_median"] / torch_mm["gflops_median"]
        ratios[f"sgemm_{b['n']}_gflops_ours"] = b["gflops_median"]
        ratios[f"sgemm_{b['n']}_gflops_openblas"] = torch_mm["gflops_median"]
        definitions[key] = (f"GFLOP/s of the engine's Sgemm (JMH {b['benchmark']}, median iteration) over "
                            f"GFLOP/s of torch.matmul through OpenBLAS (peer matmul_{b['n']}, median "
                            "iteration), float32, one thread each; > 1 means ours is faster")
epoch = find(r"EpochBench\.")
if epoch and "mlp_epoch" in results:
    ratios["mlp_epoch_ours_over_torch_speed"] = results["mlp_epoch"]["median"] / epoch["median"]
    ratios["mlp_epoch_ms_ours"] = epoch["median"]
    ratios["mlp_epoch_ms_torch"] = results["mlp_epoch"]["median"]
    definitions["mlp_epoch_ours_over_torch_speed"] = (
        f"torch's median epoch time (peer mlp_epoch) over ours (JMH {epoch['benchmark']}): one epoch of "
        "the 784-256-10 MLP, batch 64, SGD lr 0.1, one thread each; > 1 means ours is faster")

# the in-JVM peer: libtorch through DJL (DjlPeerBench), measured by JMH beside our benchmarks
djl_mm = find(r"DjlPeerBench\.djlMatmul_1024$")
ours_mm = find(r"MatmulBench\.sgemm_1024$")
if djl_mm and ours_mm and "gflops_median" in djl_mm:
    ratios["sgemm_1024_ours_over_libtorch_djl"] = ours_mm["gflops_median"] / djl_mm["gflops_median"]
    ratios["sgemm_1024_gflops_libtorch_djl"] = djl_mm["gflops_median"]
    definitions["sgemm_1024_ours_over_libtorch_djl"] = (
        f"GFLOP/s of the engine's Sgemm (JMH {ours_mm['benchmark']}, median iteration) over GFLOP/s of "
        f"libtorch's matmul through DJL in the same JVM run (JMH {djl_mm['benchmark']}, median iteration), "
        "1024^3 float32, one thread each; > 1 means ours is faster")
djl_epoch = find(r"DjlPeerBench\.djlTrainOneEpoch$")
if djl_epoch and epoch:
    ratios["mlp_epoch_ours_over_djl_speed"] = djl_epoch["median"] / epoch["median"]
    ratios["mlp_epoch_ms_djl"] = djl_epoch["median"]
    definitions["mlp_epoch_ours_over_djl_speed"] = (
        f"libtorch-through-DJL's median epoch time (JMH {djl_epoch['benchmark']}) over ours (JMH "
        f"{epoch['benchmark']}): one epoch of the 784-256-10 MLP, batch 64, SGD lr 0.1, same data, initial "
        "weights and batch order, one thread each; > 1 means ours is faster")
ratios["definitions"] = definitions


def djl_info(jar):
    """DJL's and libtorch's versions as the benchmarks jar bundles them (None when it has no DJL)."""
    try:
        with zipfile.ZipFile(jar) as z:
            names = set(z.namelist())
            if "native/lib/pytorch.properties" not in names:
                return None

            def props(name):
                if name not in names:
                    return {}
                lines = z.read(name).decode().splitlines()
                return dict(line.split("=", 1) for line in lines if "=" in line and not line.startswith("#"))

            native = props("native/lib/pytorch.properties")
            return {
                "djl_version": props("ai/djl/engine/api.properties").get("djl_version"),
                "pytorch_engine_version": props("pytorch-engine.properties").get("djl_version"),
                "pytorch_engine_built_for": props("pytorch-engine.properties").get("pytorch_version"),
                "pytorch_jni_version": props("jnilib/pytorch.properties").get("jni_version"),
                "libtorch_version": native.get("version", "").split("-")[0] or None,
                "libtorch_build": native.get("version"),
                "libtorch_flavor": native.get("flavor"),
                "libtorch_classifier": native.get("classifier"),
                "native_artifact": "ai.djl.pytorch:pytorch-native-cpu (bundled in the benchmarks jar; DJL offline)",
            }
    except (OSError, zipfile.BadZipFile):
        return None


djl = djl_info(env["JAR"]) if (djl_mm or djl_epoch) else None
djl_pins = None
if djl:
    djl_pins = {"jvm_args": next(r.get("jvmArgs") for r in jmh if "DjlPeerBench." in r["benchmark"]),
                "env": {k: env.get(k) for k in ("OMP_NUM_THREADS", "MKL_NUM_THREADS")}}
    for b in (djl_mm, djl_epoch):
        if b and "secondary" in b:
            djl_pins[b["benchmark"].rsplit(".", 1)[-1]] = {k: v["iterations"] for k, v in b["secondary"].items()}

# the results-file layout every post uses (unboxed.io.Results): format, post, name, provenance, results
out = {
    "format": "unboxed-results/1",
    "post": env["POST"],
    "name": "bench",
    "provenance": {
        "git_commit": env["COMMIT"] or "unknown",
        "git_dirty": env["DIRTY"] == "true",
        "command": env["COMMAND_LINE"],
        "seed": None,
        "backend": "cpu",
        "scale": "bench-quick" if env["QUICK"] == "1" else "bench",
        "threads": 1,
        "jdk": env["JDK"],
        "cpu": cpu_info()["model_name"],
        "cpu_details": cpu_info(),
        "cores": os.cpu_count(),
        "gpu": None,
        "os": " ".join(os.uname()[i] for i in (0, 2, 4)),
        "started": env["STARTED"],
        "wall_seconds": round(time.time() - float(env["STARTED_S"]), 1),
        "jmh_command": env["JMH_COMMAND"],
        "peer_command": env["PEER_COMMAND"],
        "jmh_version": jmh[0].get("jmhVersion") if jmh else None,
        # our benchmarks' JVM (DjlPeerBench's fork adds DJL's properties: thread_pins.djl_measured)
        "jvm_args": next((r.get("jvmArgs") for r in jmh if "DjlPeerBench." not in r["benchmark"]), None),
        "torch_version": peer.get("torch_version"),
        "torch_package": peer.get("torch_package"),
        "djl": djl,
        "blas_config": {"torch_config_head": peer.get("torch_config_head"),
                        "torch_build_settings": peer.get("torch_build_settings"),
                        "openblas": peer.get("blas")},
        "thread_pins": {
            "jmh": "one benchmark thread (JMH threads=1); Sgemm called with threads=1, EpochBench on CpuBackend(1)",
            "peer": peer.get("threads"),
            "peer_cpu_over_wall": {k: v.get("cpu_over_wall") for k, v in results.items()},
            "djl": "libtorch through DJL in the JMH fork: -Dai.djl.pytorch.num_threads=1 "
                   "-Dai.djl.pytorch.num_interop_threads=1, OMP_NUM_THREADS=1; per measured iteration, "
                   "libtorch's reported thread counts and the fork's process CPU time over wall time" if djl else None,
            "djl_measured": djl_pins,
        },
        "load_average_start": env["LOAD_START"],
        "load_average_end": env["LOAD_END"],
    },
    "results": {
        "quick": env["QUICK"] == "1",
        "jmh": benchmarks,
        "peer": peer,
        "ratios": ratios,
    },
}
with open(out_path, "w") as f:
    json.dump(out, f, indent=2)
    f.write("\n")

for key, value in ratios.items():
    if key != "definitions":
        print(f"{key}: {value:.3f}", file=sys.stderr)
PY
chmod 644 "$tmp"
mv "$tmp" "$out"
tmp=""
echo "== wrote $out" >&2
