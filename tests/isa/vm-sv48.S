/* Sv48 translation: four levels, 4 KiB pages, gigapages, a 512 GiB terapage, misaligned terapage and non-canonical faults. */
#include "ph-isa.h"
#include "ph-isa-vm.h"

#define PF(n, cause, va, ...) \
    li gp, n; PH_SET_RESUME(19993f); __VA_ARGS__; j ph_fail; 19993: \
    PH_CHECK_MCAUSE(cause); PH_CHECK_MTVAL(va)

PH_ISA_BEGIN
    PH_SET_PTR(root, 0, l2)                                         /* VA 0 .. 512 GiB */
    PH_SET_PTE_PA(l2, 2, 0x80000000, PTE_RWXAD)                     /* identity gigapage */
    PH_SET_PTR(l2, 1, l1)
    PH_SET_PTR(l1, 0, l0)
    PH_SET_PTE(l0, 0, page0, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D)  /* VA 0x40000000 */
    PH_SET_PTE(l0, 1, page1, PTE_V | PTE_R | PTE_A)                  /* VA 0x40001000, read-only */
    PH_SET_PTE_PA(root, 1, 0, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D) /* VA 512 GiB: PA 0, terapage */
    PH_SET_PTE_PA(root, 2, 0x40000000, PTE_V | PTE_R | PTE_A)       /* misaligned terapage */
    PH_TEST(1)
    PH_SET_SATP(SATP_SV48, root)
    csrr a0, satp
    srli a0, a0, 60
    PH_CHECK(a0, 9)
    PH_GOTO_S(s_code)
s_code:
    PH_TEST(2)                      /* 4 KiB page four levels down */
    li a1, 0x40000000
    ld a0, 0(a1)
    PH_CHECK(a0, 0x1111111111111111)
    li a2, 0x99
    sd a2, 8(a1)
    la a3, page0
    ld a0, 8(a3)
    PH_CHECK(a0, 0x99)
    PF(3, PH_CAUSE_STORE_PAGE, 0x40001000, li a1, 0x40001000; sd a0, 0(a1))
    PH_TEST(4)                      /* the terapage: VA 512 GiB + PA */
    la a1, page1
    li a2, 0x8000000000
    add a1, a1, a2
    ld a0, 0(a1)
    PH_CHECK(a0, 0x2222222222222222)
    PF(5, PH_CAUSE_LOAD_PAGE, 0x10000000000, li a1, 0x10000000000; ld a0, 0(a1))  /* misaligned terapage */
    PF(6, PH_CAUSE_LOAD_PAGE, 0x20000000000, li a1, 0x20000000000; ld a0, 0(a1))  /* invalid root entry */
    /* bits 63..48 must equal bit 47 */
    PF(7, PH_CAUSE_LOAD_PAGE, 0x0001000040000000, li a1, 0x0001000040000000; ld a0, 0(a1))
    PF(8, PH_CAUSE_STORE_PAGE, 0x8000000040000000, li a1, 0x8000000040000000; sd a0, 0(a1))
    PF(9, PH_CAUSE_LOAD_PAGE, 0xffff800000000000, li a1, 0xffff800000000000; ld a0, 0(a1)) /* canonical, unmapped */
    PH_TEST(10)                     /* fetch through the identity gigapage works (we are running) */
    jal ra, 1f
    j 2f
1:  ret
2:  PH_TO_M
    csrw satp, zero
    sfence.vma
PH_ISA_PASS

    .data
    .align 12
root: .zero 4096
l2: .zero 4096
l1: .zero 4096
l0: .zero 4096
page0:
    .dword 0x1111111111111111
    .zero 4096 - 8
page1:
    .dword 0x2222222222222222
    .zero 4096 - 8
