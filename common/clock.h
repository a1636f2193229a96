/* Clocks. Wall time stamps records and files; monotonic time drives timeouts. Functions that
 * make time-based decisions take `now_ms` as a parameter so tests can drive them. */
#ifndef GREGOR_CLOCK_H
#define GREGOR_CLOCK_H

#include <stdint.h>

int64_t clock_wall_ms(void);      /* milliseconds since the Unix epoch */
int64_t clock_monotonic_ns(void); /* for measuring intervals */
int64_t clock_monotonic_ms(void);

#endif
