package dev.reshard.cli.plan;

import dev.reshard.core.InvalidInputException;
import dev.reshard.core.ShardId;
import dev.reshard.core.map.ShardMap;
import dev.reshard.core.map.ShardMaps;
import dev.reshard.core.strategy.VirtualShardMap;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code reshard plan virtual}: the guide's strategy 2, virtual shards assigned round-robin, then
 * rebalanced by the planner ({@code --add}, {@code --remove}) or by explicit moves ({@code --move},
 * the guide's "move virtual shards 800-999 to shard_4").
 */
@Command(
        name = "virtual",
        sortOptions = false,
        description = {
            "Virtual shards (the guide's strategy 2), assigned round-robin to the shards.",
            "--add and --remove use VirtualShardPlanner (fewest moves to even); --move gives the listed"
                    + " virtual shards to a shard, as the guide does, to compare.",
            "Optimum: the new shards' even share (1/(n+1) for one); for --remove, the keys the removed"
                    + " shard held; for --move among existing shards, the moved virtual shards' keys."
        })
final class VirtualPlan implements StrategyPlan {

    /** Virtual shards {@code first..last} to {@code to}, as typed ({@code text}). */
    record Move(int first, int last, ShardId to, String text) {}

    @Spec
    CommandSpec spec;

    @ArgGroup(exclusive = true, multiplicity = "1")
    ShardSelection shards;

    @Option(
            names = "--vshards",
            paramLabel = "V",
            defaultValue = "1024",
            description = "virtual shards; fixed for the life of the data (default: ${DEFAULT-VALUE})")
    int vshards;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Operation operation;

    @Option(
            names = "--from",
            paramLabel = "SHARD",
            converter = Converters.Shard.class,
            description = "with --move: move only the listed virtual shards that are on SHARD")
    ShardId from;

    @Mixin
    PlanOptions options;

    static final class Operation {
        @Option(
                names = "--add",
                paramLabel = "SHARD",
                required = true,
                converter = Converters.Shard.class,
                description = "add SHARD and balance with the fewest moves")
        ShardId add;

        @Option(
                names = "--remove",
                paramLabel = "SHARD",
                required = true,
                converter = Converters.Shard.class,
                description = "drain SHARD evenly onto the others and remove it")
        ShardId remove;

        @Option(
                names = "--move",
                paramLabel = "FIRST-LAST:SHARD",
                required = true,
                split = ",",
                converter = Converters.VirtualMoveSpec.class,
                description = "give virtual shards FIRST..LAST to SHARD (added if new), e.g. 800-999:shard_4")
        List<Move> moves;
    }

    @Override
    public Scenario scenario() {
        List<ShardId> ids = shards.shards();
        int n = ids.size();
        ShardMap before = ShardMap.initial(VirtualShardMap.roundRobin(vshards, ids));
        InvalidInputException.require(
                from == null || operation.moves != null,
                "--from",
                from == null ? "" : from.value(),
                "only applies with --move",
                "leave --from out, or list the virtual shards to move with --move");
        if (operation.add != null) {
            ShardId add = operation.add;
            InvalidInputException.require(
                    !ids.contains(add),
                    "--add",
                    add.value(),
                    "is already a shard of the map " + ids,
                    "choose a new shard id, e.g. " + ShardSelection.unused(ids));
            InvalidInputException.require(
                    vshards >= n + 1,
                    "--vshards",
                    vshards,
                    "is fewer than the " + (n + 1) + " shards after --add " + add + ", so one would own nothing",
                    "use more virtual shards than shards, 16-100x the largest shard count you expect, e.g. 1024");
            return new Scenario(
                    "add " + add + ", balanced by VirtualShardPlanner (fewest moves to even)",
                    before,
                    ShardMaps.balanceVirtualShards(before, ShardSelection.plus(ids, add)),
                    options.hashedKeys(),
                    Optimum.of(1.0 / (n + 1), "1/" + (n + 1) + ", the new shard's even share"));
        }
        if (operation.remove != null) {
            ShardId remove = operation.remove;
            InvalidInputException.require(
                    ids.contains(remove),
                    "--remove",
                    remove.value(),
                    "is not a shard of the map " + ids,
                    "name one of its shards");
            InvalidInputException.require(
                    n > 1,
                    "--remove",
                    remove.value(),
                    "is the only shard of the map",
                    "add another shard before removing this one");
            List<ShardId> rest = new ArrayList<>(ids);
            rest.remove(remove);
            return new Scenario(
                    "remove " + remove + ", drained evenly by VirtualShardPlanner",
                    before,
                    ShardMaps.balanceVirtualShards(before, rest),
                    options.hashedKeys(),
                    Optimum.keysOf(remove));
        }
        return explicitMoves(before, ids);
    }

    private Scenario explicitMoves(ShardMap before, List<ShardId> ids) {
        VirtualShardMap map = (VirtualShardMap) before.strategy();
        InvalidInputException.require(
                from == null || ids.contains(from),
                "--from",
                from == null ? "" : from.value(),
                "is not a shard of the map " + ids,
                "name one of its shards");
        Map<Integer, ShardId> moves = new LinkedHashMap<>();
        for (Move move : operation.moves) {
            InvalidInputException.require(
                    move.last() < vshards,
                    "--move",
                    move.text(),
                    "names virtual shard " + move.last() + ", but there are only " + vshards + " (0 to " + (vshards - 1)
                            + ")",
                    "use virtual shard ids from 0 to " + (vshards - 1));
            for (int v = move.first(); v <= move.last(); v++) {
                if (from != null && !map.ownerOf(v).equals(from)) {
                    continue;
                }
                InvalidInputException.require(
                        moves.put(v, move.to()) == null,
                        "--move",
                        move.text(),
                        "lists virtual shard " + v + " again",
                        "give each virtual shard one target");
            }
        }
        List<String> typed = operation.moves.stream().map(Move::text).toList();
        InvalidInputException.require(
                !moves.isEmpty(),
                "--from",
                from == null ? "" : from.value(),
                "owns none of the virtual shards " + typed,
                "name the shard that owns them, or leave --from out");
        ShardMap after = ShardMaps.moveVirtualShards(before, moves);
        int added = after.shards().size() - ids.size();
        int total = after.shards().size();
        Optimum optimum = added > 0
                ? Optimum.of(
                        (double) added / total,
                        added + "/" + total + ", the new shard" + (added == 1 ? "'s" : "s'")
                                + " even share, which the planner moves")
                : Optimum.of(
                        (double) moves.size() / vshards,
                        moves.size() + "/" + vshards + " of the hash space, the listed virtual shards");
        return new Scenario(
                "move virtual shards " + String.join(", ", typed) + (from == null ? "" : ", those on " + from),
                before,
                after,
                options.hashedKeys(),
                optimum);
    }

    @Override
    public OptionNames optionNames() {
        return OptionNames.of(
                "virtual\\.count", "--vshards",
                "virtual\\.shards.*", shards.option(),
                "moves\\[.*|virtual shard", "--move",
                "target shards.*", "--vshards");
    }

    @Override
    public CommandSpec spec() {
        return spec;
    }

    @Override
    public PlanOptions options() {
        return options;
    }
}
