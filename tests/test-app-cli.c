/*
 * Tests for porthole's command line, run on the real binary with no display:
 * --version, --help, --headless until SIGTERM/SIGINT, unknown options.
 */
#include "config.h"

#include <gio/gio.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

/* How long any one child may take before the test gives up on it. */
#define CHILD_TIMEOUT_S 20

typedef struct {
    int status; /* wait status, as from waitpid() */
    char *out;
    char *err;
} ChildResult;

static void child_result_clear(ChildResult *result)
{
    g_clear_pointer(&result->out, g_free);
    g_clear_pointer(&result->err, g_free);
}

static GSubprocess *spawn_porthole(const char *first_arg, ...)
{
    const char *bin = g_getenv("PORTHOLE_BIN");
    g_autoptr(GSubprocessLauncher) launcher = NULL;
    g_autoptr(GPtrArray) argv = g_ptr_array_new();
    g_autoptr(GError) error = NULL;
    GSubprocess *proc;
    va_list ap;

    g_assert_nonnull(bin);
    g_ptr_array_add(argv, (char *)bin);
    va_start(ap, first_arg);
    for (const char *arg = first_arg; arg; arg = va_arg(ap, const char *)) {
        g_ptr_array_add(argv, (char *)arg);
    }
    va_end(ap);
    g_ptr_array_add(argv, NULL);

    launcher = g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                         G_SUBPROCESS_FLAGS_STDERR_PIPE);
    /* None of this may need a display: make sure there is none. */
    g_subprocess_launcher_unsetenv(launcher, "DISPLAY");
    g_subprocess_launcher_unsetenv(launcher, "WAYLAND_DISPLAY");
    /* Untranslated messages, whatever the developer's locale. */
    g_subprocess_launcher_setenv(launcher, "LC_ALL", "C", TRUE);
    g_subprocess_launcher_unsetenv(launcher, "LANGUAGE");

    proc = g_subprocess_launcher_spawnv(
        launcher, (const char *const *)argv->pdata, &error);
    g_assert_no_error(error);
    return proc;
}

typedef struct {
    ChildResult *result;
    GError *error;
    bool done;
} CommunicateData;

static void on_communicated(GObject *source, GAsyncResult *res,
                            gpointer user_data)
{
    CommunicateData *data = user_data;

    g_subprocess_communicate_utf8_finish(G_SUBPROCESS(source), res,
                                         &data->result->out, &data->result->err,
                                         &data->error);
    data->done = true;
}

/* Reads the child's output until it exits; kills it and fails on timeout. */
static void wait_child(GSubprocess *proc, ChildResult *result)
{
    CommunicateData data = { .result = result };
    gint64 deadline =
        g_get_monotonic_time() + CHILD_TIMEOUT_S * G_TIME_SPAN_SECOND;

    g_subprocess_communicate_utf8_async(proc, NULL, NULL, on_communicated,
                                        &data);
    while (!data.done) {
        if (g_get_monotonic_time() > deadline) {
            g_subprocess_force_exit(proc);
            g_error("porthole did not exit within %d s", CHILD_TIMEOUT_S);
        }
        g_main_context_iteration(NULL, FALSE);
        g_usleep(1000);
    }
    g_assert_no_error(data.error);
    /* communicate returns at EOF; the child may not be reaped yet. */
    g_assert_true(g_subprocess_wait(proc, NULL, NULL));
    result->status = g_subprocess_get_status(proc);
}

static void run_porthole(ChildResult *result, const char *arg)
{
    g_autoptr(GSubprocess) proc = spawn_porthole(arg, NULL);

    wait_child(proc, result);
}

static void assert_exited_with(const ChildResult *result, int code)
{
    if (!WIFEXITED(result->status)) {
        g_test_message("stderr: %s", result->err);
        g_error("porthole did not exit normally (wait status %#x)",
                result->status);
    }
    if (WEXITSTATUS(result->status) != code) {
        g_test_message("stderr: %s", result->err);
    }
    g_assert_cmpint(WEXITSTATUS(result->status), ==, code);
}

/*
 * True once the child has installed a handler for @signum, read from
 * /proc/PID/status.  Sending the signal before that would kill it with
 * the default action, a failure of the test's timing rather than of the
 * program.
 */
static bool child_catches(GSubprocess *proc, int signum)
{
    g_autofree char *path =
        g_strdup_printf("/proc/%s/status", g_subprocess_get_identifier(proc));
    g_autofree char *status = NULL;
    const char *line;
    guint64 caught;

    if (!g_file_get_contents(path, &status, NULL, NULL)) {
        return false;
    }
    line = strstr(status, "\nSigCgt:");
    if (!line) {
        return false;
    }
    caught = g_ascii_strtoull(line + strlen("\nSigCgt:"), NULL, 16);
    return caught & (G_GUINT64_CONSTANT(1) << (signum - 1));
}

static void test_version(void)
{
    ChildResult result = { 0 };

    run_porthole(&result, "--version");
    assert_exited_with(&result, 0);
    g_assert_cmpstr(result.out, ==, "porthole " PORTHOLE_VERSION "\n");
    g_assert_cmpstr(result.err, ==, "");
    child_result_clear(&result);
}

static void test_help(void)
{
    ChildResult result = { 0 };

    run_porthole(&result, "--help");
    assert_exited_with(&result, 0);
    g_assert_nonnull(strstr(result.out, "--headless"));
    g_assert_nonnull(strstr(result.out, "--version"));
    g_assert_cmpstr(result.err, ==, "");
    child_result_clear(&result);
}

static void test_unknown_option(void)
{
    ChildResult result = { 0 };

    run_porthole(&result, "--no-such-option");
    g_assert_true(WIFEXITED(result.status));
    g_assert_cmpint(WEXITSTATUS(result.status), !=, 0);
    /* The message names the option it did not understand. */
    g_assert_nonnull(strstr(result.err, "--no-such-option"));
    child_result_clear(&result);
}

static void test_headless_until_signal(gconstpointer data)
{
    int signum = GPOINTER_TO_INT(data);
    g_autoptr(GSubprocess) proc = spawn_porthole("--headless", NULL);
    gint64 deadline;
    ChildResult result = { 0 };

    /* Give it time to reach its main loop, as a user at a shell would. */
    g_usleep(G_USEC_PER_SEC / 2);
    deadline = g_get_monotonic_time() + CHILD_TIMEOUT_S * G_TIME_SPAN_SECOND;
    while (!child_catches(proc, signum)) {
        if (g_get_monotonic_time() > deadline) {
            g_subprocess_force_exit(proc);
            g_error("porthole --headless never handled signal %d", signum);
        }
        g_usleep(10 * 1000);
    }
    g_subprocess_send_signal(proc, signum);
    wait_child(proc, &result);
    assert_exited_with(&result, 0);
    g_assert_cmpstr(result.err, ==, "");
    child_result_clear(&result);
}

int main(int argc, char *argv[])
{
    g_test_init(&argc, &argv, NULL);

    g_test_add_func("/app/cli/version", test_version);
    g_test_add_func("/app/cli/help", test_help);
    g_test_add_func("/app/cli/unknown-option", test_unknown_option);
    g_test_add_data_func("/app/cli/headless-sigterm", GINT_TO_POINTER(SIGTERM),
                         test_headless_until_signal);
    g_test_add_data_func("/app/cli/headless-sigint", GINT_TO_POINTER(SIGINT),
                         test_headless_until_signal);

    return g_test_run();
}
