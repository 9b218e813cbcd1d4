/* The loaders: raw, ELF and Linux Image files, and every way a file can be malformed or too big. */
#include <elf.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "loader.h"
#include "machine.h"

#define RAM_BASE 0x80000000ull
#define RAM_SIZE (128ull << 20)

/*
 * A small RISC-V ELF: one PT_LOAD of 32 bytes (plus 32 of BSS) at @paddr,
 * and a symbol table with tohost and fromhost.
 */
typedef struct {
    Elf64_Ehdr eh;
    Elf64_Phdr ph;
    uint8_t text[32];
    Elf64_Sym syms[3];
    char strtab[24];
    Elf64_Shdr sh[3];     /* null, symtab, strtab */
} TestElf;

static void make_elf(TestElf *e, uint64_t paddr)
{
    unsigned i;

    memset(e, 0, sizeof(*e));
    memcpy(e->eh.e_ident, ELFMAG, SELFMAG);
    e->eh.e_ident[EI_CLASS] = ELFCLASS64;
    e->eh.e_ident[EI_DATA] = ELFDATA2LSB;
    e->eh.e_ident[EI_VERSION] = EV_CURRENT;
    e->eh.e_type = ET_EXEC;
    e->eh.e_machine = 243;  /* EM_RISCV */
    e->eh.e_version = EV_CURRENT;
    e->eh.e_entry = paddr + 4;
    e->eh.e_phoff = offsetof(TestElf, ph);
    e->eh.e_shoff = offsetof(TestElf, sh);
    e->eh.e_ehsize = sizeof(Elf64_Ehdr);
    e->eh.e_phentsize = sizeof(Elf64_Phdr);
    e->eh.e_phnum = 1;
    e->eh.e_shentsize = sizeof(Elf64_Shdr);
    e->eh.e_shnum = 3;
    e->ph.p_type = PT_LOAD;
    e->ph.p_offset = offsetof(TestElf, text);
    e->ph.p_vaddr = e->ph.p_paddr = paddr;
    e->ph.p_filesz = sizeof(e->text);
    e->ph.p_memsz = sizeof(e->text) + 32;
    for (i = 0; i < sizeof(e->text); i++) {
        e->text[i] = (uint8_t)(0xa0 + i);
    }
    memcpy(e->strtab, "\0tohost\0fromhost", sizeof("\0tohost\0fromhost"));
    e->syms[1].st_name = 1;
    e->syms[1].st_value = paddr + 0x1000;
    e->syms[2].st_name = 8;
    e->syms[2].st_value = paddr + 0x1040;
    e->sh[1].sh_type = SHT_SYMTAB;
    e->sh[1].sh_offset = offsetof(TestElf, syms);
    e->sh[1].sh_size = sizeof(e->syms);
    e->sh[1].sh_entsize = sizeof(Elf64_Sym);
    e->sh[1].sh_link = 2;
    e->sh[2].sh_type = SHT_STRTAB;
    e->sh[2].sh_offset = offsetof(TestElf, strtab);
    e->sh[2].sh_size = sizeof(e->strtab);
}

static bool load(const void *data, size_t len, PhLoadedImage *img, GError **error)
{
    return ph_loader_load_data("test.elf", data, len, RAM_BASE + 0x200000, RAM_BASE,
                               RAM_SIZE, img, error);
}

static void expect_error(const void *data, size_t len, const char *fragment)
{
    g_autoptr(GError) error = NULL;
    PhLoadedImage img;

    g_assert_false(load(data, len, &img, &error));
    g_assert_nonnull(error);
    if (!strstr(error->message, fragment)) {
        g_error("'%s' does not mention '%s'", error->message, fragment);
    }
    g_assert_null(img.segments);
}

static void test_elf_good(void)
{
    g_autoptr(GError) error = NULL;
    PhLoadedImage img;
    const PhImageSegment *seg;
    TestElf e;

    make_elf(&e, RAM_BASE + 0x1000);
    g_assert_true(load(&e, sizeof(e), &img, &error));
    g_assert_no_error(error);
    g_assert_cmpint(img.kind, ==, PH_IMAGE_ELF);
    g_assert_cmphex(img.entry, ==, RAM_BASE + 0x1004);
    g_assert_cmpuint(img.segments->len, ==, 1);
    seg = &g_array_index(img.segments, PhImageSegment, 0);
    g_assert_cmphex(seg->addr, ==, RAM_BASE + 0x1000);
    g_assert_cmpuint(seg->size, ==, 32);
    g_assert_cmpuint(seg->mem_size, ==, 64);
    g_assert_cmpmem(seg->data, 32, e.text, 32);
    g_assert_cmphex(img.low, ==, RAM_BASE + 0x1000);
    g_assert_cmphex(img.high, ==, RAM_BASE + 0x1040);
    g_assert_true(img.has_tohost);
    g_assert_cmphex(img.tohost, ==, RAM_BASE + 0x2000);
    g_assert_true(img.has_fromhost);
    g_assert_cmphex(img.fromhost, ==, RAM_BASE + 0x2040);
    ph_loaded_image_clear(&img);
}

static void test_elf_bad(void)
{
    TestElf e;

    make_elf(&e, RAM_BASE);
    e.eh.e_machine = EM_X86_64;
    expect_error(&e, sizeof(e), "not RISC-V");

    make_elf(&e, RAM_BASE);
    e.eh.e_ident[EI_CLASS] = ELFCLASS32;
    expect_error(&e, sizeof(e), "32-bit");

    make_elf(&e, RAM_BASE);
    expect_error(&e, 40, "truncated");            /* header cut short */
    expect_error(&e, offsetof(TestElf, text) + 8, "outside the file");   /* segment cut */

    make_elf(&e, RAM_BASE);
    e.eh.e_phoff = 1ull << 40;
    expect_error(&e, sizeof(e), "program headers outside");

    make_elf(&e, RAM_BASE);
    e.eh.e_phoff = UINT64_MAX - 8;                /* offset + size wraps */
    expect_error(&e, sizeof(e), "program headers outside");

    make_elf(&e, RAM_BASE);
    e.eh.e_phentsize = 12;
    expect_error(&e, sizeof(e), "program headers");

    make_elf(&e, RAM_BASE);
    e.ph.p_offset = UINT64_MAX - 4;
    expect_error(&e, sizeof(e), "outside the file");

    make_elf(&e, RAM_BASE);
    e.ph.p_filesz = e.ph.p_memsz + 1;
    expect_error(&e, sizeof(e), "larger in the file");

    make_elf(&e, 0x1000);                         /* below RAM */
    expect_error(&e, sizeof(e), "do not fit in RAM");

    make_elf(&e, RAM_BASE + RAM_SIZE - 16);       /* runs off the end */
    expect_error(&e, sizeof(e), "do not fit in RAM");

    make_elf(&e, RAM_BASE);
    e.ph.p_memsz = UINT64_MAX;                    /* wraps around */
    expect_error(&e, sizeof(e), "do not fit in RAM");

    make_elf(&e, RAM_BASE);
    e.ph.p_type = PT_NOTE;
    expect_error(&e, sizeof(e), "nothing to load");

    make_elf(&e, RAM_BASE);
    e.eh.e_shoff = sizeof(e) - 8;
    expect_error(&e, sizeof(e), "section headers outside");

    make_elf(&e, RAM_BASE);
    e.sh[1].sh_size = 1ull << 32;
    expect_error(&e, sizeof(e), "symbol table outside");

    make_elf(&e, RAM_BASE);
    e.sh[1].sh_link = 9;
    expect_error(&e, sizeof(e), "symbol table outside");

    make_elf(&e, RAM_BASE);
    e.sh[2].sh_offset = sizeof(e);
    expect_error(&e, sizeof(e), "string table outside");

    make_elf(&e, RAM_BASE);
    e.eh.e_type = ET_REL;
    expect_error(&e, sizeof(e), "not an executable");
}

/* A name that runs to the end of the string table is no match, not a read past it. */
static void test_elf_symbol_at_end(void)
{
    g_autoptr(GError) error = NULL;
    PhLoadedImage img;
    TestElf e;

    make_elf(&e, RAM_BASE);
    e.sh[2].sh_size = 4;        /* "\0tohost" cut to "\0toh" */
    g_assert_true(load(&e, sizeof(e), &img, &error));
    g_assert_false(img.has_tohost);
    ph_loaded_image_clear(&img);
}

static void test_raw_and_image(void)
{
    g_autoptr(GError) error = NULL;
    g_autofree uint8_t *big = g_malloc0(RAM_SIZE);
    uint8_t image[128] = { 0 };
    PhLoadedImage img;

    g_assert_true(load("\x13\0\0\0", 4, &img, &error));
    g_assert_cmpint(img.kind, ==, PH_IMAGE_RAW);
    g_assert_cmphex(img.entry, ==, RAM_BASE + 0x200000);
    ph_loaded_image_clear(&img);

    expect_error("", 0, "empty");
    /* Fits from the start of RAM, not 2 MiB in. */
    expect_error(big, RAM_SIZE, "do not fit in RAM");

    memcpy(image + 48, "RISCV\0\0\0", 8);
    memcpy(image + 56, "RSC\x05", 4);
    image[16] = 0x00;           /* image_size = 0x100000: room for its BSS */
    image[18] = 0x10;
    g_assert_true(load(image, sizeof(image), &img, &error));
    g_assert_cmpint(img.kind, ==, PH_IMAGE_LINUX);
    g_assert_cmphex(img.high, ==, RAM_BASE + 0x200000 + 0x100000);
    ph_loaded_image_clear(&img);

    image[23] = 0x01;           /* image_size beyond any RAM */
    expect_error(image, sizeof(image), "do not fit in RAM");

    g_assert_false(ph_loader_load("/nonexistent/kernel", RAM_BASE, RAM_BASE, RAM_SIZE, &img,
                                  &error));
    g_assert_nonnull(strstr(error->message, "/nonexistent/kernel"));
}

/* Through the board: firmware at 0x80000000, kernel at the next 2 MiB. */
static void test_machine_images(void)
{
    g_autofree char *dir = g_dir_make_tmp("porthole-loader-XXXXXX", NULL);
    g_autofree char *fw = g_build_filename(dir, "fw.bin", NULL);
    g_autofree char *kernel = g_build_filename(dir, "kernel.elf", NULL);
    g_autofree char *huge = g_build_filename(dir, "huge.bin", NULL);
    g_autoptr(GError) error = NULL;
    PhMachineOptions opts = { .bios = fw, .kernel = kernel, .serial = "none" };
    uint8_t fw_data[0x3000], buf[32];
    uint64_t info[6], start;
    PhMachine *m;
    TestElf e;
    size_t i;
    FILE *fp;

    for (i = 0; i < sizeof(fw_data); i++) {
        fw_data[i] = (uint8_t)i;
    }
    g_assert_true(g_file_set_contents(fw, (const char *)fw_data, sizeof(fw_data), NULL));
    make_elf(&e, RAM_BASE + 0x400000);
    g_assert_true(g_file_set_contents(kernel, (const char *)&e, sizeof(e), NULL));

    m = ph_machine_new(&opts, &error);
    g_assert_no_error(error);
    g_assert_true(ph_machine_read_phys(m, RAM_BASE, buf, sizeof(buf), &error));
    g_assert_cmpmem(buf, sizeof(buf), fw_data, sizeof(buf));
    g_assert_true(ph_machine_read_phys(m, RAM_BASE + 0x400000, buf, sizeof(buf), &error));
    g_assert_cmpmem(buf, sizeof(buf), e.text, sizeof(buf));
    g_assert_true(ph_machine_read_phys(m, 0x1018, &start, sizeof(start), &error));
    g_assert_cmphex(start, ==, RAM_BASE);
    g_assert_true(ph_machine_read_phys(m, 0x1028, info, sizeof(info), &error));
    g_assert_cmphex(info[2], ==, RAM_BASE + 0x400004);   /* the ELF's entry */
    /* Nothing but RAM and ROM can be read this way. */
    g_assert_false(ph_machine_read_phys(m, 0x10000000, buf, 1, &error));
    g_assert_nonnull(error);
    g_clear_error(&error);
    ph_machine_free(m);

    /* A raw kernel lands at the firmware's end rounded up to 2 MiB. */
    opts.kernel = fw;
    m = ph_machine_new(&opts, &error);
    g_assert_no_error(error);
    g_assert_true(ph_machine_read_phys(m, 0x1028, info, sizeof(info), &error));
    g_assert_cmphex(info[2], ==, RAM_BASE + 0x200000);
    g_assert_true(ph_machine_read_phys(m, RAM_BASE + 0x200000, buf, sizeof(buf), &error));
    g_assert_cmpmem(buf, sizeof(buf), fw_data, sizeof(buf));
    ph_machine_free(m);

    /* Too big for 128 MiB (sparse file). */
    fp = fopen(huge, "wb");
    g_assert_nonnull(fp);
    g_assert_cmpint(fseek(fp, (long)RAM_SIZE, SEEK_SET), ==, 0);
    fputc(1, fp);
    fclose(fp);
    opts.kernel = huge;
    m = ph_machine_new(&opts, &error);
    g_assert_null(m);
    g_assert_nonnull(strstr(error->message, "do not fit in RAM"));
    g_clear_error(&error);

    /* ... and for the default firmware's absence a clear message. */
    opts.bios = NULL;
    opts.kernel = "/nonexistent/Image";
    m = ph_machine_new(&opts, &error);
    g_assert_null(m);
    g_assert_nonnull(error);
    g_clear_error(&error);

    opts.bios = "none";
    opts.kernel = fw;
    opts.initrd = huge;
    m = ph_machine_new(&opts, &error);
    g_assert_null(m);
    g_assert_nonnull(strstr(error->message, "do not fit in RAM"));

    g_remove(fw);
    g_remove(kernel);
    g_remove(huge);
    g_rmdir(dir);
}

static void test_parse_options(void)
{
    static const struct {
        const char *text;
        uint64_t bytes;
    } good[] = {
        { "128", 128ull << 20 },  { "128M", 128ull << 20 },   { "1G", 1ull << 30 },
        { "1g", 1ull << 30 },     { "size=512M", 512ull << 20 }, { "1.5G", 3ull << 29 },
        { "65536K", 64ull << 20 },
    };
    static const char *const bad[] = { "", "lots", "12Q", "1T", "4K", "0", "M" };
    g_autoptr(GError) error = NULL;
    unsigned w = 0, h = 0;
    uint64_t v;
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(good); i++) {
        g_assert_true(ph_machine_parse_ram_size(good[i].text, &v, &error));
        g_assert_no_error(error);
        g_assert_cmpuint(v, ==, good[i].bytes);
    }
    for (i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_assert_false(ph_machine_parse_ram_size(bad[i], &v, &error));
        g_assert_nonnull(error);
        g_clear_error(&error);
    }
    g_assert_true(ph_machine_parse_display_size("800x600", &w, &h, &error));
    g_assert_cmpuint(w, ==, 800);
    g_assert_cmpuint(h, ==, 600);
    g_assert_false(ph_machine_parse_display_size("800", &w, &h, &error));
    g_clear_error(&error);
    g_assert_false(ph_machine_parse_display_size("0x0", &w, &h, &error));
    g_clear_error(&error);
    g_assert_false(ph_machine_parse_display_size("99999x600", &w, &h, &error));
    g_clear_error(&error);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/machine/loader/elf", test_elf_good);
    g_test_add_func("/machine/loader/elf-malformed", test_elf_bad);
    g_test_add_func("/machine/loader/elf-symbol-at-end", test_elf_symbol_at_end);
    g_test_add_func("/machine/loader/raw-and-image", test_raw_and_image);
    g_test_add_func("/machine/loader/board", test_machine_images);
    g_test_add_func("/machine/options/parse", test_parse_options);
    return g_test_run();
}
