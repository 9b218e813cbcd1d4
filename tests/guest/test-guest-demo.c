/* The default guest on `porthole --headless`: banner, echo console, commands, power-off. */
#include <string.h>

#include <glib.h>

#include "machine-test-util.h"

/*
 * FNV-1a of the boot screen at 1024x768, which the guest reads back from the
 * framebuffer: it changes when the drawing, the font or the framebuffer's
 * memory breaks (and when the boot screen is redesigned: then update it).
 */
#define BOOT_SCREEN_CHECKSUM "74b8ab37"

static PhChild *ph_demo_spawn(void)
{
    const char *image = g_getenv("PH_GUEST_IMAGE");

    g_assert_nonnull(image);
    return ph_child_spawn((const char *const[]){ "--headless", "-bios", "none", "-kernel",
                                                 image, NULL });
}

static void test_banner_and_commands(void)
{
    PhChild *c = ph_demo_spawn();
    g_autoptr(GRegex) date = g_regex_new("Date: 2\\d\\d\\d-[01]\\d-[0-3]\\d [0-2]\\d:[0-5]\\d:"
                                         "[0-5]\\d UTC\r\n", 0, 0, NULL);
    g_autoptr(GDateTime) now = g_date_time_new_now_utc();
    g_autofree char *year = g_date_time_format(now, "%Y-");

    g_assert_true(ph_child_wait_for(c, "Porthole demo guest 1.0\r\n", PH_BOOT_TIMEOUT_S));
    /* The RTC's date, which is the host's. */
    g_assert_true(ph_child_wait_for(c, "Date: ", 30));
    g_assert_true(ph_child_wait_for(c, " UTC\r\n", 30));
    g_assert_true(g_regex_match(date, c->out->str, 0, NULL));
    g_assert_nonnull(strstr(c->out->str, year));
    g_assert_true(ph_child_wait_for(c, "Framebuffer: 1024x768 from the device tree", 30));
    g_assert_true(ph_child_wait_for(c, "Boot screen checksum: " BOOT_SCREEN_CHECKSUM "\r\n",
                                    60));
    g_assert_true(ph_child_wait_for(c, "\r\n> ", 60));

    /* Typed text comes back, then the command's answer. */
    ph_child_send(c, "hello there\n");
    g_assert_true(ph_child_wait_for(c, "hello there\r\nunknown command: hello there", 30));
    g_assert_true(ph_child_wait_for(c, "\r\n> ", 30));
    ph_child_send(c, "help\n");
    g_assert_true(ph_child_wait_for(c, "poweroff", 30));
    g_assert_true(ph_child_wait_for(c, "\r\n> ", 30));
    /* A terminal's CR, CR LF and backspace. */
    ph_child_send(c, "timx\x7f" "e\r\n");
    g_assert_true(ph_child_wait_for(c, "timx\b \be\r\n", 30));
    g_assert_true(ph_child_wait_for(c, " UTC\r\n> ", 30));
    ph_child_send(c, "info\r");
    g_assert_true(ph_child_wait_for(c, "framebuffer 1024x768 at 0x40000000 (device tree), "
                                       "timer 10000000 Hz",
                                    30));
    g_assert_true(ph_child_wait_for(c, "\r\n> ", 30));

    ph_child_send(c, "poweroff\n");
    g_assert_true(ph_child_wait_for(c, "Powering off.", 30));
    g_assert_cmpint(ph_child_wait_exit(c, 60), ==, 0);
    ph_child_free(c);
}

/* --display-size reaches the guest through the device tree. */
static void test_display_size(void)
{
    const char *image = g_getenv("PH_GUEST_IMAGE");
    PhChild *c = ph_child_spawn((const char *const[]){ "--headless", "--display-size",
                                                       "640x480", "-bios", "none", "-kernel",
                                                       image, NULL });

    g_assert_true(ph_child_wait_for(c, "Framebuffer: 640x480 from the device tree",
                                    PH_BOOT_TIMEOUT_S));
    g_assert_true(ph_child_wait_for(c, "\r\n> ", 60));
    ph_child_send(c, "poweroff\n");
    g_assert_cmpint(ph_child_wait_exit(c, 60), ==, 0);
    ph_child_free(c);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/guest/demo/banner-and-commands", test_banner_and_commands);
    g_test_add_func("/guest/demo/display-size", test_display_size);
    return g_test_run();
}
