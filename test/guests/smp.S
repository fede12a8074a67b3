// smp: a 2-vCPU bare-metal guest (qemu virt, GICv2, PSCI over hvc). cpu0 starts cpu1 with PSCI CPU_ON, both
// increment a counter with LDXR/STXR and a plain variable under a spinlock (LDAXR/STXR, WFE/SEV), cpu0 sends
// an SGI that cpu1 takes through its IRQ vector, cpu0 takes a virtual timer PPI, then SYSTEM_OFF.
// The output is deterministic whatever the interleaving: each line is printed after the point it reports on.
    .text
    .global _start
    .equ UART, 0x09000000
    .equ GICD, 0x08000000
    .equ GICC, 0x08010000
    .equ N, 10000
_start:
    ldr     x1, =UART
    ldr     x10, =GICD
    ldr     x11, =GICC
    adr     x9, vectors
    msr     vbar_el1, x9
    adr     x2, s_up
    bl      puts
    // PSCI CPU_ON(mpidr 1, secondary, context 0x5a) → 0
    ldr     x0, =0xc4000003
    mov     x1, #1
    adr     x2, secondary
    mov     x3, #0x5a
    hvc     #0
    mov     x4, x0
    ldr     x1, =UART
    adr     x2, s_on
    bl      puts
    bl      puthex
    // cpu1 prints its line once told to (so the lines do not interleave), then stores its context id
    adr     x6, go1
    mov     x8, #1
    stlr    x8, [x6]
    adr     x6, alive
1:  ldar    x4, [x6]
    cbz     x4, 1b
    adr     x2, s_ctx
    bl      puts
    bl      puthex
    // both CPUs: N atomic increments and N increments under the spinlock
    bl      work
    adr     x6, done1
2:  ldar    x4, [x6]
    cbz     x4, 2b
    adr     x6, counter
    ldr     x4, [x6]
    adr     x2, s_cnt
    bl      puts
    bl      puthex
    adr     x6, plain
    ldr     x4, [x6]
    adr     x2, s_lck
    bl      puts
    bl      puthex
    // GIC: distributor on; cpu1 readies its CPU interface, then cpu0 sends SGI 3 to it (target list: cpu1)
    mov     w8, #1
    str     w8, [x10]
    adr     x6, ready
3:  ldar    x4, [x6]
    cbz     x4, 3b
    ldr     w8, =0x00020003
    str     w8, [x10, #0xf00]
    adr     x6, sgi_seen
4:  ldar    x4, [x6]
    cbz     x4, 4b
    adr     x2, s_sgi
    bl      puts
    bl      puthex
    // virtual timer PPI 27 on cpu0
    mov     w8, #1
    str     w8, [x11]               // GICC_CTLR
    mov     w8, #0xff
    str     w8, [x11, #4]           // GICC_PMR
    mov     w8, #(1 << 27)
    str     w8, [x10, #0x100]       // GICD_ISENABLER0 (banked)
    mov     x8, #1000
    msr     cntv_tval_el0, x8
    mov     x8, #1
    msr     cntv_ctl_el0, x8
    msr     daifclr, #2
    adr     x6, tick
5:  ldar    x4, [x6]
    cbnz    x4, 8f
    wfi
    b       5b
8:  msr     daifset, #2
    adr     x2, s_tim
    bl      puts
    bl      puthex
    // AFFINITY_INFO(cpu1) → 0 (on)
    ldr     x0, =0xc4000004
    mov     x1, #1
    mov     x2, #0
    hvc     #0
    mov     x4, x0
    ldr     x1, =UART
    adr     x2, s_aff
    bl      puts
    bl      puthex
    adr     x2, s_bye
    bl      puts
    ldr     w0, =0x84000008         // SYSTEM_OFF
    hvc     #0
6:  b       6b

secondary:                          // cpu1: x0 = context id
    mov     x19, x0
    ldr     x1, =UART
    ldr     x10, =GICD
    ldr     x11, =GICC
    adr     x9, vectors
    msr     vbar_el1, x9
    adr     x6, go1
9:  ldar    x8, [x6]
    cbz     x8, 9b
    adr     x2, s_hi
    bl      puts
    adr     x6, alive
    stlr    x19, [x6]
    bl      work
    adr     x6, done1
    mov     x8, #1
    stlr    x8, [x6]
    mov     w8, #1
    str     w8, [x11]               // GICC_CTLR
    mov     w8, #0xff
    str     w8, [x11, #4]           // GICC_PMR
    mov     w8, #(1 << 3)
    str     w8, [x10, #0x100]       // GICD_ISENABLER0: SGI 3 (banked)
    msr     daifclr, #2
    adr     x6, ready
    mov     x8, #1
    stlr    x8, [x6]
7:  wfi
    b       7b

// N LDXR/STXR increments of `counter`, then N increments of `plain` under `lock`; x12..x17 scratch, lr kept
work:
    adr     x12, counter
    ldr     x13, =N
1:  ldxr    x14, [x12]
    add     x14, x14, #1
    stxr    w15, x14, [x12]
    cbnz    w15, 1b
    subs    x13, x13, #1
    b.ne    1b
    adr     x12, lock
    adr     x16, plain
    ldr     x13, =N
    mov     w17, #1
2:  sevl
3:  wfe
    ldaxr   w14, [x12]
    cbnz    w14, 3b
    stxr    w15, w17, [x12]
    cbnz    w15, 3b
    ldr     x14, [x16]
    add     x14, x14, #1
    str     x14, [x16]
    stlr    wzr, [x12]
    sev
    subs    x13, x13, #1
    b.ne    2b
    ret

// puts x2 (x1 = UART); puthex x4 as 16 digits and a newline
puts:
    ldrb    w3, [x2], #1
    cbz     w3, 1f
    str     w3, [x1]
    b       puts
1:  ret
puthex:
    mov     x5, #60
1:  lsr     x3, x4, x5
    and     x3, x3, #0xf
    cmp     x3, #10
    add     x7, x3, #'0'
    add     x3, x3, #('a' - 10)
    csel    x3, x7, x3, lo
    str     w3, [x1]
    subs    x5, x5, #4
    b.ge    1b
    mov     w3, #'\n'
    str     w3, [x1]
    ret

// IRQ at EL1h: acknowledge, record (SGI → sgi_seen, timer PPI 27 → tick and mask the timer), EOI; x20..x23 only
irq:
    ldr     x20, =GICC
    ldr     w21, [x20, #0xc]        // GICC_IAR
    and     w22, w21, #0x3ff
    cmp     w22, #27
    b.ne    1f
    mov     x23, #2                 // CNTV_CTL: IMASK
    msr     cntv_ctl_el0, x23
    adr     x23, tick
    stlr    x21, [x23]
    b       2f
1:  cmp     w22, #1020
    b.hs    3f
    adr     x23, sgi_seen
    stlr    x21, [x23]
2:  str     w21, [x20, #0x10]       // GICC_EOIR
3:  eret

    .balign 2048
vectors:
    .rept 5
    b       .
    .balign 128
    .endr
    b       irq                     // +0x280: IRQ, current EL with SP_ELx
    .balign 128
    .rept 10
    b       .
    .balign 128
    .endr

    .ltorg
    .section .rodata
s_up:   .asciz "smp: cpu0 up\n"
s_on:   .asciz "cpu_on(1): "
s_hi:   .asciz "cpu1: hello from the secondary\n"
s_ctx:  .asciz "cpu1 context id: "
s_cnt:  .asciz "ldxr/stxr counter: "
s_lck:  .asciz "spinlocked counter: "
s_sgi:  .asciz "cpu1 took SGI (GICC_IAR): "
s_tim:  .asciz "cpu0 took timer PPI (GICC_IAR): "
s_aff:  .asciz "affinity_info(1): "
s_bye:  .asciz "bye\n"
    .data
    .balign 8
go1:      .quad 0
alive:    .quad 0
done1:    .quad 0
ready:    .quad 0
sgi_seen: .quad 0
tick:     .quad 0
counter:  .quad 0
plain:    .quad 0
lock:     .quad 0
