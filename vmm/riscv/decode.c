/* Instruction decoding into cache slots, and the cache of decoded code pages. */
#include "cpu-int.h"

#include "rvc.h"

uint32_t ph_rv_slot_insn(const PhRvSlot *slot)
{
    return (slot->raw & 3) == 3 ? slot->raw : ph_rvc_expand(slot->raw & 0xffff);
}

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
            op = f3 == 0 ? PH_RV_OP_MUL : PH_RV_OP_MULDIV;
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
            op = PH_RV_OP_MULDIVW;
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

void ph_rv_decode(PhRvSlot *slot, uint32_t raw)
{
    uint32_t insn;
    slot->raw = raw;
    slot->imm = 0;
    if ((raw & 3) == 3) {
        insn = raw;
        slot->ilen = 4;
    } else {
        insn = ph_rvc_expand(raw & 0xffff);
        slot->ilen = 2;
    }
    slot->rd = (insn >> 7) & 31;
    slot->rs1 = (insn >> 15) & 31;
    slot->rs2 = (insn >> 20) & 31;
    slot->op = insn ? decode_op(insn, slot) : PH_RV_OP_ILLEGAL;
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
        /* Slots verify themselves against memory, so dropping them all is
         * always safe; the exec TLB must forget its pointers too. */
        g_hash_table_remove_all(p->code_pages);
        ph_rv_tlb_flush(cpu);
    }
    /* All-zero slots are "not decoded" (op 0). */
    c = g_new0(PhRvCodePage, 1);
    g_hash_table_insert(p->code_pages, (gpointer)host_page, c);
    return c;
}

void ph_rv_code_cache_free(PhRvCpu *cpu)
{
    g_clear_pointer(&cpu->p->code_pages, g_hash_table_destroy);
}
