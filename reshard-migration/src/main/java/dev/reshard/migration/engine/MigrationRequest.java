package dev.reshard.migration.engine;

import java.util.List;

/**
 * A migration to start: its id, the map version routers use now, the published target map
 * version, and the sharded tables that move (together: they share the shard key's values).
 */
public record MigrationRequest(String id, long fromVersion, long toVersion, List<MigratedTable> tables) {
    public MigrationRequest {
        tables = List.copyOf(tables);
    }
}
