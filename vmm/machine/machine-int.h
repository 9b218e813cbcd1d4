/* Inside the virt board: the PhMachine structure and the functions its files share. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include "aio.h"
#include "bus.h"
#include "clint.h"
#include "cpu.h"
#include "framebuffer.h"
#include "goldfish-rtc.h"
#include "loader.h"
#include "machine.h"
#include "plic.h"
#include "syscon.h"
#include "uart.h"
#include "virtio-input.h"
#include "virtio-mmio.h"
#include "vm-clock.h"
#include "vm-state.h"

typedef struct PhHtif PhHtif;
typedef struct PhSerial PhSerial;

/* What the vCPU thread tells the main loop (bits of PhMachine.events). */
enum {
    PH_MACHINE_EV_PAUSED = 1u << 0,
    PH_MACHINE_EV_RESUMED = 1u << 1,
    PH_MACHINE_EV_RESET_DONE = 1u << 2,
    PH_MACHINE_EV_GUEST_POWEROFF = 1u << 3,
    PH_MACHINE_EV_GUEST_RESET = 1u << 4,
    PH_MACHINE_EV_GUEST_EXIT = 1u << 5,    /* HTIF exit or syscon fail */
};

struct PhMachine {
    PhMachineOptions opts;     /* strings owned (g_strdup) */
    uint64_t ram_size;
    unsigned fb_width, fb_height;

    PhBus *bus;
    PhRegion *ram;
    PhRegion *rom;
    PhVmClock clock;
    PhRvCpu *cpu;
    PhClint *clint;
    PhPlic *plic;
    PhUart *uart;
    PhSyscon *syscon;
    PhGoldfishRtc *rtc;
    PhVirtioMmio *virtio[PH_VIRT_VIRTIO_COUNT];
    PhVirtioInput *keyboard;   /* owned by its transport */
    PhVirtioInput *tablet;
    PhFramebuffer *fb;
    PhHtif *htif;              /* NULL without tohost */
    PhSerial *serial;

    /* What reset writes again: images, the device tree, the ROM. */
    PhLoadedImage bios;        /* empty with -bios none */
    PhLoadedImage kernel;      /* empty without -kernel */
    uint8_t *initrd;
    size_t initrd_size;
    uint64_t initrd_addr;
    void *fdt;
    size_t fdt_size;
    uint64_t fdt_addr;
    uint64_t start_addr;       /* where the ROM jumps */
    uint64_t kernel_entry;     /* fw_dynamic_info.next_addr */

    /* ---- the vCPU thread (vcpu.c) ---- */
    GThread *thread;
    /*
     * @lock guards everything below; it is never held while calling into
     * the CPU or a device, so device callbacks and irq sinks may take it.
     */
    GMutex lock;
    GCond cond;
    bool run_requested;        /* main thread: the run state wants it running */
    bool running;              /* vCPU thread: it is (acknowledged) */
    bool reset_requested;      /* main thread asks, vCPU thread does it */
    bool halted;               /* the guest stopped itself (power-off, exit,
                                * reset request): run nothing until reset */
    bool quit;
    bool kicked;               /* wake a WFI sleep */
    unsigned events;           /* PH_MACHINE_EV_*, read by the bottom half */
    int exit_status;           /* -1, or what the guest asked for */
    PhBH *bh;                  /* main loop: handles @events */
    void (*pause_done)(void *opaque);
    void *pause_opaque;
    void (*resume_done)(void *opaque);
    void *resume_opaque;
    void (*reset_done)(void *opaque);
    void *reset_opaque;
    bool attached;             /* backend of vm-state */
    /* The guest polls an idle device (atomic; set on the vCPU thread by
     * the UART's wrapper, taken by the runner, which then naps). */
    int idle_hint;
    PhBus *uart_bus;           /* the UART's own bus, behind the wrapper */
    unsigned uart_empty_polls; /* vCPU thread */
};

/* fdt.c: the device tree of the board as QEMU 7.2 writes it. */
void *ph_virt_build_fdt(PhMachine *m, GError **error);

/* virt.c: puts images, DTB and ROM in memory (creation and every reset). */
void ph_virt_write_images(PhMachine *m);
/* virt.c: devices and CPU back to their reset state (vCPU stopped). */
void ph_virt_reset_devices(PhMachine *m);

/* vcpu.c */
void ph_vcpu_init(PhMachine *m);
bool ph_vcpu_start(PhMachine *m, bool run, GError **error);
void ph_vcpu_stop(PhMachine *m);
void ph_vcpu_cleanup(PhMachine *m);
/* Any thread: wake the vCPU from a WFI sleep. */
void ph_vcpu_kick(PhMachine *m);
/* vCPU thread: the guest is busy-waiting on a device; nap a little. */
void ph_vcpu_idle_hint(PhMachine *m);
/* vCPU thread: the guest stops itself; @event goes to the main loop. */
void ph_vcpu_guest_stop(PhMachine *m, unsigned event, int exit_status);

/* htif.c: tohost/fromhost as an MMIO overlay on RAM. */
PhHtif *ph_htif_new(PhMachine *m, uint64_t tohost, uint64_t fromhost, GError **error);
void ph_htif_free(PhHtif *h);
void ph_htif_reset(PhHtif *h);

/* serial.c: the UART's host side. */
PhSerial *ph_serial_new(PhMachine *m, const char *spec, GError **error);
/* Main thread: start reading input (fd watches in the main loop). */
bool ph_serial_start(PhSerial *s, GError **error);
void ph_serial_free(PhSerial *s);
/* Any thread: guest output, also for HTIF's putchar. */
void ph_serial_write(PhSerial *s, const uint8_t *buf, size_t len);
/* Checks a -serial spec without opening anything. */
bool ph_serial_check_spec(const char *spec, GError **error);
