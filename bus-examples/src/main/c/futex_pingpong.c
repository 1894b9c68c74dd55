/*
 * futex_pingpong: the floor of a blocking cross-process wakeup on this machine, for
 * `bus bench wakeup`. Two processes (this one and a forked child) ping-pong through one
 * 32-bit futex word in a shared mapping of a file (give one in /dev/shm): the ping stores an odd
 * value and wakes the pong, the pong stores the next even value and wakes the ping; each side
 * waits in FUTEX_WAIT (never spins), so every round trip is two sleeps and two wakeups.
 *
 *   usage: futex_pingpong <file> <warm-up round trips> <measured round trips>
 *   prints: RESULT p50=<ns> p90=<ns> p99=<ns> p999=<ns> max=<ns> mean=<ns>
 *
 * Shared (not FUTEX_PRIVATE) futex operations, as between two processes. Built by the bench with
 * the machine's gcc: gcc -O2 -o futex_pingpong futex_pingpong.c
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long futex(uint32_t *word, int op, uint32_t value) {
    return syscall(SYS_futex, word, op, value, NULL, NULL, 0);
}

/* Sleeps until *word differs from seen (a spurious or lost wakeup just re-checks). */
static void wait_while(uint32_t *word, uint32_t seen) {
    while (__atomic_load_n(word, __ATOMIC_ACQUIRE) == seen) {
        if (futex(word, FUTEX_WAIT, seen) == -1 && errno != EAGAIN && errno != EINTR) {
            perror("futex_pingpong: FUTEX_WAIT");
            exit(1);
        }
    }
}

static void store_and_wake(uint32_t *word, uint32_t value) {
    __atomic_store_n(word, value, __ATOMIC_RELEASE);
    if (futex(word, FUTEX_WAKE, 1) == -1) {
        perror("futex_pingpong: FUTEX_WAKE");
        exit(1);
    }
}

static long long now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long) ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int compare(const void *a, const void *b) {
    long long x = *(const long long *) a;
    long long y = *(const long long *) b;
    return (x > y) - (x < y);
}

static long long percentile(const long long *sorted, long n, double p) {
    long index = (long) (p / 100.0 * (double) n + 0.5) - 1;
    if (index < 0) {
        index = 0;
    }
    if (index >= n) {
        index = n - 1;
    }
    return sorted[index];
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: %s <file> <warm-up round trips> <measured round trips>\n", argv[0]);
        return 2;
    }
    long warmup = atol(argv[2]);
    long count = atol(argv[3]);
    if (warmup < 0 || count < 1) {
        fprintf(stderr, "futex_pingpong: round trips must be positive\n");
        return 2;
    }
    int fd = open(argv[1], O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (fd < 0 || ftruncate(fd, 4096) != 0) {
        fprintf(stderr, "futex_pingpong: cannot create %s: %s\n", argv[1], strerror(errno));
        return 1;
    }
    uint32_t *word = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (word == MAP_FAILED) {
        fprintf(stderr, "futex_pingpong: cannot map %s: %s\n", argv[1], strerror(errno));
        return 1;
    }
    close(fd);
    long long *samples = malloc(sizeof(long long) * (size_t) count);
    if (samples == NULL) {
        fprintf(stderr, "futex_pingpong: out of memory for %ld samples\n", count);
        return 1;
    }
    long total = warmup + count;
    alarm(600); /* a lost peer must not leave a process asleep for ever */
    pid_t pong = fork();
    if (pong < 0) {
        perror("futex_pingpong: fork");
        return 1;
    }
    if (pong == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        /* pong: wait for ping 2i+1, answer 2i+2 */
        for (long i = 0; i < total; i++) {
            uint32_t ping = (uint32_t) (2 * i + 1);
            wait_while(word, ping - 1);
            store_and_wake(word, ping + 1);
        }
        _exit(0);
    }
    for (long i = 0; i < total; i++) {
        uint32_t ping = (uint32_t) (2 * i + 1);
        long long start = now_ns();
        store_and_wake(word, ping);
        wait_while(word, ping);
        long long elapsed = now_ns() - start;
        if (i >= warmup) {
            samples[i - warmup] = elapsed;
        }
    }
    int status;
    waitpid(pong, &status, 0);
    qsort(samples, (size_t) count, sizeof(long long), compare);
    double sum = 0;
    for (long i = 0; i < count; i++) {
        sum += (double) samples[i];
    }
    printf("RESULT p50=%lld p90=%lld p99=%lld p999=%lld max=%lld mean=%.0f\n", percentile(samples, count, 50),
        percentile(samples, count, 90), percentile(samples, count, 99), percentile(samples, count, 99.9),
        samples[count - 1], sum / (double) count);
    munmap(word, 4096);
    unlink(argv[1]);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}
