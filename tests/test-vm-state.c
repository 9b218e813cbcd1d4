/* The machine-state object: transitions, event order, queued operations, backend. */
#include "config.h"

#include "aio-test-util.h"
#include "vm-state.h"

typedef struct {
    GString *log;
    int done;
} Recorder;

static void listener(void *opaque, const PhVmEvent *ev)
{
    Recorder *r = opaque;
    static const char *const names[] = { "STOP", "RESUME", "RESET", "POWERDOWN", "SHUTDOWN" };

    g_string_append_printf(r->log, "%s", names[ev->kind]);
    if (ev->kind == PH_VM_EVENT_RESET || ev->kind == PH_VM_EVENT_SHUTDOWN) {
        g_string_append_printf(r->log, "(%s)", ph_shutdown_cause_name(ev->cause));
    }
    g_string_append_c(r->log, ' ');
}

static void done_cb(void *opaque, const GError *error)
{
    Recorder *r = opaque;

    if (error) {
        g_string_append_printf(r->log, "error:%s ", error->message);
    } else {
        g_string_append(r->log, "done ");
    }
    r->done++;
}

static void wait_done(Recorder *r, int n)
{
    while (r->done < n) {
        aio_poll(ph_main_aio_context(), true);
    }
}

static void setup(Recorder *r, bool paused)
{
    r->log = g_string_new("");
    r->done = 0;
    ph_vm_state_init(paused);
    ph_vm_add_listener(listener, r);
}

static void teardown(Recorder *r)
{
    ph_vm_state_cleanup();
    g_string_free(r->log, TRUE);
}

static void test_stop_cont(void)
{
    Recorder r;

    setup(&r, false);
    g_assert_cmpint(ph_vm_get_runstate(), ==, PH_RUN_STATE_RUNNING);
    ph_vm_stop(done_cb, &r);
    /* Asynchronous: nothing has happened when the call returns. */
    g_assert_cmpstr(r.log->str, ==, "");
    wait_done(&r, 1);
    g_assert_cmpstr(r.log->str, ==, "STOP done ");
    g_assert_cmpint(ph_vm_get_runstate(), ==, PH_RUN_STATE_PAUSED);

    /* Stopping a stopped machine: no event. */
    ph_vm_stop(done_cb, &r);
    wait_done(&r, 2);
    g_assert_cmpstr(r.log->str, ==, "STOP done done ");

    ph_vm_cont(done_cb, &r);
    ph_vm_cont(done_cb, &r);
    wait_done(&r, 4);
    g_assert_cmpstr(r.log->str, ==, "STOP done done RESUME done done ");
    g_assert_cmpint(ph_vm_get_runstate(), ==, PH_RUN_STATE_RUNNING);
    teardown(&r);
}

static void test_reset(void)
{
    Recorder r;

    setup(&r, true);
    g_assert_cmpint(ph_vm_get_runstate(), ==, PH_RUN_STATE_PRELAUNCH);
    ph_vm_cont(done_cb, &r);
    ph_vm_reset(PH_SHUTDOWN_CAUSE_HOST_QMP_SYSTEM_RESET, done_cb, &r);
    wait_done(&r, 2);
    /* RESET comes before the reply, as with QEMU's system_reset. */
    g_assert_cmpstr(r.log->str, ==, "RESUME done RESET(host-qmp-system-reset) done ");
    g_assert_cmpint(ph_vm_get_runstate(), ==, PH_RUN_STATE_RUNNING);

    /* A paused machine comes out of reset in prelaunch. */
    g_string_truncate(r.log, 0);
    ph_vm_stop(done_cb, &r);
    ph_vm_reset(PH_SHUTDOWN_CAUSE_GUEST_RESET, done_cb, &r);
    wait_done(&r, 4);
    g_assert_cmpstr(r.log->str, ==, "STOP done RESET(guest-reset) done ");
    g_assert_cmpint(ph_vm_get_runstate(), ==, PH_RUN_STATE_PRELAUNCH);
    teardown(&r);
}

static void on_shutdown(void *opaque, PhShutdownCause cause)
{
    Recorder *r = opaque;

    g_string_append(r->log, "quit ");
    r->done++;
}

static void test_shutdown_then_cont(void)
{
    Recorder r;

    setup(&r, false);
    ph_vm_set_shutdown_handler(on_shutdown, &r);
    ph_vm_powerdown();
    ph_vm_shutdown_request(PH_SHUTDOWN_CAUSE_HOST_QMP_QUIT);
    g_assert_cmpstr(r.log->str, ==, "POWERDOWN SHUTDOWN(host-qmp-quit) ");
    wait_done(&r, 1);
    g_assert_cmpstr(r.log->str, ==, "POWERDOWN SHUTDOWN(host-qmp-quit) quit ");
    g_assert_cmpint(ph_vm_get_runstate(), ==, PH_RUN_STATE_SHUTDOWN);

    ph_vm_cont(done_cb, &r);
    wait_done(&r, 2);
    g_assert_true(g_str_has_suffix(r.log->str, "error:Resetting the Virtual Machine is required "));
    g_assert_cmpint(ph_vm_get_runstate(), ==, PH_RUN_STATE_SHUTDOWN);
    teardown(&r);
}

/* With a backend, an operation completes only when the backend says the
 * vCPUs really changed. */
typedef struct {
    void (*pending)(void *);
    void *pending_opaque;
    int pauses;
} FakeCpu;

static void fake_pause(void *opaque, void (*done)(void *), void *done_opaque)
{
    FakeCpu *cpu = opaque;

    cpu->pauses++;
    cpu->pending = done;
    cpu->pending_opaque = done_opaque;
}

static void test_backend(void)
{
    static const PhVmBackend backend = { .pause = fake_pause };
    FakeCpu cpu = { 0 };
    Recorder r;
    int i;

    setup(&r, false);
    ph_vm_set_backend(&backend, &cpu);
    ph_vm_stop(done_cb, &r);
    ph_vm_stop(done_cb, &r); /* queued behind the first */
    for (i = 0; i < 5; i++) {
        aio_poll(ph_main_aio_context(), false);
    }
    g_assert_cmpint(cpu.pauses, ==, 1);
    g_assert_cmpstr(r.log->str, ==, "");
    g_assert_cmpint(ph_vm_get_runstate(), ==, PH_RUN_STATE_RUNNING);

    cpu.pending(cpu.pending_opaque);
    wait_done(&r, 2);
    g_assert_cmpstr(r.log->str, ==, "STOP done done ");
    g_assert_cmpint(cpu.pauses, ==, 1);
    teardown(&r);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    ph_aio_init();
    g_test_add_func("/vm-state/stop-cont", test_stop_cont);
    g_test_add_func("/vm-state/reset", test_reset);
    g_test_add_func("/vm-state/shutdown-then-cont", test_shutdown_then_cont);
    g_test_add_func("/vm-state/backend", test_backend);
    return g_test_run();
}
