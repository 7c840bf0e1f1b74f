-- Routing epochs: every change of what routers must do (a new stable map, a migration phase) is a
-- new epoch; routers apply the highest one and report it; shards fence on it.
CREATE TABLE reshard_routing (
    epoch          BIGINT       PRIMARY KEY,
    map_version    BIGINT       NOT NULL,
    target_version BIGINT,
    migration_id   VARCHAR(100),
    phase          VARCHAR(32),
    published_at   TIMESTAMPTZ  NOT NULL
);
