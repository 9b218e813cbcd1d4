/* Macros shared by Porthole's ISA tests: numbered checks, expected traps and privilege switches. */
#ifndef PH_ISA_H
#define PH_ISA_H

/*
 * Conventions (see ph-isa-env.S):
 * - The env starts in M mode, sets a permissive PMP entry, direct mtvec/stvec
 *   to its own handlers, FS = Initial, and jumps to ph_test_body.  Falling
 *   off the end of the test (PH_ISA_PASS) passes.
 * - gp holds the number of the current case; a failure exits with it.
 * - t6 is the scratch register of the check macros; the trap handlers save
 *   and restore t0..t2 and use mscratch/sscratch, so tests must not keep
 *   anything there across a trap.
 * - A trap that the test did not arm with PH_SET_RESUME fails the current
 *   case, except an ECALL taken to M, which returns to M mode at the next
 *   instruction (that is how lower-privilege code gets back to M: PH_TO_M).
 */

#define PH_MSTATUS_SIE   (1 << 1)
#define PH_MSTATUS_MIE   (1 << 3)
#define PH_MSTATUS_SPIE  (1 << 5)
#define PH_MSTATUS_MPIE  (1 << 7)
#define PH_MSTATUS_SPP   (1 << 8)
#define PH_MSTATUS_MPP   (3 << 11)
#define PH_MSTATUS_FS    (3 << 13)
#define PH_MSTATUS_MPRV  (1 << 17)
#define PH_MSTATUS_SUM   (1 << 18)
#define PH_MSTATUS_MXR   (1 << 19)

#define PH_CAUSE_MISALIGNED_FETCH 0
#define PH_CAUSE_FETCH_ACCESS     1
#define PH_CAUSE_ILLEGAL          2
#define PH_CAUSE_BREAKPOINT       3
#define PH_CAUSE_MISALIGNED_LOAD  4
#define PH_CAUSE_LOAD_ACCESS      5
#define PH_CAUSE_MISALIGNED_STORE 6
#define PH_CAUSE_STORE_ACCESS     7
#define PH_CAUSE_ECALL_U          8
#define PH_CAUSE_ECALL_S          9
#define PH_CAUSE_ECALL_M          11
#define PH_CAUSE_FETCH_PAGE       12
#define PH_CAUSE_LOAD_PAGE        13
#define PH_CAUSE_STORE_PAGE       15
#define PH_CAUSE_INTR             (1 << 63)

/* Layout of the trap records ph_tsave (M) and ph_ssave (S). */
#define PH_T_T1      0
#define PH_T_T2      8
#define PH_T_CAUSE   16
#define PH_T_TVAL    24
#define PH_T_EPC     32
#define PH_T_STATUS  40
#define PH_T_COUNT   48
#define PH_T_RESUME  56
#define PH_T_TOUPPER 64   /* nonzero: resume in M (ph_tsave) or S (ph_ssave) */
#define PH_T_SIZE    72

/* Fails the current case unless a == b (b, not a, may be t6). */
#define PH_BNE(a, b) beq a, b, 19999f; j ph_fail; 19999:

#define PH_TEST(n) li gp, n

#define PH_CHECK(reg, exp) li t6, exp; PH_BNE(reg, t6)

#define PH_TEST_RR(n, op, exp, v1, v2) \
    li gp, n; li a1, v1; li a2, v2; op a0, a1, a2; PH_CHECK(a0, exp)

#define PH_TEST_RI(n, op, exp, v1, imm) \
    li gp, n; li a1, v1; op a0, a1, imm; PH_CHECK(a0, exp)

#define PH_TEST_R(n, op, exp, v1) \
    li gp, n; li a1, v1; op a0, a1; PH_CHECK(a0, exp)

/* The destination is also the first source (catches rd==rs bugs). */
#define PH_TEST_RR_SRC1EQDEST(n, op, exp, v1, v2) \
    li gp, n; li a1, v1; li a2, v2; op a1, a1, a2; PH_CHECK(a1, exp)

/* x0 as destination stays zero. */
#define PH_TEST_RR_ZERODEST(n, op, v1, v2) \
    li gp, n; li a1, v1; li a2, v2; op x0, a1, a2; PH_BNE(x0, zero)

/*
 * Arms the M-mode handler: the next trap taken to M resumes at @lbl, in the
 * mode that trapped (PH_SET_RESUME) or in M (PH_SET_RESUME_M).  The record
 * of that trap is in ph_tsave.
 */
#define PH_SET_RESUME(lbl) \
    la t0, lbl; la t1, ph_tsave; sd t0, PH_T_RESUME(t1); sd zero, PH_T_TOUPPER(t1)
#define PH_SET_RESUME_M(lbl) \
    la t0, lbl; la t1, ph_tsave; sd t0, PH_T_RESUME(t1); li t0, 1; sd t0, PH_T_TOUPPER(t1)
/* The same for traps taken to S (ph_ssave); _S resumes in S. */
#define PH_SET_SRESUME(lbl) \
    la t0, lbl; la t1, ph_ssave; sd t0, PH_T_RESUME(t1); sd zero, PH_T_TOUPPER(t1)
#define PH_SET_SRESUME_S(lbl) \
    la t0, lbl; la t1, ph_ssave; sd t0, PH_T_RESUME(t1); li t0, 1; sd t0, PH_T_TOUPPER(t1)

/* Disarms a resume that the expected trap did not use. */
#define PH_CLEAR_RESUME la t1, ph_tsave; sd zero, PH_T_RESUME(t1)

/* Checks on the last trap taken to M / to S. */
#define PH_CHECK_REC(rec, off, exp) la t0, rec; ld t1, off(t0); PH_CHECK(t1, exp)
#define PH_CHECK_MCAUSE(c) PH_CHECK_REC(ph_tsave, PH_T_CAUSE, c)
#define PH_CHECK_MTVAL(v)  PH_CHECK_REC(ph_tsave, PH_T_TVAL, v)
#define PH_CHECK_SCAUSE(c) PH_CHECK_REC(ph_ssave, PH_T_CAUSE, c)
#define PH_CHECK_STVAL(v)  PH_CHECK_REC(ph_ssave, PH_T_TVAL, v)
#define PH_CHECK_MEPC(lbl) la t0, ph_tsave; ld t1, PH_T_EPC(t0); la t6, lbl; PH_BNE(t1, t6)
#define PH_CHECK_SEPC(lbl) la t0, ph_ssave; ld t1, PH_T_EPC(t0); la t6, lbl; PH_BNE(t1, t6)
#define PH_CHECK_MTVAL_LBL(lbl) la t0, ph_tsave; ld t1, PH_T_TVAL(t0); la t6, lbl; PH_BNE(t1, t6)
#define PH_CHECK_STVAL_LBL(lbl) la t0, ph_ssave; ld t1, PH_T_TVAL(t0); la t6, lbl; PH_BNE(t1, t6)

/*
 * Runs the instruction (the variadic part) expecting a synchronous exception taken to M with @cause;
 * execution continues after it, in the mode that trapped.
 */
#define PH_EXPECT_MTRAP(n, cause, ...) \
    li gp, n; PH_SET_RESUME(19998f); __VA_ARGS__; j ph_fail; 19998: PH_CHECK_MCAUSE(cause)

/* Privilege switches from M: mret into @lbl at S or U. */
#define PH_GOTO_PRIV(mpp, lbl) \
    li t0, PH_MSTATUS_MPP; csrc mstatus, t0; li t0, (mpp) << 11; csrs mstatus, t0; \
    la t0, lbl; csrw mepc, t0; mret
#define PH_GOTO_S(lbl) PH_GOTO_PRIV(1, lbl)
#define PH_GOTO_U(lbl) PH_GOTO_PRIV(0, lbl)
/* From S or U back to M, continuing after the ECALL (not with ECALLs delegated). */
#define PH_TO_M ecall

/* FP: operands and results as bit patterns in integer registers. */
#define PH_FCHECK_FLAGS(flags) csrr t5, fflags; li t6, flags; PH_BNE(t5, t6)

/* Double: fa0 = op(a, b) with rounding mode rm; checks bits and fflags. */
#define PH_TEST_FD2(n, op, rm, exp, flags, va, vb) \
    li gp, n; li a1, va; li a2, vb; fmv.d.x fa1, a1; fmv.d.x fa2, a2; csrwi fflags, 0; \
    op fa0, fa1, fa2, rm; fmv.x.d a0, fa0; PH_CHECK(a0, exp); PH_FCHECK_FLAGS(flags)
#define PH_TEST_FD1(n, op, rm, exp, flags, va) \
    li gp, n; li a1, va; fmv.d.x fa1, a1; csrwi fflags, 0; \
    op fa0, fa1, rm; fmv.x.d a0, fa0; PH_CHECK(a0, exp); PH_FCHECK_FLAGS(flags)
#define PH_TEST_FD3(n, op, rm, exp, flags, va, vb, vc) \
    li gp, n; li a1, va; li a2, vb; li a3, vc; fmv.d.x fa1, a1; fmv.d.x fa2, a2; \
    fmv.d.x fa3, a3; csrwi fflags, 0; \
    op fa0, fa1, fa2, fa3, rm; fmv.x.d a0, fa0; PH_CHECK(a0, exp); PH_FCHECK_FLAGS(flags)
/* Without a rounding-mode operand (min/max/sgnj). */
#define PH_TEST_FD2N(n, op, exp, flags, va, vb) \
    li gp, n; li a1, va; li a2, vb; fmv.d.x fa1, a1; fmv.d.x fa2, a2; csrwi fflags, 0; \
    op fa0, fa1, fa2; fmv.x.d a0, fa0; PH_CHECK(a0, exp); PH_FCHECK_FLAGS(flags)

/* Single: 32-bit patterns; the result is compared as FMV.X.W gives it (sign-extended). */
#define PH_SEXT32(v) ((((v) & 0xffffffff) ^ 0x80000000) - 0x80000000)
#define PH_TEST_FS2(n, op, rm, exp, flags, va, vb) \
    li gp, n; li a1, va; li a2, vb; fmv.w.x fa1, a1; fmv.w.x fa2, a2; csrwi fflags, 0; \
    op fa0, fa1, fa2, rm; fmv.x.w a0, fa0; PH_CHECK(a0, PH_SEXT32(exp)); PH_FCHECK_FLAGS(flags)
#define PH_TEST_FS1(n, op, rm, exp, flags, va) \
    li gp, n; li a1, va; fmv.w.x fa1, a1; csrwi fflags, 0; \
    op fa0, fa1, rm; fmv.x.w a0, fa0; PH_CHECK(a0, PH_SEXT32(exp)); PH_FCHECK_FLAGS(flags)
#define PH_TEST_FS3(n, op, rm, exp, flags, va, vb, vc) \
    li gp, n; li a1, va; li a2, vb; li a3, vc; fmv.w.x fa1, a1; fmv.w.x fa2, a2; \
    fmv.w.x fa3, a3; csrwi fflags, 0; \
    op fa0, fa1, fa2, fa3, rm; fmv.x.w a0, fa0; PH_CHECK(a0, PH_SEXT32(exp)); PH_FCHECK_FLAGS(flags)
#define PH_TEST_FS2N(n, op, exp, flags, va, vb) \
    li gp, n; li a1, va; li a2, vb; fmv.w.x fa1, a1; fmv.w.x fa2, a2; csrwi fflags, 0; \
    op fa0, fa1, fa2; fmv.x.w a0, fa0; PH_CHECK(a0, PH_SEXT32(exp)); PH_FCHECK_FLAGS(flags)

/* FP -> integer (conversions, compares, fclass): integer result in a0. */
#define PH_TEST_FD_INT(n, op, exp, flags, va, ...) \
    li gp, n; li a1, va; fmv.d.x fa1, a1; csrwi fflags, 0; \
    op a0, fa1, ##__VA_ARGS__; PH_CHECK(a0, exp); PH_FCHECK_FLAGS(flags)
#define PH_TEST_FS_INT(n, op, exp, flags, va, ...) \
    li gp, n; li a1, va; fmv.w.x fa1, a1; csrwi fflags, 0; \
    op a0, fa1, ##__VA_ARGS__; PH_CHECK(a0, exp); PH_FCHECK_FLAGS(flags)
#define PH_TEST_FD_CMP(n, op, exp, flags, va, vb) \
    li gp, n; li a1, va; li a2, vb; fmv.d.x fa1, a1; fmv.d.x fa2, a2; csrwi fflags, 0; \
    op a0, fa1, fa2; PH_CHECK(a0, exp); PH_FCHECK_FLAGS(flags)
#define PH_TEST_FS_CMP(n, op, exp, flags, va, vb) \
    li gp, n; li a1, va; li a2, vb; fmv.w.x fa1, a1; fmv.w.x fa2, a2; csrwi fflags, 0; \
    op a0, fa1, fa2; PH_CHECK(a0, exp); PH_FCHECK_FLAGS(flags)

/* Integer -> FP: a0 (integer) converted, result bits compared. */
#define PH_TEST_INT_FD(n, op, rm, exp, flags, va) \
    li gp, n; li a1, va; csrwi fflags, 0; op fa0, a1, rm; fmv.x.d a0, fa0; \
    PH_CHECK(a0, exp); PH_FCHECK_FLAGS(flags)
#define PH_TEST_INT_FS(n, op, rm, exp, flags, va) \
    li gp, n; li a1, va; csrwi fflags, 0; op fa0, a1, rm; fmv.x.w a0, fa0; \
    PH_CHECK(a0, PH_SEXT32(exp)); PH_FCHECK_FLAGS(flags)

/*
 * Every test file: PH_ISA_BEGIN, cases, PH_ISA_PASS.  Tests assemble
 * without compressed forms unless they say `.option rvc` (the C tests), so
 * that each instruction is tested in the encoding it is named after.
 */
#define PH_ISA_BEGIN .text; .option norvc; .globl ph_test_body; .align 2; ph_test_body:
#define PH_ISA_PASS  j ph_pass

#endif
