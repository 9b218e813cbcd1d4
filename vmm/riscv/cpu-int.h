/* Private state of the RV64GC hart, shared by the interpreter, CSR and MMU files. */
#pragma once

#include <stdatomic.h>
#include <string.h>

#include "cpu.h"

#define PH_RV_LIKELY(x) __builtin_expect(!!(x), 1)
#define PH_RV_UNLIKELY(x) __builtin_expect(!!(x), 0)

/* mstatus bits */
#define MSTATUS_SIE (1ull << 1)
#define MSTATUS_MIE (1ull << 3)
#define MSTATUS_SPIE (1ull << 5)
#define MSTATUS_MPIE (1ull << 7)
#define MSTATUS_SPP (1ull << 8)
#define MSTATUS_MPP_SHIFT 11
#define MSTATUS_MPP (3ull << MSTATUS_MPP_SHIFT)
#define MSTATUS_MPRV (1ull << 17)
#define MSTATUS_SUM (1ull << 18)
#define MSTATUS_MXR (1ull << 19)
#define MSTATUS_TVM (1ull << 20)
#define MSTATUS_TW (1ull << 21)
#define MSTATUS_TSR (1ull << 22)
#define MSTATUS_UXL (3ull << 32)
#define MSTATUS_SXL (3ull << 34)

/* Exception causes */
enum {
    PH_RV_EXC_FETCH_MISALIGNED = 0,
    PH_RV_EXC_FETCH_ACCESS = 1,
    PH_RV_EXC_ILLEGAL = 2,
    PH_RV_EXC_BREAKPOINT = 3,
    PH_RV_EXC_LOAD_MISALIGNED = 4,
    PH_RV_EXC_LOAD_ACCESS = 5,
    PH_RV_EXC_STORE_MISALIGNED = 6,
    PH_RV_EXC_STORE_ACCESS = 7,
    PH_RV_EXC_ECALL_U = 8,
    PH_RV_EXC_ECALL_S = 9,
    PH_RV_EXC_ECALL_M = 11,
    PH_RV_EXC_FETCH_PAGE = 12,
    PH_RV_EXC_LOAD_PAGE = 13,
    PH_RV_EXC_STORE_PAGE = 15,
};

#define PH_RV_CAUSE_INTERRUPT (1ull << 63)

typedef enum {
    PH_RV_ACC_READ = 0,
    PH_RV_ACC_WRITE = 1,
    PH_RV_ACC_EXEC = 2,
} PhRvAccess;

/*
 * One direct-mapped TLB entry: @tag is the page-aligned virtual address
 * (PH_RV_TLB_INVALID when empty), and host = @addend + vaddr.  Entries exist
 * only for pages of host memory whose whole page has one PMP decision, so a
 * hit needs no further check.
 */
typedef struct PhRvTlbEntry {
    uint64_t tag;
    uintptr_t addend;
} PhRvTlbEntry;

#define PH_RV_TLB_BITS 8
#define PH_RV_TLB_SIZE (1u << PH_RV_TLB_BITS)
#define PH_RV_TLB_INVALID (~0ull)

#define PH_RV_PMP_COUNT 16

/*
 * The decode cache: one slot per 2-byte parcel of a code page, plus one
 * past the end that is never decoded (running into it means "next page").
 * @handler is the address of the interpreter's label for the operation;
 * p->decode_handler (DECODE's) means "not decoded yet", and a page is
 * invalidated by setting every handler to it.
 *
 * Coherence with guest stores, without comparing memory on every fetch: a
 * page whose slots are being filled is "armed" (ph_rv_code_arm), and no
 * write-TLB entry lets a store reach an armed page on the fast path: such
 * entries keep their addend but get bit 0 set in their tag, so the fast
 * compare misses and cpu.c's slow store path runs, which invalidates the
 * slots the bytes overlap (ph_rv_code_written).  mmu.c fills write entries
 * only in ph_rv_store_slow(), whose one caller re-marks them afterwards.
 * Writes from outside the hart (loaders, DMA) are seen after fence.i,
 * ph_rv_cpu_reset() or ph_rv_cpu_flush_code(), which bump p->code_gen; a
 * page from an older generation is cleared before it runs again.
 */
typedef struct PhRvSlot {
    const void *handler;
    /* The immediate; for ILLEGAL the bits decoded (the trap's tval), for
     * SYSTEM, CSR, AMO and FPU the 32-bit instruction. */
    int32_t imm;
    uint8_t rd, rs1, rs2;
    uint8_t ilen;     /* 2 or 4 */
} PhRvSlot;

/* Decoded operations (the interpreter's dispatch table is in this order). */
#define PH_RV_FOR_EACH_OP(X)                                                      \
    X(DECODE) X(ILLEGAL) X(NOP) X(LUI) X(AUIPC) X(JAL) X(J) X(JALR) X(JR)         \
    X(BEQ) X(BNE) X(BLT) X(BGE) X(BLTU) X(BGEU)                                   \
    X(LB) X(LH) X(LW) X(LD) X(LBU) X(LHU) X(LWU) X(SB) X(SH) X(SW) X(SD)          \
    X(ADDI) X(SLTI) X(SLTIU) X(XORI) X(ORI) X(ANDI) X(SLLI) X(SRLI) X(SRAI)       \
    X(ADDIW) X(SLLIW) X(SRLIW) X(SRAIW)                                           \
    X(ADD) X(SUB) X(SLL) X(SLT) X(SLTU) X(XOR) X(SRL) X(SRA) X(OR) X(AND)         \
    X(MUL) X(ADDW) X(SUBW) X(SLLW) X(SRLW) X(SRAW)                                \
    X(FENCE_I) X(SYSTEM) X(CSR) X(AMO) X(FLW) X(FLD) X(FSW) X(FSD) X(FPU)         \
    X(LI) X(MV) X(BEQZ) X(BNEZ) X(LOAD_X0)                                        \
    X(J_L) X(JAL_L) X(BEQ_L) X(BNE_L) X(BLT_L) X(BGE_L) X(BLTU_L) X(BGEU_L)       \
    X(BEQZ_L) X(BNEZ_L)                                                           \
    X(MULH) X(MULHSU) X(MULHU) X(DIV) X(DIVU) X(REM) X(REMU)                      \
    X(MULW) X(DIVW) X(DIVUW) X(REMW) X(REMUW)
/* (The _L forms are jumps and branches whose target is in the same page:
 * they step to the target slot directly, see ph_rv_localize.) */

#define PH_RV_OP_ENUM(name) PH_RV_OP_##name,
typedef enum { PH_RV_FOR_EACH_OP(PH_RV_OP_ENUM) PH_RV_OP_COUNT } PhRvOp;
#undef PH_RV_OP_ENUM

#define PH_RV_SLOTS_PER_PAGE (PH_PAGE_SIZE / 2)

typedef struct PhRvCodePage {
    PhRvSlot slots[PH_RV_SLOTS_PER_PAGE + 1];
    const uint8_t *host;     /* the host page the slots decode */
    uint32_t gen;            /* p->code_gen when the slots were last cleared */
    bool armed;              /* see PhRvSlot */
} PhRvCodePage;

/* Tag bit of a write-TLB entry that points at an armed code page. */
#define PH_RV_TLB_CODE 1ull

/* At most this many decoded pages (32 KiB each) are kept; then all are dropped. */
#define PH_RV_CODE_PAGES_MAX 1024

struct PhRvCpuPrivate {
    PhBus *bus;
    uint64_t hart_id;
    uint64_t (*get_time)(void *opaque);
    void *time_opaque;

    /* vCPU thread only. */
    PhRvTlbEntry tlb[3][PH_RV_TLB_SIZE];   /* indexed by PhRvAccess */
    /* The decoded page of each valid exec TLB entry. */
    PhRvCodePage *tlb_code[PH_RV_TLB_SIZE];
    /* host page address -> PhRvCodePage (owned) */
    GHashTable *code_pages;

    /* Set by any thread (atomics); read at block boundaries. */
    _Atomic uint32_t lines;          /* MSIP, MTIP, MEIP, SEIP from devices */
    _Atomic int exit_request;

    /* CSRs (vCPU thread, or any thread while the hart is stopped) */
    uint64_t mip_sw;                 /* SSIP, STIP, SEIP as software wrote them */
    uint64_t mie;
    uint64_t medeleg, mideleg;
    uint64_t mtvec, stvec;
    uint64_t mscratch, sscratch;
    uint64_t mepc, sepc;
    uint64_t mcause, scause;
    uint64_t mtval, stval;
    uint64_t satp;
    uint64_t mcounteren, scounteren, mcountinhibit;
    uint64_t mcycle;
    uint8_t pmpcfg[PH_RV_PMP_COUNT];
    uint64_t pmpaddr[PH_RV_PMP_COUNT];
    bool pmp_active;                 /* any entry with A != OFF */

    /* LR/SC reservation (virtual address), or ~0 when none. */
    uint64_t reservation;

    /* Decode-cache generation (see PhRvSlot); any thread may bump it while
     * the hart is stopped. */
    _Atomic uint32_t code_gen;
    /* Code pages armed: while 0, slow stores need no code check. */
    unsigned code_armed;
    /* The interpreter's DECODE label (set before any page is made). */
    const void *decode_handler;
    /* All-DECODE slots for running code that is not in a decoded page. */
    PhRvCodePage *no_code;

    /* Stopped in WFI: run() returns at once until an interrupt is pending. */
    bool wfi;

    /* The exception a failed memory helper wants raised. */
    uint64_t exc_cause;
    uint64_t exc_tval;
};

/* mmu.c */
void ph_rv_tlb_flush(PhRvCpu *cpu);
/* Privilege used for data accesses (MPRV). */
PhRvPriv ph_rv_data_priv(PhRvCpu *cpu);
/* Slow paths: translate, check, access, maybe fill the TLB.  False when an
 * exception was recorded in p->exc_cause/exc_tval. */
bool ph_rv_load_slow(PhRvCpu *cpu, uint64_t vaddr, unsigned size, uint64_t *value);
bool ph_rv_store_slow(PhRvCpu *cpu, uint64_t vaddr, unsigned size, uint64_t value);
/* Instruction fetch of 16 bits at @vaddr (always 2-aligned). */
bool ph_rv_fetch16_slow(PhRvCpu *cpu, uint64_t vaddr, uint32_t *value);
/* Atomics: translates @vaddr for a read-modify-write and returns the
 * physical address (alignment already checked by the caller). */
bool ph_rv_translate_amo(PhRvCpu *cpu, uint64_t vaddr, bool is_lr, uint64_t *pa);
void ph_rv_pmp_changed(PhRvCpu *cpu);
/* Host page and decoded page for @vaddr's page, or NULLs (slow fetch, e.g.
 * code in MMIO); false when the fetch faults. */
bool ph_rv_fetch_page(PhRvCpu *cpu, uint64_t vaddr, const uint8_t **host,
                      PhRvCodePage **code);

/* decode.c */
/* Decodes the instruction whose first 32 bits (or 16, for RVC) are @raw
 * into @slot's operands and returns its operation (the caller sets
 * slot->handler). */
PhRvOp ph_rv_decode(PhRvSlot *slot, uint32_t raw);
/* @op for an instruction at byte @off of its page: the _L form when it is
 * a jump or branch whose target lies in the same page. */
PhRvOp ph_rv_localize(PhRvOp op, const PhRvSlot *slot, uint64_t off);
/* The decoded page of @host_page, created (empty) when missing. */
PhRvCodePage *ph_rv_code_page(PhRvCpu *cpu, const uint8_t *host_page);
/* The decoded page of @host_page, or NULL. */
PhRvCodePage *ph_rv_code_page_lookup(PhRvCpu *cpu, const uint8_t *host_page);
/* Arms @c: marks every write-TLB entry that points at it (see PhRvSlot). */
void ph_rv_code_arm(PhRvCpu *cpu, PhRvCodePage *c);
/* Bytes [off, off + len) of @c's page were written: drops the slots whose
 * instruction may overlap them. */
void ph_rv_code_written(PhRvCpu *cpu, PhRvCodePage *c, uint64_t off, uint64_t len);
/* Clears @c's slots if a flush happened since they were filled. */
void ph_rv_code_page_sync(PhRvCpu *cpu, PhRvCodePage *c);
/* Sets every slot of @c to "not decoded". */
void ph_rv_code_page_clear(PhRvCpu *cpu, PhRvCodePage *c);
void ph_rv_code_cache_free(PhRvCpu *cpu);

/* csr.c */
/* Executes a Zicsr instruction; false when it raised illegal instruction
 * (exc fields set).  Sets *flush_block when the block must end. */
bool ph_rv_csr_insn(PhRvCpu *cpu, uint32_t insn);
uint64_t ph_rv_read_mip(PhRvCpu *cpu);
/* Enters the trap handler for @cause (exception or interrupt); cpu->pc is
 * the faulting instruction's address. */
void ph_rv_trap(PhRvCpu *cpu, uint64_t cause, uint64_t tval);
/* The interrupt to take now, or 0 (returns cause | interrupt bit). */
uint64_t ph_rv_pending_interrupt(PhRvCpu *cpu);
bool ph_rv_mret(PhRvCpu *cpu);
bool ph_rv_sret(PhRvCpu *cpu);

static inline bool ph_rv_set_exc(PhRvCpu *cpu, uint64_t cause, uint64_t tval)
{
    cpu->p->exc_cause = cause;
    cpu->p->exc_tval = tval;
    return false;
}

static inline void ph_rv_mark_fs_dirty(PhRvCpu *cpu)
{
    cpu->mstatus |= PH_RV_MSTATUS_FS | PH_RV_MSTATUS_SD;
}
