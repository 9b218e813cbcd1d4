/* Sending QMP events to every session that has negotiated capabilities. */
#pragma once

#include <json-glib/json-glib.h>

/*
 * Sends {"event": @name, "data": @data, "timestamp": {...}} to every
 * negotiated session, in the order events are emitted.  @data (owned) may
 * be NULL for events without data (then "data" is omitted, as QEMU does).
 * Callable from any thread.
 */
void ph_qmp_event_emit(const char *name, JsonObject *data);
