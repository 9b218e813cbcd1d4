/* RV64C loads and stores: C.LW C.LD C.SW C.SD C.LWSP C.LDSP C.SWSP C.SDSP C.FLD C.FSD C.FLDSP C.FSDSP, offsets to their limits. */
#include "ph-isa.h"

PH_ISA_BEGIN
    .option rvc
    PH_TEST(1)                      /* C.LW sign-extends, C.LD */
    la s0, data
    c.lw a0, 0(s0)
    PH_CHECK(a0, 0xffffffff80000001)
    c.lw a1, 124(s0)
    PH_CHECK(a1, 0x7654321)
    c.ld a2, 8(s0)
    PH_CHECK(a2, 0x0123456789abcdef)
    c.ld a3, 248(s0)
    PH_CHECK(a3, 0xfedcba9876543210)
    PH_TEST(2)                      /* C.SW, C.SD */
    la s1, buf
    li a4, 0x1111111122222222
    c.sd a4, 0(s1)
    li a5, 0x33333333
    c.sw a5, 4(s1)
    ld a0, 0(s1)
    PH_CHECK(a0, 0x3333333322222222)
    c.sd a4, 248(s1)
    ld a0, 248(s1)
    PH_CHECK(a0, 0x1111111122222222)
    c.sw a5, 124(s1)
    lwu a0, 124(s1)
    PH_CHECK(a0, 0x33333333)
    PH_TEST(3)                      /* SP-relative, any destination register */
    mv s0, sp
    la sp, data
    c.lwsp t3, 0(sp)
    PH_CHECK(t3, 0xffffffff80000001)
    c.lwsp t3, 124(sp)
    PH_CHECK(t3, 0x7654321)
    c.ldsp t4, 8(sp)
    PH_CHECK(t4, 0x0123456789abcdef)
    c.ldsp t4, 504(sp)
    PH_CHECK(t4, 0x5555aaaa5555aaaa)
    c.lwsp ra, 252(sp)              /* the upper word of the doubleword at 248 */
    PH_CHECK(ra, 0xfffffffffedcba98)
    la sp, buf
    li t3, 0x4444444455555555
    c.sdsp t3, 504(sp)
    c.swsp t3, 252(sp)
    c.swsp zero, 8(sp)
    mv sp, s0
    la s1, buf
    ld a0, 504(s1)
    PH_CHECK(a0, 0x4444444455555555)
    lwu a0, 252(s1)
    PH_CHECK(a0, 0x55555555)
    lw a0, 8(s1)
    PH_CHECK(a0, 0)
    PH_TEST(4)                      /* the FP forms move raw bits */
    la s0, data
    c.fld fa0, 8(s0)
    fmv.x.d a0, fa0
    PH_CHECK(a0, 0x0123456789abcdef)
    c.fsd fa0, 16(s1)
    ld a0, 16(s1)
    PH_CHECK(a0, 0x0123456789abcdef)
    mv s0, sp
    la sp, data
    c.fldsp fa1, 248(sp)
    la sp, buf
    c.fsdsp fa1, 496(sp)
    mv sp, s0
    ld a0, 496(s1)
    PH_CHECK(a0, 0xfedcba9876543210)
PH_ISA_PASS

    .data
    .align 4
data:
    .word 0x80000001, 0
    .dword 0x0123456789abcdef
    .fill (124 - 16) / 4, 4, 0
    .word 0x7654321                 /* at 124 */
    .fill (248 - 128) / 4, 4, 0
    .dword 0xfedcba9876543210       /* at 248 */
    .fill (504 - 256) / 4, 4, 0x5555aaaa
    .dword 0x5555aaaa5555aaaa       /* at 504 */
    .align 4
buf: .zero 512
