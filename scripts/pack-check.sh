#!/usr/bin/env bash
# Checks the package as a user gets it: `npm pack` (which builds dist/ through `prepare`), the
# tarball's contents, then an install of the tarball alone into an empty folder (dependencies only,
# so tsx and esbuild are absent) and two runs from there through npx: --version and a 2-second
# headless run against the built-in simulator. Run by .ci/run; by hand: `npm run pack-check`.
set -euo pipefail
cd "$(dirname "$0")/.."

fail() {
  echo "pack-check: $*" >&2
  exit 1
}

work=$(mktemp -d "${TMPDIR:-/tmp}/streamtop-pack-check.XXXXXX")
trap 'rm -rf "$work"' EXIT

version=$(node -p 'require("./package.json").version')
npm pack --silent --pack-destination "$work" >/dev/null
tarball="$work/streamtop-$version.tgz"
[[ -f $tarball ]] || fail "npm pack did not write $tarball"

# What the package must hold (the bin, its bundle entries, the licence) and must not (sources,
# tests, benchmarks, source maps: see the "files" list in package.json).
contents=$(tar -tzf "$tarball")
for required in package/package.json package/LICENSE package/README.md package/bin/streamtop.js \
  package/dist/cli.js package/dist/engine-worker.js package/dist/sim-main.js; do
  grep -qxF "$required" <<<"$contents" || fail "$required is missing from the tarball"
done
unwanted=$(grep -E '^package/(src|test|bench|scripts|docs|\.ci)/|\.map$|\.tsx?$' <<<"$contents" || true)
[[ -z $unwanted ]] || fail "the tarball holds files a user does not need:"$'\n'"$unwanted"
echo "pack-check: $(basename "$tarball"): $(wc -l <<<"$contents") files, $(du -k "$tarball" | cut -f1) KiB"

# An empty folder, as a user's project would be. The cache filled by `npm ci` serves most of the
# dependencies; the registry is asked only for what it lacks.
app="$work/app"
mkdir "$app"
cd "$app"
npm install --silent --no-audit --no-fund --prefer-offline --omit=dev "$tarball"
for dev_only in tsx esbuild typescript; do
  [[ ! -e node_modules/$dev_only ]] || fail "node_modules/$dev_only was installed with the package; it must be a devDependency only"
done

# --no: never fetch a streamtop from the registry; `--` keeps npx from reading --version itself.
got=$(npx --no -- streamtop --version) || fail "npx streamtop --version failed"
[[ $got == "$version" ]] || fail "npx streamtop --version printed '$got', expected '$version'"
echo "pack-check: npx streamtop --version: $got"

# --sim-profile fast: short answers, so the requests in flight at the 2-second mark end quickly.
status=0
npx --no -- streamtop --headless -d 2s --sim-profile fast --json "$work/run.json" >"$work/stdout.txt" 2>"$work/stderr.txt" || status=$?
if ((status != 0)); then
  cat "$work/stderr.txt" >&2
  fail "the headless run exited with status $status"
fi
node -e '
  const report = JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8"));
  const t = report.totals;
  if (report.target?.simulated !== true) throw new Error("the run did not use the built-in simulator");
  if (!(t.succeeded > 0) || t.failed !== 0) throw new Error(`expected successes and no failures, got ${JSON.stringify(t)}`);
  console.log(`pack-check: headless 2 s run: ${t.succeeded} requests ok, ${t.outputTokens} output tokens`);
' "$work/run.json"
echo "pack-check: ok"
