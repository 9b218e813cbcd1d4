/* Tests for vmm/runstate: QEMU 7.2's RunState names and lookups. */
#include "runstate.h"

#include <glib.h>

/* query-status's "status" values, in QEMU 7.2's enum order. */
static const char *const qemu_names[] = {
    "debug",      "inmigrate",   "internal-error", "io-error",
    "paused",     "postmigrate", "prelaunch",      "finish-migrate",
    "restore-vm", "running",     "save-vm",        "shutdown",
    "suspended",  "watchdog",    "guest-panicked", "colo",
};

static void test_names_match_qemu(void)
{
    g_assert_cmpint(PH_RUN_STATE__MAX, ==, G_N_ELEMENTS(qemu_names));
    for (unsigned i = 0; i < G_N_ELEMENTS(qemu_names); i++) {
        g_assert_cmpstr(ph_runstate_name((PhRunState)i), ==, qemu_names[i]);
    }
    g_assert_cmpstr(ph_runstate_name(PH_RUN_STATE_RUNNING), ==, "running");
    g_assert_cmpstr(ph_runstate_name(PH_RUN_STATE_GUEST_PANICKED), ==,
                    "guest-panicked");
}

static void test_name_out_of_range(void)
{
    g_assert_null(ph_runstate_name(PH_RUN_STATE__MAX));
    g_assert_null(ph_runstate_name((PhRunState)-1));
}

static void test_from_name_round_trip(void)
{
    for (unsigned i = 0; i < PH_RUN_STATE__MAX; i++) {
        PhRunState state = PH_RUN_STATE__MAX;

        g_assert_true(ph_runstate_from_name(qemu_names[i], &state));
        g_assert_cmpint(state, ==, i);
    }
}

static void test_from_name_unknown(void)
{
    static const char *const bad[] = {
        "",         "Running",        "RUNNING",        "run",   "running ",
        " running", "guest_panicked", "internal_error", "__max", "stopped",
    };

    for (unsigned i = 0; i < G_N_ELEMENTS(bad); i++) {
        PhRunState state = PH_RUN_STATE_COLO;

        g_assert_false(ph_runstate_from_name(bad[i], &state));
        /* A failed lookup leaves the caller's value alone. */
        g_assert_cmpint(state, ==, PH_RUN_STATE_COLO);
    }

    PhRunState state = PH_RUN_STATE_COLO;
    g_assert_false(ph_runstate_from_name(NULL, &state));
    g_assert_cmpint(state, ==, PH_RUN_STATE_COLO);
}

static void test_is_running(void)
{
    for (unsigned i = 0; i < PH_RUN_STATE__MAX; i++) {
        g_assert_cmpint(ph_runstate_is_running((PhRunState)i), ==,
                        i == PH_RUN_STATE_RUNNING);
    }
}

int main(int argc, char *argv[])
{
    g_test_init(&argc, &argv, NULL);

    g_test_add_func("/vmm/runstate/names-match-qemu", test_names_match_qemu);
    g_test_add_func("/vmm/runstate/name-out-of-range", test_name_out_of_range);
    g_test_add_func("/vmm/runstate/from-name-round-trip",
                    test_from_name_round_trip);
    g_test_add_func("/vmm/runstate/from-name-unknown", test_from_name_unknown);
    g_test_add_func("/vmm/runstate/is-running", test_is_running);

    return g_test_run();
}
