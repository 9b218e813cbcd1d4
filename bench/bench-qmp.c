/* QMP round trip and pipelined throughput: Porthole beside QEMU 7.2, same client. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <stdbool.h>

#include <glib.h>
#include <glib/gstdio.h>

typedef struct {
    int fd;
    GString *buf;   /* bytes read but not yet returned as lines */
} Client;

static gint64 now_ns(void)
{
    return g_get_monotonic_time() * 1000;
}

static bool read_line(Client *c, GString *line)
{
    for (;;) {
        char *nl = memchr(c->buf->str, '\n', c->buf->len);
        char tmp[65536];
        ssize_t n;

        if (nl) {
            gsize len = (gsize)(nl - c->buf->str) + 1;

            g_string_truncate(line, 0);
            g_string_append_len(line, c->buf->str, (gssize)len);
            g_string_erase(c->buf, 0, (gssize)len);
            return true;
        }
        n = read(c->fd, tmp, sizeof(tmp));
        if (n <= 0) {
            return false;
        }
        g_string_append_len(c->buf, tmp, n);
    }
}

/* The next line that is not an event. */
static bool read_reply(Client *c, GString *line)
{
    while (read_line(c, line)) {
        if (!strstr(line->str, "\"event\"")) {
            return true;
        }
    }
    return false;
}

static bool send_all(int fd, const char *data, size_t len)
{
    while (len) {
        ssize_t n = write(fd, data, len);

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return false;
        }
        data += n;
        len -= (size_t)n;
    }
    return true;
}

static bool client_connect(Client *c, const char *path)
{
    struct sockaddr_un sun = { .sun_family = AF_UNIX };
    g_autoptr(GString) line = g_string_new(NULL);
    int tries;
    const char *caps = "{\"execute\": \"qmp_capabilities\"}\n";

    g_strlcpy(sun.sun_path, path, sizeof(sun.sun_path));
    for (tries = 0; tries < 200; tries++) {
        c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (connect(c->fd, (struct sockaddr *)&sun, sizeof(sun)) == 0) {
            break;
        }
        close(c->fd);
        c->fd = -1;
        g_usleep(50000);
    }
    if (c->fd < 0) {
        return false;
    }
    c->buf = g_string_new(NULL);
    return read_line(c, line) && strstr(line->str, "\"QMP\"") &&
           send_all(c->fd, caps, strlen(caps)) && read_reply(c, line) &&
           strstr(line->str, "\"return\"");
}

static int cmp_i64(const void *a, const void *b)
{
    gint64 x = *(const gint64 *)a, y = *(const gint64 *)b;

    return x < y ? -1 : x > y;
}

typedef struct {
    int fd;
    GString *payload;
} Writer;

static gpointer writer_thread(gpointer opaque)
{
    Writer *w = opaque;

    send_all(w->fd, w->payload->str, w->payload->len);
    return NULL;
}

typedef struct {
    double rtt_us;          /* median */
    double per_second;      /* pipelined */
} Figures;

static bool measure(const char *path, int n, const char *command, Figures *f)
{
    Client c = { -1, NULL };
    g_autoptr(GString) line = g_string_new(NULL);
    g_autoptr(GString) req = g_string_new(NULL);
    g_autofree gint64 *rtts = g_new(gint64, n);
    Writer w;
    GThread *t;
    gint64 start;
    int i;

    if (!client_connect(&c, path)) {
        return false;
    }
    for (i = 0; i < n; i++) {
        gint64 t0 = now_ns();

        g_string_printf(req, "{\"execute\": \"%s\", \"id\": %d}\n", command, i);
        if (!send_all(c.fd, req->str, req->len) || !read_reply(&c, line) ||
            !strstr(line->str, "\"return\"")) {
            return false;
        }
        rtts[i] = now_ns() - t0;
    }
    qsort(rtts, (size_t)n, sizeof(*rtts), cmp_i64);
    f->rtt_us = (double)rtts[n / 2] / 1000.0;

    w.fd = c.fd;
    w.payload = g_string_new(NULL);
    for (i = 0; i < n; i++) {
        g_string_append_printf(w.payload, "{\"execute\": \"%s\", \"id\": %d}\n", command, i);
    }
    start = now_ns();
    t = g_thread_new("writer", writer_thread, &w);
    for (i = 0; i < n; i++) {
        g_autofree char *want = g_strdup_printf("\"id\": %d}", i);

        if (!read_reply(&c, line) || !strstr(line->str, want)) {
            fprintf(stderr, "reply %d out of order or missing: %s", i, line->str);
            return false;
        }
    }
    f->per_second = n / ((double)(now_ns() - start) / 1e9);
    g_thread_join(t);
    g_string_free(w.payload, TRUE);
    close(c.fd);
    g_string_free(c.buf, TRUE);
    return true;
}

static GPid spawn(char **argv)
{
    GPid pid = 0;
    g_autoptr(GError) error = NULL;

    if (!g_spawn_async(NULL, argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_DO_NOT_REAP_CHILD,
                       NULL, NULL, &pid, &error)) {
        fprintf(stderr, "cannot start %s: %s\n", argv[0], error->message);
        return 0;
    }
    return pid;
}

static void stop(GPid pid)
{
    if (pid) {
        kill(pid, SIGTERM);
        waitpid(pid, NULL, 0);
    }
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof(*v), cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

#define MAX_ROUNDS 50

/*
 * Both servers run side by side, and rounds alternate between them, so
 * that a noisy moment of the machine hits both alike; each figure is the
 * median over the rounds.
 */
int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 3000;
    int rounds = argc > 2 ? CLAMP(atoi(argv[2]), 1, MAX_ROUNDS) : 5;
    const char *porthole = g_getenv("PORTHOLE_BIN") ? g_getenv("PORTHOLE_BIN") : "app/porthole";
    g_autofree char *dir = g_dir_make_tmp("bench-qmp-XXXXXX", NULL);
    g_autofree char *p_sock = g_build_filename(dir, "porthole.sock", NULL);
    g_autofree char *q_sock = g_build_filename(dir, "qemu.sock", NULL);
    g_autofree char *q_spec = g_strdup_printf("unix:%s,server=on,wait=off", q_sock);
    g_autofree char *qemu = g_find_program_in_path("qemu-system-riscv64");
    /* Paused, as the QEMU reference (-S): the demo guest does not compete. */
    char *p_argv[] = { (char *)porthole, "--headless", "-S", "--qmp", p_sock, NULL };
    char *q_argv[] = { qemu, "-M", "virt", "-S", "-display", "none", "-qmp", q_spec, NULL };
    double p_rtt[MAX_ROUNDS], p_tput[MAX_ROUNDS], q_rtt[MAX_ROUNDS], q_tput[MAX_ROUNDS];
    double pr, pt, qr, qt;
    GPid p_pid, q_pid = 0;
    bool have_qemu;
    int i;

    p_pid = spawn(p_argv);
    if (!p_pid) {
        return 1;
    }
    if (qemu) {
        q_pid = spawn(q_argv);
    }
    have_qemu = q_pid != 0;
    for (i = 0; i < rounds; i++) {
        Figures f = { 0 };

        if (!measure(p_sock, n, "query-status", &f)) {
            fprintf(stderr, "porthole: measurement failed\n");
            stop(p_pid);
            stop(q_pid);
            return 1;
        }
        p_rtt[i] = f.rtt_us;
        p_tput[i] = f.per_second;
        if (have_qemu) {
            have_qemu = measure(q_sock, n, "query-status", &f);
            q_rtt[i] = f.rtt_us;
            q_tput[i] = f.per_second;
        }
    }
    stop(p_pid);
    stop(q_pid);

    pr = median(p_rtt, rounds);
    pt = median(p_tput, rounds);
    printf("QMP query-status, %d commands per round, %d rounds, one client; medians\n", n, rounds);
    printf("%-12s %14s %18s\n", "server", "rtt median us", "pipelined cmd/s");
    printf("%-12s %14.1f %18.0f\n", "porthole", pr, pt);
    if (have_qemu) {
        qr = median(q_rtt, rounds);
        qt = median(q_tput, rounds);
        printf("%-12s %14.1f %18.0f\n", "qemu 7.2", qr, qt);
        printf("ratios: rtt porthole/qemu = %.3f (target <= 0.2), "
               "throughput porthole/qemu = %.1fx (target >= 25)\n", pr / qr, pt / qt);
    } else {
        printf("(no reference run: qemu-system-riscv64 %s)\n",
               qemu ? "failed" : "not found");
    }
    unlink(p_sock);
    unlink(q_sock);
    g_rmdir(dir);
    return 0;
}
