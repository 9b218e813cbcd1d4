/* RV64C: expansion of a 16-bit instruction into its 32-bit equivalent. */
#pragma once

#include "rv-encode.h"

#define PH_RVC_BIT(c, n) (((c) >> (n)) & 1u)
#define PH_RVC_BITS(c, hi, lo) (((c) >> (lo)) & ((1u << ((hi) - (lo) + 1)) - 1))

/* Sign-extends the low @bits bits of @v. */
static inline int32_t ph_rvc_sext(uint32_t v, unsigned bits)
{
    uint32_t m = 1u << (bits - 1);
    return (int32_t)((v ^ m) - m);
}

/*
 * Returns the 32-bit instruction that @c (low 16 bits, low two bits != 3)
 * stands for, or 0 when @c is illegal or reserved in RV64C.
 */
static inline uint32_t ph_rvc_expand(uint32_t c)
{
    uint32_t rd = PH_RVC_BITS(c, 11, 7);
    uint32_t rs2 = PH_RVC_BITS(c, 6, 2);
    uint32_t rdp = 8 + PH_RVC_BITS(c, 4, 2);   /* rd' / rs2' */
    uint32_t rs1p = 8 + PH_RVC_BITS(c, 9, 7);
    uint32_t f3 = PH_RVC_BITS(c, 15, 13);
    int32_t imm6 = ph_rvc_sext(PH_RVC_BIT(c, 12) << 5 | PH_RVC_BITS(c, 6, 2), 6);

    switch ((c & 3) << 3 | f3) {
    /* quadrant 0 */
    case 0x00: {
        uint32_t imm = PH_RVC_BITS(c, 12, 11) << 4 | PH_RVC_BITS(c, 10, 7) << 6 |
                       PH_RVC_BIT(c, 6) << 2 | PH_RVC_BIT(c, 5) << 3;
        return imm ? ph_rv_enc_i(0x13, rdp, 0, 2, (int32_t)imm) : 0;
    }
    case 0x01: case 0x03: case 0x05: case 0x07: {
        uint32_t imm = PH_RVC_BITS(c, 12, 10) << 3 | PH_RVC_BITS(c, 6, 5) << 6;
        switch (f3) {
        case 1: return ph_rv_enc_i(0x07, rdp, 3, rs1p, (int32_t)imm);   /* c.fld */
        case 3: return ph_rv_enc_i(0x03, rdp, 3, rs1p, (int32_t)imm);   /* c.ld */
        case 5: return ph_rv_enc_s(0x27, 3, rs1p, rdp, (int32_t)imm);   /* c.fsd */
        default: return ph_rv_enc_s(0x23, 3, rs1p, rdp, (int32_t)imm);  /* c.sd */
        }
    }
    case 0x02: case 0x06: {
        uint32_t imm = PH_RVC_BITS(c, 12, 10) << 3 | PH_RVC_BIT(c, 6) << 2 |
                       PH_RVC_BIT(c, 5) << 6;
        return f3 == 2 ? ph_rv_enc_i(0x03, rdp, 2, rs1p, (int32_t)imm)
                       : ph_rv_enc_s(0x23, 2, rs1p, rdp, (int32_t)imm);
    }
    case 0x04:
        return 0;
    /* quadrant 1 */
    case 0x08: return ph_rv_enc_i(0x13, rd, 0, rd, imm6);              /* c.addi */
    case 0x09: return rd ? ph_rv_enc_i(0x1b, rd, 0, rd, imm6) : 0;     /* c.addiw */
    case 0x0a: return ph_rv_enc_i(0x13, rd, 0, 0, imm6);               /* c.li */
    case 0x0b:
        if (rd == 2) {
            uint32_t u = PH_RVC_BIT(c, 12) << 9 | PH_RVC_BIT(c, 6) << 4 |
                         PH_RVC_BIT(c, 5) << 6 | PH_RVC_BITS(c, 4, 3) << 7 |
                         PH_RVC_BIT(c, 2) << 5;
            return u ? ph_rv_enc_i(0x13, 2, 0, 2, ph_rvc_sext(u, 10)) : 0;
        }
        if (imm6 == 0) {
            return 0;
        }
        return ph_rv_enc_u(0x37, rd, (uint32_t)imm6);                  /* c.lui */
    case 0x0c: {
        uint32_t shamt = PH_RVC_BIT(c, 12) << 5 | PH_RVC_BITS(c, 6, 2);
        switch (PH_RVC_BITS(c, 11, 10)) {
        case 0: return ph_rv_enc_i(0x13, rs1p, 5, rs1p, (int32_t)shamt);
        case 1: return ph_rv_enc_i(0x13, rs1p, 5, rs1p, (int32_t)(shamt | 0x400));
        case 2: return ph_rv_enc_i(0x13, rs1p, 7, rs1p, imm6);
        default: {
            unsigned op2 = PH_RVC_BITS(c, 6, 5);
            if (!PH_RVC_BIT(c, 12)) {
                static const uint32_t f3s[4] = { 0, 4, 6, 7 };
                return ph_rv_enc_r(0x33, rs1p, f3s[op2], rs1p, rdp, op2 == 0 ? 0x20 : 0);
            }
            if (op2 == 0) return ph_rv_enc_r(0x3b, rs1p, 0, rs1p, rdp, 0x20);   /* subw */
            if (op2 == 1) return ph_rv_enc_r(0x3b, rs1p, 0, rs1p, rdp, 0);      /* addw */
            return 0;
        }
        }
    }
    case 0x0d: {
        uint32_t u = PH_RVC_BIT(c, 12) << 11 | PH_RVC_BIT(c, 11) << 4 |
                     PH_RVC_BITS(c, 10, 9) << 8 | PH_RVC_BIT(c, 8) << 10 |
                     PH_RVC_BIT(c, 7) << 6 | PH_RVC_BIT(c, 6) << 7 |
                     PH_RVC_BITS(c, 5, 3) << 1 | PH_RVC_BIT(c, 2) << 5;
        return ph_rv_enc_j(0, ph_rvc_sext(u, 12));
    }
    case 0x0e: case 0x0f: {
        uint32_t u = PH_RVC_BIT(c, 12) << 8 | PH_RVC_BITS(c, 11, 10) << 3 |
                     PH_RVC_BITS(c, 6, 5) << 6 | PH_RVC_BITS(c, 4, 3) << 1 |
                     PH_RVC_BIT(c, 2) << 5;
        return ph_rv_enc_b(f3 == 6 ? 0 : 1, rs1p, 0, ph_rvc_sext(u, 9));
    }
    /* quadrant 2 */
    case 0x10: {
        uint32_t shamt = PH_RVC_BIT(c, 12) << 5 | PH_RVC_BITS(c, 6, 2);
        return ph_rv_enc_i(0x13, rd, 1, rd, (int32_t)shamt);
    }
    case 0x11: case 0x13: {
        uint32_t imm = PH_RVC_BIT(c, 12) << 5 | PH_RVC_BITS(c, 6, 5) << 3 |
                       PH_RVC_BITS(c, 4, 2) << 6;
        if (f3 == 1) {
            return ph_rv_enc_i(0x07, rd, 3, 2, (int32_t)imm);          /* c.fldsp */
        }
        return rd ? ph_rv_enc_i(0x03, rd, 3, 2, (int32_t)imm) : 0;     /* c.ldsp */
    }
    case 0x12: {
        uint32_t imm = PH_RVC_BIT(c, 12) << 5 | PH_RVC_BITS(c, 6, 4) << 2 |
                       PH_RVC_BITS(c, 3, 2) << 6;
        return rd ? ph_rv_enc_i(0x03, rd, 2, 2, (int32_t)imm) : 0;     /* c.lwsp */
    }
    case 0x14:
        if (!PH_RVC_BIT(c, 12)) {
            if (rs2 == 0) {
                return rd ? ph_rv_enc_i(0x67, 0, 0, rd, 0) : 0;        /* c.jr */
            }
            return ph_rv_enc_r(0x33, rd, 0, 0, rs2, 0);                /* c.mv */
        }
        if (rs2 == 0) {
            if (rd == 0) {
                return 0x00100073;                                     /* c.ebreak */
            }
            return ph_rv_enc_i(0x67, 1, 0, rd, 0);                     /* c.jalr */
        }
        return ph_rv_enc_r(0x33, rd, 0, rd, rs2, 0);                   /* c.add */
    case 0x15: case 0x17: {
        uint32_t imm = PH_RVC_BITS(c, 12, 10) << 3 | PH_RVC_BITS(c, 9, 7) << 6;
        return ph_rv_enc_s(f3 == 5 ? 0x27 : 0x23, 3, 2, rs2, (int32_t)imm);
    }
    case 0x16: {
        uint32_t imm = PH_RVC_BITS(c, 12, 9) << 2 | PH_RVC_BITS(c, 8, 7) << 6;
        return ph_rv_enc_s(0x23, 2, 2, rs2, (int32_t)imm);             /* c.swsp */
    }
    default:
        return 0;
    }
}
