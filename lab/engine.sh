#!/usr/bin/env bash
# Make sure a Docker engine answers on this machine: install what requirements-apt.txt lists
# and this machine lacks (Debian's docker.io when no dockerd exists), and start dockerd when
# none runs (there is no service manager here).
set -euo pipefail

log=${CNM_DOCKERD_LOG:-/var/log/cnm-dockerd.log}

engine_answers() { docker info >/dev/null 2>&1; }

bash "$(dirname "$0")/host-packages.sh"
if engine_answers; then
  exit 0
fi
command -v docker >/dev/null 2>&1 || { echo "engine: no docker CLI after install" >&2; exit 1; }

# Node containers mount these cgroup v1 controllers themselves when the host has not,
# which breaks the host engine's stats and floods its log (see shared lab notes).
if [ -d /sys/fs/cgroup ] && [ "$(stat -fc %T /sys/fs/cgroup)" = tmpfs ]; then
  for controller in net_cls perf_event net_prio hugetlb; do
    if grep -qw "$controller" /proc/cgroups && ! mountpoint -q "/sys/fs/cgroup/$controller"; then
      mkdir -p "/sys/fs/cgroup/$controller"
      mount -t cgroup -o "$controller" cgroup "/sys/fs/cgroup/$controller" || true
    fi
  done
fi

if systemctl is-system-running >/dev/null 2>&1; then
  systemctl start docker
else
  dockerd_bin=$(command -v dockerd || echo /usr/sbin/dockerd)
  echo "engine: starting $dockerd_bin (log: $log)" >&2
  nohup "$dockerd_bin" >>"$log" 2>&1 </dev/null &
fi

for _ in $(seq 1 60); do
  if engine_answers; then
    exit 0
  fi
  sleep 0.5
done
echo "engine: dockerd did not answer within 30 s; last lines of $log:" >&2
tail -n 20 "$log" >&2 || true
exit 1
