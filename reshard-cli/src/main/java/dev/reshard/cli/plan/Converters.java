package dev.reshard.cli.plan;

import dev.reshard.core.InvalidInputException;
import dev.reshard.core.ShardId;
import dev.reshard.core.strategy.ConsistentHashRing;
import dev.reshard.core.strategy.Directory;
import dev.reshard.core.strategy.RangeMap.Range;
import dev.reshard.core.strategy.StrategyKind;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.Function;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * picocli converters for the core's value types. A refused value becomes a {@link
 * TypeConversionException}, which picocli prefixes with the option's name; the core's own field
 * name is dropped from the message so that the operator sees the option they typed.
 */
final class Converters {
    private Converters() {}

    static <T> T parse(String text, Function<String, T> parser) {
        try {
            return parser.apply(text);
        } catch (InvalidInputException e) {
            throw new TypeConversionException(e.detail());
        }
    }

    static long parseLong(String text, String what, String example) {
        try {
            return Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            throw new TypeConversionException("\"" + text + "\" " + what + " is not a 64-bit integer; " + example);
        }
    }

    /** An enum constant by its {@code toString()}, e.g. {@code round-robin}, ignoring case. */
    static <E extends Enum<E>> E constant(Class<E> type, String text, String what) {
        List<String> names = new ArrayList<>();
        for (E e : type.getEnumConstants()) {
            if (e.toString().equalsIgnoreCase(text.trim())) {
                return e;
            }
            names.add(e.toString());
        }
        throw new TypeConversionException("\"" + text + "\" is not " + what + "; use one of " + names);
    }

    static final class KeyTypes implements ITypeConverter<KeyType> {
        @Override
        public KeyType convert(String value) {
            return constant(KeyType.class, value, "a key type");
        }
    }

    static final class Listings implements ITypeConverter<DirectoryPlan.Listing> {
        @Override
        public DirectoryPlan.Listing convert(String value) {
            return constant(DirectoryPlan.Listing.class, value, "a tenant listing");
        }
    }

    static final class Shard implements ITypeConverter<ShardId> {
        @Override
        public ShardId convert(String value) {
            return parse(value.trim(), ShardId::of);
        }
    }

    static final class Strategy implements ITypeConverter<StrategyKind> {
        @Override
        public StrategyKind convert(String value) {
            return parse(value, v -> StrategyKind.parse("strategy", v));
        }
    }

    static final class RingPlacement implements ITypeConverter<ConsistentHashRing.Placement> {
        @Override
        public ConsistentHashRing.Placement convert(String value) {
            return parse(value, v -> ConsistentHashRing.Placement.parse("placement", v));
        }
    }

    static final class DirectoryPlacement implements ITypeConverter<Directory.Placement> {
        @Override
        public Directory.Placement convert(String value) {
            return parse(value, v -> Directory.Placement.parse("placement", v));
        }
    }

    /** {@code START:END:SHARD}, END empty (or {@code inf}) for the last, open range. */
    static final class RangeSpec implements ITypeConverter<Range> {
        private static final String EXAMPLE =
                "write START:END:SHARD, e.g. 0:1000000:shard_0, and leave END empty for the last range (2000000::shard_2)";

        @Override
        public Range convert(String value) {
            String[] parts = value.split(":", -1);
            if (parts.length != 3) {
                throw new TypeConversionException("\"" + value + "\" is not START:END:SHARD; " + EXAMPLE);
            }
            long start = parseLong(parts[0], "(the start of \"" + value + "\")", EXAMPLE);
            ShardId shard = parse(parts[2].trim(), ShardId::of);
            String end = parts[1].trim();
            if (end.isEmpty() || end.equalsIgnoreCase("inf") || end.equalsIgnoreCase("+inf")) {
                return new Range(start, OptionalLong.empty(), shard);
            }
            return Range.of(start, parseLong(end, "(the end of \"" + value + "\")", EXAMPLE), shard);
        }
    }

    /** {@code LO:HI}, the half-open interval of synthetic range keys. */
    static final class KeySpan implements ITypeConverter<RangeKeys.Span> {
        private static final String EXAMPLE = "write LO:HI with LO < HI, e.g. 0:3000000";

        @Override
        public RangeKeys.Span convert(String value) {
            String[] parts = value.split(":", -1);
            if (parts.length != 2) {
                throw new TypeConversionException("\"" + value + "\" is not LO:HI; " + EXAMPLE);
            }
            long lo = parseLong(parts[0], "(LO)", EXAMPLE);
            long hi = parseLong(parts[1], "(HI)", EXAMPLE);
            if (hi <= lo) {
                throw new TypeConversionException("\"" + value + "\" is empty (HI is not above LO); " + EXAMPLE);
            }
            return new RangeKeys.Span(lo, hi);
        }
    }

    /** {@code FIRST-LAST:SHARD} or {@code V:SHARD}: virtual shards to give to a shard. */
    static final class VirtualMoveSpec implements ITypeConverter<VirtualPlan.Move> {
        private static final String EXAMPLE = "write FIRST-LAST:SHARD or V:SHARD, e.g. 800-999:shard_4";

        @Override
        public VirtualPlan.Move convert(String value) {
            int colon = value.lastIndexOf(':');
            if (colon < 0) {
                throw new TypeConversionException("\"" + value + "\" names no target shard; " + EXAMPLE);
            }
            String ids = value.substring(0, colon).trim();
            ShardId to = parse(value.substring(colon + 1).trim(), ShardId::of);
            int dash = ids.indexOf('-', 1);
            try {
                int first =
                        Integer.parseInt(dash < 0 ? ids : ids.substring(0, dash).trim());
                int last = dash < 0
                        ? first
                        : Integer.parseInt(ids.substring(dash + 1).trim());
                if (first < 0 || last < first) {
                    throw new TypeConversionException(
                            "\"" + value + "\" is not a range of virtual shard ids (0 <= FIRST <= LAST); " + EXAMPLE);
                }
                return new VirtualPlan.Move(first, last, to, value.trim());
            } catch (NumberFormatException e) {
                throw new TypeConversionException(
                        "\"" + value + "\" does not start with virtual shard ids; " + EXAMPLE);
            }
        }
    }
}
