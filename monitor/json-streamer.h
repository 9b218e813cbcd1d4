/* QMP input: splits a byte stream into JSON values exactly as QEMU 7.2 does. */
#ifndef PH_JSON_STREAMER_H
#define PH_JSON_STREAMER_H

#include <stddef.h>

#include <glib.h>
#include <json-glib/json-glib.h>

/*
 * The streamer reproduces QEMU 7.2's QMP input path (qobject/json-lexer.c,
 * json-streamer.c, json-parser.c): the same tokens, the same value
 * boundaries, the same limits, the same error texts, and the same bytes
 * skipped after a lexical error, so a client sees one reply per value or
 * error exactly where QEMU would send one.
 *
 * What QEMU accepts beyond RFC 8259: single-quoted strings ('it\'s'), the
 * \' escape in both kinds of string, and any top-level value (the
 * dispatcher rejects non-objects itself).
 *
 * How values map onto json-glib:
 * - Strings hold QEMU's "modified UTF-8": U+0000 (written \u0000) is stored
 *   as the two bytes C0 80, because a JsonNode string is NUL-terminated.
 *   ph_json_write() turns C0 80 back into \u0000.  Every other string is
 *   valid UTF-8: the parser rejects anything else, as QEMU does.
 * - An integer literal that fits int64 becomes a G_TYPE_INT64 value.  QEMU
 *   keeps 2^63 .. 2^64-1 as an exact uint64; json-glib has no uint64, so
 *   those become the nearest double, like every other integer out of int64
 *   range (where QEMU uses a double too).  Only that one range differs from
 *   QEMU: its exact value is lost and ph_json_write() prints it the way
 *   QEMU prints a double (18446744073709551615 comes back as
 *   1.8446744073709552e+19).
 * - Other numbers become G_TYPE_DOUBLE (strtod in the C locale; 1e400 is
 *   inf, as in QEMU).
 * - Duplicate object keys are an error ("duplicate key"), as in QEMU.
 */

#define PH_JSON_ERROR (ph_json_error_quark())

typedef enum {
    /* Syntax: "JSON parse error, expecting value", "… duplicate key", … */
    PH_JSON_ERROR_PARSE,
    /* Lexical: "JSON parse error, stray '<bytes>'".  The message holds the
     * offending input bytes verbatim and may not be valid UTF-8. */
    PH_JSON_ERROR_STRAY,
    /* "JSON token size limit exceeded" (64 MiB per value) */
    PH_JSON_ERROR_TOKEN_SIZE,
    /* "JSON token count limit exceeded" (2 Mi tokens per value) */
    PH_JSON_ERROR_TOKEN_COUNT,
    /* "JSON nesting depth limit exceeded" (1024 levels) */
    PH_JSON_ERROR_NESTING,
} PhJsonError;

GQuark ph_json_error_quark(void);

typedef struct PhJsonStreamer PhJsonStreamer;

/*
 * Called once per complete top-level JSON value (@node owned by the callee,
 * @error NULL) or once per error (@node NULL, @error owned by the callee).
 * Runs inside ph_json_streamer_feed() / _flush(), on the feeding thread; it
 * must not feed, flush or free the streamer that calls it.
 */
typedef void PhJsonEmitFn(void *opaque, JsonNode *node, GError *error);

PhJsonStreamer *ph_json_streamer_new(PhJsonEmitFn *emit, void *opaque);

/* Feeds @len bytes of input; any byte value is allowed, NUL included.
 * Values may be split across calls at any byte. */
void ph_json_streamer_feed(PhJsonStreamer *s, const char *buf, size_t len);

/*
 * End of stream, like QEMU's json_message_parser_flush(): a token still
 * open is finished (a number or keyword is emitted, an unterminated string
 * is a "stray" error) and a value still open is parsed as it stands, which
 * reports its error ("JSON parse error, premature EOI" and the like).
 * The streamer is then ready for a new stream.
 */
void ph_json_streamer_flush(PhJsonStreamer *s);

/*
 * Like ph_json_streamer_feed(), but stops right after the byte during
 * which the emit callback called ph_json_streamer_pause(), and returns how
 * many bytes it took.  The rest is fed later, as if it had just arrived:
 * this is how a reader stops taking requests from a client exactly when
 * its queue is full.
 */
size_t ph_json_streamer_feed_partial(PhJsonStreamer *s, const char *buf, size_t len);
void ph_json_streamer_pause(PhJsonStreamer *s);

void ph_json_streamer_free(PhJsonStreamer *s);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(PhJsonStreamer, ph_json_streamer_free)

/*
 * For tests only: lower the per-value limits (QEMU's are 64 MiB of token
 * text, 2 Mi tokens, nesting 1024) so that their boundaries can be tested
 * without feeding 64 MiB.  Zero keeps a limit as it is.
 */
void ph_json_streamer_set_limits(PhJsonStreamer *s, size_t max_token_size,
                                 size_t max_token_count, int max_nesting);

#endif /* PH_JSON_STREAMER_H */
