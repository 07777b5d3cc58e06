# testlists.mk: the .ovp files that are tests and stdlib modules, found
# with GNU make's wildcard so a new file needs no Makefile.am edit.
in_tree = $(patsubst $(top_srcdir)/%,%,$(sort $(wildcard $(top_srcdir)/$(1))))
golden_tests = $(call in_tree,tests/scripts/*.ovp)
error_tests = $(call in_tree,tests/errors/*.ovp)
example_tests = $(call in_tree,examples/*.ovp)
stdlib_files = $(call in_tree,stdlib/*.ovp)
