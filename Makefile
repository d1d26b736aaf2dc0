# boxoffice — terminal box office and check-in station.
#   make            build ./boxoffice
#   make run        install missing packages, build, start var/pg, migrate, demo, open the TUI
#   make test       the same set-up against a throwaway cluster, then every test
#   make bench      benchmarks (BENCH=name for one)
#   make SANITIZE=1 test   build and test with ASan + UBSan

PREFIX ?= /usr/local
DESTDIR ?=
BINDIR = $(PREFIX)/bin
DATADIR = $(PREFIX)/share/boxoffice
VERSION = 0.1.0

CC ?= cc
PKG_CONFIG ?= pkg-config
PKGS = ncursesw libpq libqrencode zbar libnotify libsodium jansson gdlib cairo fontconfig libcurl libmicrohttpd libcrypto
TEST_PKGS = cmocka

VAR ?= $(CURDIR)/var
BUILD = build

WARN = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wno-unused-parameter
CFLAGS ?= -O2 -g
ALL_CFLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE $(WARN) $(CFLAGS) \
	-DBOXOFFICE_VERSION='"$(VERSION)"' -DBOXOFFICE_VARDIR='"$(VAR)"' -DBOXOFFICE_ASSETS='"$(CURDIR)/assets"' -I. -Isrc \
	$(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
LIBS = $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)
ifeq ($(SANITIZE),1)
ALL_CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
BUILD = build-san
endif

# The fuzzing build (make fuzz): clang, the project's sources with
# libFuzzer's coverage and ASan + UBSan, in build-fuzz/.
ifeq ($(FUZZING),1)
CC = clang
ALL_CFLAGS += -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
BUILD = build-fuzz
endif

CORE_SRC = $(wildcard src/core/*.c)
DB_SRC = $(wildcard src/db/*.c)
APP_SRC = $(filter-out src/app/main.c,$(wildcard src/app/*.c))
SCREEN_SRC = $(wildcard screens/*.c)
HTTP_SRC = $(wildcard src/http/*.c)
MIGRATIONS = $(sort $(wildcard db/[0-9]*.sql))

CORE_OBJ = $(CORE_SRC:%.c=$(BUILD)/%.o)
LIB_OBJ = $(CORE_OBJ) $(DB_SRC:%.c=$(BUILD)/%.o) $(APP_SRC:%.c=$(BUILD)/%.o) \
	$(SCREEN_SRC:%.c=$(BUILD)/%.o) $(HTTP_SRC:%.c=$(BUILD)/%.o) $(BUILD)/migrations.o

UNIT_TESTS = $(patsubst tests/%.c,$(BUILD)/tests/%,$(wildcard tests/unit_*.c))
DB_TESTS = $(patsubst tests/%.c,$(BUILD)/tests/%,$(wildcard tests/db_*.c))
BENCHES = $(patsubst bench/%.c,$(BUILD)/bench/%,$(wildcard bench/*.c))

FUZZ_NAMES = $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ ?= $(FUZZ_NAMES)
FUZZ_SECONDS ?= 60

.PHONY: all deps build run serve test test-all check bench db-start db-stop clean install uninstall fuzz fuzz-binaries

all: boxoffice

deps:
	@sh src/sh/deps.sh

# A sanitizer build stays in build-san/ and never replaces ./boxoffice.
ifeq ($(SANITIZE),1)
build: $(BUILD)/boxoffice
else
build: boxoffice
endif

boxoffice: $(BUILD)/boxoffice
	@cp $< $@.tmp && mv $@.tmp $@

$(BUILD)/boxoffice: $(BUILD)/src/app/main.o $(LIB_OBJ)
	@echo "  LINK    $@"
	@$(CC) $(LDFLAGS) -o $@ $^ $(LIBS) -lpthread

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/migrations.c: $(MIGRATIONS) src/sh/embed-sql.sh
	@mkdir -p $(dir $@)
	sh src/sh/embed-sql.sh $(MIGRATIONS) > $@.tmp && mv $@.tmp $@

$(BUILD)/migrations.o: $(BUILD)/migrations.c
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/tests/%: tests/%.c tests/helpers.c tests/helpers.h tests/tmux.c tests/tmux.h tests/proxy.c tests/proxy.h tests/clip.c tests/clip.h tests/http.c tests/http.h tests/fake.c tests/fake.h tests/fake_platform.py tests/webdriver.c tests/webdriver.h $(LIB_OBJ)
	@mkdir -p $(dir $@)
	@echo "  TEST    $@"
	@$(CC) $(ALL_CFLAGS) $(shell $(PKG_CONFIG) --cflags $(TEST_PKGS)) $(LDFLAGS) -o $@ $< tests/helpers.c tests/tmux.c tests/proxy.c tests/clip.c tests/http.c tests/fake.c tests/webdriver.c \
		$(LIB_OBJ) $(LIBS) $(shell $(PKG_CONFIG) --libs $(TEST_PKGS)) -lpthread

# The fuzz targets' regression test: every seed and every input that once
# crashed, through the harnesses' own code (tests/fuzz/targets.c).
$(BUILD)/tests/unit_fuzz_regress: tests/unit_fuzz_regress.c tests/fuzz/targets.c tests/fuzz/targets.h tests/helpers.c tests/helpers.h $(LIB_OBJ)
	@mkdir -p $(dir $@)
	@echo "  TEST    $@"
	@$(CC) $(ALL_CFLAGS) -DFUZZ_DIR='"$(CURDIR)/tests/fuzz"' $(shell $(PKG_CONFIG) --cflags $(TEST_PKGS)) $(LDFLAGS) -o $@ $< tests/fuzz/targets.c tests/helpers.c \
		$(LIB_OBJ) $(LIBS) $(shell $(PKG_CONFIG) --libs $(TEST_PKGS)) -lpthread

$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/targets.c tests/fuzz/targets.h $(LIB_OBJ)
	@mkdir -p $(dir $@)
	@echo "  FUZZ    $@"
	@$(CC) $(ALL_CFLAGS) -fsanitize=fuzzer $(LDFLAGS) -o $@ $< tests/fuzz/targets.c $(LIB_OBJ) $(LIBS) -lpthread -lm

$(BUILD)/bench/%: bench/%.c bench/common.h bench/sales.h bench/bench_db.h tests/clip.c tests/clip.h $(LIB_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< tests/clip.c $(LIB_OBJ) $(LIBS) -lpthread -lm

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

# ---- the set-up contract ----

# With PGHOST/PGDATABASE/PGSERVICE or DB=conninfo, use that server instead of var/pg.
EXTERNAL_DB = $(strip $(DB)$(PGHOST)$(PGDATABASE)$(PGSERVICE))
BOXOFFICE_ARGS = $(if $(DB),-d '$(DB)')

run:
	@$(MAKE) --no-print-directory deps
	@$(MAKE) --no-print-directory build
ifeq ($(EXTERNAL_DB),)
	@$(MAKE) --no-print-directory db-start
endif
	@./boxoffice $(BOXOFFICE_ARGS) migrate
	@./boxoffice $(BOXOFFICE_ARGS) demo --if-empty >/dev/null
	@BOXOFFICE_STATE=$(VAR) ./boxoffice $(BOXOFFICE_ARGS) $(ARGS)

# The HTTP API on make run's database (see README: The HTTP API).
serve:
	@$(MAKE) --no-print-directory deps
	@$(MAKE) --no-print-directory build
ifeq ($(EXTERNAL_DB),)
	@$(MAKE) --no-print-directory db-start
endif
	@./boxoffice $(BOXOFFICE_ARGS) migrate
	@./boxoffice $(BOXOFFICE_ARGS) demo --if-empty >/dev/null
	@./boxoffice $(BOXOFFICE_ARGS) serve $(ARGS)

db-start:
	@sh src/sh/pg.sh start $(VAR)/pg boxoffice

db-stop:
	@sh src/sh/pg.sh stop $(VAR)/pg

test:
	@$(MAKE) --no-print-directory deps
	@$(MAKE) --no-print-directory build
	@$(MAKE) --no-print-directory test-binaries
	@BOXOFFICE=$(CURDIR)/$(BUILD)/boxoffice sh src/sh/with-testdb.sh sh tests/run.sh $(BUILD)

test-binaries: $(UNIT_TESTS) $(DB_TESTS)

check: test

# Fuzzing (not part of make test): each harness for FUZZ_SECONDS, one line
# "fuzz: NAME EXECS execs CRASHES crashes" each; fails when any crashed.
# FUZZ=name runs one. Crashes go to build-fuzz/crashes/NAME/.
fuzz:
	@sh src/sh/deps.sh fuzz
	@$(MAKE) --no-print-directory FUZZING=1 fuzz-binaries FUZZ_BUILD_NAMES='$(FUZZ)'
	@sh src/sh/fuzz.sh build-fuzz $(FUZZ_SECONDS) $(FUZZ)

FUZZ_BUILD_NAMES ?= $(FUZZ_NAMES)
fuzz-binaries: $(patsubst %,$(BUILD)/fuzz/fuzz_%,$(FUZZ_BUILD_NAMES))

bench:
	@sh src/sh/deps.sh bench
	@$(MAKE) --no-print-directory build $(BENCHES)
	@BOXOFFICE=$(CURDIR)/$(BUILD)/boxoffice PG_THROWAWAY=0 sh src/sh/with-testdb.sh sh bench/run.sh $(BUILD) $(BENCH)

# The binary finds its assets in PREFIX/share/boxoffice beside it. The man
# page and the systemd unit (its ExecStart made to name BINDIR) go where
# man and systemd look, not among the assets.
MANDIR = $(PREFIX)/share/man
UNITDIR = $(PREFIX)/lib/systemd/system
NOT_DATA = assets/boxoffice.1 assets/boxoffice-serve.service assets/recipes

install: boxoffice
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(UNITDIR)
	install -m 755 boxoffice $(DESTDIR)$(BINDIR)/boxoffice
	install -m 644 $(filter-out $(NOT_DATA),$(wildcard assets/*)) $(DESTDIR)$(DATADIR)/
	install -d $(DESTDIR)$(DATADIR)/recipes
	install -m 644 $(wildcard assets/recipes/*.md) $(DESTDIR)$(DATADIR)/recipes/
	install -m 644 assets/boxoffice.1 $(DESTDIR)$(MANDIR)/man1/boxoffice.1
	sed 's|@BINDIR@|$(BINDIR)|g' assets/boxoffice-serve.service > $(DESTDIR)$(UNITDIR)/boxoffice-serve.service.tmp
	chmod 644 $(DESTDIR)$(UNITDIR)/boxoffice-serve.service.tmp
	mv $(DESTDIR)$(UNITDIR)/boxoffice-serve.service.tmp $(DESTDIR)$(UNITDIR)/boxoffice-serve.service

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/boxoffice
	rm -rf $(DESTDIR)$(DATADIR)
	rm -f $(DESTDIR)$(MANDIR)/man1/boxoffice.1 $(DESTDIR)$(UNITDIR)/boxoffice-serve.service

clean:
	rm -rf build build-san build-fuzz boxoffice
