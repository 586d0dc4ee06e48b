#!/bin/sh
# Print, as JSON, the Docker engine version of this host and the cluster-store backends its
# dockerd binary was built with. Read-only. Without dockerd, the version the distribution
# would install (source "package"); the backends are then left to the caller's table.
set -u
if dockerd=$(command -v dockerd); then
  version=$(dockerd --version 2>/dev/null | sed -n 's/^Docker version \([^, ]*\).*/\1/p')
  # libnetwork registers each libkv backend it was built with; Go keeps their package paths
  # in the binary, stripped or not.
  backends=""
  for store in consul etcd zookeeper; do
    if grep -q -a "libkv/store/$store\." "$dockerd"; then
      backends="$backends${backends:+,}\"$store\""
    fi
  done
  printf '{"version": "%s", "source": "engine", "kv_backends": [%s]}\n' "$version" "$backends"
elif command -v apt-cache >/dev/null 2>&1; then
  candidate=$(apt-cache policy docker.io 2>/dev/null | sed -n 's/^ *Candidate: *//p')
  case "$candidate" in
    ""|"(none)") printf '{"version": "", "source": "missing", "kv_backends": null}\n' ;;
    *) printf '{"version": "%s", "source": "package", "kv_backends": null}\n' "$candidate" ;;
  esac
else
  printf '{"version": "", "source": "missing", "kv_backends": null}\n'
fi
