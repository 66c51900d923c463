#!/usr/bin/env bash
# Compiles the CUDA backend's kernels to the PTX that the engine loads, and reports what ptxas
# makes of it. Called by `make ptx`.
#
#   tools/cuda/ptx.sh           regenerate every PTX file and engine-cuda/ptxas-report.json
#   tools/cuda/ptx.sh --check   regenerate into a temporary folder and compare with what is committed
#
# Each engine-cuda/src/main/cuda/<stem>.cu becomes
# engine-cuda/src/main/resources/unboxed/backend/cuda/ptx/<stem>.ptx through
#
#   nvcc -ptx -arch=compute_80 -std=c++17 -O3
#
# compute_80 is the oldest architecture we support (A100); the driver compiles that PTX for the
# GPU it finds (sm_80, sm_90, ...), which is why the PTX, not a cubin, is what we ship. No
# fast-math: the kernels are checked against PyTorch's float32 results, and --use_fast_math would
# flush denormals and approximate division, exp and log.
#
# The first line of every PTX file is `// source-sha256: <hex>`, the SHA-256 over, for each *.cuh of
# src/main/cuda sorted by name and then the .cu itself: the file name, a NUL byte, the file's bytes.
# Every header counts for every kernel file, whether included or not: a header that changes marks
# all the PTX stale, which is cheap to fix and never wrong. PtxSourcesTest recomputes that hash, so
# a source edited without `make ptx` fails the build even where nvcc is absent.
#
# Then ptxas compiles every PTX file for sm_80 (A100) and sm_90 (H100/H200), the output thrown
# away: it fails here on anything the driver's compiler would reject at load time, and its -v
# lines (registers, spills, shared memory, stack per kernel) go to engine-cuda/ptxas-report.json,
# so that a change in register pressure shows up in review. A kernel that spills gets a warning.
#
# The PTX records the nvcc release that made it (its header comment), so --check against PTX
# from another release fails; the message then names both releases.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SRC="$ROOT/engine-cuda/src/main/cuda"
PTX_DIR="$ROOT/engine-cuda/src/main/resources/unboxed/backend/cuda/ptx"
REPORT="$ROOT/engine-cuda/ptxas-report.json"
NVCC_FLAGS=(-ptx -arch=compute_80 -std=c++17 -O3)
ARCHS=(sm_80 sm_90)

log() { echo "ptx.sh: $*" >&2; }
die() { echo "ptx.sh: error: $*" >&2; exit 1; }

check=0
case "${1:-}" in
  "") ;;
  --check) check=1 ;;
  *) echo "usage: tools/cuda/ptx.sh [--check]" >&2; exit 2 ;;
esac

command -v nvcc >/dev/null || die "nvcc not found: install the CUDA toolkit (nvcc and ptxas on PATH)"
command -v ptxas >/dev/null || die "ptxas not found: install the CUDA toolkit (nvcc and ptxas on PATH)"
command -v sha256sum >/dev/null || die "sha256sum not found: install coreutils"

shopt -s nullglob
cd "$SRC" 2>/dev/null || { log "no $SRC: nothing to compile"; exit 0; }
# byte order, as Java's String.compareTo orders ASCII names, so that both sides hash alike
mapfile -t headers < <(printf '%s\n' *.cuh | LC_ALL=C sort)
mapfile -t sources < <(printf '%s\n' *.cu | LC_ALL=C sort)
[ "${headers[0]:-}" != "" ] || headers=()
[ "${sources[0]:-}" != "" ] || sources=()
if [ ${#sources[@]} -eq 0 ]; then
  log "no .cu file in $SRC: nothing to compile"
  exit 0
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/ptx.XXXXXX")"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/ptx"

source_sha256() {
  local f
  for f in "${headers[@]}" "$1"; do
    printf '%s\0' "$f"
    cat -- "$f"
  done | sha256sum | cut -d' ' -f1
}

nvcc_release="$(nvcc --version | grep -o 'release [0-9.]*, V[0-9.]*' || true)"

# 1. nvcc, run from the source folder with relative names so that no path of this machine can
#    reach the output
for cu in "${sources[@]}"; do
  stem="${cu%.cu}"
  out="$work/ptx/$stem.ptx"
  {
    printf '// source-sha256: %s\n' "$(source_sha256 "$cu")"
    nvcc "${NVCC_FLAGS[@]}" -o - "$cu" || die "nvcc failed on engine-cuda/src/main/cuda/$cu (its messages are above)"
  } > "$out.part"
  mv "$out.part" "$out"
done

# 2. ptxas over each PTX, for each architecture; its -v lines (on stderr) parsed into TSV rows:
#    file kernel arch registers spill_stores spill_loads shared_bytes stack_bytes
rows="$work/rows.tsv"
: > "$rows"
for cu in "${sources[@]}"; do
  stem="${cu%.cu}"
  for arch in "${ARCHS[@]}"; do
    if ! ptxas -arch="$arch" -v "$work/ptx/$stem.ptx" -o /dev/null > "$work/ptxas.log" 2>&1; then
      cat "$work/ptxas.log" >&2
      die "ptxas -arch=$arch rejected the PTX of engine-cuda/src/main/cuda/$cu (its messages are above): fix the kernel"
    fi
    # ptxas can exit 0 after an error line in some releases: treat any error line as fatal too
    if grep -qiE '^ptxas.*(error|fatal)' "$work/ptxas.log"; then
      cat "$work/ptxas.log" >&2
      die "ptxas -arch=$arch reported an error for engine-cuda/src/main/cuda/$cu (above): fix the kernel"
    fi
    grep -iE '^ptxas.*warning' "$work/ptxas.log" | sed "s|^|ptx.sh: $stem.ptx $arch: |" >&2 || true
    awk -v file="$stem.ptx" -v arch="$arch" '
      # "Compiling entry function 'k' for 'sm_90'" opens a kernel; "Function properties for k" is
      # followed by its stack and spill line; "Used N registers, ..., M bytes smem" closes it.
      # Properties of non-entry (noinline) functions are skipped: they count in their callers.
      /Compiling entry function/ { split($0, q, "'\''"); cur = q[2]; stack[cur] = 0; st[cur] = 0; ld[cur] = 0; smem[cur] = 0; next }
      /Function properties for / { name = $0; sub(/.*Function properties for /, "", name); props = name; next }
      /bytes stack frame/ {
        if (props != "" && props in st) {
          for (i = 1; i <= NF; i++) {
            if ($(i + 1) == "bytes" && $(i + 2) == "stack") stack[props] = $i
            if ($(i + 1) == "bytes" && $(i + 2) == "spill" && $(i + 3) ~ /^stores/) st[props] = $i
            if ($(i + 1) == "bytes" && $(i + 2) == "spill" && $(i + 3) ~ /^loads/) ld[props] = $i
          }
        }
        props = ""; next
      }
      /Used [0-9]+ registers/ && cur != "" {
        line = $0; regs = line; sub(/.*Used /, "", regs); sub(/ registers.*/, "", regs)
        if (match(line, /[0-9]+ bytes smem/)) { s = substr(line, RSTART, RLENGTH); sub(/ .*/, "", s); smem[cur] = s }
        printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", file, cur, arch, regs, st[cur], ld[cur], smem[cur], stack[cur]
        cur = ""
      }
    ' "$work/ptxas.log" >> "$rows"
    grep -c "Compiling entry function" "$work/ptxas.log" > "$work/entries" || true
    want="$(cat "$work/entries")"
    got="$(awk -F'\t' -v f="$stem.ptx" -v a="$arch" '$1 == f && $3 == a' "$rows" | wc -l)"
    [ "$want" = "$got" ] || die "could not read ptxas -v output for $stem.ptx ($arch): $want kernels compiled, $got parsed; has the ptxas output format changed? see $work/ptxas.log"
  done
done
LC_ALL=C sort -t$'\t' -k1,1 -k2,2 -k3,3 -o "$rows" "$rows"

awk -F'\t' '$5 > 0 || $6 > 0 { printf "ptx.sh: warning: %s %s (%s) spills: %s bytes stored, %s bytes loaded\n", $1, $2, $3, $5, $6 }' "$rows" >&2

# 3. the report: {"nvcc": ..., "flags": ..., "kernels": {file: {kernel: {arch: {...}}}}}, keys in
#    byte order, so that the same PTX always gives the same bytes
awk -F'\t' -v release="$nvcc_release" -v flags="${NVCC_FLAGS[*]}" -v archs="${ARCHS[*]}" '
  BEGIN {
    printf "{\n  \"nvcc\": \"%s\",\n  \"nvcc_flags\": \"%s\",\n  \"ptxas_archs\": \"%s\",\n", release, flags, archs
    printf "  \"note\": \"ptxas -v per kernel and architecture; shared_bytes is static shared memory, stack_bytes the stack frame\",\n"
    printf "  \"files\": {"
  }
  {
    if ($1 != f) { if (f != "") printf "\n        }\n      }\n    },"; printf "\n    \"%s\": {\n      \"kernels\": {", $1; f = $1; k = "" }
    if ($2 != k) { if (k != "") printf "\n        },"; printf "\n        \"%s\": {", $2; k = $2; a = "" }
    if (a != "") printf ","
    printf "\n          \"%s\": {\"registers\": %d, \"spill_stores\": %d, \"spill_loads\": %d, \"shared_bytes\": %d, \"stack_bytes\": %d}", $3, $4, $5, $6, $7, $8
    a = $3
  }
  END {
    if (f != "") printf "\n        }\n      }\n    }\n  "
    printf "}\n}\n"
  }
' "$rows" > "$work/ptxas-report.json"

# 4. install, or compare
if [ "$check" = 1 ]; then
  differ=()
  for cu in "${sources[@]}"; do
    stem="${cu%.cu}"
    if [ ! -f "$PTX_DIR/$stem.ptx" ]; then
      differ+=("engine-cuda/src/main/resources/unboxed/backend/cuda/ptx/$stem.ptx (missing)")
    elif ! cmp -s "$work/ptx/$stem.ptx" "$PTX_DIR/$stem.ptx"; then
      differ+=("engine-cuda/src/main/resources/unboxed/backend/cuda/ptx/$stem.ptx")
    fi
  done
  for ptx in "$PTX_DIR"/*.ptx; do
    [ -f "$SRC/$(basename "$ptx" .ptx).cu" ] || differ+=("engine-cuda/src/main/resources/unboxed/backend/cuda/ptx/$(basename "$ptx") (no .cu)")
  done
  if [ ! -f "$REPORT" ]; then
    differ+=("engine-cuda/ptxas-report.json (missing)")
  elif ! cmp -s "$work/ptxas-report.json" "$REPORT"; then
    differ+=("engine-cuda/ptxas-report.json")
  fi
  if [ ${#differ[@]} -gt 0 ]; then
    for d in "${differ[@]}"; do echo "ptx.sh: not what a fresh build gives: $d" >&2; done
    committed="$(cat "$PTX_DIR"/*.ptx 2>/dev/null | grep -o -m1 'release [0-9.]*, V[0-9.]*' || true)"
    if [ -n "$committed" ] && [ "$committed" != "$nvcc_release" ]; then
      echo "ptx.sh: the committed PTX was made by nvcc $committed, this is nvcc $nvcc_release" >&2
    fi
    echo "ptx.sh: run \`make ptx\` and commit the result" >&2
    exit 1
  fi
  log "PTX of ${#sources[@]} source(s) and the ptxas report are up to date"
  exit 0
fi

mkdir -p "$PTX_DIR"
# each file replaced by a rename, and only when its bytes change (unchanged files keep their time)
install_file() {
  local from="$1" to="$2"
  cmp -s "$from" "$to" && return 0
  cp -- "$from" "$to.tmp.$$"
  mv -f -- "$to.tmp.$$" "$to"
  log "wrote ${to#"$ROOT"/}"
}
for cu in "${sources[@]}"; do
  stem="${cu%.cu}"
  install_file "$work/ptx/$stem.ptx" "$PTX_DIR/$stem.ptx"
done
for ptx in "$PTX_DIR"/*.ptx; do
  if [ ! -f "$SRC/$(basename "$ptx" .ptx).cu" ]; then
    rm -f -- "$ptx"
    log "removed ${ptx#"$ROOT"/} (its .cu is gone)"
  fi
done
install_file "$work/ptxas-report.json" "$REPORT"
log "${#sources[@]} source(s) compiled ($nvcc_release); ptxas report: engine-cuda/ptxas-report.json"
