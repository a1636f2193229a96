/* The logger: formats a whole line into a stack buffer and writes it at once, so lines from
 * worker threads never interleave. The level is read without a lock; a racing change of level
 * only decides whether one line is printed. */
#include "common/logger.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

static atomic_int current_level = LOG_INFO;
static atomic_int output_fd = 2;

static const char *const level_names[] = {"TRACE", "DEBUG", "INFO", "WARN", "ERROR", "OFF"};

void logger_set_level(enum log_level level)
{
    atomic_store(&current_level, (int)level);
}

enum log_level logger_level(void)
{
    return (enum log_level)atomic_load(&current_level);
}

bool logger_parse_level(const char *text, enum log_level *out)
{
    for (int i = LOG_TRACE; i <= LOG_OFF; i++) {
        if (strcasecmp(text, level_names[i]) == 0) {
            *out = (enum log_level)i;
            return true;
        }
    }
    return false;
}

void logger_set_fd(int fd)
{
    atomic_store(&output_fd, fd);
}

/* Writes "[YYYY-MM-DD HH:MM:SS,mmm] " in local time, as log4j does. */
static size_t format_timestamp(char *out, size_t size)
{
    struct timespec ts;
    struct tm tm;

    clock_gettime(CLOCK_REALTIME, &ts);
    localtime_r(&ts.tv_sec, &tm);
    size_t n = strftime(out, size, "[%Y-%m-%d %H:%M:%S", &tm);
    int m = snprintf(out + n, size - n, ",%03ld] ", ts.tv_nsec / 1000000);
    return n + (size_t)m;
}

void logger_write(enum log_level level, const char *component, const char *fmt, ...)
{
    if ((int)level < atomic_load(&current_level) || level >= LOG_OFF)
        return;

    char line[2048];
    size_t len = format_timestamp(line, sizeof(line));
    len += (size_t)snprintf(line + len, sizeof(line) - len, "%s ", level_names[level]);

    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line + len, sizeof(line) - len, fmt, ap);
    va_end(ap);
    /* A message longer than the line is cut; the component and newline still fit. */
    len = n < 0 ? len : len + (size_t)n;
    if (len > sizeof(line) - 64)
        len = sizeof(line) - 64;
    len += (size_t)snprintf(line + len, sizeof(line) - len, " (%s)\n", component);

    ssize_t ignored = write(atomic_load(&output_fd), line, len);
    (void)ignored;
}
