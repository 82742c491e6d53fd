#!/usr/bin/env python3
"""checkpoint_cmp.py A B: exit 0 when two checkpoint.nnc files hold the same training state.

A checkpoint is 'NNCKPT01', a little-endian u32 header length, a JSON header, then the
payload (weights, optimiser state). Same state: identical payload bytes and identical header
fields except the per-epoch seconds (history rows are [epoch, loss, seconds] as hex doubles),
'code' (BLAS/kernels/threads identity) and 'config' (in the header since 2026-12-07, absent before).
Prints the fields that differ."""
import json, struct, sys

def load(path):
    b = open(path, 'rb').read()
    assert b[:8] == b'NNCKPT01', path + ': not a checkpoint'
    n = struct.unpack('<I', b[8:12])[0]
    h = json.loads(b[12:12 + n])
    h['history'] = [row[:2] for row in h.get('history', [])]
    for k in ('code', 'config'):
        h.pop(k, None)
    return h, b[12 + n:]

(ha, pa), (hb, pb) = load(sys.argv[1]), load(sys.argv[2])
diff = [k for k in sorted(set(ha) | set(hb)) if ha.get(k) != hb.get(k)] + (['payload'] if pa != pb else [])
print('same state' if not diff else 'differ: ' + ', '.join(diff))
sys.exit(1 if diff else 0)
