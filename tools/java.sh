#!/usr/bin/env bash
# Builds a Maven module (and the modules it depends on) and runs one of its main classes.
#
#   tools/java.sh <module dir> <main class> [args...]
#
# The JVM gets the Vector API module (the CPU backend's matrix kernel uses it) and the repository
# root as the system property unboxed.root, so every main finds data/ wherever it is started from.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
module="$1"; main="$2"; shift 2
cd "$root"
if [ ! -f "$module/pom.xml" ]; then
  echo "tools/java.sh: no Maven module at '$module' (expected $module/pom.xml)" >&2
  exit 2
fi
mvn -B -q -Dstyle.color=never -pl "$module" -am install -DskipTests >&2
cp_file="$root/$module/target/runtime.classpath"
mvn -B -q -Dstyle.color=never -pl "$module" dependency:build-classpath -Dmdep.outputFile="$cp_file" -Dmdep.includeScope=runtime >&2
exec java --add-modules jdk.incubator.vector -Dunboxed.root="$root" ${JAVA_OPTS:-} \
  -cp "$root/$module/target/classes:$(cat "$cp_file")" "$main" "$@"
