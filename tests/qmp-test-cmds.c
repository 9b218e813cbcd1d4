/* Handlers of the test-only QMP commands (tests/qapi/test-commands.json). */
#include "config.h"

#include "aio.h"
#include "test_qapi-commands.h"

/* Runs in the dispatcher coroutine and yields to the main loop @count times. */
TestContextInfo *coroutine_fn qmp_test_yield(int64_t count, GError **error)
{
    TestContextInfo *info = g_new0(TestContextInfo, 1);
    int64_t i;

    info->in_coroutine = ph_in_coroutine();
    for (i = 0; i < count; i++) {
        ph_co_yield_to_loop();
        info->yields++;
    }
    return info;
}

TestContextInfo *qmp_test_context(GError **error)
{
    TestContextInfo *info = g_new0(TestContextInfo, 1);

    info->in_coroutine = ph_in_coroutine();
    return info;
}

TestContextInfo *qmp_test_oob_ping(GError **error)
{
    return qmp_test_context(error);
}

typedef struct {
    QmpReturn *ret;
    int64_t value;
    PhTimer *timer;
} Delay;

static void delay_done(void *opaque)
{
    Delay *d = opaque;
    TestDelayInfo *info = g_new0(TestDelayInfo, 1);

    info->value = d->value;
    /* Completed even when cancelled: that frees it and writes nothing. */
    qmp_test_async_delay_return(d->ret, info);
    ph_timer_free(d->timer);
    g_free(d);
}

void qmp_test_async_delay(int64_t ms, bool has_value, int64_t value, QmpReturn *ret)
{
    Delay *d = g_new0(Delay, 1);

    d->ret = ret;
    d->value = has_value ? value : ms;
    d->timer = aio_timer_new(ph_main_aio_context(), delay_done, d);
    ph_timer_mod_ns(d->timer, ph_clock_ns() + MAX(ms, 0) * 1000000);
}

/* Echoes the arguments as the marshaller converted them. */
JsonNode *qmp_test_args(const char *s, bool has_i, int64_t i, bool has_u8, uint8_t u8,
                        bool has_b, bool b, bool has_n, double n, bool has_e,
                        TestFormat e, bool has_l, intList *l, bool has_o,
                        TestNested *o, GError **error)
{
    g_autoptr(JsonBuilder) jb = json_builder_new();

    json_builder_begin_object(jb);
    json_builder_set_member_name(jb, "s");
    json_builder_add_string_value(jb, s);
    if (has_i) {
        json_builder_set_member_name(jb, "i");
        json_builder_add_int_value(jb, i);
    }
    if (has_u8) {
        json_builder_set_member_name(jb, "u8");
        json_builder_add_int_value(jb, u8);
    }
    if (has_b) {
        json_builder_set_member_name(jb, "b");
        json_builder_add_boolean_value(jb, b);
    }
    if (has_n) {
        json_builder_set_member_name(jb, "n");
        json_builder_add_double_value(jb, n);
    }
    if (has_e) {
        json_builder_set_member_name(jb, "e");
        json_builder_add_string_value(jb, TestFormat_str[e]);
    }
    if (has_l) {
        json_builder_set_member_name(jb, "l");
        json_builder_begin_array(jb);
        for (; l; l = l->next) {
            json_builder_add_int_value(jb, l->value);
        }
        json_builder_end_array(jb);
    }
    if (has_o) {
        json_builder_set_member_name(jb, "o");
        json_builder_begin_object(jb);
        json_builder_set_member_name(jb, "a");
        json_builder_add_int_value(jb, o->a);
        if (o->has_b) {
            json_builder_set_member_name(jb, "b");
            json_builder_add_string_value(jb, o->b);
        }
        json_builder_end_object(jb);
    }
    json_builder_end_object(jb);
    return json_builder_get_root(jb);
}
