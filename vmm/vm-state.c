/* The machine-state object: queued run-state operations and their events. */
#include "config.h"

#include <gio/gio.h>

#include "aio.h"
#include "vm-state.h"

static const char *const shutdown_cause_names[PH_SHUTDOWN_CAUSE__MAX] = {
    [PH_SHUTDOWN_CAUSE_NONE] = "none",
    [PH_SHUTDOWN_CAUSE_HOST_ERROR] = "host-error",
    [PH_SHUTDOWN_CAUSE_HOST_QMP_QUIT] = "host-qmp-quit",
    [PH_SHUTDOWN_CAUSE_HOST_QMP_SYSTEM_RESET] = "host-qmp-system-reset",
    [PH_SHUTDOWN_CAUSE_HOST_SIGNAL] = "host-signal",
    [PH_SHUTDOWN_CAUSE_HOST_UI] = "host-ui",
    [PH_SHUTDOWN_CAUSE_GUEST_SHUTDOWN] = "guest-shutdown",
    [PH_SHUTDOWN_CAUSE_GUEST_RESET] = "guest-reset",
    [PH_SHUTDOWN_CAUSE_GUEST_PANIC] = "guest-panic",
    [PH_SHUTDOWN_CAUSE_SUBSYSTEM_RESET] = "subsystem-reset",
    [PH_SHUTDOWN_CAUSE_SNAPSHOT_LOAD] = "snapshot-load",
};

const char *ph_shutdown_cause_name(PhShutdownCause cause)
{
    return (unsigned)cause < PH_SHUTDOWN_CAUSE__MAX ? shutdown_cause_names[cause] : NULL;
}

bool ph_shutdown_cause_is_guest(PhShutdownCause cause)
{
    return cause >= PH_SHUTDOWN_CAUSE_GUEST_SHUTDOWN &&
           cause <= PH_SHUTDOWN_CAUSE_GUEST_PANIC;
}

typedef enum { OP_STOP, OP_CONT, OP_RESET } OpKind;

typedef struct VmOp {
    OpKind kind;
    PhShutdownCause cause;
    PhVmDoneFn *done;
    void *opaque;
} VmOp;

typedef struct {
    PhVmListenerFn *fn;
    void *opaque;
} Listener;

/* Main thread only. */
static struct {
    bool initialized;
    PhRunState state;
    const PhVmBackend *backend;
    void *backend_opaque;
    GQueue ops;             /* VmOp *, the head is in progress */
    bool op_running;
    GArray *listeners;      /* Listener */
    void (*shutdown_fn)(void *opaque, PhShutdownCause cause);
    void *shutdown_opaque;
} vm;

void ph_vm_state_init(bool start_paused)
{
    g_assert(!vm.initialized);
    vm.initialized = true;
    vm.state = start_paused ? PH_RUN_STATE_PRELAUNCH : PH_RUN_STATE_RUNNING;
    g_queue_init(&vm.ops);
    vm.listeners = g_array_new(FALSE, FALSE, sizeof(Listener));
}

void ph_vm_state_cleanup(void)
{
    /* Operations still queued never complete: their owners are gone too. */
    g_queue_clear_full(&vm.ops, g_free);
    g_clear_pointer(&vm.listeners, g_array_unref);
    vm = (typeof(vm)){ 0 };
}

void ph_vm_set_backend(const PhVmBackend *backend, void *opaque)
{
    vm.backend = backend;
    vm.backend_opaque = opaque;
}

PhRunState ph_vm_get_runstate(void)
{
    return vm.state;
}

void ph_vm_add_listener(PhVmListenerFn *fn, void *opaque)
{
    Listener l = { fn, opaque };

    g_array_append_val(vm.listeners, l);
}

void ph_vm_remove_listener(PhVmListenerFn *fn, void *opaque)
{
    guint i;

    for (i = 0; vm.listeners && i < vm.listeners->len; i++) {
        Listener *l = &g_array_index(vm.listeners, Listener, i);

        if (l->fn == fn && l->opaque == opaque) {
            g_array_remove_index(vm.listeners, i);
            return;
        }
    }
}

static void notify(PhVmEventKind kind, PhShutdownCause cause)
{
    PhVmEvent ev = { kind, cause };
    guint i;

    for (i = 0; vm.listeners && i < vm.listeners->len; i++) {
        Listener *l = &g_array_index(vm.listeners, Listener, i);

        l->fn(l->opaque, &ev);
    }
}

static bool needs_reset(void)
{
    return vm.state == PH_RUN_STATE_INTERNAL_ERROR || vm.state == PH_RUN_STATE_SHUTDOWN;
}

static void run_next_op(void);

static void finish_op(VmOp *op, const GError *error)
{
    g_assert(g_queue_peek_head(&vm.ops) == op);
    g_queue_pop_head(&vm.ops);
    vm.op_running = false;
    if (op->done) {
        op->done(op->opaque, error);
    }
    g_free(op);
    run_next_op();
}

/* The backend says the operation at the head of the queue has happened. */
static void op_done_cb(void *opaque)
{
    VmOp *op = opaque;

    switch (op->kind) {
    case OP_STOP:
        vm.state = PH_RUN_STATE_PAUSED;
        notify(PH_VM_EVENT_STOP, PH_SHUTDOWN_CAUSE_NONE);
        finish_op(op, NULL);
        break;
    case OP_CONT:
        vm.state = PH_RUN_STATE_RUNNING;
        notify(PH_VM_EVENT_RESUME, PH_SHUTDOWN_CAUSE_NONE);
        finish_op(op, NULL);
        break;
    case OP_RESET:
        if (vm.state != PH_RUN_STATE_RUNNING) {
            vm.state = PH_RUN_STATE_PRELAUNCH;
        }
        notify(PH_VM_EVENT_RESET, op->cause);
        finish_op(op, NULL);
        break;
    }
}

static void complete_op_bh(void *opaque)
{
    op_done_cb(opaque);
}

static void start_backend_op(VmOp *op,
                             void (*fn)(void *, void (*)(void *), void *))
{
    if (fn) {
        fn(vm.backend_opaque, op_done_cb, op);
    } else {
        aio_bh_schedule_oneshot(ph_main_aio_context(), complete_op_bh, op);
    }
}

static void fail_op_bh(void *opaque)
{
    g_autoptr(GError) error = g_error_new_literal(G_IO_ERROR, G_IO_ERROR_FAILED,
                                                  "Resetting the Virtual Machine is required");

    finish_op(opaque, error);
}

static void noop_op_bh(void *opaque)
{
    finish_op(opaque, NULL);
}

static void run_next_op(void)
{
    VmOp *op = g_queue_peek_head(&vm.ops);
    const PhVmBackend *b = vm.backend;

    if (!op || vm.op_running) {
        return;
    }
    vm.op_running = true;
    switch (op->kind) {
    case OP_STOP:
        if (vm.state != PH_RUN_STATE_RUNNING) {
            aio_bh_schedule_oneshot(ph_main_aio_context(), noop_op_bh, op);
        } else {
            start_backend_op(op, b ? b->pause : NULL);
        }
        break;
    case OP_CONT:
        if (needs_reset()) {
            aio_bh_schedule_oneshot(ph_main_aio_context(), fail_op_bh, op);
        } else if (vm.state == PH_RUN_STATE_RUNNING) {
            aio_bh_schedule_oneshot(ph_main_aio_context(), noop_op_bh, op);
        } else {
            start_backend_op(op, b ? b->resume : NULL);
        }
        break;
    case OP_RESET:
        start_backend_op(op, b ? b->reset : NULL);
        break;
    }
}

static void queue_op(OpKind kind, PhShutdownCause cause, PhVmDoneFn *done, void *opaque)
{
    VmOp *op = g_new0(VmOp, 1);

    op->kind = kind;
    op->cause = cause;
    op->done = done;
    op->opaque = opaque;
    g_queue_push_tail(&vm.ops, op);
    run_next_op();
}

void ph_vm_stop(PhVmDoneFn *done, void *opaque)
{
    queue_op(OP_STOP, PH_SHUTDOWN_CAUSE_NONE, done, opaque);
}

void ph_vm_cont(PhVmDoneFn *done, void *opaque)
{
    queue_op(OP_CONT, PH_SHUTDOWN_CAUSE_NONE, done, opaque);
}

void ph_vm_reset(PhShutdownCause cause, PhVmDoneFn *done, void *opaque)
{
    queue_op(OP_RESET, cause, done, opaque);
}

void ph_vm_powerdown(void)
{
    notify(PH_VM_EVENT_POWERDOWN, PH_SHUTDOWN_CAUSE_NONE);
    if (vm.backend && vm.backend->powerdown) {
        vm.backend->powerdown(vm.backend_opaque);
    }
}

static void shutdown_bh(void *opaque)
{
    PhShutdownCause cause = GPOINTER_TO_INT(opaque);

    if (vm.shutdown_fn) {
        vm.shutdown_fn(vm.shutdown_opaque, cause);
    }
}

void ph_vm_shutdown_request(PhShutdownCause cause)
{
    vm.state = PH_RUN_STATE_SHUTDOWN;
    notify(PH_VM_EVENT_SHUTDOWN, cause);
    aio_bh_schedule_oneshot(ph_main_aio_context(), shutdown_bh, GINT_TO_POINTER(cause));
}

void ph_vm_set_shutdown_handler(void (*fn)(void *opaque, PhShutdownCause cause),
                                void *opaque)
{
    vm.shutdown_fn = fn;
    vm.shutdown_opaque = opaque;
}
