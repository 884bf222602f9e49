/* Preloaded in front of libfaketime by .ci/run for the shifted-clock test
 * runs. With FAKETIME_DONT_FAKE_MONOTONIC=1 (so that thread waits, which
 * libfaketime does not see, keep working), libfaketime 0.9.10 still moves
 * the deadline of clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, …) by the
 * fake offset: Python's time.sleep() then fails with EINVAL or returns at
 * once. Sleeps on the (real) monotonic clocks go straight to the kernel
 * here; sleeps on the realtime clock still go through libfaketime. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

typedef int (*clock_nanosleep_fn)(clockid_t, int, const struct timespec *, struct timespec *);

int clock_nanosleep(clockid_t id, int flags, const struct timespec *req, struct timespec *rem) {
    if (id == CLOCK_MONOTONIC || id == CLOCK_MONOTONIC_RAW || id == CLOCK_BOOTTIME) {
        return syscall(SYS_clock_nanosleep, id, flags, req, rem) == 0 ? 0 : errno;
    }
    static clock_nanosleep_fn next;
    if (next == NULL) {
        next = (clock_nanosleep_fn)dlsym(RTLD_NEXT, "clock_nanosleep");
    }
    return next(id, flags, req, rem);
}
