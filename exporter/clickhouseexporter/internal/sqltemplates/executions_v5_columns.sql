ALTER TABLE {{ident .Database}}.executions
    ADD COLUMN IF NOT EXISTS TraceIds Array(String) CODEC(ZSTD(1)) AFTER Source,
    ADD COLUMN IF NOT EXISTS Truncated Bool DEFAULT false CODEC(ZSTD(1)) AFTER TraceIds,
    -- A retracted version: an execution first filed under a trace id that
    -- a flow span later filed under the API execution it named.
    ADD COLUMN IF NOT EXISTS Deleted Bool DEFAULT false CODEC(ZSTD(1)) AFTER Truncated
