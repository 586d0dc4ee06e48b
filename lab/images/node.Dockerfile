# Lab node: a Debian host of one generation with the distribution's Docker engine, Python
# for Ansible and an SSH server. Built by lab/cnm_lab.py from cnm-lab/base:<generation>.
ARG BASE
FROM ${BASE}
ARG PACKAGES
ENV DEBIAN_FRONTEND=noninteractive
# policy-rc.d keeps package scripts from starting daemons during the build only: a node
# starts its services at run time, like a booting host. Host keys are made per node at start.
RUN printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod 0755 /usr/sbin/policy-rc.d \
 && apt-get update -q \
 && apt-get install -y -q --no-install-recommends ${PACKAGES} \
 && rm -f /usr/sbin/policy-rc.d /etc/ssh/ssh_host_* \
 && apt-get clean && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin
# Hard limits cannot be raised in the lab, and the init script's `ulimit` calls would abort
# `service docker start`: they may fail and the engine starts with the limits it gets.
RUN sed -i -E 's/^([[:space:]]*ulimit [^|&;]*)$/\1 2>\/dev\/null || true/' /etc/init.d/docker \
 && ! grep -E '^[[:space:]]*ulimit ' /etc/init.d/docker | grep -v '|| true$'
# A user that reaches the node over SSH and becomes root with sudo, as on real hosts.
RUN useradd --create-home --shell /bin/bash admin \
 && printf 'admin ALL=(ALL) NOPASSWD: ALL\n' >/etc/sudoers.d/admin && chmod 0440 /etc/sudoers.d/admin
COPY node-init.sh /usr/local/sbin/cnm-lab-node-init
ENTRYPOINT ["/usr/bin/tini", "--", "/usr/local/sbin/cnm-lab-node-init"]
