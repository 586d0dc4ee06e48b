# Lab node with systemd as PID 1, as on a real Debian host: the same node image plus systemd.
# sshd, containerd and the Docker engine run as the packages' systemd units (consul's unit
# stays disabled until a role enables it). Built by lab/cnm_lab.py `images --init systemd`.
ARG NODE
FROM ${NODE}
ARG PACKAGES
# systemd runs as a container's init only when it knows it is in one.
ENV container=docker
RUN printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod 0755 /usr/sbin/policy-rc.d \
 && apt-get update -q \
 && apt-get install -y -q --no-install-recommends ${PACKAGES} \
 && rm -f /usr/sbin/policy-rc.d \
 && apt-get clean && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin
# `docker stop` asks systemd to shut down, which stops the engine and sshd cleanly.
STOPSIGNAL SIGRTMIN+3
ENTRYPOINT ["/usr/local/sbin/cnm-lab-node-init", "--systemd"]
