/* QMP output: JSON text byte for byte as QEMU 7.2's qobject_to_json(). */
#include "config.h"

#include "json-writer.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* QEMU's QDICT_BUCKET_MAX */
#define QDICT_BUCKETS 512

typedef struct {
    uint64_t order; /* bucket, then newest first: QDict's walk */
    const char *name;
    JsonNode *node;
} Member;

typedef struct {
    GString *out;
    /* Members of the objects being written, a stack of segments. */
    Member *members;
    size_t len, cap;
    Member inline_members[32];
} Writer;

static void write_node(Writer *w, JsonNode *node);

/*
 * The bucket QEMU's QDict puts @key in: the tdb hash (from gdbm) modulo
 * 512.  The arithmetic is 32-bit unsigned, wrapping, as in QEMU.
 */
static unsigned qdict_bucket(const char *key)
{
    uint32_t len = (uint32_t)strlen(key);
    uint32_t h = 0x238F13AFu * len;
    uint32_t i;

    for (i = 0; i < len; i++) {
        h += (uint32_t)(unsigned char)key[i] << (i * 5 % 24);
    }
    return (1103515243u * h + 12345u) % QDICT_BUCKETS;
}

bool ph_json_codepoint_valid(int32_t cp)
{
    if (cp < 0 || cp > 0x10FFFF) {
        return false;
    }
    if ((cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE) {
        return false; /* noncharacter */
    }
    return !(cp >= 0xD800 && cp <= 0xDFFF); /* surrogate */
}

int32_t ph_json_mod_utf8_decode(const unsigned char *p, const unsigned char *end,
                                size_t *len)
{
    static const uint32_t min_cp[] = { 0x80, 0x800, 0x10000, 0x200000,
                                       0x4000000 };
    unsigned lead = p[0];
    size_t n, i;
    uint32_t cp;

    *len = 1;
    if (lead < 0x80) {
        return (int32_t)lead;
    }
    if (lead >= 0xFE || !(lead & 0x40)) {
        return -1;
    }
    n = lead >= 0xFC   ? 6
        : lead >= 0xF8 ? 5
        : lead >= 0xF0 ? 4
        : lead >= 0xE0 ? 3
                       : 2;
    cp = lead & (0x7F >> n);
    for (i = 1; i < n; i++) {
        if (p + i >= end || (p[i] & 0xC0) != 0x80) {
            *len = i;
            return -1;
        }
        cp = (cp << 6) | (p[i] & 0x3F);
    }
    *len = n;
    if (cp > 0x10FFFF || !ph_json_codepoint_valid((int32_t)cp)) {
        return -1;
    }
    if (cp < min_cp[n - 2] && !(cp == 0 && n == 2)) {
        return -1;
    }
    return (int32_t)cp;
}

static void append_u_escape(GString *out, uint32_t unit)
{
    static const char hex[] = "0123456789ABCDEF";
    char b[6] = { '\\',
                  'u',
                  hex[(unit >> 12) & 0xF],
                  hex[(unit >> 8) & 0xF],
                  hex[(unit >> 4) & 0xF],
                  hex[unit & 0xF] };

    g_string_append_len(out, b, sizeof(b));
}

void ph_json_write_string(GString *out, const char *str)
{
    const unsigned char *p = (const unsigned char *)(str ? str : "");
    const unsigned char *end = p + strlen((const char *)p);

    g_string_append_c(out, '"');
    while (*p) {
        const unsigned char *run = p;
        size_t len;
        int32_t cp;

        /* Printable ASCII other than " and \ goes out as it is. */
        while (*p >= 0x20 && *p < 0x7F && *p != '"' && *p != '\\') {
            p++;
        }
        g_string_append_len(out, (const char *)run, p - run);
        if (!*p) {
            break;
        }

        cp = ph_json_mod_utf8_decode(p, end, &len);
        p += len;
        switch (cp) {
        case '"':
            g_string_append(out, "\\\"");
            break;
        case '\\':
            g_string_append(out, "\\\\");
            break;
        case '\b':
            g_string_append(out, "\\b");
            break;
        case '\f':
            g_string_append(out, "\\f");
            break;
        case '\n':
            g_string_append(out, "\\n");
            break;
        case '\r':
            g_string_append(out, "\\r");
            break;
        case '\t':
            g_string_append(out, "\\t");
            break;
        default:
            if (cp < 0) {
                cp = 0xFFFD; /* replacement character */
            }
            if (cp > 0xFFFF) {
                append_u_escape(out, 0xD800 + ((cp - 0x10000) >> 10));
                append_u_escape(out, 0xDC00 + ((cp - 0x10000) & 0x3FF));
            } else {
                append_u_escape(out, (uint32_t)cp);
            }
            break;
        }
    }
    g_string_append_c(out, '"');
}

void ph_json_write_int(GString *out, gint64 v)
{
    char buf[24];
    char *p = buf + sizeof(buf);
    uint64_t mag = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;

    do {
        *--p = (char)('0' + mag % 10);
        mag /= 10;
    } while (mag);
    if (v < 0) {
        *--p = '-';
    }
    g_string_append_len(out, p, buf + sizeof(buf) - p);
}

void ph_json_write_double(GString *out, double d)
{
    char buf[G_ASCII_DTOSTR_BUF_SIZE];

    /* QEMU prints "%.17g"; g_ascii_formatd() does that in the C locale
     * whatever LC_NUMERIC the GUI set.  inf and nan come out as printf
     * spells them, as in QEMU. */
    g_string_append(out, g_ascii_formatd(buf, sizeof(buf), "%.17g", d));
}

static Member *push_member(Writer *w)
{
    if (w->len == w->cap) {
        size_t cap = w->cap * 2;

        if (w->members == w->inline_members) {
            w->members = g_new(Member, cap);
            memcpy(w->members, w->inline_members, w->len * sizeof(Member));
        } else {
            w->members = g_renew(Member, w->members, cap);
        }
        w->cap = cap;
    }
    return &w->members[w->len++];
}

static int member_cmp(const void *a, const void *b)
{
    uint64_t x = ((const Member *)a)->order;
    uint64_t y = ((const Member *)b)->order;

    return x < y ? -1 : x > y;
}

static void sort_members(Member *m, size_t n)
{
    size_t i, j;

    if (n > 16) {
        qsort(m, n, sizeof(*m), member_cmp);
        return;
    }
    for (i = 1; i < n; i++) {
        Member tmp = m[i];

        for (j = i; j > 0 && m[j - 1].order > tmp.order; j--) {
            m[j] = m[j - 1];
        }
        m[j] = tmp;
    }
}

/* Pushes the members of @obj in QDict order; returns how many. */
static size_t push_members(Writer *w, JsonObject *obj)
{
    size_t base = w->len;
    uint32_t index = 0;
    JsonObjectIter iter;
    const char *name;
    JsonNode *member;

    json_object_iter_init_ordered(&iter, obj);
    while (json_object_iter_next_ordered(&iter, &name, &member)) {
        Member *m = push_member(w);

        /* Within a bucket QEMU lists the newest entry first. */
        m->order = ((uint64_t)qdict_bucket(name) << 32) | (UINT32_MAX - index);
        m->name = name;
        m->node = member;
        index++;
    }
    sort_members(w->members + base, index);
    return index;
}

static void write_object(Writer *w, JsonObject *obj)
{
    size_t base = w->len;
    size_t n = push_members(w, obj);
    size_t i;

    g_string_append_c(w->out, '{');
    /* The nested writes push above w->len, so index from base each time:
     * w->members may move. */
    for (i = base; i < base + n; i++) {
        if (i > base) {
            g_string_append(w->out, ", ");
        }
        ph_json_write_string(w->out, w->members[i].name);
        g_string_append(w->out, ": ");
        write_node(w, w->members[i].node);
    }
    g_string_append_c(w->out, '}');
    w->len = base;
}

static void write_array(Writer *w, JsonArray *array)
{
    guint n = json_array_get_length(array);
    guint i;

    g_string_append_c(w->out, '[');
    for (i = 0; i < n; i++) {
        if (i) {
            g_string_append(w->out, ", ");
        }
        write_node(w, json_array_get_element(array, i));
    }
    g_string_append_c(w->out, ']');
}

static void write_node(Writer *w, JsonNode *node)
{
    if (node == NULL) {
        g_string_append(w->out, "null");
        return;
    }
    switch (json_node_get_node_type(node)) {
    case JSON_NODE_OBJECT:
        write_object(w, json_node_get_object(node));
        break;
    case JSON_NODE_ARRAY:
        write_array(w, json_node_get_array(node));
        break;
    case JSON_NODE_NULL:
        g_string_append(w->out, "null");
        break;
    case JSON_NODE_VALUE:
        switch (json_node_get_value_type(node)) {
        case G_TYPE_INT64:
            ph_json_write_int(w->out, json_node_get_int(node));
            break;
        case G_TYPE_DOUBLE:
            ph_json_write_double(w->out, json_node_get_double(node));
            break;
        case G_TYPE_BOOLEAN:
            g_string_append(w->out,
                            json_node_get_boolean(node) ? "true" : "false");
            break;
        case G_TYPE_STRING:
            ph_json_write_string(w->out, json_node_get_string(node));
            break;
        default:
            g_string_append(w->out, "null");
            break;
        }
        break;
    }
}

static void writer_init(Writer *w, GString *out)
{
    w->out = out;
    w->members = w->inline_members;
    w->len = 0;
    w->cap = G_N_ELEMENTS(w->inline_members);
}

static void writer_finish(Writer *w)
{
    if (w->members != w->inline_members) {
        g_free(w->members);
    }
}

void ph_json_write(GString *out, JsonNode *node)
{
    Writer w;

    writer_init(&w, out);
    write_node(&w, node);
    writer_finish(&w);
}

char *ph_json_to_string(JsonNode *node)
{
    GString *out = g_string_sized_new(128);

    ph_json_write(out, node);
    return g_string_free(out, FALSE);
}

GList *ph_json_object_get_members_qdict_order(JsonObject *obj)
{
    GList *list = NULL;
    Writer w;
    size_t n;

    writer_init(&w, NULL);
    n = push_members(&w, obj);
    while (n > 0) {
        list = g_list_prepend(list, (gpointer)w.members[--n].name);
    }
    writer_finish(&w);
    return list;
}
