/* QAPI flat unions: generated C round-trips JSON with QEMU's errors, and introspection matches QEMU 7.2. */
#include "config.h"

#include <string.h>

#include <glib.h>
#include <json-glib/json-glib.h>

#include "json-writer.h"
#include "qapi-introspect.h"
#include "test_qapi-types.h"

static JsonNode *parse(const char *text)
{
    g_autoptr(GError) error = NULL;
    JsonNode *node = json_from_string(text, &error);

    g_assert_no_error(error);
    g_assert_nonnull(node);
    return node;
}

static char *write_node(JsonNode *node)
{
    GString *out = g_string_new(NULL);

    ph_json_write(out, node);
    return g_string_free(out, FALSE);
}

/* ---- round trips through the test schema's unions ---- */

/* Each input, converted and written back: QEMU's member order, so the
 * expected text is the input with its members in QDict order. */
static const char *const drawings[] = {
    "{\"id\": \"c\", \"kind\": \"one\", \"data\": {\"shape\": \"circle\", \"radius\": 5}}",
    "{\"id\": \"r\", \"kind\": \"one\", \"data\": {\"shape\": \"rect\", \"name\": \"n\", "
    "\"width\": 2, \"height\": 3, \"label\": \"hi\"}}",
    "{\"id\": \"r2\", \"kind\": \"one\", \"data\": {\"shape\": \"rect\", \"width\": 7}}",
    "{\"id\": \"d\", \"kind\": \"one\", \"data\": {\"shape\": \"dot\"}}",
    "{\"id\": \"m\", \"kind\": \"many\", \"data\": [{\"shape\": \"dot\", \"name\": \"x\"}, "
    "{\"shape\": \"circle\", \"radius\": -1}, {\"shape\": \"rect\", \"width\": 0, \"label\": \"\"}]}",
    "{\"id\": \"e\", \"kind\": \"many\", \"data\": []}",
    "{\"id\": \"n\", \"kind\": \"nothing\"}",
};

static void test_round_trip(void)
{
    for (gsize i = 0; i < G_N_ELEMENTS(drawings); i++) {
        g_autoptr(JsonNode) in = parse(drawings[i]);
        g_autoptr(TestDrawing) d = NULL;
        g_autoptr(TestDrawing) again = NULL;
        g_autoptr(GError) error = NULL;
        g_autoptr(JsonNode) tree = NULL;
        g_autoptr(JsonNode) reparsed = NULL;
        g_autofree char *via_tree = NULL;
        g_autofree char *qemu_order = NULL;
        GString *text = g_string_new(NULL);
        GString *text2 = g_string_new(NULL);

        g_assert_true(qapi_from_json_TestDrawing(in, NULL, &d, &error));
        g_assert_no_error(error);
        qapi_write_TestDrawing(text, d);
        tree = qapi_to_json_TestDrawing(d);
        via_tree = write_node(tree);
        /* Both outputs agree, carry exactly the input's members... */
        g_assert_cmpstr(text->str, ==, via_tree);
        reparsed = parse(text->str);
        g_assert_true(json_node_equal(in, reparsed));
        /* ...and in QEMU's order, which ph_json_write() reproduces. */
        qemu_order = write_node(in);
        g_assert_cmpstr(text->str, ==, qemu_order);
        /* Converting the output again gives the same text. */
        g_assert_true(qapi_from_json_TestDrawing(reparsed, NULL, &again, &error));
        g_assert_no_error(error);
        qapi_write_TestDrawing(text2, again);
        g_assert_cmpstr(text->str, ==, text2->str);
        g_string_free(text, TRUE);
        g_string_free(text2, TRUE);
    }
}

/* The C shape: base members, then the branch in 'u' by tag. */
static void test_c_fields(void)
{
    g_autoptr(JsonNode) one = parse(drawings[1]);
    g_autoptr(JsonNode) many = parse(drawings[4]);
    g_autoptr(TestDrawing) d = NULL;
    g_autoptr(TestDrawing) m = NULL;
    g_autoptr(GError) error = NULL;
    const TestFigure *f;
    const TestFigureList *l;

    g_assert_true(qapi_from_json_TestDrawing(one, NULL, &d, &error));
    g_assert_cmpstr(d->id, ==, "r");
    g_assert_cmpint(d->kind, ==, TEST_DRAWING_KIND_ONE);
    f = d->u.one.data;
    g_assert_cmpint(f->shape, ==, TEST_SHAPE_RECT);
    g_assert_true(f->has_name);
    g_assert_cmpstr(f->name, ==, "n");
    g_assert_cmpint(f->u.rect.width, ==, 2);
    g_assert_true(f->u.rect.has_height);
    g_assert_cmpint(f->u.rect.height, ==, 3);
    g_assert_true(f->u.rect.has_label);
    g_assert_cmpstr(f->u.rect.label, ==, "hi");

    g_assert_true(qapi_from_json_TestDrawing(many, NULL, &m, &error));
    g_assert_cmpint(m->kind, ==, TEST_DRAWING_KIND_MANY);
    l = m->u.many.data;
    g_assert_cmpint(l->value->shape, ==, TEST_SHAPE_DOT);
    g_assert_cmpstr(l->value->name, ==, "x");
    l = l->next;
    g_assert_cmpint(l->value->shape, ==, TEST_SHAPE_CIRCLE);
    g_assert_false(l->value->has_name);
    g_assert_cmpint(l->value->u.circle.radius, ==, -1);
    l = l->next;
    g_assert_cmpint(l->value->u.rect.width, ==, 0);
    g_assert_false(l->value->u.rect.has_height);
    g_assert_cmpstr(l->value->u.rect.label, ==, "");
    g_assert_null(l->next);

    /* Built in C and written: the branch of the tag only. */
    {
        TestFigure fig = { .shape = TEST_SHAPE_CIRCLE, .u.circle.radius = 9 };
        GString *out = g_string_new(NULL);

        qapi_write_TestFigure(out, &fig);
        g_assert_cmpstr(out->str, ==, "{\"shape\": \"circle\", \"radius\": 9}");
        fig.shape = TEST_SHAPE_DOT;
        g_string_truncate(out, 0);
        qapi_write_TestFigure(out, &fig);
        g_assert_cmpstr(out->str, ==, "{\"shape\": \"dot\"}");
        g_string_free(out, TRUE);
    }
}

/* Bad input: the first error QEMU's visitor would report, in its words. */
static const struct {
    const char *json, *error;
} bad_drawings[] = {
    { "{\"id\": \"a\"}", "Parameter 'kind' is missing" },
    { "{\"kind\": \"one\"}", "Parameter 'id' is missing" },
    { "{\"id\": 1, \"kind\": \"one\"}", "Invalid parameter type for 'id', expected: string" },
    { "{\"id\": \"a\", \"kind\": \"bogus\"}", "Parameter 'kind' does not accept value 'bogus'" },
    { "{\"id\": \"a\", \"kind\": 1}", "Invalid parameter type for 'kind', expected: string" },
    { "{\"id\": \"a\", \"kind\": \"one\"}", "Parameter 'data' is missing" },
    { "{\"id\": \"a\", \"kind\": \"one\", \"data\": []}",
      "Invalid parameter type for 'data', expected: object" },
    { "{\"id\": \"a\", \"kind\": \"one\", \"data\": {}}", "Parameter 'data.shape' is missing" },
    { "{\"id\": \"a\", \"kind\": \"one\", \"data\": {\"shape\": \"dot\", \"radius\": 1}}",
      "Parameter 'data.radius' is unexpected" },
    { "{\"id\": \"a\", \"kind\": \"one\", \"data\": {\"shape\": \"circle\", \"radius\": 1, "
      "\"width\": 2}}",
      "Parameter 'data.width' is unexpected" },
    { "{\"id\": \"a\", \"kind\": \"one\", \"data\": {\"shape\": \"circle\"}}",
      "Parameter 'data.radius' is missing" },
    { "{\"id\": \"a\", \"kind\": \"many\", \"data\": [{\"shape\": \"dot\"}, {\"shape\": \"rect\"}]}",
      "Parameter 'data[1].width' is missing" },
    { "{\"id\": \"a\", \"kind\": \"many\", \"data\": [{\"shape\": \"rect\", \"width\": 1, "
      "\"label\": 2}]}",
      "Invalid parameter type for 'data[0].label', expected: string" },
    { "{\"id\": \"a\", \"kind\": \"nothing\", \"data\": 1}", "Parameter 'data' is unexpected" },
    { "{\"id\": \"a\", \"kind\": \"one\", \"data\": {\"shape\": \"dot\"}, \"x\": 1}",
      "Parameter 'x' is unexpected" },
};

static void test_errors(void)
{
    for (gsize i = 0; i < G_N_ELEMENTS(bad_drawings); i++) {
        g_autoptr(JsonNode) in = parse(bad_drawings[i].json);
        TestDrawing *d = (TestDrawing *)&d;
        g_autoptr(GError) error = NULL;

        g_assert_false(qapi_from_json_TestDrawing(in, NULL, &d, &error));
        g_assert_null(d);
        g_assert_nonnull(error);
        if (strcmp(error->message, bad_drawings[i].error) != 0) {
            g_error("%s: got \"%s\", expected \"%s\"", bad_drawings[i].json, error->message,
                    bad_drawings[i].error);
        }
    }
}

/* ---- introspection against QEMU 7.2 ---- */

/* An entry's references to other entries, in a fixed order. */
static void entry_refs(JsonObject *entry, GPtrArray *refs)
{
    static const char *const keys[] = { "arg-type", "ret-type", "element-type" };

    for (gsize i = 0; i < G_N_ELEMENTS(keys); i++) {
        if (json_object_has_member(entry, keys[i])) {
            g_ptr_array_add(refs, (char *)json_object_get_string_member(entry, keys[i]));
        }
    }
    for (const char *const *k = (const char *const[]){ "members", "variants", NULL }; *k; k++) {
        JsonArray *list;

        if (!json_object_has_member(entry, *k)) {
            continue;
        }
        list = json_object_get_array_member(entry, *k);
        for (guint i = 0; i < json_array_get_length(list); i++) {
            JsonObject *m = json_array_get_object_element(list, i);

            if (json_object_has_member(m, "type")) {
                g_ptr_array_add(refs, (char *)json_object_get_string_member(m, "type"));
            }
        }
    }
}

typedef struct {
    GHashTable *entries;        /* name -> JsonObject */
    GHashTable *names;          /* name -> canonical name (owned) */
    GPtrArray *order;           /* names, in order of first visit */
    unsigned next;
} Walk;

/*
 * The canonical name of @name: commands, events and built-in types keep
 * theirs; other types are numbered in the order a depth-first walk from
 * the roots meets them, arrays named after their element.  Equal graphs
 * give equal names whatever numbers the two schemas chose.
 */
static const char *canon(Walk *w, const char *name)
{
    const char *known = g_hash_table_lookup(w->names, name);
    JsonObject *entry;
    const char *meta;
    g_autoptr(GPtrArray) refs = g_ptr_array_new();
    char *cname;

    if (known) {
        return known;
    }
    entry = g_hash_table_lookup(w->entries, name);
    if (!entry) {
        g_error("query-qmp-schema: no entry \"%s\"", name);
    }
    meta = json_object_get_string_member(entry, "meta-type");
    if (g_str_equal(meta, "array")) {
        const char *elem = canon(w, json_object_get_string_member(entry, "element-type"));

        /* The element's walk may have come back here. */
        if (!g_hash_table_contains(w->names, name)) {
            g_hash_table_insert(w->names, (char *)name, g_strdup_printf("[%s]", elem));
            g_ptr_array_add(w->order, (char *)name);
        }
        return g_hash_table_lookup(w->names, name);
    }
    if (g_str_equal(meta, "command") || g_str_equal(meta, "event") ||
        g_str_equal(meta, "builtin")) {
        cname = g_strdup(name);
    } else {
        cname = g_strdup_printf("T%u", w->next++);
    }
    g_hash_table_insert(w->names, (char *)name, cname);
    g_ptr_array_add(w->order, (char *)name);
    entry_refs(entry, refs);
    for (guint i = 0; i < refs->len; i++) {
        canon(w, refs->pdata[i]);
    }
    return cname;
}

static void rename_member(Walk *w, JsonObject *obj, const char *key)
{
    if (json_object_has_member(obj, key)) {
        const char *old = json_object_get_string_member(obj, key);

        json_object_set_string_member(obj, key, g_hash_table_lookup(w->names, old));
    }
}

/* The entries reached from @roots, renamed and written as QEMU writes them. */
static GPtrArray *walk_texts(GHashTable *entries, const char *const *roots)
{
    Walk w = {
        .entries = entries,
        .names = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, g_free),
        .order = g_ptr_array_new(),
    };
    GPtrArray *texts = g_ptr_array_new_with_free_func(g_free);

    for (; *roots; roots++) {
        canon(&w, *roots);
    }
    for (guint i = 0; i < w.order->len; i++) {
        const char *name = w.order->pdata[i];
        g_autoptr(JsonNode) entry = json_node_new(JSON_NODE_OBJECT);
        g_autoptr(JsonNode) copy = NULL;
        g_autofree char *text = NULL;
        JsonObject *obj;

        /* A deep copy (json_node_copy() shares the object), in the
         * original's member order. */
        json_node_set_object(entry, g_hash_table_lookup(entries, name));
        text = json_to_string(entry, FALSE);
        copy = parse(text);
        obj = json_node_get_object(copy);
        rename_member(&w, obj, "name");
        rename_member(&w, obj, "arg-type");
        rename_member(&w, obj, "ret-type");
        rename_member(&w, obj, "element-type");
        for (const char *const *k = (const char *const[]){ "members", "variants", NULL }; *k;
             k++) {
            if (json_object_has_member(obj, *k)) {
                JsonArray *list = json_object_get_array_member(obj, *k);

                for (guint j = 0; j < json_array_get_length(list); j++) {
                    rename_member(&w, json_array_get_object_element(list, j), "type");
                }
            }
        }
        g_ptr_array_add(texts, write_node(copy));
    }
    g_hash_table_unref(w.names);
    g_ptr_array_unref(w.order);
    return texts;
}

static GHashTable *index_entries(JsonArray *list)
{
    GHashTable *entries = g_hash_table_new(g_str_hash, g_str_equal);

    for (guint i = 0; i < json_array_get_length(list); i++) {
        JsonObject *entry = json_array_get_object_element(list, i);

        g_assert_true(g_hash_table_insert(
            entries, (char *)json_object_get_string_member(entry, "name"), entry));
    }
    return entries;
}

static void test_introspection_matches_qemu(void)
{
    static const char *const roots[] = { "input-send-event", "send-key", NULL };
    const char *path = g_test_get_filename(G_TEST_DIST, "qapi", "qemu-7.2-input-schema.txt", NULL);
    g_autofree char *ref_text = NULL;
    g_auto(GStrv) lines = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonNode) ours = parse(qmp_schema_json);
    g_autoptr(JsonArray) ref = json_array_new();
    g_autoptr(GHashTable) our_entries = NULL;
    g_autoptr(GHashTable) ref_entries = NULL;
    g_autoptr(GPtrArray) our_texts = NULL;
    g_autoptr(GPtrArray) ref_texts = NULL;

    g_assert_true(g_file_get_contents(path, &ref_text, NULL, &error));
    g_assert_no_error(error);
    lines = g_strsplit(ref_text, "\n", -1);
    for (char **l = lines; *l; l++) {
        JsonNode *node;

        if (!**l || **l == '#') {
            continue;
        }
        node = parse(*l);
        /* QEMU's text is what our writer makes of it. */
        g_autofree char *again = write_node(node);
        g_assert_cmpstr(again, ==, *l);
        json_array_add_element(ref, node);
    }
    g_assert_cmpuint(json_array_get_length(ref), >, 20);

    our_entries = index_entries(json_node_get_array(ours));
    ref_entries = index_entries(ref);
    our_texts = walk_texts(our_entries, roots);
    ref_texts = walk_texts(ref_entries, roots);
    for (guint i = 0; i < MIN(our_texts->len, ref_texts->len); i++) {
        if (strcmp(our_texts->pdata[i], ref_texts->pdata[i]) != 0) {
            g_error("entry %u differs:\n  ours: %s\n  QEMU: %s", i, (char *)our_texts->pdata[i],
                    (char *)ref_texts->pdata[i]);
        }
    }
    g_assert_cmpuint(our_texts->len, ==, ref_texts->len);
    /* The commands are generated now: their arguments are listed. */
    g_assert_true(strstr(our_texts->pdata[0], "\"arg-type\": \"T0\"") != NULL);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/qapi/union/round-trip", test_round_trip);
    g_test_add_func("/qapi/union/c-fields", test_c_fields);
    g_test_add_func("/qapi/union/errors", test_errors);
    g_test_add_func("/qapi/union/introspection-matches-qemu-7.2",
                    test_introspection_matches_qemu);
    return g_test_run();
}
