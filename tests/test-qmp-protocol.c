/*
 * QMP wire protocol tests over a real UNIX socket, against `porthole
 * --headless` (and tests/qmp-test-server for the test-only commands), or
 * against QEMU 7.2 itself with QMP_TEST_QEMU=1.  Every expected byte
 * string was captured from QEMU 7.2 (tests/qmp/qemu-7.2-reference.md).
 */
#include <errno.h>
#include <gio/gio.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "qmp-test-client.h"

/* How long a server may take to listen, and to exit when told to. */
#define SERVER_START_TIMEOUT_S 20
#define SERVER_EXIT_TIMEOUT_S  10
#define MAX_SOCKETS            32

/* Expected lines, as QEMU 7.2 writes them. */
#define ERR(cls, desc)                                                         \
    "{\"error\": {\"class\": \"" cls "\", \"desc\": \"" desc "\"}}\r\n"
#define ERR_ID(id, cls, desc)                                                  \
    "{\"id\": " id ", \"error\": {\"class\": \"" cls "\", \"desc\": \"" desc   \
    "\"}}\r\n"
#define GENERIC(desc)        ERR("GenericError", desc)
#define GENERIC_ID(id, desc) ERR_ID(id, "GenericError", desc)
#define RET(value)           "{\"return\": " value "}\r\n"
#define RET_ID(value, id)    "{\"return\": " value ", \"id\": " id "}\r\n"
#define STATUS(status, running)                                                \
    "{\"status\": \"" status                                                   \
    "\", \"singlestep\": false, \"running\": " running "}"
#define EVENT(name)                                                            \
    "{\"timestamp\": {\"seconds\": N, \"microseconds\": N}, "                  \
    "\"event\": \"" name "\"}\r\n"
#define EVENT_DATA(name, data)                                                 \
    "{\"timestamp\": {\"seconds\": N, \"microseconds\": N}, \"event\": "       \
    "\"" name "\", \"data\": " data "}\r\n"

#define NEGOTIATE_FIRST                                                        \
    ERR("CommandNotFound",                                                     \
        "Expecting capabilities negotiation with 'qmp_capabilities'")
#define ALREADY_NEGOTIATED                                                     \
    ERR("CommandNotFound",                                                     \
        "Capabilities negotiation is already complete, command ignored")

/* A command that every server has, and its answer, to probe that a
 * connection still works. */
#define PROBE       "{\"execute\": \"query-name\", \"id\": \"after\"}\n"
#define PROBE_REPLY RET_ID("{}", "\"after\"")

typedef enum {
    SERVER_PORTHOLE,
    SERVER_TEST, /* tests/qmp-test-server: Porthole plus test commands */
    SERVER_QEMU,
} ServerKind;

typedef struct {
    bool test_commands; /* needs the test-only commands */
    bool porthole_only; /* checks something QEMU does not have */
    const char *name;   /* -name */
    /* QEMU serves one client at a time per socket: how many sockets the
     * clients that must be connected at once need.  Porthole: always 1. */
    int qemu_sockets;
    bool qemu_spelling;  /* -qmp unix:PATH,server=on,wait=off */
    bool default_socket; /* no --qmp: $XDG_RUNTIME_DIR/porthole/<pid>.qmp */
} ServerOptions;

typedef struct {
    ServerKind kind;
    char *tmpdir;
    char *socket[MAX_SOCKETS];
    int nsockets;
    GSubprocess *proc;
    GInputStream *stdout_pipe; /* default_socket only */
    bool expect_exit;          /* the test makes the server exit */
} Fixture;

static bool qemu_mode(void)
{
    return g_strcmp0(g_getenv("QMP_TEST_QEMU"), "1") == 0;
}

static char *test_server_path(void)
{
    const char *env = g_getenv("QMP_TEST_SERVER");

    if (env && *env) {
        return g_strdup(env);
    }
    return g_test_build_filename(G_TEST_BUILT, "qmp-test-server", NULL);
}

static bool server_running(Fixture *f)
{
    return f->proc && g_subprocess_get_identifier(f->proc) != NULL;
}

/* Waits up to @timeout_s for the server to exit; true if it did. */
static bool server_wait_exit(Fixture *f, int timeout_s)
{
    gint64 deadline = g_get_monotonic_time() + timeout_s * G_TIME_SPAN_SECOND;

    while (server_running(f)) {
        if (g_get_monotonic_time() > deadline) {
            return false;
        }
        g_usleep(10 * 1000);
    }
    g_assert_true(g_subprocess_wait(f->proc, NULL, NULL));
    return true;
}

static void server_wait_socket(Fixture *f, const char *path)
{
    gint64 deadline =
        g_get_monotonic_time() + SERVER_START_TIMEOUT_S * G_TIME_SPAN_SECOND;

    while (!g_file_test(path, G_FILE_TEST_EXISTS)) {
        if (!server_running(f)) {
            g_error("the server exited before it created %s", path);
        }
        if (g_get_monotonic_time() > deadline) {
            g_error("no socket %s after %d s", path, SERVER_START_TIMEOUT_S);
        }
        g_usleep(10 * 1000);
    }
}

/* In the child: die with the test.  An assertion aborts the test without
 * a teardown, and a server left behind would hold the test's output pipes
 * open (and the runner with them). */
static void server_child_setup(gpointer data)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL);
}

static void add_arg(GPtrArray *argv, const char *arg)
{
    g_ptr_array_add(argv, g_strdup(arg));
}

/*
 * Starts the server the mode asks for.  False (and the test skipped) when
 * the test does not apply: test-only commands or Porthole's own behaviour
 * under QEMU, or a test server that has not been built.
 */
static bool server_start(Fixture *f, const ServerOptions *opts)
{
    bool qemu = qemu_mode();
    g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GSubprocessLauncher) launcher = NULL;
    g_autoptr(GError) error = NULL;
    GSubprocessFlags flags = G_SUBPROCESS_FLAGS_STDOUT_SILENCE;

    if (qemu && opts->test_commands) {
        g_test_skip("test-only commands exist only in Porthole's test server");
        return false;
    }
    if (qemu && (opts->porthole_only || opts->default_socket)) {
        g_test_skip("checks Porthole's own behaviour");
        return false;
    }

    f->tmpdir = g_dir_make_tmp("qmp-test-XXXXXX", &error);
    g_assert_no_error(error);
    f->nsockets = qemu ? MAX(opts->qemu_sockets, 1) : 1;
    g_assert_cmpint(f->nsockets, <=, MAX_SOCKETS);
    for (int i = 0; i < f->nsockets; i++) {
        f->socket[i] = i == 0 ? g_build_filename(f->tmpdir, "qmp.sock", NULL)
                              : g_strdup_printf("%s/qmp-%d.sock", f->tmpdir, i);
    }

    if (qemu) {
        g_autofree char *bin = g_find_program_in_path("qemu-system-riscv64");

        if (bin == NULL) {
            g_error("QMP_TEST_QEMU=1 needs qemu-system-riscv64 "
                    "(Debian package qemu-system-misc)");
        }
        f->kind = SERVER_QEMU;
        add_arg(argv, bin);
        add_arg(argv, "-M");
        add_arg(argv, "virt");
        add_arg(argv, "-display");
        add_arg(argv, "none");
        add_arg(argv, "-S");
        if (opts->name) {
            add_arg(argv, "-name");
            add_arg(argv, opts->name);
        }
        for (int i = 0; i < f->nsockets; i++) {
            add_arg(argv, "-qmp");
            g_ptr_array_add(argv, g_strdup_printf("unix:%s,server=on,wait=off",
                                                  f->socket[i]));
        }
    } else if (opts->test_commands) {
        g_autofree char *bin = test_server_path();

        if (!g_file_test(bin, G_FILE_TEST_IS_EXECUTABLE)) {
            g_autofree char *msg =
                g_strdup_printf("no test server at %s (QMP_TEST_SERVER)", bin);

            g_test_skip(msg);
            return false;
        }
        f->kind = SERVER_TEST;
        add_arg(argv, bin);
        add_arg(argv, "-S");
        if (opts->name) {
            add_arg(argv, "--name");
            add_arg(argv, opts->name);
        }
        add_arg(argv, "--qmp");
        add_arg(argv, f->socket[0]);
    } else {
        const char *bin = g_getenv("PORTHOLE_BIN");

        g_assert_nonnull(bin);
        f->kind = SERVER_PORTHOLE;
        add_arg(argv, bin);
        add_arg(argv, "--headless");
        add_arg(argv, "-S");
        if (opts->name) {
            add_arg(argv, "--name");
            add_arg(argv, opts->name);
        }
        if (opts->default_socket) {
            flags = G_SUBPROCESS_FLAGS_STDOUT_PIPE;
        } else if (opts->qemu_spelling) {
            add_arg(argv, "-qmp");
            g_ptr_array_add(argv, g_strdup_printf("unix:%s,server=on,wait=off",
                                                  f->socket[0]));
        } else {
            add_arg(argv, "--qmp");
            add_arg(argv, f->socket[0]);
        }
    }
    g_ptr_array_add(argv, NULL);

    launcher = g_subprocess_launcher_new(flags);
    g_subprocess_launcher_set_child_setup(launcher, server_child_setup, NULL,
                                          NULL);
    g_subprocess_launcher_unsetenv(launcher, "DISPLAY");
    g_subprocess_launcher_unsetenv(launcher, "WAYLAND_DISPLAY");
    g_subprocess_launcher_setenv(launcher, "LC_ALL", "C.UTF-8", TRUE);
    if (qemu) {
        /* QEMU is not ours: a GLib warning in it is not our test failing. */
        g_subprocess_launcher_unsetenv(launcher, "G_DEBUG");
    }
    if (opts->default_socket) {
        g_subprocess_launcher_setenv(launcher, "XDG_RUNTIME_DIR", f->tmpdir,
                                     TRUE);
    }
    f->proc = g_subprocess_launcher_spawnv(
        launcher, (const char *const *)argv->pdata, &error);
    g_assert_no_error(error);

    if (opts->default_socket) {
        f->stdout_pipe = g_object_ref(g_subprocess_get_stdout_pipe(f->proc));
        g_free(f->socket[0]);
        f->socket[0] = g_strdup_printf("%s/porthole/%s.qmp", f->tmpdir,
                                       g_subprocess_get_identifier(f->proc));
    }
    for (int i = 0; i < f->nsockets; i++) {
        server_wait_socket(f, f->socket[i]);
    }
    return true;
}

static void fixture_setup(Fixture *f, gconstpointer data)
{
}

static void fixture_teardown(Fixture *f, gconstpointer data)
{
    if (f->proc) {
        if (!f->expect_exit && !server_running(f)) {
            g_subprocess_wait(f->proc, NULL, NULL);
            g_test_message("the server died during the test (wait status %#x)",
                           g_subprocess_get_status(f->proc));
            g_test_fail();
        }
        if (server_running(f)) {
            g_subprocess_send_signal(f->proc, SIGTERM);
            if (!server_wait_exit(f, SERVER_EXIT_TIMEOUT_S)) {
                g_test_message("the server ignored SIGTERM; killing it");
                g_subprocess_force_exit(f->proc);
                g_subprocess_wait(f->proc, NULL, NULL);
            }
        }
        g_clear_object(&f->proc);
    }
    g_clear_object(&f->stdout_pipe);
    for (int i = 0; i < f->nsockets; i++) {
        g_clear_pointer(&f->socket[i], g_free);
    }
    if (f->tmpdir) {
        qmp_test_remove_tree(f->tmpdir);
        g_clear_pointer(&f->tmpdir, g_free);
    }
}

/* ---- helpers that fail the test on any error ---- */

static QmpTestClient *connect_to(Fixture *f, int index)
{
    g_autoptr(GError) error = NULL;
    QmpTestClient *client = qmp_test_client_connect(
        f->socket[index % f->nsockets], QMP_TEST_TIMEOUT_MS, &error);

    g_assert_no_error(error);
    return client;
}

/* A connected, negotiated client on socket @index. */
static QmpTestClient *connect_ready(Fixture *f, int index, bool oob)
{
    g_autoptr(GError) error = NULL;
    QmpTestClient *client = connect_to(f, index);

    qmp_test_client_handshake(client, oob, NULL, &error);
    g_assert_no_error(error);
    return client;
}

static char *read_line(QmpTestClient *client)
{
    g_autoptr(GError) error = NULL;
    char *line = qmp_test_client_read_line(client, QMP_TEST_TIMEOUT_MS, &error);

    g_assert_no_error(error);
    return line;
}

static char *read_reply(QmpTestClient *client)
{
    g_autoptr(GError) error = NULL;
    char *line =
        qmp_test_client_read_reply(client, QMP_TEST_TIMEOUT_MS, &error);

    g_assert_no_error(error);
    return line;
}

static char *next_event(QmpTestClient *client)
{
    g_autoptr(GError) error = NULL;
    char *line =
        qmp_test_client_next_event(client, QMP_TEST_TIMEOUT_MS, &error);

    g_assert_no_error(error);
    return line;
}

static void send_bytes(QmpTestClient *client, const void *data, gsize len)
{
    g_autoptr(GError) error = NULL;

    qmp_test_client_send(client, data, len, QMP_TEST_TIMEOUT_MS, &error);
    g_assert_no_error(error);
}

static void send_str(QmpTestClient *client, const char *str)
{
    send_bytes(client, str, strlen(str));
}

/* Sends @input as is, and checks that the next line (events skipped) is
 * @expected after masking. */
static void check_reply(QmpTestClient *client, const char *input,
                        const char *expected)
{
    g_autofree char *reply = NULL;

    send_str(client, input);
    reply = read_reply(client);
    if (!g_str_equal(reply, expected)) {
        g_autofree char *in = qmp_test_escape(input);

        g_test_message("input: \"%s\"", in);
    }
    qmp_test_assert_line(reply, expected);
}

/* Checks the line that comes next, events included. */
static void check_line(QmpTestClient *client, const char *expected)
{
    g_autofree char *line = read_line(client);

    qmp_test_assert_line(line, expected);
}

static void check_quiet(QmpTestClient *client, int ms)
{
    if (!qmp_test_client_is_quiet(client, ms)) {
        g_autoptr(GError) error = NULL;
        g_autofree char *line = qmp_test_client_read_line(client, 100, &error);
        g_autofree char *escaped = qmp_test_escape(line ? line : "(partial)");

        g_error("expected silence, got \"%s\"", escaped);
    }
}

/* The connection still serves commands. */
static void check_alive(QmpTestClient *client)
{
    check_reply(client, PROBE, PROBE_REPLY);
}

static JsonObject *parse_object(const char *line, JsonNode **node)
{
    g_autoptr(GError) error = NULL;

    *node = qmp_test_parse(line, &error);
    g_assert_no_error(error);
    g_assert_true(JSON_NODE_HOLDS_OBJECT(*node));
    return json_node_get_object(*node);
}

/* An event's timestamp is the wall clock of now, in QEMU's shape. */
static void check_timestamp(const char *event)
{
    g_autoptr(JsonNode) node = NULL;
    JsonObject *obj = parse_object(event, &node);
    JsonObject *ts = json_object_get_object_member(obj, "timestamp");
    gint64 now = g_get_real_time() / G_USEC_PER_SEC;
    gint64 seconds, micro;

    g_assert_nonnull(ts);
    seconds = json_object_get_int_member(ts, "seconds");
    micro = json_object_get_int_member(ts, "microseconds");
    g_assert_cmpint(seconds, >=, now - 60);
    g_assert_cmpint(seconds, <=, now + 1);
    g_assert_cmpint(micro, >=, 0);
    g_assert_cmpint(micro, <, 1000000);
}

/* ---- greeting and negotiation ---- */

static void test_greeting(Fixture *f, gconstpointer data)
{
    const ServerOptions opts = { 0 };
    g_autoptr(QmpTestClient) client = NULL;
    g_autofree char *greeting = NULL;
    g_autoptr(JsonNode) node = NULL;
    JsonObject *version;
    const char *package;

    if (!server_start(f, &opts)) {
        return;
    }
    client = connect_to(f, 0);
    /* Sent at once, unasked: the client has not written anything. */
    greeting = read_line(client);
    qmp_test_assert_line(greeting,
                         "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": N, "
                         "\"minor\": N, \"major\": N}, \"package\": \"...\"}, "
                         "\"capabilities\": [\"oob\"]}}\r\n");
    version = json_object_get_object_member(
        json_object_get_object_member(parse_object(greeting, &node), "QMP"),
        "version");
    package = json_object_get_string_member(version, "package");
    g_assert_nonnull(package);
    if (f->kind == SERVER_QEMU) {
        g_assert_cmpint(
            json_object_get_int_member(
                json_object_get_object_member(version, "qemu"), "major"),
            ==, 7);
    } else {
        g_autofree char *lower = g_ascii_strdown(package, -1);

        g_assert_nonnull(strstr(lower, "porthole"));
    }
    /* Nothing else until the client speaks. */
    check_quiet(client, 200);
}

static void test_negotiation(Fixture *f, gconstpointer data)
{
    const ServerOptions opts = { 0 };
    g_autoptr(QmpTestClient) client = NULL;
    g_autofree char *greeting = NULL;

    if (!server_start(f, &opts)) {
        return;
    }
    client = connect_to(f, 0);
    greeting = read_line(client);

    /* Any command, known or not, is refused before negotiation. */
    check_reply(client, "{\"execute\": \"query-status\"}\n", NEGOTIATE_FIRST);
    check_reply(client, "{\"execute\": \"query-status\", \"id\": 1}\n",
                ERR_ID("1", "CommandNotFound",
                       "Expecting capabilities negotiation with "
                       "'qmp_capabilities'"));
    check_reply(client, "{\"execute\": \"nosuch\", \"id\": 2}\n",
                ERR_ID("2", "CommandNotFound",
                       "Expecting capabilities negotiation with "
                       "'qmp_capabilities'"));
    /* Malformed input gets the usual errors meanwhile. */
    check_reply(client, "[]\n", GENERIC("QMP input must be a JSON object"));
    check_reply(client, "{\"id\": 5}\n",
                GENERIC_ID("5", "QMP input lacks member 'execute'"));
    check_reply(client, "{\"exec-oob\": \"qmp_capabilities\", \"id\": 6}\n",
                GENERIC_ID("6", "QMP input member 'exec-oob' is unexpected"));
    /* A failed qmp_capabilities leaves the session in negotiation mode. */
    check_reply(client,
                "{\"execute\": \"qmp_capabilities\", \"arguments\": "
                "{\"enable\": [\"foo\"]}, \"id\": 3}\n",
                GENERIC_ID("3", "Parameter 'null' does not accept value "
                                "'foo'"));
    check_reply(client, "{\"execute\": \"query-status\"}\n", NEGOTIATE_FIRST);
    /* The id of qmp_capabilities is echoed like any other. */
    check_reply(client,
                "{\"execute\": \"qmp_capabilities\", \"id\": {\"x\": [1, "
                "null]}}\n",
                RET_ID("{}", "{\"x\": [1, null]}"));
    check_reply(client, "{\"execute\": \"qmp_capabilities\"}\n",
                ALREADY_NEGOTIATED);
    check_reply(client,
                "{\"execute\": \"qmp_capabilities\", \"arguments\": "
                "{\"enable\": [\"oob\"]}}\n",
                ALREADY_NEGOTIATED);
    check_reply(client, "{\"execute\": \"query-status\", \"id\": 4}\n",
                RET_ID(STATUS("prelaunch", "false"), "4"));
}

typedef struct {
    const char *input;
    const char *expected;
} Exchange;

/* Each exchange on a fresh session that has only read the greeting. */
static void run_fresh_sessions(Fixture *f, const Exchange *cases, gsize n)
{
    for (gsize i = 0; i < n; i++) {
        g_autoptr(QmpTestClient) client = connect_to(f, 0);
        g_autofree char *greeting = read_line(client);

        check_reply(client, cases[i].input, cases[i].expected);
    }
}

static void test_negotiation_arguments(Fixture *f, gconstpointer data)
{
    static const Exchange cases[] = {
        { "{\"execute\": \"qmp_capabilities\", \"arguments\": {\"enable\": "
          "[\"oob\"]}}\n",
          RET("{}") },
        { "{\"execute\": \"qmp_capabilities\", \"arguments\": {\"enable\": "
          "[]}}\n",
          RET("{}") },
        { "{\"execute\": \"qmp_capabilities\", \"arguments\": {\"enable\": "
          "[\"oob\", \"oob\"]}}\n",
          RET("{}") },
        { "{\"execute\": \"qmp_capabilities\", \"arguments\": {\"enable\": "
          "[\"foo\"]}}\n",
          GENERIC("Parameter 'null' does not accept value 'foo'") },
        { "{\"execute\": \"qmp_capabilities\", \"arguments\": {\"enable\": "
          "\"oob\"}}\n",
          GENERIC("Invalid parameter type for 'enable', expected: array") },
        { "{\"execute\": \"qmp_capabilities\", \"arguments\": {\"enable\": "
          "null}}\n",
          GENERIC("Invalid parameter type for 'enable', expected: array") },
        { "{\"execute\": \"qmp_capabilities\", \"arguments\": {\"bogus\": "
          "1}}\n",
          GENERIC("Parameter 'bogus' is unexpected") },
        { "{\"execute\": \"qmp_capabilities\", \"arguments\": [], \"id\": "
          "8}\n",
          GENERIC_ID("8", "QMP input member 'arguments' must be an object") },
    };
    const ServerOptions opts = { 0 };

    if (!server_start(f, &opts)) {
        return;
    }
    /* QEMU serves the next client when the previous one has gone: one
     * session after the other works with either server. */
    run_fresh_sessions(f, cases, G_N_ELEMENTS(cases));
}

/* ---- replies and id ---- */

static void run_exchanges(QmpTestClient *client, const Exchange *cases, gsize n)
{
    for (gsize i = 0; i < n; i++) {
        check_reply(client, cases[i].input, cases[i].expected);
    }
}

/* Starts a default server, negotiates (no OOB) and runs @cases on it. */
static void run_exchanges_on_new_server(Fixture *f, const Exchange *cases, gsize n)
{
    const ServerOptions opts = { 0 };
    g_autoptr(QmpTestClient) client = NULL;

    if (!server_start(f, &opts)) {
        return;
    }
    client = connect_ready(f, 0, false);
    run_exchanges(client, cases, n);
}

static void test_reply_shape(Fixture *f, gconstpointer data)
{
    static const Exchange cases[] = {
        { "{\"execute\": \"query-name\"}\n", RET("{}") },
        { "{\"execute\": \"query-name\", \"id\": 1}\n", RET_ID("{}", "1") },
        /* The id goes last whatever its place in the request. */
        { "{\"id\": 5, \"execute\": \"query-name\"}\n", RET_ID("{}", "5") },
        { "{\"execute\": \"query-status\", \"arguments\": {}}\n",
          RET(STATUS("prelaunch", "false")) },
        { "{\"execute\": \"query-status\", \"id\": \"s\"}\n",
          RET_ID(STATUS("prelaunch", "false"), "\"s\"") },
        /* Input spacing does not matter: the reply is re-serialised. */
        { "{\"execute\":\"query-name\",\"id\":{\"x\":[]}}\n",
          RET_ID("{}", "{\"x\": []}") },
        /* CRLF and extra blanks in the input are fine. */
        { "  {\"execute\": \"query-name\", \"id\": 2}  \r\n",
          RET_ID("{}", "2") },
    };
    run_exchanges_on_new_server(f, cases, G_N_ELEMENTS(cases));
}

#define ID_CASE(in, out)                                                       \
    {                                                                          \
        "{\"execute\": \"query-name\", \"id\": " in "}\n", RET_ID("{}", out)   \
    }

static void test_id_values(Fixture *f, gconstpointer data)
{
    static const Exchange cases[] = {
        ID_CASE("null", "null"),
        ID_CASE("\"abc\"", "\"abc\""),
        ID_CASE("42", "42"),
        ID_CASE("false", "false"),
        ID_CASE("{}", "{}"),
        ID_CASE("[]", "[]"),
        ID_CASE("[[]]", "[[]]"),
        ID_CASE("{\"k\": {}}", "{\"k\": {}}"),
        ID_CASE("[1, \"two\", null, true, 3.5]",
                "[1, \"two\", null, true, 3.5]"),
        ID_CASE("{\"a\": 1, \"b\": [1, 2, {\"c\": null}]}",
                "{\"a\": 1, \"b\": [1, 2, {\"c\": null}]}"),
    };
    run_exchanges_on_new_server(f, cases, G_N_ELEMENTS(cases));
}

/*
 * An object id comes back with its members in QEMU's dictionary order
 * (a hash of the key; see the reference), not in the client's order.
 */
static void test_id_member_order(Fixture *f, gconstpointer data)
{
    static const Exchange cases[] = {
        ID_CASE("{\"z\": 1, \"a\": 2, \"m\": 3}",
                "{\"a\": 2, \"z\": 1, \"m\": 3}"),
        /* Same hash bucket: the member inserted last comes first. */
        ID_CASE("{\"singlestep\": 1, \"status\": 2}",
                "{\"status\": 2, \"singlestep\": 1}"),
        ID_CASE("{\"status\": 2, \"singlestep\": 1}",
                "{\"singlestep\": 1, \"status\": 2}"),
        ID_CASE("{\"id\": 1, \"return\": 2, \"error\": 3}",
                "{\"return\": 2, \"id\": 1, \"error\": 3}"),
    };
    run_exchanges_on_new_server(f, cases, G_N_ELEMENTS(cases));
}

static void test_id_numbers(Fixture *f, gconstpointer data)
{
    static const Exchange cases[] = {
        ID_CASE("-1.5e10", "-15000000000"),
        ID_CASE("1.0", "1"),
        ID_CASE("[0.1, 1e300, 1.5e-7, 123456789012345678901234, -0, -0.0, "
                "9223372036854775807, -9223372036854775808, "
                "-9223372036854775809, 18446744073709551616, 1E2, 2.50]",
                "[0.10000000000000001, 1.0000000000000001e+300, "
                "1.4999999999999999e-07, 1.2345678901234569e+23, 0, -0, "
                "9223372036854775807, -9223372036854775808, "
                "-9.2233720368547758e+18, 1.8446744073709552e+19, 100, 2.5]"),
    };
    /* QEMU keeps integers from 2^63 to 2^64-1 exact (as uint64). */
    static const Exchange uint64_cases[] = {
        ID_CASE("12345678901234567890", "12345678901234567890"),
        ID_CASE("[9223372036854775808, 18446744073709551615]",
                "[9223372036854775808, 18446744073709551615]"),
    };
    const ServerOptions opts = { 0 };
    g_autoptr(QmpTestClient) client = NULL;

    if (!server_start(f, &opts)) {
        return;
    }
    client = connect_ready(f, 0, false);
    run_exchanges(client, cases, G_N_ELEMENTS(cases));
    if (qemu_mode()) {
        run_exchanges(client, uint64_cases, G_N_ELEMENTS(uint64_cases));
    } else {
        /* A known difference: json-glib has no uint64, so Porthole echoes
         * those as the nearest double.  Reported, not hidden. */
        g_test_incomplete("ids from 2^63 to 2^64-1 come back as doubles");
    }
}

static void test_id_strings(Fixture *f, gconstpointer data)
{
    static const Exchange cases[] = {
        /* Non-ASCII is escaped, upper-case hex, surrogate pairs; '/' not. */
        ID_CASE("\"\\u00e9\\ud83d\\ude00\\n\\t/\"",
                "\"\\u00E9\\uD83D\\uDE00\\n\\t/\""),
        ID_CASE("\"caf\xc3\xa9 \xf0\x9f\x98\x80\"",
                "\"caf\\u00E9 \\uD83D\\uDE00\""),
        ID_CASE("\"\\\"\\\\\\b\\f\\r\\u0001\\u001f\\u007f\\u0080\"",
                "\"\\\"\\\\\\b\\f\\r\\u0001\\u001F\\u007F\\u0080\""),
        ID_CASE("\"a\\u0000b\"", "\"a\\u0000b\""),
        /* Single-quoted strings are QEMU's extension; the reply uses
         * double quotes. */
        { "{'execute': 'query-name', 'id': 'sq'}\n", RET_ID("{}", "\"sq\"") },
    };
    run_exchanges_on_new_server(f, cases, G_N_ELEMENTS(cases));
}

/* ---- error texts ---- */

static void test_errors_envelope(Fixture *f, gconstpointer data)
{
    static const Exchange cases[] = {
        { "[]\n", GENERIC("QMP input must be a JSON object") },
        { "1\n", GENERIC("QMP input must be a JSON object") },
        { "\"x\"\n", GENERIC("QMP input must be a JSON object") },
        { "null\n", GENERIC("QMP input must be a JSON object") },
        { "true\n", GENERIC("QMP input must be a JSON object") },
        { "{}\n", GENERIC("QMP input lacks member 'execute'") },
        { "{\"id\": 7}\n",
          GENERIC_ID("7", "QMP input lacks member 'execute'") },
        { "{\"execute\": 1}\n",
          GENERIC("QMP input member 'execute' must be a string") },
        { "{\"execute\": 1, \"id\": 8}\n",
          GENERIC_ID("8", "QMP input member 'execute' must be a string") },
        { "{\"execute\": \"query-status\", \"bogus\": 1}\n",
          GENERIC("QMP input member 'bogus' is unexpected") },
        { "{\"execute\": \"query-status\", \"bogus\": 1, \"id\": 9}\n",
          GENERIC_ID("9", "QMP input member 'bogus' is unexpected") },
        { "{\"bogus\": 1}\n",
          GENERIC("QMP input member 'bogus' is unexpected") },
        { "{\"execute\": \"query-status\", \"id\": 1, \"arguments\": {}, "
          "\"control\": {}}\n",
          GENERIC_ID("1", "QMP input member 'control' is unexpected") },
        /* Several faults: the first member in dictionary order wins. */
        { "{\"execute\": \"query-status\", \"zzz\": 1, \"aaa\": 2}\n",
          GENERIC("QMP input member 'aaa' is unexpected") },
        { "{\"execute\": 1, \"bogus\": 1}\n",
          GENERIC("QMP input member 'bogus' is unexpected") },
        { "{\"execute\": \"query-status\", \"arguments\": 1, \"bogus\": 2}\n",
          GENERIC("QMP input member 'bogus' is unexpected") },
        { "{\"execute\": 1, \"arguments\": 1}\n",
          GENERIC("QMP input member 'execute' must be a string") },
        /* Without the oob capability, exec-oob is just an unknown member. */
        { "{\"execute\": \"query-status\", \"exec-oob\": \"query-status\"}\n",
          GENERIC("QMP input member 'exec-oob' is unexpected") },
        { "{\"exec-oob\": \"query-status\", \"id\": 10}\n",
          GENERIC_ID("10", "QMP input member 'exec-oob' is unexpected") },
        { "{\"execute\": \"nosuch\"}\n",
          ERR("CommandNotFound", "The command nosuch has not been found") },
        { "{\"execute\": \"nosuch\", \"id\": 11}\n",
          ERR_ID("11", "CommandNotFound",
                 "The command nosuch has not been found") },
        /* The envelope is checked before the command is looked up. */
        { "{\"execute\": \"nosuch\", \"arguments\": 1}\n",
          GENERIC("QMP input member 'arguments' must be an object") },
        { "{\"execute\": \"query-status\", \"arguments\": 1}\n",
          GENERIC("QMP input member 'arguments' must be an object") },
        { "{\"execute\": \"query-status\", \"arguments\": []}\n",
          GENERIC("QMP input member 'arguments' must be an object") },
        { "{\"execute\": \"query-status\", \"arguments\": null}\n",
          GENERIC("QMP input member 'arguments' must be an object") },
        { "{\"execute\": \"query-status\", \"arguments\": [], \"id\": 5}\n",
          GENERIC_ID("5", "QMP input member 'arguments' must be an object") },
        { "{\"execute\": \"query-status\", \"arguments\": {\"x\": 1}}\n",
          GENERIC("Parameter 'x' is unexpected") },
        { "{\"execute\": \"query-status\", \"arguments\": {\"x\": 1}, "
          "\"id\": 1}\n",
          GENERIC_ID("1", "Parameter 'x' is unexpected") },
        { "{\"execute\": \"cont\", \"arguments\": {\"x\": null}}\n",
          GENERIC("Parameter 'x' is unexpected") },
        { "{\"execute\": \"query-status\", \"execute\": \"query-name\"}\n",
          GENERIC("JSON parse error, duplicate key") },
        { "{\"execute\": \"query-status\", \"id\": {\"a\": 1, \"a\": 2}}\n",
          GENERIC("JSON parse error, duplicate key") },
    };
    const ServerOptions opts = { 0 };
    g_autoptr(QmpTestClient) client = NULL;

    if (!server_start(f, &opts)) {
        return;
    }
    client = connect_ready(f, 0, false);
    run_exchanges(client, cases, G_N_ELEMENTS(cases));
    check_alive(client);
}

static void test_errors_oob(Fixture *f, gconstpointer data)
{
    static const Exchange cases[] = {
        { "{\"exec-oob\": \"query-status\"}\n",
          GENERIC("The command query-status does not support OOB") },
        { "{\"exec-oob\": \"query-status\", \"id\": 1}\n",
          GENERIC_ID("1", "The command query-status does not support OOB") },
        { "{\"exec-oob\": \"qmp_capabilities\", \"id\": 7}\n",
          GENERIC_ID("7", "The command qmp_capabilities does not support "
                          "OOB") },
        { "{\"exec-oob\": \"nosuch\", \"id\": 2}\n",
          ERR_ID("2", "CommandNotFound",
                 "The command nosuch has not been found") },
        { "{\"exec-oob\": 1, \"id\": 5}\n",
          GENERIC_ID("5", "QMP input member 'exec-oob' must be a string") },
        { "{\"exec-oob\": \"query-status\", \"execute\": \"query-status\", "
          "\"id\": 6}\n",
          GENERIC_ID("6", "QMP input member 'execute' clashes with "
                          "'exec-oob'") },
        { "{\"exec-oob\": \"query-status\", \"id\": 10, \"control\": "
          "{\"run-oob\": true}}\n",
          GENERIC_ID("10", "QMP input member 'control' is unexpected") },
        /* In-band commands still work with OOB enabled, id or not. */
        { "{\"execute\": \"query-status\"}\n",
          RET(STATUS("prelaunch", "false")) },
    };
    const ServerOptions opts = { 0 };
    g_autoptr(QmpTestClient) client = NULL;

    if (!server_start(f, &opts)) {
        return;
    }
    client = connect_ready(f, 0, true);
    run_exchanges(client, cases, G_N_ELEMENTS(cases));
}

/*
 * Argument errors: the same fault, once with a QEMU 7.2 command (run under
 * QMP_TEST_QEMU=1) and once with the test server's test-args (run against
 * Porthole).  The words and the shapes of the texts are QEMU's.
 */
typedef struct {
    const char *qemu_input; /* NULL: no QEMU 7.2 command has such a type */
    const char *qemu_expected;
    const char *test_input;
    const char *test_expected;
} ArgCase;

#define TEST_ARGS(args)                                                        \
    "{\"execute\": \"test-args\", \"arguments\": " args "}\n"

static const ArgCase arg_cases[] = {
    { "{\"execute\": \"device_del\", \"arguments\": {\"id\": 1}}\n",
      GENERIC("Invalid parameter type for 'id', expected: string"),
      TEST_ARGS("{\"s\": 1}"),
      GENERIC("Invalid parameter type for 's', expected: string") },
    { "{\"execute\": \"device_del\", \"arguments\": {\"id\": null}}\n",
      GENERIC("Invalid parameter type for 'id', expected: string"),
      TEST_ARGS("{\"s\": null}"),
      GENERIC("Invalid parameter type for 's', expected: string") },
    { "{\"execute\": \"device_del\", \"arguments\": {\"id\": {}}}\n",
      GENERIC("Invalid parameter type for 'id', expected: string"),
      TEST_ARGS("{\"s\": {}}"),
      GENERIC("Invalid parameter type for 's', expected: string") },
    { "{\"execute\": \"device_del\", \"arguments\": {\"id\": []}}\n",
      GENERIC("Invalid parameter type for 'id', expected: string"),
      TEST_ARGS("{\"s\": []}"),
      GENERIC("Invalid parameter type for 's', expected: string") },
    { "{\"execute\": \"device_del\", \"arguments\": {\"id\": true}}\n",
      GENERIC("Invalid parameter type for 'id', expected: string"),
      TEST_ARGS("{\"s\": true}"),
      GENERIC("Invalid parameter type for 's', expected: string") },
    { "{\"execute\": \"device_del\", \"arguments\": {}}\n",
      GENERIC("Parameter 'id' is missing"), TEST_ARGS("{}"),
      GENERIC("Parameter 's' is missing") },
    { "{\"execute\": \"device_del\"}\n", GENERIC("Parameter 'id' is missing"),
      "{\"execute\": \"test-args\"}\n", GENERIC("Parameter 's' is missing") },
    { "{\"execute\": \"device_del\", \"arguments\": {\"id\": \"x\", "
      "\"x\": 1}}\n",
      GENERIC("Parameter 'x' is unexpected"),
      TEST_ARGS("{\"s\": \"x\", \"x\": 1}"),
      GENERIC("Parameter 'x' is unexpected") },
    /* Members are checked in schema order, unexpected ones last. */
    { "{\"execute\": \"device_del\", \"arguments\": {\"zzz\": 1, "
      "\"aaa\": 2}}\n",
      GENERIC("Parameter 'id' is missing"),
      TEST_ARGS("{\"zzz\": 1, \"aaa\": 2}"),
      GENERIC("Parameter 's' is missing") },
    { "{\"execute\": \"balloon\", \"arguments\": {\"value\": \"x\"}}\n",
      GENERIC("Invalid parameter type for 'value', expected: integer"),
      TEST_ARGS("{\"s\": \"a\", \"i\": \"x\"}"),
      GENERIC("Invalid parameter type for 'i', expected: integer") },
    { "{\"execute\": \"balloon\", \"arguments\": {\"value\": 1.5}}\n",
      GENERIC("Invalid parameter type for 'value', expected: integer"),
      TEST_ARGS("{\"s\": \"a\", \"i\": 1.5}"),
      GENERIC("Invalid parameter type for 'i', expected: integer") },
    { "{\"execute\": \"balloon\", \"arguments\": {\"value\": true}}\n",
      GENERIC("Invalid parameter type for 'value', expected: integer"),
      TEST_ARGS("{\"s\": \"a\", \"i\": true}"),
      GENERIC("Invalid parameter type for 'i', expected: integer") },
    /* Beyond int64: a double, so not an integer. */
    { "{\"execute\": \"balloon\", \"arguments\": {\"value\": "
      "9223372036854775808}}\n",
      GENERIC("Invalid parameter type for 'value', expected: integer"),
      TEST_ARGS("{\"s\": \"a\", \"i\": 9223372036854775808}"),
      GENERIC("Invalid parameter type for 'i', expected: integer") },
    /* Unsigned integers have texts of their own. */
    { "{\"execute\": \"migrate-set-parameters\", \"arguments\": "
      "{\"throttle-trigger-threshold\": 300}}\n",
      GENERIC("Parameter 'throttle-trigger-threshold' expects uint8_t"),
      TEST_ARGS("{\"s\": \"a\", \"u8\": 300}"),
      GENERIC("Parameter 'u8' expects uint8_t") },
    { "{\"execute\": \"migrate-set-parameters\", \"arguments\": "
      "{\"throttle-trigger-threshold\": -1}}\n",
      GENERIC("Parameter 'throttle-trigger-threshold' expects uint8_t"),
      TEST_ARGS("{\"s\": \"a\", \"u8\": -1}"),
      GENERIC("Parameter 'u8' expects uint8_t") },
    { "{\"execute\": \"migrate-set-parameters\", \"arguments\": "
      "{\"throttle-trigger-threshold\": \"x\"}}\n",
      GENERIC("Parameter 'throttle-trigger-threshold' expects uint64"),
      TEST_ARGS("{\"s\": \"a\", \"u8\": \"x\"}"),
      GENERIC("Parameter 'u8' expects uint64") },
    { "{\"execute\": \"migrate-set-parameters\", \"arguments\": "
      "{\"throttle-trigger-threshold\": 1.5}}\n",
      GENERIC("Parameter 'throttle-trigger-threshold' expects uint64"),
      TEST_ARGS("{\"s\": \"a\", \"u8\": 1.5}"),
      GENERIC("Parameter 'u8' expects uint64") },
    { "{\"execute\": \"eject\", \"arguments\": {\"force\": \"yes\"}}\n",
      GENERIC("Invalid parameter type for 'force', expected: boolean"),
      TEST_ARGS("{\"s\": \"a\", \"b\": \"yes\"}"),
      GENERIC("Invalid parameter type for 'b', expected: boolean") },
    { "{\"execute\": \"eject\", \"arguments\": {\"force\": 1}}\n",
      GENERIC("Invalid parameter type for 'force', expected: boolean"),
      TEST_ARGS("{\"s\": \"a\", \"b\": 1}"),
      GENERIC("Invalid parameter type for 'b', expected: boolean") },
    { "{\"execute\": \"eject\", \"arguments\": {\"force\": null}}\n",
      GENERIC("Invalid parameter type for 'force', expected: boolean"),
      TEST_ARGS("{\"s\": \"a\", \"b\": null}"),
      GENERIC("Invalid parameter type for 'b', expected: boolean") },
    /* No QEMU 7.2 command takes a number: QEMU's text pattern, unverified. */
    { NULL, NULL, TEST_ARGS("{\"s\": \"a\", \"n\": \"x\"}"),
      GENERIC("Invalid parameter type for 'n', expected: number") },
    { "{\"execute\": \"block-latency-histogram-set\", \"arguments\": "
      "{\"id\": \"x\", \"boundaries\": {}}}\n",
      GENERIC("Invalid parameter type for 'boundaries', expected: array"),
      TEST_ARGS("{\"s\": \"a\", \"l\": {}}"),
      GENERIC("Invalid parameter type for 'l', expected: array") },
    { "{\"execute\": \"block-latency-histogram-set\", \"arguments\": "
      "{\"id\": \"x\", \"boundaries\": null}}\n",
      GENERIC("Invalid parameter type for 'boundaries', expected: array"),
      TEST_ARGS("{\"s\": \"a\", \"l\": null}"),
      GENERIC("Invalid parameter type for 'l', expected: array") },
    { "{\"execute\": \"announce-self\", \"arguments\": {\"initial\": 1, "
      "\"max\": 1, \"rounds\": 1, \"step\": 1, \"interfaces\": [1]}}\n",
      GENERIC("Invalid parameter type for 'interfaces[0]', expected: "
              "string"),
      TEST_ARGS("{\"s\": \"a\", \"l\": [1, \"a\"]}"),
      GENERIC("Invalid parameter type for 'l[1]', expected: integer") },
    { "{\"execute\": \"blockdev-create\", \"arguments\": {\"job-id\": "
      "\"j\", \"options\": 1}}\n",
      GENERIC("Invalid parameter type for 'options', expected: object"),
      TEST_ARGS("{\"s\": \"a\", \"o\": 1}"),
      GENERIC("Invalid parameter type for 'o', expected: object") },
    { "{\"execute\": \"blockdev-create\", \"arguments\": {\"job-id\": "
      "\"j\", \"options\": {}}}\n",
      GENERIC("Parameter 'options.driver' is missing"),
      TEST_ARGS("{\"s\": \"a\", \"o\": {}}"),
      GENERIC("Parameter 'o.a' is missing") },
    { "{\"execute\": \"migrate-set-capabilities\", \"arguments\": "
      "{\"capabilities\": [{\"capability\": \"xbzrle\", \"state\": 1}]}}\n",
      GENERIC("Invalid parameter type for 'capabilities[0].state', "
              "expected: boolean"),
      TEST_ARGS("{\"s\": \"a\", \"o\": {\"a\": \"x\"}}"),
      GENERIC("Invalid parameter type for 'o.a', expected: integer") },
    { "{\"execute\": \"migrate-set-capabilities\", \"arguments\": "
      "{\"capabilities\": [{\"capability\": \"xbzrle\", \"state\": true, "
      "\"zz\": 1}]}}\n",
      GENERIC("Parameter 'capabilities[0].zz' is unexpected"),
      TEST_ARGS("{\"s\": \"a\", \"o\": {\"a\": 1, \"zz\": 1}}"),
      GENERIC("Parameter 'o.zz' is unexpected") },
    { "{\"execute\": \"watchdog-set-action\", \"arguments\": {\"action\": "
      "\"jpg\"}}\n",
      GENERIC("Parameter 'action' does not accept value 'jpg'"),
      TEST_ARGS("{\"s\": \"a\", \"e\": \"jpg\"}"),
      GENERIC("Parameter 'e' does not accept value 'jpg'") },
    /* Enumeration values are case-sensitive. */
    { "{\"execute\": \"watchdog-set-action\", \"arguments\": {\"action\": "
      "\"RESET\"}}\n",
      GENERIC("Parameter 'action' does not accept value 'RESET'"),
      TEST_ARGS("{\"s\": \"a\", \"e\": \"PNG\"}"),
      GENERIC("Parameter 'e' does not accept value 'PNG'") },
    { "{\"execute\": \"watchdog-set-action\", \"arguments\": {\"action\": "
      "1}}\n",
      GENERIC("Invalid parameter type for 'action', expected: string"),
      TEST_ARGS("{\"s\": \"a\", \"e\": 1}"),
      GENERIC("Invalid parameter type for 'e', expected: string") },
    /* An argument error keeps the id in front, like every error. */
    { "{\"execute\": \"device_del\", \"id\": 3}\n",
      GENERIC_ID("3", "Parameter 'id' is missing"),
      "{\"execute\": \"test-args\", \"id\": 3}\n",
      GENERIC_ID("3", "Parameter 's' is missing") },
};

static void test_errors_arguments(Fixture *f, gconstpointer data)
{
    const ServerOptions opts = { .test_commands = !qemu_mode() };
    g_autoptr(QmpTestClient) client = NULL;

    if (!server_start(f, &opts)) {
        return;
    }
    client = connect_ready(f, 0, false);
    for (gsize i = 0; i < G_N_ELEMENTS(arg_cases); i++) {
        const ArgCase *c = &arg_cases[i];

        if (f->kind == SERVER_QEMU) {
            if (c->qemu_input) {
                check_reply(client, c->qemu_input, c->qemu_expected);
            }
        } else {
            check_reply(client, c->test_input, c->test_expected);
        }
    }
    check_alive(client);
}

/* screendump's own argument checks (QEMU's texts), on porthole itself. */
static void test_errors_screendump(Fixture *f, gconstpointer data)
{
#define SCREENDUMP(args)                                                       \
    "{\"execute\": \"screendump\", \"arguments\": " args "}\n"
    static const Exchange cases[] = {
        { "{\"execute\": \"screendump\"}\n",
          GENERIC("Parameter 'filename' is missing") },
        { SCREENDUMP("{\"format\": \"jpg\"}"),
          GENERIC("Parameter 'filename' is missing") },
        { SCREENDUMP("{\"filename\": 1}"),
          GENERIC("Invalid parameter type for 'filename', expected: string") },
        { SCREENDUMP("{\"filename\": \"/tmp/x\", \"head\": \"a\"}"),
          GENERIC("Invalid parameter type for 'head', expected: integer") },
        { SCREENDUMP("{\"filename\": \"/tmp/x\", \"format\": \"jpg\"}"),
          GENERIC("Parameter 'format' does not accept value 'jpg'") },
        { "{\"execute\": \"screendump\", \"arguments\": {\"filename\": "
          "\"/tmp/x\", \"format\": \"jpg\"}, \"id\": \"s\"}\n",
          GENERIC_ID("\"s\"", "Parameter 'format' does not accept value "
                              "'jpg'") },
        { SCREENDUMP("{\"format\": \"jpg\", \"x\": 1, \"filename\": \"a\"}"),
          GENERIC("Parameter 'format' does not accept value 'jpg'") },
        { SCREENDUMP("{\"filename\": \"/tmp/x.ppm\", \"x\": 1}"),
          GENERIC("Parameter 'x' is unexpected") },
        { SCREENDUMP("{\"filename\": \"/tmp/x\", \"device\": \"nodev\"}"),
          ERR("DeviceNotFound", "Device 'nodev' not found") },
        { SCREENDUMP("{\"filename\": \"/tmp/x.ppm\", \"head\": 0}"),
          GENERIC("'head' must be specified together with 'device'") },
    };
#undef SCREENDUMP
    const ServerOptions opts = { 0 };
    g_autoptr(QmpTestClient) client = NULL;

    if (!server_start(f, &opts)) {
        return;
    }
    client = connect_ready(f, 0, false);
    {
        g_autofree char *probe = qmp_test_client_command(
            client, "{\"execute\": \"screendump\"}\n", NULL);

        /* screendump arrives with the display (issue 5); until then there
         * is nothing of it to compare. */
        if (probe && strstr(probe, "CommandNotFound")) {
            g_test_skip("screendump is not implemented yet");
            return;
        }
    }
    run_exchanges(client, cases, G_N_ELEMENTS(cases));
}

/* ---- JSON syntax errors and recovery ---- */

typedef struct {
    const char *input;
    gsize len;               /* 0: strlen(input) */
    const char *expected[3]; /* the replies, in order; NULL-terminated */
} ParseCase;

#define PARSE_ERR(what) GENERIC("JSON parse error, " what)
#define EXPECTING_VALUE PARSE_ERR("expecting value")

static const ParseCase parse_cases[] = {
    { "}\n", 0, { EXPECTING_VALUE } },
    { "{\"a\" 1}\n", 0, { PARSE_ERR("missing : in object pair") } },
    { "{\"execute\" \"query-name\"}\n",
      0,
      { PARSE_ERR("missing : in object pair") } },
    { "{\"execute\": bogus}\n", 0, { PARSE_ERR("invalid keyword 'bogus'") } },
    { "{\"execute\": \"query-name\", \"id\": tru}\n",
      0,
      { PARSE_ERR("invalid keyword 'tru'") } },
    { "[1,]\n", 0, { EXPECTING_VALUE } },
    { "{\"a\": 1, }\n", 0, { EXPECTING_VALUE } },
    { "{,}\n", 0, { EXPECTING_VALUE } },
    { "[1 2]\n", 0, { PARSE_ERR("expected separator in list") } },
    { "{\"execute\": \"query-name\" \"id\": 1}\n",
      0,
      { PARSE_ERR("expected separator in dict") } },
    { "{1: 2}\n", 0, { PARSE_ERR("key is not a string in object") } },
    { "xyz\n", 0, { PARSE_ERR("invalid keyword 'xyz'") } },
    { "@\n", 0, { PARSE_ERR("stray '@'") } },
    { "\x1b\n", 0, { PARSE_ERR("stray '\\u001B'") } },
    { "\xff\n", 0, { PARSE_ERR("stray '\\uFFFD'") } },
    { "\"\xff\"\n", 0, { PARSE_ERR("stray '\\\"\\uFFFD'") } },
    { "\0\n", 2, { PARSE_ERR("stray ''") } },
    { "\"abc\ndef\"\n", 0, { PARSE_ERR("stray '\\\"abc\\n'") } },
    { "{\"execute\": \"query-name\", \"id\": \"\\x\"}\n",
      0,
      { PARSE_ERR("invalid escape sequence in string") } },
    { "{\"execute\": \"query-name\", \"id\": \"\\ud800\"}\n",
      0,
      { PARSE_ERR("\\\\ud800 is not a valid Unicode character") } },
    { "{\"execute\": \"query-name\", \"id\": \"\xed\xa0\x80\"}\n",
      0,
      { PARSE_ERR("invalid UTF-8 sequence in string") } },
    { "{\"execute\": \"query-name\", \"id\": \"\xe2\x82\"}\n",
      0,
      { PARSE_ERR("invalid UTF-8 sequence in string") } },
    /* One bad token, then QEMU's streamer starts over mid-object: more
     * than one error for one line. */
    { "{\"execute\": \"query-name\", \"id\": \"\xff\"}\n",
      0,
      { PARSE_ERR("stray '\\\"\\uFFFD'"), EXPECTING_VALUE } },
    { "{\"execute\": \"query-name\", \"id\": \"a\tb\"}\n",
      0,
      { PARSE_ERR("stray '\\\"a\\t'"), EXPECTING_VALUE } },
    { "{\"execute\": \"query-name\", \"id\": 01}\n",
      0,
      { PARSE_ERR("stray '01'"), EXPECTING_VALUE } },
    { "{\"execute\": \"query-name\", \"id\": +1}\n",
      0,
      { PARSE_ERR("stray '+'"), EXPECTING_VALUE } },
    { "{\"execute\": \"query-name\", \"id\": 1}}\n",
      0,
      { RET_ID("{}", "1"), EXPECTING_VALUE } },
    { "]]]\n", 0, { EXPECTING_VALUE, EXPECTING_VALUE, EXPECTING_VALUE } },
    /* Garbage, then a good command on the same line: one error, then the
     * command's reply. */
    { "garbage {\"execute\": \"query-name\", \"id\": \"g\"}\n",
      0,
      { PARSE_ERR("invalid keyword 'garbage'"), RET_ID("{}", "\"g\"") } },
    /* Two values on a line, or none between them: two replies. */
    { "{\"execute\": \"query-name\"} {\"execute\": \"query-name\", \"id\": "
      "2}\n",
      0,
      { RET("{}"), RET_ID("{}", "2") } },
    { "{\"execute\": \"query-name\"}{\"execute\": \"query-name\", \"id\": 2}",
      0,
      { RET("{}"), RET_ID("{}", "2") } },
    /* Blank lines are no requests. */
    { "\n   \n\r\n", 0, { NULL } },
};

static void test_json_errors(Fixture *f, gconstpointer data)
{
    const ServerOptions opts = { 0 };
    g_autoptr(QmpTestClient) client = NULL;

    if (!server_start(f, &opts)) {
        return;
    }
    client = connect_ready(f, 0, false);
    for (gsize i = 0; i < G_N_ELEMENTS(parse_cases); i++) {
        const ParseCase *c = &parse_cases[i];
        g_autofree char *in = qmp_test_escape(c->input);

        g_test_message("input: \"%s\"", in);
        send_bytes(client, c->input, c->len ? c->len : strlen(c->input));
        for (int j = 0; j < 3 && c->expected[j]; j++) {
            check_line(client, c->expected[j]);
        }
        /* Exactly those replies, and the parser is ready for more. */
        check_reply(client, PROBE, PROBE_REPLY);
    }
}

/* A value may span lines: a newline ends nothing by itself. */
static void test_json_partial(Fixture *f, gconstpointer data)
{
    const ServerOptions opts = { 0 };
    g_autoptr(QmpTestClient) client = NULL;

    if (!server_start(f, &opts)) {
        return;
    }
    client = connect_ready(f, 0, false);
    send_str(client, "{\"execute\": \"query-name\",\n");
    check_quiet(client, 300);
    check_reply(client, "\"id\": 1}\n", RET_ID("{}", "1"));

    /* An unclosed '{' swallows the next command: no reply at all... */
    send_str(client, "{\n" PROBE);
    check_quiet(client, 300);
    /* ...until a byte that cannot be JSON (0xff) resets the parser: one
     * error for everything so far, and a clean start. */
    send_str(client, "\xff");
    check_line(client, PARSE_ERR("stray '\\uFFFD'"));
    check_alive(client);

    /* A closing brace ends the unclosed object: it is then just bad. */
    send_str(client, "{\"execute\": \n");
    check_quiet(client, 300);
    send_str(client, "}");
    check_line(client, EXPECTING_VALUE);
    check_alive(client);
}

static char *repeat(const char *s, int times)
{
    GString *out = g_string_new(NULL);

    for (int i = 0; i < times; i++) {
        g_string_append(out, s);
    }
    return g_string_free(out, FALSE);
}

static void test_json_depth(Fixture *f, gconstpointer data)
{
    const ServerOptions opts = { 0 };
    g_autoptr(QmpTestClient) client = NULL;
    g_autofree char *open1024 = repeat("[", 1024);
    g_autofree char *close1024 = repeat("]", 1024);
    g_autofree char *open1023 = repeat("[", 1023);
    g_autofree char *close1023 = repeat("]", 1023);
    g_autofree char *input = NULL;
    g_autofree char *expected = NULL;

    if (!server_start(f, &opts)) {
        return;
    }
    client = connect_ready(f, 0, false);

    /* 1024 levels are fine... */
    input = g_strconcat(open1024, close1024, "\n", NULL);
    check_reply(client, input, GENERIC("QMP input must be a JSON object"));
    g_free(input);
    input = g_strconcat("{\"execute\": \"query-name\", \"id\": ", open1023,
                        close1023, "}\n", NULL);
    expected = g_strconcat("{\"return\": {}, \"id\": ", open1023, close1023,
                           "}\r\n", NULL);
    check_reply(client, input, expected);

    /* ...1025 are not.  QEMU then drops what it has and parses the rest
     * afresh: each of the 1025 closing brackets is an error of its own. */
    g_free(input);
    input = g_strconcat("[", open1024, "]", close1024, "\n", NULL);
    send_str(client, input);
    check_line(client, GENERIC("JSON nesting depth limit exceeded"));
    for (int i = 0; i < 1025; i++) {
        check_line(client, EXPECTING_VALUE);
    }
    check_reply(client, PROBE, PROBE_REPLY);

    /* Only the opening brackets: one error, and the parser is clean. */
    g_free(input);
    input = g_strconcat("[", open1024, "\n", NULL);
    send_str(client, input);
    check_line(client, GENERIC("JSON nesting depth limit exceeded"));
    check_reply(client, PROBE, PROBE_REPLY);
}

/* A big but legal string goes through whole. */
static void test_json_big_string(Fixture *f, gconstpointer data)
{
    const ServerOptions opts = { 0 };
    g_autoptr(QmpTestClient) client = NULL;
    const gsize size = 1 << 20;
    g_autoptr(GString) input = g_string_new("{\"execute\": \"query-name\", "
                                            "\"id\": \"");
    g_autoptr(GString) expected = g_string_new("{\"return\": {}, \"id\": \"");
    g_autofree char *reply = NULL;

    if (!server_start(f, &opts)) {
        return;
    }
    client = connect_ready(f, 0, false);
    for (gsize i = 0; i < size; i++) {
        g_string_append_c(input, 'a' + i % 26);
        g_string_append_c(expected, 'a' + i % 26);
    }
    g_string_append(input, "\"}\n");
    g_string_append(expected, "\"}\r\n");
    send_bytes(client, input->str, input->len);
    reply = read_reply(client);
    g_assert_true(g_str_equal(reply, expected->str));
    check_alive(client);
}

/*
 * A 100 MB string: past the 64 MiB token limit, a clear error, and the
 * server goes on.  QEMU reads its QMP socket one byte per main-loop
 * iteration and needs about six minutes for this, so QEMU mode skips it.
 */
static void test_json_huge_string(Fixture *f, gconstpointer data)
{
    const ServerOptions opts = { .porthole_only = true };
    const gsize size = 100 * 1000 * 1000;
    g_autoptr(QmpTestClient) client = NULL;
    g_autofree char *buf = NULL;
    g_autofree char *first = NULL;
    const char *head = "{\"execute\": \"query-name\", \"id\": \"";
    gsize head_len = strlen(head);
    gint64 start;
    int errors = 0;

    if (!server_start(f, &opts)) {
        return;
    }
    client = connect_ready(f, 0, false);
    buf = g_malloc(head_len + size + 3);
    memcpy(buf, head, head_len);
    memset(buf + head_len, 'x', size);
    memcpy(buf + head_len + size, "\"}\n", 3);
    start = g_get_monotonic_time();
    send_bytes(client, buf, head_len + size + 3);
    g_test_message("100 MB sent in %.1f s",
                   (g_get_monotonic_time() - start) / 1e6);
    send_str(client, PROBE);

    first = read_line(client);
    qmp_test_assert_line(first, GENERIC("JSON token size limit exceeded"));
    /* What follows the limit is garbage to the parser: errors, then the
     * probe's reply. */
    for (;;) {
        g_autofree char *line = read_line(client);

        if (g_str_equal(line, PROBE_REPLY)) {
            break;
        }
        g_assert_true(g_str_has_prefix(
            line, "{\"error\": {\"class\": \"GenericError\", \"desc\": "
                  "\"JSON "));
        errors++;
    }
    g_test_message("%d more errors after the limit", errors);
    check_alive(client);
}

/* ---- commands and events ---- */

static void test_query_version(Fixture *f, gconstpointer data)
{
    const ServerOptions opts = { 0 };
    g_autoptr(QmpTestClient) client = NULL;
    g_autofree char *greeting = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *reply = NULL;
    g_autofree char *from_greeting = NULL;
    const char *p, *end;

    if (!server_start(f, &opts)) {
        return;
    }
    client = connect_to(f, 0);
    qmp_test_client_handshake(client, false, &greeting, &error);
    g_assert_no_error(error);
    check_reply(client, "{\"execute\": \"query-version\", \"id\": 1}\n",
                RET_ID("{\"qemu\": {\"micro\": N, \"minor\": N, \"major\": N}, "
                       "\"package\": \"...\"}",
                       "1"));
    /* The same version, byte for byte, as in the greeting. */
    reply = qmp_test_client_command(client, "{\"execute\": \"query-version\"}",
                                    &error);
    g_assert_no_error(error);
    p = strstr(greeting, "{\"qemu\"");
    g_assert_nonnull(p);
    end = strstr(p, "}, \"capabilities\"");
    g_assert_nonnull(end);
    from_greeting =
        g_strdup_printf("{\"return\": %.*s}\r\n", (int)(end - p + 1), p);
    g_assert_cmpstr(reply, ==, from_greeting);
}

static void test_query_name(Fixture *f, gconstpointer data)
{
    const ServerOptions opts = { 0 };
    g_autoptr(QmpTestClient) client = NULL;

    if (!server_start(f, &opts)) {
        return;
    }
    client = connect_ready(f, 0, false);
    check_reply(client, "{\"execute\": \"query-name\"}\n", RET("{}"));
}

static void test_query_name_set(Fixture *f, gconstpointer data)
{
    const ServerOptions opts = { .name = "caf\xc3\xa9 \"x\"" };
    g_autoptr(QmpTestClient) client = NULL;

    if (!server_start(f, &opts)) {
        return;
    }
    client = connect_ready(f, 0, false);
    check_reply(client, "{\"execute\": \"query-name\"}\n",
                RET("{\"name\": \"caf\\u00E9 \\\"x\\\"\"}"));
}

/* Status and events through the life of a machine started with -S. */
static void test_runstate_events(Fixture *f, gconstpointer data)
{
    const ServerOptions opts = { 0 };
    g_autoptr(QmpTestClient) client = NULL;
    g_autofree char *event = NULL;

#define QUERY_STATUS "{\"execute\": \"query-status\"}\n"
    if (!server_start(f, &opts)) {
        return;
    }
    client = connect_ready(f, 0, false);
    check_reply(client, QUERY_STATUS, RET(STATUS("prelaunch", "false")));

    /* The event comes before the reply. */
    send_str(client, "{\"execute\": \"cont\", \"id\": 1}\n");
    event = read_line(client);
    qmp_test_assert_line(event, EVENT("RESUME"));
    check_timestamp(event);
    check_line(client, RET_ID("{}", "1"));
    check_reply(client, QUERY_STATUS, RET(STATUS("running", "true")));
    /* Nothing changes, no event. */
    send_str(client, "{\"execute\": \"cont\"}\n");
    check_line(client, RET("{}"));

    send_str(client, "{\"execute\": \"stop\", \"id\": 2}\n");
    g_free(event);
    event = read_line(client);
    qmp_test_assert_line(event, EVENT("STOP"));
    check_timestamp(event);
    check_line(client, RET_ID("{}", "2"));
    check_reply(client, QUERY_STATUS, RET(STATUS("paused", "false")));
    send_str(client, "{\"execute\": \"stop\"}\n");
    check_line(client, RET("{}"));

    /* A reset of a stopped machine leaves it in prelaunch. */
    send_str(client, "{\"execute\": \"system_reset\"}\n");
    check_line(client, EVENT_DATA("RESET", "{\"guest\": false, \"reason\": "
                                           "\"host-qmp-system-reset\"}"));
    check_line(client, RET("{}"));
    check_reply(client, QUERY_STATUS, RET(STATUS("prelaunch", "false")));

    send_str(client, "{\"execute\": \"cont\"}\n");
    check_line(client, EVENT("RESUME"));
    check_line(client, RET("{}"));
    /* A reset of a running machine leaves it running. */
    send_str(client, "{\"execute\": \"system_reset\"}\n");
    check_line(client, EVENT_DATA("RESET", "{\"guest\": false, \"reason\": "
                                           "\"host-qmp-system-reset\"}"));
    check_line(client, RET("{}"));
    check_reply(client, QUERY_STATUS, RET(STATUS("running", "true")));

    send_str(client, "{\"execute\": \"system_powerdown\"}\n");
    check_line(client, EVENT("POWERDOWN"));
    check_line(client, RET("{}"));
    check_quiet(client, 200);
#undef QUERY_STATUS
}

/* Events go to negotiated sessions only. */
static void test_events_negotiated_only(Fixture *f, gconstpointer data)
{
    const ServerOptions opts = { .qemu_sockets = 2 };
    g_autoptr(QmpTestClient) a = NULL;
    g_autoptr(QmpTestClient) b = NULL;
    g_autofree char *greeting = NULL;
    g_autofree char *event = NULL;

    if (!server_start(f, &opts)) {
        return;
    }
    a = connect_ready(f, 0, false);
    b = connect_to(f, 1);
    greeting = read_line(b);

    check_reply(a, "{\"execute\": \"cont\"}\n", RET("{}"));
    g_free(event);
    event = next_event(a);
    qmp_test_assert_line(event, EVENT("RESUME"));
    check_reply(a, "{\"execute\": \"stop\"}\n", RET("{}"));
    g_free(event);
    event = next_event(a);
    qmp_test_assert_line(event, EVENT("STOP"));
    /* b has not negotiated: it hears nothing, not even later. */
    check_quiet(b, 300);

    check_reply(b, "{\"execute\": \"qmp_capabilities\"}\n", RET("{}"));
    g_assert_cmpuint(qmp_test_client_queued_events(b), ==, 0);
    check_reply(a, "{\"execute\": \"cont\"}\n", RET("{}"));
    g_free(event);
    event = next_event(b);
    qmp_test_assert_line(event, EVENT("RESUME"));
    g_free(event);
    event = next_event(a);
    qmp_test_assert_line(event, EVENT("RESUME"));
}

static void test_quit(Fixture *f, gconstpointer data)
{
    const ServerOptions opts = { .qemu_sockets = 2 };
    g_autoptr(QmpTestClient) client = NULL;
    g_autoptr(QmpTestClient) other = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *rest = NULL;
    g_autofree char *event = NULL;

    if (!server_start(f, &opts)) {
        return;
    }
    client = connect_ready(f, 0, false);
    other = connect_ready(f, 1, false);
    f->expect_exit = true;

    send_str(client, "{\"execute\": \"quit\", \"id\": \"q\"}\n");
    event = read_line(client);
    qmp_test_assert_line(event, EVENT_DATA("SHUTDOWN",
                                           "{\"guest\": false, \"reason\": "
                                           "\"host-qmp-quit\"}"));
    check_timestamp(event);
    check_line(client, RET_ID("{}", "\"q\""));
    qmp_test_client_wait_closed(client, QMP_TEST_TIMEOUT_MS, &rest, &error);
    g_assert_no_error(error);
    g_assert_cmpstr(rest, ==, "");

    /* Every negotiated session hears the SHUTDOWN, then the end. */
    check_line(other, EVENT_DATA("SHUTDOWN", "{\"guest\": false, \"reason\": "
                                             "\"host-qmp-quit\"}"));
    g_clear_pointer(&rest, g_free);
    qmp_test_client_wait_closed(other, QMP_TEST_TIMEOUT_MS, &rest, &error);
    g_assert_no_error(error);
    g_assert_cmpstr(rest, ==, "");

    g_assert_true(server_wait_exit(f, SERVER_EXIT_TIMEOUT_S));
    g_assert_true(g_subprocess_get_if_exited(f->proc));
    g_assert_cmpint(g_subprocess_get_exit_status(f->proc), ==, 0);
    /* The listening socket is cleaned up. */
    g_assert_false(g_file_test(f->socket[0], G_FILE_TEST_EXISTS));
}

static void test_query_commands(Fixture *f, gconstpointer data)
{
    static const char *const required[] = {
        "qmp_capabilities",
        "query-version",
        "query-commands",
        "query-qmp-schema",
        "query-status",
        "query-name",
        "stop",
        "cont",
        "system_reset",
        "system_powerdown",
        "quit",
    };
    const ServerOptions opts = { 0 };
    g_autoptr(QmpTestClient) client = NULL;
    g_autofree char *reply = NULL;
    g_autoptr(JsonNode) node = NULL;
    g_autoptr(GHashTable) names = g_hash_table_new(g_str_hash, g_str_equal);
    g_autoptr(GError) error = NULL;
    JsonArray *list;

    if (!server_start(f, &opts)) {
        return;
    }
    client = connect_ready(f, 0, false);
    reply = qmp_test_client_command(client, "{\"execute\": \"query-commands\"}",
                                    &error);
    g_assert_no_error(error);
    g_assert_true(g_str_has_prefix(reply, "{\"return\": [{\"name\": \""));
    g_assert_true(g_str_has_suffix(reply, "\"}]}\r\n"));
    list = json_object_get_array_member(parse_object(reply, &node), "return");
    for (guint i = 0; i < json_array_get_length(list); i++) {
        JsonObject *item = json_array_get_object_element(list, i);

        /* Each entry is exactly {"name": ...}. */
        g_assert_cmpuint(json_object_get_size(item), ==, 1);
        g_assert_true(g_hash_table_add(
            names, (char *)json_object_get_string_member(item, "name")));
    }
    for (gsize i = 0; i < G_N_ELEMENTS(required); i++) {
        if (!g_hash_table_contains(names, required[i])) {
            g_error("query-commands lacks %s", required[i]);
        }
    }
}

static JsonObject *schema_entry(GHashTable *entries, const char *name)
{
    JsonObject *entry = g_hash_table_lookup(entries, name);

    if (entry == NULL) {
        g_error("query-qmp-schema: no entry \"%s\"", name);
    }
    return entry;
}

static void test_query_qmp_schema(Fixture *f, gconstpointer data)
{
    const ServerOptions opts = { 0 };
    g_autoptr(QmpTestClient) client = NULL;
    g_autofree char *reply = NULL;
    g_autoptr(JsonNode) node = NULL;
    g_autoptr(GHashTable) entries = g_hash_table_new(g_str_hash, g_str_equal);
    g_autoptr(GRegex) masked = g_regex_new("^(\\d+|\\[\\d+\\])$", 0, 0, NULL);
    g_autoptr(GRegex) command =
        g_regex_new("\\{\"name\": \"query-status\", \"ret-type\": \"\\d+\", "
                    "\"meta-type\": \"command\", \"arg-type\": \"\\d+\"\\}",
                    0, 0, NULL);
    g_autoptr(GError) error = NULL;
    JsonArray *list;
    JsonObject *caps, *args, *member, *array;
    const char *types[] = { "str", "int", "bool" };

    if (!server_start(f, &opts)) {
        return;
    }
    client = connect_ready(f, 0, false);
    reply = qmp_test_client_command(
        client, "{\"execute\": \"query-qmp-schema\"}", &error);
    g_assert_no_error(error);
    g_assert_true(g_str_has_prefix(reply, "{\"return\": [{\"name\": \""));
    /* A command entry, byte for byte, with its type names masked. */
    g_assert_true(g_regex_match(command, reply, 0, NULL));

    list = json_object_get_array_member(parse_object(reply, &node), "return");
    for (guint i = 0; i < json_array_get_length(list); i++) {
        JsonObject *entry = json_array_get_object_element(list, i);
        const char *name = json_object_get_string_member(entry, "name");
        const char *meta = json_object_get_string_member(entry, "meta-type");

        g_assert_nonnull(name);
        g_assert_nonnull(meta);
        g_assert_true(g_hash_table_insert(entries, (char *)name, entry));
        /* Only commands, events and builtins keep their names. */
        if (g_str_equal(meta, "object") || g_str_equal(meta, "enum") ||
            g_str_equal(meta, "array") || g_str_equal(meta, "alternate")) {
            if (!g_regex_match(masked, name, 0, NULL) &&
                !(g_str_equal(meta, "array") && name[0] == '[')) {
                g_error("type name not masked: %s", name);
            }
        }
    }
    for (gsize i = 0; i < G_N_ELEMENTS(types); i++) {
        g_assert_cmpstr(json_object_get_string_member(
                            schema_entry(entries, types[i]), "meta-type"),
                        ==, "builtin");
    }
    g_assert_cmpstr(json_object_get_string_member(schema_entry(entries, "STOP"),
                                                  "meta-type"),
                    ==, "event");
    /* qmp_capabilities takes {"enable": [QMPCapability]} with "oob". */
    caps = schema_entry(entries, "qmp_capabilities");
    args =
        schema_entry(entries, json_object_get_string_member(caps, "arg-type"));
    member = json_array_get_object_element(
        json_object_get_array_member(args, "members"), 0);
    g_assert_cmpstr(json_object_get_string_member(member, "name"), ==,
                    "enable");
    g_assert_true(json_object_has_member(member, "default"));
    array =
        schema_entry(entries, json_object_get_string_member(member, "type"));
    g_assert_cmpstr(json_object_get_string_member(array, "meta-type"), ==,
                    "array");
    g_assert_cmpstr(json_array_get_string_element(
                        json_object_get_array_member(
                            schema_entry(entries, json_object_get_string_member(
                                                      array, "element-type")),
                            "values"),
                        0),
                    ==, "oob");
    /* A command without arguments refers to the empty object. */
    args = schema_entry(entries,
                        json_object_get_string_member(
                            schema_entry(entries, "query-status"), "arg-type"));
    g_assert_cmpuint(
        json_array_get_length(json_object_get_array_member(args, "members")),
        ==, 0);
}

/* ---- ordering, back-pressure, concurrency ---- */

static void test_async_reply_order(Fixture *f, gconstpointer data)
{
    const ServerOptions opts = { .test_commands = true };
    g_autoptr(QmpTestClient) client = NULL;

    if (!server_start(f, &opts)) {
        return;
    }
    client = connect_ready(f, 0, false);
    /* The second finishes first; its reply still waits for the first. */
    send_str(client,
             "{\"execute\": \"test-async-delay\", \"arguments\": {\"ms\": 200, "
             "\"value\": 1}, \"id\": 1}\n"
             "{\"execute\": \"test-async-delay\", \"arguments\": {\"ms\": 10, "
             "\"value\": 2}, \"id\": 2}\n"
             "{\"execute\": \"query-name\", \"id\": 3}\n");
    check_line(client, RET_ID("{\"value\": 1}", "1"));
    check_line(client, RET_ID("{\"value\": 2}", "2"));
    check_line(client, RET_ID("{}", "3"));
}

static void test_oob_overtakes(Fixture *f, gconstpointer data)
{
    const ServerOptions opts = { .test_commands = true };
    g_autoptr(QmpTestClient) client = NULL;
    g_autofree char *first = NULL;
    g_autoptr(JsonNode) node = NULL;
    JsonObject *reply;
    gint64 start;

    if (!server_start(f, &opts)) {
        return;
    }
    client = connect_ready(f, 0, true);
    start = g_get_monotonic_time();
    send_str(client,
             "{\"execute\": \"test-async-delay\", \"arguments\": {\"ms\": 500, "
             "\"value\": 7}, \"id\": \"slow\"}\n"
             "{\"exec-oob\": \"test-oob-ping\", \"id\": \"ping\"}\n");
    first = read_line(client);
    reply = parse_object(first, &node);
    g_assert_cmpstr(json_object_get_string_member(reply, "id"), ==, "ping");
    g_assert_true(json_object_has_member(reply, "return"));
    g_test_message("OOB reply after %" G_GINT64_FORMAT " ms",
                   (g_get_monotonic_time() - start) / 1000);
    check_line(client, RET_ID("{\"value\": 7}", "\"slow\""));
}

static void test_coroutine_commands(Fixture *f, gconstpointer data)
{
    const ServerOptions opts = { .test_commands = true };
    g_autoptr(QmpTestClient) client = NULL;

    if (!server_start(f, &opts)) {
        return;
    }
    client = connect_ready(f, 0, false);
    /* "yields" hashes before "in-coroutine": QEMU's member order. */
    check_reply(
        client,
        "{\"execute\": \"test-yield\", \"arguments\": {\"count\": 3}}\n",
        RET("{\"yields\": 3, \"in-coroutine\": true}"));
    check_reply(client, "{\"execute\": \"test-context\"}\n",
                RET("{\"yields\": 0, \"in-coroutine\": false}"));
}

typedef struct {
    int fd;
    const char *data;
    gsize len;
    int error; /* errno of a failed send, 0 if all went out */
} Writer;

/* Writes without reading: the other side of the socket is the reader. */
static gpointer writer_thread(gpointer opaque)
{
    Writer *w = opaque;
    gsize done = 0;

    while (done < w->len) {
        ssize_t n = send(w->fd, w->data + done, w->len - done, MSG_NOSIGNAL);

        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            w->error = errno;
            break;
        }
        done += n;
    }
    return NULL;
}

static char *pipelined_commands(int count)
{
    GString *s = g_string_new(NULL);

    for (int i = 0; i < count; i++) {
        g_string_append_printf(s, "{\"execute\": \"query-name\", \"id\": %d}\n",
                               i);
    }
    return g_string_free(s, FALSE);
}

static void check_pipelined_replies(QmpTestClient *client, int count)
{
    for (int i = 0; i < count; i++) {
        g_autofree char *line = read_line(client);
        g_autofree char *expected =
            g_strdup_printf("{\"return\": {}, \"id\": %d}\r\n", i);

        qmp_test_assert_line(line, expected);
    }
}

/* 1,000 commands in one write: all answered, in order. */
static void test_pipeline(Fixture *f, gconstpointer data)
{
    const ServerOptions opts = { 0 };
    g_autoptr(QmpTestClient) client = NULL;
    g_autofree char *input = pipelined_commands(1000);

    if (!server_start(f, &opts)) {
        return;
    }
    client = connect_ready(f, 0, false);
    send_str(client, input);
    check_pipelined_replies(client, 1000);
    check_alive(client);
}

/* The client writes 1,000 commands and reads nothing for a while: the
 * server may stop reading, but it loses nothing and deadlocks nothing. */
static void test_pipeline_unread(Fixture *f, gconstpointer data)
{
    const ServerOptions opts = { 0 };
    g_autoptr(QmpTestClient) client = NULL;
    g_autofree char *input = pipelined_commands(1000);
    Writer writer;
    GThread *thread;

    if (!server_start(f, &opts)) {
        return;
    }
    client = connect_ready(f, 0, false);
    writer = (Writer){ qmp_test_client_fd(client), input, strlen(input), 0 };
    thread = g_thread_new("writer", writer_thread, &writer);
    g_usleep(500 * 1000);
    check_pipelined_replies(client, 1000);
    g_thread_join(thread);
    g_assert_cmpint(writer.error, ==, 0);
    check_alive(client);
}

#define CONCURRENT_CLIENTS  32
#define COMMANDS_PER_CLIENT 50

typedef struct {
    Fixture *f;
    int index;
} ClientJob;

/* One client's whole life, on its own thread; returns an error or NULL. */
static gpointer concurrent_client(gpointer opaque)
{
    ClientJob *job = opaque;
    g_autoptr(QmpTestClient) client = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(GString) input = g_string_new(NULL);

    client =
        qmp_test_client_connect(job->f->socket[job->index % job->f->nsockets],
                                QMP_TEST_TIMEOUT_MS, &error);
    if (client == NULL ||
        !qmp_test_client_handshake(client, false, NULL, &error)) {
        return g_strdup_printf("client %d: %s", job->index, error->message);
    }
    /* Ids that name the client: a reply to the wrong client shows. */
    for (int i = 0; i < COMMANDS_PER_CLIENT; i++) {
        g_string_append_printf(
            input, "{\"execute\": \"%s\", \"id\": [%d, %d]}\n",
            i % 2 ? "query-name" : "query-status", job->index, i);
    }
    if (!qmp_test_client_send(client, input->str, input->len,
                              QMP_TEST_TIMEOUT_MS, &error)) {
        return g_strdup_printf("client %d: %s", job->index, error->message);
    }
    for (int i = 0; i < COMMANDS_PER_CLIENT; i++) {
        g_autofree char *line =
            qmp_test_client_read_line(client, QMP_TEST_TIMEOUT_MS, &error);
        g_autofree char *expected = g_strdup_printf(
            "{\"return\": %s, \"id\": [%d, %d]}\r\n",
            i % 2 ? "{}" : STATUS("prelaunch", "false"), job->index, i);

        if (line == NULL) {
            return g_strdup_printf("client %d, reply %d: %s", job->index, i,
                                   error->message);
        }
        if (!g_str_equal(line, expected)) {
            g_autofree char *escaped = qmp_test_escape(line);

            return g_strdup_printf("client %d, reply %d: \"%s\"", job->index, i,
                                   escaped);
        }
    }
    return NULL;
}

static void test_concurrent_clients(Fixture *f, gconstpointer data)
{
    const ServerOptions opts = { .qemu_sockets = CONCURRENT_CLIENTS };
    ClientJob jobs[CONCURRENT_CLIENTS];
    GThread *threads[CONCURRENT_CLIENTS];
    g_autoptr(QmpTestClient) client = NULL;
    int failures = 0;

    if (!server_start(f, &opts)) {
        return;
    }
    for (int i = 0; i < CONCURRENT_CLIENTS; i++) {
        jobs[i] = (ClientJob){ f, i };
        threads[i] = g_thread_new("client", concurrent_client, &jobs[i]);
    }
    for (int i = 0; i < CONCURRENT_CLIENTS; i++) {
        g_autofree char *failure = g_thread_join(threads[i]);

        if (failure) {
            g_test_message("%s", failure);
            failures++;
        }
    }
    g_assert_cmpint(failures, ==, 0);
    client = connect_ready(f, 0, false);
    check_alive(client);
}

/* A client that goes away with 1,000 commands unanswered. */
static void test_disconnect_pipelined(Fixture *f, gconstpointer data)
{
    const ServerOptions opts = { 0 };
    g_autofree char *input = pipelined_commands(1000);
    g_autoptr(QmpTestClient) next = NULL;

    if (!server_start(f, &opts)) {
        return;
    }
    for (int round = 0; round < 3; round++) {
        g_autoptr(QmpTestClient) client = connect_ready(f, 0, false);

        send_str(client, input);
    }
    next = connect_ready(f, 0, false);
    check_alive(next);
}

/* A client that goes away with async commands pending: the server
 * survives their completion and serves the others meanwhile. */
static void test_disconnect_async(Fixture *f, gconstpointer data)
{
    const ServerOptions opts = { .test_commands = true };
    g_autoptr(QmpTestClient) other = NULL;

    if (!server_start(f, &opts)) {
        return;
    }
    other = connect_ready(f, 0, false);
    for (int round = 0; round < 3; round++) {
        g_autoptr(QmpTestClient) client = connect_ready(f, 0, false);

        send_str(client, "{\"execute\": \"test-async-delay\", \"arguments\": "
                         "{\"ms\": 300}, \"id\": 1}\n"
                         "{\"execute\": \"test-async-delay\", \"arguments\": "
                         "{\"ms\": 1}, \"id\": 2}\n"
                         "{\"execute\": \"query-status\", \"id\": 3}\n");
    }
    check_alive(other);
    /* The abandoned commands complete now, into closed sessions. */
    g_usleep(500 * 1000);
    check_reply(other,
                "{\"execute\": \"test-async-delay\", \"arguments\": {\"ms\": "
                "10, \"value\": 5}, \"id\": 4}\n",
                RET_ID("{\"value\": 5}", "4"));
    check_alive(other);
}

/* ---- sockets ---- */

static void test_qemu_spelling(Fixture *f, gconstpointer data)
{
    const ServerOptions opts = { .qemu_spelling = true };
    g_autoptr(QmpTestClient) client = NULL;

    if (!server_start(f, &opts)) {
        return;
    }
    client = connect_ready(f, 0, false);
    check_alive(client);
}

/* Without --qmp: $XDG_RUNTIME_DIR/porthole/<pid>.qmp, mode 0600, and the
 * address on stdout. */
static void test_default_socket(Fixture *f, gconstpointer data)
{
    const ServerOptions opts = { .default_socket = true };
    g_autoptr(QmpTestClient) client = NULL;
    g_autoptr(GDataInputStream) out = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *line = NULL;
    g_autofree char *wanted = NULL;
    struct stat st;

    if (!server_start(f, &opts)) {
        return;
    }
    g_assert_cmpint(lstat(f->socket[0], &st), ==, 0);
    g_assert_true(S_ISSOCK(st.st_mode));
    g_assert_cmpint(st.st_mode & 07777, ==, 0600);

    /* The socket exists, so the line that names it has been written. */
    out = g_data_input_stream_new(f->stdout_pipe);
    wanted = g_strdup_printf("unix:%s", f->socket[0]);
    for (;;) {
        g_free(line);
        line = g_data_input_stream_read_line_utf8(out, NULL, NULL, &error);
        g_assert_no_error(error);
        if (line == NULL) {
            g_error("porthole did not print %s", wanted);
        }
        if (strstr(line, wanted)) {
            break;
        }
    }
    client = connect_ready(f, 0, false);
    check_alive(client);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

#define ADD(path, fn)                                                          \
    g_test_add(path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
    ADD("/qmp/greeting", test_greeting);
    ADD("/qmp/negotiation/commands", test_negotiation);
    ADD("/qmp/negotiation/arguments", test_negotiation_arguments);
    ADD("/qmp/reply/shape", test_reply_shape);
    ADD("/qmp/id/values", test_id_values);
    ADD("/qmp/id/member-order", test_id_member_order);
    ADD("/qmp/id/numbers", test_id_numbers);
    ADD("/qmp/id/strings", test_id_strings);
    ADD("/qmp/errors/envelope", test_errors_envelope);
    ADD("/qmp/errors/oob", test_errors_oob);
    ADD("/qmp/errors/arguments", test_errors_arguments);
    ADD("/qmp/errors/screendump", test_errors_screendump);
    ADD("/qmp/json/errors", test_json_errors);
    ADD("/qmp/json/partial", test_json_partial);
    ADD("/qmp/json/depth", test_json_depth);
    ADD("/qmp/json/big-string", test_json_big_string);
    ADD("/qmp/json/huge-string", test_json_huge_string);
    ADD("/qmp/commands/query-version", test_query_version);
    ADD("/qmp/commands/query-name", test_query_name);
    ADD("/qmp/commands/query-name-set", test_query_name_set);
    ADD("/qmp/commands/query-commands", test_query_commands);
    ADD("/qmp/commands/query-qmp-schema", test_query_qmp_schema);
    ADD("/qmp/events/runstate", test_runstate_events);
    ADD("/qmp/events/negotiated-only", test_events_negotiated_only);
    ADD("/qmp/events/quit", test_quit);
    ADD("/qmp/async/reply-order", test_async_reply_order);
    ADD("/qmp/async/oob-overtakes", test_oob_overtakes);
    ADD("/qmp/async/coroutine-commands", test_coroutine_commands);
    ADD("/qmp/pipeline/1000", test_pipeline);
    ADD("/qmp/pipeline/unread", test_pipeline_unread);
    ADD("/qmp/clients/concurrent", test_concurrent_clients);
    ADD("/qmp/clients/disconnect-pipelined", test_disconnect_pipelined);
    ADD("/qmp/clients/disconnect-async", test_disconnect_async);
    ADD("/qmp/socket/qemu-spelling", test_qemu_spelling);
    ADD("/qmp/socket/default-path", test_default_socket);
#undef ADD

    return g_test_run();
}
