/* The log manager (see log_manager.h). Partitions are kept in an array sorted by (topic,
 * partition) for binary search; the set changes only when topics come and go. */
#include "broker/log/log_manager.h"

#include "broker/log/checkpoint.h"
#include "common/logger.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

struct log_entry {
    char *topic;
    int32_t partition;
    size_t dir_index;
    struct plog *log;     /* NULL once closed at shutdown; then the two below hold */
    int64_t final_recovery_point;
    int64_t final_log_start_offset;
};

struct log_dir {
    char *path;
    int lock_fd;
    bool was_clean;
    size_t partitions;
};

struct log_manager {
    struct log_dir *dirs;
    size_t ndirs;
    struct logmgr_settings settings;
    struct workq *wq;
    struct log_entry *entries;
    size_t nentries;
    size_t capacity;
    int64_t last_retention_ms;
    int64_t last_checkpoint_ms;
    bool loaded; /* every directory loaded: only then may shutdown call itself clean */
};

bool logmgr_parse_dir_name(const char *name, char *topic, size_t topic_size, int32_t *partition)
{
    const char *dash = strrchr(name, '-');
    if (dash == NULL || dash == name || dash[1] == '\0' || (size_t)(dash - name) >= topic_size)
        return false;
    long value = 0;
    for (const char *p = dash + 1; *p; p++) {
        if (*p < '0' || *p > '9' || value > INT32_MAX / 10)
            return false;
        value = value * 10 + (*p - '0');
    }
    memcpy(topic, name, (size_t)(dash - name));
    topic[dash - name] = '\0';
    *partition = (int32_t)value;
    return true;
}

static int compare_key(const char *topic, int32_t partition, const struct log_entry *e)
{
    int c = strcmp(topic, e->topic);
    if (c != 0)
        return c;
    return (partition > e->partition) - (partition < e->partition);
}

/* Where (topic, partition) is or would go; *found says which. */
static size_t find_entry(const struct log_manager *m, const char *topic, int32_t partition,
                         bool *found)
{
    size_t lo = 0, hi = m->nentries;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = compare_key(topic, partition, &m->entries[mid]);
        if (c == 0) {
            *found = true;
            return mid;
        }
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    *found = false;
    return lo;
}

static void insert_entry(struct log_manager *m, const char *topic, int32_t partition,
                         size_t dir_index, struct plog *log)
{
    bool found;
    size_t at = find_entry(m, topic, partition, &found);
    if (m->nentries == m->capacity) {
        m->capacity = m->capacity ? m->capacity * 2 : 64;
        m->entries = realloc(m->entries, m->capacity * sizeof(*m->entries));
        if (m->entries == NULL)
            abort();
    }
    memmove(m->entries + at + 1, m->entries + at, (m->nentries - at) * sizeof(*m->entries));
    m->entries[at] = (struct log_entry){.topic = strdup(topic), .partition = partition,
                                        .dir_index = dir_index, .log = log};
    if (m->entries[at].topic == NULL)
        abort();
    m->nentries++;
    m->dirs[dir_index].partitions++;
}

static void remove_entry(struct log_manager *m, size_t at)
{
    m->dirs[m->entries[at].dir_index].partitions--;
    free(m->entries[at].topic);
    memmove(m->entries + at, m->entries + at + 1, (m->nentries - at - 1) * sizeof(*m->entries));
    m->nentries--;
}

/* ---- directories ---- */

static int remove_path(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void remove_tree_work(void *arg)
{
    if (nftw(arg, remove_path, 16, FTW_DEPTH | FTW_PHYS) != 0)
        log_warn("log", "cannot remove %s: %s", (char *)arg, strerror(errno));
}

static void remove_tree_later(struct log_manager *m, const char *path)
{
    char *copy = strdup(path);
    if (copy == NULL)
        abort();
    workq_submit(m->wq, remove_tree_work, free, copy);
}

/* Creates the directory if needed and takes its .lock, as Kafka does, so two brokers never
 * share a log directory. */
static gerr_t lock_dir(struct log_dir *d)
{
    char path[PATH_MAX];
    if (mkdir(d->path, 0755) != 0 && errno != EEXIST) {
        log_error("log", "cannot create log directory %s: %s", d->path, strerror(errno));
        return ERR_KAFKA_STORAGE_ERROR;
    }
    snprintf(path, sizeof(path), "%s/.lock", d->path);
    d->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (d->lock_fd < 0 || flock(d->lock_fd, LOCK_EX | LOCK_NB) != 0) {
        log_error("log",
                  "Failed to acquire lock on file .lock in %s. Another broker process is using "
                  "this directory (%s)",
                  d->path, strerror(errno));
        return ERR_KAFKA_STORAGE_ERROR;
    }
    return ERR_NONE;
}

/* Reads and removes the clean-shutdown marker: from here on, a crash is unclean. */
static void take_clean_marker(struct log_dir *d)
{
    char path[PATH_MAX];
    snprintf(path, sizeof(path), "%s/%s", d->path, CLEAN_SHUTDOWN_FILE);
    d->was_clean = access(path, F_OK) == 0;
    if (d->was_clean && unlink(path) != 0)
        log_warn("log", "cannot remove %s: %s", path, strerror(errno));
    if (!d->was_clean)
        log_info("log", "%s was not shut down cleanly: recovering its logs", d->path);
}

static int64_t checkpoint_lookup(const struct tp_offset *entries, size_t n, const char *topic,
                                 int32_t partition, int64_t otherwise)
{
    for (size_t i = 0; i < n; i++) {
        if (entries[i].partition == partition && strcmp(entries[i].topic, topic) == 0)
            return entries[i].offset;
    }
    return otherwise;
}

struct dir_checkpoints {
    struct tp_offset *recovery;
    size_t nrecovery;
    struct tp_offset *start;
    size_t nstart;
};

static gerr_t read_dir_checkpoints(const struct log_dir *d, struct dir_checkpoints *cp)
{
    char path[PATH_MAX];
    snprintf(path, sizeof(path), "%s/%s", d->path, RECOVERY_POINT_FILE);
    gerr_t err = checkpoint_read_offsets(path, &cp->recovery, &cp->nrecovery);
    if (err == ERR__CORRUPT)
        err = ERR_NONE; /* no recovery points: everything gets recovered, which is safe */
    snprintf(path, sizeof(path), "%s/%s", d->path, LOG_START_FILE);
    if (err == ERR_NONE && checkpoint_read_offsets(path, &cp->start, &cp->nstart) == ERR__IO)
        err = ERR__IO;
    return err;
}

static gerr_t load_partition(struct log_manager *m, size_t dir_index, const char *name,
                             const struct dir_checkpoints *cp, int64_t now_ms)
{
    const struct log_dir *d = &m->dirs[dir_index];
    char topic[256], path[PATH_MAX];
    int32_t partition;
    snprintf(path, sizeof(path), "%s/%s", d->path, name);

    if (strlen(name) > 7 && strcmp(name + strlen(name) - 7, "-delete") == 0) {
        remove_tree_later(m, path); /* a deletion a crash interrupted */
        return ERR_NONE;
    }
    if (!logmgr_parse_dir_name(name, topic, sizeof(topic), &partition))
        return ERR_NONE;

    struct plog_open_opts opts = {
        .recover = !d->was_clean,
        .recovery_point = checkpoint_lookup(cp->recovery, cp->nrecovery, topic, partition, 0),
        .log_start_offset = checkpoint_lookup(cp->start, cp->nstart, topic, partition, -1),
    };
    struct plog *log;
    gerr_t err = plog_open(&log, path, &m->settings.defaults, &opts, m->wq, now_ms);
    if (err != ERR_NONE) {
        log_error("log", "cannot load the log in %s: %s", path, gerr_name(err));
        return err;
    }
    insert_entry(m, topic, partition, dir_index, log);
    return ERR_NONE;
}

static gerr_t load_dir(struct log_manager *m, size_t dir_index, int64_t now_ms)
{
    struct dir_checkpoints cp = {0};
    gerr_t err = read_dir_checkpoints(&m->dirs[dir_index], &cp);
    DIR *d = err == ERR_NONE ? opendir(m->dirs[dir_index].path) : NULL;
    if (d == NULL) {
        err = ERR_KAFKA_STORAGE_ERROR;
    } else {
        struct dirent *e;
        while (err == ERR_NONE && (e = readdir(d)) != NULL) {
            if (e->d_name[0] != '.' && e->d_type == DT_DIR)
                err = load_partition(m, dir_index, e->d_name, &cp, now_ms);
        }
        closedir(d);
    }
    checkpoint_free_offsets(cp.recovery, cp.nrecovery);
    checkpoint_free_offsets(cp.start, cp.nstart);
    return err;
}

gerr_t logmgr_open(struct log_manager **out, const struct logmgr_settings *settings,
                   struct workq *wq, int64_t now_ms)
{
    struct log_manager *m = calloc(1, sizeof(*m));
    if (m == NULL || (m->dirs = calloc(settings->ndirs, sizeof(*m->dirs))) == NULL)
        abort();
    m->settings = *settings;
    m->wq = wq;
    m->last_retention_ms = now_ms;
    m->last_checkpoint_ms = now_ms;

    gerr_t err = ERR_NONE;
    for (size_t i = 0; i < settings->ndirs && err == ERR_NONE; i++) {
        m->ndirs++;
        m->dirs[i].lock_fd = -1;
        if ((m->dirs[i].path = strdup(settings->dirs[i])) == NULL)
            abort();
        err = lock_dir(&m->dirs[i]);
        if (err == ERR_NONE) {
            take_clean_marker(&m->dirs[i]);
            err = load_dir(m, i, now_ms);
        }
    }
    m->settings.dirs = NULL; /* the caller's strings; our copies live in m->dirs */
    m->loaded = err == ERR_NONE;
    if (err != ERR_NONE) {
        logmgr_close(m);
        return err;
    }
    log_info("log", "Loaded %zu logs from %zu log directories", m->nentries, m->ndirs);
    *out = m;
    return ERR_NONE;
}

struct plog *logmgr_get(const struct log_manager *m, const char *topic, int32_t partition)
{
    bool found;
    size_t at = find_entry(m, topic, partition, &found);
    return found ? m->entries[at].log : NULL;
}

gerr_t logmgr_create(struct log_manager *m, const char *topic, int32_t partition,
                     const struct log_config *cfg, int64_t now_ms, struct plog **out)
{
    if ((*out = logmgr_get(m, topic, partition)) != NULL)
        return ERR_NONE;
    size_t dir_index = 0;
    for (size_t i = 1; i < m->ndirs; i++) {
        if (m->dirs[i].partitions < m->dirs[dir_index].partitions)
            dir_index = i;
    }
    char path[PATH_MAX];
    snprintf(path, sizeof(path), "%s/%s-%" PRId32, m->dirs[dir_index].path, topic, partition);
    struct plog_open_opts opts = {.recover = false, .recovery_point = 0, .log_start_offset = -1};
    gerr_t err = plog_open(out, path, cfg ? cfg : &m->settings.defaults, &opts, m->wq, now_ms);
    if (err == ERR_NONE) {
        insert_entry(m, topic, partition, dir_index, *out);
        log_info("log", "Created log for partition %s-%" PRId32 " in %s", topic, partition,
                 m->dirs[dir_index].path);
    }
    return err;
}

gerr_t logmgr_delete(struct log_manager *m, const char *topic, int32_t partition)
{
    bool found;
    size_t at = find_entry(m, topic, partition, &found);
    if (!found)
        return ERR_UNKNOWN_TOPIC_OR_PARTITION;

    char path[PATH_MAX], deleted[PATH_MAX + 64];
    uint8_t id[16];
    snprintf(path, sizeof(path), "%s", plog_dir(m->entries[at].log));
    if (getrandom(id, sizeof(id), 0) != (ssize_t)sizeof(id))
        memset(id, 0, sizeof(id));
    int n = snprintf(deleted, sizeof(deleted), "%s.", path);
    for (size_t i = 0; i < sizeof(id); i++)
        n += snprintf(deleted + n, sizeof(deleted) - (size_t)n, "%02x", id[i]);
    snprintf(deleted + n, sizeof(deleted) - (size_t)n, "-delete");

    plog_close(m->entries[at].log);
    remove_entry(m, at);
    if (rename(path, deleted) != 0) {
        log_error("log", "cannot rename %s for deletion: %s", path, strerror(errno));
        return ERR_KAFKA_STORAGE_ERROR;
    }
    remove_tree_later(m, deleted);
    log_info("log", "Deleted log for partition %s-%" PRId32, topic, partition);
    return ERR_NONE;
}

size_t logmgr_count(const struct log_manager *m)
{
    return m->nentries;
}

struct plog *logmgr_at(const struct log_manager *m, size_t i)
{
    return m->entries[i].log;
}

/* ---- checkpoints ---- */

/* The checkpoint lines of one directory, as owned copies a worker may write. */
struct dir_snapshot {
    char recovery_path[PATH_MAX];
    char start_path[PATH_MAX];
    struct tp_offset *recovery;
    struct tp_offset *start;
    size_t n;
};

static struct dir_snapshot *snapshot_dir(const struct log_manager *m, size_t dir_index)
{
    struct dir_snapshot *s = calloc(1, sizeof(*s));
    size_t cap = m->dirs[dir_index].partitions;
    if (s == NULL || (s->recovery = calloc(cap + 1, sizeof(*s->recovery))) == NULL ||
        (s->start = calloc(cap + 1, sizeof(*s->start))) == NULL)
        abort();
    snprintf(s->recovery_path, sizeof(s->recovery_path), "%s/%s", m->dirs[dir_index].path,
             RECOVERY_POINT_FILE);
    snprintf(s->start_path, sizeof(s->start_path), "%s/%s", m->dirs[dir_index].path,
             LOG_START_FILE);
    for (size_t i = 0; i < m->nentries; i++) {
        const struct log_entry *e = &m->entries[i];
        if (e->dir_index != dir_index)
            continue;
        int64_t recovery_point = e->log ? plog_recovery_point(e->log) : e->final_recovery_point;
        int64_t log_start = e->log ? plog_log_start_offset(e->log) : e->final_log_start_offset;
        s->recovery[s->n] = (struct tp_offset){strdup(e->topic), e->partition, recovery_point};
        s->start[s->n] = (struct tp_offset){strdup(e->topic), e->partition, log_start};
        if (s->recovery[s->n].topic == NULL || s->start[s->n].topic == NULL)
            abort();
        s->n++;
    }
    return s;
}

static gerr_t write_snapshot(const struct dir_snapshot *s)
{
    gerr_t err = checkpoint_write_offsets(s->recovery_path, s->recovery, s->n);
    if (err == ERR_NONE)
        err = checkpoint_write_offsets(s->start_path, s->start, s->n);
    return err;
}

static void free_snapshot(void *arg)
{
    struct dir_snapshot *s = arg;
    checkpoint_free_offsets(s->recovery, s->n);
    checkpoint_free_offsets(s->start, s->n);
    free(s);
}

static void write_snapshot_work(void *arg)
{
    write_snapshot(arg);
}

gerr_t logmgr_checkpoint(struct log_manager *m)
{
    gerr_t result = ERR_NONE;
    for (size_t i = 0; i < m->ndirs; i++) {
        struct dir_snapshot *s = snapshot_dir(m, i);
        gerr_t err = write_snapshot(s);
        if (err != ERR_NONE)
            result = err;
        free_snapshot(s);
    }
    return result;
}

void logmgr_tick(struct log_manager *m, int64_t now_ms)
{
    if (now_ms - m->last_retention_ms >= m->settings.retention_check_interval_ms) {
        m->last_retention_ms = now_ms;
        for (size_t i = 0; i < m->nentries; i++)
            plog_apply_retention(m->entries[i].log, now_ms);
    }
    for (size_t i = 0; i < m->nentries; i++)
        plog_maybe_flush(m->entries[i].log, now_ms);
    if (now_ms - m->last_checkpoint_ms >= m->settings.checkpoint_interval_ms) {
        m->last_checkpoint_ms = now_ms;
        /* fsync of the checkpoint files happens on a worker, off the loop. */
        for (size_t i = 0; i < m->ndirs; i++)
            workq_submit(m->wq, write_snapshot_work, free_snapshot, snapshot_dir(m, i));
    }
}

/* ---- shutdown ---- */

static void write_clean_marker(const struct log_dir *d)
{
    char path[PATH_MAX];
    snprintf(path, sizeof(path), "%s/%s", d->path, CLEAN_SHUTDOWN_FILE);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0 || fsync(fd) != 0)
        log_error("log", "cannot write %s: %s", path, strerror(errno));
    if (fd >= 0)
        close(fd);
    int dfd = open(d->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
}

/* Closes one log, keeping the offsets its checkpoint lines need. */
static gerr_t close_entry(struct log_entry *e)
{
    int64_t end = plog_log_end_offset(e->log);
    e->final_recovery_point = plog_recovery_point(e->log);
    e->final_log_start_offset = plog_log_start_offset(e->log);
    gerr_t err = plog_close(e->log);
    e->log = NULL;
    if (err == ERR_NONE)
        e->final_recovery_point = end;
    return err;
}

void logmgr_close(struct log_manager *m)
{
    if (m == NULL)
        return;
    workq_drain(m->wq);
    bool *clean = calloc(m->ndirs + 1, sizeof(bool));
    if (clean == NULL)
        abort();
    for (size_t i = 0; i < m->ndirs; i++)
        clean[i] = m->loaded;
    for (size_t i = 0; i < m->nentries; i++) {
        if (close_entry(&m->entries[i]) != ERR_NONE)
            clean[m->entries[i].dir_index] = false;
    }
    /* The marker goes last, after the data and the checkpoints are on disk. */
    for (size_t i = 0; i < m->ndirs; i++) {
        if (m->dirs[i].lock_fd < 0)
            continue;
        if (m->loaded) {
            struct dir_snapshot *s = snapshot_dir(m, i);
            if (write_snapshot(s) != ERR_NONE)
                clean[i] = false;
            free_snapshot(s);
        }
        if (clean[i])
            write_clean_marker(&m->dirs[i]);
        close(m->dirs[i].lock_fd);
    }
    workq_drain(m->wq);
    while (m->nentries > 0)
        remove_entry(m, m->nentries - 1);
    for (size_t i = 0; i < m->ndirs; i++)
        free(m->dirs[i].path);
    free(clean);
    free(m->dirs);
    free(m->entries);
    free(m);
}
