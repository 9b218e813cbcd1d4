#!/usr/bin/env python3
# Regenerates fpu-vectors.txt: runs F/D instructions under QEMU (the reference) and records results.
"""
Usage: tests/vmm-fpu/gen-vectors.py [--out FILE] [--keep DIR]

Builds a list of (instruction, frm, operands) cases -- edge cases plus a
fixed-seed pseudo-random set --, compiles ref/ into a bare-metal rv64gc ELF
that executes each one, runs it under `qemu-system-riscv64 -M spike` (HTIF
console) and writes one line per case:

    insn frm a b c result fflags

all hex; result 'i' and fflags '-' when QEMU raised an illegal-instruction
exception.  Operands of single-precision inputs and single results are written
with 8 digits when they are NaN-boxed (the upper 32 bits all ones) and 16
otherwise; '-' is an unused operand (zero in the registers).  Before each
case x10 = f10 = 0, x11/f11 = a, x12/f12 = b, f13 = c, fflags = 0; the
result is x10 for FEQ/FLT/FLE, FCVT to integer, FMV.X and FCLASS, else f10.
"""

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
BOX = 0xFFFFFFFF00000000
M64 = (1 << 64) - 1

RD, RS1, RS2, RS3 = 10, 11, 12, 13


def enc_r(funct7, rs2, rm):
    return (funct7 << 25) | (rs2 << 20) | (RS1 << 15) | (rm << 12) | (RD << 7) | 0x53


def enc_r4(opcode, fmt, rm):
    return (RS3 << 27) | (fmt << 25) | (RS2 << 20) | (RS1 << 15) | (rm << 12) | (RD << 7) | opcode


class Fmt:
    def __init__(self, name, mbits, ebits):
        self.name = name
        self.mbits = mbits
        self.ebits = ebits
        self.bias = (1 << (ebits - 1)) - 1
        self.width = 1 + mbits + ebits
        self.emax_field = (1 << ebits) - 1

    def bits(self, sign, efield, mant):
        return (sign << (self.width - 1)) | (efield << self.mbits) | mant

    def exact(self, sign, m, e2):
        """m * 2^e2 (m > 0) as bits; must be exactly representable."""
        while m >= (1 << (self.mbits + 1)):
            assert m & 1 == 0
            m >>= 1
            e2 += 1
        while m < (1 << self.mbits):
            m <<= 1
            e2 -= 1
        e = e2 + self.mbits  # unbiased exponent of the leading bit
        if e < 1 - self.bias:
            sh = (1 - self.bias) - e
            assert m & ((1 << sh) - 1) == 0
            return self.bits(sign, 0, m >> sh)
        assert e <= self.bias
        return self.bits(sign, e + self.bias, m & ((1 << self.mbits) - 1))

    def from_float(self, v):
        import struct
        if self.width == 32:
            return struct.unpack('<I', struct.pack('<f', v))[0]
        return struct.unpack('<Q', struct.pack('<d', v))[0]


S = Fmt('s', 23, 8)
D = Fmt('d', 52, 11)


def specials(f):
    m = f.mbits
    top = f.emax_field
    one = f.bias
    return [
        f.bits(0, 0, 0), f.bits(1, 0, 0),                      # +-0
        f.bits(0, top, 0), f.bits(1, top, 0),                  # +-inf
        f.bits(0, top, 1 << (m - 1)),                          # canonical qNaN
        f.bits(1, top, (1 << (m - 1)) | 0x123),                # qNaN with payload
        f.bits(0, top, 1), f.bits(1, top, (1 << (m - 2)) | 5), # sNaN
        f.bits(0, 0, 1), f.bits(1, 0, 1),                      # min subnormal
        f.bits(0, 0, (1 << m) - 1),                            # max subnormal
        f.bits(0, 1, 0), f.bits(1, 1, 0),                      # min normal
        f.bits(0, top - 1, (1 << m) - 1), f.bits(1, top - 1, (1 << m) - 1),  # max
        f.bits(0, one, 0), f.bits(1, one, 0),                  # +-1
        f.bits(0, one, 1 << (m - 1)),                          # 1.5
        f.bits(0, one + 1, 1 << (m - 1)),                      # 3
        f.bits(0, one, 1),                                     # 1 + ulp
        f.bits(0, one - 1, (1 << m) - 1),                      # 1 - ulp/2
        f.bits(1, one - 1, 0),                                 # -0.5
        f.bits(0, one + m + 1, 0),                             # 2^(m+1)
        f.bits(0, 1, 1),
    ]


def core_specials(f):
    # The set used for all-pairs tests: every class and the boundaries.
    sp = specials(f)
    return [sp[i] for i in (0, 1, 2, 3, 4, 6, 8, 10, 11, 13, 14, 15, 17, 18, 20, 21)]


def rnd_val(rng, f):
    r = rng.random()
    if r < 0.08:
        return rng.choice(specials(f))
    m = f.mbits
    sign = rng.getrandbits(1)
    r = rng.random()
    if r < 0.25:
        efield = rng.randrange(0, f.emax_field)
    elif r < 0.6:
        efield = f.bias + rng.randrange(-8, 9)
    elif r < 0.75:
        efield = max(0, rng.randrange(-2, 4))
    elif r < 0.85:
        efield = f.emax_field - 1 - rng.randrange(0, 4)
    else:
        # Around half the exponent range: products and quotients hit
        # overflow and underflow.
        efield = rng.choice([f.bias // 2, f.bias + f.bias // 2]) + rng.randrange(-3, 4)
    r = rng.random()
    if r < 0.45:
        mant = rng.getrandbits(m)
    elif r < 0.75:
        k = rng.randrange(1, 8)
        mant = rng.getrandbits(k) << (m - k)
    elif r < 0.85:
        mant = (1 << m) - 1 - rng.getrandbits(3)
    elif r < 0.92:
        mant = rng.getrandbits(3)
    else:
        mant = 0
    return f.bits(sign, efield, mant)


def near(rng, f, a):
    """A value close to a (in exponent and bits): cancellation and ties."""
    if rng.random() < 0.5:
        d = rng.randrange(-4, 5)
        b = (a + d) & ((1 << f.width) - 1)
    else:
        de = rng.randrange(-30, 31) if f.width == 32 else rng.randrange(-60, 61)
        e = (a >> f.mbits) & f.emax_field
        e = min(max(e + de, 0), f.emax_field - 1)
        b = (a & ~(f.emax_field << f.mbits)) | (e << f.mbits)
    if rng.random() < 0.5:
        b ^= 1 << (f.width - 1)
    return b


def box(f, v):
    return v | BOX if f.width == 32 else v


INT_SPECIALS = [
    0, 1, M64, 2, 3, 0x7fffffff, 0x80000000, 0xffffffff80000000, 0xffffffff,
    0x7fffffffffffffff, 0x8000000000000000, M64 - 1, 0xffffffff00000000,
    (1 << 24) + 1, (1 << 24) + 3, (1 << 53) + 1, (1 << 53) + 3,
    (1 << 63) + (1 << 39), (1 << 63) + (1 << 40) + (1 << 39), (1 << 63) + (1 << 10),
    (1 << 62) + (1 << 9), 0x12345678, 0xfedcba9876543210, 0x1000001, 0x7fffffc0,
    0xffffffff7fffffc1,
]


def int_limits(f):
    vals = []
    for base in (0, 1, 2, 3, 0x7fffffff, 0x80000000, 0xffffffff, 1 << 32, 1 << 24, 1 << 53,
                 1 << 62, 1 << 63, 1 << 64):
        for off in (-1.0, -0.75, -0.5, -0.25, 0.0, 0.25, 0.5, 0.75, 1.0, 1.5):
            for sign in (1.0, -1.0):
                v = sign * (float(base) + off)
                vals.append(f.from_float(v))
    # Just below / above the limits: the neighbours of 2^31, 2^32, 2^63, 2^64.
    for p in (31, 32, 63, 64):
        b = f.from_float(float(1 << p))
        vals += [b - 1, b + 1, b | (1 << (f.width - 1)), (b + 1) | (1 << (f.width - 1)),
                 (b - 1) | (1 << (f.width - 1))]
    vals += specials(f)
    return sorted(set(vals))


class Gen:
    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.cases = []

    def rm_pick(self, rounding, rm=None):
        """(rm field, frm): a mix of static and dynamic rounding modes."""
        rng = self.rng
        if not rounding:
            return None, rng.randrange(0, 5)
        if rm is None:
            rm = rng.randrange(0, 5)
        if rng.random() < 0.5:
            return 7, rm
        return rm, rng.randrange(0, 5)

    def add(self, insn_fn, kinds, res, vals, rounding, rm=None):
        rmf, frm = self.rm_pick(rounding, rm)
        insn = insn_fn(rmf if rmf is not None else 0)
        self.cases.append((insn, frm, kinds, res, vals))

    def maybe_unbox(self, f, v):
        if f.width == 32 and self.rng.random() < 0.03:
            return v & 0xffffffff if self.rng.random() < 0.5 else (v | 0x5500000000000000) & ~(1 << 63)
        return box(f, v)


def build_cases(seed):
    g = Gen(seed)
    rng = g.rng
    for fi, f in ((0, S), (1, D)):
        fk = 'f' + f.name  # operand kind: fs / fd
        core = core_specials(f)

        # Binary arithmetic.
        for funct7 in (0x00, 0x04, 0x08, 0x0C):
            fn = (lambda rm, ff=funct7 | fi: enc_r(ff, RS2, rm))
            for i, a in enumerate(core):
                for j, b in enumerate(core):
                    g.add(fn, (fk, fk), fk, (box(f, a), box(f, b)), True, (i + j) % 5)
            for _ in range(260):
                a = rnd_val(rng, f)
                b = near(rng, f, a) if rng.random() < 0.35 else rnd_val(rng, f)
                g.add(fn, (fk, fk), fk, (g.maybe_unbox(f, a), g.maybe_unbox(f, b)), True)

        # Products that land at the underflow boundary: tininess after rounding.
        if f is S:
            pa, pb = S.exact(0, 18631, -80), S.exact(0, 1801, -71)
        else:
            pa, pb = D.exact(0, (1 << 27) - 1, -540), D.exact(0, (1 << 27) + 1, -536)
        for da in (-1, 0, 1):
            for db in (-1, 0, 1):
                for rm in range(5):
                    for sign in (0, 1 << (f.width - 1)):
                        g.add(lambda r, ff=0x08 | fi: enc_r(ff, RS2, r), (fk, fk), fk,
                              (box(f, (pa + da) ^ sign), box(f, pb + db)), True, rm)

        # FSQRT
        fn = (lambda rm, ff=0x2C | fi: enc_r(ff, 0, rm))
        for i, a in enumerate(specials(f)):
            for rm in (0, i % 5):
                g.add(fn, (fk,), fk, (box(f, a),), True, rm)
        for _ in range(150):
            g.add(fn, (fk,), fk, (g.maybe_unbox(f, rnd_val(rng, f) & ~(1 << (f.width - 1))),), True)

        # Fused multiply-add, all four.
        for opcode in (0x43, 0x47, 0x4B, 0x4F):
            fn = (lambda rm, op=opcode, ff=fi: enc_r4(op, ff, rm))
            sp = specials(f)
            for _ in range(80):
                vals = tuple(box(f, rng.choice(sp)) for _ in range(3))
                g.add(fn, (fk, fk, fk), fk, vals, True)
            for _ in range(260):
                a = rnd_val(rng, f)
                b = rnd_val(rng, f)
                r = rng.random()
                if r < 0.4:
                    # c close to -(a*b): heavy cancellation.
                    c = near(rng, f, a ^ (b & (1 << (f.width - 1))))
                    c = (c & ~(((1 << f.ebits) - 1) << f.mbits)) | \
                        (min(max(((a >> f.mbits) & f.emax_field) + ((b >> f.mbits) & f.emax_field)
                                 - f.bias + rng.randrange(-2, 3), 0), f.emax_field - 1) << f.mbits)
                else:
                    c = rnd_val(rng, f)
                g.add(fn, (fk, fk, fk), fk, tuple(g.maybe_unbox(f, v) for v in (a, b, c)), True)
            inf, zero, qnan = f.bits(0, f.emax_field, 0), 0, f.bits(0, f.emax_field, 1 << (f.mbits - 1))
            for vals in ((inf, zero, qnan), (zero, inf, qnan), (inf, zero, zero), (qnan, zero, inf)):
                g.add(fn, (fk, fk, fk), fk, tuple(box(f, v) for v in vals), True, 0)

        # FSGNJ, FSGNJN, FSGNJX
        for rmv in (0, 1, 2):
            fn = (lambda rm, ff=0x10 | fi, r=rmv: enc_r(ff, RS2, r))
            for _ in range(40):
                a = rng.choice(core) if rng.random() < 0.5 else rnd_val(rng, f)
                b = rng.choice(core) if rng.random() < 0.5 else rnd_val(rng, f)
                g.add(fn, (fk, fk), fk, (g.maybe_unbox(f, a), g.maybe_unbox(f, b)), False)
            if f is S:
                for a, b in ((0x3f800000, 0xffffffffbf800000), (0xffffffff3f800000, 0x3f800000),
                             (0x3f800000, 0x3f800000)):
                    g.add(fn, (fk, fk), fk, (a, b), False)

        # FMIN, FMAX, FLE, FLT, FEQ
        for funct7, rmv, res in ((0x14, 0, fk), (0x14, 1, fk),
                                 (0x50, 0, 'x'), (0x50, 1, 'x'), (0x50, 2, 'x')):
            fn = (lambda rm, ff=funct7 | fi, r=rmv: enc_r(ff, RS2, r))
            for a in core:
                for b in core:
                    if rng.random() < 0.6:
                        g.add(fn, (fk, fk), res, (box(f, a), box(f, b)), False)
            for _ in range(40):
                a = rnd_val(rng, f)
                b = near(rng, f, a) if rng.random() < 0.5 else rnd_val(rng, f)
                g.add(fn, (fk, fk), res, (g.maybe_unbox(f, a), g.maybe_unbox(f, b)), False)

        # FCVT.{W,WU,L,LU}.fmt
        lim = int_limits(f)
        for rs2 in range(4):
            fn = (lambda rm, ff=0x60 | fi, r2=rs2: enc_r(ff, r2, rm))
            for a in lim:
                for rm in range(5):
                    if rm == 0 or rng.random() < 0.3:
                        g.add(fn, (fk,), 'x', (box(f, a),), True, rm)
            for _ in range(60):
                g.add(fn, (fk,), 'x', (g.maybe_unbox(f, rnd_val(rng, f)),), True)

        # FCVT.fmt.{W,WU,L,LU}
        for rs2 in range(4):
            fn = (lambda rm, ff=0x68 | fi, r2=rs2: enc_r(ff, r2, rm))
            for a in INT_SPECIALS:
                for rm in range(5):
                    if rm == 0 or rng.random() < 0.4:
                        g.add(fn, ('x',), fk, (a,), True, rm)
            for _ in range(60):
                a = rng.getrandbits(64) >> rng.randrange(0, 64)
                if rng.random() < 0.5:
                    a = (-a) & M64
                g.add(fn, ('x',), fk, (a,), True)

        # FMV.X.{W,D}, FCLASS, FMV.{W,D}.X
        for funct7, rmv, kind, res in ((0x70, 0, fk, 'x'), (0x70, 1, fk, 'x'), (0x78, 0, 'x', fk)):
            fn = (lambda rm, ff=funct7 | fi, r=rmv: enc_r(ff, 0, r))
            for a in specials(f):
                g.add(fn, (kind,), res, (box(f, a) if kind != 'x' else a,), False)
            for _ in range(25):
                a = rnd_val(rng, f)
                if kind == 'x':
                    a = rng.getrandbits(64)
                    g.add(fn, (kind,), res, (a,), False)
                else:
                    g.add(fn, (kind,), res, (g.maybe_unbox(f, a),), False)
            if f is S and kind != 'x':
                g.add(fn, (kind,), res, (0x000000003f800000,), False)
                g.add(fn, (kind,), res, (0x7fffffff80000001,), False)

    # FCVT.S.D and FCVT.D.S
    fn = (lambda rm: enc_r(0x20, 1, rm))
    dvals = specials(D) + [D.from_float(x) for x in (1e-40, 1.5e-45, 3.4028235e38, 3.4028236e38,
                                                     3.5e38, 1.17549435e-38, 1.1754942e-38)]
    dvals += [D.exact(0, (1 << 24) + 1, -150 - 24), D.exact(0, (1 << 25) - 1, -151),
              D.exact(1, (1 << 25) - 1, -151), D.exact(0, (1 << 24) - 1, -150),
              D.exact(0, (1 << 25) - 1, 128 - 25), D.exact(0, (1 << 24) + 1, 0)]
    for a in dvals:
        for rm in range(5):
            g.add(fn, ('fd',), 'fs', (a,), True, rm)
    for _ in range(200):
        f = D
        a = rnd_val(rng, f)
        # Bias the exponent toward the single range.
        if rng.random() < 0.6:
            e = 1023 + rng.randrange(-160, 140)
            a = (a & ~(0x7ff << 52)) | (e << 52)
        g.add(fn, ('fd',), 'fs', (a,), True)
    fn = (lambda rm: enc_r(0x21, 0, rm))
    for a in specials(S):
        g.add(fn, ('fs',), 'fd', (box(S, a),), True)
    for _ in range(80):
        g.add(fn, ('fs',), 'fd', (g.maybe_unbox(S, rnd_val(rng, S)),), True)
    # Encodings QEMU rejects (or accepts): reserved rounding modes, the H/Q
    # formats, bad rs2/funct3 fields, every funct5.  Operands are 1.0.
    one = (BOX | 0x3f800000, BOX | 0x3f800000, BOX | 0x3f800000)
    oned = (0x3ff0000000000000,) * 3
    for fi, ops in ((0, one), (1, oned)):
        for funct7 in (0x00, 0x0C, 0x2C, 0x20 if fi == 0 else 0x21, 0x60, 0x68):
            rs2 = {0x00: RS2, 0x0C: RS2, 0x2C: 0, 0x20: 1, 0x21: 0, 0x60: 0, 0x68: 0}[funct7]
            kinds = ('x',) if funct7 == 0x68 else ('f',)
            for rm, frm in ((5, 0), (6, 0), (7, 5), (7, 6), (7, 7)):
                g.cases.append((enc_r(funct7 | fi, rs2, rm), frm, ('fd',) * 3, 'x' if funct7 == 0x60 else 'fd', ops))
        for opcode in (0x43, 0x4F):
            for rm, frm in ((5, 0), (7, 7)):
                g.cases.append((enc_r4(opcode, fi, rm), frm, ('fd',) * 3, 'fd', ops))
    for fmt in (2, 3):
        g.cases.append((enc_r(0x00 | fmt, RS2, 0), 0, ('fd',) * 3, 'fd', oned))
        g.cases.append((enc_r4(0x43, fmt, 0), 0, ('fd',) * 3, 'fd', oned))
    for funct5 in range(32):
        for fi in (0, 1):
            for funct3 in (0, 1, 2, 3, 7):
                for rs2 in (0, 1, 4):
                    insn = enc_r((funct5 << 2) | fi, rs2, funct3)
                    res = 'x' if funct5 in (0x14, 0x18, 0x1c) else 'fd'
                    g.cases.append((insn, 0, ('fd',) * 3, res, oned))
    # FMAs whose exact value has one bit just below the result's precision
    # (and neighbours that are exact): (1 + k ulp)(1 + j ulp) - (1 + i ulp).
    for fi, f in ((0, S), (1, D)):
        one = f.bits(0, f.bias, 0)
        for opcode in (0x43, 0x47, 0x4B, 0x4F):
            for ka, kb, kc in ((1, 1, 0), (1, 1, 2), (3, 5, 0), (3, 5, 8), (1, 3, 4), (7, 9, 16),
                               ((1 << f.mbits) - 1, 1, 0)):
                c = one + kc
                if opcode in (0x43, 0x4F):
                    c |= 1 << (f.width - 1)   # make the sum a cancellation
                for rm in range(5):
                    g.cases.append((enc_r4(opcode, fi, rm), rm, ('f' + f.name,) * 3, 'f' + f.name,
                                    (box(f, one + ka), box(f, one + kb), box(f, c))))
    return g.cases


def write_header(cases, path):
    with open(path, 'w') as out:
        out.write('/* Generated by gen-vectors.py. */\n')
        out.write('static const PhRefCase ph_cases[] = {\n')
        for insn, frm, kinds, res, vals in cases:
            v = list(vals) + [0] * (3 - len(vals))
            out.write('    { 0x%xull, 0x%xull, 0x%xull, 0x%08x, %d, %d },\n'
                      % (v[0], v[1], v[2], insn, frm, 1 if res == 'x' else 0))
        out.write('};\n')


def fmt_val(kind, v):
    if kind == 'fs' and (v >> 32) == 0xffffffff:
        return '%08x' % (v & 0xffffffff)
    return '%016x' % v


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--out', default=os.path.join(HERE, 'fpu-vectors.txt'))
    ap.add_argument('--keep', help='build directory to keep')
    ap.add_argument('--seed', type=int, default=20240601)
    args = ap.parse_args()

    cases = build_cases(args.seed)
    work = args.keep or tempfile.mkdtemp(prefix='ph-fpu-ref-')
    os.makedirs(work, exist_ok=True)
    try:
        write_header(cases, os.path.join(work, 'cases.h'))
        elf = os.path.join(work, 'fpu-ref.elf')
        ref = os.path.join(HERE, 'ref')
        subprocess.run(['riscv64-unknown-elf-gcc', '-march=rv64gc', '-mabi=lp64d',
                        '-mcmodel=medany', '-O2', '-ffreestanding', '-nostdlib', '-nostartfiles',
                        '-I', work, '-T', os.path.join(ref, 'link.ld'), '-o', elf,
                        os.path.join(ref, 'start.S'), os.path.join(ref, 'fpu-ref.c')],
                       check=True)
        proc = subprocess.run(['qemu-system-riscv64', '-M', 'spike', '-bios', 'none',
                               '-kernel', elf, '-nographic', '-monitor', 'none'],
                              stdin=subprocess.DEVNULL, capture_output=True, timeout=300)
        lines = proc.stdout.decode('ascii', 'replace').replace('\r', '').split('\n')
        try:
            end = lines.index('END')
        except ValueError:
            sys.exit('QEMU output has no END marker (rc %d): %r'
                     % (proc.returncode, proc.stderr[-500:]))
        results = lines[end - len(cases):end]
        if len(results) != len(cases):
            sys.exit('expected %d results, got %d' % (len(cases), len(results)))
        with open(args.out, 'w') as out:
            out.write('# Generated by gen-vectors.py from %s; do not edit.\n'
                      % subprocess.run(['qemu-system-riscv64', '--version'], capture_output=True,
                                       text=True).stdout.split('\n')[0])
            out.write('# insn frm a b c result fflags (see gen-vectors.py)\n')
            for (insn, frm, kinds, res, vals), line in zip(cases, results):
                rbits, flags = line.split()
                ops = [fmt_val(k, v) for k, v in zip(kinds, vals)]
                ops += ['-'] * (3 - len(ops))
                if rbits != 'i':
                    rbits = fmt_val(res, int(rbits, 16))
                out.write('%08x %d %s %s %s\n' % (insn, frm, ' '.join(ops), rbits, flags))
        print('%d vectors -> %s' % (len(cases), args.out))
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == '__main__':
    main()
