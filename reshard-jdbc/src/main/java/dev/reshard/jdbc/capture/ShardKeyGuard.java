package dev.reshard.jdbc.capture;

/**
 * The capture triggers' refusal of an UPDATE that changes a row's shard key: the row would move
 * between shards behind the router's back, and a migration would copy it to the wrong place.
 *
 * <p>SQLSTATE 23514 (integrity constraint violation, check): the shard key is, in effect,
 * constrained not to change while the table is captured. It is deliberately not 40001, which the
 * router reads as "fenced, refresh and retry"; retrying this write can only fail again.
 */
final class ShardKeyGuard {
    static final String SQLSTATE = "23514";

    private ShardKeyGuard() {}

    static String message(String table, String column, Object before, Object after) {
        return "reshard: the shard key of a row cannot change while table " + table + " is captured (column " + column
                + ", " + before + " -> " + after + "); delete the row and insert it under the new key";
    }
}
