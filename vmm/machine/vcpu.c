/* The vCPU thread: runs the hart in batches, sleeps when the guest idles, and is vm-state's backend. */
#include "config.h"

#include <linux/input-event-codes.h>

#include "machine-int.h"

/* Instructions per ph_rv_cpu_run() call: timers and requests are looked at
 * between batches, so this bounds their latency (well under a millisecond). */
#define PH_VCPU_BATCH 20000
/* How long a guest that polls an idle UART sleeps at a time (a kick, such
 * as serial input, ends it early). */
#define PH_VCPU_IDLE_POLL_NS (10 * 1000 * 1000)

static void ph_vcpu_post_locked(PhMachine *m, unsigned event)
{
    m->events |= event;
    ph_bh_schedule(m->bh);
}

void ph_vcpu_kick(PhMachine *m)
{
    g_mutex_lock(&m->lock);
    m->kicked = true;
    g_cond_broadcast(&m->cond);
    g_mutex_unlock(&m->lock);
}

void ph_vcpu_guest_stop(PhMachine *m, unsigned event, int exit_status)
{
    g_mutex_lock(&m->lock);
    m->halted = true;
    if (exit_status >= 0 && m->exit_status < 0) {
        m->exit_status = exit_status;
    }
    if (m->bh) {
        ph_vcpu_post_locked(m, event);
    }
    g_mutex_unlock(&m->lock);
    ph_rv_cpu_exit_request(m->cpu);
}

void ph_vcpu_idle_hint(PhMachine *m)
{
    g_atomic_int_set(&m->idle_hint, 1);
    ph_rv_cpu_exit_request(m->cpu);
}

/* With the lock held: has the main thread asked for anything? */
static bool ph_vcpu_request_pending_locked(PhMachine *m)
{
    return m->quit || m->reset_requested || m->run_requested != m->running ||
           m->kicked;
}

/* vCPU thread: nanoseconds until a device timer wants the CPU, or -1. */
static int64_t ph_vcpu_ns_until_timer(PhMachine *m)
{
    int64_t ticks = ph_clint_ticks_until_timer(m->clint);
    int64_t ns = INT64_MAX;
    int64_t rtc = ph_goldfish_rtc_ns_until_alarm(m->rtc);
    const int64_t ns_per_tick = 1000000000 / PH_CLINT_TIMEBASE_HZ;

    if (ticks != INT64_MAX) {
        ns = ticks > INT64_MAX / ns_per_tick ? INT64_MAX : ticks * ns_per_tick;
    }
    ns = MIN(ns, rtc);
    return ns == INT64_MAX ? -1 : MAX(ns, 0);
}

/* vCPU thread, lock held: waits for a kick or a request, at most @ns (-1: forever). */
static void ph_vcpu_sleep_locked(PhMachine *m, int64_t ns)
{
    gint64 deadline = ns < 0 ? 0 : g_get_monotonic_time() + ns / 1000;

    while (!ph_vcpu_request_pending_locked(m)) {
        if (ns < 0) {
            g_cond_wait(&m->cond, &m->lock);
        } else if (!g_cond_wait_until(&m->cond, &m->lock, deadline)) {
            break;
        }
    }
}

static gpointer ph_vcpu_thread(gpointer opaque)
{
    PhMachine *m = opaque;

    g_mutex_lock(&m->lock);
    while (!m->quit) {
        PhRvRunResult r;
        bool idle;

        if (m->reset_requested) {
            m->reset_requested = false;
            g_mutex_unlock(&m->lock);
            ph_virt_reset_devices(m);
            ph_virt_write_images(m);
            g_atomic_int_set(&m->idle_hint, 0);
            g_mutex_lock(&m->lock);
            m->halted = false;
            ph_vcpu_post_locked(m, PH_MACHINE_EV_RESET_DONE);
            continue;
        }
        if (m->run_requested != m->running) {
            /* The guest clock stands still while paused, as QEMU's
             * virtual clock does. */
            m->running = m->run_requested;
            if (m->running) {
                ph_vm_clock_start(&m->clock);
            } else {
                ph_vm_clock_stop(&m->clock);
            }
            ph_vcpu_post_locked(m, m->running ? PH_MACHINE_EV_RESUMED
                                              : PH_MACHINE_EV_PAUSED);
            continue;
        }
        if (!m->running || m->halted) {
            m->kicked = false;
            g_cond_wait(&m->cond, &m->lock);
            continue;
        }
        m->kicked = false;
        g_mutex_unlock(&m->lock);

        ph_clint_update(m->clint);
        ph_goldfish_rtc_poll(m->rtc);
        r = ph_rv_cpu_run(m->cpu, PH_VCPU_BATCH);
        idle = g_atomic_int_compare_and_exchange(&m->idle_hint, 1, 0);

        if (r == PH_RV_RUN_WFI || idle) {
            int64_t ns;
            bool wake;

            /* Measure first, then raise what fell due: a deadline seen as
             * passed is then surely raised (and in mip for the check), so
             * sleeping until a change is safe. Measuring after the update
             * could see a deadline pass in between and sleep forever. */
            ns = ph_vcpu_ns_until_timer(m);
            ph_clint_update(m->clint);
            ph_goldfish_rtc_poll(m->rtc);
            wake = r == PH_RV_RUN_WFI && ph_rv_cpu_wfi_should_wake(m->cpu);
            if (ns == 0) {
                /* Due already and so raised: only a change can wake us. */
                ns = -1;
            }
            if (idle && (ns < 0 || ns > PH_VCPU_IDLE_POLL_NS)) {
                ns = PH_VCPU_IDLE_POLL_NS;
            }
            g_mutex_lock(&m->lock);
            if (!wake) {
                ph_vcpu_sleep_locked(m, ns);
            }
            continue;
        }
        g_mutex_lock(&m->lock);
    }
    g_mutex_unlock(&m->lock);
    return NULL;
}

/* ---- vm-state backend (main thread) ---- */

static void ph_vcpu_set_run(PhMachine *m, bool run, void (*done)(void *opaque),
                            void *done_opaque)
{
    g_mutex_lock(&m->lock);
    if (run) {
        m->resume_done = done;
        m->resume_opaque = done_opaque;
    } else {
        m->pause_done = done;
        m->pause_opaque = done_opaque;
    }
    m->run_requested = run;
    if (m->running == run) {
        /* Nothing for the thread to acknowledge: complete from the loop. */
        ph_vcpu_post_locked(m, run ? PH_MACHINE_EV_RESUMED : PH_MACHINE_EV_PAUSED);
    }
    g_cond_broadcast(&m->cond);
    g_mutex_unlock(&m->lock);
    ph_rv_cpu_exit_request(m->cpu);
}

static void ph_vcpu_backend_pause(void *opaque, void (*done)(void *done_opaque),
                                  void *done_opaque)
{
    ph_vcpu_set_run(opaque, false, done, done_opaque);
}

static void ph_vcpu_backend_resume(void *opaque, void (*done)(void *done_opaque),
                                   void *done_opaque)
{
    ph_vcpu_set_run(opaque, true, done, done_opaque);
}

static void ph_vcpu_backend_reset(void *opaque, void (*done)(void *done_opaque),
                                  void *done_opaque)
{
    PhMachine *m = opaque;

    g_mutex_lock(&m->lock);
    m->reset_done = done;
    m->reset_opaque = done_opaque;
    m->reset_requested = true;
    g_cond_broadcast(&m->cond);
    g_mutex_unlock(&m->lock);
    ph_rv_cpu_exit_request(m->cpu);
}

/* QEMU's virt board has no power button: the keyboard's KEY_POWER is what
 * a guest (Linux's gpio-less virt) can act on. */
static void ph_vcpu_backend_powerdown(void *opaque)
{
    PhMachine *m = opaque;

    ph_virtio_input_send_key(m->keyboard, KEY_POWER, true);
    ph_virtio_input_send_key(m->keyboard, KEY_POWER, false);
}

static const PhVmBackend ph_vcpu_backend = {
    .pause = ph_vcpu_backend_pause,
    .resume = ph_vcpu_backend_resume,
    .reset = ph_vcpu_backend_reset,
    .powerdown = ph_vcpu_backend_powerdown,
};

static void ph_vcpu_take(void (**fn)(void *), void **opaque, void (**out_fn)(void *),
                         void **out_opaque)
{
    *out_fn = *fn;
    *out_opaque = *opaque;
    *fn = NULL;
    *opaque = NULL;
}

/* Main loop: what the vCPU thread posted. */
static void ph_vcpu_bh(void *opaque)
{
    PhMachine *m = opaque;
    void (*paused)(void *) = NULL, (*resumed)(void *) = NULL, (*reset)(void *) = NULL;
    void *paused_opaque = NULL, *resumed_opaque = NULL, *reset_opaque = NULL;
    unsigned events;

    g_mutex_lock(&m->lock);
    events = m->events;
    m->events = 0;
    if (events & PH_MACHINE_EV_PAUSED) {
        ph_vcpu_take(&m->pause_done, &m->pause_opaque, &paused, &paused_opaque);
    }
    if (events & PH_MACHINE_EV_RESUMED) {
        ph_vcpu_take(&m->resume_done, &m->resume_opaque, &resumed, &resumed_opaque);
    }
    if (events & PH_MACHINE_EV_RESET_DONE) {
        ph_vcpu_take(&m->reset_done, &m->reset_opaque, &reset, &reset_opaque);
    }
    g_mutex_unlock(&m->lock);

    /* Callbacks may queue the next operation, which takes the lock again. */
    if (paused) {
        paused(paused_opaque);
    }
    if (resumed) {
        resumed(resumed_opaque);
    }
    if (reset) {
        reset(reset_opaque);
    }
    if (!m->attached) {
        return;
    }
    if (events & (PH_MACHINE_EV_GUEST_POWEROFF | PH_MACHINE_EV_GUEST_EXIT)) {
        if (ph_vm_get_runstate() != PH_RUN_STATE_SHUTDOWN) {
            ph_vm_shutdown_request(PH_SHUTDOWN_CAUSE_GUEST_SHUTDOWN);
        }
    } else if (events & PH_MACHINE_EV_GUEST_RESET) {
        ph_vm_reset(PH_SHUTDOWN_CAUSE_GUEST_RESET, NULL, NULL);
    }
}

void ph_vcpu_init(PhMachine *m)
{
    g_mutex_init(&m->lock);
    g_cond_init(&m->cond);
}

void ph_vcpu_cleanup(PhMachine *m)
{
    g_mutex_clear(&m->lock);
    g_cond_clear(&m->cond);
}

bool ph_vcpu_start(PhMachine *m, bool run, GError **error)
{
    g_return_val_if_fail(!m->thread, false);

    m->bh = aio_bh_new(ph_main_aio_context(), ph_vcpu_bh, m);
    m->run_requested = run;
    m->thread = g_thread_try_new("porthole-vcpu", ph_vcpu_thread, m, error);
    if (!m->thread) {
        g_clear_pointer(&m->bh, ph_bh_delete);
        return false;
    }
    ph_vm_set_backend(&ph_vcpu_backend, m);
    m->attached = true;
    return true;
}

void ph_vcpu_stop(PhMachine *m)
{
    if (m->attached) {
        ph_vm_set_backend(NULL, NULL);
        m->attached = false;
    }
    if (m->thread) {
        g_mutex_lock(&m->lock);
        m->quit = true;
        g_cond_broadcast(&m->cond);
        g_mutex_unlock(&m->lock);
        ph_rv_cpu_exit_request(m->cpu);
        g_thread_join(m->thread);
        m->thread = NULL;
    }
    g_mutex_lock(&m->lock);
    g_clear_pointer(&m->bh, ph_bh_delete);
    g_mutex_unlock(&m->lock);
}
