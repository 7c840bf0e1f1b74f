package dev.reshard.cli.migrate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.reshard.catalog.SecretRef;
import dev.reshard.catalog.ShardConfig;
import dev.reshard.core.InvalidInputException;
import dev.reshard.core.ShardId;
import dev.reshard.core.migration.Phase;
import dev.reshard.migration.engine.MigratedTable;
import dev.reshard.migration.engine.MigrationOptions;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/*
 * Design notes
 *
 * The one mapper from YAML text to MigrateConfig. It reads the document as a tree (not by data
 * binding) so that every problem carries the path an operator finds in the file - shards[1].url,
 * options.cutoverBudget - and it keeps going after a problem, so one run lists all of them. Nothing
 * is corrected: an unknown key is an error (a typo would otherwise silently leave a default in
 * place), a duration or size needs its unit, and relative paths are resolved against the config
 * file's directory, not the working directory, so the file means the same from anywhere.
 */
/** Reads and validates a {@code reshard migrate} YAML configuration; refuses it with every problem. */
final class ConfigReader {
    static final String EXAMPLE_DURATION = "use e.g. 500ms, 1s, 10m or 2h";
    static final String EXAMPLE_SIZE = "use e.g. 80GB or 85899345920 (bytes; KB, MB, GB and TB are powers of 1024)";

    private static final List<String> ROOT_KEYS = List.of("catalog", "shards", "tables", "options");
    private static final List<String> CATALOG_KEYS = List.of("path", "url", "user", "password");
    private static final List<String> SHARD_KEYS = List.of("id", "url", "user", "password", "capacity");
    private static final List<String> TABLE_KEYS = List.of("name", "shardKey");
    private static final List<String> OPTION_KEYS = List.of(
            "batchRows",
            "copyPageRows",
            "maxRowsPerSecond",
            "parallelism",
            "cutoverBudget",
            "cutoverAttempts",
            "gracePeriod",
            "backupDir",
            "leaseTtl",
            "stopBefore",
            "latencyGuardrail",
            "barrierTimeout",
            "cleanupBatchRows",
            "allowUntaggedWrites",
            "catchUpBatch",
            "catchUpWindow",
            "verifyChunkRows",
            "verifyRounds",
            "capacityThreshold");
    /** The phases a run can stop before: the forward ones after PLANNED. */
    private static final Set<Phase> STOPPABLE = EnumSet.of(
            Phase.DUAL_WRITE, Phase.BACKFILL, Phase.VERIFY, Phase.READ_NEW, Phase.CUTOVER, Phase.CLEANUP, Phase.DONE);

    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h|d)");
    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)(B|KB|KiB|MB|MiB|GB|GiB|TB|TiB)?");
    private static final YAMLMapper YAML = YAMLMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    /** Shown as the value of a required key that is absent. */
    private static final Raw MISSING = new Raw("(missing)");

    /** A value shown as written, unquoted (quotes are for text). */
    private record Raw(String text) {
        @Override
        public String toString() {
            return text;
        }
    }

    private final Path file;
    private final Path base;
    private final List<InvalidInputException> problems = new ArrayList<>();

    private ConfigReader(Path file) {
        this.file = file;
        Path parent = file.toAbsolutePath().getParent();
        this.base = parent == null ? Path.of("").toAbsolutePath() : parent;
    }

    /** The configuration in {@code file}; throws {@link ConfigException} listing every problem. */
    static MigrateConfig read(Path file) {
        return new ConfigReader(file).read();
    }

    private MigrateConfig read() {
        JsonNode root = parse();
        ObjectNode doc = mapping(root, "config", "write a YAML mapping with catalog, shards, tables and options");
        if (doc == null) {
            throw refused();
        }
        unknownKeys(doc, "config", ROOT_KEYS);
        MigrateConfig.Catalog catalog = catalog(doc.get("catalog"));
        List<ShardConfig> shards = shards(doc.get("shards"));
        List<MigratedTable> tables = tables(doc.get("tables"));
        MigrationOptions options = options(doc.get("options"));
        if (!problems.isEmpty()) {
            throw refused();
        }
        return new MigrateConfig(file, catalog, shards, tables, options);
    }

    private ConfigException refused() {
        return new ConfigException("config " + file, problems);
    }

    private JsonNode parse() {
        if (!Files.isRegularFile(file)) {
            throw InvalidInputException.of(
                    "--config",
                    file.toString(),
                    "is not a file",
                    "give the path of the YAML configuration, e.g. --config reshard.yaml (see the README for a sample)");
        }
        try {
            JsonNode root = YAML.readTree(file.toFile());
            return root == null ? YAML.missingNode() : root;
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null
                    ? ""
                    : " at line " + e.getLocation().getLineNr() + ", column "
                            + e.getLocation().getColumnNr();
            throw new ConfigException(
                    "config " + file,
                    List.of(InvalidInputException.of(
                            "config",
                            file.toString(),
                            "is not valid YAML" + where + " (" + Text.cut(e.getOriginalMessage(), 160) + ")",
                            "fix the syntax; keys are unique and indented with spaces")));
        } catch (IOException e) {
            throw InvalidInputException.of(
                    "--config",
                    file.toString(),
                    "cannot be read (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")",
                    "check the path and its permissions");
        }
    }

    // ---------------------------------------------------------------- sections

    private MigrateConfig.Catalog catalog(JsonNode node) {
        String fix = "give path: ./reshard-catalog for the embedded catalog, or url, user and password (env:NAME or"
                + " file:/path) for a catalog database";
        if (node == null) {
            problem("catalog", MISSING, "is required", fix);
            return null;
        }
        ObjectNode catalog = mapping(node, "catalog", fix);
        if (catalog == null) {
            return null;
        }
        unknownKeys(catalog, "catalog", CATALOG_KEYS);
        String path = text(catalog, "path", "catalog.path", false, fix);
        String url = text(catalog, "url", "catalog.url", false, fix);
        if (path != null && url != null) {
            problem(
                    "catalog",
                    "path and url",
                    "are both given",
                    "keep path (embedded catalog) or url (catalog database)");
            return null;
        }
        if (path != null) {
            for (String key : List.of("user", "password")) {
                if (catalog.has(key)) {
                    problem(
                            "catalog." + key,
                            key.equals("password")
                                    ? "<hidden>"
                                    : catalog.get(key).asText(),
                            "only applies with url",
                            "remove it; the embedded catalog needs no credentials");
                }
            }
            if (path.isBlank()) {
                problem("catalog.path", path, "is empty", "give a directory, e.g. ./reshard-catalog");
                return null;
            }
            return new MigrateConfig.Embedded(base.resolve(path).normalize());
        }
        if (url == null) {
            problem("catalog", MISSING, "names no catalog", fix);
            return null;
        }
        if (!url.startsWith("jdbc:")) {
            problem("catalog.url", url, "is not a JDBC URL", "use e.g. jdbc:postgresql://catalog-db:5432/reshard");
        }
        String user = text(catalog, "user", "catalog.user", false, "give the catalog database's user name");
        SecretRef password = secret(catalog, "password", "catalog.password");
        return url.startsWith("jdbc:") ? new MigrateConfig.Jdbc(url, user, password) : null;
    }

    private List<ShardConfig> shards(JsonNode node) {
        List<ShardConfig> out = new ArrayList<>();
        String fix = "list the shards with id, url, user, password and capacity (see the README's sample)";
        if (node == null) {
            problem("shards", MISSING, "is required", fix);
            return out;
        }
        if (!node.isArray() || node.isEmpty()) {
            problem("shards", shown(node), node.isArray() ? "is empty" : "is not a list", fix);
            return out;
        }
        Map<ShardId, Integer> seen = new HashMap<>();
        for (int i = 0; i < node.size(); i++) {
            String field = "shards[" + i + "]";
            ObjectNode shard = mapping(node.get(i), field, "give id, url, user, password and capacity");
            if (shard == null) {
                continue;
            }
            unknownKeys(shard, field, SHARD_KEYS);
            ShardId id = null;
            String idText = text(shard, "id", field + ".id", true, "name the shard, e.g. shard_0");
            if (idText != null) {
                try {
                    id = ShardId.of(idText);
                    Integer earlier = seen.putIfAbsent(id, i);
                    if (earlier != null) {
                        problem(
                                field + ".id",
                                idText,
                                "is listed twice (also shards[" + earlier + "])",
                                "give each shard a distinct id");
                    }
                } catch (InvalidInputException e) {
                    problems.add(e.withField(field + ".id"));
                }
            }
            String url = text(
                    shard,
                    "url",
                    field + ".url",
                    true,
                    "give the shard's JDBC URL, e.g. jdbc:postgresql://db1:5432/app");
            if (url != null && !url.startsWith("jdbc:")) {
                problem(field + ".url", url, "is not a JDBC URL", "use e.g. jdbc:postgresql://db1:5432/app");
                url = null;
            }
            String user = text(shard, "user", field + ".user", false, "give the shard's database user");
            SecretRef password = secret(shard, "password", field + ".password");
            long capacity = size(shard.get("capacity"), field + ".capacity");
            if (id == null || url == null || capacity <= 0) {
                continue;
            }
            try {
                out.add(new ShardConfig(id, url, user, password, capacity));
            } catch (InvalidInputException e) {
                String suffix =
                        e.field().endsWith(".jdbcUrl") ? ".url" : e.field().endsWith(".capacity") ? ".capacity" : "";
                problems.add(e.withField(field + suffix));
            }
        }
        return out;
    }

    private List<MigratedTable> tables(JsonNode node) {
        List<MigratedTable> out = new ArrayList<>();
        String fix = "list the sharded tables that move together, each with name and shardKey";
        if (node == null) {
            problem("tables", MISSING, "is required", fix);
            return out;
        }
        if (!node.isArray() || node.isEmpty()) {
            problem("tables", shown(node), node.isArray() ? "is empty" : "is not a list", fix);
            return out;
        }
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < node.size(); i++) {
            String field = "tables[" + i + "]";
            ObjectNode table =
                    mapping(node.get(i), field, "give name and shardKey, e.g. {name: orders, shardKey: user_id}");
            if (table == null) {
                continue;
            }
            unknownKeys(table, field, TABLE_KEYS);
            String name = text(table, "name", field + ".name", true, "name the sharded table, e.g. orders");
            String key = text(table, "shardKey", field + ".shardKey", true, "name its shard-key column, e.g. user_id");
            if (name == null || key == null) {
                continue;
            }
            try {
                MigratedTable t = new MigratedTable(name, key);
                Integer earlier = seen.putIfAbsent(t.key(), i);
                if (earlier != null) {
                    problem(
                            field + ".name",
                            name,
                            "is listed twice (also tables[" + earlier + "])",
                            "list each table once");
                } else {
                    out.add(t);
                }
            } catch (InvalidInputException e) {
                problems.add(e.withField(field + (e.field().endsWith(".shardKey") ? ".shardKey" : ".name")));
            }
        }
        return out;
    }

    private MigrationOptions options(JsonNode node) {
        MigrationOptions.Builder b = MigrationOptions.builder();
        if (node == null) {
            return b.build();
        }
        ObjectNode options = mapping(node, "options", "give the engine's options as a mapping, or leave options out");
        if (options == null) {
            return null;
        }
        unknownKeys(options, "options", OPTION_KEYS);
        integer(options, "batchRows", b::batchRows, "e.g. 10000");
        integer(options, "copyPageRows", b::copyPageRows, "e.g. 100000");
        number(options, "maxRowsPerSecond", b::maxRowsPerSecond, "e.g. 50000, or 0 for no ceiling");
        integer(options, "parallelism", b::parallelism, "e.g. 2");
        duration(options, "cutoverBudget", b::cutoverBudget);
        integer(options, "cutoverAttempts", b::cutoverAttempts, "e.g. 3");
        duration(options, "gracePeriod", b::gracePeriod);
        String backup = text(options, "backupDir", "options.backupDir", false, "give a directory, e.g. ./backup");
        if (backup != null) {
            b.backupDir(base.resolve(backup).normalize());
        }
        duration(options, "leaseTtl", b::leaseTtl);
        String stop = text(options, "stopBefore", "options.stopBefore", false, "name a phase, e.g. CLEANUP");
        if (stop != null) {
            Phase phase = phase(stop);
            if (phase != null) {
                b.stopBefore(phase);
            }
        }
        duration(options, "latencyGuardrail", b::latencyGuardrail);
        duration(options, "barrierTimeout", b::barrierTimeout);
        integer(options, "cleanupBatchRows", b::cleanupBatchRows, "e.g. 1000");
        JsonNode untagged = options.get("allowUntaggedWrites");
        if (untagged != null) {
            if (untagged.isBoolean()) {
                b.allowUntaggedWrites(untagged.booleanValue());
            } else {
                problem("options.allowUntaggedWrites", shown(untagged), "is not true or false", "write true or false");
            }
        }
        integer(options, "catchUpBatch", b::catchUpBatch, "e.g. 2000");
        duration(options, "catchUpWindow", b::catchUpWindow);
        integer(options, "verifyChunkRows", b::verifyChunkRows, "e.g. 2000");
        integer(options, "verifyRounds", b::verifyRounds, "e.g. 5");
        number(options, "capacityThreshold", b::capacityThreshold, "e.g. 0.8");
        try {
            return b.build();
        } catch (InvalidInputException e) {
            problems.add(e.withField("options." + e.field()));
            return null;
        }
    }

    // ---------------------------------------------------------------- values

    private void integer(ObjectNode node, String key, Consumer<Integer> set, String example) {
        JsonNode v = node.get(key);
        if (v == null) {
            return;
        }
        if (v.isIntegralNumber() && v.canConvertToInt()) {
            set.accept(v.intValue());
        } else {
            problem("options." + key, shown(v), "is not a whole number", "use " + example);
        }
    }

    private void number(ObjectNode node, String key, Consumer<Double> set, String example) {
        JsonNode v = node.get(key);
        if (v == null) {
            return;
        }
        if (v.isNumber()) {
            set.accept(v.doubleValue());
        } else {
            problem("options." + key, shown(v), "is not a number", "use " + example);
        }
    }

    private void duration(ObjectNode node, String key, Consumer<Duration> set) {
        JsonNode v = node.get(key);
        if (v == null) {
            return;
        }
        Duration d = parseDuration(v);
        if (d == null) {
            problem("options." + key, shown(v), "is not a duration", EXAMPLE_DURATION);
        } else {
            set.accept(d);
        }
    }

    /** {@code 500ms}, {@code 1s}, {@code 1.5s}, {@code 10m}, {@code 2h}, {@code 1d}, {@code 0}, or ISO-8601 ({@code PT1S}). */
    static Duration parseDuration(JsonNode v) {
        if (v.isIntegralNumber() && v.asLong() == 0) {
            return Duration.ZERO;
        }
        if (!v.isTextual()) {
            return null;
        }
        String text = v.textValue();
        Matcher m = DURATION.matcher(text);
        if (m.matches()) {
            BigDecimal amount = new BigDecimal(m.group(1));
            long unitMillis = switch (m.group(2)) {
                case "ms" -> 1;
                case "s" -> 1000;
                case "m" -> 60_000;
                case "h" -> 3_600_000;
                default -> 86_400_000;
            };
            BigDecimal millis = amount.multiply(BigDecimal.valueOf(unitMillis));
            if (millis.compareTo(BigDecimal.valueOf(Long.MAX_VALUE / 2)) > 0) {
                return null;
            }
            return Duration.ofMillis(millis.longValue());
        }
        if (text.startsWith("P") || text.startsWith("p")) {
            try {
                return Duration.parse(text);
            } catch (DateTimeParseException e) {
                return null;
            }
        }
        return null;
    }

    private long size(JsonNode v, String field) {
        if (v == null) {
            problem(field, MISSING, "is required", "give the disk the shard may use; " + EXAMPLE_SIZE);
            return -1;
        }
        long bytes = parseSize(v);
        if (bytes < 0) {
            problem(field, shown(v), "is not a size", EXAMPLE_SIZE);
        } else if (bytes == 0) {
            problem(field, shown(v), "must be positive", "give the disk the shard may use; " + EXAMPLE_SIZE);
            return -1;
        }
        return bytes;
    }

    /** Bytes: a whole number, or a number with B, KB/KiB, MB/MiB, GB/GiB or TB/TiB (powers of 1024); -1 if not a size. */
    static long parseSize(JsonNode v) {
        if (v.isIntegralNumber()) {
            return v.canConvertToLong() && v.asLong() >= 0 ? v.asLong() : -1;
        }
        if (!v.isTextual()) {
            return -1;
        }
        Matcher m = SIZE.matcher(v.textValue());
        if (!m.matches()) {
            return -1;
        }
        String unit = m.group(2) == null ? "B" : m.group(2);
        int power = switch (unit.charAt(0)) {
            case 'K' -> 1;
            case 'M' -> 2;
            case 'G' -> 3;
            case 'T' -> 4;
            default -> 0;
        };
        BigDecimal bytes =
                new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(1024).pow(power));
        if (bytes.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0
                || bytes.stripTrailingZeros().scale() > 0) {
            return -1;
        }
        return bytes.longValueExact();
    }

    private Phase phase(String text) {
        String wanted = text.trim().replace('-', '_').toUpperCase(Locale.ROOT);
        for (Phase p : STOPPABLE) {
            if (p.name().equals(wanted)) {
                return p;
            }
        }
        problem(
                "options.stopBefore",
                text,
                "is not a phase a run can stop before",
                "use one of " + STOPPABLE + ", e.g. CLEANUP to inspect before the point of no return");
        return null;
    }

    private SecretRef secret(ObjectNode node, String key, String field) {
        JsonNode v = node.get(key);
        if (v == null) {
            return SecretRef.NONE;
        }
        if (!v.isTextual()) {
            problem(
                    field,
                    "<hidden>",
                    "is not a secret reference",
                    "use env:VARIABLE_NAME or file:/path/to/password-file");
            return SecretRef.NONE;
        }
        try {
            return SecretRef.parse(field, v.textValue());
        } catch (InvalidInputException e) {
            problems.add(e);
            return SecretRef.NONE;
        }
    }

    // ---------------------------------------------------------------- structure

    private ObjectNode mapping(JsonNode node, String field, String fix) {
        if (node instanceof ObjectNode o) {
            return o;
        }
        problem(field, shown(node), "is not a mapping", fix);
        return null;
    }

    /** A scalar as text; null (and a problem when {@code required}) when absent. */
    private String text(ObjectNode node, String key, String field, boolean required, String fix) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) {
            if (required) {
                problem(field, MISSING, "is required", fix);
            }
            return null;
        }
        if (!v.isValueNode()) {
            problem(field, shown(v), "is not a single value", fix);
            return null;
        }
        return v.asText();
    }

    private void unknownKeys(ObjectNode node, String field, List<String> known) {
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!known.contains(name)) {
                String closest = closest(name, known);
                problem(
                        field,
                        name,
                        "is not a known key",
                        (closest == null ? "" : "did you mean " + closest + "? ") + "use one of " + known);
            }
        }
    }

    private static String closest(String name, List<String> known) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String k : known) {
            int d = distance(name.toLowerCase(Locale.ROOT), k.toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                bestDistance = d;
                best = k;
            }
        }
        return bestDistance <= Math.max(1, name.length() / 4) ? best : null;
    }

    /** Levenshtein distance. */
    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    private static Object shown(JsonNode node) {
        if (node == null || node.isMissingNode()) {
            return MISSING;
        }
        if (node.isTextual()) {
            return node.textValue();
        }
        return new Raw(Text.cut(node.toString(), 60));
    }

    private void problem(String field, Object value, String problem, String fix) {
        problems.add(InvalidInputException.of(field, value, problem, fix));
    }
}
