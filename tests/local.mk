# tests: rules added by the tests work
