#!/usr/bin/env bash
# Builds a Maven module (and the modules it depends on) and runs one of its main classes.
#
#   tools/java.sh <module dir> <main class> [args...]
#
# The JVM gets the Vector API module (the CPU backend's matrix kernel uses it), jdk.internal.misc
# (the CPU backend allocates kernel outputs without zeroing them: see FloatArrays) and the repository
# root as the system property unboxed.root, so every main finds data/ wherever it is started from.
# With UNBOXED_PREBUILT=1 it skips Maven and uses the classpath an earlier call wrote (the many
# commands of a sweep run under GNU parallel or a job array, after one build).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
module="$1"; main="$2"; shift 2
cd "$root"
if [ ! -f "$module/pom.xml" ]; then
  echo "tools/java.sh: no Maven module at '$module' (expected $module/pom.xml)" >&2
  exit 2
fi
cp_file="$root/$module/target/runtime.classpath"
if [ "${UNBOXED_PREBUILT:-}" = 1 ]; then
  # one of many commands of a sweep (GNU parallel, a job array): the build ran once before them, so no Maven here
  if [ ! -f "$cp_file" ] || [ ! -d "$root/$module/target/classes" ]; then
    echo "tools/java.sh: UNBOXED_PREBUILT=1 but $module is not built ($cp_file is missing): run one command without UNBOXED_PREBUILT first" >&2
    exit 2
  fi
else
  mvn -B -q -Dstyle.color=never -pl "$module" -am install -DskipTests >&2
  mvn -B -q -Dstyle.color=never -pl "$module" dependency:build-classpath -Dmdep.outputFile="$cp_file" -Dmdep.includeScope=runtime >&2
fi
exec java --add-modules jdk.incubator.vector --add-exports java.base/jdk.internal.misc=ALL-UNNAMED -Dunboxed.root="$root" ${JAVA_OPTS:-} \
  -cp "$root/$module/target/classes:$(cat "$cp_file")" "$main" "$@"
