/* The QMP socket server: accepts clients and moves their bytes on the monitor I/O thread. */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <gio/gio.h>

#include "aio.h"
#include "json-streamer.h"
#include "json-writer.h"
#include "qapi-commands.h"
#include "qmp-server.h"
#include "qmp-session-int.h"

#define READ_CHUNK 65536
/* How long the final flush at exit may take per client. */
#define FLUSH_TIMEOUT_MS 500

typedef struct Listener {
    int fd;
    char *unix_path;        /* unlinked at stop */
} Listener;

typedef struct SocketTransport {
    QmpSession *session;
    int fd;
    PhJsonStreamer *streamer;   /* I/O thread */
    /* Bytes read but not yet fed (from @unfed_pos on): the queue filled
     * up in the middle of them.  I/O thread. */
    GByteArray *unfed;
    guint unfed_pos;
    bool full;                  /* the last request filled the queue */
    /*
     * Output, under the session lock: whoever produces a message (main
     * loop, I/O thread, any completing thread) sends it at once if the
     * socket takes it; what it does not take waits in @out, and then the
     * I/O thread finishes the job when the socket is writable (@blocked).
     */
    GString *out;
    bool blocked;
    PhBH *write_bh;             /* I/O thread's context */
    PhBH *resume_bh;
    bool read_paused;           /* I/O thread */
    bool closing;               /* I/O thread */
} SocketTransport;

static struct {
    PhIOThread *iothread;
    GPtrArray *listeners;       /* Listener *, main thread until started */
    GPtrArray *clients;         /* SocketTransport *, I/O thread */
} server;

static AioContext *io_ctx(void)
{
    return ph_iothread_get_aio_context(server.iothread);
}

/* ---- clients (I/O thread) ---------------------------------------------- */

static void client_read_cb(void *opaque);
static void client_write_cb(void *opaque);
static void client_close(SocketTransport *t);

static void client_update_handlers(SocketTransport *t)
{
    bool blocked;

    if (t->closing) {
        return;
    }
    g_mutex_lock(&t->session->lock);
    blocked = t->blocked;
    g_mutex_unlock(&t->session->lock);
    aio_set_fd_handler(io_ctx(), t->fd, t->read_paused ? NULL : client_read_cb,
                       blocked ? client_write_cb : NULL, t);
}

/*
 * Sends as much of @out as the socket takes without blocking.  Session
 * lock held.  Returns false when the socket would block; a dead peer
 * just drops the output (its hang-up is noticed by the reader).
 */
static bool client_send_locked(SocketTransport *t)
{
    gsize done = 0;

    while (done < t->out->len) {
        ssize_t n = send(t->fd, t->out->str + done, t->out->len - done, MSG_NOSIGNAL);

        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                g_string_erase(t->out, 0, (gssize)done);
                return false;
            }
            break;
        }
        done += (gsize)n;
    }
    g_string_truncate(t->out, 0);
    return true;
}

/* I/O thread: the socket is writable again, or output is waiting. */
static void client_write_bh(void *opaque)
{
    SocketTransport *t = opaque;

    if (t->closing) {
        return;
    }
    g_mutex_lock(&t->session->lock);
    t->blocked = !client_send_locked(t);
    g_mutex_unlock(&t->session->lock);
    client_update_handlers(t);
}

static void client_write_cb(void *opaque)
{
    client_write_bh(opaque);
}

static void client_emit(void *opaque, JsonNode *node, GError *error)
{
    SocketTransport *t = opaque;

    if (ph_qmp_session_input(t->session, node, error)) {
        /* Full: take no more of the input for now. */
        t->full = true;
        ph_json_streamer_pause(t->streamer);
    }
}

/*
 * Feeds input to the streamer until the request queue is full; returns how
 * much it took.  The client is never dropped when it sends too much: it
 * just waits (back-pressure).
 */
static size_t client_feed(SocketTransport *t, const char *buf, size_t len)
{
    size_t done = 0;

    t->full = ph_qmp_session_input_full(t->session);
    while (done < len && !t->closing && !t->full) {
        done += ph_json_streamer_feed_partial(t->streamer, buf + done, len - done);
    }
    return done;
}

/* Feeds what is left of earlier input; true once all of it went in. */
static bool client_feed_unfed(SocketTransport *t)
{
    t->unfed_pos += (guint)client_feed(t, (const char *)t->unfed->data + t->unfed_pos,
                                       t->unfed->len - t->unfed_pos);
    if (t->unfed_pos < t->unfed->len) {
        return false;
    }
    g_byte_array_set_size(t->unfed, 0);
    t->unfed_pos = 0;
    return true;
}

static void client_resume_bh(void *opaque)
{
    SocketTransport *t = opaque;

    if (t->closing || !t->read_paused || ph_qmp_session_input_full(t->session)) {
        return;
    }
    if (client_feed_unfed(t) && !t->closing && !ph_qmp_session_input_full(t->session)) {
        t->read_paused = false;
        client_update_handlers(t);
    }
}

static void client_read_cb(void *opaque)
{
    SocketTransport *t = opaque;
    char buf[READ_CHUNK];
    size_t done;
    ssize_t n;

    ph_qmp_node_graveyard_drain();
    do {
        n = read(t->fd, buf, sizeof(buf));
    } while (n < 0 && errno == EINTR);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        return;
    }
    if (n <= 0) {
        client_close(t);
        return;
    }
    done = client_feed(t, buf, (size_t)n);
    if (done < (size_t)n && !t->closing) {
        g_byte_array_append(t->unfed, (const guint8 *)buf + done, (guint)((size_t)n - done));
    }
    if (!t->closing && (t->unfed->len || ph_qmp_session_input_full(t->session))) {
        /* Back-pressure: the client waits until its requests drain. */
        t->read_paused = true;
        client_update_handlers(t);
    }
}

static void client_close(SocketTransport *t)
{
    if (t->closing) {
        return;
    }
    t->closing = true;
    aio_set_fd_handler(io_ctx(), t->fd, NULL, NULL, NULL);
    ph_qmp_session_mark_closed(t->session);
    close(t->fd);
    t->fd = -1;
    g_ptr_array_remove(server.clients, t);
    ph_qmp_session_unref(t->session);
}

/* Any thread, session lock held, session not closed. */
static void socket_output(QmpSession *s, JsonNode *msg, const GString *text)
{
    SocketTransport *t = s->transport;

    if (msg) {
        ph_json_write(t->out, msg);
    } else {
        g_string_append_len(t->out, text->str, (gssize)text->len);
    }
    g_string_append(t->out, "\r\n");
}

static void socket_flush(QmpSession *s)
{
    SocketTransport *t = s->transport;

    if (!t->blocked && !client_send_locked(t)) {
        t->blocked = true;
        ph_bh_schedule(t->write_bh);
    }
}

static void socket_resume_read(QmpSession *s)
{
    SocketTransport *t = s->transport;

    ph_bh_schedule(t->resume_bh);
}

/* Frees on the I/O thread, after any bottom half of this client that is
 * still queued there has run. */
static void socket_free_bh(void *opaque)
{
    SocketTransport *t = opaque;
    QmpSession *s = t->session;

    ph_bh_delete(t->write_bh);
    ph_bh_delete(t->resume_bh);
    ph_json_streamer_free(t->streamer);
    g_byte_array_unref(t->unfed);
    g_string_free(t->out, TRUE);
    g_free(t);
    ph_qmp_session_destroy(s);
}

static void socket_finalize(QmpSession *s)
{
    if (server.iothread) {
        aio_bh_schedule_oneshot(io_ctx(), socket_free_bh, s->transport);
    } else {
        /* The thread is gone, and with it anything that could race. */
        socket_free_bh(s->transport);
    }
}

static const QmpSessionOps socket_ops = {
    .output = socket_output,
    .flush = socket_flush,
    .resume_read = socket_resume_read,
    .finalize = socket_finalize,
    .parsed_elsewhere = true,
};

/* Built like query-version's reply, so the writer orders it as QEMU does. */
static JsonNode *build_greeting(void)
{
    g_autoptr(VersionInfo) version = qmp_query_version(NULL);
    g_autoptr(JsonBuilder) b = json_builder_new();

    json_builder_begin_object(b);
    json_builder_set_member_name(b, "QMP");
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "version");
    json_builder_add_value(b, qapi_to_json_VersionInfo(version));
    json_builder_set_member_name(b, "capabilities");
    json_builder_begin_array(b);
    json_builder_add_string_value(b, "oob");
    json_builder_end_array(b);
    json_builder_end_object(b);
    json_builder_end_object(b);
    return json_builder_get_root(b);
}

static void client_new(int fd)
{
    SocketTransport *t = g_new0(SocketTransport, 1);
    QmpSession *s = g_new0(QmpSession, 1);
    g_autoptr(JsonNode) greeting = build_greeting();

    t->session = s;
    t->fd = fd;
    t->streamer = ph_json_streamer_new(client_emit, t);
    t->out = g_string_new(NULL);
    t->unfed = g_byte_array_new();
    t->write_bh = aio_bh_new(io_ctx(), client_write_bh, t);
    t->resume_bh = aio_bh_new(io_ctx(), client_resume_bh, t);
    ph_qmp_session_init(s, &socket_ops, t, false);
    g_ptr_array_add(server.clients, t);

    g_mutex_lock(&s->lock);
    ph_qmp_session_output_locked(s, greeting, NULL);
    g_mutex_unlock(&s->lock);
    ph_qmp_sessions_add(s);
    client_update_handlers(t);
}

static void listener_accept_cb(void *opaque)
{
    Listener *l = opaque;

    for (;;) {
        int fd = accept4(l->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

        if (fd < 0) {
            if (errno == EINTR) {
                continue;
            }
            /* EAGAIN, or out of fds: try again when the loop says so. */
            return;
        }
        if (!l->unix_path) {
            int one = 1;

            setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        }
        client_new(fd);
    }
}

static void listener_start_bh(void *opaque)
{
    Listener *l = opaque;

    aio_set_fd_handler(io_ctx(), l->fd, listener_accept_cb, NULL, l);
}

/* ---- set-up (main thread) ----------------------------------------------- */

void ph_qmp_server_start(void)
{
    g_assert(!server.iothread);
    server.iothread = ph_iothread_new("monitor-io");
    server.clients = g_ptr_array_new();
    if (!server.listeners) {
        server.listeners = g_ptr_array_new();
    }
}

char *ph_qmp_server_default_path(void)
{
    g_autofree char *dir = g_build_filename(g_get_user_runtime_dir(), "porthole", NULL);
    g_autofree char *name = g_strdup_printf("%d.qmp", (int)getpid());

    return g_build_filename(dir, name, NULL);
}

static bool parse_spec(const char *spec, char **kind, char **addr, GError **error)
{
    g_auto(GStrv) parts = g_strsplit(spec, ",", -1);
    guint i;

    for (i = 1; parts[i]; i++) {
        g_auto(GStrv) kv = g_strsplit(parts[i], "=", 2);
        const char *value = kv[1] ? kv[1] : "on";

        if (g_str_equal(kv[0], "server")) {
            if (!g_str_equal(value, "on") && !g_str_equal(value, "true") &&
                !g_str_equal(value, "yes")) {
                g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                            "'%s': Porthole only listens (server=on)", spec);
                return false;
            }
        } else if (g_str_equal(kv[0], "wait") || g_str_equal(kv[0], "nowait")) {
            /* Porthole never blocks its start-up waiting for a client. */
        } else {
            g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                        "'%s': unknown option '%s'", spec, kv[0]);
            return false;
        }
    }
    if (g_str_has_prefix(parts[0], "unix:")) {
        *kind = g_strdup("unix");
        *addr = g_strdup(parts[0] + 5);
    } else if (g_str_has_prefix(parts[0], "tcp:")) {
        *kind = g_strdup("tcp");
        *addr = g_strdup(parts[0] + 4);
    } else if (strchr(parts[0], ':') && !strchr(parts[0], '/')) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                    "'%s': expected unix:PATH, tcp:HOST:PORT or a socket path", spec);
        return false;
    } else {
        *kind = g_strdup("unix");
        *addr = g_strdup(parts[0]);
    }
    if (!**addr) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                    "'%s': no address", spec);
        return false;
    }
    return true;
}

static int listen_unix(const char *path, GError **error)
{
    struct sockaddr_un sun = { .sun_family = AF_UNIX };
    g_autofree char *dir = g_path_get_dirname(path);
    mode_t old_mask;
    int fd, r;

    if (strlen(path) >= sizeof(sun.sun_path)) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_FILENAME_TOO_LONG,
                    "UNIX socket path '%s' is too long", path);
        return -1;
    }
    strcpy(sun.sun_path, path);
    if (g_mkdir_with_parents(dir, 0700) != 0) {
        g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errno),
                    "Failed to create directory '%s': %s", dir, g_strerror(errno));
        return -1;
    }
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errno),
                    "Failed to create socket: %s", g_strerror(errno));
        return -1;
    }
    unlink(path);
    /* Created 0600 from the start: no window where others may connect.
     * (Start-up runs on one thread, so changing the umask is safe.) */
    old_mask = umask(0077);
    r = bind(fd, (struct sockaddr *)&sun, sizeof(sun));
    umask(old_mask);
    if (r < 0 || listen(fd, 64) < 0) {
        g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errno),
                    "Failed to bind socket to %s: %s", path, g_strerror(errno));
        close(fd);
        return -1;
    }
    chmod(path, 0600);
    return fd;
}

static int listen_tcp(const char *addr, char **address, GError **error)
{
    const char *colon = strrchr(addr, ':');
    g_autofree char *host = NULL;
    struct sockaddr_in sin = { .sin_family = AF_INET };
    socklen_t len = sizeof(sin);
    char *end;
    long port;
    int fd, one = 1;

    if (!colon) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                    "'tcp:%s': expected tcp:HOST:PORT", addr);
        return -1;
    }
    host = g_strndup(addr, (gsize)(colon - addr));
    port = strtol(colon + 1, &end, 10);
    if (*end || port < 0 || port > 65535 || end == colon + 1) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                    "'tcp:%s': invalid port", addr);
        return -1;
    }
    if (!*host || g_str_equal(host, "localhost")) {
        g_free(host);
        host = g_strdup("127.0.0.1");
    }
    if (inet_pton(AF_INET, host, &sin.sin_addr) != 1) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                    "'tcp:%s': '%s' is not an IPv4 address", addr, host);
        return -1;
    }
    sin.sin_port = htons((uint16_t)port);
    fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errno),
                    "Failed to create socket: %s", g_strerror(errno));
        return -1;
    }
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 || listen(fd, 64) < 0) {
        g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errno),
                    "Failed to listen on %s:%ld: %s", host, port, g_strerror(errno));
        close(fd);
        return -1;
    }
    getsockname(fd, (struct sockaddr *)&sin, &len);
    *address = g_strdup_printf("tcp:%s:%u", host, ntohs(sin.sin_port));
    return fd;
}

bool ph_qmp_server_listen(const char *spec, char **address, GError **error)
{
    g_autofree char *kind = NULL, *addr = NULL;
    Listener *l;
    int fd;

    g_assert(server.iothread);
    if (!parse_spec(spec, &kind, &addr, error)) {
        return false;
    }
    if (g_str_equal(kind, "unix")) {
        fd = listen_unix(addr, error);
        if (fd >= 0) {
            *address = g_strdup_printf("unix:%s", addr);
        }
    } else {
        fd = listen_tcp(addr, address, error);
    }
    if (fd < 0) {
        return false;
    }
    l = g_new0(Listener, 1);
    l->fd = fd;
    l->unix_path = g_str_equal(kind, "unix") ? g_strdup(addr) : NULL;
    g_ptr_array_add(server.listeners, l);
    aio_bh_schedule_oneshot(io_ctx(), listener_start_bh, l);
    return true;
}

/* Last words to a client at exit: block briefly until its output is out. */
static void client_flush_blocking(SocketTransport *t)
{
    gint64 deadline = g_get_monotonic_time() + FLUSH_TIMEOUT_MS * 1000;

    g_mutex_lock(&t->session->lock);
    while (!client_send_locked(t)) {
        struct pollfd pfd = { .fd = t->fd, .events = POLLOUT };
        gint64 left = (deadline - g_get_monotonic_time()) / 1000;

        if (left <= 0 || poll(&pfd, 1, (int)left) <= 0) {
            break;
        }
    }
    g_mutex_unlock(&t->session->lock);
}

static void server_stop_bh(void *opaque)
{
    guint i;

    for (i = 0; i < server.listeners->len; i++) {
        Listener *l = server.listeners->pdata[i];

        aio_set_fd_handler(io_ctx(), l->fd, NULL, NULL, NULL);
        close(l->fd);
        if (l->unix_path) {
            unlink(l->unix_path);
        }
        g_free(l->unix_path);
        g_free(l);
    }
    g_ptr_array_set_size(server.listeners, 0);
    while (server.clients->len) {
        SocketTransport *t = server.clients->pdata[0];

        client_flush_blocking(t);
        client_close(t);
    }
}

void ph_qmp_server_stop(void)
{
    if (!server.iothread) {
        return;
    }
    aio_bh_schedule_oneshot(io_ctx(), server_stop_bh, NULL);
    ph_iothread_free(server.iothread);
    server.iothread = NULL;
    ph_qmp_node_graveyard_drain();
    g_clear_pointer(&server.listeners, g_ptr_array_unref);
    g_clear_pointer(&server.clients, g_ptr_array_unref);
}
