#!/bin/sh
# Forget a lost host's endpoint in an overlay network's namespace on this host (kv mode):
# the forwarding entries and the permanent neighbour that libnetwork added on the VXLAN
# device for that endpoint's MAC and address. Nobody else removes them when a host dies,
# and they would send traffic for a reused address to the dead host.
#   forget_vxlan_peer.sh <network ID> <MAC> <IPv4 address>
# Prints "forgot" when it removed something.
set -u
namespace=/var/run/docker/netns/1-$(printf '%.10s' "$1")
mac=$2
address=${3%%/*}
[ -e "$namespace" ] || exit 0
in_ns() { nsenter --net="$namespace" "$@"; }
vxlan_devices=$(in_ns ip -o -d link show type vxlan | sed -n 's/^[0-9]*: \([^:@]*\).*/\1/p')
forgot=""
for device in $vxlan_devices; do
  # "<mac> dev <device> [dst <ip>] ... [self|master <bridge>] ...": the same entry, deleted as shown.
  in_ns bridge fdb show dev "$device" | while read -r entry_mac rest; do
    [ "$entry_mac" = "$mac" ] || continue
    # shellcheck disable=SC2086 # the words of the entry, split on purpose
    set -- $rest
    dst=""; kind=master
    while [ $# -gt 0 ]; do
      case $1 in
        dst) dst=$2; shift ;;
        self) kind=self ;;
      esac
      shift
    done
    in_ns bridge fdb del "$mac" dev "$device" ${dst:+dst "$dst"} "$kind" && echo forgot
  done
  if in_ns ip neigh show "$address" dev "$device" | grep -q .; then
    in_ns ip neigh del "$address" dev "$device" && forgot=forgot
  fi
done
[ -n "$forgot" ] && echo "$forgot"
exit 0
