/* Instruction decoding into cache slots, and the cache of decoded code pages. */
#include "cpu-int.h"

#include "rvc.h"

static uint8_t decode_op(uint32_t insn, PhRvSlot *s)
{
    unsigned rd = (insn >> 7) & 31;
    unsigned f3 = (insn >> 12) & 7;
    unsigned f7 = insn >> 25;
    int32_t imm_i = (int32_t)insn >> 20;

    switch (insn & 0x7f) {
    case 0x37:
        s->imm = (int32_t)(insn & 0xfffff000u);
        return rd ? PH_RV_OP_LUI : PH_RV_OP_NOP;
    case 0x17:
        s->imm = (int32_t)(insn & 0xfffff000u);
        return rd ? PH_RV_OP_AUIPC : PH_RV_OP_NOP;
    case 0x6f:
        s->imm = ((int32_t)(insn & 0x80000000u) >> 11) | (int32_t)(insn & 0xff000) |
                 (int32_t)((insn >> 9) & 0x800) | (int32_t)((insn >> 20) & 0x7fe);
        return rd ? PH_RV_OP_JAL : PH_RV_OP_J;
    case 0x67:
        if (f3) {
            return PH_RV_OP_ILLEGAL;
        }
        s->imm = imm_i;
        return rd ? PH_RV_OP_JALR : PH_RV_OP_JR;
    case 0x63:
        s->imm = ((int32_t)(insn & 0x80000000u) >> 19) | (int32_t)((insn & 0x80) << 4) |
                 (int32_t)((insn >> 20) & 0x7e0) | (int32_t)((insn >> 7) & 0x1e);
        switch (f3) {
        case 0: return PH_RV_OP_BEQ;
        case 1: return PH_RV_OP_BNE;
        case 4: return PH_RV_OP_BLT;
        case 5: return PH_RV_OP_BGE;
        case 6: return PH_RV_OP_BLTU;
        case 7: return PH_RV_OP_BGEU;
        default: return PH_RV_OP_ILLEGAL;
        }
    case 0x03: {
        static const uint8_t ops[8] = {
            PH_RV_OP_LB, PH_RV_OP_LH, PH_RV_OP_LW, PH_RV_OP_LD,
            PH_RV_OP_LBU, PH_RV_OP_LHU, PH_RV_OP_LWU, PH_RV_OP_ILLEGAL,
        };
        s->imm = imm_i;
        return ops[f3];
    }
    case 0x23: {
        static const uint8_t ops[8] = {
            PH_RV_OP_SB, PH_RV_OP_SH, PH_RV_OP_SW, PH_RV_OP_SD,
            PH_RV_OP_ILLEGAL, PH_RV_OP_ILLEGAL, PH_RV_OP_ILLEGAL, PH_RV_OP_ILLEGAL,
        };
        s->imm = ((int32_t)(insn & 0xfe000000u) >> 20) | (int32_t)((insn >> 7) & 31);
        return ops[f3];
    }
    case 0x13: {
        uint8_t op;
        s->imm = imm_i;
        switch (f3) {
        case 0: op = PH_RV_OP_ADDI; break;
        case 1:
            if (insn >> 26) {
                return PH_RV_OP_ILLEGAL;
            }
            s->imm = (insn >> 20) & 63;
            op = PH_RV_OP_SLLI;
            break;
        case 2: op = PH_RV_OP_SLTI; break;
        case 3: op = PH_RV_OP_SLTIU; break;
        case 4: op = PH_RV_OP_XORI; break;
        case 5:
            s->imm = (insn >> 20) & 63;
            if ((insn >> 26) == 0) {
                op = PH_RV_OP_SRLI;
            } else if ((insn >> 26) == 0x10) {
                op = PH_RV_OP_SRAI;
            } else {
                return PH_RV_OP_ILLEGAL;
            }
            break;
        case 6: op = PH_RV_OP_ORI; break;
        default: op = PH_RV_OP_ANDI; break;
        }
        return rd ? op : PH_RV_OP_NOP;
    }
    case 0x1b: {
        uint8_t op;
        s->imm = imm_i;
        switch (f3) {
        case 0: op = PH_RV_OP_ADDIW; break;
        case 1:
            if (f7) {
                return PH_RV_OP_ILLEGAL;
            }
            s->imm = (insn >> 20) & 31;
            op = PH_RV_OP_SLLIW;
            break;
        case 5:
            s->imm = (insn >> 20) & 31;
            if (f7 == 0) {
                op = PH_RV_OP_SRLIW;
            } else if (f7 == 0x20) {
                op = PH_RV_OP_SRAIW;
            } else {
                return PH_RV_OP_ILLEGAL;
            }
            break;
        default:
            return PH_RV_OP_ILLEGAL;
        }
        return rd ? op : PH_RV_OP_NOP;
    }
    case 0x33: {
        uint8_t op;
        s->imm = (int32_t)f3;
        if (f7 == 0) {
            static const uint8_t ops[8] = {
                PH_RV_OP_ADD, PH_RV_OP_SLL, PH_RV_OP_SLT, PH_RV_OP_SLTU,
                PH_RV_OP_XOR, PH_RV_OP_SRL, PH_RV_OP_OR, PH_RV_OP_AND,
            };
            op = ops[f3];
        } else if (f7 == 0x20 && f3 == 0) {
            op = PH_RV_OP_SUB;
        } else if (f7 == 0x20 && f3 == 5) {
            op = PH_RV_OP_SRA;
        } else if (f7 == 1) {
            static const uint8_t ops[8] = {
                PH_RV_OP_MUL, PH_RV_OP_MULH, PH_RV_OP_MULHSU, PH_RV_OP_MULHU,
                PH_RV_OP_DIV, PH_RV_OP_DIVU, PH_RV_OP_REM, PH_RV_OP_REMU,
            };
            op = ops[f3];
        } else {
            return PH_RV_OP_ILLEGAL;
        }
        return rd ? op : PH_RV_OP_NOP;
    }
    case 0x3b: {
        uint8_t op;
        s->imm = (int32_t)f3;
        if (f7 == 0 && f3 == 0) {
            op = PH_RV_OP_ADDW;
        } else if (f7 == 0x20 && f3 == 0) {
            op = PH_RV_OP_SUBW;
        } else if (f7 == 0 && f3 == 1) {
            op = PH_RV_OP_SLLW;
        } else if (f7 == 0 && f3 == 5) {
            op = PH_RV_OP_SRLW;
        } else if (f7 == 0x20 && f3 == 5) {
            op = PH_RV_OP_SRAW;
        } else if (f7 == 1 && (f3 == 0 || f3 >= 4)) {
            static const uint8_t ops[8] = {
                PH_RV_OP_MULW, PH_RV_OP_ILLEGAL, PH_RV_OP_ILLEGAL, PH_RV_OP_ILLEGAL,
                PH_RV_OP_DIVW, PH_RV_OP_DIVUW, PH_RV_OP_REMW, PH_RV_OP_REMUW,
            };
            op = ops[f3];
        } else {
            return PH_RV_OP_ILLEGAL;
        }
        return rd ? op : PH_RV_OP_NOP;
    }
    case 0x0f:
        /* fence: one hart, in order.  fence.i: fetch checks guest memory. */
        return f3 == 0 ? PH_RV_OP_NOP : f3 == 1 ? PH_RV_OP_FENCE_I : PH_RV_OP_ILLEGAL;
    case 0x73:
        return f3 == 0 ? PH_RV_OP_SYSTEM : f3 == 4 ? PH_RV_OP_ILLEGAL : PH_RV_OP_CSR;
    case 0x2f:
        return PH_RV_OP_AMO;
    case 0x07:
        s->imm = imm_i;
        return f3 == 2 ? PH_RV_OP_FLW : f3 == 3 ? PH_RV_OP_FLD : PH_RV_OP_ILLEGAL;
    case 0x27:
        s->imm = ((int32_t)(insn & 0xfe000000u) >> 20) | (int32_t)((insn >> 7) & 31);
        return f3 == 2 ? PH_RV_OP_FSW : f3 == 3 ? PH_RV_OP_FSD : PH_RV_OP_ILLEGAL;
    case 0x53: case 0x43: case 0x47: case 0x4b: case 0x4f:
        return PH_RV_OP_FPU;
    default:
        return PH_RV_OP_ILLEGAL;
    }
}

/* Cheaper forms of common instructions (li, mv, beqz, bnez). */
static PhRvOp specialize(PhRvOp op, const PhRvSlot *s)
{
    switch (op) {
    case PH_RV_OP_ADDI:
        return s->rs1 == 0 ? PH_RV_OP_LI : s->imm == 0 ? PH_RV_OP_MV : op;
    case PH_RV_OP_ADD:
    case PH_RV_OP_OR:
    case PH_RV_OP_XOR:
        /* x0 op rs2 == rs2 for these three: mv with rs1 := rs2. */
        return s->rs1 == 0 ? PH_RV_OP_MV : op;
    case PH_RV_OP_BEQ:
        return s->rs2 == 0 ? PH_RV_OP_BEQZ : op;
    case PH_RV_OP_BNE:
        return s->rs2 == 0 ? PH_RV_OP_BNEZ : op;
    default:
        return op;
    }
}

PhRvOp ph_rv_decode(PhRvSlot *slot, uint32_t raw)
{
    uint32_t insn;
    slot->imm = 0;
    if ((raw & 3) == 3) {
        insn = raw;
        slot->ilen = 4;
    } else {
        raw &= 0xffff;
        insn = ph_rvc_expand(raw);
        slot->ilen = 2;
    }
    slot->rd = (insn >> 7) & 31;
    slot->rs1 = (insn >> 15) & 31;
    slot->rs2 = (insn >> 20) & 31;
    PhRvOp op = insn ? (PhRvOp)decode_op(insn, slot) : PH_RV_OP_ILLEGAL;
    switch (op) {
    case PH_RV_OP_ILLEGAL:
        slot->imm = (int32_t)raw;
        return op;
    case PH_RV_OP_SYSTEM: case PH_RV_OP_CSR: case PH_RV_OP_AMO: case PH_RV_OP_FPU:
        slot->imm = (int32_t)insn;
        return op;
    default:
        break;
    }
    op = specialize(op, slot);
    if (slot->rd == 0 && op >= PH_RV_OP_LB && op <= PH_RV_OP_LWU) {
        /* The value goes nowhere, but the access (and its faults) stays;
         * rs2 (unused by loads) carries the size. */
        static const uint8_t sizes[] = { 1, 2, 4, 8, 1, 2, 4 };
        slot->rs2 = sizes[op - PH_RV_OP_LB];
        return PH_RV_OP_LOAD_X0;
    }
    if (op == PH_RV_OP_MV && slot->rs1 == 0) {
        slot->rs1 = slot->rs2;
    }
    return op;
}

PhRvOp ph_rv_localize(PhRvOp op, const PhRvSlot *slot, uint64_t off)
{
    PhRvOp local;
    switch (op) {
    case PH_RV_OP_J: local = PH_RV_OP_J_L; break;
    case PH_RV_OP_JAL: local = PH_RV_OP_JAL_L; break;
    case PH_RV_OP_BEQ: local = PH_RV_OP_BEQ_L; break;
    case PH_RV_OP_BNE: local = PH_RV_OP_BNE_L; break;
    case PH_RV_OP_BLT: local = PH_RV_OP_BLT_L; break;
    case PH_RV_OP_BGE: local = PH_RV_OP_BGE_L; break;
    case PH_RV_OP_BLTU: local = PH_RV_OP_BLTU_L; break;
    case PH_RV_OP_BGEU: local = PH_RV_OP_BGEU_L; break;
    case PH_RV_OP_BEQZ: local = PH_RV_OP_BEQZ_L; break;
    case PH_RV_OP_BNEZ: local = PH_RV_OP_BNEZ_L; break;
    default: return op;
    }
    uint64_t target = off + (uint64_t)(int64_t)slot->imm;
    return target < PH_PAGE_SIZE ? local : op;
}

PhRvCodePage *ph_rv_code_page_lookup(PhRvCpu *cpu, const uint8_t *host_page)
{
    GHashTable *t = cpu->p->code_pages;
    return t ? g_hash_table_lookup(t, host_page) : NULL;
}

PhRvCodePage *ph_rv_code_page(PhRvCpu *cpu, const uint8_t *host_page)
{
    struct PhRvCpuPrivate *p = cpu->p;
    if (!p->code_pages) {
        p->code_pages = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
    }
    PhRvCodePage *c = g_hash_table_lookup(p->code_pages, host_page);
    if (c) {
        return c;
    }
    if (g_hash_table_size(p->code_pages) >= PH_RV_CODE_PAGES_MAX) {
        /* Dropping every page is always safe; the exec TLB must forget its
         * pointers, and the write TLB its marks (a flush does both). */
        g_hash_table_remove_all(p->code_pages);
        p->code_armed = 0;
        ph_rv_tlb_flush(cpu);
    }
    c = g_new(PhRvCodePage, 1);
    ph_rv_code_page_clear(cpu, c);
    c->host = host_page;
    c->armed = false;
    c->gen = atomic_load_explicit(&p->code_gen, memory_order_acquire);
    g_hash_table_insert(p->code_pages, (gpointer)host_page, c);
    return c;
}

void ph_rv_code_arm(PhRvCpu *cpu, PhRvCodePage *c)
{
    PhRvTlbEntry *w = cpu->p->tlb[PH_RV_ACC_WRITE];
    for (unsigned i = 0; i < PH_RV_TLB_SIZE; i++) {
        /* Valid unmarked tags are page-aligned; invalid ones are all-ones. */
        if (!(w[i].tag & (PH_PAGE_SIZE - 1)) &&
            w[i].addend + (uintptr_t)w[i].tag == (uintptr_t)c->host) {
            w[i].tag |= PH_RV_TLB_CODE;
        }
    }
    if (!c->armed) {
        c->armed = true;
        cpu->p->code_armed++;
    }
}

void ph_rv_code_page_clear(PhRvCpu *cpu, PhRvCodePage *c)
{
    PhRvSlot empty = { .handler = cpu->p->decode_handler };
    for (unsigned i = 0; i < G_N_ELEMENTS(c->slots); i++) {
        c->slots[i] = empty;
    }
}

void ph_rv_code_written(PhRvCpu *cpu, PhRvCodePage *c, uint64_t off, uint64_t len)
{
    /* A 4-byte instruction that starts in the parcel before @off overlaps it. */
    uint64_t first = off >= 2 ? (off >> 1) - 1 : 0;
    uint64_t last = (off + len - 1) >> 1;
    if (last >= PH_RV_SLOTS_PER_PAGE) {
        last = PH_RV_SLOTS_PER_PAGE - 1;
    }
    for (uint64_t i = first; i <= last; i++) {
        c->slots[i].handler = cpu->p->decode_handler;
    }
}

void ph_rv_code_page_sync(PhRvCpu *cpu, PhRvCodePage *c)
{
    uint32_t gen = atomic_load_explicit(&cpu->p->code_gen, memory_order_acquire);
    if (c->gen != gen) {
        ph_rv_code_page_clear(cpu, c);
        c->gen = gen;
    }
}

void ph_rv_code_cache_free(PhRvCpu *cpu)
{
    g_clear_pointer(&cpu->p->code_pages, g_hash_table_destroy);
    cpu->p->code_armed = 0;
}
