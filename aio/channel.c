/* Coroutine channel I/O on non-blocking fds. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gio/gio.h>

#include "aio-context.h"
#include "channel.h"

struct PhChannel {
    int fd;
    bool owns_fd;
    bool is_socket;     /* send() with MSG_NOSIGNAL instead of write() */
};

static void fd_ready_cb(void *opaque)
{
    aio_co_wake(opaque);
}

void ph_co_wait_fd(int fd, GIOCondition cond)
{
    Coroutine *self;
    AioContext *ctx;

    if (!ph_in_coroutine()) {
        struct pollfd pfd = { .fd = fd, .events = 0 };

        pfd.events |= (cond & G_IO_IN) ? POLLIN : 0;
        pfd.events |= (cond & G_IO_OUT) ? POLLOUT : 0;
        while (poll(&pfd, 1, -1) < 0 && errno == EINTR) {
        }
        return;
    }
    self = ph_coroutine_self();
    ctx = ph_coroutine_get_aio_context(self);
    g_assert(ctx);
    aio_set_fd_handler(ctx, fd, (cond & G_IO_IN) ? fd_ready_cb : NULL,
                       (cond & G_IO_OUT) ? fd_ready_cb : NULL, self);
    ph_coroutine_yield();
    /* We resume in the same context: fd handlers are woken in place. */
    aio_set_fd_handler(ctx, fd, NULL, NULL, NULL);
}

PhChannel *ph_channel_new(int fd, bool owns_fd)
{
    PhChannel *chan = g_new0(PhChannel, 1);
    struct stat st;
    int flags = fcntl(fd, F_GETFL);

    if (flags >= 0 && !(flags & O_NONBLOCK)) {
        fcntl(fd, F_SETFL, flags | O_NONBLOCK);
    }
    chan->fd = fd;
    chan->owns_fd = owns_fd;
    chan->is_socket = fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode);
    return chan;
}

int ph_channel_fd(PhChannel *chan)
{
    return chan->fd;
}

void ph_channel_free(PhChannel *chan)
{
    if (!chan) {
        return;
    }
    if (chan->owns_fd) {
        close(chan->fd);
    }
    g_free(chan);
}

static void set_errno_error(GError **error, int err, const char *what)
{
    g_set_error(error, G_IO_ERROR, g_io_error_from_errno(err), "%s: %s", what,
                g_strerror(err));
}

gssize ph_channel_read(PhChannel *chan, void *buf, size_t len, GError **error)
{
    for (;;) {
        ssize_t n = read(chan->fd, buf, len);

        if (n >= 0) {
            return n;
        }
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            ph_co_wait_fd(chan->fd, G_IO_IN);
        } else if (errno != EINTR) {
            set_errno_error(error, errno, "Unable to read from channel");
            return -1;
        }
    }
}

bool ph_channel_read_all(PhChannel *chan, void *buf, size_t len, GError **error)
{
    size_t done = 0;

    while (done < len) {
        gssize n = ph_channel_read(chan, (char *)buf + done, len - done, error);

        if (n < 0) {
            return false;
        }
        if (n == 0) {
            g_set_error(error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT,
                        "Unexpected end of file after %zu of %zu bytes", done, len);
            return false;
        }
        done += (size_t)n;
    }
    return true;
}

bool ph_channel_writev_all(PhChannel *chan, const struct iovec *iov_in, int iovcnt,
                           GError **error)
{
    g_autofree struct iovec *iov = g_memdup2(iov_in, sizeof(*iov) * (size_t)iovcnt);
    struct iovec *cur = iov;

    while (iovcnt > 0) {
        ssize_t n;

        if (cur->iov_len == 0) {
            cur++;
            iovcnt--;
            continue;
        }
        if (chan->is_socket) {
            struct msghdr msg = { .msg_iov = cur, .msg_iovlen = (size_t)iovcnt };
            n = sendmsg(chan->fd, &msg, MSG_NOSIGNAL);
        } else {
            n = writev(chan->fd, cur, iovcnt);
        }
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                ph_co_wait_fd(chan->fd, G_IO_OUT);
                continue;
            }
            if (errno == EINTR) {
                continue;
            }
            set_errno_error(error, errno, "Unable to write to channel");
            return false;
        }
        while (n > 0 && iovcnt > 0) {
            size_t step = MIN((size_t)n, cur->iov_len);

            cur->iov_base = (char *)cur->iov_base + step;
            cur->iov_len -= step;
            n -= (ssize_t)step;
            if (cur->iov_len == 0) {
                cur++;
                iovcnt--;
            }
        }
    }
    return true;
}

bool ph_channel_write_all(PhChannel *chan, const void *buf, size_t len,
                          GError **error)
{
    struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };

    return ph_channel_writev_all(chan, &iov, 1, error);
}
