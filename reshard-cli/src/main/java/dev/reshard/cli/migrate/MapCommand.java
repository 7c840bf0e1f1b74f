package dev.reshard.cli.migrate;

import com.fasterxml.jackson.databind.JsonNode;
import dev.reshard.catalog.Catalog;
import dev.reshard.catalog.RoutingState;
import dev.reshard.catalog.ShardConfig;
import dev.reshard.catalog.ShardMapCodec;
import dev.reshard.cli.ReshardCommand;
import dev.reshard.core.InvalidInputException;
import dev.reshard.core.Key;
import dev.reshard.core.ShardId;
import dev.reshard.core.map.MoveSet;
import dev.reshard.core.map.ShardMap;
import dev.reshard.core.map.ShardMaps;
import dev.reshard.core.strategy.ConsistentHashRing;
import dev.reshard.core.strategy.Directory;
import dev.reshard.core.strategy.RangeMap;
import dev.reshard.core.strategy.Strategy;
import dev.reshard.core.strategy.StrategyKind;
import dev.reshard.core.strategy.VirtualShardMap;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/*
 * Design notes
 *
 * Publishing a map must not move a router by itself: routers with no routing state follow the
 * newest map, so a map published before they are pinned would send reads and writes to shards the
 * data has not reached. So every command that publishes first pins the routers, when no routing
 * state exists yet, to the map they follow now (the current one), then publishes the next version
 * with compare-and-set on the version it read: a concurrent publisher makes it fail, never
 * overwrite. Only `reshard migrate start` moves routers, phase by phase.
 *
 * Every shard a new map names must be registered (reshard shards add) first, so a router that
 * learns shards from the catalog can open it, and the migration's pre-flight can check it.
 */
/** {@code reshard map}: show, compare and change the catalog's shard maps. */
@Command(
        name = "map",
        description = {
            "Show and compare the catalog's shard maps, and publish the next version with the guide's operations.",
            "Publishing pins routers to the map they use and moves no data: `reshard migrate start` does."
        },
        subcommands = {
            MapCommand.Show.class,
            MapCommand.Diff.class,
            MapCommand.Init.class,
            MapCommand.AddShard.class,
            MapCommand.MoveVshards.class,
            MapCommand.MoveTenants.class,
            MapCommand.SplitRange.class,
            MapCommand.Publish.class,
            MapPlan.class
        })
public final class MapCommand implements Runnable {
    /** Most virtual shards, ring points or tenants a map built from flags may have. */
    static final int MAX_UNITS = VirtualShardMap.MAX_VIRTUAL_SHARDS;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(
                spec.commandLine(),
                "missing subcommand; use one of " + spec.subcommands().keySet() + ", e.g. reshard map show");
    }

    /** The options every publishing subcommand takes. */
    static final class Publishing {
        @Option(names = "--dry-run", description = "show what the new version would move; write nothing")
        boolean dryRun;

        @Option(names = "--note", paramLabel = "TEXT", description = "a note stored with the new version")
        String note;

        @Mixin
        ConfigOption config;
    }

    /** Reads the config and opens its catalog (which must exist), for {@code work}. */
    static int withCatalog(CommandSpec spec, ConfigOption config, CatalogWork work) {
        MigrateConfig cfg = config.read(spec);
        PrintWriter out = spec.commandLine().getOut();
        try (Orchestrator o = Orchestrator.administering(cfg, false, false)) {
            int exit = work.run(o.catalog(), out);
            out.flush();
            return exit;
        }
    }

    interface CatalogWork {
        int run(Catalog catalog, PrintWriter out);
    }

    static ShardMap current(Catalog catalog) {
        return catalog.currentMap()
                .orElseThrow(() -> InvalidInputException.of(
                        "map",
                        "(none)",
                        "no shard map is published in this catalog",
                        "publish the first one with `reshard map init`"));
    }

    /**
     * Prints what {@code next} moves against {@code base} (null for a first map), then, unless a
     * dry run, pins routers if nothing pins them yet and publishes {@code next} with
     * compare-and-set on {@code base}'s version.
     */
    static int publish(Catalog catalog, PrintWriter out, ShardMap base, ShardMap next, Publishing how, String what) {
        requireRegistered(catalog, next);
        if (base == null) {
            MapView.show(next, Optional.empty()).stream()
                    .filter(l -> !l.startsWith("routers:"))
                    .forEach(out::println);
        } else {
            MapView.diff(ShardMaps.diff(base, next)).forEach(out::println);
        }
        if (how.dryRun) {
            out.println("dry run: nothing written");
            return ReshardCommand.OK;
        }
        long expected = base == null ? 0 : base.version();
        Optional<RoutingState> routing = catalog.currentRouting();
        String note = how.note != null ? how.note : "reshard map " + what;
        if (base == null) {
            catalog.publish(next, 0, note);
            if (routing.isEmpty()) {
                catalog.publishRouting(RoutingState.stable(1, next.version()));
            }
            out.println("published map v" + next.version() + "; routers use it (routing epoch 1)");
            return ReshardCommand.OK;
        }
        if (routing.isEmpty()) {
            catalog.publishRouting(RoutingState.stable(1, base.version()));
            out.println("pinned routers to map v" + base.version() + " (routing epoch 1) before publishing");
            routing = catalog.currentRouting();
        }
        catalog.publish(next, expected, note);
        RoutingState r = routing.orElseThrow();
        out.println("published map v" + next.version() + "; " + MapView.routing(r) + ", so nothing moved yet");
        if (!r.isMigrating()) {
            out.println("move the data and the routers with: reshard migrate start --id <ID> --from " + r.mapVersion()
                    + " --to " + next.version());
        }
        return ReshardCommand.OK;
    }

    private static void requireRegistered(Catalog catalog, ShardMap next) {
        List<InvalidInputException> missing = new ArrayList<>();
        List<ShardId> known = catalog.shards().stream().map(ShardConfig::id).toList();
        for (ShardId shard : next.strategy().shards()) {
            if (!known.contains(shard)) {
                missing.add(InvalidInputException.of(
                        "shard",
                        shard.value(),
                        "is not registered in the catalog",
                        "add it under shards: in the config and run `reshard shards add " + shard + "`"));
            }
        }
        if (!missing.isEmpty()) {
            throw new ConfigException("map v" + next.version(), missing);
        }
    }

    static List<ShardId> shardIds(String field, List<String> ids) {
        InvalidInputException.require(
                ids != null && !ids.isEmpty(), field, "(none)", "is empty", "name at least one shard, e.g. shard_0");
        return ids.stream().map(ShardId::of).toList();
    }

    @Command(name = "show", description = "Show a map version (default: the newest) and what routers use.")
    static final class Show implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", arity = "0..1", paramLabel = "VERSION", description = "a published version")
        Long version;

        @Option(
                names = "--json",
                description = "print JSON, with the map's stored body (the form `reshard map publish` reads)")
        boolean json;

        @Mixin
        ConfigOption config;

        @Override
        public Integer call() {
            return withCatalog(spec, config, (catalog, out) -> {
                ShardMap map = version == null ? current(catalog) : catalog.map(version);
                if (json) {
                    out.print(StatusView.write(MapView.json(map, catalog.currentRouting())));
                } else {
                    MapView.show(map, catalog.currentRouting()).forEach(out::println);
                }
                return ReshardCommand.OK;
            });
        }
    }

    @Command(name = "diff", description = "What moves, per shard, from map version A to a later version B.")
    static final class Diff implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "A", description = "the map routers use, e.g. 1")
        long from;

        @Parameters(index = "1", paramLabel = "B", description = "a later version, e.g. 2")
        long to;

        @Option(names = "--json", description = "print JSON instead of text")
        boolean json;

        @Mixin
        ConfigOption config;

        @Override
        public Integer call() {
            return withCatalog(spec, config, (catalog, out) -> {
                MoveSet moves = ShardMaps.diff(catalog.map(from), catalog.map(to));
                if (json) {
                    out.print(StatusView.write(MapView.json(moves)));
                } else {
                    MapView.diff(moves).forEach(out::println);
                }
                return ReshardCommand.OK;
            });
        }
    }

    @Command(
            name = "init",
            description = {
                "Publish the first map of a catalog and pin routers to it.",
                "Its shards must be registered first: `reshard shards add`."
            })
    static final class Init implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(
                names = "--strategy",
                required = true,
                paramLabel = "KIND",
                description = "virtual, ring, directory or range")
        String strategy;

        @Option(
                names = "--shards",
                split = ",",
                paramLabel = "ID",
                description = "the shards, in order (virtual, ring, directory)")
        List<String> shards = new ArrayList<>();

        @Option(
                names = "--virtual-shards",
                paramLabel = "N",
                defaultValue = "1024",
                description = "virtual shards, dealt round-robin (default ${DEFAULT-VALUE}; fixed for the map's life)")
        int virtualShards;

        @Option(
                names = "--vnodes",
                paramLabel = "N",
                defaultValue = "" + ConsistentHashRing.DEFAULT_VNODES,
                description = "ring points per shard of weight 1 (default ${DEFAULT-VALUE})")
        int vnodes;

        @Option(
                names = "--placement",
                paramLabel = "RULE",
                defaultValue = "hash",
                description =
                        "where a directory puts an unlisted tenant: hash or least-loaded (default ${DEFAULT-VALUE})")
        String placement;

        @Option(
                names = "--ranges",
                split = ",",
                paramLabel = "START..END=ID",
                description = "a range map's ranges in order, the last one open: 0..1000000=shard_0,1000000..=shard_1")
        List<String> ranges = new ArrayList<>();

        @Mixin
        Publishing how;

        @Override
        public Integer call() {
            StrategyKind kind = StrategyKind.parse("--strategy", strategy);
            Strategy built = switch (kind) {
                case VIRTUAL -> {
                    InvalidInputException.require(
                            virtualShards >= 1 && virtualShards <= MAX_UNITS,
                            "--virtual-shards",
                            virtualShards,
                            "is out of range",
                            "use 1 to " + MAX_UNITS + "; a few hundred per shard you expect to have at most");
                    yield VirtualShardMap.roundRobin(virtualShards, shardIds("--shards", shards));
                }
                case RING -> {
                    ConsistentHashRing.Builder b = ConsistentHashRing.builder().vnodes(vnodes);
                    shardIds("--shards", shards).forEach(b::shard);
                    yield b.build();
                }
                case DIRECTORY ->
                    Directory.builder(Directory.Placement.parse("--placement", placement), shardIds("--shards", shards))
                            .build();
                case RANGE -> RangeMap.of(ranges(ranges));
            };
            return withCatalog(spec, how.config, (catalog, out) -> {
                long current = catalog.currentVersion();
                InvalidInputException.require(
                        current == 0,
                        "map",
                        "v" + current,
                        "is already published: init publishes only a catalog's first map",
                        "change the map with `reshard map add-shard`, move-vshards, move-tenants, split-range or"
                                + " publish");
                return publish(catalog, out, null, ShardMap.initial(built), how, "init");
            });
        }

        static List<RangeMap.Range> ranges(List<String> specs) {
            InvalidInputException.require(
                    !specs.isEmpty(), "--ranges", "(none)", "is required for a range map", "e.g. 0..=shard_0");
            List<RangeMap.Range> out = new ArrayList<>();
            for (int i = 0; i < specs.size(); i++) {
                String spec = specs.get(i).trim();
                String field = "--ranges[" + i + "]";
                int eq = spec.lastIndexOf('=');
                int dots = spec.indexOf("..");
                if (eq < 0 || dots < 0 || dots > eq) {
                    throw InvalidInputException.of(
                            field, spec, "is not START..END=SHARD", "e.g. 0..1000000=shard_0, or 1000000..=shard_1");
                }
                long start = number(field + ".start", spec.substring(0, dots));
                String end = spec.substring(dots + 2, eq).trim();
                ShardId shard = ShardId.of(spec.substring(eq + 1).trim());
                out.add(
                        end.isEmpty()
                                ? RangeMap.Range.open(start, shard)
                                : RangeMap.Range.of(start, number(field + ".end", end), shard));
            }
            return out;
        }
    }

    static long number(String field, String text) {
        try {
            return Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            throw InvalidInputException.of(
                    field, text, "is not a whole number", "use a decimal key, e.g. 1000000 (or -5)");
        }
    }

    @Command(
            name = "add-shard",
            description = {
                "Publish the next map with a registered shard added: a ring gets its points (--weight), virtual"
                        + " shards are rebalanced onto it with the fewest moves, a directory places new tenants on"
                        + " it. A range map adds a shard with split-range."
            })
    static final class AddShard implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(
                index = "0",
                paramLabel = "ID",
                description = "the shard to add (registered with `reshard shards add`)")
        String id;

        @Option(
                names = "--weight",
                paramLabel = "W",
                defaultValue = "1.0",
                description = "ring only: its share relative to a shard of weight 1")
        double weight;

        @Mixin
        Publishing how;

        @Override
        public Integer call() {
            ShardId shard = ShardId.of(id);
            return withCatalog(spec, how.config, (catalog, out) -> {
                ShardMap base = current(catalog);
                InvalidInputException.require(
                        !base.strategy().shards().contains(shard),
                        "shard",
                        id,
                        "is already in map v" + base.version(),
                        "move units onto it with move-vshards or move-tenants instead");
                ShardMap next = switch (base.strategy().kind()) {
                    case RING -> ShardMaps.addRingShard(base, shard, weight);
                    case VIRTUAL -> {
                        List<ShardId> all = new ArrayList<>(base.strategy().shards());
                        all.add(shard);
                        yield ShardMaps.balanceVirtualShards(base, all);
                    }
                    case DIRECTORY -> base.next(((Directory) base.strategy()).withShard(shard));
                    case RANGE ->
                        throw InvalidInputException.of(
                                "shard",
                                id,
                                "cannot join a range map by itself",
                                "give it a range: `reshard map split-range AT --to " + id + "`");
                };
                return publish(catalog, out, base, next, how, "add-shard " + id);
            });
        }
    }

    @Command(
            name = "move-vshards",
            description = "Publish the next map with the given virtual shards (ids or ranges like 10-19) on --to.")
    static final class MoveVshards implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(arity = "1..*", paramLabel = "VSHARD", description = "virtual shard ids, or FIRST-LAST")
        List<String> vshards;

        @Option(names = "--to", required = true, paramLabel = "ID", description = "the shard that takes them")
        String to;

        @Mixin
        Publishing how;

        @Override
        public Integer call() {
            ShardId target = ShardId.of(to);
            return withCatalog(spec, how.config, (catalog, out) -> {
                ShardMap base = current(catalog);
                if (!(base.strategy() instanceof VirtualShardMap vmap)) {
                    ShardMaps.moveVirtualShards(base, Map.of()); // refuses, naming the map's strategy
                    throw new IllegalStateException(
                            "moveVirtualShards accepted a " + base.strategy().kind() + " map");
                }
                int count = vmap.virtualShardCount();
                Map<Integer, ShardId> moves = new LinkedHashMap<>();
                for (String spec : vshards) {
                    int dash = spec.indexOf('-', 1);
                    long first = number("VSHARD", dash < 0 ? spec : spec.substring(0, dash));
                    long last = dash < 0 ? first : number("VSHARD", spec.substring(dash + 1));
                    InvalidInputException.require(
                            first >= 0 && first <= last && last < count,
                            "VSHARD",
                            spec,
                            "is not a virtual shard of map v" + base.version(),
                            "use ids from 0 to " + (count - 1) + ", or FIRST-LAST with FIRST <= LAST");
                    for (long v = first; v <= last; v++) {
                        moves.put((int) v, target);
                    }
                }
                return publish(
                        catalog,
                        out,
                        base,
                        ShardMaps.moveVirtualShards(base, moves),
                        how,
                        "move-vshards " + moves.size() + " to " + to);
            });
        }
    }

    @Command(
            name = "move-tenants",
            description = "Publish the next directory map with the given tenants listed on --to.")
    static final class MoveTenants implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(arity = "1..*", paramLabel = "TENANT", description = "tenant keys")
        List<String> tenants;

        @Option(names = "--to", required = true, paramLabel = "ID", description = "the shard that takes them")
        String to;

        @Option(
                names = "--key-type",
                paramLabel = "TYPE",
                defaultValue = "long",
                description = "the tenant key's type: long, string or uuid (default ${DEFAULT-VALUE})")
        String keyType;

        @Mixin
        Publishing how;

        @Override
        public Integer call() {
            ShardId target = ShardId.of(to);
            Map<Key, ShardId> moves = new LinkedHashMap<>();
            for (String t : tenants) {
                moves.put(tenantKey(keyType, t), target);
            }
            return withCatalog(spec, how.config, (catalog, out) -> {
                ShardMap base = current(catalog);
                return publish(
                        catalog,
                        out,
                        base,
                        ShardMaps.moveTenants(base, moves),
                        how,
                        "move-tenants " + moves.size() + " to " + to);
            });
        }

        static Key tenantKey(String type, String text) {
            return switch (type.toLowerCase(java.util.Locale.ROOT)) {
                case "long" -> Key.of(number("TENANT", text));
                case "string" -> Key.of(text);
                case "uuid" -> {
                    try {
                        yield Key.of(UUID.fromString(text));
                    } catch (IllegalArgumentException e) {
                        throw InvalidInputException.of(
                                "TENANT", text, "is not a UUID", "use e.g. 123e4567-e89b-12d3-a456-426614174000");
                    }
                }
                default ->
                    throw InvalidInputException.of("--key-type", type, "is not a key type", "use long, string or uuid");
            };
        }
    }

    @Command(
            name = "split-range",
            description = "Publish the next range map with the range holding AT split there: [AT, end) goes to --to.")
    static final class SplitRange implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "AT", description = "the first key of the upper part")
        String at;

        @Option(names = "--to", required = true, paramLabel = "ID", description = "the shard that takes [AT, end)")
        String to;

        @Mixin
        Publishing how;

        @Override
        public Integer call() {
            long key = number("AT", at);
            return withCatalog(spec, how.config, (catalog, out) -> {
                ShardMap base = current(catalog);
                return publish(
                        catalog,
                        out,
                        base,
                        ShardMaps.splitRange(base, key, ShardId.of(to)),
                        how,
                        "split-range " + key + " to " + to);
            });
        }
    }

    @Command(
            name = "publish",
            description = {
                "Publish a map from a JSON file as `reshard map show --json` prints it (edit its body and tenants)."
                        + " It becomes the next version; the file's version is the one it was edited from and must"
                        + " still be the newest."
            })
    static final class Publish implements Callable<Integer> {
        /** Largest map file read. */
        static final long MAX_FILE = 256L << 20;

        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "FILE", description = "the map as JSON")
        Path file;

        @Mixin
        Publishing how;

        @Override
        public Integer call() {
            JsonNode root = read(file);
            return withCatalog(spec, how.config, (catalog, out) -> {
                ShardMap base = current(catalog);
                long editedFrom = root.path("version").asLong(-1);
                InvalidInputException.require(
                        editedFrom == base.version(),
                        file + ": version",
                        root.path("version").asText("(missing)"),
                        "is not the newest map v" + base.version() + ": the map changed since the file was written",
                        "write it again from `reshard map show --json` and redo the edit");
                Map<Key, ShardId> tenants = new HashMap<>();
                root.path("tenants").properties().forEach(e -> {
                    try {
                        tenants.put(
                                ShardMapCodec.tenantKey(e.getKey()),
                                ShardId.of(e.getValue().asText()));
                    } catch (RuntimeException bad) {
                        throw InvalidInputException.of(
                                file + ": tenants",
                                e.getKey(),
                                "is not a tenant key",
                                "write tenants as l:42, s:acme or u:<uuid>");
                    }
                });
                ShardMap next;
                try {
                    next = new ShardMapCodec()
                            .decode(base.version() + 1, root.path("body").toString(), tenants);
                } catch (InvalidInputException e) {
                    throw e;
                } catch (RuntimeException e) {
                    throw InvalidInputException.of(
                            file + ": body",
                            "(map)",
                            "is not a map Reshard can read: " + Text.cut(String.valueOf(e.getMessage()), 200),
                            "start again from `reshard map show --json`");
                }
                return publish(catalog, out, base, next, how, "publish " + file.getFileName());
            });
        }

        private static JsonNode read(Path file) {
            try {
                InvalidInputException.require(
                        Files.size(file) <= MAX_FILE,
                        "FILE",
                        file.toString(),
                        "is larger than " + Text.bytes(MAX_FILE),
                        "a map file holds one map as `reshard map show --json` prints it");
                return StatusView.JSON.readTree(file.toFile());
            } catch (IOException e) {
                throw InvalidInputException.of(
                        "FILE",
                        file.toString(),
                        "cannot be read as JSON: " + Text.cut(String.valueOf(e.getMessage()), 200),
                        "write it with `reshard map show --json > FILE`, then edit it");
            }
        }
    }
}
