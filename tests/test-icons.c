/* Tests for data/icons: both SVGs load and render at their design size. */
#include <gdk-pixbuf/gdk-pixbuf.h>
#include <glib.h>

#define APP_ID "io.github.porthole_vm.Porthole"

static GdkPixbuf *load_icon(const char *subdir, const char *file)
{
    g_autofree char *path =
        g_test_build_filename(G_TEST_DIST, "..", "data", "icons", "hicolor",
                              subdir, "apps", file, NULL);
    g_autoptr(GError) error = NULL;
    GdkPixbuf *pixbuf = gdk_pixbuf_new_from_file(path, &error);

    g_assert_no_error(error);
    g_assert_nonnull(pixbuf);
    return pixbuf;
}

/* Alpha of the pixel at (x, y); the pixbufs from SVGs have alpha. */
static guint8 alpha_at(GdkPixbuf *pixbuf, int x, int y)
{
    const guint8 *pixels = gdk_pixbuf_read_pixels(pixbuf);

    g_assert_true(gdk_pixbuf_get_has_alpha(pixbuf));
    return pixels[y * gdk_pixbuf_get_rowstride(pixbuf) +
                  x * gdk_pixbuf_get_n_channels(pixbuf) + 3];
}

static void test_scalable(void)
{
    g_autoptr(GdkPixbuf) icon = load_icon("scalable", APP_ID ".svg");

    g_assert_cmpint(gdk_pixbuf_get_width(icon), ==, 128);
    g_assert_cmpint(gdk_pixbuf_get_height(icon), ==, 128);
    /* Round: opaque glass in the middle, transparent corners. */
    g_assert_cmpint(alpha_at(icon, 64, 64), ==, 255);
    g_assert_cmpint(alpha_at(icon, 0, 0), ==, 0);
    g_assert_cmpint(alpha_at(icon, 127, 0), ==, 0);
}

static void test_symbolic(void)
{
    g_autoptr(GdkPixbuf) icon = load_icon("symbolic", APP_ID "-symbolic.svg");

    g_assert_cmpint(gdk_pixbuf_get_width(icon), ==, 16);
    g_assert_cmpint(gdk_pixbuf_get_height(icon), ==, 16);
    /* Glass in the middle, a rim, transparent corners. */
    g_assert_cmpint(alpha_at(icon, 8, 8), >, 200);
    g_assert_cmpint(alpha_at(icon, 8, 1), >, 200);
    g_assert_cmpint(alpha_at(icon, 0, 0), ==, 0);
}

int main(int argc, char *argv[])
{
    g_test_init(&argc, &argv, NULL);

    g_test_add_func("/data/icons/scalable", test_scalable);
    g_test_add_func("/data/icons/symbolic", test_symbolic);

    return g_test_run();
}
