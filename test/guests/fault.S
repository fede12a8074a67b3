// fault: prints a line, then writes to 0x0a100000: no device there (not RAM, not the UART).
// kvm-arm run reports it with a non-zero status; qemu virt ignores such writes (then the guest powers off).
    .text
    .global _start
_start:
    ldr     x1, =0x09000000
    adr     x2, msg
1:  ldrb    w3, [x2], #1
    cbz     w3, 2f
    str     w3, [x1]
    b       1b
2:  ldr     x4, =0x0a100000
    mov     w5, #0x42
    str     w5, [x4]                // MMIO write to nothing
    ldr     w0, =0x84000008
    hvc     #0
3:  b       3b
    .section .rodata
msg: .asciz "about to write to unmapped memory\n"
