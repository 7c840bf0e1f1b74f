package dev.reshard.catalog;

import dev.reshard.core.InvalidInputException;
import dev.reshard.core.ShardId;
import java.util.Objects;

/**
 * A shard as the catalog knows it: how to connect, and the capacity (bytes of disk it may use; SQL
 * cannot see the disk, so it is configured). The password is a {@link SecretRef}, never a value.
 */
public record ShardConfig(ShardId id, String jdbcUrl, String username, SecretRef password, long capacityBytes) {
    public ShardConfig {
        Objects.requireNonNull(id, "id");
        String field = "shards[" + id + "]";
        InvalidInputException.require(
                jdbcUrl != null && jdbcUrl.startsWith("jdbc:"),
                field + ".jdbcUrl",
                jdbcUrl,
                "is not a JDBC URL",
                "use e.g. jdbc:postgresql://db1:5432/app or jdbc:mariadb://db2:3306/app");
        InvalidInputException.require(
                capacityBytes > 0,
                field + ".capacity",
                capacityBytes,
                "must be a positive number of bytes",
                "give the disk the shard may use, e.g. 85899345920 for 80 GiB");
        password = password == null ? SecretRef.NONE : password;
        InvalidInputException.require(
                !carriesCredentials(jdbcUrl),
                field + ".jdbcUrl",
                "<hidden>",
                "carries a password",
                "remove it from the URL and set password: env:NAME or file:/path");
    }

    /**
     * Whether {@code url} holds a password in any spelling a driver reads: {@code user:pass@host},
     * {@code password=}, {@code pwd=}, with spaces around the name or percent-encoded.
     */
    static boolean carriesCredentials(String url) {
        String decoded;
        try {
            decoded = java.net.URLDecoder.decode(url.replace("+", "%2B"), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            decoded = url;
        }
        String flat = decoded.replaceAll("\\s+", "").toLowerCase(java.util.Locale.ROOT);
        if (flat.matches(".*[?&;](password|pwd|passwd|pass|sslpassword)=.*")) {
            return true;
        }
        int slashes = flat.indexOf("//");
        if (slashes < 0) {
            return false;
        }
        int end = flat.length();
        for (char stop : new char[] {'/', '?', ';'}) {
            int i = flat.indexOf(stop, slashes + 2);
            if (i >= 0) {
                end = Math.min(end, i);
            }
        }
        return flat.substring(slashes + 2, end).contains("@");
    }
}
