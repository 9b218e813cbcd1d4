/* The QMP socket server: the monitor I/O thread, listeners and socket sessions. */
#pragma once

#include <stdbool.h>

#include <glib.h>

/* Starts the monitor I/O thread (main thread, once). */
void ph_qmp_server_start(void);

/*
 * Listens on @spec: `unix:PATH[,server=on][,wait=off]`, `tcp:HOST:PORT[,...]`
 * (HOST empty means 127.0.0.1) or a plain PATH.  A UNIX socket is created
 * mode 0600, replacing a stale file.  Returns the address in *@address
 * (`unix:PATH` or `tcp:HOST:PORT`, owned by the caller).
 */
bool ph_qmp_server_listen(const char *spec, char **address, GError **error);

/* The default socket path: $XDG_RUNTIME_DIR/porthole/<pid>.qmp. */
char *ph_qmp_server_default_path(void);

/* Sends what is still queued to each client (briefly), closes everything,
 * removes the socket files and stops the thread. */
void ph_qmp_server_stop(void);
