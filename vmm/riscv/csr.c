/* The hart's control and status registers, traps, interrupts and xRET. */
#include "cpu-int.h"

#define MIP_S_BITS (PH_RV_MIP_SSIP | PH_RV_MIP_STIP | PH_RV_MIP_SEIP)
#define MIE_BITS (MIP_S_BITS | PH_RV_MIP_MSIP | PH_RV_MIP_MTIP | PH_RV_MIP_MEIP)
/* Exceptions that medeleg can delegate (not ecall from M, nor reserved). */
#define DELEGABLE_EXCPS 0xb3ffull

#define MSTATUS_WRITABLE (MSTATUS_SIE | MSTATUS_MIE | MSTATUS_SPIE | MSTATUS_MPIE | \
                          MSTATUS_SPP | MSTATUS_MPP | PH_RV_MSTATUS_FS |           \
                          MSTATUS_MPRV | MSTATUS_SUM | MSTATUS_MXR | MSTATUS_TVM | \
                          MSTATUS_TW | MSTATUS_TSR)
#define SSTATUS_READ (MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP | PH_RV_MSTATUS_FS | \
                      MSTATUS_SUM | MSTATUS_MXR | MSTATUS_UXL | PH_RV_MSTATUS_SD)
#define SSTATUS_WRITABLE (MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP |              \
                          PH_RV_MSTATUS_FS | MSTATUS_SUM | MSTATUS_MXR)

#define MISA_VALUE ((2ull << 62) | (1u << 0) | (1u << 2) | (1u << 3) | (1u << 5) | \
                    (1u << 8) | (1u << 12) | (1u << 18) | (1u << 20))

uint64_t ph_rv_read_mip(PhRvCpu *cpu)
{
    uint32_t lines = atomic_load_explicit(&cpu->p->lines, memory_order_acquire);
    return cpu->p->mip_sw | lines;
}

static void set_priv(PhRvCpu *cpu, PhRvPriv priv)
{
    if (cpu->priv != priv) {
        cpu->priv = priv;
        /* TLB entries carry the permission checks of one privilege. */
        ph_rv_tlb_flush(cpu);
    }
}

static void write_mstatus(PhRvCpu *cpu, uint64_t val, uint64_t mask)
{
    uint64_t old = cpu->mstatus;
    uint64_t v = (old & ~mask) | (val & mask);
    if (((v & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT) == 2) {
        /* MPP is WARL: the reserved value 2 leaves the field unchanged. */
        v = (v & ~MSTATUS_MPP) | (old & MSTATUS_MPP);
    }
    v |= (2ull << 32) | (2ull << 34);     /* UXL = SXL = 64 */
    v &= ~PH_RV_MSTATUS_SD;
    if ((v & PH_RV_MSTATUS_FS) == PH_RV_MSTATUS_FS) {
        v |= PH_RV_MSTATUS_SD;
    }
    cpu->mstatus = v;
    if ((old ^ v) & (MSTATUS_MPRV | MSTATUS_SUM | MSTATUS_MXR | MSTATUS_MPP)) {
        ph_rv_tlb_flush(cpu);
    }
}

/* Counter CSRs from S and U are gated by mcounteren and scounteren. */
static bool counter_allowed(PhRvCpu *cpu, unsigned csr)
{
    uint64_t bit = 1ull << (csr & 31);
    if (cpu->priv == PH_RV_PRV_M) {
        return true;
    }
    if (!(cpu->p->mcounteren & bit)) {
        return false;
    }
    return cpu->priv == PH_RV_PRV_S || (cpu->p->scounteren & bit);
}

static bool fs_on(PhRvCpu *cpu)
{
    return (cpu->mstatus & PH_RV_MSTATUS_FS) != 0;
}

static bool csr_read(PhRvCpu *cpu, unsigned csr, uint64_t *val)
{
    struct PhRvCpuPrivate *p = cpu->p;
    switch (csr) {
    case 0x001: if (!fs_on(cpu)) return false; *val = cpu->fflags & 0x1f; return true;
    case 0x002: if (!fs_on(cpu)) return false; *val = cpu->frm & 7; return true;
    case 0x003:
        if (!fs_on(cpu)) return false;
        *val = (cpu->fflags & 0x1f) | (cpu->frm & 7) << 5;
        return true;
    case 0xc00:
        if (!counter_allowed(cpu, csr)) return false;
        *val = p->mcycle;
        return true;
    case 0xc01:
        if (!p->get_time || !counter_allowed(cpu, csr)) return false;
        *val = p->get_time(p->time_opaque);
        return true;
    case 0xc02:
        if (!counter_allowed(cpu, csr)) return false;
        *val = cpu->instret;
        return true;
    case 0x100: *val = cpu->mstatus & SSTATUS_READ; return true;
    case 0x104: *val = p->mie & p->mideleg; return true;
    case 0x105: *val = p->stvec; return true;
    case 0x106: *val = p->scounteren; return true;
    case 0x10a: *val = 0; return true;   /* senvcfg */
    case 0x140: *val = p->sscratch; return true;
    case 0x141: *val = p->sepc; return true;
    case 0x142: *val = p->scause; return true;
    case 0x143: *val = p->stval; return true;
    case 0x144: *val = ph_rv_read_mip(cpu) & p->mideleg; return true;
    case 0x180:
        if (cpu->priv == PH_RV_PRV_S && (cpu->mstatus & MSTATUS_TVM)) return false;
        *val = p->satp;
        return true;
    case 0xf11: case 0xf12: case 0xf13: case 0xf15: *val = 0; return true;
    case 0xf14: *val = p->hart_id; return true;
    case 0x300: *val = cpu->mstatus; return true;
    case 0x301: *val = MISA_VALUE; return true;
    case 0x302: *val = p->medeleg; return true;
    case 0x303: *val = p->mideleg; return true;
    case 0x304: *val = p->mie; return true;
    case 0x305: *val = p->mtvec; return true;
    case 0x306: *val = p->mcounteren; return true;
    case 0x30a: *val = 0; return true;   /* menvcfg */
    case 0x320: *val = p->mcountinhibit; return true;
    case 0x340: *val = p->mscratch; return true;
    case 0x341: *val = p->mepc; return true;
    case 0x342: *val = p->mcause; return true;
    case 0x343: *val = p->mtval; return true;
    case 0x344: *val = ph_rv_read_mip(cpu); return true;
    case 0x3a0: case 0x3a2: {
        unsigned base = csr == 0x3a0 ? 0 : 8;
        uint64_t v = 0;
        for (unsigned i = 0; i < 8; i++) {
            v |= (uint64_t)p->pmpcfg[base + i] << (8 * i);
        }
        *val = v;
        return true;
    }
    case 0xb00: *val = p->mcycle; return true;
    case 0xb02: *val = cpu->instret; return true;
    /* No triggers: tselect reads 0 and tdata1 type 0 ("none here"). */
    case 0x7a0: case 0x7a1: case 0x7a2: case 0x7a3: *val = 0; return true;
    default:
        break;
    }
    if (csr >= 0x3b0 && csr < 0x3b0 + PH_RV_PMP_COUNT) {
        *val = p->pmpaddr[csr - 0x3b0];
        return true;
    }
    if ((csr >= 0xb03 && csr <= 0xb1f) || (csr >= 0x323 && csr <= 0x33f)) {
        *val = 0;
        return true;
    }
    if (csr >= 0xc03 && csr <= 0xc1f) {
        *val = 0;
        return counter_allowed(cpu, csr);
    }
    return false;
}

static void write_pmpcfg(PhRvCpu *cpu, unsigned i, uint8_t v)
{
    struct PhRvCpuPrivate *p = cpu->p;
    if (p->pmpcfg[i] & 0x80) {
        return;   /* locked until reset */
    }
    v &= 0x9f;
    if ((v & 3) == 2) {
        v &= (uint8_t)~2;   /* R=0 W=1 is reserved */
    }
    p->pmpcfg[i] = v;
}

static bool pmpaddr_locked(PhRvCpu *cpu, unsigned i)
{
    struct PhRvCpuPrivate *p = cpu->p;
    if (p->pmpcfg[i] & 0x80) {
        return true;
    }
    /* A locked TOR entry also locks the address below it. */
    return i + 1 < PH_RV_PMP_COUNT && (p->pmpcfg[i + 1] & 0x80) &&
           ((p->pmpcfg[i + 1] >> 3) & 3) == 1;
}

static bool csr_write(PhRvCpu *cpu, unsigned csr, uint64_t val)
{
    struct PhRvCpuPrivate *p = cpu->p;
    switch (csr) {
    case 0x001: cpu->fflags = val & 0x1f; ph_rv_mark_fs_dirty(cpu); return true;
    case 0x002: cpu->frm = val & 7; ph_rv_mark_fs_dirty(cpu); return true;
    case 0x003:
        cpu->fflags = val & 0x1f;
        cpu->frm = (val >> 5) & 7;
        ph_rv_mark_fs_dirty(cpu);
        return true;
    case 0x100: write_mstatus(cpu, val, SSTATUS_WRITABLE); return true;
    case 0x104: {
        uint64_t m = p->mideleg & MIP_S_BITS;
        p->mie = (p->mie & ~m) | (val & m);
        return true;
    }
    case 0x105: if ((val & 3) < 2) p->stvec = val; return true;
    case 0x106: p->scounteren = val & 0xffffffffu; return true;
    case 0x10a: return true;
    case 0x140: p->sscratch = val; return true;
    case 0x141: p->sepc = val & ~1ull; return true;
    case 0x142: p->scause = val; return true;
    case 0x143: p->stval = val; return true;
    case 0x144: {
        uint64_t m = p->mideleg & PH_RV_MIP_SSIP;
        p->mip_sw = (p->mip_sw & ~m) | (val & m);
        return true;
    }
    case 0x180: {
        if (cpu->priv == PH_RV_PRV_S && (cpu->mstatus & MSTATUS_TVM)) return false;
        uint64_t mode = val >> 60;
        if (mode == 0 || mode == 8 || mode == 9) {
            p->satp = val & ((0xfull << 60) | (0xffffull << 44) | ((1ull << 44) - 1));
            ph_rv_tlb_flush(cpu);
        }
        return true;
    }
    case 0x300: write_mstatus(cpu, val, MSTATUS_WRITABLE); return true;
    case 0x301: return true;
    case 0x302: p->medeleg = val & DELEGABLE_EXCPS; return true;
    case 0x303: p->mideleg = val & MIP_S_BITS; return true;
    case 0x304: p->mie = val & MIE_BITS; return true;
    case 0x305: if ((val & 3) < 2) p->mtvec = val; return true;
    case 0x306: p->mcounteren = val & 0xffffffffu; return true;
    case 0x30a: return true;
    case 0x320: p->mcountinhibit = val & 0xfffffffdu; return true;
    case 0x340: p->mscratch = val; return true;
    case 0x341: p->mepc = val & ~1ull; return true;
    case 0x342: p->mcause = val; return true;
    case 0x343: p->mtval = val; return true;
    case 0x344: p->mip_sw = (p->mip_sw & ~MIP_S_BITS) | (val & MIP_S_BITS); return true;
    case 0x3a0: case 0x3a2: {
        unsigned base = csr == 0x3a0 ? 0 : 8;
        for (unsigned i = 0; i < 8; i++) {
            write_pmpcfg(cpu, base + i, (uint8_t)(val >> (8 * i)));
        }
        ph_rv_pmp_changed(cpu);
        return true;
    }
    /* "The write is done instead of the increment" (Zicsr): the run loop
     * counts this CSR instruction after it returns, so store one less and
     * the next instruction reads exactly what was written. */
    case 0xb00: p->mcycle = val - (p->mcountinhibit & 1 ? 0 : 1); return true;
    case 0xb02: cpu->instret = val - (p->mcountinhibit & 4 ? 0 : 1); return true;
    case 0x7a0: case 0x7a1: case 0x7a2: case 0x7a3: return true;
    default:
        break;
    }
    if (csr >= 0x3b0 && csr < 0x3b0 + PH_RV_PMP_COUNT) {
        unsigned i = csr - 0x3b0;
        if (!pmpaddr_locked(cpu, i)) {
            p->pmpaddr[i] = val & ((1ull << 54) - 1);
            ph_rv_pmp_changed(cpu);
        }
        return true;
    }
    if ((csr >= 0xb03 && csr <= 0xb1f) || (csr >= 0x323 && csr <= 0x33f)) {
        return true;
    }
    return false;
}

bool ph_rv_csr_insn(PhRvCpu *cpu, uint32_t insn)
{
    unsigned csr = insn >> 20;
    unsigned rd = (insn >> 7) & 31;
    unsigned rs1 = (insn >> 15) & 31;
    unsigned f3 = (insn >> 12) & 7;
    bool write = (f3 & 3) == 1 || rs1 != 0;

    if (((csr >> 8) & 3) > (unsigned)cpu->priv || (write && (csr >> 10) == 3)) {
        return ph_rv_set_exc(cpu, PH_RV_EXC_ILLEGAL, insn);
    }
    uint64_t old;
    if (!csr_read(cpu, csr, &old)) {
        return ph_rv_set_exc(cpu, PH_RV_EXC_ILLEGAL, insn);
    }
    if (write) {
        uint64_t src = (f3 & 4) ? rs1 : cpu->x[rs1];
        uint64_t base = old;
        if (csr == 0x344) {
            /* Read-modify-write of mip sees the software-written SEIP. */
            base = (old & ~(uint64_t)PH_RV_MIP_SEIP) |
                   (cpu->p->mip_sw & PH_RV_MIP_SEIP);
        }
        uint64_t nv = (f3 & 3) == 1 ? src : (f3 & 3) == 2 ? base | src : base & ~src;
        if (!csr_write(cpu, csr, nv)) {
            return ph_rv_set_exc(cpu, PH_RV_EXC_ILLEGAL, insn);
        }
    }
    if (rd) {
        cpu->x[rd] = old;
    }
    return true;
}

void ph_rv_trap(PhRvCpu *cpu, uint64_t cause, uint64_t tval)
{
    struct PhRvCpuPrivate *p = cpu->p;
    bool irq = (cause & PH_RV_CAUSE_INTERRUPT) != 0;
    unsigned code = (unsigned)(cause & 63);
    uint64_t deleg = irq ? p->mideleg : p->medeleg;
    p->reservation = ~0ull;

    if (cpu->priv <= PH_RV_PRV_S && ((deleg >> code) & 1)) {
        p->scause = cause;
        p->sepc = cpu->pc;
        p->stval = tval;
        uint64_t s = cpu->mstatus & ~(MSTATUS_SPIE | MSTATUS_SIE | MSTATUS_SPP);
        if (cpu->mstatus & MSTATUS_SIE) {
            s |= MSTATUS_SPIE;
        }
        if (cpu->priv == PH_RV_PRV_S) {
            s |= MSTATUS_SPP;
        }
        cpu->mstatus = s;
        cpu->pc = (p->stvec & ~3ull) + (irq && (p->stvec & 3) == 1 ? 4ull * code : 0);
        set_priv(cpu, PH_RV_PRV_S);
    } else {
        p->mcause = cause;
        p->mepc = cpu->pc;
        p->mtval = tval;
        uint64_t s = cpu->mstatus & ~(MSTATUS_MPIE | MSTATUS_MIE | MSTATUS_MPP);
        if (cpu->mstatus & MSTATUS_MIE) {
            s |= MSTATUS_MPIE;
        }
        s |= (uint64_t)cpu->priv << MSTATUS_MPP_SHIFT;
        if (((cpu->mstatus ^ s) & MSTATUS_MPP) && (s & MSTATUS_MPRV)) {
            ph_rv_tlb_flush(cpu);
        }
        cpu->mstatus = s;
        cpu->pc = (p->mtvec & ~3ull) + (irq && (p->mtvec & 3) == 1 ? 4ull * code : 0);
        set_priv(cpu, PH_RV_PRV_M);
    }
}

uint64_t ph_rv_pending_interrupt(PhRvCpu *cpu)
{
    struct PhRvCpuPrivate *p = cpu->p;
    uint64_t pending = ph_rv_read_mip(cpu) & p->mie;
    if (!pending) {
        return 0;
    }
    static const unsigned order[] = { 11, 3, 7, 9, 1, 5 };
    uint64_t m = pending & ~p->mideleg;
    uint64_t s = pending & p->mideleg;
    bool m_on = cpu->priv < PH_RV_PRV_M || (cpu->mstatus & MSTATUS_MIE);
    bool s_on = cpu->priv < PH_RV_PRV_S ||
                (cpu->priv == PH_RV_PRV_S && (cpu->mstatus & MSTATUS_SIE));
    uint64_t take = m_on && m ? m : s_on && s ? s : 0;
    if (!take) {
        return 0;
    }
    for (unsigned i = 0; i < G_N_ELEMENTS(order); i++) {
        if (take & (1ull << order[i])) {
            return PH_RV_CAUSE_INTERRUPT | order[i];
        }
    }
    return 0;
}

bool ph_rv_mret(PhRvCpu *cpu)
{
    if (cpu->priv != PH_RV_PRV_M) {
        return false;
    }
    uint64_t s = cpu->mstatus;
    PhRvPriv prev = (PhRvPriv)((s & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT);
    s &= ~(MSTATUS_MIE | MSTATUS_MPP);
    if (s & MSTATUS_MPIE) {
        s |= MSTATUS_MIE;
    }
    s |= MSTATUS_MPIE;
    if (prev != PH_RV_PRV_M) {
        s &= ~MSTATUS_MPRV;
    }
    cpu->mstatus = s;
    cpu->pc = cpu->p->mepc;
    cpu->p->reservation = ~0ull;
    ph_rv_tlb_flush(cpu);
    set_priv(cpu, prev);
    return true;
}

bool ph_rv_sret(PhRvCpu *cpu)
{
    if (cpu->priv == PH_RV_PRV_U ||
        (cpu->priv == PH_RV_PRV_S && (cpu->mstatus & MSTATUS_TSR))) {
        return false;
    }
    uint64_t s = cpu->mstatus;
    PhRvPriv prev = (s & MSTATUS_SPP) ? PH_RV_PRV_S : PH_RV_PRV_U;
    s &= ~(MSTATUS_SIE | MSTATUS_SPP | MSTATUS_MPRV);
    if (s & MSTATUS_SPIE) {
        s |= MSTATUS_SIE;
    }
    s |= MSTATUS_SPIE;
    cpu->mstatus = s;
    cpu->pc = cpu->p->sepc;
    cpu->p->reservation = ~0ull;
    ph_rv_tlb_flush(cpu);
    set_priv(cpu, prev);
    return true;
}
