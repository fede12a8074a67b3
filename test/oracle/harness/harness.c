// kvm-arm differential oracle: the arm64 side.
//
// A static arm64 Linux program (run under qemu-aarch64 -cpu cortex-a57, or natively on arm64 Linux). It reads
// fixed-size snippet records (see test/oracle/a64-record.ts for the same layout on the TypeScript side), lays
// every snippet out at a fixed code address (each snippet in its own slot, followed by UDF #0 words), and runs
// them one after another. The state of each snippet (x0-x30, sp, NZCV, V0-V31, FPSR, FPCR) is installed through
// the signal frame of the previous trap and captured from the signal frame of the trap that ends it: normally
// the UDF after the snippet (SIGILL), or a fault inside it (the pc index, signal and fault address are kept).
// A scratch page at a fixed address is reset before every snippet and hashed (FNV-1a 32) after it.
//
// usage: harness IN OUT        (either may be "-" for stdin / stdout)
// Technique after risu and /work/shared/a64-oracle; this file is the project's own implementation.
#define _GNU_SOURCE
#include <asm/sigcontext.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

#define MAX_INSNS 16
#define SLOT_WORDS 20                  /* snippet words + UDF terminators; keep in sync with a64-record.ts */
#define SCRATCH_ADDR 0x80000UL         /* 4 KiB data page at a fixed address */
#define SCRATCH_SIZE 4096
#define CODE_ADDR 0x20000000UL         /* slot i starts at CODE_ADDR + i * SLOT_WORDS * 4 */
#define ALT_STACK_ADDR 0x5a5a00000000UL /* odd fixed address: a snippet's SP can never point into it by chance */
#define ALT_STACK_SIZE (1 << 16)

/* 856 bytes: the input record */
struct in_rec {
  uint32_t n, flags;
  uint32_t insn[MAX_INSNS];
  uint64_t x[31], sp, nzcv;
  uint32_t fpsr, fpcr;
  uint8_t v[32][16];
};
/* 816 bytes: the output record */
struct out_rec {
  uint64_t x[31], sp, nzcv, pc_index, signo, fault_addr, mem_hash;
  uint32_t fpsr, fpcr;
  uint8_t v[32][16];
};
_Static_assert(sizeof(struct in_rec) == 856, "in_rec layout");
_Static_assert(sizeof(struct out_rec) == 816, "out_rec layout");

static struct in_rec *recs;
static struct out_rec *outs;
static long nrecs, current = -1;
static uint32_t *code;
static uint8_t *scratch;
static uint8_t scratch_init[SCRATCH_SIZE];
static const char *out_path;
static uint8_t finish_stack[1 << 16] __attribute__((aligned(16)));

static uint32_t fnv1a(const uint8_t *p, size_t n) {
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 16777619u;
  return h;
}

static struct fpsimd_context *find_fpsimd(mcontext_t *mc) {
  uint8_t *p = (uint8_t *)mc->__reserved, *end = p + sizeof mc->__reserved;
  while (p + sizeof(struct _aarch64_ctx) <= end) {
    struct _aarch64_ctx *h = (struct _aarch64_ctx *)p;
    if (h->magic == 0 || h->size == 0) break;
    if (h->magic == FPSIMD_MAGIC) return (struct fpsimd_context *)p;
    p += h->size;
  }
  return NULL;
}

static void write_all(int fd, const void *buf, size_t n) {
  const uint8_t *p = buf;
  while (n > 0) {
    ssize_t k = write(fd, p, n);
    if (k < 0) { if (errno == EINTR) continue; _exit(3); }
    p += k; n -= (size_t)k;
  }
}

/* Reached by pointing the last trap's return pc here, on a fresh stack. */
static void finish(void) {
  int fd = strcmp(out_path, "-") == 0 ? 1 : open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) _exit(4);
  write_all(fd, outs, (size_t)nrecs * sizeof *outs);
  if (fd != 1) close(fd);
  _exit(0);
}

static void on_trap(int sig, siginfo_t *si, void *ucv) {
  ucontext_t *uc = ucv;
  mcontext_t *mc = &uc->uc_mcontext;
  struct fpsimd_context *fp = find_fpsimd(mc);
  if (!fp) _exit(5);
  if (current >= 0) {
    struct out_rec *o = &outs[current];
    memcpy(o->x, mc->regs, sizeof o->x);
    o->sp = mc->sp;
    o->nzcv = mc->pstate & 0xf0000000ULL;
    o->pc_index = (mc->pc - (uint64_t)(uintptr_t)(code + current * SLOT_WORDS)) / 4;
    o->signo = (uint64_t)sig;
    o->fault_addr = sig == SIGILL ? 0 : (uint64_t)(uintptr_t)si->si_addr;
    o->mem_hash = fnv1a(scratch, SCRATCH_SIZE);
    o->fpsr = fp->fpsr;
    o->fpcr = fp->fpcr;
    memcpy(o->v, fp->vregs, sizeof o->v);
  }
  current++;
  if (current >= nrecs) {
    mc->pc = (uint64_t)(uintptr_t)finish;
    mc->sp = (uint64_t)(uintptr_t)(finish_stack + sizeof finish_stack);
    mc->pstate &= ~0xf0000000ULL;
    fp->fpcr = 0;
    fp->fpsr = 0;
    return;
  }
  struct in_rec *r = &recs[current];
  memcpy(scratch, scratch_init, SCRATCH_SIZE);
  memcpy(mc->regs, r->x, sizeof r->x);
  mc->sp = r->sp;
  mc->pc = (uint64_t)(uintptr_t)(code + current * SLOT_WORDS);
  mc->pstate = (mc->pstate & ~0xf0000000ULL) | (r->nzcv & 0xf0000000ULL);
  fp->fpsr = r->fpsr;
  fp->fpcr = r->fpcr;
  memcpy(fp->vregs, r->v, sizeof r->v);
}

static uint8_t *read_all(const char *path, size_t *len) {
  int fd = strcmp(path, "-") == 0 ? 0 : open(path, O_RDONLY);
  if (fd < 0) { perror(path); exit(1); }
  size_t cap = 1 << 20, n = 0;
  uint8_t *buf = malloc(cap);
  for (;;) {
    if (n == cap) { cap *= 2; buf = realloc(buf, cap); }
    if (!buf) { fputs("harness: out of memory\n", stderr); exit(1); }
    ssize_t k = read(fd, buf + n, cap - n);
    if (k < 0) { if (errno == EINTR) continue; perror("read"); exit(1); }
    if (k == 0) break;
    n += (size_t)k;
  }
  if (fd != 0) close(fd);
  *len = n;
  return buf;
}

int main(int argc, char **argv) {
  if (argc != 3) { fputs("usage: harness IN OUT   (- for stdin/stdout)\n", stderr); return 2; }
  out_path = argv[2];
  size_t len;
  recs = (struct in_rec *)read_all(argv[1], &len);
  if (len % sizeof *recs) { fprintf(stderr, "harness: input is %zu bytes, not a multiple of %zu\n", len, sizeof *recs); return 1; }
  nrecs = (long)(len / sizeof *recs);
  outs = calloc((size_t)nrecs + 1, sizeof *outs);

  scratch = mmap((void *)SCRATCH_ADDR, SCRATCH_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
  if (scratch != (void *)SCRATCH_ADDR) { perror("mmap scratch"); return 1; }
  for (int i = 0; i < SCRATCH_SIZE; i++) scratch_init[i] = (uint8_t)(i * 167 + 13);

  size_t code_size = ((size_t)(nrecs + 1) * SLOT_WORDS * 4 + 4095) & ~(size_t)4095;
  code = mmap((void *)CODE_ADDR, code_size, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
  if (code != (void *)CODE_ADDR) { perror("mmap code"); return 1; }
  for (long i = 0; i < nrecs; i++) {
    uint32_t n = recs[i].n;
    if (n > MAX_INSNS) { fprintf(stderr, "harness: record %ld has %u instructions\n", i, n); return 1; }
    memcpy(code + i * SLOT_WORDS, recs[i].insn, n * 4); /* the rest of the slot stays 0 = UDF #0 */
  }
  __builtin___clear_cache((char *)code, (char *)code + code_size);

  void *alt = mmap((void *)ALT_STACK_ADDR, ALT_STACK_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
  if (alt != (void *)ALT_STACK_ADDR) { perror("mmap alt stack"); return 1; }
  stack_t ss = { .ss_sp = alt, .ss_size = ALT_STACK_SIZE, .ss_flags = 0 };
  if (sigaltstack(&ss, NULL)) { perror("sigaltstack"); return 1; }
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_trap;
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
  int sigs[] = { SIGILL, SIGSEGV, SIGBUS, SIGTRAP, SIGFPE };
  for (unsigned i = 0; i < sizeof sigs / sizeof *sigs; i++) sigaction(sigs[i], &sa, NULL);
  if (nrecs == 0) finish();
  __asm__ volatile("udf #0"); /* the first trap starts snippet 0; the last one jumps to finish() */
  return 6;                   /* not reached */
}
