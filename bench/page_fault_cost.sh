#!/usr/bin/env bash
# What a page fault costs on this machine: touches 100 MiB of fresh
# anonymous memory a 4 KiB page at a time, then the same with transparent
# huge pages asked for, then writes the (now mapped) first 100 MiB again.
# On the 2-core VM of BENCHMARKS.md a fault cost 11-14 us, against about
# 0.2 us a page to write mapped memory: most of a cold SubmitBatch there.
# Usage: bench/page_fault_cost.sh   (needs cc)
set -euo pipefail
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat > "$work/fault.c" <<'C'
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}
int main(void) {
  const size_t n = (size_t)100 << 20, huge = (size_t)2 << 20;
  char* p = mmap(0, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  double t = now_ms();
  for (size_t i = 0; i < n; i += 4096) p[i] = 1;
  double ms = now_ms() - t;
  printf("fresh 4 KiB pages: %.1f ms for %zu faults, %.2f us a fault\n", ms,
         n / 4096, ms * 1e3 / (n / 4096));
  char* q = mmap(0, n + huge, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  q = (char*)(((unsigned long)q + huge - 1) & ~(huge - 1));
  madvise(q, n, MADV_HUGEPAGE);
  t = now_ms();
  for (size_t i = 0; i < n; i += 4096) q[i] = 1;
  printf("fresh, transparent huge pages asked for: %.1f ms\n", now_ms() - t);
  t = now_ms();
  memset(p, 2, n);
  printf("the first 100 MiB written again (no fault): %.1f ms\n", now_ms() - t);
  return 0;
}
C
cc -O2 -o "$work/fault" "$work/fault.c"
"$work/fault"
