/* libFuzzer target: random bytes, random chunks, QMP JSON streamer + writer. */
#include "config.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "json-streamer.h"
#include "json-writer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A tree with inf or nan writes as text no JSON parser takes back. */
static bool all_finite(JsonNode *node)
{
    switch (json_node_get_node_type(node)) {
    case JSON_NODE_OBJECT: {
        JsonObjectIter iter;
        const char *name;
        JsonNode *member;

        json_object_iter_init(&iter, json_node_get_object(node));
        while (json_object_iter_next(&iter, &name, &member)) {
            if (!all_finite(member)) {
                return false;
            }
        }
        return true;
    }
    case JSON_NODE_ARRAY: {
        JsonArray *array = json_node_get_array(node);
        guint i;

        for (i = 0; i < json_array_get_length(array); i++) {
            if (!all_finite(json_array_get_element(array, i))) {
                return false;
            }
        }
        return true;
    }
    case JSON_NODE_VALUE:
        return json_node_get_value_type(node) != G_TYPE_DOUBLE ||
               isfinite(json_node_get_double(node));
    default:
        return true;
    }
}

typedef struct {
    guint values;
    guint errors;
} Count;

static void count_emit(void *opaque, JsonNode *node, GError *error)
{
    Count *c = opaque;

    if (error) {
        c->errors++;
        g_error_free(error);
    } else {
        c->values++;
        json_node_unref(node);
    }
}

/* Logs every output; a value's text must parse back as exactly one value. */
static void log_emit(void *opaque, JsonNode *node, GError *error)
{
    GString *log = opaque;

    if (node == NULL) {
        JsonNode *msg;

        if (error == NULL || error->domain != PH_JSON_ERROR) {
            __builtin_trap();
        }
        msg = json_node_init_string(json_node_alloc(), error->message);
        g_string_append(log, "E ");
        ph_json_write(log, msg);
        json_node_unref(msg);
        g_error_free(error);
    } else {
        size_t start;

        if (error != NULL) {
            __builtin_trap();
        }
        g_string_append(log, "V ");
        start = log->len;
        ph_json_write(log, node);
        if (all_finite(node)) {
            Count c = { 0 };
            PhJsonStreamer *again = ph_json_streamer_new(count_emit, &c);

            ph_json_streamer_feed(again, log->str + start, log->len - start);
            ph_json_streamer_flush(again);
            ph_json_streamer_free(again);
            if (c.values != 1 || c.errors != 0) {
                __builtin_trap();
            }
        }
        json_node_unref(node);
    }
    g_string_append_c(log, '\n');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    GString *whole = g_string_new(NULL);
    GString *chunked = g_string_new(NULL);
    PhJsonStreamer *s;
    uint32_t seed = 2166136261u;
    bool small;
    size_t i;

    /* Inputs that start with '!' run with tiny limits, so that the limit
     * paths get fuzzed too. */
    small = size > 0 && data[0] == '!';

    /* All at once. */
    s = ph_json_streamer_new(log_emit, whole);
    if (small) {
        ph_json_streamer_set_limits(s, 64, 16, 4);
    }
    ph_json_streamer_feed(s, (const char *)data, size);
    ph_json_streamer_flush(s);
    ph_json_streamer_free(s);

    /* Again in chunks of 1..64 bytes, sizes derived from the input so the
     * target stays deterministic: the outputs must be the same. */
    for (i = 0; i < size; i++) {
        seed = (seed ^ data[i]) * 16777619u;
    }
    s = ph_json_streamer_new(log_emit, chunked);
    if (small) {
        ph_json_streamer_set_limits(s, 64, 16, 4);
    }
    for (i = 0; i < size;) {
        size_t n;

        seed = seed * 1103515245u + 12345u;
        n = 1 + (seed >> 16) % 64;
        if (n > size - i) {
            n = size - i;
        }
        ph_json_streamer_feed(s, (const char *)data + i, n);
        i += n;
    }
    ph_json_streamer_flush(s);
    ph_json_streamer_free(s);

    if (strcmp(whole->str, chunked->str) != 0) {
        __builtin_trap();
    }
    g_string_free(whole, TRUE);
    g_string_free(chunked, TRUE);
    return 0;
}
