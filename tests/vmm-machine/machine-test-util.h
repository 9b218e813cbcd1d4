/* Test helpers for the board: a porthole child process driven through its stdio, and a QMP client. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include <glib.h>

/* Generous: the suite also runs under ASan, several times slower. */
#define PH_BOOT_TIMEOUT_S 180

typedef struct PhChild {
    GPid pid;
    int in_fd, out_fd, err_fd;
    GString *out;           /* everything it wrote to stdout */
    GString *err;
    gsize mark;             /* ph_child_wait_for() searches from here */
    bool exited;
    int status;             /* exit status, or 128 + signal */
} PhChild;

/* Runs $PORTHOLE_BIN with @args (NULL-terminated); stdin/stdout/stderr are pipes. */
PhChild *ph_child_spawn(const char *const *args);
/* Reads output until @needle appears after the mark (the mark then moves
 * past it); false on timeout or exit. */
bool ph_child_wait_for(PhChild *c, const char *needle, int timeout_s);
/* Reads whatever arrives for @ms milliseconds. */
void ph_child_drain(PhChild *c, int ms);
void ph_child_send(PhChild *c, const char *text);
/* Waits for the exit; returns its status, or -1 on timeout. */
int ph_child_wait_exit(PhChild *c, int timeout_s);
/* user + system CPU seconds the child has used so far (from /proc). */
double ph_child_cpu_seconds(PhChild *c);
/* Kills it if it still runs; prints its output on failure for diagnosis. */
void ph_child_free(PhChild *c);

/* A minimal QMP client on a UNIX socket. */
typedef struct PhQmp {
    int fd;
    GString *buf;
    GQueue skipped;         /* lines read while waiting for another */
} PhQmp;

PhQmp *ph_qmp_connect(const char *path, int timeout_s);
/* Sends @json and returns the first line containing @expect (owned), or NULL. */
char *ph_qmp_command(PhQmp *q, const char *json, const char *expect, int timeout_s);
/* Returns the first line not yet returned that contains @expect (owned),
 * or NULL on timeout; lines passed over are kept for later waits. */
char *ph_qmp_wait(PhQmp *q, const char *expect, int timeout_s);
void ph_qmp_free(PhQmp *q);

/* The firmware files of Debian's packages, or NULL with the test skipped. */
const char *ph_test_need_file(const char *path);
