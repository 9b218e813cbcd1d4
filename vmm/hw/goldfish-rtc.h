/* The Goldfish RTC of QEMU's virt board: host wall-clock time plus a guest-set offset. */
#pragma once

#include <stdint.h>

#include "bus.h"
#include "irq.h"

#define PH_GOLDFISH_RTC_SIZE 0x1000

typedef struct PhGoldfishRtc PhGoldfishRtc;

/* @irq is set with the RTC's lock held (the sink must not call back). */
PhGoldfishRtc *ph_goldfish_rtc_new(PhBus *bus, uint64_t base, PhIrq irq);
void ph_goldfish_rtc_free(PhGoldfishRtc *r);
/* Board, vCPU stopped: alarm and interrupt state cleared (the time offset
 * is kept, as QEMU keeps the guest's time across a reset). */
void ph_goldfish_rtc_reset(PhGoldfishRtc *r);

/* Any thread (the vCPU runner, between slices): raises the alarm
 * interrupt when the alarm is due. */
void ph_goldfish_rtc_poll(PhGoldfishRtc *r);
/* Any thread: host wall-clock ns until the armed alarm is due (0 if due),
 * INT64_MAX if no alarm is armed. */
int64_t ph_goldfish_rtc_ns_until_alarm(PhGoldfishRtc *r);

/* For tests: replaces g_get_real_time() (µs) as the source of host time. */
void ph_goldfish_rtc_set_clock(PhGoldfishRtc *r, int64_t (*now_ns)(void *opaque),
                               void *opaque);
