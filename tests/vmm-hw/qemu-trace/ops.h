/* The register sequences of the QEMU trace test: run on QEMU 7.2's virt board (expected.txt) and on ours. */
#pragma once

#include <stdint.h>

/*
 * 'r': a read whose value (or access fault) must match QEMU's; 'x': a read
 * where we knowingly differ (the comment above it says why); 'w': a write.
 */
typedef struct QemuTraceOp {
    char op;
    uint8_t size;
    uint64_t addr;
    uint64_t val;
} QemuTraceOp;

#define U 0x10000000ull
#define P 0xc000000ull
#define C 0x2000000ull
#define R 0x101000ull
#define V(i) (0x10001000ull + 0x1000ull * (i))
#define RD(a, s) { 'r', s, a, 0 }
#define XR(a, s) { 'x', s, a, 0 }
#define WR(a, s, v) { 'w', s, a, v }

/* QEMU: -M virt -global virtio-mmio.force-legacy=false
 *       -device virtio-keyboard-device -device virtio-tablet-device
 * (the keyboard lands in slot 7, the tablet in slot 6). */
static const QemuTraceOp qemu_trace_ops[] = {
    /* UART reset values */
    RD(U+0,1), RD(U+1,1), RD(U+2,1), RD(U+3,1), RD(U+4,1), RD(U+5,1), RD(U+6,1), RD(U+7,1),
    RD(U+0,4), RD(U+5,4), RD(U+13,1),
    /* THRE via IER */
    WR(U+1,1,0x02), RD(U+2,1), RD(U+2,1), WR(U+1,1,0x02), RD(U+2,1), WR(U+1,1,0), WR(U+1,1,2), RD(U+2,1),
    WR(U+1,1,0),
    /* loopback receive, no FIFO */
    WR(U+4,1,0x10), WR(U+0,1,0x41), RD(U+5,1), WR(U+1,1,0x0f), RD(U+2,1), RD(U+0,1), RD(U+2,1), RD(U+2,1), RD(U+5,1),
    /* FIFO */
    WR(U+2,1,0x01), RD(U+2,1), RD(U+2,1), WR(U+0,1,0x42), WR(U+0,1,0x43), RD(U+5,1), RD(U+2,1), RD(U+0,1), RD(U+0,1), RD(U+5,1), RD(U+2,1),
    WR(U+2,1,0xc1), RD(U+2,1),
    WR(U+2,1,0x07), RD(U+2,1), RD(U+5,1),
    /* 17 bytes into the FIFO in loopback */
    WR(U+0,1,1),WR(U+0,1,2),WR(U+0,1,3),WR(U+0,1,4),WR(U+0,1,5),WR(U+0,1,6),WR(U+0,1,7),WR(U+0,1,8),
    WR(U+0,1,9),WR(U+0,1,10),WR(U+0,1,11),WR(U+0,1,12),WR(U+0,1,13),WR(U+0,1,14),WR(U+0,1,15),WR(U+0,1,16),WR(U+0,1,17),
    RD(U+5,1), RD(U+2,1), RD(U+0,1), RD(U+5,1),
    WR(U+2,1,0x03), RD(U+5,1),
    RD(U+6,1), WR(U+4,1,0x1f), RD(U+6,1), WR(U+4,1,0x08), RD(U+6,1), RD(U+6,1), RD(U+4,1),
    /* DLAB */
    WR(U+3,1,0x80), RD(U+0,1), RD(U+1,1), WR(U+0,1,0x34), WR(U+1,1,0x12), RD(U+0,1), RD(U+1,1), WR(U+3,1,0x03), RD(U+1,1), RD(U+3,1),
    WR(U+7,1,0xa5), RD(U+7,1), WR(U+1,1,0), WR(U+2,1,0),
    /* PLIC registers */
    RD(P+4*10,4), WR(P+4*10,4,0xff), RD(P+4*10,4), WR(P+4*10,4,9), RD(P+4*10,4), WR(P+0,4,3), RD(P+0,4),
    WR(P+4*95,4,1), RD(P+4*95,4), WR(P+4*96,4,1), RD(P+4*96,4),
    WR(P+0x2080,4,0xffffffff), RD(P+0x2080,4), WR(P+0x2088,4,0xffffffff), RD(P+0x2088,4), WR(P+0x208c,4,0xffffffff), RD(P+0x208c,4),
    WR(P+0x2000,4,0xffffffff), RD(P+0x2000,4), WR(P+0x2000,4,0), WR(P+0x2080,4,0), WR(P+0x2088,4,0),
    WR(P+0x201000,4,3), RD(P+0x201000,4), WR(P+0x201000,4,8), RD(P+0x201000,4), WR(P+0x201000,4,0),
    RD(P+0x201004,4), RD(P+0x1000,4), WR(P+0x1000,4,0xffffffff), RD(P+0x1000,4),
    /* UART interrupt through the PLIC (S context) */
    WR(P+4*10,4,1), WR(P+0x2080,4,1u<<10), WR(U+4,1,0x10), WR(U+1,1,0x01), WR(U+0,1,0x55),
    RD(P+0x1000,4), RD(P+0x201004,4), RD(P+0x1000,4), RD(P+0x201004,4), RD(U+0,1), WR(P+0x201004,4,10), RD(P+0x1000,4),
    /* Completing while the line is still high: level-triggered here, so
     * pending again at once; QEMU 7.2 waits for the device to re-raise. */
    WR(U+0,1,0x56), RD(P+0x201004,4), WR(P+0x201004,4,10), XR(P+0x1000,4), XR(P+0x201004,4), RD(U+0,1), WR(P+0x201004,4,10),
    RD(P+0x1000,4), RD(P+0x201004,4),
    /* complete from the wrong context */
    WR(U+0,1,0x57), RD(P+0x201004,4), RD(U+0,1), WR(P+0x200004,4,10), RD(P+0x1000,4), WR(U+0,1,0x58), RD(P+0x1000,4), RD(P+0x201004,4),
    WR(P+0x201004,4,10), XR(P+0x1000,4), XR(P+0x201004,4), RD(U+0,1), WR(P+0x201004,4,10), RD(P+0x1000,4),
    WR(U+1,1,0), WR(U+4,1,0x08), WR(P+0x2080,4,0),
    /* CLINT */
    RD(C+0,4), WR(C+0,4,1), RD(C+0,4), WR(C+0,4,2), RD(C+0,4), WR(C+0,4,0),
    WR(C+0x4000,4,0x11223344), WR(C+0x4004,4,0x55667788), RD(C+0x4000,8), RD(C+0x4000,4), RD(C+0x4004,4),
    WR(C+0x4000,8,0xffffffffffffffffull), RD(C+0x4000,8), RD(C+0x4008,4), RD(C+0x4,4),
    /* RTC */
    RD(R+0x10,4), RD(R+0x18,4), WR(R+0x0c,4,0x7fffffff), WR(R+0x08,4,0), RD(R+0x18,4), RD(R+0x08,4), RD(R+0x0c,4),
    WR(R+0x14,4,1), RD(R+0x18,4), WR(R+0x10,4,3), RD(R+0x10,4), WR(R+0x10,4,0), RD(R+0x20,4),
    /* virtio: empty slot 0, device slots 7 (keyboard?) and 6 */
    RD(V(0)+0,4), RD(V(0)+4,4), RD(V(0)+8,4), RD(V(0)+0xc,4), RD(V(0)+0x34,4), RD(V(0)+0x70,4), RD(V(0)+0x100,4),
    RD(V(7)+0,4), RD(V(7)+4,4), RD(V(7)+8,4), RD(V(7)+0xc,4),
    /* Features: QEMU also offers EVENT_IDX and RING_RESET (not here), and
     * answers selector 2 with selector 1's word. */
    WR(V(7)+0x14,4,0), XR(V(7)+0x10,4), WR(V(7)+0x14,4,1), XR(V(7)+0x10,4), WR(V(7)+0x14,4,2), XR(V(7)+0x10,4),
    WR(V(7)+0x30,4,0), RD(V(7)+0x34,4), RD(V(7)+0x38,4), RD(V(7)+0x44,4), WR(V(7)+0x30,4,1), RD(V(7)+0x34,4), WR(V(7)+0x30,4,2), RD(V(7)+0x34,4),
    RD(V(7)+0x60,4), RD(V(7)+0x70,4), RD(V(7)+0xfc,4), RD(V(7)+0xb0,4), RD(V(7)+0xb4,4),
    WR(V(7)+0x70,4,1), WR(V(7)+0x70,4,3), WR(V(7)+0x70,4,11), RD(V(7)+0x70,4),
    WR(V(7)+0x70,4,0), WR(V(7)+0x70,4,3), WR(V(7)+0x24,4,1), WR(V(7)+0x20,4,1), WR(V(7)+0x70,4,11), RD(V(7)+0x70,4),
    WR(V(7)+0x30,4,0), WR(V(7)+0x38,4,64), RD(V(7)+0x38,4), WR(V(7)+0x80,4,0x80100000), RD(V(7)+0x80,4), RD(V(7)+0x90,4),
    WR(V(7)+0x70,4,0), RD(V(7)+0x38,4), RD(V(7)+0x80,4),
    /* config space */
    WR(V(7)+0x100,1,1), WR(V(7)+0x101,1,0), RD(V(7)+0x102,1), RD(V(7)+0x108,4), RD(V(7)+0x10c,4), RD(V(7)+0x110,4), RD(V(7)+0x114,4), RD(V(7)+0x118,4), RD(V(7)+0x11c,4),
    RD(V(7)+0x100,4),
    WR(V(7)+0x100,1,3), RD(V(7)+0x102,1), RD(V(7)+0x108,4), RD(V(7)+0x10c,4),
    WR(V(7)+0x100,1,0x11), WR(V(7)+0x101,1,1), RD(V(7)+0x102,1),
    RD(V(7)+0x108,4), RD(V(7)+0x10c,4), RD(V(7)+0x110,4), RD(V(7)+0x114,4), RD(V(7)+0x118,4), RD(V(7)+0x11c,4), RD(V(7)+0x120,4), RD(V(7)+0x124,4),
    RD(V(7)+0x128,4), RD(V(7)+0x12c,4), RD(V(7)+0x130,4), RD(V(7)+0x134,4), RD(V(7)+0x138,4), RD(V(7)+0x13c,4), RD(V(7)+0x140,4), RD(V(7)+0x144,4),
    WR(V(7)+0x101,1,0x11), RD(V(7)+0x102,1), RD(V(7)+0x108,4),
    WR(V(7)+0x101,1,0x14), RD(V(7)+0x102,1), RD(V(7)+0x108,4),
    WR(V(7)+0x101,1,0x02), RD(V(7)+0x102,1), WR(V(7)+0x101,1,0x03), RD(V(7)+0x102,1),
    WR(V(7)+0x100,1,0x10), WR(V(7)+0x101,1,0), RD(V(7)+0x102,1),
    WR(V(7)+0x100,1,0x7f), RD(V(7)+0x102,1), RD(V(7)+0x100,4),
    WR(V(7)+0x102,1,0x55), RD(V(7)+0x102,1),
    RD(V(6)+8,4),
    WR(V(6)+0x100,1,1), WR(V(6)+0x101,1,0), RD(V(6)+0x102,1), RD(V(6)+0x108,4),
    WR(V(6)+0x100,1,0x11), WR(V(6)+0x101,1,1), RD(V(6)+0x102,1), RD(V(6)+0x128,4), RD(V(6)+0x12c,4), RD(V(6)+0x130,4),
    WR(V(6)+0x101,1,2), RD(V(6)+0x102,1), RD(V(6)+0x108,4),
    WR(V(6)+0x101,1,3), RD(V(6)+0x102,1), RD(V(6)+0x108,4),
    WR(V(6)+0x100,1,0x12), WR(V(6)+0x101,1,0), RD(V(6)+0x102,1), RD(V(6)+0x108,4), RD(V(6)+0x10c,4), RD(V(6)+0x110,4), RD(V(6)+0x114,4), RD(V(6)+0x118,4),
    WR(V(6)+0x100,1,0x03), WR(V(6)+0x101,1,0), RD(V(6)+0x102,1), RD(V(6)+0x108,4), RD(V(6)+0x10c,4),
    /* Whole config answers, byte by byte */
    WR(V(7)+0x100,1,0x11), WR(V(7)+0x101,1,1), RD(V(7)+0x102,1),
RD(V(7)+0x108,1), RD(V(7)+0x109,1), RD(V(7)+0x10a,1), RD(V(7)+0x10b,1), RD(V(7)+0x10c,1), RD(V(7)+0x10d,1), RD(V(7)+0x10e,1), RD(V(7)+0x10f,1), RD(V(7)+0x110,1), RD(V(7)+0x111,1), RD(V(7)+0x112,1), RD(V(7)+0x113,1), RD(V(7)+0x114,1), RD(V(7)+0x115,1), RD(V(7)+0x116,1), RD(V(7)+0x117,1), RD(V(7)+0x118,1), RD(V(7)+0x119,1), RD(V(7)+0x11a,1), RD(V(7)+0x11b,1), RD(V(7)+0x11c,1), RD(V(7)+0x11d,1), RD(V(7)+0x11e,1), RD(V(7)+0x11f,1), RD(V(7)+0x120,1), RD(V(7)+0x121,1), RD(V(7)+0x122,1), RD(V(7)+0x123,1), RD(V(7)+0x124,1), RD(V(7)+0x125,1), RD(V(7)+0x126,1), RD(V(7)+0x127,1), RD(V(7)+0x128,1), RD(V(7)+0x129,1), RD(V(7)+0x12a,1), RD(V(7)+0x12b,1), RD(V(7)+0x12c,1), RD(V(7)+0x12d,1), RD(V(7)+0x12e,1), RD(V(7)+0x12f,1), 
    WR(V(6)+0x100,1,0x11), WR(V(6)+0x101,1,1), RD(V(6)+0x102,1),
RD(V(6)+0x108,1), RD(V(6)+0x109,1), RD(V(6)+0x10a,1), RD(V(6)+0x10b,1), RD(V(6)+0x10c,1), RD(V(6)+0x10d,1), RD(V(6)+0x10e,1), RD(V(6)+0x10f,1), RD(V(6)+0x110,1), RD(V(6)+0x111,1), RD(V(6)+0x112,1), RD(V(6)+0x113,1), RD(V(6)+0x114,1), RD(V(6)+0x115,1), RD(V(6)+0x116,1), RD(V(6)+0x117,1), RD(V(6)+0x118,1), RD(V(6)+0x119,1), RD(V(6)+0x11a,1), RD(V(6)+0x11b,1), RD(V(6)+0x11c,1), RD(V(6)+0x11d,1), RD(V(6)+0x11e,1), RD(V(6)+0x11f,1), RD(V(6)+0x120,1), RD(V(6)+0x121,1), RD(V(6)+0x122,1), RD(V(6)+0x123,1), RD(V(6)+0x124,1), RD(V(6)+0x125,1), RD(V(6)+0x126,1), RD(V(6)+0x127,1), RD(V(6)+0x128,1), RD(V(6)+0x129,1), RD(V(6)+0x12a,1), RD(V(6)+0x12b,1), RD(V(6)+0x12c,1), RD(V(6)+0x12d,1), RD(V(6)+0x12e,1), RD(V(6)+0x12f,1), RD(V(6)+0x130,1), RD(V(6)+0x131,1), RD(V(6)+0x132,1), RD(V(6)+0x133,1), RD(V(6)+0x134,1), RD(V(6)+0x135,1), RD(V(6)+0x136,1), RD(V(6)+0x137,1), 
    WR(V(6)+0x100,1,0x11), WR(V(6)+0x101,1,2), RD(V(6)+0x102,1), RD(V(6)+0x108,1), RD(V(6)+0x109,1),
    WR(V(7)+0x100,1,0x11), WR(V(7)+0x101,1,0x11), RD(V(7)+0x102,1), RD(V(7)+0x108,4), WR(V(7)+0x101,1,0x14), RD(V(7)+0x102,1), RD(V(7)+0x108,4),
};

#define QEMU_TRACE_N_OPS (sizeof(qemu_trace_ops) / sizeof(qemu_trace_ops[0]))
