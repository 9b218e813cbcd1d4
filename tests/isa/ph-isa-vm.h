/* Page-table helpers for Porthole's ISA tests of Sv39/Sv48: PTE bits and runtime PTE stores. */
#ifndef PH_ISA_VM_H
#define PH_ISA_VM_H

#define PTE_V (1 << 0)
#define PTE_R (1 << 1)
#define PTE_W (1 << 2)
#define PTE_X (1 << 3)
#define PTE_U (1 << 4)
#define PTE_G (1 << 5)
#define PTE_A (1 << 6)
#define PTE_D (1 << 7)
#define PTE_RWXAD (PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D)

#define SATP_SV39 (8 << 60)
#define SATP_SV48 (9 << 60)

/* table[idx] = a PTE for the physical address of label @pa (link addresses are physical). */
#define PH_SET_PTE(table, idx, pa, flags) \
    la t0, pa; srli t0, t0, 12; slli t0, t0, 10; ori t0, t0, flags; la t1, table; sd t0, (idx) * 8(t1)
/* The same for a numeric physical address. */
#define PH_SET_PTE_PA(table, idx, paval, flags) \
    li t0, paval; srli t0, t0, 12; slli t0, t0, 10; ori t0, t0, flags; la t1, table; sd t0, (idx) * 8(t1)
/* A pointer to the next level. */
#define PH_SET_PTR(table, idx, next) PH_SET_PTE(table, idx, next, PTE_V)
/* satp = mode | root PPN, then a full fence. */
#define PH_SET_SATP(mode, root) \
    la t0, root; srli t0, t0, 12; li t1, mode; or t0, t0, t1; csrw satp, t0; sfence.vma
/* a0 = the PTE at table[idx]. */
#define PH_LOAD_PTE(table, idx) la t0, table; ld a0, (idx) * 8(t0)

#endif
