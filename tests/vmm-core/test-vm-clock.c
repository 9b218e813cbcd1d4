/* Tests for the guest clock: it advances with the host and stands still while stopped. */
#include <glib.h>

#include "vm-clock.h"

static void test_advances_and_stops(void)
{
    PhVmClock clock;
    ph_vm_clock_init(&clock);

    int64_t t0 = ph_vm_clock_ns(&clock);
    g_usleep(20000);
    int64_t t1 = ph_vm_clock_ns(&clock);
    g_assert_cmpint(t1 - t0, >=, 15000000);

    ph_vm_clock_stop(&clock);
    int64_t s0 = ph_vm_clock_ns(&clock);
    g_usleep(30000);
    g_assert_cmpint(ph_vm_clock_ns(&clock), ==, s0);
    ph_vm_clock_stop(&clock);   /* stopping twice keeps the first stop */
    g_assert_cmpint(ph_vm_clock_ns(&clock), ==, s0);

    ph_vm_clock_start(&clock);
    int64_t r0 = ph_vm_clock_ns(&clock);
    /* The pause is not counted: time resumes where it stopped. */
    g_assert_cmpint(r0 - s0, >=, 0);
    g_assert_cmpint(r0 - s0, <, 10000000);
    g_usleep(10000);
    g_assert_cmpint(ph_vm_clock_ns(&clock) - r0, >=, 8000000);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/vm-clock/advances-and-stops", test_advances_and_stops);
    return g_test_run();
}
