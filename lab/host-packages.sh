#!/usr/bin/env bash
# Install the Debian packages of requirements-apt.txt that this machine lacks: the one list
# behind `make lab`, `make test` and .ci/run. A package counts as there when dpkg has it, or
# when the command named beside it exists (an engine or a tool installed another way).
set -euo pipefail
list="$(dirname "$0")/../requirements-apt.txt"

has_command() {
  command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ] || [ -x "/sbin/$1" ]
}

missing=()
while read -r package command _; do
  case "$package" in ''|'#'*) continue ;; esac
  if [ -n "${command:-}" ] && has_command "$command"; then
    continue
  fi
  if [ "$(dpkg-query -W -f='${db:Status-Status}' "$package" 2>/dev/null)" = installed ]; then
    continue
  fi
  missing+=("$package")
done <"$list"

[ "${#missing[@]}" -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "host-packages: missing ${missing[*]}; as root: apt-get install ${missing[*]}" >&2
  exit 1
fi
echo "host-packages: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
apt-get install -y -q "${missing[@]}" >/dev/null
