#!/usr/bin/env bash
# Run every Molecule scenario under molecule/ (each needs the lab images; see lab/).
set -euo pipefail
cd "$(dirname "$0")/.."
scenarios=$(find molecule -mindepth 2 -maxdepth 2 -name molecule.yml -printf '%h\n' | xargs -rn1 basename | sort)
if [ -z "$scenarios" ]; then
  echo "molecule: no scenarios yet"
  exit 0
fi
for scenario in $scenarios; do
  echo "=== molecule test -s $scenario"
  molecule test -s "$scenario"
done
