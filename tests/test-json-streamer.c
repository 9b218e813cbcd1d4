/* QMP input streamer: value boundaries, errors and limits as in QEMU 7.2. */
#include "config.h"

#include <stdbool.h>
#include <string.h>

#include "json-streamer.h"
#include "json-writer.h"

/*
 * Every expected output below was checked against qemu-system-riscv64 7.2
 * (Debian 1:7.2+dfsg-7+deb12u18): the input sent on a negotiated QMP
 * socket, each reply's "desc" (errors) or the value echoed as "id"
 * (values).  Flush results were checked through -blockdev, whose JSON
 * parser flushes at the end of the string.
 *
 * Outputs are written one per line: "V <value as ph_json_write() prints it>"
 * or "E <error message, raw bytes>".
 */

typedef struct {
    GString *log;
    guint values;
    guint errors;
    bool quiet; /* count values, do not log them */
} Sink;

static void sink_emit(void *opaque, JsonNode *node, GError *error)
{
    Sink *sink = opaque;

    g_assert_true((node == NULL) != (error == NULL));
    if (error) {
        g_assert_true(error->domain == PH_JSON_ERROR);
        g_string_append_printf(sink->log, "E %s\n", error->message);
        sink->errors++;
        g_error_free(error);
    } else if (sink->quiet) {
        sink->values++;
        json_node_unref(node);
    } else {
        g_string_append(sink->log, "V ");
        ph_json_write(sink->log, node);
        g_string_append_c(sink->log, '\n');
        sink->values++;
        json_node_unref(node);
    }
}

static void sink_init(Sink *sink)
{
    sink->log = g_string_new(NULL);
    sink->values = sink->errors = 0;
    sink->quiet = false;
}

static void sink_clear(Sink *sink)
{
    g_string_free(sink->log, TRUE);
}

/* Feeds @len bytes in pieces of @chunk bytes, then flushes if asked. */
static char *run_chunked(const char *in, size_t len, size_t chunk, bool flush)
{
    Sink sink;
    PhJsonStreamer *s;
    size_t i;

    sink_init(&sink);
    s = ph_json_streamer_new(sink_emit, &sink);
    for (i = 0; i < len; i += chunk) {
        ph_json_streamer_feed(s, in + i, MIN(chunk, len - i));
    }
    if (flush) {
        ph_json_streamer_flush(s);
    }
    ph_json_streamer_free(s);
    return g_string_free(sink.log, FALSE);
}

static char *run(const char *in, bool flush)
{
    return run_chunked(in, strlen(in), MAX(strlen(in), 1), flush);
}

/* Whole, byte by byte, and cut in two at every position: same output. */
static void check_all_splits(const char *in, size_t len, bool flush,
                             const char *expected)
{
    size_t cut;
    char *got;

    got = run_chunked(in, len, MAX(len, 1), flush);
    g_assert_cmpstr(got, ==, expected);
    g_free(got);
    got = run_chunked(in, len, 1, flush);
    g_assert_cmpstr(got, ==, expected);
    g_free(got);

    for (cut = 1; cut < len; cut++) {
        Sink sink;
        PhJsonStreamer *s;

        sink_init(&sink);
        s = ph_json_streamer_new(sink_emit, &sink);
        ph_json_streamer_feed(s, in, cut);
        ph_json_streamer_feed(s, in + cut, len - cut);
        if (flush) {
            ph_json_streamer_flush(s);
        }
        ph_json_streamer_free(s);
        g_assert_cmpstr(sink.log->str, ==, expected);
        sink_clear(&sink);
    }
}

typedef struct {
    const char *in;
    const char *out;
} Case;

static void check_cases(const Case *cases, size_t n, bool flush)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (g_test_verbose()) {
            g_test_message("input: %s", cases[i].in);
        }
        check_all_splits(cases[i].in, strlen(cases[i].in), flush, cases[i].out);
    }
}

static void test_values(void)
{
    static const Case cases[] = {
        { "{\"execute\":\"query-status\"}",
          "V {\"execute\": \"query-status\"}\n" },
        /* Several values in one feed, whitespace or nothing between. */
        { "{\"a\":1}{\"b\":2} [3]\n\"x\"\r\n\t{}",
          "V {\"a\": 1}\nV {\"b\": 2}\nV [3]\nV \"x\"\nV {}\n" },
        /* A number or keyword ends only at the next byte. */
        { "1 2 3", "V 1\nV 2\n" },
        { "true false null ", "V true\nV false\nV null\n" },
        { "nulX", "E JSON parse error, invalid keyword 'nul'\n"
                  "E JSON parse error, stray 'X'\n" },
        { "[1,[2,{}],true,false,null,\"x\"]",
          "V [1, [2, {}], true, false, null, \"x\"]\n" },
        { "{\"a\":{\"b\":{\"c\":[[[]]]}}}",
          "V {\"a\": {\"b\": {\"c\": [[[]]]}}}\n" },
        /* Objects come out in QEMU's QDict order, not input order. */
        { "{\"b\":1,\"a\":2,\"c\":[],\"d\":{}}",
          "V {\"d\": {}, \"a\": 2, \"b\": 1, \"c\": []}\n" },
        { "{\"major\":1,\"minor\":2,\"micro\":3}",
          "V {\"micro\": 3, \"minor\": 2, \"major\": 1}\n" },
        { "{\"micro\":1,\"minor\":2,\"major\":3}",
          "V {\"minor\": 2, \"micro\": 1, \"major\": 3}\n" },
    };

    check_cases(cases, G_N_ELEMENTS(cases), false);
}

static void test_numbers(void)
{
    static const Case cases[] = {
        { "0.1 ", "V 0.10000000000000001\n" },
        { "1.5 ", "V 1.5\n" },
        { "1e19 ", "V 1e+19\n" },
        { "1E400 ", "V inf\n" },
        { "-1E400 ", "V -inf\n" },
        { "-0.0 ", "V -0\n" },
        { "-0 ", "V 0\n" },
        { "1.0 ", "V 1\n" },
        { "100.0 ", "V 100\n" },
        { "1e-7 ", "V 9.9999999999999995e-08\n" },
        { "1e21 ", "V 1e+21\n" },
        { "2.5e-300 ", "V 2.5e-300\n" },
        { "3.14159 ", "V 3.1415899999999999\n" },
        { "1.5e3 -1.5E-3 1e+2 ", "V 1500\nV -0.0015\nV 100\n" },
        { "9223372036854775807 ", "V 9223372036854775807\n" },
        { "-9223372036854775808 ", "V -9223372036854775808\n" },
        { "-9223372036854775809 ", "V -9.2233720368547758e+18\n" },
        { "18446744073709551616 ", "V 1.8446744073709552e+19\n" },
        { "123456789012345678901234567890 ", "V 1.2345678901234568e+29\n" },
        /* QEMU keeps 2^63..2^64-1 as uint64 and echoes 18446744073709551615;
         * json-glib has no uint64, so Porthole has the nearest double. */
        { "18446744073709551615 ", "V 1.8446744073709552e+19\n" },
        /* 0 cannot be followed by a digit; 0e5 is 0, then a keyword. */
        { "0e5 ", "V 0\nE JSON parse error, invalid keyword 'e'\nV 5\n" },
    };

    check_cases(cases, G_N_ELEMENTS(cases), false);
}

/* Collects the nodes themselves, for checks of their json-glib types. */
static void collect_emit(void *opaque, JsonNode *node, GError *error)
{
    GPtrArray *nodes = opaque;

    g_assert_no_error(error);
    g_ptr_array_add(nodes, node);
}

static GPtrArray *parse_all(const char *in)
{
    GPtrArray *nodes =
        g_ptr_array_new_with_free_func((GDestroyNotify)json_node_unref);
    PhJsonStreamer *s = ph_json_streamer_new(collect_emit, nodes);

    ph_json_streamer_feed(s, in, strlen(in));
    ph_json_streamer_flush(s);
    ph_json_streamer_free(s);
    return nodes;
}

static void test_node_types(void)
{
    g_autoptr(GPtrArray) nodes = parse_all(
        "-9223372036854775808 9223372036854775807 9223372036854775808 1.0 "
        "\"\\u0000\\u00e9\\ud83d\\ude00\" 'it\\'s \"q\"' true null");
    JsonNode *n;

    g_assert_cmpuint(nodes->len, ==, 8);
    n = nodes->pdata[0];
    g_assert_cmpint(json_node_get_value_type(n), ==, G_TYPE_INT64);
    g_assert_cmpint(json_node_get_int(n), ==, G_MININT64);
    n = nodes->pdata[1];
    g_assert_cmpint(json_node_get_value_type(n), ==, G_TYPE_INT64);
    g_assert_cmpint(json_node_get_int(n), ==, G_MAXINT64);
    n = nodes->pdata[2];
    g_assert_cmpint(json_node_get_value_type(n), ==, G_TYPE_DOUBLE);
    g_assert_cmpfloat(json_node_get_double(n), ==, 9223372036854775808.0);
    n = nodes->pdata[3];
    g_assert_cmpint(json_node_get_value_type(n), ==, G_TYPE_DOUBLE);
    g_assert_cmpfloat(json_node_get_double(n), ==, 1.0);
    /* U+0000 is kept as C0 80 (modified UTF-8), the rest is UTF-8. */
    n = nodes->pdata[4];
    g_assert_cmpstr(json_node_get_string(n), ==,
                    "\xc0\x80\xc3\xa9\xf0\x9f\x98\x80");
    n = nodes->pdata[5];
    g_assert_cmpstr(json_node_get_string(n), ==, "it's \"q\"");
    n = nodes->pdata[6];
    g_assert_true(json_node_get_boolean(n));
    n = nodes->pdata[7];
    g_assert_true(JSON_NODE_HOLDS_NULL(n));
}

static void test_strings(void)
{
    static const Case cases[] = {
        { "\"\\u00e9 \xc3\xa9 \\ud83d\\ude00 \xf0\x9f\x98\x80\"",
          "V \"\\u00E9 \\u00E9 \\uD83D\\uDE00 \\uD83D\\uDE00\"\n" },
        { "\"\\u0000|\\u007f|\\u0080|a/b\\/c|\\\"\\\\\\b\\f\\n\\r\\t|"
          "\\u0001\\u001f\"",
          "V \"\\u0000|\\u007F|\\u0080|a/b/c|\\\"\\\\\\b\\f\\n\\r\\t|"
          "\\u0001\\u001F\"\n" },
        /* C0 80 is U+0000 in modified UTF-8, accepted raw too. */
        { "\"\xc0\x80\"", "V \"\\u0000\"\n" },
        { "\"\\ufffd\"", "V \"\\uFFFD\"\n" },
        { "\"\\uabcd\\uABCD\"", "V \"\\uABCD\\uABCD\"\n" },
        /* QEMU's single-quoted strings; \' works in both kinds. */
        { "'single \"q\" \\'s\\''", "V \"single \\\"q\\\" 's'\"\n" },
        { "\"\\'\"", "V \"'\"\n" },
        { "'\\\"'", "V \"\\\"\"\n" },
        { "\"'\" '\"'", "V \"'\"\nV \"\\\"\"\n" },
        { "\"\x7f\"", "V \"\\u007F\"\n" },
        { "{'a':'b'}", "V {\"a\": \"b\"}\n" },
    };

    check_cases(cases, G_N_ELEMENTS(cases), false);
}

static void test_parse_errors(void)
{
    static const Case cases[] = {
        { "{\"execute\": bogus}",
          "E JSON parse error, invalid keyword 'bogus'\n" },
        { "}", "E JSON parse error, expecting value\n" },
        { "]", "E JSON parse error, expecting value\n" },
        { ":", "E JSON parse error, expecting value\n" },
        { ",", "E JSON parse error, expecting value\n" },
        { "[1,]", "E JSON parse error, expecting value\n" },
        { "{\"a\":}", "E JSON parse error, expecting value\n" },
        { "{,}", "E JSON parse error, expecting value\n" },
        { "[,]", "E JSON parse error, expecting value\n" },
        /* A closer without its opener ends the value at once. */
        { "[}", "E JSON parse error, expecting value\n" },
        { "{]", "E JSON parse error, expecting value\n" },
        { "[}]", "E JSON parse error, expecting value\n"
                 "E JSON parse error, expecting value\n" },
        { "{\"a\":[}]}", "E JSON parse error, expecting value\n"
                         "E JSON parse error, expecting value\n" },
        { "{\"execute\":\"query-status\"}}",
          "V {\"execute\": \"query-status\"}\n"
          "E JSON parse error, expecting value\n" },
        { "{\"a\" 1}", "E JSON parse error, missing : in object pair\n" },
        { "{1:2}", "E JSON parse error, key is not a string in object\n" },
        { "{[1]:2}", "E JSON parse error, key is not a string in object\n" },
        { "{\"a\":1 \"b\":2}",
          "E JSON parse error, expected separator in dict\n" },
        { "[1 2]", "E JSON parse error, expected separator in list\n" },
        { "{\"a\":1,\"a\":2}", "E JSON parse error, duplicate key\n" },
        { "{\"execute\":\"query-status\",\"id\":{\"a\":1,\"a\":2}}",
          "E JSON parse error, duplicate key\n" },
        { "\"\\q\"",
          "E JSON parse error, invalid escape sequence in string\n" },
        { "\"\\\xc3\xa9\"",
          "E JSON parse error, invalid escape sequence in string\n" },
        { "\"\\uD800\"",
          "E JSON parse error, \\uD800 is not a valid Unicode character\n" },
        { "\"\\uD800\\u0041\"",
          "E JSON parse error, \\uD800 is not a valid Unicode character\n" },
        { "\"\\uDC00\"",
          "E JSON parse error, \\uDC00 is not a valid Unicode character\n" },
        { "\"\\udbff\\udfff\"", "E JSON parse error, \\udbff\\udfff is not "
                                "a valid Unicode character\n" },
        { "\"\\uffff\"",
          "E JSON parse error, \\uffff is not a valid Unicode character\n" },
        { "\"\\ufdd0\"",
          "E JSON parse error, \\ufdd0 is not a valid Unicode character\n" },
        /* QEMU steps over four characters, the closing quote included. */
        { "\"\\u12\"",
          "E JSON parse error, \\u12\" is not a valid Unicode character\n" },
        { "\"\\u\"",
          "E JSON parse error, \\u\" is not a valid Unicode character\n" },
        { "\"\\u00G0x\"",
          "E JSON parse error, \\u00G0 is not a valid Unicode character\n" },
        { "[\"\\u12\",1]",
          "E JSON parse error, \\u12\" is not a valid Unicode character\n" },
        { "\"\xc3(\"",
          "E JSON parse error, invalid UTF-8 sequence in string\n" },
        { "\"\xef\xbf\xbe\"",
          "E JSON parse error, invalid UTF-8 sequence in string\n" },
        { "\"\xed\xa0\x80\"",
          "E JSON parse error, invalid UTF-8 sequence in string\n" },
        { "\"\xf4\x90\x80\x80\"",
          "E JSON parse error, invalid UTF-8 sequence in string\n" },
        { "\"\xe0\x80\xaf\"",
          "E JSON parse error, invalid UTF-8 sequence in string\n" },
        { "\"\xf8\x88\x80\x80\x80\"",
          "E JSON parse error, invalid UTF-8 sequence in string\n" },
        { "\"\x80\"",
          "E JSON parse error, invalid UTF-8 sequence in string\n" },
        { "\"\xc3\"",
          "E JSON parse error, invalid UTF-8 sequence in string\n" },
        { "\"\xc3\xa9\xc3\"",
          "E JSON parse error, invalid UTF-8 sequence in string\n" },
        { "\"\xe2\x82\"",
          "E JSON parse error, invalid UTF-8 sequence in string\n" },
        /* The first error in input order wins. */
        { "[\"\\q\", bogus]",
          "E JSON parse error, invalid escape sequence in string\n" },
        { "{\"a\":1,\"a\":bogus}",
          "E JSON parse error, invalid keyword 'bogus'\n" },
    };

    check_cases(cases, G_N_ELEMENTS(cases), false);
}

static void test_keyword_truncated(void)
{
    /* QEMU formats the message into 1024 bytes: a long keyword is cut,
     * closing quote and all. */
    g_autofree char *kw = g_strnfill(2000, 'a');
    g_autofree char *in = g_strdup_printf("[%s]", kw);
    g_autofree char *out = run(in, false);
    g_autofree char *expected = g_strdup_printf(
        "E JSON parse error, invalid keyword '%.*s\n", 1023 - 17, kw);

    g_assert_cmpstr(out, ==, expected);
}

static void test_lexical_errors(void)
{
    static const Case cases[] = {
        { "\xff", "E JSON parse error, stray '\xff'\n" },
        { "X", "E JSON parse error, stray 'X'\n" },
        { "01", "E JSON parse error, stray '01'\n" },
        { "-x", "E JSON parse error, stray '-x'\n" },
        { "True", "E JSON parse error, stray 'T'\n" },
        { "%d", "E JSON parse error, stray '%'\n" },
        { "\"abc\x01\"", "E JSON parse error, stray '\"abc\x01'\n" },
        { "\"a\tb\"", "E JSON parse error, stray '\"a\t'\n" },
        { "\"\xff\"", "E JSON parse error, stray '\"\xff'\n" },
        { "\"\xfe\"", "E JSON parse error, stray '\"\xfe'\n" },
        /* A pending value is dropped with the error. */
        { "[1, 2'\xff", "E JSON parse error, stray ''\xff'\n" },
        /* Incomplete: no output until more input comes. */
        { "[1, 2", "" },
        { "'", "" },
        { "\"abc", "" },
        { "-", "" },
        { "1.", "" },
        { "1e", "" },
        { "1.5e+", "" },
        { "tru", "" },
    };

    check_cases(cases, G_N_ELEMENTS(cases), false);

    /* A NUL byte is reported, but the message stops at it, as in QEMU. */
    check_all_splits("{\"execute\":\"query-status\"}\0", 27, false,
                     "V {\"execute\": \"query-status\"}\n"
                     "E JSON parse error, stray ''\n");
    check_all_splits("\"ab\0cd\" 1 ", 10, false,
                     "E JSON parse error, stray '\"ab'\n");
}

static void test_recovery(void)
{
    static const Case cases[] = {
        { "garbage{\"execute\":\"query-status\"}",
          "E JSON parse error, invalid keyword 'garbage'\n"
          "V {\"execute\": \"query-status\"}\n" },
        /* After a stray byte QEMU skips to a structural character... */
        { "Xyz \"abc\" {\"execute\":\"query-status\"}",
          "E JSON parse error, stray 'X'\n"
          "V {\"execute\": \"query-status\"}\n" },
        /* ...or a control character other than tab... */
        { "X\t\"a\"\n{\"execute\":\"query-status\"}",
          "E JSON parse error, stray 'X'\n"
          "V {\"execute\": \"query-status\"}\n" },
        { "X\r1 ", "E JSON parse error, stray 'X'\nV 1\n" },
        /* ...or 0xFE / 0xFF, which are errors themselves. */
        { "X\xfe\x31 ",
          "E JSON parse error, stray 'X'\nE JSON parse error, stray '\xfe'\n" },
        { "X\xff\x31 ",
          "E JSON parse error, stray 'X'\nE JSON parse error, stray '\xff'\n" },
        /* Resuming at a structural character inside a broken object
         * yields an error per piece, as in QEMU. */
        { "{\"execute\": X, \"id\": 1}",
          "E JSON parse error, stray 'X'\n"
          "E JSON parse error, expecting value\n"
          "V \"id\"\n"
          "E JSON parse error, expecting value\n"
          "V 1\n"
          "E JSON parse error, expecting value\n" },
        /* A client resets the parser with 0xFF, then sends a command. */
        { "{\"execute\": \"a\", \"arg\xff{\"execute\":\"query-status\"}",
          "E JSON parse error, stray '\"arg\xff'\n"
          "V {\"execute\": \"query-status\"}\n" },
    };

    check_cases(cases, G_N_ELEMENTS(cases), false);
}

static void test_flush(void)
{
    static const Case cases[] = {
        { "", "" },
        { "1 2 3", "V 1\nV 2\nV 3\n" },
        { "tru", "E JSON parse error, invalid keyword 'tru'\n" },
        { "{", "E JSON parse error, premature EOI\n" },
        { "{\"a\"", "E JSON parse error, premature EOI\n" },
        { "{\"a\":", "E JSON parse error, premature EOI\n" },
        { "{\"a\":1", "E JSON parse error, premature EOI\n" },
        { "{\"a\":12", "E JSON parse error, premature EOI\n" },
        { "{\"a\":[1,2", "E JSON parse error, premature EOI\n" },
        { "{\"a\":[1 2", "E JSON parse error, expected separator in list\n" },
        { "{\"a\":tru", "E JSON parse error, invalid keyword 'tru'\n" },
        { "{\"a\":\"abc", "E JSON parse error, stray '\"abc'\n" },
        { "{'a':'x", "E JSON parse error, stray ''x'\n" },
        { "{\"a\":1.", "E JSON parse error, stray '1.'\n" },
        { "{\"a\":1e", "E JSON parse error, stray '1e'\n" },
        { "{\"a\":-", "E JSON parse error, stray '-'\n" },
        { "{\"a\":\"\\u00e9\\", "E JSON parse error, stray '\"\\u00e9\\'\n" },
        { "X abc", "E JSON parse error, stray 'X'\n" },
    };
    Sink sink;
    PhJsonStreamer *s;

    check_cases(cases, G_N_ELEMENTS(cases), true);

    /* After a flush the streamer takes a new stream. */
    sink_init(&sink);
    s = ph_json_streamer_new(sink_emit, &sink);
    ph_json_streamer_feed(s, "[1, \"a", 6);
    ph_json_streamer_flush(s);
    ph_json_streamer_feed(s, "[2]", 3);
    ph_json_streamer_flush(s);
    ph_json_streamer_flush(s);
    g_assert_cmpstr(sink.log->str, ==,
                    "E JSON parse error, stray '\"a'\nV [2]\n");
    ph_json_streamer_free(s);
    sink_clear(&sink);
}

static char *nested(int depth, const char *inner)
{
    GString *in = g_string_new(NULL);
    int i;

    for (i = 0; i < depth; i++) {
        g_string_append_c(in, '[');
    }
    g_string_append(in, inner);
    for (i = 0; i < depth; i++) {
        g_string_append_c(in, ']');
    }
    return g_string_free(in, FALSE);
}

static void test_nesting_limit(void)
{
    const char *query = "{\"execute\":\"query-status\"}";
    g_autofree char *ok = nested(1024, "");
    g_autofree char *deep = nested(1025, "");
    g_autofree char *in = g_strconcat(deep, query, NULL);
    Sink sink;
    PhJsonStreamer *s;

    /* 1024 levels parse. */
    sink_init(&sink);
    s = ph_json_streamer_new(sink_emit, &sink);
    ph_json_streamer_feed(s, ok, strlen(ok));
    g_assert_cmpuint(sink.values, ==, 1);
    g_assert_cmpuint(sink.errors, ==, 0);
    ph_json_streamer_free(s);
    sink_clear(&sink);

    /* The 1025th opener is an error; the rest of the input is lexed
     * afresh, so each of the 1025 closers is an error too (QEMU sends 1026
     * replies), and the next command works. */
    sink_init(&sink);
    s = ph_json_streamer_new(sink_emit, &sink);
    ph_json_streamer_feed(s, in, strlen(in));
    g_assert_cmpuint(sink.errors, ==, 1026);
    g_assert_cmpuint(sink.values, ==, 1);
    g_assert_true(g_str_has_prefix(sink.log->str,
                                   "E JSON nesting depth limit exceeded\n"
                                   "E JSON parse error, expecting value\n"));
    g_assert_true(g_str_has_suffix(sink.log->str,
                                   "E JSON parse error, expecting value\n"
                                   "V {\"execute\": \"query-status\"}\n"));
    ph_json_streamer_free(s);
    sink_clear(&sink);

    /* Openers without closers: one error, then a new value opens. */
    g_free(in);
    in = g_strnfill(1030, '[');
    sink_init(&sink);
    s = ph_json_streamer_new(sink_emit, &sink);
    ph_json_streamer_feed(s, in, strlen(in));
    ph_json_streamer_feed(s, query, strlen(query));
    g_assert_cmpstr(sink.log->str, ==, "E JSON nesting depth limit exceeded\n");
    ph_json_streamer_feed(s, "]]]]]", 5);
    g_assert_cmpstr(sink.log->str, ==,
                    "E JSON nesting depth limit exceeded\n"
                    "V [[[[[{\"execute\": \"query-status\"}]]]]]\n");
    ph_json_streamer_free(s);
    sink_clear(&sink);

    /* Objects count the same way. */
    {
        GString *obj = g_string_new(NULL);
        int i;

        for (i = 0; i < 1025; i++) {
            g_string_append(obj, "{\"a\":");
        }
        g_string_append_c(obj, '1');
        for (i = 0; i < 1025; i++) {
            g_string_append_c(obj, '}');
        }
        g_string_append(obj, query);
        sink_init(&sink);
        s = ph_json_streamer_new(sink_emit, &sink);
        ph_json_streamer_feed(s, obj->str, obj->len);
        /* error, "a", ':', 1, 1025 closers, the query: as QEMU. */
        g_assert_cmpuint(sink.errors, ==, 1 + 1 + 1025);
        g_assert_cmpuint(sink.values, ==, 3);
        ph_json_streamer_free(s);
        sink_clear(&sink);
        g_string_free(obj, TRUE);
    }
}

static void test_token_count_limit(void)
{
    /* [[], then "1," m times, then "1]": 4 + 2m + 2 tokens. */
    const size_t m = ((2u << 20) - 6) / 2;
    GString *in = g_string_sized_new(4 * m);
    Sink sink;
    PhJsonStreamer *s;
    size_t i;

    g_string_append(in, "[[],");
    for (i = 0; i < m; i++) {
        g_string_append(in, "1,");
    }
    g_string_append(in, "1]");

    /* Exactly 2 Mi tokens: a value. */
    sink_init(&sink);
    s = ph_json_streamer_new(sink_emit, &sink);
    ph_json_streamer_feed(s, in->str, in->len);
    g_assert_cmpuint(sink.values, ==, 1);
    g_assert_cmpuint(sink.errors, ==, 0);
    ph_json_streamer_free(s);
    sink_clear(&sink);

    /* One more: token 2 Mi + 1 ("2") is refused, "]" is then a stray
     * closer (QEMU: the same two replies). */
    g_string_truncate(in, in->len - 1);
    g_string_append(in, ",2]");
    sink_init(&sink);
    s = ph_json_streamer_new(sink_emit, &sink);
    ph_json_streamer_feed(s, in->str, in->len);
    g_assert_cmpstr(sink.log->str, ==,
                    "E JSON token count limit exceeded\n"
                    "E JSON parse error, expecting value\n");
    ph_json_streamer_free(s);
    sink_clear(&sink);
    g_string_free(in, TRUE);
}

static void test_token_size_limit_small(void)
{
    /* With a 16-byte limit, the rules QEMU applies at 64 MiB: the pending
     * tokens plus the new one plus one must not exceed the limit, and the
     * lexer cuts a token that grows beyond it. */
    static const struct {
        const char *in;
        const char *out;
    } cases[] = {
        /* a 15-byte token passes, a 16-byte one does not */
        { "\"0123456789abc\" ", "V \"0123456789abc\"\n" },
        { "\"0123456789abcd\" ", "E JSON token size limit exceeded\n" },
        /* the sum counts: 1 + 5 + 1 + 5 = 12, +1 for "]" + 1 = 14 */
        { "[\"abc\",\"def\"]", "V [\"abc\", \"def\"]\n" },
        { "[\"abc\",\"defghi\"]", "E JSON token size limit exceeded\n" },
        { "[\"abc\",\"defghij\"]", "E JSON token size limit exceeded\n"
                                   "E JSON parse error, expecting value\n" },
        /* the lexer: a 17th byte cuts the token, lexing restarts after
         * it ("gh" is a keyword, the quote opens a new string) */
        { "\"0123456789abcdefgh\" 1 ",
          "E JSON token size limit exceeded\n"
          "E JSON parse error, invalid keyword 'gh'\n" },
        { "aaaaaaaaaaaaaaaaaaaa ",
          "E JSON token size limit exceeded\n"
          "E JSON parse error, invalid keyword 'aaa'\n" },
        /* QEMU with 64 MiB + 5 a's here sent the same eight replies */
        { "\"aaaaaaaaaaaaaaaaaaaaa\"{\"execute\":\"query-status\"}",
          "E JSON token size limit exceeded\n"
          "E JSON parse error, invalid keyword 'aaaaa'\n"
          "V \"{\"\n"
          "E JSON parse error, invalid keyword 'execute'\n"
          "V \":\"\n"
          "E JSON parse error, invalid keyword 'query'\n"
          "E JSON parse error, stray '-s'\n"
          "E JSON parse error, expecting value\n" },
    };
    size_t i, cut;

    for (i = 0; i < G_N_ELEMENTS(cases); i++) {
        size_t len = strlen(cases[i].in);

        for (cut = 0; cut <= len; cut++) {
            Sink sink;
            PhJsonStreamer *s;

            sink_init(&sink);
            s = ph_json_streamer_new(sink_emit, &sink);
            ph_json_streamer_set_limits(s, 16, 0, 0);
            ph_json_streamer_feed(s, cases[i].in, cut);
            ph_json_streamer_feed(s, cases[i].in + cut, len - cut);
            g_assert_cmpstr(sink.log->str, ==, cases[i].out);
            ph_json_streamer_free(s);
            sink_clear(&sink);
        }
    }
}

static void test_token_size_limit(void)
{
    /* The real 64 MiB limit, as checked against QEMU: a string token of
     * 64 MiB - 1 bytes passes, one of 64 MiB does not. */
    const size_t max = (size_t)64 << 20;
    char *buf = g_malloc(max + 64);
    Sink sink;
    PhJsonStreamer *s;

    buf[0] = '"';
    memset(buf + 1, 'a', max);

    sink_init(&sink);
    sink.quiet = true;
    s = ph_json_streamer_new(sink_emit, &sink);
    ph_json_streamer_feed(s, buf, max - 2); /* " and max - 3 a's */
    ph_json_streamer_feed(s, "\"", 1);
    g_assert_cmpuint(sink.values, ==, 1);
    g_assert_cmpuint(sink.errors, ==, 0);
    ph_json_streamer_feed(s, buf, max - 1); /* " and max - 2 a's */
    ph_json_streamer_feed(s, "\"", 1);
    g_assert_cmpuint(sink.values, ==, 1);
    g_assert_cmpuint(sink.errors, ==, 1);
    g_assert_true(
        g_str_has_suffix(sink.log->str, "E JSON token size limit exceeded\n"));
    ph_json_streamer_free(s);
    sink_clear(&sink);
    g_free(buf);
}

static void test_every_byte(void)
{
    /* Every byte value after every kind of prefix: no crash, and a
     * following reset (0xFF) and command always get through. */
    static const char *const prefixes[] = {
        "",  "\"", "'",      "\"\\",    "'\\", "0",   "-",
        "1", "1.", "1.5",    "1e",      "1e+", "1e5", "t",
        "[", "{",  "{\"a\"", "{\"a\":", "X",
    };
    size_t p;
    int c;

    for (p = 0; p < G_N_ELEMENTS(prefixes); p++) {
        for (c = 0; c < 256; c++) {
            GString *in = g_string_new(prefixes[p]);
            Sink sink;
            PhJsonStreamer *s;

            g_string_append_c(in, (char)c);
            g_string_append(in, "\xff\n{\"execute\":\"x\"}");
            sink_init(&sink);
            s = ph_json_streamer_new(sink_emit, &sink);
            ph_json_streamer_feed(s, in->str, in->len);
            g_assert_true(
                g_str_has_suffix(sink.log->str, "V {\"execute\": \"x\"}\n"));
            ph_json_streamer_free(s);
            sink_clear(&sink);
            g_string_free(in, TRUE);
        }
    }
}

/* feed_partial stops right after the byte during which the callback asked
 * for a pause; the rest, fed later, gives exactly what one feed would. */
typedef struct {
    PhJsonStreamer *streamer;
    GString *seen;
    int pause_after;        /* pause when this many values have arrived */
} PauseSink;

static void pause_emit(void *opaque, JsonNode *node, GError *error)
{
    PauseSink *p = opaque;
    g_autofree char *text = NULL;

    g_assert_no_error(error);
    text = ph_json_to_string(node);
    g_string_append_printf(p->seen, "%s;", text);
    json_node_unref(node);
    if (--p->pause_after == 0) {
        ph_json_streamer_pause(p->streamer);
    }
}

static void test_feed_partial(void)
{
    static const char in[] = "{\"a\": 1}[2, 3] \"four\" {\"b\": [5]}";
    PauseSink p = { .seen = g_string_new(""), .pause_after = 1 };
    size_t done, total = 0;
    int rounds = 0;

    p.streamer = ph_json_streamer_new(pause_emit, &p);
    /* The object ends at its '}': the feed stops right there. */
    done = ph_json_streamer_feed_partial(p.streamer, in, strlen(in));
    g_assert_cmpuint(done, ==, strlen("{\"a\": 1}"));
    g_assert_cmpstr(p.seen->str, ==, "{\"a\": 1};");
    total = done;
    while (total < strlen(in)) {
        p.pause_after = 1;
        total += ph_json_streamer_feed_partial(p.streamer, in + total, strlen(in) - total);
        g_assert_cmpint(++rounds, <, 10);
    }
    ph_json_streamer_flush(p.streamer);
    g_assert_cmpstr(p.seen->str, ==, "{\"a\": 1};[2, 3];\"four\";{\"b\": [5]};");

    /* Without a pause it takes everything, like ph_json_streamer_feed(). */
    g_string_truncate(p.seen, 0);
    p.pause_after = -1;
    g_assert_cmpuint(ph_json_streamer_feed_partial(p.streamer, in, strlen(in)), ==, strlen(in));
    ph_json_streamer_flush(p.streamer);
    g_assert_cmpstr(p.seen->str, ==, "{\"a\": 1};[2, 3];\"four\";{\"b\": [5]};");
    ph_json_streamer_free(p.streamer);
    g_string_free(p.seen, TRUE);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    g_test_add_func("/json-streamer/values", test_values);
    g_test_add_func("/json-streamer/numbers", test_numbers);
    g_test_add_func("/json-streamer/node-types", test_node_types);
    g_test_add_func("/json-streamer/strings", test_strings);
    g_test_add_func("/json-streamer/parse-errors", test_parse_errors);
    g_test_add_func("/json-streamer/keyword-truncated", test_keyword_truncated);
    g_test_add_func("/json-streamer/lexical-errors", test_lexical_errors);
    g_test_add_func("/json-streamer/recovery", test_recovery);
    g_test_add_func("/json-streamer/flush", test_flush);
    g_test_add_func("/json-streamer/nesting-limit", test_nesting_limit);
    g_test_add_func("/json-streamer/token-count-limit", test_token_count_limit);
    g_test_add_func("/json-streamer/token-size-limit-small",
                    test_token_size_limit_small);
    g_test_add_func("/json-streamer/token-size-limit", test_token_size_limit);
    g_test_add_func("/json-streamer/every-byte", test_every_byte);
    g_test_add_func("/json-streamer/feed-partial", test_feed_partial);
    return g_test_run();
}
