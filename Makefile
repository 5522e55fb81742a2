# gupsync - see README.md.  `make run` and `make test` are the two set-up
# commands; both install missing Debian packages first.

CC      ?= cc
PKGS    := hwloc jansson gsl liburing
CFLAGS  ?= -O2 -g
CFLAGS  += -std=gnu11 -Wall -Wextra -Werror=implicit-function-declaration \
           -D_GNU_SOURCE -Ilib -MMD -MP
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
LDLIBS  += -lpthread -lm

# Debian packages gupsync needs (build, tests, plots).
DEB_PKGS := build-essential pkg-config libhwloc-dev libjansson-dev libgsl-dev \
            liburing-dev libcmocka-dev gnuplot-nox perl

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

# Cross-checks of the harness (tools/bare-vs-gupsync, README): a bare
# futex loop, and the cost of each window counter.
tools/bareloop: tools/bareloop.c
	$(CC) $(CFLAGS) -o $@ $< -lpthread
tools/countercost: tools/countercost.c $(LIB_OBJ)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -o $@ $< $(LIB_OBJ) $(PKG_LIBS) $(LDLIBS)

run: deps
	@$(MAKE) --no-print-directory gupsync
	./gupsync default

test: deps
	@$(MAKE) --no-print-directory gupsync $(TEST_BIN)
	CMOCKA_MESSAGE_OUTPUT=TAP GUPSYNC=$(CURDIR)/gupsync \
	    prove --exec tests/tap-run $(TEST_BIN) $(wildcard tests/*.t)

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
	rm -rf $(B) gupsync tools/bareloop tools/countercost
	-$(MAKE) -C kmod clean

-include $(shell find $(B) -name '*.d' 2>/dev/null)
