package dev.reshard.jdbc;

import dev.reshard.core.InvalidInputException;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.SQLException;
import java.util.Locale;

/** The database engines Reshard speaks to, detected from a JDBC URL or from a live connection. */
public enum Engine {
    POSTGRESQL,
    /** MariaDB, and MySQL where the SQL is the same (change capture needs MariaDB, see its dialect). */
    MARIADB,
    H2;

    /**
     * The engine a JDBC URL points at: {@code jdbc:postgresql:}, {@code jdbc:mariadb:} or {@code
     * jdbc:mysql:}, {@code jdbc:h2:}.
     *
     * @throws InvalidInputException for any other URL
     */
    public static Engine fromJdbcUrl(String jdbcUrl) {
        String url = jdbcUrl == null ? "" : jdbcUrl.trim().toLowerCase(Locale.ROOT);
        if (url.startsWith("jdbc:postgresql:")) {
            return POSTGRESQL;
        }
        if (url.startsWith("jdbc:mariadb:") || url.startsWith("jdbc:mysql:")) {
            return MARIADB;
        }
        if (url.startsWith("jdbc:h2:")) {
            return H2;
        }
        throw InvalidInputException.of(
                "jdbc url",
                redact(jdbcUrl),
                "is not a PostgreSQL, MariaDB/MySQL or H2 URL",
                "use jdbc:postgresql://host/db, jdbc:mariadb://host/db or jdbc:h2:...");
    }

    /** The engine behind a connection, from its product name. */
    public static Engine detect(Connection connection) throws SQLException {
        return detect(connection.getMetaData());
    }

    /** The engine behind database metadata, from {@link DatabaseMetaData#getDatabaseProductName()}. */
    public static Engine detect(DatabaseMetaData metaData) throws SQLException {
        String product = metaData.getDatabaseProductName();
        String name = product == null ? "" : product.toLowerCase(Locale.ROOT);
        if (name.contains("postgresql")) {
            return POSTGRESQL;
        }
        if (name.contains("mariadb") || name.contains("mysql")) {
            return MARIADB;
        }
        if (name.equals("h2")) {
            return H2;
        }
        throw new UnsupportedEngineException(product);
    }

    private static String redact(String jdbcUrl) {
        if (jdbcUrl == null) {
            return "";
        }
        int query = jdbcUrl.indexOf('?');
        int semicolon = jdbcUrl.indexOf(';');
        int cut = query < 0 ? semicolon : semicolon < 0 ? query : Math.min(query, semicolon);
        return cut < 0 ? jdbcUrl : jdbcUrl.substring(0, cut) + "...";
    }
}
