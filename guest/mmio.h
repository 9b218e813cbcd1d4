/* Device register accessors for the demo guest: volatile loads and stores at physical addresses. */
#pragma once

#include <stdint.h>

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
