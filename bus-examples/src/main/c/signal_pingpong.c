/*
 * signal_pingpong: the floor of a signal wakeup between two processes on this machine, for
 * `bus bench wakeup` beside ringbus's SIGNAL mode. Two processes (this one and a forked child) each
 * block SIGUSR1 and wait for it in sigwaitinfo; the ping sends it to the pong with kill, the pong
 * answers the same way. No handler runs and nothing spins: every round trip is two signals, two
 * sleeps and two wakeups. (ringbus's SIGNAL mode also runs the JVM's handler, on a thread it starts
 * for each signal.)
 *
 *   usage: signal_pingpong <warm-up round trips> <measured round trips>
 *   prints: RESULT p50=<ns> p90=<ns> p99=<ns> p999=<ns> max=<ns> mean=<ns>
 *
 * Built by the bench with the machine's gcc: gcc -O2 -o signal_pingpong signal_pingpong.c
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

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

static void await_signal(const sigset_t *set) {
    while (sigwaitinfo(set, NULL) < 0) {
        if (errno != EINTR) {
            perror("signal_pingpong: sigwaitinfo");
            exit(1);
        }
    }
}

static void send_signal(pid_t to) {
    if (kill(to, SIGUSR1) != 0) {
        perror("signal_pingpong: kill");
        exit(1);
    }
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s <warm-up round trips> <measured round trips>\n", argv[0]);
        return 2;
    }
    long warmup = atol(argv[1]);
    long count = atol(argv[2]);
    if (warmup < 0 || count < 1) {
        fprintf(stderr, "signal_pingpong: round trips must be positive\n");
        return 2;
    }
    long long *samples = malloc(sizeof(long long) * (size_t) count);
    if (samples == NULL) {
        fprintf(stderr, "signal_pingpong: out of memory for %ld samples\n", count);
        return 1;
    }
    /* Blocked before the fork, so a signal that comes before its sigwaitinfo stays pending. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    if (sigprocmask(SIG_BLOCK, &set, NULL) != 0) {
        perror("signal_pingpong: sigprocmask");
        return 1;
    }
    long total = warmup + count;
    alarm(600); /* a lost peer must not leave a process asleep for ever */
    pid_t ping = getpid();
    pid_t pong = fork();
    if (pong < 0) {
        perror("signal_pingpong: fork");
        return 1;
    }
    if (pong == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        for (long i = 0; i < total; i++) {
            await_signal(&set);
            send_signal(ping);
        }
        _exit(0);
    }
    for (long i = 0; i < total; i++) {
        long long start = now_ns();
        send_signal(pong);
        await_signal(&set);
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
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}
