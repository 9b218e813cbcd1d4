/* Tests of the PPM reader: good P6/P3 images pixel by pixel, every malformed-header error. */
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "ppm-reader.h"

/* A literal with its exact length: P6 data may hold NUL bytes. */
#define LIT(s) (const uint8_t *)(s), (sizeof(s) - 1)

static uint32_t pixel_at(pixman_image_t *image, int x, int y)
{
    const uint8_t *base = (const uint8_t *)pixman_image_get_data(image);
    const uint32_t *row = (const uint32_t *)(base + (size_t)y * (size_t)pixman_image_get_stride(image));

    /* The x byte is padding: only the colour is part of the contract. */
    return row[x] & 0x00ffffffu;
}

/* Decodes from a heap copy of exactly len bytes, so that ASan sees any
 * read past the end. */
static pixman_image_t *read_exact(const uint8_t *data, size_t len, GError **error)
{
    uint8_t *copy = g_malloc(len ? len : 1);
    pixman_image_t *image;

    if (len) {
        memcpy(copy, data, len);
    }
    image = ph_ppm_read(len ? copy : NULL, len, error);
    g_free(copy);
    return image;
}

static pixman_image_t *read_ok(const uint8_t *data, size_t len, int width, int height)
{
    g_autoptr(GError) error = NULL;
    pixman_image_t *image = read_exact(data, len, &error);

    g_assert_no_error(error);
    g_assert_nonnull(image);
    g_assert_cmpint(pixman_image_get_format(image), ==, PIXMAN_x8r8g8b8);
    g_assert_cmpint(pixman_image_get_width(image), ==, width);
    g_assert_cmpint(pixman_image_get_height(image), ==, height);
    return image;
}

static void test_p6_8bit(void)
{
    /* 3x2, non-square, every pixel different. */
    pixman_image_t *image = read_ok(LIT("P6\n3 2\n255\n"
                                        "\x00\x00\x00" "\xff\x00\x00" "\x00\xff\x00"
                                        "\x00\x00\xff" "\x12\x34\x56" "\xff\xff\xff"), 3, 2);

    g_assert_cmphex(pixel_at(image, 0, 0), ==, 0x000000);
    g_assert_cmphex(pixel_at(image, 1, 0), ==, 0xff0000);
    g_assert_cmphex(pixel_at(image, 2, 0), ==, 0x00ff00);
    g_assert_cmphex(pixel_at(image, 0, 1), ==, 0x0000ff);
    g_assert_cmphex(pixel_at(image, 1, 1), ==, 0x123456);
    g_assert_cmphex(pixel_at(image, 2, 1), ==, 0xffffff);
    pixman_image_unref(image);
}

static void test_p6_16bit(void)
{
    /* Big-endian samples; multiples of 257 map exactly to v / 257. */
    pixman_image_t *image = read_ok(LIT("P6 2 1 65535\n"
                                        "\xff\xff\x00\x00\x80\x80"
                                        "\x01\x01\x7f\x7f\xfe\xfe"), 2, 1);

    g_assert_cmphex(pixel_at(image, 0, 0), ==, 0xff0080);
    g_assert_cmphex(pixel_at(image, 1, 0), ==, 0x017ffe);
    pixman_image_unref(image);

    /* maxval 1000: 500 is 127.5, rounded to 128; a byte order mix-up
     * (0x01f4 read as 0xf401) would be above maxval and clamp to 255. */
    image = read_ok(LIT("P6 1 1 1000\n\x03\xe8\x01\xf4\x00\x00"), 1, 1);
    g_assert_cmphex(pixel_at(image, 0, 0), ==, 0xff8000);
    pixman_image_unref(image);
}

static void test_p6_small_maxval(void)
{
    /* maxval 15: v * 17; a sample above maxval clamps to full. */
    pixman_image_t *image = read_ok(LIT("P6 2 1 15\n\x01\x0f\x00\x08\xc8\x02"), 2, 1);

    g_assert_cmphex(pixel_at(image, 0, 0), ==, 0x11ff00);
    g_assert_cmphex(pixel_at(image, 1, 0), ==, 0x88ff22);
    pixman_image_unref(image);
}

static void test_p6_raster_looks_like_header(void)
{
    /* One whitespace byte ends the header: raster bytes that are
     * whitespace or '#' are pixels, not more header. */
    pixman_image_t *image = read_ok(LIT("P6 2 1 255\n\n #\t\r\n"), 2, 1);

    g_assert_cmphex(pixel_at(image, 0, 0), ==, 0x0a2023);
    g_assert_cmphex(pixel_at(image, 1, 0), ==, 0x090d0a);
    pixman_image_unref(image);
}

static void test_p6_one_pixel_and_spacing(void)
{
    /* Comments straight after the magic and between every field, CR LF,
     * tabs, and junk after the last pixel. */
    pixman_image_t *image = read_ok(LIT("P6#made by hand\r\n1\t#w\n\t1#h\r\n  255\r"
                                        "\xab\xcd\xef" "trailing junk"), 1, 1);

    g_assert_cmphex(pixel_at(image, 0, 0), ==, 0xabcdef);
    pixman_image_unref(image);
}

static void test_p3_comments(void)
{
    pixman_image_t *image = read_ok(LIT("P3 # ascii\n# a whole comment line\n"
                                        "2 2 # size\n15\n"
                                        "0 0 0   15 15 15\n"
                                        "# comment in the pixels\n"
                                        "1 2 3\t4\r\n5 6"), 2, 2);

    g_assert_cmphex(pixel_at(image, 0, 0), ==, 0x000000);
    g_assert_cmphex(pixel_at(image, 1, 0), ==, 0xffffff);
    g_assert_cmphex(pixel_at(image, 0, 1), ==, 0x112233);
    g_assert_cmphex(pixel_at(image, 1, 1), ==, 0x445566);
    pixman_image_unref(image);

    image = read_ok(LIT("P3\n1 3\n65535\n65535 0 32896\n257 0 0\n0 0 514\n"), 1, 3);
    g_assert_cmphex(pixel_at(image, 0, 0), ==, 0xff0080);
    g_assert_cmphex(pixel_at(image, 0, 1), ==, 0x010000);
    g_assert_cmphex(pixel_at(image, 0, 2), ==, 0x000002);
    pixman_image_unref(image);
}

/* A screen-sized image, so that the row stride is exercised for real. */
static void test_p6_large(void)
{
    const int w = 640, h = 480;
    g_autoptr(GByteArray) buf = g_byte_array_new();
    g_autofree char *header = g_strdup_printf("P6\n%d %d\n255\n", w, h);
    pixman_image_t *image;

    g_byte_array_append(buf, (const guint8 *)header, strlen(header));
    for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
            guint8 rgb[3] = { (guint8)x, (guint8)y, (guint8)(x ^ y) };

            g_byte_array_append(buf, rgb, 3);
        }
    }
    image = read_ok(buf->data, buf->len, w, h);
    for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
            uint32_t want = ((uint32_t)(x & 0xff) << 16) | ((uint32_t)(y & 0xff) << 8) |
                            (uint32_t)((x ^ y) & 0xff);

            if (pixel_at(image, x, y) != want) {
                g_error("pixel (%d, %d) is %06x, expected %06x", x, y,
                        pixel_at(image, x, y), want);
            }
        }
    }
    pixman_image_unref(image);
}

typedef struct {
    const char *name;
    const char *data;
    size_t len;
    PhPpmError code;
    const char *message;  /* a substring of the message, or NULL */
} BadCase;

#define BAD(name, s, code, msg) { name, s, sizeof(s) - 1, code, msg }

static const BadCase bad_cases[] = {
    BAD("empty", "", PH_PPM_ERROR_BAD_MAGIC, "Not a PPM file (expected P3 or P6)"),
    BAD("one-byte", "P", PH_PPM_ERROR_BAD_MAGIC, NULL),
    BAD("pgm", "P5 1 1 255\n\0", PH_PPM_ERROR_BAD_MAGIC, NULL),
    BAD("pam", "P7\nWIDTH 1\n", PH_PPM_ERROR_BAD_MAGIC, NULL),
    BAD("png", "\x89PNG\r\n\x1a\n", PH_PPM_ERROR_BAD_MAGIC, NULL),
    BAD("magic-glued", "P61 1 255\n\0\0\0", PH_PPM_ERROR_BAD_MAGIC, NULL),
    BAD("no-width", "P6", PH_PPM_ERROR_BAD_HEADER, "PPM header: missing width"),
    BAD("only-comment", "P6 # nothing else", PH_PPM_ERROR_BAD_HEADER, "missing width"),
    BAD("garbage-width", "P6 x 1 255\n", PH_PPM_ERROR_BAD_HEADER, "PPM header: bad width"),
    BAD("width-letter-o", "P6 64O 480 255\n", PH_PPM_ERROR_BAD_HEADER, "bad width"),
    BAD("width-plus", "P6 +1 1 255\n", PH_PPM_ERROR_BAD_HEADER, "bad width"),
    BAD("width-minus-only", "P6 - 1 255\n", PH_PPM_ERROR_BAD_HEADER, "bad width"),
    BAD("no-height", "P6 1 ", PH_PPM_ERROR_BAD_HEADER, "PPM header: missing height"),
    BAD("garbage-height", "P3 1 abc 255\n", PH_PPM_ERROR_BAD_HEADER, "bad height"),
    BAD("width-x-height", "P6 640x480 255\n", PH_PPM_ERROR_BAD_HEADER, "bad width"),
    BAD("no-maxval", "P6 1 1", PH_PPM_ERROR_BAD_HEADER, "PPM header: missing maxval"),
    BAD("garbage-maxval", "P6 1 1 25x5\n", PH_PPM_ERROR_BAD_HEADER, "bad maxval"),
    BAD("p6-maxval-then-comment", "P6 1 1 255#c\n\0\0\0", PH_PPM_ERROR_BAD_HEADER,
        "bad maxval"),
    BAD("zero-width", "P6 0 1 255\n", PH_PPM_ERROR_BAD_DIMENSIONS, "PPM image width is zero"),
    BAD("zero-height", "P3 1 0 255\n", PH_PPM_ERROR_BAD_DIMENSIONS, "height is zero"),
    BAD("negative-width", "P6 -1 1 255\n\0\0\0", PH_PPM_ERROR_BAD_DIMENSIONS,
        "PPM image width is negative"),
    BAD("negative-height", "P6 1 -3 255\n", PH_PPM_ERROR_BAD_DIMENSIONS, "height is negative"),
    BAD("zero-maxval", "P6 1 1 0\n\0\0\0", PH_PPM_ERROR_BAD_MAXVAL,
        "PPM maxval 0 is out of range (1 to 65535)"),
    BAD("maxval-65536", "P6 1 1 65536\n", PH_PPM_ERROR_BAD_MAXVAL, "maxval 65536 is out of"),
    BAD("negative-maxval", "P3 1 1 -1\n", PH_PPM_ERROR_BAD_MAXVAL, "maxval -1 is out of"),
    BAD("huge-maxval", "P6 1 1 99999999999999999999999\n", PH_PPM_ERROR_BAD_MAXVAL,
        "maxval 99999999999999999999... is out of"),
    BAD("too-large", "P6 70000 70000 255\n", PH_PPM_ERROR_TOO_LARGE,
        "PPM image 70000x70000 is too large"),
    BAD("too-wide", "P6 16385 1 255\n", PH_PPM_ERROR_TOO_LARGE, "16385x1 is too large"),
    BAD("too-tall", "P3 1 16385 255\n", PH_PPM_ERROR_TOO_LARGE, "1x16385 is too large"),
    /* Would be 2^66 pixels: the size arithmetic must not wrap. */
    BAD("overflow", "P6 4294967296 4294967296 255\n", PH_PPM_ERROR_TOO_LARGE, "too large"),
    BAD("overflow-digits", "P6 123456789012345678901234567890 1 255\n",
        PH_PPM_ERROR_TOO_LARGE, "12345678901234567890...x1 is too large"),
    BAD("p6-truncated", "P6 2 2 255\n\1\2\3\4\5", PH_PPM_ERROR_TRUNCATED,
        "PPM pixel data is truncated: expected 12 bytes, found 5"),
    BAD("p6-16bit-truncated", "P6 1 1 256\n\1\2\3", PH_PPM_ERROR_TRUNCATED,
        "expected 6 bytes, found 3"),
    BAD("p6-no-raster", "P6 1 1 255", PH_PPM_ERROR_TRUNCATED, "expected 3 bytes, found 0"),
    /* Must fail before allocating the 1 GiB a full image would need. */
    BAD("p6-max-size-truncated", "P6 16384 16384 255\n\0", PH_PPM_ERROR_TRUNCATED,
        "expected 805306368 bytes, found 1"),
    BAD("p3-max-size-truncated", "P3 16384 16384 255\n1 2 3", PH_PPM_ERROR_TRUNCATED,
        "expected at least 1610612735 bytes"),
    BAD("p3-too-few-samples", "P3 2 1 255\n1 2 3 4 5                ", PH_PPM_ERROR_TRUNCATED,
        "PPM pixel data is truncated: expected 6 samples, found 5"),
    BAD("p3-above-maxval", "P3 2 1 15\n1 2 3 4 16 6", PH_PPM_ERROR_BAD_SAMPLE,
        "PPM pixel data: sample 16 at pixel (1, 0) is above maxval 15"),
    BAD("p3-above-16bit", "P3 1 1 65535\n1 65536 3", PH_PPM_ERROR_BAD_SAMPLE,
        "sample 65536 at pixel (0, 0) is above maxval 65535"),
    BAD("p3-huge-sample", "P3 1 1 255\n1 2 99999999999999999999999", PH_PPM_ERROR_BAD_SAMPLE,
        "above maxval 255"),
    BAD("p3-garbage-sample", "P3 1 2 255\n1 2 3 4 x 6", PH_PPM_ERROR_BAD_SAMPLE,
        "PPM pixel data: bad sample at pixel (0, 1)"),
    BAD("p3-glued-sample", "P3 1 1 255\n1 2 3x", PH_PPM_ERROR_BAD_SAMPLE, "bad sample"),
    BAD("p3-negative-sample", "P3 1 1 255\n1 -2 3", PH_PPM_ERROR_BAD_SAMPLE, "bad sample"),
};

static void test_bad(gconstpointer user_data)
{
    const BadCase *c = user_data;
    g_autoptr(GError) error = NULL;
    pixman_image_t *image = read_exact((const uint8_t *)c->data, c->len, &error);

    g_assert_null(image);
    g_assert_error(error, PH_PPM_ERROR, (gint)c->code);
    if (c->message != NULL && strstr(error->message, c->message) == NULL) {
        g_error("message \"%s\" does not contain \"%s\"", error->message, c->message);
    }

    /* Without a GError to fill in, failure is still just NULL. */
    g_assert_null(read_exact((const uint8_t *)c->data, c->len, NULL));
}

/* The screendump size from the brief, message checked word for word. */
static void test_truncated_message(void)
{
    const char *header = "P6\n1024 768\n255\n";
    size_t hlen = strlen(header);
    g_autofree uint8_t *data = g_malloc0(hlen + 1000);
    g_autoptr(GError) error = NULL;

    memcpy(data, header, hlen);
    g_assert_null(ph_ppm_read(data, hlen + 1000, &error));
    g_assert_error(error, PH_PPM_ERROR, PH_PPM_ERROR_TRUNCATED);
    g_assert_cmpstr(error->message, ==,
                    "PPM pixel data is truncated: expected 2359296 bytes, found 1000");
}

/* Every cut of a good file is a clean error (P6) or a clean result (P3,
 * where a cut can still be a valid shorter number); ASan checks that no
 * cut reads past its end. */
static void test_every_prefix(void)
{
    static const char p6[] = "P6 # c\n2 2\n65535\n"
                             "\1\2\3\4\5\6\7\10\11\12\13\14\15\16\17\20\21\22\23\24\25\26\27\30";
    static const char p3[] = "P3 # c\n2 2\n65535\n1 2 3 4 5 6\n7 8 9 10 11 12";

    for (size_t n = 0; n < sizeof(p6) - 1; n++) {
        g_autoptr(GError) error = NULL;

        g_assert_null(read_exact((const uint8_t *)p6, n, &error));
        g_assert_true(error != NULL && error->domain == PH_PPM_ERROR);
    }
    pixman_image_unref(read_ok((const uint8_t *)p6, sizeof(p6) - 1, 2, 2));

    for (size_t n = 0; n <= sizeof(p3) - 1; n++) {
        g_autoptr(GError) error = NULL;
        pixman_image_t *image = read_exact((const uint8_t *)p3, n, &error);

        g_assert_true((image == NULL) == (error != NULL));
        g_assert_true(error == NULL || error->domain == PH_PPM_ERROR);
        if (image) {
            pixman_image_unref(image);
        }
    }
}

static void test_load_file(void)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *path = NULL;
    pixman_image_t *image;
    int fd = g_file_open_tmp("test-ppm-XXXXXX.ppm", &path, &error);

    g_assert_no_error(error);
    close(fd);
    g_assert_true(g_file_set_contents(path, "P6 2 1 255\n\x10\x20\x30\x40\x50\x60", 17, &error));
    g_assert_no_error(error);

    image = ph_ppm_load(path, &error);
    g_assert_no_error(error);
    g_assert_nonnull(image);
    g_assert_cmpint(pixman_image_get_width(image), ==, 2);
    g_assert_cmphex(pixel_at(image, 0, 0), ==, 0x102030);
    g_assert_cmphex(pixel_at(image, 1, 0), ==, 0x405060);
    pixman_image_unref(image);

    /* A file that is there but malformed is a PPM error, not a file one. */
    g_assert_true(g_file_set_contents(path, "P6 2 1 255\n\x10", -1, &error));
    g_assert_null(ph_ppm_load(path, &error));
    g_assert_error(error, PH_PPM_ERROR, PH_PPM_ERROR_TRUNCATED);
    g_clear_error(&error);

    g_assert_cmpint(g_unlink(path), ==, 0);
}

static void test_load_missing(void)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *dir = g_dir_make_tmp("test-ppm-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "no-such-file.ppm", NULL);

    g_assert_nonnull(dir);
    g_assert_null(ph_ppm_load(path, &error));
    g_assert_error(error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
    g_assert_cmpint(g_rmdir(dir), ==, 0);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    g_test_add_func("/ppm/p6/8bit", test_p6_8bit);
    g_test_add_func("/ppm/p6/16bit", test_p6_16bit);
    g_test_add_func("/ppm/p6/small-maxval", test_p6_small_maxval);
    g_test_add_func("/ppm/p6/raster-looks-like-header", test_p6_raster_looks_like_header);
    g_test_add_func("/ppm/p6/one-pixel-spacing", test_p6_one_pixel_and_spacing);
    g_test_add_func("/ppm/p6/large", test_p6_large);
    g_test_add_func("/ppm/p3/comments", test_p3_comments);
    for (size_t i = 0; i < G_N_ELEMENTS(bad_cases); i++) {
        g_autofree char *name = g_strdup_printf("/ppm/bad/%s", bad_cases[i].name);

        g_test_add_data_func(name, &bad_cases[i], test_bad);
    }
    g_test_add_func("/ppm/bad/truncated-message", test_truncated_message);
    g_test_add_func("/ppm/every-prefix", test_every_prefix);
    g_test_add_func("/ppm/load/file", test_load_file);
    g_test_add_func("/ppm/load/missing", test_load_missing);

    return g_test_run();
}
