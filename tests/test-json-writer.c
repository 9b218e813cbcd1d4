/* The QMP JSON writer: QEMU 7.2's bytes for the same values. */
#include "config.h"

#include <locale.h>
#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "json-streamer.h"
#include "json-writer.h"

/*
 * The expected texts are what qemu-system-riscv64 7.2 (Debian
 * 1:7.2+dfsg-7+deb12u18) sent on its QMP socket: its greeting, replies,
 * events, and values sent to it as "id" and echoed back.
 */

static char *write_node(JsonNode *node)
{
    GString *out = g_string_new("prefix:");
    char *text;

    /* ph_json_write() appends. */
    ph_json_write(out, node);
    g_assert_true(g_str_has_prefix(out->str, "prefix:"));
    text = g_strdup(out->str + strlen("prefix:"));
    g_string_free(out, TRUE);
    return text;
}

static void assert_writes(JsonNode *node, const char *expected)
{
    g_autofree char *text = write_node(node);
    g_autofree char *text2 = ph_json_to_string(node);

    g_assert_cmpstr(text, ==, expected);
    g_assert_cmpstr(text2, ==, expected);
}

static void build_version(JsonBuilder *b, bool reversed)
{
    json_builder_begin_object(b);
    if (reversed) {
        json_builder_set_member_name(b, "package");
        json_builder_add_string_value(b, "Debian 1:7.2+dfsg-7+deb12u18+b3");
    }
    json_builder_set_member_name(b, "qemu");
    json_builder_begin_object(b);
    /* "micro" and "minor" share a QDict bucket: QEMU lists the one added
     * last first.  QAPI adds major, minor, micro. */
    json_builder_set_member_name(b, "major");
    json_builder_add_int_value(b, 7);
    json_builder_set_member_name(b, "minor");
    json_builder_add_int_value(b, 2);
    json_builder_set_member_name(b, "micro");
    json_builder_add_int_value(b, 22);
    json_builder_end_object(b);
    if (!reversed) {
        json_builder_set_member_name(b, "package");
        json_builder_add_string_value(b, "Debian 1:7.2+dfsg-7+deb12u18+b3");
    }
    json_builder_end_object(b);
}

static void test_greeting(void)
{
    int reversed;

    for (reversed = 0; reversed < 2; reversed++) {
        g_autoptr(JsonBuilder) b = json_builder_new();
        g_autoptr(JsonNode) node = NULL;

        json_builder_begin_object(b);
        json_builder_set_member_name(b, "QMP");
        json_builder_begin_object(b);
        if (reversed) {
            json_builder_set_member_name(b, "capabilities");
            json_builder_begin_array(b);
            json_builder_add_string_value(b, "oob");
            json_builder_end_array(b);
        }
        json_builder_set_member_name(b, "version");
        build_version(b, reversed);
        if (!reversed) {
            json_builder_set_member_name(b, "capabilities");
            json_builder_begin_array(b);
            json_builder_add_string_value(b, "oob");
            json_builder_end_array(b);
        }
        json_builder_end_object(b);
        json_builder_end_object(b);
        node = json_builder_get_root(b);
        assert_writes(node,
                      "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 22, "
                      "\"minor\": 2, \"major\": 7}, \"package\": \"Debian "
                      "1:7.2+dfsg-7+deb12u18+b3\"}, \"capabilities\": "
                      "[\"oob\"]}}");
    }
}

static void test_same_bucket_order(void)
{
    /* Within a bucket the newest member comes first (QEMU echoed
     * {"micro":1,"minor":2,"major":3} as below). */
    g_autoptr(JsonBuilder) b = json_builder_new();
    g_autoptr(JsonNode) node = NULL;

    json_builder_begin_object(b);
    json_builder_set_member_name(b, "micro");
    json_builder_add_int_value(b, 1);
    json_builder_set_member_name(b, "minor");
    json_builder_add_int_value(b, 2);
    json_builder_set_member_name(b, "major");
    json_builder_add_int_value(b, 3);
    json_builder_end_object(b);
    node = json_builder_get_root(b);
    assert_writes(node, "{\"minor\": 2, \"micro\": 1, \"major\": 3}");
}

/* Parses @json (any order) with json-glib, writes it with ph_json_write(). */
static void assert_rewrites(const char *json, const char *expected)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonNode) node = json_from_string(json, &error);

    g_assert_no_error(error);
    assert_writes(node, expected);
}

static void test_replies(void)
{
    /* Whatever order the members were added in, QEMU's order comes out. */
    assert_rewrites("{\"id\": \"a\", \"return\": {\"running\": false, "
                    "\"singlestep\": false, \"status\": \"prelaunch\"}}",
                    "{\"return\": {\"status\": \"prelaunch\", \"singlestep\": "
                    "false, \"running\": false}, \"id\": \"a\"}");
    assert_rewrites("{\"return\": {}}", "{\"return\": {}}");
    assert_rewrites("{\"error\": {\"class\": \"CommandNotFound\", \"desc\": "
                    "\"The command nosuch has not been found\"}, \"id\": "
                    "{\"x\": 1}}",
                    "{\"id\": {\"x\": 1}, \"error\": {\"class\": "
                    "\"CommandNotFound\", \"desc\": \"The command nosuch has "
                    "not been found\"}}");
    assert_rewrites("{\"error\": {\"desc\": \"JSON parse error, expecting "
                    "value\", \"class\": \"GenericError\"}}",
                    "{\"error\": {\"class\": \"GenericError\", \"desc\": "
                    "\"JSON parse error, expecting value\"}}");
    assert_rewrites("{\"return\": {\"present\": false, \"enabled\": false}}",
                    "{\"return\": {\"enabled\": false, \"present\": false}}");
    assert_rewrites("{\"event\": \"RESUME\", \"timestamp\": {\"microseconds\": "
                    "369662, \"seconds\": 1795325287}}",
                    "{\"timestamp\": {\"seconds\": 1795325287, "
                    "\"microseconds\": 369662}, \"event\": \"RESUME\"}");
    assert_rewrites("{\"data\": {\"reason\": \"host-qmp-system-reset\", "
                    "\"guest\": false}, \"event\": \"RESET\", \"timestamp\": "
                    "{\"seconds\": 1795325288, \"microseconds\": 387390}}",
                    "{\"timestamp\": {\"seconds\": 1795325288, "
                    "\"microseconds\": 387390}, \"event\": \"RESET\", "
                    "\"data\": {\"guest\": false, \"reason\": "
                    "\"host-qmp-system-reset\"}}");
    assert_rewrites("{\"b\":1,\"a\":2,\"c\":[],\"d\":{}}",
                    "{\"d\": {}, \"a\": 2, \"b\": 1, \"c\": []}");
    assert_rewrites("[1,[2,{}],true,false,null,\"x\"]",
                    "[1, [2, {}], true, false, null, \"x\"]");
    assert_rewrites("[]", "[]");
    assert_rewrites("{}", "{}");
    assert_rewrites("[[], {}, [[]]]", "[[], {}, [[]]]");
}

static void test_many_members(void)
{
    /* More members than the writer's inline scratch, nested, with keys
     * sharing buckets (k20..k29): QEMU echoed {"k0":0,...,"k29":29} as
     * below. */
    static const char expected[] =
        "{\"k5\": 5, \"k29\": 29, \"k28\": 28, \"k27\": 27, \"k26\": 26, "
        "\"k25\": 25, \"k24\": 24, \"k23\": 23, \"k22\": 22, \"k21\": 21, "
        "\"k20\": 20, \"k8\": 8, \"k1\": 1, \"k4\": 4, \"k19\": 19, "
        "\"k18\": 18, \"k17\": 17, \"k16\": 16, \"k15\": 15, \"k14\": 14, "
        "\"k13\": 13, \"k12\": 12, \"k11\": 11, \"k10\": 10, \"k7\": 7, "
        "\"k0\": 0, \"k3\": 3, \"k6\": 6, \"k9\": 9, \"k2\": 2}";
    JsonObject *obj = json_object_new();
    JsonArray *list = json_array_new();
    g_autoptr(JsonNode) node = json_node_init_object(json_node_alloc(), obj);
    g_autoptr(JsonNode) outer = json_node_init_array(json_node_alloc(), list);
    g_autofree char *twice = NULL;
    int i;

    for (i = 0; i < 30; i++) {
        char key[16];

        g_snprintf(key, sizeof(key), "k%d", i);
        json_object_set_int_member(obj, key, i);
    }
    assert_writes(node, expected);

    /* The same object twice inside a list: the scratch stack unwinds. */
    json_array_add_object_element(list, json_object_ref(obj));
    json_array_add_object_element(list, json_object_ref(obj));
    json_object_unref(obj);
    json_array_unref(list);
    twice = g_strdup_printf("[%s, %s]", expected, expected);
    assert_writes(outer, twice);

    /* Members of nested objects stack up beyond the inline scratch. */
    {
        JsonObject *big = json_object_new();
        g_autoptr(JsonNode) big_node =
            json_node_init_object(json_node_alloc(), big);
        g_autofree char *text = NULL;
        g_autofree char *inner = g_strdup_printf("\"inner\": %s", expected);

        for (i = 0; i < 40; i++) {
            char key[16];

            g_snprintf(key, sizeof(key), "m%d", i);
            json_object_set_int_member(big, key, i);
        }
        json_object_set_member(big, "inner", json_node_copy(node));
        json_object_unref(big);
        text = ph_json_to_string(big_node);
        g_assert_nonnull(strstr(text, inner));
        for (i = 0; i < 40; i++) {
            g_autofree char *member = g_strdup_printf("\"m%d\": %d", i, i);

            g_assert_nonnull(strstr(text, member));
        }
    }
}

static void test_strings(void)
{
    static const struct {
        const char *in; /* bytes of the string */
        const char *out;
    } cases[] = {
        { "", "\"\"" },
        { "plain ASCII ~", "\"plain ASCII ~\"" },
        { "a/b", "\"a/b\"" },
        { "\"\\\b\f\n\r\t", "\"\\\"\\\\\\b\\f\\n\\r\\t\"" },
        { "\x01\x1f\x7f", "\"\\u0001\\u001F\\u007F\"" },
        { "\xc3\xa9 \xe2\x82\xac", "\"\\u00E9 \\u20AC\"" },
        { "\xf0\x9f\x98\x80", "\"\\uD83D\\uDE00\"" },
        { "\xef\xbf\xbd", "\"\\uFFFD\"" },
        /* Modified UTF-8 U+0000 */
        { "\xc0\x80", "\"\\u0000\"" },
        /* Invalid sequences: one U+FFFD per sequence, as QEMU decides
         * where a sequence ends (all checked through QEMU's "stray"
         * error messages, which quote raw input). */
        { "\xff", "\"\\uFFFD\"" },
        { "\xc3(", "\"\\uFFFD(\"" },
        { "\xe2\x82(", "\"\\uFFFD(\"" },
        { "\xf0\x9f\x98(", "\"\\uFFFD(\"" },
        { "\xed\xa0\x80", "\"\\uFFFD\"" },
        { "\xef\xbf\xbe", "\"\\uFFFD\"" },
        { "\xef\xb7\x90", "\"\\uFFFD\"" },
        { "\xc1\xbf", "\"\\uFFFD\"" },
        { "\xe0\x80\xaf", "\"\\uFFFD\"" },
        { "\xf4\x90\x80\x80", "\"\\uFFFD\"" },
        { "\xf8\x88\x80\x80\x80", "\"\\uFFFD\"" },
        { "\xfc\x84\x80\x80\x80\x80", "\"\\uFFFD\"" },
        { "\x80\x80", "\"\\uFFFD\\uFFFD\"" },
        { "\xc3", "\"\\uFFFD\"" },
    };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(JsonNode) node =
            json_node_init_string(json_node_alloc(), cases[i].in);

        assert_writes(node, cases[i].out);
    }

    /* Keys are written the same way. */
    {
        JsonObject *obj = json_object_new();
        g_autoptr(JsonNode) node =
            json_node_init_object(json_node_alloc(), obj);

        json_object_set_null_member(obj, "\xc3\xa9\n");
        json_object_unref(obj);
        assert_writes(node, "{\"\\u00E9\\n\": null}");
    }
}

static void test_numbers(void)
{
    static const struct {
        double d;
        const char *out;
    } doubles[] = {
        { 0.1, "0.10000000000000001" },
        { 1.5, "1.5" },
        { 1e19, "1e+19" },
        { 1.0, "1" },
        { 100.0, "100" },
        { -0.0, "-0" },
        { 1e-7, "9.9999999999999995e-08" },
        { 1e21, "1e+21" },
        { 2.5e-300, "2.5e-300" },
        { 3.14159, "3.1415899999999999" },
        { 1.2345678901234568e+29, "1.2345678901234568e+29" },
        { -9223372036854775809.0, "-9.2233720368547758e+18" },
        { HUGE_VAL, "inf" },
        { -HUGE_VAL, "-inf" },
    };
    static const struct {
        gint64 i;
        const char *out;
    } ints[] = {
        { 0, "0" },
        { -1, "-1" },
        { 42, "42" },
        { G_MAXINT64, "9223372036854775807" },
        { G_MININT64, "-9223372036854775808" },
    };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(doubles); i++) {
        g_autoptr(JsonNode) node =
            json_node_init_double(json_node_alloc(), doubles[i].d);

        assert_writes(node, doubles[i].out);
    }
    for (i = 0; i < G_N_ELEMENTS(ints); i++) {
        g_autoptr(JsonNode) node =
            json_node_init_int(json_node_alloc(), ints[i].i);

        assert_writes(node, ints[i].out);
    }
    {
        g_autoptr(JsonNode) t = json_node_init_boolean(json_node_alloc(), TRUE);
        g_autoptr(JsonNode) f =
            json_node_init_boolean(json_node_alloc(), FALSE);
        g_autoptr(JsonNode) n = json_node_init_null(json_node_alloc());

        assert_writes(t, "true");
        assert_writes(f, "false");
        assert_writes(n, "null");
    }
}

static void test_numbers_locale(void)
{
    /* The GUI sets the user's locale; a decimal comma must not leak in. */
    static const char *const locales[] = {
        "de_DE.UTF-8",
        "fr_FR.UTF-8",
        "de_DE.utf8",
        "fr_FR.utf8",
    };
    g_autofree char *saved = g_strdup(setlocale(LC_NUMERIC, NULL));
    const char *set = NULL;
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(locales) && !set; i++) {
        set = setlocale(LC_NUMERIC, locales[i]);
    }
    if (!set) {
        g_test_skip("no locale with a decimal comma installed");
        return;
    }
    {
        g_autoptr(JsonNode) node =
            json_node_init_double(json_node_alloc(), 1.5);

        assert_writes(node, "1.5");
    }
    setlocale(LC_NUMERIC, saved);
}

static char *members_joined(const char *json)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonNode) node = json_from_string(json, &error);
    g_autoptr(GList) members = NULL;
    GString *out = g_string_new(NULL);
    GList *l;

    g_assert_no_error(error);
    members =
        ph_json_object_get_members_qdict_order(json_node_get_object(node));
    for (l = members; l; l = l->next) {
        g_string_append_printf(out, "%s%s", l == members ? "" : " ",
                               (const char *)l->data);
    }
    return g_string_free(out, FALSE);
}

static void test_members_qdict_order(void)
{
    /* QEMU reports 'aaa' as the unexpected member of both requests: it
     * walks the QDict, where "aaa" comes before "zzz" and "execute". */
    g_autofree char *a =
        members_joined("{\"zzz\":1,\"aaa\":2,\"execute\":\"query-status\"}");
    g_autofree char *b =
        members_joined("{\"aaa\":2,\"zzz\":1,\"execute\":\"query-status\"}");
    g_autofree char *c =
        members_joined("{\"major\":1,\"minor\":2,\"micro\":3}");
    g_autofree char *e = members_joined("{}");

    g_assert_true(g_str_has_prefix(a, "aaa "));
    g_assert_cmpstr(a, ==, b);
    g_assert_cmpstr(c, ==, "micro minor major");
    g_assert_cmpstr(e, ==, "");
}

/* What QEMU echoed for these "id" values, through the streamer and the
 * writer together. */
static void round_trip_emit(void *opaque, JsonNode *node, GError *error)
{
    GString *out = opaque;

    g_assert_no_error(error);
    ph_json_write(out, node);
    g_string_append_c(out, '\n');
    json_node_unref(node);
}

static void test_round_trip(void)
{
    static const struct {
        const char *in;
        const char *out;
    } cases[] = {
        { "\"\\u00e9 \xc3\xa9 \\ud83d\\ude00 \xf0\x9f\x98\x80\"",
          "\"\\u00E9 \\u00E9 \\uD83D\\uDE00 \\uD83D\\uDE00\"" },
        { "\"\\u0000|\\u007f|\\u0080|a/b\\/c\"",
          "\"\\u0000|\\u007F|\\u0080|a/b/c\"" },
        { "'single \"q\" \\'s\\''", "\"single \\\"q\\\" 's'\"" },
        { "{\"b\":1,\"a\":2,\"c\":[],\"d\":{}}",
          "{\"d\": {}, \"a\": 2, \"b\": 1, \"c\": []}" },
        { "{\"major\":1,\"minor\":2,\"micro\":3}",
          "{\"micro\": 3, \"minor\": 2, \"major\": 1}" },
        { "[1,[2,{}],true,false,null,\"x\"]",
          "[1, [2, {}], true, false, null, \"x\"]" },
        { "0.1", "0.10000000000000001" },
        { "1E400", "inf" },
        { "-0", "0" },
        { "-0.0", "-0" },
    };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(cases); i++) {
        GString *out = g_string_new(NULL);
        PhJsonStreamer *s = ph_json_streamer_new(round_trip_emit, out);
        g_autofree char *expected = g_strconcat(cases[i].out, "\n", NULL);

        ph_json_streamer_feed(s, cases[i].in, strlen(cases[i].in));
        ph_json_streamer_flush(s);
        ph_json_streamer_free(s);
        g_assert_cmpstr(out->str, ==, expected);
        g_string_free(out, TRUE);
    }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    g_test_add_func("/json-writer/greeting", test_greeting);
    g_test_add_func("/json-writer/same-bucket-order", test_same_bucket_order);
    g_test_add_func("/json-writer/replies", test_replies);
    g_test_add_func("/json-writer/many-members", test_many_members);
    g_test_add_func("/json-writer/strings", test_strings);
    g_test_add_func("/json-writer/numbers", test_numbers);
    g_test_add_func("/json-writer/numbers-locale", test_numbers_locale);
    g_test_add_func("/json-writer/round-trip", test_round_trip);
    g_test_add_func("/json-writer/members-qdict-order",
                    test_members_qdict_order);
    return g_test_run();
}
