package dev.reshard.cli.migrate;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.reshard.catalog.Catalog;
import dev.reshard.catalog.ShardConfig;
import dev.reshard.cli.ReshardCommand;
import dev.reshard.core.InvalidInputException;
import dev.reshard.core.ShardId;
import dev.reshard.core.map.ShardMap;
import dev.reshard.jdbc.DatabaseIdentity;
import dev.reshard.jdbc.JdbcUrls;
import java.io.PrintWriter;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
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
 * The config file is where an operator writes a shard's settings; the catalog keeps the one record
 * per id that routers and the engine connect with. So these commands never take settings from
 * flags: `add` registers the config's shards the catalog lacks, `update` copies a shard's changed
 * config entry into the catalog, `remove` drops a shard nothing in use names. Each checks before it
 * writes, as `migrate start` does: secrets readable, every config shard reachable, durable and a
 * database of its own. `update` also asks the server behind the new settings which database it is:
 * when the catalog's old settings reach another one (or cannot be reached to tell), it refuses
 * unless told --new-database, since the rows the maps place on that shard are where the old
 * settings point, and a router following the new ones would find them missing.
 */
/** {@code reshard shards}: the shards the catalog knows, and changes to them from the config. */
@Command(
        name = "shards",
        description = {
            "List the catalog's shards beside the config's, and register, update or remove them.",
            "Settings come from the config (--config, default reshard.yaml), checked before anything is written."
        },
        subcommands = {
            ShardsCommand.ListShards.class,
            ShardsCommand.Add.class,
            ShardsCommand.Update.class,
            ShardsCommand.Remove.class
        })
public final class ShardsCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(
                spec.commandLine(),
                "missing subcommand; use one of " + spec.subcommands().keySet() + ", e.g. reshard shards list");
    }

    /** The fields whose settings differ between a config entry and the catalog's record. */
    static List<String> differences(ShardConfig wanted, ShardConfig have) {
        List<String> fields = new ArrayList<>();
        if (!wanted.jdbcUrl().equals(have.jdbcUrl())) {
            fields.add("url");
        }
        if (!Objects.equals(wanted.username(), have.username())) {
            fields.add("user");
        }
        if (!wanted.password().equals(have.password())) {
            fields.add("password");
        }
        if (wanted.capacityBytes() != have.capacityBytes()) {
            fields.add("capacity");
        }
        return fields;
    }

    /** A field's setting as shown to the operator: the URL masked, the capacity in units, the password as its reference. */
    static String value(ShardConfig s, String field) {
        return switch (field) {
            case "url" -> JdbcUrls.mask(s.jdbcUrl());
            case "user" -> String.valueOf(s.username());
            case "password" ->
                s.password().reference().isEmpty() ? "(none)" : s.password().reference();
            case "capacity" -> Text.bytes(s.capacityBytes());
            default -> throw new IllegalArgumentException(field);
        };
    }

    private static Map<ShardId, Integer> indexOf(MigrateConfig cfg) {
        Map<ShardId, Integer> index = new LinkedHashMap<>();
        for (int i = 0; i < cfg.shards().size(); i++) {
            index.put(cfg.shards().get(i).id(), i);
        }
        return index;
    }

    private static ShardId shardId(String id) {
        return ShardId.of(id);
    }

    @Command(
            name = "list",
            description = {
                "The shards the catalog holds and the config's, side by side: settings, capacity, whether the"
                        + " current map uses them, and how the config differs. Reads only; connects to no shard."
            })
    static final class ListShards implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--json", description = "print JSON instead of text")
        boolean json;

        @Mixin
        ConfigOption config;

        @Override
        public Integer call() {
            MigrateConfig cfg = config.read(spec);
            PrintWriter out = spec.commandLine().getOut();
            try (Orchestrator o = Orchestrator.administering(cfg, false, false)) {
                Catalog catalog = o.catalog();
                Optional<ShardMap> current = catalog.currentMap();
                List<Row> rows = rows(catalog.shards(), cfg, current);
                if (json) {
                    ObjectNode root = StatusView.JSON.createObjectNode();
                    current.ifPresentOrElse(m -> root.put("currentMap", m.version()), () -> root.putNull("currentMap"));
                    ArrayNode list = root.putArray("shards");
                    for (Row r : rows) {
                        ObjectNode n = list.addObject();
                        n.put("id", r.shard().id().value());
                        n.put("url", JdbcUrls.mask(r.shard().jdbcUrl()));
                        n.put("user", r.shard().username());
                        n.put("password", r.shard().password().reference());
                        n.put("capacityBytes", r.shard().capacityBytes());
                        n.put("registered", r.registered());
                        n.put("inCurrentMap", r.inCurrentMap());
                        n.put("config", r.config());
                        r.differs().forEach(n.putArray("differs")::add);
                    }
                    out.print(StatusView.write(root));
                } else {
                    table(rows, current).forEach(out::println);
                }
            }
            out.flush();
            return ReshardCommand.OK;
        }

        /** One shard as listed: the catalog's record (or, unregistered, the config's entry). */
        record Row(ShardConfig shard, boolean registered, boolean inCurrentMap, String config, List<String> differs) {}

        static List<Row> rows(List<ShardConfig> registered, MigrateConfig cfg, Optional<ShardMap> current) {
            Map<ShardId, ShardConfig> inConfig = new LinkedHashMap<>();
            cfg.shards().forEach(s -> inConfig.put(s.id(), s));
            List<Row> rows = new ArrayList<>();
            for (ShardConfig have : registered) {
                boolean used = current.map(m -> m.shards().contains(have.id())).orElse(false);
                ShardConfig wanted = inConfig.remove(have.id());
                if (wanted == null) {
                    rows.add(new Row(have, true, used, "absent", List.of()));
                } else {
                    List<String> d = differences(wanted, have);
                    rows.add(new Row(have, true, used, d.isEmpty() ? "same" : "differs", d));
                }
            }
            for (ShardConfig only : inConfig.values()) {
                boolean used = current.map(m -> m.shards().contains(only.id())).orElse(false);
                rows.add(new Row(only, false, used, "unregistered", List.of()));
            }
            return rows;
        }

        static List<String> table(List<Row> rows, Optional<ShardMap> current) {
            List<String> lines = new ArrayList<>();
            if (rows.isEmpty()) {
                lines.add("no shards in the catalog or the config; list them under shards: in the config, then"
                        + " `reshard shards add`");
                return lines;
            }
            String mapColumn = current.map(m -> "MAP v" + m.version()).orElse("MAP");
            String format = "%-12s  %-30s  %-8s  %8s  %-6s  %s";
            lines.add(String.format(Locale.ROOT, format, "ID", "URL", "USER", "CAPACITY", mapColumn, "CONFIG")
                    .stripTrailing());
            List<String> register = new ArrayList<>();
            List<String> update = new ArrayList<>();
            for (Row r : rows) {
                String id = r.shard().id().value();
                String config = switch (r.config()) {
                    case "same" -> "same";
                    case "absent" -> "not in it";
                    case "unregistered" -> "not registered";
                    default -> "differs: " + String.join(", ", r.differs());
                };
                if (r.config().equals("unregistered")) {
                    register.add(id);
                } else if (r.config().equals("differs")) {
                    update.add(id);
                }
                lines.add(String.format(
                                Locale.ROOT,
                                format,
                                Text.cut(id, 12),
                                Text.cut(JdbcUrls.mask(r.shard().jdbcUrl()), 30),
                                Text.cut(String.valueOf(r.shard().username()), 8),
                                Text.bytes(r.shard().capacityBytes()),
                                r.inCurrentMap() ? "yes" : "-",
                                Text.cut(config, 26))
                        .stripTrailing());
            }
            if (!register.isEmpty()) {
                lines.add("register the config's new shards: reshard shards add " + String.join(" ", register));
            }
            for (String id : update) {
                lines.add("store the config's settings for " + id + ": reshard shards update " + id);
            }
            return lines;
        }
    }

    @Command(
            name = "add",
            description = {
                "Register in the catalog the config's shards it does not hold yet (all of them, or the IDs given).",
                "Refused, writing nothing, when a shard is unreachable, in memory, or the same database as another"
                        + " shard or the catalog."
            })
    static final class Add implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "ID", arity = "0..*", description = "shards of the config to register")
        List<String> ids = new ArrayList<>();

        @Option(names = "--dry-run", description = "check and say what would be registered; write nothing")
        boolean dryRun;

        @Mixin
        ConfigOption config;

        @Override
        public Integer call() {
            MigrateConfig cfg = config.read(spec);
            PrintWriter out = spec.commandLine().getOut();
            Map<ShardId, Integer> index = indexOf(cfg);
            List<InvalidInputException> problems = new ArrayList<>();
            for (String id : ids) {
                if (!index.containsKey(shardId(id))) {
                    problems.add(InvalidInputException.of(
                            "shard",
                            id,
                            "is not in the config " + cfg.file(),
                            "add it under shards: (id, url, user, password, capacity), then run this again"));
                }
            }
            if (!problems.isEmpty()) {
                throw new ConfigException("shards add", problems);
            }
            try (Orchestrator o = Orchestrator.administering(cfg, true, true)) {
                Catalog catalog = o.catalog();
                List<ShardConfig> toAdd = new ArrayList<>();
                for (ShardConfig wanted : cfg.shards()) {
                    if (!ids.isEmpty() && !ids.contains(wanted.id().value())) {
                        continue;
                    }
                    Optional<ShardConfig> have = catalog.shard(wanted.id());
                    if (have.isEmpty()) {
                        toAdd.add(wanted);
                        continue;
                    }
                    List<String> d = differences(wanted, have.get());
                    if (d.isEmpty()) {
                        out.println(wanted.id() + ": already registered with the config's settings");
                    } else {
                        problems.add(InvalidInputException.of(
                                "shards[" + index.get(wanted.id()) + "]",
                                wanted.id().value(),
                                "is registered with another " + String.join(", ", d),
                                "store the config's settings with `reshard shards update " + wanted.id() + "`"));
                    }
                }
                if (!problems.isEmpty()) {
                    throw new ConfigException("shards add", problems);
                }
                for (ShardConfig s : toAdd) {
                    if (!dryRun) {
                        catalog.addShard(s);
                    }
                    out.println((dryRun ? "would register " : "registered ") + s.id() + ": "
                            + JdbcUrls.mask(s.jdbcUrl()) + ", capacity " + Text.bytes(s.capacityBytes()));
                }
                if (toAdd.isEmpty()) {
                    out.println("nothing to register");
                } else if (dryRun) {
                    out.println("dry run: nothing written");
                }
            }
            out.flush();
            return ReshardCommand.OK;
        }
    }

    @Command(
            name = "update",
            description = {
                "Store a shard's settings from the config in the catalog: its url, user, password reference or"
                        + " capacity.",
                "A new url or user must reach the same database as the catalog's settings (as its server says),"
                        + " unless --new-database is given."
            })
    static final class Update implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "ID", description = "the shard, as the config and catalog name it")
        String id;

        @Option(
                names = "--new-database",
                description = "accept settings that reach another database than the catalog's (you copied the"
                        + " shard's data there yourself)")
        boolean newDatabase;

        @Option(names = "--dry-run", description = "check and show the change; write nothing")
        boolean dryRun;

        @Mixin
        ConfigOption config;

        @Override
        public Integer call() {
            MigrateConfig cfg = config.read(spec);
            PrintWriter out = spec.commandLine().getOut();
            ShardId shard = shardId(id);
            Integer i = indexOf(cfg).get(shard);
            if (i == null) {
                throw InvalidInputException.of(
                        "shard",
                        id,
                        "is not in the config " + cfg.file(),
                        "write its new settings under shards: in the config, then run this again");
            }
            ShardConfig wanted = cfg.shards().get(i);
            try (Orchestrator o = Orchestrator.administering(cfg, true, false)) {
                Catalog catalog = o.catalog();
                ShardConfig have = catalog.shard(shard)
                        .orElseThrow(() -> InvalidInputException.of(
                                "shard",
                                id,
                                "is not in the catalog",
                                "register it with `reshard shards add " + id + "`"));
                List<String> d = differences(wanted, have);
                if (d.isEmpty()) {
                    out.println(id + ": the catalog already has the config's settings; nothing to change");
                    out.flush();
                    return ReshardCommand.OK;
                }
                for (String field : d) {
                    out.println(String.format(
                            Locale.ROOT,
                            "%s %-8s  %s  ->  %s",
                            id + ":",
                            field,
                            value(have, field),
                            value(wanted, field)));
                }
                if ((d.contains("url") || d.contains("user")) && !newDatabase) {
                    sameDatabase(have, wanted, "shards[" + i + "].url");
                }
                if (dryRun) {
                    out.println("dry run: nothing written");
                } else {
                    catalog.updateShard(wanted);
                    out.println("updated " + id + " in the catalog; routers and a running migration keep the"
                            + " connections they hold, and new ones use these settings");
                }
            }
            out.flush();
            return ReshardCommand.OK;
        }

        /** Refuses new settings that reach another database than the old ones, or when the old ones cannot tell. */
        private void sameDatabase(ShardConfig have, ShardConfig wanted, String field) {
            DatabaseIdentity now;
            try {
                now = Orchestrator.identify(wanted);
            } catch (SQLException | RuntimeException e) {
                throw InvalidInputException.of(
                        field,
                        JdbcUrls.mask(wanted.jdbcUrl()),
                        "cannot be reached for " + id + ": " + Orchestrator.cause(e),
                        "start the database or fix the shard's url, user and password");
            }
            DatabaseIdentity before;
            try {
                before = Orchestrator.identify(have);
            } catch (SQLException | RuntimeException e) {
                throw InvalidInputException.of(
                        field,
                        JdbcUrls.mask(wanted.jdbcUrl()),
                        "cannot be confirmed to be " + id + "'s database: the catalog's settings ("
                                + JdbcUrls.mask(have.jdbcUrl()) + ") do not connect to tell ("
                                + Orchestrator.cause(e) + ")",
                        "pass --new-database if this database holds " + id + "'s rows");
            }
            if (!before.sameAs(now)) {
                throw InvalidInputException.of(
                        field,
                        JdbcUrls.mask(wanted.jdbcUrl()),
                        "reaches " + now.describe() + ", not " + id + "'s database " + before.describe()
                                + "; the rows the maps place on " + id + " are there",
                        "point the url at that database (a promoted replica is the same one), or pass"
                                + " --new-database if you copied " + id + "'s rows here");
            }
        }
    }

    @Command(
            name = "remove",
            description = {
                "Remove a shard from the catalog. Refused while the current map, the routers' maps or an unfinished"
                        + " migration names it: move its data off first."
            })
    static final class Remove implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "ID", description = "the shard to remove")
        String id;

        @Mixin
        ConfigOption config;

        @Override
        public Integer call() {
            MigrateConfig cfg = config.read(spec);
            PrintWriter out = spec.commandLine().getOut();
            try (Orchestrator o = Orchestrator.administering(cfg, false, false)) {
                o.catalog().removeShard(shardId(id));
            }
            out.println("removed " + id + " from the catalog; its database is untouched");
            if (indexOf(cfg).containsKey(shardId(id))) {
                out.println("it is still in the config " + cfg.file()
                        + ": remove it there too, or `reshard migrate start` registers it again");
            }
            out.flush();
            return ReshardCommand.OK;
        }
    }
}
