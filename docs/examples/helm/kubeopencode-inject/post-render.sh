#!/bin/sh
# Helm writes the rendered chart to stdin and reads the manifests back from stdout; the
# --post-renderer-args come as arguments. The report stays on stderr.
set -e
exec kubeopencode-inject "$@"
