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
import dev.reshard.jdbc.Identifier;
import dev.reshard.jdbc.JdbcUrls;
import dev.reshard.migration.engine.MigratedTable;
import dev.reshard.migration.engine.MigrationOptions;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
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
    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h|d)");

    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)(B|KB|KiB|MB|MiB|GB|GiB|TB|TiB)?");
    /** The largest config file read, in bytes (1 MiB), and the longest line, in characters. */
    static final int MAX_BYTES = 1 << 20;

    static final int MAX_LINE = 8192;

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
    private final List<String> warnings = new ArrayList<>();

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
        return new MigrateConfig(file, catalog, shards, tables, options, warnings);
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
        String text;
        try {
            long size = Files.size(file);
            if (size > MAX_BYTES) {
                throw refusedAlone(
                        "is " + size + " bytes, more than a config may be (" + MAX_BYTES + ")",
                        "give the migration's config: catalog, shards, tables and options");
            }
            text = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(file)))
                    .toString();
        } catch (CharacterCodingException e) {
            throw refusedAlone("is not UTF-8 text", "save it as UTF-8");
        } catch (IOException e) {
            throw InvalidInputException.of(
                    "--config",
                    file.toString(),
                    "cannot be read (" + e.getClass().getSimpleName() + ")",
                    "check the path and its permissions");
        }
        int lineNo = 0;
        for (String line : (Iterable<String>) text.lines()::iterator) {
            lineNo++;
            if (line.length() > MAX_LINE) {
                throw refusedAlone(
                        "has a line of " + line.length() + " characters at line " + lineNo
                                + ", longer than a config line may be (" + MAX_LINE + ")",
                        "break the value up or shorten it");
            }
        }
        List<InvalidInputException> strict = StrictYaml.check(text, MAX_BYTES);
        if (!strict.isEmpty()) {
            throw new ConfigException("config " + file, strict);
        }
        try {
            JsonNode root = YAML.readTree(text);
            return root == null ? YAML.missingNode() : root;
        } catch (JsonProcessingException e) {
            // The parser's message may quote the line, and the line may be a password's: say where only.
            String where = e.getLocation() == null
                    ? ""
                    : " at line " + e.getLocation().getLineNr() + ", column "
                            + e.getLocation().getColumnNr();
            throw refusedAlone("is not valid YAML" + where, "fix the syntax; keys are unique and indented with spaces");
        }
    }

    private ConfigException refusedAlone(String problem, String fix) {
        return new ConfigException(
                "config " + file, List.of(InvalidInputException.of("config", new Raw(file.toString()), problem, fix)));
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
        boolean usable = url("catalog.url", url);
        String user = text(catalog, "user", "catalog.user", false, "give the catalog database's user name");
        SecretRef password = secret(catalog, "password", "catalog.password");
        return usable ? new MigrateConfig.Jdbc(url, user, password) : null;
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
        Map<String, Integer> folded = new HashMap<>();
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
                    Integer sameLetters = folded.putIfAbsent(idText.toLowerCase(Locale.ROOT), i);
                    if (earlier != null) {
                        problem(
                                field + ".id",
                                idText,
                                "is listed twice (also shards[" + earlier + "])",
                                "give each shard a distinct id");
                    } else if (sameLetters != null) {
                        problem(
                                field + ".id",
                                idText,
                                "differs from the id of shards[" + sameLetters + "] only in case",
                                "give each shard an id that differs in more than case (one database has one id)");
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
            if (url != null && !url(field + ".url", url)) {
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
                Identifier.parse(field + ".name", name);
                Identifier.parse(field + ".shardKey", key);
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
        integer(options, "batchRows", b::batchRows, 1, 1_000_000, "e.g. 10000");
        integer(options, "copyPageRows", b::copyPageRows, 1, 10_000_000, "e.g. 100000");
        number(options, "maxRowsPerSecond", b::maxRowsPerSecond, 0, 1e9, "e.g. 50000, or 0 for no ceiling");
        integer(options, "parallelism", b::parallelism, 1, 64, "e.g. 2");
        duration(options, "cutoverBudget", b::cutoverBudget, Duration.ofMillis(10), Duration.ofMinutes(10));
        integer(options, "cutoverAttempts", b::cutoverAttempts, 1, 100, "e.g. 3");
        duration(options, "gracePeriod", b::gracePeriod, Duration.ZERO, Duration.ofDays(30));
        String backup = text(options, "backupDir", "options.backupDir", false, "give a directory, e.g. ./backup");
        if (backup != null) {
            b.backupDir(base.resolve(backup).normalize());
        }
        duration(options, "leaseTtl", b::leaseTtl, Duration.ofSeconds(1), Duration.ofHours(1));
        if (options.has("stopBefore")) {
            // It was a config value once: every resume with the config stopped again at once.
            problem(
                    "options.stopBefore",
                    options.get("stopBefore").asText(),
                    "is no longer a config option (it stopped every later resume too)",
                    "remove it and pass --stop-before PHASE to the `reshard migrate start` or `resume` that should"
                            + " stop");
        }
        duration(options, "latencyGuardrail", b::latencyGuardrail, Duration.ofMillis(1), Duration.ofMinutes(1));
        duration(options, "barrierTimeout", b::barrierTimeout, Duration.ofSeconds(1), Duration.ofHours(1));
        integer(options, "cleanupBatchRows", b::cleanupBatchRows, 1, 1_000_000, "e.g. 1000");
        JsonNode untagged = options.get("allowUntaggedWrites");
        if (untagged != null) {
            if (untagged.isBoolean()) {
                b.allowUntaggedWrites(untagged.booleanValue());
            } else {
                problem("options.allowUntaggedWrites", shown(untagged), "is not true or false", "write true or false");
            }
        }
        integer(options, "catchUpBatch", b::catchUpBatch, 1, 1_000_000, "e.g. 2000");
        duration(options, "catchUpWindow", b::catchUpWindow, Duration.ofMillis(1), Duration.ofHours(1));
        integer(options, "verifyChunkRows", b::verifyChunkRows, 1, 10_000_000, "e.g. 2000");
        integer(options, "verifyRounds", b::verifyRounds, 1, 100, "e.g. 5");
        number(options, "capacityThreshold", b::capacityThreshold, 0.01, 1, "e.g. 0.8");
        try {
            return b.build();
        } catch (InvalidInputException e) {
            problems.add(e.withField("options." + e.field()));
            return null;
        }
    }

    // ---------------------------------------------------------------- values

    private void integer(ObjectNode node, String key, Consumer<Integer> set, long min, long max, String example) {
        JsonNode v = node.get(key);
        if (v == null) {
            return;
        }
        String field = "options." + key;
        String range = "from " + min + " to " + max;
        if (!v.isIntegralNumber()) {
            problem(
                    field,
                    shown(v),
                    v.isNumber() ? "is not a whole number" : "is not a number",
                    "use " + example + " (" + range + ", unquoted)");
        } else if (v.bigIntegerValue().compareTo(java.math.BigInteger.valueOf(max)) > 0) {
            problem(field, shown(v), "is too large", "use at most " + max + " (the range is " + range + ")");
        } else if (v.bigIntegerValue().compareTo(java.math.BigInteger.valueOf(min)) < 0) {
            problem(field, shown(v), "is too small", "use at least " + min + " (the range is " + range + ")");
        } else {
            set.accept(v.intValue());
        }
    }

    private void number(ObjectNode node, String key, Consumer<Double> set, double min, double max, String example) {
        JsonNode v = node.get(key);
        if (v == null) {
            return;
        }
        String field = "options." + key;
        String range = "from " + plain(min) + " to " + plain(max);
        if (!v.isNumber() || !Double.isFinite(v.doubleValue())) {
            problem(field, shown(v), "is not a number", "use " + example + " (" + range + ", unquoted)");
        } else if (v.doubleValue() > max) {
            problem(field, shown(v), "is too large", "use at most " + plain(max) + " (the range is " + range + ")");
        } else if (v.doubleValue() < min) {
            problem(field, shown(v), "is too small", "use at least " + plain(min) + " (the range is " + range + ")");
        } else {
            set.accept(v.doubleValue());
        }
    }

    private void duration(ObjectNode node, String key, Consumer<Duration> set, Duration min, Duration max) {
        JsonNode v = node.get(key);
        if (v == null) {
            return;
        }
        String field = "options." + key;
        String range = "from " + spelled(min) + " to " + spelled(max);
        Duration d = parseDuration(v);
        if (d == null) {
            boolean overflow = v.isTextual() && DURATION.matcher(v.textValue()).matches();
            if (overflow) {
                problem(
                        field,
                        shown(v),
                        "is too large",
                        "use at most " + spelled(max) + " (the range is " + range + ")");
            } else {
                problem(field, shown(v), "is not a duration", EXAMPLE_DURATION + " (" + range + ")");
            }
        } else if (d.compareTo(max) > 0) {
            problem(field, shown(v), "is too large", "use at most " + spelled(max) + " (the range is " + range + ")");
        } else if (d.compareTo(min) < 0) {
            problem(field, shown(v), "is too small", "use at least " + spelled(min) + " (the range is " + range + ")");
        } else {
            set.accept(d);
        }
    }

    /** A duration as the config writes it: {@code 0}, {@code 10ms}, {@code 1s}, {@code 10m}, {@code 1h}, {@code 30d}. */
    static String spelled(Duration d) {
        long ms = d.toMillis();
        if (ms == 0) {
            return "0";
        }
        for (var unit : List.of(
                Map.entry("d", 86_400_000L),
                Map.entry("h", 3_600_000L),
                Map.entry("m", 60_000L),
                Map.entry("s", 1000L))) {
            if (ms % unit.getValue() == 0) {
                return ms / unit.getValue() + unit.getKey();
            }
        }
        return ms + "ms";
    }

    private static String plain(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
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

    /**
     * Vets a JDBC URL (driver, allow-listed properties, no credentials, a durable database); false
     * when it must not be used. The URL is shown masked in every problem.
     */
    private boolean url(String field, String url) {
        JdbcUrls.Vetted vetted = JdbcUrls.vet(field, url);
        problems.addAll(vetted.problems());
        if (vetted.ok() && !vetted.durable()) {
            problem(
                    field,
                    JdbcUrls.mask(url),
                    "is an in-memory database: what is written to it vanishes when the process ends",
                    "use a database that outlives the process, e.g. jdbc:h2:file:/var/lib/reshard/"
                            + (field.startsWith("catalog") ? "catalog" : "shard_0")
                            + " or a PostgreSQL/MariaDB server (reshard demo runs on its own databases)");
            return false;
        }
        return vetted.ok();
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
            SecretRef ref = SecretRef.parse(field, v.textValue());
            if (ref.reference().startsWith("file:")) {
                Path path = base.resolve(ref.reference().substring(5)).normalize();
                ref = new SecretRef("file:" + path);
                worldReadable(field, path);
            }
            return ref;
        } catch (InvalidInputException e) {
            problems.add(e);
            return SecretRef.NONE;
        }
    }

    /** Warns when others than the owner (and group) may read a password file. */
    private void worldReadable(String field, Path path) {
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(path);
            if (perms.contains(PosixFilePermission.OTHERS_READ)) {
                warnings.add(field + ": the password file " + path + " is readable by every user of this machine;"
                        + " restrict it, e.g. chmod 600 " + path);
            }
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            // unreadable files are refused when the secret is resolved; no POSIX permissions: nothing to say
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
        if (!v.isTextual()) {
            // YAML made it a number or a boolean: the text as written is lost, so do not guess it.
            problem(
                    field,
                    shown(v),
                    "is not text (YAML reads it as a " + (v.isBoolean() ? "boolean" : "number") + ")",
                    "quote it, e.g. " + field.substring(field.lastIndexOf('.') + 1) + ": \"...\"");
            return null;
        }
        return v.textValue();
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
