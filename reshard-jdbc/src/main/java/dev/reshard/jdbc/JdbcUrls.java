package dev.reshard.jdbc;

import dev.reshard.core.InvalidInputException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/*
 * Design notes
 *
 * A JDBC URL is code as much as an address: PgJDBC's socketFactory and sslfactory load a named
 * class, H2's INIT runs SQL (RUNSCRIPT FROM a URL, CREATE ALIAS for any static Java method),
 * loggerFile and TRACE_LEVEL_FILE write files, MariaDB's allowLoadLocalInfile lets the server read
 * the client's files and autoDeserialize deserializes Java objects from it. So every URL is parsed
 * here, per driver, before a driver sees it or the catalog stores it, and only the properties
 * listed below pass: everything else is refused by name (with the reason, when it is a known
 * danger). Credentials never belong in a URL (the catalog would store them): user:pass@host and
 * every spelling of a password property are refused, and a refusal shows the URL with every
 * property value that is not allow-listed masked, so no secret is echoed.
 *
 * Property names are matched exactly as the drivers spell them (H2's case-insensitively, as H2
 * does); a known danger is recognised in any case and after percent-decoding.
 */
/** Vets JDBC URLs (PostgreSQL, MariaDB/MySQL, H2) against the properties Reshard allows. */
public final class JdbcUrls {
    /** PgJDBC properties Reshard passes on. */
    public static final Set<String> POSTGRESQL_ALLOWED = Set.of(
            "ssl",
            "sslmode",
            "sslrootcert",
            "sslcert",
            "sslkey",
            "connectTimeout",
            "socketTimeout",
            "loginTimeout",
            "tcpKeepAlive",
            "ApplicationName",
            "currentSchema",
            "targetServerType",
            "loadBalanceHosts",
            "prepareThreshold",
            "reWriteBatchedInserts",
            "gssEncMode");
    /** MariaDB Connector/J (and MySQL URL) properties Reshard passes on. */
    public static final Set<String> MARIADB_ALLOWED = Set.of(
            "sslMode",
            "useSsl",
            "serverSslCert",
            "connectTimeout",
            "socketTimeout",
            "tcpKeepAlive",
            "useCompression",
            "rewriteBatchedStatements",
            "useServerPrepStmts",
            "allowPublicKeyRetrieval");
    /** H2 settings Reshard passes on (upper case; H2 ignores the case). */
    public static final Set<String> H2_ALLOWED = Set.of(
            "MODE",
            "DB_CLOSE_DELAY",
            "DB_CLOSE_ON_EXIT",
            "AUTO_SERVER",
            "AUTO_SERVER_PORT",
            "LOCK_TIMEOUT",
            "IFEXISTS",
            "DATABASE_TO_UPPER",
            "DATABASE_TO_LOWER",
            "CASE_INSENSITIVE_IDENTIFIERS",
            "NON_KEYWORDS",
            "DEFAULT_NULL_ORDERING",
            "CACHE_SIZE");

    private static final String LOADS_CLASS = "loads the Java class it names";
    private static final String SECRET = "is a secret: the catalog would store it";
    private static final String USER = "belongs in the config's user key, not in the URL";
    private static final Map<String, String> POSTGRESQL_REFUSED = Map.ofEntries(
            Map.entry("socketfactory", LOADS_CLASS),
            Map.entry("socketfactoryarg", "is an argument of socketFactory, which loads a class"),
            Map.entry("sslfactory", LOADS_CLASS),
            Map.entry("sslfactoryarg", "is an argument of sslfactory, which loads a class"),
            Map.entry("sslhostnameverifier", LOADS_CLASS),
            Map.entry("sslpasswordcallback", LOADS_CLASS),
            Map.entry("authenticationpluginclassname", LOADS_CLASS),
            Map.entry("loggerfile", "writes a log file"),
            Map.entry("loggerlevel", "turns on driver logging to a file"),
            Map.entry("options", "sets server parameters at connect (e.g. libraries to preload)"),
            Map.entry("password", SECRET),
            Map.entry("sslpassword", SECRET),
            Map.entry("user", USER));
    private static final Map<String, String> MARIADB_REFUSED = Map.ofEntries(
            Map.entry("allowloadlocalinfile", "lets the server read files of this machine (LOAD DATA LOCAL)"),
            Map.entry("allowlocalinfile", "lets the server read files of this machine (LOAD DATA LOCAL)"),
            Map.entry("allowurlinlocalinfile", "lets the server fetch URLs through this machine"),
            Map.entry("autodeserialize", "deserializes Java objects sent by the server"),
            Map.entry("allowmultiqueries", "lets one statement carry several"),
            Map.entry("initsql", "runs SQL on every connection"),
            Map.entry("sessionvariables", "sets server variables on every connection"),
            Map.entry("socketfactory", LOADS_CLASS),
            Map.entry("credentialtype", "loads a credential plugin"),
            Map.entry("authenticationplugins", "loads authentication plugins"),
            Map.entry("password", SECRET),
            Map.entry("pwd", SECRET),
            Map.entry("user", USER));
    private static final Map<String, String> H2_REFUSED = Map.ofEntries(
            Map.entry("INIT", "runs SQL on connect (RUNSCRIPT, CREATE ALIAS for any Java method)"),
            Map.entry("TRACE_LEVEL_FILE", "writes a trace file"),
            Map.entry("TRACE_LEVEL_SYSTEM_OUT", "traces statements to standard output"),
            Map.entry("TRACE_MAX_FILE_SIZE", "is a trace-file setting"),
            Map.entry("JMX", "exposes the database over JMX"),
            Map.entry("RECOVER", "opens a damaged database as if it were sound"),
            Map.entry("IGNORE_UNKNOWN_SETTINGS", "would let unknown settings pass"),
            Map.entry("CIPHER", "needs a file password inside the password"),
            Map.entry("PASSWORD", SECRET),
            Map.entry("USER", USER));
    private static final Set<String> SECRET_NAMES = Set.of("password", "pwd", "pass", "passwd", "sslpassword");
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9._-]+|\\[[0-9A-Fa-f:.]+]");

    private JdbcUrls() {}

    /**
     * The outcome of vetting one URL: the driver ({@code postgresql}, {@code mariadb}, {@code
     * mysql}, {@code h2}, or null when none was recognised), whether the database outlives the
     * process, and every problem (empty when the URL may be used).
     */
    public record Vetted(String driver, boolean durable, List<InvalidInputException> problems) {
        public Vetted {
            problems = List.copyOf(problems);
        }

        public boolean ok() {
            return problems.isEmpty();
        }
    }

    /** Vets {@code url}; {@code field} (e.g. {@code shards[2].url}) names it in every problem. */
    public static Vetted vet(String field, String url) {
        return new Check(field, url).run();
    }

    /** {@code url} with credentials and every property value that is not allow-listed replaced by {@code ***}. */
    public static String mask(String url) {
        if (url == null) {
            return null;
        }
        String lower = url.toLowerCase(Locale.ROOT);
        if (lower.startsWith("jdbc:h2:")) {
            String[] parts = url.split(";", -1);
            StringBuilder out = new StringBuilder(parts[0]);
            for (int i = 1; i < parts.length; i++) {
                int eq = parts[i].indexOf('=');
                String key = eq < 0 ? parts[i] : parts[i].substring(0, eq);
                boolean keep = H2_ALLOWED.contains(key.strip().toUpperCase(Locale.ROOT));
                out.append(';').append(key);
                if (eq >= 0) {
                    out.append('=').append(keep ? parts[i].substring(eq + 1) : "***");
                }
            }
            return out.toString();
        }
        Set<String> allowed = lower.startsWith("jdbc:postgresql:") ? POSTGRESQL_ALLOWED : MARIADB_ALLOWED;
        int query = url.indexOf('?');
        String head = query < 0 ? url : url.substring(0, query);
        int slashes = head.indexOf("//");
        int at = head.lastIndexOf('@');
        if (slashes >= 0 && at > slashes) {
            head = head.substring(0, slashes + 2) + "***" + head.substring(at);
        }
        if (query < 0) {
            return head;
        }
        StringBuilder out = new StringBuilder(head).append('?');
        String[] pairs = url.substring(query + 1).split("&", -1);
        for (int i = 0; i < pairs.length; i++) {
            int eq = pairs[i].indexOf('=');
            String key = eq < 0 ? pairs[i] : pairs[i].substring(0, eq);
            out.append(i == 0 ? "" : "&").append(key);
            if (eq >= 0) {
                out.append('=').append(allowed.contains(key) ? pairs[i].substring(eq + 1) : "***");
            }
        }
        return out.toString();
    }

    /** One URL being vetted. */
    private static final class Check {
        private final String field;
        private final String url;
        private final String shown;
        private final List<InvalidInputException> problems = new ArrayList<>();

        Check(String field, String url) {
            this.field = field;
            this.url = url;
            this.shown = mask(url);
        }

        Vetted run() {
            if (url == null || url.isBlank()) {
                problem("is empty", "give a JDBC URL, e.g. jdbc:postgresql://db1:5432/app");
                return new Vetted(null, false, problems);
            }
            for (int i = 0; i < url.length(); i++) {
                char ch = url.charAt(i);
                if (Character.isWhitespace(ch) || Character.isISOControl(ch)) {
                    problem(
                            "contains a space or control character at position " + (i + 1),
                            "remove it (percent-encode a space in a value as %20)");
                    return new Vetted(null, false, problems);
                }
            }
            if (!url.startsWith("jdbc:")) {
                problem("is not a JDBC URL", "use e.g. jdbc:postgresql://db1:5432/app");
                return new Vetted(null, false, problems);
            }
            String rest = url.substring(5);
            int colon = rest.indexOf(':');
            String driver = colon <= 0 ? "" : rest.substring(0, colon).toLowerCase(Locale.ROOT);
            String body = colon <= 0 ? "" : rest.substring(colon + 1);
            return switch (driver) {
                case "postgresql" -> {
                    server(body, 5432, POSTGRESQL_ALLOWED, POSTGRESQL_REFUSED, true);
                    yield new Vetted(driver, true, problems);
                }
                case "mariadb", "mysql" -> {
                    server(body, 3306, MARIADB_ALLOWED, MARIADB_REFUSED, false);
                    yield new Vetted(driver, true, problems);
                }
                case "h2" -> new Vetted(driver, h2(body), problems);
                default -> {
                    problem(
                            driver.isEmpty()
                                    ? "names no database driver"
                                    : "uses the driver '" + driver + "', which Reshard does not support",
                            "use jdbc:postgresql://host:5432/db, jdbc:mariadb://host:3306/db (or jdbc:mysql:)"
                                    + " or jdbc:h2:file:/path");
                    yield new Vetted(driver.isEmpty() ? null : driver, false, problems);
                }
            };
        }

        /** {@code //host[:port][,host[:port]]/database[?k=v&...]} (PostgreSQL also takes {@code database} alone). */
        private void server(
                String body, int defaultPort, Set<String> allowed, Map<String, String> refused, boolean bareDatabase) {
            int q = body.indexOf('?');
            String path = q < 0 ? body : body.substring(0, q);
            if (path.startsWith("//")) {
                int slash = path.indexOf('/', 2);
                String authority = slash < 0 ? path.substring(2) : path.substring(2, slash);
                String database = slash < 0 ? "" : path.substring(slash + 1);
                hosts(authority, defaultPort);
                if (decode(database).isEmpty()) {
                    problem(
                            "names no database",
                            "end the URL with the database, e.g. jdbc:"
                                    + (defaultPort == 5432 ? "postgresql" : "mariadb") + "://db1:" + defaultPort
                                    + "/app");
                }
            } else if (!bareDatabase || path.isEmpty() || path.startsWith("/") || path.contains(":")) {
                problem(
                        "is not a URL this driver reads (no //host:port/database)",
                        "use e.g. jdbc:" + (defaultPort == 5432 ? "postgresql" : "mariadb") + "://db1:" + defaultPort
                                + "/app");
            }
            if (q >= 0) {
                properties(body.substring(q + 1), "&", allowed, refused, false);
            }
        }

        private void hosts(String authority, int defaultPort) {
            if (authority.contains("@")) {
                problem(
                        "carries credentials before '@'",
                        "remove them from the URL; give user: NAME and password: env:NAME or file:/path");
                authority = authority.substring(authority.lastIndexOf('@') + 1);
            }
            if (authority.isEmpty()) {
                problem("names no host", "use e.g. //db1:" + defaultPort + "/app");
                return;
            }
            for (String host : authority.split(",", -1)) {
                String name = host;
                String port = null;
                int close = host.lastIndexOf(']');
                int colon = host.lastIndexOf(':');
                if (host.startsWith("[") ? colon > close : colon >= 0) {
                    name = host.substring(0, colon);
                    port = host.substring(colon + 1);
                }
                if (!HOST.matcher(name).matches()) {
                    problem(
                            "names the host '" + name + "', which is not a host name or address",
                            "use a host name, an IPv4 address or [IPv6], e.g. db1:" + defaultPort);
                }
                if (port != null && !validPort(port)) {
                    problem(
                            "has the port '" + port + "', which is not a number from 1 to 65535",
                            "write the port as a number, e.g. " + name + ":" + defaultPort);
                }
            }
        }

        private static boolean validPort(String port) {
            if (port.isEmpty() || port.length() > 5 || !port.chars().allMatch(Character::isDigit)) {
                return false;
            }
            int p = Integer.parseInt(port);
            return p >= 1 && p <= 65535;
        }

        /** H2: {@code file:PATH}, a path, {@code tcp://} or {@code ssl://host[:port]/PATH}, or {@code mem:NAME}; then {@code ;K=V} settings. Whether it is durable. */
        private boolean h2(String body) {
            int semi = body.indexOf(';');
            String where = semi < 0 ? body : body.substring(0, semi);
            if (semi >= 0) {
                properties(body.substring(semi + 1), ";", H2_ALLOWED, H2_REFUSED, true);
            }
            String lower = where.toLowerCase(Locale.ROOT);
            if (lower.startsWith("mem:") || lower.startsWith("memfs:") || lower.startsWith("memlzf:")) {
                return false;
            }
            String path = where;
            if (lower.startsWith("file:")) {
                path = where.substring(5);
            } else if (lower.startsWith("tcp://") || lower.startsWith("ssl://")) {
                String rest = where.substring(6);
                int slash = rest.indexOf('/');
                hosts(slash < 0 ? rest : rest.substring(0, slash), 9092);
                path = slash < 0 ? "" : rest.substring(slash + 1);
            } else if (where.matches("[A-Za-z][A-Za-z0-9]+:.*") && !where.matches("[A-Za-z]:[\\\\/].*")) {
                problem(
                        "uses the H2 storage '" + where.substring(0, where.indexOf(':')) + ":', which Reshard does"
                                + " not support",
                        "use jdbc:h2:file:/path/to/db (or tcp://host:9092/path for an H2 server)");
                return true;
            }
            if (path.isEmpty()) {
                problem("names no database file", "use e.g. jdbc:h2:file:/var/lib/reshard/shard_0");
            }
            return true;
        }

        private void properties(
                String text, String separator, Set<String> allowed, Map<String, String> refused, boolean h2) {
            Set<String> seen = new HashSet<>();
            for (String pair : text.split(Pattern.quote(separator), -1)) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                String raw = eq < 0 ? pair : pair.substring(0, eq);
                String name =
                        h2 ? raw.strip().toUpperCase(Locale.ROOT) : decode(raw).strip();
                String lower = name.toLowerCase(Locale.ROOT);
                String shownName = h2 || SECRET_NAMES.contains(lower) ? cut(name) : cut(decode(raw));
                String danger = h2 ? refused.get(name) : refused.get(lower);
                if (danger == null && SECRET_NAMES.contains(lower)) {
                    danger = SECRET;
                }
                if (danger != null) {
                    problem(
                            "sets " + shownName + ", which " + danger,
                            SECRET.equals(danger)
                                    ? "remove it; give password: env:NAME or file:/path in the config"
                                    : USER.equals(danger)
                                            ? "remove it; give user: NAME in the config"
                                            : "remove it; Reshard allows " + sorted(allowed));
                } else if (!(h2 ? allowed.contains(name) : allowed.contains(raw))) {
                    problem(
                            "sets " + shownName + ", which is not a property Reshard allows",
                            "remove it, or use one of " + sorted(allowed));
                } else if (eq < 0) {
                    problem("sets " + shownName + " without a value", "write " + shownName + "=VALUE");
                } else if (!seen.add(name)) {
                    problem("sets " + shownName + " twice", "keep one");
                }
            }
        }

        private void problem(String problem, String fix) {
            problems.add(InvalidInputException.of(field, shown, problem, fix));
        }
    }

    private static String cut(String name) {
        return name.length() > 40 ? name.substring(0, 40) + "..." : name;
    }

    private static String decode(String text) {
        try {
            return URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return text;
        }
    }

    private static List<String> sorted(Set<String> names) {
        return names.stream().sorted(String.CASE_INSENSITIVE_ORDER).toList();
    }
}
