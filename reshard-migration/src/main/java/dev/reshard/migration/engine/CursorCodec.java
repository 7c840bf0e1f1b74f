package dev.reshard.migration.engine;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Keyset cursors (a primary key as a list of values) as JSON for the catalog's checkpoints, typed
 * so that a resumed backfill binds the same Java types it read: {@code [{"l":42},{"s":"eu"}]}.
 */
final class CursorCodec {
    private static final ObjectMapper JSON = new ObjectMapper();

    private CursorCodec() {}

    static String encode(List<Object> key) {
        ArrayNode array = JSON.createArrayNode();
        for (Object part : key) {
            ObjectNode node = array.addObject();
            if (part instanceof Long || part instanceof Integer || part instanceof Short || part instanceof Byte) {
                node.put("l", ((Number) part).longValue());
            } else if (part instanceof BigDecimal d) {
                node.put("d", d.toPlainString());
            } else if (part instanceof UUID u) {
                node.put("u", u.toString());
            } else if (part instanceof String s) {
                node.put("s", s);
            } else if (part == null) {
                throw new IllegalArgumentException("a primary key part is NULL");
            } else {
                node.put("x", part.toString());
            }
        }
        return array.toString();
    }

    static List<Object> decode(String json) {
        try {
            List<Object> key = new ArrayList<>();
            for (JsonNode node : JSON.readTree(json)) {
                if (node.has("l")) {
                    key.add(node.get("l").asLong());
                } else if (node.has("d")) {
                    key.add(new BigDecimal(node.get("d").asText()));
                } else if (node.has("u")) {
                    key.add(UUID.fromString(node.get("u").asText()));
                } else if (node.has("s")) {
                    key.add(node.get("s").asText());
                } else {
                    key.add(node.get("x").asText());
                }
            }
            return key;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("checkpoint cursor is not valid JSON: " + json, e);
        }
    }
}
