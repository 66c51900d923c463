#!/usr/bin/env bash
# Where the time goes, for the benchmarks of ours that a post's targets judge: JMH's stack
# profiler (samples of every thread's top frame) on each of them, one fork, pinned like run.sh.
#
#   tools/bench/profile.sh POST [--kind native|avx2]
#
# Writes data/results/POST/bench-profile-<kind>-<cpu>.json (cpu: tools/bench/cpu-tag.sh), staged
# with the folder's SHA256SUMS (or into $BENCH_OUT_DIR, unstaged): for each profiled benchmark,
# the share of the benchmark thread's RUNNABLE samples per top frame (JMH's own thread, runnable
# in native code throughout, is left out).
set -euo pipefail
usage() { echo "usage: tools/bench/profile.sh POST [--kind native|avx2]" >&2; exit 2; }
[ $# -ge 1 ] || usage
command_line="tools/bench/profile.sh $*"
post="$1"; shift
kind=native
while [ $# -gt 0 ]; do
  case "$1" in
    --kind) [ $# -ge 2 ] || usage; kind="$2"; shift ;;
    *) usage ;;
  esac
  shift
done
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
# the tree as it is now, built now, as run.sh does: the profile's provenance names this commit and
# whether the tree had edits, and edits made while it runs are not in its jar
commit="$(git rev-parse HEAD)"
dirty="$([ -n "$(git status --porcelain)" ] && echo true || echo false)"
jar="experiments/$post/target/benchmarks.jar"
spec="experiments/$post/bench-spec.json"
mvn -q -B -Dstyle.color=never -Pbench -pl "experiments/$post" -am package -DskipTests >&2
jvm_kind=()
[ "$kind" = avx2 ] && jvm_kind=(-XX:UseAVX=2 -Dunboxed.cpu.l2=512K)
plan="$(tools/bench/plan.sh "$jar" "$spec" "${jvm_kind[@]}")"
measured=avx2
echo "$plan" | grep -q "preferred vector 512 bits" && measured=avx512
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
core=$(( $(nproc) - 1 ))
# which benchmarks: those the post's one-thread targets judge, from its bench spec, or the spec's
# own "profile" list (benchmark names, and "profile_params" for JMH's -p) where the post has no
# targets (post 01's classes by name, as its pinned profile was made)
params=(-p threads=1)
if [ "$post" = 01-basics ]; then
  regex='(SgemmBench|EpochBench)\.'
else
  read -r regex pspec < <(/usr/bin/python3 - "experiments/$post/bench-spec.json" <<'PY'
import json, re, sys
spec = json.load(open(sys.argv[1]))
if "profile" in spec:
    names = sorted(set(spec["profile"]))
    params = ",".join(f"{k}={v}" for k, v in spec.get("profile_params", {}).items()) or "-"
else:
    names = sorted({c["ours"]["benchmark"] for c in spec["comparisons"]
                    if c.get("target") is not None and c["ours"].get("params", {}).get("threads", "1") == "1"})
    params = "threads=1"
print("(" + "|".join(re.escape(n) for n in names) + ")$", params)
PY
)
  params=()
  if [ "$pspec" != "-" ]; then IFS=',' read -ra kv <<< "$pspec"; for p in "${kv[@]}"; do params+=(-p "$p"); done; fi
fi
cmd=(taskset -c "$core" java --add-modules jdk.incubator.vector --add-exports java.base/jdk.internal.misc=ALL-UNNAMED -jar "$jar" "$regex" "${params[@]}"
     -f 1 -wi 5 -i 5 -prof "stack:lines=1;top=15;detailLine=false;excludePackages=false"
     -jvmArgsPrepend "-XX:ActiveProcessorCount=1 ${jvm_kind[*]}")
echo "== ${cmd[*]}" >&2
"${cmd[@]}" | tee "$work/out.txt" >&2
# without BENCH_OUT_DIR the file is staged into data/results/POST as `make bench` stages its
# results (unboxed.kit.Staging: the other files kept, SHA256SUMS rewritten, the folder swapped)
out_dir="${BENCH_OUT_DIR:-$work/staged}"
mkdir -p "$out_dir"
cpu_tag="$(tools/bench/cpu-tag.sh)"
out="$out_dir/bench-profile-$measured-$cpu_tag.json"
COMMAND_LINE="$command_line" PLAN="$plan" CPU_TAG="$cpu_tag" POST="$post" COMMAND="${cmd[*]}" KIND="$kind" MEASURED="$measured" \
COMMIT="$commit" DIRTY="$dirty" \
JDK="$(java -version 2>&1 | head -1)" /usr/bin/python3 - "$work/out.txt" "$out" <<'PY'
import json, os, re, sys, time
env = os.environ
text = open(sys.argv[1]).read()
profiles = {}
# one "# Benchmark: ..." block per benchmark; in it, the RUNNABLE section lists "pct  pct  frame"
for block in re.split(r"^# Benchmark: ", text, flags=re.M)[1:]:
    name = block.split("\n", 1)[0].strip().rsplit(".", 2)
    name = name[-2] + "." + name[-1]
    # one block per parameter combination: the parameters other than threads name it
    params = re.search(r"^# Parameters: \((.*)\)", block, flags=re.M)
    if params:
        kept = [p.strip() for p in params.group(1).split(", ") if not p.strip().startswith("threads")]
        if kept:
            name += " [" + ", ".join(kept) + "]"
    m = re.search(r"\[Thread state: RUNNABLE\]\.+\n(.*?)(?:\n\s*\n|\n\.\.\.\.)", block, flags=re.S)
    rows = []
    if m:
        for line in m.group(1).splitlines():
            f = re.match(r"\s*([\d.]+)%\s+([\d.]+)%\s+(.*)", line)
            if f:
                rows.append({"share_of_runnable": float(f.group(2)) / 100, "frame": f.group(3).strip()})
    # JMH keeps one of its own threads runnable in native code for the whole run: its samples have
    # no Java frame ("<stack is empty, everything is filtered?>", half of all runnable samples with
    # one benchmark thread). They are left out, and the shares renormalised to the benchmark thread.
    empty = sum(r["share_of_runnable"] for r in rows if r["frame"].startswith("<stack is empty"))
    rows = [{"share_of_benchmark_thread": r["share_of_runnable"] / (1 - empty), "frame": r["frame"]}
            for r in rows if not r["frame"].startswith("<stack is empty")] if empty < 1 else []
    profiles[name] = {"samples_without_java_frames": empty, "frames": rows}
fields = {}
for line in open("/proc/cpuinfo"):
    if not line.strip():
        break
    k, _, v = line.partition(":")
    fields[k.strip()] = v.strip()
model = fields.get("model name", "?")
details = {k: fields.get(n) for k, n in (("model_name", "model name"), ("vendor", "vendor_id"),
                                         ("family", "cpu family"), ("model", "model"), ("stepping", "stepping"))}
out = {"format": "unboxed-results/1", "post": env["POST"], "name": "bench-profile-" + env["MEASURED"] + "-" + env["CPU_TAG"],
       "provenance": {"git_commit": env["COMMIT"], "git_dirty": env["DIRTY"] == "true", "command": env["COMMAND_LINE"],
                      "seed": None, "backend": "cpu", "scale": "bench-profile", "threads": 1, "jdk": env["JDK"],
                      "cpu": model, "cpu_details": details, "cpu_tag": env["CPU_TAG"], "cores": os.cpu_count(), "gpu": None,
                      "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                      "startup_choice": env["PLAN"].splitlines(), "jmh_command": env["COMMAND"]},
       "results": {"kind": {"requested": env["KIND"], "measured": env["MEASURED"]},
                   "profiler": "JMH stack profiler: top frame of sampled threads; shares of the benchmark"
                               " thread's RUNNABLE samples (samples without a Java frame left out)",
                   "profiles": profiles}}
tmp = sys.argv[2] + ".tmp"
json.dump(out, open(tmp, "w"), indent=2)
os.replace(tmp, sys.argv[2])
print("wrote " + sys.argv[2], file=sys.stderr)
PY
if [ -z "${BENCH_OUT_DIR:-}" ]; then
  tools/java.sh experiments/kit unboxed.kit.Staging "$root/data/results/$post" "$out"
fi
