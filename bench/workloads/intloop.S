// Integer loop: x0 = sum of REPS..1, 3 instructions per repetition (add, sub, cbnz).
    .text
    .global main
main:
    ldr  x1, reps
    mov  x0, #0
1:  add  x0, x0, x1
    sub  x1, x1, #1
    cbnz x1, 1b
    ret
    .balign 8
reps: .quad REPS
