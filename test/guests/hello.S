// hello: prints through the PL011 at 0x09000000 (qemu virt), then PSCI SYSTEM_OFF through hvc.
    .text
    .global _start
_start:
    ldr     x1, =0x09000000         // UART base
    adr     x2, msg
1:  ldrb    w3, [x2], #1
    cbz     w3, 2f
    str     w3, [x1]                // DR
    b       1b
2:  ldr     w0, =0x84000008         // PSCI SYSTEM_OFF
    hvc     #0
3:  b       3b
    .section .rodata
msg: .asciz "Hello from a bare-metal guest\n"
