// guests/hello.elf: the demo guest bundled with kvm-arm (`npx kvm-arm run guests/hello.elf`).
// A bare-metal AArch64 program for the qemu virt map (loaded and entered at 0x40080000, PL011 UART at 0x09000000).
// It prints a greeting with the exception level it runs at (CurrentEL) and its MPIDR_EL1, computes fib(90) with
// 64-bit integers and prints it in decimal, then asks the hypervisor to power off: PSCI SYSTEM_OFF (0x84000008)
// through hvc #0. Registers only; the decimal conversion uses a 32-byte buffer below the entry point.
// Rebuild with guests/build.sh (reproducible: the same bytes from the same binutils).

    .equ UART,      0x09000000
    .equ UART_FR,   0x18
    .equ FR_TXFF,   1 << 5
    .equ PSCI_SYSTEM_OFF, 0x84000008

    .text
    .global _start
_start:
    mov  x20, #UART
    adr  x0, s_hello
    bl   puts
    adr  x0, s_el
    bl   puts
    mrs  x0, CurrentEL
    ubfx x0, x0, #2, #2
    add  w0, w0, #'0'
    bl   putc
    adr  x0, s_mpidr
    bl   puts
    mrs  x0, mpidr_el1
    bl   puthex
    adr  x0, s_fib
    bl   puts
    mov  x1, #0                     // fib(0)
    mov  x2, #1                     // fib(1)
    mov  x3, #90
1:  add  x4, x1, x2
    mov  x1, x2
    mov  x2, x4
    subs x3, x3, #1
    b.ne 1b
    mov  x0, x1                     // fib(90) = 2880067194370816120
    bl   putdec
    adr  x0, s_bye
    bl   puts
    ldr  w0, =PSCI_SYSTEM_OFF
    hvc  #0
    // SYSTEM_OFF does not return; if it does, report it and wait
    adr  x0, s_fail
    bl   puts
2:  wfi
    b    2b

// putc(w0): waits while the transmit FIFO is full, then writes the byte. Clobbers w9.
putc:
    ldr  w9, [x20, #UART_FR]
    tbnz w9, #5, putc
    strb w0, [x20]
    ret

// puts(x0 = NUL-terminated string). Clobbers x0, x10, x11, x9.
puts:
    mov  x11, x30
    mov  x10, x0
1:  ldrb w0, [x10], #1
    cbz  w0, 2f
    bl   putc
    b    1b
2:  ret  x11

// puthex(x0): "0x" and 16 hex digits. Clobbers x0, x9, x11..x13.
puthex:
    mov  x11, x30
    mov  x12, x0
    mov  w0, #'0'
    bl   putc
    mov  w0, #'x'
    bl   putc
    mov  x13, #60
1:  lsr  x0, x12, x13
    and  x0, x0, #0xf
    cmp  x0, #10
    add  x9, x0, #'0'
    add  x0, x0, #('a' - 10)
    csel x0, x9, x0, lo
    bl   putc
    subs x13, x13, #4
    b.ge 1b
    ret  x11

// putdec(x0): unsigned decimal. Digits go into the 32 bytes below _start, last digit first. Clobbers x0, x9..x15.
putdec:
    mov  x11, x30
    adr  x12, _start                // one past the buffer end
    mov  x14, #10
1:  udiv x15, x0, x14
    msub x13, x15, x14, x0          // x13 = x0 % 10
    add  w13, w13, #'0'
    strb w13, [x12, #-1]!
    mov  x0, x15
    cbnz x0, 1b
    adr  x10, _start
2:  ldrb w0, [x12], #1
    bl   putc
    cmp  x12, x10
    b.ne 2b
    ret  x11

s_hello: .asciz "Hello from a kvm-arm guest!\n"
s_el:    .asciz "Running at EL"
s_mpidr: .asciz " on the CPU with MPIDR_EL1 "
s_fib:   .asciz ".\nfib(90) computed in the guest: "
s_bye:   .asciz "\nPSCI SYSTEM_OFF: bye.\n"
s_fail:  .asciz "SYSTEM_OFF returned!\n"
    .balign 4
