package dev.reshard.jdbc;

import java.util.Objects;

/**
 * A column as the database catalog describes it.
 *
 * @param name the name as stored in the catalog (its case may differ from the configuration's)
 * @param type the type as the engine names it, with length or precision where it matters, e.g.
 *     {@code varchar(100)}, {@code numeric(12,2)}, {@code int8}; comparable between shards of one
 *     engine, not across engines
 * @param nullable whether the column accepts NULL
 */
public record Column(String name, String type, boolean nullable) {
    public Column {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
    }
}
