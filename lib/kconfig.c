// SPDX-License-Identifier: GPL-2.0
/*
 * kconfig.c - the running kernel's build configuration; see kconfig.h.
 * Parsed once per process: every option into one jansson object, "is not
 * set" ones as null.
 */
#include "kconfig.h"

#include "text.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#define KC_LINE_LEN 1024
#define KC_NAME_LEN 256     /* one option name, as the sscanf width says */
#define KC_PATH_LEN 256
#define KC_WHY_LEN 160
#define KC_CONFIG_GZ "/proc/config.gz"
/* gzip by its path, not through PATH (which may be anyone's under sudo). */
#define KC_CONFIG_GZ_CMD "/bin/gzip -dc " KC_CONFIG_GZ " 2>/dev/null"

/* Options that change what the benchmarks measure. */
static const char *const kc_keys[] = {
	"HZ", "PREEMPT_DYNAMIC", "PREEMPT_RCU", "RCU_LAZY", "NO_HZ_FULL",
	"TRANSPARENT_HUGEPAGE", "KSM", "UPROBES", "MMU_GATHER_RCU_TABLE_FREE",
	"PT_RECLAIM", "PER_VMA_LOCK", "HAVE_GUP_FAST", "PARAVIRT", "KVM_GUEST",
	"GUP_TEST", "MEMBARRIER", "IO_URING", "DAMON",
};

/* Preemption models, strongest first: the first one set wins. */
static const struct { const char *opt, *model; } kc_preempt_models[] = {
	{ "PREEMPT_RT", "rt" }, { "PREEMPT", "full" },
	{ "PREEMPT_LAZY", "lazy" }, { "PREEMPT_VOLUNTARY", "voluntary" },
	{ "PREEMPT_NONE", "none" },
};

#define KC_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* All options of this machine's config, parsed once. */
static json_t *kc_all;
static char kc_source[KC_PATH_LEN];
static char kc_why[KC_WHY_LEN];

static size_t kc_parse(FILE *f, json_t *all)
{
	char line[KC_LINE_LEN], name[KC_NAME_LEN];
	size_t n = 0;

	while (fgets(line, sizeof(line), f)) {
		char *eq = strchr(line, '=');

		line[strcspn(line, "\n")] = '\0';
		if (strncmp(line, "CONFIG_", 7) == 0 && eq) {
			*eq = '\0';
			json_object_set_new(all, line + 7, json_string(eq + 1));
			n++;
		} else if (sscanf(line, "# CONFIG_%255s is not set",
				  name) == 1) {
			json_object_set_new(all, name, json_null());
			n++;
		}
	}
	return n;
}

/* /proc/config.gz through gzip, else /boot. */
static void kc_load(void)
{
	char boot[KC_PATH_LEN];
	struct utsname u;
	FILE *f;

	if (kc_all)
		return;
	kc_all = json_object();
	f = access(KC_CONFIG_GZ, R_OK) == 0 ? popen(KC_CONFIG_GZ_CMD, "r")
					     : NULL;
	if (f) {
		size_t n = kc_parse(f, kc_all);

		if (pclose(f) == 0 && n > 0) {
			strcpy(kc_source, KC_CONFIG_GZ);
			return;
		}
		json_object_clear(kc_all);
	}
	if (uname(&u) != 0) {
		snprintf(kc_why, sizeof(kc_why), "uname: %s", strerror(errno));
		return;
	}
	snprintf(boot, sizeof(boot), "/boot/config-%s", u.release);
	f = fopen(boot, "r");
	if (!f) {
		text_fmt(kc_why, sizeof(kc_why),
			 "%s unreadable (gzip -dc failed or absent); %s: %s",
			 KC_CONFIG_GZ, boot, strerror(errno));
		return;
	}
	kc_parse(f, kc_all);
	fclose(f);
	snprintf(kc_source, sizeof(kc_source), "%s", boot);
}

const char *kconfig_get(const char *name)
{
	kc_load();
	return json_string_value(json_object_get(kc_all, name));
}

static json_t *kc_str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

json_t *kconfig_json(void)
{
	const char *model = NULL;
	json_t *o;

	kc_load();
	if (!kc_source[0])
		return json_pack("{s:n,s:s}", "source", "why", kc_why);
	o = json_pack("{s:s}", "source", kc_source);
	for (size_t i = 0; i < KC_LEN(kc_keys); i++)
		json_object_set_new(o, kc_keys[i],
				    kc_str_or_null(kconfig_get(kc_keys[i])));
	for (size_t i = 0; i < KC_LEN(kc_preempt_models) && !model; i++)
		if (kconfig_get(kc_preempt_models[i].opt))
			model = kc_preempt_models[i].model;
	json_object_set_new(o, "preempt_model", kc_str_or_null(model));
	return o;
}
