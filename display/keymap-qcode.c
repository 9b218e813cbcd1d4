/* QEMU 7.2's QKeyCode names, their Linux key codes, and QEMU's "number" (qnum) keys. */
#include "config.h"

#include <string.h>

#include "input.h"

/*
 * QKeyCode in QEMU 7.2's order (the QMP enum, whose index is the code),
 * with the Linux code QEMU's qcode-to-linux map gives each: the facts of
 * keycodemapdb's table as QEMU 7.2 builds it.  0: QEMU's virtio keyboard
 * sends nothing for it.
 */
typedef struct {
    const char *name;
    unsigned short linux_code;
} QcodeEntry;

static const QcodeEntry qcodes[] = {
    { "unmapped", 0 },
    { "shift", 42 },          /* KEY_LEFTSHIFT */
    { "shift_r", 54 },
    { "alt", 56 },
    { "alt_r", 100 },
    { "ctrl", 29 },
    { "ctrl_r", 97 },
    { "menu", 139 },          /* KEY_MENU */
    { "esc", 1 },
    { "1", 2 },
    { "2", 3 },
    { "3", 4 },
    { "4", 5 },
    { "5", 6 },
    { "6", 7 },
    { "7", 8 },
    { "8", 9 },
    { "9", 10 },
    { "0", 11 },
    { "minus", 12 },
    { "equal", 13 },
    { "backspace", 14 },
    { "tab", 15 },
    { "q", 16 },
    { "w", 17 },
    { "e", 18 },
    { "r", 19 },
    { "t", 20 },
    { "y", 21 },
    { "u", 22 },
    { "i", 23 },
    { "o", 24 },
    { "p", 25 },
    { "bracket_left", 26 },
    { "bracket_right", 27 },
    { "ret", 28 },
    { "a", 30 },
    { "s", 31 },
    { "d", 32 },
    { "f", 33 },
    { "g", 34 },
    { "h", 35 },
    { "j", 36 },
    { "k", 37 },
    { "l", 38 },
    { "semicolon", 39 },
    { "apostrophe", 40 },
    { "grave_accent", 41 },
    { "backslash", 43 },
    { "z", 44 },
    { "x", 45 },
    { "c", 46 },
    { "v", 47 },
    { "b", 48 },
    { "n", 49 },
    { "m", 50 },
    { "comma", 51 },
    { "dot", 52 },
    { "slash", 53 },
    { "asterisk", 55 },       /* KEY_KPASTERISK, as kp_multiply */
    { "spc", 57 },
    { "caps_lock", 58 },
    { "f1", 59 },
    { "f2", 60 },
    { "f3", 61 },
    { "f4", 62 },
    { "f5", 63 },
    { "f6", 64 },
    { "f7", 65 },
    { "f8", 66 },
    { "f9", 67 },
    { "f10", 68 },
    { "num_lock", 69 },
    { "scroll_lock", 70 },
    { "kp_divide", 98 },
    { "kp_multiply", 55 },
    { "kp_subtract", 74 },
    { "kp_add", 78 },
    { "kp_enter", 96 },
    { "kp_decimal", 83 },
    { "sysrq", 99 },          /* KEY_SYSRQ; QEMU turns it into print first */
    { "kp_0", 82 },
    { "kp_1", 79 },
    { "kp_2", 80 },
    { "kp_3", 81 },
    { "kp_4", 75 },
    { "kp_5", 76 },
    { "kp_6", 77 },
    { "kp_7", 71 },
    { "kp_8", 72 },
    { "kp_9", 73 },
    { "less", 86 },           /* KEY_102ND */
    { "f11", 87 },
    { "f12", 88 },
    { "print", 99 },          /* KEY_SYSRQ */
    { "home", 102 },
    { "pgup", 104 },
    { "pgdn", 109 },
    { "end", 107 },
    { "left", 105 },
    { "up", 103 },
    { "down", 108 },
    { "right", 106 },
    { "insert", 110 },
    { "delete", 111 },
    { "stop", 128 },
    { "again", 129 },
    { "props", 130 },
    { "undo", 131 },
    { "front", 132 },
    { "copy", 133 },
    { "open", 134 },
    { "paste", 135 },
    { "find", 136 },
    { "cut", 137 },
    { "lf", 101 },            /* KEY_LINEFEED */
    { "help", 138 },
    { "meta_l", 125 },
    { "meta_r", 126 },
    { "compose", 127 },
    { "pause", 119 },
    { "ro", 89 },
    { "hiragana", 91 },
    { "henkan", 92 },
    { "yen", 124 },
    { "muhenkan", 94 },
    { "katakanahiragana", 93 },
    { "kp_comma", 121 },
    { "kp_equals", 117 },
    { "power", 116 },
    { "sleep", 142 },
    { "wake", 143 },          /* KEY_WAKEUP */
    { "audionext", 163 },     /* KEY_NEXTSONG */
    { "audioprev", 165 },     /* KEY_PREVIOUSSONG */
    { "audiostop", 166 },     /* KEY_STOPCD */
    { "audioplay", 164 },     /* KEY_PLAYPAUSE */
    { "audiomute", 113 },
    { "volumeup", 115 },
    { "volumedown", 114 },
    { "mediaselect", 226 },   /* KEY_MEDIA */
    { "mail", 155 },
    { "calculator", 140 },    /* KEY_CALC */
    { "computer", 157 },
    { "ac_home", 172 },       /* KEY_HOMEPAGE */
    { "ac_back", 158 },
    { "ac_forward", 159 },
    { "ac_refresh", 173 },
    { "ac_bookmarks", 156 },
    { "lang1", 122 },         /* KEY_HANGEUL */
    { "lang2", 123 },         /* KEY_HANJA */
};

/*
 * QEMU 7.2's qnum-to-qcode map: every number it maps (read back from
 * qemu-system-riscv64 7.2 itself with its input trace).  qnum is the XT
 * (set 1) scan code, and 0x80 | code for the codes after an 0xe0 prefix.
 */
typedef struct {
    unsigned char qnum;
    const char *qcode;
} QnumEntry;

static const QnumEntry qnums[] = {
    { 0x01, "esc" }, { 0x02, "1" }, { 0x03, "2" }, { 0x04, "3" }, { 0x05, "4" },
    { 0x06, "5" }, { 0x07, "6" }, { 0x08, "7" }, { 0x09, "8" }, { 0x0a, "9" },
    { 0x0b, "0" }, { 0x0c, "minus" }, { 0x0d, "equal" }, { 0x0e, "backspace" },
    { 0x0f, "tab" }, { 0x10, "q" }, { 0x11, "w" }, { 0x12, "e" }, { 0x13, "r" },
    { 0x14, "t" }, { 0x15, "y" }, { 0x16, "u" }, { 0x17, "i" }, { 0x18, "o" },
    { 0x19, "p" }, { 0x1a, "bracket_left" }, { 0x1b, "bracket_right" },
    { 0x1c, "ret" }, { 0x1d, "ctrl" }, { 0x1e, "a" }, { 0x1f, "s" }, { 0x20, "d" },
    { 0x21, "f" }, { 0x22, "g" }, { 0x23, "h" }, { 0x24, "j" }, { 0x25, "k" },
    { 0x26, "l" }, { 0x27, "semicolon" }, { 0x28, "apostrophe" },
    { 0x29, "grave_accent" }, { 0x2a, "shift" }, { 0x2b, "backslash" },
    { 0x2c, "z" }, { 0x2d, "x" }, { 0x2e, "c" }, { 0x2f, "v" }, { 0x30, "b" },
    { 0x31, "n" }, { 0x32, "m" }, { 0x33, "comma" }, { 0x34, "dot" },
    { 0x35, "slash" }, { 0x36, "shift_r" }, { 0x37, "kp_multiply" }, { 0x38, "alt" },
    { 0x39, "spc" }, { 0x3a, "caps_lock" }, { 0x3b, "f1" }, { 0x3c, "f2" },
    { 0x3d, "f3" }, { 0x3e, "f4" }, { 0x3f, "f5" }, { 0x40, "f6" }, { 0x41, "f7" },
    { 0x42, "f8" }, { 0x43, "f9" }, { 0x44, "f10" }, { 0x45, "num_lock" },
    { 0x46, "scroll_lock" }, { 0x47, "kp_7" }, { 0x48, "kp_8" }, { 0x49, "kp_9" },
    { 0x4a, "kp_subtract" }, { 0x4b, "kp_4" }, { 0x4c, "kp_5" }, { 0x4d, "kp_6" },
    { 0x4e, "kp_add" }, { 0x4f, "kp_1" }, { 0x50, "kp_2" }, { 0x51, "kp_3" },
    { 0x52, "kp_0" }, { 0x53, "kp_decimal" }, { 0x54, "print" }, { 0x56, "less" },
    { 0x57, "f11" }, { 0x58, "f12" }, { 0x59, "kp_equals" }, { 0x5b, "lf" },
    { 0x64, "open" }, { 0x65, "paste" }, { 0x70, "katakanahiragana" },
    { 0x71, "lang2" }, { 0x72, "lang1" }, { 0x73, "ro" }, { 0x77, "hiragana" },
    { 0x79, "henkan" }, { 0x7b, "muhenkan" }, { 0x7d, "yen" }, { 0x7e, "kp_comma" },
    { 0x85, "again" }, { 0x86, "props" }, { 0x87, "undo" }, { 0x8c, "front" },
    { 0x90, "audioprev" }, { 0x99, "audionext" }, { 0x9c, "kp_enter" },
    { 0x9d, "ctrl_r" }, { 0x9e, "menu" }, { 0xa0, "audiomute" },
    { 0xa1, "calculator" }, { 0xa2, "audioplay" }, { 0xa4, "audiostop" },
    { 0xae, "volumedown" }, { 0xb0, "volumeup" }, { 0xb2, "ac_home" },
    { 0xb5, "kp_divide" }, { 0xb7, "print" }, { 0xb8, "alt_r" }, { 0xbc, "cut" },
    { 0xc1, "find" }, { 0xc6, "pause" }, { 0xc7, "home" }, { 0xc8, "up" },
    { 0xc9, "pgup" }, { 0xcb, "left" }, { 0xcd, "right" }, { 0xcf, "end" },
    { 0xd0, "down" }, { 0xd1, "pgdn" }, { 0xd2, "insert" }, { 0xd3, "delete" },
    { 0xdb, "meta_l" }, { 0xdc, "meta_r" }, { 0xdd, "compose" }, { 0xde, "power" },
    { 0xdf, "sleep" }, { 0xe3, "wake" }, { 0xe6, "ac_bookmarks" },
    { 0xe7, "ac_refresh" }, { 0xe8, "stop" }, { 0xe9, "ac_forward" },
    { 0xea, "ac_back" }, { 0xeb, "computer" }, { 0xec, "mail" },
    { 0xed, "mediaselect" }, { 0xf5, "help" }, { 0xf8, "copy" },
};

int ph_keymap_qcode_count(void)
{
    return (int)G_N_ELEMENTS(qcodes);
}

const char *ph_keymap_qcode_name(int qcode)
{
    return qcode >= 0 && qcode < (int)G_N_ELEMENTS(qcodes) ? qcodes[qcode].name : NULL;
}

int ph_keymap_qcode_from_name(const char *name)
{
    if (!name) {
        return -1;
    }
    for (int i = 0; i < (int)G_N_ELEMENTS(qcodes); i++) {
        if (!strcmp(qcodes[i].name, name)) {
            return i;
        }
    }
    return -1;
}

unsigned ph_keymap_qcode_to_linux(int qcode)
{
    return qcode >= 0 && qcode < (int)G_N_ELEMENTS(qcodes) ? qcodes[qcode].linux_code : 0;
}

int ph_keymap_qnum_to_qcode(int64_t number)
{
    /* QEMU takes the number as an unsigned int (so 2^32 + 0x1e is "a"),
     * and anything outside its table is unmapped. */
    uint32_t nr = (uint32_t)(uint64_t)number;

    for (size_t i = 0; i < G_N_ELEMENTS(qnums); i++) {
        if (qnums[i].qnum == nr) {
            return ph_keymap_qcode_from_name(qnums[i].qcode);
        }
    }
    return 0;
}
