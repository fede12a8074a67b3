// excmmu: exceptions and the MMU. Installs a vector table, takes SVC, BRK, an undefined instruction; turns the
// MMU on with 1 GiB blocks (VA 0x80000000 aliases RAM at 0x40000000), checks the alias, takes a translation
// fault at VA 0xc0000000. Prints each ESR (and FAR for aborts), then PSCI SYSTEM_OFF.
    .text
    .global _start
_start:
    ldr     x0, =stack_top
    mov     sp, x0
    adr     x0, vectors
    msr     vbar_el1, x0
    isb
    adr     x0, s_svc
    bl      puts
    svc     #0x42                   // EC 0x15
    adr     x0, s_brk
    bl      puts
    brk     #7                      // EC 0x3c
    adr     x0, s_udf
    bl      puts
    .word   0x00000000              // udf #0: EC 0x00
    bl      mmu_on
    adr     x0, s_mmu
    bl      puts
    ldr     x1, =0x40200000
    ldr     x2, =0x1122334455667788
    str     x2, [x1]                // through the identity map
    ldr     x3, =0x80200000
    ldr     x0, [x3]                // through the alias
    bl      puthex
    bl      newline
    adr     x0, s_tf
    bl      puts
    ldr     x5, =0xc0000000
    ldr     x6, [x5]                // translation fault, level 1: EC 0x25
    adr     x0, s_done
    bl      puts
    ldr     w0, =0x84000008         // PSCI SYSTEM_OFF
    hvc     #0
1:  b       1b

mmu_on:
    adr     x0, ttb
    mov     x1, #0x401              // VA 0: PA 0, AF, Device-nGnRnE (AttrIndx 0), block
    str     x1, [x0, #0]
    ldr     x1, =0x40000705         // PA 0x40000000, AF, inner shareable, Normal (AttrIndx 1), block
    str     x1, [x0, #8]            // VA 0x40000000
    str     x1, [x0, #16]           // VA 0x80000000 (alias)
    ldr     x1, =0xff00             // MAIR: attr0 device nGnRnE, attr1 normal WB
    msr     mair_el1, x1
    ldr     x1, =0x200803519        // T0SZ 25, WB WA, inner shareable, 4K, EPD1, IPS 40 bits
    msr     tcr_el1, x1
    msr     ttbr0_el1, x0
    isb
    mrs     x1, sctlr_el1
    orr     x1, x1, #1              // M
    orr     x1, x1, #(1 << 2)       // C
    orr     x1, x1, #(1 << 12)      // I
    msr     sctlr_el1, x1
    isb
    ret

// x0 = string
puts:
    ldr     x9, =0x09000000
1:  ldrb    w10, [x0], #1
    cbz     w10, 2f
    str     w10, [x9]
    b       1b
2:  ret

// x0 = value: 16 hex digits
puthex:
    ldr     x9, =0x09000000
    mov     x11, #60
1:  lsr     x10, x0, x11
    and     x10, x10, #0xf
    cmp     x10, #10
    add     x12, x10, #'0'
    add     x13, x10, #('a' - 10)
    csel    x10, x12, x13, lo
    str     w10, [x9]
    subs    x11, x11, #4
    b.ge    1b
    ret

newline:
    ldr     x9, =0x09000000
    mov     w10, #10
    str     w10, [x9]
    ret

sync_handler:
    stp     x0, x30, [sp, #-16]!
    adr     x0, s_esr
    bl      puts
    mrs     x0, esr_el1
    bl      puthex
    mrs     x1, esr_el1
    lsr     x1, x1, #26
    cmp     x1, #0x25
    b.ne    1f
    adr     x0, s_far
    bl      puts
    mrs     x0, far_el1
    bl      puthex
1:  bl      newline
    mrs     x1, esr_el1
    lsr     x1, x1, #26
    cmp     x1, #0x15               // SVC: ELR is already past it
    b.eq    2f
    mrs     x1, elr_el1
    add     x1, x1, #4
    msr     elr_el1, x1
2:  ldp     x0, x30, [sp], #16
    eret

unexpected:
    adr     x0, s_unexp
    bl      puts
    ldr     w0, =0x84000008
    hvc     #0
1:  b       1b

    .balign 0x800
vectors:
    .rept 4                         // current EL with SP_EL0
    b       unexpected
    .balign 0x80
    .endr
    b       sync_handler            // current EL with SP_ELx: synchronous
    .balign 0x80
    .rept 11
    b       unexpected
    .balign 0x80
    .endr

    .section .rodata
s_svc:  .asciz "svc: "
s_brk:  .asciz "brk: "
s_udf:  .asciz "udf: "
s_mmu:  .asciz "mmu on, alias reads "
s_tf:   .asciz "unmapped va: "
s_done: .asciz "done\n"
s_esr:  .asciz "ESR="
s_far:  .asciz " FAR="
s_unexp: .asciz "unexpected exception\n"

    .section .bss
    .balign 4096
ttb:    .space 4096
