#!/usr/bin/env bash
# Time the reference scenario on fresh lab hosts (issue 5's benchmark, not a test):
#   (a) the floor: the same steps as a shell script with ssh and the docker CLI,
#   (b) playbooks/site.yml on other fresh lab hosts,
#   (c) site.yml again (idempotent: must report 0 changed; an unchanged site is only checked),
#   (d) site.yml again with cnm_overlay_converge=always (every play runs, nothing changes),
# then (b) and (d) again on a lab of 6 docker hosts (BENCH_BIG_HOSTS), and print the ratios on the last line:
#   ratios: b/a=X d/a=Y b6/b2=Z d6/d2=W c=Ss changed_c=N
# (targets, issue 19: b/a <= 1.5, d/a <= 0.8, b6/b2 <= 1.3, d6/d2 <= 1.2, c <= 5 s with 0 changed).
# Usage: bash bench/bench_site.sh   (from a checkout with the venv active; lab images built)
# BENCH_EXECS=1 adds a count that does not depend on the machine's load: the SSH commands
# (module runs) of one more re-run that converges anyway (-e cnm_overlay_converge=always),
# counted from its -vvv log.
set -euo pipefail
cd "$(dirname "$0")/.."
LAB=${BENCH_LAB:-bench-site}
lab() { python lab/cnm_lab.py "$@"; }
trap 'lab down --lab "$LAB" >/dev/null 2>&1 || true' EXIT

fresh_lab() {
  lab down --lab "$LAB" >/dev/null 2>&1 || true
  lab up --lab "$LAB" --generation bullseye --docker-hosts "${1:-2}" >/dev/null
  inventory=$(lab inventory --lab "$LAB" | tail -n 1)
  kv=$(awk '/^        kv:/{getline; print $2}' "$inventory")
  n1=$(awk '/^        n1:/{getline; print $2}' "$inventory")
  n2=$(awk '/^        n2:/{getline; print $2}' "$inventory")
}

on() {
  local host=$1; shift
  ssh -q -i lab/.state/id_ed25519 -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
    -o ControlMaster=auto -o ControlPath="/tmp/bench-%r@%h" -o ControlPersist=60 "root@$host" "$@"
}

shell_steps() {
  on "$kv" "cat > /etc/consul.d/cnm.json <<JSON
{\"server\": true, \"bootstrap_expect\": 1, \"data_dir\": \"/var/lib/consul\", \"bind_addr\": \"$kv\",
 \"client_addr\": \"127.0.0.1 $kv\", \"node_name\": \"kv\", \"performance\": {\"raft_multiplier\": 1}}
JSON
sed -i 's|^DAEMON_ARGS=.*|DAEMON_ARGS=\"-config-dir=/etc/consul.d\"|' /etc/default/consul
service consul start >/dev/null
until [ \"\$(curl -s http://127.0.0.1:8500/v1/status/leader)\" != '\"\"' ] && curl -sf -X PUT -d x http://127.0.0.1:8500/v1/kv/probe >/dev/null; do sleep 0.2; done"
  for n in "$n1" "$n2"; do
    on "$n" "printf '{\"cluster-store\": \"consul://$kv:8500\", \"cluster-advertise\": \"eth0:2376\"}' > /etc/docker/daemon.json
service docker restart >/dev/null
until [ \"\$(docker info --format '{{.ClusterStore}}' 2>/dev/null)\" = consul://$kv:8500 ]; do sleep 0.2; done"
  done
  on "$n1" "docker network create -d overlay --subnet 10.10.0.0/24 multi >/dev/null && docker run -d --init --name c1 --network multi cnm-lab/sandbox:latest sleep 3600 >/dev/null"
  on "$n2" "until docker network inspect multi >/dev/null 2>&1; do sleep 0.2; done
docker run -d --init --name c2 --network multi cnm-lab/sandbox:latest sleep 3600 >/dev/null
docker exec c2 ping -c 1 -w 20 c1 >/dev/null && docker exec c2 ping -c 3 -i 0.2 c1"
}

log=$(mktemp)
load_start=$(cut -d' ' -f1-3 /proc/loadavg)

fresh_lab
start=$(date +%s.%N); shell_steps > "$log" 2>&1; a=$(echo "$(date +%s.%N) - $start" | bc)
fresh_lab
start=$(date +%s.%N); ansible-playbook -i "$inventory" "${BENCH_PLAYBOOK:-playbooks/site.yml}" > "$log" 2>&1; b=$(echo "$(date +%s.%N) - $start" | bc)
start=$(date +%s.%N); ansible-playbook -i "$inventory" "${BENCH_PLAYBOOK:-playbooks/site.yml}" > "$log" 2>&1; c=$(echo "$(date +%s.%N) - $start" | bc)
changed=$(grep -oE 'changed=[0-9]+' "$log" | cut -d= -f2 | paste -sd+ | bc)
grep -q 'Every host is as the last finished run left it' "$log" && skipped=yes || skipped=no
# (d) not a target: a re-run that converges anyway (every play runs, as when something changed).
start=$(date +%s.%N); ansible-playbook -i "$inventory" "${BENCH_PLAYBOOK:-playbooks/site.yml}" -e cnm_overlay_converge=always > "$log" 2>&1; d=$(echo "$(date +%s.%N) - $start" | bc)
changed_d=$(grep -oE 'changed=[0-9]+' "$log" | cut -d= -f2 | paste -sd+ | bc)
if [ "${BENCH_EXECS:-0}" = 1 ]; then
  ansible-playbook -vvv -i "$inventory" "${BENCH_PLAYBOOK:-playbooks/site.yml}" -e cnm_overlay_converge=always > "$log" 2>&1
  execs=$(grep -c 'SSH: EXEC' "$log")
fi
# The same fresh site and forced converge with more docker hosts: how the cost grows.
fresh_lab "${BENCH_BIG_HOSTS:-6}"
start=$(date +%s.%N); ansible-playbook -i "$inventory" "${BENCH_PLAYBOOK:-playbooks/site.yml}" > "$log" 2>&1; b6=$(echo "$(date +%s.%N) - $start" | bc)
start=$(date +%s.%N); ansible-playbook -i "$inventory" "${BENCH_PLAYBOOK:-playbooks/site.yml}" -e cnm_overlay_converge=always > "$log" 2>&1; d6=$(echo "$(date +%s.%N) - $start" | bc)
rm -f "$log"
printf 'load average: %s at the start, %s at the end\n' "$load_start" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '(a) shell script with the docker CLI: %6.1f s\n' "$a"
printf '(b) site.yml on fresh hosts:         %6.1f s  (b/a = %.1f, target <= 1.5)\n' "$b" "$(echo "$b / $a" | bc -l)"
printf '(c) site.yml again:                  %6.1f s  (%s changed; target <= 5 s, 0 changed; converge skipped: %s)\n' "$c" "$changed" "$skipped"
printf '(d) again, cnm_overlay_converge=always: %4.1f s  (%s changed; target <= 0.8 a)\n' "$d" "$changed_d"
printf '(b6), (d6) the same on %s docker hosts: %.1f s, %.1f s\n' "${BENCH_BIG_HOSTS:-6}" "$b6" "$d6"
if [ -n "${execs:-}" ]; then printf 'SSH commands of a re-run (module runs): %s\n' "$execs"; fi
printf 'ratios: b/a=%.2f d/a=%.2f b6/b2=%.2f d6/d2=%.2f c=%.1fs changed_c=%s\n' "$(echo "$b / $a" | bc -l)" \
  "$(echo "$d / $a" | bc -l)" "$(echo "$b6 / $b" | bc -l)" "$(echo "$d6 / $d" | bc -l)" "$c" "$changed"
