#!/bin/sh
# Installs the W3C Nu HTML Checker (vnu.jar, runs on Java 17) from the npm registry into .tools/, pinned.
# tests/dossiers/test_a11y_public.py looks for .tools/node_modules/vnu-jar/build/dist/vnu.jar.
# --ignore-scripts: the package's postinstall would try to download a Java runtime; the system's java is used.
set -eu
VNU_VERSION=26.9.27
cd "$(dirname "$0")/../.."
JAR=.tools/node_modules/vnu-jar/build/dist/vnu.jar
if [ -f "$JAR" ] && grep -q "\"version\": \"$VNU_VERSION\"" .tools/node_modules/vnu-jar/package.json 2>/dev/null; then
  exit 0
fi
npm install --prefix .tools --no-audit --no-fund --ignore-scripts --no-save "vnu-jar@$VNU_VERSION" >/dev/null
test -f "$JAR"
