// Start-up for the bare-metal benchmark workloads (qemu virt map: RAM at 0x40000000, PL011 at 0x09000000).
// Sets SP, zeroes .bss, calls main (which returns a 64-bit checksum in x0), prints "result=<16 hex digits>\n"
// to the PL011 data register, then PSCI SYSTEM_OFF through hvc #0. Straight-line code and fixed-trip loops only,
// so its instruction count does not depend on the workload's data (see bench/soft.ts: count(R) = a*R + b).
    .section .text.start, "ax"
    .global _start
_start:
    adrp x1, __stack_top
    add  x1, x1, :lo12:__stack_top
    mov  sp, x1
    adrp x1, __bss_start
    add  x1, x1, :lo12:__bss_start
    adrp x2, __bss_end
    add  x2, x2, :lo12:__bss_end
1:  cmp  x1, x2
    b.hs 2f
    str  xzr, [x1], #8
    b    1b
2:  bl   main
    mov  x19, x0
    mov  x20, #0x09000000           // PL011 UARTDR
    adr  x1, prefix
3:  ldrb w2, [x1], #1
    cbz  w2, 4f
    str  w2, [x20]
    b    3b
4:  mov  x3, #60                    // 16 hex digits, most significant first
5:  lsr  x2, x19, x3
    and  x2, x2, #0xf
    cmp  x2, #10
    add  x4, x2, #'0'
    add  x5, x2, #('a' - 10)
    csel x2, x4, x5, lo
    str  w2, [x20]
    subs x3, x3, #4
    b.ge 5b
    mov  w2, #'\n'
    str  w2, [x20]
    ldr  w0, =0x84000008            // PSCI SYSTEM_OFF
    hvc  #0
6:  b    6b
prefix:
    .asciz "result="
