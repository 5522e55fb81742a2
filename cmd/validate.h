/* SPDX-License-Identifier: GPL-2.0 */
/*
 * validate.h - `gupsync validate RUN_DIR...`: the loader every reader uses
 * (lib/rundir_load.c), over whole directories, samples.csv included and
 * meta.json held to all that `gupsync run` writes.  One line per problem
 * ("FILE:LINE: what"), "DIR: ok" for a whole one; exit 0 only when every
 * directory is whole, 1 when one is not, 2 for bad usage.
 */
#ifndef GUPSYNC_VALIDATE_H
#define GUPSYNC_VALIDATE_H

int cmd_validate(int argc, char **argv, const char *cmdline);

#endif
