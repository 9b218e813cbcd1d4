/* QMP input: splits a byte stream into JSON values exactly as QEMU 7.2 does. */
#include "config.h"

#include "json-streamer.h"
#include "json-writer.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/*
 * Three stages, as in QEMU, so that the observable behaviour is the same:
 *
 * 1. A lexer, a state machine that takes one byte at a time.  After a bad
 *    byte it reports the token so far (bad byte included) as "stray" and
 *    skips input up to a byte where it can resynchronise: a structural
 *    character, an ASCII control character other than tab, or 0xFE/0xFF
 *    (clients send 0xFF to reset the parser).
 * 2. A splitter that counts braces and brackets and hands the pending
 *    tokens to the parser when a top-level value is complete (or a closer
 *    has no opener), enforcing the size, count and nesting limits.
 * 3. A parser over the complete token list that builds json-glib nodes and
 *    reports QEMU's first syntax error.  It is iterative, so a value nested
 *    1024 deep costs no C stack.
 *
 * Memory: the text of the pending tokens lives back to back in one GString
 * and the token list in one GArray; both are reused from value to value, so
 * the steady state allocates only the JsonNodes it returns.
 */

/* QEMU's limits (json-lexer.c, json-streamer.c). */
#define MAX_TOKEN_SIZE  ((size_t)64 << 20)
#define MAX_TOKEN_COUNT ((size_t)2 << 20)
#define MAX_NESTING     1024

/* vsnprintf buffer of QEMU's parse_error(): longer messages are cut. */
#define PARSE_MESSAGE_MAX 1024

/* Buffers bigger than this are released after a value instead of kept. */
#define KEEP_BUFFER_MAX (256 * 1024)

/* clang-format off */
G_DEFINE_QUARK(ph-json-error-quark, ph_json_error)
/* clang-format on */

typedef enum {
    LX_START,
    LX_RECOVERY, /* skipping input after a lexical error */
    LX_DQ,       /* in "string" */
    LX_DQ_ESC,   /* after \ in "string" */
    LX_SQ,       /* in 'string' */
    LX_SQ_ESC,
    LX_ZERO,   /* 0 or -0 */
    LX_SIGN,   /* - */
    LX_DIGITS, /* [1-9][0-9]* */
    LX_MANT,   /* after . */
    LX_MANT_DIGITS,
    LX_EXP_E,    /* after e/E */
    LX_EXP_SIGN, /* after e+ / e- */
    LX_EXP_DIGITS,
    LX_KEYWORD, /* [a-z]+ */
} LexState;

typedef enum {
    TOK_LCURLY,
    TOK_RCURLY,
    TOK_LSQUARE,
    TOK_RSQUARE,
    TOK_COLON,
    TOK_COMMA,
    TOK_INTEGER,
    TOK_FLOAT,
    TOK_KEYWORD,
    TOK_STRING,
} TokType;

/*
 * What a byte does in a state.  Values below ACT_TOKEN are the next state
 * (the byte joins the token); ACT_TOKEN + type ends a token with the byte,
 * and ACT_LOOKAHEAD marks an outcome that leaves the byte for the next state
 * (a number ends at the first byte that cannot continue it).
 */
enum {
    ACT_TOKEN = 0x20,
    ACT_ERROR = 0x40, /* bad byte: joins the token, which is reported */
    ACT_SKIP = 0x41,  /* whitespace between tokens, or recovery */
    ACT_LOOKAHEAD = 0x80,
};

typedef struct {
    uint8_t type; /* TokType */
    size_t off;   /* in PhJsonStreamer.text */
    size_t len;
} Token;

typedef enum {
    FRAME_OBJECT_KEY,   /* object, a key comes next */
    FRAME_OBJECT_VALUE, /* object, the value for key_off comes next */
    FRAME_ARRAY,        /* array, an element comes next */
} FrameState;

typedef struct {
    JsonNode *node;
    FrameState state;
    size_t key_off; /* in PhJsonStreamer.keys */
} Frame;

/* Everything here belongs to the thread that feeds the streamer. */
struct PhJsonStreamer {
    PhJsonEmitFn *emit;
    void *opaque;
    bool pause_requested;   /* by the emit callback: stop after this byte */

    /* Lexer */
    LexState state;
    size_t tok_start; /* the token being lexed is text[tok_start..] */

    /* Splitter: the pending value */
    GString *text;     /* pending tokens' text, then the current token */
    GArray *tokens;    /* Token */
    size_t token_size; /* QEMU's token_size: sum of pending token lengths */
    int brace_count;
    int bracket_count;

    size_t max_token_size;
    size_t max_token_count;
    int max_nesting;

    /* Parser scratch, reused */
    GArray *frames; /* Frame */
    GString *keys;  /* NUL-terminated keys of the open objects */
    GString *sbuf;  /* a decoded string value */
};

/* ---- errors ------------------------------------------------------------ */

/* QEMU's parse_error(): "JSON parse error, " and the message, which is
 * formatted into 1024 bytes first (so a long keyword is cut short). */
static GError *G_GNUC_PRINTF(1, 2) parse_error(const char *fmt, ...)
{
    char message[PARSE_MESSAGE_MAX];
    va_list ap;

    va_start(ap, fmt);
    g_vsnprintf(message, sizeof(message), fmt, ap);
    va_end(ap);
    return g_error_new(PH_JSON_ERROR, PH_JSON_ERROR_PARSE,
                       "JSON parse error, %s", message);
}

/* ---- strings ----------------------------------------------------------- */


/* Modified UTF-8: like UTF-8, but U+0000 is C0 80 (strings stay C strings). */
static void append_mod_utf8(GString *out, uint32_t cp)
{
    char b[4];

    if (cp > 0 && cp < 0x80) {
        g_string_append_c(out, (char)cp);
    } else if (cp < 0x800) {
        b[0] = (char)(0xC0 | (cp >> 6));
        b[1] = (char)(0x80 | (cp & 0x3F));
        g_string_append_len(out, b, 2);
    } else if (cp < 0x10000) {
        b[0] = (char)(0xE0 | (cp >> 12));
        b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[2] = (char)(0x80 | (cp & 0x3F));
        g_string_append_len(out, b, 3);
    } else {
        b[0] = (char)(0xF0 | (cp >> 18));
        b[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        b[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[3] = (char)(0x80 | (cp & 0x3F));
        g_string_append_len(out, b, 4);
    }
}

/* The length of the valid modified UTF-8 sequence at @p, or 0. */
static size_t mod_utf8_valid_len(const unsigned char *p, const unsigned char *end)
{
    size_t len;

    return ph_json_mod_utf8_decode(p, end, &len) >= 0 ? len : 0;
}

/* QEMU's cvt4hex(): four hex digits, or -1 at the first non-digit. */
static int32_t hex4(const char *p, const char *end)
{
    int32_t cp = 0;
    int i;

    for (i = 0; i < 4; i++) {
        if (p + i >= end || !g_ascii_isxdigit(p[i])) {
            return -1;
        }
        cp = (cp << 4) | g_ascii_xdigit_value(p[i]);
    }
    return cp;
}

/*
 * Decodes the string token @tok (either quote, included; ends at @end) into
 * @out as modified UTF-8, with QEMU's messages for what it rejects.
 */
static bool decode_string(const char *tok, const char *end, GString *out,
                          GError **error)
{
    const char *p = tok + 1;
    const char *close = end - 1; /* the closing quote */

    while (p < close) {
        const char *run = p;
        const char *beg;
        int32_t cp, trailing;
        size_t n;

        /* Plain ASCII runs are the common case: copy them in one go. */
        while (p < close && (unsigned char)*p < 0x80 && *p != '\\') {
            p++;
        }
        g_string_append_len(out, run, p - run);
        if (p >= close) {
            break;
        }
        if (*p != '\\') {
            n = mod_utf8_valid_len((const unsigned char *)p,
                                   (const unsigned char *)close);
            if (n == 0) {
                *error = parse_error("invalid UTF-8 sequence in string");
                return false;
            }
            g_string_append_len(out, p, n);
            p += n;
            continue;
        }

        beg = p++;
        switch (*p++) {
        case '"':
            g_string_append_c(out, '"');
            break;
        case '\'':
            g_string_append_c(out, '\'');
            break;
        case '\\':
            g_string_append_c(out, '\\');
            break;
        case '/':
            g_string_append_c(out, '/');
            break;
        case 'b':
            g_string_append_c(out, '\b');
            break;
        case 'f':
            g_string_append_c(out, '\f');
            break;
        case 'n':
            g_string_append_c(out, '\n');
            break;
        case 'r':
            g_string_append_c(out, '\r');
            break;
        case 't':
            g_string_append_c(out, '\t');
            break;
        case 'u':
            /* Like QEMU, step over four characters whatever they are
             * (but not past the token). */
            cp = hex4(p, end);
            p += MIN((size_t)(end - p), 4);
            if (cp >= 0xD800 && cp <= 0xDBFF && p + 1 < close && p[0] == '\\' &&
                p[1] == 'u') {
                trailing = hex4(p + 2, end);
                if (trailing >= 0xDC00 && trailing <= 0xDFFF) {
                    cp = 0x10000 + ((cp & 0x3FF) << 10) + (trailing & 0x3FF);
                    p += 6;
                } else {
                    cp = -1;
                }
            }
            if (!ph_json_codepoint_valid(cp)) {
                /* QEMU quotes the escape up to where it stopped, which
                 * can include the closing quote but nothing after it. */
                int shown = (int)(p - beg);

                *error = parse_error("%.*s is not a valid Unicode character",
                                     shown, beg);
                return false;
            }
            append_mod_utf8(out, (uint32_t)cp);
            break;
        default:
            *error = parse_error("invalid escape sequence in string");
            return false;
        }
    }
    return true;
}

/* ---- parser ------------------------------------------------------------ */

static const char *token_text(PhJsonStreamer *s, const Token *t)
{
    return s->text->str + t->off;
}

static JsonNode *parse_number(PhJsonStreamer *s, const Token *t)
{
    char *str = s->text->str + t->off;
    const char *p = str;
    const char *end = str + t->len;
    bool neg = false;
    uint64_t mag = 0;
    bool fits = true;
    char saved;
    double d;

    if (t->type == TOK_INTEGER) {
        /* QEMU: int64 if it fits, else uint64, else double.  json-glib has
         * no uint64, so everything outside int64 is a double here. */
        if (*p == '-') {
            neg = true;
            p++;
        }
        for (; p < end && fits; p++) {
            unsigned digit = (unsigned)(*p - '0');

            if (mag > (UINT64_MAX - digit) / 10) {
                fits = false;
            } else {
                mag = mag * 10 + digit;
            }
        }
        if (fits && !neg && mag <= (uint64_t)INT64_MAX) {
            return json_node_init_int(json_node_alloc(), (gint64)mag);
        }
        if (fits && neg && mag <= (uint64_t)INT64_MAX + 1) {
            return json_node_init_int(json_node_alloc(), (gint64)(0 - mag));
        }
    }

    /* strtod wants a terminated string: borrow the next byte. */
    saved = str[t->len];
    str[t->len] = '\0';
    d = g_ascii_strtod(str, NULL);
    str[t->len] = saved;
    return json_node_init_double(json_node_alloc(), d);
}

static bool token_is(PhJsonStreamer *s, const Token *t, const char *word)
{
    size_t n = strlen(word);

    return t->len == n && memcmp(token_text(s, t), word, n) == 0;
}

static void parser_reset(PhJsonStreamer *s)
{
    guint i;

    for (i = 0; i < s->frames->len; i++) {
        json_node_unref(g_array_index(s->frames, Frame, i).node);
    }
    g_array_set_size(s->frames, 0);
    g_string_truncate(s->keys, 0);
}

/*
 * Parses the pending tokens as one value with QEMU's grammar and its first
 * error.  The tokens always end where the splitter saw the value close, so a
 * successful parse uses all of them.
 */
static JsonNode *parse_tokens(PhJsonStreamer *s, GError **error)
{
    const Token *tok = (const Token *)s->tokens->data;
    const size_t n = s->tokens->len;
    size_t i = 0;
    JsonNode *value;
    Frame *f;

next_value:
    if (i >= n) {
        *error = parse_error("premature EOI");
        goto fail;
    }
    f = s->frames->len ? &g_array_index(s->frames, Frame, s->frames->len - 1)
                       : NULL;

    if (f && f->state == FRAME_OBJECT_KEY && tok[i].type == TOK_STRING) {
        /* A key: decode straight into the key stack, no node. */
        const char *str = token_text(s, &tok[i]);

        f->key_off = s->keys->len;
        if (!decode_string(str, str + tok[i].len, s->keys, error)) {
            goto fail;
        }
        g_string_append_c(s->keys, '\0');
        i++;
        if (i >= n) {
            *error = parse_error("premature EOI");
            goto fail;
        }
        if (tok[i].type != TOK_COLON) {
            *error = parse_error("missing : in object pair");
            goto fail;
        }
        i++;
        f->state = FRAME_OBJECT_VALUE;
        goto next_value;
    }

    switch (tok[i].type) {
    case TOK_LCURLY:
    case TOK_LSQUARE: {
        bool is_object = tok[i].type == TOK_LCURLY;
        Frame nf = { 0 };

        i++;
        if (is_object) {
            nf.node = json_node_alloc();
            json_node_take_object(json_node_init(nf.node, JSON_NODE_OBJECT),
                                  json_object_new());
            nf.state = FRAME_OBJECT_KEY;
        } else {
            nf.node = json_node_alloc();
            json_node_take_array(json_node_init(nf.node, JSON_NODE_ARRAY),
                                 json_array_new());
            nf.state = FRAME_ARRAY;
        }
        g_array_append_val(s->frames, nf);
        if (i >= n) {
            *error = parse_error("premature EOI");
            goto fail;
        }
        if (tok[i].type == (is_object ? TOK_RCURLY : TOK_RSQUARE)) {
            i++;
            goto close_container;
        }
        goto next_value;
    }
    case TOK_INTEGER:
    case TOK_FLOAT:
        value = parse_number(s, &tok[i]);
        i++;
        break;
    case TOK_STRING: {
        const char *str = token_text(s, &tok[i]);

        g_string_truncate(s->sbuf, 0);
        if (!decode_string(str, str + tok[i].len, s->sbuf, error)) {
            goto fail;
        }
        value = json_node_init_string(json_node_alloc(), s->sbuf->str);
        i++;
        break;
    }
    case TOK_KEYWORD:
        if (token_is(s, &tok[i], "true")) {
            value = json_node_init_boolean(json_node_alloc(), TRUE);
        } else if (token_is(s, &tok[i], "false")) {
            value = json_node_init_boolean(json_node_alloc(), FALSE);
        } else if (token_is(s, &tok[i], "null")) {
            value = json_node_init_null(json_node_alloc());
        } else {
            *error = parse_error("invalid keyword '%.*s'", (int)tok[i].len,
                                 token_text(s, &tok[i]));
            goto fail;
        }
        i++;
        break;
    default:
        *error = parse_error("expecting value");
        goto fail;
    }

deliver:
    /* @value is complete: it is the result or goes into the open container. */
    if (s->frames->len == 0) {
        return value;
    }
    f = &g_array_index(s->frames, Frame, s->frames->len - 1);
    switch (f->state) {
    case FRAME_OBJECT_KEY:
        /* Only strings may be keys; any other value parses, then fails. */
        json_node_unref(value);
        *error = parse_error("key is not a string in object");
        goto fail;
    case FRAME_OBJECT_VALUE: {
        JsonObject *obj = json_node_get_object(f->node);
        const char *key = s->keys->str + f->key_off;

        if (json_object_has_member(obj, key)) {
            json_node_unref(value);
            *error = parse_error("duplicate key");
            goto fail;
        }
        json_object_set_member(obj, key, value);
        g_string_truncate(s->keys, f->key_off);
        if (i >= n) {
            *error = parse_error("premature EOI");
            goto fail;
        }
        if (tok[i].type == TOK_RCURLY) {
            i++;
            goto close_container;
        }
        if (tok[i].type != TOK_COMMA) {
            *error = parse_error("expected separator in dict");
            goto fail;
        }
        i++;
        f->state = FRAME_OBJECT_KEY;
        goto next_value;
    }
    case FRAME_ARRAY:
        json_array_add_element(json_node_get_array(f->node), value);
        if (i >= n) {
            *error = parse_error("premature EOI");
            goto fail;
        }
        if (tok[i].type == TOK_RSQUARE) {
            i++;
            goto close_container;
        }
        if (tok[i].type != TOK_COMMA) {
            *error = parse_error("expected separator in list");
            goto fail;
        }
        i++;
        goto next_value;
    }
    g_assert_not_reached();

close_container:
    value = g_array_index(s->frames, Frame, s->frames->len - 1).node;
    g_array_set_size(s->frames, s->frames->len - 1);
    goto deliver;

fail:
    parser_reset(s);
    return NULL;
}

/* ---- splitter ---------------------------------------------------------- */

/* Forgets the pending value; keeps the buffers unless they grew large. */
static void stream_reset(PhJsonStreamer *s)
{
    s->brace_count = 0;
    s->bracket_count = 0;
    s->token_size = 0;
    s->tok_start = 0;
    if (s->text->allocated_len > KEEP_BUFFER_MAX) {
        g_string_free(s->text, TRUE);
        s->text = g_string_sized_new(256);
    } else {
        g_string_truncate(s->text, 0);
    }
    if (s->tokens->len * sizeof(Token) > KEEP_BUFFER_MAX) {
        g_array_free(s->tokens, TRUE);
        s->tokens = g_array_sized_new(FALSE, FALSE, sizeof(Token), 64);
    } else {
        g_array_set_size(s->tokens, 0);
    }
}

static void stream_fail(PhJsonStreamer *s, PhJsonError code, const char *msg)
{
    stream_reset(s);
    s->emit(s->opaque, NULL, g_error_new_literal(PH_JSON_ERROR, code, msg));
}

static void stream_parse(PhJsonStreamer *s)
{
    GError *error = NULL;
    JsonNode *node = parse_tokens(s, &error);

    stream_reset(s);
    s->emit(s->opaque, node, error);
}

/* QEMU's json_message_process_token() for a token from the lexer. */
static void stream_token(PhJsonStreamer *s, TokType type)
{
    size_t len = s->text->len - s->tok_start;
    Token t;

    switch (type) {
    case TOK_LCURLY:
        s->brace_count++;
        break;
    case TOK_RCURLY:
        s->brace_count--;
        break;
    case TOK_LSQUARE:
        s->bracket_count++;
        break;
    case TOK_RSQUARE:
        s->bracket_count--;
        break;
    default:
        break;
    }

    if (s->token_size + len + 1 > s->max_token_size) {
        stream_fail(s, PH_JSON_ERROR_TOKEN_SIZE,
                    "JSON token size limit exceeded");
        return;
    }
    if (s->tokens->len + 1 > s->max_token_count) {
        stream_fail(s, PH_JSON_ERROR_TOKEN_COUNT,
                    "JSON token count limit exceeded");
        return;
    }
    if (s->bracket_count + s->brace_count > s->max_nesting) {
        stream_fail(s, PH_JSON_ERROR_NESTING,
                    "JSON nesting depth limit exceeded");
        return;
    }

    t.type = type;
    t.off = s->tok_start;
    t.len = len;
    g_array_append_val(s->tokens, t);
    s->token_size += len;
    s->tok_start = s->text->len;

    if ((s->brace_count > 0 || s->bracket_count > 0) && s->brace_count >= 0 &&
        s->bracket_count >= 0) {
        return; /* the value is still open */
    }
    stream_parse(s);
}

/* A lexical error: QEMU reports the token text up to its first NUL. */
static void stream_stray(PhJsonStreamer *s)
{
    const char *str = s->text->str + s->tok_start;
    size_t len = strnlen(str, s->text->len - s->tok_start);
    GString *msg = g_string_sized_new(len + 32);

    g_string_append(msg, "JSON parse error, stray '");
    g_string_append_len(msg, str, len);
    g_string_append_c(msg, '\'');
    stream_reset(s);
    s->emit(s->opaque, NULL,
            g_error_new_literal(PH_JSON_ERROR, PH_JSON_ERROR_STRAY, msg->str));
    g_string_free(msg, TRUE);
}

/* ---- lexer ------------------------------------------------------------- */

static inline bool is_digit(unsigned c)
{
    return c - '0' < 10;
}

/* The transition table of QEMU's lexer, written as code. */
static unsigned lex_next(LexState state, unsigned c)
{
    switch (state) {
    case LX_START:
        switch (c) {
        case ' ':
        case '\t':
        case '\r':
        case '\n':
            return ACT_SKIP;
        case '"':
            return LX_DQ;
        case '\'':
            return LX_SQ;
        case '0':
            return LX_ZERO;
        case '-':
            return LX_SIGN;
        case '{':
            return ACT_TOKEN + TOK_LCURLY;
        case '}':
            return ACT_TOKEN + TOK_RCURLY;
        case '[':
            return ACT_TOKEN + TOK_LSQUARE;
        case ']':
            return ACT_TOKEN + TOK_RSQUARE;
        case ':':
            return ACT_TOKEN + TOK_COLON;
        case ',':
            return ACT_TOKEN + TOK_COMMA;
        default:
            if (c >= '1' && c <= '9') {
                return LX_DIGITS;
            }
            if (c >= 'a' && c <= 'z') {
                return LX_KEYWORD;
            }
            return ACT_ERROR;
        }
    case LX_RECOVERY:
        /* Skip up to a structural character, a control character other
         * than tab, or an impossible UTF-8 byte; then lex from there. */
        if ((c < 0x20 && c != '\t') || c >= 0xFE || c == '[' || c == ']' ||
            c == '{' || c == '}' || c == ':' || c == ',') {
            return LX_START | ACT_LOOKAHEAD;
        }
        return ACT_SKIP;
    case LX_DQ:
    case LX_SQ:
        if (c < 0x20 || c >= 0xFE) {
            return ACT_ERROR;
        }
        if (c == '\\') {
            return state == LX_DQ ? LX_DQ_ESC : LX_SQ_ESC;
        }
        if (c == (state == LX_DQ ? '"' : '\'')) {
            return ACT_TOKEN + TOK_STRING;
        }
        return state;
    case LX_DQ_ESC:
    case LX_SQ_ESC:
        if (c < 0x20 || c >= 0xFE) {
            return ACT_ERROR;
        }
        return state == LX_DQ_ESC ? LX_DQ : LX_SQ;
    case LX_ZERO:
        if (is_digit(c)) {
            return ACT_ERROR;
        }
        if (c == '.') {
            return LX_MANT;
        }
        return (ACT_TOKEN + TOK_INTEGER) | ACT_LOOKAHEAD;
    case LX_SIGN:
        if (c == '0') {
            return LX_ZERO;
        }
        return c >= '1' && c <= '9' ? LX_DIGITS : ACT_ERROR;
    case LX_DIGITS:
        if (is_digit(c)) {
            return LX_DIGITS;
        }
        if (c == 'e' || c == 'E') {
            return LX_EXP_E;
        }
        if (c == '.') {
            return LX_MANT;
        }
        return (ACT_TOKEN + TOK_INTEGER) | ACT_LOOKAHEAD;
    case LX_MANT:
        return is_digit(c) ? LX_MANT_DIGITS : ACT_ERROR;
    case LX_MANT_DIGITS:
        if (is_digit(c)) {
            return LX_MANT_DIGITS;
        }
        if (c == 'e' || c == 'E') {
            return LX_EXP_E;
        }
        return (ACT_TOKEN + TOK_FLOAT) | ACT_LOOKAHEAD;
    case LX_EXP_E:
        if (c == '+' || c == '-') {
            return LX_EXP_SIGN;
        }
        return is_digit(c) ? LX_EXP_DIGITS : ACT_ERROR;
    case LX_EXP_SIGN:
        return is_digit(c) ? LX_EXP_DIGITS : ACT_ERROR;
    case LX_EXP_DIGITS:
        if (is_digit(c)) {
            return LX_EXP_DIGITS;
        }
        return (ACT_TOKEN + TOK_FLOAT) | ACT_LOOKAHEAD;
    case LX_KEYWORD:
        if (c >= 'a' && c <= 'z') {
            return LX_KEYWORD;
        }
        return (ACT_TOKEN + TOK_KEYWORD) | ACT_LOOKAHEAD;
    }
    g_assert_not_reached();
}

/* The token being lexed is dropped (it went to the splitter, or it was
 * whitespace). */
static inline void lex_drop_token(PhJsonStreamer *s)
{
    g_string_truncate(s->text, s->tok_start);
}

/*
 * One byte, or the end of input (@flush: the byte is 0 and never joins a
 * token; runs until the lexer is back in its start state).
 */
static void lex_byte(PhJsonStreamer *s, unsigned char c, bool flush)
{
    for (;;) {
        unsigned act = lex_next(s->state, c);
        bool consumed = !flush && !(act & ACT_LOOKAHEAD);

        act &= ~ACT_LOOKAHEAD;
        if (act == ACT_SKIP) {
            /* Between tokens or in recovery nothing is kept. */
            lex_drop_token(s);
            if (s->state != LX_RECOVERY) {
                s->state = LX_START;
            }
        } else {
            if (consumed) {
                g_string_append_c(s->text, (char)c);
            }
            if (act == ACT_ERROR) {
                stream_stray(s);
                lex_drop_token(s);
                s->state = LX_RECOVERY;
            } else if (act >= ACT_TOKEN) {
                stream_token(s, (TokType)(act - ACT_TOKEN));
                lex_drop_token(s);
                s->state = LX_START;
            } else {
                s->state = (LexState)act;
            }
        }
        if (flush ? s->state == LX_START : consumed) {
            break;
        }
    }

    /* QEMU's lexer limit: a token longer than the limit is reported (the
     * splitter turns it into "token size limit exceeded") and lexing
     * starts over with the next byte. */
    if (s->text->len - s->tok_start > s->max_token_size) {
        stream_fail(s, PH_JSON_ERROR_TOKEN_SIZE,
                    "JSON token size limit exceeded");
        s->state = LX_START;
    }
}

/*
 * Inside a string most bytes just continue it: copies such a run from
 * @p (at most @n bytes) in one go, never past the token size limit, which
 * lex_byte() checks on the byte that crosses it.  Returns how many it took.
 */
static size_t lex_string_run(PhJsonStreamer *s, const unsigned char *p,
                             size_t n)
{
    const unsigned char quote = s->state == LX_DQ ? '"' : '\'';
    size_t tok_len = s->text->len - s->tok_start;
    size_t room, i;

    if (tok_len >= s->max_token_size) {
        return 0;
    }
    room = s->max_token_size - tok_len;
    if (n > room) {
        n = room;
    }
    for (i = 0; i < n; i++) {
        unsigned c = p[i];

        if (c < 0x20 || c >= 0xFE || c == '\\' || c == quote) {
            break;
        }
    }
    g_string_append_len(s->text, (const char *)p, i);
    return i;
}

/* ---- API --------------------------------------------------------------- */

PhJsonStreamer *ph_json_streamer_new(PhJsonEmitFn *emit, void *opaque)
{
    PhJsonStreamer *s = g_new0(PhJsonStreamer, 1);

    s->emit = emit;
    s->opaque = opaque;
    s->state = LX_START;
    s->text = g_string_sized_new(256);
    s->tokens = g_array_sized_new(FALSE, FALSE, sizeof(Token), 64);
    s->max_token_size = MAX_TOKEN_SIZE;
    s->max_token_count = MAX_TOKEN_COUNT;
    s->max_nesting = MAX_NESTING;
    s->frames = g_array_sized_new(FALSE, FALSE, sizeof(Frame), 16);
    s->keys = g_string_sized_new(64);
    s->sbuf = g_string_sized_new(64);
    return s;
}

size_t ph_json_streamer_feed_partial(PhJsonStreamer *s, const char *buf, size_t len)
{
    const unsigned char *p = (const unsigned char *)buf;
    const unsigned char *end = p + len;

    s->pause_requested = false;
    while (p < end) {
        if (s->state == LX_DQ || s->state == LX_SQ) {
            p += lex_string_run(s, p, end - p);
            if (p == end) {
                break;
            }
        }
        lex_byte(s, *p++, false);
        if (s->pause_requested) {
            s->pause_requested = false;
            break;
        }
    }
    return (size_t)(p - (const unsigned char *)buf);
}

void ph_json_streamer_pause(PhJsonStreamer *s)
{
    s->pause_requested = true;
}

void ph_json_streamer_feed(PhJsonStreamer *s, const char *buf, size_t len)
{
    size_t done = 0;

    while (done < len) {
        done += ph_json_streamer_feed_partial(s, buf + done, len - done);
    }
}

void ph_json_streamer_flush(PhJsonStreamer *s)
{
    if (s->state != LX_START) {
        lex_byte(s, 0, true);
    }
    /* QEMU's JSON_END_OF_INPUT: parse whatever is pending. */
    if (s->tokens->len > 0) {
        stream_parse(s);
    }
    stream_reset(s);
}

void ph_json_streamer_free(PhJsonStreamer *s)
{
    if (s == NULL) {
        return;
    }
    parser_reset(s);
    g_string_free(s->text, TRUE);
    g_array_free(s->tokens, TRUE);
    g_array_free(s->frames, TRUE);
    g_string_free(s->keys, TRUE);
    g_string_free(s->sbuf, TRUE);
    g_free(s);
}

void ph_json_streamer_set_limits(PhJsonStreamer *s, size_t max_token_size,
                                 size_t max_token_count, int max_nesting)
{
    if (max_token_size) {
        s->max_token_size = max_token_size;
    }
    if (max_token_count) {
        s->max_token_count = max_token_count;
    }
    if (max_nesting) {
        s->max_nesting = max_nesting;
    }
}
