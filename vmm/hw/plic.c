/* The SiFive PLIC of QEMU's virt board: one hart, contexts 0 = M and 1 = S. */
#include "plic.h"

#include <string.h>

#include <glib.h>

#include "hw-int.h"

#define PLIC_PRIORITY 0x0
#define PLIC_PENDING 0x1000
#define PLIC_ENABLE 0x2000
#define PLIC_ENABLE_STRIDE 0x80
#define PLIC_CONTEXT 0x200000
#define PLIC_CONTEXT_STRIDE 0x1000
#define PLIC_NUM_CONTEXTS 2
#define PLIC_MAX_PRIORITY 7

struct PhPlic {
    PhIrqOut ext[PLIC_NUM_CONTEXTS];   /* 0 = M (MEIP), 1 = S (SEIP); under @lock */
    unsigned num_sources;
    unsigned words;                 /* 32-bit words of one source bitmap */
    /* Everything below is guarded by @lock: sources are driven from any
     * thread, registers from the vCPU thread. */
    GMutex lock;
    uint32_t *priority;             /* [num_sources + 1], source 0 stays 0 */
    uint32_t *level;                /* input line levels */
    uint32_t *pending;
    uint32_t *claimed;              /* gateway: claimed, not yet completed */
    uint32_t *enable[PLIC_NUM_CONTEXTS];
    uint32_t threshold[PLIC_NUM_CONTEXTS];
};

static bool bit_get(const uint32_t *map, unsigned n)
{
    return map[n / 32] >> (n % 32) & 1;
}

static void bit_set(uint32_t *map, unsigned n, bool on)
{
    if (on) {
        map[n / 32] |= 1u << (n % 32);
    } else {
        map[n / 32] &= ~(1u << (n % 32));
    }
}

/* The best source for @ctx: pending, enabled, above the threshold, highest
 * priority and then lowest number; 0 for none. */
static unsigned plic_best_locked(PhPlic *p, unsigned ctx)
{
    unsigned best = 0;
    uint32_t best_prio = p->threshold[ctx];
    for (unsigned w = 0; w < p->words; w++) {
        uint32_t cand = p->pending[w] & ~p->claimed[w] & p->enable[ctx][w];
        while (cand) {
            unsigned n = w * 32 + (unsigned)__builtin_ctz(cand);
            cand &= cand - 1;
            if (n < p->num_sources && p->priority[n] > best_prio) {
                best = n;
                best_prio = p->priority[n];
            }
        }
    }
    return best;
}

/* The output lines are set with the lock held; the sinks only touch
 * atomics and wake the vCPU (see plic.h). */
static void plic_update_locked(PhPlic *p)
{
    for (unsigned ctx = 0; ctx < PLIC_NUM_CONTEXTS; ctx++) {
        ph_irq_out_set(&p->ext[ctx], plic_best_locked(p, ctx) != 0);
    }
}

static void plic_set_source(void *opaque, unsigned n, bool level)
{
    PhPlic *p = opaque;
    if (n == 0 || n >= p->num_sources) {
        return;
    }
    g_mutex_lock(&p->lock);
    bit_set(p->level, n, level);
    /* The gateway forwards a raised line unless the source is in service.
     * A request already forwarded stays pending until claimed even if the
     * line drops again (the PLIC spec's gateway, and QEMU 7.2). */
    if (level && !bit_get(p->claimed, n)) {
        bit_set(p->pending, n, true);
        plic_update_locked(p);
    }
    g_mutex_unlock(&p->lock);
}

PhIrq ph_plic_source(PhPlic *p, unsigned n)
{
    return (PhIrq){ .set = plic_set_source, .opaque = p, .n = n };
}

static uint32_t plic_claim_locked(PhPlic *p, unsigned ctx)
{
    unsigned n = plic_best_locked(p, ctx);
    if (n) {
        bit_set(p->pending, n, false);
        bit_set(p->claimed, n, true);
    }
    plic_update_locked(p);
    return n;
}

static void plic_complete_locked(PhPlic *p, uint32_t n)
{
    /* As QEMU 7.2, any context may complete any source. */
    if (n == 0 || n >= p->num_sources) {
        return;
    }
    bit_set(p->claimed, n, false);
    /* Level-triggered: a line still high is forwarded again at once. */
    if (bit_get(p->level, n)) {
        bit_set(p->pending, n, true);
    }
    plic_update_locked(p);
}

/* Masks out bits past the last source in word @w (bit 0, source 0, is
 * stored, as QEMU does; it never matters since source 0 never pends). */
static uint32_t plic_valid_mask(PhPlic *p, unsigned w)
{
    uint32_t mask = UINT32_MAX;
    unsigned first = w * 32;
    if (first + 32 > p->num_sources) {
        unsigned keep = p->num_sources > first ? p->num_sources - first : 0;
        mask &= keep >= 32 ? UINT32_MAX : (1u << keep) - 1;
    }
    return mask;
}

static uint64_t plic_read(void *opaque, uint64_t offset, unsigned size)
{
    PhPlic *p = opaque;
    uint64_t value = 0;

    if (size != 4 || (offset & 3)) {
        return 0;   /* QEMU decodes 32-bit accesses only */
    }
    g_mutex_lock(&p->lock);
    if (offset < PLIC_PENDING) {
        uint64_t n = offset / 4;
        value = n <= p->num_sources ? p->priority[n] : 0;
    } else if (offset < PLIC_PENDING + p->words * 4u) {
        value = p->pending[(offset - PLIC_PENDING) / 4];
    } else if (offset >= PLIC_ENABLE &&
               offset < PLIC_ENABLE + PLIC_NUM_CONTEXTS * PLIC_ENABLE_STRIDE) {
        unsigned ctx = (offset - PLIC_ENABLE) / PLIC_ENABLE_STRIDE;
        unsigned w = (offset - PLIC_ENABLE) % PLIC_ENABLE_STRIDE / 4;
        value = w < p->words ? p->enable[ctx][w] : 0;
    } else if (offset >= PLIC_CONTEXT &&
               offset < PLIC_CONTEXT + PLIC_NUM_CONTEXTS * PLIC_CONTEXT_STRIDE) {
        unsigned ctx = (offset - PLIC_CONTEXT) / PLIC_CONTEXT_STRIDE;
        unsigned reg = (offset - PLIC_CONTEXT) % PLIC_CONTEXT_STRIDE;
        if (reg == 0) {
            value = p->threshold[ctx];
        } else if (reg == 4) {
            value = plic_claim_locked(p, ctx);
        }
    }
    g_mutex_unlock(&p->lock);
    return value;
}

static void plic_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    PhPlic *p = opaque;
    uint32_t v = (uint32_t)value;

    if (size != 4 || (offset & 3)) {
        return;
    }
    g_mutex_lock(&p->lock);
    if (offset < PLIC_PENDING) {
        uint64_t n = offset / 4;
        /* QEMU 7.2 also stores a priority for source @num_sources, which
         * cannot be raised; kept for register-level fidelity. */
        if (n > 0 && n <= p->num_sources) {
            p->priority[n] = v & PLIC_MAX_PRIORITY;
            plic_update_locked(p);
        }
    } else if (offset >= PLIC_ENABLE &&
               offset < PLIC_ENABLE + PLIC_NUM_CONTEXTS * PLIC_ENABLE_STRIDE) {
        unsigned ctx = (offset - PLIC_ENABLE) / PLIC_ENABLE_STRIDE;
        unsigned w = (offset - PLIC_ENABLE) % PLIC_ENABLE_STRIDE / 4;
        if (w < p->words) {
            p->enable[ctx][w] = v & plic_valid_mask(p, w);
            plic_update_locked(p);
        }
    } else if (offset >= PLIC_CONTEXT &&
               offset < PLIC_CONTEXT + PLIC_NUM_CONTEXTS * PLIC_CONTEXT_STRIDE) {
        unsigned ctx = (offset - PLIC_CONTEXT) / PLIC_CONTEXT_STRIDE;
        unsigned reg = (offset - PLIC_CONTEXT) % PLIC_CONTEXT_STRIDE;
        if (reg == 0) {
            p->threshold[ctx] = v & PLIC_MAX_PRIORITY;   /* as QEMU 7.2 */
            plic_update_locked(p);
        } else if (reg == 4) {
            plic_complete_locked(p, v);
        }
    }
    /* The pending array is read-only. */
    g_mutex_unlock(&p->lock);
}

static const PhMmioOps plic_ops = {
    .read = plic_read,
    .write = plic_write,
};

PhPlic *ph_plic_new(PhBus *bus, uint64_t base, unsigned num_sources,
                    PhIrq m_ext, PhIrq s_ext)
{
    PhPlic *p = g_new0(PhPlic, 1);
    p->num_sources = CLAMP(num_sources, 1u, PH_PLIC_MAX_SOURCES + 1u);
    p->words = (p->num_sources + 31) / 32;
    ph_irq_out_init(&p->ext[0], m_ext);
    ph_irq_out_init(&p->ext[1], s_ext);
    g_mutex_init(&p->lock);
    p->priority = g_new0(uint32_t, p->num_sources + 1);
    p->level = g_new0(uint32_t, p->words);
    p->pending = g_new0(uint32_t, p->words);
    p->claimed = g_new0(uint32_t, p->words);
    for (unsigned ctx = 0; ctx < PLIC_NUM_CONTEXTS; ctx++) {
        p->enable[ctx] = g_new0(uint32_t, p->words);
    }
    ph_bus_add_mmio(bus, "riscv.sifive.plic", base, PH_PLIC_SIZE, &plic_ops, p);
    return p;
}

void ph_plic_free(PhPlic *p)
{
    if (!p) {
        return;
    }
    g_free(p->priority);
    g_free(p->level);
    g_free(p->pending);
    g_free(p->claimed);
    for (unsigned ctx = 0; ctx < PLIC_NUM_CONTEXTS; ctx++) {
        g_free(p->enable[ctx]);
    }
    g_mutex_clear(&p->lock);
    g_free(p);
}

void ph_plic_reset(PhPlic *p)
{
    g_mutex_lock(&p->lock);
    memset(p->priority, 0, (p->num_sources + 1) * sizeof(uint32_t));
    for (unsigned w = 0; w < p->words; w++) {
        p->pending[w] = p->level[w];
        p->claimed[w] = 0;
        for (unsigned ctx = 0; ctx < PLIC_NUM_CONTEXTS; ctx++) {
            p->enable[ctx][w] = 0;
        }
    }
    for (unsigned ctx = 0; ctx < PLIC_NUM_CONTEXTS; ctx++) {
        p->threshold[ctx] = 0;
        ph_irq_out_forget(&p->ext[ctx]);
    }
    plic_update_locked(p);
    g_mutex_unlock(&p->lock);
}
