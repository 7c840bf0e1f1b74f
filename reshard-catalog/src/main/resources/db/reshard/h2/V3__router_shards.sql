-- What each router can reach: how it gets its shards' connection settings ('catalog': it opens
-- pools from reshard_shards; 'fixed': the application gave it DataSources), the newest published
-- map version it has seen, and per shard of its current and target maps whether it has settings
-- and whether its last connection attempt succeeded (no secrets). Existing rows keep NULLs until
-- their router's next heartbeat.
ALTER TABLE reshard_routers ADD COLUMN shard_source VARCHAR(16);
ALTER TABLE reshard_routers ADD COLUMN known_map_version BIGINT;
ALTER TABLE reshard_routers ADD COLUMN shards VARCHAR(1000000);
