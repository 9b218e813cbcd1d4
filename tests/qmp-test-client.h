/* A blocking QMP client for the protocol tests: raw bytes on a UNIX socket. */
#pragma once

#include <stdbool.h>

#include <glib.h>
#include <json-glib/json-glib.h>

/* How long one line may take, unless a caller says otherwise. */
#define QMP_TEST_TIMEOUT_MS 20000

typedef struct QmpTestClient QmpTestClient;

/*
 * Connects to the UNIX socket @path, retrying while it does not exist yet
 * or refuses (a server still starting) until @timeout_ms have passed.
 */
QmpTestClient *qmp_test_client_connect(const char *path, int timeout_ms,
                                       GError **error);
void qmp_test_client_free(QmpTestClient *client);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(QmpTestClient, qmp_test_client_free)

/* A plain stream socket connected to @path, retrying as
 * qmp_test_client_connect() does (a serial port socket, say); the test
 * fails when it cannot connect. */
int qmp_test_connect_unix(const char *path, int timeout_ms);

/*
 * Waits up to @timeout_ms for @fd (a guest's serial port socket, say) to
 * be readable and appends what one read() then gives to @out; nothing
 * when it stays quiet or the read is interrupted.  The test fails at end
 * of stream or on a read error.
 */
void qmp_test_read_some(int fd, GString *out, int timeout_ms);

/* The socket, for a writer thread of the caller's own (blocking send()). */
int qmp_test_client_fd(QmpTestClient *client);

/*
 * Writes all of @data.  Whatever the server sends meanwhile is read into
 * the client's buffer, so that a server which stops reading until its
 * replies are read (back-pressure) cannot deadlock the test.  Fails when
 * nothing moves in either direction for @timeout_ms.
 */
bool qmp_test_client_send(QmpTestClient *client, const void *data, gsize len,
                          int timeout_ms, GError **error);
/* qmp_test_client_send() of a NUL-terminated string, default timeout. */
bool qmp_test_client_send_str(QmpTestClient *client, const char *str,
                              GError **error);

/*
 * The next line the server sent, "\r\n" included.  Fails with
 * G_IO_ERROR_TIMED_OUT, or G_IO_ERROR_CONNECTION_CLOSED at end of stream
 * (a reset connection counts as closed: QEMU resets it when it exits with
 * unread input).
 */
char *qmp_test_client_read_line(QmpTestClient *client, int timeout_ms,
                                GError **error);
/* True when the server sends nothing at all for @ms (buffered bytes count). */
bool qmp_test_client_is_quiet(QmpTestClient *client, int ms);
/* Reads until the server closes the connection; the bytes that came
 * before the close are returned in *@rest if asked for. */
bool qmp_test_client_wait_closed(QmpTestClient *client, int timeout_ms,
                                 char **rest, GError **error);

/*
 * The next line that is not an event.  Event lines met on the way are
 * queued for qmp_test_client_next_event(), in arrival order.
 */
char *qmp_test_client_read_reply(QmpTestClient *client, int timeout_ms,
                                 GError **error);
/* The oldest queued event line, else the next line (which must be an event). */
char *qmp_test_client_next_event(QmpTestClient *client, int timeout_ms,
                                 GError **error);
guint qmp_test_client_queued_events(QmpTestClient *client);

/* Sends @line ("\n" appended unless it ends in one) and reads the reply. */
char *qmp_test_client_command(QmpTestClient *client, const char *line,
                              GError **error);

/*
 * Reads the greeting (returned in *@greeting if asked for) and negotiates,
 * with `"enable": ["oob"]` when @oob; fails unless the answer is
 * `{"return": {}}`.
 */
bool qmp_test_client_handshake(QmpTestClient *client, bool oob, char **greeting,
                               GError **error);

/* Parses one reply line; NULL and an error when it is not JSON. */
JsonNode *qmp_test_parse(const char *line, GError **error);
/* True when @line is a JSON object with a member @name. */
bool qmp_test_line_has_member(const char *line, const char *name);

/*
 * @line with what legitimately differs between runs and servers masked:
 * the values of "seconds", "microseconds", "major", "minor" and "micro"
 * become N, the value of "package" becomes "...".  Nothing else changes.
 */
char *qmp_test_mask(const char *line);

/* @s with control characters and quotes escaped, for messages. */
char *qmp_test_escape(const char *s);

/* Fails the test unless qmp_test_mask(@line) is exactly @expected. */
#define qmp_test_assert_line(line, expected)                                   \
    qmp_test_assert_line_impl(__FILE__, __LINE__, G_STRFUNC, #line, (line),    \
                              (expected))
void qmp_test_assert_line_impl(const char *file, int line, const char *func,
                               const char *expr, const char *got,
                               const char *expected);

/* Removes @path and everything below it (a test's scratch directory). */
void qmp_test_remove_tree(const char *path);

/* The names in directory @path, sorted, joined by spaces (to check that
 * a command left exactly the files it should). */
char *qmp_test_list_dir(const char *path);
