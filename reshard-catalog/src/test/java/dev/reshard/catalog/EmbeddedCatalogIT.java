package dev.reshard.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reshard.core.ShardId;
import dev.reshard.core.map.ShardMap;
import dev.reshard.core.strategy.VirtualShardMap;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedCatalogIT {

    @Test
    void embeddedFileCatalog_survivesAReopen(@TempDir Path dir) {
        ShardMap map = ShardMap.initial(VirtualShardMap.roundRobin(1024, List.of(ShardId.of("a"), ShardId.of("b"))));
        try (Catalog catalog = Catalogs.embedded(dir)) {
            catalog.publish(map, 0, "first");
        }
        try (Catalog reopened = Catalogs.embedded(dir)) {
            assertThat(reopened.currentVersion()).isEqualTo(1);
            assertThat(reopened.currentMap().orElseThrow().shardFor(42L)).isEqualTo(map.shardFor(42L));
        }
    }
}
