# portfence - connection fencing for HA storage clusters, on tc eBPF.
#
#   make            build build/portfence (BPF objects embedded as skeletons) and
#                   build/portfence-peerd (the peer publisher, on corosync's libcpg)
#   make test       install missing Debian packages, build, run every test (root)
#   make demo       install missing Debian packages, build, show the fence working
#   make install    PREFIX, DESTDIR, OCF_ROOT, UNITDIR, DOCDIR
#   make deb        build/portfence_VERSION_ARCH.deb (docs/packaging.md)
#   make rpm        build/portfence-VERSION-1.ARCH.rpm for the RHEL family (docs/packaging.md)
#   make vmlinux    regenerate vmlinux.h from the running kernel's BTF
#   make asan       build/asan/portfence and its unit tests with ASan and UBSan
#                   (make test runs the unit and net suites against them too)
#   make fuzz       the fuzzers for longer (FUZZ_ROUNDS packets, default 1,000,000;
#                   FUZZ_SECONDS per libFuzzer harness, default 300)
#   make test-cluster  the real two-node Pacemaker cluster's full scenario (ROUNDS);
#                   its figures to bench/results/cluster.json (bench/report.py)
#   make bench-crash  section 6's crashes per variant (wake, tickle, peers):
#                   bench/results/crash.json, then docs/benchmarks.md
#   make install-as-portblock    fence-portblock as ocf:heartbeat:portblock too,
#   make uninstall-as-portblock  resource-agents' agent diverted aside (DESTDIR,
#                   OCF_ROOT; docs/drbd-reactor.md)

PREFIX   ?= /usr/local
SBINDIR  ?= $(PREFIX)/sbin
MANDIR   ?= $(PREFIX)/share/man
OCF_ROOT ?= /usr/lib/ocf
UNITDIR  ?= $(PREFIX)/lib/systemd/system
DOCDIR   ?= $(PREFIX)/share/doc/portfence
DESTDIR  ?=

CC      ?= gcc
CLANG   ?= clang
BPFTOOL ?= bpftool

# The one place the version is written; the Debian package reads it too.
VERSION := $(shell cat VERSION)
BUILD   := build

CFLAGS  ?= -O2 -g
CFLAGS  += -std=gnu11 -Wall -Wextra -Werror -Iinclude -I$(BUILD) \
	   -DPORTFENCE_VERSION=\"$(VERSION)\" $(PF_DEFS)
LDLIBS  += -lbpf -lelf -lz

# libbpf's headers name the target architecture as the kernel does. The
# sources are the same everywhere (docs/reference.md, Architectures).
UNAME_M ?= $(shell uname -m)
BPF_ARCH_x86_64 := x86
BPF_ARCH_aarch64 := arm64
BPF_ARCH_ppc64le := powerpc
BPF_ARCH_s390x := s390
BPF_ARCH_riscv64 := riscv
BPF_ARCH_loongarch64 := loongarch
BPF_ARCH = $(or $(BPF_ARCH_$(UNAME_M)),$(error unsupported architecture '$(UNAME_M)' (64-bit only: $(patsubst BPF_ARCH_%,%,$(filter BPF_ARCH_%,$(.VARIABLES))))))
BPF_CFLAGS = -target bpf -g -O2 -Wall -Werror -D__TARGET_ARCH_$(BPF_ARCH) -I. -Iinclude $(PF_DEFS)

BPF_PROGS := fence sweep
BPF_OBJS  := $(patsubst %,$(BUILD)/%.bpf.o,$(BPF_PROGS))
SKELS     := $(patsubst %,$(BUILD)/%.skel.h,$(BPF_PROGS))

# portfence-peerd's sources (user/peerd*.c) build their own binary: the CLI
# stays free of corosync's libraries.
PEERD_SRCS := $(wildcard user/peerd*.c)
PEERD_OBJS := $(patsubst user/%.c,$(BUILD)/user/%.o,$(PEERD_SRCS)) \
	      $(BUILD)/user/sockdiag.o $(BUILD)/user/portal.o $(BUILD)/user/bpfclock.o
USER_SRCS := $(filter-out $(PEERD_SRCS),$(wildcard user/*.c))
USER_OBJS := $(patsubst user/%.c,$(BUILD)/user/%.o,$(USER_SRCS))
# Everything but main.c, so tests can link the pure user-space parts.
LIB_OBJS  := $(filter-out $(BUILD)/user/main.o,$(USER_OBJS))

TEST_SUITES := $(patsubst tests/%/,%,$(dir $(wildcard tests/*/test_*.c)))
TEST_BINS   := $(patsubst %,$(BUILD)/tests/%,$(sort $(TEST_SUITES))) $(BUILD)/tests/tcxprog \
	       $(if $(wildcard tests/e2e/iscsi-load.c),$(BUILD)/tests/iscsi-load) \
	       $(if $(wildcard tests/tgt/tapeio.c),$(BUILD)/tests/tapeio)
FUZZERS := $(patsubst tests/fuzz/fuzz_%.c,$(BUILD)/fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))

AGENTS   := $(wildcard agents/fence-portblock agents/tgt-account agents/portfence-peers)
AGENT_MANS := $(patsubst agents/%,$(BUILD)/ocf_portfence_%.7,$(AGENTS))

.SECONDARY:
.PHONY: all deps test demo install clean vmlinux test-e2e test-cluster bench bench-crash fuzz deb rpm asan \
	install-as-portblock uninstall-as-portblock
all: $(BUILD)/portfence $(BUILD)/portfence-peerd $(BUILD)/tcphold $(BUILD)/tests/tcxprog $(AGENT_MANS) \
	$(BUILD)/portfence.8 $(BUILD)/portfence-peerd.8 $(BUILD)/tests/variant/portfence

deps:
	@scripts/deps.sh

$(BUILD) $(BUILD)/user $(BUILD)/tests:
	@mkdir -p $@

$(BUILD)/%.bpf.o: bpf/%.bpf.c bpf/*.h include/portfence.h vmlinux.h | $(BUILD)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/%.skel.h: $(BUILD)/%.bpf.o
	$(BPFTOOL) gen skeleton $< name $*_bpf > $@

$(BUILD)/user/%.o: user/%.c user/*.h include/portfence.h $(SKELS) VERSION | $(BUILD)/user
	$(CC) $(CPPFLAGS) $(CFLAGS) -Iuser -c $< -o $@

$(BUILD)/portfence: $(USER_OBJS)
	$(CC) $(CFLAGS) $(LDFLAGS) $^ -o $@ $(LDLIBS)

$(filter $(BUILD)/user/peerd%,$(PEERD_OBJS)): $(BUILD)/peerd.skel.h
$(BUILD)/portfence-peerd: $(PEERD_OBJS)
	$(CC) $(CFLAGS) $(LDFLAGS) $^ -o $@ $(LDLIBS) -lcpg -lcmap

# One Criterion binary per test directory (tests/unit, tests/bpf, ...).
.SECONDEXPANSION:
$(BUILD)/tests/%: $$(wildcard tests/%/*.c tests/%/*.h) tests/lib/*.h $(LIB_OBJS) | $(BUILD)/tests
	$(CC) $(CFLAGS) -Iuser -Itests/lib $(filter %.c,$^) $(LIB_OBJS) -o $@ \
		$(LDLIBS) -lcriterion

# The CLI and the unit tests again with ASan and UBSan, into build/asan:
# make test runs the unit and net suites once more against them.
ASAN      := $(BUILD)/asan
ASAN_CFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=undefined \
	       -fno-omit-frame-pointer
ASAN_OBJS := $(patsubst $(BUILD)/user/%.o,$(ASAN)/user/%.o,$(USER_OBJS))
ASAN_BINS := $(ASAN)/portfence $(ASAN)/tests/unit
asan: $(ASAN_BINS)

$(ASAN)/user/%.o: user/%.c user/*.h include/portfence.h $(SKELS) VERSION
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(ASAN_CFLAGS) -Iuser -c $< -o $@

$(ASAN)/portfence: $(ASAN_OBJS)
	$(CC) $(CFLAGS) $(ASAN_CFLAGS) $(LDFLAGS) $^ -o $@ $(LDLIBS)

$(ASAN)/tests/unit: $(wildcard tests/unit/*.c) tests/lib/*.h $(ASAN_OBJS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(ASAN_CFLAGS) -Iuser -Itests/lib $(filter %.c,$^) \
		$(filter-out $(ASAN)/user/main.o,$(ASAN_OBJS)) -o $@ $(LDLIBS) -lcriterion

test: deps all $(TEST_BINS) $(FUZZERS) $(ASAN_BINS)
	tests/run

# Longer runs of the fuzzers that make test runs briefly.
FUZZ_ROUNDS ?= 1000000
FUZZ_SECONDS ?= 300
fuzz: all $(BUILD)/tests/bpf $(FUZZERS)
	FUZZ_ROUNDS=$(FUZZ_ROUNDS) $(BUILD)/tests/bpf --filter 'fuzz/*'
	FUZZ_SECONDS=$(FUZZ_SECONDS) tests/run tests/fuzz

# libFuzzer harnesses of the user-space parsers (clang, ASan, UBSan): each
# tests/fuzz/fuzz_NAME.c with the sources FUZZ_SRCS_NAME it exercises.
FUZZ_SRCS_portal := user/portal.c
FUZZ_SRCS_tickle := user/tickle_file.c user/portal.c
FUZZ_SRCS_peerd := user/peerd_wire.c user/peerd_scan.c user/peerd_store.c user/sockdiag.c \
	user/tickle_file.c user/portal.c
$(BUILD)/fuzz/%: tests/fuzz/fuzz_%.c $$(FUZZ_SRCS_$$*) user/*.h include/portfence.h
	@mkdir -p $(@D)
	$(CLANG) -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
		-Iinclude -Iuser $(filter %.c,$^) -o $@

ROUNDS ?= 2
export ROUNDS QUICK PORTBLOCK_AGENT
test-e2e: deps all $(TEST_BINS)
	ROUNDS=$(ROUNDS) tests/run tests/e2e

test-cluster: deps all $(TEST_BINS)
	CLUSTER_SCENARIO=full ROUNDS=$(ROUNDS) CL_RESULTS=$(CURDIR)/bench/results/cluster.json tests/run tests/cluster

# The demo's second half (tests/e2e) drives the failover with iscsi-load.
demo: deps all $(BUILD)/tests/iscsi-load
	scripts/demo.sh

bench: deps all $(TEST_BINS)
	bench/run

bench-crash: deps all $(TEST_BINS)
	bench/case-crash
	/usr/bin/python3 bench/report.py bench/results/raw bench/results docs

vmlinux:
	$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > vmlinux.h

# The units name the binary where this install puts it (systemd/*.in).
install: all
	install -D -m 0755 $(BUILD)/portfence $(DESTDIR)$(SBINDIR)/portfence
	install -D -m 0755 $(BUILD)/portfence-peerd $(DESTDIR)$(SBINDIR)/portfence-peerd
	install -D -m 0644 $(BUILD)/portfence.8 $(DESTDIR)$(MANDIR)/man8/portfence.8
	install -D -m 0644 agents/portfence-shellfuncs $(DESTDIR)$(OCF_ROOT)/lib/portfence/portfence-shellfuncs
	install -D -m 0644 $(BUILD)/portfence-peerd.8 $(DESTDIR)$(MANDIR)/man8/portfence-peerd.8
	for a in $(AGENTS); do \
		n=$$(basename $$a); \
		install -D -m 0755 $$a $(DESTDIR)$(OCF_ROOT)/resource.d/portfence/$$n; \
		install -D -m 0644 $(BUILD)/ocf_portfence_$$n.7 $(DESTDIR)$(MANDIR)/man7/ocf_portfence_$$n.7; \
	done
	install -d $(DESTDIR)$(UNITDIR)
	for u in systemd/*; do \
		t=$(DESTDIR)$(UNITDIR)/$$(basename $$u .in); \
		sed 's|@SBINDIR@|$(SBINDIR)|g' $$u > $$t && chmod 0644 $$t || exit 1; \
	done
	install -D -m 0644 -t $(DESTDIR)$(DOCDIR) README.md
	install -D -m 0644 -t $(DESTDIR)$(DOCDIR)/docs docs/*.md
	install -D -m 0644 -t $(DESTDIR)$(DOCDIR)/docs/img docs/img/*

# fence-portblock under the name ocf:heartbeat:portblock, for tools that
# write that name themselves (LINSTOR Gateway): resource-agents' agent is
# diverted aside with dpkg-divert, so its upgrades land beside it, and the
# name becomes a link; uninstall-as-portblock undoes both. Never replaces
# a file the diversion did not move away.
HB_PORTBLOCK := $(OCF_ROOT)/resource.d/heartbeat/portblock
FP_AGENT     := $(OCF_ROOT)/resource.d/portfence/fence-portblock
DIVERT        = dpkg-divert $(if $(DESTDIR),--root=$(DESTDIR)) --local --rename \
	--divert $(HB_PORTBLOCK).distrib
install-as-portblock:
	@[ -x $(DESTDIR)$(FP_AGENT) ] || { \
		echo "$(DESTDIR)$(FP_AGENT) is missing: make install (or the package) first" >&2; \
		exit 1; }
	install -d $(dir $(DESTDIR)$(HB_PORTBLOCK))
	$(DIVERT) --add $(HB_PORTBLOCK)
	@if [ -e $(DESTDIR)$(HB_PORTBLOCK) ] && [ ! -L $(DESTDIR)$(HB_PORTBLOCK) ]; then \
		echo "$(DESTDIR)$(HB_PORTBLOCK) is still a file after the diversion: left alone" >&2; \
		exit 1; \
	fi
	ln -sfn $(FP_AGENT) $(DESTDIR)$(HB_PORTBLOCK)

uninstall-as-portblock:
	@if [ -L $(DESTDIR)$(HB_PORTBLOCK) ] && \
	    [ "$$(readlink $(DESTDIR)$(HB_PORTBLOCK))" = $(FP_AGENT) ]; then \
		rm -f $(DESTDIR)$(HB_PORTBLOCK); \
	fi
	$(DIVERT) --remove $(HB_PORTBLOCK)

# Built in a copy under build/deb from the version in VERSION.
deb: deps
	scripts/deb.sh

# From rpm/portfence.spec, in build/rpm, with the same version.
rpm: deps
	scripts/rpm.sh

clean:
	rm -rf $(BUILD)

# The man page says the version it was installed with.
$(BUILD)/portfence.8 $(BUILD)/portfence-peerd.8: $(BUILD)/%.8: user/%.8 VERSION | $(BUILD)
	sed '1s/"portfence [^"]*"/"portfence $(VERSION)"/' $< > $@

# Agent man pages from their meta-data, as resource-agents does.
$(BUILD)/ocf_portfence_%.7: agents/% agents/ra-man.sh | $(BUILD)
	agents/ra-man.sh $< portfence > $@

# Helpers for the demo and the benchmarks.
$(BUILD)/tcphold: tools/tcphold.c | $(BUILD)
	$(CC) $(CFLAGS) $< -o $@

# The CLI and its programs built again with one instruction more
# (bpf/variant.h), for tests/net/upgrade*.t: the other build an upgrade in
# place replaces, and is replaced by.
$(BUILD)/tests/variant/portfence: $(wildcard bpf/*.c bpf/*.h user/*.c user/*.h) \
		include/portfence.h vmlinux.h VERSION
	+$(MAKE) --no-print-directory BUILD=$(BUILD)/tests/variant PF_DEFS=-DPF_BUILD_SALT=1 $@

# Another tool's tcx programs, for tests/net's attach-order tests.
$(BUILD)/tests/tcxprog: tests/net/tcxprog.c | $(BUILD)/tests
	$(CC) $(CFLAGS) $< -o $@ -lbpf

# The e2e initiator load generator, on libiscsi.
$(BUILD)/tests/iscsi-load: tests/e2e/iscsi-load.c | $(BUILD)/tests
	$(CC) $(CFLAGS) $< -o $@ -liscsi

# Numbered records on a tgtd tape, for tests/tgt/tape.t.
$(BUILD)/tests/tapeio: tests/tgt/tapeio.c | $(BUILD)/tests
	$(CC) $(CFLAGS) $< -o $@ -liscsi

# --- bench (owned by bench/): the BPF_PROG_TEST_RUN timer, the verifier's statistics ---
bench: $(BUILD)/bench/progrun $(BUILD)/bench/verifier
$(BUILD)/bench/progrun: bench/progrun.c include/portfence.h $(BUILD)/fence.skel.h | $(BUILD)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $< -o $@ $(LDLIBS)
$(BUILD)/bench/verifier: bench/verifier.c tests/lib/verifier_stats.h $(SKELS) | $(BUILD)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Itests/lib $< -o $@ $(LDLIBS)
