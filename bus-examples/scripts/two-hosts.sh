#!/usr/bin/env bash
# Two "hosts" on one Linux machine: two network namespaces joined by a veth pair, with tc netem on both ends
# (loss, delay, reordering), for trying `./bus gateway` across a network that loses packets. Needs root (or
# CAP_NET_ADMIN), iproute2 and the sch_netem kernel module. Shared memory is not namespaced: both "hosts" see
# the same /dev/shm, so give each its own bus (--bus a, --bus b).
#
#   two-hosts.sh up NAME [NETEM...]   namespaces NAME-a (10.77.0.1) and NAME-b (10.77.0.2); NETEM defaults to
#                                     "delay 10ms reorder 25% 50% loss 5%" (tc-netem(8)), on both directions;
#                                     "none": a clean link (kernels without sch_netem)
#   two-hosts.sh run a|b NAME CMD...  runs CMD in NAME-a or NAME-b (as the user who ran sudo, if any)
#   two-hosts.sh down NAME            deletes both namespaces (and with them the veth pair); quiet if absent
#
# Example (three terminals; see bus-examples/GATEWAY.md):
#   sudo bus-examples/scripts/two-hosts.sh up demo
#   sudo bus-examples/scripts/two-hosts.sh run a demo ./bus gateway --bus a --export quotes=aeron:udp?endpoint=10.77.0.2:40456
#   sudo bus-examples/scripts/two-hosts.sh run b demo ./bus gateway --bus b --import quotes=aeron:udp?endpoint=10.77.0.2:40456
#   ./bus sub quotes --bus b          # and: printf 'x\ny\n' | ./bus pub quotes --bus a
#   sudo bus-examples/scripts/two-hosts.sh down demo
set -euo pipefail

ADDRESS_A=10.77.0.1
ADDRESS_B=10.77.0.2
DEFAULT_NETEM=(delay 10ms reorder 25% 50% loss 5%)

die() {
    echo "two-hosts: $*" >&2
    exit 1
}

usage() {
    sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2
    exit 2
}

check_name() {
    # Interface names are at most 15 bytes: NAME plus "-a0" must fit.
    [[ "$1" =~ ^[a-z0-9][a-z0-9-]{0,11}$ ]] || die "NAME must be 1-12 lowercase letters, digits or '-', not '$1'"
}

down() {
    ip netns delete "$1-a" 2>/dev/null || true
    ip netns delete "$1-b" 2>/dev/null || true
}

up() {
    local name="$1"
    shift
    local netem=("$@")
    [ ${#netem[@]} -gt 0 ] || netem=("${DEFAULT_NETEM[@]}")
    command -v ip >/dev/null || die "ip (iproute2) is not installed"
    command -v tc >/dev/null || die "tc (iproute2) is not installed"
    ip netns add "$name-a" || die "cannot create network namespaces (ip netns add needs root or CAP_NET_ADMIN)"
    # From here on, any failure (an error or die) removes what was made.
    CREATED="$name"
    trap '[ -z "${CREATED:-}" ] || down "$CREATED"' EXIT
    ip netns add "$name-b"
    ip link add "$name-a0" netns "$name-a" type veth peer name "$name-b0" netns "$name-b"
    local side address
    for side in a b; do
        [ "$side" = a ] && address="$ADDRESS_A" || address="$ADDRESS_B"
        ip -n "$name-$side" link set lo up
        ip -n "$name-$side" addr add "$address/24" dev "$name-${side}0"
        ip -n "$name-$side" link set "$name-${side}0" up
        if [ "${netem[*]}" != none ]; then
            ip netns exec "$name-$side" tc qdisc add dev "$name-${side}0" root netem "${netem[@]}" 2>&1 \
                || die "tc netem failed: this kernel has no sch_netem module (try: up $name none, a clean link)"
        fi
    done
    CREATED=
    echo "two-hosts: $name-a ($ADDRESS_A) <-> $name-b ($ADDRESS_B), netem ${netem[*]} on both directions"
}

run() {
    local side="$1" name="$2"
    shift 2
    [ "$side" = a ] || [ "$side" = b ] || die "run takes a or b, not '$side'"
    [ $# -gt 0 ] || die "run $side $name needs a command"
    if [ -n "${SUDO_USER:-}" ] && [ "$SUDO_USER" != root ]; then
        exec ip netns exec "$name-$side" runuser -u "$SUDO_USER" -- "$@"
    fi
    exec ip netns exec "$name-$side" "$@"
}

[ $# -ge 2 ] || usage
case "$1" in
    up) check_name "$2"; name="$2"; shift 2; up "$name" "$@" ;;
    down) check_name "$2"; down "$2" ;;
    run) [ $# -ge 3 ] || usage; check_name "$3"; run "$2" "$3" "${@:4}" ;;
    *) usage ;;
esac
