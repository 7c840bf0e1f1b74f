package dev.reshard.catalog;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.reshard.core.InvalidInputException;
import dev.reshard.core.Key;
import dev.reshard.core.ShardId;
import dev.reshard.core.hash.KeyHash;
import dev.reshard.core.hash.KeyHashes;
import dev.reshard.core.map.ShardMap;
import dev.reshard.core.strategy.ConsistentHashRing;
import dev.reshard.core.strategy.Directory;
import dev.reshard.core.strategy.RangeMap;
import dev.reshard.core.strategy.Strategy;
import dev.reshard.core.strategy.StrategyKind;
import dev.reshard.core.strategy.VirtualShardMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The stored form of a shard map: one JSON document per version. A directory's tenants are not in
 * the document (there may be millions); they live in the catalog's versioned directory table and
 * are passed to {@link #decode} separately.
 *
 * <p>Format, version 1: {@code {"format":1, "strategy":"virtual", "hash":"xxh3-64/v1",
 * "shards":[...], ...}} plus per strategy: virtual {@code "owners":[shard index per virtual
 * shard]}; ring {@code "vnodes", "placement", "weights", "tokens":[signed 64-bit], "owners":[shard
 * index per token]}; directory {@code "placement"}; range {@code "ranges":[{"start","end"?,
 * "shard"}]}.
 */
public final class ShardMapCodec {
    private static final int FORMAT = 1;
    private final ObjectMapper json = new ObjectMapper();

    public String encode(ShardMap map) {
        ObjectNode root = json.createObjectNode();
        root.put("format", FORMAT);
        Strategy s = map.strategy();
        root.put("strategy", s.kind().label());
        ArrayNode shards = root.putArray("shards");
        s.shards().forEach(id -> shards.add(id.value()));
        if (s instanceof VirtualShardMap v) {
            root.put("hash", v.hash().name());
            ArrayNode owners = root.putArray("owners");
            List<ShardId> assignment = v.assignment();
            Map<ShardId, Integer> index = indexOf(s.shards());
            assignment.forEach(id -> owners.add(index.get(id)));
        } else if (s instanceof ConsistentHashRing r) {
            root.put("hash", r.hash().name());
            root.put("vnodes", r.vnodes());
            root.put("placement", r.placement().toString());
            ArrayNode weights = root.putArray("weights");
            s.shards().forEach(id -> weights.add(r.weight(id)));
            ArrayNode tokens = root.putArray("tokens");
            ArrayNode owners = root.putArray("owners");
            long[] t = r.tokens();
            Map<ShardId, Integer> index = indexOf(s.shards());
            for (int i = 0; i < t.length; i++) {
                tokens.add(t[i]);
                owners.add(index.get(r.ownerOfToken(i)));
            }
        } else if (s instanceof Directory d) {
            root.put("hash", d.hash().name());
            root.put("placement", d.placement().toString());
        } else {
            RangeMap m = (RangeMap) s;
            ArrayNode ranges = root.putArray("ranges");
            for (RangeMap.Range r : m.ranges()) {
                ObjectNode n = ranges.addObject();
                n.put("start", r.start());
                r.end().ifPresent(e -> n.put("end", e));
                n.put("shard", r.shard().value());
            }
        }
        try {
            return json.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode map " + map, e);
        }
    }

    /** Decodes a stored map; {@code tenants} are the directory's listed tenants at this version. */
    public ShardMap decode(long version, String document, Map<Key, ShardId> tenants) {
        JsonNode root;
        try {
            root = json.readTree(document);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("map v" + version + " is not valid JSON: " + e.getOriginalMessage(), e);
        }
        int format = root.path("format").asInt(-1);
        if (format != FORMAT) {
            throw new IllegalStateException("map v" + version + " has format " + format + "; this Reshard reads format "
                    + FORMAT + ". Upgrade Reshard to read it");
        }
        StrategyKind kind = StrategyKind.parse(
                "map v" + version + ".strategy", root.path("strategy").asText());
        List<ShardId> shards = new ArrayList<>();
        root.path("shards").forEach(n -> shards.add(ShardId.of(n.asText())));
        KeyHash hash = root.has("hash") ? KeyHashes.byName(root.get("hash").asText()) : KeyHashes.defaultHash();
        Strategy strategy = switch (kind) {
            case VIRTUAL -> {
                List<ShardId> assignment = new ArrayList<>();
                root.path("owners").forEach(n -> assignment.add(shards.get(n.asInt())));
                yield VirtualShardMap.of(hash, shards, assignment);
            }
            case RING -> {
                JsonNode t = root.path("tokens");
                long[] tokens = new long[t.size()];
                List<ShardId> owners = new ArrayList<>(t.size());
                for (int i = 0; i < tokens.length; i++) {
                    tokens[i] = t.get(i).asLong();
                    owners.add(shards.get(root.path("owners").get(i).asInt()));
                }
                double[] weights = new double[shards.size()];
                for (int i = 0; i < weights.length; i++) {
                    weights[i] = root.path("weights").get(i).asDouble();
                }
                yield ConsistentHashRing.fromTokens(
                        hash,
                        ConsistentHashRing.Placement.parse(
                                "placement", root.path("placement").asText()),
                        root.path("vnodes").asInt(),
                        shards,
                        weights,
                        tokens,
                        owners);
            }
            case DIRECTORY -> {
                Directory.Builder b = Directory.builder(
                                Directory.Placement.parse(
                                        "placement", root.path("placement").asText()),
                                shards)
                        .hash(hash);
                tenants.forEach(b::tenant);
                yield b.build();
            }
            case RANGE -> {
                List<RangeMap.Range> ranges = new ArrayList<>();
                for (JsonNode n : root.path("ranges")) {
                    ranges.add(new RangeMap.Range(
                            n.path("start").asLong(),
                            n.has("end") ? OptionalLong.of(n.get("end").asLong()) : OptionalLong.empty(),
                            ShardId.of(n.path("shard").asText())));
                }
                yield RangeMap.of(ranges, shards);
            }
        };
        return ShardMap.of(version, strategy);
    }

    /** The stored text form of a tenant key: {@code l:42}, {@code s:acme}, {@code u:<uuid>}. */
    public static String tenantText(Key key) {
        if (key instanceof Key.LongKey k) {
            return "l:" + k.value();
        }
        if (key instanceof Key.StringKey k) {
            InvalidInputException.require(
                    k.value().length() <= 296,
                    "tenant",
                    k.value(),
                    "is longer than 296 characters",
                    "use a shorter tenant id");
            return "s:" + k.value();
        }
        return "u:" + ((Key.UuidKey) key).value();
    }

    public static Key tenantKey(String text) {
        String value = text.substring(2);
        return switch (text.charAt(0)) {
            case 'l' -> Key.of(Long.parseLong(value));
            case 's' -> Key.of(value);
            default -> Key.of(java.util.UUID.fromString(value));
        };
    }

    private static Map<ShardId, Integer> indexOf(List<ShardId> shards) {
        Map<ShardId, Integer> index = new java.util.HashMap<>();
        for (int i = 0; i < shards.size(); i++) {
            index.put(shards.get(i), i);
        }
        return index;
    }
}
