/* Sieve of Eratosthenes over 8192 flags, REPS times; returns the total number of primes found (1028 per pass). */
#include <stdint.h>

#define SIZE 8192
static unsigned char flags[SIZE];
/* in .data, so the code is the same for every REPS: only this word differs between builds */
volatile uint64_t reps = REPS;

uint64_t main(void) {
  uint64_t total = 0;
  uint64_t n = reps;
  for (uint64_t r = 0; r < n; r++) {
    __asm__ volatile("" ::: "memory"); /* each pass is real work: no hoisting across passes */
    for (unsigned i = 0; i < SIZE; i++) flags[i] = 1;
    flags[0] = flags[1] = 0;
    for (unsigned i = 2; i * i < SIZE; i++)
      if (flags[i])
        for (unsigned j = i * i; j < SIZE; j += i) flags[j] = 0;
    unsigned count = 0;
    for (unsigned i = 0; i < SIZE; i++) count += flags[i];
    total += count;
  }
  return total;
}
