/* porthole: start-up and exit of the whole program. */
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "aio.h"
#include "ph-application.h"

int main(int argc, char *argv[])
{
    g_autoptr(PhApplication) application = NULL;
    int status;

    /* Before anything prints: option help and errors are translated too. */
    setlocale(LC_ALL, "");
    bindtextdomain(GETTEXT_PACKAGE, LOCALEDIR);
    bind_textdomain_codeset(GETTEXT_PACKAGE, "UTF-8");
    textdomain(GETTEXT_PACKAGE);

    ph_aio_init();

    application = ph_application_new();
    status = g_application_run(G_APPLICATION(application), argc, argv);
    g_clear_object(&application);

    ph_aio_shutdown();
    return status;
}
