/* Tests for monitor/monitor-version: the version the greeting reports. */
#include "config.h"

#include "monitor-version.h"

#include <glib.h>

static void test_version_matches_project(void)
{
    int major = -1, minor = -1, micro = -1;
    g_autofree char *joined = NULL;

    ph_monitor_version(&major, &minor, &micro);
    joined = g_strdup_printf("%d.%d.%d", major, minor, micro);
    /* The numbers and the string both come from meson's project version. */
    g_assert_cmpstr(joined, ==, PORTHOLE_VERSION);
    g_assert_cmpint(major, >=, 0);
    g_assert_cmpint(minor, >=, 0);
    g_assert_cmpint(micro, >=, 0);
}

static void test_version_null_pointers(void)
{
    int minor = -1;

    /* Any of the out-parameters may be NULL. */
    ph_monitor_version(NULL, &minor, NULL);
    g_assert_cmpint(minor, ==, PORTHOLE_VERSION_MINOR);
    ph_monitor_version(NULL, NULL, NULL);
}

static void test_package_string(void)
{
    const char *package = ph_monitor_package_string();

    g_assert_cmpstr(package, ==, "porthole-" PORTHOLE_VERSION);
    g_assert_true(g_str_has_prefix(package, "porthole-"));
    /* Static storage: the same pointer every time. */
    g_assert_true(package == ph_monitor_package_string());
}

int main(int argc, char *argv[])
{
    g_test_init(&argc, &argv, NULL);

    g_test_add_func("/monitor/version/matches-project",
                    test_version_matches_project);
    g_test_add_func("/monitor/version/null-pointers",
                    test_version_null_pointers);
    g_test_add_func("/monitor/version/package-string", test_package_string);

    return g_test_run();
}
