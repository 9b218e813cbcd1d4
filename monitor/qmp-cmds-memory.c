/* QMP memsave and pmemsave: guest memory saved to a file in slices, complete or not at all. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "aio.h"
#include "channel.h"
#include "machine.h"
#include "qapi-commands.h"
#include "qmp-error.h"
#include "qmp-session-int.h"

/* Bytes read and written between two trips through the main loop: a
 * slice stays well under a millisecond (a memcpy and a page-cache write). */
#define MEMSAVE_CHUNK (256 * 1024)

/* Reads one slice of guest memory into @buf; false (and @error) if it cannot. */
typedef bool (*MemReadFn)(PhMachine *m, uint64_t addr, uint8_t *buf, size_t len,
                          GError **error);

static bool read_phys(PhMachine *m, uint64_t addr, uint8_t *buf, size_t len, GError **error)
{
    ph_machine_dump_phys(m, addr, buf, len);
    return true;
}

static bool read_virt(PhMachine *m, uint64_t addr, uint8_t *buf, size_t len, GError **error)
{
    return ph_machine_read_virt(m, addr, buf, len, error);
}

/*
 * The shared body: a temporary file beside @filename, filled slice by
 * slice with the loop running in between, renamed into place at the end
 * and removed on any failure.  QEMU's texts for the open error.
 */
static bool coroutine_fn save_memory(uint64_t addr, int64_t size, const char *filename,
                                     MemReadFn read, GError **error)
{
    QmpSession *session = ph_qmp_current_session();
    PhMachine *m = ph_machine_current();
    g_autofree char *dir = NULL, *base = NULL, *tmp_path = NULL;
    g_autofree uint8_t *buf = NULL;
    PhChannel *chan;
    uint64_t done = 0;
    bool ok = true;
    int fd;

    if (size < 0) {
        g_set_error(error, QMP_ERROR, QMP_ERROR_GENERIC_ERROR,
                    "Parameter 'size' expects a non-negative number of bytes");
        return false;
    }
    if (!m) {
        g_set_error_literal(error, QMP_ERROR, QMP_ERROR_GENERIC_ERROR,
                            "There is no machine: its memory cannot be saved");
        return false;
    }
    dir = g_path_get_dirname(filename);
    base = g_path_get_basename(filename);
    tmp_path = g_strdup_printf("%s/.%s.XXXXXX", dir, base);
    /* The mode is filtered by the umask, as QEMU's fopen(). */
    fd = g_mkstemp_full(tmp_path, O_WRONLY | O_CLOEXEC, 0666);
    if (fd < 0) {
        int err = errno;

        g_set_error(error, QMP_ERROR, QMP_ERROR_GENERIC_ERROR, "Could not open '%s': %s",
                    filename, g_strerror(err));
        return false;
    }
    chan = ph_channel_new(fd, true);
    buf = g_malloc(MIN((uint64_t)size, (uint64_t)MEMSAVE_CHUNK) + 1);
    while (ok && done < (uint64_t)size) {
        size_t n = (size_t)MIN((uint64_t)size - done, (uint64_t)MEMSAVE_CHUNK);
        g_autoptr(GError) local = NULL;

        /* The machine can be gone after a yield (quit from another client). */
        m = ph_machine_current();
        if (!m) {
            g_set_error_literal(error, QMP_ERROR, QMP_ERROR_GENERIC_ERROR,
                                "The machine stopped while its memory was being saved");
            ok = false;
        } else if (!read(m, addr + done, buf, n, &local)) {
            /* QEMU's text, with the request's own address and size. */
            g_set_error(error, QMP_ERROR, QMP_ERROR_GENERIC_ERROR,
                        "Invalid addr 0x%016" G_GINT64_MODIFIER "x/size %" G_GINT64_FORMAT
                        " specified", addr, size);
            ok = false;
        } else if (!ph_channel_write_all(chan, buf, n, &local)) {
            g_set_error(error, QMP_ERROR, QMP_ERROR_GENERIC_ERROR,
                        "An IO error has occurred: %s", local->message);
            ok = false;
        } else {
            done += n;
            ph_co_yield_to_loop();
            /* The client went away: stop early, keep nothing. */
            if (ph_qmp_session_is_closed(session)) {
                g_set_error_literal(error, QMP_ERROR, QMP_ERROR_GENERIC_ERROR,
                                    "cancelled: the client is gone");
                ok = false;
            }
        }
    }
    ph_channel_free(chan);
    if (ok && g_rename(tmp_path, filename) < 0) {
        int err = errno;

        g_set_error(error, QMP_ERROR, QMP_ERROR_GENERIC_ERROR, "Could not open '%s': %s",
                    filename, g_strerror(err));
        ok = false;
    }
    if (!ok) {
        g_unlink(tmp_path);
    }
    return ok;
}

bool coroutine_fn qmp_memsave(int64_t val, int64_t size, const char *filename,
                              bool has_cpu_index, int64_t cpu_index, GError **error)
{
    if (has_cpu_index && cpu_index != 0) {
        g_set_error_literal(error, QMP_ERROR, QMP_ERROR_GENERIC_ERROR,
                            "Parameter 'cpu-index' expects a CPU number");
        return false;
    }
    return save_memory((uint64_t)val, size, filename, read_virt, error);
}

bool coroutine_fn qmp_pmemsave(int64_t val, int64_t size, const char *filename,
                               GError **error)
{
    return save_memory((uint64_t)val, size, filename, read_phys, error);
}
