// SPDX-License-Identifier: GPL-2.0
/*
 * opthelp.c - the --help text of option tables; see opthelp.h.
 */
#include "opthelp.h"

#include "text.h"

#include <string.h>

#define HELP_COL 30	/* column where help text starts */
#define HELP_WIDTH 79	/* last column help text may use */

static const char *metavar(enum opt_type t)
{
	static const char *const names[] = {
		[OPT_U64] = "N", [OPT_SIZE] = "SIZE", [OPT_DURATION] = "TIME",
		[OPT_ENUM] = "NAME", [OPT_STR] = "STR", [OPT_FLAG] = "",
	};

	return names[t];
}

/* Words of text from column HELP_COL on, wrapped at HELP_WIDTH. */
static void help_wrap(FILE *f, const char *text)
{
	char indent[HELP_COL + 1];

	memset(indent, ' ', HELP_COL);
	indent[HELP_COL] = '\0';
	text_wrap(f, HELP_COL, indent, HELP_WIDTH, text);
}

/* "  --name=SIZE[,SIZE...]", padded to HELP_COL (own line if too long). */
static void help_left(FILE *f, const struct opt_spec *sp)
{
	const char *mv = metavar(sp->type);
	char left[HELP_COL + 64];
	size_t col;

	snprintf(left, sizeof(left), "  --%s%s%s", sp->name, *mv ? "=" : "", mv);
	if (sp->list)
		text_append(left, sizeof(left), "[,%s...]", mv);
	col = strlen(left);
	fputs(left, f);
	if (col + 2 > HELP_COL) {	/* keep at least two spaces */
		fputc('\n', f);
		col = 0;
	}
	fprintf(f, "%*s", (int)(HELP_COL - col), "");
}

/* "help (default: 4K; range 4K..1G)", wrapped. */
static void help_text(FILE *f, const struct opt_spec *sp)
{
	char text[2 * OPT_ERR_LEN], allowed[OPT_ERR_LEN];

	snprintf(text, sizeof(text), "%s", sp->help ? sp->help : "");
	if (sp->type == OPT_FLAG) {	/* nothing to add: flags default off */
		help_wrap(f, text);
		return;
	}
	text_append(text, sizeof(text), " (%s%s",
		    sp->def ? "default: " : "required", sp->def ? sp->def : "");
	opt_allowed(sp, allowed, sizeof(allowed));
	if (sp->type == OPT_ENUM)
		text_append(text, sizeof(text), "; %s", allowed);
	else if (sp->type != OPT_STR)
		text_append(text, sizeof(text), "; range %s", allowed);
	text_append(text, sizeof(text), ")");
	help_wrap(f, text);
}

void opt_help(FILE *f, const struct opt_spec *const tables[], unsigned ntables)
{
	for (unsigned t = 0; t < ntables; t++) {
		if (t)
			fputc('\n', f);
		for (const struct opt_spec *sp = tables[t]; sp->name; sp++) {
			help_left(f, sp);
			help_text(f, sp);
		}
	}
}
