# try-run, as patched by kernel-comm-labs (vm/kernel.sh): with
# KCL_TRY_RUN_CACHE=FILE, the outcome of each test command is kept in FILE
# ("y COMMAND" or "n COMMAND" lines) and read from there next time, so a
# module build runs the compiler for the module only, not for every test.
# One grep a test: the lines are long (the compiler flags so far), and sh's
# read takes a file one byte at a time (a Kbuild run that does nothing took
# 1.6 s, mostly reading this file).
try-run = $(shell set -e;						\
	cache='$(KCL_TRY_RUN_CACHE)';					\
	key='$(subst ','\'',$(1))';					\
	ok=;								\
	if [ -n "$$cache" ] && [ -f "$$cache" ]; then			\
		line=$$(grep -m 1 -xF -e "y $$key" -e "n $$key"		\
			"$$cache" || :);				\
		ok=$${line%% *};					\
	fi;								\
	if [ -z "$$ok" ]; then						\
		TMP=$(TMPOUT)/tmp;					\
		trap "rm -rf $(TMPOUT)" EXIT;				\
		mkdir -p $(TMPOUT);					\
		if ($(1)) >/dev/null 2>&1; then ok=y; else ok=n; fi;	\
		[ -z "$$cache" ] ||					\
			printf '%s %s\n' "$$ok" "$$key" >>"$$cache";	\
	fi;								\
	if [ "$$ok" = y ]; then echo "$(2)"; else echo "$(3)"; fi)
