package dev.reshard.migration.engine;

import dev.reshard.catalog.Catalog;
import dev.reshard.catalog.Checkpoint;
import dev.reshard.core.map.ShardMap;
import java.util.List;
import java.util.Optional;

/** What every part of one migration run shares: the catalog, the shards, the two maps and their pairs. */
record MigrationContext(
        Catalog catalog,
        String migrationId,
        ShardAccess shards,
        ShardMap from,
        ShardMap to,
        List<Pair> pairs,
        MigrationOptions options,
        CrashPoints crash,
        Runnable leaseCheck) {

    /** The stored checkpoint of {@code name} for {@code pair}, or a fresh one. */
    Checkpoint checkpoint(String name, Pair pair) {
        for (Checkpoint cp : catalog.checkpoints(migrationId)) {
            if (cp.table().equals(name)
                    && cp.source().equals(pair.source())
                    && cp.target().equals(pair.target())) {
                return cp;
            }
        }
        return new Checkpoint(
                migrationId, name, pair.source(), pair.target(), Optional.empty(), 0, false, catalog.now());
    }
}
