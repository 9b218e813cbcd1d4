/* Encoders for RISC-V instruction formats (compressed expansion and tests). */
#pragma once

#include <stdint.h>

static inline uint32_t ph_rv_enc_r(uint32_t op, uint32_t rd, uint32_t f3, uint32_t rs1,
                                   uint32_t rs2, uint32_t f7)
{
    return f7 << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | rd << 7 | op;
}

static inline uint32_t ph_rv_enc_i(uint32_t op, uint32_t rd, uint32_t f3, uint32_t rs1,
                                   int32_t imm)
{
    return ((uint32_t)imm & 0xfff) << 20 | rs1 << 15 | f3 << 12 | rd << 7 | op;
}

static inline uint32_t ph_rv_enc_s(uint32_t op, uint32_t f3, uint32_t rs1, uint32_t rs2,
                                   int32_t imm)
{
    uint32_t u = (uint32_t)imm;
    return ((u >> 5) & 0x7f) << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 |
           (u & 31) << 7 | op;
}

static inline uint32_t ph_rv_enc_b(uint32_t f3, uint32_t rs1, uint32_t rs2, int32_t imm)
{
    uint32_t u = (uint32_t)imm;
    return ((u >> 12) & 1) << 31 | ((u >> 5) & 0x3f) << 25 | rs2 << 20 | rs1 << 15 |
           f3 << 12 | ((u >> 1) & 0xf) << 8 | ((u >> 11) & 1) << 7 | 0x63;
}

static inline uint32_t ph_rv_enc_j(uint32_t rd, int32_t imm)
{
    uint32_t u = (uint32_t)imm;
    return ((u >> 20) & 1) << 31 | ((u >> 1) & 0x3ff) << 21 | ((u >> 11) & 1) << 20 |
           ((u >> 12) & 0xff) << 12 | rd << 7 | 0x6f;
}

static inline uint32_t ph_rv_enc_u(uint32_t op, uint32_t rd, uint32_t imm20)
{
    return (imm20 & 0xfffff) << 12 | rd << 7 | op;
}
