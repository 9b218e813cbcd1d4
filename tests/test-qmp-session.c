/* In-process QMP sessions: replies, order, handler contexts, events, cancellation. */
#include "config.h"

#include <glib/gstdio.h>

#include "aio-test-util.h"
#include "json-writer.h"
#include "monitor.h"
#include "qmp-session-int.h"
#include "test_qapi-commands.h"
#include "vm-state.h"

typedef struct {
    GPtrArray *messages;    /* char *, as QEMU would print them */
} Inbox;

static void on_message(void *opaque, JsonNode *msg)
{
    Inbox *in = opaque;
    g_autoptr(GString) text = g_string_new(NULL);
    JsonObject *obj = json_node_get_object(msg);

    if (json_object_has_member(obj, "timestamp")) {
        /* Events: keep the name and data only, the time varies. */
        json_object_remove_member(obj, "timestamp");
    }
    ph_json_write(text, msg);
    g_ptr_array_add(in->messages, g_string_free(g_steal_pointer(&text), FALSE));
}

static void execute(QmpSession *s, const char *json)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonNode) node = json_from_string(json, &error);

    g_assert_no_error(error);
    ph_qmp_session_execute(s, node);
}

static void wait_messages(Inbox *in, guint n)
{
    int64_t deadline = ph_clock_ns() + 10 * G_GINT64_CONSTANT(1000000000);

    while (in->messages->len < n) {
        g_assert_cmpint(ph_clock_ns(), <, deadline);
        g_main_context_iteration(NULL, TRUE);
    }
}

static const char *msg(Inbox *in, guint i)
{
    g_assert_cmpuint(i, <, in->messages->len);
    return in->messages->pdata[i];
}

typedef struct {
    Inbox in;
    QmpSession *s;
} Fixture;

static void fixture_setup(Fixture *f, gconstpointer data)
{
    f->in.messages = g_ptr_array_new_with_free_func(g_free);
    f->s = ph_qmp_session_new_local(on_message, &f->in);
}

static void fixture_teardown(Fixture *f, gconstpointer data)
{
    ph_qmp_session_close(f->s);
    g_ptr_array_unref(f->in.messages);
}

static void test_query(Fixture *f, gconstpointer data)
{
    execute(f->s, "{\"execute\": \"query-status\", \"id\": \"a\"}");
    execute(f->s, "{\"execute\": \"query-name\"}");
    execute(f->s, "{\"execute\": \"nosuch\", \"id\": [1, {}]}");
    wait_messages(&f->in, 3);
    g_assert_cmpstr(msg(&f->in, 0), ==,
                    "{\"return\": {\"status\": \"running\", \"singlestep\": false, \"running\": true}, \"id\": \"a\"}");
    g_assert_cmpstr(msg(&f->in, 1), ==, "{\"return\": {\"name\": \"test-vm\"}}");
    g_assert_cmpstr(msg(&f->in, 2), ==,
                    "{\"id\": [1, {}], \"error\": {\"class\": \"CommandNotFound\", \"desc\": \"The command nosuch has not been found\"}}");
}

/* A plain handler runs outside coroutine context (from a bottom half); a
 * coroutine handler runs in the dispatcher coroutine and may yield. */
static void test_handler_context(Fixture *f, gconstpointer data)
{
    execute(f->s, "{\"execute\": \"test-context\"}");
    execute(f->s, "{\"execute\": \"test-yield\", \"arguments\": {\"count\": 3}}");
    wait_messages(&f->in, 2);
    g_assert_cmpstr(msg(&f->in, 0), ==, "{\"return\": {\"yields\": 0, \"in-coroutine\": false}}");
    g_assert_cmpstr(msg(&f->in, 1), ==, "{\"return\": {\"yields\": 3, \"in-coroutine\": true}}");
}

/* Async completions finish out of order; replies still come in order, and
 * a later plain command is not held up by running async ones. */
static void test_async_order(Fixture *f, gconstpointer data)
{
    execute(f->s, "{\"execute\": \"test-async-delay\", \"arguments\": {\"ms\": 150}, \"id\": 1}");
    execute(f->s, "{\"execute\": \"test-async-delay\", \"arguments\": {\"ms\": 10}, \"id\": 2}");
    execute(f->s, "{\"execute\": \"query-name\", \"id\": 3}");
    wait_messages(&f->in, 3);
    g_assert_cmpstr(msg(&f->in, 0), ==, "{\"return\": {\"value\": 150}, \"id\": 1}");
    g_assert_cmpstr(msg(&f->in, 1), ==, "{\"return\": {\"value\": 10}, \"id\": 2}");
    g_assert_cmpstr(msg(&f->in, 2), ==, "{\"return\": {\"name\": \"test-vm\"}, \"id\": 3}");
}

/*
 * stop and cont complete when the machine changed, after their events, as
 * in QEMU.  (Being asynchronous, they do not hold up the commands queued
 * behind them: a client that wants the new state waits for the reply.)
 */
static void test_stop_cont_events(Fixture *f, gconstpointer data)
{
    execute(f->s, "{\"execute\": \"stop\"}");
    wait_messages(&f->in, 2);
    execute(f->s, "{\"execute\": \"query-status\"}");
    execute(f->s, "{\"execute\": \"cont\"}");
    execute(f->s, "{\"execute\": \"system_reset\"}");
    wait_messages(&f->in, 7);
    g_assert_cmpstr(msg(&f->in, 0), ==, "{\"event\": \"STOP\"}");
    g_assert_cmpstr(msg(&f->in, 1), ==, "{\"return\": {}}");
    g_assert_cmpstr(msg(&f->in, 2), ==,
                    "{\"return\": {\"status\": \"paused\", \"singlestep\": false, \"running\": false}}");
    g_assert_cmpstr(msg(&f->in, 3), ==, "{\"event\": \"RESUME\"}");
    g_assert_cmpstr(msg(&f->in, 4), ==, "{\"return\": {}}");
    g_assert_cmpstr(msg(&f->in, 5), ==,
                    "{\"event\": \"RESET\", \"data\": {\"guest\": false, \"reason\": \"host-qmp-system-reset\"}}");
    g_assert_cmpstr(msg(&f->in, 6), ==, "{\"return\": {}}");
}

/* A client that goes away with async commands pending gets nothing more,
 * and everything is freed when they complete (ASan checks the leaks). */
static void test_cancel(Fixture *f, gconstpointer data)
{
    Inbox other = { g_ptr_array_new_with_free_func(g_free) };
    QmpSession *gone = ph_qmp_session_new_local(on_message, &other);
    int i;

    execute(gone, "{\"execute\": \"test-async-delay\", \"arguments\": {\"ms\": 30}}");
    execute(gone, "{\"execute\": \"test-yield\", \"arguments\": {\"count\": 2}}");
    execute(gone, "{\"execute\": \"query-status\"}");
    for (i = 0; i < 3; i++) {
        g_main_context_iteration(NULL, FALSE);
    }
    ph_qmp_session_close(gone);

    /* The survivor's command runs after them and is answered. */
    execute(f->s, "{\"execute\": \"test-async-delay\", \"arguments\": {\"ms\": 60}}");
    wait_messages(&f->in, 1);
    g_assert_cmpstr(msg(&f->in, 0), ==, "{\"return\": {\"value\": 60}}");
    g_assert_cmpuint(other.messages->len, ==, 0);
    g_ptr_array_unref(other.messages);
}

int main(int argc, char **argv)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *dir = NULL;
    g_autofree char *sock = NULL;
    const char *specs[2] = { NULL, NULL };
    PhMonitorOptions options = { .qmp_specs = specs, .vm_name = "test-vm" };
    int status;

    g_test_init(&argc, &argv, NULL);
    ph_aio_init();
    ph_vm_state_init(false);
    ph_qmp_register_commands(test_qmp_commands, test_qmp_commands_len);
    dir = g_dir_make_tmp("qmp-session-XXXXXX", &error);
    g_assert_no_error(error);
    sock = g_build_filename(dir, "qmp.sock", NULL);
    specs[0] = sock;
    g_assert_true(ph_monitor_start(&options, &error));

    g_test_add("/qmp-session/query", Fixture, NULL, fixture_setup, test_query, fixture_teardown);
    g_test_add("/qmp-session/handler-context", Fixture, NULL, fixture_setup,
               test_handler_context, fixture_teardown);
    g_test_add("/qmp-session/async-order", Fixture, NULL, fixture_setup, test_async_order,
               fixture_teardown);
    g_test_add("/qmp-session/stop-cont-events", Fixture, NULL, fixture_setup,
               test_stop_cont_events, fixture_teardown);
    g_test_add("/qmp-session/cancel", Fixture, NULL, fixture_setup, test_cancel, fixture_teardown);
    status = g_test_run();

    ph_monitor_stop();
    ph_vm_state_cleanup();
    ph_aio_shutdown();
    g_rmdir(dir);
    return status;
}
