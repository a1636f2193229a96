/* Leveled logging in Kafka's log4j layout, so operators' greps carry over:
 *   [2026-11-23 12:00:00,123] INFO message text (component)
 * Safe from any thread: each line goes out in one write(2). */
#ifndef GREGOR_LOGGER_H
#define GREGOR_LOGGER_H

#include <stdbool.h>

enum log_level { LOG_TRACE, LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR, LOG_OFF };

void logger_set_level(enum log_level level);
enum log_level logger_level(void);
/* Parses "TRACE".."ERROR"/"OFF" (any case); returns false for anything else. */
bool logger_parse_level(const char *text, enum log_level *out);
/* Sends lines to fd (default 2, stderr). */
void logger_set_fd(int fd);

void logger_write(enum log_level level, const char *component, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define log_trace(component, ...) logger_write(LOG_TRACE, component, __VA_ARGS__)
#define log_debug(component, ...) logger_write(LOG_DEBUG, component, __VA_ARGS__)
#define log_info(component, ...)  logger_write(LOG_INFO, component, __VA_ARGS__)
#define log_warn(component, ...)  logger_write(LOG_WARN, component, __VA_ARGS__)
#define log_error(component, ...) logger_write(LOG_ERROR, component, __VA_ARGS__)

#endif
