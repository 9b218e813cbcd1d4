/* Input routing: the guest's keyboard and tablet behind display consoles, as QEMU's input core. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include "console.h"
#include "virtio-input.h"

G_BEGIN_DECLS

/*
 * QEMU's ui/input.c for Porthole.  A console may have a keyboard and a
 * tablet attached; an event for a console goes to that console's device
 * of the right kind, else to the first console (in console order) that
 * has one, which is what QEMU's handler search does for Porthole's
 * devices.  An event for no console (NULL) goes to the first console
 * that has one.
 *
 * Threads: everything here runs on the main loop thread.  The virtio
 * devices themselves may be fed from any thread.
 *
 * As in QEMU, events are dropped while the machine is neither running
 * nor suspended (ph_vm_get_runstate()).
 */

/* QEMU's InputEventKind, same order. */
typedef enum {
    PH_INPUT_KIND_KEY,
    PH_INPUT_KIND_BTN,
    PH_INPUT_KIND_REL,
    PH_INPUT_KIND_ABS,
    PH_INPUT_KIND__MAX,
} PhInputKind;

/* QEMU 7.2's InputButton, same order. */
typedef enum {
    PH_INPUT_BUTTON_LEFT,
    PH_INPUT_BUTTON_MIDDLE,
    PH_INPUT_BUTTON_RIGHT,
    PH_INPUT_BUTTON_WHEEL_UP,
    PH_INPUT_BUTTON_WHEEL_DOWN,
    PH_INPUT_BUTTON_SIDE,
    PH_INPUT_BUTTON_EXTRA,
    PH_INPUT_BUTTON_WHEEL_LEFT,
    PH_INPUT_BUTTON_WHEEL_RIGHT,
    PH_INPUT_BUTTON__MAX,
} PhInputButton;

/* QEMU 7.2's InputAxis. */
typedef enum {
    PH_INPUT_AXIS_X,
    PH_INPUT_AXIS_Y,
    PH_INPUT_AXIS__MAX,
} PhInputAxis;

/* The tablet's range (QEMU's INPUT_EVENT_ABS_MIN/MAX). */
#define PH_INPUT_ABS_MAX 32767

/* Linux event codes the routing layer and its users name. */
#define PH_INPUT_KEY_MAX 0x2ff
#define PH_INPUT_BTN_LEFT 0x110
#define PH_INPUT_BTN_RIGHT 0x111
#define PH_INPUT_BTN_MIDDLE 0x112
#define PH_INPUT_BTN_SIDE 0x113
#define PH_INPUT_BTN_EXTRA 0x114
#define PH_INPUT_BTN_GEAR_DOWN 0x150
#define PH_INPUT_BTN_GEAR_UP 0x151

/*
 * Attaches @keyboard and @tablet (either may be NULL; both NULL detaches)
 * to @con, replacing what was attached before.  The devices are not
 * owned: detach them before they are freed.  A console freed while
 * devices are attached is noticed (its devices are then never used), but
 * detaching first is cleaner.
 */
void ph_console_set_input(PhConsole *con, PhVirtioInput *keyboard, PhVirtioInput *tablet);
PhVirtioInput *ph_console_get_keyboard(PhConsole *con);
PhVirtioInput *ph_console_get_tablet(PhConsole *con);

/*
 * True when an event of @kind sent for @con (NULL: no console) reaches a
 * device: QEMU's "is there an input handler" check.  Keys need a
 * keyboard; buttons and absolute motion a tablet; relative motion
 * nothing (Porthole has no relative mouse, as QEMU's virt with a tablet).
 */
bool ph_input_has_handler(PhConsole *con, PhInputKind kind);

/* True when input is delivered now (running or suspended). */
bool ph_input_accepting(void);

/*
 * Events.  Each reaches the device at once except absolute motion, which
 * waits for ph_input_sync() (or the next button of the same tablet) so
 * that an X and a Y move the pointer once, as QEMU's EV_SYN per batch.
 */
void ph_input_send_key(PhConsole *con, unsigned linux_code, bool down);
/* A QKeyCode (index into QEMU 7.2's enum); unmapped codes do nothing. */
void ph_input_send_qcode(PhConsole *con, int qcode, bool down);
void ph_input_send_button(PhConsole *con, PhInputButton button, bool down);
/* @value in 0..32767 (clamped). */
void ph_input_send_abs(PhConsole *con, PhInputAxis axis, int64_t value);
/* REL_WHEEL: positive is up, away from the user. */
void ph_input_send_wheel(PhConsole *con, int delta);
/* Ends a batch of events: pending motion goes out. */
void ph_input_sync(void);

/*
 * The tablet value whose pixel, by the guest's mapping
 * (pixel = value * @size / 32768), is @pixel.  @pixel is clamped to
 * 0..@size-1; @size <= 0 gives 0.
 */
unsigned ph_input_abs_from_pixel(int pixel, int size);

/*
 * QEMU's keyboard queue (send-key): keys and pauses play out in order
 * from a main-loop timer.  ph_input_queue_key() sends at once when
 * nothing is queued, else after what is queued; ph_input_queue_delay()
 * adds a pause of @delay_ms (0: QEMU's default 10 ms).  Both do nothing
 * while the machine does not run, as QEMU; at most 1024 items wait.
 * Keys go to the first console with a keyboard when they play.
 */
void ph_input_queue_key(unsigned linux_code, bool down);
void ph_input_queue_delay(uint32_t delay_ms);
/* Items waiting in the queue (for tests). */
unsigned ph_input_queue_length(void);
/* Drops every queued item and attachment (test teardown, shutdown). */
void ph_input_reset(void);

/* ---- QEMU 7.2's key codes (keymap-qcode.c) ---- */

/* The number of QKeyCode values in QEMU 7.2 ("unmapped" is 0). */
int ph_keymap_qcode_count(void);
/* The QAPI name of @qcode ("a", "shift_r"), NULL when out of range. */
const char *ph_keymap_qcode_name(int qcode);
/* The QKeyCode called @name, or -1. */
int ph_keymap_qcode_from_name(const char *name);
/* The Linux key code QEMU's virtio keyboard sends for @qcode; 0 for none. */
unsigned ph_keymap_qcode_to_linux(int qcode);
/* QEMU's "number" keys (qnum: XT scan codes, 0x80 | code for 0xe0 code)
 * to a QKeyCode; 0 (unmapped) for anything QEMU does not map. */
int ph_keymap_qnum_to_qcode(int64_t number);

G_END_DECLS
