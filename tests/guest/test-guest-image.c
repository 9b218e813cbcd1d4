/* The committed default guest image is exactly what its sources build to. */
#include <string.h>

#include <glib.h>

static void test_image_matches(void)
{
    const char *built = g_getenv("PH_GUEST_BUILT");
    const char *committed = g_getenv("PH_GUEST_IMAGE");
    g_autofree char *a = NULL, *b = NULL;
    gsize alen = 0, blen = 0;
    g_autoptr(GError) error = NULL;

    g_assert_nonnull(committed);
    if (!built || !*built) {
        g_test_skip("rebuilding the guest needs riscv64-unknown-elf-gcc");
        return;
    }
    g_assert_true(g_file_get_contents(committed, &a, &alen, &error));
    g_assert_no_error(error);
    g_assert_true(g_file_get_contents(built, &b, &blen, &error));
    g_assert_no_error(error);
    if (alen != blen || memcmp(a, b, alen) != 0) {
        g_test_message("%s (%" G_GSIZE_FORMAT " bytes) differs from %s (%" G_GSIZE_FORMAT
                       " bytes): copy the fresh build over the committed image",
                       built, blen, committed, alen);
        g_test_fail();
    }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/guest/image/matches-sources", test_image_matches);
    return g_test_run();
}
