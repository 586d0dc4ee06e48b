#!/usr/bin/env bash
# Run make stages in order (`stages.sh lint sanity unit ...`), stop at the first that fails,
# and print the time of each at the end, whatever happened: the figures docs/benchmarks.md keeps.
set -uo pipefail
make_cmd=${MAKE:-make}
declare -a rows=()
rc=0
started=$SECONDS
for stage in "$@"; do
  echo "=== stage $stage"
  begin=$SECONDS
  "$make_cmd" --no-print-directory "$stage"
  rc=$?
  rows+=("$(printf '%-12s %6ds  %s' "$stage" $((SECONDS - begin)) "$([ "$rc" -eq 0 ] && echo ok || echo "failed ($rc)")")")
  [ "$rc" -eq 0 ] || break
done
echo "=== stage times"
printf '%s\n' "${rows[@]}"
printf '%-12s %6ds\n' total $((SECONDS - started))
exit "$rc"
