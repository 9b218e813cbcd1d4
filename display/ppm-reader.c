/* PPM (P6 binary and P3 ASCII) decoder into PIXMAN_x8r8g8b8 images. */
#include "ppm-reader.h"

#include <inttypes.h>
#include <stdbool.h>

G_DEFINE_QUARK(ph-ppm-error-quark, ph_ppm_error)

/* Longest number token quoted back in a message: the token is all digits,
 * so it is safe to print, but a 1 MB run of digits is not a useful message. */
#define PH_PPM_TOKEN_QUOTE_MAX 20

/* Values at or above this saturate while parsing: every limit we check
 * against (65535, PH_PPM_MAX_DIMENSION) is far below it, and saturating
 * keeps the accumulation free of overflow whatever the digit count. */
#define PH_PPM_NUMBER_CAP 1000000000u

typedef struct {
    const uint8_t *data;
    size_t len;
    size_t pos;
} PhPpmCursor;

typedef enum {
    PH_PPM_TOKEN_OK,
    PH_PPM_TOKEN_MISSING,   /* end of data before the token */
    PH_PPM_TOKEN_GARBAGE,   /* not a run of digits ended by a separator */
    PH_PPM_TOKEN_NEGATIVE,  /* a minus sign followed by digits */
} PhPpmTokenStatus;

typedef struct {
    uint32_t value;         /* saturated at PH_PPM_NUMBER_CAP */
    const uint8_t *text;    /* the digits, for messages */
    size_t text_len;
} PhPpmNumber;

/* Netpbm's whitespace; not isspace(), whose answer depends on the locale. */
static bool ph_ppm_is_space(uint8_t c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

static bool ph_ppm_is_digit(uint8_t c)
{
    return c >= '0' && c <= '9';
}

static bool ph_ppm_at_end(const PhPpmCursor *cur)
{
    return cur->pos >= cur->len;
}

/* Comments run from '#' to the end of the line; they may appear wherever
 * whitespace may, in the header and (as netpbm's own reader allows) in P3
 * pixel data. */
static void ph_ppm_skip_space(PhPpmCursor *cur)
{
    while (cur->pos < cur->len) {
        uint8_t c = cur->data[cur->pos];

        if (ph_ppm_is_space(c)) {
            cur->pos++;
        } else if (c == '#') {
            while (cur->pos < cur->len && cur->data[cur->pos] != '\n' &&
                   cur->data[cur->pos] != '\r') {
                cur->pos++;
            }
        } else {
            break;
        }
    }
}

/* Reads one unsigned decimal token after skipping whitespace and comments.
 * The token must end at the end of data, at whitespace or at a comment, so
 * that "640x480" is garbage rather than 640. */
static PhPpmTokenStatus ph_ppm_read_number(PhPpmCursor *cur, PhPpmNumber *num)
{
    bool negative = false;
    uint32_t value = 0;

    ph_ppm_skip_space(cur);
    if (ph_ppm_at_end(cur)) {
        return PH_PPM_TOKEN_MISSING;
    }
    if (cur->data[cur->pos] == '-' && cur->pos + 1 < cur->len &&
        ph_ppm_is_digit(cur->data[cur->pos + 1])) {
        negative = true;
        cur->pos++;
    }
    if (!ph_ppm_is_digit(cur->data[cur->pos])) {
        return PH_PPM_TOKEN_GARBAGE;
    }

    num->text = cur->data + cur->pos;
    while (cur->pos < cur->len && ph_ppm_is_digit(cur->data[cur->pos])) {
        uint32_t digit = (uint32_t)(cur->data[cur->pos] - '0');

        value = value >= PH_PPM_NUMBER_CAP / 10 ? PH_PPM_NUMBER_CAP : value * 10 + digit;
        cur->pos++;
    }
    num->text_len = (size_t)(cur->data + cur->pos - num->text);
    num->value = value;

    if (!ph_ppm_at_end(cur) && !ph_ppm_is_space(cur->data[cur->pos]) &&
        cur->data[cur->pos] != '#') {
        return PH_PPM_TOKEN_GARBAGE;
    }
    /* Reported only once the token is known to be a well-formed number:
     * "-x" stays garbage. */
    return negative ? PH_PPM_TOKEN_NEGATIVE : PH_PPM_TOKEN_OK;
}

static int ph_ppm_quote_len(const PhPpmNumber *num)
{
    return (int)MIN(num->text_len, (size_t)PH_PPM_TOKEN_QUOTE_MAX);
}

static const char *ph_ppm_quote_ellipsis(const PhPpmNumber *num)
{
    return num->text_len > PH_PPM_TOKEN_QUOTE_MAX ? "..." : "";
}

/* Width or height: present, a number, at least 1.  The upper limit is
 * checked by the caller, once both are known, so the message names both. */
static bool ph_ppm_read_dimension(PhPpmCursor *cur, const char *what, PhPpmNumber *num,
                                  GError **error)
{
    switch (ph_ppm_read_number(cur, num)) {
    case PH_PPM_TOKEN_OK:
        if (num->value == 0) {
            g_set_error(error, PH_PPM_ERROR, PH_PPM_ERROR_BAD_DIMENSIONS,
                        "PPM image %s is zero", what);
            return false;
        }
        return true;
    case PH_PPM_TOKEN_MISSING:
        g_set_error(error, PH_PPM_ERROR, PH_PPM_ERROR_BAD_HEADER,
                    "PPM header: missing %s", what);
        return false;
    case PH_PPM_TOKEN_NEGATIVE:
        g_set_error(error, PH_PPM_ERROR, PH_PPM_ERROR_BAD_DIMENSIONS,
                    "PPM image %s is negative", what);
        return false;
    case PH_PPM_TOKEN_GARBAGE:
    default:
        g_set_error(error, PH_PPM_ERROR, PH_PPM_ERROR_BAD_HEADER,
                    "PPM header: bad %s", what);
        return false;
    }
}

static bool ph_ppm_read_maxval(PhPpmCursor *cur, PhPpmNumber *num, GError **error)
{
    switch (ph_ppm_read_number(cur, num)) {
    case PH_PPM_TOKEN_OK:
        if (num->value == 0 || num->value > 65535) {
            g_set_error(error, PH_PPM_ERROR, PH_PPM_ERROR_BAD_MAXVAL,
                        "PPM maxval %.*s%s is out of range (1 to 65535)",
                        ph_ppm_quote_len(num), (const char *)num->text,
                        ph_ppm_quote_ellipsis(num));
            return false;
        }
        return true;
    case PH_PPM_TOKEN_MISSING:
        g_set_error(error, PH_PPM_ERROR, PH_PPM_ERROR_BAD_HEADER,
                    "PPM header: missing maxval");
        return false;
    case PH_PPM_TOKEN_NEGATIVE:
        g_set_error(error, PH_PPM_ERROR, PH_PPM_ERROR_BAD_MAXVAL,
                    "PPM maxval -%.*s%s is out of range (1 to 65535)",
                    ph_ppm_quote_len(num), (const char *)num->text,
                    ph_ppm_quote_ellipsis(num));
        return false;
    case PH_PPM_TOKEN_GARBAGE:
    default:
        g_set_error(error, PH_PPM_ERROR, PH_PPM_ERROR_BAD_HEADER,
                    "PPM header: bad maxval");
        return false;
    }
}

/* 0..maxval to 0..255, rounded to nearest; exact for maxval 255 and for
 * 16-bit values that are multiples of 257. */
static inline uint32_t ph_ppm_scale(uint32_t v, uint32_t maxval)
{
    if (maxval == 255) {
        return v;
    }
    if (v > maxval) {
        v = maxval;
    }
    return (v * 255u + maxval / 2) / maxval;
}

static void ph_ppm_decode_p6(const uint8_t *src, uint32_t width, uint32_t height,
                             uint32_t maxval, pixman_image_t *image)
{
    uint8_t *dst_base = (uint8_t *)pixman_image_get_data(image);
    size_t stride = (size_t)pixman_image_get_stride(image);
    bool wide = maxval > 255;

    for (uint32_t y = 0; y < height; y++) {
        uint32_t *dst = (uint32_t *)(dst_base + (size_t)y * stride);

        for (uint32_t x = 0; x < width; x++) {
            uint32_t rgb[3];

            for (int i = 0; i < 3; i++) {
                uint32_t v;

                if (wide) {
                    v = ((uint32_t)src[0] << 8) | src[1];
                    src += 2;
                } else {
                    v = *src++;
                }
                rgb[i] = ph_ppm_scale(v, maxval);
            }
            dst[x] = 0xff000000u | (rgb[0] << 16) | (rgb[1] << 8) | rgb[2];
        }
    }
}

static bool ph_ppm_decode_p3(PhPpmCursor *cur, uint32_t width, uint32_t height,
                             uint32_t maxval, pixman_image_t *image, GError **error)
{
    uint8_t *dst_base = (uint8_t *)pixman_image_get_data(image);
    size_t stride = (size_t)pixman_image_get_stride(image);
    uint64_t expected = (uint64_t)width * height * 3;
    uint64_t found = 0;

    for (uint32_t y = 0; y < height; y++) {
        uint32_t *dst = (uint32_t *)(dst_base + (size_t)y * stride);

        for (uint32_t x = 0; x < width; x++) {
            uint32_t rgb[3];

            for (int i = 0; i < 3; i++) {
                PhPpmNumber num;

                switch (ph_ppm_read_number(cur, &num)) {
                case PH_PPM_TOKEN_OK:
                    break;
                case PH_PPM_TOKEN_MISSING:
                    g_set_error(error, PH_PPM_ERROR, PH_PPM_ERROR_TRUNCATED,
                                "PPM pixel data is truncated: expected %" PRIu64
                                " samples, found %" PRIu64, expected, found);
                    return false;
                default:
                    g_set_error(error, PH_PPM_ERROR, PH_PPM_ERROR_BAD_SAMPLE,
                                "PPM pixel data: bad sample at pixel (%" PRIu32 ", %" PRIu32
                                ")", x, y);
                    return false;
                }
                if (num.value > maxval) {
                    g_set_error(error, PH_PPM_ERROR, PH_PPM_ERROR_BAD_SAMPLE,
                                "PPM pixel data: sample %.*s%s at pixel (%" PRIu32 ", %" PRIu32
                                ") is above maxval %" PRIu32,
                                ph_ppm_quote_len(&num), (const char *)num.text,
                                ph_ppm_quote_ellipsis(&num), x, y, maxval);
                    return false;
                }
                rgb[i] = ph_ppm_scale(num.value, maxval);
                found++;
            }
            dst[x] = 0xff000000u | (rgb[0] << 16) | (rgb[1] << 8) | rgb[2];
        }
    }
    return true;
}

pixman_image_t *ph_ppm_read(const uint8_t *data, size_t len, GError **error)
{
    PhPpmCursor cur = { .data = data, .len = len, .pos = 2 };
    PhPpmNumber width, height, maxval;
    pixman_image_t *image;
    bool binary;
    uint64_t avail;

    g_return_val_if_fail(data != NULL || len == 0, NULL);

    if (len < 2 || data[0] != 'P' || (data[1] != '6' && data[1] != '3') ||
        (len > 2 && !ph_ppm_is_space(data[2]) && data[2] != '#')) {
        g_set_error(error, PH_PPM_ERROR, PH_PPM_ERROR_BAD_MAGIC,
                    "Not a PPM file (expected P3 or P6)");
        return NULL;
    }
    binary = data[1] == '6';

    if (!ph_ppm_read_dimension(&cur, "width", &width, error) ||
        !ph_ppm_read_dimension(&cur, "height", &height, error)) {
        return NULL;
    }
    if (width.value > PH_PPM_MAX_DIMENSION || height.value > PH_PPM_MAX_DIMENSION) {
        g_set_error(error, PH_PPM_ERROR, PH_PPM_ERROR_TOO_LARGE,
                    "PPM image %.*s%sx%.*s%s is too large (the limit is %dx%d)",
                    ph_ppm_quote_len(&width), (const char *)width.text,
                    ph_ppm_quote_ellipsis(&width),
                    ph_ppm_quote_len(&height), (const char *)height.text,
                    ph_ppm_quote_ellipsis(&height),
                    PH_PPM_MAX_DIMENSION, PH_PPM_MAX_DIMENSION);
        return NULL;
    }
    if (!ph_ppm_read_maxval(&cur, &maxval, error)) {
        return NULL;
    }

    if (binary) {
        /* Exactly one whitespace byte separates maxval from the raster: a
         * pixel byte may itself look like whitespace or '#'. */
        uint64_t need = (uint64_t)width.value * height.value * 3 * (maxval.value > 255 ? 2 : 1);

        if (!ph_ppm_at_end(&cur)) {
            if (!ph_ppm_is_space(data[cur.pos])) {
                g_set_error(error, PH_PPM_ERROR, PH_PPM_ERROR_BAD_HEADER,
                            "PPM header: bad maxval");
                return NULL;
            }
            cur.pos++;
        }
        avail = len - cur.pos;
        if (avail < need) {
            g_set_error(error, PH_PPM_ERROR, PH_PPM_ERROR_TRUNCATED,
                        "PPM pixel data is truncated: expected %" PRIu64 " bytes, found %"
                        PRIu64, need, avail);
            return NULL;
        }
    } else {
        /* Each sample takes at least one digit and a separator (the last
         * needs no separator).  Checking this before allocating keeps a
         * short file claiming 16384x16384 from costing a 1 GiB buffer. */
        uint64_t need = (uint64_t)width.value * height.value * 3 * 2 - 1;

        avail = len - cur.pos;
        if (avail < need) {
            g_set_error(error, PH_PPM_ERROR, PH_PPM_ERROR_TRUNCATED,
                        "PPM pixel data is truncated: expected at least %" PRIu64
                        " bytes, found %" PRIu64, need, avail);
            return NULL;
        }
    }

    image = pixman_image_create_bits_no_clear(PIXMAN_x8r8g8b8, (int)width.value,
                                              (int)height.value, NULL, 0);
    if (image == NULL) {
        g_set_error(error, PH_PPM_ERROR, PH_PPM_ERROR_TOO_LARGE,
                    "Not enough memory for a %" PRIu32 "x%" PRIu32 " PPM image",
                    width.value, height.value);
        return NULL;
    }

    if (binary) {
        ph_ppm_decode_p6(data + cur.pos, width.value, height.value, maxval.value, image);
    } else if (!ph_ppm_decode_p3(&cur, width.value, height.value, maxval.value, image,
                                 error)) {
        pixman_image_unref(image);
        return NULL;
    }
    return image;
}

pixman_image_t *ph_ppm_load(const char *path, GError **error)
{
    g_autofree char *contents = NULL;
    gsize length = 0;

    g_return_val_if_fail(path != NULL, NULL);

    if (!g_file_get_contents(path, &contents, &length, error)) {
        return NULL;
    }
    return ph_ppm_read((const uint8_t *)contents, length, error);
}
