# gupsync - see README.md.  `make run` and `make test` are the two set-up
# commands; both install missing Debian packages first.

CC      ?= cc
PKGS    := hwloc jansson gsl liburing fuse3
NPROC   := $(shell nproc 2>/dev/null || echo 2)
CFLAGS  ?= -O2 -g
CFLAGS  += -std=gnu11 -Wall -Wextra -Werror=implicit-function-declaration \
           -D_GNU_SOURCE -Ilib -MMD -MP
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
LDLIBS  += -lpthread -lm

# Debian packages gupsync needs (build, tests, plots).
DEB_PKGS := build-essential pkg-config libhwloc-dev libjansson-dev libgsl-dev \
            liburing-dev libfuse3-dev libcmocka-dev gnuplot-nox perl

B := build
LIB_SRC   := $(wildcard lib/*.c)
CMD_SRC   := $(wildcard cmd/*.c)
BENCH_SRC := $(wildcard bench/*.c)
TEST_SRC  := $(wildcard tests/test_*.c)
LIB_OBJ   := $(LIB_SRC:%.c=$(B)/%.o)
BENCH_OBJ := $(BENCH_SRC:%.c=$(B)/%.o)
CMD_OBJ   := $(CMD_SRC:%.c=$(B)/%.o)
# One-way layers: cmd/ and bench/ use lib/; only the driver, cmd/ and
# the tests see cmd/'s headers (tests/layers.t checks the objects too).
$(B)/cmd/%.o $(B)/gupsync.o $(B)/tests/%: CFLAGS += -Icmd
TEST_BIN  := $(TEST_SRC:tests/%.c=$(B)/tests/%)
GIT_REV   := $(shell git describe --always --dirty 2>/dev/null || echo unknown)


.PHONY: all deps run test clean
all: gupsync

deps:
	@./tools/deps.sh $(DEB_PKGS)

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -I$(B) -c -o $@ $<

# The version (git describe) is rewritten only when it changes, so a commit
# does not rebuild everything.
$(B)/version.h: FORCE
	@mkdir -p $(B)
	@echo '#define GUPSYNC_VERSION "$(GIT_REV)"' > $@.tmp
	@cmp -s $@.tmp $@ && rm -f $@.tmp || mv $@.tmp $@
$(B)/lib/output.o: $(B)/version.h
.PHONY: FORCE

# Every bench/*.c registers itself (BENCH_REGISTER puts a pointer into the
# gupsync_bench section); linking the object is all it takes.
gupsync: $(B)/gupsync.o $(CMD_OBJ) $(LIB_OBJ) $(BENCH_OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) $(LDLIBS)

$(B)/tests/%: tests/%.c $(CMD_OBJ) $(LIB_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -o $@ $< $(CMD_OBJ) $(LIB_OBJ) $(PKG_LIBS) -lcmocka $(LDLIBS)

# Tests of the benchmarks through their descriptors (bench_find()) link
# every bench/ object, as gupsync does.
BENCH_TESTS := $(B)/tests/test_rcu_wait $(B)/tests/test_benches $(B)/tests/test_bench_check
$(BENCH_TESTS): $(B)/tests/%: tests/%.c $(CMD_OBJ) $(LIB_OBJ) $(BENCH_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -o $@ $< $(CMD_OBJ) $(LIB_OBJ) $(BENCH_OBJ) $(PKG_LIBS) -lcmocka $(LDLIBS)

# The README's example benchmark (tests/example_bench.c) linked as one
# more bench/ file would be, in a gupsync of its own where it replaces
# ipi-broadcast (one benchmark per variants role); tests/example.t.
EXAMPLE_BIN := $(B)/tests/gupsync-example
$(EXAMPLE_BIN): $(B)/gupsync.o $(CMD_OBJ) $(LIB_OBJ) $(B)/tests/example_bench.o \
		$(filter-out $(B)/bench/ipi_broadcast.o,$(BENCH_OBJ))
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) $(LDLIBS)

# Cross-checks of the harness (tools/bare-vs-gupsync, README): a bare
# futex loop, and the cost of each window counter.
tools/bareloop: tools/bareloop.c
	$(CC) $(CFLAGS) -o $@ $< -lpthread
tools/countercost: tools/countercost.c $(LIB_OBJ)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -o $@ $< $(LIB_OBJ) $(PKG_LIBS) $(LDLIBS)
# The kernel's stale per-CPU membarrier state (README: ipi-broadcast).
tools/membarrier_stale: tools/membarrier_stale.c
	$(CC) $(CFLAGS) -o $@ $< -lpthread

# The default sweep within a budget of 90 s (plots included), so that a
# build and the run take about two minutes on 2 CPUs (README "Time").
run: deps
	@$(MAKE) --no-print-directory -j$(NPROC) gupsync
	./gupsync default --budget 90s

test: deps
	@$(MAKE) --no-print-directory gupsync $(TEST_BIN) $(EXAMPLE_BIN) $(FUZZ_REPLAY)
	CMOCKA_MESSAGE_OUTPUT=TAP GUPSYNC=$(CURDIR)/gupsync \
	    prove --exec tests/tap-run $(TEST_BIN) $(wildcard tests/*.t)

# libFuzzer harnesses of the run-directory loaders (tests/fuzz/): `make
# fuzz` runs each for FUZZ_SECONDS, growing build/fuzz/corpus-NAME from the
# seeds in tests/fuzz/corpus/NAME; a crash goes to build/fuzz/ (make it a
# file under tests/fuzz/regress/NAME).  make test only replays the seeds and
# the regression files under ASan and UBSan (tests/fuzz.t), never fuzzes.
FUZZ_CC      ?= clang-14
FUZZ_SECONDS ?= 600
FUZZ_NAMES   := csv rundir
FUZZ_LIB     := lib/csv.c lib/rundir.c lib/rundir_load.c lib/rundir_cells.c lib/rundir_meta.c \
                lib/rundir_cross.c lib/text.c \
                lib/sysinfo_print.c
FUZZ_FLAGS   := -std=gnu11 -g -O1 -D_GNU_SOURCE -Ilib -fno-sanitize-recover=all \
                $(shell pkg-config --cflags jansson 2>/dev/null)
FUZZ_LIBS    := $(shell pkg-config --libs jansson 2>/dev/null) -lm
FUZZ_REPLAY  := $(if $(shell command -v $(FUZZ_CC)),$(FUZZ_NAMES:%=$(B)/fuzz/replay_%))
.PHONY: fuzz
$(B)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_LIB) $(wildcard lib/*.h)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer,address,undefined -o $@ $< $(FUZZ_LIB) $(FUZZ_LIBS)
$(B)/fuzz/replay_%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c $(FUZZ_LIB) $(wildcard lib/*.h)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=address,undefined -o $@ $< tests/fuzz/replay.c $(FUZZ_LIB) $(FUZZ_LIBS)
fuzz: $(FUZZ_NAMES:%=$(B)/fuzz/fuzz_%)
	for n in $(FUZZ_NAMES); do mkdir -p $(B)/fuzz/corpus-$$n && \
	    $(B)/fuzz/fuzz_$$n -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -print_final_stats=1 \
	        -artifact_prefix=$(B)/fuzz/crash-$$n- $(B)/fuzz/corpus-$$n \
	        tests/fuzz/corpus/$$n || exit 1; done

# The kernel module (kmod/), against KDIR (default: the running kernel's
# build tree); `gupsync vm` builds it for the guest's kernel itself.
.PHONY: kmod vm-deps
kmod:
	$(MAKE) -C kmod $(if $(KDIR),KDIR=$(KDIR))

# What `gupsync vm` needs (qemu, busybox, Debian's kernel image + headers).
vm-deps:
	./vm/gupsync-vm --prepare

# Figures (PNG, SVG) of the newest run, or RUNS="results/A results/B"
# overlaid.
RUNS ?=
.PHONY: plots
plots: deps
	@$(MAKE) --no-print-directory gupsync
	./gupsync plot $(RUNS)

clean:
	rm -rf $(B) gupsync tools/bareloop tools/countercost tools/membarrier_stale
	-$(MAKE) -C kmod clean

-include $(shell find $(B) -name '*.d' 2>/dev/null)
