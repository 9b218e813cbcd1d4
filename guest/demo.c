/* Porthole's default guest: a bare-metal M-mode demo drawing on the framebuffer with a UART console. */
#include <stddef.h>
#include <stdint.h>

#include "font.h"

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

/* ---- MMIO ---- */

static inline uint8_t rd8(uint64_t a)
{
    return *(volatile uint8_t *)(uintptr_t)a;
}

static inline void wr8(uint64_t a, uint8_t v)
{
    *(volatile uint8_t *)(uintptr_t)a = v;
}

static inline uint32_t rd32(uint64_t a)
{
    return *(volatile uint32_t *)(uintptr_t)a;
}

static inline void wr32(uint64_t a, uint32_t v)
{
    *(volatile uint32_t *)(uintptr_t)a = v;
}

static inline uint64_t rd64(uint64_t a)
{
    return *(volatile uint64_t *)(uintptr_t)a;
}

static inline void wr64(uint64_t a, uint64_t v)
{
    *(volatile uint64_t *)(uintptr_t)a = v;
}

/* ---- state ---- */

static struct {
    uint32_t *fb;
    uint64_t fb_base;
    unsigned w, h, pitch;       /* pitch in pixels */
    uint32_t timebase;
    int from_dtb;
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
static int8_t sine[256];
static uint32_t palette[256];

/* ---- UART and the mirrored console ---- */

static void con_putc(char c);

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

/* ---- the device tree: only the framebuffer and the timer frequency ---- */

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void dtb_read(uint64_t dtb)
{
    const uint8_t *base = (const uint8_t *)(uintptr_t)dtb;
    uint32_t total, off_struct, off_strings, size_strings, pos, end;
    int depth = 0, in_fb = 0, in_cpus = 0;
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
            pos = (pos + n + 1 + 3) & ~3u;
        } else if (tok == 2) {          /* FDT_END_NODE */
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

/* Bubbles rising and drifting through the plasma sea. */
static struct {
    int x, y, dx, dy, r;
} bubbles[4] = {
    { 120, 90, 3, -2, 18 }, { 400, 150, -2, -3, 12 }, { 700, 60, 2, 2, 24 }, { 260, 200, -3, 1, 9 },
};

static void scene_frame(void)
{
    unsigned t = (unsigned)frame;
    int cw = lay.scene_w / 4, ch = lay.scene_h / 4;
    static int8_t col_a[2048], col_b[2048];

    /* The terms that depend on the column alone, once per frame. */
    if (cw > 2048) {
        cw = 2048;
    }
    for (int cx = 0; cx < cw; cx++) {
        col_a[cx] = sine[(cx * 3 + t * 2) & 255];
        col_b[cx] = (int8_t)(sine[(cx * 2 + t) & 255] / 2);
    }

    /* A plasma in 4x4 blocks: cheap enough for the interpreter at 15 frames a second. */
    for (int cy = 0; cy < ch; cy++) {
        int wy = sine[(cy * 5 - t * 3) & 255];
        uint32_t *row = hw.fb + (size_t)(lay.scene_y + cy * 4) * hw.pitch + lay.scene_x;

        if ((unsigned)(lay.scene_y + cy * 4 + 3) >= hw.h) {
            break;
        }
        for (int cx = 0; cx < cw; cx++) {
            int v = col_a[cx] + wy + sine[((cx + cy) * 2 + t) & 255] +
                    sine[(col_b[cx] + cy * 4) & 255];
            uint64_t c = palette[(unsigned)(v / 4 + (int)t) & 255];
            uint64_t *p = (uint64_t *)(row + cx * 4);

            if (hw.pitch & 1) {         /* rows not 8-byte aligned: one pixel at a time */
                for (int j = 0; j < 4; j++) {
                    fill_rect(lay.scene_x + cx * 4, lay.scene_y + cy * 4 + j, 4, 1, (uint32_t)c);
                }
                continue;
            }
            /* Two pixels per store: half the emulated stores. */
            c |= c << 32;
            for (int j = 0; j < 4; j++) {
                p[0] = c;
                p[1] = c;
                p += hw.pitch / 2;
            }
        }
    }
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
        {
            int x = lay.scene_x + bubbles[i].x, y = lay.scene_y + bubbles[i].y;

            disc(x, y, r, r - 2, 0xe8f6ff);
            disc(x - r / 3, y - r / 3, r / 4, 0, 0xffffff);
        }
    }
    /* TODO(next session): virtio keyboard and tablet (slots 7 and 6): draw a pointer
     * that follows the tablet and show pressed keys on screen. */
}

static void status_frame(void)
{
    char buf[96], tbuf[32];
    uint64_t up = (mtime() - boot_mtime) / hw.timebase;
    int n = 0;
    const char *p;

    format_time(tbuf, rtc_now());
    for (p = tbuf; *p; p++) {
        buf[n++] = *p;
    }
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
    buf[n] = 0;
    fill_rect(lay.scene_x, lay.status_y - 2, (int)hw.w - 2 * lay.scene_x, CELL_H + 4, 0x0a1420);
    draw_text(lay.scene_x + 8, lay.status_y, buf, TEXT_SCALE, 0xd9a94f, 0x0a1420);
}

/* ---- the command line ---- */

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

static void handle_key(int c)
{
    if (c == '\r' || c == '\n') {
        /* A terminal sends CR, a pipe LF, some both: one Enter each way. */
        if (c == '\n' && last_was_cr) {
            last_was_cr = 0;
            return;
        }
        last_was_cr = c == '\r';
        out_putc('\n');
        line[line_len] = 0;
        run_command(line);
        line_len = 0;
        prompt();
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
    uint64_t period, next;
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

        while (mtime() < next) {
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
            out_puts("Type 'help' for the commands.\n");
            prompt();
        }
        /* The 16550's FIFO holds 16 bytes: drain it every frame. */
        for (budget = 0; budget < 256 && (c = uart_getc()) >= 0; budget++) {
            handle_key(c);
        }
        scene_frame();
        if (frame % (FPS / 4) == 0 || frame == BOOT_FRAMES) {
            status_frame();
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
