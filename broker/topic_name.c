/* Topic name rules (see topic_name.h). */
#include "broker/topic_name.h"

#include <stdio.h>
#include <string.h>

static bool legal_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '.' || c == '_' || c == '-';
}

bool topic_name_valid(const char *name, size_t len, char *why, size_t why_size)
{
    if (len == 0) {
        snprintf(why, why_size, "Topic name is illegal, it can't be empty");
        return false;
    }
    if ((len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.')) {
        snprintf(why, why_size, "Topic name cannot be \".\" or \"..\"");
        return false;
    }
    if (len > TOPIC_NAME_MAX) {
        snprintf(why, why_size,
                 "Topic name is illegal, it can't be longer than %d characters, topic name: "
                 "%.*s...",
                 TOPIC_NAME_MAX, 40, name);
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        if (!legal_char(name[i])) {
            snprintf(why, why_size,
                     "Topic name \"%.*s\" is illegal, it contains a character other than ASCII "
                     "alphanumerics, '.', '_' and '-'",
                     (int)(len > 100 ? 100 : len), name);
            return false;
        }
    }
    return true;
}

bool topic_names_collide(const char *a, const char *b)
{
    if (strcmp(a, b) == 0 || strlen(a) != strlen(b))
        return false;
    for (; *a; a++, b++) {
        char x = *a == '.' ? '_' : *a, y = *b == '.' ? '_' : *b;
        if (x != y)
            return false;
    }
    return true;
}

bool topic_name_internal(const char *name)
{
    return name[0] == '_' && name[1] == '_';
}
