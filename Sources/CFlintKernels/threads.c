// The worker threads that kernels split large work across. Workers that have just
// finished a job spin for a while before sleeping, so the next job of a training step
// (a few hundred microseconds later) starts on them at once: waking a sleeping thread
// costs a system call on each side and, in a virtual machine, an interrupt to the idle
// virtual CPU — more than the second half of a small matrix product saves.
#include "CFlintKernels.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

// The pool's state in one word, so that a worker can join a job only while it is open:
// bits 0-15 count the workers inside the job, bit 16 says the job is open, and the bits
// above count jobs. The caller closes the job only when no worker is inside, so a job
// (on the caller's stack) is never read after its call returns.
#define INSIDE_MASK 0xFFFFull
#define OPEN_BIT (1ull << 16)
#define GENERATION_SHIFT 17

enum { MAX_WORKERS = 255 };
/// How long a worker spins for the next job before it sleeps.
static const int64_t SPIN_NANOSECONDS = 2000000;

typedef struct {
    flint_parallel_body body;
    void *context;
    int64_t chunks;
    int helpers;
    _Atomic int64_t next;
} job_t;

static _Atomic uint64_t state;
static job_t *_Atomic current;
static _Atomic int sleepers;
static pthread_mutex_t sleep_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
/// Held by the thread whose job the workers serve; others (and nested calls) run alone.
static pthread_mutex_t run_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t start_lock = PTHREAD_MUTEX_INITIALIZER;
static _Atomic int started;

static inline void relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

static int64_t now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static void run_chunks(job_t *job) {
    int64_t chunk;
    while ((chunk = atomic_fetch_add_explicit(&job->next, 1, memory_order_relaxed)) < job->chunks) {
        job->body(job->context, chunk);
    }
}

/// Joins the open job of generation `seen`, if it is still open.
static void join(uint64_t seen, int index) {
    uint64_t s = atomic_load_explicit(&state, memory_order_acquire);
    while ((s >> GENERATION_SHIFT) == seen && (s & OPEN_BIT)) {
        if (atomic_compare_exchange_weak_explicit(&state, &s, s + 1, memory_order_acquire, memory_order_acquire)) {
            job_t *job = atomic_load_explicit(&current, memory_order_acquire);
            if (index < job->helpers) run_chunks(job);
            atomic_fetch_sub_explicit(&state, 1, memory_order_release);
            return;
        }
    }
}

static void *worker(void *argument) {
    int index = (int)(intptr_t)argument;
    uint64_t seen = atomic_load_explicit(&state, memory_order_acquire) >> GENERATION_SHIFT;
    for (;;) {
        int64_t deadline = now_ns() + SPIN_NANOSECONDS;
        uint64_t generation;
        for (int spins = 1; (generation = atomic_load_explicit(&state, memory_order_acquire) >> GENERATION_SHIFT) == seen; spins++) {
            relax();
            if ((spins & 255) == 0 && now_ns() > deadline) {
                pthread_mutex_lock(&sleep_lock);
                atomic_fetch_add(&sleepers, 1);
                while ((generation = atomic_load(&state) >> GENERATION_SHIFT) == seen) pthread_cond_wait(&wake, &sleep_lock);
                atomic_fetch_sub(&sleepers, 1);
                pthread_mutex_unlock(&sleep_lock);
            }
        }
        seen = generation;
        join(seen, index);
    }
    return NULL;
}

/// Starts workers until there are `count` (never stopped: they sleep when idle).
static void start_workers(int count) {
    pthread_mutex_lock(&start_lock);
    while (started < count && started < MAX_WORKERS) {
        pthread_t thread;
        pthread_attr_t attributes;
        pthread_attr_init(&attributes);
        pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
        if (pthread_create(&thread, &attributes, worker, (void *)(intptr_t)started) != 0) {
            pthread_attr_destroy(&attributes);
            break;
        }
        pthread_attr_destroy(&attributes);
        started++;
    }
    pthread_mutex_unlock(&start_lock);
}

int flint_parallel_run(int64_t chunks, int threads, flint_parallel_body body, void *context) {
    if (threads <= 1 || chunks <= 1 || pthread_mutex_trylock(&run_lock) != 0) return 0;
    int helpers = threads - 1 < MAX_WORKERS ? threads - 1 : MAX_WORKERS;
    if (started < helpers) start_workers(helpers);
    job_t job = {.body = body, .context = context, .chunks = chunks, .helpers = helpers};
    atomic_init(&job.next, 0);
    atomic_store_explicit(&current, &job, memory_order_release);
    uint64_t generation = (atomic_load_explicit(&state, memory_order_relaxed) >> GENERATION_SHIFT) + 1;
    atomic_store(&state, (generation << GENERATION_SHIFT) | OPEN_BIT);
    if (atomic_load(&sleepers) > 0) {
        pthread_mutex_lock(&sleep_lock);
        pthread_cond_broadcast(&wake);
        pthread_mutex_unlock(&sleep_lock);
    }
    run_chunks(&job);
    // Close the job once no worker is inside it (every chunk is then done).
    uint64_t s = atomic_load_explicit(&state, memory_order_acquire);
    for (;;) {
        if ((s & INSIDE_MASK) == 0) {
            if (atomic_compare_exchange_weak_explicit(&state, &s, s & ~OPEN_BIT, memory_order_acq_rel, memory_order_acquire)) break;
        } else {
            relax();
            s = atomic_load_explicit(&state, memory_order_acquire);
        }
    }
    pthread_mutex_unlock(&run_lock);
    return 1;
}

typedef struct {
    void *data;
    int64_t bytes;
} scratch_t;

static pthread_key_t scratch_key;
static pthread_once_t scratch_once = PTHREAD_ONCE_INIT;

static void free_scratch(void *value) {
    scratch_t *scratch = value;
    free(scratch->data);
    free(scratch);
}

static void make_scratch_key(void) { pthread_key_create(&scratch_key, free_scratch); }

void *flint_thread_scratch(int64_t bytes) {
    pthread_once(&scratch_once, make_scratch_key);
    scratch_t *scratch = pthread_getspecific(scratch_key);
    if (scratch == NULL) {
        scratch = calloc(1, sizeof(scratch_t));
        if (scratch == NULL || pthread_setspecific(scratch_key, scratch) != 0) {
            free(scratch);
            return NULL;
        }
    }
    if (scratch->bytes < bytes) {
        int64_t size = (bytes + 4095) & ~(int64_t)4095;
        void *data = aligned_alloc(64, (size_t)size);
        if (data == NULL) return NULL;
        free(scratch->data);
        scratch->data = data;
        scratch->bytes = size;
    }
    return scratch->data;
}
