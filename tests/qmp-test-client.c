/* A blocking QMP client for the protocol tests: raw bytes on a UNIX socket. */
#include "qmp-test-client.h"

#include <errno.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

struct QmpTestClient {
    int fd;
    GByteArray *in; /* received, not yet returned as lines */
    GQueue events;  /* event lines met while waiting for a reply */
    bool closed;    /* the server closed (or reset) the connection */
};

static gint64 deadline_after(int timeout_ms)
{
    return g_get_monotonic_time() + (gint64)timeout_ms * 1000;
}

/* Milliseconds left until @deadline, for poll(); 0 once it has passed. */
static int ms_left(gint64 deadline)
{
    gint64 left = deadline - g_get_monotonic_time();

    return left <= 0 ? 0 : (int)MIN((left + 999) / 1000, G_MAXINT);
}

/* Connects to @path, retrying as qmp_test_client_connect() says; -1 and
 * @error when it cannot. */
static int connect_unix(const char *path, int timeout_ms, GError **error)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    gint64 deadline = deadline_after(timeout_ms);

    if (strlen(path) >= sizeof(addr.sun_path)) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_FILENAME_TOO_LONG,
                    "socket path too long: %s", path);
        return -1;
    }
    strcpy(addr.sun_path, path);
    for (;;) {
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        int saved;

        if (fd < 0) {
            g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errno),
                        "socket: %s", g_strerror(errno));
            return -1;
        }
        if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0) {
            return fd;
        }
        saved = errno;
        close(fd);
        if ((saved != ENOENT && saved != ECONNREFUSED) ||
            g_get_monotonic_time() > deadline) {
            g_set_error(error, G_IO_ERROR, g_io_error_from_errno(saved),
                        "connect %s: %s", path, g_strerror(saved));
            return -1;
        }
        g_usleep(10 * 1000);
    }
}

QmpTestClient *qmp_test_client_connect(const char *path, int timeout_ms,
                                       GError **error)
{
    QmpTestClient *client;
    int fd = connect_unix(path, timeout_ms, error);

    if (fd < 0) {
        return NULL;
    }
    client = g_new0(QmpTestClient, 1);
    client->fd = fd;
    client->in = g_byte_array_new();
    g_queue_init(&client->events);
    return client;
}

int qmp_test_connect_unix(const char *path, int timeout_ms)
{
    g_autoptr(GError) error = NULL;
    int fd = connect_unix(path, timeout_ms, &error);

    g_assert_no_error(error);
    return fd;
}

void qmp_test_read_some(int fd, GString *out, int timeout_ms)
{
    struct pollfd pfd = { .fd = fd, .events = POLLIN };
    char buf[4096];
    ssize_t n;

    if (poll(&pfd, 1, timeout_ms) <= 0) {
        return;
    }
    n = read(fd, buf, sizeof(buf));
    if (n <= 0) {
        g_assert_true(n < 0 && errno == EINTR);
        return;
    }
    g_string_append_len(out, buf, n);
}

void qmp_test_client_free(QmpTestClient *client)
{
    if (client == NULL) {
        return;
    }
    close(client->fd);
    g_byte_array_unref(client->in);
    g_queue_clear_full(&client->events, g_free);
    g_free(client);
}

int qmp_test_client_fd(QmpTestClient *client)
{
    return client->fd;
}

/* Appends what can be read now to the buffer; false on a read error. */
static bool client_fill(QmpTestClient *client, GError **error)
{
    guint8 chunk[65536];
    ssize_t n = recv(client->fd, chunk, sizeof(chunk), MSG_DONTWAIT);

    if (n > 0) {
        g_byte_array_append(client->in, chunk, n);
        return true;
    }
    if (n == 0 || errno == ECONNRESET) {
        client->closed = true;
        return true;
    }
    if (errno == EAGAIN || errno == EINTR) {
        return true;
    }
    g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errno), "recv: %s",
                g_strerror(errno));
    return false;
}

bool qmp_test_client_send(QmpTestClient *client, const void *data, gsize len,
                          int timeout_ms, GError **error)
{
    const guint8 *p = data;
    gint64 deadline = deadline_after(timeout_ms);

    while (len > 0) {
        struct pollfd pfd = { .fd = client->fd, .events = POLLOUT };
        int r;

        if (!client->closed) {
            pfd.events |= POLLIN;
        }
        r = poll(&pfd, 1, ms_left(deadline));
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r <= 0) {
            g_set_error(error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                        "send: %" G_GSIZE_FORMAT " bytes left, nothing moved "
                        "for %d ms",
                        len, timeout_ms);
            return false;
        }
        if (pfd.revents & (POLLIN | POLLHUP)) {
            gsize before = client->in->len;

            if (!client_fill(client, error)) {
                return false;
            }
            if (client->in->len != before) {
                deadline = deadline_after(timeout_ms);
            }
        }
        if (pfd.revents & (POLLOUT | POLLERR)) {
            ssize_t n = send(client->fd, p, MIN(len, 1 << 20),
                             MSG_DONTWAIT | MSG_NOSIGNAL);

            if (n < 0 && errno != EAGAIN && errno != EINTR) {
                g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errno),
                            "send: %s", g_strerror(errno));
                return false;
            }
            if (n > 0) {
                p += n;
                len -= n;
                deadline = deadline_after(timeout_ms);
            }
        }
    }
    return true;
}

bool qmp_test_client_send_str(QmpTestClient *client, const char *str,
                              GError **error)
{
    return qmp_test_client_send(client, str, strlen(str), QMP_TEST_TIMEOUT_MS,
                                error);
}

/* Index just past the first '\n' in the buffer, or 0. */
static gsize client_line_end(QmpTestClient *client)
{
    const guint8 *nl;

    if (client->in->len == 0) {
        return 0;
    }
    nl = memchr(client->in->data, '\n', client->in->len);

    return nl ? (gsize)(nl - client->in->data) + 1 : 0;
}

/* Waits until the buffer holds a line or the connection is closed. */
static bool client_wait_line(QmpTestClient *client, gint64 deadline,
                             GError **error)
{
    while (client_line_end(client) == 0 && !client->closed) {
        struct pollfd pfd = { .fd = client->fd, .events = POLLIN };
        int r = poll(&pfd, 1, ms_left(deadline));

        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r == 0) {
            g_set_error(error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                        "no complete line from the server in time "
                        "(%u bytes pending)",
                        client->in->len);
            return false;
        }
        if (r < 0 || !client_fill(client, error)) {
            if (r < 0) {
                g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errno),
                            "poll: %s", g_strerror(errno));
            }
            return false;
        }
    }
    return true;
}

char *qmp_test_client_read_line(QmpTestClient *client, int timeout_ms,
                                GError **error)
{
    gsize end;
    char *line;

    if (!client_wait_line(client, deadline_after(timeout_ms), error)) {
        return NULL;
    }
    end = client_line_end(client);
    if (end == 0) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                    "connection closed (%u bytes without a newline)",
                    client->in->len);
        return NULL;
    }
    line = g_strndup((const char *)client->in->data, end);
    g_byte_array_remove_range(client->in, 0, end);
    return line;
}

bool qmp_test_client_is_quiet(QmpTestClient *client, int ms)
{
    struct pollfd pfd = { .fd = client->fd, .events = POLLIN };

    if (client->in->len > 0) {
        return false;
    }
    return poll(&pfd, 1, ms) == 0;
}

bool qmp_test_client_wait_closed(QmpTestClient *client, int timeout_ms,
                                 char **rest, GError **error)
{
    gint64 deadline = deadline_after(timeout_ms);

    while (!client->closed) {
        struct pollfd pfd = { .fd = client->fd, .events = POLLIN };
        int r = poll(&pfd, 1, ms_left(deadline));

        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r == 0) {
            g_set_error(error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                        "the server did not close the connection in time");
            return false;
        }
        if (r < 0 || !client_fill(client, error)) {
            if (r < 0) {
                g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errno),
                            "poll: %s", g_strerror(errno));
            }
            return false;
        }
    }
    if (rest) {
        *rest = g_strndup((const char *)client->in->data, client->in->len);
    }
    g_byte_array_set_size(client->in, 0);
    return true;
}

bool qmp_test_line_has_member(const char *line, const char *name)
{
    g_autoptr(JsonNode) node = qmp_test_parse(line, NULL);

    return node && JSON_NODE_HOLDS_OBJECT(node) &&
           json_object_has_member(json_node_get_object(node), name);
}

char *qmp_test_client_read_reply(QmpTestClient *client, int timeout_ms,
                                 GError **error)
{
    gint64 deadline = deadline_after(timeout_ms);

    for (;;) {
        char *line =
            qmp_test_client_read_line(client, ms_left(deadline), error);

        if (line == NULL || !qmp_test_line_has_member(line, "event")) {
            return line;
        }
        g_queue_push_tail(&client->events, line);
    }
}

char *qmp_test_client_next_event(QmpTestClient *client, int timeout_ms,
                                 GError **error)
{
    char *line;

    if (!g_queue_is_empty(&client->events)) {
        return g_queue_pop_head(&client->events);
    }
    line = qmp_test_client_read_line(client, timeout_ms, error);
    if (line && !qmp_test_line_has_member(line, "event")) {
        g_autofree char *escaped = qmp_test_escape(line);

        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                    "expected an event, got \"%s\"", escaped);
        g_free(line);
        return NULL;
    }
    return line;
}

guint qmp_test_client_queued_events(QmpTestClient *client)
{
    return g_queue_get_length(&client->events);
}

char *qmp_test_client_command(QmpTestClient *client, const char *line,
                              GError **error)
{
    g_autofree char *with_nl = NULL;

    if (!g_str_has_suffix(line, "\n")) {
        line = with_nl = g_strconcat(line, "\n", NULL);
    }
    if (!qmp_test_client_send_str(client, line, error)) {
        return NULL;
    }
    return qmp_test_client_read_reply(client, QMP_TEST_TIMEOUT_MS, error);
}

bool qmp_test_client_handshake(QmpTestClient *client, bool oob, char **greeting,
                               GError **error)
{
    g_autofree char *hello = NULL;
    g_autofree char *reply = NULL;

    hello = qmp_test_client_read_line(client, QMP_TEST_TIMEOUT_MS, error);
    if (hello == NULL) {
        return false;
    }
    if (!qmp_test_line_has_member(hello, "QMP")) {
        g_autofree char *escaped = qmp_test_escape(hello);

        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                    "not a QMP greeting: \"%s\"", escaped);
        return false;
    }
    reply =
        qmp_test_client_command(client,
                                oob ? "{\"execute\": \"qmp_capabilities\", "
                                      "\"arguments\": {\"enable\": [\"oob\"]}}"
                                    : "{\"execute\": \"qmp_capabilities\"}",
                                error);
    if (reply == NULL) {
        return false;
    }
    if (!g_str_equal(reply, "{\"return\": {}}\r\n")) {
        g_autofree char *escaped = qmp_test_escape(reply);

        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                    "qmp_capabilities failed: \"%s\"", escaped);
        return false;
    }
    if (greeting) {
        *greeting = g_steal_pointer(&hello);
    }
    return true;
}

JsonNode *qmp_test_parse(const char *line, GError **error)
{
    return json_from_string(line, error);
}

char *qmp_test_mask(const char *line)
{
    static GRegex *numbers, *package;
    g_autofree char *tmp = NULL;

    if (g_once_init_enter(&package)) {
        numbers = g_regex_new(
            "\"(seconds|microseconds|major|minor|micro)\": -?[0-9]+", 0, 0,
            NULL);
        g_once_init_leave(
            &package,
            g_regex_new("\"package\": \"(?:[^\"\\\\]|\\\\.)*\"", 0, 0, NULL));
    }
    tmp = g_regex_replace(numbers, line, -1, 0, "\"\\1\": N", 0, NULL);
    return g_regex_replace_literal(package, tmp, -1, 0, "\"package\": \"...\"",
                                   0, NULL);
}

char *qmp_test_escape(const char *s)
{
    /* Short enough to read in a log; the length says what was cut. */
    const gsize max = 2000;
    gsize len = strlen(s);
    g_autofree char *head = g_strndup(s, MIN(len, max));
    g_autofree char *escaped = g_strescape(head, NULL);

    if (len > max) {
        return g_strdup_printf("%s... (%" G_GSIZE_FORMAT " bytes)", escaped,
                               len);
    }
    return g_steal_pointer(&escaped);
}

void qmp_test_assert_line_impl(const char *file, int line, const char *func,
                               const char *expr, const char *got,
                               const char *expected)
{
    g_autofree char *masked = NULL;
    g_autofree char *msg = NULL;
    g_autofree char *got_e = NULL;
    g_autofree char *expected_e = NULL;

    expected_e = qmp_test_escape(expected);
    if (got == NULL) {
        msg = g_strdup_printf("%s is NULL, expected \"%s\"", expr, expected_e);
        g_assertion_message(G_LOG_DOMAIN, file, line, func, msg);
        return;
    }
    masked = qmp_test_mask(got);
    if (g_str_equal(masked, expected)) {
        return;
    }
    got_e = qmp_test_escape(masked);
    msg = g_strdup_printf("%s:\n     got \"%s\"\nexpected \"%s\"", expr, got_e,
                          expected_e);
    g_assertion_message(G_LOG_DOMAIN, file, line, func, msg);
}

/* For g_ptr_array_sort(), which passes pointers to the elements. */
static gint compare_names(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

char *qmp_test_list_dir(const char *path)
{
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    GDir *dir = g_dir_open(path, 0, NULL);
    const char *name;

    g_assert_nonnull(dir);
    while ((name = g_dir_read_name(dir))) {
        g_ptr_array_add(names, g_strdup(name));
    }
    g_dir_close(dir);
    g_ptr_array_sort(names, compare_names);
    g_ptr_array_add(names, NULL);
    return g_strjoinv(" ", (char **)names->pdata);
}

void qmp_test_remove_tree(const char *path)
{
    GDir *dir = g_dir_open(path, 0, NULL);
    const char *name;

    if (dir) {
        while ((name = g_dir_read_name(dir))) {
            g_autofree char *child = g_build_filename(path, name, NULL);

            qmp_test_remove_tree(child);
        }
        g_dir_close(dir);
    }
    g_remove(path);
}
