"""Run: how a batch goes — input expansion (folders, globs, @lists, zips), the
process pool or Dask executors, the content-hash cache, the result spool,
progress, and the DVC stage helpers. The one path every caller uses."""
