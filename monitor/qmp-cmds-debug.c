/* Experimental QMP commands that measure Porthole itself: the main-loop stall probe. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <glib.h>

#include "aio.h"
#include "qapi-commands.h"
#include "qmp-error.h"

/* The probe's period: its lateness is what it measures. */
#define STALL_PROBE_PERIOD_NS (1000 * 1000)

/*
 * The probe: a timer in the main AioContext, re-armed 1 ms after each
 * tick.  However the loop is held up (a long callback, a coroutine that
 * does not yield, a nested aio_poll() that does not run timers), the next
 * tick comes late by that much.  Main thread only.  NULL timer: stopped,
 * and then nothing runs at all.
 */
static struct {
    PhTimer *timer;
    int64_t due_ns;     /* when the armed tick should run */
    int64_t max_late_ns;
    int64_t last_cpu_ns;    /* the main thread's CPU time at the last tick */
    int64_t max_busy_ns;
    int64_t ticks;
} probe;

/*
 * The calling thread's CPU time.  Lateness alone cannot tell the loop
 * being busy from the host giving the CPU to someone else (on a loaded
 * host that is milliseconds at a time); CPU time spent between two ticks
 * only counts the former.
 */
static int64_t thread_cpu_ns(void)
{
    struct timespec ts;

    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) < 0) {
        return 0;
    }
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void stall_probe_tick(void *opaque)
{
    int64_t now = ph_clock_ns();
    int64_t cpu = thread_cpu_ns();
    int64_t late = now - probe.due_ns;

    if (late > probe.max_late_ns) {
        probe.max_late_ns = late;
    }
    if (cpu - probe.last_cpu_ns > probe.max_busy_ns) {
        probe.max_busy_ns = cpu - probe.last_cpu_ns;
    }
    probe.last_cpu_ns = cpu;
    probe.ticks++;
    probe.due_ns = now + STALL_PROBE_PERIOD_NS;
    ph_timer_mod_ns(probe.timer, probe.due_ns);
}

static void stall_probe_reset(void)
{
    probe.max_late_ns = 0;
    probe.max_busy_ns = 0;
    probe.ticks = 0;
}

static void stall_probe_start(void)
{
    if (!probe.timer) {
        probe.timer = aio_timer_new(ph_main_aio_context(), stall_probe_tick, NULL);
        probe.last_cpu_ns = thread_cpu_ns();
        probe.due_ns = ph_clock_ns() + STALL_PROBE_PERIOD_NS;
        ph_timer_mod_ns(probe.timer, probe.due_ns);
    }
    stall_probe_reset();
}

static void stall_probe_stop(void)
{
    g_clear_pointer(&probe.timer, ph_timer_free);
}

/* PORTHOLE_STALL_PROBE=1: the probe starts with the first turn of the main
 * loop, once the main AioContext exists. */
static gboolean stall_probe_start_idle(gpointer data)
{
    if (ph_main_aio_context()) {
        stall_probe_start();
    }
    return G_SOURCE_REMOVE;
}

/*
 * The monitor has no start-up hook for its command modules, so the
 * environment is read before main() and the start is left to the default
 * main context's first idle turn.  Without the variable nothing is added.
 */
__attribute__((constructor)) static void stall_probe_from_env(void)
{
    const char *v = getenv("PORTHOLE_STALL_PROBE");

    if (v && strcmp(v, "1") == 0) {
        g_idle_add(stall_probe_start_idle, NULL);
    }
}

bool qmp_x_main_loop_stall_probe(bool enable, GError **error)
{
    if (enable) {
        stall_probe_start();
    } else {
        stall_probe_stop();
    }
    return true;
}

MainLoopStall *qmp_x_query_main_loop_stall(GError **error)
{
    MainLoopStall *r;

    if (!probe.timer) {
        g_set_error_literal(error, QMP_ERROR, QMP_ERROR_GENERIC_ERROR,
                            "The main-loop stall probe is not running: start it with "
                            "x-main-loop-stall-probe or PORTHOLE_STALL_PROBE=1");
        return NULL;
    }
    r = g_new0(MainLoopStall, 1);
    r->max_stall_us = probe.max_late_ns / 1000;
    r->max_busy_us = probe.max_busy_ns / 1000;
    r->ticks = probe.ticks;
    stall_probe_reset();
    return r;
}
