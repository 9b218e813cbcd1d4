/* QMP output: JSON text byte for byte as QEMU 7.2's qobject_to_json(). */
#ifndef PH_JSON_WRITER_H
#define PH_JSON_WRITER_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>
#include <json-glib/json-glib.h>

/*
 * Appends @node as QEMU's qobject_to_json() formats it:
 * - compact, with ": " between key and value and ", " between members and
 *   elements; {} and [] when empty;
 * - object members in the order QEMU's QDict iterates them, not insertion
 *   order: QDict is a 512-bucket hash table walked bucket by bucket, the
 *   newest entry of a bucket first.  That is why QEMU's greeting says
 *   {"micro": 0, "minor": 2, "major": 7}; callers need not care what order
 *   they add members in;
 * - strings: \" \\ \b \f \n \r \t, every other character below 0x20 and
 *   every character from 0x7F up as \uXXXX (upper-case hex, a surrogate
 *   pair above U+FFFF); '/' is not escaped.  Strings are read as modified
 *   UTF-8 (C0 80 is U+0000); each invalid sequence becomes \uFFFD;
 * - integers in decimal; doubles as printf("%.17g") in the C locale
 *   (0.1 is 0.10000000000000001, 1.0 is 1, 1e400 is inf);
 * - true, false, null.
 */
void ph_json_write(GString *out, JsonNode *node);

/*
 * The pieces of ph_json_write(), for writers that know their JSON's shape
 * in advance (the QAPI generator's qapi_write_T()): a string (NULL as ""),
 * an integer and a double, each formatted exactly as ph_json_write() does.
 */
void ph_json_write_string(GString *out, const char *str);
void ph_json_write_int(GString *out, gint64 v);
void ph_json_write_double(GString *out, double d);

/* ph_json_write() into a new string; free it with g_free(). */
char *ph_json_to_string(JsonNode *node);

/*
 * The member names of @obj in QEMU's QDict order, the order ph_json_write()
 * writes them in: a drop-in for json_object_get_members() (free the list
 * with g_list_free(); the names belong to @obj).  For code that must report
 * the member QEMU reports first: qmp_dispatch_check_obj() walks the request
 * in this order ("QMP input member 'aaa' is unexpected" for both
 * {"zzz":1,"aaa":2,"execute":"x"} and {"aaa":2,"zzz":1,"execute":"x"}).
 */
GList *ph_json_object_get_members_qdict_order(JsonObject *obj);

/*
 * QEMU's "modified UTF-8" (C0 80 stands for U+0000), shared by the
 * streamer and the writer so that both judge a byte sequence alike.
 *
 * ph_json_mod_utf8_decode() decodes the sequence at @p (before @end), like
 * QEMU's mod_utf8_codepoint(): the code point, or -1 if it is invalid (a
 * stray or missing continuation byte, an overlong form other than C0 80, a
 * surrogate, a noncharacter, beyond U+10FFFF).  *@len is how far to step
 * either way: one byte for a bad lead byte, else up to the first missing
 * continuation byte, else the whole sequence.
 */
int32_t ph_json_mod_utf8_decode(const unsigned char *p, const unsigned char *end,
                                size_t *len);
/* Neither a surrogate, nor a noncharacter, nor beyond U+10FFFF. */
bool ph_json_codepoint_valid(int32_t cp);

#endif /* PH_JSON_WRITER_H */
