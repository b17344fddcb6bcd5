#!/usr/bin/env python3
"""Where a latency tail comes from, packet by packet.

Splits each received packet's latency (parley-load's send stamp to its arrival) into three parts,
using the kernel's timestamps of the same packets in a capture of the run:

  sender    stamped by the sending participant -> on the wire to the server
  server    on the wire to the server -> on the wire to the receiver
  receiver  on the wire to the receiver -> seen by the receiving participant

With a scheduler trace of the same run it also says what the two CPUs ran while packets waited
in the server: the windows where the server part of a packet exceeded --stall-ms, and which
threads (by process and name) held the CPUs in them.

Run (root; tcpdump and perf from Debian):

  tcpdump -i lo -s 96 -w run.pcap udp &                          # the server's and tool's UDP
  perf sched record -k CLOCK_MONOTONIC -a -o sched.data &        # optional
  java -jar load-tests/target/parley-load.jar ... --packet-log packets.txt
  kill %1 %2; perf sched timehist -i sched.data > timehist.txt
  load-tests/tail-anatomy.py packets.txt run.pcap [--timehist timehist.txt]

The capture must see both directions of the media (on one machine: the loopback interface). RTP
headers are in the clear under SRTP, so packets are matched by SSRC and sequence number; the
server may rewrite both, so each received stream is matched to the sent stream and sequence
offset that fit the send stamps.
"""
import argparse
import bisect
import collections
import re
import struct
import sys


def read_log(path):
    offset = None
    rows = []
    with open(path) as f:
        for line in f:
            if line.startswith('#'):
                m = re.search(r'monotonic \+ (-?\d+) ns', line)
                offset = int(m.group(1)) if m else None
                continue
            a, s, receiver, publisher, kind, ssrc, seq = line.split()
            rows.append((int(a), int(s), receiver, publisher, kind, int(ssrc), int(seq)))
    rows.sort()
    return rows, offset


def read_pcap(path):
    """(time ns, source port, destination port, ssrc, seq) of each RTP packet over IPv4/UDP."""
    data = open(path, 'rb').read()
    magic, = struct.unpack('<I', data[:4])
    if magic not in (0xa1b2c3d4, 0xa1b23c4d):
        sys.exit(f'{path}: not a little-endian pcap file (use tcpdump -w)')
    nano = magic == 0xa1b23c4d
    link, = struct.unpack('<I', data[20:24])
    header = {1: 14, 113: 16, 0: 4}.get(link)
    if header is None:
        sys.exit(f'{path}: link type {link} not handled')
    out = []
    off = 24
    while off + 16 <= len(data):
        sec, frac, incl, _ = struct.unpack('<IIII', data[off:off + 16])
        pkt = data[off + 16:off + 16 + incl]
        off += 16 + incl
        ip = pkt[header:]
        if len(ip) < 28 or ip[0] >> 4 != 4 or ip[9] != 17:
            continue
        ihl = (ip[0] & 15) * 4
        sport, dport = struct.unpack('>HH', ip[ihl:ihl + 4])
        udp = ip[ihl + 8:]
        # RTP version 2, not RTCP (payload types 192..223 with the marker bit).
        if len(udp) < 12 or not 128 <= udp[0] < 192 or 192 <= udp[1] <= 223:
            continue
        seq, = struct.unpack('>H', udp[2:4])
        ssrc, = struct.unpack('>I', udp[8:12])
        out.append((sec * 1_000_000_000 + (frac if nano else frac * 1000), sport, dport, ssrc, seq))
    return out


def decompose(rows, wire):
    by_ssrc = collections.defaultdict(list)
    for p in wire:
        by_ssrc[p[3]].append(p)
    received = {r[5] for r in rows}
    out_wire = {}  # (ssrc, seq) -> first time on the wire towards the receiver
    for s in received:
        for p in by_ssrc.get(s, []):
            out_wire.setdefault((s, p[4]), p[0])
    sent_ssrcs = [s for s in by_ssrc if s not in received]
    in_wire = {s: {p[4]: p[0] for p in by_ssrc[s]} for s in sent_ssrcs}
    rows_by = collections.defaultdict(list)
    for r in rows:
        rows_by[r[5]].append(r)
    # Each received stream: the sent stream and sequence offset whose packets went on the wire
    # within 5 ms after the send stamps, before they went out to the receiver.
    match = {}
    for s, rs in rows_by.items():
        sample = rs[len(rs) // 2:len(rs) // 2 + 40]
        best = (0, None, None)
        for i in sent_ssrcs:
            first = sample[0]
            deltas = {(first[6] - p[4]) & 0xFFFF for p in by_ssrc[i] if 0 <= p[0] - first[1] <= 5e6}
            for d in deltas:
                score = 0
                for r in sample:
                    t_in = in_wire[i].get((r[6] - d) & 0xFFFF)
                    t_out = out_wire.get((s, r[6]))
                    if t_in and t_out and 0 <= t_in - r[1] <= 5e6 and t_in <= t_out:
                        score += 1
                if score > best[0]:
                    best = (score, i, d)
        if best[0] >= 0.8 * len(sample):
            match[s] = best[1:]
    parts = []
    for r in rows:
        m = match.get(r[5])
        t_out = out_wire.get((r[5], r[6]))
        t_in = in_wire[m[0]].get((r[6] - m[1]) & 0xFFFF) if m else None
        if t_in is None or t_out is None:
            continue
        parts.append((r[0] - r[1], t_in - r[1], t_out - t_in, r[0] - t_out, r))
    return parts, len(match), len(rows_by)


def pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * q))]


def attribute(parts, timehist, offset, stall_ms):
    """CPU time by thread in the windows where packets waited in the server over stall_ms."""
    runs = []
    pattern = re.compile(r'\s*([\d.]+)\s+\[(\d+)\]\s+(.+?)\[([\d/]+)\]\s+[\d.]+\s+[\d.]+\s+([\d.]+)')
    with open(timehist) as f:
        for line in f:
            m = pattern.match(line)
            if m:
                end = float(m.group(1))
                pid = m.group(4).split('/')[-1]
                name = m.group(3).strip()
                if '/' in m.group(4) or name == '<idle>':
                    name = re.sub(r'[-#]?\d+$', '', name)
                runs.append((end - float(m.group(5)) / 1e3, end, f'{name} [{pid}]'))
    windows = []
    for p in parts:
        if p[2] >= stall_ms * 1e6:
            start = (p[4][1] + p[1] - offset) / 1e9
            windows.append([start, start + p[2] / 1e9])
    windows.sort()
    merged = []
    for a, b in windows:
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    runs.sort()
    starts = [r[0] for r in runs]
    held = collections.Counter()
    total = 0.0
    for a, b in merged:
        total += b - a
        i = max(0, bisect.bisect_left(starts, a - 1.0))
        while i < len(runs) and runs[i][0] <= b:
            s, e, who = runs[i]
            overlap = min(e, b) - max(s, a)
            if overlap > 0:
                held[who] += overlap
            i += 1
    cpus = len({line.split()[1] for line in open(timehist) if pattern.match(line)})
    print(f'\nwhile packets waited over {stall_ms} ms in the server: {len(windows)} packets,'
          f' {len(merged)} windows, {total * 1e3:.1f} ms; the {cpus} CPUs ran:')
    for who, t in held.most_common(15):
        print(f'  {t * 1e3:8.1f} ms  {100 * t / (cpus * total):5.1f} %  {who}')


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('packet_log', help="parley-load's --packet-log file")
    ap.add_argument('pcap', help='tcpdump -w capture of the same run')
    ap.add_argument('--timehist', help='perf sched timehist output (recorded with -k CLOCK_MONOTONIC)')
    ap.add_argument('--skip', type=float, default=3.0, help='seconds of the run to leave out (joins); default 3')
    ap.add_argument('--stall-ms', type=float, default=2.0, help='a packet held this long in the server is a stall; default 2')
    args = ap.parse_args()
    rows, offset = read_log(args.packet_log)
    if not rows:
        sys.exit('the packet log is empty')
    t0 = rows[0][0]
    rows = [r for r in rows if r[0] - t0 >= args.skip * 1e9]
    wire = [p for p in read_pcap(args.pcap) if rows[0][1] - 1e9 <= p[0] <= rows[-1][0] + 1e9]
    parts, matched, streams = decompose(rows, wire)
    if not parts:
        sys.exit('no packet of the log was found in the capture (both directions captured?)')
    print(f'{len(parts)} of {len(rows)} packets found on the wire both ways ({matched} of {streams} streams)')
    names = ['total', 'sender', 'server', 'receiver']
    print(f'{"":10} {"p50":>8} {"p90":>8} {"p99":>8} {"p99.9":>8} {"max":>8}   (ms)')
    for k, name in enumerate(names):
        v = [p[k] / 1e6 for p in parts]
        print(f'{name:10} ' + ' '.join(f'{pct(v, q):8.3f}' for q in (.5, .9, .99, .999)) + f' {max(v):8.3f}')
    cut = pct([p[0] for p in parts], .99)
    top = [p for p in parts if p[0] >= cut]
    mean = [sum(p[k] for p in top) / len(top) / 1e6 for k in range(1, 4)]
    print(f'slowest 1 % ({len(top)} packets, >= {cut / 1e6:.2f} ms): on average sender {mean[0]:.2f},'
          f' server {mean[1]:.2f}, receiver {mean[2]:.2f} ms')
    if args.timehist:
        if offset is None:
            sys.exit('the packet log has no clock offset; written by an older parley-load')
        attribute(parts, args.timehist, offset, args.stall_ms)


if __name__ == '__main__':
    main()
