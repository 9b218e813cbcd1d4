/* Loading firmware and kernel files (ELF, raw, Linux Image) into guest RAM, bounds-checked. */
#include "config.h"

#include <elf.h>
#include <string.h>

#include <gio/gio.h>

#include "loader.h"

#ifndef EM_RISCV
#define EM_RISCV 243
#endif

/* The RISC-V Linux Image header (Documentation/riscv/boot-image-header.rst). */
#define PH_LINUX_MAGIC_OFFSET 48
#define PH_LINUX_MAGIC2_OFFSET 56
#define PH_LINUX_HEADER_SIZE 64
#define PH_LINUX_IMAGE_SIZE_OFFSET 16
/* The most of a segment that may hang below RAM: ELF headers, one page. */
#define PH_LOADER_MAX_LEAD_IN 0x1000

static uint64_t ph_loader_le64(const uint8_t *p)
{
    uint64_t v = 0;
    int i;

    for (i = 7; i >= 0; i--) {
        v = (v << 8) | p[i];
    }
    return v;
}

static void ph_loader_segment_clear(gpointer data)
{
    PhImageSegment *seg = data;

    g_free(seg->data);
}

void ph_loaded_image_clear(PhLoadedImage *img)
{
    if (img->segments) {
        g_array_unref(img->segments);
    }
    memset(img, 0, sizeof(*img));
}

static void ph_loader_init(PhLoadedImage *out, PhImageKind kind)
{
    memset(out, 0, sizeof(*out));
    out->kind = kind;
    out->segments = g_array_new(FALSE, TRUE, sizeof(PhImageSegment));
    g_array_set_clear_func(out->segments, ph_loader_segment_clear);
    out->low = UINT64_MAX;
}

static void ph_loader_add(PhLoadedImage *out, uint64_t addr, const uint8_t *data,
                          size_t size, uint64_t mem_size)
{
    PhImageSegment seg = {
        .addr = addr,
        .mem_size = mem_size,
        .size = size,
        .data = size ? g_memdup2(data, size) : NULL,
    };

    g_array_append_val(out->segments, seg);
    out->low = MIN(out->low, addr);
    out->high = MAX(out->high, addr + mem_size);
}

static bool ph_loader_fits(const char *name, uint64_t addr, uint64_t size,
                           uint64_t ram_base, uint64_t ram_size, GError **error)
{
    if (!ph_loader_range_ok(addr, size, ram_base, ram_size)) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                    "%s: %" G_GUINT64_FORMAT " bytes at 0x%" G_GINT64_MODIFIER
                    "x do not fit in RAM (0x%" G_GINT64_MODIFIER "x-0x%"
                    G_GINT64_MODIFIER "x)",
                    name, size, addr, ram_base, ram_base + ram_size - 1);
        return false;
    }
    return true;
}

/* Is [off, off + size) inside a file of @len bytes?  Overflow-safe. */
static bool ph_loader_in_file(uint64_t off, uint64_t size, size_t len)
{
    return off <= len && size <= len - off;
}

static bool ph_loader_bad_elf(const char *name, const char *what, GError **error)
{
    g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                "%s: malformed ELF file (%s)", name, what);
    return false;
}

/* Finds `tohost` and `fromhost` in the symbol tables; a file without
 * section headers simply has none. */
static bool ph_loader_elf_symbols(const char *name, const uint8_t *data, size_t len,
                                  const Elf64_Ehdr *eh, PhLoadedImage *out,
                                  GError **error)
{
    unsigned i;

    if (eh->e_shnum == 0 || eh->e_shoff == 0) {
        return true;
    }
    if (eh->e_shentsize != sizeof(Elf64_Shdr) ||
        !ph_loader_in_file(eh->e_shoff, (uint64_t)eh->e_shnum * sizeof(Elf64_Shdr), len)) {
        return ph_loader_bad_elf(name, "section headers outside the file", error);
    }
    for (i = 0; i < eh->e_shnum; i++) {
        Elf64_Shdr sh, strsh;
        uint64_t n, j;

        memcpy(&sh, data + eh->e_shoff + (uint64_t)i * sizeof(Elf64_Shdr), sizeof(sh));
        if (sh.sh_type != SHT_SYMTAB) {
            continue;
        }
        if (!ph_loader_in_file(sh.sh_offset, sh.sh_size, len) ||
            sh.sh_link >= eh->e_shnum) {
            return ph_loader_bad_elf(name, "symbol table outside the file", error);
        }
        memcpy(&strsh, data + eh->e_shoff + (uint64_t)sh.sh_link * sizeof(Elf64_Shdr),
               sizeof(strsh));
        if (!ph_loader_in_file(strsh.sh_offset, strsh.sh_size, len)) {
            return ph_loader_bad_elf(name, "string table outside the file", error);
        }
        n = sh.sh_size / sizeof(Elf64_Sym);
        for (j = 0; j < n; j++) {
            Elf64_Sym sym;
            const char *str;
            size_t room;

            memcpy(&sym, data + sh.sh_offset + j * sizeof(Elf64_Sym), sizeof(sym));
            if (sym.st_name == 0 || sym.st_name >= strsh.sh_size) {
                continue;
            }
            str = (const char *)data + strsh.sh_offset + sym.st_name;
            room = strsh.sh_size - sym.st_name;
            if (room >= sizeof("tohost") && memcmp(str, "tohost", sizeof("tohost")) == 0) {
                out->has_tohost = true;
                out->tohost = sym.st_value;
            } else if (room >= sizeof("fromhost") &&
                       memcmp(str, "fromhost", sizeof("fromhost")) == 0) {
                out->has_fromhost = true;
                out->fromhost = sym.st_value;
            }
        }
    }
    return true;
}

static bool ph_loader_elf(const char *name, const uint8_t *data, size_t len,
                          uint64_t ram_base, uint64_t ram_size, PhLoadedImage *out,
                          GError **error)
{
    Elf64_Ehdr eh;
    unsigned i;

    if (len < EI_NIDENT || data[EI_CLASS] != ELFCLASS64) {
        if (len >= EI_NIDENT && data[EI_CLASS] == ELFCLASS32) {
            g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                        "%s: a 32-bit ELF file; this machine is riscv64", name);
            return false;
        }
        return ph_loader_bad_elf(name, "not a 64-bit ELF header", error);
    }
    if (len < sizeof(eh)) {
        return ph_loader_bad_elf(name, "truncated header", error);
    }
    memcpy(&eh, data, sizeof(eh));
    if (eh.e_ident[EI_DATA] != ELFDATA2LSB || eh.e_machine != EM_RISCV) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                    "%s: an ELF file for another machine (e_machine %u), not RISC-V",
                    name, (unsigned)eh.e_machine);
        return false;
    }
    if (eh.e_type != ET_EXEC && eh.e_type != ET_DYN) {
        return ph_loader_bad_elf(name, "not an executable", error);
    }
    if (eh.e_phnum == 0) {
        return ph_loader_bad_elf(name, "no program headers", error);
    }
    if (eh.e_phentsize != sizeof(Elf64_Phdr) ||
        !ph_loader_in_file(eh.e_phoff, (uint64_t)eh.e_phnum * sizeof(Elf64_Phdr), len)) {
        return ph_loader_bad_elf(name, "program headers outside the file", error);
    }

    ph_loader_init(out, PH_IMAGE_ELF);
    for (i = 0; i < eh.e_phnum; i++) {
        Elf64_Phdr ph;

        memcpy(&ph, data + eh.e_phoff + (uint64_t)i * sizeof(Elf64_Phdr), sizeof(ph));
        if (ph.p_type != PT_LOAD || ph.p_memsz == 0) {
            continue;
        }
        if (ph.p_filesz > ph.p_memsz) {
            ph_loaded_image_clear(out);
            return ph_loader_bad_elf(name, "segment larger in the file than in memory",
                                     error);
        }
        if (!ph_loader_in_file(ph.p_offset, ph.p_filesz, len)) {
            ph_loaded_image_clear(out);
            return ph_loader_bad_elf(name, "segment outside the file (truncated?)", error);
        }
        /*
         * `ld -Ttext=0x80000000` maps the file's own headers in front of
         * the first section, just below RAM; nobody needs them there
         * (QEMU drops them silently), so such a lead-in is cut off.
         */
        if (ph.p_offset == 0 && ph.p_paddr < ram_base &&
            ram_base - ph.p_paddr <= PH_LOADER_MAX_LEAD_IN &&
            ram_base - ph.p_paddr < ph.p_filesz) {
            uint64_t cut = ram_base - ph.p_paddr;

            ph.p_offset += cut;
            ph.p_paddr += cut;
            ph.p_filesz -= cut;
            ph.p_memsz -= cut;
        }
        if (!ph_loader_fits(name, ph.p_paddr, ph.p_memsz, ram_base, ram_size, error)) {
            ph_loaded_image_clear(out);
            return false;
        }
        ph_loader_add(out, ph.p_paddr, data + ph.p_offset, ph.p_filesz, ph.p_memsz);
    }
    if (out->segments->len == 0) {
        ph_loaded_image_clear(out);
        return ph_loader_bad_elf(name, "nothing to load", error);
    }
    out->entry = eh.e_entry;
    if (!ph_loader_elf_symbols(name, data, len, &eh, out, error)) {
        ph_loaded_image_clear(out);
        return false;
    }
    return true;
}

bool ph_loader_load_data(const char *name, const uint8_t *data, size_t len,
                         uint64_t raw_addr, uint64_t ram_base, uint64_t ram_size,
                         PhLoadedImage *out, GError **error)
{
    uint64_t mem_size = len;
    PhImageKind kind = PH_IMAGE_RAW;

    memset(out, 0, sizeof(*out));
    if (len >= SELFMAG && memcmp(data, ELFMAG, SELFMAG) == 0) {
        return ph_loader_elf(name, data, len, ram_base, ram_size, out, error);
    }
    if (len == 0) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s: empty file", name);
        return false;
    }
    if (len >= PH_LINUX_HEADER_SIZE &&
        (memcmp(data + PH_LINUX_MAGIC_OFFSET, "RISCV\0\0\0", 8) == 0 ||
         memcmp(data + PH_LINUX_MAGIC2_OFFSET, "RSC\x05", 4) == 0)) {
        /* The kernel needs image_size bytes (its BSS) past the load address. */
        kind = PH_IMAGE_LINUX;
        mem_size = MAX(mem_size, ph_loader_le64(data + PH_LINUX_IMAGE_SIZE_OFFSET));
    }
    if (!ph_loader_fits(name, raw_addr, mem_size, ram_base, ram_size, error)) {
        return false;
    }
    ph_loader_init(out, kind);
    ph_loader_add(out, raw_addr, data, len, mem_size);
    out->entry = raw_addr;
    return true;
}

bool ph_loader_load(const char *path, uint64_t raw_addr, uint64_t ram_base,
                    uint64_t ram_size, PhLoadedImage *out, GError **error)
{
    g_autoptr(GMappedFile) file = NULL;
    g_autoptr(GError) local = NULL;

    memset(out, 0, sizeof(*out));
    file = g_mapped_file_new(path, FALSE, &local);
    if (!file) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "could not load '%s': %s",
                    path, local->message);
        return false;
    }
    return ph_loader_load_data(path, (const uint8_t *)g_mapped_file_get_contents(file),
                               g_mapped_file_get_length(file), raw_addr, ram_base,
                               ram_size, out, error);
}
