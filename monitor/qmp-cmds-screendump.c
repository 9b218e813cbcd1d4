/* QMP screendump: a fresh frame of a display console, saved as PPM or PNG without stalling the loop. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <pixman.h>
#include <png.h>

#include "aio.h"
#include "console.h"
#include "qapi-commands.h"
#include "qmp-error.h"
#include "qmp-session-int.h"

/* Bytes handed to the file between two trips through the main loop: small
 * enough that one slice of work is well under a millisecond. */
#define SCREENDUMP_CHUNK (64 * 1024)
/* PNG rows compressed between two trips through the loop. */
#define SCREENDUMP_PNG_ROWS 32

/*
 * Coroutine handlers do not see their QmpReturn, so cancellation is read
 * from the session the dispatcher is running the command for: it stays
 * allocated until the command completes.
 */
static bool session_closed(QmpSession *s)
{
    bool closed;

    if (!s) {
        return false;
    }
    g_mutex_lock(&s->lock);
    closed = s->closed;
    g_mutex_unlock(&s->lock);
    return closed;
}

/*
 * The frame as packed RGB, copied at once: the surface's bits belong to
 * the framebuffer, which can go away (machine shutdown) while the file is
 * still being written between yields.
 */
static uint8_t *copy_rgb(pixman_image_t *surface, int w, int h)
{
    const uint8_t *bits = (const uint8_t *)pixman_image_get_data(surface);
    size_t stride = (size_t)pixman_image_get_stride(surface);
    uint8_t *rgb = g_malloc((size_t)w * (size_t)h * 3);
    uint8_t *d = rgb;

    for (int y = 0; y < h; y++) {
        const uint32_t *row = (const uint32_t *)(const void *)(bits + (size_t)y * stride);

        for (int x = 0; x < w; x++) {
            uint32_t p = row[x];

            *d++ = (uint8_t)(p >> 16);
            *d++ = (uint8_t)(p >> 8);
            *d++ = (uint8_t)p;
        }
    }
    return rgb;
}

typedef struct {
    PhChannel *chan;
    QmpSession *session;
    const char *filename;
} DumpOut;

/* Writes @len bytes in chunks, letting the loop run between them. */
static bool coroutine_fn out_write(DumpOut *o, const uint8_t *buf, size_t len, GError **error)
{
    while (len > 0) {
        size_t n = MIN(len, (size_t)SCREENDUMP_CHUNK);
        g_autoptr(GError) local = NULL;

        if (!ph_channel_write_all(o->chan, buf, n, &local)) {
            g_set_error(error, QMP_ERROR, QMP_ERROR_GENERIC_ERROR,
                        "failed to write file '%s': %s", o->filename, local->message);
            return false;
        }
        buf += n;
        len -= n;
        ph_co_yield_to_loop();
        if (session_closed(o->session)) {
            g_set_error_literal(error, QMP_ERROR, QMP_ERROR_GENERIC_ERROR,
                                "screendump cancelled: the client is gone");
            return false;
        }
    }
    return true;
}

static bool coroutine_fn save_ppm(DumpOut *o, const uint8_t *rgb, int w, int h, GError **error)
{
    g_autofree char *header = g_strdup_printf("P6\n%d %d\n255\n", w, h);

    return out_write(o, (const uint8_t *)header, strlen(header), error) &&
           out_write(o, rgb, (size_t)w * (size_t)h * 3, error);
}

/* ---- PNG: libpng compresses into a memory buffer we drain in chunks ---- */

static void png_buf_write(png_structp png, png_bytep data, size_t len)
{
    g_byte_array_append(png_get_io_ptr(png), data, (guint)len);
}

static void png_buf_flush(png_structp png)
{
}

/* libpng's own handler prints to stderr; we report through GError. */
static void png_on_error(png_structp png, png_const_charp msg)
{
    png_longjmp(png, 1);
}

static void png_on_warning(png_structp png, png_const_charp msg)
{
}

/*
 * Each libpng call sequence is in its own function with its own setjmp,
 * so that no local of the caller is live across a longjmp.
 */
static bool png_begin(png_structp png, png_infop info, int w, int h)
{
    if (setjmp(png_jmpbuf(png))) {
        return false;
    }
    png_set_IHDR(png, info, (png_uint_32)w, (png_uint_32)h, 8, PNG_COLOR_TYPE_RGB,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    return true;
}

static bool png_rows(png_structp png, const uint8_t *rgb, size_t row_bytes, int y0, int y1)
{
    if (setjmp(png_jmpbuf(png))) {
        return false;
    }
    for (int y = y0; y < y1; y++) {
        png_write_row(png, rgb + (size_t)y * row_bytes);
    }
    return true;
}

static bool png_finish(png_structp png)
{
    if (setjmp(png_jmpbuf(png))) {
        return false;
    }
    png_write_end(png, NULL);
    return true;
}

static bool coroutine_fn save_png(DumpOut *o, const uint8_t *rgb, int w, int h, GError **error)
{
    size_t row_bytes = (size_t)w * 3;
    GByteArray *buf = g_byte_array_new();
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, png_on_error,
                                              png_on_warning);
    png_infop info = NULL;
    bool ok = false;

    if (!png) {
        g_set_error_literal(error, QMP_ERROR, QMP_ERROR_GENERIC_ERROR,
                            "PNG creation failed. Unable to write struct");
        goto out;
    }
    info = png_create_info_struct(png);
    if (!info) {
        g_set_error_literal(error, QMP_ERROR, QMP_ERROR_GENERIC_ERROR,
                            "PNG creation failed. Unable to write info");
        goto out;
    }
    png_set_write_fn(png, buf, png_buf_write, png_buf_flush);
    if (!png_begin(png, info, w, h)) {
        goto png_failed;
    }
    for (int y = 0; y < h; y += SCREENDUMP_PNG_ROWS) {
        if (!png_rows(png, rgb, row_bytes, y, MIN(h, y + SCREENDUMP_PNG_ROWS))) {
            goto png_failed;
        }
        if (buf->len == 0) {
            /* Nothing to write yet (zlib keeps it): compressing the rows
             * took time all the same. */
            ph_co_yield_to_loop();
        } else if (!out_write(o, buf->data, buf->len, error)) {
            goto out;
        }
        g_byte_array_set_size(buf, 0);
    }
    if (!png_finish(png)) {
        goto png_failed;
    }
    ok = out_write(o, buf->data, buf->len, error);
    goto out;

png_failed:
    g_set_error_literal(error, QMP_ERROR, QMP_ERROR_GENERIC_ERROR,
                        "PNG creation failed. Unable to write image");
out:
    if (png) {
        png_destroy_write_struct(&png, info ? &info : NULL);
    }
    g_byte_array_unref(buf);
    return ok;
}

/* ---- the command ---------------------------------------------------------- */

static PhConsole *find_console(const char *device, bool has_head, int64_t head, GError **error)
{
    PhConsole *con;

    if (device) {
        /* QEMU takes the head as a uint32_t and prints it with %d. */
        uint32_t h = has_head ? (uint32_t)head : 0;

        if (!ph_console_device_exists(device)) {
            g_set_error(error, QMP_ERROR, QMP_ERROR_DEVICE_NOT_FOUND,
                        "Device '%s' not found", device);
            return NULL;
        }
        con = h <= INT32_MAX ? ph_console_lookup(device, (int)h) : NULL;
        if (!con) {
            g_set_error(error, QMP_ERROR, QMP_ERROR_GENERIC_ERROR,
                        "Device %s (head %d) is not bound to a QemuConsole", device,
                        (int)h);
        }
        return con;
    }
    if (has_head) {
        g_set_error_literal(error, QMP_ERROR, QMP_ERROR_GENERIC_ERROR,
                            "'head' must be specified together with 'device'");
        return NULL;
    }
    con = ph_console_first();
    if (!con) {
        g_set_error_literal(error, QMP_ERROR, QMP_ERROR_GENERIC_ERROR,
                            "There is no console to take a screendump from");
    }
    return con;
}

/*
 * Where the image goes: a new temporary file beside @filename (renamed into
 * place on success), or @filename itself when it already exists and is not
 * a plain file (a FIFO, /dev/stdout, a symlink): renaming over those would
 * replace them instead of writing into them as QEMU does.
 */
static int open_target(const char *filename, char **tmp_path, GError **error)
{
    struct stat st;
    int fd;

    *tmp_path = NULL;
    if (lstat(filename, &st) == 0 && !S_ISREG(st.st_mode)) {
        /* O_NONBLOCK: a FIFO nobody reads fails (ENXIO) instead of
         * blocking the main loop in open(). */
        fd = open(filename, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NONBLOCK, 0666);
    } else {
        g_autofree char *dir = g_path_get_dirname(filename);
        g_autofree char *base = g_path_get_basename(filename);

        *tmp_path = g_strdup_printf("%s/.%s.XXXXXX", dir, base);
        /* The mode is filtered by the umask, as QEMU's open(..., 0666). */
        fd = g_mkstemp_full(*tmp_path, O_WRONLY | O_CLOEXEC, 0666);
    }
    if (fd < 0) {
        int err = errno;

        g_clear_pointer(tmp_path, g_free);
        g_set_error(error, QMP_ERROR, QMP_ERROR_GENERIC_ERROR, "failed to open file '%s': %s",
                    filename, g_strerror(err));
    }
    return fd;
}

bool coroutine_fn qmp_screendump(const char *filename, bool has_device, const char *device,
                                 bool has_head, int64_t head, bool has_format,
                                 ImageFormat format, GError **error)
{
    QmpSession *session = ph_qmp_current_session();
    PhConsole *con = find_console(has_device ? device : NULL, has_head, head, error);
    g_autofree uint8_t *rgb = NULL;
    g_autofree char *tmp_path = NULL;
    pixman_image_t *surface;
    DumpOut out = { .session = session, .filename = filename };
    int w, h, fd;
    bool ok;

    if (!con) {
        return false;
    }
    if (!ph_console_wait_update(con)) {
        /* The console went away meanwhile (the machine stopped for good). */
        g_set_error_literal(error, QMP_ERROR, QMP_ERROR_GENERIC_ERROR, "no surface");
        return false;
    }
    if (session_closed(session)) {
        g_set_error_literal(error, QMP_ERROR, QMP_ERROR_GENERIC_ERROR,
                            "screendump cancelled: the client is gone");
        return false;
    }
    surface = ph_console_surface(con);
    if (!surface) {
        g_set_error_literal(error, QMP_ERROR, QMP_ERROR_GENERIC_ERROR, "no surface");
        return false;
    }
    w = pixman_image_get_width(surface);
    h = pixman_image_get_height(surface);
    rgb = copy_rgb(surface, w, h);

    fd = open_target(filename, &tmp_path, error);
    if (fd < 0) {
        return false;
    }
    out.chan = ph_channel_new(fd, true);
    if (has_format && format == IMAGE_FORMAT_PNG) {
        ok = save_png(&out, rgb, w, h, error);
    } else {
        ok = save_ppm(&out, rgb, w, h, error);
    }
    ph_channel_free(out.chan);
    if (ok && tmp_path && g_rename(tmp_path, filename) < 0) {
        int err = errno;

        g_set_error(error, QMP_ERROR, QMP_ERROR_GENERIC_ERROR, "failed to open file '%s': %s",
                    filename, g_strerror(err));
        ok = false;
    }
    if (!ok && tmp_path) {
        g_unlink(tmp_path);
    }
    return ok;
}
