#!/usr/bin/env python3
"""Writes the `lvsim replay` benchmark capture: a client-side pcap (Ethernet)
of short HTTP-like TCP connections to 192.0.2.10:80, requests and replies,
deterministic (same bytes on every run).

Each connection is 10 packets: SYN, SYN-ACK, ACK, request, ACK, response,
ACK, FIN (server), FIN (client), ACK. CONCURRENT connections are in flight at
once, their packets interleaved, one packet every 10 us of capture time.

usage: make-capture.py OUT.pcap [PACKETS]   (default 1,000,000)
"""
import struct
import sys

VIP = bytes([192, 0, 2, 10])
VPORT = 80
CONCURRENT = 1000
STEP_US = 10
REQUEST = b"GET /index.html HTTP/1.1\r\nHost: 192.0.2.10\r\nUser-Agent: lvsim-bench\r\nAccept: */*\r\n\r\n"
RESPONSE = (b"HTTP/1.0 200 OK\r\nServer: bench\r\nContent-Type: text/html\r\nContent-Length: 300\r\n\r\n"
            + b"x" * 300)
CLIENT_MAC = bytes([0x02, 0, 0, 0, 0, 0x01])
ROUTER_MAC = bytes([0x02, 0, 0, 0, 0, 0x02])

SYN, FIN, PSH, ACK = 0x02, 0x01, 0x08, 0x10


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(memoryview(data).cast("H"))  # little-endian words: byte-swap at the end
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    s = ~s & 0xFFFF
    return ((s & 0xFF) << 8) | (s >> 8)


def frame(src, sport, dst, dport, seq, ack, flags, payload):
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 0x50, flags, 65535, 0, 0) + payload
    pseudo = src + dst + struct.pack("!BBH", 0, 6, len(tcp))
    tcp = tcp[:16] + struct.pack("!H", csum(pseudo + tcp)) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 0, 0x4000, 64, 6, 0, src, dst)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    to_client = src == VIP
    macs = (CLIENT_MAC + ROUTER_MAC) if to_client else (ROUTER_MAC + CLIENT_MAC)
    return macs + b"\x08\x00" + ip + tcp


def connection(n):
    """The 10 packets of connection n, in order."""
    client = bytes([198, 18 + (n >> 16) % 2, (n >> 8) & 0xFF, n & 0xFF])
    cport = 1024 + (n * 7919) % 64000
    c_isn = (n * 2654435761) & 0xFFFFFFFF
    s_isn = (n * 40503 + 12345) & 0xFFFFFFFF
    c, s = c_isn + 1, s_isn + 1
    req, resp = len(REQUEST), len(RESPONSE)
    u32 = lambda v: v & 0xFFFFFFFF
    up = lambda seq, ack, fl, pl=b"": frame(client, cport, VIP, VPORT, u32(seq), u32(ack), fl, pl)
    down = lambda seq, ack, fl, pl=b"": frame(VIP, VPORT, client, cport, u32(seq), u32(ack), fl, pl)
    return [
        up(c_isn, 0, SYN),
        down(s_isn, c, SYN | ACK),
        up(c, s, ACK),
        up(c, s, PSH | ACK, REQUEST),
        down(s, c + req, ACK),
        down(s, c + req, PSH | ACK, RESPONSE),
        up(c + req, s + resp, ACK),
        down(s + resp, c + req, FIN | ACK),
        up(c + req, s + resp + 1, FIN | ACK),
        down(s + resp + 1, c + req + 1, ACK),
    ]


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    total = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
    written = 0
    t_us = 0
    next_conn = 0
    active = []  # [packets, index]
    with open(sys.argv[1], "wb") as out:
        out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        while written < total:
            while len(active) < CONCURRENT:
                active.append([connection(next_conn), 0])
                next_conn += 1
            for conn in active:
                if written == total:
                    break
                pkt = conn[0][conn[1]]
                conn[1] += 1
                sec, usec = divmod(1_700_000_000_000_000 + t_us, 1_000_000)
                out.write(struct.pack("<IIII", sec, usec, len(pkt), len(pkt)) + pkt)
                written += 1
                t_us += STEP_US
            active = [c for c in active if c[1] < len(c[0])]
    print(f"wrote {sys.argv[1]}: {written} packets, {next_conn} connections", file=sys.stderr)


if __name__ == "__main__":
    main()
