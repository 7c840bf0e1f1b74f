package dev.reshard.cli.plan;

import dev.reshard.core.InvalidInputException;
import dev.reshard.core.Key;
import dev.reshard.core.ShardId;
import dev.reshard.core.map.ShardMap;
import dev.reshard.core.map.ShardMaps;
import dev.reshard.core.strategy.Directory;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code reshard plan directory}: the guide's strategy 3, move the largest (or the listed) tenants
 * of a directory to a shard.
 */
@Command(
        name = "directory",
        sortOptions = false,
        description = {
            "Directory (the guide's strategy 3): tenants 0..T-1 are listed on the shards; move some.",
            "Each key is a row of a tenant, drawn with Zipf-distributed tenant sizes.",
            "Optimum: the keys of the moved tenants (a directory moves exactly those)."
        })
final class DirectoryPlan implements StrategyPlan {
    static final int MAX_TENANTS = 10_000_000;
    /** The most tenants one plan moves: checked before the tenants are built. */
    static final int MAX_MOVE_TENANTS = 100_000;

    /** How tenants are listed before the move. */
    enum Listing {
        ROUND_ROBIN,
        HASH;

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    @Spec
    CommandSpec spec;

    @ArgGroup(exclusive = true, multiplicity = "1")
    ShardSelection shards;

    @Option(
            names = "--tenants",
            paramLabel = "T",
            defaultValue = "10000",
            description = "tenants in the directory, numbered 0..T-1 (default: ${DEFAULT-VALUE})")
    int tenants;

    @Option(
            names = "--skew",
            paramLabel = "S",
            defaultValue = "1",
            description = "Zipf exponent of tenant sizes; 0 makes all tenants equal (default: ${DEFAULT-VALUE})")
    double skew;

    @Option(
            names = "--listing",
            paramLabel = "L",
            defaultValue = "round-robin",
            converter = Converters.Listings.class,
            description = "where tenants are listed: round-robin (tenant t on shard t mod n) or hash"
                    + " (default: ${DEFAULT-VALUE})")
    Listing listing;

    @Option(
            names = "--placement",
            paramLabel = "P",
            defaultValue = "hash",
            converter = Converters.DirectoryPlacement.class,
            description = "where unlisted tenants go: hash or least-loaded (default: ${DEFAULT-VALUE})")
    Directory.Placement placement;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Selection selection;

    @Option(
            names = "--from",
            paramLabel = "SHARD",
            converter = Converters.Shard.class,
            description = "with --move-tenants: choose the largest tenants of SHARD only")
    ShardId from;

    @Option(
            names = "--to",
            paramLabel = "SHARD",
            required = true,
            converter = Converters.Shard.class,
            description = "where the tenants go (added to the directory if new)")
    ShardId to;

    @Mixin
    PlanOptions options;

    static final class Selection {
        @Option(
                names = "--move-tenants",
                paramLabel = "N",
                required = true,
                description = "move the N largest tenants (by rows) that are not on --to")
        Integer largest;

        @Option(
                names = "--tenant",
                paramLabel = "ID",
                required = true,
                split = ",",
                description = "move tenant ID (repeatable), e.g. --tenant 17 --tenant 42")
        List<Integer> listed;
    }

    @Override
    public Scenario scenario() {
        List<ShardId> ids = shards.shards();
        InvalidInputException.require(
                selection.largest == null || selection.largest <= MAX_MOVE_TENANTS,
                "--move-tenants",
                selection.largest,
                "is more than a plan moves (" + MAX_MOVE_TENANTS + ")",
                "move at most " + MAX_MOVE_TENANTS + " tenants in one plan (a big move is a sequence of small ones)");
        InvalidInputException.require(
                tenants >= 1 && tenants <= MAX_TENANTS,
                "--tenants",
                tenants,
                "is out of range",
                "use 1 to " + MAX_TENANTS + " tenants, e.g. 10000");
        InvalidInputException.require(
                skew >= 0 && Double.isFinite(skew),
                "--skew",
                skew,
                "is not a Zipf exponent",
                "use 0 (equal tenants) or more, e.g. 1");
        InvalidInputException.require(
                from == null || selection.largest != null,
                "--from",
                from == null ? "" : from.value(),
                "only applies with --move-tenants",
                "leave --from out when listing tenants with --tenant");
        TenantKeys keys = TenantKeys.draw(tenants, skew, options.keyType, options.keys, options.seed);
        ShardId[] listedOn = listing(keys, ids);
        Directory.Builder builder = Directory.builder(placement, ids);
        for (int t = 0; t < tenants; t++) {
            builder.tenant(keys.key(t), listedOn[t]);
        }
        ShardMap before = ShardMap.initial(builder.build());
        List<Integer> moving = selection.largest != null ? largest(keys, listedOn, ids) : listed();
        Map<Key, ShardId> moves = new LinkedHashMap<>();
        long rows = 0;
        for (int t : moving) {
            moves.put(keys.key(t), to);
            rows += keys.rows(t);
        }
        String what = selection.largest != null
                ? "the " + moving.size() + " largest tenants" + (from == null ? "" : " of " + from)
                : (moving.size() == 1 ? "tenant " : "tenants ")
                        + moving.stream().map(t -> keys.key(t).toString()).collect(Collectors.joining(", "));
        return new Scenario(
                "move " + what + " to " + to,
                before,
                ShardMaps.moveTenants(before, moves),
                keys,
                Optimum.of(
                        (double) rows / keys.count(),
                        "the moved tenants' " + Format.count(rows) + " keys, and no others"));
    }

    private ShardId[] listing(TenantKeys keys, List<ShardId> ids) {
        ShardId[] on = new ShardId[tenants];
        Directory byHash = listing == Listing.HASH
                ? Directory.builder(Directory.Placement.HASH, ids).build()
                : null;
        for (int t = 0; t < tenants; t++) {
            on[t] = byHash == null ? ids.get(t % ids.size()) : byHash.shardFor(keys.key(t));
        }
        return on;
    }

    private List<Integer> largest(TenantKeys keys, ShardId[] listedOn, List<ShardId> ids) {
        int wanted = selection.largest;
        InvalidInputException.require(
                wanted >= 1, "--move-tenants", wanted, "must be at least 1", "move one tenant or more");
        InvalidInputException.require(
                from == null || ids.contains(from),
                "--from",
                from == null ? "" : from.value(),
                "is not a shard of the directory " + ids,
                "name one of its shards");
        InvalidInputException.require(
                !to.equals(from),
                "--to",
                to.value(),
                "is the shard the tenants are chosen from (--from)",
                "move them to a different shard");
        List<Integer> candidates = IntStream.range(0, tenants)
                .filter(t -> !listedOn[t].equals(to) && (from == null || listedOn[t].equals(from)))
                .boxed()
                .sorted(Comparator.comparingLong((Integer t) -> keys.rows(t))
                        .reversed()
                        .thenComparing(Comparator.naturalOrder()))
                .toList();
        InvalidInputException.require(
                wanted <= candidates.size(),
                "--move-tenants",
                wanted,
                "is more than the " + candidates.size() + " tenants" + (from == null ? "" : " of " + from)
                        + " not already on " + to,
                "move at most " + candidates.size());
        return candidates.subList(0, wanted);
    }

    private List<Integer> listed() {
        List<Integer> out = new ArrayList<>(new LinkedHashSet<>(selection.listed));
        for (int t : out) {
            InvalidInputException.require(
                    t >= 0 && t < tenants,
                    "--tenant",
                    t,
                    "is not a tenant of the directory",
                    "use a tenant number from 0 to " + (tenants - 1) + " (--tenants " + tenants + ")");
        }
        return out;
    }

    @Override
    public OptionNames optionNames() {
        return OptionNames.of(
                "directory\\.shards.*", shards.option(),
                "tenants\\[.*\\]\\.to|directory\\.add\\.shard", "--to",
                "tenants\\[.*", "--tenant");
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
