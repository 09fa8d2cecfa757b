#!/usr/bin/env bash
# Makes tests/data/http-client-side.pcap: a real capture, taken at the client
# side, of curl fetching a page from python's http.server that holds the VIP.
#
#   netns lvsim-cli-PID (client 198.51.100.7)  --veth--  netns lvsim-srv-PID (VIP 192.0.2.10:80)
#
# Run as root. Everything it creates lives inside the two namespaces it makes
# and is removed on exit. Checksum offload is turned off on the veths so the
# captured checksums are the real ones (a veth otherwise leaves TCP checksums
# partial, and every captured segment would look corrupt).
set -euo pipefail

OUT=${1:-$(dirname "$0")/http-client-side.pcap}
REQUESTS=${REQUESTS:-6}
CLIENT=198.51.100.7
VIP=192.0.2.10
CLI=lvsim-cli-$$
SRV=lvsim-srv-$$
PY=$(command -v /usr/bin/python3 || command -v python3)
WORK=$(mktemp -d)
SERVER_PID= CAPTURE_PID=

cleanup() {
  [ -n "$CAPTURE_PID" ] && kill "$CAPTURE_PID" 2>/dev/null || true
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null || true
  wait 2>/dev/null || true
  ip netns del "$CLI" 2>/dev/null || true
  ip netns del "$SRV" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

[ "$(id -u)" = 0 ] || { echo "make-http-capture.sh: needs root (network namespaces)" >&2; exit 2; }

ip netns add "$CLI"
ip netns add "$SRV"
ip link add veth-c netns "$CLI" type veth peer name veth-s netns "$SRV"
for ns in "$CLI" "$SRV"; do
  # No IPv6 neighbour discovery noise in the capture.
  ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  ip -n "$ns" link set lo up
done
ip netns exec "$CLI" ethtool -K veth-c tx off rx off >/dev/null
ip netns exec "$SRV" ethtool -K veth-s tx off rx off >/dev/null
ip -n "$CLI" addr add "$CLIENT/24" dev veth-c
ip -n "$CLI" link set veth-c up
ip -n "$CLI" route add "$VIP/32" dev veth-c
ip -n "$SRV" addr add "$VIP/32" dev veth-s
ip -n "$SRV" link set veth-s up
ip -n "$SRV" route add 198.51.100.0/24 dev veth-s

mkdir "$WORK/www"
printf 'hello from the real server\n' >"$WORK/www/index.html"
ip netns exec "$SRV" "$PY" -m http.server 80 --bind "$VIP" --directory "$WORK/www" \
  >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 50); do
  ip netns exec "$SRV" ss -Hltn "sport = :80" | grep -q . && break
  sleep 0.1
done

ip netns exec "$CLI" dumpcap -q -P -i veth-c -w "$WORK/capture.pcap" >"$WORK/dumpcap.log" 2>&1 &
CAPTURE_PID=$!
for _ in $(seq 50); do
  [ -s "$WORK/capture.pcap" ] && break
  sleep 0.1
done
sleep 0.5

for i in $(seq "$REQUESTS"); do
  ip netns exec "$CLI" curl -sS --max-time 5 -o /dev/null "http://$VIP/index.html?n=$i"
done
sleep 0.5  # the last FIN/ACKs
kill -INT "$CAPTURE_PID"
wait "$CAPTURE_PID" || true
CAPTURE_PID=

cp "$WORK/capture.pcap" "$OUT"
echo "wrote $OUT: $(stat -c %s "$OUT") bytes"
