-- Parts up to 256 MiB keep every column in one file (compact), as spans'
-- do since schema 14: an insert or merge into these tables creates about a
-- dozen files per part instead of two per column and index, and creating
-- files (ext4's inode allocation) was about a seventh of the engine's CPU
-- under the bench-compare load. Measured there (8 runs each), the engine's
-- CPU per span fell by about 8% while the load runs, 11% with its merges
-- (6% with its merges when no database was dropped just before).
ALTER TABLE {{ident .Database}}.{{ident .Table}} MODIFY SETTING min_bytes_for_wide_part = 268435456
