/* Coroutine channel I/O: non-blocking fds that yield until they are ready. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/uio.h>

#include <glib.h>

#include "coroutine.h"

/*
 * Waits until @fd is ready for @cond (G_IO_IN and/or G_IO_OUT; hang-up and
 * errors count as ready), in the AioContext of the calling coroutine: the
 * wait follows the coroutine, there is nothing to attach.  Outside
 * coroutine context it blocks the thread in poll() instead.
 */
void ph_co_wait_fd(int fd, GIOCondition cond);

typedef struct PhChannel PhChannel;

/* Wraps @fd, making it non-blocking; @owns_fd closes it on free. */
PhChannel *ph_channel_new(int fd, bool owns_fd);
int ph_channel_fd(PhChannel *chan);
void ph_channel_free(PhChannel *chan);

/*
 * Reads at most @len bytes, waiting until at least one is there.  Returns
 * the count, 0 at end of file, or -1 with @error set.
 */
gssize ph_channel_read(PhChannel *chan, void *buf, size_t len, GError **error);

/* Reads exactly @len bytes; end of file first is an error. */
bool ph_channel_read_all(PhChannel *chan, void *buf, size_t len, GError **error);

/* Writes all of @buf (or all of @iov), waiting whenever the fd is full.  A
 * closed peer is an error (G_IO_ERROR_BROKEN_PIPE), never a SIGPIPE. */
bool ph_channel_write_all(PhChannel *chan, const void *buf, size_t len,
                          GError **error);
bool ph_channel_writev_all(PhChannel *chan, const struct iovec *iov, int iovcnt,
                           GError **error);
