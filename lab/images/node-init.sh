#!/bin/sh
# Start of a lab node, under tini (PID 1): give the container what privileged mode would,
# start sshd and the Docker engine as services (so `service docker restart` works as on a
# host), then wait for the stop signal and stop them cleanly.
# With --systemd (the node-systemd image): the same mounts and SSH host keys, then systemd
# becomes PID 1 and starts the services from their units.
set -u

say() { echo "cnm-lab-node: $*"; }

# Mount points that are read-only in this container, from /proc/self/mountinfo.
readonly_mounts() {
  awk '{ split($6, opts, ","); if (opts[1] == "ro") print $5 }' /proc/self/mountinfo
}

# Without --privileged, Docker mounts /sys, /proc/sys and the cgroup hierarchy read-only;
# the inner engine needs them writable. With --privileged there is nothing to do.
make_system_mounts_writable() {
  for mountpoint in $(readonly_mounts); do
    case "$mountpoint" in
      /sys | /sys/fs/cgroup | /sys/fs/cgroup/* | /proc/sys)
        mount -o remount,rw "$mountpoint" 2>/dev/null \
          || mount -o remount,bind,rw "$mountpoint" 2>/dev/null \
          || say "cannot make $mountpoint writable"
        ;;
    esac
  done
}

# On a cgroup v2 host the inner engine can give its containers controllers only if this
# node's own cgroup holds no process: move every process into a child group, then delegate
# all controllers to children (docker exec then joins PID 1's group). cgroup v1: nothing.
delegate_cgroup2_controllers() {
  [ -f /sys/fs/cgroup/cgroup.controllers ] || return 0
  mkdir -p /sys/fs/cgroup/node
  for _ in 1 2 3 4 5; do
    xargs -r -n 1 </sys/fs/cgroup/cgroup.procs >/sys/fs/cgroup/node/cgroup.procs 2>/dev/null
    sed -e 's/^/+/' -e 's/ / +/g' </sys/fs/cgroup/cgroup.controllers \
      >/sys/fs/cgroup/cgroup.subtree_control 2>/dev/null && return 0
    sleep 0.2
  done
  say "cannot delegate cgroup v2 controllers: inner containers may not start"
}

stop_services() {
  service docker stop >/dev/null 2>&1
  service ssh stop >/dev/null 2>&1
  exit 0
}

make_system_mounts_writable
if [ "${1:-}" = --systemd ]; then
  ssh-keygen -A >/dev/null
  exec /lib/systemd/systemd
fi
delegate_cgroup2_controllers
# A restarted node keeps its filesystem: stale pid files would stop the services starting.
rm -f /run/docker.pid /run/docker-ssd.pid /run/sshd.pid
ssh-keygen -A >/dev/null
service ssh start
if [ "${CNM_LAB_DOCKER:-yes}" = yes ]; then
  service docker start
fi
trap stop_services TERM INT
while :; do
  sleep 3600 &
  wait $!
done
