/* A small front for CUnit: each unit test program lists its tests in a table and calls
 * cunit_run(), which runs them in one suite with the basic (verbose) runner and turns the
 * result into the exit code CTest reads. */
#ifndef GREGOR_CUNIT_MAIN_H
#define GREGOR_CUNIT_MAIN_H

#include <CUnit/CUnit.h>

struct cunit_test {
    const char *name;
    void (*fn)(void);
};

/* Runs the NULL-terminated table; returns 0 when every test passed. */
int cunit_run(const char *suite_name, const struct cunit_test *tests);

/* A fresh empty directory under $TMPDIR for one test; cunit_rmtree() removes it. */
char *cunit_tempdir(const char *tag);
void cunit_rmtree(const char *path);

#endif
