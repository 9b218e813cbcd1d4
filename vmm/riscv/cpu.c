/* The RV64GC hart: life cycle, the run loop and the instruction interpreter. */
#include "cpu-int.h"

#include <inttypes.h>

/* Instructions per block at most: interrupts and exit requests are seen
 * between blocks. */
#define BLOCK_INSNS 512

static int64_t run_block(PhRvCpu *cpu, int64_t limit);

PhRvCpu *ph_rv_cpu_new(const PhRvCpuConfig *config)
{
    PhRvCpu *cpu = g_new0(PhRvCpu, 1);
    cpu->p = g_new0(struct PhRvCpuPrivate, 1);
    cpu->p->bus = config->bus;
    cpu->p->hart_id = config->hart_id;
    cpu->p->get_time = config->get_time;
    cpu->p->time_opaque = config->time_opaque;
    ph_rv_cpu_reset(cpu, 0x1000);
    /* Runs nothing, but records the DECODE label that code pages need. */
    run_block(cpu, 0);
    return cpu;
}

void ph_rv_cpu_free(PhRvCpu *cpu)
{
    if (!cpu) {
        return;
    }
    ph_rv_code_cache_free(cpu);
    g_free(cpu->p->no_code);
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

static void note_pa_write(PhRvCpu *cpu, uint64_t pa, uint64_t len);

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
        } else {
            note_pa_write(cpu, pa, size);
        }
    }
    if (rd) {
        cpu->x[rd] = result;
    }
    return true;
}

static inline __attribute__((always_inline))
uint64_t exec_muldiv(unsigned f3, uint64_t a, uint64_t b)
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

static inline __attribute__((always_inline))
uint64_t exec_muldiv_w(unsigned f3, uint64_t a64, uint64_t b64)
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

void ph_rv_cpu_flush_code(PhRvCpu *cpu)
{
    /* Pages from older generations are cleared before they run again. */
    atomic_fetch_add_explicit(&cpu->p->code_gen, 1, memory_order_acq_rel);
}

/* Guest physical bytes [pa, pa + len), inside one page, were written
 * without the TLB: drop decoded code there. */
static void note_pa_write(PhRvCpu *cpu, uint64_t pa, uint64_t len)
{
    struct PhRvCpuPrivate *p = cpu->p;
    if (!p->code_armed) {
        return;
    }
    uint64_t page = pa & ~(PH_PAGE_SIZE - 1);
    const uint8_t *host = ph_bus_ram_ptr(p->bus, page, PH_PAGE_SIZE);
    PhRvCodePage *c = host ? ph_rv_code_page_lookup(cpu, host) : NULL;
    if (c && c->armed) {
        ph_rv_code_written(cpu, c, pa - page, len);
    }
}

/* After ph_rv_store_slow() wrote [va, va + len) (inside one page): drop
 * decoded code there, and keep a write-TLB entry it filled for an armed
 * page off the fast path (see PhRvSlot). */
static void note_store(PhRvCpu *cpu, uint64_t va, uint64_t len)
{
    struct PhRvCpuPrivate *p = cpu->p;
    uint64_t page = va & ~(PH_PAGE_SIZE - 1);
    PhRvTlbEntry *e = &p->tlb[PH_RV_ACC_WRITE][(va >> PH_PAGE_BITS) & (PH_RV_TLB_SIZE - 1)];
    if ((e->tag & ~PH_RV_TLB_CODE) == page) {
        const uint8_t *host = (const uint8_t *)(e->addend + (uintptr_t)page);
        PhRvCodePage *c = ph_rv_code_page_lookup(cpu, host);
        if (c && c->armed) {
            ph_rv_code_written(cpu, c, va - page, len);
            e->tag = page | PH_RV_TLB_CODE;
        }
        return;
    }
    /* Not through host memory: a device, or RAM the TLB may not cache
     * (dirty-logged, partly covered by PMP).  Find the physical page. */
    uint64_t pa;
    if (ph_rv_data_priv(cpu) == PH_RV_PRV_M || (p->satp >> 60) == 0) {
        pa = va;
    } else if (cpu->priv == PH_RV_PRV_M || !ph_rv_cpu_debug_translate(cpu, va, &pa)) {
        /* MPRV, or no mapping left: cannot tell, so forget all code. */
        ph_rv_cpu_flush_code(cpu);
        return;
    }
    note_pa_write(cpu, pa, len);
}

/*
 * A store the fast path did not take.  Stores to pages holding decoded code
 * come here (their write-TLB entries are marked), write through the marked
 * entry and invalidate the slots they overlap.  False when an exception was
 * recorded.
 */
static __attribute__((noinline)) bool store_slow(PhRvCpu *cpu, uint64_t va, unsigned size,
                                                 uint64_t val)
{
    struct PhRvCpuPrivate *p = cpu->p;
    PhRvTlbEntry *e = &p->tlb[PH_RV_ACC_WRITE][(va >> PH_PAGE_BITS) & (PH_RV_TLB_SIZE - 1)];
    uint64_t page = va & ~(PH_PAGE_SIZE - 1);
    uint64_t off = va - page;
    if (e->tag == (page | PH_RV_TLB_CODE) && off + size <= PH_PAGE_SIZE) {
        uint8_t *host = (uint8_t *)(e->addend + (uintptr_t)page);
        memcpy(host + off, &val, size);   /* little-endian host */
        PhRvCodePage *c = ph_rv_code_page_lookup(cpu, host);
        if (c) {
            ph_rv_code_written(cpu, c, off, size);
        }
        return true;
    }
    bool ok = ph_rv_store_slow(cpu, va, size, val);
    bool split = off + size > PH_PAGE_SIZE;
    /* A faulting store wrote nothing, except the first half of a split one
     * whose second half failed on the bus. */
    if (p->code_armed && (ok || split)) {
        if (!split) {
            note_store(cpu, va, size);
        } else {
            note_store(cpu, va, PH_PAGE_SIZE - off);
            note_store(cpu, page + PH_PAGE_SIZE, off + size - PH_PAGE_SIZE);
        }
    }
    return ok;
}

#define LOAD(T, ET, addr, dst)                                                     \
    do {                                                                           \
        uint64_t va_ = (addr);                                                     \
        const PhRvTlbEntry *e_ = &p->tlb[PH_RV_ACC_READ]                           \
                                        [(va_ >> PH_PAGE_BITS) & (PH_RV_TLB_SIZE - 1)]; \
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

/* The slow path may have dropped all decoded code (including this page's):
 * then the block ends after the store. */
#define STORE(T, addr, val)                                                        \
    do {                                                                           \
        uint64_t va_ = (addr);                                                     \
        const PhRvTlbEntry *e_ = &p->tlb[PH_RV_ACC_WRITE]                          \
                                        [(va_ >> PH_PAGE_BITS) & (PH_RV_TLB_SIZE - 1)]; \
        if (PH_RV_LIKELY(e_->tag == ((va_ + sizeof(T) - 1) & ~(PH_PAGE_SIZE - 1)))) { \
            T v_ = (T)(val);                                                       \
            memcpy((void *)(e_->addend + (uintptr_t)va_), &v_, sizeof(T));         \
        } else {                                                                   \
            if (!store_slow(cpu, va_, sizeof(T), (uint64_t)(T)(val))) {            \
                goto exception;                                                    \
            }                                                                      \
            if (PH_RV_UNLIKELY(atomic_load_explicit(&p->code_gen,                  \
                                                    memory_order_relaxed) != cur_gen)) { \
                pc += s->ilen;                                                     \
                goto end_block;                                                    \
            }                                                                      \
        }                                                                          \
    } while (0)

#define ILLEGAL() goto illegal

/* Jumps to the handler of slot @s_. */
#define GO(s_) goto *(s_)->handler

/* Counts the instruction about to run and runs slot s. */
#define DISPATCH()                                                                 \
    do {                                                                           \
        if (PH_RV_UNLIKELY(--left < 0)) {                                          \
            goto out;                                                              \
        }                                                                          \
        GO(s);                                                                     \
    } while (0)

/* The next sequential instruction (ILEN is that of the handler being
 * compiled): slots are per 2-byte parcel, so the next slot is ILEN / 2 on.
 * The slot past a page's end is never decoded and leads to the next page. */
#define NEXT()                                                                     \
    do {                                                                           \
        pc += ILEN;                                                                \
        s += ILEN / 2;                                                             \
        DISPATCH();                                                                \
    } while (0)

/* A handler's label for the instruction length being compiled. */
#define PH_RV_CAT2(a, b) a##b
#define PH_RV_CAT(a, b) PH_RV_CAT2(a, b)
#define LBL(name) PH_RV_CAT(op_##name##_, ILEN)

/* To a new pc: straight to its slot when it is in the current page. */
#define JUMP()                                                                     \
    do {                                                                           \
        uint64_t d_ = pc - fetch_page;                                             \
        if (PH_RV_UNLIKELY(--left < 0)) {                                          \
            goto out;                                                              \
        }                                                                          \
        if (PH_RV_LIKELY(d_ < PH_PAGE_SIZE)) {                                     \
            s = &slots[d_ >> 1];                                                   \
            GO(s);                                                                 \
        }                                                                          \
        goto slow_fetch;                                                           \
    } while (0)

#define RD x[s->rd]
#define RS1 x[s->rs1]
#define RS2 x[s->rs2]
#define IMM ((uint64_t)(int64_t)s->imm)

#define BRANCH(cond)                                                               \
    do {                                                                           \
        if (cond) {                                                                \
            pc += IMM;                                                             \
            JUMP();                                                                \
        }                                                                          \
        NEXT();                                                                    \
    } while (0)

/* To pc + imm, known to be in this page: the slot is imm / 2 slots away. */
#define JUMP_LOCAL()                                                               \
    do {                                                                           \
        int64_t i_ = s->imm;                                                       \
        pc += (uint64_t)i_;                                                        \
        s = (PhRvSlot *)(void *)((char *)s + i_ * (int64_t)(sizeof(PhRvSlot) / 2)); \
        DISPATCH();                                                                \
    } while (0)

#define BRANCH_LOCAL(cond)                                                         \
    do {                                                                           \
        if (cond) {                                                                \
            JUMP_LOCAL();                                                          \
        }                                                                          \
        NEXT();                                                                    \
    } while (0)

#define LOAD_OP(T, ET)                                                             \
    do {                                                                           \
        uint64_t v;                                                                \
        LOAD(T, ET, RS1 + IMM, v);                                                 \
        RD = v;   /* rd != 0: see LOAD_X0 */                                       \
        NEXT();                                                                    \
    } while (0)

/*
 * Executes up to @limit instructions from cpu->pc; stops early after
 * instructions that change the state interrupts depend on (CSR writes,
 * xRET, WFI, traps).  Returns the number of instructions that retired.
 * Direct-threaded through decoded slots (see PhRvSlot): pc always holds
 * the address of the instruction in slot s.  Slots hold this function's
 * label addresses, so there must be exactly one copy of it.
 */
static __attribute__((noinline, noclone)) int64_t run_block(PhRvCpu *cpu, int64_t limit)
{
#define LABEL2(name) &&op_##name##_2,
#define LABEL4(name) &&op_##name##_4,
    /* [ilen / 4][op] */
    static const void *const handlers[2][PH_RV_OP_COUNT] = {
        { PH_RV_FOR_EACH_OP(LABEL2) }, { PH_RV_FOR_EACH_OP(LABEL4) },
    };
#undef LABEL2
#undef LABEL4
    struct PhRvCpuPrivate *p = cpu->p;
    /* Before any code page is made (they are made by the fetches below). */
    p->decode_handler = &&op_DECODE;
    uint64_t *x = cpu->x;
    uint64_t pc = cpu->pc;
    /* The virtual page of slots[] (page-aligned), its host bytes (NULL for
     * no_code) and its decoded page. */
    uint64_t fetch_page = 0;
    const uint8_t *fetch_host = NULL;
    PhRvCodePage *code = NULL;
    PhRvSlot *slots = NULL;
    PhRvSlot *s;
    /* One instruction decoded outside any page (code in MMIO, or one that
     * straddles two pages), followed by DECODE slots that end it. */
    PhRvSlot tmp[3];
    uint32_t tmp_word = 0;
    uint32_t cur_gen = atomic_load_explicit(&p->code_gen, memory_order_relaxed);
    /* Instructions left, counting the one in flight: dispatch decrements
     * before it executes an instruction. */
    int64_t left = limit, committed = 0;
#define RETIRED_BEFORE (limit - left - 1)

    if (--left < 0) {
        goto out;
    }

slow_fetch: {
        const uint8_t *h;
        PhRvCodePage *c;
        if (!ph_rv_fetch_page(cpu, pc, &h, &c)) {
            goto exception;
        }
        uint64_t off = pc & (PH_PAGE_SIZE - 1);
        fetch_page = pc - off;
        if (h && c) {
            if (PH_RV_UNLIKELY(c->gen != atomic_load_explicit(&p->code_gen,
                                                              memory_order_relaxed))) {
                ph_rv_code_page_sync(cpu, c);
            }
            cur_gen = c->gen;
            code = c;
            fetch_host = h;
            slots = c->slots;
            /* pc is always even: every write to it clears bit 0. */
            s = &slots[off >> 1];
            GO(s);
        }
        /* Code in MMIO or in a page the TLB may not cache. */
        uint32_t lo, hi;
        if (!ph_rv_fetch16_slow(cpu, pc, &lo)) {
            goto exception;
        }
        if ((lo & 3) == 3) {
            if (!ph_rv_fetch16_slow(cpu, pc + 2, &hi)) {
                goto exception;
            }
            lo |= hi << 16;
        }
        tmp_word = lo;
        goto run_tmp;
    }

straddle: {
        /* A 32-bit instruction in the last parcel of the page: its upper
         * half comes from the next page, so it is never cached. */
        uint32_t lo = (uint32_t)fetch_host[PH_PAGE_SIZE - 2] |
                      (uint32_t)fetch_host[PH_PAGE_SIZE - 1] << 8;
        uint32_t hi;
        if (!ph_rv_fetch16_slow(cpu, pc + 2, &hi)) {
            goto exception;
        }
        tmp_word = lo | hi << 16;
    }
run_tmp:
    if (!p->no_code) {
        p->no_code = g_new(PhRvCodePage, 1);
        ph_rv_code_page_clear(cpu, p->no_code);
    }
    tmp[1].handler = tmp[2].handler = &&op_DECODE;
    PhRvOp tmp_op = ph_rv_decode(&tmp[0], tmp_word);
    tmp[0].handler = handlers[tmp[0].ilen >> 2][tmp_op];
    fetch_host = NULL;
    code = NULL;
    /* A jump inside this "page" finds DECODE, which goes to slow_fetch. */
    slots = p->no_code->slots;
    s = &tmp[0];
    GO(s);

op_DECODE: {
        if (!fetch_host) {
            goto slow_fetch;   /* after tmp[0], or a jump inside no_code */
        }
        uint64_t idx = (uint64_t)(s - slots);
        if (idx >= PH_RV_SLOTS_PER_PAGE) {
            goto slow_fetch;   /* ran off the end of the page */
        }
        if (PH_RV_UNLIKELY(!code->armed)) {
            ph_rv_code_arm(cpu, code);
        }
        uint32_t w;
        if (idx < PH_RV_SLOTS_PER_PAGE - 1) {
            memcpy(&w, fetch_host + 2 * idx, 4);
        } else {
            w = (uint32_t)fetch_host[2 * idx] | (uint32_t)fetch_host[2 * idx + 1] << 8;
            if ((w & 3) == 3) {
                goto straddle;
            }
        }
        PhRvOp op = ph_rv_localize(ph_rv_decode(s, w), s, 2 * idx);
        s->handler = handlers[s->ilen >> 2][op];
        GO(s);
    }
illegal: {
        /* tval is the instruction's bits: slots do not keep them, but guest
         * memory still holds them (stores invalidate the slots they hit). */
        uint32_t w = tmp_word;
        if (fetch_host) {
            uint64_t off = pc - fetch_page;
            if (off <= PH_PAGE_SIZE - 4) {
                memcpy(&w, fetch_host + off, 4);
            } else {
                w = (uint32_t)fetch_host[off] | (uint32_t)fetch_host[off + 1] << 8;
            }
        }
        if ((w & 3) != 3) {
            w &= 0xffff;
        }
        ph_rv_set_exc(cpu, PH_RV_EXC_ILLEGAL, w);
        goto exception;
    }

    /* The handlers, once per instruction length: stepping to the next slot
     * and pc by a constant keeps them off a chain of dependent loads. */
#define ILEN 2
#include "interp-ops.inc"
#undef ILEN
#define ILEN 4
#include "interp-ops.inc"
#undef ILEN

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
