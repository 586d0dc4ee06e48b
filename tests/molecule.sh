#!/usr/bin/env bash
# Run every Molecule scenario under molecule/ (each needs the lab images; see lab/), up to
# MOLECULE_JOBS at once: each scenario has a lab of its own (CNM_LAB_NAME in its molecule.yml).
# Each scenario's output is printed whole when it ends, then a line per scenario with its time.
set -euo pipefail
cd "$(dirname "$0")/.."
# Scenarios use this checkout as the collection (see .config/molecule/config.yml).
export ANSIBLE_COLLECTIONS_PATH="$PWD/.build"
jobs=${MOLECULE_JOBS:-2}
scenarios=$(find molecule -mindepth 2 -maxdepth 2 -name molecule.yml -printf '%h\n' | xargs -rn1 basename | sort)
if [ -z "$scenarios" ]; then
  echo "molecule: no scenarios yet"
  exit 0
fi
# Build the images every scenario's lab needs once, before scenarios start side by side.
python lab/cnm_lab.py images --generation all

# The scenario for users' own hosts, proven against lab hosts reached over SSH with an
# inventory written the way a user would (absolute key path, no lab variables).
delegated() {
  local inventory rc=0
  python lab/cnm_lab.py up --lab molecule-delegated --generation bullseye
  inventory=$(mktemp -d)
  cp "$(python lab/cnm_lab.py inventory --lab molecule-delegated | tail -n 1)" "$inventory/hosts.yml"
  mkdir "$inventory/group_vars"
  printf -- '---\nansible_user: root\nansible_ssh_private_key_file: %s\nansible_python_interpreter: /usr/bin/python3\n' \
    "$PWD/lab/.state/id_ed25519" > "$inventory/group_vars/all.yml"
  CNM_OVERLAY_INVENTORY=$inventory molecule test -s delegated || rc=$?
  rm -rf "$inventory"
  python lab/cnm_lab.py down --lab molecule-delegated
  return "$rc"
}

run_scenario() {
  if [ "$1" = delegated ] && [ -z "${CNM_OVERLAY_INVENTORY:-}" ]; then
    delegated
  else
    molecule test -s "$1"
  fi
}

logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
declare -A pids=() began=()
summary=()
failed=0

# Wait for one running scenario to end; print its log and record its result.
reap() {
  local scenario rc
  wait -n -p done_pid "${pids[@]}" && rc=0 || rc=$?
  for scenario in "${!pids[@]}"; do
    [ "${pids[$scenario]}" = "$done_pid" ] || continue
    echo "=== molecule test -s $scenario"
    cat "$logs/$scenario.log"
    summary+=("$(printf 'molecule %-10s %5ds  %s' "$scenario" $((SECONDS - began[$scenario])) "$([ "$rc" -eq 0 ] && echo ok || echo "failed ($rc)")")")
    [ "$rc" -eq 0 ] || failed=1
    unset "pids[$scenario]"
  done
}

for scenario in $scenarios; do
  while [ "${#pids[@]}" -ge "$jobs" ]; do reap; done
  began[$scenario]=$SECONDS
  run_scenario "$scenario" >"$logs/$scenario.log" 2>&1 &
  pids[$scenario]=$!
done
while [ "${#pids[@]}" -gt 0 ]; do reap; done
printf '%s\n' "${summary[@]}"
exit "$failed"
