/* Tests of the Goldfish RTC: wall-clock time, guest-set time, the latched high half, alarms. */
#include "goldfish-rtc.h"
#include "hw-test.h"

#define BASE 0x101000ull
#define TIME_LOW (BASE + 0x00)
#define TIME_HIGH (BASE + 0x04)
#define ALARM_LOW (BASE + 0x08)
#define ALARM_HIGH (BASE + 0x0c)
#define IRQ_ENABLED (BASE + 0x10)
#define CLEAR_ALARM (BASE + 0x14)
#define ALARM_STATUS (BASE + 0x18)
#define CLEAR_INTERRUPT (BASE + 0x1c)

enum { LINE = 11 };

typedef struct {
    PhBus *bus;
    PhGoldfishRtc *rtc;
    HwIrqRec irq;
    int64_t now;   /* fake host wall clock, ns */
} Fixture;

static int64_t fake_now(void *opaque)
{
    return ((Fixture *)opaque)->now;
}

static void setup(Fixture *f, gconstpointer data)
{
    (void)data;
    f->bus = ph_bus_new();
    f->rtc = ph_goldfish_rtc_new(f->bus, BASE, hw_irq_line(&f->irq, LINE));
    f->now = 0x0000000500000010ll;
}

static void teardown(Fixture *f, gconstpointer data)
{
    (void)data;
    ph_goldfish_rtc_free(f->rtc);
    ph_bus_free(f->bus);
}

static uint64_t read_time(Fixture *f)
{
    uint64_t lo = hw_rd32(f->bus, TIME_LOW);
    return lo | (uint64_t)hw_rd32(f->bus, TIME_HIGH) << 32;
}

static void test_host_time(Fixture *f, gconstpointer data)
{
    (void)data;
    /* The real clock: wall-clock nanoseconds. */
    uint64_t before = (uint64_t)g_get_real_time() * 1000;
    uint64_t t = read_time(f);
    uint64_t after = (uint64_t)g_get_real_time() * 1000;
    g_assert_cmpuint(t, >=, before);
    g_assert_cmpuint(t, <=, after);
}

static void test_latch_and_set(Fixture *f, gconstpointer data)
{
    (void)data;
    ph_goldfish_rtc_set_clock(f->rtc, fake_now, f);
    g_assert_cmphex(hw_rd32(f->bus, TIME_LOW), ==, 0x10);
    /* TIME_HIGH is the value latched by the TIME_LOW read. */
    f->now = 0x0000000700000000ll;
    g_assert_cmphex(hw_rd32(f->bus, TIME_HIGH), ==, 5);
    g_assert_cmphex(read_time(f), ==, 0x0000000700000000ull);

    /* The guest sets the time; it then runs on from there. */
    hw_wr32(f->bus, TIME_HIGH, 0x12);
    hw_wr32(f->bus, TIME_LOW, 0x34);
    g_assert_cmphex(read_time(f), ==, 0x0000001200000034ull);
    f->now += 100;
    g_assert_cmphex(read_time(f), ==, 0x0000001200000098ull);
    /* Only 32-bit accesses are decoded. */
    g_assert_cmphex(hw_rd(f->bus, TIME_LOW, 8), ==, 0);
    hw_wr(f->bus, TIME_HIGH, 2, 0);
    g_assert_cmphex(read_time(f), ==, 0x0000001200000098ull);
    /* Reset keeps the guest's time. */
    ph_goldfish_rtc_reset(f->rtc);
    g_assert_cmphex(read_time(f), ==, 0x0000001200000098ull);
}

static void set_alarm(Fixture *f, uint64_t when)
{
    hw_wr32(f->bus, ALARM_HIGH, (uint32_t)(when >> 32));
    hw_wr32(f->bus, ALARM_LOW, (uint32_t)when);
}

static void test_alarm(Fixture *f, gconstpointer data)
{
    (void)data;
    ph_goldfish_rtc_set_clock(f->rtc, fake_now, f);
    g_assert_cmpint(ph_goldfish_rtc_ns_until_alarm(f->rtc), ==, INT64_MAX);
    hw_wr32(f->bus, IRQ_ENABLED, 1);
    g_assert_cmpuint(hw_rd32(f->bus, IRQ_ENABLED), ==, 1);
    set_alarm(f, (uint64_t)f->now + 1000);
    g_assert_cmpuint(hw_rd32(f->bus, ALARM_STATUS), ==, 1);
    g_assert_cmphex(hw_rd32(f->bus, ALARM_HIGH), ==, 5);
    g_assert_cmphex(hw_rd32(f->bus, ALARM_LOW), ==, 0x10 + 1000);
    g_assert_cmpint(ph_goldfish_rtc_ns_until_alarm(f->rtc), ==, 1000);
    g_assert_false(hw_irq_level(&f->irq, LINE));

    f->now += 999;
    ph_goldfish_rtc_poll(f->rtc);
    g_assert_false(hw_irq_level(&f->irq, LINE));
    f->now += 1;
    g_assert_cmpint(ph_goldfish_rtc_ns_until_alarm(f->rtc), ==, 0);
    ph_goldfish_rtc_poll(f->rtc);
    g_assert_true(hw_irq_level(&f->irq, LINE));
    g_assert_cmpuint(hw_rd32(f->bus, ALARM_STATUS), ==, 0);
    g_assert_cmpint(ph_goldfish_rtc_ns_until_alarm(f->rtc), ==, INT64_MAX);
    hw_wr32(f->bus, CLEAR_INTERRUPT, 1);
    g_assert_false(hw_irq_level(&f->irq, LINE));

    /* An alarm in the past fires at once. */
    set_alarm(f, (uint64_t)f->now - 5);
    g_assert_true(hw_irq_level(&f->irq, LINE));
    g_assert_cmpuint(hw_rd32(f->bus, ALARM_STATUS), ==, 0);
    hw_wr32(f->bus, CLEAR_INTERRUPT, 1);

    /* CLEAR_ALARM disarms. */
    set_alarm(f, (uint64_t)f->now + 50);
    hw_wr32(f->bus, CLEAR_ALARM, 1);
    g_assert_cmpuint(hw_rd32(f->bus, ALARM_STATUS), ==, 0);
    f->now += 100;
    ph_goldfish_rtc_poll(f->rtc);
    g_assert_false(hw_irq_level(&f->irq, LINE));

    /* With the interrupt disabled the alarm is pending but the line low;
     * enabling it raises the line. */
    hw_wr32(f->bus, IRQ_ENABLED, 0);
    set_alarm(f, (uint64_t)f->now + 10);
    f->now += 10;
    ph_goldfish_rtc_poll(f->rtc);
    g_assert_false(hw_irq_level(&f->irq, LINE));
    hw_wr32(f->bus, IRQ_ENABLED, 1);
    g_assert_true(hw_irq_level(&f->irq, LINE));

    ph_goldfish_rtc_reset(f->rtc);
    g_assert_false(hw_irq_level(&f->irq, LINE));
    g_assert_cmpuint(hw_rd32(f->bus, IRQ_ENABLED), ==, 0);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add("/vmm-hw/goldfish-rtc/host-time", Fixture, NULL, setup, test_host_time, teardown);
    g_test_add("/vmm-hw/goldfish-rtc/latch-and-set", Fixture, NULL, setup, test_latch_and_set,
               teardown);
    g_test_add("/vmm-hw/goldfish-rtc/alarm", Fixture, NULL, setup, test_alarm, teardown);
    return g_test_run();
}
