/* The RV64GC hart: life cycle, the run loop and the instruction interpreter. */
#include "cpu-int.h"

#include <inttypes.h>

/* Instructions per block at most: interrupts and exit requests are seen
 * between blocks. */
#define BLOCK_INSNS 512

PhRvCpu *ph_rv_cpu_new(const PhRvCpuConfig *config)
{
    PhRvCpu *cpu = g_new0(PhRvCpu, 1);
    cpu->p = g_new0(struct PhRvCpuPrivate, 1);
    cpu->p->bus = config->bus;
    cpu->p->hart_id = config->hart_id;
    cpu->p->get_time = config->get_time;
    cpu->p->time_opaque = config->time_opaque;
    ph_rv_cpu_reset(cpu, 0x1000);
    return cpu;
}

void ph_rv_cpu_free(PhRvCpu *cpu)
{
    if (!cpu) {
        return;
    }
    ph_rv_code_cache_free(cpu);
    g_free(cpu->p);
    g_free(cpu);
}

void ph_rv_cpu_reset(PhRvCpu *cpu, uint64_t pc)
{
    struct PhRvCpuPrivate *p = cpu->p;
    memset(cpu->x, 0, sizeof(cpu->x));
    memset(cpu->f, 0, sizeof(cpu->f));
    cpu->pc = pc & ~1ull;
    cpu->priv = PH_RV_PRV_M;
    cpu->mstatus = (2ull << 32) | (2ull << 34);
    cpu->fflags = 0;
    cpu->frm = 0;
    cpu->instret = 0;
    p->mip_sw = 0;
    p->mie = 0;
    p->medeleg = p->mideleg = 0;
    p->mtvec = p->stvec = 0;
    p->mscratch = p->sscratch = 0;
    p->mepc = p->sepc = 0;
    p->mcause = p->scause = 0;
    p->mtval = p->stval = 0;
    p->satp = 0;
    p->mcounteren = p->scounteren = p->mcountinhibit = 0;
    p->mcycle = 0;
    memset(p->pmpcfg, 0, sizeof(p->pmpcfg));
    memset(p->pmpaddr, 0, sizeof(p->pmpaddr));
    p->reservation = ~0ull;
    p->wfi = false;
    ph_rv_pmp_changed(cpu);   /* also flushes the TLB */
    ph_rv_code_cache_free(cpu);
}

void ph_rv_cpu_exit_request(PhRvCpu *cpu)
{
    atomic_store_explicit(&cpu->p->exit_request, 1, memory_order_release);
}

void ph_rv_cpu_set_irq(PhRvCpu *cpu, uint32_t mask, bool level)
{
    if (level) {
        atomic_fetch_or_explicit(&cpu->p->lines, mask, memory_order_acq_rel);
    } else {
        atomic_fetch_and_explicit(&cpu->p->lines, ~mask, memory_order_acq_rel);
    }
}

bool ph_rv_cpu_wfi_should_wake(PhRvCpu *cpu)
{
    return (ph_rv_read_mip(cpu) & cpu->p->mie) != 0;
}

static inline void account(PhRvCpu *cpu, int64_t n)
{
    struct PhRvCpuPrivate *p = cpu->p;
    if (!(p->mcountinhibit & 1)) {
        p->mcycle += (uint64_t)n;
    }
    if (!(p->mcountinhibit & 4)) {
        cpu->instret += (uint64_t)n;
    }
}

static inline int64_t sext32(uint64_t v)
{
    return (int64_t)(int32_t)(uint32_t)v;
}

static uint64_t amo_op(unsigned f5, uint64_t old, uint64_t src, bool word)
{
    if (word) {
        old = (uint64_t)sext32(old);
        src = (uint64_t)sext32(src);
    }
    switch (f5) {
    case 0x01: return src;
    case 0x00: return old + src;
    case 0x04: return old ^ src;
    case 0x0c: return old & src;
    case 0x08: return old | src;
    case 0x10: return (int64_t)old < (int64_t)src ? old : src;
    case 0x14: return (int64_t)old > (int64_t)src ? old : src;
    case 0x18: return (word ? (uint32_t)old < (uint32_t)src : old < src) ? old : src;
    default:   return (word ? (uint32_t)old > (uint32_t)src : old > src) ? old : src;
    }
}

/* LR, SC and AMOs; false when an exception was recorded. */
static __attribute__((noinline)) bool exec_amo(PhRvCpu *cpu, uint32_t insn)
{
    struct PhRvCpuPrivate *p = cpu->p;
    unsigned rd = (insn >> 7) & 31, rs1 = (insn >> 15) & 31, rs2 = (insn >> 20) & 31;
    unsigned f3 = (insn >> 12) & 7, f5 = insn >> 27;
    if (f3 != 2 && f3 != 3) {
        return ph_rv_set_exc(cpu, PH_RV_EXC_ILLEGAL, insn);
    }
    switch (f5) {
    case 0x02:
        if (rs2) {
            return ph_rv_set_exc(cpu, PH_RV_EXC_ILLEGAL, insn);
        }
        break;
    case 0x03: case 0x01: case 0x00: case 0x04: case 0x0c: case 0x08:
    case 0x10: case 0x14: case 0x18: case 0x1c:
        break;
    default:
        return ph_rv_set_exc(cpu, PH_RV_EXC_ILLEGAL, insn);
    }
    unsigned size = f3 == 2 ? 4 : 8;
    bool word = size == 4;
    uint64_t addr = cpu->x[rs1];
    bool is_lr = f5 == 0x02;
    if (addr & (size - 1)) {
        return ph_rv_set_exc(cpu, is_lr ? PH_RV_EXC_LOAD_MISALIGNED
                                        : PH_RV_EXC_STORE_MISALIGNED, addr);
    }
    if (f5 == 0x03 && p->reservation != addr) {
        /* SC without a matching reservation fails without accessing memory. */
        p->reservation = ~0ull;
        if (rd) {
            cpu->x[rd] = 1;
        }
        return true;
    }
    /* Fast path: the page is in the TLB (the write TLB for SC and AMOs,
     * whose entries imply read permission too). */
    const PhRvTlbEntry *e = &p->tlb[is_lr ? PH_RV_ACC_READ : PH_RV_ACC_WRITE]
                                   [(addr >> PH_PAGE_BITS) & (PH_RV_TLB_SIZE - 1)];
    uint8_t *host = NULL;
    uint64_t pa = 0;
    if (e->tag == (addr & ~(PH_PAGE_SIZE - 1))) {
        host = (uint8_t *)(e->addend + (uintptr_t)addr);
    } else if (!ph_rv_translate_amo(cpu, addr, is_lr, &pa)) {
        return false;
    }
    uint64_t fault = is_lr ? PH_RV_EXC_LOAD_ACCESS : PH_RV_EXC_STORE_ACCESS;
    uint64_t old = 0;
    if (host) {
        memcpy(&old, host, size);
    } else if (!ph_bus_read(p->bus, pa, size, &old)) {
        return ph_rv_set_exc(cpu, fault, addr);
    }
    uint64_t result, nv;
    if (is_lr) {
        p->reservation = addr;
        result = word ? (uint64_t)sext32(old) : old;
    } else {
        if (f5 == 0x03) {
            p->reservation = ~0ull;
            nv = cpu->x[rs2];
            result = 0;
        } else {
            nv = amo_op(f5, old, cpu->x[rs2], word);
            result = word ? (uint64_t)sext32(old) : old;
        }
        if (host) {
            memcpy(host, &nv, size);
        } else if (!ph_bus_write(p->bus, pa, size, nv)) {
            return ph_rv_set_exc(cpu, fault, addr);
        }
    }
    if (rd) {
        cpu->x[rd] = result;
    }
    return true;
}

static uint64_t exec_muldiv(unsigned f3, uint64_t a, uint64_t b)
{
    switch (f3) {
    case 0: return a * b;
    case 1: return (uint64_t)(((__int128)(int64_t)a * (__int128)(int64_t)b) >> 64);
    case 2: return (uint64_t)(((__int128)(int64_t)a * (__int128)b) >> 64);
    case 3: return (uint64_t)(((unsigned __int128)a * b) >> 64);
    case 4:
        if (b == 0) return ~0ull;
        if ((int64_t)a == INT64_MIN && (int64_t)b == -1) return a;
        return (uint64_t)((int64_t)a / (int64_t)b);
    case 5: return b == 0 ? ~0ull : a / b;
    case 6:
        if (b == 0) return a;
        if ((int64_t)a == INT64_MIN && (int64_t)b == -1) return 0;
        return (uint64_t)((int64_t)a % (int64_t)b);
    default: return b == 0 ? a : a % b;
    }
}

static uint64_t exec_muldiv_w(unsigned f3, uint64_t a64, uint64_t b64)
{
    int32_t a = (int32_t)(uint32_t)a64, b = (int32_t)(uint32_t)b64;
    uint32_t ua = (uint32_t)a64, ub = (uint32_t)b64;
    int32_t r;
    switch (f3) {
    case 0: r = (int32_t)(ua * ub); break;
    case 4:
        r = b == 0 ? -1 : (a == INT32_MIN && b == -1) ? a : a / b;
        break;
    case 5: r = (int32_t)(ub == 0 ? ~0u : ua / ub); break;
    case 6:
        r = b == 0 ? a : (a == INT32_MIN && b == -1) ? 0 : a % b;
        break;
    default: r = (int32_t)(ub == 0 ? ua : ua % ub); break;
    }
    return (uint64_t)(int64_t)r;
}

/* SYSTEM instructions other than Zicsr.  Returns false on an exception;
 * sets cpu->pc to the next instruction otherwise. */
static bool exec_system(PhRvCpu *cpu, uint32_t insn, uint64_t pc, unsigned ilen)
{
    struct PhRvCpuPrivate *p = cpu->p;
    switch (insn) {
    case 0x00000073:
        return ph_rv_set_exc(cpu, PH_RV_EXC_ECALL_U + (uint64_t)cpu->priv, 0);
    case 0x00100073:
        return ph_rv_set_exc(cpu, PH_RV_EXC_BREAKPOINT, pc);
    case 0x30200073:
        return ph_rv_mret(cpu) || ph_rv_set_exc(cpu, PH_RV_EXC_ILLEGAL, insn);
    case 0x10200073:
        return ph_rv_sret(cpu) || ph_rv_set_exc(cpu, PH_RV_EXC_ILLEGAL, insn);
    case 0x10500073:
        if (cpu->priv == PH_RV_PRV_U ||
            (cpu->priv == PH_RV_PRV_S && (cpu->mstatus & MSTATUS_TW))) {
            return ph_rv_set_exc(cpu, PH_RV_EXC_ILLEGAL, insn);
        }
        cpu->pc = pc + ilen;
        if (!ph_rv_cpu_wfi_should_wake(cpu)) {
            p->wfi = true;
        }
        return true;
    default:
        break;
    }
    if ((insn >> 25) == 0x09 && ((insn >> 7) & 0x1f) == 0) {   /* sfence.vma */
        if (cpu->priv == PH_RV_PRV_U ||
            (cpu->priv == PH_RV_PRV_S && (cpu->mstatus & MSTATUS_TVM))) {
            return ph_rv_set_exc(cpu, PH_RV_EXC_ILLEGAL, insn);
        }
        ph_rv_tlb_flush(cpu);
        cpu->pc = pc + ilen;
        return true;
    }
    return ph_rv_set_exc(cpu, PH_RV_EXC_ILLEGAL, insn);
}

#define LOAD(T, ET, addr, dst)                                                     \
    do {                                                                           \
        uint64_t va_ = (addr);                                                     \
        const PhRvTlbEntry *e_ =                                                   \
            &tlb_r[(va_ >> PH_PAGE_BITS) & (PH_RV_TLB_SIZE - 1)];                  \
        /* Tag of the last byte's page: an access that crosses into the  */ \
        /* next page cannot match and takes the slow path.               */ \
        if (PH_RV_LIKELY(e_->tag == ((va_ + sizeof(T) - 1) & ~(PH_PAGE_SIZE - 1)))) { \
            T v_;                                                                  \
            memcpy(&v_, (const void *)(e_->addend + (uintptr_t)va_), sizeof(T));   \
            dst = (uint64_t)(ET)v_;                                                \
        } else {                                                                   \
            uint64_t v_;                                                           \
            if (!ph_rv_load_slow(cpu, va_, sizeof(T), &v_)) {                      \
                goto exception;                                                    \
            }                                                                      \
            dst = (uint64_t)(ET)(T)v_;                                             \
        }                                                                          \
    } while (0)

#define STORE(T, addr, val)                                                        \
    do {                                                                           \
        uint64_t va_ = (addr);                                                     \
        const PhRvTlbEntry *e_ =                                                   \
            &tlb_w[(va_ >> PH_PAGE_BITS) & (PH_RV_TLB_SIZE - 1)];                  \
        if (PH_RV_LIKELY(e_->tag == ((va_ + sizeof(T) - 1) & ~(PH_PAGE_SIZE - 1)))) { \
            T v_ = (T)(val);                                                       \
            memcpy((void *)(e_->addend + (uintptr_t)va_), &v_, sizeof(T));         \
        } else if (!ph_rv_store_slow(cpu, va_, sizeof(T), (uint64_t)(val))) {      \
            goto exception;                                                        \
        }                                                                          \
    } while (0)

#define ILLEGAL()                                                                  \
    do {                                                                           \
        ph_rv_set_exc(cpu, PH_RV_EXC_ILLEGAL,                                      \
                      (s->raw & 3) == 3 ? s->raw : (s->raw & 0xffff));             \
        goto exception;                                                            \
    } while (0)

/* No code page cached: odd, so that no (even) pc is ever inside it. */
#define NO_PAGE 1ull

/*
 * Fetch and dispatch the next instruction.  The slot index is the page
 * offset rotated right by one: an odd offset (NO_PAGE) or one past the
 * last 4-byte-readable parcel lands above the limit and takes the slow path.
 */
#define DISPATCH()                                                                 \
    do {                                                                           \
        if (PH_RV_UNLIKELY(--left < 0)) {                                          \
            goto out;                                                              \
        }                                                                          \
        uint64_t d_ = pc - fetch_page;                                             \
        uint64_t idx_ = d_ >> 1 | d_ << 63;                                        \
        if (PH_RV_UNLIKELY(idx_ > (PH_PAGE_SIZE - 4) / 2)) {                       \
            goto slow_fetch;                                                       \
        }                                                                          \
        uint32_t w_;                                                               \
        memcpy(&w_, fetch_host + 2 * idx_, 4);                                     \
        s = &slots[idx_];                                                          \
        if (PH_RV_UNLIKELY(s->raw != w_)) {                                        \
            ph_rv_decode(s, w_);                                                   \
        }                                                                          \
        goto *labels[s->op];                                                       \
    } while (0)

#define NEXT()                                                                     \
    do {                                                                           \
        pc += s->ilen;                                                             \
        DISPATCH();                                                                \
    } while (0)

#define RD x[s->rd]
#define RS1 x[s->rs1]
#define RS2 x[s->rs2]
#define IMM ((uint64_t)(int64_t)s->imm)

#define BRANCH(cond)                                                               \
    do {                                                                           \
        if (cond) {                                                                \
            pc += IMM;                                                             \
            DISPATCH();                                                            \
        }                                                                          \
        NEXT();                                                                    \
    } while (0)

/*
 * Executes up to @limit instructions from cpu->pc; stops early after
 * instructions that change the state interrupts depend on (CSR writes,
 * xRET, WFI, traps).  Returns the number of instructions that retired.
 * Dispatch is threaded through decoded slots (see PhRvSlot).
 */
static int64_t run_block(PhRvCpu *cpu, int64_t limit)
{
#define LABEL(name) &&op_##name,
    static const void *const labels[PH_RV_OP_COUNT] = { PH_RV_FOR_EACH_OP(LABEL) };
#undef LABEL
    struct PhRvCpuPrivate *p = cpu->p;
    const PhRvTlbEntry *tlb_r = p->tlb[PH_RV_ACC_READ];
    const PhRvTlbEntry *tlb_w = p->tlb[PH_RV_ACC_WRITE];
    uint64_t *x = cpu->x;
    uint64_t pc = cpu->pc;
    uint64_t fetch_page = NO_PAGE;
    const uint8_t *fetch_host = NULL;
    PhRvSlot *slots = NULL;
    PhRvSlot *s;
    PhRvSlot tmp;
    /* Instructions left, counting the one in flight: DISPATCH decrements
     * before it executes an instruction. */
    int64_t left = limit, committed = 0;
#define RETIRED_BEFORE (limit - left - 1)

    DISPATCH();

slow_fetch: {
        const uint8_t *h;
        PhRvCodePage *c;
        if (!ph_rv_fetch_page(cpu, pc, &h, &c)) {
            goto exception;
        }
        uint64_t off = pc & (PH_PAGE_SIZE - 1);
        if (h) {
            fetch_page = pc - off;
            fetch_host = h;
            slots = c->slots;
            /* pc is always even: every write to it clears bit 0. */
            if (off <= PH_PAGE_SIZE - 4) {
                uint32_t w;
                memcpy(&w, h + off, 4);
                s = &slots[off >> 1];
                if (s->raw != w) {
                    ph_rv_decode(s, w);
                }
                goto *labels[s->op];
            }
        } else {
            fetch_page = NO_PAGE;
        }
        /* Code in MMIO, or a parcel at the very end of a page. */
        uint32_t lo, hi;
        if (h) {
            lo = (uint32_t)h[off] | (uint32_t)h[off + 1] << 8;
        } else if (!ph_rv_fetch16_slow(cpu, pc, &lo)) {
            goto exception;
        }
        if ((lo & 3) == 3) {
            if (!ph_rv_fetch16_slow(cpu, pc + 2, &hi)) {
                goto exception;
            }
            lo |= hi << 16;
        }
        ph_rv_decode(&tmp, lo);
        s = &tmp;
        goto *labels[s->op];
    }

op_DECODE:
    ph_rv_decode(s, s->raw);
    goto *labels[s->op];
op_ILLEGAL:
    ILLEGAL();
op_NOP:
    NEXT();
op_LUI:
    RD = IMM;
    NEXT();
op_AUIPC:
    RD = pc + IMM;
    NEXT();
op_JAL:
    RD = pc + s->ilen;
    pc += IMM;
    DISPATCH();
op_J:
    pc += IMM;
    DISPATCH();
op_JALR: {
        uint64_t t = (RS1 + IMM) & ~1ull;
        RD = pc + s->ilen;
        pc = t;
        DISPATCH();
    }
op_JR:
    pc = (RS1 + IMM) & ~1ull;
    DISPATCH();
op_BEQ: BRANCH(RS1 == RS2);
op_BNE: BRANCH(RS1 != RS2);
op_BLT: BRANCH((int64_t)RS1 < (int64_t)RS2);
op_BGE: BRANCH((int64_t)RS1 >= (int64_t)RS2);
op_BLTU: BRANCH(RS1 < RS2);
op_BGEU: BRANCH(RS1 >= RS2);

#define LOAD_OP(T, ET)                                                             \
    do {                                                                           \
        uint64_t v;                                                                \
        LOAD(T, ET, RS1 + IMM, v);                                                 \
        RD = v;                                                                    \
        x[0] = 0;                                                                  \
        NEXT();                                                                    \
    } while (0)
op_LB: LOAD_OP(uint8_t, int8_t);
op_LH: LOAD_OP(uint16_t, int16_t);
op_LW: LOAD_OP(uint32_t, int32_t);
op_LD: LOAD_OP(uint64_t, uint64_t);
op_LBU: LOAD_OP(uint8_t, uint8_t);
op_LHU: LOAD_OP(uint16_t, uint16_t);
op_LWU: LOAD_OP(uint32_t, uint32_t);
op_SB: STORE(uint8_t, RS1 + IMM, RS2); NEXT();
op_SH: STORE(uint16_t, RS1 + IMM, RS2); NEXT();
op_SW: STORE(uint32_t, RS1 + IMM, RS2); NEXT();
op_SD: STORE(uint64_t, RS1 + IMM, RS2); NEXT();

op_ADDI: RD = RS1 + IMM; NEXT();
op_SLTI: RD = (int64_t)RS1 < (int64_t)IMM; NEXT();
op_SLTIU: RD = RS1 < IMM; NEXT();
op_XORI: RD = RS1 ^ IMM; NEXT();
op_ORI: RD = RS1 | IMM; NEXT();
op_ANDI: RD = RS1 & IMM; NEXT();
op_SLLI: RD = RS1 << s->imm; NEXT();
op_SRLI: RD = RS1 >> s->imm; NEXT();
op_SRAI: RD = (uint64_t)((int64_t)RS1 >> s->imm); NEXT();
op_ADDIW: RD = (uint64_t)sext32(RS1 + IMM); NEXT();
op_SLLIW: RD = (uint64_t)sext32((uint32_t)RS1 << s->imm); NEXT();
op_SRLIW: RD = (uint64_t)sext32((uint32_t)RS1 >> s->imm); NEXT();
op_SRAIW: RD = (uint64_t)(int64_t)((int32_t)(uint32_t)RS1 >> s->imm); NEXT();

op_ADD: RD = RS1 + RS2; NEXT();
op_SUB: RD = RS1 - RS2; NEXT();
op_SLL: RD = RS1 << (RS2 & 63); NEXT();
op_SLT: RD = (int64_t)RS1 < (int64_t)RS2; NEXT();
op_SLTU: RD = RS1 < RS2; NEXT();
op_XOR: RD = RS1 ^ RS2; NEXT();
op_SRL: RD = RS1 >> (RS2 & 63); NEXT();
op_SRA: RD = (uint64_t)((int64_t)RS1 >> (RS2 & 63)); NEXT();
op_OR: RD = RS1 | RS2; NEXT();
op_AND: RD = RS1 & RS2; NEXT();
op_MUL: RD = RS1 * RS2; NEXT();
op_MULDIV: RD = exec_muldiv((unsigned)s->imm, RS1, RS2); NEXT();
op_ADDW: RD = (uint64_t)sext32(RS1 + RS2); NEXT();
op_SUBW: RD = (uint64_t)sext32(RS1 - RS2); NEXT();
op_SLLW: RD = (uint64_t)sext32((uint32_t)RS1 << (RS2 & 31)); NEXT();
op_SRLW: RD = (uint64_t)sext32((uint32_t)RS1 >> (RS2 & 31)); NEXT();
op_SRAW: RD = (uint64_t)(int64_t)((int32_t)(uint32_t)RS1 >> (RS2 & 31)); NEXT();
op_MULDIVW: RD = exec_muldiv_w((unsigned)s->imm, RS1, RS2); NEXT();

op_FENCE_I:
    /* Fetch verifies decoded slots against memory, so stores are already
     * visible; end the block all the same. */
    pc += s->ilen;
    goto end_block;
op_SYSTEM:
    cpu->pc = pc;
    if (!exec_system(cpu, ph_rv_slot_insn(s), pc, s->ilen)) {
        goto exception;
    }
    pc = cpu->pc;
    goto end_block;
op_CSR:
    cpu->pc = pc;
    account(cpu, RETIRED_BEFORE - committed);
    committed = RETIRED_BEFORE;
    if (!ph_rv_csr_insn(cpu, s->raw)) {
        goto exception;
    }
    pc += s->ilen;
    goto end_block;
op_AMO:
    cpu->pc = pc;
    if (!exec_amo(cpu, s->raw)) {
        goto exception;
    }
    NEXT();
op_FLW:
op_FLD: {
        if (!(cpu->mstatus & PH_RV_MSTATUS_FS)) {
            ILLEGAL();
        }
        uint64_t v;
        if (s->op == PH_RV_OP_FLW) {
            LOAD(uint32_t, uint32_t, RS1 + IMM, v);
            v |= 0xffffffff00000000ull;
        } else {
            LOAD(uint64_t, uint64_t, RS1 + IMM, v);
        }
        cpu->f[s->rd] = v;
        ph_rv_mark_fs_dirty(cpu);
        NEXT();
    }
op_FSW:
    if (!(cpu->mstatus & PH_RV_MSTATUS_FS)) {
        ILLEGAL();
    }
    STORE(uint32_t, RS1 + IMM, cpu->f[s->rs2]);
    NEXT();
op_FSD:
    if (!(cpu->mstatus & PH_RV_MSTATUS_FS)) {
        ILLEGAL();
    }
    STORE(uint64_t, RS1 + IMM, cpu->f[s->rs2]);
    NEXT();
op_FPU:
    if (!(cpu->mstatus & PH_RV_MSTATUS_FS)) {
        ILLEGAL();
    }
    cpu->pc = pc;
    if (!ph_rv_fpu_exec(cpu, s->raw)) {
        ILLEGAL();
    }
    x[0] = 0;
    NEXT();

end_block:
    /* The block-ending instruction retired. */
    left--;
out:
    cpu->pc = pc;
    account(cpu, RETIRED_BEFORE - committed);
    return RETIRED_BEFORE;

exception:
    cpu->pc = pc;
    account(cpu, RETIRED_BEFORE - committed);
    ph_rv_trap(cpu, p->exc_cause, p->exc_tval);
    return RETIRED_BEFORE;
#undef RETIRED_BEFORE
}

PhRvRunResult ph_rv_cpu_run(PhRvCpu *cpu, int64_t max_insns)
{
    struct PhRvCpuPrivate *p = cpu->p;
    if (atomic_exchange_explicit(&p->exit_request, 0, memory_order_acq_rel)) {
        return PH_RV_RUN_EXIT;
    }
    if (p->wfi) {
        if (!ph_rv_cpu_wfi_should_wake(cpu)) {
            return PH_RV_RUN_WFI;
        }
        p->wfi = false;
    }
    int64_t left = max_insns;
    while (left > 0) {
        if (atomic_load_explicit(&p->exit_request, memory_order_relaxed)) {
            atomic_store_explicit(&p->exit_request, 0, memory_order_relaxed);
            return PH_RV_RUN_EXIT;
        }
        uint64_t irq = ph_rv_pending_interrupt(cpu);
        if (irq) {
            ph_rv_trap(cpu, irq, 0);
        }
        int64_t n = run_block(cpu, left < BLOCK_INSNS ? left : BLOCK_INSNS);
        left -= n > 0 ? n : 1;
        if (p->wfi) {
            return PH_RV_RUN_WFI;
        }
    }
    return PH_RV_RUN_BUDGET;
}

static const char *const int_names[32] = {
    "x0/zero", "x1/ra", "x2/sp", "x3/gp", "x4/tp", "x5/t0", "x6/t1", "x7/t2",
    "x8/s0", "x9/s1", "x10/a0", "x11/a1", "x12/a2", "x13/a3", "x14/a4", "x15/a5",
    "x16/a6", "x17/a7", "x18/s2", "x19/s3", "x20/s4", "x21/s5", "x22/s6", "x23/s7",
    "x24/s8", "x25/s9", "x26/s10", "x27/s11", "x28/t3", "x29/t4", "x30/t5", "x31/t6",
};

static const char *const fp_names[32] = {
    "f0/ft0", "f1/ft1", "f2/ft2", "f3/ft3", "f4/ft4", "f5/ft5", "f6/ft6", "f7/ft7",
    "f8/fs0", "f9/fs1", "f10/fa0", "f11/fa1", "f12/fa2", "f13/fa3", "f14/fa4", "f15/fa5",
    "f16/fa6", "f17/fa7", "f18/fs2", "f19/fs3", "f20/fs4", "f21/fs5", "f22/fs6", "f23/fs7",
    "f24/fs8", "f25/fs9", "f26/fs10", "f27/fs11", "f28/ft8", "f29/ft9", "f30/ft10", "f31/ft11",
};

void ph_rv_cpu_dump_registers(PhRvCpu *cpu, GString *out)
{
    struct PhRvCpuPrivate *p = cpu->p;
    const struct {
        const char *name;
        uint64_t value;
    } csrs[] = {
        { "mhartid", p->hart_id },
        { "mstatus", cpu->mstatus },
        { "mip", ph_rv_read_mip(cpu) },
        { "mie", p->mie },
        { "mideleg", p->mideleg },
        { "medeleg", p->medeleg },
        { "mtvec", p->mtvec },
        { "stvec", p->stvec },
        { "mepc", p->mepc },
        { "sepc", p->sepc },
        { "mcause", p->mcause },
        { "scause", p->scause },
        { "mtval", p->mtval },
        { "stval", p->stval },
        { "mscratch", p->mscratch },
        { "sscratch", p->sscratch },
        { "satp", p->satp },
    };
    g_string_append_printf(out, " %s %016" PRIx64 "\n", "pc      ", cpu->pc);
    for (unsigned i = 0; i < G_N_ELEMENTS(csrs); i++) {
        g_string_append_printf(out, " %-8s %016" PRIx64 "\n", csrs[i].name, csrs[i].value);
    }
    for (unsigned i = 0; i < 32; i++) {
        g_string_append_printf(out, " %-8s %016" PRIx64, int_names[i], cpu->x[i]);
        if ((i & 3) == 3) {
            g_string_append_c(out, '\n');
        }
    }
    for (unsigned i = 0; i < 32; i++) {
        g_string_append_printf(out, " %-8s %016" PRIx64, fp_names[i], cpu->f[i]);
        if ((i & 3) == 3) {
            g_string_append_c(out, '\n');
        }
    }
}
