/* The request handlers, one file each, named after Kafka's APIs. Each parses the request,
 * validates, applies, and writes the response (parse -> validate -> apply -> respond). A
 * body that does not parse gets the connection closed, as Kafka does. */
#ifndef GREGOR_HANDLERS_H
#define GREGOR_HANDLERS_H

#include "common/codec.h"

#include <stdbool.h>

struct broker;
struct request;

void handle_ApiVersions(struct broker *b, struct request *req);
void handle_Metadata(struct broker *b, struct request *req);
void handle_Produce(struct broker *b, struct request *req);
void handle_Fetch(struct broker *b, struct request *req);
void handle_ListOffsets(struct broker *b, struct request *req);
void handle_CreateTopics(struct broker *b, struct request *req);
void handle_DeleteTopics(struct broker *b, struct request *req);
void handle_FindCoordinator(struct broker *b, struct request *req);

/* Re-runs a parked Fetch (the fetch_waiters callback). */
bool handler_fetch_retry(void *broker, struct request *req, bool final);

/* Closes the connection of a request whose body did not parse, with a log line. */
void handler_reject_malformed(struct request *req, const char *api);
/* A wire string as a NUL-terminated copy in the request's arena; "" for a string holding a
 * NUL byte, so a lookup by that name finds nothing. */
char *handler_string(struct request *req, struct kstr s);

#endif
