#include "CFlintSupport.h"

#include <pthread.h>
#include <stddef.h>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

static _Thread_local bool grad_disabled = false;
static _Thread_local int64_t sequence_nr = 0;
static _Thread_local bool inference_mode = false;
static _Thread_local bool anomaly_mode = false;
static _Thread_local int64_t dual_level = 0;

bool flint_grad_enabled(void) { return !grad_disabled; }
void flint_set_grad_enabled(bool enabled) { grad_disabled = !enabled; }
int64_t flint_next_sequence_nr(void) { return sequence_nr++; }
bool flint_inference_mode(void) { return inference_mode; }
void flint_set_inference_mode(bool enabled) { inference_mode = enabled; }
bool flint_anomaly_mode(void) { return anomaly_mode; }
int64_t flint_dual_level(void) { return dual_level; }
void flint_set_dual_level(int64_t level) { dual_level = level; }
void flint_set_anomaly_mode(bool enabled) { anomaly_mode = enabled; }

static _Thread_local flint_number_slot number_slots[FLINT_NUMBER_SLOTS];
static _Thread_local bool number_slots_registered = false;
static pthread_key_t number_slots_key;
static pthread_once_t number_slots_once = PTHREAD_ONCE_INIT;
static void (*number_release)(void *) = NULL;

static void release_number_slots(void *table) {
    flint_number_slot *slots = table;
    for (int i = 0; i < FLINT_NUMBER_SLOTS; i++) {
        if (slots[i].object != NULL && number_release != NULL) number_release(slots[i].object);
        slots[i].object = NULL;
    }
}

static void make_number_slots_key(void) { pthread_key_create(&number_slots_key, release_number_slots); }

flint_number_slot *flint_number_slots(void) {
    if (!number_slots_registered) {
        pthread_once(&number_slots_once, make_number_slots_key);
        pthread_setspecific(number_slots_key, number_slots);
        number_slots_registered = true;
    }
    return number_slots;
}

void flint_set_number_release(void (*release)(void *)) { number_release = release; }

int flint_disable_malloc_fastbins(void) {
#if defined(__GLIBC__)
    return mallopt(M_MXFAST, 0);
#else
    return 0;
#endif
}

int64_t flint_heap_bytes_in_use(void) {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
    struct mallinfo2 info = mallinfo2();
    return (int64_t)(info.uordblks + info.hblkhd);
#else
    return -1;
#endif
}
