-- Reshard catalog, schema version 1 (H2).
CREATE TABLE reshard_shards (
    id             VARCHAR(63) PRIMARY KEY,
    jdbc_url       VARCHAR(4000)        NOT NULL,
    username       VARCHAR(4000),
    password_ref   VARCHAR(4000),
    capacity_bytes BIGINT      NOT NULL,
    created_at     TIMESTAMP WITH TIME ZONE NOT NULL
);

CREATE TABLE reshard_maps (
    version      BIGINT      PRIMARY KEY,
    strategy     VARCHAR(16) NOT NULL,
    body         CHARACTER LARGE OBJECT        NOT NULL,
    published_at TIMESTAMP WITH TIME ZONE NOT NULL,
    note         VARCHAR(4000)
);

CREATE TABLE reshard_directory (
    tenant     VARCHAR(300) NOT NULL,
    shard_id   VARCHAR(63)  NOT NULL,
    valid_from BIGINT       NOT NULL,
    valid_to   BIGINT       DEFAULT 9223372036854775807 NOT NULL,
    PRIMARY KEY (tenant, valid_from),
    -- at most one open (valid_to = max) row per tenant
    CONSTRAINT reshard_directory_one_open UNIQUE (tenant, valid_to)
);
CREATE INDEX reshard_directory_by_version ON reshard_directory (valid_from, valid_to);

CREATE TABLE reshard_migrations (
    id               VARCHAR(100) PRIMARY KEY,
    from_version     BIGINT       NOT NULL,
    to_version       BIGINT       NOT NULL,
    phase            VARCHAR(32)  NOT NULL,
    owner            VARCHAR(200),
    lease_expires_at TIMESTAMP WITH TIME ZONE,
    created_at       TIMESTAMP WITH TIME ZONE  NOT NULL,
    updated_at       TIMESTAMP WITH TIME ZONE  NOT NULL,
    report           CHARACTER LARGE OBJECT,
    error            VARCHAR(4000)
);

CREATE TABLE reshard_checkpoints (
    migration_id VARCHAR(100) NOT NULL REFERENCES reshard_migrations (id) ON DELETE CASCADE,
    table_name   VARCHAR(200) NOT NULL,
    source_shard VARCHAR(63)  NOT NULL,
    target_shard VARCHAR(63)  NOT NULL,
    cursor_json  VARCHAR(4000),
    rows_copied  BIGINT       NOT NULL,
    done         BOOLEAN      NOT NULL,
    updated_at   TIMESTAMP WITH TIME ZONE  NOT NULL,
    PRIMARY KEY (migration_id, table_name, source_shard, target_shard)
);

CREATE TABLE reshard_routers (
    id               VARCHAR(200) PRIMARY KEY,
    host             VARCHAR(200),
    applied_version  BIGINT       NOT NULL,
    lease_expires_at TIMESTAMP WITH TIME ZONE  NOT NULL,
    started_at       TIMESTAMP WITH TIME ZONE  NOT NULL,
    heartbeat_at     TIMESTAMP WITH TIME ZONE  NOT NULL
);

CREATE TABLE reshard_stats (
    shard_id   VARCHAR(63) NOT NULL,
    taken_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    size_bytes BIGINT      NOT NULL,
    row_count  BIGINT      NOT NULL,
    reads      BIGINT      NOT NULL,
    writes     BIGINT      NOT NULL,
    errors     BIGINT      NOT NULL,
    PRIMARY KEY (shard_id, taken_at)
);
