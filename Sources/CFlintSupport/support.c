#include "CFlintSupport.h"

static _Thread_local bool grad_disabled = false;
static _Thread_local int64_t sequence_nr = 0;

bool flint_grad_enabled(void) { return !grad_disabled; }
void flint_set_grad_enabled(bool enabled) { grad_disabled = !enabled; }
int64_t flint_next_sequence_nr(void) { return sequence_nr++; }
