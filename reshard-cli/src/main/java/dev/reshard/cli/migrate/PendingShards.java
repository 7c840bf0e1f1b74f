package dev.reshard.cli.migrate;

import dev.reshard.catalog.Catalog;
import dev.reshard.catalog.ShardConfig;
import dev.reshard.core.ShardId;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/*
 * Design notes
 *
 * A start refused by pre-flight must leave the catalog as it was, yet pre-flight reads the shards
 * (their capacity, that they are known) from the catalog. So the config's new shards are not
 * written up front: this view of the catalog answers shards() and shard(id) with them added, and
 * writes them for real just before the first call that writes anything (any method not listed as
 * a read: a method added to Catalog later counts as a write, which is the safe side).
 */
/** A catalog view holding the config's new shards back until the first write. */
final class PendingShards implements InvocationHandler {
    private static final Set<String> READS = Set.of(
            "shards",
            "shard",
            "currentVersion",
            "currentMap",
            "map",
            "currentRouting",
            "migration",
            "migrations",
            "checkpoints",
            "routers",
            "statsHistory",
            "now",
            "close",
            "toString",
            "hashCode",
            "equals");

    private final Catalog catalog;
    private final List<ShardConfig> pending;

    private PendingShards(Catalog catalog, List<ShardConfig> pending) {
        this.catalog = catalog;
        this.pending = new ArrayList<>(pending);
    }

    /** {@code catalog}, with {@code pending} (shards it does not hold) added at its first write. */
    static Catalog wrap(Catalog catalog, List<ShardConfig> pending) {
        if (pending.isEmpty()) {
            return catalog;
        }
        return (Catalog) Proxy.newProxyInstance(
                Catalog.class.getClassLoader(), new Class<?>[] {Catalog.class}, new PendingShards(catalog, pending));
    }

    @Override
    public synchronized Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        String name = method.getName();
        if (!pending.isEmpty()) {
            if (name.equals("shards") && method.getParameterCount() == 0) {
                List<ShardConfig> all = new ArrayList<>(catalog.shards());
                all.addAll(pending);
                return List.copyOf(all);
            }
            if (name.equals("shard") && method.getParameterCount() == 1 && args[0] instanceof ShardId id) {
                Optional<ShardConfig> known = catalog.shard(id);
                return known.isPresent()
                        ? known
                        : pending.stream().filter(s -> s.id().equals(id)).findFirst();
            }
            if (!READS.contains(name)) {
                pending.forEach(catalog::addShard);
                pending.clear();
            }
        }
        try {
            return method.invoke(catalog, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
