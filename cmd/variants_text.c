// SPDX-License-Identifier: GPL-2.0
/* variants_text.c - numbers and commentary lines; see variants_text.h. */
#include <math.h>
#include <stdarg.h>
#include <string.h>

#include "variants.h"
#include "variants_text.h"

void vt_num(double v, char *buf, size_t len)
{
	static const char *const sfx[] = { "", "k", "M", "G", "T", "P" };

	if (isnan(v)) {
		snprintf(buf, len, "--");
		return;
	}
	if (isinf(v)) {		/* not a value: say so, never "infP" */
		snprintf(buf, len, "?");
		return;
	}
	for (size_t s = 0; s < VT_NELEM(sfx); s++) {
		double x = v / pow(1e3, (double)s), a = fabs(x);
		int prec = a < 1 ? 2 : 2 - (int)floor(log10(a));

		if (prec < 0 && s + 1 < VT_NELEM(sfx))
			continue;	/* four integer digits: next suffix */
		for (prec = prec < 0 ? 0 : prec; prec >= 0; prec--)
			if (snprintf(buf, len, "%.*f%s", prec, x, sfx[s]) <=
			    VT_NUM_WIDTH) {
				/* "-0.00" is zero */
				if (buf[0] == '-' && !strpbrk(buf, "123456789"))
					memmove(buf, buf + 1, strlen(buf));
				return;
			}
	}
	snprintf(buf, len, "?");	/* beyond 999P: not a measurement */
}

void vt_print_line(FILE *f, char *line)
{
	size_t n = strlen(line);

	while (n && line[n - 1] == ' ')
		line[--n] = '\0';
	fprintf(f, "%s\n", line);
}

void vt_say(FILE *f, int hang, const char *fmt, ...)
{
	char text[VT_TEXT], line[VARIANTS_WIDTH + 1];
	const char *p = text;
	va_list ap;
	int lead = 2;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	for (char *q = text; *q; q++)
		if (*q == '\t' || *q == '\n')
			*q = ' ';
	for (;;) {
		int room = VARIANTS_WIDTH - lead, n = (int)strlen(p);

		if (n > room) {	/* break at the last space that fits */
			n = room;
			while (n > 0 && p[n] != ' ')
				n--;
			n = n ? n : room;
		}
		snprintf(line, sizeof(line), "#%*s%.*s", lead - 1, "", n, p);
		vt_print_line(f, line);
		p += n + strspn(p + n, " ");	/* the first line keeps its indent */
		if (!*p)
			return;
		lead = 2 + hang;
	}
}
