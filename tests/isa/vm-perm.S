/* Sv39 permission modifiers: SUM for S access to U pages, MXR for loads from execute-only pages, MPRV for M loads/stores. */
#include "ph-isa.h"
#include "ph-isa-vm.h"

#define VA(i) (0x40000000 + 0x1000 * (i))
#define PF(n, cause, va, ...) \
    li gp, n; PH_SET_RESUME(19993f); __VA_ARGS__; j ph_fail; 19993: \
    PH_CHECK_MCAUSE(cause); PH_CHECK_MTVAL(va)

PH_ISA_BEGIN
    PH_SET_PTE_PA(root, 2, 0x80000000, PTE_RWXAD)
    PH_SET_PTR(root, 1, l1)
    PH_SET_PTR(l1, 0, l0)
    PH_SET_PTE(l0, 0, page0, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D)            /* S data */
    PH_SET_PTE(l0, 1, page1, PTE_V | PTE_R | PTE_W | PTE_U | PTE_A | PTE_D)    /* U data */
    PH_SET_PTE(l0, 2, page0, PTE_V | PTE_X | PTE_A)                            /* S execute-only */
    PH_SET_PTE(l0, 3, page1, PTE_V | PTE_X | PTE_U | PTE_A)                    /* U execute-only */
    PH_SET_PTE(l0, 4, upage, PTE_V | PTE_R | PTE_X | PTE_U | PTE_A)            /* U code */
    PH_SET_SATP(SATP_SV39, root)
    li t0, PH_MSTATUS_SUM | PH_MSTATUS_MXR
    csrc mstatus, t0
    PH_GOTO_S(s_code)
s_code:
    PF(1, PH_CAUSE_LOAD_PAGE, VA(1), li a1, VA(1); ld a0, 0(a1))
    PH_TEST(2)                      /* SUM = 1: S may load and store U pages */
    li t0, PH_MSTATUS_SUM
    csrs sstatus, t0
    li a1, VA(1)
    ld a0, 0(a1)
    PH_CHECK(a0, 0x2222222222222222)
    li a2, 0x77
    sd a2, 8(a1)
    ld a0, 8(a1)
    PH_CHECK(a0, 0x77)
    PF(3, PH_CAUSE_FETCH_PAGE, VA(4), li a1, VA(4); jalr ra, 0(a1))   /* SUM never allows fetching U code */
    PH_TEST(4)
    li t0, PH_MSTATUS_SUM
    csrc sstatus, t0
    PF(4, PH_CAUSE_STORE_PAGE, VA(1) + 8, li a1, VA(1) + 8; sd a0, 0(a1))
    PF(5, PH_CAUSE_LOAD_PAGE, VA(2), li a1, VA(2); ld a0, 0(a1))     /* execute-only, MXR = 0 */
    PH_TEST(6)                      /* MXR = 1: loads from execute-only pages work, stores do not */
    li t0, PH_MSTATUS_MXR
    csrs sstatus, t0
    li a1, VA(2)
    ld a0, 0(a1)
    PH_CHECK(a0, 0x1111111111111111)
    PF(7, PH_CAUSE_STORE_PAGE, VA(2), li a1, VA(2); sd a0, 0(a1))
    PF(8, PH_CAUSE_LOAD_PAGE, VA(3), li a1, VA(3); ld a0, 0(a1))     /* MXR does not lift the U check */
    PH_TEST(9)                      /* MXR and SUM together: a U execute-only page is readable */
    li t0, PH_MSTATUS_SUM
    csrs sstatus, t0
    li a1, VA(3)
    ld a0, 0(a1)
    PH_CHECK(a0, 0x2222222222222222)
    li t0, PH_MSTATUS_SUM | PH_MSTATUS_MXR
    csrc sstatus, t0
    PH_TO_M
    PH_TEST(10)                     /* M ignores satp ... */
    la a1, page0
    ld a0, 0(a1)
    PH_CHECK(a0, 0x1111111111111111)
    PH_TEST(11)                     /* ... unless MPRV = 1: then loads/stores translate as MPP */
    li t0, PH_MSTATUS_MPP
    csrc mstatus, t0
    li t0, (1 << 11) | PH_MSTATUS_MPRV      /* MPP = S */
    csrs mstatus, t0
    li a1, VA(0)
    ld a0, 0(a1)
    li t0, PH_MSTATUS_MPRV
    csrc mstatus, t0
    PH_CHECK(a0, 0x1111111111111111)
    PH_TEST(12)                     /* MPRV with MPP = U: a non-U page faults; the fault is taken to M */
    li t0, PH_MSTATUS_MPP
    csrc mstatus, t0                /* MPP = U */
    PH_SET_RESUME(1f)
    li t0, PH_MSTATUS_MPRV
    csrs mstatus, t0
    li a1, VA(0)
    ld a0, 0(a1)
    j ph_fail
1:  /* the trap set MPP = M (the mode that trapped): MPRV no longer translates */
    li t0, PH_MSTATUS_MPRV
    csrc mstatus, t0
    PH_CHECK_MCAUSE(PH_CAUSE_LOAD_PAGE)
    PH_CHECK_MTVAL(VA(0))
    PH_TEST(13)                     /* MPRV with MPP = U on a U page works, fetches stay untranslated */
    li t0, PH_MSTATUS_MPP
    csrc mstatus, t0
    li t0, PH_MSTATUS_MPRV
    csrs mstatus, t0
    li a1, VA(1)
    ld a0, 0(a1)
    csrc mstatus, t0
    PH_CHECK(a0, 0x2222222222222222)
    PH_TEST(14)                     /* MPRV with MPP = S and SUM: U page readable from M */
    li t0, (1 << 11) | PH_MSTATUS_SUM
    csrs mstatus, t0
    li t0, PH_MSTATUS_MPRV
    csrs mstatus, t0
    li a1, VA(1)
    ld a0, 0(a1)
    csrc mstatus, t0
    PH_CHECK(a0, 0x2222222222222222)
    li t0, PH_MSTATUS_SUM | PH_MSTATUS_MPP
    csrc mstatus, t0
    csrw satp, zero
    sfence.vma
PH_ISA_PASS

    .text
    .align 12
upage:
    li a0, 1
    ecall

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
