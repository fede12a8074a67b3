#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <stdlib.h>
static void setfpcr(uint64_t v){ __asm__ volatile("msr fpcr, %0"::"r"(v)); }
static void setfpsr(uint64_t v){ __asm__ volatile("msr fpsr, %0"::"r"(v)); }
static uint64_t getfpsr(void){ uint64_t v; __asm__ volatile("mrs %0, fpsr":"=r"(v)); return v; }
#define S3(ins) __asm__ volatile("fmov s1, %w1\n fmov s2, %w2\n fmov s3, %w3\n" ins "\n fmov %w0, s0" : "=r"(r32) : "r"((uint32_t)a),"r"((uint32_t)b),"r"((uint32_t)c) : "v0","v1","v2","v3")
#define D3(ins) __asm__ volatile("fmov d1, %1\n fmov d2, %2\n fmov d3, %3\n" ins "\n fmov %0, d0" : "=r"(r64) : "r"(a),"r"(b),"r"(c) : "v0","v1","v2","v3")
int main(){
  char op[32]; unsigned long long fpcr,a,b,c;
  while (scanf("%31s %llx %llx %llx %llx", op, &fpcr, &a, &b, &c) == 5) {
    uint32_t r32=0; uint64_t r64=0; int w=0; uint64_t nz=0;
    setfpcr(fpcr); setfpsr(0);
#define CASE(name, s3, d3) if(!strcmp(op,name "32")){ S3(s3); w=32; } else if(!strcmp(op,name "64")){ D3(d3); w=64; } else
    CASE("add","fadd s0,s1,s2","fadd d0,d1,d2")
    CASE("sub","fsub s0,s1,s2","fsub d0,d1,d2")
    CASE("mul","fmul s0,s1,s2","fmul d0,d1,d2")
    CASE("nmul","fnmul s0,s1,s2","fnmul d0,d1,d2")
    CASE("div","fdiv s0,s1,s2","fdiv d0,d1,d2")
    CASE("sqrt","fsqrt s0,s1","fsqrt d0,d1")
    CASE("madd","fmadd s0,s1,s2,s3","fmadd d0,d1,d2,d3")
    CASE("msub","fmsub s0,s1,s2,s3","fmsub d0,d1,d2,d3")
    CASE("nmadd","fnmadd s0,s1,s2,s3","fnmadd d0,d1,d2,d3")
    CASE("nmsub","fnmsub s0,s1,s2,s3","fnmsub d0,d1,d2,d3")
    CASE("max","fmax s0,s1,s2","fmax d0,d1,d2")
    CASE("min","fmin s0,s1,s2","fmin d0,d1,d2")
    CASE("maxnm","fmaxnm s0,s1,s2","fmaxnm d0,d1,d2")
    CASE("minnm","fminnm s0,s1,s2","fminnm d0,d1,d2")
    CASE("frintn","frintn s0,s1","frintn d0,d1")
    CASE("frinta","frinta s0,s1","frinta d0,d1")
    CASE("frintp","frintp s0,s1","frintp d0,d1")
    CASE("frintm","frintm s0,s1","frintm d0,d1")
    CASE("frintz","frintz s0,s1","frintz d0,d1")
    CASE("frintx","frintx s0,s1","frintx d0,d1")
    CASE("frinti","frinti s0,s1","frinti d0,d1")
    CASE("cvtsd","fcvt s0,d1","fcvt d0,s1")  /* cvtsd32: d->s ; cvtsd64: s->d */
    CASE("cvth","fcvt h0,s1\n fmov w9, s0\n fmov s0, w9","fcvt h0,d1\n umov w9, v0.h[0]\n fmov d0, x9")
    CASE("cvtfh","fcvt s0,h1","fcvt d0,h1")
if(!strcmp(op,"cmp32")){ __asm__ volatile("fmov s1, %w1\n fmov s2, %w2\n fcmp s1, s2\n mrs %0, nzcv" : "=r"(r64) : "r"(a),"r"(b) : "v1","v2","x0","cc"); w=64; } else
if(!strcmp(op,"cmpe32")){ __asm__ volatile("fmov s1, %w1\n fmov s2, %w2\n fcmpe s1, s2\n mrs %0, nzcv" : "=r"(r64) : "r"(a),"r"(b) : "v1","v2","x0","cc"); w=64; } else
if(!strcmp(op,"cmpz32")){ __asm__ volatile("fmov s1, %w1\n fmov s2, %w2\n fcmp s1, #0.0\n mrs %0, nzcv" : "=r"(r64) : "r"(a),"r"(b) : "v1","v2","x0","cc"); w=64; } else
if(!strcmp(op,"fcvtnsw32")){ __asm__ volatile("fmov s1, %w1\n fmov s2, %w2\n fcvtns w9, s1\n mov %w0, w9" : "=r"(r64) : "r"(a),"r"(b) : "v1","v2","x0","cc"); w=64; } else
if(!strcmp(op,"fcvtnsx32")){ __asm__ volatile("fmov s1, %w1\n fmov s2, %w2\n fcvtns x9, s1\n mov %0, x9" : "=r"(r64) : "r"(a),"r"(b) : "v1","v2","x0","cc"); w=64; } else
if(!strcmp(op,"fcvtnuw32")){ __asm__ volatile("fmov s1, %w1\n fmov s2, %w2\n fcvtnu w9, s1\n mov %w0, w9" : "=r"(r64) : "r"(a),"r"(b) : "v1","v2","x0","cc"); w=64; } else
if(!strcmp(op,"fcvtnux32")){ __asm__ volatile("fmov s1, %w1\n fmov s2, %w2\n fcvtnu x9, s1\n mov %0, x9" : "=r"(r64) : "r"(a),"r"(b) : "v1","v2","x0","cc"); w=64; } else
if(!strcmp(op,"fcvtasw32")){ __asm__ volatile("fmov s1, %w1\n fmov s2, %w2\n fcvtas w9, s1\n mov %w0, w9" : "=r"(r64) : "r"(a),"r"(b) : "v1","v2","x0","cc"); w=64; } else
if(!strcmp(op,"fcvtasx32")){ __asm__ volatile("fmov s1, %w1\n fmov s2, %w2\n fcvtas x9, s1\n mov %0, x9" : "=r"(r64) : "r"(a),"r"(b) : "v1","v2","x0","cc"); w=64; } else
if(!strcmp(op,"fcvtauw32")){ __asm__ volatile("fmov s1, %w1\n fmov s2, %w2\n fcvtau w9, s1\n mov %w0, w9" : "=r"(r64) : "r"(a),"r"(b) : "v1","v2","x0","cc"); w=64; } else
if(!strcmp(op,"fcvtaux32")){ __asm__ volatile("fmov s1, %w1\n fmov s2, %w2\n fcvtau x9, s1\n mov %0, x9" : "=r"(r64) : "r"(a),"r"(b) : "v1","v2","x0","cc"); w=64; } else
if(!strcmp(op,"fcvtmsw32")){ __asm__ volatile("fmov s1, %w1\n fmov s2, %w2\n fcvtms w9, s1\n mov %w0, w9" : "=r"(r64) : "r"(a),"r"(b) : "v1","v2","x0","cc"); w=64; } else
if(!strcmp(op,"fcvtmsx32")){ __asm__ volatile("fmov s1, %w1\n fmov s2, %w2\n fcvtms x9, s1\n mov %0, x9" : "=r"(r64) : "r"(a),"r"(b) : "v1","v2","x0","cc"); w=64; } else
if(!strcmp(op,"fcvtmuw32")){ __asm__ volatile("fmov s1, %w1\n fmov s2, %w2\n fcvtmu w9, s1\n mov %w0, w9" : "=r"(r64) : "r"(a),"r"(b) : "v1","v2","x0","cc"); w=64; } else
if(!strcmp(op,"fcvtmux32")){ __asm__ volatile("fmov s1, %w1\n fmov s2, %w2\n fcvtmu x9, s1\n mov %0, x9" : "=r"(r64) : "r"(a),"r"(b) : "v1","v2","x0","cc"); w=64; } else
if(!strcmp(op,"fcvtpsw32")){ __asm__ volatile("fmov s1, %w1\n fmov s2, %w2\n fcvtps w9, s1\n mov %w0, w9" : "=r"(r64) : "r"(a),"r"(b) : "v1","v2","x0","cc"); w=64; } else
if(!strcmp(op,"fcvtpsx32")){ __asm__ volatile("fmov s1, %w1\n fmov s2, %w2\n fcvtps x9, s1\n mov %0, x9" : "=r"(r64) : "r"(a),"r"(b) : "v1","v2","x0","cc"); w=64; } else
if(!strcmp(op,"fcvtpuw32")){ __asm__ volatile("fmov s1, %w1\n fmov s2, %w2\n fcvtpu w9, s1\n mov %w0, w9" : "=r"(r64) : "r"(a),"r"(b) : "v1","v2","x0","cc"); w=64; } else
if(!strcmp(op,"fcvtpux32")){ __asm__ volatile("fmov s1, %w1\n fmov s2, %w2\n fcvtpu x9, s1\n mov %0, x9" : "=r"(r64) : "r"(a),"r"(b) : "v1","v2","x0","cc"); w=64; } else
if(!strcmp(op,"fcvtzsw32")){ __asm__ volatile("fmov s1, %w1\n fmov s2, %w2\n fcvtzs w9, s1\n mov %w0, w9" : "=r"(r64) : "r"(a),"r"(b) : "v1","v2","x0","cc"); w=64; } else
if(!strcmp(op,"fcvtzsx32")){ __asm__ volatile("fmov s1, %w1\n fmov s2, %w2\n fcvtzs x9, s1\n mov %0, x9" : "=r"(r64) : "r"(a),"r"(b) : "v1","v2","x0","cc"); w=64; } else
if(!strcmp(op,"fcvtzuw32")){ __asm__ volatile("fmov s1, %w1\n fmov s2, %w2\n fcvtzu w9, s1\n mov %w0, w9" : "=r"(r64) : "r"(a),"r"(b) : "v1","v2","x0","cc"); w=64; } else
if(!strcmp(op,"fcvtzux32")){ __asm__ volatile("fmov s1, %w1\n fmov s2, %w2\n fcvtzu x9, s1\n mov %0, x9" : "=r"(r64) : "r"(a),"r"(b) : "v1","v2","x0","cc"); w=64; } else
if(!strcmp(op,"fcvtzsw5_32")){ __asm__ volatile("fmov s1, %w1\n fmov s2, %w2\n fcvtzs w9, s1, #5\n mov %w0, w9" : "=r"(r64) : "r"(a),"r"(b) : "v1","v2","x0","cc"); w=64; } else
if(!strcmp(op,"fcvtzsx40_32")){ __asm__ volatile("fmov s1, %w1\n fmov s2, %w2\n fcvtzs x9, s1, #40\n mov %0, x9" : "=r"(r64) : "r"(a),"r"(b) : "v1","v2","x0","cc"); w=64; } else
if(!strcmp(op,"scvtfx32")){ __asm__ volatile("mov x9, %1\n scvtf s0, x9\n fmov %0, d0" : "=r"(r64) : "r"(a) : "v0","x9"); w=64; if(32==32) r64 &= 0xffffffffu; } else
if(!strcmp(op,"scvtfx3_32")){ __asm__ volatile("mov x9, %1\n scvtf s0, x9, #3\n fmov %0, d0" : "=r"(r64) : "r"(a) : "v0","x9"); w=64; if(32==32) r64 &= 0xffffffffu; } else
if(!strcmp(op,"scvtfw32")){ __asm__ volatile("mov x9, %1\n scvtf s0, w9\n fmov %0, d0" : "=r"(r64) : "r"(a) : "v0","x9"); w=64; if(32==32) r64 &= 0xffffffffu; } else
if(!strcmp(op,"scvtfw3_32")){ __asm__ volatile("mov x9, %1\n scvtf s0, w9, #3\n fmov %0, d0" : "=r"(r64) : "r"(a) : "v0","x9"); w=64; if(32==32) r64 &= 0xffffffffu; } else
if(!strcmp(op,"fcvtzuw5_32")){ __asm__ volatile("fmov s1, %w1\n fmov s2, %w2\n fcvtzu w9, s1, #5\n mov %w0, w9" : "=r"(r64) : "r"(a),"r"(b) : "v1","v2","x0","cc"); w=64; } else
if(!strcmp(op,"fcvtzux40_32")){ __asm__ volatile("fmov s1, %w1\n fmov s2, %w2\n fcvtzu x9, s1, #40\n mov %0, x9" : "=r"(r64) : "r"(a),"r"(b) : "v1","v2","x0","cc"); w=64; } else
if(!strcmp(op,"ucvtfx32")){ __asm__ volatile("mov x9, %1\n ucvtf s0, x9\n fmov %0, d0" : "=r"(r64) : "r"(a) : "v0","x9"); w=64; if(32==32) r64 &= 0xffffffffu; } else
if(!strcmp(op,"ucvtfx3_32")){ __asm__ volatile("mov x9, %1\n ucvtf s0, x9, #3\n fmov %0, d0" : "=r"(r64) : "r"(a) : "v0","x9"); w=64; if(32==32) r64 &= 0xffffffffu; } else
if(!strcmp(op,"ucvtfw32")){ __asm__ volatile("mov x9, %1\n ucvtf s0, w9\n fmov %0, d0" : "=r"(r64) : "r"(a) : "v0","x9"); w=64; if(32==32) r64 &= 0xffffffffu; } else
if(!strcmp(op,"ucvtfw3_32")){ __asm__ volatile("mov x9, %1\n ucvtf s0, w9, #3\n fmov %0, d0" : "=r"(r64) : "r"(a) : "v0","x9"); w=64; if(32==32) r64 &= 0xffffffffu; } else
if(!strcmp(op,"cmp64")){ __asm__ volatile("fmov d1, %1\n fmov d2, %2\n fcmp d1, d2\n mrs %0, nzcv" : "=r"(r64) : "r"(a),"r"(b) : "v1","v2","x0","cc"); w=64; } else
if(!strcmp(op,"cmpe64")){ __asm__ volatile("fmov d1, %1\n fmov d2, %2\n fcmpe d1, d2\n mrs %0, nzcv" : "=r"(r64) : "r"(a),"r"(b) : "v1","v2","x0","cc"); w=64; } else
if(!strcmp(op,"cmpz64")){ __asm__ volatile("fmov d1, %1\n fmov d2, %2\n fcmp d1, #0.0\n mrs %0, nzcv" : "=r"(r64) : "r"(a),"r"(b) : "v1","v2","x0","cc"); w=64; } else
if(!strcmp(op,"fcvtnsw64")){ __asm__ volatile("fmov d1, %1\n fmov d2, %2\n fcvtns w9, d1\n mov %w0, w9" : "=r"(r64) : "r"(a),"r"(b) : "v1","v2","x0","cc"); w=64; } else
if(!strcmp(op,"fcvtnsx64")){ __asm__ volatile("fmov d1, %1\n fmov d2, %2\n fcvtns x9, d1\n mov %0, x9" : "=r"(r64) : "r"(a),"r"(b) : "v1","v2","x0","cc"); w=64; } else
if(!strcmp(op,"fcvtnuw64")){ __asm__ volatile("fmov d1, %1\n fmov d2, %2\n fcvtnu w9, d1\n mov %w0, w9" : "=r"(r64) : "r"(a),"r"(b) : "v1","v2","x0","cc"); w=64; } else
if(!strcmp(op,"fcvtnux64")){ __asm__ volatile("fmov d1, %1\n fmov d2, %2\n fcvtnu x9, d1\n mov %0, x9" : "=r"(r64) : "r"(a),"r"(b) : "v1","v2","x0","cc"); w=64; } else
if(!strcmp(op,"fcvtasw64")){ __asm__ volatile("fmov d1, %1\n fmov d2, %2\n fcvtas w9, d1\n mov %w0, w9" : "=r"(r64) : "r"(a),"r"(b) : "v1","v2","x0","cc"); w=64; } else
if(!strcmp(op,"fcvtasx64")){ __asm__ volatile("fmov d1, %1\n fmov d2, %2\n fcvtas x9, d1\n mov %0, x9" : "=r"(r64) : "r"(a),"r"(b) : "v1","v2","x0","cc"); w=64; } else
if(!strcmp(op,"fcvtauw64")){ __asm__ volatile("fmov d1, %1\n fmov d2, %2\n fcvtau w9, d1\n mov %w0, w9" : "=r"(r64) : "r"(a),"r"(b) : "v1","v2","x0","cc"); w=64; } else
if(!strcmp(op,"fcvtaux64")){ __asm__ volatile("fmov d1, %1\n fmov d2, %2\n fcvtau x9, d1\n mov %0, x9" : "=r"(r64) : "r"(a),"r"(b) : "v1","v2","x0","cc"); w=64; } else
if(!strcmp(op,"fcvtmsw64")){ __asm__ volatile("fmov d1, %1\n fmov d2, %2\n fcvtms w9, d1\n mov %w0, w9" : "=r"(r64) : "r"(a),"r"(b) : "v1","v2","x0","cc"); w=64; } else
if(!strcmp(op,"fcvtmsx64")){ __asm__ volatile("fmov d1, %1\n fmov d2, %2\n fcvtms x9, d1\n mov %0, x9" : "=r"(r64) : "r"(a),"r"(b) : "v1","v2","x0","cc"); w=64; } else
if(!strcmp(op,"fcvtmuw64")){ __asm__ volatile("fmov d1, %1\n fmov d2, %2\n fcvtmu w9, d1\n mov %w0, w9" : "=r"(r64) : "r"(a),"r"(b) : "v1","v2","x0","cc"); w=64; } else
if(!strcmp(op,"fcvtmux64")){ __asm__ volatile("fmov d1, %1\n fmov d2, %2\n fcvtmu x9, d1\n mov %0, x9" : "=r"(r64) : "r"(a),"r"(b) : "v1","v2","x0","cc"); w=64; } else
if(!strcmp(op,"fcvtpsw64")){ __asm__ volatile("fmov d1, %1\n fmov d2, %2\n fcvtps w9, d1\n mov %w0, w9" : "=r"(r64) : "r"(a),"r"(b) : "v1","v2","x0","cc"); w=64; } else
if(!strcmp(op,"fcvtpsx64")){ __asm__ volatile("fmov d1, %1\n fmov d2, %2\n fcvtps x9, d1\n mov %0, x9" : "=r"(r64) : "r"(a),"r"(b) : "v1","v2","x0","cc"); w=64; } else
if(!strcmp(op,"fcvtpuw64")){ __asm__ volatile("fmov d1, %1\n fmov d2, %2\n fcvtpu w9, d1\n mov %w0, w9" : "=r"(r64) : "r"(a),"r"(b) : "v1","v2","x0","cc"); w=64; } else
if(!strcmp(op,"fcvtpux64")){ __asm__ volatile("fmov d1, %1\n fmov d2, %2\n fcvtpu x9, d1\n mov %0, x9" : "=r"(r64) : "r"(a),"r"(b) : "v1","v2","x0","cc"); w=64; } else
if(!strcmp(op,"fcvtzsw64")){ __asm__ volatile("fmov d1, %1\n fmov d2, %2\n fcvtzs w9, d1\n mov %w0, w9" : "=r"(r64) : "r"(a),"r"(b) : "v1","v2","x0","cc"); w=64; } else
if(!strcmp(op,"fcvtzsx64")){ __asm__ volatile("fmov d1, %1\n fmov d2, %2\n fcvtzs x9, d1\n mov %0, x9" : "=r"(r64) : "r"(a),"r"(b) : "v1","v2","x0","cc"); w=64; } else
if(!strcmp(op,"fcvtzuw64")){ __asm__ volatile("fmov d1, %1\n fmov d2, %2\n fcvtzu w9, d1\n mov %w0, w9" : "=r"(r64) : "r"(a),"r"(b) : "v1","v2","x0","cc"); w=64; } else
if(!strcmp(op,"fcvtzux64")){ __asm__ volatile("fmov d1, %1\n fmov d2, %2\n fcvtzu x9, d1\n mov %0, x9" : "=r"(r64) : "r"(a),"r"(b) : "v1","v2","x0","cc"); w=64; } else
if(!strcmp(op,"fcvtzsw5_64")){ __asm__ volatile("fmov d1, %1\n fmov d2, %2\n fcvtzs w9, d1, #5\n mov %w0, w9" : "=r"(r64) : "r"(a),"r"(b) : "v1","v2","x0","cc"); w=64; } else
if(!strcmp(op,"fcvtzsx40_64")){ __asm__ volatile("fmov d1, %1\n fmov d2, %2\n fcvtzs x9, d1, #40\n mov %0, x9" : "=r"(r64) : "r"(a),"r"(b) : "v1","v2","x0","cc"); w=64; } else
if(!strcmp(op,"scvtfx64")){ __asm__ volatile("mov x9, %1\n scvtf d0, x9\n fmov %0, d0" : "=r"(r64) : "r"(a) : "v0","x9"); w=64; if(64==32) r64 &= 0xffffffffu; } else
if(!strcmp(op,"scvtfx3_64")){ __asm__ volatile("mov x9, %1\n scvtf d0, x9, #3\n fmov %0, d0" : "=r"(r64) : "r"(a) : "v0","x9"); w=64; if(64==32) r64 &= 0xffffffffu; } else
if(!strcmp(op,"scvtfw64")){ __asm__ volatile("mov x9, %1\n scvtf d0, w9\n fmov %0, d0" : "=r"(r64) : "r"(a) : "v0","x9"); w=64; if(64==32) r64 &= 0xffffffffu; } else
if(!strcmp(op,"scvtfw3_64")){ __asm__ volatile("mov x9, %1\n scvtf d0, w9, #3\n fmov %0, d0" : "=r"(r64) : "r"(a) : "v0","x9"); w=64; if(64==32) r64 &= 0xffffffffu; } else
if(!strcmp(op,"fcvtzuw5_64")){ __asm__ volatile("fmov d1, %1\n fmov d2, %2\n fcvtzu w9, d1, #5\n mov %w0, w9" : "=r"(r64) : "r"(a),"r"(b) : "v1","v2","x0","cc"); w=64; } else
if(!strcmp(op,"fcvtzux40_64")){ __asm__ volatile("fmov d1, %1\n fmov d2, %2\n fcvtzu x9, d1, #40\n mov %0, x9" : "=r"(r64) : "r"(a),"r"(b) : "v1","v2","x0","cc"); w=64; } else
if(!strcmp(op,"ucvtfx64")){ __asm__ volatile("mov x9, %1\n ucvtf d0, x9\n fmov %0, d0" : "=r"(r64) : "r"(a) : "v0","x9"); w=64; if(64==32) r64 &= 0xffffffffu; } else
if(!strcmp(op,"ucvtfx3_64")){ __asm__ volatile("mov x9, %1\n ucvtf d0, x9, #3\n fmov %0, d0" : "=r"(r64) : "r"(a) : "v0","x9"); w=64; if(64==32) r64 &= 0xffffffffu; } else
if(!strcmp(op,"ucvtfw64")){ __asm__ volatile("mov x9, %1\n ucvtf d0, w9\n fmov %0, d0" : "=r"(r64) : "r"(a) : "v0","x9"); w=64; if(64==32) r64 &= 0xffffffffu; } else
if(!strcmp(op,"ucvtfw3_64")){ __asm__ volatile("mov x9, %1\n ucvtf d0, w9, #3\n fmov %0, d0" : "=r"(r64) : "r"(a) : "v0","x9"); w=64; if(64==32) r64 &= 0xffffffffu; } else
    { fprintf(stderr,"?%s\n",op); return 1; }
    (void)nz;
    uint64_t fs = getfpsr();
    printf("%llx %llx\n", (unsigned long long)(w==32? r32 : r64), (unsigned long long)fs);
  }
  return 0;
}
