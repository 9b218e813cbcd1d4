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
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#endif

#include "aio.h"
#include "console.h"
#include "qapi-commands.h"
#include "qmp-error.h"
#include "qmp-session-int.h"

/*
 * Work done between two trips through the main loop.  The design target
 * is a main-loop stall of at most 2 ms while a dump runs; half a
 * millisecond per slice leaves room for whatever else the loop runs and
 * for a slow host, while a 1080p PPM still needs only ~10 slices.
 */
#define SCREENDUMP_SLICE_NS (500 * 1000)
/* Output is handed to the file in pieces of this size: few write() calls
 * (24 for a 1080p PPM), each well under the slice budget. */
#define SCREENDUMP_WRITE_CHUNK (256 * 1024)
/*
 * PNG: zlib level 1 without row filters.  QEMU leaves libpng's defaults
 * (level 6, adaptive filtering that tries all five filters on every
 * row), which costs ~130 ms for a 1080p frame; level 1 with no filter
 * takes ~20 ms for the same frame and is still a valid, lossless PNG,
 * only bigger (one 1080p frame of the demo guest: 42 KiB instead of
 * 14 KiB; the UP filter would save 15 % of that for 30 % more time).  A screendump is
 * wanted now, not small; the compression is also spread over slices, so
 * it does not stall the loop at any level.
 */
#define SCREENDUMP_PNG_LEVEL 1

/*
 * One screendump in flight.  The image is converted from the console's
 * surface slice by slice while it is written, with no copy of the whole
 * frame (copying 8 MB into fresh memory costs more than the conversion,
 * page faults included, and would be one long stall): the listener tells
 * when the surface must not be read any more (the console was freed, so
 * the framebuffer may be gone, or it switched to a new surface), which is
 * checked after every trip through the loop.
 *
 * The rows are read as the dump goes, a few milliseconds after the fresh
 * frame for the last ones, as QEMU's ppm_save reads its surface row by
 * row while the vCPUs run: a guest drawing meanwhile may show in the
 * later rows.
 */
typedef struct {
    PhDisplayListener dl;
    bool registered;        /* the registration's own gfx_switch is over */
    bool switched;          /* a later gfx_switch: the old bits are stale */

    const uint8_t *bits;    /* the surface's pixels, x8r8g8b8 */
    size_t stride;
    int w, h;

    PhChannel *chan;
    /* Coroutine handlers do not see their QmpReturn, so cancellation is
     * read from the session the dispatcher is running the command for: it
     * stays allocated until the command completes. */
    QmpSession *session;
    const char *filename;
    GByteArray *out;        /* converted or compressed, not yet written */
    int64_t slice_start;    /* ph_clock_ns() when the current slice began */
} Dump;

static void dump_gfx_switch(PhDisplayListener *dl, pixman_image_t *surface)
{
    Dump *d = dl->opaque;

    if (d->registered) {
        d->switched = true;
    }
}

static const PhDisplayListenerOps dump_listener_ops = {
    .name = "screendump",
    .gfx_switch = dump_gfx_switch,
};

#if defined(__x86_64__) && defined(__GNUC__)
#define HAVE_CONVERT_SSSE3 1
/*
 * One SSSE3 byte shuffle turns four x8r8g8b8 pixels (B, G, R, X in
 * memory) into twelve R, G, B bytes: three times faster than the scalar
 * loop, and the conversion is most of a PPM dump's CPU time (~1.2 ms
 * instead of ~3.7 ms for a 1080p frame).  Each store writes 16 bytes of
 * which the last 4 are overwritten by the next pixels, so the loop stops
 * while at least two pixels (6 bytes) are left for the caller's tail.
 * Returns the number of pixels done.
 */
__attribute__((target("ssse3")))
static int convert_ssse3(uint8_t *restrict d, const uint32_t *restrict s, int n)
{
    const __m128i order = _mm_setr_epi8(2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12,
                                        -1, -1, -1, -1);
    int x = 0;

    for (; x + 18 <= n; x += 16, d += 48) {
        __m128i a = _mm_loadu_si128((const __m128i *)(const void *)(s + x));
        __m128i b = _mm_loadu_si128((const __m128i *)(const void *)(s + x + 4));
        __m128i c = _mm_loadu_si128((const __m128i *)(const void *)(s + x + 8));
        __m128i e = _mm_loadu_si128((const __m128i *)(const void *)(s + x + 12));

        _mm_storeu_si128((__m128i *)(void *)d, _mm_shuffle_epi8(a, order));
        _mm_storeu_si128((__m128i *)(void *)(d + 12), _mm_shuffle_epi8(b, order));
        _mm_storeu_si128((__m128i *)(void *)(d + 24), _mm_shuffle_epi8(c, order));
        _mm_storeu_si128((__m128i *)(void *)(d + 36), _mm_shuffle_epi8(e, order));
    }
    return x;
}
#endif

/* x8r8g8b8 pixels to packed R, G, B bytes. */
static void convert_row(uint8_t *restrict d, const uint32_t *restrict s, int n)
{
    int x = 0;

#ifdef HAVE_CONVERT_SSSE3
    if (__builtin_cpu_supports("ssse3")) {
        x = convert_ssse3(d, s, n);
        d += (size_t)x * 3;
    }
#endif
#if G_BYTE_ORDER == G_LITTLE_ENDIAN
    /* Four pixels make three whole 32-bit words: a third fewer stores
     * than byte by byte, which is most of the conversion's time. */
    for (; x + 4 <= n; x += 4) {
        uint32_t a = s[x], b = s[x + 1], c = s[x + 2], e = s[x + 3];
        uint32_t w0 = (a >> 16 & 0xff) | (a & 0xff00) | (a & 0xff) << 16 | (b >> 16 & 0xff) << 24;
        uint32_t w1 = (b >> 8 & 0xff) | (b & 0xff) << 8 | (c & 0xff0000) | (c & 0xff00) << 16;
        uint32_t w2 = (c & 0xff) | (e >> 16 & 0xff) << 8 | (e & 0xff00) << 8 | (e & 0xff) << 24;

        memcpy(d, &w0, 4);
        memcpy(d + 4, &w1, 4);
        memcpy(d + 8, &w2, 4);
        d += 12;
    }
#endif
    for (; x < n; x++) {
        uint32_t p = s[x];

        *d++ = (uint8_t)(p >> 16);
        *d++ = (uint8_t)(p >> 8);
        *d++ = (uint8_t)p;
    }
}

static const uint32_t *surface_row(Dump *d, int y)
{
    return (const uint32_t *)(const void *)(d->bits + (size_t)y * d->stride);
}

static bool slice_used_up(Dump *d)
{
    return ph_clock_ns() - d->slice_start >= SCREENDUMP_SLICE_NS;
}

/* Writes @len bytes of d->out (all of it when @len is the length). */
static bool coroutine_fn dump_write(Dump *d, size_t len, GError **error)
{
    g_autoptr(GError) local = NULL;

    if (!ph_channel_write_all(d->chan, d->out->data, len, &local)) {
        g_set_error(error, QMP_ERROR, QMP_ERROR_GENERIC_ERROR,
                    "failed to write file '%s': %s", d->filename, local->message);
        return false;
    }
    g_byte_array_remove_range(d->out, 0, (guint)len);
    return true;
}

/* Writes out whole chunks of what is pending. */
static bool coroutine_fn dump_drain(Dump *d, GError **error)
{
    while (d->out->len >= SCREENDUMP_WRITE_CHUNK) {
        if (!dump_write(d, SCREENDUMP_WRITE_CHUNK, error)) {
            return false;
        }
    }
    return true;
}

/*
 * Ends a slice: lets the loop run, then checks that the dump may go on.
 * The surface may only be read again when this returns true.
 */
static bool coroutine_fn dump_yield(Dump *d, GError **error)
{
    ph_co_yield_to_loop();
    d->slice_start = ph_clock_ns();
    if (ph_qmp_session_is_closed(d->session)) {
        g_set_error_literal(error, QMP_ERROR, QMP_ERROR_GENERIC_ERROR,
                            "screendump cancelled: the client is gone");
        return false;
    }
    if (!d->dl.con || d->switched) {
        g_set_error_literal(error, QMP_ERROR, QMP_ERROR_GENERIC_ERROR,
                            "screendump cancelled: the display went away");
        return false;
    }
    return true;
}

static bool coroutine_fn save_ppm(Dump *d, GError **error)
{
    size_t row_bytes = (size_t)d->w * 3;
    g_autofree char *header = g_strdup_printf("P6\n%d %d\n255\n", d->w, d->h);

    g_byte_array_append(d->out, (const guint8 *)header, (guint)strlen(header));
    for (int y = 0; y < d->h; y++) {
        guint at = d->out->len;

        g_byte_array_set_size(d->out, at + (guint)row_bytes);
        convert_row(d->out->data + at, surface_row(d, y), d->w);
        if (!dump_drain(d, error)) {
            return false;
        }
        if (y + 1 < d->h && slice_used_up(d) && !dump_yield(d, error)) {
            return false;
        }
    }
    return dump_write(d, d->out->len, error);
}

/* ---- PNG: libpng compresses into d->out, which is drained in chunks ---- */

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
    png_set_compression_level(png, SCREENDUMP_PNG_LEVEL);
    png_set_filter(png, PNG_FILTER_TYPE_BASE, PNG_FILTER_NONE);
    png_set_IHDR(png, info, (png_uint_32)w, (png_uint_32)h, 8, PNG_COLOR_TYPE_RGB,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    return true;
}

/*
 * Compresses rows from *@y on until the slice is used up, advancing *@y
 * (in memory, not a local, so that longjmp leaves it alone); false when
 * libpng failed.
 */
static bool png_rows(Dump *d, png_structp png, uint8_t *row, int *y)
{
    if (setjmp(png_jmpbuf(png))) {
        return false;
    }
    while (*y < d->h) {
        convert_row(row, surface_row(d, *y), d->w);
        png_write_row(png, row);
        ++*y;
        if (slice_used_up(d)) {
            break;
        }
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

static bool coroutine_fn save_png(Dump *d, GError **error)
{
    g_autofree uint8_t *row = g_malloc((size_t)d->w * 3);
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, png_on_error,
                                              png_on_warning);
    png_infop info = NULL;
    bool ok = false;
    int y = 0;

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
    png_set_write_fn(png, d->out, png_buf_write, png_buf_flush);
    if (!png_begin(png, info, d->w, d->h)) {
        goto png_failed;
    }
    while (y < d->h) {
        if (!png_rows(d, png, row, &y)) {
            goto png_failed;
        }
        if (!dump_drain(d, error)) {
            goto out;
        }
        if (y < d->h && !dump_yield(d, error)) {
            goto out;
        }
    }
    if (!png_finish(png)) {
        goto png_failed;
    }
    ok = dump_write(d, d->out->len, error);
    goto out;

png_failed:
    g_set_error_literal(error, QMP_ERROR, QMP_ERROR_GENERIC_ERROR,
                        "PNG creation failed. Unable to write image");
out:
    if (png) {
        png_destroy_write_struct(&png, info ? &info : NULL);
    }
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
 *
 * No fsync: the temporary file and the rename only promise that nobody
 * sees a partial image under @filename, not that the image survives a
 * power cut, and an fsync of a 6 MB file costs more than the whole dump.
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

/* ---- putting the file in place ------------------------------------------ */

typedef struct {
    char *path;
    Coroutine *co;
} UnlinkJob;

static gpointer unlink_thread(gpointer data)
{
    UnlinkJob *job = data;

    g_unlink(job->path);
    aio_co_wake(job->co);
    return NULL;
}

/*
 * Removes @path on a thread of its own while the coroutine waits: freeing
 * a big file's blocks and pages takes milliseconds (2-3 ms for a 1080p
 * PPM on ext4) that the main loop need not spend.  Waiting keeps the
 * promise that nothing of the dump is left once the reply is sent.
 */
static void coroutine_fn unlink_off_loop(const char *path)
{
    UnlinkJob job = { .path = (char *)path, .co = ph_coroutine_self() };
    GThread *t = g_thread_try_new("screendump-unlink", unlink_thread, &job, NULL);

    if (!t) {
        g_unlink(path);
        return;
    }
    ph_coroutine_yield();
    g_thread_join(t);
}

/*
 * Renames the finished @tmp_path to @filename.  A plain rename() over an
 * existing file is the one step that makes the new image visible at once,
 * but on ext4 it costs ~5 ms on the main loop for a 1080p PPM: replacing
 * a file by rename starts the writeback of the new one (the auto_da_alloc
 * safeguard against empty files after a crash, a durability promise we do
 * not make; see open_target) and frees the old file's blocks.  So the old
 * file is first renamed aside (a rename onto a free name does neither),
 * the new one takes its name, and the old one is unlinked off the loop.
 * The name is missing for the microseconds between the two renames; it
 * never shows a partial image.
 */
static bool coroutine_fn put_in_place(const char *tmp_path, const char *filename,
                                      GError **error)
{
    g_autofree char *aside = g_strconcat(tmp_path, ".old", NULL);
    bool have_aside = renameat2(AT_FDCWD, filename, AT_FDCWD, aside, RENAME_NOREPLACE) == 0;

    /* Failing that (no old file, or no renameat2), a plain rename. */
    if (g_rename(tmp_path, filename) < 0) {
        int err = errno;

        if (have_aside) {
            g_rename(aside, filename);
        }
        g_set_error(error, QMP_ERROR, QMP_ERROR_GENERIC_ERROR, "failed to open file '%s': %s",
                    filename, g_strerror(err));
        return false;
    }
    if (have_aside) {
        unlink_off_loop(aside);
    }
    return true;
}

bool coroutine_fn qmp_screendump(const char *filename, bool has_device, const char *device,
                                 bool has_head, int64_t head, bool has_format,
                                 ImageFormat format, GError **error)
{
    QmpSession *session = ph_qmp_current_session();
    PhConsole *con = find_console(has_device ? device : NULL, has_head, head, error);
    g_autofree char *tmp_path = NULL;
    pixman_image_t *surface;
    Dump d = { .session = session, .filename = filename };
    int fd;
    bool ok;

    if (!con) {
        return false;
    }
    if (!ph_console_wait_update(con)) {
        /* The console went away meanwhile (the machine stopped for good). */
        g_set_error_literal(error, QMP_ERROR, QMP_ERROR_GENERIC_ERROR, "no surface");
        return false;
    }
    if (ph_qmp_session_is_closed(session)) {
        g_set_error_literal(error, QMP_ERROR, QMP_ERROR_GENERIC_ERROR,
                            "screendump cancelled: the client is gone");
        return false;
    }
    surface = ph_console_surface(con);
    if (!surface) {
        g_set_error_literal(error, QMP_ERROR, QMP_ERROR_GENERIC_ERROR, "no surface");
        return false;
    }

    fd = open_target(filename, &tmp_path, error);
    if (fd < 0) {
        return false;
    }
    d.dl.ops = &dump_listener_ops;
    d.dl.opaque = &d;
    ph_console_register_listener(con, &d.dl);
    d.registered = true;
    d.bits = (const uint8_t *)pixman_image_get_data(surface);
    d.stride = (size_t)pixman_image_get_stride(surface);
    d.w = pixman_image_get_width(surface);
    d.h = pixman_image_get_height(surface);
    d.chan = ph_channel_new(fd, true);
    d.out = g_byte_array_sized_new(SCREENDUMP_WRITE_CHUNK + (guint)d.w * 3 + 64);
    d.slice_start = ph_clock_ns();

    if (has_format && format == IMAGE_FORMAT_PNG) {
        ok = save_png(&d, error);
    } else {
        ok = save_ppm(&d, error);
    }
    /* No-op when the console was freed meanwhile (d.dl.con is NULL). */
    ph_console_unregister_listener(&d.dl);
    g_byte_array_unref(d.out);
    ph_channel_free(d.chan);
    if (ok && tmp_path) {
        ok = put_in_place(tmp_path, filename, error);
    }
    if (!ok && tmp_path) {
        g_unlink(tmp_path);
    }
    return ok;
}
