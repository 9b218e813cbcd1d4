/* The guest's physical address space: RAM, ROM and MMIO regions. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PH_PAGE_BITS 12
#define PH_PAGE_SIZE (1ull << PH_PAGE_BITS)

/*
 * A device's registers.  @size is 1, 2, 4 or 8 and @offset is relative to
 * the region's base; the bus passes accesses through unchanged, so a device
 * must accept any offset, size and value (ignore what it does not know,
 * read 0).  Called on the vCPU thread.
 */
typedef struct PhMmioOps {
    uint64_t (*read)(void *opaque, uint64_t offset, unsigned size);
    void (*write)(void *opaque, uint64_t offset, uint64_t value, unsigned size);
} PhMmioOps;

typedef enum {
    PH_REGION_RAM,
    PH_REGION_ROM,   /* host memory, guest writes ignored */
    PH_REGION_MMIO,
} PhRegionKind;

enum {
    /* Guest writes go through the slow path and mark pages dirty (the
     * framebuffer); the display reads and clears the bits. */
    PH_REGION_DIRTY_LOG = 1u << 0,
};

typedef struct PhRegion {
    char *name;
    uint64_t base;
    uint64_t size;
    PhRegionKind kind;
    unsigned flags;
    /* RAM and ROM: zero-filled host memory of @size bytes. */
    uint8_t *host;
    /* MMIO */
    const PhMmioOps *ops;
    void *opaque;
    /* PH_REGION_DIRTY_LOG: one bit per page, set and cleared atomically. */
    unsigned long *dirty;
} PhRegion;

typedef struct PhBus PhBus;

/*
 * Regions are added while the machine is built, before the vCPU runs; the
 * map is immutable afterwards and read without locks from any thread.
 * Regions may not overlap, except that an MMIO region may sit on top of RAM
 * (HTIF's tohost/fromhost); it then wins for its bytes, and the pages it
 * touches are "I/O pages" for the CPU's TLB (see ph_bus_page_host()).
 */
PhBus *ph_bus_new(void);
void ph_bus_free(PhBus *bus);

PhRegion *ph_bus_add_ram(PhBus *bus, const char *name, uint64_t base,
                         uint64_t size, unsigned flags);
PhRegion *ph_bus_add_rom(PhBus *bus, const char *name, uint64_t base,
                         uint64_t size);
PhRegion *ph_bus_add_mmio(PhBus *bus, const char *name, uint64_t base,
                          uint64_t size, const PhMmioOps *ops, void *opaque);

/* The region that decodes @addr (MMIO overlays first), or NULL. */
PhRegion *ph_bus_lookup(PhBus *bus, uint64_t addr);
/* The regions in address order, for `info mtree`; @n_out gets the count. */
PhRegion *const *ph_bus_regions(PhBus *bus, size_t *n_out);

/*
 * Slow-path accesses (the CPU's TLB misses, I/O pages).  @size is 1, 2, 4
 * or 8; the access may be misaligned but must not cross a region boundary.
 * They return false for an access fault (nothing there).
 */
bool ph_bus_read(PhBus *bus, uint64_t pa, unsigned size, uint64_t *value);
bool ph_bus_write(PhBus *bus, uint64_t pa, unsigned size, uint64_t value);

/*
 * For the TLB: the host address of the page at @pa_page (page-aligned)
 * when the CPU may access it directly, or NULL when it must use
 * ph_bus_read()/ph_bus_write(): MMIO, pages under an MMIO overlay, ROM for
 * writes, dirty-logged RAM for writes.
 */
uint8_t *ph_bus_page_host(PhBus *bus, uint64_t pa_page, bool write);

/* DMA and loaders: the host address of [pa, pa + len) when it lies
 * entirely in one RAM or ROM region, else NULL.  Writes through it must be
 * followed by ph_bus_mark_dirty() when the region is dirty-logged. */
uint8_t *ph_bus_ram_ptr(PhBus *bus, uint64_t pa, uint64_t len);
/* Copies that may span regions (RAM/ROM only); false if any byte is not RAM. */
bool ph_bus_dma_read(PhBus *bus, uint64_t pa, void *buf, size_t len);
bool ph_bus_dma_write(PhBus *bus, uint64_t pa, const void *buf, size_t len);

/* Dirty logging (any thread). */
void ph_region_mark_dirty(PhRegion *region, uint64_t offset, uint64_t len);
/* Atomically fetches and clears the dirty bits of pages [first, first+count)
 * into @out (one bit per page, bit i = page first+i); true if any was set. */
bool ph_region_fetch_dirty(PhRegion *region, uint64_t first_page,
                           uint64_t count, unsigned long *out);
