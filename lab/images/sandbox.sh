#!/usr/bin/env bash
# Build the tiny sandbox image (c1/c2 and test containers) from Debian's busybox-static,
# with no registry: a rootfs of busybox and its applet links, `docker import`ed.
# Usage: sandbox.sh [IMAGE]   (default cnm-lab/sandbox:latest); rebuilt only when missing
# or when the busybox binary changed.
set -euo pipefail
image=${1:-cnm-lab/sandbox:latest}

if [ ! -x /bin/busybox ] || ! /bin/busybox --list >/dev/null 2>&1; then
  bash "$(dirname "$0")/../host-packages.sh"
fi
# The static build is needed: the image has no libc.
file_sum=$(sha256sum /bin/busybox | cut -c1-16)
if [ "$(docker image inspect -f '{{ index .Config.Labels "cnm.lab.recipe" }}' "$image" 2>/dev/null)" = "$file_sum" ]; then
  exit 0
fi
if ldd /bin/busybox >/dev/null 2>&1; then
  echo "sandbox: /bin/busybox is dynamically linked; install busybox-static" >&2
  exit 1
fi

rootfs=$(mktemp -d)
trap 'rm -rf "$rootfs"' EXIT
mkdir -p "$rootfs"/{bin,etc,tmp,proc,sys,dev,root}
cp /bin/busybox "$rootfs/bin/busybox"
for applet in $(/bin/busybox --list); do
  [ "$applet" = busybox ] || ln -s busybox "$rootfs/bin/$applet"
done
printf 'root:x:0:0:root:/root:/bin/sh\n' >"$rootfs/etc/passwd"
printf 'root:x:0:\n' >"$rootfs/etc/group"
tar -C "$rootfs" -c . | docker import \
  --change 'CMD ["/bin/sh"]' \
  --change 'ENV PATH=/bin' \
  --change "LABEL cnm.lab.recipe=$file_sum" \
  - "$image" >/dev/null
echo "sandbox: built $image" >&2
