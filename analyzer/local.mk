# analyzer: rules added by the analyzer work
