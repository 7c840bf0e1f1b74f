package dev.reshard.jdbc;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Objects;
import java.util.Optional;

/*
 * Design notes
 *
 * Two shard ids that name one database look like two shards to everything else: a migration
 * between them copies rows onto themselves, verification is clean, and cleanup deletes the moved
 * rows from the one database that holds them. URLs cannot tell (host aliases, IP and name, ports
 * forwarded, H2 paths through symlinks), so the identity comes from the server itself:
 *
 *   PostgreSQL: the cluster's system_identifier (pg_control_system(), when the user may call it;
 *               else the server address and port), the database name and oid, the current schema;
 *   MariaDB:    @@hostname, @@port and @@datadir, and DATABASE();
 *   H2:         DATABASE_PATH() made canonical (symlinks resolved), and the current schema; an
 *               in-memory database has no path and is not durable.
 */
/** Which physical database (and schema) a connection reaches, as the server reports it. */
public record DatabaseIdentity(Engine engine, String server, String database, String schema, boolean durable) {
    public DatabaseIdentity {
        Objects.requireNonNull(engine, "engine");
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(database, "database");
        schema = schema == null ? "" : schema;
    }

    /** The identity of the database {@code c} is connected to. */
    public static DatabaseIdentity of(Connection c) throws SQLException {
        Engine engine = Engine.detect(c);
        return switch (engine) {
            case POSTGRESQL -> postgres(c);
            case MARIADB -> mariadb(c);
            case H2 -> h2(c);
        };
    }

    /** Whether this and {@code other} are one database (and schema): the same tables. */
    public boolean sameAs(DatabaseIdentity other) {
        return engine == other.engine
                && server.equals(other.server)
                && database.equals(other.database)
                && schema.equals(other.schema);
    }

    /** For messages: {@code H2 database /var/lib/x (schema PUBLIC)}. */
    public String describe() {
        return switch (engine) {
            case POSTGRESQL -> "PostgreSQL database " + database + " on " + server + " (schema " + schema + ")";
            case MARIADB -> "MariaDB database " + database + " on " + server;
            case H2 -> "H2 database " + database + " (schema " + schema + ")";
        };
    }

    private static DatabaseIdentity postgres(Connection c) throws SQLException {
        String sql = "SELECT CASE WHEN has_function_privilege('pg_catalog.pg_control_system()', 'EXECUTE')"
                + " THEN (SELECT system_identifier::text FROM pg_catalog.pg_control_system()) END,"
                + " host(inet_server_addr()), inet_server_port(), current_setting('cluster_name'),"
                + " current_database(), (SELECT oid::text FROM pg_catalog.pg_database"
                + " WHERE datname = current_database()), current_schema()";
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            String system = rs.getString(1);
            String server = system != null
                    ? "system " + system
                    : Optional.ofNullable(rs.getString(2)).orElse("local socket " + rs.getString(4)) + ":"
                            + rs.getInt(3);
            return new DatabaseIdentity(
                    Engine.POSTGRESQL,
                    server,
                    rs.getString(5) + " (oid " + rs.getString(6) + ")",
                    rs.getString(7),
                    true);
        }
    }

    private static DatabaseIdentity mariadb(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT @@hostname, @@port, @@datadir, DATABASE()")) {
            rs.next();
            String server = rs.getString(1) + ":" + rs.getInt(2) + " (datadir " + rs.getString(3) + ")";
            String database = Optional.ofNullable(rs.getString(4)).orElse("");
            return new DatabaseIdentity(Engine.MARIADB, server, database, database, true);
        }
    }

    private static DatabaseIdentity h2(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT DATABASE_PATH(), CURRENT_CATALOG, CURRENT_SCHEMA")) {
            rs.next();
            String path = rs.getString(1);
            if (path == null) {
                return new DatabaseIdentity(Engine.H2, "memory", "mem:" + rs.getString(2), rs.getString(3), false);
            }
            return new DatabaseIdentity(Engine.H2, "file", canonical(path), rs.getString(3), true);
        }
    }

    /** {@code path} absolute, normalised, its directory's symbolic links resolved. */
    public static String canonical(String path) {
        Path p = Path.of(path).toAbsolutePath().normalize();
        Path parent = p.getParent();
        if (parent != null) {
            try {
                p = parent.toRealPath().resolve(p.getFileName());
            } catch (IOException | SecurityException e) {
                // keep the normalised path: the directory is the server's, maybe not this machine's
            }
        }
        return p.toString();
    }
}
