// Memory loop: REPS passes over a 16 KiB buffer of 2048 doublewords; each pass adds the pass number (REPS..1)
// to every doubleword (load, add, store with post-increment, count down, branch: 5 instructions per doubleword,
// 2048 x 5 + 4 = 10244 per pass). Returns the sum of the buffer, 2048 * REPS * (REPS + 1) / 2 (mod 2^64).
    .text
    .global main
main:
    ldr  x1, reps
    adrp x6, buf
    add  x6, x6, :lo12:buf
1:  mov  x0, x6
    mov  x4, #2048
2:  ldr  x3, [x0]
    add  x3, x3, x1
    str  x3, [x0], #8
    subs x4, x4, #1
    b.ne 2b
    subs x1, x1, #1
    b.ne 1b
    mov  x0, #0
    mov  x4, #2048
3:  ldr  x3, [x6], #8
    add  x0, x0, x3
    subs x4, x4, #1
    b.ne 3b
    ret
    .balign 8
reps: .quad REPS
    .bss
    .balign 16
buf: .skip 2048 * 8
