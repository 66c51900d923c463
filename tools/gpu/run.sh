#!/usr/bin/env bash
# The GPU kit's entry point: our kernels' checks and PyTorch's peers, side by side, on this GPU.
# Built into build/gpu-kit/run.sh by `make gpu-kit` (tools/gpu/build-kit.sh); runs from the kit's
# folder, wherever that is, with no network:
#
#   ./run.sh OUTDIR
#
# Needs an NVIDIA GPU with its driver (>= 580), python3 with a CUDA build of torch, xz and
# coreutils; brings its own Java runtime. Finishes within 6 minutes: every step has its own
# timeout, and no step starts past the overall deadline (a step skipped for time is reported so).
#
# Steps, in this order, each logged to OUTDIR/logs/<name>.log and echoed here:
#   fixtures      GpuCheck fixtures: every PyTorch fixture case through the CUDA backend
#   sgemm         torch_gpu.py sgemm (torch-sgemm), then GpuCheck sgemm beside it
#   conv          torch_gpu.py conv  (torch-conv),  then GpuCheck conv
#   epoch         torch_gpu.py epoch (torch-epoch), then GpuCheck epoch, both on MNIST
# A failing step never stops the run. At the end OUTDIR/kit-summary.json records each step's exit
# code, whether it timed out, its wall time and its log.
#
# Exit status: 0 when every step ran to completion (checks that failed are in OUTDIR/<post>/gpu-*.json,
# not here), 1 when a step crashed, timed out or was skipped for time, 2 when the kit could not
# start (bad arguments, a corrupt kit).
#
# Environment:
#   KIT_STEPS        the steps to run, space-separated (default "fixtures sgemm conv epoch")
#   KIT_PYTHON       the python with torch (default python3)
#   KIT_DEADLINE_S   seconds after start past which no step starts, and that caps each timeout (default 345)
#   KIT_JAVA_OPTS    extra JVM options
set -uo pipefail

ALL_STEPS="fixtures sgemm conv epoch"
# per-part timeouts in seconds; their sum exceeds the deadline on purpose: a part rarely needs
# its whole allowance, and the deadline, not the sum, is what bounds the run
declare -A BUDGET=([torch-env]=40 [fixtures]=60 [torch-sgemm]=40 [sgemm]=90 [torch-conv]=40 [conv]=60
                   [torch-epoch]=60 [epoch]=60)
MIN_START_S=5

usage() { echo "usage: ./run.sh OUTDIR   (run from the kit built by make gpu-kit; KIT_STEPS selects steps)" >&2; exit 2; }
die() { echo "run.sh: error: $*" >&2; exit 2; }

[ $# -eq 1 ] || usage
case "$1" in -h|--help) sed -n '2,28p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;; esac

kit="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
python="${KIT_PYTHON:-python3}"
deadline_s="${KIT_DEADLINE_S:-345}"
steps="${KIT_STEPS:-$ALL_STEPS}"
for s in $steps; do
  case " $ALL_STEPS " in *" $s "*) ;; *) die "unknown step '$s' in KIT_STEPS: expected some of: $ALL_STEPS" ;; esac
done
[ -f "$kit/runtime.tar.xz" ] && [ -d "$kit/lib" ] \
  || die "$kit is not a GPU kit (no runtime.tar.xz or lib/): build one with \`make gpu-kit\` and run build/gpu-kit/run.sh"
for tool in xz tar sha256sum timeout tee date; do
  command -v "$tool" >/dev/null || die "$tool not found: install xz-utils and coreutils"
done

mkdir -p "$1/logs" || die "cannot create $1/logs: pass a writable folder"
out="$(cd "$1" && pwd)"
logs="$out/logs"
version="$(cat "$kit/VERSION" 2>/dev/null || echo unknown)"
start_s="$(date +%s)"
started_utc="$(date -u +%Y-%m-%dT%H:%M:%SZ)"

tmp="$(mktemp -d "${TMPDIR:-/tmp}/gpu-kit.XXXXXX")" || die "mktemp failed: set TMPDIR to a writable folder"
trap 'rm -rf "$tmp"' EXIT
trap 'echo "run.sh: interrupted" >&2; exit 130' INT TERM

# 1. the kit as built, then its runtime and data unpacked into the temporary folder
if [ -f "$kit/SHA256SUMS" ]; then
  (cd "$kit" && sha256sum -c --quiet SHA256SUMS) >&2 \
    || die "the kit's files do not match its SHA256SUMS (a partial copy?): copy build/gpu-kit again"
fi
tar -C "$tmp" -xJf "$kit/runtime.tar.xz" || die "cannot unpack $kit/runtime.tar.xz: copy the kit again"
java="$tmp/runtime/bin/java"
tar -C "$tmp" -xJf "$kit/fixtures.tar.xz" || die "cannot unpack $kit/fixtures.tar.xz: copy the kit again"
mkdir -p "$tmp/mnist" "$tmp/java-tmp"
for f in "$kit"/data/mnist/*.xz; do
  xz -dc "$f" > "$tmp/mnist/$(basename "$f" .xz)" || die "cannot unpack $f: copy the kit again"
done
(cd "$tmp/mnist" && sha256sum -c --quiet "$kit/data/mnist/SHA256SUMS") >&2 \
  || die "the unpacked MNIST files do not match their sha256: copy the kit again"

java_cmd=("$java" --add-modules jdk.incubator.vector --add-exports java.base/jdk.internal.misc=ALL-UNNAMED -Dunboxed.root="$kit" -Djava.io.tmpdir="$tmp/java-tmp"
          ${KIT_JAVA_OPTS:-} -cp "$kit/lib/*" unboxed.gpukit.GpuCheck)
export PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1

# 2. the steps. Each result is one record: name|exit code|timed out|skipped|seconds|timeout|log
records=()
crashed=0

run_part() {  # name, then the command
  local name="$1"; shift
  local log="$logs/$name.log" budget="${BUDGET[$name]}" now left t rc t0 t1 timed_out=false
  now="$(date +%s)"
  left=$((start_s + deadline_s - now))
  t=$(( budget < left ? budget : left ))
  if [ "$t" -lt "$MIN_START_S" ]; then
    echo "== $name: skipped, the run's ${deadline_s} s are spent" | tee "$log"
    records+=("$name||false|true|0|$budget|logs/$name.log")
    crashed=1
    return
  fi
  echo "== $name (timeout ${t} s): $*" | tee "$log"
  t0="$(date +%s.%N)"
  timeout --kill-after=10 "$t" "$@" 2>&1 | tee -a "$log"
  rc="${PIPESTATUS[0]}"
  t1="$(date +%s.%N)"
  # timeout's own codes: 124 when it stopped the command, 137 when it had to kill it
  if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
    timed_out=true
    echo "== $name: timed out after ${t} s" | tee -a "$log"
  fi
  [ "$rc" = 0 ] || crashed=1
  records+=("$name|$rc|$timed_out|false|$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')|$t|logs/$name.log")
  echo "== $name: exit $rc" | tee -a "$log"
}

torch_args=()
set_torch_args() {  # GpuCheck's --torch option, only when the peer wrote its file
  torch_args=()
  if [ -f "$out/torch-$1.json" ]; then
    torch_args=(--torch "$out/torch-$1.json")
  else
    echo "run.sh: note: no $out/torch-$1.json (the PyTorch part failed); GpuCheck $1 runs without ratios" >&2
  fi
}

echo "== environment (kit $version, output $out)"
{ nvidia-smi || echo "run.sh: nvidia-smi failed (exit $?)"; } 2>&1 | tee "$logs/nvidia-smi.log"
run_part torch-env "$python" "$kit/torch_gpu.py" env --out "$out/torch-env.json"

for step in $ALL_STEPS; do
  case " $steps " in *" $step "*) ;; *) continue ;; esac
  case "$step" in
    fixtures)
      run_part fixtures "${java_cmd[@]}" fixtures --out "$out" --commit "$version" --fixtures "$tmp/fixtures" ;;
    sgemm|conv)
      run_part "torch-$step" "$python" "$kit/torch_gpu.py" "$step" --out "$out/torch-$step.json"
      set_torch_args "$step"
      run_part "$step" "${java_cmd[@]}" "$step" --out "$out" --commit "$version" "${torch_args[@]}" ;;
    epoch)
      run_part torch-epoch "$python" "$kit/torch_gpu.py" epoch --out "$out/torch-epoch.json" --mnist "$tmp/mnist"
      set_torch_args epoch
      run_part epoch "${java_cmd[@]}" epoch --out "$out" --commit "$version" --mnist "$tmp/mnist" "${torch_args[@]}" ;;
  esac
done

# 3. the summary: JSON (written to a temporary name, then renamed) and one screen
wall="$(( $(date +%s) - start_s ))"
{
  printf '{\n  "kit_version": "%s",\n  "started_utc": "%s",\n  "wall_seconds": %s,\n  "deadline_seconds": %s,\n' \
    "$version" "$started_utc" "$wall" "$deadline_s"
  printf '  "steps_requested": "%s",\n  "result": "%s",\n  "steps": [' "$steps" "$([ "$crashed" = 0 ] && echo ok || echo failed)"
  sep=""
  for r in "${records[@]}"; do
    IFS='|' read -r name rc timed_out skipped secs t log <<< "$r"
    printf '%s\n    {"name": "%s", "exit_code": %s, "timed_out": %s, "skipped": %s, "wall_seconds": %s, "timeout_seconds": %s, "log": "%s"}' \
      "$sep" "$name" "${rc:-null}" "$timed_out" "$skipped" "$secs" "$t" "$log"
    sep=","
  done
  printf '\n  ]\n}\n'
} > "$out/.kit-summary.json.tmp" && mv -f "$out/.kit-summary.json.tmp" "$out/kit-summary.json"

echo
echo "== GPU kit $version: ${wall} s (deadline ${deadline_s} s), results in $out"
printf '   %-12s %-14s %8s  %s\n' step status seconds log
for r in "${records[@]}"; do
  IFS='|' read -r name rc timed_out skipped secs t log <<< "$r"
  if [ "$skipped" = true ]; then status="skipped (time)"
  elif [ "$timed_out" = true ]; then status="timed out"
  elif [ "$rc" = 0 ]; then status="ok"
  else status="exit $rc"; fi
  printf '   %-12s %-14s %8s  %s\n' "$name" "$status" "$secs" "$log"
done
echo "   files: $(cd "$out" && ls -1 ./*.json 2>/dev/null | sed 's|^\./||' | tr '\n' ' ')"
if [ "$crashed" = 0 ]; then
  echo "== every step ran; the checks' verdicts are in <post>/gpu-*.json; pin them with make pin-gpu OUT=<this folder>"
  exit 0
fi
echo "== a step crashed, timed out or was skipped: see its log above"
exit 1
