/* porthole: start-up and exit of the whole program. */
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <stdbool.h>
#include <string.h>

#include "aio.h"
#include "ph-application.h"

/*
 * QEMU spells its long options with one dash (-qmp, -kernel); GOption
 * wants two.  Rewrites those Porthole shares with QEMU, in place.  The
 * argument of an option that takes one is skipped, so that `-append -m`
 * stays a kernel command line.
 */
static void ph_accept_qemu_spellings(int argc, char **argv, GPtrArray *owned)
{
    static const struct {
        const char *name;
        bool has_arg;
    } qemu_options[] = {
        { "-qmp", true },     { "-name", true },   { "-bios", true },
        { "-kernel", true },  { "-initrd", true }, { "-append", true },
        { "-dtb", true },     { "-m", true },      { "-serial", true },
        { "-machine", true }, { "-smp", true },    { "-nographic", false },
    };
    int i;
    size_t j;

    for (i = 1; i < argc; i++) {
        if (g_str_equal(argv[i], "--")) {
            break;
        }
        if (g_str_equal(argv[i], "-M")) {
            i++;        /* a short option of GOption already; skip its value */
            continue;
        }
        for (j = 0; j < G_N_ELEMENTS(qemu_options); j++) {
            size_t len = strlen(qemu_options[j].name);

            if (g_str_has_prefix(argv[i], qemu_options[j].name) &&
                (argv[i][len] == '\0' || argv[i][len] == '=')) {
                bool takes_next = qemu_options[j].has_arg && argv[i][len] == '\0';

                /* GOption moves argv's pointers around, so @owned keeps
                 * the rewritten strings until main() returns. */
                argv[i] = g_strconcat("-", argv[i], NULL);
                g_ptr_array_add(owned, argv[i]);
                if (takes_next) {
                    i++;
                }
                break;
            }
        }
        /* Porthole's own long options take values too. */
        if (j == G_N_ELEMENTS(qemu_options) && g_str_has_prefix(argv[i], "--") &&
            !strchr(argv[i], '=') &&
            (g_str_equal(argv[i], "--qmp") || g_str_equal(argv[i], "--name") ||
             g_str_equal(argv[i], "--display-size") || g_str_equal(argv[i], "--bios") ||
             g_str_equal(argv[i], "--kernel") || g_str_equal(argv[i], "--initrd") ||
             g_str_equal(argv[i], "--append") || g_str_equal(argv[i], "--dtb") ||
             g_str_equal(argv[i], "--serial") || g_str_equal(argv[i], "--machine") ||
             g_str_equal(argv[i], "--smp") || g_str_equal(argv[i], "--m"))) {
            i++;
        }
    }
}

int main(int argc, char *argv[])
{
    g_autoptr(PhApplication) application = NULL;
    g_autoptr(GPtrArray) rewritten_args = g_ptr_array_new_with_free_func(g_free);
    int status;

    /* Before anything prints: option help and errors are translated too. */
    setlocale(LC_ALL, "");
    bindtextdomain(GETTEXT_PACKAGE, LOCALEDIR);
    bind_textdomain_codeset(GETTEXT_PACKAGE, "UTF-8");
    textdomain(GETTEXT_PACKAGE);

    ph_accept_qemu_spellings(argc, argv, rewritten_args);
    ph_aio_init();

    application = ph_application_new();
    status = g_application_run(G_APPLICATION(application), argc, argv);
    if (status == 0 && ph_application_failed(application)) {
        status = 1;
    }
    /* The GUI ran the guest: its HTIF/test-device verdict is ours. */
    if (status == 0 && ph_application_guest_exit_status(application) > 0) {
        status = ph_application_guest_exit_status(application);
    }
    g_clear_object(&application);

    ph_aio_shutdown();
    return status;
}
