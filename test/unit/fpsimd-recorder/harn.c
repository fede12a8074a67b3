#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <signal.h>
#include <setjmp.h>
#include <sys/mman.h>
struct st { uint64_t x[31]; uint64_t nzcv, fpcr, fpsr; uint8_t v[32][16]; };
extern void run_insn(struct st *);
extern uint32_t insn_slot;
static sigjmp_buf jb;
static void onsig(int s){ siglongjmp(jb, s); }
static int hex(const char *s, uint8_t *out, int n){ for(int i=0;i<n;i++){ unsigned b; if(sscanf(s+2*i,"%2x",&b)!=1) return -1; out[i]=b;} return 0; }
int main(){
  uint8_t *mem = mmap((void*)0x10000000, 0x2000, PROT_READ|PROT_WRITE, MAP_FIXED|MAP_PRIVATE|MAP_ANONYMOUS, -1, 0);
  if (mem != (void*)0x10000000) { printf("mmap failed\n"); return 1; }
  { uintptr_t pg = (uintptr_t)&insn_slot & ~(uintptr_t)0xfff; if (mprotect((void*)pg, 0x2000, PROT_READ|PROT_WRITE|PROT_EXEC)) { printf("mprotect\n"); return 1; } }
  signal(SIGILL, onsig); signal(SIGSEGV, onsig); signal(SIGBUS, onsig);
  static char line[1<<16];
  while (fgets(line, sizeof line, stdin)) {
    /* format: insn fpcr nzcv x(31*16 hex) v(32*32 hex) mem(256*2 hex) */
    unsigned insn; unsigned long long fpcr, nzcv; char *p = line; int n;
    struct st s; memset(&s,0,sizeof s);
    if (sscanf(p, "%x %llx %llx %n", &insn, &fpcr, &nzcv, &n) != 3) break; p += n;
    for (int i=0;i<31;i++){ unsigned long long v; sscanf(p, "%16llx", &v); s.x[i]=v; p += 16; }
    p++;
    for (int i=0;i<32;i++){ hex(p, s.v[i], 16); p += 32; }
    p++;
    hex(p, mem+0x800, 256);
    s.fpcr=fpcr; s.nzcv=nzcv;
    insn_slot = insn; __builtin___clear_cache((char*)&insn_slot, (char*)&insn_slot+4);
    int sig = sigsetjmp(jb, 1);
    if (sig) { printf("SIG%d\n", sig); continue; }
    run_insn(&s);
    printf("%llx %llx ", (unsigned long long)s.nzcv, (unsigned long long)s.fpsr);
    for (int i=0;i<31;i++) printf("%016llx", (unsigned long long)s.x[i]);
    printf(" ");
    for (int i=0;i<32;i++) for (int k=0;k<16;k++) printf("%02x", s.v[i][k]);
    printf(" ");
    for (int k=0;k<256;k++) printf("%02x", mem[0x800+k]);
    printf("\n");
  }
  return 0;
}
