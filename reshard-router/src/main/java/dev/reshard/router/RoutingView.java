package dev.reshard.router;

import dev.reshard.catalog.RoutingState;
import dev.reshard.core.Key;
import dev.reshard.core.ShardId;
import dev.reshard.core.map.MoveSet;
import dev.reshard.core.map.ShardMap;
import dev.reshard.core.map.ShardMaps;
import dev.reshard.core.migration.Phase;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * One routing epoch as a router applies it: the stable map, and during a migration the target map
 * and the phase. Immutable; a router swaps the whole view atomically when the epoch changes.
 */
final class RoutingView {
    final RoutingState state;
    final ShardMap from;
    final Optional<ShardMap> to;
    /** For each source shard, the shards its moving keys go to. Empty when nothing moves. */
    private final Map<ShardId, Set<ShardId>> targetsBySource;
    /** Writes running under this view; a router reports a newer epoch only once it is zero. */
    private final AtomicInteger inFlight = new AtomicInteger();

    RoutingView(RoutingState state, ShardMap from, Optional<ShardMap> to) {
        this.state = state;
        this.from = from;
        this.to = to;
        Map<ShardId, Set<ShardId>> targets = new HashMap<>();
        if (to.isPresent() && from.version() != to.get().version()) {
            MoveSet moves = ShardMaps.diff(from, to.get());
            if (moves.perKey()) {
                for (ShardId source : from.shards()) {
                    Set<ShardId> all = new LinkedHashSet<>(to.get().shards());
                    all.remove(source);
                    targets.put(source, all);
                }
            }
            for (MoveSet.Move m : moves.moves()) {
                targets.computeIfAbsent(m.from(), k -> new LinkedHashSet<>()).add(m.to());
            }
        }
        this.targetsBySource = targets;
    }

    /**
     * True when writes on {@code primary} must have their changed rows inspected and mirrored:
     * the phase mirrors and some keys move away from (or, after cutover, into) this shard.
     */
    boolean mirrors(ShardId primary) {
        Phase phase = state.phase().orElse(null);
        return phase != null && phase.mirror() != Phase.Mirror.NONE && targetsBySource.containsKey(primary);
    }

    /** The shards that keys moving away from {@code source} go to. */
    Set<ShardId> targetsOf(ShardId source) {
        return targetsBySource.getOrDefault(source, Set.of());
    }

    long epoch() {
        return state.epoch();
    }

    void enter() {
        inFlight.incrementAndGet();
    }

    void exit() {
        inFlight.decrementAndGet();
    }

    /**
     * Waits until no write runs under this view any more (it was replaced, so none starts), or
     * {@code timeoutNanos} passed; true when none runs.
     */
    boolean awaitQuiescent(long timeoutNanos) {
        long start = System.nanoTime();
        while (inFlight.get() > 0) {
            if (System.nanoTime() - start > timeoutNanos) {
                return false;
            }
            LockSupport.parkNanos(50_000);
        }
        return true;
    }

    /** Where a read or write of {@code key} goes in this epoch. */
    Route route(Key key) {
        ShardId old = from.shardFor(key);
        if (to.isEmpty()) {
            return new Route(old, old, Optional.empty(), Phase.Mirror.NONE);
        }
        ShardId next = to.get().shardFor(key);
        Phase phase = state.phase().orElseThrow();
        if (old.equals(next)) {
            return new Route(old, old, Optional.empty(), Phase.Mirror.NONE);
        }
        ShardId read = phase.reads() == Phase.Side.OLD ? old : next;
        ShardId primary = phase.primary() == Phase.Side.OLD ? old : next;
        ShardId other = primary.equals(old) ? next : old;
        return new Route(
                read,
                primary,
                phase.mirror() == Phase.Mirror.NONE ? Optional.empty() : Optional.of(other),
                phase.mirror());
    }

    /** Where one key's reads and writes go. */
    record Route(ShardId read, ShardId primary, Optional<ShardId> mirror, Phase.Mirror mode) {}

    @Override
    public String toString() {
        return state.toString();
    }
}
