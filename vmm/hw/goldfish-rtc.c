/* The Goldfish RTC of QEMU's virt board: host wall-clock time plus a guest-set offset. */
#include "goldfish-rtc.h"

#include <glib.h>

#include "hw-int.h"

enum {
    RTC_TIME_LOW = 0x00,
    RTC_TIME_HIGH = 0x04,
    RTC_ALARM_LOW = 0x08,
    RTC_ALARM_HIGH = 0x0c,
    RTC_IRQ_ENABLED = 0x10,
    RTC_CLEAR_ALARM = 0x14,
    RTC_ALARM_STATUS = 0x18,
    RTC_CLEAR_INTERRUPT = 0x1c,
};

struct PhGoldfishRtc {
    PhIrqOut irq;   /* under @lock */
    int64_t (*now_ns)(void *opaque);
    void *now_opaque;
    /* Guarded by @lock: the board may ask for the next alarm from a thread
     * other than the vCPU's. */
    GMutex lock;
    uint64_t tick_offset;    /* guest ns = host wall-clock ns + tick_offset */
    uint64_t alarm_next;
    uint32_t time_high;      /* latched by reading TIME_LOW */
    bool alarm_running;
    bool irq_pending;
    bool irq_enabled;
};

static int64_t rtc_host_now_ns(void *opaque)
{
    (void)opaque;
    return g_get_real_time() * 1000;
}

static uint64_t rtc_count_locked(PhGoldfishRtc *r)
{
    return (uint64_t)r->now_ns(r->now_opaque) + r->tick_offset;
}

/* The line is set with the lock held (see goldfish-rtc.h). */
static void rtc_update_locked(PhGoldfishRtc *r)
{
    ph_irq_out_set(&r->irq, r->irq_pending && r->irq_enabled);
}

/* An alarm at or before now fires at once; otherwise it is armed and
 * ph_goldfish_rtc_poll() fires it. */
static void rtc_set_alarm_locked(PhGoldfishRtc *r)
{
    if (r->alarm_next <= rtc_count_locked(r)) {
        r->alarm_running = false;
        r->irq_pending = true;
        rtc_update_locked(r);
    } else {
        r->alarm_running = true;
    }
}

static uint64_t rtc_read(void *opaque, uint64_t offset, unsigned size)
{
    PhGoldfishRtc *r = opaque;
    uint64_t ret = 0;

    if (size != 4) {
        return 0;   /* QEMU decodes 32-bit accesses only */
    }
    g_mutex_lock(&r->lock);
    switch (offset) {
    case RTC_TIME_LOW: {
        uint64_t now = rtc_count_locked(r);
        r->time_high = now >> 32;
        ret = (uint32_t)now;
        break;
    }
    case RTC_TIME_HIGH:
        ret = r->time_high;
        break;
    case RTC_ALARM_LOW:
        ret = (uint32_t)r->alarm_next;
        break;
    case RTC_ALARM_HIGH:
        ret = r->alarm_next >> 32;
        break;
    case RTC_IRQ_ENABLED:
        ret = r->irq_enabled;
        break;
    case RTC_ALARM_STATUS:
        ret = r->alarm_running;
        break;
    default:
        break;
    }
    g_mutex_unlock(&r->lock);
    return ret;
}

static void rtc_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    PhGoldfishRtc *r = opaque;
    uint64_t v = (uint32_t)value;

    if (size != 4) {
        return;
    }
    g_mutex_lock(&r->lock);
    switch (offset) {
    case RTC_TIME_LOW: {
        uint64_t now = rtc_count_locked(r);
        uint64_t next = (now & ~0xffffffffull) | v;
        r->tick_offset += next - now;
        break;
    }
    case RTC_TIME_HIGH: {
        uint64_t now = rtc_count_locked(r);
        uint64_t next = (now & 0xffffffffull) | v << 32;
        r->tick_offset += next - now;
        break;
    }
    case RTC_ALARM_LOW:
        /* As QEMU: the low half arms the alarm, the high half only stores. */
        r->alarm_next = (r->alarm_next & ~0xffffffffull) | v;
        rtc_set_alarm_locked(r);
        break;
    case RTC_ALARM_HIGH:
        r->alarm_next = (r->alarm_next & 0xffffffffull) | v << 32;
        break;
    case RTC_IRQ_ENABLED:
        r->irq_enabled = v & 1;
        rtc_update_locked(r);
        break;
    case RTC_CLEAR_ALARM:
        r->alarm_running = false;
        break;
    case RTC_CLEAR_INTERRUPT:
        r->irq_pending = false;
        rtc_update_locked(r);
        break;
    default:
        break;
    }
    g_mutex_unlock(&r->lock);
}

static const PhMmioOps rtc_ops = {
    .read = rtc_read,
    .write = rtc_write,
};

PhGoldfishRtc *ph_goldfish_rtc_new(PhBus *bus, uint64_t base, PhIrq irq)
{
    PhGoldfishRtc *r = g_new0(PhGoldfishRtc, 1);
    ph_irq_out_init(&r->irq, irq);
    r->now_ns = rtc_host_now_ns;
    g_mutex_init(&r->lock);
    ph_bus_add_mmio(bus, "goldfish_rtc", base, PH_GOLDFISH_RTC_SIZE, &rtc_ops, r);
    return r;
}

void ph_goldfish_rtc_free(PhGoldfishRtc *r)
{
    if (!r) {
        return;
    }
    g_mutex_clear(&r->lock);
    g_free(r);
}

void ph_goldfish_rtc_set_clock(PhGoldfishRtc *r, int64_t (*now_ns)(void *opaque),
                               void *opaque)
{
    g_mutex_lock(&r->lock);
    r->now_ns = now_ns ? now_ns : rtc_host_now_ns;
    r->now_opaque = opaque;
    g_mutex_unlock(&r->lock);
}

void ph_goldfish_rtc_reset(PhGoldfishRtc *r)
{
    g_mutex_lock(&r->lock);
    r->alarm_next = 0;
    r->alarm_running = false;
    r->irq_pending = false;
    r->irq_enabled = false;
    ph_irq_out_forget(&r->irq);
    rtc_update_locked(r);
    g_mutex_unlock(&r->lock);
}

void ph_goldfish_rtc_poll(PhGoldfishRtc *r)
{
    g_mutex_lock(&r->lock);
    if (r->alarm_running && r->alarm_next <= rtc_count_locked(r)) {
        r->alarm_running = false;
        r->irq_pending = true;
        rtc_update_locked(r);
    }
    g_mutex_unlock(&r->lock);
}

int64_t ph_goldfish_rtc_ns_until_alarm(PhGoldfishRtc *r)
{
    int64_t ret = INT64_MAX;

    g_mutex_lock(&r->lock);
    if (r->alarm_running) {
        uint64_t now = rtc_count_locked(r);
        if (r->alarm_next <= now) {
            ret = 0;
        } else if (r->alarm_next - now < (uint64_t)INT64_MAX) {
            ret = (int64_t)(r->alarm_next - now);
        }
    }
    g_mutex_unlock(&r->lock);
    return ret;
}
