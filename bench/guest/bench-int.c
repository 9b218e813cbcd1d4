/* bench-int: a CPU-bound integer workload for the VMM benchmark; prints instret and a checksum. */
#include <stdint.h>
#include <stddef.h>

/*
 * Runs bare-metal in M-mode on QEMU's virt memory map (and Porthole's).  The
 * kernels below are chosen to look like ordinary system code to an
 * emulator: table lookups (CRC32), recursion and data-dependent branches
 * (quicksort), scattered loads/stores (hash table, sieve), calls through
 * pointers and small string copies (the Dhrystone-like part), and the M
 * extension (modular arithmetic).  Every kernel's result feeds the next
 * round's seed, so nothing can be skipped or hoisted by the compiler and a
 * wrong instruction anywhere changes the final checksum.
 */

#define UART_BASE 0x10000000UL
#define UART_THR 0
#define UART_LSR 5
#define UART_LSR_THRE 0x20

#ifndef ROUNDS
#define ROUNDS 64
#endif

void *memset(void *dst, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
int bench_main(void);
void bench_trap(uint64_t cause, uint64_t epc);

/* The compiler may emit calls to these for struct copies; there is no libc. */
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

/* ---- Console: polled ns16550a, as the firmware-less guest has nothing else. */

static void uart_putc(char c)
{
    volatile uint8_t *uart = (volatile uint8_t *)UART_BASE;

    while (!(uart[UART_LSR] & UART_LSR_THRE)) {
    }
    uart[UART_THR] = (uint8_t)c;
}

static void put_str(const char *s)
{
    while (*s) {
        if (*s == '\n') {
            uart_putc('\r');
        }
        uart_putc(*s++);
    }
}

static void put_hex(uint64_t v)
{
    put_str("0x");
    for (int i = 60; i >= 0; i -= 4) {
        uart_putc("0123456789abcdef"[(v >> i) & 0xf]);
    }
}

static void put_dec(uint64_t v)
{
    char buf[24];
    int n = 0;

    do {
        buf[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n) {
        uart_putc(buf[--n]);
    }
}

static void put_result(const char *name, uint64_t v)
{
    put_str("bench-int: ");
    put_str(name);
    put_str(" ");
    put_hex(v);
    put_str("\n");
}

static inline uint64_t read_instret(void)
{
    uint64_t v;

    __asm__ volatile("csrr %0, minstret" : "=r"(v));
    return v;
}

/* ---- Pseudo-random data: xorshift64*, fixed seeds, identical everywhere. */

static uint64_t rng_state;

static uint64_t rng_next(void)
{
    uint64_t x = rng_state;

    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    rng_state = x;
    return x * 0x2545F4914F6CDD1DULL;
}

/* ---- CRC32 (IEEE, reflected), table built at run time: byte loads + table lookups. */

#define CRC_BUF_SIZE (64 * 1024)

static uint32_t crc_table[256];
static uint8_t crc_buf[CRC_BUF_SIZE];

static void crc_init(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;

        for (int k = 0; k < 8; k++) {
            c = (c & 1) ? (c >> 1) ^ 0xEDB88320u : c >> 1;
        }
        crc_table[i] = c;
    }
}

static uint32_t crc32(const uint8_t *p, size_t n)
{
    uint32_t c = 0xFFFFFFFFu;

    while (n--) {
        c = crc_table[(c ^ *p++) & 0xff] ^ (c >> 8);
    }
    return c ^ 0xFFFFFFFFu;
}

static uint64_t kernel_crc(uint64_t seed)
{
    uint64_t *w = (uint64_t *)crc_buf;

    rng_state = seed | 1;
    for (size_t i = 0; i < CRC_BUF_SIZE / 8; i++) {
        w[i] = rng_next();
    }
    /* Several passes over a buffer the size of a typical L1/L2 working set. */
    uint64_t h = 0;
    for (int pass = 0; pass < 4; pass++) {
        h = (h << 32) ^ crc32(crc_buf + pass * 64, CRC_BUF_SIZE - pass * 64);
    }
    return h;
}

/* ---- Quicksort of 32-bit keys: recursion, data-dependent branches. */

#define SORT_N 8192

static uint32_t sort_buf[SORT_N];

static void insertion_sort(uint32_t *a, long n)
{
    for (long i = 1; i < n; i++) {
        uint32_t v = a[i];
        long j = i - 1;

        while (j >= 0 && a[j] > v) {
            a[j + 1] = a[j];
            j--;
        }
        a[j + 1] = v;
    }
}

static void quick_sort(uint32_t *a, long n)
{
    while (n > 16) {
        uint32_t x = a[0], y = a[n / 2], z = a[n - 1];
        uint32_t pivot = x < y ? (y < z ? y : (x < z ? z : x))
                               : (x < z ? x : (y < z ? z : y));
        long i = 0, j = n - 1;

        for (;;) {
            while (a[i] < pivot) {
                i++;
            }
            while (a[j] > pivot) {
                j--;
            }
            if (i >= j) {
                break;
            }
            uint32_t t = a[i];
            a[i] = a[j];
            a[j] = t;
            i++;
            j--;
        }
        /* Recurse into the smaller half, loop on the larger: bounded stack. */
        if (j + 1 < n - j - 1) {
            quick_sort(a, j + 1);
            a += j + 1;
            n -= j + 1;
        } else {
            quick_sort(a + j + 1, n - j - 1);
            n = j + 1;
        }
    }
    insertion_sort(a, n);
}

static uint64_t kernel_sort(uint64_t seed)
{
    uint64_t h = 0;

    rng_state = seed | 1;
    for (long i = 0; i < SORT_N; i++) {
        sort_buf[i] = (uint32_t)(rng_next() >> 32);
    }
    quick_sort(sort_buf, SORT_N);
    for (long i = 0; i < SORT_N; i++) {
        if (i && sort_buf[i - 1] > sort_buf[i]) {
            return 0xBAD0500DULL;
        }
        h = (h ^ sort_buf[i]) * 0x100000001B3ULL;
    }
    return h;
}

/* ---- Open-addressing hash table: multiplicative hash, scattered probes. */

#define HASH_BITS 13
#define HASH_SIZE (1u << HASH_BITS)
#define HASH_KEYS 5000

typedef struct {
    uint64_t key;   /* 0 = empty */
    uint64_t value;
} HashSlot;

static HashSlot hash_table[HASH_SIZE];

static uint32_t hash_index(uint64_t key)
{
    return (uint32_t)((key * 0x9E3779B97F4A7C15ULL) >> (64 - HASH_BITS));
}

static void hash_put(uint64_t key, uint64_t value)
{
    uint32_t i = hash_index(key);

    while (hash_table[i].key && hash_table[i].key != key) {
        i = (i + 1) & (HASH_SIZE - 1);
    }
    hash_table[i].key = key;
    hash_table[i].value += value;
}

static int hash_get(uint64_t key, uint64_t *value)
{
    uint32_t i = hash_index(key);

    while (hash_table[i].key) {
        if (hash_table[i].key == key) {
            *value = hash_table[i].value;
            return 1;
        }
        i = (i + 1) & (HASH_SIZE - 1);
    }
    return 0;
}

static uint64_t kernel_hash(uint64_t seed)
{
    uint64_t h = 0;

    memset(hash_table, 0, sizeof(hash_table));
    rng_state = seed | 1;
    /* Keys drawn from a small range so some repeat and update in place. */
    for (int i = 0; i < HASH_KEYS; i++) {
        uint64_t k = (rng_next() & 0x3FFF) + 1;

        hash_put(k, (uint64_t)i);
    }
    for (uint64_t k = 1; k <= 0x4000; k++) {
        uint64_t v;

        if (hash_get(k, &v)) {
            h = h * 31 + v + k;
        } else {
            h ^= k << 7;
        }
    }
    return h;
}

/* ---- Sieve of Eratosthenes: strided byte stores. */

#define SIEVE_N (128 * 1024)

static uint8_t sieve[SIEVE_N];

static uint64_t kernel_sieve(uint64_t seed)
{
    /* The seed moves the upper bound a little so each round differs. */
    uint32_t limit = SIEVE_N - 1 - (uint32_t)(seed & 0x7FF);
    uint64_t count = 0, sum = 0;

    memset(sieve, 1, limit + 1);
    sieve[0] = sieve[1] = 0;
    for (uint32_t i = 2; (uint64_t)i * i <= limit; i++) {
        if (sieve[i]) {
            for (uint32_t j = i * i; j <= limit; j += i) {
                sieve[j] = 0;
            }
        }
    }
    for (uint32_t i = 0; i <= limit; i++) {
        if (sieve[i]) {
            count++;
            sum += i;
        }
    }
    return (count << 40) ^ sum;
}

/* ---- Dhrystone-like mix: records, calls through pointers, strings, switch. */

typedef enum { IDENT_1, IDENT_2, IDENT_3, IDENT_4, IDENT_5 } Enumeration;

typedef struct Record {
    struct Record *next;
    Enumeration discr;
    Enumeration enum_comp;
    int int_comp;
    char str_comp[31];
} Record;

typedef int (*DhryOp)(int a, int b);

static Record dhry_records[2];
static char dhry_str1[31], dhry_str2[31];
static int dhry_array[50];

static int dhry_add(int a, int b) { return a + b; }
static int dhry_sub(int a, int b) { return a - b; }
static int dhry_xor(int a, int b) { return (a ^ b) + 1; }
static int dhry_mix(int a, int b) { return (int)((unsigned)a << 1) - (b >> 1); }

/* volatile so the compiler keeps real indirect calls. */
static DhryOp volatile dhry_ops[4] = { dhry_add, dhry_sub, dhry_xor, dhry_mix };

static void str_copy(char *d, const char *s)
{
    while ((*d++ = *s++)) {
    }
}

static int str_compare(const char *a, const char *b)
{
    while (*a && *a == *b) {
        a++;
        b++;
    }
    return (unsigned char)*a - (unsigned char)*b;
}

static __attribute__((noinline)) Enumeration dhry_func(Enumeration e, int v)
{
    switch (e) {
    case IDENT_1:
        return v & 1 ? IDENT_2 : IDENT_3;
    case IDENT_2:
        return v & 2 ? IDENT_4 : IDENT_1;
    case IDENT_3:
        return IDENT_5;
    case IDENT_4:
        return v > 100 ? IDENT_1 : IDENT_3;
    default:
        return IDENT_2;
    }
}

static __attribute__((noinline)) void dhry_proc(Record *r, int i)
{
    Record *n = r->next;

    *n = *r;                     /* struct copy */
    n->int_comp = r->int_comp + i;
    n->discr = dhry_func(r->discr, i);
    n->enum_comp = dhry_func(n->discr, r->int_comp);
    n->next = r;
    dhry_array[i % 50] += n->int_comp;
}

static uint64_t kernel_dhry(uint64_t seed)
{
    uint64_t h = seed;
    int acc = (int)(seed & 0xFF);

    dhry_records[0].next = &dhry_records[1];
    dhry_records[0].discr = IDENT_1;
    dhry_records[0].enum_comp = IDENT_3;
    dhry_records[0].int_comp = 40;
    str_copy(dhry_records[0].str_comp, "DHRYSTONE PROGRAM, SOME STRING");
    str_copy(dhry_str1, "DHRYSTONE PROGRAM, 1'ST STRING");
    for (int i = 0; i < 50; i++) {
        dhry_array[i] = i;
    }
    for (int i = 0; i < 8000; i++) {
        Record *r = &dhry_records[i & 1];

        dhry_proc(r, i);
        acc = dhry_ops[(unsigned)(acc + i) & 3](acc, i);
        str_copy(dhry_str2, (i & 4) ? "DHRYSTONE PROGRAM, 2'ND STRING"
                                    : "DHRYSTONE PROGRAM, 1'ST STRING");
        if (str_compare(dhry_str1, dhry_str2) < 0) {
            acc += 3;
        }
        acc = acc / 7 + (acc % 13) * (int)r->next->enum_comp;
        h = h * 0x100000001B3ULL + (uint64_t)(uint32_t)acc;
    }
    for (int i = 0; i < 50; i++) {
        h ^= (uint64_t)(uint32_t)dhry_array[i] << (i & 31);
    }
    return h;
}

/* ---- M extension: 64-bit modular exponentiation, gcd, high multiplies. */

static uint64_t mul_mod(uint64_t a, uint64_t b, uint64_t m)
{
    return (uint64_t)(((unsigned __int128)a * b) % m);
}

static uint64_t pow_mod(uint64_t b, uint64_t e, uint64_t m)
{
    uint64_t r = 1;

    b %= m;
    while (e) {
        if (e & 1) {
            r = mul_mod(r, b, m);
        }
        b = mul_mod(b, b, m);
        e >>= 1;
    }
    return r;
}

static uint64_t gcd(uint64_t a, uint64_t b)
{
    while (b) {
        uint64_t t = a % b;

        a = b;
        b = t;
    }
    return a;
}

static uint64_t kernel_muldiv(uint64_t seed)
{
    uint64_t h = 0;

    rng_state = seed | 1;
    for (int i = 0; i < 300; i++) {
        /* A modulus below 2^32: the 128-bit remainder goes through libgcc's
         * __umodti3, itself a mix of mul/mulhu/divu/remu and shifts. */
        uint64_t m = (rng_next() >> 33) | 1;
        uint64_t a = rng_next(), b = rng_next();
        int64_t s = (int64_t)(a >> 1) - (int64_t)(b >> 1);

        h += pow_mod(a, b, m);
        h ^= gcd(a | 1, b | 1);
        h += (uint64_t)(s / (int64_t)((m & 0xFFFF) + 1)) +
             (uint64_t)(s % (int64_t)((m & 0xFF) + 1));
        h = h * 0x9E3779B97F4A7C15ULL + (uint64_t)((uint32_t)a / ((uint32_t)b | 1));
    }
    return h;
}

/* ---- Driver. */

/*
 * -DBENCH_PROFILE prints the instructions spent in each kernel, to keep the
 * mix balanced when the workload is changed (under QEMU, run it with
 * -icount shift=0 so that minstret counts instructions, not host ticks).
 */
#ifdef BENCH_PROFILE
static uint64_t profile_spent[6], profile_last;
#define PROFILE_START() (profile_last = read_instret())
#define PROFILE_MARK(k)                                  \
    do {                                                 \
        uint64_t now_ = read_instret();                  \
        profile_spent[k] += now_ - profile_last;         \
        profile_last = now_;                             \
    } while (0)
#define PROFILE_PRINT(k) put_result("  instructions", profile_spent[k])
#else
#define PROFILE_START() ((void)0)
#define PROFILE_MARK(k) ((void)0)
#define PROFILE_PRINT(k) ((void)0)
#endif

void bench_trap(uint64_t cause, uint64_t epc)
{
    put_str("bench-int: unexpected trap, mcause ");
    put_hex(cause);
    put_str(" mepc ");
    put_hex(epc);
    put_str("\n");
}

static uint64_t mix(uint64_t h, uint64_t v)
{
    h ^= v + 0x9E3779B97F4A7C15ULL + (h << 6) + (h >> 2);
    return h;
}

int bench_main(void)
{
    uint64_t sums[6] = { 0 };
    uint64_t seed = 0x0123456789ABCDEFULL;
    uint64_t start, end, check = 0;
    static const char *const names[6] = {
        "crc32", "sort", "hash", "sieve", "dhry", "muldiv",
    };

    put_str("bench-int: start\n");
    start = read_instret();
    PROFILE_START();
    crc_init();
    for (int round = 0; round < ROUNDS; round++) {
        uint64_t r[6];

        r[0] = kernel_crc(seed);
        PROFILE_MARK(0);
        r[1] = kernel_sort(seed ^ r[0]);
        PROFILE_MARK(1);
        r[2] = kernel_hash(seed ^ r[1]);
        PROFILE_MARK(2);
        r[3] = kernel_sieve(seed ^ r[2]);
        PROFILE_MARK(3);
        r[4] = kernel_dhry(seed ^ r[3]);
        PROFILE_MARK(4);
        r[5] = kernel_muldiv(seed ^ r[4]);
        PROFILE_MARK(5);
        for (int k = 0; k < 6; k++) {
            sums[k] = mix(sums[k], r[k]);
            seed = mix(seed, r[k]);
        }
    }
    end = read_instret();
    for (int k = 0; k < 6; k++) {
        put_result(names[k], sums[k]);
        PROFILE_PRINT(k);
        check = mix(check, sums[k]);
    }
    put_str("bench-int: instret ");
    put_dec(end - start);
    put_str("\n");
    put_result("checksum", check);
    return 0x5555;
}
