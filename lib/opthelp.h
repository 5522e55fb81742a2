/* SPDX-License-Identifier: GPL-2.0 */
/*
 * opthelp.h - the --help text of option tables (see options.h), wrapped
 * to fit a terminal.
 */
#ifndef GUPSYNC_OPTHELP_H
#define GUPSYNC_OPTHELP_H

#include "parse.h"

#include <stdio.h>

/* One block per option:
 *   "  --name=VALUE  help (default: x; range a..b)". */
void opt_help(FILE *f, const struct opt_spec *const tables[], unsigned ntables);

#endif
