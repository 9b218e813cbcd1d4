/* Tests for ui/ph-window: what the main window shows before a machine runs. */
#include "ph-window.h"

#include <gtk/gtk.h>
#include <stdbool.h>

typedef struct {
    GtkApplication *application;
    PhWindow *window;
} Fixture;

static void fixture_set_up(Fixture *fixture, gconstpointer data)
{
    g_autoptr(GError) error = NULL;

    /* Windows join an application only once it has started up. */
    fixture->application = gtk_application_new(NULL, G_APPLICATION_NON_UNIQUE);
    g_application_register(G_APPLICATION(fixture->application), NULL, &error);
    g_assert_no_error(error);
    fixture->window = ph_window_new(fixture->application);
    g_object_ref_sink(fixture->window);
}

static void fixture_tear_down(Fixture *fixture, gconstpointer data)
{
    gtk_widget_destroy(GTK_WIDGET(fixture->window));
    g_clear_object(&fixture->window);
    g_clear_object(&fixture->application);
}

static void collect_labels(GtkWidget *widget, gpointer user_data)
{
    GPtrArray *labels = user_data;

    if (GTK_IS_LABEL(widget) && gtk_widget_get_visible(widget)) {
        g_ptr_array_add(labels,
                        (gpointer)gtk_label_get_text(GTK_LABEL(widget)));
    }
    if (GTK_IS_CONTAINER(widget)) {
        gtk_container_forall(GTK_CONTAINER(widget), collect_labels, labels);
    }
}

static bool contains_string(GPtrArray *strings, const char *needle)
{
    for (guint i = 0; i < strings->len; i++) {
        if (g_strcmp0(g_ptr_array_index(strings, i), needle) == 0) {
            return true;
        }
    }
    return false;
}

static void test_title(Fixture *fixture, gconstpointer data)
{
    GtkWidget *titlebar = gtk_window_get_titlebar(GTK_WINDOW(fixture->window));

    g_assert_cmpstr(gtk_window_get_title(GTK_WINDOW(fixture->window)), ==,
                    "Porthole");
    g_assert_true(GTK_IS_HEADER_BAR(titlebar));
    g_assert_cmpstr(gtk_header_bar_get_title(GTK_HEADER_BAR(titlebar)), ==,
                    "Porthole");
    g_assert_true(
        gtk_header_bar_get_show_close_button(GTK_HEADER_BAR(titlebar)));
}

static void test_default_size(Fixture *fixture, gconstpointer data)
{
    int width = 0, height = 0;

    gtk_window_get_default_size(GTK_WINDOW(fixture->window), &width, &height);
    g_assert_cmpint(width, ==, 1024);
    g_assert_cmpint(height, ==, 800);
}

static void test_placeholder(Fixture *fixture, gconstpointer data)
{
    g_autoptr(GPtrArray) labels = g_ptr_array_new();
    GtkWidget *child = gtk_bin_get_child(GTK_BIN(fixture->window));

    g_assert_nonnull(child);
    g_assert_true(gtk_widget_get_visible(child));
    collect_labels(child, labels);
    g_assert_true(contains_string(labels, "No Machine Is Running Yet"));
}

static void test_icon_in_resources(void)
{
    /* PhWindow's class registers the resources. */
    g_type_ensure(PH_TYPE_WINDOW);
    g_assert_true(g_resources_get_info(
        "/io/github/porthole_vm/Porthole/icons/scalable/apps/"
        "io.github.porthole_vm.Porthole-symbolic.svg",
        G_RESOURCE_LOOKUP_FLAGS_NONE, NULL, NULL, NULL));
}

int main(int argc, char *argv[])
{
    /* Untranslated strings, whatever the developer's locale. */
    g_setenv("LC_ALL", "C", TRUE);
    gtk_test_init(&argc, &argv, NULL);

    g_test_add("/ui/window/title", Fixture, NULL, fixture_set_up, test_title,
               fixture_tear_down);
    g_test_add("/ui/window/default-size", Fixture, NULL, fixture_set_up,
               test_default_size, fixture_tear_down);
    g_test_add("/ui/window/placeholder", Fixture, NULL, fixture_set_up,
               test_placeholder, fixture_tear_down);
    g_test_add_func("/ui/window/icon-in-resources", test_icon_in_resources);

    return g_test_run();
}
