/* The UART's host side: stdout, stdio (with a raw terminal and Ctrl-A x), or a UNIX socket. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include <gio/gio.h>

#include "machine-int.h"

#define PH_SERIAL_CTRL_A 0x01

typedef enum {
    PH_SERIAL_STDOUT,       /* output only (the default) */
    PH_SERIAL_STDIO,
    PH_SERIAL_UNIX,
    PH_SERIAL_NONE,
} PhSerialKind;

typedef struct {
    PhSerialKind kind;
    char *path;
    bool server;
    bool wait;
} PhSerialSpec;

struct PhSerial {
    PhMachine *m;
    PhSerialSpec spec;
    bool started;

    /* Main thread: where input comes from (-1: nowhere), and bytes read
     * but not yet taken by the UART's FIFO. */
    int in_fd;
    bool in_watched;
    bool tty;               /* stdin is a terminal in raw mode */
    bool escape;            /* Ctrl-A seen */
    uint8_t pending[256];
    size_t pending_len, pending_off;
    PhBH *ready_bh;         /* the UART has room again */

    /* UNIX socket */
    int listen_fd;
    /* @lock guards @client_fd against the vCPU thread's writes. */
    GMutex lock;
    int client_fd;
};

/* The terminal as it was, restored at exit however Porthole ends. */
static struct termios ph_serial_saved_tty;
static bool ph_serial_tty_saved;

static void ph_serial_restore_tty(void)
{
    if (ph_serial_tty_saved) {
        tcsetattr(STDIN_FILENO, TCSANOW, &ph_serial_saved_tty);
        ph_serial_tty_saved = false;
    }
}

static void ph_serial_spec_clear(PhSerialSpec *spec)
{
    g_clear_pointer(&spec->path, g_free);
}

static bool ph_serial_parse(const char *text, PhSerialSpec *spec, GError **error)
{
    g_auto(GStrv) parts = NULL;
    int i;

    memset(spec, 0, sizeof(*spec));
    if (!text) {
        spec->kind = PH_SERIAL_STDOUT;
        return true;
    }
    if (strcmp(text, "stdio") == 0 || strcmp(text, "mon:stdio") == 0) {
        spec->kind = PH_SERIAL_STDIO;
        return true;
    }
    if (strcmp(text, "none") == 0 || strcmp(text, "null") == 0) {
        spec->kind = PH_SERIAL_NONE;
        return true;
    }
    if (!g_str_has_prefix(text, "unix:")) {
        goto bad;
    }
    parts = g_strsplit(text + 5, ",", -1);
    if (!parts[0] || !*parts[0]) {
        goto bad;
    }
    spec->kind = PH_SERIAL_UNIX;
    spec->path = g_strdup(parts[0]);
    spec->wait = true;
    for (i = 1; parts[i]; i++) {
        const char *o = parts[i];

        if (strcmp(o, "server") == 0 || strcmp(o, "server=on") == 0) {
            spec->server = true;
        } else if (strcmp(o, "server=off") == 0) {
            spec->server = false;
        } else if (strcmp(o, "wait") == 0 || strcmp(o, "wait=on") == 0) {
            spec->wait = true;
        } else if (strcmp(o, "nowait") == 0 || strcmp(o, "wait=off") == 0) {
            spec->wait = false;
        } else {
            ph_serial_spec_clear(spec);
            g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                        "-serial %s: unknown option '%s'", text, o);
            return false;
        }
    }
    if (strlen(spec->path) >= sizeof(((struct sockaddr_un *)NULL)->sun_path)) {
        ph_serial_spec_clear(spec);
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                    "-serial %s: the socket path is too long", text);
        return false;
    }
    return true;
bad:
    g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                "-serial '%s' is not supported (use stdio, none or "
                "unix:PATH,server=on[,wait=off])", text);
    return false;
}

bool ph_serial_check_spec(const char *spec, GError **error)
{
    PhSerialSpec s;

    if (!ph_serial_parse(spec, &s, error)) {
        return false;
    }
    ph_serial_spec_clear(&s);
    return true;
}

/* ---- output (any thread) ---- */

static void ph_serial_write_fd(int fd, const uint8_t *buf, size_t len)
{
    while (len) {
        ssize_t n = write(fd, buf, len);

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return;         /* a closed stdout: the output is lost, as on QEMU */
        }
        buf += n;
        len -= (size_t)n;
    }
}

void ph_serial_write(PhSerial *s, const uint8_t *buf, size_t len)
{
    switch (s->spec.kind) {
    case PH_SERIAL_STDOUT:
    case PH_SERIAL_STDIO:
        ph_serial_write_fd(STDOUT_FILENO, buf, len);
        break;
    case PH_SERIAL_UNIX:
        /* Never block the vCPU on a client that does not read: what does
         * not fit in the socket buffer is dropped. */
        g_mutex_lock(&s->lock);
        if (s->client_fd >= 0) {
            while (len) {
                ssize_t n = send(s->client_fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);

                if (n < 0 && errno == EINTR) {
                    continue;
                }
                if (n <= 0) {
                    break;
                }
                buf += n;
                len -= (size_t)n;
            }
        }
        g_mutex_unlock(&s->lock);
        break;
    case PH_SERIAL_NONE:
        break;
    }
}

static void ph_serial_uart_output(void *opaque, const uint8_t *buf, size_t len)
{
    ph_serial_write(opaque, buf, len);
}

/* ---- input (main thread) ---- */

static void ph_serial_read_cb(void *opaque);

static void ph_serial_watch(PhSerial *s, bool on)
{
    if (s->in_fd < 0 || s->in_watched == on) {
        return;
    }
    aio_set_fd_handler(ph_main_aio_context(), s->in_fd, on ? ph_serial_read_cb : NULL,
                       NULL, s);
    s->in_watched = on;
}

/* Hands pending bytes to the UART; true when all were taken. */
static bool ph_serial_push(PhSerial *s)
{
    while (s->pending_off < s->pending_len) {
        size_t n = ph_uart_receive(s->m->uart, s->pending + s->pending_off,
                                   s->pending_len - s->pending_off);

        if (n == 0) {
            break;
        }
        s->pending_off += n;
        ph_vcpu_kick(s->m);
    }
    if (s->pending_off < s->pending_len) {
        return false;
    }
    s->pending_off = s->pending_len = 0;
    return true;
}

static void ph_serial_client_gone(PhSerial *s);

static void ph_serial_quit(PhSerial *s)
{
    static const char msg[] = "Porthole: Terminated\r\n";

    ph_serial_write_fd(STDOUT_FILENO, (const uint8_t *)msg, sizeof(msg) - 1);
    ph_serial_watch(s, false);
    if (ph_vm_get_runstate() != PH_RUN_STATE_SHUTDOWN) {
        ph_vm_shutdown_request(PH_SHUTDOWN_CAUSE_HOST_QMP_QUIT);
    }
}

/* A terminal's Ctrl-A escapes, as QEMU's -nographic: x quits, Ctrl-A
 * sends Ctrl-A, h prints help; the rest is dropped. */
static size_t ph_serial_filter_tty(PhSerial *s, uint8_t *buf, size_t len, bool *quit)
{
    size_t i, out = 0;

    for (i = 0; i < len; i++) {
        uint8_t c = buf[i];

        if (s->escape) {
            s->escape = false;
            if (c == PH_SERIAL_CTRL_A) {
                buf[out++] = c;
            } else if (c == 'x' || c == 'X') {
                *quit = true;
                return out;
            } else if (c == 'h' || c == 'H' || c == '?') {
                static const char help[] = "\r\nC-a h    print this help\r\n"
                                           "C-a x    exit Porthole\r\n"
                                           "C-a C-a  send C-a\r\n";

                ph_serial_write_fd(STDOUT_FILENO, (const uint8_t *)help, sizeof(help) - 1);
            }
        } else if (c == PH_SERIAL_CTRL_A) {
            s->escape = true;
        } else {
            buf[out++] = c;
        }
    }
    return out;
}

static void ph_serial_read_cb(void *opaque)
{
    PhSerial *s = opaque;
    bool quit = false;
    ssize_t n;

    if (s->pending_len) {
        return;     /* not yet: the ready callback resumes reading */
    }
    n = read(s->in_fd, s->pending, sizeof(s->pending));
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
        return;
    }
    if (n <= 0) {
        /* End of input: stop reading (the guest keeps running). */
        ph_serial_watch(s, false);
        if (s->spec.kind == PH_SERIAL_UNIX) {
            ph_serial_client_gone(s);
        } else {
            s->in_fd = -1;
        }
        return;
    }
    s->pending_len = (size_t)n;
    if (s->tty) {
        s->pending_len = ph_serial_filter_tty(s, s->pending, s->pending_len, &quit);
    }
    if (quit) {
        s->pending_len = 0;
        ph_serial_quit(s);
        return;
    }
    if (!ph_serial_push(s)) {
        ph_serial_watch(s, false);    /* back-pressure until the guest reads */
    }
}

static void ph_serial_ready_bh(void *opaque)
{
    PhSerial *s = opaque;

    if (ph_serial_push(s)) {
        ph_serial_watch(s, true);
    }
}

/* vCPU thread: the guest read from a full FIFO. */
static void ph_serial_uart_ready(void *opaque)
{
    PhSerial *s = opaque;

    if (s->ready_bh) {
        ph_bh_schedule(s->ready_bh);
    }
}

/* ---- the UNIX socket ---- */

static void ph_serial_accept_cb(void *opaque);

static void ph_serial_set_client(PhSerial *s, int fd)
{
    g_mutex_lock(&s->lock);
    s->client_fd = fd;
    g_mutex_unlock(&s->lock);
    s->in_fd = fd;
    s->in_watched = false;
    s->pending_len = s->pending_off = 0;
    ph_serial_watch(s, true);
}

static void ph_serial_client_gone(PhSerial *s)
{
    int fd;

    g_mutex_lock(&s->lock);
    fd = s->client_fd;
    s->client_fd = -1;
    g_mutex_unlock(&s->lock);
    s->in_fd = -1;
    if (fd >= 0) {
        close(fd);
    }
    /* One client at a time: the next one may come now. */
    if (s->listen_fd >= 0) {
        aio_set_fd_handler(ph_main_aio_context(), s->listen_fd, ph_serial_accept_cb, NULL, s);
    }
}

static void ph_serial_accept_cb(void *opaque)
{
    PhSerial *s = opaque;
    int fd = accept4(s->listen_fd, NULL, NULL, SOCK_CLOEXEC);

    if (fd < 0) {
        return;
    }
    aio_set_fd_handler(ph_main_aio_context(), s->listen_fd, NULL, NULL, NULL);
    ph_serial_set_client(s, fd);
}

static bool ph_serial_open_unix(PhSerial *s, GError **error)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

    g_strlcpy(addr.sun_path, s->spec.path, sizeof(addr.sun_path));
    if (fd < 0) {
        goto fail;
    }
    if (!s->spec.server) {
        if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
            goto fail;
        }
        ph_serial_set_client(s, fd);
        return true;
    }
    unlink(s->spec.path);
    if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(fd, 1) < 0) {
        goto fail;
    }
    s->listen_fd = fd;
    if (s->spec.wait) {
        /* QEMU's wait=on: nothing runs before the first client is there. */
        int client;

        fprintf(stderr, "porthole: waiting for a connection on the serial socket %s\n",
                s->spec.path);
        do {
            client = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
        } while (client < 0 && errno == EINTR);
        if (client < 0) {
            goto fail_listen;
        }
        ph_serial_set_client(s, client);
    } else {
        aio_set_fd_handler(ph_main_aio_context(), fd, ph_serial_accept_cb, NULL, s);
    }
    return true;
fail:
    if (fd >= 0) {
        close(fd);
    }
    fd = -1;
fail_listen:
    g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errno),
                "-serial unix:%s: %s", s->spec.path, g_strerror(errno));
    if (fd >= 0) {
        close(fd);
        s->listen_fd = -1;
    }
    return false;
}

/* ---- life cycle ---- */

PhSerial *ph_serial_new(PhMachine *m, const char *spec, GError **error)
{
    PhSerial *s = g_new0(PhSerial, 1);

    if (!ph_serial_parse(spec, &s->spec, error)) {
        g_free(s);
        return NULL;
    }
    s->m = m;
    s->in_fd = -1;
    s->listen_fd = -1;
    s->client_fd = -1;
    g_mutex_init(&s->lock);
    ph_uart_set_output(m->uart, ph_serial_uart_output, s);
    ph_uart_set_receive_ready(m->uart, ph_serial_uart_ready, s);
    return s;
}

bool ph_serial_start(PhSerial *s, GError **error)
{
    g_return_val_if_fail(!s->started, false);
    s->started = true;
    /* A reader that went away must not kill the whole VM. */
    signal(SIGPIPE, SIG_IGN);
    s->ready_bh = aio_bh_new(ph_main_aio_context(), ph_serial_ready_bh, s);

    switch (s->spec.kind) {
    case PH_SERIAL_STDIO:
        if (isatty(STDIN_FILENO)) {
            struct termios tty;

            if (tcgetattr(STDIN_FILENO, &tty) == 0) {
                static bool registered;

                ph_serial_saved_tty = tty;
                ph_serial_tty_saved = true;
                if (!registered) {
                    atexit(ph_serial_restore_tty);
                    registered = true;
                }
                /* Raw input, keys such as Ctrl-C go to the guest; output
                 * processing stays on as QEMU leaves it. */
                tty.c_iflag &= ~(tcflag_t)(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR |
                                           IGNCR | ICRNL | IXON);
                tty.c_lflag &= ~(tcflag_t)(ECHO | ECHONL | ICANON | IEXTEN | ISIG);
                tty.c_cc[VMIN] = 1;
                tty.c_cc[VTIME] = 0;
                tcsetattr(STDIN_FILENO, TCSANOW, &tty);
                s->tty = true;
            }
        }
        s->in_fd = STDIN_FILENO;
        ph_serial_watch(s, true);
        return true;
    case PH_SERIAL_UNIX:
        return ph_serial_open_unix(s, error);
    case PH_SERIAL_STDOUT:
    case PH_SERIAL_NONE:
        return true;
    }
    return true;
}

void ph_serial_free(PhSerial *s)
{
    if (!s) {
        return;
    }
    ph_serial_watch(s, false);
    if (s->spec.kind == PH_SERIAL_UNIX) {
        if (s->listen_fd >= 0) {
            if (s->started) {
                aio_set_fd_handler(ph_main_aio_context(), s->listen_fd, NULL, NULL, NULL);
            }
            close(s->listen_fd);
            unlink(s->spec.path);
        }
        if (s->client_fd >= 0) {
            close(s->client_fd);
        }
    }
    if (s->tty) {
        ph_serial_restore_tty();
    }
    g_clear_pointer(&s->ready_bh, ph_bh_delete);
    g_mutex_clear(&s->lock);
    ph_serial_spec_clear(&s->spec);
    g_free(s);
}
