# Manual pages; tests/man_lint.sh lints every man/*.[1-8] in make check.
dist_man_MANS += man/giltrace.7
dist_man_MANS += man/giltrace-analyze.1
# giltrace(1): the front end.
dist_man_MANS += man/giltrace.1
