#!/usr/bin/env bash
# Builds the runtime tree the image runs: compiled JavaScript in OUT (default dist/), plus what
# tsc does not copy but the code reads at run time: non-TypeScript files under src/ and events/
# (the Piper worker script, generated schemas) and package.json (read for the version, and
# "type": "module" for dist/). Used by deployment/Dockerfile and by
# test/deployment/image-runtime.int.test.ts, so both build the same tree.
set -euo pipefail
cd "$(dirname "$0")/../.."
out="${1:-dist}"

npx tsc -p tsconfig.build.json --outDir "$out"
for tree in src events; do
  find "$tree" -type f ! -name '*.ts' ! -name '*.md' -exec cp --parents {} "$out/" \;
done
cp package.json "$out/package.json"
