/* porthole: start-up and exit of the whole program. */
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <string.h>

#include "aio.h"
#include "ph-application.h"

/*
 * QEMU spells its long options with one dash (-qmp, -name); GOption wants
 * two.  Rewrites those Porthole shares with QEMU, in place.
 */
static void ph_accept_qemu_spellings(int argc, char **argv)
{
    static const char *const qemu_options[] = { "-qmp", "-name" };
    int i;
    size_t j;

    for (i = 1; i < argc; i++) {
        if (g_str_equal(argv[i], "--")) {
            break;
        }
        for (j = 0; j < G_N_ELEMENTS(qemu_options); j++) {
            size_t len = strlen(qemu_options[j]);

            if (g_str_has_prefix(argv[i], qemu_options[j]) &&
                (argv[i][len] == '\0' || argv[i][len] == '=')) {
                argv[i] = g_strconcat("-", argv[i], NULL); /* lives until exit */
            }
        }
    }
}

int main(int argc, char *argv[])
{
    g_autoptr(PhApplication) application = NULL;
    int status;

    /* Before anything prints: option help and errors are translated too. */
    setlocale(LC_ALL, "");
    bindtextdomain(GETTEXT_PACKAGE, LOCALEDIR);
    bind_textdomain_codeset(GETTEXT_PACKAGE, "UTF-8");
    textdomain(GETTEXT_PACKAGE);

    ph_accept_qemu_spellings(argc, argv);
    ph_aio_init();

    application = ph_application_new();
    status = g_application_run(G_APPLICATION(application), argc, argv);
    if (status == 0 && ph_application_failed(application)) {
        status = 1;
    }
    g_clear_object(&application);

    ph_aio_shutdown();
    return status;
}
