#!/usr/bin/env bash
# Copy the front-end assets installed by `npm ci` into zhibu/static/vendor/, which is
# served as ordinary static files (whitenoise in production). No CDN, no bundler: the
# product must work on a closed network.
set -euo pipefail
cd "$(dirname "$0")/.."
src=node_modules
dst=zhibu/static/vendor
if [ ! -d "$src/bootstrap" ]; then
  echo "node_modules is missing: run 'npm ci' first" >&2
  exit 1
fi
rm -rf "$dst"
mkdir -p "$dst/bootstrap" "$dst/bootstrap-icons/fonts" "$dst/htmx" "$dst/echarts"
cp "$src/bootstrap/dist/css/bootstrap.min.css" "$src/bootstrap/dist/css/bootstrap.min.css.map" "$dst/bootstrap/"
cp "$src/bootstrap/dist/js/bootstrap.bundle.min.js" "$src/bootstrap/dist/js/bootstrap.bundle.min.js.map" "$dst/bootstrap/"
cp "$src/bootstrap-icons/font/bootstrap-icons.min.css" "$dst/bootstrap-icons/"
cp "$src/bootstrap-icons/font/fonts/"bootstrap-icons.woff* "$dst/bootstrap-icons/fonts/"
cp "$src/htmx.org/dist/htmx.min.js" "$dst/htmx/"
cp "$src/echarts/dist/echarts.min.js" "$dst/echarts/"
echo "front-end assets copied to $dst"
