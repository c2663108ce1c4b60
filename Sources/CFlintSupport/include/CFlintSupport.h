#ifndef CFLINT_SUPPORT_H
#define CFLINT_SUPPORT_H

#include <stdint.h>
#include <stdbool.h>

/// Per-thread autograd state: whether operations record a graph, and the running
/// sequence number that orders backward nodes (PyTorch keeps both thread-local too).
bool flint_grad_enabled(void);
void flint_set_grad_enabled(bool enabled);
int64_t flint_next_sequence_nr(void);
bool flint_inference_mode(void);
bool flint_anomaly_mode(void);
int64_t flint_dual_level(void);
void flint_set_dual_level(int64_t level);
void flint_set_anomaly_mode(bool enabled);
void flint_set_inference_mode(bool enabled);

/// One entry of a thread's table of wrapped-number tensors (the `2` of `x * 2`):
/// the number's bits, its dtype's code and the retained tensor (NULL when empty).
typedef struct {
    uint64_t bits;
    int64_t kind;
    void *_Nullable object;
} flint_number_slot;

/// Entries in each thread's table.
enum { FLINT_NUMBER_SLOTS = 8 };

/// This thread's table of FLINT_NUMBER_SLOTS entries. When the thread ends, each
/// object left in it is passed to the function given to flint_set_number_release.
flint_number_slot *_Nonnull flint_number_slots(void);

/// Sets the function that gives up a table entry's object when its thread ends.
void flint_set_number_release(void (*_Nonnull release)(void *_Nonnull));

/// Turns glibc's fastbins off (mallopt M_MXFAST 0); returns 1 on success, 0 where the
/// C library is not glibc.
int flint_disable_malloc_fastbins(void);

/// Bytes the C heap has handed out and not taken back (glibc's mallinfo2), or -1 where
/// the C library cannot tell.
int64_t flint_heap_bytes_in_use(void);

#endif
