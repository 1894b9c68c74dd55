/*
 * ringbus_dump: a reference reader of ringbus topic files, written from bus-core/FORMAT.md alone.
 *
 *   ringbus_dump TOPIC_FILE
 *
 * Prints every message from the oldest intact record to the tail as it was when the dump started,
 * one line each: "<position> <type> <length> <payload in hex>", and on a topic with timestamps (flag 2)
 * " <publish time>" after it (ns since the epoch; length and payload then leave it out). It takes no cursor slot (it never
 * writes to the file), so it follows the format's rules for a reader without one: copy the payload,
 * then check that the commit stamp did not change; when a record was overwritten under it, it says
 * so on standard error ("overrun at P") and starts again from the oldest intact record.
 *
 * Exit codes: 0 done, 1 not a readable topic file (the reason on standard error), 2 bad usage.
 * Linux, x86_64 or aarch64 (native little-endian), C11 with GCC's __atomic builtins.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* Topic header (FORMAT.md, "Topic file"). */
#define TOPIC_MAGIC 0x5242544F50494331ULL /* "RBTOPIC1" */
#define TOPIC_VERSION 3
#define T_MAGIC 0
#define T_VERSION 8
#define T_READY 12
#define T_FILE_LENGTH 16
#define T_FLAGS 28
#define T_RING_OFFSET 32
#define FLAG_TIMESTAMPS 2
#define TIMESTAMP_LENGTH 8

/* Ring header (FORMAT.md, "Ring"). */
#define RING_MAGIC 0x52494E4742555331ULL /* "RINGBUS1" */
#define RING_VERSION 2
#define R_MAGIC 0
#define R_VERSION 8
#define R_CAPACITY 12
#define R_MAX_MESSAGE 16
#define R_CURSORS 20
#define R_BYTE_ORDER 28
#define R_INITIAL 32
#define R_SALT 56
#define R_TAIL 128
#define R_CURSORS_START 256
#define CURSOR_SLOT 128

/* Records (FORMAT.md, "Records"). */
#define HEADER 16
#define ALIGN 16
#define PADDING_TYPE (-1)

static const uint8_t *base;
static uint64_t stamp_salt;

static uint64_t load64(uint64_t offset) {
    uint64_t value;
    memcpy(&value, base + offset, 8);
    return value;
}

static uint32_t load32(uint64_t offset) {
    uint32_t value;
    memcpy(&value, base + offset, 4);
    return value;
}

static uint64_t load64_acquire(uint64_t offset) {
    return __atomic_load_n((const uint64_t *) (base + offset), __ATOMIC_ACQUIRE);
}

static uint64_t stamp_of(uint64_t position) {
    return ((((position >> 4) * 0x9E3779B97F4A7C15ULL) << 4) | 0x5ULL) ^ stamp_salt;
}

static uint64_t recovered_stamp_of(uint64_t position) {
    return stamp_of(position) ^ 0x2ULL;
}

/* The oldest intact record: the first position in [tail - capacity, tail) holding its own stamp. */
static uint64_t oldest_intact(uint64_t initial, uint32_t capacity, uint64_t data, uint64_t mask) {
    uint64_t tail = load64_acquire(R_TAIL);
    uint64_t position = tail > initial + capacity ? tail - capacity : initial;
    for (; position < tail; position += ALIGN) {
        uint64_t stamp = load64_acquire(data + (position & mask) + 8);
        if (stamp == stamp_of(position) || stamp == recovered_stamp_of(position)) {
            break;
        }
    }
    return position;
}

static int fail(const char *path, const char *what) {
    fprintf(stderr, "ringbus_dump: %s: %s\n", path, what);
    return 1;
}

int main(int argc, char **argv) {
    if (argc != 2 || argv[1][0] == '-') {
        fprintf(stderr, "usage: ringbus_dump TOPIC_FILE   (prints each message: position type length hex)\n");
        return 2;
    }
    const char *path = argv[1];
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        return fail(path, strerror(errno));
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        return fail(path, strerror(errno));
    }
    if (!S_ISREG(st.st_mode) || st.st_size < 4096) {
        return fail(path, "not a regular file of at least 4096 bytes");
    }
    uint64_t size = (uint64_t) st.st_size;
    base = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
    if (base == MAP_FAILED) {
        return fail(path, strerror(errno));
    }
    if (load64(T_MAGIC) != TOPIC_MAGIC || load32(T_VERSION) != TOPIC_VERSION) {
        return fail(path, "not a ringbus topic of layout version 3 (topic magic or version differs)");
    }
    int timestamps = (load32(T_FLAGS) & FLAG_TIMESTAMPS) != 0;
    if (__atomic_load_n((const uint32_t *) (base + T_READY), __ATOMIC_ACQUIRE) != 1) {
        return fail(path, "the topic is not ready (its creator has not finished, or died creating it)");
    }
    uint64_t ring = load64(T_RING_OFFSET);
    if (load64(T_FILE_LENGTH) != size || ring % 4096 != 0 || ring > size - R_CURSORS_START) {
        return fail(path, "file length or ring offset does not match the file");
    }
    base += ring; /* from here on, offsets are from the ring's start */
    uint64_t ring_size = size - ring;
    if (__atomic_load_n((const uint64_t *) (base + R_MAGIC), __ATOMIC_ACQUIRE) != RING_MAGIC) {
        return fail(path, "no ring magic at the ring offset");
    }
    if (load32(R_BYTE_ORDER) != 0x01020304) {
        return fail(path, "written in the other byte order");
    }
    if (load32(R_VERSION) != RING_VERSION) {
        return fail(path, "ring layout version is not 2");
    }
    uint32_t capacity = load32(R_CAPACITY);
    uint32_t max_message = load32(R_MAX_MESSAGE);
    uint32_t cursors = load32(R_CURSORS);
    uint64_t initial = load64(R_INITIAL);
    stamp_salt = load64(R_SALT);
    if (capacity < 1024 || capacity > (1u << 30) || (capacity & (capacity - 1)) != 0
        || max_message < 1 || max_message > capacity / 8 || cursors < 1 || cursors > 4096
        || initial % ALIGN != 0 || (stamp_salt & 15) != 0) {
        return fail(path, "ring header out of range");
    }
    uint64_t data = R_CURSORS_START + (uint64_t) cursors * CURSOR_SLOT;
    if (data + capacity > ring_size) {
        return fail(path, "ring is larger than the file (truncated?)");
    }
    uint64_t mask = capacity - 1;
    uint8_t *copy = malloc(max_message);
    if (copy == NULL) {
        return fail(path, "out of memory");
    }

    uint64_t end = load64_acquire(R_TAIL);
    if (end % ALIGN != 0 || end < initial) {
        return fail(path, "tail is not a record boundary");
    }
    uint64_t position = oldest_intact(initial, capacity, data, mask);
    int overruns = 0;
    while (position < end) {
        uint64_t record = data + (position & mask);
        uint64_t stamp = load64_acquire(record + 8);
        int recovered = stamp == recovered_stamp_of(position);
        int overrun = 0;
        if (stamp != stamp_of(position) && !recovered) {
            if (load64_acquire(R_TAIL) - position <= capacity) {
                break; /* not committed yet: the dump ends at the first pending record */
            }
            overrun = 1;
        }
        int32_t length = (int32_t) load32(record);
        int32_t type = recovered ? PADDING_TYPE : (int32_t) load32(record + 4);
        uint64_t room = capacity - (position & mask) - HEADER;
        int plausible = length >= 0 && (uint64_t) length <= room
            && (type >= 0 ? (uint32_t) length <= max_message : type == PADDING_TYPE);
        if (!overrun && plausible && type >= 0) {
            memcpy(copy, base + record + HEADER, (size_t) length);
        }
        __atomic_thread_fence(__ATOMIC_ACQUIRE);
        /* A later lap's payload may cover the header before it reaches the stamp: ask the tail too,
         * which producers publish before they write (FORMAT.md, "Reading"). */
        if (overrun || __atomic_load_n((const uint64_t *) (base + record + 8), __ATOMIC_RELAXED) != stamp
            || load64_acquire(R_TAIL) - position > capacity) {
            /* Overwritten under us: go on from the oldest intact record, and say what was skipped. */
            uint64_t resume = oldest_intact(initial, capacity, data, mask);
            fprintf(stderr, "overrun at %llu: skipped %llu bytes\n", (unsigned long long) position,
                (unsigned long long) (resume > position ? resume - position : 0));
            if (++overruns > 1000) {
                return fail(path, "overrun 1000 times: publishers are faster than this reader");
            }
            position = resume > position ? resume : position;
            continue;
        }
        if (!plausible) {
            fprintf(stderr, "ringbus_dump: %s: record at %llu has length %d and type %d, which no writer writes\n",
                path, (unsigned long long) position, length, type);
            return 1;
        }
        if (type >= 0 && timestamps && length < TIMESTAMP_LENGTH) {
            fprintf(stderr, "ringbus_dump: %s: record at %llu has %d bytes, no room for its publish time\n",
                path, (unsigned long long) position, length);
            return 1;
        }
        if (type >= 0) {
            int32_t skip = timestamps ? TIMESTAMP_LENGTH : 0;
            printf("%llu %d %d ", (unsigned long long) position, type, length - skip);
            for (int32_t i = skip; i < length; i++) {
                printf("%02x", copy[i]);
            }
            if (timestamps) {
                int64_t published;
                memcpy(&published, copy, sizeof published);
                printf(" %lld", (long long) published);
            }
            putchar('\n');
        }
        position += ((uint64_t) HEADER + (uint64_t) length + ALIGN - 1) & ~(uint64_t) (ALIGN - 1);
    }
    free(copy);
    return fflush(stdout) == 0 ? 0 : 1;
}
