/* Loading firmware and kernel files (ELF, raw, Linux Image) into guest RAM, bounds-checked. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>

/* One piece of an image: @size bytes of @data at @addr, then zeros up to @mem_size. */
typedef struct PhImageSegment {
    uint64_t addr;
    uint64_t mem_size;
    size_t size;
    uint8_t *data;            /* owned */
} PhImageSegment;

typedef enum {
    PH_IMAGE_NONE,
    PH_IMAGE_RAW,
    PH_IMAGE_ELF,
    PH_IMAGE_LINUX,           /* a RISC-V Linux `Image` (raw, with a header) */
} PhImageKind;

typedef struct PhLoadedImage {
    PhImageKind kind;
    GArray *segments;         /* PhImageSegment; NULL when kind is NONE */
    uint64_t entry;
    uint64_t low, high;       /* lowest address, end of the highest segment */
    bool has_tohost, has_fromhost;
    uint64_t tohost, fromhost;
} PhLoadedImage;

/*
 * Loads @path: an ELF (at its own physical addresses, entry from the
 * header, `tohost`/`fromhost` from its symbol table) or any other file as
 * raw bytes at @raw_addr.  Every byte must land in [@ram_base, @ram_base +
 * @ram_size).  Errors name the file: missing, unreadable, a malformed or
 * truncated ELF, an ELF for another machine, an image that does not fit.
 */
bool ph_loader_load(const char *path, uint64_t raw_addr, uint64_t ram_base,
                    uint64_t ram_size, PhLoadedImage *out, GError **error);
/* The same for a file already in memory (@name for messages). */
bool ph_loader_load_data(const char *name, const uint8_t *data, size_t len,
                         uint64_t raw_addr, uint64_t ram_base, uint64_t ram_size,
                         PhLoadedImage *out, GError **error);
void ph_loaded_image_clear(PhLoadedImage *img);

/* Does [addr, addr + size) lie within [base, base + limit)?  Overflow-safe. */
static inline bool ph_loader_range_ok(uint64_t addr, uint64_t size, uint64_t base,
                                      uint64_t limit)
{
    return addr >= base && addr - base <= limit && size <= limit - (addr - base);
}
