package dev.reshard.cli.plan;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.reshard.core.ShardId;
import dev.reshard.core.map.MoveSet;
import dev.reshard.core.strategy.StrategyKind;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The core's {@link MoveSet} in a line: how many units move, between which shards, and the exact
 * fraction of the hash space when the units are hash arcs or virtual shards. Up to {@link
 * #LISTED} moves are listed one by one ({@code tenant 17: shard_1 -> shard_4}).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record MoveSummary(
        String kind,
        int count,
        Double hashFraction,
        List<Flow> flows,
        List<String> listed,
        String perKeyReason,
        String summary) {

    static final int LISTED = 8;

    /** {@code units} units move from {@code from} to {@code to}. */
    record Flow(String from, String to, int units) {
        @Override
        public String toString() {
            return from + " -> " + to + " (" + units + ")";
        }
    }

    static MoveSummary of(MoveSet moves, List<ShardId> shardOrder) {
        List<MoveSet.Move> all = moves.moves();
        String kind = noun(moves.from().strategy().kind(), 2);
        Map<List<ShardId>, Integer> pairs = new LinkedHashMap<>();
        for (MoveSet.Move m : all) {
            pairs.merge(List.of(m.from(), m.to()), 1, Integer::sum);
        }
        Comparator<List<ShardId>> order = Comparator.comparingInt((List<ShardId> p) -> shardOrder.indexOf(p.get(0)))
                .thenComparingInt(p -> shardOrder.indexOf(p.get(1)));
        List<Flow> flows = pairs.entrySet().stream()
                .sorted(Map.Entry.comparingByKey(order))
                .map(e -> new Flow(e.getKey().get(0).value(), e.getKey().get(1).value(), e.getValue()))
                .toList();
        List<String> listed = new ArrayList<>();
        if (all.size() <= LISTED) {
            all.forEach(m -> listed.add(m.unit() + ": " + m.from() + " -> " + m.to()));
        }
        Double hash = moves.hashFraction().isPresent() ? moves.hashFraction().getAsDouble() : null;
        String perKey = moves.perKey() ? moves.perKeyReason() : null;

        StringBuilder line = new StringBuilder();
        if (all.isEmpty()) {
            line.append("no ").append(kind).append(" move");
        } else {
            line.append(all.size())
                    .append(' ')
                    .append(noun(moves.from().strategy().kind(), all.size()))
                    .append(all.size() == 1 ? " moves: " : " move: ")
                    .append(
                            listed.isEmpty()
                                    ? flows.stream().map(Flow::toString).collect(Collectors.joining(", "))
                                    : String.join(", ", listed));
        }
        if (hash != null) {
            line.append("; exact hash fraction ").append(Format.percent(hash));
        }
        return new MoveSummary(kind, all.size(), hash, flows, listed, perKey, line.toString());
    }

    private static String noun(StrategyKind strategy, int count) {
        String one = switch (strategy) {
            case RING -> "hash arc";
            case VIRTUAL -> "virtual shard";
            case DIRECTORY -> "tenant";
            case RANGE -> "key range";
        };
        return count == 1 ? one : one + "s";
    }
}
