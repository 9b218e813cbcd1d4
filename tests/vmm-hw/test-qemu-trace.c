/* Replays register sequences recorded on QEMU 7.2's virt board (qemu-trace/) against our devices. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clint.h"
#include "goldfish-rtc.h"
#include "plic.h"
#include "uart.h"
#include "virtio-input.h"
#include "hw-test.h"
#include "ops.h"

typedef struct {
    bool present;
    bool fault;
    uint64_t value;
} Expected;

static uint64_t fixed_time(void *opaque)
{
    (void)opaque;
    return 12345;
}

/* expected.txt: "index value" or "index FAULT" lines, '#' comments. */
static Expected *load_expected(void)
{
    g_autofree char *text = NULL;
    g_autoptr(GError) error = NULL;
    const char *path = g_test_get_filename(G_TEST_DIST, "vmm-hw", "qemu-trace",
                                           "expected.txt", NULL);
    g_assert_true(g_file_get_contents(path, &text, NULL, &error));
    g_assert_no_error(error);

    Expected *exp = g_new0(Expected, QEMU_TRACE_N_OPS);
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    for (char **l = lines; *l; l++) {
        if (**l == '\0' || **l == '#') {
            continue;
        }
        char *end;
        unsigned long i = strtoul(*l, &end, 10);
        g_assert_cmpuint(i, <, QEMU_TRACE_N_OPS);
        g_assert_true(*end == ' ');
        exp[i].present = true;
        if (strcmp(end + 1, "FAULT") == 0) {
            exp[i].fault = true;
        } else {
            exp[i].value = g_ascii_strtoull(end + 1, NULL, 16);
        }
    }
    return exp;
}

static void test_trace(void)
{
    g_autofree Expected *exp = load_expected();
    PhBus *bus = ph_bus_new();
    ph_bus_add_ram(bus, "ram", 0x80000000, 1 << 20, 0);
    PhIrq none = { 0 };
    PhClint *clint = ph_clint_new(bus, C, none, none, fixed_time, NULL);
    PhPlic *plic = ph_plic_new(bus, P, 96, none, none);
    PhUart *uart = ph_uart_new(bus, U, ph_plic_source(plic, 10));
    PhGoldfishRtc *rtc = ph_goldfish_rtc_new(bus, R, ph_plic_source(plic, 11));
    PhVirtioMmio *slots[8];
    for (unsigned i = 0; i < 8; i++) {
        PhVirtioDevice *dev = i == 7 ? ph_virtio_input_device(ph_virtio_input_new_keyboard())
                            : i == 6 ? ph_virtio_input_device(ph_virtio_input_new_tablet())
                            : NULL;
        slots[i] = ph_virtio_mmio_new(bus, V(i), ph_plic_source(plic, i + 1), dev);
    }

    unsigned compared = 0, mismatches = 0;
    for (unsigned i = 0; i < QEMU_TRACE_N_OPS; i++) {
        const QemuTraceOp *o = &qemu_trace_ops[i];
        if (o->op == 'w') {
            bool ok = ph_bus_write(bus, o->addr, o->size, o->val);
            if (ok == (exp[i].present && exp[i].fault)) {
                g_test_message("op %u: write %s on QEMU, %s here", i,
                               exp[i].fault ? "faults" : "works", ok ? "works" : "faults");
                mismatches++;
            }
            continue;
        }
        uint64_t v = 0;
        bool ok = ph_bus_read(bus, o->addr, o->size, &v);
        g_assert_true(exp[i].present);
        if (o->op == 'x') {
            continue;   /* a known, documented difference */
        }
        compared++;
        if (exp[i].fault ? ok : (!ok || v != exp[i].value)) {
            g_test_message("op %u: read of %#" G_GINT64_MODIFIER "x (size %u): QEMU %s %#"
                           G_GINT64_MODIFIER "x, here %s %#" G_GINT64_MODIFIER "x",
                           i, o->addr, o->size, exp[i].fault ? "FAULT" : "value",
                           exp[i].value, ok ? "value" : "FAULT", v);
            mismatches++;
        }
    }
    g_test_message("%u reads compared with QEMU 7.2", compared);
    g_assert_cmpuint(compared, >, 200);
    g_assert_cmpuint(mismatches, ==, 0);

    for (unsigned i = 0; i < 8; i++) {
        ph_virtio_mmio_free(slots[i]);
    }
    ph_goldfish_rtc_free(rtc);
    ph_uart_free(uart);
    ph_plic_free(plic);
    ph_clint_free(clint);
    ph_bus_free(bus);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/vmm-hw/qemu-trace/registers", test_trace);
    return g_test_run();
}
