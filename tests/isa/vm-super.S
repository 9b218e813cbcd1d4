/* Sv39 superpages (2 MiB and 1 GiB), misaligned superpages fault, satp ignores unsupported modes, SFENCE.VMA picks up changed PTEs. */
#include "ph-isa.h"
#include "ph-isa-vm.h"

#define PF(n, cause, va, ...) \
    li gp, n; PH_SET_RESUME(19993f); __VA_ARGS__; j ph_fail; 19993: \
    PH_CHECK_MCAUSE(cause); PH_CHECK_MTVAL(va)

/* The offset of @lbl in the image, which starts on a 2 MiB (and 1 GiB) boundary. */
#define OFF(reg, lbl) la reg, lbl; li t6, 0x80000000; sub reg, reg, t6

PH_ISA_BEGIN
    PH_TEST(1)                      /* an unsupported mode leaves satp unchanged */
    csrw satp, zero
    li t0, (11 << 60) | 0x12345     /* "Sv64", not defined */
    csrw satp, t0
    csrr a0, satp
    PH_CHECK(a0, 0)
    li t0, (5 << 60) | 0x12345      /* reserved */
    csrw satp, t0
    csrr a0, satp
    PH_CHECK(a0, 0)
    PH_SET_PTE_PA(root, 2, 0x80000000, PTE_RWXAD)                   /* identity gigapage */
    PH_SET_PTE_PA(root, 3, 0x80000000, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D)  /* VA 0xc0000000 alias */
    PH_SET_PTE_PA(root, 4, 0x80200000, PTE_V | PTE_R | PTE_A)       /* misaligned gigapage */
    PH_SET_PTR(root, 1, l1)
    PH_SET_PTE_PA(l1, 0, 0x80000000, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D)    /* VA 0x40000000: 2 MiB */
    PH_SET_PTE_PA(l1, 1, 0x80001000, PTE_V | PTE_R | PTE_A)         /* VA 0x40200000: misaligned megapage */
    PH_SET_PTR(l1, 2, l0)                                           /* VA 0x40400000: 4 KiB pages */
    PH_SET_PTE(l0, 0, page0, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D)
    PH_TEST(2)                      /* a supported mode is accepted */
    PH_SET_SATP(SATP_SV39, root)
    csrr a0, satp
    srli a0, a0, 60
    PH_CHECK(a0, 8)
    PH_TEST(3)                      /* an unsupported mode written now keeps Sv39 */
    csrr a1, satp
    li t0, (11 << 60)
    csrw satp, t0
    csrr a0, satp
    PH_BNE(a0, a1)
    PH_GOTO_S(s_code)
s_code:
    PH_TEST(4)                      /* 2 MiB megapage: VA 0x40000000 + off = the image at off */
    OFF(a1, page1)
    li a2, 0x40000000
    add a2, a2, a1
    ld a0, 0(a2)
    PH_CHECK(a0, 0x2222222222222222)
    li a3, 0x5151
    sd a3, 8(a2)
    la a4, page1
    ld a0, 8(a4)
    PH_CHECK(a0, 0x5151)
    PH_TEST(5)                      /* 1 GiB gigapage alias at 0xc0000000 */
    OFF(a1, page1)
    li a2, 0xc0000000
    add a2, a2, a1
    ld a0, 8(a2)
    PH_CHECK(a0, 0x5151)
    PF(6, PH_CAUSE_LOAD_PAGE, 0x40200000, li a1, 0x40200000; ld a0, 0(a1))      /* misaligned megapage */
    PF(7, PH_CAUSE_STORE_PAGE, 0x40200010, li a1, 0x40200010; sd a0, 0(a1))
    PF(8, PH_CAUSE_LOAD_PAGE, 0x100000000, li a1, 0x100000000; ld a0, 0(a1))    /* misaligned gigapage */
    PH_TEST(9)                      /* a 4 KiB page next to the superpages */
    li a1, 0x40400000
    ld a0, 0(a1)
    PH_CHECK(a0, 0x1111111111111111)
    PH_TEST(10)                     /* SFENCE.VMA after changing a PTE: the new mapping is used */
    la a2, l0
    la a3, page1
    srli a3, a3, 12
    slli a3, a3, 10
    ori a3, a3, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D
    sd a3, 0(a2)
    sfence.vma a1, zero             /* just that address */
    ld a0, 0(a1)
    PH_CHECK(a0, 0x2222222222222222)
    PH_TEST(11)                     /* invalidate it, fence everything: now it faults */
    sd zero, 0(a2)
    sfence.vma
    PF(11, PH_CAUSE_LOAD_PAGE, 0x40400000, li a1, 0x40400000; ld a0, 0(a1))
    PH_TEST(12)                     /* map it again with an ASID-specific fence */
    sd a3, 0(a2)
    sfence.vma zero, zero
    li a1, 0x40400000
    ld a0, 0(a1)
    PH_CHECK(a0, 0x2222222222222222)
    PH_TO_M
    PH_TEST(13)                     /* bare mode again: addresses are physical */
    csrw satp, zero
    sfence.vma
    PH_GOTO_S(2f)
2:  la a1, page0
    ld a0, 0(a1)
    PH_TO_M
    PH_CHECK(a0, 0x1111111111111111)
PH_ISA_PASS

    .data
    .align 12
root: .zero 4096
l1: .zero 4096
l0: .zero 4096
page0:
    .dword 0x1111111111111111
    .zero 4096 - 8
page1:
    .dword 0x2222222222222222
    .zero 4096 - 8
