/* Test helpers for the board: a porthole child process driven through its stdio, and a QMP client. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "machine-test-util.h"

/* In the child: die with the test, so that a test killed by its timeout
 * or an assertion leaves no guest running behind it. */
static void ph_child_setup(gpointer user_data)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL);
}

PhChild *ph_child_spawn(const char *const *args)
{
    const char *bin = g_getenv("PORTHOLE_BIN");
    g_autoptr(GPtrArray) argv = g_ptr_array_new();
    g_autoptr(GError) error = NULL;
    PhChild *c = g_new0(PhChild, 1);
    int i;

    g_assert_nonnull(bin);
    g_ptr_array_add(argv, (char *)bin);
    for (i = 0; args[i]; i++) {
        g_ptr_array_add(argv, (char *)args[i]);
    }
    g_ptr_array_add(argv, NULL);
    if (!g_spawn_async_with_pipes(NULL, (char **)argv->pdata, NULL,
                                  G_SPAWN_DO_NOT_REAP_CHILD, ph_child_setup, NULL, &c->pid,
                                  &c->in_fd, &c->out_fd, &c->err_fd, &error)) {
        g_error("cannot run %s: %s", bin, error->message);
    }
    fcntl(c->out_fd, F_SETFL, O_NONBLOCK);
    fcntl(c->err_fd, F_SETFL, O_NONBLOCK);
    c->out = g_string_new(NULL);
    c->err = g_string_new(NULL);
    return c;
}

static void ph_child_reap(PhChild *c, bool block)
{
    int st;

    if (c->exited) {
        return;
    }
    if (waitpid(c->pid, &st, block ? 0 : WNOHANG) == c->pid) {
        c->exited = true;
        c->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        g_spawn_close_pid(c->pid);
    }
}

/* Reads what is there, waiting at most @ms; false once both pipes closed. */
static bool ph_child_pump(PhChild *c, int ms)
{
    struct pollfd pfd[2];
    int n = 0, i;
    char buf[4096];

    if (c->out_fd >= 0) {
        pfd[n++] = (struct pollfd){ .fd = c->out_fd, .events = POLLIN };
    }
    if (c->err_fd >= 0) {
        pfd[n++] = (struct pollfd){ .fd = c->err_fd, .events = POLLIN };
    }
    if (n == 0) {
        ph_child_reap(c, false);
        g_usleep((gulong)ms * 1000);
        return false;
    }
    if (poll(pfd, (nfds_t)n, ms) <= 0) {
        return true;
    }
    for (i = 0; i < n; i++) {
        int *fdp = pfd[i].fd == c->out_fd ? &c->out_fd : &c->err_fd;
        GString *s = pfd[i].fd == c->out_fd ? c->out : c->err;
        ssize_t r;

        if (!pfd[i].revents) {
            continue;
        }
        r = read(pfd[i].fd, buf, sizeof(buf));
        if (r > 0) {
            g_string_append_len(s, buf, r);
        } else if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
            close(*fdp);
            *fdp = -1;
        }
    }
    return true;
}

bool ph_child_wait_for(PhChild *c, const char *needle, int timeout_s)
{
    gint64 end = g_get_monotonic_time() + (gint64)timeout_s * G_USEC_PER_SEC;

    for (;;) {
        const char *hit = c->out->len > c->mark ? strstr(c->out->str + c->mark, needle)
                                                : NULL;

        if (hit) {
            c->mark = (gsize)(hit - c->out->str) + strlen(needle);
            return true;
        }
        if (g_get_monotonic_time() > end) {
            g_test_message("timeout waiting for '%s'", needle);
            return false;
        }
        if (!ph_child_pump(c, 100) && c->exited) {
            g_test_message("porthole exited (%d) while waiting for '%s'", c->status, needle);
            return false;
        }
    }
}

void ph_child_drain(PhChild *c, int ms)
{
    gint64 end = g_get_monotonic_time() + (gint64)ms * 1000;

    while (g_get_monotonic_time() < end) {
        ph_child_pump(c, 20);
    }
}

void ph_child_send(PhChild *c, const char *text)
{
    size_t len = strlen(text);

    while (len) {
        ssize_t n = write(c->in_fd, text, len);

        if (n < 0 && errno == EINTR) {
            continue;
        }
        g_assert_cmpint(n, >, 0);
        text += n;
        len -= (size_t)n;
    }
}

int ph_child_wait_exit(PhChild *c, int timeout_s)
{
    gint64 end = g_get_monotonic_time() + (gint64)timeout_s * G_USEC_PER_SEC;

    while (g_get_monotonic_time() < end) {
        ph_child_pump(c, 50);
        ph_child_reap(c, false);
        if (c->exited) {
            /* Collect what is still in the pipes. */
            while (c->out_fd >= 0 || c->err_fd >= 0) {
                ph_child_pump(c, 200);
            }
            return c->status;
        }
    }
    return -1;
}

double ph_child_cpu_seconds(PhChild *c)
{
    g_autofree char *path = g_strdup_printf("/proc/%d/stat", (int)c->pid);
    g_autofree char *text = NULL;
    g_auto(GStrv) fields = NULL;
    const char *rparen;

    if (!g_file_get_contents(path, &text, NULL, NULL)) {
        return -1;
    }
    /* Fields after "(comm)": state is field 3; utime 14, stime 15. */
    rparen = strrchr(text, ')');
    g_assert_nonnull(rparen);
    fields = g_strsplit(rparen + 2, " ", -1);
    g_assert_cmpuint(g_strv_length(fields), >, 13);
    return (double)(g_ascii_strtoull(fields[11], NULL, 10) +
                    g_ascii_strtoull(fields[12], NULL, 10)) /
           (double)sysconf(_SC_CLK_TCK);
}

void ph_child_free(PhChild *c)
{
    if (!c) {
        return;
    }
    ph_child_reap(c, false);
    if (!c->exited) {
        kill(c->pid, SIGKILL);
        ph_child_reap(c, true);
    }
    if (g_test_failed()) {
        g_test_message("porthole stdout:\n%s", c->out->str);
        g_test_message("porthole stderr:\n%s", c->err->str);
    }
    if (c->in_fd >= 0) {
        close(c->in_fd);
    }
    if (c->out_fd >= 0) {
        close(c->out_fd);
    }
    if (c->err_fd >= 0) {
        close(c->err_fd);
    }
    g_string_free(c->out, TRUE);
    g_string_free(c->err, TRUE);
    g_free(c);
}

/* ---- QMP ---- */

PhQmp *ph_qmp_connect(const char *path, int timeout_s)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    gint64 end = g_get_monotonic_time() + (gint64)timeout_s * G_USEC_PER_SEC;
    PhQmp *q = g_new0(PhQmp, 1);
    g_autofree char *greeting = NULL, *reply = NULL;

    g_strlcpy(addr.sun_path, path, sizeof(addr.sun_path));
    for (;;) {
        q->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        g_assert_cmpint(q->fd, >=, 0);
        if (connect(q->fd, (struct sockaddr *)&addr, sizeof(addr)) == 0) {
            break;
        }
        close(q->fd);
        if (g_get_monotonic_time() > end) {
            g_free(q);
            return NULL;
        }
        g_usleep(50 * 1000);
    }
    q->buf = g_string_new(NULL);
    g_queue_init(&q->skipped);
    greeting = ph_qmp_wait(q, "\"QMP\"", timeout_s);
    g_assert_nonnull(greeting);
    reply = ph_qmp_command(q, "{\"execute\":\"qmp_capabilities\"}", "\"return\"", timeout_s);
    g_assert_nonnull(reply);
    return q;
}

char *ph_qmp_wait(PhQmp *q, const char *expect, int timeout_s)
{
    gint64 end = g_get_monotonic_time() + (gint64)timeout_s * G_USEC_PER_SEC;

    GList *l;

    for (l = q->skipped.head; l; l = l->next) {
        if (strstr(l->data, expect)) {
            char *line = l->data;

            g_queue_delete_link(&q->skipped, l);
            return line;
        }
    }
    for (;;) {
        char *nl;

        while ((nl = strchr(q->buf->str, '\n'))) {
            char *line = g_strndup(q->buf->str, (gsize)(nl - q->buf->str));

            g_string_erase(q->buf, 0, nl - q->buf->str + 1);
            if (strstr(line, expect)) {
                return line;
            }
            g_queue_push_tail(&q->skipped, line);
        }
        {
            struct pollfd pfd = { .fd = q->fd, .events = POLLIN };
            int ms = (int)((end - g_get_monotonic_time()) / 1000);
            char buf[4096];
            ssize_t n;

            if (ms <= 0 || poll(&pfd, 1, ms) <= 0) {
                return NULL;
            }
            n = read(q->fd, buf, sizeof(buf));
            if (n <= 0) {
                return NULL;
            }
            g_string_append_len(q->buf, buf, n);
        }
    }
}

char *ph_qmp_command(PhQmp *q, const char *json, const char *expect, int timeout_s)
{
    size_t len = strlen(json);

    g_assert_cmpint(write(q->fd, json, len), ==, (ssize_t)len);
    return ph_qmp_wait(q, expect, timeout_s);
}

void ph_qmp_free(PhQmp *q)
{
    if (q) {
        close(q->fd);
        g_string_free(q->buf, TRUE);
        g_queue_clear_full(&q->skipped, g_free);
        g_free(q);
    }
}

const char *ph_test_need_file(const char *path)
{
    if (!g_file_test(path, G_FILE_TEST_EXISTS)) {
        g_autofree char *msg = g_strdup_printf("%s is not installed", path);

        g_test_skip(msg);
        return NULL;
    }
    return path;
}
