/* Tests of the SiFive test device: power-off, reset, fail with an exit code, other values ignored. */
#include "syscon.h"
#include "hw-test.h"

#define BASE 0x100000ull

typedef struct {
    PhBus *bus;
    PhSyscon *syscon;
    GArray *actions;   /* pairs (action, code) */
} Fixture;

static void on_action(void *opaque, PhSysconAction action, int exit_code)
{
    Fixture *f = opaque;
    int pair[2] = { (int)action, exit_code };
    g_array_append_vals(f->actions, pair, 2);
}

static void setup(Fixture *f, gconstpointer data)
{
    (void)data;
    f->bus = ph_bus_new();
    f->actions = g_array_new(FALSE, FALSE, sizeof(int));
    f->syscon = ph_syscon_new(f->bus, BASE, on_action, f);
}

static void teardown(Fixture *f, gconstpointer data)
{
    (void)data;
    ph_syscon_free(f->syscon);
    ph_bus_free(f->bus);
    g_array_unref(f->actions);
}

static void expect(Fixture *f, unsigned index, PhSysconAction action, int code)
{
    g_assert_cmpuint(f->actions->len, >=, 2 * index + 2);
    g_assert_cmpint(g_array_index(f->actions, int, 2 * index), ==, (int)action);
    g_assert_cmpint(g_array_index(f->actions, int, 2 * index + 1), ==, code);
}

static void test_actions(Fixture *f, gconstpointer data)
{
    (void)data;
    hw_wr32(f->bus, BASE, 0x5555);
    expect(f, 0, PH_SYSCON_POWEROFF, 0);
    hw_wr32(f->bus, BASE, 0x7777);
    expect(f, 1, PH_SYSCON_RESET, 0);
    hw_wr32(f->bus, BASE, (42u << 16) | 0x3333);
    expect(f, 2, PH_SYSCON_FAIL, 42);
    /* 16-bit stores count too (QEMU decodes 2..4 bytes). */
    hw_wr(f->bus, BASE, 2, 0x5555);
    expect(f, 3, PH_SYSCON_POWEROFF, 0);
    g_assert_cmpuint(f->actions->len, ==, 8);
}

static void test_ignored(Fixture *f, gconstpointer data)
{
    (void)data;
    hw_wr32(f->bus, BASE, 0x1234);
    hw_wr32(f->bus, BASE, 0x5556);
    hw_wr32(f->bus, BASE + 4, 0x5555);       /* other offsets */
    hw_wr32(f->bus, BASE + 0xffc, 0x7777);
    hw_wr(f->bus, BASE, 1, 0x55);            /* byte stores */
    hw_wr(f->bus, BASE, 8, 0x5555);          /* 64-bit stores */
    g_assert_cmpuint(f->actions->len, ==, 0);
    g_assert_cmpuint(hw_rd32(f->bus, BASE), ==, 0);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add("/vmm-hw/syscon/actions", Fixture, NULL, setup, test_actions, teardown);
    g_test_add("/vmm-hw/syscon/ignored", Fixture, NULL, setup, test_ignored, teardown);
    return g_test_run();
}
