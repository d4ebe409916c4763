#!/bin/sh
# The SHA-256 of every PDF of a fixed set, built with this checkout's code: run it
# before and after a change that must change no PDF, and compare the two lists
# (`diff before.txt after.txt`). Usage: scripts/pdf-digests.sh OUTDIR > digests.txt
# The set: Kazakhstan en/de/ru/ar and the Ruritania example en/ar in the three
# editions, fr and es with --fallback, and a review PDF (tracked changes since the
# commit that added the complete profile's content).
set -eu
out=${1:?usage: scripts/pdf-digests.sh OUTDIR}
here=$(cd "$(dirname "$0")/.." && pwd)
mgi="$here/.venv/bin/mgi-report"
mkdir -p "$out"
cd "$here"
for lang in en de ru ar; do
  "$mgi" build kazakhstan --lang $lang --edition screen,print,archive --out "$out" >&2
done
for lang in fr es; do
  "$mgi" build kazakhstan --lang $lang --fallback -o "$out/kazakhstan-$lang.pdf" >&2
done
for lang in en ar; do
  "$mgi" build ruritania --lang $lang --content examples --edition screen,print,archive --out "$out" >&2
done
"$mgi" review kazakhstan --lang de --since 0cf83e8 -o "$out/kazakhstan-de-review.pdf" >&2
cd "$out" && sha256sum *.pdf
