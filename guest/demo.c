/* Porthole's default guest: bare-metal M-mode demo with framebuffer, UART, virtio keyboard and tablet. */
#include <stddef.h>
#include <stdint.h>

#include "font.h"
#include "mmio.h"
#include "demo-input.h"

#define PH_DEMO_VERSION "1.0"

/* The virt board's devices (QEMU 7.2's addresses). */
#define UART_BASE UINT64_C(0x10000000)
#define RTC_BASE UINT64_C(0x101000)
#define SYSCON_BASE UINT64_C(0x100000)
#define CLINT_MTIMECMP UINT64_C(0x2004000)
#define CLINT_MTIME UINT64_C(0x200bff8)
#define DRAM_BASE UINT64_C(0x80000000)

/* Used when the device tree is missing or does not describe a framebuffer. */
#define FB_DEFAULT_BASE UINT64_C(0x40000000)
#define FB_DEFAULT_W 1024u
#define FB_DEFAULT_H 768u
#define TIMEBASE_DEFAULT 10000000u

#define FPS 15u
#define BOOT_FRAMES 18u         /* the boot screen shows for 1.2 s */

/* Text cells of the console and status line: the 5x8 glyphs in a 6x9 box, doubled. */
#define TEXT_SCALE 2
#define BOX_W 6
#define BOX_H 9
#define CELL_W (BOX_W * TEXT_SCALE)
#define CELL_H (BOX_H * TEXT_SCALE)
#define CON_MAX_COLS 160
#define CON_MAX_ROWS 96
#define LINE_MAX 96

void ph_demo_main(uint64_t hartid, uint64_t dtb);
void ph_demo_trap(uint64_t cause, uint64_t epc, uint64_t tval);
void *memset(void *dst, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);

/* ---- freestanding helpers (GCC may call these itself) ---- */

void *memset(void *dst, int c, size_t n)
{
    unsigned char *d = dst;

    while (n--) {
        *d++ = (unsigned char)c;
    }
    return dst;
}

void *memcpy(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;

    while (n--) {
        *d++ = *s++;
    }
    return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;

    if (d < s) {
        return memcpy(dst, src, n);
    }
    while (n--) {
        d[n] = s[n];
    }
    return dst;
}

static int str_eq(const char *a, const char *b)
{
    while (*a && *a == *b) {
        a++;
        b++;
    }
    return *a == *b;
}

static int str_starts(const char *s, const char *prefix)
{
    while (*prefix) {
        if (*s++ != *prefix++) {
            return 0;
        }
    }
    return 1;
}

static size_t str_len(const char *s)
{
    size_t n = 0;

    while (s[n]) {
        n++;
    }
    return n;
}

/* ---- state ---- */

static struct {
    uint32_t *fb;
    uint64_t fb_base;
    unsigned w, h, pitch;       /* pitch in pixels */
    uint32_t timebase;
    int from_dtb;
    uint32_t virtio_irq[PH_VIN_SLOTS];  /* PLIC source per virtio-mmio slot, 0 = unknown */
} hw;

/* The screen's regions, computed once from the framebuffer size. */
static struct {
    int header_h;
    int scene_x, scene_y, scene_w, scene_h;
    int status_y;
    int con_x, con_y, con_w, con_h;
} lay;

static struct {
    char text[CON_MAX_ROWS][CON_MAX_COLS];
    unsigned char dirty[CON_MAX_ROWS];
    int cols, rows, x, y;
    int live;                   /* the main screen is up: draw as we go */
} con;

static char line[LINE_MAX];
static size_t line_len;
static int last_was_cr;
static uint64_t frame;
static uint64_t boot_mtime;
static uint64_t scene_ticks;            /* how long the last scene frame took to draw */
static int8_t sine[256];
static uint32_t palette[256];

/* ---- UART and the mirrored console ---- */

static void con_putc(char c);
static int input_pending(void);
static void input_service(void);

static void uart_putc(char c)
{
    /* Bounded wait: a UART that never reports THRE must not hang the demo. */
    for (int i = 0; i < 100000 && !(rd8(UART_BASE + 5) & 0x20); i++) {
    }
    wr8(UART_BASE, (uint8_t)c);
}

static int uart_getc(void)
{
    if (rd8(UART_BASE + 5) & 0x01) {
        return rd8(UART_BASE);
    }
    return -1;
}

static void out_putc(char c)
{
    if (c == '\n') {
        uart_putc('\r');
    }
    uart_putc(c);
    con_putc(c);
}

static void out_puts(const char *s)
{
    while (*s) {
        out_putc(*s++);
    }
}

/* Unsigned decimal, zero-padded to @width digits. */
static void out_dec(uint64_t v, int width)
{
    char buf[24];
    int n = 0;

    do {
        buf[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v && n < 20);
    while (n < width && n < 20) {
        buf[n++] = '0';
    }
    while (n) {
        out_putc(buf[--n]);
    }
}

static void out_hex(uint64_t v, int digits)
{
    for (int i = digits - 1; i >= 0; i--) {
        out_putc("0123456789abcdef"[(v >> (i * 4)) & 0xf]);
    }
}

/* ---- drawing ---- */

static inline void put_px(int x, int y, uint32_t c)
{
    if ((unsigned)x < hw.w && (unsigned)y < hw.h) {
        hw.fb[(size_t)y * hw.pitch + (unsigned)x] = c;
    }
}

static void fill_rect(int x, int y, int w, int h, uint32_t c)
{
    int x1 = x + w, y1 = y + h;

    if (x < 0) {
        x = 0;
    }
    if (y < 0) {
        y = 0;
    }
    if (x1 > (int)hw.w) {
        x1 = (int)hw.w;
    }
    if (y1 > (int)hw.h) {
        y1 = (int)hw.h;
    }
    for (int j = y; j < y1; j++) {
        uint32_t *row = hw.fb + (size_t)j * hw.pitch;

        for (int i = x; i < x1; i++) {
            row[i] = c;
        }
    }
}

static uint32_t rgb(unsigned r, unsigned g, unsigned b)
{
    return (uint32_t)((r & 0xff) << 16 | (g & 0xff) << 8 | (b & 0xff));
}

/* Blend from @a to @b by @num/@den. */
static uint32_t mix(uint32_t a, uint32_t b, int num, int den)
{
    uint32_t out = 0;

    if (den <= 0) {
        return a;
    }
    for (int s = 0; s < 24; s += 8) {
        int ca = (int)(a >> s & 0xff), cb = (int)(b >> s & 0xff);

        out |= (uint32_t)(ca + (cb - ca) * num / den) << s;
    }
    return out;
}

static void vgradient(int x, int y, int w, int h, uint32_t top, uint32_t bottom)
{
    for (int j = 0; j < h; j++) {
        fill_rect(x, y + j, w, 1, mix(top, bottom, j, h > 1 ? h - 1 : 1));
    }
}

static void hgradient(int x, int y, int w, int h, uint32_t left, uint32_t right)
{
    for (int i = 0; i < w; i++) {
        fill_rect(x + i, y, 1, h, mix(left, right, i, w > 1 ? w - 1 : 1));
    }
}

/* A filled disc, or a ring when @inner > 0. */
/* The rows y0..y1 of a filled disc, or of a ring when @inner > 0. */
static void disc_rows(int cx, int cy, int r, int inner, uint32_t c, int y0, int y1)
{
    int top = y0 - cy > -r ? y0 - cy : -r, bottom = y1 - cy < r ? y1 - cy : r;

    for (int dy = top; dy <= bottom; dy++) {
        for (int dx = -r; dx <= r; dx++) {
            int d = dx * dx + dy * dy;

            if (d <= r * r && d >= inner * inner) {
                put_px(cx + dx, cy + dy, c);
            }
        }
    }
}

static void disc(int cx, int cy, int r, int inner, uint32_t c)
{
    for (int dy = -r; dy <= r; dy++) {
        for (int dx = -r; dx <= r; dx++) {
            int d = dx * dx + dy * dy;

            if (d <= r * r && d >= inner * inner) {
                put_px(cx + dx, cy + dy, c);
            }
        }
    }
}

static uint8_t glyph_bits[PH_FONT_COUNT][PH_FONT_H];

static void font_init(void)
{
    for (int g = 0; g < PH_FONT_COUNT; g++) {
        for (int r = 0; r < PH_FONT_H; r++) {
            uint8_t bits = 0;

            for (int c = 0; c < PH_FONT_W; c++) {
                bits = (uint8_t)(bits << 1 | (ph_font_art[g][r * PH_FONT_W + c] == '#'));
            }
            glyph_bits[g][r] = bits;
        }
    }
}

/* One character in a (6 x 9) * @scale box; @bg == fg means transparent. */
static void draw_char(int x, int y, char ch, int scale, uint32_t fg, uint32_t bg)
{
    int g = (unsigned char)ch;

    if (g < PH_FONT_FIRST || g > PH_FONT_LAST) {
        g = '?';
    }
    g -= PH_FONT_FIRST;
    if (bg != fg) {
        fill_rect(x, y, BOX_W * scale, BOX_H * scale, bg);
    }
    for (int r = 0; r < PH_FONT_H; r++) {
        for (int c = 0; c < PH_FONT_W; c++) {
            if (glyph_bits[g][r] & (0x10 >> c)) {
                fill_rect(x + c * scale, y + r * scale, scale, scale, fg);
            }
        }
    }
}

static void draw_text(int x, int y, const char *s, int scale, uint32_t fg, uint32_t bg)
{
    for (; *s; s++, x += BOX_W * scale) {
        draw_char(x, y, *s, scale, fg, bg);
    }
}

/* Text with a soft drop shadow, for titles over gradients. */
static void draw_title(int x, int y, const char *s, int scale, uint32_t fg)
{
    draw_text(x + scale / 2 + 1, y + scale / 2 + 1, s, scale, 0x000000, 0x000000);
    draw_text(x, y, s, scale, fg, fg);
}

static int text_width(const char *s, int scale)
{
    return (int)str_len(s) * BOX_W * scale;
}

/* ---- the pointer: an arrow over everything, with a save-under ---- */

/*
 * The arrow, its box starting one pixel above and left of the hotspot:
 * 'W' white fill (the hotspot is the first 'W'), 'B' black outline.
 * A soft shadow falls two pixels down and right.
 */
#define PTR_ART_W 13
#define PTR_ART_H 20
#define PTR_SHADOW 2
#define PTR_W (PTR_ART_W + PTR_SHADOW)
#define PTR_H (PTR_ART_H + PTR_SHADOW)

static const char ptr_art[PTR_ART_H][PTR_ART_W + 1] = {
    ".B...........",
    "BWB..........",
    "BWWB.........",
    "BWWWB........",
    "BWWWWB.......",
    "BWWWWWB......",
    "BWWWWWWB.....",
    "BWWWWWWWB....",
    "BWWWWWWWWB...",
    "BWWWWWWWWWB..",
    "BWWWWWWWWWWB.",
    "BWWWWWWBBBBB.",
    "BWWWBWWB.....",
    "BWWB.BWWB....",
    "BWB..BWWB....",
    "BB....BWWB...",
    "B.....BWWB...",
    ".......BWWB..",
    ".......BWWB..",
    "........BB...",
};

enum { PM_NONE, PM_BLACK, PM_WHITE, PM_SHADOW };

static struct {
    uint8_t mask[PTR_H][PTR_W];
    uint32_t under[PTR_H][PTR_W];   /* the screen below each covered pixel */
    int seen;                       /* an ABS event came: the pointer is wanted */
    int shown;                      /* drawn at (bx, by) */
    int moved;                      /* hx/hy changed since it was drawn */
    int hx, hy;                     /* the hotspot */
    int bx, by;                     /* the box's top left corner on screen */
} ptr;

static void ptr_init(void)
{
    for (int j = 0; j < PTR_ART_H; j++) {
        for (int i = 0; i < PTR_ART_W; i++) {
            if (ptr_art[j][i] != '.') {
                ptr.mask[j + PTR_SHADOW][i + PTR_SHADOW] = PM_SHADOW;
            }
        }
    }
    /* Where the arrow itself is, it is the arrow and not its shadow. */
    for (int j = 0; j < PTR_ART_H; j++) {
        for (int i = 0; i < PTR_ART_W; i++) {
            if (ptr_art[j][i] == 'B') {
                ptr.mask[j][i] = PM_BLACK;
            } else if (ptr_art[j][i] == 'W') {
                ptr.mask[j][i] = PM_WHITE;
            }
        }
    }
}

static uint32_t ptr_colour(uint8_t m, uint32_t under)
{
    return m == PM_BLACK ? 0x000000 : m == PM_WHITE ? 0xffffff : mix(under, 0x000000, 2, 5);
}

static uint32_t *ptr_fb(int i, int j)
{
    int x = ptr.bx + i, y = ptr.by + j;

    if ((unsigned)x >= hw.w || (unsigned)y >= hw.h) {
        return NULL;
    }
    return hw.fb + (size_t)y * hw.pitch + (unsigned)x;
}

static void ptr_restore(void)
{
    if (!ptr.shown) {
        return;
    }
    for (int j = 0; j < PTR_H; j++) {
        for (int i = 0; i < PTR_W; i++) {
            uint32_t *p = ptr.mask[j][i] ? ptr_fb(i, j) : NULL;

            if (p) {
                *p = ptr.under[j][i];
            }
        }
    }
    ptr.shown = 0;
}

static void ptr_draw(void)
{
    ptr.bx = ptr.hx - 1;
    ptr.by = ptr.hy - 1;
    for (int j = 0; j < PTR_H; j++) {
        for (int i = 0; i < PTR_W; i++) {
            uint32_t *p = ptr.mask[j][i] ? ptr_fb(i, j) : NULL;

            if (p) {
                ptr.under[j][i] = *p & 0xffffff;
                *p = ptr_colour(ptr.mask[j][i], ptr.under[j][i]);
            }
        }
    }
    ptr.shown = 1;
    ptr.moved = 0;
}

/* Moves the drawn pointer to the current hotspot (no-op when it has not moved). */
static void ptr_update(void)
{
    if (!ptr.seen || (ptr.shown && !ptr.moved)) {
        return;
    }
    ptr_restore();
    ptr_draw();
}

/*
 * After drawing that may have covered the pointer: a covered pixel no
 * longer shows the pointer's colour, so it is the new background; keep
 * it and draw the pointer over it again.  (Nothing is ever hidden first,
 * so the pointer does not flicker while the scene is redrawn.)
 */
static void ptr_fixup(void)
{
    if (!ptr.shown) {
        return;
    }
    for (int j = 0; j < PTR_H; j++) {
        for (int i = 0; i < PTR_W; i++) {
            uint8_t m = ptr.mask[j][i];
            uint32_t *p = m ? ptr_fb(i, j) : NULL;

            if (p && (*p & 0xffffff) != ptr_colour(m, ptr.under[j][i])) {
                ptr.under[j][i] = *p & 0xffffff;
                *p = ptr_colour(m, ptr.under[j][i]);
            }
        }
    }
}

/* Does the drawn pointer touch rows y0..y1 (inclusive)? */
static int ptr_in_rows(int y0, int y1)
{
    return ptr.shown && ptr.by <= y1 && ptr.by + PTR_H - 1 >= y0;
}

/* ---- the device tree: the framebuffer, the timer frequency, virtio interrupts ---- */

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void dtb_read(uint64_t dtb)
{
    const uint8_t *base = (const uint8_t *)(uintptr_t)dtb;
    uint32_t total, off_struct, off_strings, size_strings, pos, end;
    int depth = 0, in_fb = 0, in_cpus = 0;
    int v_depth = 0;                    /* depth of the virtio_mmio node we are in, 0 = none */
    uint64_t v_base = 0;
    uint32_t v_irq = 0;
    uint64_t fb_base = 0;
    uint32_t w = 0, h = 0, stride = 0;

    /* Only trust a pointer into RAM: -bios none passes one, other loaders may not. */
    if (dtb < DRAM_BASE || (dtb & 7) || be32(base) != 0xd00dfeed) {
        return;
    }
    total = be32(base + 4);
    off_struct = be32(base + 8);
    off_strings = be32(base + 12);
    size_strings = be32(base + 32);
    if (total > (1u << 20) || off_struct >= total || off_strings >= total ||
        size_strings > total - off_strings) {
        return;
    }
    pos = off_struct;
    end = total;
    while (pos + 4 <= end) {
        uint32_t tok = be32(base + pos);

        pos += 4;
        if (tok == 1) {                 /* FDT_BEGIN_NODE */
            const char *name = (const char *)base + pos;
            uint32_t n = 0;

            while (pos + n < end && name[n]) {
                n++;
            }
            if (depth == 1) {
                in_fb = str_starts(name, "framebuffer");
                in_cpus = str_eq(name, "cpus");
            }
            depth++;
            if (!v_depth && str_starts(name, "virtio_mmio@")) {
                v_depth = depth;
                v_base = 0;
                v_irq = 0;
            }
            pos = (pos + n + 1 + 3) & ~3u;
        } else if (tok == 2) {          /* FDT_END_NODE */
            if (v_depth && depth == v_depth) {
                uint64_t slot = (v_base - PH_VIN_MMIO_BASE) / PH_VIN_MMIO_STRIDE;

                if (v_base >= PH_VIN_MMIO_BASE && slot < PH_VIN_SLOTS &&
                    v_base == PH_VIN_MMIO_BASE + slot * PH_VIN_MMIO_STRIDE) {
                    hw.virtio_irq[slot] = v_irq;
                }
                v_depth = 0;
            }
            depth--;
            if (depth <= 1) {
                in_fb = in_cpus = 0;
            }
        } else if (tok == 3) {          /* FDT_PROP */
            uint32_t len, nameoff;
            const uint8_t *val;
            const char *pname;

            if (pos + 8 > end) {
                break;
            }
            len = be32(base + pos);
            nameoff = be32(base + pos + 4);
            pos += 8;
            if (len > end - pos || nameoff >= size_strings) {
                break;
            }
            val = base + pos;
            pname = (const char *)base + off_strings + nameoff;
            if (depth == 2 && in_fb) {
                if (str_eq(pname, "reg") && len >= 8) {
                    fb_base = (uint64_t)be32(val) << 32 | be32(val + 4);
                } else if (str_eq(pname, "width") && len == 4) {
                    w = be32(val);
                } else if (str_eq(pname, "height") && len == 4) {
                    h = be32(val);
                } else if (str_eq(pname, "stride") && len == 4) {
                    stride = be32(val);
                }
            } else if (v_depth && depth == v_depth) {
                if (str_eq(pname, "reg") && len >= 8) {
                    v_base = (uint64_t)be32(val) << 32 | be32(val + 4);
                } else if (str_eq(pname, "interrupts") && len == 4) {
                    v_irq = be32(val);
                }
            } else if (depth == 2 && in_cpus && str_eq(pname, "timebase-frequency") &&
                       len == 4 && be32(val) >= 1000) {
                hw.timebase = be32(val);
            }
            pos = (pos + len + 3) & ~3u;
        } else if (tok == 4) {          /* FDT_NOP */
            continue;
        } else {                        /* FDT_END or garbage */
            break;
        }
    }
    if (fb_base && w >= 64 && h >= 64 && w <= 8192 && h <= 8192 && stride >= w * 4 &&
        !(stride & 3)) {
        hw.fb_base = fb_base;
        hw.w = w;
        hw.h = h;
        hw.pitch = stride / 4;
        hw.from_dtb = 1;
    }
}

/* ---- time ---- */

static uint64_t mtime(void)
{
    return rd64(CLINT_MTIME);
}

typedef struct {
    unsigned year, month, day, hour, min, sec;
} civil_time;

static int leap(unsigned y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* The goldfish RTC counts nanoseconds since 1970 (UTC). */
static civil_time rtc_now(void)
{
    static const uint8_t mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    uint32_t lo = rd32(RTC_BASE + 0x00);    /* reading the low half latches the high */
    uint32_t hi = rd32(RTC_BASE + 0x04);
    uint64_t secs = ((uint64_t)hi << 32 | lo) / 1000000000u;
    uint64_t days = secs / 86400;
    civil_time t;

    t.sec = (unsigned)(secs % 60);
    t.min = (unsigned)(secs / 60 % 60);
    t.hour = (unsigned)(secs / 3600 % 24);
    t.year = 1970;
    while (t.year < 9999 && days >= (uint64_t)(365 + leap(t.year))) {
        days -= (uint64_t)(365 + leap(t.year));
        t.year++;
    }
    t.month = 0;
    while (t.month < 11 && days >= (uint64_t)(mdays[t.month] + (t.month == 1 && leap(t.year)))) {
        days -= (uint64_t)(mdays[t.month] + (t.month == 1 && leap(t.year)));
        t.month++;
    }
    t.month++;
    t.day = (unsigned)days + 1;
    return t;
}

static void format_time(char *buf, civil_time t)
{
    unsigned v[6] = { t.year, t.month, t.day, t.hour, t.min, t.sec };
    const char sep[6] = { '-', '-', ' ', ':', ':', 0 };
    int n = 0;

    for (int i = 0; i < 6; i++) {
        if (i == 0) {
            buf[n++] = (char)('0' + v[0] / 1000 % 10);
            buf[n++] = (char)('0' + v[0] / 100 % 10);
        }
        buf[n++] = (char)('0' + v[i] / 10 % 10);
        buf[n++] = (char)('0' + v[i] % 10);
        if (sep[i]) {
            buf[n++] = sep[i];
        }
    }
    buf[n++] = ' ';
    buf[n++] = 'U';
    buf[n++] = 'T';
    buf[n++] = 'C';
    buf[n] = 0;
}

/* ---- palette and waves ---- */

/* A parabola per half period: close enough to a sine for colour waves, and integer-only. */
static void waves_init(void)
{
    for (int i = 0; i < 256; i++) {
        int k = i & 127;
        int v = k * (128 - k) * 127 / 4096;

        sine[i] = (int8_t)(i < 128 ? v : -v);
    }
    /* Deep sea blues and teals with a warm brass highlight. */
    for (int i = 0; i < 256; i++) {
        int r = 40 + (sine[(i + 192) & 255] + 127) * 150 / 254;
        int g = 60 + (sine[(i + 40) & 255] + 127) * 140 / 254;
        int b = 110 + (sine[(i + 100) & 255] + 127) * 130 / 254;

        palette[i] = rgb((unsigned)r, (unsigned)g, (unsigned)b);
    }
}

/* ---- the text console on screen ---- */

static const uint32_t CON_BG = 0x0d1522;
static const uint32_t CON_FG = 0xd8e2ee;
static const uint32_t CON_EDGE = 0x2c4a66;

static void con_draw_row(int r)
{
    int y = lay.con_y + r * CELL_H;

    for (int c = 0; c < con.cols; c++) {
        char ch = con.text[r][c];

        draw_char(lay.con_x + c * CELL_W, y, ch ? ch : ' ', TEXT_SCALE, CON_FG, CON_BG);
    }
    con.dirty[r] = 0;
}

static void con_draw_cursor(int on)
{
    /* Before the main screen the console area is the boot screen's. */
    if (con.live && con.y < con.rows && con.x < con.cols) {
        fill_rect(lay.con_x + con.x * CELL_W, lay.con_y + con.y * CELL_H + CELL_H - 3,
                  CELL_W - 2, 2, on ? 0x7fd4ff : CON_BG);
        ptr_fixup();
    }
}

static void con_flush(void)
{
    if (!con.live) {
        return;
    }
    for (int r = 0; r < con.rows; r++) {
        if (con.dirty[r]) {
            con_draw_row(r);
            if (ptr_in_rows(lay.con_y + r * CELL_H, lay.con_y + (r + 1) * CELL_H - 1)) {
                ptr_fixup();
            }
            /* A scrolled console is a long redraw: keep the pointer lively. */
            if (input_pending()) {
                input_service();
            }
        }
    }
}

static void con_newline(void)
{
    con_draw_cursor(0);
    con.x = 0;
    if (++con.y >= con.rows) {
        memmove(con.text[0], con.text[1], sizeof(con.text[0]) * (size_t)(con.rows - 1));
        memset(con.text[con.rows - 1], 0, sizeof(con.text[0]));
        con.y = con.rows - 1;
        memset(con.dirty, 1, sizeof(con.dirty));
    }
}

static void con_putc(char c)
{
    if (con.rows <= 0 || con.cols <= 0) {
        return;
    }
    if (c == '\n') {
        con_newline();
    } else if (c == '\b') {
        if (con.x > 0) {
            con_draw_cursor(0);
            con.x--;
        }
    } else if (c >= 32 && c < 127) {
        if (con.x >= con.cols) {
            con_newline();
        }
        con.text[con.y][con.x++] = c;
        con.dirty[con.y] = 1;
    }
}

static void con_clear(void)
{
    memset(con.text, 0, sizeof(con.text));
    memset(con.dirty, 1, sizeof(con.dirty));
    con.x = con.y = 0;
}

/* ---- layout and screens ---- */

static void layout(void)
{
    int w = (int)hw.w, h = (int)hw.h;
    int rest;

    lay.header_h = h >= 480 ? 64 : 40;
    lay.scene_x = 8;
    lay.scene_y = lay.header_h + 8;
    lay.scene_w = (w - 16) & ~3;
    rest = h - lay.scene_y - 8 - CELL_H - 16;
    lay.scene_h = (rest * 2 / 5) & ~3;
    lay.status_y = lay.scene_y + lay.scene_h + 8;
    lay.con_x = 16;
    lay.con_y = lay.status_y + CELL_H + 16;
    lay.con_w = w - 32;
    lay.con_h = h - lay.con_y - 8;
    con.cols = lay.con_w / CELL_W;
    con.rows = lay.con_h / CELL_H;
    if (con.cols > CON_MAX_COLS) {
        con.cols = CON_MAX_COLS;
    }
    if (con.rows > CON_MAX_ROWS) {
        con.rows = CON_MAX_ROWS;
    }
    if (con.cols < 1 || con.rows < 1) {
        con.cols = con.rows = 0;
    }
}

/* The porthole: a brass ring with bolts around a sea-blue glass. */
static void draw_logo(int cx, int cy, int r)
{
    static const int8_t dirs[8][2] = {
        { 0, -100 }, { 71, -71 }, { 100, 0 }, { 71, 71 },
        { 0, 100 }, { -71, 71 }, { -100, 0 }, { -71, -71 },
    };
    int inner = r * 3 / 4;

    disc(cx + r / 12, cy + r / 12, r, 0, 0x050a14);             /* shadow */
    disc(cx, cy, r, inner, 0xb8893c);                           /* brass */
    disc(cx, cy, r - r / 12, inner + r / 12, 0xd9a94f);
    for (int i = inner; i > 0; i--) {                           /* glass, lighter inwards */
        disc(cx, cy, i, i - 1, mix(0x5fb4d8, 0x123a5e, i, inner));
    }
    disc(cx - inner / 3, cy - inner / 3, inner / 5, 0, 0xcfeaf6);   /* glint */
    for (int i = 0; i < 8; i++) {
        int bx = cx + dirs[i][0] * (r + inner) / 200;
        int by = cy + dirs[i][1] * (r + inner) / 200;

        disc(bx, by, r / 14 + 1, 0, 0x6e4f1e);
        disc(bx - 1, by - 1, r / 20 + 1, 0, 0xf0cf86);
    }
}

static void boot_screen(void)
{
    int w = (int)hw.w, h = (int)hw.h;
    int r = (h < w ? h : w) / 6;
    int cy = h / 2 - r / 2;
    const char *title = "Porthole";
    const char *sub = "demo guest " PH_DEMO_VERSION " - RISC-V RV64GC bare metal";
    int ts = h >= 600 ? 6 : 3;

    vgradient(0, 0, w, h, 0x0a1428, 0x1d5470);
    draw_logo(w / 2, cy, r);
    draw_title((w - text_width(title, ts)) / 2, cy + r + r / 3, title, ts, 0xf4ead2);
    draw_title((w - text_width(sub, 2)) / 2, cy + r + r / 3 + 8 * ts + 12, sub, 2, 0xa9c7da);
    fill_rect(w / 4, h - h / 8, w / 2, 6, 0x0b2234);
}

static void boot_progress(unsigned step, unsigned steps)
{
    int w = (int)hw.w, h = (int)hw.h;

    fill_rect(w / 4, h - h / 8, (int)((uint64_t)(w / 2) * step / steps), 6, 0xd9a94f);
}

/* FNV-1a over the visible pixels: lets a test see that drawing reached the framebuffer. */
static uint32_t screen_checksum(void)
{
    uint32_t hsh = 2166136261u;

    for (unsigned y = 0; y < hw.h; y++) {
        const uint32_t *row = hw.fb + (size_t)y * hw.pitch;

        for (unsigned x = 0; x < hw.w; x++) {
            hsh = (hsh ^ (row[x] & 0xffffff)) * 16777619u;
        }
    }
    return hsh;
}

static void main_screen(void)
{
    int w = (int)hw.w;

    vgradient(0, 0, w, (int)hw.h, 0x08101c, 0x101c2c);
    hgradient(0, 0, w, lay.header_h, 0x123a5e, 0x0a1428);
    fill_rect(0, lay.header_h - 2, w, 2, 0xb8893c);
    draw_logo(lay.header_h / 2 + 4, lay.header_h / 2 - 1, lay.header_h / 2 - 8);
    draw_title(lay.header_h + 8, lay.header_h / 2 - 12, "Porthole", 3, 0xf4ead2);
    draw_title(lay.header_h + 8 + text_width("Porthole ", 3), lay.header_h / 2 - 4,
               "demo guest " PH_DEMO_VERSION, 2, 0xa9c7da);
    fill_rect(lay.con_x - 8, lay.con_y - 8, lay.con_w + 16, lay.con_h + 8, CON_EDGE);
    fill_rect(lay.con_x - 6, lay.con_y - 6, lay.con_w + 12, lay.con_h + 4, CON_BG);
    con.live = 1;
    memset(con.dirty, 1, sizeof(con.dirty));
    con_flush();
}

/* Rings spreading where the user clicked: centre in scene coordinates, age in frames. */
#define RIPPLES 6
#define RIPPLE_FRAMES 12
static struct {
    int x, y, age;
} ripples[RIPPLES];
static unsigned ripple_next;

static void ripple_add(int x, int y)
{
    if (x < 0 || y < 0 || x >= lay.scene_w || y >= lay.scene_h) {
        return;
    }
    ripples[ripple_next].x = x;
    ripples[ripple_next].y = y;
    ripples[ripple_next].age = -1;     /* shown from the next frame on, whole */
    ripple_next = (ripple_next + 1) % RIPPLES;
}

static unsigned isqrt(unsigned v)
{
    unsigned r = 0, b = 1u << 30;

    while (b > v) {
        b >>= 2;
    }
    while (b) {
        if (v >= r + b) {
            v -= r + b;
            r = (r >> 1) + b;
        } else {
            r >>= 1;
        }
        b >>= 2;
    }
    return r;
}

static void blend_span(uint32_t *row, int x0, int x1, uint32_t c, int alpha)
{
    if (x0 < 0) {
        x0 = 0;
    }
    if (x1 >= lay.scene_w) {
        x1 = lay.scene_w - 1;
    }
    for (int x = x0; x <= x1; x++) {
        row[x] = mix(row[x], c, alpha, 256);
    }
}

/* Scene rows y0..y1 of a ring of radius @r and width @thick, blended onto
 * the scene (and clipped to it) by @alpha/256. */
static void ring_in_scene(int cx, int cy, int r, int thick, uint32_t c, int alpha, int y0, int y1)
{
    int ri = r - thick > 0 ? r - thick : 0;
    int top = y0 - cy > -r ? y0 - cy : -r, bottom = y1 - cy < r ? y1 - cy : r;

    if (r <= 0 || alpha <= 0) {
        return;
    }
    for (int dy = top; dy <= bottom; dy++) {
        int y = cy + dy;
        int xo = (int)isqrt((unsigned)(r * r - dy * dy));
        int xi = dy * dy < ri * ri ? (int)isqrt((unsigned)(ri * ri - dy * dy)) : -1;
        uint32_t *row;

        if (y < 0 || y >= lay.scene_h) {
            continue;
        }
        row = hw.fb + (size_t)(lay.scene_y + y) * hw.pitch + lay.scene_x;
        if (xi < 0) {
            blend_span(row, cx - xo, cx + xo, c, alpha);
        } else {
            blend_span(row, cx - xo, cx - xi - 1, c, alpha);
            blend_span(row, cx + xi + 1, cx + xo, c, alpha);
        }
    }
}

/* Scene rows y0..y1 of the ripples. */
static void ripples_rows(int y0, int y1)
{
    for (unsigned i = 0; i < RIPPLES; i++) {
        int a = ripples[i].age;

        if (a <= 0) {
            continue;
        }
        /* Two rings, the inner one trailing; both fade as they grow. */
        ring_in_scene(ripples[i].x, ripples[i].y, 4 + a * 5, 3, 0xf4ead2,
                      256 - a * 256 / (RIPPLE_FRAMES + 1), y0, y1);
        if (a > 3) {
            ring_in_scene(ripples[i].x, ripples[i].y, a * 5 - 10, 2, 0xcfeaf6,
                          200 - a * 200 / (RIPPLE_FRAMES + 1), y0, y1);
        }
    }
}

static void ripples_age(void)
{
    for (unsigned i = 0; i < RIPPLES; i++) {
        if (ripples[i].age < 0) {
            ripples[i].age = 1;
        } else if (ripples[i].age > 0) {
            ripples[i].age = ripples[i].age >= RIPPLE_FRAMES ? 0 : ripples[i].age + 1;
        }
    }
}

/* Bubbles rising and drifting through the plasma sea. */
static struct {
    int x, y, dx, dy, r;
} bubbles[4] = {
    { 120, 90, 3, -2, 18 }, { 400, 150, -2, -3, 12 }, { 700, 60, 2, 2, 24 }, { 260, 200, -3, 1, 9 },
};

static void bubbles_move(void)
{
    for (unsigned i = 0; i < sizeof(bubbles) / sizeof(bubbles[0]); i++) {
        int r = bubbles[i].r;

        if (r * 2 + 2 >= lay.scene_w || r * 2 + 2 >= lay.scene_h) {
            continue;
        }
        /* Bounce off the edges, clamped so that no ring leaves the scene. */
        bubbles[i].x += bubbles[i].dx;
        bubbles[i].y += bubbles[i].dy;
        if (bubbles[i].x <= r) {
            bubbles[i].x = r + 1;
            bubbles[i].dx = -bubbles[i].dx;
        } else if (bubbles[i].x >= lay.scene_w - r - 1) {
            bubbles[i].x = lay.scene_w - r - 2;
            bubbles[i].dx = -bubbles[i].dx;
        }
        if (bubbles[i].y <= r) {
            bubbles[i].y = r + 1;
            bubbles[i].dy = -bubbles[i].dy;
        } else if (bubbles[i].y >= lay.scene_h - r - 1) {
            bubbles[i].y = lay.scene_h - r - 2;
            bubbles[i].dy = -bubbles[i].dy;
        }
    }
}

/* Screen rows y0..y1 of the bubbles. */
static void bubbles_rows(int y0, int y1)
{
    for (unsigned i = 0; i < sizeof(bubbles) / sizeof(bubbles[0]); i++) {
        int r = bubbles[i].r;
        int x = lay.scene_x + bubbles[i].x, y = lay.scene_y + bubbles[i].y;

        if (r * 2 + 2 >= lay.scene_w || r * 2 + 2 >= lay.scene_h || y + r < y0 || y - r > y1) {
            continue;
        }
        disc_rows(x, y, r, r - 2, 0xe8f6ff, y0, y1);
        disc_rows(x - r / 3, y - r / 3, r / 4, 0, 0xffffff, y0, y1);
    }
}

/* The terms of the plasma that depend on the column alone, once per frame. */
static int8_t col_a[2048], col_b[2048];

/* One 4x4 block of the plasma at block (@cx, @cy); @row is the band's first row in the scene. */
static inline __attribute__((always_inline)) void plasma_block(uint32_t *row, int cx, int cy,
                                                               int wy, unsigned t)
{
    int v = col_a[cx] + wy + sine[((cx + cy) * 2 + t) & 255] + sine[(col_b[cx] + cy * 4) & 255];
    uint64_t c = palette[(unsigned)(v / 4 + (int)t) & 255];
    uint64_t *p = (uint64_t *)(row + cx * 4);

    if (hw.pitch & 1) {         /* rows not 8-byte aligned: one pixel at a time */
        for (int j = 0; j < 4; j++) {
            fill_rect(lay.scene_x + cx * 4, lay.scene_y + cy * 4 + j, 4, 1, (uint32_t)c);
        }
        return;
    }
    /* Two pixels per store: half the emulated stores. */
    c |= c << 32;
    for (int j = 0; j < 4; j++) {
        p[0] = c;
        p[1] = c;
        p += hw.pitch / 2;
    }
}

static void scene_frame(void)
{
    unsigned t = (unsigned)frame;
    int cw = lay.scene_w / 4, ch = lay.scene_h / 4;

    /* The terms that depend on the column alone, once per frame. */
    if (cw > 2048) {
        cw = 2048;
    }
    for (int cx = 0; cx < cw; cx++) {
        col_a[cx] = sine[(cx * 3 + t * 2) & 255];
        col_b[cx] = (int8_t)(sine[(cx * 2 + t) & 255] / 2);
    }
    bubbles_move();

    /* A plasma in 4x4 blocks: cheap enough for the interpreter at 15 frames a second. */
    for (int cy = 0; cy < ch; cy++) {
        int wy = sine[(cy * 5 - t * 3) & 255];
        uint32_t *row = hw.fb + (size_t)(lay.scene_y + cy * 4) * hw.pitch + lay.scene_x;

        if ((unsigned)(lay.scene_y + cy * 4 + 3) >= hw.h) {
            break;
        }
        /* Under the pointer, the blocks it covers come last, right before
         * it is drawn again: it is never missing for more than a moment. */
        int p0 = cw, p1 = cw;

        if (ptr_in_rows(lay.scene_y + cy * 4, lay.scene_y + cy * 4 + 3)) {
            int a = ptr.bx - lay.scene_x, b = ptr.bx + PTR_W - lay.scene_x;

            p0 = a < 0 ? 0 : a / 4 < cw ? a / 4 : cw;
            p1 = b < 0 ? 0 : (b + 3) / 4 < cw ? (b + 3) / 4 : cw;
        }
        for (int cx = 0; cx < cw; cx++) {
            if (cx == p0) {
                cx = p1;
                if (cx >= cw) {
                    break;
                }
            }
            plasma_block(row, cx, cy, wy, t);
        }
        for (int cx = p0; cx < p1; cx++) {
            plasma_block(row, cx, cy, wy, t);
        }
        /* The bubbles and ripples of this band at once: a frame caught half
         * drawn shows whole bubbles, never cut ones. */
        bubbles_rows(lay.scene_y + cy * 4, lay.scene_y + cy * 4 + 3);
        ripples_rows(cy * 4, cy * 4 + 3);
        if (p0 < p1 || ptr_in_rows(lay.scene_y + cy * 4, lay.scene_y + cy * 4 + 3)) {
            ptr_fixup();
        }
        /* Answer input every 4 bands: a frame takes a while on an interpreter. */
        if ((cy & 3) == 3 && input_pending()) {
            input_service();
        }
    }
    ripples_age();
    ptr_fixup();
}

/* The status line: time, uptime and frame on the left, the last key pressed on the right. */
static const uint32_t STATUS_BG = 0x0a1420;
#define KEYCAP_COLS 16
#define KEYCAP_W (KEYCAP_COLS * CELL_W + 12)
#define KEYS_LABEL "last key"

static char key_label[KEYCAP_COLS + 1];
static int key_label_dirty;

static int keycap_x(void)
{
    return (int)hw.w - lay.scene_x - 8 - KEYCAP_W;
}

static int keys_label_x(void)
{
    return keycap_x() - 8 - text_width(KEYS_LABEL, 1);
}

static void keys_draw(void)
{
    int x = keycap_x(), y = lay.status_y - 2, h = CELL_H + 4;

    key_label_dirty = 0;
    if (keys_label_x() < lay.scene_x + 8) {
        return;                 /* no room on a tiny screen */
    }
    if (!key_label[0]) {
        fill_rect(x, y, KEYCAP_W, h, STATUS_BG);
    } else {
        /* A key cap: rounded edge, a lighter top, the name centred. */
        fill_rect(x + 1, y, KEYCAP_W - 2, h, 0x3f6a8f);
        fill_rect(x, y + 1, KEYCAP_W, h - 2, 0x3f6a8f);
        fill_rect(x + 1, y + 1, KEYCAP_W - 2, h - 2, 0x16263a);
        fill_rect(x + 2, y + 1, KEYCAP_W - 4, 1, 0x5a86ab);
        draw_text(x + (KEYCAP_W - text_width(key_label, TEXT_SCALE)) / 2, lay.status_y,
                  key_label, TEXT_SCALE, 0xf4ead2, 0xf4ead2);
    }
    if (ptr_in_rows(y, y + h - 1)) {
        ptr_fixup();
    }
}

static void status_frame(int full)
{
    char buf[96], tbuf[32];
    uint64_t up = (mtime() - boot_mtime) / hw.timebase;
    int n = 0, n_date, n_up, room, x;
    const char *p;

    format_time(tbuf, rtc_now());
    for (p = tbuf; *p; p++) {
        buf[n++] = *p;
    }
    n_date = n;
    for (p = "   up "; *p; p++) {
        buf[n++] = *p;
    }
    buf[n++] = (char)('0' + up / 36000 % 10);
    buf[n++] = (char)('0' + up / 3600 % 10);
    buf[n++] = ':';
    buf[n++] = (char)('0' + up / 600 % 6);
    buf[n++] = (char)('0' + up / 60 % 10);
    buf[n++] = ':';
    buf[n++] = (char)('0' + up / 10 % 6);
    buf[n++] = (char)('0' + up % 10);
    n_up = n;
    for (p = "   frame "; *p; p++) {
        buf[n++] = *p;
    }
    {
        char d[24];
        int k = 0;
        uint64_t f = frame;

        do {
            d[k++] = (char)('0' + f % 10);
            f /= 10;
        } while (f && k < 20);
        while (k) {
            buf[n++] = d[--k];
        }
    }
    /* On a narrow screen the frame count goes first, then the uptime. */
    room = keys_label_x() - 8 - (lay.scene_x + 8);
    if (room < 0) {
        room = (int)hw.w - 2 * lay.scene_x - 16;
    }
    room /= CELL_W;
    if (n > room) {
        n = n_up <= room ? n_up : n_date;
    }
    if (n > room) {
        n = room > 0 ? room : 0;
    }
    buf[n] = 0;
    if (full) {
        fill_rect(lay.scene_x, lay.status_y - 2, (int)hw.w - 2 * lay.scene_x, CELL_H + 4,
                  STATUS_BG);
        if (keys_label_x() >= lay.scene_x + 8) {
            draw_text(keys_label_x(), lay.status_y + (CELL_H - BOX_H) / 2, KEYS_LABEL, 1,
                      0x6f8aa3, STATUS_BG);
        }
        keys_draw();
    }
    /* Text over its own background, then the rest: no blank moment. */
    draw_text(lay.scene_x + 8, lay.status_y, buf, TEXT_SCALE, 0xd9a94f, STATUS_BG);
    x = lay.scene_x + 8 + n * CELL_W;
    fill_rect(x, lay.status_y, lay.scene_x + 8 + room * CELL_W - x, CELL_H, STATUS_BG);
    if (ptr_in_rows(lay.status_y - 2, lay.status_y + CELL_H + 1)) {
        ptr_fixup();
    }
}

/* ---- the command line ---- */

static void input_info(void);

static void print_time(void)
{
    char tbuf[32];

    format_time(tbuf, rtc_now());
    out_puts(tbuf);
    out_putc('\n');
}

/* After a power-off or reset request: nothing more to do until the board acts. */
static void park(void)
{
    __asm__ volatile("csrw mie, zero");
    for (;;) {
        __asm__ volatile("wfi");
    }
}

static void prompt(void)
{
    out_puts("> ");
}

static void run_command(const char *cmd)
{
    while (*cmd == ' ') {
        cmd++;
    }
    if (!*cmd) {
        return;
    }
    if (str_eq(cmd, "help")) {
        out_puts("Commands:\n"
                 "  help      this list\n"
                 "  time      the date and time from the RTC\n"
                 "  info      the framebuffer and timer\n"
                 "  clear     clear the screen console\n"
                 "  poweroff  power the machine off\n"
                 "  reboot    reset the machine\n");
    } else if (str_eq(cmd, "time")) {
        print_time();
    } else if (str_eq(cmd, "info")) {
        out_puts("framebuffer ");
        out_dec(hw.w, 1);
        out_putc('x');
        out_dec(hw.h, 1);
        out_puts(" at 0x");
        out_hex(hw.fb_base, 8);
        out_puts(hw.from_dtb ? " (device tree)" : " (default)");
        out_puts(", timer ");
        out_dec(hw.timebase, 1);
        out_puts(" Hz, frame ");
        out_dec(frame, 1);
        out_putc('\n');
        out_puts("scene: ");
        out_dec(scene_ticks * 1000000 / hw.timebase, 1);
        out_puts(" us to draw a frame\n");
        input_info();
    } else if (str_eq(cmd, "clear")) {
        con_clear();
    } else if (str_eq(cmd, "poweroff")) {
        out_puts("Powering off.\n");
        wr32(SYSCON_BASE, 0x5555);
        park();
    } else if (str_eq(cmd, "reboot")) {
        out_puts("Rebooting.\n");
        wr32(SYSCON_BASE, 0x7777);
        park();
    } else {
        out_puts("unknown command: ");
        out_puts(cmd);
        out_puts(" (try 'help')\n");
    }
}

static void line_enter(void)
{
    out_putc('\n');
    line[line_len] = 0;
    run_command(line);
    line_len = 0;
    prompt();
}

static void handle_key(int c)
{
    if (c == '\r' || c == '\n') {
        /* A terminal sends CR, a pipe LF, some both: one Enter each way. */
        if (c == '\n' && last_was_cr) {
            last_was_cr = 0;
            return;
        }
        last_was_cr = c == '\r';
        line_enter();
        return;
    }
    last_was_cr = 0;
    if (c == 0x7f || c == '\b') {
        if (line_len) {
            line_len--;
            out_puts("\b \b");
        }
    } else if (c == 0x15) {             /* Ctrl-U: kill the line */
        while (line_len) {
            line_len--;
            out_puts("\b \b");
        }
    } else if (c >= 32 && c < 127 && line_len < LINE_MAX - 1) {
        line[line_len++] = (char)c;
        out_putc((char)c);
    }
}

/* ---- the virtio keyboard and tablet ---- */

/* Linux key codes (input-event-codes.h) to US-layout characters, plain and shifted. */
#define KEY_BACKSPACE 14
#define KEY_ENTER 28
#define KEY_LEFTCTRL 29
#define KEY_LEFTSHIFT 42
#define KEY_RIGHTSHIFT 54
#define KEY_KPENTER 96
#define KEY_RIGHTCTRL 97
#define KEY_KPSLASH 98
#define KEY_KPEQUAL 117
#define KEY_CHARS 58

static const char key_plain[KEY_CHARS + 1] =
    "\0\0" "1234567890-=" "\0\0" "qwertyuiop[]" "\0\0" "asdfghjkl;'`" "\0\\" "zxcvbnm,./" "\0*\0 ";
static const char key_shift[KEY_CHARS + 1] =
    "\0\0" "!@#$%^&*()_+" "\0\0" "QWERTYUIOP{}" "\0\0" "ASDFGHJKL:\"~" "\0|" "ZXCVBNM<>?" "\0*\0 ";
/* The keypad, KEY_KP7 (71) to KEY_KPDOT (83), whatever Num Lock says. */
static const char key_pad[] = "789-456+1230.";

/* Names without the KEY_ prefix, for the status line. */
static const char *const key_names[128] = {
    [1] = "ESC", [2] = "1", [3] = "2", [4] = "3", [5] = "4", [6] = "5", [7] = "6", [8] = "7",
    [9] = "8", [10] = "9", [11] = "0", [12] = "MINUS", [13] = "EQUAL", [14] = "BACKSPACE",
    [15] = "TAB", [16] = "Q", [17] = "W", [18] = "E", [19] = "R", [20] = "T", [21] = "Y",
    [22] = "U", [23] = "I", [24] = "O", [25] = "P", [26] = "LEFTBRACE", [27] = "RIGHTBRACE",
    [28] = "ENTER", [29] = "LEFTCTRL", [30] = "A", [31] = "S", [32] = "D", [33] = "F",
    [34] = "G", [35] = "H", [36] = "J", [37] = "K", [38] = "L", [39] = "SEMICOLON",
    [40] = "APOSTROPHE", [41] = "GRAVE", [42] = "LEFTSHIFT", [43] = "BACKSLASH", [44] = "Z",
    [45] = "X", [46] = "C", [47] = "V", [48] = "B", [49] = "N", [50] = "M", [51] = "COMMA",
    [52] = "DOT", [53] = "SLASH", [54] = "RIGHTSHIFT", [55] = "KPASTERISK", [56] = "LEFTALT",
    [57] = "SPACE", [58] = "CAPSLOCK", [59] = "F1", [60] = "F2", [61] = "F3", [62] = "F4",
    [63] = "F5", [64] = "F6", [65] = "F7", [66] = "F8", [67] = "F9", [68] = "F10",
    [69] = "NUMLOCK", [70] = "SCROLLLOCK", [71] = "KP7", [72] = "KP8", [73] = "KP9",
    [74] = "KPMINUS", [75] = "KP4", [76] = "KP5", [77] = "KP6", [78] = "KPPLUS", [79] = "KP1",
    [80] = "KP2", [81] = "KP3", [82] = "KP0", [83] = "KPDOT", [85] = "ZENKAKUHANKAKU",
    [86] = "102ND", [87] = "F11", [88] = "F12", [89] = "RO", [90] = "KATAKANA",
    [91] = "HIRAGANA", [92] = "HENKAN", [93] = "KATAKANAHIRAGANA", [94] = "MUHENKAN",
    [95] = "KPJPCOMMA", [96] = "KPENTER", [97] = "RIGHTCTRL", [98] = "KPSLASH", [99] = "SYSRQ",
    [100] = "RIGHTALT", [101] = "LINEFEED", [102] = "HOME", [103] = "UP", [104] = "PAGEUP",
    [105] = "LEFT", [106] = "RIGHT", [107] = "END", [108] = "DOWN", [109] = "PAGEDOWN",
    [110] = "INSERT", [111] = "DELETE", [112] = "MACRO", [113] = "MUTE", [114] = "VOLUMEDOWN",
    [115] = "VOLUMEUP", [116] = "POWER", [117] = "KPEQUAL", [118] = "KPPLUSMINUS",
    [119] = "PAUSE", [120] = "SCALE", [121] = "KPCOMMA", [122] = "HANGEUL", [123] = "HANJA",
    [124] = "YEN", [125] = "LEFTMETA", [126] = "RIGHTMETA", [127] = "COMPOSE",
};

static const char *const button_names[3] = { "left", "right", "middle" };

static struct {
    int on;                     /* ph_vin_init found a device */
    unsigned shift, ctrl;       /* bit 0 left, bit 1 right */
} kbd;

/* "KEY_" + the name (or the number), cut to the key cap. */
static void key_label_set(const char *prefix, const char *name, unsigned code)
{
    char tmp[40];
    int n = 0;

    for (; *prefix && n < 8; prefix++) {
        tmp[n++] = *prefix;
    }
    if (name) {
        for (; *name && n < 39; name++) {
            tmp[n++] = *name;
        }
    } else {
        char d[8];
        int k = 0;

        do {
            d[k++] = (char)('0' + code % 10);
            code /= 10;
        } while (code && k < 7);
        while (k) {
            tmp[n++] = d[--k];
        }
    }
    if (n > KEYCAP_COLS) {
        n = KEYCAP_COLS;
    }
    memcpy(key_label, tmp, (size_t)n);
    key_label[n] = 0;
    key_label_dirty = 1;
}

static char key_char(unsigned code, int shifted)
{
    if (code < KEY_CHARS) {
        return shifted ? key_shift[code] : key_plain[code];
    }
    if (code >= 71 && code <= 83) {
        return key_pad[code - 71];
    }
    if (code == KEY_KPSLASH) {
        return '/';
    }
    if (code == KEY_KPEQUAL) {
        return '=';
    }
    return 0;
}

/* Erases the line being edited, prompt included, on the terminal and the screen. */
static void out_erase_line(void)
{
    uart_putc('\r');
    uart_putc(0x1b);
    uart_putc('[');
    uart_putc('K');
    if (con.rows > 0 && con.y < con.rows) {
        con_draw_cursor(0);
        memset(con.text[con.y], 0, sizeof(con.text[0]));
        con.dirty[con.y] = 1;
        con.x = 0;
    }
}

/* A button press: one line above the line being edited, which is then shown again. */
static void mouse_button(unsigned b)
{
    out_erase_line();
    out_puts("mouse: ");
    out_puts(button_names[b]);
    out_puts(" button at ");
    out_dec((uint64_t)ptr.hx, 1);
    out_putc(',');
    out_dec((uint64_t)ptr.hy, 1);
    out_putc('\n');
    prompt();
    for (size_t i = 0; i < line_len; i++) {
        out_putc(line[i]);
    }
    ripple_add(ptr.hx - lay.scene_x, ptr.hy - lay.scene_y);
}

static void key_event(unsigned code, uint32_t value)
{
    int down = value != 0;
    char c;

    if (code == KEY_LEFTSHIFT || code == KEY_RIGHTSHIFT) {
        unsigned bit = code == KEY_LEFTSHIFT ? 1u : 2u;

        kbd.shift = down ? kbd.shift | bit : kbd.shift & ~bit;
    } else if (code == KEY_LEFTCTRL || code == KEY_RIGHTCTRL) {
        unsigned bit = code == KEY_LEFTCTRL ? 1u : 2u;

        kbd.ctrl = down ? kbd.ctrl | bit : kbd.ctrl & ~bit;
    }
    /* 1 is a press, 2 an autorepeat; releases and anything else type nothing. */
    if (value != 1 && value != 2) {
        return;
    }
    if (value == 1) {
        key_label_set("KEY_", code < 128 ? key_names[code] : NULL, code);
    }
    if (code == KEY_ENTER || code == KEY_KPENTER) {
        last_was_cr = 0;
        line_enter();
        return;
    }
    if (code == KEY_BACKSPACE) {
        handle_key(0x7f);
        return;
    }
    c = key_char(code, kbd.shift != 0);
    if (!c) {
        return;
    }
    if (kbd.ctrl) {
        /* Ctrl and a letter: the control character (Ctrl-U kills the line). */
        if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') {
            handle_key((c | 0x20) & 0x1f);
        }
        return;
    }
    handle_key(c);
}

static void on_input(ph_vin_kind kind, uint16_t type, uint16_t code, uint32_t value)
{
    if (type == PH_EV_KEY) {
        if (code >= PH_BTN_LEFT && code <= PH_BTN_MIDDLE) {
            if (value == 1) {
                static const char *const btn[3] = { "LEFT", "RIGHT", "MIDDLE" };

                key_label_set("BTN_", btn[code - PH_BTN_LEFT], 0);
                mouse_button(code - PH_BTN_LEFT);
            }
        } else if (code < 0x100) {
            key_event(code, value);
        }
    } else if (type == PH_EV_ABS && (code == PH_ABS_X || code == PH_ABS_Y)) {
        /* 0..32767 across the screen; anything outside is clamped. */
        int32_t v = (int32_t)value;
        uint64_t a = v < 0 ? 0 : v > 32767 ? 32767 : (uint64_t)v;

        if (code == PH_ABS_X) {
            ptr.hx = (int)(a * hw.w / 32768);
        } else {
            ptr.hy = (int)(a * hw.h / 32768);
        }
        ptr.seen = 1;
        ptr.moved = 1;
    } else if (type == PH_EV_SYN) {
        ptr_update();
    }
    (void)kind;
}

static int input_pending(void)
{
    uint64_t mip;

    if (!kbd.on) {
        return 0;
    }
    __asm__ volatile("csrr %0, mip" : "=r"(mip));
    return (mip & (UINT64_C(1) << 11)) != 0;
}

static int input_service_more(void)
{
    int more = 0;

    if (!kbd.on) {
        return 0;
    }
    /* At most 1024 events at a time: a flood must not stop the frames. */
    for (int round = 0; round < 4; round++) {
        more = ph_vin_poll(on_input, 256);
        ptr_update();
        if (!more) {
            break;
        }
    }
    if (key_label_dirty) {
        keys_draw();
    }
    return more;
}

static void input_service(void)
{
    input_service_more();
}

static void input_start(void)
{
    int slot;
    uint32_t irq;
    ph_vin_kind kind;

    ptr_init();
    kbd.on = ph_vin_init(hw.virtio_irq) > 0;
    if (!kbd.on) {
        out_puts("No virtio keyboard or tablet: type on the serial console.\n");
        return;
    }
    out_puts("Input:");
    for (int i = 0; ph_vin_device(i, &slot, &irq, &kind); i++) {
        out_puts(i ? ", " : " ");
        out_puts(kind == PH_VIN_TABLET ? "tablet" : "keyboard");
        out_puts(" in slot ");
        out_dec((uint64_t)slot, 1);
    }
    out_putc('\n');
}

static void input_info(void)
{
    int slot;
    uint32_t irq;
    ph_vin_kind kind;

    out_puts("input: ");
    if (!kbd.on) {
        out_puts("serial console only\n");
        return;
    }
    for (int i = 0; ph_vin_device(i, &slot, &irq, &kind); i++) {
        out_puts(kind == PH_VIN_TABLET ? "tablet" : "keyboard");
        out_puts(" in slot ");
        out_dec((uint64_t)slot, 1);
        out_puts(" (irq ");
        out_dec(irq, 1);
        out_puts("), ");
    }
    out_dec(ph_vin_events(), 1);
    out_puts(" events\n");
}

/* ---- main ---- */

static void banner(void)
{
    out_puts("\nPorthole demo guest " PH_DEMO_VERSION "\n");
    out_puts("Date: ");
    print_time();
    out_puts("Framebuffer: ");
    out_dec(hw.w, 1);
    out_putc('x');
    out_dec(hw.h, 1);
    out_puts(hw.from_dtb ? " from the device tree\n" : " (default, no device tree)\n");
}

static void set_timer(uint64_t when)
{
    wr64(CLINT_MTIMECMP, when);
}

void ph_demo_main(uint64_t hartid, uint64_t dtb)
{
    uint64_t period, next, t0;
    int cursor_on = 0;

    hw.fb_base = FB_DEFAULT_BASE;
    hw.w = FB_DEFAULT_W;
    hw.h = FB_DEFAULT_H;
    hw.pitch = FB_DEFAULT_W;
    hw.timebase = TIMEBASE_DEFAULT;
    dtb_read(dtb);
    hw.fb = (uint32_t *)(uintptr_t)hw.fb_base;
    boot_mtime = mtime();
    font_init();
    waves_init();
    layout();

    banner();
    boot_screen();
    out_puts("Boot screen checksum: ");
    out_hex(screen_checksum(), 8);
    out_putc('\n');

    /*
     * Frames are paced by the CLINT timer: MTIE is enabled but MIE is not,
     * so WFI wakes on the timer without taking a trap.
     */
    period = hw.timebase / FPS;
    next = mtime() + period;
    set_timer(next);
    __asm__ volatile("csrc mstatus, %0" ::"r"(UINT64_C(1) << 3));
    __asm__ volatile("csrs mie, %0" ::"r"(UINT64_C(1) << 7));

    for (;;) {
        int c, budget;

        /* Sleep until the next frame, waking for input on the way. */
        while (mtime() < next) {
            if (input_service_more()) {
                continue;       /* a burst: take the rest before sleeping */
            }
            __asm__ volatile("wfi");
        }
        next += period;
        if (mtime() >= next) {          /* fell behind (host busy): don't catch up */
            next = mtime() + period;
        }
        set_timer(next);
        frame++;

        if (frame < BOOT_FRAMES) {
            boot_progress((unsigned)frame, BOOT_FRAMES - 1);
            continue;
        }
        if (frame == BOOT_FRAMES) {
            main_screen();
            input_start();
            out_puts("Type 'help' for the commands.\n");
            prompt();
        }
        /* The 16550's FIFO holds 16 bytes: drain it every frame. */
        for (budget = 0; budget < 256 && (c = uart_getc()) >= 0; budget++) {
            handle_key(c);
        }
        t0 = mtime();
        scene_frame();
        scene_ticks = mtime() - t0;
        if (frame % (FPS / 4) == 0 || frame == BOOT_FRAMES) {
            status_frame(frame == BOOT_FRAMES);
        }
        con_flush();
        if (frame % (FPS / 2) == 0) {
            cursor_on = !cursor_on;
        }
        con_draw_cursor(cursor_on);
    }
}

void ph_demo_trap(uint64_t cause, uint64_t epc, uint64_t tval)
{
    out_puts("\nUnexpected trap: mcause 0x");
    out_hex(cause, 16);
    out_puts(" mepc 0x");
    out_hex(epc, 16);
    out_puts(" mtval 0x");
    out_hex(tval, 16);
    out_putc('\n');
    con_flush();
}
