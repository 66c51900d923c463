#!/usr/bin/env bash
# Builds build/gpu-kit/: everything a GPU machine needs to run our kernels' checks beside PyTorch's,
# on a machine that has an NVIDIA driver and python3 with torch but no Java and no network.
# Called by `make gpu-kit`.
#
#   tools/gpu/build-kit.sh
#
# The kit (at most 40 MiB, so that it travels as one small upload):
#   runtime.tar.xz   a Java 17 runtime cut by jlink to the modules the kit uses (runtime/bin/java)
#   lib/             the runtime classpath of the gpu-kit module; JCuda's natives jar replaced by one
#                    holding only the driver API's JNI library (it needs libcuda.so.1 and libc/libstdc++)
#   data/mnist/      MNIST's four IDX files, xz-compressed, and the sha256 of the raw files
#   fixtures.tar.xz  data/fixtures (the PyTorch-exported cases), xz-compressed
#   torch_gpu.py     the PyTorch peer (tools/gpu/torch_gpu.py)
#   run.sh           the kit's entry point (tools/gpu/run.sh): `./run.sh OUTDIR`
#   VERSION          the commit the kit was built from, with -dirty when the tree had changes
#   SHA256SUMS       of every file above, checked by run.sh before it starts
#
# The kit is staged beside build/gpu-kit and renamed into place once complete: an interrupted
# build leaves the previous kit as it was.
#
# Environment: KIT_MODULE (default gpu-kit) is the Maven module whose runtime classpath is shipped.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
KIT_MODULE="${KIT_MODULE:-gpu-kit}"
OUT="$ROOT/build/gpu-kit"
MAX_MIB=40
MAX_BYTES=$((MAX_MIB * 1024 * 1024))
JCUDA_DRIVER_SO="lib/libJCudaDriver-12.0.0-linux-x86_64.so"
# what the JNI library may need: the driver and the C/C++ runtime, all present wherever the driver is
ALLOWED_NEEDED="libcuda.so.1 libc.so.6 libm.so.6 libdl.so.2 libpthread.so.0 librt.so.1 libstdc++.so.6 libgcc_s.so.1 ld-linux-x86-64.so.2"
MNIST_FILES=(train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte)
MVN=(mvn -B -q -Dstyle.color=never)

log() { echo "build-kit.sh: $*" >&2; }
die() { echo "build-kit.sh: error: $*" >&2; exit 1; }

for tool in java jlink jdeps jar mvn xz tar strip readelf sha256sum unzip git; do
  command -v "$tool" >/dev/null || die "$tool not found: install a JDK 17 (jlink, jdeps, jar), Maven, xz-utils, binutils, unzip and git"
done
java_major="$(java -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2}')"
[ "$java_major" = 17 ] || die "the kit's runtime must be Java 17 (the engine's release), but java is $java_major: put a JDK 17 first on PATH"
jlink_home="$(dirname "$(dirname "$(readlink -f "$(command -v jlink)")")")"
[ -d "$jlink_home/jmods" ] || die "jlink found no jmods at $jlink_home/jmods: install the full JDK 17 (Debian: apt-get install -y openjdk-17-jdk-headless)"

cd "$ROOT"
[ -f "$KIT_MODULE/pom.xml" ] || die "no Maven module '$KIT_MODULE' (expected $KIT_MODULE/pom.xml); set KIT_MODULE to the module to ship"
for f in "${MNIST_FILES[@]}"; do
  [ -f "data/datasets/mnist/$f" ] || die "data/datasets/mnist/$f is missing: run \`make data\` first"
done
[ -d data/fixtures ] || die "data/fixtures is missing: restore it from git (git checkout -- data/fixtures)"
for f in tools/gpu/torch_gpu.py tools/gpu/run.sh; do
  [ -f "$f" ] || die "$f is missing: restore it from git"
done

# the tree as it is before anything is built (build/ and target/ are ignored, so they never count)
version="$(git rev-parse HEAD)"
[ -z "$(git status --porcelain)" ] || version="$version-dirty"

mkdir -p "$ROOT/build"
stage="$(mktemp -d "$ROOT/build/.gpu-kit.XXXXXX")"
work="$(mktemp -d "${TMPDIR:-/tmp}/gpu-kit.XXXXXX")"
trap 'rm -rf "$stage" "$work"' EXIT
kit="$stage/gpu-kit"
mkdir -p "$kit/lib" "$kit/data/mnist"

# 1. the classpath: the module and what it needs at run time, as tools/java.sh resolves it
log "building $KIT_MODULE and the modules it depends on"
"${MVN[@]}" -pl "$KIT_MODULE" -am install -DskipTests >&2
"${MVN[@]}" -pl "$KIT_MODULE" dependency:build-classpath -Dmdep.outputFile="$work/classpath" -Dmdep.includeScope=runtime >&2
# the test framework is dropped by name: the dependency plugin lists it in the runtime scope here
# (a test-scope dependency of the reactor), and the kit runs no tests (1.7 MB saved)
tr ':' '\n' < "$work/classpath" | grep -v -E '/(org/junit|org/opentest4j|org/apiguardian)/' | paste -sd: > "$work/classpath.kept"
mv "$work/classpath.kept" "$work/classpath"
own=()
while IFS= read -r -d '' j; do own+=("$j"); done < <(find "$KIT_MODULE/target" -maxdepth 1 -name '*.jar' \
  ! -name '*-sources.jar' ! -name '*-javadoc.jar' ! -name '*-tests.jar' ! -name 'original-*.jar' -print0)
[ ${#own[@]} -eq 1 ] || die "expected one jar in $KIT_MODULE/target, found ${#own[@]}: run \`mvn -pl $KIT_MODULE clean\` and retry"
cp -- "${own[0]}" "$kit/lib/"
IFS=: read -r -a deps < "$work/classpath" || true
natives_found=0
for j in "${deps[@]}"; do
  [ -n "$j" ] || continue
  case "$(basename "$j")" in
    jcuda-natives-*-linux-x86_64.jar)
      # the other three libraries (runtime API, NVRTC, the PTX compiler) are 25 MB we never load
      mkdir -p "$work/natives"
      (cd "$work/natives" && unzip -q -o "$j" "$JCUDA_DRIVER_SO") \
        || die "$(basename "$j") holds no $JCUDA_DRIVER_SO: was the JCuda version changed? update JCUDA_DRIVER_SO here"
      jar --create --file "$kit/lib/$(basename "$j" .jar)-driver-only.jar" -C "$work/natives" "$JCUDA_DRIVER_SO"
      natives_found=1
      ;;
    jcuda-natives-*) ;;  # another platform's natives: useless on the GPU machine
    *) cp -- "$j" "$kit/lib/" ;;
  esac
done
if [ "$natives_found" = 1 ]; then
  needed="$(readelf -d "$work/natives/$JCUDA_DRIVER_SO" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')"
  log "$(basename "$JCUDA_DRIVER_SO") needs: $needed"
  for n in $needed; do
    case " $ALLOWED_NEEDED " in
      *" $n "*) ;;
      *) die "$(basename "$JCUDA_DRIVER_SO") needs $n, which a GPU machine with only the driver may lack: check the JCuda version" ;;
    esac
  done
else
  log "warning: no JCuda natives jar on $KIT_MODULE's runtime classpath (the kit cannot reach the GPU)"
fi

# 2. the runtime: java.base, the Vector API, and whatever the classpath's classes refer to.
#    jdeps reads the jars' classes as plain folders: given the jars, it resolves their
#    module-info files and stops on the first `requires` whose module is named otherwise on the
#    class path (progressbar requires org.jline.terminal). Classes for releases after 17 are dropped,
#    as --multi-release 17 would.
mkdir -p "$work/classes"
for j in "$kit"/lib/*.jar; do
  d="$work/classes/$(basename "$j" .jar)"
  mkdir -p "$d"
  (cd "$d" && unzip -q -o "$j" '*.class' 2>/dev/null) || true
  find "$d" -name module-info.class -delete
  if [ -d "$d/META-INF/versions" ]; then
    for v in "$d"/META-INF/versions/*; do
      [ "$(basename "$v")" -le 17 ] 2>/dev/null || rm -rf "$v"
    done
  fi
done
#    The summary (-s) names, for each jar, the JDK modules its classes refer to; every one of them
#    goes in, so that no class can fail to load for want of a module. Which jar asked for which
#    module is printed, so that a module that costs much can be traced to the jar behind it.
jdeps -s --ignore-missing-deps "$work"/classes/* > "$work/jdeps.txt" \
  || die "jdeps could not read the kit's classes (its messages are above)"
awk '$2 == "->" && $3 ~ /^(java|jdk)\./ { print $3 "\t" $1 }' "$work/jdeps.txt" | LC_ALL=C sort -u > "$work/module-users.tsv"
modules="$( { printf '%s\n' java.base jdk.incubator.vector; cut -f1 "$work/module-users.tsv"; } | LC_ALL=C sort -u | paste -sd, -)"
log "runtime modules: $modules"
awk -F'\t' '$1 != "java.base" { users[$1] = users[$1] (users[$1] == "" ? "" : ", ") $2 }
             END { for (m in users) print "  " m " <- " users[m] }' "$work/module-users.tsv" | LC_ALL=C sort >&2
jlink --add-modules "$modules" --strip-debug --no-header-files --no-man-pages --compress=0 --output "$work/runtime"
# jlink keeps libjvm.so's symbol table (about 20 MB); the JVM does not need it to run
strip --strip-unneeded "$work/runtime/lib/server/libjvm.so"
"$work/runtime/bin/java" --add-modules jdk.incubator.vector -version >/dev/null 2>&1 \
  || die "the jlinked runtime does not start: see $work/runtime (kept until this script exits)"
tar -C "$work" --owner=0 --group=0 --numeric-owner -cf - runtime | xz -9 -T0 > "$kit/runtime.tar.xz"

# 3. data: MNIST compressed (the raw files' sums travel with it, checked after unpacking), fixtures as they are
for f in "${MNIST_FILES[@]}"; do
  xz -9 -T0 -c "data/datasets/mnist/$f" > "$kit/data/mnist/$f.xz"
done
(cd data/datasets/mnist && sha256sum "${MNIST_FILES[@]}") > "$kit/data/mnist/SHA256SUMS"
# xz: random float32 tensors still shrink by about 40%, room the 40 MiB limit needs as fixtures grow
tar -C data -cf - fixtures | xz -T0 -6 > "$kit/fixtures.tar.xz"

# 4. the scripts and the version
cp tools/gpu/torch_gpu.py "$kit/torch_gpu.py"
cp tools/gpu/run.sh "$kit/run.sh"
chmod +x "$kit/run.sh"
echo "$version" > "$kit/VERSION"
(cd "$kit" && find . -type f ! -name SHA256SUMS -printf '%P\n' | LC_ALL=C sort | xargs -d '\n' sha256sum) > "$work/SHA256SUMS"
mv "$work/SHA256SUMS" "$kit/SHA256SUMS"

bytes="$(du -sb "$kit" | cut -f1)"
mib="$(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1048576 }')"
if [ "$bytes" -gt "$MAX_BYTES" ]; then
  # the largest parts, with paths relative to the kit (head closes the pipe early: not an error)
  (cd "$kit" && du -ab . | sort -rn | head -12 | sed 's|\./||' >&2) || true
  die "the kit is $mib MiB, over its $MAX_MIB MiB limit (largest parts above): drop what the GPU checks do not need"
fi

# swap in: the old kit goes only once the new one is complete
rm -rf "$OUT.old"
[ ! -e "$OUT" ] || mv "$OUT" "$OUT.old"
mv "$kit" "$OUT"
rm -rf "$OUT.old"
log "build/gpu-kit: $mib MiB, version $version"
(cd "$OUT" && du -sh runtime.tar.xz lib data fixtures.tar.xz | sed 's/^/  /') >&2
