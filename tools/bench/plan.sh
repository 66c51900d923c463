#!/usr/bin/env bash
# What start-up chooses in a benchmark JVM under the given flags, one line per choice: the CPU,
# the vector width, the matrix micro-kernel and its blocking (unboxed.backend.cpu.SgemmPlan), then
# the post's own choices when its bench spec names a "plan" (a main class of the benchmarks jar
# and its arguments; post 02: the conv2d forward kernel of each reference shape). run.sh and
# profile.sh record these lines as the run's start-up choices.
#
#   tools/bench/plan.sh JAR SPEC [JVM FLAGS...]
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: tools/bench/plan.sh JAR SPEC [JVM FLAGS...]" >&2; exit 2; }
jar="$1"; spec="$2"; shift 2
jvm=(java --add-modules jdk.incubator.vector --add-exports java.base/jdk.internal.misc=ALL-UNNAMED "$@" -cp "$jar")
"${jvm[@]}" unboxed.backend.cpu.SgemmPlan 2>/dev/null
mapfile -t post_plan < <(/usr/bin/python3 -c '
import json, sys
plan = json.load(open(sys.argv[1])).get("plan")
if plan:
    print(plan["main"])
    for a in plan.get("args", []):
        print(a)
' "$spec")
if [ ${#post_plan[@]} -gt 0 ]; then
  # its errors (a misspelt class or shape in the spec) reach the terminal; the JVM's note on
  # incubator modules does not
  "${jvm[@]}" "${post_plan[@]}" 2> >(grep -v "incubator modules" >&2)
fi
