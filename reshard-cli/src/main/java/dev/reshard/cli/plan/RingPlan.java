package dev.reshard.cli.plan;

import dev.reshard.core.InvalidInputException;
import dev.reshard.core.ShardId;
import dev.reshard.core.map.ShardMap;
import dev.reshard.core.map.ShardMaps;
import dev.reshard.core.strategy.ConsistentHashRing;
import dev.reshard.core.strategy.ConsistentHashRing.Placement;
import java.util.List;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code reshard plan ring}: the guide's strategy 1, add (or remove) a consistent-hash ring shard. */
@Command(
        name = "ring",
        sortOptions = false,
        description = {
            "Consistent-hash ring (the guide's strategy 1): add or remove a shard.",
            "Optimum: the new shard's share, weight/(n+weight), all other shards weighing 1;"
                    + " for --remove, the keys the removed shard held."
        })
final class RingPlan implements StrategyPlan {

    @Spec
    CommandSpec spec;

    /** The most points (shards, one added, times vnodes) a plan builds: checked before building. */
    static final long MAX_POINTS = 1 << 20;

    @ArgGroup(exclusive = true, multiplicity = "1")
    ShardSelection shards;

    @Option(
            names = "--vnodes",
            paramLabel = "N",
            defaultValue = "256",
            description = "points per shard of weight 1 (default: ${DEFAULT-VALUE})")
    int vnodes;

    @Option(
            names = "--placement",
            paramLabel = "P",
            defaultValue = "balanced",
            converter = Converters.RingPlacement.class,
            description = "how points are placed: balanced or random (default: ${DEFAULT-VALUE})")
    Placement placement;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Operation operation;

    @Option(
            names = "--weight",
            paramLabel = "W",
            description = "weight of the added shard, e.g. 2 for twice the capacity (default: 1)")
    Double weight;

    @Mixin
    PlanOptions options;

    static final class Operation {
        @Option(
                names = "--add",
                paramLabel = "SHARD",
                required = true,
                converter = Converters.Shard.class,
                description = "the shard to add")
        ShardId add;

        @Option(
                names = "--remove",
                paramLabel = "SHARD",
                required = true,
                converter = Converters.Shard.class,
                description = "the shard to remove")
        ShardId remove;
    }

    @Override
    public Scenario scenario() {
        List<ShardId> ids = shards.shards();
        long points = (long) (ids.size() + 1) * Math.max(1, vnodes);
        InvalidInputException.require(
                points <= MAX_POINTS,
                shards.option(),
                ids.size(),
                "with --vnodes " + vnodes + " makes a ring of " + points + " points, more than a plan builds ("
                        + MAX_POINTS + ")",
                "plan with fewer shards or fewer --vnodes (shards x vnodes at most " + MAX_POINTS + ")");
        ConsistentHashRing.Builder builder =
                ConsistentHashRing.builder().vnodes(vnodes).placement(placement);
        ids.forEach(builder::shard);
        ShardMap before = ShardMap.initial(builder.build());
        if (operation.add != null) {
            double w = weight == null ? 1.0 : weight;
            ShardMap after = ShardMaps.addRingShard(before, operation.add, w);
            int n = ids.size();
            String share = weight == null
                    ? "1/" + (n + 1) + ", the new shard's share"
                    : Format.decimal(w) + "/(" + n + "+" + Format.decimal(w) + "), the new shard's weighted share";
            return new Scenario(
                    "add " + operation.add + (weight == null ? "" : " with weight " + Format.decimal(w)),
                    before,
                    after,
                    options.hashedKeys(),
                    Optimum.of(w / (n + w), share));
        }
        InvalidInputException.require(
                weight == null,
                "--weight",
                weight,
                "only applies to --add",
                "leave --weight out when removing a shard");
        return new Scenario(
                "remove " + operation.remove,
                before,
                ShardMaps.removeRingShard(before, operation.remove),
                options.hashedKeys(),
                Optimum.keysOf(operation.remove));
    }

    @Override
    public OptionNames optionNames() {
        return OptionNames.of(
                "ring\\.add\\.shard", "--add",
                "ring\\.add\\.weight|ring\\.weight", "--weight",
                "ring\\.remove\\.shard", "--remove",
                "ring\\.vnodes", "--vnodes",
                "ring\\.shards.*", shards.option());
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
