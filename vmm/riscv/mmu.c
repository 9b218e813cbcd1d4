/* The hart's memory side: Sv39/Sv48 page walks, PMP, the TLB and the slow access paths. */
#include "cpu-int.h"

#define PTE_V (1ull << 0)
#define PTE_R (1ull << 1)
#define PTE_W (1ull << 2)
#define PTE_X (1ull << 3)
#define PTE_U (1ull << 4)
#define PTE_A (1ull << 6)
#define PTE_D (1ull << 7)
#define PTE_PPN_MASK ((1ull << 44) - 1)

#define PMP_R 0x01
#define PMP_W 0x02
#define PMP_X 0x04
#define PMP_A_SHIFT 3
#define PMP_L 0x80

#define PAGE_MASK (~(PH_PAGE_SIZE - 1))

void ph_rv_tlb_flush(PhRvCpu *cpu)
{
    /* All-ones tags never match a page-aligned address. */
    memset(cpu->p->tlb, 0xff, sizeof(cpu->p->tlb));
}

PhRvPriv ph_rv_data_priv(PhRvCpu *cpu)
{
    if (cpu->priv == PH_RV_PRV_M && (cpu->mstatus & MSTATUS_MPRV)) {
        return (PhRvPriv)((cpu->mstatus & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT);
    }
    return cpu->priv;
}

static uint64_t page_fault_cause(PhRvAccess acc)
{
    return acc == PH_RV_ACC_EXEC ? PH_RV_EXC_FETCH_PAGE
         : acc == PH_RV_ACC_WRITE ? PH_RV_EXC_STORE_PAGE : PH_RV_EXC_LOAD_PAGE;
}

static uint64_t access_fault_cause(PhRvAccess acc)
{
    return acc == PH_RV_ACC_EXEC ? PH_RV_EXC_FETCH_ACCESS
         : acc == PH_RV_ACC_WRITE ? PH_RV_EXC_STORE_ACCESS : PH_RV_EXC_LOAD_ACCESS;
}

/* ---- PMP ---- */

/* The byte range [lo, hi) entry @i matches; false when it is off or empty. */
static bool pmp_range(PhRvCpu *cpu, unsigned i, unsigned __int128 *lo,
                      unsigned __int128 *hi)
{
    struct PhRvCpuPrivate *p = cpu->p;
    unsigned a = (p->pmpcfg[i] >> PMP_A_SHIFT) & 3;
    uint64_t addr = p->pmpaddr[i];
    switch (a) {
    case 1: /* TOR */
        *lo = i == 0 ? 0 : (unsigned __int128)p->pmpaddr[i - 1] << 2;
        *hi = (unsigned __int128)addr << 2;
        return *lo < *hi;
    case 2: /* NA4 */
        *lo = (unsigned __int128)addr << 2;
        *hi = *lo + 4;
        return true;
    case 3: { /* NAPOT */
        unsigned t = (unsigned)__builtin_ctzll(~addr);   /* addr < 2^54 */
        uint64_t base = t >= 64 ? 0 : addr & ~((1ull << t) - 1);
        *lo = (unsigned __int128)base << 2;
        *hi = *lo + ((unsigned __int128)1 << (t + 3));
        return true;
    }
    default:
        return false;
    }
}

static unsigned pmp_perms(uint8_t cfg, PhRvPriv priv)
{
    if (priv == PH_RV_PRV_M && !(cfg & PMP_L)) {
        return PMP_R | PMP_W | PMP_X;
    }
    return cfg & (PMP_R | PMP_W | PMP_X);
}

static unsigned acc_perm(PhRvAccess acc)
{
    return acc == PH_RV_ACC_EXEC ? PMP_X : acc == PH_RV_ACC_WRITE ? PMP_W : PMP_R;
}

/*
 * The permissions PMP gives [pa, pa + len) at @priv, or -1 when the range
 * only partly matches the first entry that touches it (such an access fails;
 * for a whole page it means "no single decision, do not cache").
 */
static int pmp_decision(PhRvCpu *cpu, uint64_t pa, uint64_t len, PhRvPriv priv)
{
    struct PhRvCpuPrivate *p = cpu->p;
    if (!p->pmp_active) {
        return priv == PH_RV_PRV_M ? (PMP_R | PMP_W | PMP_X) : 0;
    }
    unsigned __int128 start = pa, end = (unsigned __int128)pa + len;
    for (unsigned i = 0; i < PH_RV_PMP_COUNT; i++) {
        unsigned __int128 lo, hi;
        if (!pmp_range(cpu, i, &lo, &hi)) {
            continue;
        }
        if (start >= hi || end <= lo) {
            continue;
        }
        if (start >= lo && end <= hi) {
            return (int)pmp_perms(p->pmpcfg[i], priv);
        }
        return -1;
    }
    return priv == PH_RV_PRV_M ? (PMP_R | PMP_W | PMP_X) : 0;
}

static bool pmp_ok(PhRvCpu *cpu, uint64_t pa, unsigned len, PhRvAccess acc,
                   PhRvPriv priv)
{
    int d = pmp_decision(cpu, pa, len, priv);
    return d >= 0 && (d & acc_perm(acc));
}

void ph_rv_pmp_changed(PhRvCpu *cpu)
{
    struct PhRvCpuPrivate *p = cpu->p;
    p->pmp_active = false;
    for (unsigned i = 0; i < PH_RV_PMP_COUNT; i++) {
        if ((p->pmpcfg[i] >> PMP_A_SHIFT) & 3) {
            p->pmp_active = true;
        }
    }
    ph_rv_tlb_flush(cpu);
}

/* ---- page walk ---- */

static bool read_pte(PhRvCpu *cpu, uint64_t addr, uint64_t **host, uint64_t *pte)
{
    uint8_t *h = ph_bus_ram_ptr(cpu->p->bus, addr, 8);
    if (h && !(addr & 7)) {
        *host = (uint64_t *)h;
        *pte = __atomic_load_n(*host, __ATOMIC_ACQUIRE);
        return true;
    }
    *host = NULL;
    return ph_bus_read(cpu->p->bus, addr, 8, pte);
}

/*
 * Walks the page table for @vaddr.  Returns 0 and the physical address, or
 * the exception cause.  @debug skips permission checks and A/D updates.
 */
static uint64_t walk(PhRvCpu *cpu, uint64_t vaddr, PhRvAccess acc, PhRvPriv priv,
                     bool debug, uint64_t *pa_out)
{
    struct PhRvCpuPrivate *p = cpu->p;
    unsigned levels = (p->satp >> 60) == 9 ? 4 : 3;
    unsigned va_bits = 12 + 9 * levels;
    unsigned shift = 64 - va_bits;
    if ((uint64_t)((int64_t)(vaddr << shift) >> shift) != vaddr) {
        return page_fault_cause(acc);
    }
    bool sum = (cpu->mstatus & MSTATUS_SUM) != 0;
    bool mxr = (cpu->mstatus & MSTATUS_MXR) != 0;
    uint64_t a = (p->satp & PTE_PPN_MASK) << 12;

    for (int i = (int)levels - 1; i >= 0; i--) {
        uint64_t pte_addr = a + ((vaddr >> (12 + 9 * i)) & 511) * 8;
        for (int tries = 0;; tries++) {
            uint64_t *host, pte;
            if (!debug && !pmp_ok(cpu, pte_addr, 8, PH_RV_ACC_READ, PH_RV_PRV_S)) {
                return access_fault_cause(acc);
            }
            if (!read_pte(cpu, pte_addr, &host, &pte)) {
                return access_fault_cause(acc);
            }
            if (!(pte & PTE_V) || (!(pte & PTE_R) && (pte & PTE_W)) || (pte >> 54)) {
                return page_fault_cause(acc);
            }
            uint64_t ppn = (pte >> 10) & PTE_PPN_MASK;
            if (!(pte & (PTE_R | PTE_X))) {
                if (i == 0) {
                    return page_fault_cause(acc);
                }
                a = ppn << 12;
                break;   /* next level */
            }
            /* A leaf. */
            if (!debug) {
                if (priv == PH_RV_PRV_U && !(pte & PTE_U)) {
                    return page_fault_cause(acc);
                }
                if (priv == PH_RV_PRV_S && (pte & PTE_U) &&
                    (acc == PH_RV_ACC_EXEC || !sum)) {
                    return page_fault_cause(acc);
                }
                bool ok = acc == PH_RV_ACC_EXEC ? (pte & PTE_X) != 0
                        : acc == PH_RV_ACC_WRITE ? (pte & PTE_W) != 0
                        : (pte & PTE_R) || (mxr && (pte & PTE_X));
                if (!ok) {
                    return page_fault_cause(acc);
                }
            }
            uint64_t low_mask = (1ull << (9 * i)) - 1;
            if (ppn & low_mask) {
                return page_fault_cause(acc);   /* misaligned superpage */
            }
            uint64_t need = PTE_A | (acc == PH_RV_ACC_WRITE ? PTE_D : 0);
            if (!debug && (pte & need) != need) {
                uint64_t npte = pte | need;
                if (!pmp_ok(cpu, pte_addr, 8, PH_RV_ACC_WRITE, PH_RV_PRV_S)) {
                    return access_fault_cause(acc);
                }
                if (host) {
                    /* Another agent may have changed the PTE since we read it:
                     * update only if it is still what we checked, else redo. */
                    if (!__atomic_compare_exchange_n(host, &pte, npte, false,
                                                     __ATOMIC_ACQ_REL,
                                                     __ATOMIC_ACQUIRE)) {
                        if (tries < 16) {
                            continue;
                        }
                        return page_fault_cause(acc);
                    }
                } else if (!ph_bus_write(p->bus, pte_addr, 8, npte)) {
                    return access_fault_cause(acc);
                }
            }
            uint64_t off_mask = (1ull << (12 + 9 * i)) - 1;
            *pa_out = (ppn << 12) + (vaddr & off_mask);
            return 0;
        }
    }
    return page_fault_cause(acc);
}

/* Virtual to physical for one access (no PMP check); 0 or a cause. */
static uint64_t translate(PhRvCpu *cpu, uint64_t vaddr, PhRvAccess acc,
                          PhRvPriv priv, uint64_t *pa)
{
    if (priv == PH_RV_PRV_M || (cpu->p->satp >> 60) == 0) {
        *pa = vaddr;
        return 0;
    }
    return walk(cpu, vaddr, acc, priv, false, pa);
}

/* Translation plus PMP for [vaddr, vaddr + len) inside one page. */
static bool translate_checked(PhRvCpu *cpu, uint64_t vaddr, unsigned len,
                              PhRvAccess acc, PhRvPriv priv, uint64_t *pa)
{
    uint64_t cause = translate(cpu, vaddr, acc, priv, pa);
    if (cause) {
        return ph_rv_set_exc(cpu, cause, vaddr);
    }
    if (!pmp_ok(cpu, *pa, len, acc, priv)) {
        return ph_rv_set_exc(cpu, access_fault_cause(acc), vaddr);
    }
    return true;
}

/* Host page for a TLB entry, when the page may be accessed directly. */
static uint8_t *cacheable_page(PhRvCpu *cpu, uint64_t pa, PhRvAccess acc,
                               PhRvPriv priv)
{
    uint64_t page = pa & PAGE_MASK;
    uint8_t *host = ph_bus_page_host(cpu->p->bus, page, acc == PH_RV_ACC_WRITE);
    if (!host) {
        return NULL;
    }
    int d = pmp_decision(cpu, page, PH_PAGE_SIZE, priv);
    if (d < 0 || !(d & acc_perm(acc))) {
        return NULL;
    }
    return host;
}

static void tlb_fill(PhRvCpu *cpu, PhRvAccess acc, uint64_t vaddr, uint8_t *host_page)
{
    PhRvTlbEntry *e = &cpu->p->tlb[acc][(vaddr >> PH_PAGE_BITS) & (PH_RV_TLB_SIZE - 1)];
    e->tag = vaddr & PAGE_MASK;
    e->addend = (uintptr_t)host_page - (uintptr_t)(vaddr & PAGE_MASK);
}

/* One access that lies inside one page; fills the TLB when it may. */
static bool access_one_page(PhRvCpu *cpu, uint64_t vaddr, unsigned len,
                            PhRvAccess acc, uint8_t *buf, bool do_write)
{
    PhRvPriv priv = acc == PH_RV_ACC_EXEC ? cpu->priv : ph_rv_data_priv(cpu);
    uint64_t pa;
    if (!translate_checked(cpu, vaddr, len, acc, priv, &pa)) {
        return false;
    }
    uint8_t *host = cacheable_page(cpu, pa, acc, priv);
    if (host) {
        /* Exec entries also carry a decoded page: ph_rv_fetch_page() fills them. */
        if (acc != PH_RV_ACC_EXEC) {
            tlb_fill(cpu, acc, vaddr, host);
        }
        if (do_write) {
            memcpy(host + (pa & (PH_PAGE_SIZE - 1)), buf, len);
        } else {
            memcpy(buf, host + (pa & (PH_PAGE_SIZE - 1)), len);
        }
        return true;
    }
    bool ok;
    if (len == 1 || len == 2 || len == 4 || len == 8) {
        uint64_t v = 0;
        if (do_write) {
            memcpy(&v, buf, len);
            ok = ph_bus_write(cpu->p->bus, pa, len, v);
        } else {
            ok = ph_bus_read(cpu->p->bus, pa, len, &v);
            memcpy(buf, &v, len);
        }
    } else {
        ok = true;
        for (unsigned i = 0; i < len && ok; i++) {
            uint64_t v = buf[i];
            if (do_write) {
                ok = ph_bus_write(cpu->p->bus, pa + i, 1, v);
            } else {
                ok = ph_bus_read(cpu->p->bus, pa + i, 1, &v);
                buf[i] = (uint8_t)v;
            }
        }
    }
    if (!ok) {
        return ph_rv_set_exc(cpu, access_fault_cause(acc), vaddr);
    }
    return true;
}

/* An access that crosses into the next page: both halves are translated
 * before either is performed, so a fault leaves memory unchanged. */
static bool access_split(PhRvCpu *cpu, uint64_t vaddr, unsigned size,
                         PhRvAccess acc, uint8_t *buf, bool do_write)
{
    unsigned n1 = (unsigned)(PH_PAGE_SIZE - (vaddr & (PH_PAGE_SIZE - 1)));
    uint64_t v2 = vaddr + n1;
    PhRvPriv priv = acc == PH_RV_ACC_EXEC ? cpu->priv : ph_rv_data_priv(cpu);
    uint64_t pa;
    if (!translate_checked(cpu, vaddr, n1, acc, priv, &pa) ||
        !translate_checked(cpu, v2, size - n1, acc, priv, &pa)) {
        return false;
    }
    return access_one_page(cpu, vaddr, n1, acc, buf, do_write) &&
           access_one_page(cpu, v2, size - n1, acc, buf + n1, do_write);
}

bool ph_rv_load_slow(PhRvCpu *cpu, uint64_t vaddr, unsigned size, uint64_t *value)
{
    uint8_t buf[8] = { 0 };
    bool ok = (vaddr & (PH_PAGE_SIZE - 1)) + size > PH_PAGE_SIZE
        ? access_split(cpu, vaddr, size, PH_RV_ACC_READ, buf, false)
        : access_one_page(cpu, vaddr, size, PH_RV_ACC_READ, buf, false);
    uint64_t v = 0;
    memcpy(&v, buf, 8);
    *value = v;
    return ok;
}

bool ph_rv_store_slow(PhRvCpu *cpu, uint64_t vaddr, unsigned size, uint64_t value)
{
    uint8_t buf[8];
    memcpy(buf, &value, 8);
    return (vaddr & (PH_PAGE_SIZE - 1)) + size > PH_PAGE_SIZE
        ? access_split(cpu, vaddr, size, PH_RV_ACC_WRITE, buf, true)
        : access_one_page(cpu, vaddr, size, PH_RV_ACC_WRITE, buf, true);
}

bool ph_rv_fetch16_slow(PhRvCpu *cpu, uint64_t vaddr, uint32_t *value)
{
    uint8_t buf[2] = { 0 };
    bool ok = access_one_page(cpu, vaddr, 2, PH_RV_ACC_EXEC, buf, false);
    *value = (uint32_t)buf[0] | (uint32_t)buf[1] << 8;
    return ok;
}

bool ph_rv_fetch_page(PhRvCpu *cpu, uint64_t vaddr, const uint8_t **host,
                      PhRvCodePage **code)
{
    struct PhRvCpuPrivate *p = cpu->p;
    unsigned idx = (vaddr >> PH_PAGE_BITS) & (PH_RV_TLB_SIZE - 1);
    PhRvTlbEntry *e = &p->tlb[PH_RV_ACC_EXEC][idx];
    if (e->tag == (vaddr & PAGE_MASK) && p->tlb_code[idx]) {
        *host = (const uint8_t *)(e->addend + (uintptr_t)(vaddr & PAGE_MASK));
        *code = p->tlb_code[idx];
        return true;
    }
    PhRvPriv priv = cpu->priv;
    uint64_t pa;
    if (!translate_checked(cpu, vaddr, 2, PH_RV_ACC_EXEC, priv, &pa)) {
        return false;
    }
    uint8_t *h = cacheable_page(cpu, pa, PH_RV_ACC_EXEC, priv);
    *host = h;
    *code = NULL;
    if (h) {
        /* Look the code page up first: making room may flush the TLB. */
        PhRvCodePage *c = ph_rv_code_page(cpu, h);
        tlb_fill(cpu, PH_RV_ACC_EXEC, vaddr, h);
        p->tlb_code[idx] = c;
        *code = c;
    }
    return true;
}

bool ph_rv_translate_amo(PhRvCpu *cpu, uint64_t vaddr, bool is_lr, uint64_t *pa)
{
    return translate_checked(cpu, vaddr, 1,
                             is_lr ? PH_RV_ACC_READ : PH_RV_ACC_WRITE,
                             ph_rv_data_priv(cpu), pa) &&
           (is_lr || pmp_ok(cpu, *pa, 1, PH_RV_ACC_READ, ph_rv_data_priv(cpu)) ||
            ph_rv_set_exc(cpu, PH_RV_EXC_STORE_ACCESS, vaddr));
}

bool ph_rv_cpu_debug_translate(PhRvCpu *cpu, uint64_t vaddr, uint64_t *paddr)
{
    if (cpu->priv == PH_RV_PRV_M || (cpu->p->satp >> 60) == 0) {
        *paddr = vaddr;
        return true;
    }
    return walk(cpu, vaddr, PH_RV_ACC_READ, cpu->priv, true, paddr) == 0;
}
