/* The riscv64 `virt` board: building it, running it, and what the monitor and UI may ask of it. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>

#include "cpu.h"
#include "framebuffer.h"
#include "virtio-input.h"

/* QEMU 7.2's virt memory map (the part Porthole implements). */
#define PH_VIRT_MROM_BASE UINT64_C(0x1000)
#define PH_VIRT_MROM_SIZE UINT64_C(0xf000)
#define PH_VIRT_TEST_BASE UINT64_C(0x100000)
#define PH_VIRT_RTC_BASE UINT64_C(0x101000)
#define PH_VIRT_CLINT_BASE UINT64_C(0x2000000)
#define PH_VIRT_PLIC_BASE UINT64_C(0xc000000)
#define PH_VIRT_UART0_BASE UINT64_C(0x10000000)
#define PH_VIRT_VIRTIO_BASE UINT64_C(0x10001000)
#define PH_VIRT_VIRTIO_STRIDE UINT64_C(0x1000)
#define PH_VIRT_VIRTIO_COUNT 8
#define PH_VIRT_FB_BASE UINT64_C(0x40000000)
#define PH_VIRT_DRAM_BASE UINT64_C(0x80000000)

/* Interrupt sources on the PLIC. */
#define PH_VIRT_VIRTIO_IRQ 1        /* 1..8 */
#define PH_VIRT_UART0_IRQ 10
#define PH_VIRT_RTC_IRQ 11
#define PH_VIRT_PLIC_SOURCES 96     /* the PLIC's num_sources, as QEMU's */

/* virtio-mmio slots of the input devices: QEMU fills the last slot first. */
#define PH_VIRT_KEYBOARD_SLOT 7
#define PH_VIRT_TABLET_SLOT 6

#define PH_VIRT_DEFAULT_RAM (UINT64_C(128) << 20)
#define PH_VIRT_MIN_RAM (UINT64_C(8) << 20)
#define PH_VIRT_MAX_RAM (UINT64_C(16) << 30)
#define PH_VIRT_DEFAULT_FB_WIDTH 1024
#define PH_VIRT_DEFAULT_FB_HEIGHT 768

/* The `riscv,isa` string of the hart: exactly what vmm/riscv implements. */
#define PH_VIRT_RISCV_ISA "rv64imafdc_zicsr_zifencei"

/* Debian's OpenSBI, the default firmware when -kernel is given without -bios. */
#define PH_VIRT_DEFAULT_BIOS "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin"

typedef struct PhMachineOptions {
    uint64_t ram_size;        /* bytes; 0 = 128 MiB */
    const char *bios;         /* a path, "none", or NULL (the default) */
    /*
     * With @bios and @kernel both NULL: firmware already in memory (raw or
     * ELF, as -bios takes it), copied by ph_machine_new(), and named
     * @bios_name in messages.  The application's built-in demo guest.
     */
    const void *bios_data;
    size_t bios_size;
    const char *bios_name;
    const char *kernel;       /* NULL: none */
    const char *initrd;
    const char *append;       /* /chosen/bootargs */
    const char *dtb;          /* replaces the generated device tree */
    unsigned fb_width;        /* 0: 1024 x 768 */
    unsigned fb_height;
    /*
     * Where the UART goes: "stdio" (QEMU's -nographic: stdout, stdin read
     * and, on a terminal, raw mode with Ctrl-A x to quit),
     * "unix:PATH,server[=on][,wait=off]", "none", or NULL: output to
     * stdout, no input.
     */
    const char *serial;
} PhMachineOptions;

typedef struct PhMachine PhMachine;

/*
 * Builds the board and loads the images into its memory; nothing runs yet
 * and no thread exists.  Fails with a message fit for "porthole: %s" on a
 * bad option, a missing or malformed file, or an image that does not fit.
 */
PhMachine *ph_machine_new(const PhMachineOptions *opts, GError **error);

/*
 * Main thread, after ph_vm_state_init(): becomes the backend of vm-state
 * (pause/resume/reset/powerdown), opens the serial backend and starts the
 * vCPU thread, which runs when the run state is "running" (not with -S).
 */
bool ph_machine_start(PhMachine *m, GError **error);

/* Main thread: stops the vCPU thread, detaches from vm-state, frees. */
void ph_machine_free(PhMachine *m);

/*
 * The exit status the guest asked for (HTIF exit, SiFive test "fail" or
 * power-off), or -1 if it did not.  Main thread, after the machine shut down.
 */
int ph_machine_exit_status(PhMachine *m);

/*
 * QEMU's -m syntax: a bare number is MiB, else a size with a K/M/G/T
 * suffix (case-insensitive, "1.5G" allowed), optionally as "size=...".
 */
bool ph_machine_parse_ram_size(const char *text, uint64_t *bytes, GError **error);
/* --display-size WxH. */
bool ph_machine_parse_display_size(const char *text, unsigned *width,
                                   unsigned *height, GError **error);

/* ---- for the monitor and the UI (main thread) ---- */

PhRvCpu *ph_machine_cpu(PhMachine *m);
PhBus *ph_machine_bus(PhMachine *m);
uint64_t ph_machine_ram_size(PhMachine *m);
/* Guest-physical address of the device tree blob the ROM hands over. */
uint64_t ph_machine_fdt_addr(PhMachine *m);

/* QEMU-like `info registers`; the vCPU should be paused for a coherent view. */
void ph_machine_dump_registers(PhMachine *m, GString *out);
/* Reads guest RAM/ROM; an address range with anything else in it is an error. */
bool ph_machine_read_phys(PhMachine *m, uint64_t addr, void *buf, size_t len,
                          GError **error);
/* The same through the hart's current address translation. */
bool ph_machine_read_virt(PhMachine *m, uint64_t vaddr, void *buf, size_t len,
                          GError **error);
/*
 * As QEMU's pmemsave reads: RAM and ROM bytes as they are, and zeros for
 * everything else (holes, and device registers, which are not read: a
 * dump must not have side effects).  Never fails; the range may wrap.
 */
void ph_machine_dump_phys(PhMachine *m, uint64_t addr, void *buf, size_t len);

/*
 * The machine that ph_machine_start() last started and that is not freed
 * yet, or NULL: what the monitor's memory commands read (QEMU's
 * current_machine).  Main thread.
 */
PhMachine *ph_machine_current(void);

/* `info mtree` in QEMU's layout. */
char *ph_machine_mtree_text(PhMachine *m);

PhFramebuffer *ph_machine_framebuffer(PhMachine *m);
PhVirtioInput *ph_machine_keyboard(PhMachine *m);
PhVirtioInput *ph_machine_tablet(PhMachine *m);
