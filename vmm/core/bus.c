/* The guest's physical address space: RAM, ROM and MMIO regions. */
#include "bus.h"

#include <string.h>
#include <sys/mman.h>

#include <glib.h>

struct PhBus {
    GPtrArray *regions;   /* RAM, ROM and MMIO that do not overlap, by base */
    GPtrArray *overlays;  /* MMIO regions on top of RAM */
};

#define BITS_PER_LONG (8 * sizeof(unsigned long))

PhBus *ph_bus_new(void)
{
    PhBus *bus = g_new0(PhBus, 1);
    bus->regions = g_ptr_array_new();
    bus->overlays = g_ptr_array_new();
    return bus;
}

static void region_free(PhRegion *r)
{
    if (r->host) {
        munmap(r->host, r->size);
    }
    g_free(r->dirty);
    g_free(r->name);
    g_free(r);
}

void ph_bus_free(PhBus *bus)
{
    if (!bus) {
        return;
    }
    for (guint i = 0; i < bus->regions->len; i++) {
        region_free(g_ptr_array_index(bus->regions, i));
    }
    for (guint i = 0; i < bus->overlays->len; i++) {
        region_free(g_ptr_array_index(bus->overlays, i));
    }
    g_ptr_array_free(bus->regions, TRUE);
    g_ptr_array_free(bus->overlays, TRUE);
    g_free(bus);
}

static bool ranges_overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
    return a < b + blen && b < a + alen;
}

static PhRegion *find_in(GPtrArray *array, uint64_t addr)
{
    /* Binary search for the last region with base <= addr. */
    guint lo = 0, hi = array->len;
    while (lo < hi) {
        guint mid = (lo + hi) / 2;
        PhRegion *r = g_ptr_array_index(array, mid);
        if (r->base <= addr) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    if (lo == 0) {
        return NULL;
    }
    PhRegion *r = g_ptr_array_index(array, lo - 1);
    return addr - r->base < r->size ? r : NULL;
}

static gint compare_base(gconstpointer a, gconstpointer b)
{
    const PhRegion *ra = *(PhRegion *const *)a;
    const PhRegion *rb = *(PhRegion *const *)b;
    return ra->base < rb->base ? -1 : ra->base > rb->base;
}

static PhRegion *add_region(PhBus *bus, const char *name, uint64_t base,
                            uint64_t size, PhRegionKind kind, unsigned flags)
{
    g_assert(size > 0 && base + size - 1 >= base);
    PhRegion *r = g_new0(PhRegion, 1);
    r->name = g_strdup(name);
    r->base = base;
    r->size = size;
    r->kind = kind;
    r->flags = flags;

    if (kind != PH_REGION_MMIO) {
        void *host = mmap(NULL, size, PROT_READ | PROT_WRITE,
                          MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (host == MAP_FAILED) {
            g_error("cannot allocate %" G_GUINT64_FORMAT " bytes of guest memory",
                    size);
        }
        r->host = host;
    }
    if (flags & PH_REGION_DIRTY_LOG) {
        uint64_t pages = (size + PH_PAGE_SIZE - 1) >> PH_PAGE_BITS;
        r->dirty = g_new0(unsigned long, (pages + BITS_PER_LONG - 1) / BITS_PER_LONG);
    }

    bool overlay = false;
    for (guint i = 0; i < bus->regions->len; i++) {
        PhRegion *o = g_ptr_array_index(bus->regions, i);
        if (ranges_overlap(base, size, o->base, o->size)) {
            /* Only an MMIO region entirely on top of RAM may overlap. */
            g_assert(kind == PH_REGION_MMIO && o->kind == PH_REGION_RAM &&
                     base >= o->base && base + size <= o->base + o->size);
            overlay = true;
        }
    }
    GPtrArray *array = overlay ? bus->overlays : bus->regions;
    g_ptr_array_add(array, r);
    g_ptr_array_sort(array, compare_base);
    return r;
}

PhRegion *ph_bus_add_ram(PhBus *bus, const char *name, uint64_t base,
                         uint64_t size, unsigned flags)
{
    return add_region(bus, name, base, size, PH_REGION_RAM, flags);
}

PhRegion *ph_bus_add_rom(PhBus *bus, const char *name, uint64_t base, uint64_t size)
{
    return add_region(bus, name, base, size, PH_REGION_ROM, 0);
}

PhRegion *ph_bus_add_mmio(PhBus *bus, const char *name, uint64_t base,
                          uint64_t size, const PhMmioOps *ops, void *opaque)
{
    PhRegion *r = add_region(bus, name, base, size, PH_REGION_MMIO, 0);
    r->ops = ops;
    r->opaque = opaque;
    return r;
}

PhRegion *ph_bus_lookup(PhBus *bus, uint64_t addr)
{
    if (bus->overlays->len) {
        PhRegion *r = find_in(bus->overlays, addr);
        if (r) {
            return r;
        }
    }
    return find_in(bus->regions, addr);
}

PhRegion *const *ph_bus_regions(PhBus *bus, size_t *n_out)
{
    *n_out = bus->regions->len;
    return (PhRegion *const *)bus->regions->pdata;
}

static bool access_fits(const PhRegion *r, uint64_t pa, uint64_t len)
{
    uint64_t off = pa - r->base;
    return len <= r->size && off <= r->size - len;
}

bool ph_bus_read(PhBus *bus, uint64_t pa, unsigned size, uint64_t *value)
{
    PhRegion *r = ph_bus_lookup(bus, pa);
    if (!r || !access_fits(r, pa, size)) {
        *value = 0;
        return false;
    }
    uint64_t off = pa - r->base;
    if (r->kind == PH_REGION_MMIO) {
        *value = r->ops->read ? r->ops->read(r->opaque, off, size) : 0;
        return true;
    }
    uint64_t v = 0;
    memcpy(&v, r->host + off, size);   /* little-endian host */
    *value = v;
    return true;
}

bool ph_bus_write(PhBus *bus, uint64_t pa, unsigned size, uint64_t value)
{
    PhRegion *r = ph_bus_lookup(bus, pa);
    if (!r || !access_fits(r, pa, size)) {
        return false;
    }
    uint64_t off = pa - r->base;
    switch (r->kind) {
    case PH_REGION_MMIO:
        if (r->ops->write) {
            r->ops->write(r->opaque, off, value, size);
        }
        break;
    case PH_REGION_ROM:
        break;
    case PH_REGION_RAM:
        memcpy(r->host + off, &value, size);
        if (r->dirty) {
            ph_region_mark_dirty(r, off, size);
        }
        break;
    }
    return true;
}

uint8_t *ph_bus_page_host(PhBus *bus, uint64_t pa_page, bool write)
{
    PhRegion *r = find_in(bus->regions, pa_page);
    if (!r || r->kind == PH_REGION_MMIO || !access_fits(r, pa_page, PH_PAGE_SIZE)) {
        return NULL;
    }
    if (write && (r->kind == PH_REGION_ROM || (r->flags & PH_REGION_DIRTY_LOG))) {
        return NULL;
    }
    for (guint i = 0; i < bus->overlays->len; i++) {
        PhRegion *o = g_ptr_array_index(bus->overlays, i);
        if (ranges_overlap(pa_page, PH_PAGE_SIZE, o->base, o->size)) {
            return NULL;
        }
    }
    return r->host + (pa_page - r->base);
}

uint8_t *ph_bus_ram_ptr(PhBus *bus, uint64_t pa, uint64_t len)
{
    PhRegion *r = find_in(bus->regions, pa);
    if (!r || r->kind == PH_REGION_MMIO || !access_fits(r, pa, len)) {
        return NULL;
    }
    return r->host + (pa - r->base);
}

static bool dma(PhBus *bus, uint64_t pa, void *buf, size_t len, bool write)
{
    uint8_t *p = buf;
    while (len > 0) {
        PhRegion *r = find_in(bus->regions, pa);
        if (!r || r->kind == PH_REGION_MMIO) {
            return false;
        }
        uint64_t off = pa - r->base;
        uint64_t n = MIN((uint64_t)len, r->size - off);
        if (write) {
            if (r->kind == PH_REGION_RAM) {
                memcpy(r->host + off, p, n);
                if (r->dirty) {
                    ph_region_mark_dirty(r, off, n);
                }
            }
        } else {
            memcpy(p, r->host + off, n);
        }
        p += n;
        pa += n;
        len -= n;
    }
    return true;
}

bool ph_bus_dma_read(PhBus *bus, uint64_t pa, void *buf, size_t len)
{
    return dma(bus, pa, buf, len, false);
}

bool ph_bus_dma_write(PhBus *bus, uint64_t pa, const void *buf, size_t len)
{
    return dma(bus, pa, (void *)buf, len, true);
}

void ph_region_mark_dirty(PhRegion *region, uint64_t offset, uint64_t len)
{
    if (!region->dirty || len == 0 || offset >= region->size) {
        return;
    }
    uint64_t last = MIN(offset + len - 1, region->size - 1);
    for (uint64_t page = offset >> PH_PAGE_BITS; page <= last >> PH_PAGE_BITS; page++) {
        unsigned long bit = 1ul << (page % BITS_PER_LONG);
        unsigned long *word = &region->dirty[page / BITS_PER_LONG];
        if (!(__atomic_load_n(word, __ATOMIC_RELAXED) & bit)) {
            __atomic_fetch_or(word, bit, __ATOMIC_RELEASE);
        }
    }
}

bool ph_region_fetch_dirty(PhRegion *region, uint64_t first_page,
                           uint64_t count, unsigned long *out)
{
    uint64_t pages = (region->size + PH_PAGE_SIZE - 1) >> PH_PAGE_BITS;
    bool any = false;
    memset(out, 0, ((count + BITS_PER_LONG - 1) / BITS_PER_LONG) * sizeof(unsigned long));
    if (!region->dirty) {
        return false;
    }
    for (uint64_t i = 0; i < count && first_page + i < pages; i++) {
        uint64_t page = first_page + i;
        unsigned long bit = 1ul << (page % BITS_PER_LONG);
        unsigned long *word = &region->dirty[page / BITS_PER_LONG];
        if (__atomic_load_n(word, __ATOMIC_RELAXED) & bit) {
            __atomic_fetch_and(word, ~bit, __ATOMIC_ACQ_REL);
            out[i / BITS_PER_LONG] |= 1ul << (i % BITS_PER_LONG);
            any = true;
        }
    }
    return any;
}
