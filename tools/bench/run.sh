#!/usr/bin/env bash
# JMH benchmarks of one post, with the PyTorch peer, side by side in one run on one machine,
# as the post's bench spec says (experiments/POST/bench-spec.json).
#
#   tools/bench/run.sh POST [--quick] [--kind native|avx2] [--turns iterations|processes]
#
# For each group of the spec (a thread count), in 3 rounds (1 with --quick), slice by slice (the
# spec's "slices": a few benchmarks with the peer measurements they are compared with):
#   JMH runs one fork of the slice's benchmarks, pinned with taskset to that many cores, the JVM
#   told as much (-XX:ActiveProcessorCount), and the PyTorch peer (tools/bench/torch_peer.py) with
#   as many threads on the same cores, never beside it:
#   --turns iterations (the default): the two take turns iteration by iteration. A JMH profiler
#      (unboxed.kit.bench.PeerTurns) starts the peer as a server in the fork and has it run one
#      iteration of the same work (warm-up or measured, as long as JMH's) alternately just before
#      and just after each of ours; its time comes back as the secondary result "peer" of that
#      iteration, so each measured iteration is a pair taken a second apart;
#   --turns processes: the fork, then one peer run as a separate process, the other way round in
#      odd rounds (the sides minutes apart; the protocol of the runs pinned before the turns).
# then tools/bench/compare.py derives every comparison of the spec, each with a 99% confidence
# interval and a verdict, and writes the results file atomically:
#   data/results/POST/bench-<kind>-<cpu>.json   (or into $BENCH_OUT_DIR)
#
# --kind native  the machine as it is: the JVM's preferred vectors, OpenBLAS and ATen choosing
#                their kernels for this CPU (any inherited OPENBLAS_CORETYPE or OPENBLAS_L2_SIZE is
#                removed).
# --kind avx2    an AVX2 machine (a Zen 3) approximated on an AVX-512 one: -XX:UseAVX=2 (256-bit
#                vectors and 16 registers), the blocking sized for a 512 KiB L2
#                (-Dunboxed.cpu.l2=512K), OPENBLAS_CORETYPE=Haswell with OPENBLAS_L2_SIZE=512,
#                ATEN_CPU_CAPABILITY=avx2 and
#                ONEDNN_MAX_CPU_ISA=AVX2 (oneDNN, PyTorch's convolutions, picks its own instruction set).
#                On a machine without AVX-512 this is simply the machine.
# The file is named after the kind measured (avx512 or avx2, from the vectors the JVM used) and the
# CPU it ran on (tools/bench/cpu-tag.sh: zen3, zen4, zen5, ...), so that runs on different CPUs of
# one kind sit side by side; its provenance says whether that kind was the machine's own or an
# approximation.
#
# --quick: 1 fork, 1 warm-up and 2 measured iterations of 1 s (and 1 peer run): a smoke test.
# Environment: JMH_ARGS adds options to every JMH call.
set -euo pipefail

usage() { echo "usage: tools/bench/run.sh POST [--quick] [--kind native|avx2] [--turns iterations|processes]   (POST: a folder under experiments/, e.g. 01-basics)" >&2; exit 2; }
[ $# -ge 1 ] || usage
command_line="tools/bench/run.sh $*"
post="$1"; shift
quick=0
kind=native
turns=iterations
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1 ;;
    --turns) [ $# -ge 2 ] || usage; turns="$2"; shift ;;
    --kind) [ $# -ge 2 ] || usage; kind="$2"; shift ;;
    *) usage ;;
  esac
  shift
done
case "$kind" in native|avx2) ;; *) echo "tools/bench/run.sh: --kind must be native or avx2, got '$kind'" >&2; exit 2 ;; esac
case "$turns" in iterations|processes) ;; *) echo "tools/bench/run.sh: --turns must be iterations or processes, got '$turns'" >&2; exit 2 ;; esac

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
spec="experiments/$post/bench-spec.json"
[ -f "experiments/$post/pom.xml" ] || { echo "tools/bench/run.sh: no post '$post' (expected experiments/$post/pom.xml)" >&2; exit 2; }
[ -f "$spec" ] || { echo "tools/bench/run.sh: post '$post' has no bench spec ($spec)" >&2; exit 2; }
python=/usr/bin/python3
if ! "$python" -c 'import torch' 2>/dev/null; then
  echo "tools/bench/run.sh: $python cannot import torch; install Debian's python3-torch (apt-get install python3-torch)" >&2
  exit 2
fi
command -v taskset >/dev/null || { echo "tools/bench/run.sh: taskset not found (Debian: apt-get install util-linux)" >&2; exit 2; }

# the tree as it is before this script writes anything
commit="$(git rev-parse HEAD 2>/dev/null || echo "")"
dirty="$([ -n "$(git status --porcelain 2>/dev/null)" ] && echo true || echo false)"
started_iso="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
started_s="$(date +%s)"
loadavg_start="$(cut -d' ' -f1-3 /proc/loadavg)"
work="$(mktemp -d "${TMPDIR:-/tmp}/bench-$post.XXXXXX")"
trap 'rm -rf "$work"' EXIT

echo "== building experiments/$post benchmarks" >&2
mvn -q -B -Dstyle.color=never -Pbench -pl "experiments/$post" -am package -DskipTests >&2
jar="experiments/$post/target/benchmarks.jar"
[ -f "$jar" ] || { echo "tools/bench/run.sh: $jar was not built (does the post's pom have the 'bench' profile?)" >&2; exit 1; }

jvm_kind=()
# glibc's malloc keeps the memory it frees (blocks up to 32 MB from its heap, never trimmed back):
# PyTorch's CPU tuning advice of a caching allocator, in its plainest form, for every process of
# the run (the JMH forks, with DJL's libtorch inside, and the peer). Without it each large tensor
# the peer makes is a fresh mapping whose pages fault in on first touch: at 64x3x32x64x3 forward +
# backward, 11,030 minor faults per call, ~12 us each on a Zen 5 VM (156 against 14 ms a call),
# and the peer's time swung 8x from one process to the next, as glibc's adaptive threshold
# settled one way or the other. BENCH_MALLOC=default leaves glibc as it is.
malloc_env=(MALLOC_MMAP_THRESHOLD_=33554432 MALLOC_TRIM_THRESHOLD_=4294967296)
[ "${BENCH_MALLOC:-}" = default ] && malloc_env=()
# An inherited OPENBLAS_L2_SIZE (some images export one) would size OpenBLAS's blocking for another
# cache than the engine's: removed for the machine's own kind, set to the engine's 512 KiB for avx2.
peer_env=(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE -u ATEN_CPU_CAPABILITY -u ONEDNN_MAX_CPU_ISA
          -u DNNL_MAX_CPU_ISA "${malloc_env[@]}")
if [ "$kind" = avx2 ]; then
  jvm_kind=(-XX:UseAVX=2 -Dunboxed.cpu.l2=512K)
  # oneDNN chooses its instruction set on its own: ATEN_CPU_CAPABILITY does not reach it, its own cap does
  peer_env=(env OPENBLAS_CORETYPE=Haswell OPENBLAS_L2_SIZE=512 ATEN_CPU_CAPABILITY=avx2 ONEDNN_MAX_CPU_ISA=AVX2
            DNNL_MAX_CPU_ISA=AVX2 "${malloc_env[@]}")
fi
host_avx512=false
grep -qw avx512f /proc/cpuinfo && host_avx512=true

# what start-up chooses under these flags: the CPU, the vector width, the micro-kernel, the blocking
plan="$(tools/bench/plan.sh "$jar" "$spec" "${jvm_kind[@]}")"
echo "$plan" >&2
measured=avx2
echo "$plan" | grep -q "preferred vector 512 bits" && measured=avx512
emulated=false
[ "$measured" = avx2 ] && [ "$host_avx512" = true ] && emulated=true

# Rounds: each round runs one JMH fork of every benchmark and one peer process, so the three
# forks and the three peer runs alternate in time instead of following each other; within a
# round the group's slices (a few benchmarks and the peer measurements they are compared with,
# see the spec) go one after the other, ours then the peer's, the other way round in odd rounds.
# The machines are shared: their speed drifts over minutes, and a side measured in its own block
# of time would carry that drift into the ratio. (Zen 5, one thread, the CNN's second convolution,
# forward + backward: a run with each side in its own block measured ours at 9.8 ms against the
# peer's 5.5; timed by hand in alternation, four times each, the two took 7.0-7.9 and 5.4-5.9 ms,
# while ours alone swung between 6.5 and 10.7 ms over half an hour.)
rounds=3; forks=(-f 1)
if [ $quick = 1 ]; then forks=(-f 1 -wi 1 -i 2 -w 1s -r 1s); rounds=1; fi
# shellcheck disable=SC2206
extra=(${JMH_ARGS:-})
cpus=$(nproc)
groups=$("$python" -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["groups"]))' "$spec")
commands=()

# the protocol JMH actually ran (iterations and their length), read back from its results, for the peer to repeat
jmh_protocol() {
  "$python" - "$1" <<'PY'
import json, re, sys
out = {}
for r in json.load(open(sys.argv[1])):
    name = r["benchmark"]
    # the first average-time benchmark sets the protocol of the peer's average-time measurements
    if r["mode"] == "avgt" and "matmul" not in out:
        secs = re.match(r"([\d.]+) s$", r.get("measurementTime", ""))
        out["matmul"] = {"warmup": r["warmupIterations"], "iterations": r["measurementIterations"]}
        if secs:
            out["matmul"]["seconds"] = float(secs.group(1))
    if re.search(r"(?<!Cnn)EpochBench\.", name) and "mlp_epoch" not in out:
        out["mlp_epoch"] = {"warmup": r["warmupIterations"], "iterations": r["measurementIterations"]}
    if re.search(r"CnnEpochBench\.", name) and "cnn_epoch" not in out:
        out["cnn_epoch"] = {"warmup": r["warmupIterations"], "iterations": r["measurementIterations"]}
print(json.dumps(out))
PY
}

for ((g = 0; g < groups; g++)); do
  # one line per slice: threads, JMH regex, JMH parameters (k=v,...), peer arguments ("-": none)
  mapfile -t slices < <("$python" - "$spec" "$g" <<'PY'
import json, sys
g = json.load(open(sys.argv[1]))["groups"][int(sys.argv[2])]
# a group without slices is one slice: its benchmarks and its peer arguments
for s in g.get("slices") or [{"jmh": g["jmh"], "peer_args": g.get("peer_args", [])}]:
    params = {**g.get("jmh_params", {}), **s.get("jmh_params", {})}
    print("\t".join([str(g["threads"]), s["jmh"], ",".join(f"{k}={v}" for k, v in params.items()) or "-",
                     " ".join(s.get("peer_args", [])) or "-"]))
PY
)
  threads="${slices[0]%%$'\t'*}"
  if [ "$threads" -gt "$cpus" ]; then
    echo "== group $g: needs $threads cores, this machine has $cpus: skipped" >&2
    continue
  fi
  # one thread on the last core (away from core 0's interrupts), N threads on the first N
  if [ "$threads" = 1 ]; then cores=$((cpus - 1)); else cores="0-$((threads - 1))"; fi
  protocols=()
  for ((r = 0; r < rounds; r++)); do
    for ((s = 0; s < ${#slices[@]}; s++)); do
      IFS=$'\t' read -r _ regex params peer_args <<< "${slices[$s]}"
      pflags=()
      if [ "$params" != "-" ]; then IFS=',' read -ra kv <<< "$params"; for p in "${kv[@]}"; do pflags+=(-p "$p"); done; fi
      # the JVM under the peer's caps too: DJL's libtorch, inside it, picks its oneDNN and ATen kernels
      # from the same variables (the engine reads none of them)
      prof=()
      if [ "$turns" = iterations ] && [ "$peer_args" != "-" ]; then
        # the peer as the fork's turn-taker: its command and which of our benchmarks it times with what
        read -ra pargs <<< "$peer_args"
        "$python" - "$spec" "$g" "$work/turns-$g-$s-$r.json" "$python" "$root/tools/bench/torch_peer.py" "$threads" \
            "$work/peer-$g-$s-$r.json" "${pargs[@]}" <<'PY'
import json, sys
spec_path, g, out, python, peer, threads, peer_out, *peer_args = sys.argv[1:]
spec = json.load(open(spec_path))
group = spec["groups"][int(g)]["name"]
workloads = []
for c in spec["comparisons"]:
    p = c["peer"]
    if p["side"] == "torch" and p["group"] == group:
        w = {"benchmark": c["ours"]["benchmark"], "params": c["ours"].get("params", {}), "peer": p["result"]}
        if w not in workloads:
            workloads.append(w)
turns = {"command": [python, peer, "--threads", threads, "--serve", "--out", peer_out, *peer_args],
         "workloads": workloads}
json.dump(turns, open(out, "w"), indent=2)
PY
        prof=(-prof "unboxed.kit.bench.PeerTurns:$work/turns-$g-$s-$r.json")
      fi
      jmh_cmd=(taskset -c "$cores" "${peer_env[@]}" java --add-modules jdk.incubator.vector --add-exports java.base/jdk.internal.misc=ALL-UNNAMED -Dunboxed.root="$root" -jar "$jar" "$regex"
               "${pflags[@]}" "${prof[@]}" -rf json -rff "$work/jmh-$g-$s-$r.json"
               -jvmArgsPrepend "-XX:ActiveProcessorCount=$threads ${jvm_kind[*]}" "${forks[@]}" "${extra[@]}")
      for side in $([ $((r % 2)) = 0 ] && echo "ours peer" || echo "peer ours"); do
        if [ $side = ours ]; then
          echo "== JMH (group $g, slice $((s + 1)) of ${#slices[@]}, round $((r + 1)) of $rounds, $threads thread(s), cores $cores): ${jmh_cmd[*]}" >&2
          OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 "${jmh_cmd[@]}" >&2
          if [ $r = 0 ]; then
            protocols[$s]="$(jmh_protocol "$work/jmh-$g-$s-$r.json")"
            commands+=("${jmh_cmd[*]} (x$rounds)")
            if [ ${#prof[@]} -gt 0 ]; then
              commands+=("  taking turns inside that fork: $("$python" -c 'import json,sys; print(" ".join(json.load(open(sys.argv[1]))["command"]))' "$work/turns-$g-$s-$r.json")")
            fi
          fi
        elif [ "$peer_args" != "-" ] && [ "$turns" = processes ]; then
          read -ra pargs <<< "$peer_args"
          # the peer repeats the protocol JMH ran in the first round (which runs ours first)
          peer_cmd=(taskset -c "$cores" "${peer_env[@]}" "$python" tools/bench/torch_peer.py --threads "$threads"
                    --out "$work/peer-$g-$s-$r.json" --protocol "${protocols[$s]}" "${pargs[@]}")
          echo "== peer (group $g, slice $((s + 1)) of ${#slices[@]}, round $((r + 1)) of $rounds): ${peer_cmd[*]}" >&2
          "${peer_cmd[@]}"
          if [ $r = 0 ]; then commands+=("${peer_cmd[*]} (x$rounds)"); fi
        fi
      done
    done
  done
done

out_dir="${BENCH_OUT_DIR:-data/results/$post}"
mkdir -p "$out_dir"
cpu_tag="$(tools/bench/cpu-tag.sh)"
out="$out_dir/bench-$measured-$cpu_tag.json"
jdk="$(java -version 2>&1 | tr '\n' ' ' | sed 's/ *$//')"
POST="$post" COMMAND_LINE="$command_line" STARTED="$started_iso" STARTED_S="$started_s" COMMIT="$commit" CPU_TAG="$cpu_tag" \
DIRTY="$dirty" JDK="$jdk" QUICK="$quick" KIND="$kind" MEASURED="$measured" EMULATED="$emulated" PLAN="$plan" \
LOAD_START="$loadavg_start" LOAD_END="$(cut -d' ' -f1-3 /proc/loadavg)" JVM_KIND="${jvm_kind[*]}" \
MALLOC_SETTING="${malloc_env[*]}" ROUNDS="$rounds" TURNS="$turns" \
COMMANDS="$(printf '%s\n' "${commands[@]}")" "$python" - "$work/meta.json" <<'PY'
import json, os, sys, time
env = os.environ
def cpuinfo():
    fields = {}
    with open("/proc/cpuinfo") as f:
        for line in f:
            if not line.strip():
                break
            k, _, v = line.partition(":")
            fields[k.strip()] = v.strip()
    return {k: fields.get(n) for k, n in (("model_name", "model name"), ("vendor", "vendor_id"),
                                             ("family", "cpu family"), ("model", "model"), ("stepping", "stepping"))}
cpu = cpuinfo()
meta = {
    "post": env["POST"], "name": "bench-" + env["MEASURED"] + "-" + env["CPU_TAG"], "quick": env["QUICK"] == "1",
    "kind": {"measured": env["MEASURED"], "requested": env["KIND"], "emulated": env["EMULATED"] == "true",
             "how": ("approximated on an AVX-512 machine: " + env["JVM_KIND"] + ", OPENBLAS_CORETYPE=Haswell,"
                     " OPENBLAS_L2_SIZE=512,"
                     " ATEN_CPU_CAPABILITY=avx2, ONEDNN_MAX_CPU_ISA=AVX2") if env["EMULATED"] == "true"
                    else "the machine's own kind"},
    "provenance": {
        "git_commit": env["COMMIT"] or "unknown", "git_dirty": env["DIRTY"] == "true",
        "command": env["COMMAND_LINE"], "seed": None, "backend": "cpu",
        "scale": "bench-quick" if env["QUICK"] == "1" else "bench",
        "jdk": env["JDK"], "cpu": cpu["model_name"], "cpu_details": cpu, "cpu_tag": env["CPU_TAG"], "cores": os.cpu_count(),
        "gpu": None, "os": " ".join(os.uname()[i] for i in (0, 2, 4)), "started": env["STARTED"],
        "wall_seconds": round(time.time() - float(env["STARTED_S"]), 1),
        "startup_choice": env["PLAN"].splitlines(), "commands": env["COMMANDS"].splitlines(),
        "rounds": int(env["ROUNDS"]),
        "interleaving": ("each round: per slice of a group, one JMH fork of its benchmarks, then one run of the"
                         " peer measurements they are compared with (odd rounds: the peer first)")
                        if env["TURNS"] == "processes" else
                        ("each round: per slice of a group, one JMH fork of its benchmarks with the peer taking turns"
                         " iteration by iteration (unboxed.kit.bench.PeerTurns: one peer iteration of the same work,"
                         " warm-up or measured, alternately just before and just after each of ours, on the same"
                         " cores); the speed ratio is taken pair by pair"),
        "turns": env["TURNS"],
        "load_average_start": env["LOAD_START"], "load_average_end": env["LOAD_END"],
        "malloc": ("glibc's default, as inherited (BENCH_MALLOC=default)" if not env["MALLOC_SETTING"]
                   else env["MALLOC_SETTING"] + " for every process of the run (JMH forks and the peer):"
                   " freed memory kept by glibc's malloc, so that large tensors reuse pages instead of faulting"
                   " fresh ones in"),
    },
}
json.dump(meta, open(sys.argv[1], "w"), indent=2)
PY
"$python" tools/bench/compare.py "$spec" "$work" "$out"
chmod 644 "$out"
echo "== wrote $out" >&2
