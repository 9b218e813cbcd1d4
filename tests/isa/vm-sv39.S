/* Sv39 translation from S and U: 4 KiB pages, permissions, page faults 12/13/15 with stval, hardware A/D updates, non-canonical addresses. */
#include "ph-isa.h"
#include "ph-isa-vm.h"

/* VA 0x40000000 + 0x1000 * i maps through l0[i]. */
#define VA(i) (0x40000000 + 0x1000 * (i))

/* Expects @insn (in S or U) to page-fault to M with @cause and mtval = @va; continues after it. */
#define PF(n, cause, va, ...) \
    li gp, n; PH_SET_RESUME(19993f); __VA_ARGS__; j ph_fail; 19993: \
    PH_CHECK_MCAUSE(cause); PH_CHECK_MTVAL(va)

PH_ISA_BEGIN
    /* identity gigapage for the image (not U), and the test pages under VA 0x40000000 */
    PH_SET_PTE_PA(root, 2, 0x80000000, PTE_RWXAD)
    PH_SET_PTR(root, 1, l1)
    PH_SET_PTR(l1, 0, l0)
    PH_SET_PTE(l0, 0, page0, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D)
    PH_SET_PTE(l0, 1, page1, PTE_V | PTE_R | PTE_A)                 /* read-only */
    /* l0[2] stays invalid */
    PH_SET_PTE(l0, 3, xpage, PTE_V | PTE_X | PTE_A)                 /* execute-only */
    PH_SET_PTE(l0, 4, xpage, PTE_V | PTE_R | PTE_A)                 /* code, not executable */
    PH_SET_PTE(l0, 5, page2, PTE_V | PTE_R | PTE_W)                 /* A = D = 0 */
    PH_SET_PTE(l0, 6, page3, PTE_V | PTE_R | PTE_W | PTE_U | PTE_A | PTE_D)    /* user data */
    PH_SET_PTE(l0, 8, upage, PTE_V | PTE_X | PTE_U | PTE_A)         /* user code */
    PH_SET_PTE(l0, 9, page0, PTE_V | PTE_W | PTE_A | PTE_D)         /* W without R: reserved */
    PH_SET_PTE(l0, 10, page0, PTE_R | PTE_W | PTE_A | PTE_D)        /* V = 0 but the rest set */
    PH_SET_PTE(l0, 11, page2, PTE_V | PTE_R | PTE_A)                /* A = 1, D = 0, read-only */
    PH_SET_PTE(l0, 12, page2, PTE_V | PTE_R | PTE_W | PTE_A)        /* A = 1, D = 0, writable */
    PH_SET_SATP(SATP_SV39, root)
    PH_TEST(1)                      /* satp reads back */
    csrr a0, satp
    srli a0, a0, 60
    PH_CHECK(a0, 8)
    PH_GOTO_S(s_code)
s_code:
    PH_TEST(2)                      /* loads and stores through a 4 KiB page */
    li a1, VA(0)
    ld a0, 0(a1)
    PH_CHECK(a0, 0x1111111111111111)
    li a2, 0x1234
    sd a2, 8(a1)
    la a3, page0                    /* the same memory through the identity map */
    ld a0, 8(a3)
    PH_CHECK(a0, 0x1234)
    li a1, VA(1)
    ld a0, 0(a1)
    PH_CHECK(a0, 0x2222222222222222)
    PF(3, PH_CAUSE_STORE_PAGE, VA(1) + 16, li a1, VA(1) + 16; sd zero, 0(a1))
    PF(4, PH_CAUSE_LOAD_PAGE, VA(2) + 8, li a1, VA(2); ld a0, 8(a1))
    PF(5, PH_CAUSE_STORE_PAGE, VA(2), li a1, VA(2); sw zero, 0(a1))
    PF(6, PH_CAUSE_LOAD_PAGE, VA(3), li a1, VA(3); lw a0, 0(a1))   /* X only, MXR = 0 */
    PH_TEST(7)                      /* fetch from an execute-only page */
    li a1, VA(3)
    jalr ra, 0(a1)
    PH_CHECK(a0, 0x5a)
    PF(8, PH_CAUSE_FETCH_PAGE, VA(4), li a1, VA(4); jalr ra, 0(a1))
    PH_TEST(9)                      /* a fetch fault's mepc is the target */
    la t0, ph_tsave
    ld t1, PH_T_EPC(t0)
    PH_CHECK(t1, VA(4))
    PH_TEST(10)                     /* hardware sets A on a load */
    li a1, VA(5)
    ld a0, 0(a1)
    PH_CHECK(a0, 0x3333333333333333)
    PH_LOAD_PTE(l0, 5)
    andi a0, a0, PTE_A | PTE_D
    PH_CHECK(a0, PTE_A)
    PH_TEST(11)                     /* ... and D on a store */
    li a1, VA(5)
    sd zero, 16(a1)
    PH_LOAD_PTE(l0, 5)
    andi a0, a0, PTE_A | PTE_D
    PH_CHECK(a0, PTE_A | PTE_D)
    PH_TEST(12)                     /* S cannot touch a U page without SUM */
    PF(12, PH_CAUSE_LOAD_PAGE, VA(6), li a1, VA(6); ld a0, 0(a1))
    PF(13, PH_CAUSE_STORE_PAGE, VA(6), li a1, VA(6); sd a0, 0(a1))
    PF(14, PH_CAUSE_FETCH_PAGE, VA(8), li a1, VA(8); jalr ra, 0(a1))   /* nor execute U code, ever */
    PF(15, PH_CAUSE_LOAD_PAGE, VA(9), li a1, VA(9); ld a0, 0(a1))       /* W without R */
    PF(16, PH_CAUSE_STORE_PAGE, VA(9), li a1, VA(9); sd a0, 0(a1))
    PF(17, PH_CAUSE_LOAD_PAGE, VA(10), li a1, VA(10); ld a0, 0(a1))     /* V = 0 */
    PF(18, PH_CAUSE_STORE_PAGE, VA(11) + 8, li a1, VA(11) + 8; sd a0, 0(a1)) /* read-only, D = 0 */
    PH_TEST(19)                     /* a writable page with D = 0 gets D on a store */
    li a1, VA(12)
    sd zero, 24(a1)
    PH_LOAD_PTE(l0, 12)
    andi a0, a0, PTE_D
    PH_CHECK(a0, PTE_D)
    /* non-canonical addresses: bits 63..39 must all equal bit 38 */
    PF(20, PH_CAUSE_LOAD_PAGE, 0x0000008000000000, li a1, 0x0000008000000000; ld a0, 0(a1))
    PF(21, PH_CAUSE_STORE_PAGE, 0xffffff0040000000, li a1, 0xffffff0040000000; sd a0, 0(a1))
    PF(22, PH_CAUSE_LOAD_PAGE, 0x4000000000000000 + VA(0), li a1, 0x4000000000000000 + VA(0); ld a0, 0(a1))
    PH_TEST(23)                     /* a misaligned load across two pages, both mapped */
    li a1, VA(1) - 4
    ld a0, 0(a1)
    PH_CHECK(a0, 0x2222222211111111)
    PH_TO_M
    PH_TEST(24)                     /* U code on a U page, U data */
    PH_SET_RESUME_M(1f)             /* the ECALL in upage comes back here, in M */
    PH_GOTO_U(VA(8))
1:  PH_CHECK_MCAUSE(PH_CAUSE_ECALL_U)
    PH_CHECK(a0, 0x4444444444444444)
    PH_TEST(25)                     /* U cannot touch S pages */
    PH_SET_RESUME_M(1f)
    PH_GOTO_U(VA(8) + 16)           /* upage_bad: loads VA(0) */
1:  PH_CHECK_MCAUSE(PH_CAUSE_LOAD_PAGE)
    PH_CHECK_MTVAL(VA(0))
    csrw satp, zero
    sfence.vma
PH_ISA_PASS

    .text
    .align 12
xpage:                              /* mapped execute-only at VA(3), not executable at VA(4) */
    li a0, 0x5a
    ret
    .align 12
upage:                              /* runs in U at VA(8) */
    li a1, VA(6)
    ld a0, 0(a1)
    ecall
    nop
    li a1, VA(0)                    /* VA(8) + 16: touches an S page */
    ld a0, 0(a1)
    j .

    .data
    .align 12
root: .zero 4096
l1: .zero 4096
l0: .zero 4096
page0:
    .dword 0x1111111111111111, 0
    .fill 4096 - 16, 1, 0x11
page1:
    .dword 0x2222222222222222, 0x2222222222222222
    .zero 4096 - 16
page2:
    .dword 0x3333333333333333
    .zero 4096 - 8
page3:
    .dword 0x4444444444444444
    .zero 4096 - 8
