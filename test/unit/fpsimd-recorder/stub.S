  .section .text.rwx, "awx", @progbits
  .balign 16
  .global run_insn
  .global insn_slot
run_insn:
  sub sp, sp, #192
  stp x19,x20,[sp]
  stp x21,x22,[sp,#16]
  stp x23,x24,[sp,#32]
  stp x25,x26,[sp,#48]
  stp x27,x28,[sp,#64]
  stp x29,x30,[sp,#80]
  stp d8,d9,[sp,#96]
  stp d10,d11,[sp,#112]
  stp d12,d13,[sp,#128]
  stp d14,d15,[sp,#144]
  str x0, [sp,#160]
  add x1, x0, #272
  add x1, x0, #272
  .irp a,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
  ldr q\a, [x1], #16
  .endr
  ldr x1, [x0,#256]
  msr fpcr, x1
  msr fpsr, xzr
  ldr x1, [x0,#248]
  msr nzcv, x1
  ldp x2, x3, [x0,#16]
  ldp x4, x5, [x0,#32]
  ldp x6, x7, [x0,#48]
  ldp x8, x9, [x0,#64]
  ldp x10, x11, [x0,#80]
  ldp x12, x13, [x0,#96]
  ldp x14, x15, [x0,#112]
  ldp x16, x17, [x0,#128]
  ldp x18, x19, [x0,#144]
  ldp x20, x21, [x0,#160]
  ldp x22, x23, [x0,#176]
  ldp x24, x25, [x0,#192]
  ldp x26, x27, [x0,#208]
  ldp x28, x29, [x0,#224]
  ldr x1, [x0,#8]
  ldr x0, [x0]
insn_slot:
  nop
  str x0, [sp,#168]
  ldr x0, [sp,#160]
  str x1, [x0,#8]
  stp x2, x3, [x0,#16]
  stp x4, x5, [x0,#32]
  stp x6, x7, [x0,#48]
  stp x8, x9, [x0,#64]
  stp x10, x11, [x0,#80]
  stp x12, x13, [x0,#96]
  stp x14, x15, [x0,#112]
  stp x16, x17, [x0,#128]
  stp x18, x19, [x0,#144]
  stp x20, x21, [x0,#160]
  stp x22, x23, [x0,#176]
  stp x24, x25, [x0,#192]
  stp x26, x27, [x0,#208]
  stp x28, x29, [x0,#224]
  ldr x1, [sp,#168]
  str x1, [x0]
  mrs x1, nzcv
  str x1, [x0,#248]
  mrs x1, fpsr
  str x1, [x0,#264]
  add x1, x0, #272
  .irp a,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
  str q\a, [x1], #16
  .endr
  msr fpcr, xzr
  ldp x19,x20,[sp]
  ldp x21,x22,[sp,#16]
  ldp x23,x24,[sp,#32]
  ldp x25,x26,[sp,#48]
  ldp x27,x28,[sp,#64]
  ldp x29,x30,[sp,#80]
  ldp d8,d9,[sp,#96]
  ldp d10,d11,[sp,#112]
  ldp d12,d13,[sp,#128]
  ldp d14,d15,[sp,#144]
  add sp, sp, #192
  ret
