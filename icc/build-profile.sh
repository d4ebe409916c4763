#!/bin/sh
# Rebuild icc/FOGRA39L-mgi.icc from the FOGRA39L characterization data in this
# folder with ArgyllCMS (Debian: `apt-get install argyll`). Not part of a normal
# build: the profile is shipped; run this only to change how it is made.
set -eu
cd "$(dirname "$0")"
command -v colprof >/dev/null || { echo "needs colprof: apt-get install argyll" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp FOGRA39L.ti3 "$tmp/FOGRA39L.ti3"
# -qm: medium-quality A2B tables; -bl: low-quality B2A (smaller file, only
# colour management of a proofing viewer uses it); -nc: do not embed the .ti3;
# -l330: 330 % total ink, as ISO 12647-2 coated paper; -kr: ramped black.
colprof -qm -bl -nc -l330 -kr \
  -A "mgi-report" \
  -M "FOGRA39L" \
  -D "FOGRA39L coated (ISO 12647-2:2004/Amd 1), built by mgi-report from FOGRA39L.ti3" \
  -C "Derived from FOGRA39L.ti3 (Kai-Uwe Behrmann, zlib licence); see icc/README.md" \
  -O "$tmp/FOGRA39L-mgi.icc" "$tmp/FOGRA39L" >/dev/null
mv "$tmp/FOGRA39L-mgi.icc" FOGRA39L-mgi.icc
echo "icc/FOGRA39L-mgi.icc: $(wc -c < FOGRA39L-mgi.icc) bytes"
