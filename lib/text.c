// SPDX-License-Identifier: GPL-2.0
/*
 * text.c - messages into fixed-size buffers and word wrapping; see text.h.
 */
#include "text.h"

#include <string.h>

static void text_vfmt(char *buf, size_t len, const char *fmt, va_list ap)
{
	if (buf && len)
		vsnprintf(buf, len, fmt, ap);
}

void text_fmt(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	text_vfmt(buf, len, fmt, ap);
	va_end(ap);
}

int text_err(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	text_vfmt(err, len, fmt, ap);
	va_end(ap);
	return -1;
}

/* Tab and newline only lay text out; every other one can drive a terminal. */
static int text_ctl(unsigned char c)
{
	return (c < 0x20 && c != '\t' && c != '\n') || c == 0x7f;
}

char *text_escape(char *out, size_t len, const char *in)
{
	size_t o = 0;

	if (!len)
		return out;
	for (; *in; in++) {
		unsigned char c = (unsigned char)*in;
		size_t need = text_ctl(c) ? 4 : 1;

		if (o + need >= len)
			break;
		if (need == 4)
			o += (size_t)snprintf(out + o, len - o, "\\x%02x", c);
		else
			out[o++] = (char)c;
	}
	out[o] = '\0';
	return out;
}

int text_has_ctl(const char *s)
{
	for (; *s; s++)
		if (text_ctl((unsigned char)*s))
			return 1;
	return 0;
}

void text_vappend(char *buf, size_t len, const char *fmt, va_list ap)
{
	size_t used = strnlen(buf, len);

	if (used + 1 >= len)
		return;
	vsnprintf(buf + used, len - used, fmt, ap);
}

void text_append(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	text_vappend(buf, len, fmt, ap);
	va_end(ap);
}

void text_wrap(FILE *f, size_t col, const char *cont, size_t width,
	       const char *text)
{
	size_t start = col;	/* where this line's words begin */
	const char *p = text;

	for (;;) {
		size_t w;

		p += strspn(p, " ");
		w = strcspn(p, " ");
		if (!w)
			break;
		if (col > start && col + 1 + w > width) {
			fprintf(f, "\n%s", cont);
			col = start = strlen(cont);
		} else if (col > start) {
			fputc(' ', f);
			col++;
		}
		fwrite(p, 1, w, f);
		col += w;
		p += w;
	}
	fputc('\n', f);
}
