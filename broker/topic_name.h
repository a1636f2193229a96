/* Kafka's rules for topic names (Topic.validate): 1 to 249 characters of [a-zA-Z0-9._-], and
 * not "." or "..". Names that differ only in '.' versus '_' collide, because metric names
 * cannot tell them apart; Kafka refuses the second of such a pair, and so do we. */
#ifndef GREGOR_TOPIC_NAME_H
#define GREGOR_TOPIC_NAME_H

#include <stdbool.h>
#include <stddef.h>

#define TOPIC_NAME_MAX 249

/* True when name is valid; otherwise false with the reason, in Kafka's words, in why. */
bool topic_name_valid(const char *name, size_t len, char *why, size_t why_size);
/* True when a and b are different names that collide ("a.b" and "a_b"). */
bool topic_names_collide(const char *a, const char *b);
/* Names starting with "__" belong to the broker (__consumer_offsets). */
bool topic_name_internal(const char *name);

#endif
